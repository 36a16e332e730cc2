/* SPDX-License-Identifier: MIT */
/* Machine files (machines/NAME.machine, GKeyFile syntax): the CPU, memory map,
 * firmware and every device of a machine. docs/machine-files.md describes them. */
#ifndef CORE_MACHINE_FILE_H
#define CORE_MACHINE_FILE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

/* irq.OUTPUT[INDEX] = TARGET.INPUT[INDEX]; an index of -1 means the whole array. */
typedef struct IrqWire {
    char *output;
    int out_index;
    char *target;
    char *input;
    int in_index;
    int line; /* line in the machine file, for errors */
} IrqWire;

typedef struct RegSpec {
    char *name;
    uint64_t base;
} RegSpec;

typedef struct DeviceSpec {
    char *name;       /* instance name */
    char *plugin;
    char *constraint; /* version constraint, "" = any */
    GArray *regs;     /* RegSpec */
    GPtrArray *irqs;  /* IrqWire* */
    GHashTable *props;    /* prop.NAME -> value */
    GHashTable *links;    /* link.NAME -> instance */
    GHashTable *chardevs; /* chardev.NAME -> "serial0" | "none" */
    bool optional;        /* presence = optional: left out when its plugin is missing */
    int line;
    GHashTable *key_lines; /* "link.NAME" -> line in the machine file */
} DeviceSpec;

typedef struct MemorySpec {
    char *name;
    RegionKind kind; /* RAM, ROM or ZERO */
    uint64_t base;
    uint64_t size;
    GBytes *contents; /* optional initial bytes (hex in the file) */
} MemorySpec;

typedef struct MachineSpec {
    char *path;
    char *name;
    char *description;
    uint64_t ram_base;
    uint64_t ram_default, ram_min, ram_max; /* bytes */
    char *firmware;         /* default -bios, may be NULL */
    char *firmware_package; /* the Debian package that ships it */
    uint64_t prom_base, prom_size, prom_vaddr;
    DeviceSpec *cpu; /* plugin, constraint, props ("model") */
    char *cpu_model;
    GPtrArray *memory;  /* MemorySpec* */
    GPtrArray *devices; /* DeviceSpec*, file order */
} MachineSpec;

/* Parse and validate a machine file. Errors read "FILE:LINE: [GROUP] KEY: reason". */
MachineSpec *machine_file_load(const char *path, GError **error);
void machine_spec_free(MachineSpec *spec);

/* Directories holding machine files, in search order: $TESSERA_MACHINE_PATH, the
 * source tree when running uninstalled, the installed machinedir. */
GPtrArray *machine_file_dirs(void);
/* A machine name: [a-z0-9._-]+, not "." or "..". */
bool machine_name_valid(const char *name);
/* `name` quoted for an error message: "..." with control and non-ASCII bytes
 * escaped, cut at 64 bytes (g_free). */
char *machine_name_quote(const char *name);
/* NAME.machine in machine_file_dirs() only, never a path: every lookup of a
 * machine by name goes through here (-M NAME, and -loadvm's snapshot, whose
 * machine name is untrusted). An invalid name is refused with
 * 'machine name "..." is not a valid machine name'; an unknown one names the
 * search path. */
char *machine_file_find_name(const char *name, GError **error);
/* -M's argument: a path (containing '/' or ending in .machine) is used as it is,
 * anything else is machine_file_find_name(). */
char *machine_file_find(const char *name_or_path, GError **error);
/* Paths of all machine files found, first of each name wins. */
GPtrArray *machine_file_all(void);

#endif /* CORE_MACHINE_FILE_H */
