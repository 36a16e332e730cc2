/* SPDX-License-Identifier: MIT */
/* What tessera-snap check/convert compare a snapshot against: the plugins installed
 * here (through the core's registry) or those a manifest file describes. */
#ifndef TSNAP_SNAP_INSTALLED_H
#define TSNAP_SNAP_INSTALLED_H

#include <stdbool.h>
#include <stddef.h>
#include <tessera/state.h>

#include "negotiate.h"

typedef struct InstalledPlugin {
    const char *name;
    const char *version;
    uint32_t kind;
    bool has_schema;
    SchemaInfo info;
    const TesseraStateSchema *schema; /* NULL when described by a manifest */
    const char *blocker;
} InstalledPlugin;

typedef struct Installed Installed;

/* From the registry (extra plugin dirs first, then the default search path), keeping
 * only the versions the pins (NAME=CONSTRAINT, as -plugin-version) allow; NULL with a
 * message in err when a pin cannot be honoured. */
Installed *installed_from_registry(char **plugin_dirs, char **pins, char *err, size_t errlen);
/* From a --dump-manifest file. */
Installed *installed_from_manifest(const char *path, char *err, size_t errlen);
void installed_free(Installed *in);

/* The highest version of `name`, or NULL. */
const InstalledPlugin *installed_find(const Installed *in, const char *name);
/* "installed plugins" or the manifest path, for messages. */
const char *installed_origin(const Installed *in);

#endif /* TSNAP_SNAP_INSTALLED_H */
