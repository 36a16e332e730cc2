/* SPDX-License-Identifier: MIT */
/*
 * The slow memory path: translate through the SRMMU (mmu.c), reach RAM/ROM by
 * host pointer and everything else through the host bus, turn unassigned
 * addresses into bus errors, and refill the CPU's fast TLB.
 */
#include "decode.h"
#include "jit/jit.h"
#include "mem.h"

/* A new generation; every 4095th flush clears the tags for real. */
void mem_tlb_flush(SparcCpu *cpu)
{
    if (cpu->tlb_gen == 0 || cpu->tlb_gen >= SPARC_TLB_GEN_MAX) {
        for (unsigned s = 0; s < 2; s++)
            for (unsigned a = 0; a < 3; a++)
                for (unsigned i = 0; i < SPARC_FAST_TLB_SIZE; i++)
                    cpu->tlb[s][a][i].tag = SPARC_TLB_INVALID;
        for (unsigned i = 0; i < SPARC_FAST_TLB_SIZE; i++)
            cpu->bypass[i].tag = SPARC_TLB_INVALID;
        cpu->tlb_gen = 0;
    }
    cpu->tlb_gen++;
    cpu->tlb_epoch = cpu->mmu.epoch;
}

/* Whether e holds a translation of this generation. */
static bool mem_tlb_live(const SparcCpu *cpu, const SparcFastTlb *e)
{
    return (e->tag & SPARC_PAGE_MASK) == cpu->tlb_gen;
}

/* What backs pa: RAM (host pointer and dirty log), ROM (host pointer), or
 * neither (MMIO, zero or unassigned: the bus). *avail is the bytes from pa to
 * the end of the region. */
typedef struct MemHost {
    uint8_t *p;     /* NULL: go through the bus */
    uint8_t *dirty; /* pa's dirty-log byte; NULL: not RAM */
    uint8_t *code;  /* pa's code mark; NULL: not RAM, or the host keeps none */
    uint64_t avail;
} MemHost;

void mem_tlb_drop(SparcCpu *cpu, uint32_t base, uint32_t mask)
{
#if SPARC_HAVE_JIT
    jit_forget_jumps(cpu->jit, base, mask);
#endif
    if (mask == ~SPARC_PAGE_MASK) { /* one page: one slot per table */
        for (unsigned s = 0; s < 2; s++)
            for (unsigned a = 0; a < 3; a++) {
                SparcFastTlb *e = mem_tlb_entry(cpu, s, (SparcAccess)a, base);
                if (mem_tlb_hit(cpu, e, base))
                    e->tag = SPARC_TLB_INVALID;
            }
        return;
    }
    for (unsigned s = 0; s < 2; s++)
        for (unsigned a = 0; a < 3; a++)
            for (unsigned i = 0; i < SPARC_FAST_TLB_SIZE; i++) {
                SparcFastTlb *e = &cpu->tlb[s][a][i];
                if (mem_tlb_live(cpu, e) && (e->tag & mask) == base)
                    e->tag = SPARC_TLB_INVALID;
            }
}

static MemHost mem_host(SparcCpu *cpu, uint64_t pa)
{
    MemHost m = { NULL, NULL, NULL, 0 };
    TesseraMemRegion *c = &cpu->region;
    if (pa - c->base >= c->size) {
        TesseraMemRegion r;
        tessera_mem_region(cpu->host, pa, &r);
        if (!r.host)
            return m;
        *c = r;
    }
    const TesseraMemRegion r = *c;
    m.p = r.host + (pa - r.base);
    m.avail = r.size - (pa - r.base);
    if (r.kind == TESSERA_MEM_RAM && r.dirty) {
        uint64_t page = (pa >> TESSERA_PAGE_BITS) - (r.base >> TESSERA_PAGE_BITS);
        m.dirty = r.dirty + page;
        m.code = r.code ? r.code + page : NULL;
    }
    return m;
}

/* Store entries whose host page is `page`: dropped when the page becomes code,
 * so that every later store to it takes the slow path and invalidates. */
static void mem_drop_store_entries(SparcCpu *cpu, const uint8_t *page)
{
    SparcFastTlb *tables[3] = {cpu->tlb[0][SPARC_STORE], cpu->tlb[1][SPARC_STORE], cpu->bypass};
    for (unsigned s = 0; s < 3; s++) {
        for (unsigned i = 0; i < SPARC_FAST_TLB_SIZE; i++) {
            SparcFastTlb *e = &tables[s][i];
            if (mem_tlb_live(cpu, e) &&
                (uintptr_t)(e->tag & ~SPARC_PAGE_MASK) + e->addend == (uintptr_t)page)
                e->tag = SPARC_TLB_INVALID;
        }
    }
}

/* Decoding from a RAM page marks it as code (docs/memory.md). */
static void mem_mark_code(SparcCpu *cpu, const MemHost *m)
{
    if (!m->code || *m->code)
        return;
    *m->code = 1;
    mem_drop_store_entries(cpu, m->p);
}

/*
 * A bus error (unassigned address or a width the device refuses). Following
 * the reference (QEMU's sparc_raise_mmu_fault): SFSR gets FT=5 (access bus
 * error) with FAV, AT bits for supervisor/fetch/store and bit 16 for ASI
 * accesses, unless it holds an unread translation or access fault; SFAR gets
 * the address of data accesses; OW is set when a fault of the same type was not
 * read. The trap (0x21/0x29) is taken only with the MMU enabled and NF clear;
 * otherwise loads return 0 and stores vanish, as the reference does.
 */
int mem_bus_error(SparcCpu *cpu, uint64_t pa, SparcAccess access, unsigned asi)
{
    SparcMmu *mmu = &cpu->mmu;
    unsigned old_ft = (mmu->sfsr >> 2) & 7;

    tessera_log(cpu->host, TESSERA_LOG_DEBUG, "bus error: %s at PA 0x%09llx (asi 0x%02x)",
                access == SPARC_FETCH ? "fetch" : access == SPARC_STORE ? "store" : "load",
                (unsigned long long)pa, asi);

    if (old_ft == 0 || old_ft > 4) {
        uint32_t sfsr = (5u << 2) | 2u;
        if (asi)
            sfsr |= 1u << 16;
        if (cpu_super(cpu))
            sfsr |= 1u << 5;
        if (access == SPARC_FETCH)
            sfsr |= 1u << 6;
        if (access == SPARC_STORE)
            sfsr |= 1u << 7;
        mmu->sfsr = sfsr;
        if (access != SPARC_FETCH)
            mmu->sfar = (uint32_t)pa;
    }
    if (old_ft == ((mmu->sfsr >> 2) & 7))
        mmu->sfsr |= 1;
    if ((mmu->ctrl & 1) && !(mmu->ctrl & 2)) {
        unsigned tt = access == SPARC_FETCH ? TT_INSN_ERROR : TT_DATA_ERROR;
        trap_raise(cpu, tt);
        return (int)tt;
    }
    return 0;
}

/* ---- physical accesses ---- */

static int mem_bus_load(SparcCpu *cpu, uint64_t pa, unsigned size, uint64_t *value)
{
    const TesseraHost *h = cpu->host;
    if (size == 8) {
        /* Devices take at most words; LDD becomes two (as the reference's bus
         * splits it). */
        uint64_t hi = 0, lo = 0;
        int r = tessera_bus_read(h, pa, 4, &hi);
        if (r == TESSERA_BUS_OK)
            r = tessera_bus_read(h, pa + 4, 4, &lo);
        *value = (hi << 32) | (lo & 0xffffffffu);
        return r;
    }
    return tessera_bus_read(h, pa, size, value);
}

int mem_phys_load(SparcCpu *cpu, uint64_t pa, unsigned size, uint64_t *value, unsigned asi,
                  SparcAccess access)
{
    MemHost m = mem_host(cpu, pa);
    if (m.p && m.avail >= size) {
        *value = mem_ld_be(m.p, size);
        return 0;
    }
    if (mem_bus_load(cpu, pa, size, value) == TESSERA_BUS_OK)
        return 0;
    *value = 0;
    return mem_bus_error(cpu, pa, access, asi);
}

/* A store through the host pointer of RAM: the bytes, the page's dirty mark,
 * and, on a code page, the decoded words it changed. */
static bool mem_ram_store(SparcCpu *cpu, uint64_t pa, const MemHost *m, unsigned size,
                          uint64_t value)
{
    if (!m->dirty || m->avail < size)
        return false;
    mem_st_be(m->p, size, value);
    *m->dirty = TESSERA_DIRTY_ALL;
    if (m->code && *m->code)
        sparc_code_written(cpu, pa, size);
    return true;
}

int mem_phys_store(SparcCpu *cpu, uint64_t pa, unsigned size, uint64_t value, unsigned asi)
{
    const TesseraHost *h = cpu->host;
    MemHost m = mem_host(cpu, pa);
    int r;

    if (mem_ram_store(cpu, pa, &m, size, value))
        return 0;
    if (size == 8) {
        r = tessera_bus_write(h, pa, 4, value >> 32);
        if (r == TESSERA_BUS_OK)
            r = tessera_bus_write(h, pa + 4, 4, value & 0xffffffffu);
    } else {
        r = tessera_bus_write(h, pa, size, value);
    }
    if (r == TESSERA_BUS_OK)
        return 0;
    return mem_bus_error(cpu, pa, SPARC_STORE, asi);
}

int mem_bypass_store(SparcCpu *cpu, uint32_t pa, unsigned size, uint64_t value)
{
    SparcFastTlb *e = &cpu->bypass[(pa >> 12) & (SPARC_FAST_TLB_SIZE - 1)];
    if (!mem_tlb_hit(cpu, e, pa)) {
        uint32_t page = pa & ~SPARC_PAGE_MASK;
        MemHost m = mem_host(cpu, page);
        if (!m.dirty || m.avail < SPARC_PAGE_MASK + 1 || (m.code && *m.code))
            return mem_phys_store(cpu, pa, size, value, 0x20);
        e->tag = mem_tlb_tag(cpu, pa);
        e->addend = (uintptr_t)m.p - page;
        e->dirty = m.dirty;
    }
    mem_st_be((uint8_t *)(uintptr_t)(pa + e->addend), size, value);
    *e->dirty = TESSERA_DIRTY_ALL;
    return 0;
}

/* SparcPhys for the MMU's table walk. */
int mem_phys_read32(void *opaque, uint64_t pa, uint32_t *value)
{
    SparcCpu *cpu = opaque;
    uint64_t v = 0;
    MemHost m = mem_host(cpu, pa);
    if (m.p && m.avail >= 4) {
        *value = (uint32_t)mem_ld_be(m.p, 4);
        return 0;
    }
    int r = tessera_bus_read(cpu->host, pa, 4, &v);
    *value = (uint32_t)v;
    return r == TESSERA_BUS_OK ? 0 : -1;
}

int mem_phys_write32(void *opaque, uint64_t pa, uint32_t value)
{
    SparcCpu *cpu = opaque;
    MemHost m = mem_host(cpu, pa);
    if (mem_ram_store(cpu, pa, &m, 4, value))
        return 0;
    int r = tessera_bus_write(cpu->host, pa, 4, value);
    return r == TESSERA_BUS_OK ? 0 : -1;
}

/* ---- virtual accesses ---- */

static int mem_translate(SparcCpu *cpu, uint32_t va, SparcAccess access, bool supervisor,
                         uint64_t *pa, bool *writable)
{
    *writable = false;
    int tt = mmu_translate(&cpu->mmu, &cpu->phys, va, access, supervisor, pa, writable);
    if (cpu->mmu.epoch != cpu->tlb_epoch)
        mem_tlb_flush(cpu);
    if (tt) {
        trap_raise(cpu, (unsigned)tt);
        return tt;
    }
    return 0;
}

/* Fill the fast TLB for va's page when the page is plain memory: loads for RAM
 * and ROM, stores only for proven RAM the MMU lets us write without a walk. */
static uint8_t *mem_tlb_fill(SparcCpu *cpu, uint32_t va, uint64_t pa, SparcAccess access,
                             bool supervisor, bool writable)
{
    if (cpu->mmu.ctrl & 2) /* no-fault mode: a suppressed fault is no translation */
        return NULL;
    MemHost m = mem_host(cpu, pa & ~(uint64_t)SPARC_PAGE_MASK);
    if (!m.p || m.avail < SPARC_PAGE_MASK + 1)
        return NULL;
    if (access == SPARC_STORE && (!writable || !m.dirty || (m.code && *m.code)))
        return NULL;
    SparcFastTlb *e = mem_tlb_entry(cpu, supervisor, access, va);
    uint32_t page_va = va & ~SPARC_PAGE_MASK;
    e->tag = mem_tlb_tag(cpu, va);
    e->addend = (uintptr_t)m.p - page_va;
    e->code = NULL;
    if (access == SPARC_STORE) {
        e->dirty = m.dirty;
        *m.dirty = TESSERA_DIRTY_ALL; /* the caller stores through the pointer returned */
    }
    return m.p + (pa & SPARC_PAGE_MASK);
}

int mem_access_slow(SparcCpu *cpu, uint32_t va, unsigned size, SparcAccess access,
                    bool supervisor, bool fill, uint64_t *value)
{
    uint64_t pa;
    bool writable;
    int tt = mem_translate(cpu, va, access, supervisor, &pa, &writable);
    if (tt)
        return tt;
    if (__builtin_expect(cpu->debug != NULL, 0)) {
        sparc_debug_access(cpu, va, size, access);
        fill = fill && !sparc_debug_watching(cpu); /* every access must come here */
    }
    if (fill) {
        uint8_t *p = mem_tlb_fill(cpu, va, pa, access, supervisor, writable);
        if (p) {
            if (access == SPARC_STORE)
                mem_st_be(p, size, *value);
            else
                *value = mem_ld_be(p, size);
            return 0;
        }
    }
    if (access == SPARC_STORE)
        return mem_phys_store(cpu, pa, size, *value, 0);
    return mem_phys_load(cpu, pa, size, value, 0, access);
}

int mem_swap(SparcCpu *cpu, uint32_t va, unsigned size, bool supervisor, uint32_t value,
             uint32_t *old)
{
    SparcFastTlb *e = mem_tlb_entry(cpu, supervisor, SPARC_STORE, va);
    uint64_t pa, v;
    bool writable;
    if (mem_tlb_hit(cpu, e, va)) {
        uint8_t *p = (uint8_t *)(uintptr_t)(va + e->addend);
        *old = (uint32_t)mem_ld_be(p, size);
        mem_st_be(p, size, value);
        *e->dirty = TESSERA_DIRTY_ALL;
        return 0;
    }
    int tt = mem_translate(cpu, va, SPARC_STORE, supervisor, &pa, &writable);
    if (tt)
        return tt;
    if (__builtin_expect(cpu->debug != NULL, 0))
        sparc_debug_access(cpu, va, size, SPARC_STORE);
    tt = mem_phys_load(cpu, pa, size, &v, 0, SPARC_STORE);
    if (tt)
        return tt;
    *old = (uint32_t)v;
    return mem_phys_store(cpu, pa, size, value, 0);
}

int mem_fetch(SparcCpu *cpu, uint32_t pc, const SparcFastTlb **entry, uint32_t *raw)
{
    bool sup = cpu_super(cpu);
    SparcFastTlb *e = mem_tlb_entry(cpu, sup, SPARC_FETCH, pc);
    uint32_t page_va = pc & ~SPARC_PAGE_MASK;
    uint64_t pa, v;
    bool writable;

    *entry = NULL;
    if (mem_tlb_hit(cpu, e, pc)) {
        *entry = e;
        return 0;
    }
    int tt = mem_translate(cpu, pc, SPARC_FETCH, sup, &pa, &writable);
    if (tt)
        return tt;
    MemHost m = mem_host(cpu, pa & ~(uint64_t)SPARC_PAGE_MASK);
    if (m.p && m.avail >= SPARC_PAGE_MASK + 1 && !(cpu->mmu.ctrl & 2)) {
        SparcCodePage *code = codecache_get(cpu->code, pa >> 12);
        if (!code) {
            /* The cache dropped every page: no TLB entry may point at one. */
            mem_tlb_flush(cpu);
            code = codecache_get(cpu->code, pa >> 12);
        }
        mem_mark_code(cpu, &m);
        e->tag = mem_tlb_tag(cpu, pc);
        e->addend = (uintptr_t)m.p - page_va;
        e->code = code;
        *entry = e;
        return 0;
    }
    tt = mem_phys_load(cpu, pa, 4, &v, 0, SPARC_FETCH);
    if (tt)
        return tt;
    *raw = __builtin_bswap32((uint32_t)v);
    return 0;
}
