/* SPDX-License-Identifier: MIT */
/*
 * The slow memory path: translate through the SRMMU (mmu.c), reach RAM/ROM by
 * host pointer and everything else through the host bus, turn unassigned
 * addresses into bus errors, and refill the CPU's fast TLB.
 */
#include "decode.h"
#include "mem.h"

void mem_tlb_flush(SparcCpu *cpu)
{
    for (unsigned s = 0; s < 2; s++)
        for (unsigned a = 0; a < 3; a++)
            for (unsigned i = 0; i < SPARC_FAST_TLB_SIZE; i++)
                cpu->tlb[s][a][i].tag = SPARC_TLB_INVALID;
    cpu->tlb_epoch = cpu->mmu.epoch;
}

static uint8_t *mem_host_ptr(SparcCpu *cpu, uint64_t pa, uint64_t *avail)
{
    *avail = 0;
    return cpu->host->ops->mem_ptr(cpu->host->self, pa, avail);
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

/* ---- RAM proof: mem_ptr alone does not tell RAM from ROM ---- */

static bool mem_is_ram(const SparcCpu *cpu, uint64_t pa)
{
    for (unsigned i = 0; i < cpu->n_ram; i++)
        if (pa >= cpu->ram[i].start && pa < cpu->ram[i].end)
            return true;
    return false;
}

static void mem_prove_ram(SparcCpu *cpu, uint64_t pa, uint64_t avail)
{
    uint64_t end = pa + avail;
    for (unsigned i = 0; i < cpu->n_ram; i++) {
        SparcRamRange *r = &cpu->ram[i];
        if (pa <= r->end && end >= r->start) {
            r->start = pa < r->start ? pa : r->start;
            r->end = end > r->end ? end : r->end;
            return;
        }
    }
    unsigned slot = cpu->n_ram < SPARC_RAM_RANGES ? cpu->n_ram++ : (unsigned)(pa >> 12) % SPARC_RAM_RANGES;
    cpu->ram[slot].start = pa;
    cpu->ram[slot].end = end;
}

/* ---- physical accesses ---- */

static int mem_bus_load(SparcCpu *cpu, uint64_t pa, unsigned size, uint64_t *value)
{
    const TesseraHost *h = cpu->host;
    if (size == 8) {
        /* Devices take at most words; LDD becomes two (as the reference's bus
         * splits it). */
        uint64_t hi = 0, lo = 0;
        int r = h->ops->bus_read(h->self, pa, 4, &hi);
        if (r == TESSERA_BUS_OK)
            r = h->ops->bus_read(h->self, pa + 4, 4, &lo);
        *value = (hi << 32) | (lo & 0xffffffffu);
        return r;
    }
    return h->ops->bus_read(h->self, pa, size, value);
}

int mem_phys_load(SparcCpu *cpu, uint64_t pa, unsigned size, uint64_t *value, unsigned asi,
                  SparcAccess access)
{
    uint64_t avail;
    const uint8_t *p = mem_host_ptr(cpu, pa, &avail);
    if (p && avail >= size) {
        *value = mem_ld_be(p, size);
        return 0;
    }
    if (mem_bus_load(cpu, pa, size, value) == TESSERA_BUS_OK)
        return 0;
    *value = 0;
    return mem_bus_error(cpu, pa, access, asi);
}

int mem_phys_store(SparcCpu *cpu, uint64_t pa, unsigned size, uint64_t value, unsigned asi)
{
    const TesseraHost *h = cpu->host;
    uint64_t avail;
    uint8_t *p = mem_host_ptr(cpu, pa, &avail);
    int r;

    if (p && avail >= size && mem_is_ram(cpu, pa)) {
        mem_st_be(p, size, value);
        return 0;
    }
    if (size == 8) {
        r = h->ops->bus_write(h->self, pa, 4, value >> 32);
        if (r == TESSERA_BUS_OK)
            r = h->ops->bus_write(h->self, pa + 4, 4, value & 0xffffffffu);
    } else {
        uint64_t old = p && avail >= size ? mem_ld_be(p, size) : 0;
        r = h->ops->bus_write(h->self, pa, size, value);
        /* If the bus store changed what the host pointer shows, this is RAM and
         * later stores may take the pointer (and the fast TLB). */
        uint64_t mask = size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
        if (p && avail >= size && r == TESSERA_BUS_OK && old != (value & mask) &&
            mem_ld_be(p, size) == (value & mask))
            mem_prove_ram(cpu, pa, avail);
    }
    if (r == TESSERA_BUS_OK)
        return 0;
    return mem_bus_error(cpu, pa, SPARC_STORE, asi);
}

/* SparcPhys for the MMU's table walk. */
int mem_phys_read32(void *opaque, uint64_t pa, uint32_t *value)
{
    SparcCpu *cpu = opaque;
    uint64_t avail, v = 0;
    const uint8_t *p = mem_host_ptr(cpu, pa, &avail);
    if (p && avail >= 4) {
        *value = (uint32_t)mem_ld_be(p, 4);
        return 0;
    }
    int r = cpu->host->ops->bus_read(cpu->host->self, pa, 4, &v);
    *value = (uint32_t)v;
    return r == TESSERA_BUS_OK ? 0 : -1;
}

int mem_phys_write32(void *opaque, uint64_t pa, uint32_t value)
{
    SparcCpu *cpu = opaque;
    uint64_t avail;
    uint8_t *p = mem_host_ptr(cpu, pa, &avail);
    if (p && avail >= 4 && mem_is_ram(cpu, pa)) {
        mem_st_be(p, 4, value);
        return 0;
    }
    int r = cpu->host->ops->bus_write(cpu->host->self, pa, 4, value);
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
    uint64_t avail;
    uint64_t page_pa = pa & ~(uint64_t)SPARC_PAGE_MASK;
    if (cpu->mmu.ctrl & 2) /* no-fault mode: a suppressed fault is no translation */
        return NULL;
    uint8_t *p = mem_host_ptr(cpu, page_pa, &avail);
    if (!p || avail < SPARC_PAGE_MASK + 1)
        return NULL;
    if (access == SPARC_STORE && (!writable || !mem_is_ram(cpu, pa)))
        return NULL;
    SparcFastTlb *e = mem_tlb_entry(cpu, supervisor, access, va);
    uint32_t page_va = va & ~SPARC_PAGE_MASK;
    e->tag = page_va;
    e->addend = (uintptr_t)p - page_va;
    e->code = NULL;
    return p + (pa & SPARC_PAGE_MASK);
}

int mem_access_slow(SparcCpu *cpu, uint32_t va, unsigned size, SparcAccess access,
                    bool supervisor, bool fill, uint64_t *value)
{
    uint64_t pa;
    bool writable;
    int tt = mem_translate(cpu, va, access, supervisor, &pa, &writable);
    if (tt)
        return tt;
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
    if (e->tag == (va & ~SPARC_PAGE_MASK)) {
        uint8_t *p = (uint8_t *)(uintptr_t)(va + e->addend);
        *old = (uint32_t)mem_ld_be(p, size);
        mem_st_be(p, size, value);
        return 0;
    }
    int tt = mem_translate(cpu, va, SPARC_STORE, supervisor, &pa, &writable);
    if (tt)
        return tt;
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
    uint64_t pa, avail, v;
    bool writable;

    *entry = NULL;
    if (e->tag == page_va) {
        *entry = e;
        return 0;
    }
    int tt = mem_translate(cpu, pc, SPARC_FETCH, sup, &pa, &writable);
    if (tt)
        return tt;
    uint8_t *p = mem_host_ptr(cpu, pa & ~(uint64_t)SPARC_PAGE_MASK, &avail);
    if (p && avail >= SPARC_PAGE_MASK + 1 && !(cpu->mmu.ctrl & 2)) {
        SparcCodePage *code = codecache_get(cpu->code, pa >> 12);
        if (!code) {
            /* The cache dropped every page: no TLB entry may point at one. */
            mem_tlb_flush(cpu);
            code = codecache_get(cpu->code, pa >> 12);
        }
        e->tag = page_va;
        e->addend = (uintptr_t)p - page_va;
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
