/* Tessera guest programs: shared constants (C and assembly) and the C API of
 * the runtime (crt0.S + lib.c). */
#ifndef GUEST_H
#define GUEST_H

#define NWINDOWS	8
#define WIM_MASK	0xff

/* PSR fields (SPARC V8 manual 4.2). */
#define PSR_CWP_MASK	0x1f
#define PSR_ET		0x20
#define PSR_PS		0x40
#define PSR_S		0x80
#define PSR_PIL_MASK	0xf00
#define PSR_EF		0x1000
#define PSR_ICC_SHIFT	20

/* struct trapframe offsets, for crt0.S. */
#define TF_PSR		0
#define TF_PC		4
#define TF_NPC		8
#define TF_TT		12
#define TF_Y		16
#define TF_G1		20
#define TF_G2		24	/* g2..g7 from here, 8-aligned for std */
#define TF_G4		32
#define TF_G6		40
#define TF_SIZE		48

/* Trap types (V8 manual table 7-1). */
#define TT_INSN_ACCESS	0x01
#define TT_ILLEGAL	0x02
#define TT_PRIV		0x03
#define TT_FP_DISABLED	0x04
#define TT_WIN_OVF	0x05
#define TT_WIN_UNF	0x06
#define TT_UNALIGNED	0x07
#define TT_FP_EXC	0x08
#define TT_DATA_ACCESS	0x09
#define TT_TAG_OVF	0x0a
#define TT_IRQ(n)	(0x10 + (n))
#define TT_DATA_ERROR	0x29
#define TT_DIV_ZERO	0x2a
#define TT_TICC(n)	(0x80 + (n))

/* Devices (shared/reference/ss5.md). The console is reached with ASI 0x20
 * (MMU bypass) so it works with the MMU on or off. */
#define ESCC_A_CTRL	0x71100004
#define ESCC_A_DATA	0x71100006
#define AUX2		0x71910000
#define TIMER_CPU0	0x71d00000
#define TIMER_SYS	0x71d10000
#define INTCTL_CPU0	0x71e00000
#define INTCTL_MASTER	0x71e10000

#define ASI_MMUREGS	0x04
#define ASI_BYPASS	0x20

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trapframe {
	uint32_t psr, pc, npc, tt, y;
	uint32_t g[7];			/* g1..g7 */
};
typedef void (*trap_fn)(struct trapframe *tf);

/* Trap bookkeeping, filled by trap_dispatch for every trap it sees. */
extern volatile uint32_t trap_count, last_tt, last_pc, last_psr;
extern volatile uint32_t win_overflows, win_underflows;
extern trap_fn trap_handlers[256];

void trap_skip(struct trapframe *tf);	/* resume after the trapping instruction */
void trap_retry(struct trapframe *tf);	/* resume at it (interrupts) */
void trap_set(int tt, trap_fn fn);
/* Returns the tt of the last trap since the previous call (or -1) and clears it. */
int trap_take(void);

void console_init(void);
void putch(int c);
void puts_(const char *s);
void puthex(uint32_t v);
void putdec(uint32_t v);

void pass(const char *name);
void fail(const char *name, uint32_t got, uint32_t want);
int check_eq(const char *name, uint32_t got, uint32_t want);
void check_trap(const char *name, int want_tt);
extern volatile uint32_t fail_count;
extern volatile uint32_t reset_fsr;	/* %fsr as found at reset (crt0) */

void guest_exit(void) __attribute__((noreturn));
void power_off(void) __attribute__((noreturn));

static inline uint32_t lda_bypass(uint32_t pa)
{
	uint32_t v;
	__asm__ volatile("lda [%1] 0x20, %0" : "=r"(v) : "r"(pa) : "memory");
	return v;
}
static inline void sta_bypass(uint32_t pa, uint32_t v)
{
	__asm__ volatile("sta %0, [%1] 0x20" : : "r"(v), "r"(pa) : "memory");
}
static inline uint32_t mmu_read(uint32_t reg)
{
	uint32_t v;
	__asm__ volatile("lda [%1] 0x04, %0" : "=r"(v) : "r"(reg) : "memory");
	return v;
}
static inline void mmu_write(uint32_t reg, uint32_t v)
{
	__asm__ volatile("sta %0, [%1] 0x04" : : "r"(v), "r"(reg) : "memory");
}
static inline uint32_t get_psr(void)
{
	uint32_t v;
	__asm__ volatile("rd %%psr, %0" : "=r"(v));
	return v;
}
static inline void set_psr(uint32_t v)
{
	__asm__ volatile("wr %0, %%psr; nop; nop; nop" : : "r"(v) : "memory");
}
static inline void set_pil(unsigned pil)
{
	set_psr((get_psr() & ~PSR_PIL_MASK) | (pil << 8));
}
#endif

#endif

#ifdef __ASSEMBLER__
/* Assembly self-checks.  CHECK(name, reg, value): compare reg with a constant
 * and print PASS/FAIL via check_eq (clobbers %o0-%o5, %g1-%g4 like any call).
 * CHECK_TRAP(name, tt): the last trap since the previous check was tt. */
#define CHECK(name, reg, value)                         \
	mov	reg, %o1;                               \
	set	value, %o2;                             \
	set	9f, %o0;                                \
	call	check_eq;                               \
	 nop;                                           \
	.pushsection .rodata; 9: .asciz name; .popsection
#define CHECK_REG(name, reg, reg2)                      \
	mov	reg, %o1;                               \
	mov	reg2, %o2;                              \
	set	9f, %o0;                                \
	call	check_eq;                               \
	 nop;                                           \
	.pushsection .rodata; 9: .asciz name; .popsection
#define CHECK_TRAP(name, tt)                            \
	set	9f, %o0;                                \
	call	check_trap;                             \
	 mov	tt, %o1;                                \
	.pushsection .rodata; 9: .asciz name; .popsection
/* reg <- the icc field NZVC (PSR bits 23:20). */
#define GET_ICC(reg)                                    \
	rd	%psr, reg;                              \
	srl	reg, PSR_ICC_SHIFT, reg;                \
	and	reg, 0xf, reg
/* Set icc to a 4-bit NZVC constant, keeping the rest of the PSR. */
#define SET_ICC(nzvc, tmp, tmp2)                        \
	rd	%psr, tmp;                              \
	set	0xf << PSR_ICC_SHIFT, tmp2;             \
	andn	tmp, tmp2, tmp;                         \
	set	(nzvc) << PSR_ICC_SHIFT, tmp2;          \
	or	tmp, tmp2, tmp;                         \
	wr	tmp, %psr;                              \
	nop; nop; nop
/* Install a C trap handler (trap_skip, trap_retry, ...) for tt. */
#define TRAP_SET(tt, fn)                                \
	mov	tt, %o0;                                \
	set	fn, %o1;                                \
	call	trap_set;                               \
	 nop
#define NOTE_GNU_STACK .section .note.GNU-stack, "", @progbits
#endif
