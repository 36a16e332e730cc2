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
#include "host.h"
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
    /* ---- ABI 1.4 ---- */
    /* Host services on behalf of the whole machine, for the dirty log
     * (tessera_dirty_start/fetch/stop) of live migration. */
    const TesseraHost *host;
} TesseraMachineView;

/* ---- ABI 1.4: live migration (docs/migration.md) ---- */

typedef struct TesseraMigration TesseraMigration; /* one outgoing migration, the plugin's */

typedef struct TesseraMigrateParams {
    uint32_t size;              /* sizeof(TesseraMigrateParams) */
    uint32_t auto_converge;     /* 1: throttle the guest when it dirties faster than the link */
    uint64_t max_bandwidth;     /* bytes per second on the wire; 0 = unlimited */
    uint64_t downtime_limit_ms; /* stop-and-copy starts once the rest fits this */
} TesseraMigrateParams;

typedef struct TesseraMigrateStats {
    uint32_t size;                 /* sizeof(TesseraMigrateStats) */
    uint32_t throttle_pct;         /* how much of the time the guest is held back */
    uint64_t transferred;          /* bytes sent so far */
    uint64_t remaining;            /* bytes of RAM still dirty (page size each) */
    uint64_t total_ram;            /* bytes of RAM and ROM being migrated */
    uint64_t dirty_rate;           /* bytes the guest dirtied per second, last pass */
    uint64_t bandwidth;            /* bytes per second measured on the wire */
    uint64_t expected_downtime_ms; /* remaining / bandwidth */
    uint64_t downtime_ms;          /* once completed: how long the guest was stopped */
    uint64_t iterations;           /* passes over the dirty log */
    uint64_t zero_pages;           /* pages sent as one bit */
    uint64_t normal_pages;         /* pages sent with their contents */
} TesseraMigrateStats;

typedef enum TesseraMigrateStatus {
    TESSERA_MIGRATE_FAILED = -1,   /* err says why; the guest goes on running */
    TESSERA_MIGRATE_ACTIVE = 0,    /* call step again */
    TESSERA_MIGRATE_COMPLETED = 1, /* the destination runs the machine now */
} TesseraMigrateStatus;

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

    /* ---- ABI 1.4: live migration; all or none of these ---- */

    /* Source: begin migrating the machine over the connected socket `fd`, which
     * the plugin owns from now on. NULL + err on error (fd is then closed). */
    TesseraMigration *(*outgoing_start)(const TesseraMachineView *m, int fd,
                                        const TesseraMigrateParams *params, char *err,
                                        size_t errlen);
    /* Called by the core between two CPU slices (an instruction boundary): does a
     * bounded amount of work and returns a TesseraMigrateStatus. It may sleep to
     * throttle the guest (auto-converge), never changes guest state, and completes
     * by sending the stopped machine's last pages and device states. */
    int (*outgoing_step)(TesseraMigration *mig, TesseraMigrateStats *stats, char *err,
                         size_t errlen);
    void (*outgoing_set_params)(TesseraMigration *mig, const TesseraMigrateParams *params);
    /* Ends the migration (a cancel while active), closes the socket. */
    void (*outgoing_free)(TesseraMigration *mig);
    /* Destination: receive a machine over `fd` into the stopped machine, blocking
     * with time-outs; transactional for device state like load(). Closes fd. */
    int (*incoming)(const TesseraMachineView *m, int fd, char *err, size_t errlen);
} TesseraMigrationClass;

#endif /* TESSERA_MIGRATION_H */
