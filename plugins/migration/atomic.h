/* SPDX-License-Identifier: MIT */
/*
 * Atomic file output: bytes go to a temporary file in the target's directory; commit
 * fsyncs it, renames it over the target and fsyncs the directory. Until commit the
 * target is untouched, and abort (or any failure) removes the temporary file.
 */
#ifndef TSNAP_ATOMIC_H
#define TSNAP_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct AtomicFile AtomicFile;

/* 0 when `path` may be saved to: absent, or a regular file (a symlink counts as
 * what it points to). A device node, FIFO, directory or socket is refused with one
 * line in err. Never blocks. atomic_open checks it too. */
int atomic_check_target(const char *path, char *err, size_t errlen);
/* Checks the target, then creates the temporary file .NAME.XXXXXX beside it. Until
 * commit or abort, SIGINT and SIGTERM remove the temporary file and are then
 * re-raised with the disposition they had before. */
AtomicFile *atomic_open(const char *path, char *err, size_t errlen);
/* Buffered append; after the first failure every call fails with the same error. */
int atomic_write(AtomicFile *f, const void *buf, size_t len);
/* Overwrite bytes already written (section headers are patched after the payload). */
int atomic_pwrite(AtomicFile *f, uint64_t offset, const void *buf, size_t len);
uint64_t atomic_offset(const AtomicFile *f);
/* Publish the file; frees f. On failure the target is untouched. */
int atomic_commit(AtomicFile *f, char *err, size_t errlen);
/* Drop the temporary file; frees f. */
void atomic_abort(AtomicFile *f);
/* The first error, if any (for callers that report it). */
const char *atomic_error(const AtomicFile *f);
/* The temporary file the signal handler would remove now, or NULL (for tests). */
const char *atomic_pending_tmp(void);

#endif /* TSNAP_ATOMIC_H */
