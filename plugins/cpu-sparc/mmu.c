/* SPDX-License-Identifier: MIT */
/* The MB86904 SPARC Reference MMU (SPARC V8 appendix H).
 *
 * Register map (ASI 0x04, va bits 12:8): 0 control, 1 context table pointer,
 * 2 context, 3 fault status (cleared on read), 4 fault address; 0x13/0x14 are the
 * fault status/address again without the clear (QEMU's aliases).
 *
 * QEMU 7.2 (target/sparc/mmu_helper.c, ldst_helper.c) is the oracle where V8 leaves a
 * choice:
 *  - a table entry read from an unassigned address is a translation error (FT 4) at
 *    the level being read; an invalid entry is FT 1; a reserved entry type (or a PTE
 *    in the context table, or a PTD at level 3) is FT 4;
 *  - protection and privilege faults report L = 0;
 *  - with NF set, user-mode protection faults are ignored outright; every other
 *    fault is recorded in SFSR/SFAR and the access proceeds, without a trap, to
 *    SPARC_MMU_NEVERLAND (reads as unassigned memory);
 *  - a second fault before SFSR is read leaves only OW from the old value.
 * The TLB tags entries with the context and keeps the PTE as walked (R/M set); it is
 * refilled only by a walk, so a PTE changed in memory is not seen until a flush. */
#include "mmu.h"

#include <string.h>

/* Control register (V8 H.3.1, MB86904). */
#define CTRL_E 0x00000001u
#define CTRL_NF 0x00000002u
#define CTRL_BOOT_MODE 0x00004000u
#define CTRL_IMPL_VER 0x04000000u
#define CTRL_IMPL_VER_MASK 0xff000000u

#define CTPR_MASK 0x00ffffc0u /* MB86904 (ss5.md) */
#define CTX_MASK 0x000000ffu

/* Page table entries (V8 H.5, figure H-7/H-8). */
#define ET_INVALID 0u
#define ET_PTD 1u
#define ET_PTE 2u
#define ET_RESERVED 3u
#define PTE_ADDR_MASK 0xffffff00u
#define PTE_M 0x40u
#define PTE_R 0x20u
#define PTE_ACC_SHIFT 2

/* Fault status register (V8 H.3.4, figure H-5). */
#define SFSR_OW 0x00000001u
#define SFSR_FAV 0x00000002u
#define SFSR_FT_SHIFT 2
#define SFSR_AT_SHIFT 5
#define SFSR_L_SHIFT 8
#define FT_NONE 0u
#define FT_INVALID 1u
#define FT_PROTECTION 2u
#define FT_PRIVILEGE 3u
#define FT_TRANSLATION 4u

/* Boot-mode instruction fetches come from the PROM (ss5.md "Reset, PROM, power"). */
#define BOOT_PROM_BASE 0x70000000u
#define BOOT_PROM_MASK SPARC_BOOT_WINDOW_MASK

/* Where a faulting access goes when NF suppresses the trap and nothing is mapped:
 * an address nothing decodes (QEMU's 0xffffffffffff0000 cut to 36 bits). */
#define SPARC_MMU_NEVERLAND 0xfffff0000ull

/* Flush/probe types in va bits 11:8 (V8 H.4, table H-6). */
enum { FLUSH_PAGE, FLUSH_SEGMENT, FLUSH_REGION, FLUSH_CONTEXT, FLUSH_ENTIRE };

/* ---- access checks (V8 H.5, table H-4) ----
 * AT (V8 H.3.4 table H-5): 0 load user, 1 load super, 2 fetch user, 3 fetch super,
 * 4 store user, 5 store super. Entries: fault type for AT x ACC, 0 = allowed. */
static const uint8_t acc_fault[6][8] = {
    /*            ACC 0  1  2  3  4  5  6  7 */
    /* ld user */ { 0, 0, 0, 0, 2, 0, 3, 3 },
    /* ld sup  */ { 0, 0, 0, 0, 2, 0, 0, 0 },
    /* fe user */ { 2, 2, 0, 0, 0, 2, 3, 3 },
    /* fe sup  */ { 2, 2, 0, 0, 0, 2, 0, 0 },
    /* st user */ { 2, 0, 2, 0, 2, 2, 3, 3 },
    /* st sup  */ { 2, 0, 2, 0, 2, 0, 2, 0 },
};

static unsigned access_type(SparcAccess access, bool supervisor)
{
    unsigned at = access == SPARC_STORE ? 4 : access == SPARC_FETCH ? 2 : 0;
    return at | (supervisor ? 1 : 0);
}

/* Offset bits below the entry that maps va at each level (1 region, 2 segment,
 * 3 page); level 0 (a context-wide PTE) is never produced by the walk. */
static uint32_t level_offset_mask(unsigned level)
{
    static const uint32_t mask[4] = { 0xffffffffu, 0x00ffffffu, 0x0003ffffu, 0x00000fffu };
    return mask[level & 3];
}

static uint32_t level_vpage(uint32_t va, unsigned level)
{
    return (va & ~level_offset_mask(level)) >> 12;
}

static uint64_t pte_pa(uint32_t pte, unsigned level, uint32_t va)
{
    return ((uint64_t)(pte & PTE_ADDR_MASK) << 4) + (va & level_offset_mask(level));
}

/* A PTD's table pointer is PA 35:6 in bits 31:2. */
static uint64_t ptd_table(uint32_t ptd)
{
    return (uint64_t)(ptd & ~3u) << 4;
}

/* Where walks and probes start: the current context's entry in the context table. */
static uint64_t context_entry_pa(const SparcMmu *mmu)
{
    return ((uint64_t)mmu->ctpr << 4) + (mmu->ctx << 2);
}

/* Byte offset of va's entry in the level 1, 2 or 3 table (V8 H.5, figure H-9). */
static uint32_t table_offset(uint32_t va, unsigned level)
{
    switch (level) {
    case 1:
        return (va >> 22) & ~3u;
    case 2:
        return (va & 0x00fc0000u) >> 16;
    default:
        return (va & 0x0003f000u) >> 10;
    }
}

/* ---- the TLB: 64 entries, round-robin, looked up through a hashed index ----
 * A VA can be mapped by an entry of each level (a region entry and a page entry
 * inside it may both be valid), and the lowest-numbered matching entry wins; the
 * index keeps that rule while looking at a few candidates instead of all 64. */

static uint64_t *tlb_bucket(SparcMmu *mmu, unsigned level, uint32_t vpage, uint32_t ctx)
{
    uint32_t h = (vpage * 0x9e3779b1u) ^ (ctx * 0x85ebca77u);
    return &mmu->tlb_index[level - 1][(h >> 26) & (SPARC_MMU_TLB_BUCKETS - 1)];
}

static void tlb_drop(SparcMmu *mmu, unsigned i)
{
    SparcTlbEntry *e = &mmu->tlb[i];

    if (e->valid) {
        *tlb_bucket(mmu, e->level, e->vpage, e->ctx) &= ~(1ull << i);
        e->valid = 0;
    }
}

static void tlb_invalidate_all(SparcMmu *mmu)
{
    for (unsigned i = 0; i < SPARC_MMU_TLB_SIZE; i++) {
        mmu->tlb[i].valid = 0;
    }
    memset(mmu->tlb_index, 0, sizeof mmu->tlb_index);
    mmu->epoch++;
}

static SparcTlbEntry *tlb_lookup(SparcMmu *mmu, uint32_t va)
{
    uint64_t candidates = 0;

    for (unsigned level = 1; level <= 3; level++) {
        candidates |= *tlb_bucket(mmu, level, level_vpage(va, level), mmu->ctx);
    }
    while (candidates) {
        SparcTlbEntry *e = &mmu->tlb[__builtin_ctzll(candidates)];
        if (e->valid && e->ctx == mmu->ctx && e->vpage == level_vpage(va, e->level)) {
            return e;
        }
        candidates &= candidates - 1;
    }
    return NULL;
}

static void tlb_insert(SparcMmu *mmu, uint32_t va, uint32_t pte, unsigned level)
{
    SparcTlbEntry *e = tlb_lookup(mmu, va);

    if (!e) {
        e = &mmu->tlb[mmu->tlb_next];
        mmu->tlb_next = (mmu->tlb_next + 1) % SPARC_MMU_TLB_SIZE;
    }
    unsigned i = (unsigned)(e - mmu->tlb);
    tlb_drop(mmu, i);
    *e = (SparcTlbEntry){
        .vpage = level_vpage(va, level),
        .ctx = mmu->ctx,
        .pte = pte,
        .level = (uint8_t)level,
        .valid = 1,
    };
    *tlb_bucket(mmu, level, e->vpage, e->ctx) |= 1ull << i;
}

/* ---- the table walk (V8 H.5, figure H-9) ---- */

typedef struct Walk {
    uint32_t pte;
    uint64_t pte_pa; /* where the PTE lives, for the R/M write-back */
    unsigned level;  /* 1 region, 2 segment, 3 page */
} Walk;

/* Returns FT_NONE with *w filled, or a fault type with *fault_level set. */
static unsigned walk(const SparcMmu *mmu, const SparcPhys *phys, uint32_t va, Walk *w,
                     unsigned *fault_level)
{
    uint64_t entry_pa = context_entry_pa(mmu);
    uint32_t entry;

    for (unsigned level = 0; level < 4; level++) {
        *fault_level = level;
        if (phys->read32(phys->opaque, entry_pa, &entry) != 0) {
            return FT_TRANSLATION;
        }
        switch (entry & 3) {
        case ET_INVALID:
            return FT_INVALID;
        case ET_RESERVED:
            return FT_TRANSLATION;
        case ET_PTE:
            if (level == 0) {
                return FT_TRANSLATION; /* context-wide PTEs: QEMU refuses them */
            }
            w->pte = entry;
            w->pte_pa = entry_pa;
            w->level = level;
            return FT_NONE;
        default: /* ET_PTD */
            if (level == 3) {
                return FT_TRANSLATION;
            }
            entry_pa = ptd_table(entry) + table_offset(va, level + 1);
            break;
        }
    }
    return FT_TRANSLATION; /* not reached */
}

static bool store_allowed(uint32_t pte, bool supervisor)
{
    unsigned acc = (pte >> PTE_ACC_SHIFT) & 7;
    return acc_fault[access_type(SPARC_STORE, supervisor)][acc] == FT_NONE;
}

static void record_fault(SparcMmu *mmu, uint32_t va, unsigned at, unsigned ft,
                         unsigned level)
{
    /* V8 H.3.4: a fault before the previous one was read sets OW. QEMU keeps only
     * OW from the old status. */
    mmu->sfsr = mmu->sfsr ? SFSR_OW : 0;
    mmu->sfsr |= level << SFSR_L_SHIFT | at << SFSR_AT_SHIFT | ft << SFSR_FT_SHIFT |
                 SFSR_FAV;
    mmu->sfar = va;
}

void mmu_reset(SparcMmu *mmu)
{
    uint32_t epoch = mmu->epoch;

    memset(mmu, 0, sizeof *mmu);
    mmu->ctrl = CTRL_IMPL_VER | CTRL_BOOT_MODE;
    mmu->epoch = epoch + 1;
}

int mmu_translate(SparcMmu *mmu, const SparcPhys *phys, uint32_t va, SparcAccess access,
                  bool supervisor, uint64_t *pa, bool *writable)
{
    if (!(mmu->ctrl & CTRL_E)) {
        if (access == SPARC_FETCH && (mmu->ctrl & CTRL_BOOT_MODE)) {
            *pa = BOOT_PROM_BASE | (va & BOOT_PROM_MASK);
            *writable = false;
        } else {
            *pa = va;
            *writable = true;
        }
        return 0;
    }

    unsigned at = access_type(access, supervisor);
    bool nf = mmu->ctrl & CTRL_NF;
    /* NF lets user-mode accesses past the access check untouched (QEMU). */
    bool ignore_acc = nf && !supervisor;
    SparcTlbEntry *e = tlb_lookup(mmu, va);
    unsigned ft, fault_level = 0;
    uint32_t pte;
    unsigned level;

    /* A hit serves everything except the first store to a page: M must reach the
     * PTE in memory (V8 H.5). */
    if (e && !(access == SPARC_STORE && !(e->pte & PTE_M))) {
        pte = e->pte;
        level = e->level;
        ft = ignore_acc ? FT_NONE : acc_fault[at][(pte >> PTE_ACC_SHIFT) & 7];
    } else {
        Walk w = { 0 };
        ft = walk(mmu, phys, va, &w, &fault_level);
        pte = w.pte;
        level = w.level;
        if (ft == FT_NONE) {
            fault_level = 0; /* access faults report L = 0 (QEMU) */
            ft = ignore_acc ? FT_NONE : acc_fault[at][(pte >> PTE_ACC_SHIFT) & 7];
        }
        if (ft == FT_NONE) {
            /* V8 H.5: the walk sets R, and M on a store. */
            uint32_t updated = pte | PTE_R | (access == SPARC_STORE ? PTE_M : 0);
            /* Setting M flushes nothing: the CPU's fast store entries are only
             * made from translations that already had M (writable), and load
             * and fetch entries do not depend on it. */
            if (updated != pte) {
                phys->write32(phys->opaque, w.pte_pa, updated);
                pte = updated;
            }
            tlb_insert(mmu, va, pte, level);
        }
    }

    if (ft != FT_NONE) {
        record_fault(mmu, va, at, ft, fault_level);
        if (!nf) {
            return access == SPARC_FETCH ? SPARC_TT_INSN_ACCESS : SPARC_TT_DATA_ACCESS;
        }
        /* V8 H.3.1: NF suppresses the trap; QEMU sends the access nowhere. */
        *pa = SPARC_MMU_NEVERLAND | (va & 0xfff);
        *writable = false;
        return 0;
    }
    *pa = pte_pa(pte, level, va);
    *writable = (pte & PTE_M) && (ignore_acc || store_allowed(pte, supervisor));
    return 0;
}

uint32_t mmu_reg_read(SparcMmu *mmu, uint32_t va)
{
    uint32_t value;

    switch ((va >> 8) & 0x1f) {
    case 0:
        return mmu->ctrl;
    case 1:
        return mmu->ctpr;
    case 2:
        return mmu->ctx;
    case 3:
        value = mmu->sfsr;
        mmu->sfsr = 0; /* V8 H.3.4: reading the SFSR clears it */
        return value;
    case 4:
        return mmu->sfar;
    case 0x13:
        return mmu->sfsr;
    case 0x14:
        return mmu->sfar;
    default:
        return 0;
    }
}

void mmu_reg_write(SparcMmu *mmu, uint32_t va, uint32_t value)
{
    uint32_t old;

    switch ((va >> 8) & 0x1f) {
    case 0:
        old = mmu->ctrl;
        mmu->ctrl = (old & CTRL_IMPL_VER_MASK) | (value & ~CTRL_IMPL_VER_MASK);
        if (value & CTRL_E) {
            mmu->ctrl &= ~CTRL_BOOT_MODE; /* ss5.md: enabling leaves boot mode */
        }
        /* Translations made with the MMU off, in boot mode or under NF are not
         * valid in the new mode. */
        if ((old ^ mmu->ctrl) & (CTRL_E | CTRL_NF | CTRL_BOOT_MODE)) {
            tlb_invalidate_all(mmu);
        }
        break;
    case 1:
        old = mmu->ctpr;
        mmu->ctpr = value & CTPR_MASK;
        if (old != mmu->ctpr) {
            tlb_invalidate_all(mmu);
        }
        break;
    case 2:
        old = mmu->ctx;
        mmu->ctx = value & CTX_MASK;
        if (old != mmu->ctx) {
            mmu->epoch++; /* TLB entries are tagged; the CPU's fast path is not */
        }
        break;
    case 0x13:
        mmu->sfsr = value & 0x00016fffu; /* MB86904 SFSR mask (QEMU) */
        break;
    case 0x14:
        mmu->sfar = value;
        break;
    default:
        break; /* SFSR and SFAR are read-only at 3 and 4 */
    }
}

int mmu_debug_translate(const SparcMmu *mmu, const SparcPhys *phys, uint32_t va,
                        SparcAccess access, uint64_t *pa)
{
    if (!(mmu->ctrl & CTRL_E)) {
        if (access == SPARC_FETCH && (mmu->ctrl & CTRL_BOOT_MODE))
            *pa = BOOT_PROM_BASE | (va & BOOT_PROM_MASK);
        else
            *pa = va; /* the MMU off: physical */
        return 0;
    }
    /* The tables decide (walk() writes nothing); a TLB entry the guest left
     * stale after changing a PTE without a flush is not consulted. */
    Walk w = { 0 };
    unsigned fault_level;
    if (walk(mmu, phys, va, &w, &fault_level) != FT_NONE)
        return -1;
    *pa = pte_pa(w.pte, w.level, va);
    return 0;
}

uint32_t mmu_probe(SparcMmu *mmu, const SparcPhys *phys, uint32_t va)
{
    unsigned type = (va >> 8) & 0xf;
    uint64_t entry_pa = context_entry_pa(mmu);
    /* The deepest level to return a PTD from: type 3 (context) stops at the
     * context table, 2 (region) at level 1, 1 (segment) at level 2; 0 (page) and 4
     * (entire) walk to the PTE (V8 H.4, table H-7). A PTE is returned wherever it
     * is found. No R/M update, no fault recorded (QEMU). */
    static const int stop_level[5] = { 4, 2, 1, 0, 4 };
    uint32_t entry;

    if (type > FLUSH_ENTIRE) {
        return 0;
    }
    for (unsigned level = 0; level < 4; level++) {
        if (phys->read32(phys->opaque, entry_pa, &entry) != 0) {
            return 0;
        }
        switch (entry & 3) {
        case ET_PTE:
            return level == 0 ? 0 : entry;
        case ET_PTD:
            if ((int)level == stop_level[type]) {
                return entry;
            }
            if (level == 3) {
                return 0;
            }
            entry_pa = ptd_table(entry) + table_offset(va, level + 1);
            break;
        default:
            return 0;
        }
    }
    return 0;
}

/* The VA mask of one level's reach: region 16 MiB, segment 256 KiB, page 4 KiB;
 * level 0 (context-wide) reaches everything. */
static uint32_t level_mask(unsigned level)
{
    static const uint32_t mask[] = { 0, 0xff000000u, 0xfffc0000u, 0xfffff000u };
    return mask[level];
}

uint32_t mmu_flush(SparcMmu *mmu, uint32_t va)
{
    unsigned type = (va >> 8) & 0xf;

    if (type > FLUSH_ENTIRE) {
        return level_mask(3); /* not a flush; dropping a page more is always safe */
    }
    if (type >= FLUSH_CONTEXT) {
        /* The CPU's caches are not tagged by context: drop them all. */
        for (unsigned i = 0; i < SPARC_MMU_TLB_SIZE; i++) {
            SparcTlbEntry *e = &mmu->tlb[i];
            if (type == FLUSH_ENTIRE || e->ctx == mmu->ctx)
                tlb_drop(mmu, i);
        }
        mmu->epoch++;
        return 0;
    }
    unsigned widest = 3 - type; /* range level: page 3, segment 2, region 1 */
    /* Drop every entry of the current context that overlaps the flushed range
     * (V8 H.4, table H-6); flushing more than asked is always safe. */
    for (unsigned i = 0; i < SPARC_MMU_TLB_SIZE; i++) {
        SparcTlbEntry *e = &mmu->tlb[i];
        if (!e->valid) {
            continue;
        }
        if (type != FLUSH_ENTIRE && e->ctx != mmu->ctx) {
            continue;
        }
        bool hit;
        switch (type) {
        case FLUSH_PAGE:
        case FLUSH_SEGMENT:
        case FLUSH_REGION: {
            /* range level: page 3, segment 2, region 1; compare at the coarser of
             * the range and the entry. */
            unsigned range_level = 3 - type;
            unsigned cmp = e->level < range_level ? e->level : range_level;
            hit = level_vpage(va, cmp) == level_vpage(e->vpage << 12, cmp);
            break;
        }
        default:
            hit = true;
            break;
        }
        if (hit) {
            tlb_drop(mmu, i);
            if (e->level < widest)
                widest = e->level;
        }
    }
    if (widest == 0)
        mmu->epoch++;
    return level_mask(widest);
}
