/* Control transfer: Bicc under every condition for all 16 icc values, the
 * annul bit, a DCTI couple, CALL and JMPL links, RETT with traps enabled,
 * Ticc under every condition, the software trap number, and the state a trap
 * leaves (PSR S/PS/ET/CWP, saved pc/npc).  V8 manual B.21-B.27, 5.5, 7.3.
 * The expected condition masks (bit i = taken with NZVC = i) follow table F-2:
 * e.g. bg taken iff not (Z or (N xor V)).
 * EXPECT-PASS: 49
 */
#include "guest.h"

/* icc <- reg (0..15) */
#define SET_ICC_REG(reg, t1, t2)                        \
	rd	%psr, t1;                               \
	set	0xf << PSR_ICC_SHIFT, t2;               \
	andn	t1, t2, t1;                             \
	sll	reg, PSR_ICC_SHIFT, t2;                 \
	or	t1, t2, t1;                             \
	wr	t1, %psr;                               \
	nop; nop; nop

/* %l6 <- mask of the icc values (0..15) under which "b<cond>" is taken */
#define BRANCH_MASK(cond, want)                         \
	mov	0, %l6;                                 \
	mov	0, %l5;                                 \
1:	SET_ICC_REG(%l5, %l3, %l4);                     \
	cond	2f;                                     \
	 nop;                                           \
	ba	3f;                                     \
	 nop;                                           \
2:	mov	1, %l4;                                 \
	sll	%l4, %l5, %l4;                          \
	or	%l6, %l4, %l6;                          \
3:	inc	%l5;                                    \
	cmp	%l5, 16;                                \
	bl	1b;                                     \
	 nop;                                           \
	CHECK(#cond ".mask", %l6, want)

/* same for t<cond>: count traps taken through trap_count */
#define TRAP_MASK(cond, want)                           \
	mov	0, %l6;                                 \
	mov	0, %l5;                                 \
	set	trap_count, %l7;                        \
1:	ld	[%l7], %l2;                             \
	SET_ICC_REG(%l5, %l3, %l4);                     \
	cond	0x10;                                   \
	ld	[%l7], %l3;                             \
	cmp	%l2, %l3;                               \
	be	3f;                                     \
	 mov	1, %l4;                                 \
	sll	%l4, %l5, %l4;                          \
	or	%l6, %l4, %l6;                          \
3:	inc	%l5;                                    \
	cmp	%l5, 16;                                \
	bl	1b;                                     \
	 nop;                                           \
	CHECK(#cond ".mask", %l6, want)

	.text
	.global	main
main:
	save	%sp, -96, %sp

	BRANCH_MASK(ba, 0xffff)
	BRANCH_MASK(bn, 0x0)
	BRANCH_MASK(bne, 0x0f0f)
	BRANCH_MASK(be, 0xf0f0)
	BRANCH_MASK(bg, 0x0c03)
	BRANCH_MASK(ble, 0xf3fc)
	BRANCH_MASK(bge, 0xcc33)
	BRANCH_MASK(bl, 0x33cc)
	BRANCH_MASK(bgu, 0x0505)
	BRANCH_MASK(bleu, 0xfafa)
	BRANCH_MASK(bcc, 0x5555)
	BRANCH_MASK(bcs, 0xaaaa)
	BRANCH_MASK(bpos, 0x00ff)
	BRANCH_MASK(bneg, 0xff00)
	BRANCH_MASK(bvc, 0x3333)
	BRANCH_MASK(bvs, 0xcccc)

	/* annul bit: ba,a and bn,a never run the delay slot; a conditional
	 * branch with a=1 runs it only when taken */
	mov	0, %l0
	ba,a	1f
	 add	%l0, 1, %l0
1:	CHECK("ba_a.annuls", %l0, 0)
	mov	0, %l0
	bn,a	1f
	 add	%l0, 1, %l0
1:	CHECK("bn_a.annuls", %l0, 0)
	mov	0, %l0
	bn	1f
	 add	%l0, 1, %l0
1:	CHECK("bn.runs_delay", %l0, 1)
	mov	0, %l0
	cmp	%l0, 0
	be,a	1f
	 add	%l0, 1, %l0
	add	%l0, 10, %l0
1:	CHECK("be_a.taken.runs_delay", %l0, 1)
	mov	0, %l0
	cmp	%l0, 1
	be,a	1f
	 add	%l0, 1, %l0
	add	%l0, 10, %l0
1:	CHECK("be_a.untaken.annuls", %l0, 10)
	mov	0, %l0
	cmp	%l0, 1
	be	1f
	 add	%l0, 1, %l0
	add	%l0, 10, %l0
1:	CHECK("be.untaken.runs_delay", %l0, 11)

	/* DCTI couple (V8 table 5-11): one instruction at the first target,
	 * then the second target */
	mov	0, %l0
	ba	1f
	 ba	2f
	add	%l0, 1000, %l0
1:	add	%l0, 1, %l0
	add	%l0, 10, %l0
2:	add	%l0, 100, %l0
	CHECK("dcti_couple", %l0, 101)

	/* CALL writes its own address to %o7; JMPL to rd */
	set	call_site, %l1
call_site:
	call	1f
	 nop
1:	mov	%o7, %l0
	CHECK_REG("call.link", %l0, %l1)
	set	jmpl_target - 8, %l1
	set	jmpl_site, %l2
jmpl_site:
	jmpl	%l1 + 8, %l3
	 mov	7, %l0
	mov	99, %l0
jmpl_target:
	CHECK_REG("jmpl.link", %l3, %l2)
	CHECK("jmpl.delay_slot", %l0, 7)
	mov	0, %l0
	call	leaf_add3
	 mov	4, %o0
	CHECK("call.retl", %o0, 7)

	/* JMPL to a misaligned target: mem_address_not_aligned */
	TRAP_SET(TT_UNALIGNED, trap_skip)
	set	jmpl_target + 2, %l1
	jmpl	%l1, %g0
	 nop
	CHECK_TRAP("jmpl.unaligned", TT_UNALIGNED)

	/* RETT with traps enabled (S=1): illegal_instruction.  QEMU 7.2 saves
	 * the JMPL target (not the RETT) as the trap PC here, so trap_skip
	 * resumes one instruction later than on a V8: the nops absorb that. */
	TRAP_SET(TT_ILLEGAL, trap_skip)
	set	1f, %l1
	jmp	%l1
	 rett	%l1 + 4
1:	nop
	nop
	CHECK_TRAP("rett.et1.illegal", TT_ILLEGAL)

	/* Ticc: taken under the same conditions as Bicc */
	TRAP_SET(TT_TICC(0x10), trap_skip)
	TRAP_MASK(ta, 0xffff)
	TRAP_MASK(tn, 0x0)
	TRAP_MASK(tne, 0x0f0f)
	TRAP_MASK(te, 0xf0f0)
	TRAP_MASK(tg, 0x0c03)
	TRAP_MASK(tle, 0xf3fc)
	TRAP_MASK(tge, 0xcc33)
	TRAP_MASK(tl, 0x33cc)
	TRAP_MASK(tgu, 0x0505)
	TRAP_MASK(tleu, 0xfafa)
	TRAP_MASK(tcc, 0x5555)
	TRAP_MASK(tcs, 0xaaaa)
	TRAP_MASK(tpos, 0x00ff)
	TRAP_MASK(tneg, 0xff00)
	TRAP_MASK(tvc, 0x3333)
	TRAP_MASK(tvs, 0xcccc)

	/* the software trap number is (rs1 + imm) & 0x7f, tt = 0x80 + that */
	TRAP_SET(TT_TICC(0x03), trap_skip)
	mov	0x7e, %l3
	ta	%l3 + 5
	CHECK_TRAP("ticc.number_wraps", TT_TICC(0x03))
	TRAP_SET(TT_TICC(0x7f), trap_skip)
	mov	0x70, %l3
	mov	0x0f, %l4
	ta	%l3 + %l4
	CHECK_TRAP("ticc.reg_reg", TT_TICC(0x7f))

	/* trap entry state: S=1, PS=old S, ET=0, CWP-1; %l1 = pc of the trap */
	rd	%psr, %l0
	set	ticc_site, %l6
ticc_site:
	ta	0x10
	set	last_psr, %l1
	ld	[%l1], %l1
	and	%l1, 0xff, %l2		/* S PS ET CWP */
	and	%l0, PSR_CWP_MASK, %l3
	add	%l3, NWINDOWS - 1, %l3
	and	%l3, NWINDOWS - 1, %l3
	or	%l3, PSR_S | PSR_PS, %l3
	CHECK_REG("trap.psr_state", %l2, %l3)
	set	last_pc, %l1
	ld	[%l1], %l1
	CHECK_REG("trap.saved_pc", %l1, %l6)

	ret
	 restore

leaf_add3:
	retl
	 add	%o0, 3, %o0

	NOTE_GNU_STACK
