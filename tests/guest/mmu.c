/* SPARC reference MMU: page tables built in RAM, walks ending at each level
 * (16 MiB region, 256 KiB segment, 4 KiB page), referenced/modified bits,
 * faults with SFSR/SFAR, probes and flushes through ASI 3, contexts, the
 * control register's impl/ver and NF, data_access_error for an unassigned
 * physical address.  V8 manual appendix H; ss5.md.
 * SFSR = L(9:8) AT(7:5) FT(4:2) FAV(1) OW(0); AT 1 = supervisor data load,
 * 3 = supervisor instruction, 5 = supervisor data store; FT 1 = invalid
 * address, 2 = protection.
 * EXPECT-PASS: 51
 */
#include "guest.h"

#define CTX_TABLE	0x00200000	/* 256 entries */
#define L1_CTX0		0x00201000
#define L1_CTX1		0x00201400
#define L2_A		0x00201800	/* 64 entries, 256-byte aligned */
#define L3_A		0x00201900
#define L2_B		0x00201a00
#define L3_B		0x00201b00
#define PAGE0		0x00300000	/* PA behind VA 0x40000000 (RW) */
#define PAGE1		0x00301000	/* VA 0x40001000, read-only */
#define PAGE3		0x00302000	/* VA 0x40003000, supervisor RX only */
#define PAGE4		0x00303000	/* VA 0x40004000, user R / supervisor RW */
#define PAGE_CTX1	0x00304000	/* VA 0x40000000 in context 1 */
#define SEGMENT		0x00340000	/* VA 0x40040000, 256 KiB */

#define VA_TEST		0x40000000
#define MMU_CTRL	0x000
#define MMU_CTPR	0x100
#define MMU_CTX		0x200
#define MMU_SFSR	0x300
#define MMU_SFAR	0x400

#define W(pa) (*(volatile uint32_t *)(pa))

static uint32_t ptd(uint32_t pa) { return (pa >> 4) | 1; }
static uint32_t pte(uint32_t pa, uint32_t acc) { return ((pa >> 12) << 8) | (acc << 2) | 2; }

static uint32_t probe(uint32_t va_level)
{
	uint32_t v;
	__asm__ volatile("lda [%1] 0x03, %0" : "=r"(v) : "r"(va_level) : "memory");
	return v;
}

static void flush_all(void)
{
	__asm__ volatile("sta %%g0, [%0] 0x03" : : "r"(0x400) : "memory");
}

static volatile uint32_t resume_pc;
static void trap_resume(struct trapframe *tf)
{
	tf->pc = resume_pc;
	tf->npc = resume_pc + 4;
}

static void build_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		W(CTX_TABLE + 4 * i) = 0;
		W(L1_CTX0 + 4 * i) = 0;
	}
	for (uint32_t i = 0; i < 64; i++) {
		W(L2_A + 4 * i) = 0;
		W(L3_A + 4 * i) = 0;
		W(L2_B + 4 * i) = 0;
		W(L3_B + 4 * i) = 0;
	}
	/* region PTEs (16 MiB): RAM and the PROM/slavio window, identity */
	W(L1_CTX0 + 4 * 0x00) = pte(0x00000000, 3);
	W(L1_CTX0 + 4 * 0x70) = pte(0x70000000, 3);
	/* VA 0x60000000 -> PA 0x20000000, an empty SBus slot */
	W(L1_CTX0 + 4 * 0x60) = pte(0x20000000, 3);
	/* VA 0x40000000: region -> segment table -> page table */
	W(L1_CTX0 + 4 * 0x40) = ptd(L2_A);
	W(L2_A + 4 * 0) = ptd(L3_A);
	W(L2_A + 4 * 1) = pte(SEGMENT, 1);	/* segment PTE: VA 0x40040000 */
	W(L3_A + 4 * 0) = pte(PAGE0, 1);	/* RW */
	W(L3_A + 4 * 1) = pte(PAGE1, 0);	/* read-only */
	/* L3_A[2] stays invalid */
	W(L3_A + 4 * 3) = pte(PAGE3, 6);	/* supervisor RX, no user access */
	W(L3_A + 4 * 4) = pte(PAGE4, 5);	/* user R, supervisor RW */
	/* context 1: the same, but VA 0x40000000 maps PAGE_CTX1 */
	for (uint32_t i = 0; i < 256; i++)
		W(L1_CTX1 + 4 * i) = W(L1_CTX0 + 4 * i);
	W(L1_CTX1 + 4 * 0x40) = ptd(L2_B);
	W(L2_B + 4 * 0) = ptd(L3_B);
	W(L3_B + 4 * 0) = pte(PAGE_CTX1, 1);
	W(CTX_TABLE + 4 * 0) = ptd(L1_CTX0);
	W(CTX_TABLE + 4 * 1) = ptd(L1_CTX1);
}

int main(void)
{
	trap_set(TT_DATA_ACCESS, trap_skip);
	trap_set(TT_DATA_ERROR, trap_skip);
	trap_set(TT_INSN_ACCESS, trap_resume);

	/* control register: impl/ver 0x04, boot mode until enabled */
	check_eq("mmu.ctrl.reset", mmu_read(MMU_CTRL), 0x04004000);
	mmu_write(MMU_CTX, 0x1ff);
	check_eq("mmu.ctx.mask", mmu_read(MMU_CTX), 0xff);
	mmu_write(MMU_CTPR, 0xffffffff);
	check_eq("mmu.ctpr.mask", mmu_read(MMU_CTPR), 0x00ffffc0);

	build_tables();
	W(PAGE0) = 0x11223344;
	W(PAGE1) = 0x55667788;
	W(PAGE3) = 0x99aabbcc;
	W(PAGE4) = 0x13579bdf;
	W(PAGE_CTX1) = 0xc0de0001;
	W(SEGMENT + 0x31234) = 0x5e65e65e;
	mmu_write(MMU_CTPR, CTX_TABLE >> 4);
	mmu_write(MMU_CTX, 0);
	(void)mmu_read(MMU_SFSR);
	mmu_write(MMU_CTRL, 1);
	check_eq("mmu.ctrl.enabled", mmu_read(MMU_CTRL), 0x04000001);
	check_eq("mmu.ctpr", mmu_read(MMU_CTPR), CTX_TABLE >> 4);
	pass("mmu.running_translated");	/* we got here: code, stack, console mapped */

	/* R and M bits are set by the walk */
	check_eq("pte.untouched", W(L3_A) & 0x60, 0);
	check_eq("map.page.read", W(VA_TEST), 0x11223344);
	check_eq("pte.referenced", W(L3_A) & 0x60, 0x20);
	W(VA_TEST + 8) = 0xfeedface;
	check_eq("pte.modified", W(L3_A) & 0x60, 0x60);
	check_eq("map.page.write", W(PAGE0 + 8), 0xfeedface);
	check_eq("map.page.bypass_sees_write", lda_bypass(PAGE0 + 8), 0xfeedface);
	check_eq("map.segment.read", W(0x40040000 + 0x31234), 0x5e65e65e);
	check_eq("pte.segment.referenced", W(L2_A + 4) & 0x60, 0x20);
	check_eq("map.region.ram", W((uint32_t)&resume_pc), resume_pc);
	check_eq("map.readonly.read", W(VA_TEST + 0x1000), 0x55667788);
	check_eq("map.supervisor_rx.read", W(VA_TEST + 0x3000), 0x99aabbcc);
	W(VA_TEST + 0x4000) = 0x2468ace0;
	check_trap("map.user_r_super_rw.write", -1);
	check_eq("map.user_r_super_rw.value", W(PAGE4), 0x2468ace0);

	/* probes (ASI 3, type 4 = entire): the PTE, or 0 */
	check_eq("probe.page", probe(VA_TEST | 0x400), pte(PAGE0, 1) | 0x60);
	check_eq("probe.segment", probe(0x40040000 | 0x400), pte(SEGMENT, 1) | 0x20);
	check_eq("probe.region", probe(0x70000000 | 0x400) & ~0x60u, pte(0x70000000, 3));
	check_eq("probe.invalid", probe(0x40002000 | 0x400), 0);
	check_eq("probe.unmapped_region", probe(0x41000000 | 0x400), 0);
	check_trap("probe.no_trap", -1);

	/* data faults: data_access_exception, SFSR/SFAR, SFSR clears on read.
	 * The V8 manual has SFAR hold the faulting address; QEMU 7.2 reports its
	 * page address. Checked here to the page, so the program means the same on
	 * both; the exact address is pinned by tests/cpu/test_mmu.c. */
	(void)mmu_read(MMU_SFSR);
	uint32_t v = 0x77;
	__asm__ volatile("ld [%1], %0" : "+r"(v) : "r"(0x40002010) : "memory");
	check_trap("fault.invalid_page.traps", TT_DATA_ACCESS);
	check_eq("fault.invalid_page.rd_unchanged", v, 0x77);
	check_eq("fault.invalid_page.sfsr", mmu_read(MMU_SFSR), 0x326);
	check_eq("fault.invalid_page.sfar", mmu_read(MMU_SFAR) & ~0xfffu, 0x40002000);
	check_eq("fault.sfsr_clear_on_read", mmu_read(MMU_SFSR), 0);
	(void)W(0x41000008);
	check_trap("fault.invalid_region.traps", TT_DATA_ACCESS);
	check_eq("fault.invalid_region.sfsr", mmu_read(MMU_SFSR), 0x126);
	check_eq("fault.invalid_region.sfar", mmu_read(MMU_SFAR) & ~0xfffu, 0x41000000);
	W(VA_TEST + 0x1004) = 1;
	check_trap("fault.readonly_write.traps", TT_DATA_ACCESS);
	/* QEMU reports protection faults with L = 0 */
	check_eq("fault.readonly_write.sfsr", mmu_read(MMU_SFSR), 0x0aa);
	check_eq("fault.readonly_write.sfar", mmu_read(MMU_SFAR) & ~0xfffu, VA_TEST + 0x1000);
	check_eq("fault.readonly_write.no_store", W(PAGE1 + 4), 0);
	W(VA_TEST + 0x3000) = 1;
	check_trap("fault.supervisor_rx_write.traps", TT_DATA_ACCESS);
	check_eq("fault.supervisor_rx_write.sfsr", mmu_read(MMU_SFSR), 0x0aa);

	/* instruction fetch from an invalid page: instruction_access_exception */
	__asm__ volatile("set 1f, %%g1; st %%g1, [%0]; set 0x40002000, %%g1;"
			 "jmp %%g1; nop; 1:" : : "r"(&resume_pc) : "g1", "memory");
	check_trap("fault.fetch_invalid.traps", TT_INSN_ACCESS);
	check_eq("fault.fetch_invalid.sfsr", mmu_read(MMU_SFSR), 0x366);
	check_eq("fault.fetch_invalid.sfar", mmu_read(MMU_SFAR) & ~0xfffu, 0x40002000);

	/* unassigned physical address behind a valid PTE: data_access_error */
	(void)W(0x60000000);
	check_trap("unassigned.mapped.data_access_error", TT_DATA_ERROR);
	(void)lda_bypass(0x20000000);
	check_trap("unassigned.bypass.data_access_error", TT_DATA_ERROR);
	(void)mmu_read(MMU_SFSR);

	/* NF=1: faults do not trap */
	mmu_write(MMU_CTRL, 3);
	(void)W(0x40002000);
	check_trap("nf.invalid_page.no_trap", -1);
	/* QEMU also sets OW (bit 0) here; only the fault fields are checked */
	check_eq("nf.sfsr_still_recorded", mmu_read(MMU_SFSR) & ~1u, 0x326);
	(void)W(0x60000000);
	check_trap("nf.unassigned.no_trap", -1);
	mmu_write(MMU_CTRL, 1);
	flush_all();
	(void)mmu_read(MMU_SFSR);

	/* context switch and flush: remap, flush, see the new page */
	mmu_write(MMU_CTX, 1);
	flush_all();
	check_eq("ctx1.read", W(VA_TEST), 0xc0de0001);
	mmu_write(MMU_CTX, 0);
	flush_all();
	check_eq("ctx0.read_again", W(VA_TEST), 0x11223344);
	W(L3_A) = pte(PAGE1, 1);
	flush_all();
	check_eq("flush.remap_visible", W(VA_TEST), 0x55667788);

	mmu_write(MMU_CTRL, 0);
	check_eq("mmu.disabled", mmu_read(MMU_CTRL) & 1, 0);
	return 0;
}
