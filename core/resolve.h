/* SPDX-License-Identifier: MIT */
/* Which plugin file serves each device of a machine file, decided before anything is
 * built: the answer to `tessera --check-machine`, and the reason a machine does not
 * start. docs/machine-files.md (presence) and docs/packaging.md describe it. */
#ifndef CORE_RESOLVE_H
#define CORE_RESOLVE_H

#include <glib.h>
#include <stdio.h>

#include "machine_file.h"
#include "plugin.h"

typedef struct DeviceResolution {
    const DeviceSpec *spec;
    const Plugin *plugin; /* NULL: the device is left out (or the machine cannot start) */
    char *why;            /* when plugin is NULL: one line, the reasons */
} DeviceResolution;

typedef struct MachineResolution {
    const MachineSpec *spec;
    DeviceResolution cpu;
    GArray *devices;       /* DeviceResolution, in spec->devices order */
    unsigned missing_required; /* the CPU counts as required */
    unsigned missing_optional;
} MachineResolution;

/* Every device of `spec` against the registry. A device is left out when no loaded
 * plugin satisfies its constraint, or when a device it links to is left out. */
MachineResolution *machine_resolve(const MachineSpec *spec, const PluginRegistry *reg);
void machine_resolution_free(MachineResolution *r);
/* The plugin resolved for instance `name` ("cpu" for the CPU), or NULL. */
const Plugin *machine_resolution_plugin(const MachineResolution *r, const char *name);

/* One line per device that is missing on `out`: "tessera: FILE:LINE: required device
 * ..." or "tessera: warning: FILE:LINE: optional device ... left out: ...". */
void machine_resolution_report(const MachineResolution *r, FILE *out);
/* `tessera --check-machine`: one row per device (instance, presence, plugin,
 * constraint, version chosen, state versions, file), then the verdict. */
void machine_resolution_print(const MachineResolution *r, FILE *out);

#endif /* CORE_RESOLVE_H */
