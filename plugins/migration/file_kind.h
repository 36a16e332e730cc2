/* SPDX-License-Identifier: MIT */
/*
 * What a file that is not a regular file is, for the one-line refusals of every
 * file taken from outside (core/file_read.c, save targets, snapshots).
 */
#ifndef TSNAP_FILE_KIND_H
#define TSNAP_FILE_KIND_H

#include <sys/types.h>

/* "a directory", "a character device", "a block device", "a FIFO", "a socket", or
 * "not a regular file" for anything else that is not a regular file. */
const char *file_kind(mode_t mode);

#endif /* TSNAP_FILE_KIND_H */
