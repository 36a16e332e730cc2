/* SPDX-License-Identifier: MIT */
/* Loading a PROM image (-bios): a SPARC ELF or a raw image. */
#ifndef CORE_FIRMWARE_H
#define CORE_FIRMWARE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The largest PROM window a machine file may give (prom-size): it is allocated. */
#define FIRMWARE_PROM_MAX (UINT64_C(16) << 20)

/* prom-size within 0..FIRMWARE_PROM_MAX, or an error naming the property and range. */
bool firmware_prom_size_ok(const char *machine, uint64_t prom_size, GError **error);

/* Place `path` into prom (prom_size bytes, physical base prom_base). An ELF's
 * segments go to vaddr - prom_vaddr + prom_base, or to vaddr itself when it already
 * lies in the PROM window; a raw image goes to the start. The file must be a regular
 * file of at most FILE_READ_LIMIT bytes (file_read.h); nothing else is opened for
 * long or read. */
bool firmware_load(const char *path, uint8_t *prom, uint64_t prom_base, uint64_t prom_size,
                   uint64_t prom_vaddr, GError **error);

#endif /* CORE_FIRMWARE_H */
