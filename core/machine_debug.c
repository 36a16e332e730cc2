/* SPDX-License-Identifier: MIT */
/* The debugger's access to a machine (machine_debug.h). */
#include "machine_debug.h"

#include <stdio.h>
#include <string.h>

#include "machine_internal.h"

static bool cpu_has_debug(const TesseraCpuClass *c)
{
    return TESSERA_HAS_MEMBER(c, TesseraCpuClass, debug_translate) && c->debug_set &&
           c->debug_translate;
}

bool machine_debug_supported(const Machine *m)
{
    return cpu_has_debug(m->cpu_class);
}

unsigned machine_debug_n_regs(const Machine *m)
{
    return m->cpu_class->n_regs;
}

int machine_debug_reg_read(Machine *m, unsigned regno, uint64_t *value)
{
    return m->cpu_class->reg_read(m->cpu->mem, regno, value);
}

int machine_debug_reg_write(Machine *m, unsigned regno, uint64_t value)
{
    return m->cpu_class->reg_write(m->cpu->mem, regno, value);
}

/* addr's physical address; false when it has none. */
static bool debug_pa(Machine *m, uint64_t addr, bool physical, uint64_t *pa)
{
    if (physical) {
        *pa = addr;
        return true;
    }
    return cpu_has_debug(m->cpu_class) &&
           m->cpu_class->debug_translate(m->cpu->mem, addr, pa) == 0;
}

/* One piece of [addr, addr + len) that stays in one page and one region: its
 * region (RAM or ROM) and offset, or NULL. */
static const Region *debug_piece(Machine *m, uint64_t addr, size_t len, bool physical,
                                 uint64_t *off, size_t *chunk)
{
    uint64_t pa;
    if (!debug_pa(m, addr, physical, &pa))
        return NULL;
    const Region *r = bus_lookup(m->bus, pa);
    if (!r || (r->kind != REGION_RAM && r->kind != REGION_ROM))
        return NULL;
    uint64_t page_left = TESSERA_PAGE_SIZE - (addr & (TESSERA_PAGE_SIZE - 1));
    uint64_t region_left = r->size - (pa - r->base);
    uint64_t n = len;
    if (n > page_left)
        n = page_left;
    if (n > region_left)
        n = region_left;
    *off = pa - r->base;
    *chunk = (size_t)n;
    return r;
}

int machine_debug_read(Machine *m, uint64_t addr, void *buf, size_t len, bool physical)
{
    uint8_t *p = buf;
    while (len > 0) {
        uint64_t off;
        size_t n;
        const Region *r = debug_piece(m, addr, len, physical, &off, &n);
        if (!r)
            return -1;
        memcpy(p, r->host + off, n);
        p += n;
        addr += n;
        len -= n;
    }
    return 0;
}

int machine_debug_write(Machine *m, uint64_t addr, const void *buf, size_t len, bool physical)
{
    const uint8_t *p = buf;
    /* Check the whole range first: a refused write changes nothing. */
    for (uint64_t a = addr, left = len; left > 0;) {
        uint64_t off;
        size_t n;
        const Region *r = debug_piece(m, a, left, physical, &off, &n);
        if (!r || r->kind != REGION_RAM)
            return -1;
        a += n;
        left -= n;
    }
    TesseraDebugHit saved = m->debug_hit;
    bool dma_hit = m->debug_dma_hit;
    while (len > 0) {
        uint64_t off;
        size_t n;
        const Region *r = debug_piece(m, addr, len, physical, &off, &n);
        /* Through the bus, as DMA: the dirty log and decoded code follow. */
        bus_copy_to(m->bus, r->base + off, p, n);
        p += n;
        addr += n;
        len -= n;
    }
    /* The debugger's own write is not a guest write for the watchpoints. */
    m->debug_hit = saved;
    m->debug_dma_hit = dma_hit;
    return 0;
}

/* A bus write to RAM (DMA, a device) while watchpoints are armed. */
static void debug_bus_written(void *opaque, uint64_t pa, uint64_t len)
{
    Machine *m = opaque;
    for (unsigned i = 0; i < m->n_dma_watch; i++) {
        const MachineDmaWatch *w = &m->dma_watch[i];
        if (pa < w->pa + w->len && w->pa < pa + len) {
            if (!m->debug_dma_hit) {
                m->debug_dma_hit = true;
                uint64_t at = pa > w->pa ? pa : w->pa;
                m->debug_hit.kind = w->kind;
                m->debug_hit.addr = w->va + (at - w->pa);
            }
            m->rs.exit_request = 1;
            return;
        }
    }
}

/* The physical pieces of a watched virtual range, page by page (a page with no
 * translation now is not watched for DMA). */
static void debug_add_dma_watch(Machine *m, const TesseraDebugPoint *p)
{
    uint64_t va = p->addr, end = p->addr + p->len;
    while (va < end && m->n_dma_watch < MACHINE_DMA_WATCH_MAX) {
        uint64_t page_end = (va | (TESSERA_PAGE_SIZE - 1)) + 1;
        uint64_t n = (end < page_end ? end : page_end) - va;
        uint64_t pa;
        if (debug_pa(m, va, false, &pa))
            m->dma_watch[m->n_dma_watch++] =
                (MachineDmaWatch){ .va = va, .pa = pa, .len = n, .kind = p->kind };
        va += n;
    }
}

bool machine_debug_set(Machine *m, const TesseraDebugPoint *points, unsigned n, bool step,
                       char *error, size_t errlen)
{
    const TesseraCpuClass *c = m->cpu_class;
    if (!cpu_has_debug(c)) {
        snprintf(error, errlen, "cpu plugin %s has no debug support (it needs plugin ABI 1.5)",
                 m->cpu->plugin->desc->name);
        return false;
    }
    if (c->debug_set(m->cpu->mem, points, n, step ? TESSERA_DEBUG_FLAG_STEP : 0,
                     &m->debug_hit) != 0) {
        snprintf(error, errlen, "cpu plugin %s refused %u debug points (too many)",
                 m->cpu->plugin->desc->name, n);
        return false;
    }
    m->n_dma_watch = 0;
    m->debug_dma_hit = false;
    for (unsigned i = 0; i < n; i++)
        if (points[i].kind == TESSERA_DEBUG_WATCH_WRITE ||
            points[i].kind == TESSERA_DEBUG_WATCH_ACCESS)
            debug_add_dma_watch(m, &points[i]);
    bus_set_watch_hook(m->bus, m->n_dma_watch ? debug_bus_written : NULL, m);
    return true;
}

const TesseraDebugHit *machine_debug_hit(const Machine *m)
{
    return &m->debug_hit;
}
