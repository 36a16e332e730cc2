/* SPDX-License-Identifier: MIT */
/* The core's side of snapshots: finds the migration plugin and hands it the
 * stopped machine. The format and the version negotiation live in the plugin. */
#ifndef CORE_SNAPSHOT_H
#define CORE_SNAPSHOT_H

#include <glib.h>

#include "machine.h"
#include "plugin.h"

/* The migration plugin of the tsnap format, or NULL with an error. */
const TesseraMigrationClass *snapshot_backend(const PluginRegistry *reg, GError **error);
/* Save atomically to path; target_manifest_path (JSON from --dump-manifest of the
 * installation that will load it) selects per-device versions, or NULL. */
bool snapshot_save(Machine *m, const PluginRegistry *reg, const char *path,
                   const char *target_manifest_path, GError **error);
/* Load into the machine; on failure the machine is unchanged. */
bool snapshot_load(Machine *m, const PluginRegistry *reg, const char *path, GError **error);
/* The machine name, RAM size and machine file (NULL when not recorded) a snapshot
 * was taken on (for -loadvm). */
bool snapshot_machine(const PluginRegistry *reg, const char *path, char **machine,
                      uint64_t *ram_size, char **machine_file, GError **error);
/* The snapshot's manifest as JSON text (monitor `info snapshot`). */
char *snapshot_manifest(const PluginRegistry *reg, const char *path, GError **error);
/* This installation's plugins and state ranges as JSON (--dump-manifest). */
char *snapshot_dump_installation(const PluginRegistry *reg);

#endif /* CORE_SNAPSHOT_H */
