/* SPDX-License-Identifier: MIT */
/*
 * Guest memory access for the interpreter: an inline fast path through the CPU's
 * own TLB (VA page -> host pointer), and the slow path in mem.c (SRMMU
 * translation, host RAM/ROM pointers, MMIO through the bus, bus errors).
 *
 * Every function returns 0, or the trap type it has already raised; a handler
 * that gets non-zero stops (the trap set PC/nPC).
 * Alignment is the caller's business: mem_address_not_aligned outranks every
 * fault raised here (V8 table 7-1).
 */
#ifndef SPARC_MEM_H
#define SPARC_MEM_H

#include <string.h>

#include "cpu.h"

#define SPARC_PAGE_MASK 0xfffu

static inline uint64_t mem_ld_be(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1:
        return p[0];
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return __builtin_bswap16(v);
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return __builtin_bswap32(v);
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return __builtin_bswap64(v);
    }
    }
}

static inline void mem_st_be(uint8_t *p, unsigned size, uint64_t value)
{
    switch (size) {
    case 1:
        p[0] = (uint8_t)value;
        break;
    case 2: {
        uint16_t v = __builtin_bswap16((uint16_t)value);
        memcpy(p, &v, 2);
        break;
    }
    case 4: {
        uint32_t v = __builtin_bswap32((uint32_t)value);
        memcpy(p, &v, 4);
        break;
    }
    default: {
        uint64_t v = __builtin_bswap64(value);
        memcpy(p, &v, 8);
        break;
    }
    }
}

/* Slow paths (mem.c). `asi` is 0 for ordinary accesses, else the ASI number
 * (it goes into SFSR on a bus error, as the reference does). */
int mem_access_slow(SparcCpu *cpu, uint32_t va, unsigned size, SparcAccess access,
                    bool supervisor, bool fill, uint64_t *value);
int mem_phys_load(SparcCpu *cpu, uint64_t pa, unsigned size, uint64_t *value, unsigned asi,
                  SparcAccess access);
int mem_phys_store(SparcCpu *cpu, uint64_t pa, unsigned size, uint64_t value, unsigned asi);
/* Load-store (LDSTUB, SWAP): the old value out, `value` stored, one translation
 * with store permission. */
int mem_swap(SparcCpu *cpu, uint32_t va, unsigned size, bool supervisor, uint32_t value,
             uint32_t *old);
/* Instruction fetch for the run loop: the fetch TLB entry of pc's page (RAM or
 * ROM), or *entry = NULL and the word itself in *raw (memory byte order) for a
 * page without a host pointer. */
int mem_fetch(SparcCpu *cpu, uint32_t pc, const SparcFastTlb **entry, uint32_t *raw);
void mem_tlb_flush(SparcCpu *cpu);
/* Drop the fast TLB entries of the VAs v with (v & mask) == base (a demap). */
void mem_tlb_drop(SparcCpu *cpu, uint32_t base, uint32_t mask);
/* A store through ASI 0x20 (the MMU bypass): through cpu->bypass when pa is in
 * RAM without code (the entry filled on a miss), else mem_phys_store. */
int mem_bypass_store(SparcCpu *cpu, uint32_t pa, unsigned size, uint64_t value);
/* A bus error at pa: SFSR/SFAR as the reference sets them, and the trap when the
 * MMU is enabled without NF. */
int mem_bus_error(SparcCpu *cpu, uint64_t pa, SparcAccess access, unsigned asi);
int mem_phys_read32(void *opaque, uint64_t pa, uint32_t *value);
int mem_phys_write32(void *opaque, uint64_t pa, uint32_t value);

/* The tag a hit for va's page needs now. */
static inline uint32_t mem_tlb_tag(const SparcCpu *cpu, uint32_t va)
{
    return (va & ~SPARC_PAGE_MASK) | cpu->tlb_gen;
}

static inline bool mem_tlb_hit(const SparcCpu *cpu, const SparcFastTlb *e, uint32_t va)
{
    return e->tag == mem_tlb_tag(cpu, va);
}

/* The fast TLB slot va's page uses for this mode and access. */
static inline SparcFastTlb *mem_tlb_entry(SparcCpu *cpu, bool supervisor, SparcAccess access,
                                          uint32_t va)
{
    return &cpu->tlb[supervisor][access][(va >> 12) & (SPARC_FAST_TLB_SIZE - 1)];
}

static inline int mem_load(SparcCpu *cpu, uint32_t va, unsigned size, uint64_t *value)
{
    bool sup = cpu_super(cpu);
    const SparcFastTlb *e = mem_tlb_entry(cpu, sup, SPARC_LOAD, va);
    if (__builtin_expect(mem_tlb_hit(cpu, e, va), 1)) {
        *value = mem_ld_be((const uint8_t *)(uintptr_t)(va + e->addend), size);
        return 0;
    }
    return mem_access_slow(cpu, va, size, SPARC_LOAD, sup, true, value);
}

static inline int mem_store(SparcCpu *cpu, uint32_t va, unsigned size, uint64_t value)
{
    bool sup = cpu_super(cpu);
    const SparcFastTlb *e = mem_tlb_entry(cpu, sup, SPARC_STORE, va);
    if (__builtin_expect(mem_tlb_hit(cpu, e, va), 1)) {
        mem_st_be((uint8_t *)(uintptr_t)(va + e->addend), size, value);
        *e->dirty = TESSERA_DIRTY_ALL;
        return 0;
    }
    return mem_access_slow(cpu, va, size, SPARC_STORE, sup, true, &value);
}

#endif /* SPARC_MEM_H */
