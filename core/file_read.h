/* SPDX-License-Identifier: MIT */
/*
 * Reading a file from outside (-bios, -kernel, -initrd, machine files) whole, safely: the open
 * never blocks (a FIFO, a terminal), anything but a regular file is refused, and so
 * is a file larger than a stated limit, before anything is allocated.
 */
#ifndef CORE_FILE_READ_H
#define CORE_FILE_READ_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The limit for a PROM image, a kernel and an initial RAM disk. */
#define FILE_READ_LIMIT (UINT64_C(256) << 20)
/* The limit for a machine file (text; the SS-5's is a few KiB). */
#define MACHINE_FILE_LIMIT (UINT64_C(1) << 20)

/* Open `path` for reading without blocking (O_NONBLOCK, cleared once the file is
 * known to be regular), refuse anything but a regular file no larger than `limit`
 * bytes. Returns the fd (blocking mode) and its size, or -1 with an error
 * "LABEL PATH: ..." (just "PATH: ..." when label is NULL). */
int file_open_regular(const char *label, const char *path, uint64_t limit, uint64_t *size,
                      GError **error);

/* file_open_regular, then read the whole file into a g_malloc'ed buffer (with a NUL
 * after the last byte). A file that grows past its fstat size while being read is
 * refused too. */
bool file_read_whole(const char *label, const char *path, uint64_t limit, char **data,
                     gsize *len, GError **error);

/* Check only (the option checks at start-up): as file_open_regular, fd closed. */
bool file_check_regular(const char *label, const char *path, uint64_t limit, GError **error);

#endif /* CORE_FILE_READ_H */
