/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI: migration plugins (snapshot format, per-device version
 * negotiation). The core hands the plugin a read/write view of a stopped machine.
 */
#ifndef TESSERA_MIGRATION_H
#define TESSERA_MIGRATION_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "state.h"

typedef struct TesseraInstanceInfo {
    uint32_t size;                 /* sizeof(TesseraInstanceInfo) */
    const char *name;              /* instance name from the machine file ("cpu" for the CPU) */
    const char *plugin;            /* plugin name */
    const char *plugin_version;    /* plugin semver */
    uint32_t kind;                 /* TesseraPluginKind */
    const TesseraStateSchema *schema; /* NULL when blocked */
    const char *migration_blocker; /* non-NULL: the instance cannot be saved */
    void *state;                   /* the instance memory the schema's offsets refer to */
} TesseraInstanceInfo;

typedef struct TesseraMemoryInfo {
    uint32_t size;    /* sizeof(TesseraMemoryInfo) */
    const char *name; /* "ram", "prom", ... */
    uint64_t pa;      /* physical base */
    uint64_t length;  /* bytes */
    uint8_t *host;    /* backing store, guest byte order */
    uint32_t readonly;
    uint32_t reserved;
} TesseraMemoryInfo;

typedef struct TesseraMachineView {
    uint32_t size;           /* sizeof(TesseraMachineView) */
    const char *machine;     /* machine name ("ss5") */
    const char *machine_file;/* path of the machine file */
    TesseraRunState *run;    /* icount is the virtual clock: saved and restored */
    uint32_t n_instances;
    const TesseraInstanceInfo *instances;
    uint32_t n_memory;
    const TesseraMemoryInfo *memory;
} TesseraMachineView;

typedef struct TesseraMigrationClass {
    uint32_t size;      /* sizeof(TesseraMigrationClass) */
    const char *format; /* file format name, e.g. "tsnap" */

    /* Save the stopped machine atomically to `path`. `target_manifest` (JSON, as
     * printed by `tessera --dump-manifest`, or NULL) asks for the highest state
     * version the target can load for every instance. */
    int (*save)(const TesseraMachineView *m, const char *path, const char *target_manifest,
                char *err, size_t errlen);
    /* Load into the stopped machine. Transactional: on failure nothing changed. */
    int (*load)(const TesseraMachineView *m, const char *path, char *err, size_t errlen);
    /* The snapshot's manifest as JSON (machine name, RAM size, instances), so the
     * core can build the machine before load(); free with free(). NULL + err on error. */
    char *(*manifest)(const char *path, char *err, size_t errlen);
} TesseraMigrationClass;

#endif /* TESSERA_MIGRATION_H */
