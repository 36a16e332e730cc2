/* SPDX-License-Identifier: MIT */
/* The MB86904 SPARC Reference MMU (SPARC V8 appendix H): registers on ASI 0x04,
 * the 3-level table walk, access checks, faults, probe and flush on ASI 0x03, and a
 * TLB. The CPU keeps its own fast lookup on top and drops it whenever `epoch`
 * changes. */
#ifndef SPARC_MMU_H
#define SPARC_MMU_H

#include <stdbool.h>
#include <stdint.h>

/* Physical memory for the table walk: big-endian 32-bit words. Return 0, or -1 for
 * an unassigned address. */
typedef struct SparcPhys {
    int (*read32)(void *opaque, uint64_t pa, uint32_t *value);
    int (*write32)(void *opaque, uint64_t pa, uint32_t value);
    void *opaque;
} SparcPhys;

#define SPARC_MMU_TLB_SIZE 64
#define SPARC_MMU_TLB_BUCKETS 64 /* per level, for the lookup index */

typedef struct SparcTlbEntry {
    uint32_t vpage; /* VA >> 12 (masked by level) */
    uint32_t ctx;
    uint32_t pte;
    uint8_t level;  /* 3 page, 2 segment, 1 region, 0 context-wide */
    uint8_t valid;
    uint16_t pad;
} SparcTlbEntry;

typedef struct SparcMmu {
    uint32_t ctrl; /* E bit0, NF bit1, impl/ver 31:24, boot mode 0x4000 */
    uint32_t ctpr;
    uint32_t ctx;
    uint32_t sfsr;
    uint32_t sfar;
    SparcTlbEntry tlb[SPARC_MMU_TLB_SIZE];
    uint32_t tlb_next; /* round-robin replacement */
    /* The lookup index: for level L (1..3) and a hash of (VA page at L, context),
     * the set of entries (bit i = tlb[i]) that may map it. Derived from tlb[]. */
    uint64_t tlb_index[3][SPARC_MMU_TLB_BUCKETS];
    uint32_t epoch;    /* bumped on anything that can change a translation (not migrated) */
} SparcMmu;

typedef enum SparcAccess {
    SPARC_LOAD = 0,
    SPARC_STORE = 1,
    SPARC_FETCH = 2,
} SparcAccess;

/* Trap types for faults. */
#define SPARC_TT_INSN_ACCESS 0x01
#define SPARC_TT_DATA_ACCESS 0x09

void mmu_reset(SparcMmu *mmu);

/* Translate va for an access in user or supervisor mode. Returns 0 with *pa (36
 * bits) and *writable (whether a store to the same page would pass without a walk:
 * M already set and ACC allows it), or a trap type after recording SFSR/SFAR.
 * With the MMU off: fetches in boot mode go to 0x70000000 | (va & 0x7ffff), all else
 * is physical (va = pa). With NF set, faults update SFSR/SFAR but return 0 for
 * loads... (see V8 H.6: NF suppresses the trap, the access proceeds). */
int mmu_translate(SparcMmu *mmu, const SparcPhys *phys, uint32_t va, SparcAccess access,
                  bool supervisor, uint64_t *pa, bool *writable);

/* ASI 0x04 register file (va bits 10:8 select: 0 ctrl, 1 ctpr, 2 ctx, 3 sfsr
 * (cleared on read), 4 sfar). */
uint32_t mmu_reg_read(SparcMmu *mmu, uint32_t va);
void mmu_reg_write(SparcMmu *mmu, uint32_t va, uint32_t value);

/* ASI 0x03: probe (load) returns the PTE or 0; flush (store) drops TLB entries.
 * va bits 11:8 = type (0 page, 1 segment, 2 region, 3 context, 4 entire). */
uint32_t mmu_probe(SparcMmu *mmu, const SparcPhys *phys, uint32_t va);
/* The debugger's translation of an address for a load or a fetch (boot mode
 * sends fetches to the PROM): the table walk alone, with no side effect (no TLB
 * entry, no R/M bit, no fault status). 0, or -1 for a VA with no valid
 * mapping. */
int mmu_debug_translate(const SparcMmu *mmu, const SparcPhys *phys, uint32_t va,
                        SparcAccess access, uint64_t *pa);
/* The part of an address boot-mode fetches keep (the PROM's first 512 KiB). */
#define SPARC_BOOT_WINDOW_MASK 0x0007ffffu
/* Returns the VA range the CPU's own caches must drop, as a mask: translations
 * of VAs v with (v & mask) == (va & mask). The mask covers the flushed range and
 * every dropped entry (a page flush that drops a region entry reaches the whole
 * region). 0 means everything, and then mmu->epoch has moved as well. */
uint32_t mmu_flush(SparcMmu *mmu, uint32_t va);

#endif /* SPARC_MMU_H */
