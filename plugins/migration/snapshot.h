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

/* Transactional: every device is decoded and validated and all memory proven to
 * decode before anything changes. Device state and icount are committed, then the
 * post_load hooks run (if one fails, devices and icount are rolled back and the
 * hooks run again: nothing changed), then guest memory is restored. */
int tsnap_load(const TesseraMachineView *m, const char *path, char *err, size_t errlen);

#endif /* TSNAP_SNAPSHOT_H */
