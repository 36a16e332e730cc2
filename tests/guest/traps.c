/* Trap types not covered elsewhere: illegal_instruction (UNIMP, reserved
 * format-2 op2, WRPSR with CWP >= NWINDOWS), privileged_instruction from user
 * mode, fp_disabled, cp_disabled, the trap's return to user mode, and what an
 * unassigned physical address gives with the MMU off.  (Window traps:
 * windows.c; alignment: mem.S; tag overflow: alu.S; division by zero:
 * muldiv.S; Ticc: branch.S; MMU faults: mmu.c; fp_exception: fpu.c;
 * interrupts: timer.c.)  V8 manual 7.4 and table 7-1.
 * EXPECT-PASS: 25
 */
#include "guest.h"

/* ta 0x7e from user mode: come back in supervisor mode (rett takes S from PS) */
static void to_supervisor(struct trapframe *tf)
{
	tf->psr |= PSR_PS;
	trap_skip(tf);
}

static inline void enter_user(void)
{
	set_psr(get_psr() & ~PSR_S);
}

static inline void leave_user(void)
{
	__asm__ volatile("ta 0x7e" ::: "memory");
}

static int user_psr_s(void)
{
	/* after to_supervisor, S must be 1 again; read it in supervisor mode */
	return (get_psr() & PSR_S) != 0;
}

/* Run one privileged instruction in user mode; returns the trap it took. */
#define USER_TRY(insn)                                          \
	({                                                      \
		enter_user();                                   \
		__asm__ volatile(insn ::: "memory", "g1");      \
		int tt_ = trap_take();                          \
		leave_user();                                   \
		trap_take();                                    \
		tt_;                                            \
	})

int main(void)
{
	trap_set(TT_ILLEGAL, trap_skip);
	trap_set(TT_PRIV, trap_skip);
	trap_set(TT_FP_DISABLED, trap_skip);
	trap_set(0x24, trap_skip);
	trap_set(TT_TICC(0x7e), to_supervisor);

	/* illegal_instruction */
	__asm__ volatile("unimp 0x1234" ::: "memory");
	check_trap("unimp", TT_ILLEGAL);
	__asm__ volatile(".word 0x01400000" ::: "memory");	/* op=0 op2=1: V9 BPcc */
	check_trap("format2.op2_1", TT_ILLEGAL);
	__asm__ volatile(".word 0x00c00000" ::: "memory");	/* op=0 op2=3: V9 BPr */
	check_trap("format2.op2_3", TT_ILLEGAL);
	uint32_t psr0 = get_psr();
	__asm__ volatile("wr %0, %%psr; nop; nop; nop"
			 : : "r"((psr0 & ~PSR_CWP_MASK) | NWINDOWS) : "memory");
	check_trap("wrpsr.cwp_out_of_range", TT_ILLEGAL);
	check_eq("wrpsr.cwp_out_of_range.psr_kept", get_psr(), psr0);
	__asm__ volatile("flush %0" : : "r"(&psr0) : "memory");
	check_trap("flush.no_trap", -1);

	/* privileged_instruction from user mode */
	enter_user();
	leave_user();
	trap_take();
	check_eq("user.back_to_supervisor", user_psr_s(), 1);
	check_eq("user.rdpsr", USER_TRY("rd %%psr, %%g1"), TT_PRIV);
	check_eq("user.wrpsr", USER_TRY("wr %%g0, %%psr"), TT_PRIV);
	check_eq("user.rdwim", USER_TRY("rd %%wim, %%g1"), TT_PRIV);
	check_eq("user.wrwim", USER_TRY("wr %%g0, %%wim"), TT_PRIV);
	check_eq("user.rdtbr", USER_TRY("rd %%tbr, %%g1"), TT_PRIV);
	check_eq("user.wrtbr", USER_TRY("wr %%g0, %%tbr"), TT_PRIV);
	check_eq("user.lda", USER_TRY("lda [%%g0] 0x20, %%g1"), TT_PRIV);
	check_eq("user.sta", USER_TRY("sta %%g0, [%%g0] 0x0b"), TT_PRIV);
	check_eq("user.rett", USER_TRY("set 1f, %%g1; jmp %%g1; rett %%g1 + 4; 1: nop; nop"), TT_PRIV);
	check_eq("user.rdy_allowed", USER_TRY("rd %%y, %%g1"), -1);
	check_eq("user.wry_allowed", USER_TRY("wr %%g0, %%y"), -1);

	/* fp_disabled: every FPop, FP load/store and FBfcc with EF=0 */
	set_psr(get_psr() & ~PSR_EF);
	__asm__ volatile("fadds %%f0, %%f1, %%f2" ::: "memory");
	check_trap("fp_disabled.fpop", TT_FP_DISABLED);
	__asm__ volatile("ld [%0], %%f0" : : "r"(&psr0) : "memory");
	check_trap("fp_disabled.ldf", TT_FP_DISABLED);
	__asm__ volatile("st %%fsr, [%0]" : : "r"(&psr0) : "memory");
	check_trap("fp_disabled.stfsr", TT_FP_DISABLED);
	__asm__ volatile("fcmps %%f0, %%f1; nop; fbe 1f; nop; 1:" ::: "memory");
	check_trap("fp_disabled.fcmp", TT_FP_DISABLED);
	set_psr(get_psr() | PSR_EF);
	__asm__ volatile("fmovs %%f0, %%f1" ::: "memory");
	check_trap("fp_enabled.no_trap", -1);

	/* cp_disabled (tt 0x24): the MB86904 has no coprocessor */
	__asm__ volatile(".word 0x81b00000" ::: "memory");	/* op=2 op3=0x36: CPop1 */
	check_trap("cpop1.cp_disabled", 0x24);

	/* With the MMU off an unassigned address does not trap (QEMU raises
	 * data_access_error only with the MMU on; see mmu.c). */
	uint32_t v = lda_bypass(0x20000000);
	check_trap("unassigned.mmu_off.no_trap", -1);
	(void)v;
	return 0;
}
