/* SPDX-License-Identifier: MIT */
/* Loading a PROM image (-bios): a SPARC ELF or a raw image. */
#ifndef CORE_FIRMWARE_H
#define CORE_FIRMWARE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Place `path` into prom (prom_size bytes, physical base prom_base). An ELF's
 * segments go to vaddr - prom_vaddr + prom_base, or to vaddr itself when it already
 * lies in the PROM window; a raw image goes to the start. */
bool firmware_load(const char *path, uint8_t *prom, uint64_t prom_base, uint64_t prom_size,
                   uint64_t prom_vaddr, GError **error);

#endif /* CORE_FIRMWARE_H */
