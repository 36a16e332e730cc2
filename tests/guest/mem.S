/* Loads and stores: every width and sign, big-endian byte order, LDD/STD,
 * LDSTUB, SWAP, the alternate-space forms (ASI 0x20 MMU bypass, ASI 0x0b
 * supervisor data), alignment traps, and LDD with an odd register.
 * V8 manual B.1-B.10.
 * EXPECT-PASS: 56
 */
#include "guest.h"

	.section .bss
	.align	8
buf:	.skip	64

	.text
	.global	main
main:
	save	%sp, -96, %sp
	set	buf, %l7

	/* widths and sign extension, big-endian */
	set	0x89abcdef, %l0
	st	%l0, [%l7]
	ld	[%l7], %l1
	CHECK("ld", %l1, 0x89abcdef)
	ldub	[%l7], %l1
	CHECK("ldub.0", %l1, 0x89)
	ldub	[%l7 + 3], %l1
	CHECK("ldub.3", %l1, 0xef)
	ldsb	[%l7], %l1
	CHECK("ldsb.negative", %l1, 0xffffff89)
	ldsb	[%l7 + 1], %l1
	CHECK("ldsb.1", %l1, 0xffffffab)
	lduh	[%l7], %l1
	CHECK("lduh.0", %l1, 0x89ab)
	lduh	[%l7 + 2], %l1
	CHECK("lduh.2", %l1, 0xcdef)
	ldsh	[%l7], %l1
	CHECK("ldsh.negative", %l1, 0xffff89ab)
	set	0x12347fff, %l0
	st	%l0, [%l7 + 4]
	ldsh	[%l7 + 6], %l1
	CHECK("ldsh.positive", %l1, 0x7fff)
	ldsb	[%l7 + 4], %l1
	CHECK("ldsb.positive", %l1, 0x12)
	set	0x12345678, %l0
	stb	%l0, [%l7 + 1]
	ld	[%l7], %l1
	CHECK("stb", %l1, 0x8978cdef)
	set	0xaabbccdd, %l0
	sth	%l0, [%l7 + 2]
	ld	[%l7], %l1
	CHECK("sth", %l1, 0x8978ccdd)
	add	%l7, 1, %l6
	ldub	[%l6 + 2], %l1		/* reg + imm addressing */
	CHECK("ldub.reg_imm", %l1, 0xdd)
	mov	3, %l5
	ldub	[%l7 + %l5], %l1	/* reg + reg addressing */
	CHECK("ldub.reg_reg", %l1, 0xdd)

	/* LDD/STD: even register first, at the lower address */
	set	0x11111111, %l2
	set	0x22222222, %l3
	std	%l2, [%l7 + 8]
	ld	[%l7 + 8], %l1
	CHECK("std.high_word", %l1, 0x11111111)
	ld	[%l7 + 12], %l1
	CHECK("std.low_word", %l1, 0x22222222)
	set	0x33333333, %l0
	st	%l0, [%l7 + 12]
	ldd	[%l7 + 8], %l4
	CHECK("ldd.even", %l4, 0x11111111)
	CHECK("ldd.odd", %l5, 0x33333333)
	mov	0x5a, %g1
	std	%g0, [%l7 + 8]		/* the pair is %g0 (reads 0) and %g1 */
	ldd	[%l7 + 8], %l4
	CHECK("std.g0.even", %l4, 0)
	CHECK("std.g0.odd", %l5, 0x5a)

	/* LDSTUB: returns the byte, leaves 0xff */
	stb	%g0, [%l7 + 16]
	ldstub	[%l7 + 16], %l1
	CHECK("ldstub.first", %l1, 0)
	ldstub	[%l7 + 16], %l1
	CHECK("ldstub.second", %l1, 0xff)
	st	%g0, [%l7 + 16]
	ldstub	[%l7 + 17], %l1
	ld	[%l7 + 16], %l1
	CHECK("ldstub.one_byte", %l1, 0x00ff0000)

	/* SWAP */
	set	0x5555, %l0
	st	%l0, [%l7 + 20]
	set	0x7777, %l0
	swap	[%l7 + 20], %l0
	CHECK("swap.reg", %l0, 0x5555)
	ld	[%l7 + 20], %l1
	CHECK("swap.mem", %l1, 0x7777)

	/* alternate space: ASI 0x20 is a physical (bypass) access; with the
	 * MMU off it hits the same RAM as a normal access. */
	set	0xcafef00d, %l0
	add	%l7, 24, %l6
	sta	%l0, [%l6] ASI_BYPASS
	ld	[%l7 + 24], %l1
	CHECK("sta.bypass", %l1, 0xcafef00d)
	lda	[%l6] ASI_BYPASS, %l1
	CHECK("lda.bypass", %l1, 0xcafef00d)
	lduba	[%l6] ASI_BYPASS, %l1
	CHECK("lduba.bypass", %l1, 0xca)
	ldsba	[%l6] ASI_BYPASS, %l1
	CHECK("ldsba.bypass", %l1, 0xffffffca)
	add	%l6, 2, %l5
	lduha	[%l5] ASI_BYPASS, %l1
	CHECK("lduha.bypass", %l1, 0xf00d)
	ldsha	[%l5] ASI_BYPASS, %l1
	CHECK("ldsha.bypass", %l1, 0xfffff00d)
	mov	0x42, %l0
	stba	%l0, [%l6] ASI_BYPASS
	set	0x1234, %l0
	stha	%l0, [%l5] ASI_BYPASS
	ld	[%l7 + 24], %l1
	CHECK("stba_stha.bypass", %l1, 0x42fe1234)
	add	%l7, 32, %l6
	set	0xa0a0a0a0, %l2
	set	0x0b0b0b0b, %l3
	stda	%l2, [%l6] ASI_BYPASS
	ldda	[%l6] ASI_BYPASS, %l4
	CHECK("ldda.bypass.even", %l4, 0xa0a0a0a0)
	CHECK("ldda.bypass.odd", %l5, 0x0b0b0b0b)
	ldstuba	[%l6] ASI_BYPASS, %l1
	CHECK("ldstuba.bypass", %l1, 0xa0)
	mov	9, %l1
	swapa	[%l6] ASI_BYPASS, %l1
	CHECK("swapa.bypass", %l1, 0xffa0a0a0)
	ld	[%l7 + 32], %l1
	CHECK("swapa.bypass.mem", %l1, 9)
	lda	[%l6] 0x0b, %l1		/* supervisor data */
	CHECK("lda.asi0b", %l1, 9)
	mov	10, %l0
	sta	%l0, [%l6] 0x0b
	ld	[%l6], %l1
	CHECK("sta.asi0b", %l1, 10)
	/* bypass reads of ROM: the PROM image itself and the ID register */
	set	trap_table, %l6
	lda	[%l6] ASI_BYPASS, %l1
	ld	[%l6], %l2
	CHECK_REG("lda.bypass.prom", %l1, %l2)
	set	0x78000000, %l6
	lda	[%l6] ASI_BYPASS, %l1
	CHECK("lda.bypass.idreg", %l1, 0xfe810103)

	/* alignment: mem_address_not_aligned (tt 7); nothing is written */
	TRAP_SET(TT_UNALIGNED, trap_skip)
	mov	0x99, %l1
	ld	[%l7 + 2], %l1
	CHECK_TRAP("ld.unaligned", TT_UNALIGNED)
	CHECK("ld.unaligned.rd_unchanged", %l1, 0x99)
	lduh	[%l7 + 1], %l1
	CHECK_TRAP("lduh.unaligned", TT_UNALIGNED)
	ldsh	[%l7 + 3], %l1
	CHECK_TRAP("ldsh.unaligned", TT_UNALIGNED)
	ldd	[%l7 + 4], %l2
	CHECK_TRAP("ldd.word_aligned", TT_UNALIGNED)
	st	%g0, [%l7 + 40]
	st	%g0, [%l7 + 44]
	mov	-1, %l0
	st	%l0, [%l7 + 41]
	CHECK_TRAP("st.unaligned", TT_UNALIGNED)
	sth	%l0, [%l7 + 43]
	CHECK_TRAP("sth.unaligned", TT_UNALIGNED)
	std	%l2, [%l7 + 44]
	CHECK_TRAP("std.word_aligned", TT_UNALIGNED)
	swap	[%l7 + 42], %l0
	CHECK_TRAP("swap.unaligned", TT_UNALIGNED)
	add	%l7, 38, %l6
	lda	[%l6] ASI_BYPASS, %l0
	CHECK_TRAP("lda.unaligned", TT_UNALIGNED)
	ld	[%l7 + 40], %l1
	CHECK("unaligned.no_store", %l1, 0)
	ld	[%l7 + 44], %l1
	CHECK("unaligned.no_store2", %l1, 0)
	ldub	[%l7 + 41], %l1		/* bytes are never misaligned */
	CHECK_TRAP("ldub.any_address", -1)

	/* LDD/STD with an odd rd: QEMU 7.2 raises illegal_instruction
	 * (the V8 manual leaves it undefined). */
	TRAP_SET(TT_ILLEGAL, trap_skip)
	.word	(3 << 30) | (17 << 25) | (0x03 << 19) | (23 << 14) | (1 << 13) /* ldd [%l7], %l1 */
	CHECK_TRAP("ldd.odd_rd", TT_ILLEGAL)
	.word	(3 << 30) | (17 << 25) | (0x07 << 19) | (23 << 14) | (1 << 13) /* std %l1, [%l7] */
	CHECK_TRAP("std.odd_rd", TT_ILLEGAL)

	ret
	 restore

	NOTE_GNU_STACK
