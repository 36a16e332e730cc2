/* SPDX-License-Identifier: MIT */
/*
 * Saving and loading a stopped machine through a TesseraMachineView. These are what
 * the migration-tsnap plugin's TesseraMigrationClass calls; errors are one line
 * starting with the snapshot path.
 */
#ifndef TSNAP_SNAPSHOT_H
#define TSNAP_SNAPSHOT_H

#include <stddef.h>
#include <tessera/migration.h>

/* Refuses migration blockers; runs pre_save hooks; writes atomically. With a target
 * manifest (JSON), each instance is written at the highest version the target loads. */
int tsnap_save(const TesseraMachineView *m, const char *path, const char *target_manifest,
               char *err, size_t errlen);

/* Transactional: every device is decoded and validated and all memory decoded before
 * anything changes; post_load hooks run last, and if one fails the machine is
 * rolled back (the hooks then run again on the restored state). */
int tsnap_load(const TesseraMachineView *m, const char *path, char *err, size_t errlen);

#endif /* TSNAP_SNAPSHOT_H */
