/* SPDX-License-Identifier: MIT */
/* The SPARC Reference MMU (plugins/cpu-sparc/mmu.c) walking page tables built in a
 * test RAM buffer, against SPARC V8 appendix H and ss5.md. */
#include <criterion/criterion.h>

#include <string.h>

#include "mmu.h"

/* ---- test RAM: 1 MiB of big-endian words behind SparcPhys ---- */

#define RAM_SIZE 0x100000u

static uint8_t ram[RAM_SIZE];

static int ram_read32(void *opaque, uint64_t pa, uint32_t *value)
{
    (void)opaque;
    if (pa + 4 > RAM_SIZE) {
        return -1;
    }
    *value = (uint32_t)ram[pa] << 24 | (uint32_t)ram[pa + 1] << 16 |
             (uint32_t)ram[pa + 2] << 8 | ram[pa + 3];
    return 0;
}

static int ram_write32(void *opaque, uint64_t pa, uint32_t value)
{
    (void)opaque;
    if (pa + 4 > RAM_SIZE) {
        return -1;
    }
    ram[pa] = (uint8_t)(value >> 24);
    ram[pa + 1] = (uint8_t)(value >> 16);
    ram[pa + 2] = (uint8_t)(value >> 8);
    ram[pa + 3] = (uint8_t)value;
    return 0;
}

static const SparcPhys phys = { ram_read32, ram_write32, NULL };

static uint32_t peek(uint32_t pa)
{
    uint32_t v = 0;
    ram_read32(NULL, pa, &v);
    return v;
}

static void poke(uint32_t pa, uint32_t v)
{
    ram_write32(NULL, pa, v);
}

/* ---- page table layout ----
 * ctx table 0x1000; ctx 0: L1 0x2000 -> L2 0x3000 -> L3 0x3400;
 * ctx 1: L1 0x2400 -> L2 0x3100 -> L3 0x3500. */
#define CTX_TABLE 0x1000u
#define L1_CTX0 0x2000u
#define L2_CTX0 0x3000u
#define L3_CTX0 0x3400u
#define L1_CTX1 0x2400u
#define L2_CTX1 0x3100u
#define L3_CTX1 0x3500u

/* VAs in context 0 */
#define VA_PAGE 0x00001000u     /* L3 PTE -> PA 0x40000, ACC 3 */
#define VA_PAGE2 0x00002000u    /* L3 PTE -> PA 0x41000, ACC 3 */
#define VA_SEGMENT 0x00040000u  /* L2 PTE (256 KiB) -> PA 0x80000 */
#define VA_REGION 0x01000000u   /* L1 PTE (16 MiB) -> PA 0x10000000 */
#define VA_BAD_L3 0x00003000u   /* invalid L3 entry */
#define VA_BAD_L1 0x02000000u   /* invalid L1 entry */
#define PA_PAGE 0x40000u
#define PA_PAGE2 0x41000u
#define PA_SEGMENT 0x80000u
#define PA_REGION 0x10000000u
#define PA_PAGE_CTX1 0x50000u

#define ET_PTD 1u
#define ET_PTE 2u
#define PTE_R 0x20u
#define PTE_M 0x40u

#define MMU_CTRL 0x000u
#define MMU_CTPR 0x100u
#define MMU_CTX 0x200u
#define MMU_SFSR 0x300u
#define MMU_SFAR 0x400u

/* SFSR fields (V8 H.3.4) */
#define SFSR_OW 0x1u
#define SFSR_FAV 0x2u
#define SFSR_FT(x) ((uint32_t)(x) << 2)
#define SFSR_AT(x) ((uint32_t)(x) << 5)
#define SFSR_L(x) ((uint32_t)(x) << 8)
#define AT_LOAD_USER 0
#define AT_LOAD_SUPER 1
#define AT_FETCH_USER 2
#define AT_FETCH_SUPER 3
#define AT_STORE_USER 4
#define AT_STORE_SUPER 5

static SparcMmu mmu;

static uint32_t ptd(uint32_t table_pa)
{
    return (table_pa >> 4) | ET_PTD;
}

static uint32_t pte(uint64_t pa, unsigned acc)
{
    return (uint32_t)((pa >> 12) << 8) | acc << 2 | ET_PTE;
}

static uint32_t l3_entry(uint32_t table, uint32_t va)
{
    return table + ((va >> 12) & 0x3f) * 4;
}

static uint32_t l2_entry(uint32_t table, uint32_t va)
{
    return table + ((va >> 18) & 0x3f) * 4;
}

static uint32_t l1_entry(uint32_t table, uint32_t va)
{
    return table + (va >> 24) * 4;
}

static void setup(void)
{
    memset(ram, 0, sizeof ram);
    poke(CTX_TABLE + 0, ptd(L1_CTX0));
    poke(l1_entry(L1_CTX0, 0), ptd(L2_CTX0));
    poke(l2_entry(L2_CTX0, 0), ptd(L3_CTX0));
    poke(l3_entry(L3_CTX0, VA_PAGE), pte(PA_PAGE, 3));
    poke(l3_entry(L3_CTX0, VA_PAGE2), pte(PA_PAGE2, 3));
    poke(l2_entry(L2_CTX0, VA_SEGMENT), pte(PA_SEGMENT, 3));
    poke(l1_entry(L1_CTX0, VA_REGION), pte(PA_REGION, 3));

    poke(CTX_TABLE + 4, ptd(L1_CTX1));
    poke(l1_entry(L1_CTX1, 0), ptd(L2_CTX1));
    poke(l2_entry(L2_CTX1, 0), ptd(L3_CTX1));
    poke(l3_entry(L3_CTX1, VA_PAGE), pte(PA_PAGE_CTX1, 3));

    memset(&mmu, 0, sizeof mmu);
    mmu_reset(&mmu);
    mmu_reg_write(&mmu, MMU_CTPR, CTX_TABLE >> 4);
    mmu_reg_write(&mmu, MMU_CTX, 0);
    mmu_reg_write(&mmu, MMU_CTRL, 1); /* E */
}

TestSuite(mmu, .init = setup);

static int xlate(uint32_t va, SparcAccess access, bool super, uint64_t *pa)
{
    bool writable;
    return mmu_translate(&mmu, &phys, va, access, super, pa, &writable);
}

static bool xlate_writable(uint32_t va, SparcAccess access, bool super)
{
    uint64_t pa;
    bool writable = false;
    cr_assert_eq(mmu_translate(&mmu, &phys, va, access, super, &pa, &writable), 0);
    return writable;
}

/* ---- MMU off ---- */

Test(mmu, reset_enters_boot_mode_with_mmu_off)
{
    mmu_reset(&mmu);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_CTRL), 0x04004000u);
}

Test(mmu, boot_mode_fetch_goes_to_prom)
{
    uint64_t pa;
    mmu_reset(&mmu);
    cr_assert_eq(xlate(0xfff81234u, SPARC_FETCH, true, &pa), 0);
    cr_assert_eq(pa, 0x70001234u);
}

Test(mmu, boot_mode_data_access_is_physical)
{
    uint64_t pa;
    mmu_reset(&mmu);
    cr_assert_eq(xlate(0x00081234u, SPARC_LOAD, true, &pa), 0);
    cr_assert_eq(pa, 0x00081234u);
}

Test(mmu, mmu_off_without_boot_mode_is_identity_for_fetch)
{
    uint64_t pa;
    mmu_reset(&mmu);
    mmu_reg_write(&mmu, MMU_CTRL, 0);
    cr_assert_eq(xlate(0xfff81234u, SPARC_FETCH, true, &pa), 0);
    cr_assert_eq(pa, 0xfff81234u);
    cr_assert_eq(xlate(0x12345678u, SPARC_STORE, false, &pa), 0);
    cr_assert_eq(pa, 0x12345678u);
}

/* ---- registers ---- */

Test(mmu, enabling_clears_boot_mode)
{
    mmu_reset(&mmu);
    mmu_reg_write(&mmu, MMU_CTRL, 0x4001);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_CTRL), 0x04000001u);
}

Test(mmu, ctrl_impl_version_is_read_only)
{
    mmu_reg_write(&mmu, MMU_CTRL, 0xff000003u);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_CTRL), 0x04000003u);
}

Test(mmu, ctpr_is_masked)
{
    mmu_reg_write(&mmu, MMU_CTPR, 0xffffffffu);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_CTPR), 0x00ffffc0u);
}

Test(mmu, context_is_masked)
{
    mmu_reg_write(&mmu, MMU_CTX, 0x1234u);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_CTX), 0x34u);
}

Test(mmu, sfsr_is_cleared_on_read)
{
    uint64_t pa;
    cr_assert_neq(xlate(VA_BAD_L3, SPARC_LOAD, true, &pa), 0);
    cr_assert_neq(mmu_reg_read(&mmu, MMU_SFSR), 0);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR), 0);
}

Test(mmu, sfsr_and_sfar_ignore_writes)
{
    uint64_t pa;
    xlate(VA_BAD_L3, SPARC_LOAD, true, &pa);
    mmu_reg_write(&mmu, MMU_SFSR, 0);
    mmu_reg_write(&mmu, MMU_SFAR, 0);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFAR), VA_BAD_L3);
    cr_assert_neq(mmu_reg_read(&mmu, MMU_SFSR), 0);
}

/* ---- the walk ---- */

Test(mmu, walk_maps_level3_page)
{
    uint64_t pa;
    cr_assert_eq(xlate(VA_PAGE | 0x234, SPARC_LOAD, true, &pa), 0);
    cr_assert_eq(pa, PA_PAGE | 0x234);
}

Test(mmu, walk_maps_level2_segment_pte)
{
    uint64_t pa;
    cr_assert_eq(xlate(VA_SEGMENT + 0x12345, SPARC_LOAD, true, &pa), 0);
    cr_assert_eq(pa, PA_SEGMENT + 0x12345);
}

Test(mmu, walk_maps_level1_region_pte)
{
    uint64_t pa;
    cr_assert_eq(xlate(VA_REGION + 0xabcdef, SPARC_LOAD, true, &pa), 0);
    cr_assert_eq(pa, PA_REGION + 0xabcdef);
}

Test(mmu, pte_reaches_36_bit_physical_addresses)
{
    uint64_t pa;
    poke(l3_entry(L3_CTX0, VA_PAGE2), pte(0xd00000000ull, 3));
    cr_assert_eq(xlate(VA_PAGE2 | 0x510, SPARC_LOAD, true, &pa), 0);
    cr_assert_eq(pa, 0xd00000510ull);
}

Test(mmu, load_sets_referenced_only)
{
    uint64_t pa;
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_assert_eq(peek(l3_entry(L3_CTX0, VA_PAGE)), pte(PA_PAGE, 3) | PTE_R);
}

Test(mmu, store_sets_referenced_and_modified)
{
    uint64_t pa;
    xlate(VA_PAGE, SPARC_STORE, false, &pa);
    cr_assert_eq(peek(l3_entry(L3_CTX0, VA_PAGE)), pte(PA_PAGE, 3) | PTE_R | PTE_M);
}

Test(mmu, store_after_cached_load_still_sets_modified)
{
    uint64_t pa;
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    xlate(VA_PAGE, SPARC_STORE, true, &pa);
    cr_assert_eq(peek(l3_entry(L3_CTX0, VA_PAGE)), pte(PA_PAGE, 3) | PTE_R | PTE_M);
}

Test(mmu, large_page_store_sets_modified_in_level1_pte)
{
    uint64_t pa;
    xlate(VA_REGION + 0x5000, SPARC_STORE, true, &pa);
    cr_assert_eq(peek(l1_entry(L1_CTX0, VA_REGION)), pte(PA_REGION, 3) | PTE_R | PTE_M);
}

Test(mmu, page_is_writable_only_once_modified)
{
    cr_assert_eq(xlate_writable(VA_PAGE, SPARC_LOAD, true), false);
    cr_assert_eq(xlate_writable(VA_PAGE, SPARC_STORE, true), true);
    cr_assert_eq(xlate_writable(VA_PAGE, SPARC_LOAD, true), true);
}

Test(mmu, read_only_page_is_never_writable)
{
    poke(l3_entry(L3_CTX0, VA_PAGE2), pte(PA_PAGE2, 0) | PTE_M);
    cr_assert_eq(xlate_writable(VA_PAGE2, SPARC_LOAD, true), false);
}

Test(mmu, acc5_page_is_writable_for_supervisor_only)
{
    poke(l3_entry(L3_CTX0, VA_PAGE2), pte(PA_PAGE2, 5) | PTE_M);
    cr_assert_eq(xlate_writable(VA_PAGE2, SPARC_LOAD, false), false);
    mmu_flush(&mmu, 0x400);
    cr_assert_eq(xlate_writable(VA_PAGE2, SPARC_LOAD, true), true);
}

/* ---- access control (V8 H.5, table H-4) ---- */

Test(mmu, every_acc_code_matches_v8_table)
{
    /* What each ACC grants: user rights, supervisor rights (R, W, X). */
    static const char *const rights[8][2] = {
        { "R", "R" }, { "RW", "RW" }, { "RX", "RX" }, { "RWX", "RWX" },
        { "X", "X" }, { "R", "RW" },  { "", "RX" },   { "", "RWX" },
    };
    static const SparcAccess accesses[3] = { SPARC_LOAD, SPARC_STORE, SPARC_FETCH };
    static const char letter[3] = { 'R', 'W', 'X' };
    static const unsigned at_base[3] = { 0, 4, 2 };

    for (unsigned acc = 0; acc < 8; acc++) {
        for (unsigned super = 0; super < 2; super++) {
            for (unsigned k = 0; k < 3; k++) {
                setup();
                poke(l3_entry(L3_CTX0, VA_PAGE2), pte(PA_PAGE2, acc));
                uint64_t pa = 0;
                int tt = xlate(VA_PAGE2 | 0x10, accesses[k], super, &pa);
                bool allowed = strchr(rights[acc][super], letter[k]) != NULL;
                if (allowed) {
                    cr_assert_eq(tt, 0, "acc %u super %u access %c", acc, super, letter[k]);
                    cr_assert_eq(pa, PA_PAGE2 | 0x10);
                    continue;
                }
                int want_tt = accesses[k] == SPARC_FETCH ? SPARC_TT_INSN_ACCESS
                                                         : SPARC_TT_DATA_ACCESS;
                /* User access to a supervisor-only page is a privilege violation. */
                unsigned ft = (!super && acc >= 6) ? 3 : 2;
                cr_assert_eq(tt, want_tt, "acc %u super %u access %c", acc, super, letter[k]);
                cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                             SFSR_FT(ft) | SFSR_AT(at_base[k] | super) | SFSR_FAV,
                             "acc %u super %u access %c", acc, super, letter[k]);
                cr_assert_eq(peek(l3_entry(L3_CTX0, VA_PAGE2)), pte(PA_PAGE2, acc),
                             "a denied access must not set R");
            }
        }
    }
}

Test(mmu, denied_store_on_cached_page_faults)
{
    uint64_t pa;
    poke(l3_entry(L3_CTX0, VA_PAGE2), pte(PA_PAGE2, 0));
    cr_assert_eq(xlate(VA_PAGE2, SPARC_LOAD, false, &pa), 0);
    cr_assert_eq(xlate(VA_PAGE2, SPARC_STORE, false, &pa), SPARC_TT_DATA_ACCESS);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_FT(2) | SFSR_AT(AT_STORE_USER) | SFSR_FAV);
}

/* ---- faults ---- */

Test(mmu, invalid_level3_entry_faults_with_ft1_l3)
{
    uint64_t pa;
    cr_assert_eq(xlate(VA_BAD_L3 | 0x44, SPARC_LOAD, false, &pa), SPARC_TT_DATA_ACCESS);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_L(3) | SFSR_AT(AT_LOAD_USER) | SFSR_FT(1) | SFSR_FAV);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFAR), VA_BAD_L3 | 0x44);
}

Test(mmu, invalid_level1_entry_faults_with_l1)
{
    uint64_t pa;
    cr_assert_eq(xlate(VA_BAD_L1, SPARC_STORE, true, &pa), SPARC_TT_DATA_ACCESS);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_L(1) | SFSR_AT(AT_STORE_SUPER) | SFSR_FT(1) | SFSR_FAV);
}

Test(mmu, invalid_context_entry_faults_with_l0)
{
    uint64_t pa;
    mmu_reg_write(&mmu, MMU_CTX, 2);
    cr_assert_eq(xlate(VA_PAGE, SPARC_LOAD, true, &pa), SPARC_TT_DATA_ACCESS);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_L(0) | SFSR_AT(AT_LOAD_SUPER) | SFSR_FT(1) | SFSR_FAV);
}

Test(mmu, fetch_fault_is_instruction_access_exception)
{
    uint64_t pa;
    cr_assert_eq(xlate(VA_BAD_L3, SPARC_FETCH, true, &pa), SPARC_TT_INSN_ACCESS);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_L(3) | SFSR_AT(AT_FETCH_SUPER) | SFSR_FT(1) | SFSR_FAV);
}

Test(mmu, table_in_unassigned_memory_is_translation_error)
{
    uint64_t pa;
    poke(l2_entry(L2_CTX0, VA_PAGE2 + 0x80000), ptd(0x800000)); /* beyond test RAM */
    cr_assert_eq(xlate(VA_PAGE2 + 0x80000, SPARC_LOAD, true, &pa), SPARC_TT_DATA_ACCESS);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_L(3) | SFSR_AT(AT_LOAD_SUPER) | SFSR_FT(4) | SFSR_FAV);
}

Test(mmu, reserved_entry_type_is_translation_error)
{
    uint64_t pa;
    poke(l3_entry(L3_CTX0, VA_PAGE2), 3);
    cr_assert_eq(xlate(VA_PAGE2, SPARC_LOAD, true, &pa), SPARC_TT_DATA_ACCESS);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_L(3) | SFSR_AT(AT_LOAD_SUPER) | SFSR_FT(4) | SFSR_FAV);
}

Test(mmu, pte_in_context_table_is_translation_error)
{
    uint64_t pa;
    poke(CTX_TABLE, pte(0, 3));
    cr_assert_eq(xlate(VA_PAGE, SPARC_LOAD, true, &pa), SPARC_TT_DATA_ACCESS);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_L(0) | SFSR_AT(AT_LOAD_SUPER) | SFSR_FT(4) | SFSR_FAV);
}

Test(mmu, second_fault_before_read_sets_overwrite)
{
    uint64_t pa;
    xlate(VA_BAD_L3, SPARC_LOAD, true, &pa);
    xlate(VA_BAD_L1, SPARC_FETCH, false, &pa);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_OW | SFSR_L(1) | SFSR_AT(AT_FETCH_USER) | SFSR_FT(1) | SFSR_FAV);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFAR), VA_BAD_L1);
}

/* ---- no-fault mode ---- */

Test(mmu, no_fault_mode_records_fault_without_trap)
{
    uint64_t pa;
    mmu_reg_write(&mmu, MMU_CTRL, 3); /* E | NF */
    cr_assert_eq(xlate(VA_BAD_L3 | 0x10, SPARC_LOAD, true, &pa), 0);
    cr_assert_eq(pa, 0xfffff0010ull);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_L(3) | SFSR_AT(AT_LOAD_SUPER) | SFSR_FT(1) | SFSR_FAV);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFAR), VA_BAD_L3 | 0x10);
}

Test(mmu, no_fault_mode_ignores_user_protection)
{
    uint64_t pa;
    mmu_reg_write(&mmu, MMU_CTRL, 3);
    poke(l3_entry(L3_CTX0, VA_PAGE2), pte(PA_PAGE2, 6));
    cr_assert_eq(xlate(VA_PAGE2, SPARC_LOAD, false, &pa), 0);
    cr_assert_eq(pa, PA_PAGE2);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR), 0);
}

Test(mmu, no_fault_mode_supervisor_protection_goes_nowhere)
{
    uint64_t pa;
    mmu_reg_write(&mmu, MMU_CTRL, 3);
    poke(l3_entry(L3_CTX0, VA_PAGE2), pte(PA_PAGE2, 0));
    cr_assert_eq(xlate(VA_PAGE2, SPARC_STORE, true, &pa), 0);
    cr_assert_eq(pa, 0xfffff0000ull);
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR),
                 SFSR_AT(AT_STORE_SUPER) | SFSR_FT(2) | SFSR_FAV);
}

/* ---- probe (V8 H.4) ---- */

Test(mmu, probe_page_returns_level3_pte)
{
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_PAGE | 0x000), pte(PA_PAGE, 3));
}

Test(mmu, probe_segment_returns_level2_ptd)
{
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_PAGE | 0x100), ptd(L3_CTX0));
}

Test(mmu, probe_region_returns_level1_ptd)
{
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_PAGE | 0x200), ptd(L2_CTX0));
}

Test(mmu, probe_context_returns_context_entry)
{
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_PAGE | 0x300), ptd(L1_CTX0));
}

Test(mmu, probe_entire_returns_pte_at_any_level)
{
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_PAGE | 0x400), pte(PA_PAGE, 3));
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_SEGMENT | 0x400), pte(PA_SEGMENT, 3));
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_REGION | 0x400), pte(PA_REGION, 3));
}

Test(mmu, probe_page_of_large_page_returns_its_pte)
{
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_REGION | 0x000), pte(PA_REGION, 3));
}

Test(mmu, probe_of_invalid_entry_returns_zero)
{
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_BAD_L3 | 0x400), 0);
    cr_assert_eq(mmu_probe(&mmu, &phys, VA_BAD_L1 | 0x000), 0);
}

Test(mmu, probe_sets_no_bits_and_records_no_fault)
{
    mmu_probe(&mmu, &phys, VA_PAGE | 0x400);
    mmu_probe(&mmu, &phys, VA_BAD_L3 | 0x400);
    cr_assert_eq(peek(l3_entry(L3_CTX0, VA_PAGE)), pte(PA_PAGE, 3));
    cr_assert_eq(mmu_reg_read(&mmu, MMU_SFSR), 0);
}

/* ---- TLB and flush ---- */

static void remap_page2(uint32_t new_pa)
{
    poke(l3_entry(L3_CTX0, VA_PAGE2), pte(new_pa, 3) | PTE_R);
}

Test(mmu, tlb_keeps_translation_until_flushed)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    remap_page2(0x60000);
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, PA_PAGE2);
}

Test(mmu, flush_page_drops_that_page)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    remap_page2(0x60000);
    mmu_flush(&mmu, VA_PAGE2 | 0x000);
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, 0x60000);
}

Test(mmu, flush_page_keeps_other_pages)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    remap_page2(0x60000);
    mmu_flush(&mmu, VA_PAGE | 0x000);
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, PA_PAGE2);
}

Test(mmu, flush_segment_drops_pages_in_segment)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    remap_page2(0x60000);
    mmu_flush(&mmu, 0x00000100u);
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, 0x60000);
}

Test(mmu, flush_region_drops_pages_in_region)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    remap_page2(0x60000);
    mmu_flush(&mmu, 0x00fff200u);
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, 0x60000);
}

Test(mmu, flush_region_keeps_other_regions)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    remap_page2(0x60000);
    mmu_flush(&mmu, 0x01000200u);
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, PA_PAGE2);
}

Test(mmu, flush_page_inside_large_page_drops_it)
{
    uint64_t pa;
    xlate(VA_REGION, SPARC_LOAD, true, &pa);
    poke(l1_entry(L1_CTX0, VA_REGION), pte(0x20000000, 3) | PTE_R);
    mmu_flush(&mmu, (VA_REGION + 0x345000) | 0x000);
    xlate(VA_REGION + 0x10, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, 0x20000010u);
}

Test(mmu, flush_context_drops_current_context)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    remap_page2(0x60000);
    mmu_flush(&mmu, 0x300);
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, 0x60000);
}

Test(mmu, flush_entire_drops_everything)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    remap_page2(0x60000);
    mmu_flush(&mmu, 0x400);
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, 0x60000);
}

Test(mmu, flush_entire_and_context_bump_epoch)
{
    uint32_t before = mmu.epoch;
    cr_expect_eq(mmu_flush(&mmu, 0x400), 0u, "entire: everything");
    cr_assert_neq(mmu.epoch, before);
    before = mmu.epoch;
    cr_expect_eq(mmu_flush(&mmu, 0x300), 0u, "context: everything");
    cr_assert_neq(mmu.epoch, before);
}

/* A page demap reaches only that page, so the CPU drops only its entries. */
Test(mmu, flush_page_is_precise)
{
    uint64_t pa;
    xlate(VA_PAGE2, SPARC_LOAD, true, &pa);
    uint32_t before = mmu.epoch;
    cr_expect_eq(mmu_flush(&mmu, VA_PAGE2 | 0x000), 0xfffff000u);
    cr_expect_eq(mmu.epoch, before, "no global flush");
    cr_expect_eq(mmu_flush(&mmu, VA_PAGE2 | 0x100), 0xfffc0000u, "a segment demap");
    cr_expect_eq(mmu.epoch, before);
}

/* A page demap that drops a region entry must reach the whole region. */
Test(mmu, flush_page_dropping_a_region_entry_reaches_the_region)
{
    uint64_t pa;
    xlate(VA_REGION + 0x345000, SPARC_LOAD, true, &pa);
    cr_expect_eq(mmu_flush(&mmu, (VA_REGION + 0x345000) | 0x000), 0xff000000u);
}

Test(mmu, context_switch_uses_the_new_context_table)
{
    uint64_t pa;
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, PA_PAGE);
    mmu_reg_write(&mmu, MMU_CTX, 1);
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, PA_PAGE_CTX1);
    mmu_reg_write(&mmu, MMU_CTX, 0);
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, PA_PAGE);
}

Test(mmu, context_switch_bumps_epoch)
{
    uint32_t before = mmu.epoch;
    mmu_reg_write(&mmu, MMU_CTX, 1);
    cr_assert_neq(mmu.epoch, before);
}

/* The first store to a page sets M through a walk but flushes nothing: a
 * precise TLB touches only the entry it changes (docs/memory.md). */
Test(mmu, first_store_sets_m_without_a_flush)
{
    uint64_t pa;
    bool writable = false;
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    uint32_t before = mmu.epoch;
    cr_assert_eq(mmu_translate(&mmu, &phys, VA_PAGE, SPARC_STORE, true, &pa, &writable), 0);
    cr_expect(writable, "the store's own translation is writable");
    cr_expect_eq(mmu.epoch, before);
    xlate(VA_PAGE, SPARC_STORE, true, &pa);
    cr_expect_eq(mmu.epoch, before);
}

Test(mmu, disabling_mmu_bumps_epoch_and_goes_physical)
{
    uint64_t pa;
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    uint32_t before = mmu.epoch;
    mmu_reg_write(&mmu, MMU_CTRL, 0);
    cr_assert_neq(mmu.epoch, before);
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, VA_PAGE);
}

Test(mmu, ctpr_change_drops_cached_translations)
{
    uint64_t pa;
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    /* A second context table whose context 0 is context 1's tables. */
    poke(0x1400, ptd(L1_CTX1));
    mmu_reg_write(&mmu, MMU_CTPR, 0x1400 >> 4);
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, PA_PAGE_CTX1);
}

Test(mmu, tlb_replacement_keeps_translations_correct)
{
    /* More distinct pages than TLB entries: every translation stays right. */
    for (uint32_t i = 0; i < 64; i++) {
        poke(l3_entry(L3_CTX0, i << 12), pte(0x40000 + (i << 12), 3));
    }
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < 64; i++) {
            uint64_t pa;
            cr_assert_eq(xlate((i << 12) | 4, SPARC_LOAD, true, &pa), 0);
            cr_assert_eq(pa, 0x40000 + (i << 12) + 4);
        }
        for (uint32_t i = 0; i < 64; i++) {
            uint64_t pa;
            cr_assert_eq(xlate(VA_SEGMENT + (i << 12), SPARC_LOAD, true, &pa), 0);
            cr_assert_eq(pa, PA_SEGMENT + (i << 12));
        }
    }
}

/* ---- the TLB's lookup index (docs/memory.md: not a linear scan) ---- */

/* Map all 64 pages of context 0's first segment, page i at PA 0x40000 + i * 4 KiB. */
static void map_segment0(void)
{
    for (uint32_t i = 0; i < 64; i++)
        poke(l3_entry(L3_CTX0, i << 12), pte(PA_PAGE + (i << 12), 3));
}

/* Every valid entry sits in exactly one bucket of its own level, nothing else does. */
static void expect_index_consistent(void)
{
    for (unsigned i = 0; i < SPARC_MMU_TLB_SIZE; i++) {
        const SparcTlbEntry *e = &mmu.tlb[i];
        unsigned seen = 0, seen_other = 0;
        for (unsigned l = 0; l < 3; l++)
            for (unsigned b = 0; b < SPARC_MMU_TLB_BUCKETS; b++)
                if (mmu.tlb_index[l][b] >> i & 1) {
                    if (e->valid && l + 1 == e->level)
                        seen++;
                    else
                        seen_other++;
                }
        cr_assert_eq(seen, e->valid ? 1u : 0u, "entry %u (valid %u level %u) in %u buckets",
                     i, e->valid, e->level, seen);
        cr_assert_eq(seen_other, 0u, "entry %u indexed where it does not belong", i);
    }
}

/* Round-robin replacement: the 65th translation evicts the first page (a remapped
 * first page is seen anew; walking it again evicts the second), the third stays
 * cached (its remap is not seen). */
Test(mmu, tlb_replaces_round_robin_after_64_entries)
{
    uint64_t pa;
    map_segment0();
    mmu_flush(&mmu, 0x400);
    for (uint32_t i = 0; i < 64; i++)
        xlate(i << 12, SPARC_LOAD, true, &pa);
    xlate(VA_SEGMENT, SPARC_LOAD, true, &pa); /* the 65th translation */
    poke(l3_entry(L3_CTX0, 0), pte(0x60000, 3) | PTE_R);
    poke(l3_entry(L3_CTX0, 2 << 12), pte(0x62000, 3) | PTE_R);
    xlate(0, SPARC_LOAD, true, &pa);
    cr_expect_eq(pa, 0x60000, "page 0 was evicted");
    xlate(2 << 12, SPARC_LOAD, true, &pa);
    cr_expect_eq(pa, PA_PAGE + 0x2000, "page 2 is still cached");
    expect_index_consistent();
}

/* A page entry and a region entry covering the same VA: the lower-numbered entry
 * answers, as in a scan from entry 0. */
Test(mmu, overlapping_entries_answer_in_entry_order)
{
    uint64_t pa;
    xlate(VA_PAGE, SPARC_LOAD, true, &pa); /* entry n: the page */
    /* Region 0 becomes one 16 MiB PTE; another VA in it walks to a region entry. */
    poke(l1_entry(L1_CTX0, 0), pte(0x20000000, 3));
    xlate(0x00800000, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, 0x20800000u);
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_expect_eq(pa, PA_PAGE, "the older page entry comes first");
    expect_index_consistent();
}

/* Entries are tagged by context: another context's entries neither answer nor go. */
Test(mmu, tlb_entries_are_per_context)
{
    uint64_t pa;
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    mmu_reg_write(&mmu, MMU_CTX, 1);
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_assert_eq(pa, PA_PAGE_CTX1);
    poke(l3_entry(L3_CTX0, VA_PAGE), pte(0x60000, 3) | PTE_R);
    mmu_flush(&mmu, VA_PAGE | 0x000); /* demaps context 1's page only */
    mmu_reg_write(&mmu, MMU_CTX, 0);
    xlate(VA_PAGE, SPARC_LOAD, true, &pa);
    cr_expect_eq(pa, PA_PAGE, "context 0's entry survived context 1's demap");
    expect_index_consistent();
}

/* A long random mix of translations, demaps and context switches over fixed page
 * tables keeps the index equal to the entries it indexes, and every translation
 * equal to what the tables say. */
Test(mmu, index_survives_random_traffic)
{
    uint64_t pa;
    uint32_t seed = 12345;
    map_segment0();
    mmu_flush(&mmu, 0x400);
    for (unsigned step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t r = seed >> 8;
        bool region = r % 3 == 0;
        uint32_t va = region ? VA_REGION + (r & 0xfff000u) : (r % 64) << 12;
        switch (r % 11) {
        case 0:
            mmu_flush(&mmu, va | ((r >> 4) % 5) << 8);
            break;
        case 1:
            mmu_reg_write(&mmu, MMU_CTX, (r >> 5) & 1);
            break;
        default:
            if (mmu.ctx == 1) {
                cr_assert_eq(xlate(VA_PAGE, SPARC_LOAD, true, &pa), 0);
                cr_assert_eq(pa, PA_PAGE_CTX1, "step %u", step);
                break;
            }
            cr_assert_eq(xlate(va, (r >> 6) & 1 ? SPARC_STORE : SPARC_LOAD, true, &pa), 0);
            cr_assert_eq(pa, region ? PA_REGION + (va - VA_REGION) : PA_PAGE + va,
                         "step %u va %08x", step, va);
            break;
        }
        if (step % 500 == 0)
            expect_index_consistent();
    }
    expect_index_consistent();
}
