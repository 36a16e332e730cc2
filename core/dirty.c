/* SPDX-License-Identifier: MIT */
/* The per-region dirty log (see dirty.h). */
#include "dirty.h"

#include <glib.h>
#include <string.h>

void dirty_map_init(DirtyMap *d, uint64_t base, uint64_t size)
{
    d->base = base & ~(TESSERA_PAGE_SIZE - 1);
    d->pages = (base + size - d->base + TESSERA_PAGE_SIZE - 1) >> TESSERA_PAGE_BITS;
    d->map = g_malloc0(d->pages ? d->pages : 1);
    d->code = g_malloc0(d->pages ? d->pages : 1);
}

void dirty_map_free(DirtyMap *d)
{
    g_free(d->map);
    g_free(d->code);
    d->map = d->code = NULL;
    d->pages = 0;
}

/* The page range [*first, *end) of [pa, pa + len) inside the map; false if none. */
static bool dirty_map_span(const DirtyMap *d, uint64_t pa, uint64_t len, uint64_t *first,
                           uint64_t *end)
{
    if (len == 0 || pa + len <= d->base)
        return false;
    uint64_t lo = pa < d->base ? 0 : (pa - d->base) >> TESSERA_PAGE_BITS;
    uint64_t hi = ((pa + len - 1 - d->base) >> TESSERA_PAGE_BITS) + 1;
    if (hi > d->pages)
        hi = d->pages;
    *first = lo;
    *end = hi;
    return lo < hi;
}

void dirty_map_mark(const DirtyMap *d, uint64_t pa, uint64_t len)
{
    uint64_t first, end;
    if (dirty_map_span(d, pa, len, &first, &end))
        memset(d->map + first, TESSERA_DIRTY_ALL, end - first);
}

bool dirty_map_has_code(const DirtyMap *d, uint64_t pa, uint64_t len)
{
    uint64_t first, end;
    if (!dirty_map_span(d, pa, len, &first, &end))
        return false;
    for (uint64_t i = first; i < end; i++)
        if (d->code[i])
            return true;
    return false;
}

void dirty_map_start(DirtyMap *d, unsigned client)
{
    uint8_t keep = (uint8_t)~(1u << client);
    for (uint64_t i = 0; i < d->pages; i++)
        d->map[i] &= keep;
}

uint64_t dirty_map_fetch(DirtyMap *d, unsigned client, uint64_t pa, uint64_t len,
                         uint8_t *bitmap)
{
    uint64_t first, end, found = 0;
    uint8_t bit = (uint8_t)(1u << client);
    if (!dirty_map_span(d, pa, len, &first, &end))
        return 0;
    /* Bit 0 of the caller's bitmap is pa's page, which may lie before the map. */
    uint64_t skew = pa < d->base ? (d->base >> TESSERA_PAGE_BITS) - (pa >> TESSERA_PAGE_BITS) : 0;
    for (uint64_t i = first; i < end; i++) {
        if (!(d->map[i] & bit))
            continue;
        d->map[i] &= (uint8_t)~bit;
        uint64_t out = i - first + skew;
        bitmap[out >> 3] |= (uint8_t)(1u << (out & 7));
        found++;
    }
    return found;
}
