/* Multiply and divide: MULScc steps and the 32-step multiply sequence,
 * UMUL/SMUL(cc) with the high word in %y, UDIV/SDIV(cc) with the 64-bit
 * dividend Y:rs1, overflow saturation and V, and division_by_zero (tt 0x2a).
 * V8 manual B.17-B.19 and appendix E.  Expected values for the MULScc
 * sequences come from a step-by-step model of B.17 (and agree with QEMU).
 * EXPECT-PASS: 53
 */
#include "guest.h"

#define WRY(reg) wr reg, %y; nop; nop; nop

/* dst_hi:Y = mplier * mcand using 32 MULScc steps and a final shift step */
#define MULSCC_SEQ(mplier, mcand)                       \
	set	mplier, %l2;                            \
	set	mcand, %l3;                             \
	WRY(%l2);                                       \
	andcc	%g0, %g0, %l0;                          \
	.rept 32; mulscc %l0, %l3, %l0; .endr;          \
	mulscc	%l0, %g0, %l0;                          \
	rd	%y, %l1

#define DIV(name, op, y, a, b, q, nzvc)                 \
	set	y, %l2;                                 \
	WRY(%l2);                                       \
	set	a, %l2;                                 \
	set	b, %l3;                                 \
	op	%l2, %l3, %l0;                          \
	GET_ICC(%l1);                                   \
	CHECK(name, %l0, q);                            \
	CHECK(name ".icc", %l1, nzvc)

	.text
	.global	main
main:
	save	%sp, -96, %sp

	/* one MULScc step: op1 = (N^V):rs1>>1, add rs2 if Y<0>, Y = rs1<0>:Y>>1 */
	SET_ICC(0x8, %l4, %l5)
	mov	1, %l2
	WRY(%l2)
	mov	3, %l2
	mulscc	%l2, 0x10, %l0
	GET_ICC(%l1)
	rd	%y, %l2
	CHECK("mulscc.step", %l0, 0x80000011)
	CHECK("mulscc.step.icc", %l1, 0x8)
	CHECK("mulscc.step.y", %l2, 0x80000000)
	SET_ICC(0x0, %l4, %l5)
	mov	3, %l2
	WRY(%l2)
	set	0xfffffffe, %l2
	set	0x7fffffff, %l3
	mulscc	%l2, %l3, %l0
	GET_ICC(%l1)
	rd	%y, %l2
	CHECK("mulscc.step_overflow", %l0, 0xfffffffe)
	CHECK("mulscc.step_overflow.icc", %l1, 0xa)
	CHECK("mulscc.step_overflow.y", %l2, 1)
	SET_ICC(0x0, %l4, %l5)
	mov	2, %l2
	WRY(%l2)
	mov	8, %l2
	mulscc	%l2, 0x77, %l0		/* Y<0> clear: adds 0 */
	CHECK("mulscc.step_no_add", %l0, 4)

	MULSCC_SEQ(0x12345678, 0x06789abc)
	CHECK("mulscc.seq.hi", %l0, 0x0075cd90)
	CHECK("mulscc.seq.lo", %l1, 0x32b3b020)
	MULSCC_SEQ(1000, -7)
	CHECK("mulscc.seq_neg.hi", %l0, 0xffffffff)
	CHECK("mulscc.seq_neg.lo", %l1, 0xffffe4a8)
	MULSCC_SEQ(0x12345678, 0x89abcdef)
	CHECK("mulscc.seq_big.hi", %l0, 0xf795e368)
	CHECK("mulscc.seq_big.lo", %l1, 0xe242d208)

	/* UMUL/SMUL: low word to rd, high word to Y; cc forms set N,Z from
	 * the low word and clear V,C */
	set	0xffffffff, %l2
	umul	%l2, %l2, %l0
	rd	%y, %l1
	CHECK("umul.max.lo", %l0, 1)
	CHECK("umul.max.hi", %l1, 0xfffffffe)
	smul	%l2, %l2, %l0
	rd	%y, %l1
	CHECK("smul.minus1_sq.lo", %l0, 1)
	CHECK("smul.minus1_sq.hi", %l1, 0)
	set	0x89abcdef, %l2
	set	0x12345678, %l3
	umul	%l2, %l3, %l0
	rd	%y, %l1
	CHECK("umul.lo", %l0, 0xe242d208)
	CHECK("umul.hi", %l1, 0x09ca39e0)
	smul	%l2, %l3, %l0
	rd	%y, %l1
	CHECK("smul.lo", %l0, 0xe242d208)
	CHECK("smul.hi", %l1, 0xf795e368)
	SET_ICC(0x3, %l4, %l5)
	set	0x10000, %l2
	umulcc	%l2, %l2, %l0
	GET_ICC(%l1)
	rd	%y, %l2
	CHECK("umulcc.2pow32", %l0, 0)
	CHECK("umulcc.2pow32.hi", %l2, 1)
	CHECK("umulcc.2pow32.icc", %l1, 0x4)
	mov	-2, %l2
	smulcc	%l2, 3, %l0
	GET_ICC(%l1)
	rd	%y, %l2
	CHECK("smulcc.neg", %l0, 0xfffffffa)
	CHECK("smulcc.neg.hi", %l2, 0xffffffff)
	CHECK("smulcc.neg.icc", %l1, 0x8)

	/* UDIV/SDIV: Y:rs1 / rs2, quotient saturates on overflow (V in cc) */
	DIV("udivcc.small", udivcc, 0, 100, 7, 14, 0x0)
	DIV("udivcc.uses_y", udivcc, 1, 0, 2, 0x80000000, 0x8)
	DIV("udivcc.overflow", udivcc, 1, 0, 1, 0xffffffff, 0xa)
	DIV("udivcc.big", udivcc, 0x1234, 0x56789abc, 0x10000, 0x12345678, 0x0)
	DIV("udivcc.zero", udivcc, 0, 5, 6, 0, 0x4)
	DIV("sdivcc.truncates", sdivcc, 0xffffffff, 0xfffffff9, 2, 0xfffffffd, 0x8)
	DIV("sdivcc.pos_overflow", sdivcc, 0, 0x80000000, 1, 0x7fffffff, 0x2)
	DIV("sdivcc.neg_overflow", sdivcc, 0xffffffff, 0x7fffffff, 1, 0x80000000, 0xa)
	DIV("sdivcc.min_by_minus1", sdivcc, 0xffffffff, 0x80000000, 0xffffffff, 0x7fffffff, 0x2)
	DIV("sdivcc.neg_divisor", sdivcc, 0, 100, 0xfffffff9, 0xfffffff2, 0x8)
	set	0, %l2
	WRY(%l2)
	mov	100, %l2
	udiv	%l2, 9, %l0
	CHECK("udiv", %l0, 11)
	mov	-100, %l2
	set	0xffffffff, %l3
	WRY(%l3)
	sdiv	%l2, 9, %l0
	CHECK("sdiv", %l0, 0xfffffff5)

	/* division by zero: tt 0x2a, rd unchanged */
	TRAP_SET(TT_DIV_ZERO, trap_skip)
	mov	0x31, %l0
	mov	5, %l2
	udiv	%l2, %g0, %l0
	CHECK_TRAP("udiv.by_zero", TT_DIV_ZERO)
	CHECK("udiv.by_zero.rd_unchanged", %l0, 0x31)
	sdivcc	%l2, 0, %l0
	CHECK_TRAP("sdivcc.by_zero", TT_DIV_ZERO)
	udivcc	%l2, 1, %l0
	CHECK_TRAP("udivcc.by_one.no_trap", -1)

	ret
	 restore

	NOTE_GNU_STACK
