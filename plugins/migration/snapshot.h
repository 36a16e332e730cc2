/* SPDX-License-Identifier: MIT */
/*
 * Saving and loading a stopped machine through a TesseraMachineView. These are what
 * the migration-tsnap plugin's TesseraMigrationClass calls; errors are one line
 * starting with the snapshot path.
 */
#ifndef TSNAP_SNAPSHOT_H
#define TSNAP_SNAPSHOT_H

#include <stdbool.h>
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

typedef struct TsnapFile TsnapFile;
/* The same from an opened file or a received migration stream; without `memory`
 * only device states and icount are loaded (a stream sent memory page by page). */
int tsnap_load_file(const TesseraMachineView *m, TsnapFile *f, bool memory, char *err,
                    size_t errlen);

/* Saving's pieces: refuse a blocked instance or one without layout or state; the
 * instance's state as a record at state version w. Errors start with `label`. */
int tsnap_check_instance(const char *label, const TesseraInstanceInfo *inst, char *err,
                         size_t errlen);
TesseraRecord *tsnap_build_record(const char *label, const TesseraInstanceInfo *inst, uint32_t w,
                                  char *err, size_t errlen);

/* Live migration (live.c, incoming.c): TesseraMigrationClass's members. */
TesseraMigration *tsnap_outgoing_start(const TesseraMachineView *m, int fd,
                                       const TesseraMigrateParams *params, char *err,
                                       size_t errlen);
int tsnap_outgoing_step(TesseraMigration *mig, TesseraMigrateStats *stats, char *err,
                        size_t errlen);
void tsnap_outgoing_set_params(TesseraMigration *mig, const TesseraMigrateParams *params);
void tsnap_outgoing_free(TesseraMigration *mig);
int tsnap_incoming(const TesseraMachineView *m, int fd, char *err, size_t errlen);

#endif /* TSNAP_SNAPSHOT_H */
