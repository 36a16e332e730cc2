/* Integer ALU: add/sub with and without carry, every logical op, shifts with
 * register counts, SETHI, simm13 sign extension, %g0, %y, tagged arithmetic,
 * SAVE/RESTORE as adds, and the icc each cc form leaves (V8 manual B.11-B.16).
 * EXPECT-PASS: 87
 */
#include "guest.h"

#define OP_CC(name, op, a, b, res, nzvc)        \
	set	a, %l2;                         \
	set	b, %l3;                         \
	op	%l2, %l3, %l0;                  \
	GET_ICC(%l1);                           \
	CHECK(name, %l0, res);                  \
	CHECK(name ".icc", %l1, nzvc)

	.text
	.global	main
main:
	save	%sp, -96, %sp

	/* add / addcc: NZVC = 8/4/2/1 */
	set	1, %l2
	add	%l2, 2, %l0
	CHECK("add", %l0, 3)
	OP_CC("addcc.overflow", addcc, 0x7fffffff, 1, 0x80000000, 0xa)
	OP_CC("addcc.carry_zero", addcc, 0xffffffff, 1, 0, 0x5)
	OP_CC("addcc.both_negative", addcc, 0x80000000, 0x80000000, 0, 0x7)
	OP_CC("addcc.neg_carry", addcc, 0xffffffff, 0xffffffff, 0xfffffffe, 0x9)
	OP_CC("addcc.plain", addcc, 40, 2, 42, 0x0)

	/* addx/subx consume C */
	SET_ICC(0x1, %l4, %l5)
	set	1, %l2
	addx	%l2, 1, %l0
	CHECK("addx.carry_in", %l0, 3)
	SET_ICC(0xe, %l4, %l5)		/* N Z V set, C clear */
	addx	%l2, 1, %l0
	CHECK("addx.no_carry_in", %l0, 2)
	SET_ICC(0x1, %l4, %l5)
	set	0xffffffff, %l2
	addxcc	%l2, %g0, %l0
	GET_ICC(%l1)
	CHECK("addxcc.wrap", %l0, 0)
	CHECK("addxcc.wrap.icc", %l1, 0x5)
	SET_ICC(0x1, %l4, %l5)
	set	0x7fffffff, %l2
	addxcc	%l2, %g0, %l0
	GET_ICC(%l1)
	CHECK("addxcc.overflow.icc", %l1, 0xa)

	OP_CC("subcc.borrow", subcc, 1, 2, 0xffffffff, 0x9)
	OP_CC("subcc.overflow", subcc, 0x80000000, 1, 0x7fffffff, 0x2)
	OP_CC("subcc.zero", subcc, 5, 5, 0, 0x4)
	OP_CC("subcc.pos_minus_neg", subcc, 0x7fffffff, 0xffffffff, 0x80000000, 0xb)
	SET_ICC(0x1, %l4, %l5)
	set	10, %l2
	subx	%l2, 3, %l0
	CHECK("subx.borrow_in", %l0, 6)
	SET_ICC(0x1, %l4, %l5)
	subxcc	%g0, %g0, %l0
	GET_ICC(%l1)
	CHECK("subxcc.borrow", %l0, 0xffffffff)
	CHECK("subxcc.borrow.icc", %l1, 0x9)

	/* logical ops; the cc forms clear V and C */
	set	0xf0f0f0f0, %l2
	set	0xff00ff00, %l3
	and	%l2, %l3, %l0
	CHECK("and", %l0, 0xf000f000)
	andn	%l2, %l3, %l0
	CHECK("andn", %l0, 0x00f000f0)
	or	%l2, %l3, %l0
	CHECK("or", %l0, 0xfff0fff0)
	orn	%l2, %l3, %l0
	CHECK("orn", %l0, 0xf0fff0ff)
	xor	%l2, %l3, %l0
	CHECK("xor", %l0, 0x0ff00ff0)
	xnor	%l2, %l3, %l0
	CHECK("xnor", %l0, 0xf00ff00f)
	SET_ICC(0x3, %l4, %l5)
	set	0x80000000, %l2
	andcc	%l2, -1, %l0
	GET_ICC(%l1)
	CHECK("andcc.negative.icc", %l1, 0x8)
	SET_ICC(0xb, %l4, %l5)
	orcc	%g0, %g0, %l0
	GET_ICC(%l1)
	CHECK("orcc.zero.icc", %l1, 0x4)
	set	0x0000ffff, %l2
	xnorcc	%l2, %g0, %l0
	GET_ICC(%l1)
	CHECK("xnorcc", %l0, 0xffff0000)
	CHECK("xnorcc.icc", %l1, 0x8)
	andncc	%l2, -1, %l0
	GET_ICC(%l1)
	CHECK("andncc.icc", %l1, 0x4)

	/* shifts: the count is the low 5 bits of rs2/simm13 */
	set	1, %l2
	sll	%l2, 31, %l0
	CHECK("sll.31", %l0, 0x80000000)
	set	0x12345678, %l2
	mov	32, %l3
	sll	%l2, %l3, %l0
	CHECK("sll.count32_is_0", %l0, 0x12345678)
	mov	36, %l3
	sll	%l2, %l3, %l0
	CHECK("sll.count36_is_4", %l0, 0x23456780)
	set	0x80000000, %l2
	srl	%l2, 31, %l0
	CHECK("srl.31", %l0, 1)
	sra	%l2, 31, %l0
	CHECK("sra.31", %l0, 0xffffffff)
	sra	%l2, 4, %l0
	CHECK("sra.4", %l0, 0xf8000000)
	set	0x40000000, %l2
	sra	%l2, 30, %l0
	CHECK("sra.positive", %l0, 1)
	set	0x80000001, %l2
	mov	33, %l3
	srl	%l2, %l3, %l0
	CHECK("srl.count33_is_1", %l0, 0x40000000)
	sra	%l2, %g0, %l0
	CHECK("sra.count0", %l0, 0x80000001)

	/* SETHI, simm13 sign extension, %g0 */
	sethi	%hi(0xdeadbeef), %l0
	CHECK("sethi", %l0, 0xdeadbc00)
	or	%l0, %lo(0xdeadbeef), %l0
	CHECK("sethi.or_lo", %l0, 0xdeadbeef)
	add	%g0, -1, %l0
	CHECK("simm13.minus1", %l0, 0xffffffff)
	add	%g0, -4096, %l0
	CHECK("simm13.min", %l0, 0xfffff000)
	add	%g0, 4095, %l0
	CHECK("simm13.max", %l0, 0x00000fff)
	mov	5, %g0
	CHECK("g0.stays_zero", %g0, 0)
	SET_ICC(0x0, %l4, %l5)
	subcc	%g0, 1, %g0		/* cc-only form: writes icc, not %g0 */
	GET_ICC(%l1)
	CHECK("g0.cc_only.icc", %l1, 0x9)

	/* %y: WRY writes rs1 xor operand2 */
	wr	%g0, 0x123, %y
	nop
	nop
	nop
	rd	%y, %l0
	CHECK("wry.imm", %l0, 0x123)
	set	0xff00, %l2
	set	0x0ff0, %l3
	wr	%l2, %l3, %y
	nop
	nop
	nop
	rd	%y, %l0
	CHECK("wry.xor", %l0, 0xf0f0)

	/* tagged add/sub: V on a nonzero tag (low 2 bits) or on overflow */
	OP_CC("taddcc.clean", taddcc, 4, 8, 12, 0x0)
	OP_CC("taddcc.tag", taddcc, 1, 4, 5, 0x2)
	OP_CC("taddcc.tag2", taddcc, 4, 2, 6, 0x2)
	OP_CC("taddcc.overflow", taddcc, 0x7ffffffc, 4, 0x80000000, 0xa)
	OP_CC("taddcc.carry", taddcc, 0xfffffffc, 8, 4, 0x1)
	OP_CC("tsubcc.clean", tsubcc, 8, 4, 4, 0x0)
	OP_CC("tsubcc.tag", tsubcc, 4, 2, 2, 0x2)
	OP_CC("tsubcc.borrow_tag", tsubcc, 5, 8, 0xfffffffd, 0xb)

	/* trapping forms: tag_overflow (tt 0x0a), rd and icc unchanged */
	TRAP_SET(TT_TAG_OVF, trap_skip)
	SET_ICC(0x0, %l4, %l5)
	set	0x1111, %l0
	set	1, %l2
	taddcctv %l2, 4, %l0
	GET_ICC(%l1)
	CHECK_TRAP("taddcctv.tag.traps", TT_TAG_OVF)
	CHECK("taddcctv.tag.rd_unchanged", %l0, 0x1111)
	CHECK("taddcctv.tag.icc_unchanged", %l1, 0x0)
	set	0x7ffffffc, %l2
	taddcctv %l2, 4, %l0
	CHECK_TRAP("taddcctv.overflow.traps", TT_TAG_OVF)
	CHECK("taddcctv.overflow.rd_unchanged", %l0, 0x1111)
	set	8, %l2
	taddcctv %l2, 4, %l0
	GET_ICC(%l1)
	CHECK_TRAP("taddcctv.clean.no_trap", -1)
	CHECK("taddcctv.clean", %l0, 12)
	CHECK("taddcctv.clean.icc", %l1, 0x0)
	set	8, %l2
	tsubcctv %l2, 3, %l0
	CHECK_TRAP("tsubcctv.tag.traps", TT_TAG_OVF)
	CHECK("tsubcctv.tag.rd_unchanged", %l0, 12)
	set	0x80000000, %l2
	tsubcctv %l2, 4, %l0
	CHECK_TRAP("tsubcctv.overflow.traps", TT_TAG_OVF)
	tsubcctv %l2, %l2, %l0
	CHECK_TRAP("tsubcctv.clean.no_trap", -1)
	CHECK("tsubcctv.clean", %l0, 0)

	/* SAVE and RESTORE add like ADD, reading the old window and writing the new */
	mov	30, %o0
	call	add_by_restore
	 mov	12, %o1
	CHECK("restore.adds", %o0, 42)
	mov	%sp, %l6
	call	sp_after_save
	 nop
	sub	%l6, %o0, %l0
	CHECK("save.adds", %l0, 104)

	ret
	 restore

/* leaf routines exercising SAVE/RESTORE arithmetic */
add_by_restore:
	save	%sp, -96, %sp
	ret
	 restore %i0, %i1, %o0		/* caller's %o0 = our %i0 + %i1 */

sp_after_save:
	save	%sp, -104, %sp
	mov	%sp, %i0
	ret
	 restore

	NOTE_GNU_STACK
