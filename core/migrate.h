/* SPDX-License-Identifier: MIT */
/*
 * The core's side of live migration: addresses (tcp:HOST:PORT, unix:PATH), the
 * sockets, the status QMP and the monitor show, and when the migration plugin's
 * steps run. The stream and the negotiation are the plugin's (docs/migration.md).
 */
#ifndef CORE_MIGRATE_H
#define CORE_MIGRATE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <tessera/migration.h>

#include "session.h"

typedef enum MigrateStatus {
    MIGRATE_NONE,
    MIGRATE_SETUP,
    MIGRATE_ACTIVE,
    MIGRATE_COMPLETED,
    MIGRATE_FAILED,
    MIGRATE_CANCELLED,
} MigrateStatus;

typedef struct MigrateInfo {
    MigrateStatus status;
    const char *status_name; /* QEMU's names: none, setup, active, completed, ... */
    const char *error;       /* why it failed, or NULL */
    uint64_t total_time_ms;
    bool auto_converge;
    uint64_t max_bandwidth;  /* bytes/s, 0 unlimited */
    uint64_t downtime_limit_ms;
    TesseraMigrateStats stats;
} MigrateInfo;

/* Source: connect to uri and start (the handshake happens here: a refusal leaves
 * the status failed and the guest running, and is not an error of the command). */
bool migrate_start(Session *s, const char *uri, GError **error);
/* Destination: "defer" (wait for migrate-incoming) or an address to listen on;
 * the machine stays paused (inmigrate) until a machine has arrived. From a
 * command (QMP migrate-incoming, the monitor's migrate_incoming) only after
 * -incoming defer. */
bool migrate_incoming(Session *s, const char *uri, bool command, GError **error);
void migrate_cancel(Session *s);
/* "max-bandwidth" (bytes/s), "downtime-limit" (ms). */
bool migrate_set_parameter(Session *s, const char *name, uint64_t value, GError **error);
/* "auto-converge". */
bool migrate_set_capability(Session *s, const char *name, bool on, GError **error);
void migrate_info(Session *s, MigrateInfo *out);
/* One line of progress (the monitor's info migrate). */
char *migrate_progress_line(const MigrateInfo *info);

/* From the run loop while the guest is paused: accept an incoming migration,
 * or step an outgoing one. True while there is something to wait for. */
bool migrate_poll(Session *s, int timeout_ms);
void migrate_free(Session *s);

#endif /* CORE_MIGRATE_H */
