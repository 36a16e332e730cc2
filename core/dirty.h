/* SPDX-License-Identifier: MIT */
/*
 * The page log of one RAM region: the dirty log (a byte per 4 KiB page, one bit
 * per client) and the code marks a CPU sets on the pages it decoded.
 *
 * A write marks its pages for every client at once (the byte becomes all ones),
 * so the writer, including the CPU's store fast path, does one unconditional
 * byte store and never asks who is logging. A client that starts clears its bit
 * on every page, so marks made before it started are invisible to it; fetching
 * returns the pages marked since the last fetch and clears the client's bit.
 */
#ifndef CORE_DIRTY_H
#define CORE_DIRTY_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/host.h>

typedef struct DirtyMap {
    uint64_t base;  /* physical address of page 0 */
    uint64_t pages; /* number of 4 KiB pages covered */
    uint8_t *map;   /* one byte a page, bit c for client c */
    uint8_t *code;  /* one byte a page: non-zero once a CPU decoded code from it */
} DirtyMap;

void dirty_map_init(DirtyMap *d, uint64_t base, uint64_t size);
void dirty_map_free(DirtyMap *d);

/* Mark [pa, pa + len) for every client; the part outside the map is ignored. */
void dirty_map_mark(const DirtyMap *d, uint64_t pa, uint64_t len);

/* Whether any page of [pa, pa + len) carries a code mark. */
bool dirty_map_has_code(const DirtyMap *d, uint64_t pa, uint64_t len);

/* A client starts (its bit cleared everywhere) or stops (nothing to do: its bit
 * is simply no longer read). */
void dirty_map_start(DirtyMap *d, unsigned client);

/*
 * For each page of [pa, pa + len) that is marked for `client`: set bit i of
 * `bitmap` (i = page index from pa's page, LSB first within each byte) and clear
 * the client's mark. Returns the number of pages reported.
 */
uint64_t dirty_map_fetch(DirtyMap *d, unsigned client, uint64_t pa, uint64_t len,
                         uint8_t *bitmap);

#endif /* CORE_DIRTY_H */
