/* counter-test: drives the example counter (counter.machine puts it at 0x71300000)
 * from reset, with traps off and the MMU off, every device access through ASI 0x20
 * (MMU bypass). Sets STEP to 3 and COUNT to 0, reads COUNT three times, expects
 * 0, 3, 6, prints "counter: PASS" (or FAIL) on the serial port and powers off. */
#define COUNTER		0x71300000
#define ESCC_A_CTRL	0x71100004
#define ESCC_A_DATA	0x71100006
#define AUX2		0x71910000
#define ASI_BYPASS	0x20

	.section .text
	.global	_start
_start:
	set	COUNTER, %g1
	add	%g1, 4, %g6
	mov	3, %g2
	sta	%g2, [%g6] ASI_BYPASS		/* STEP = 3 */
	sta	%g0, [%g1] ASI_BYPASS		/* COUNT = 0 */
	lda	[%g1] ASI_BYPASS, %g3
	lda	[%g1] ASI_BYPASS, %g4
	lda	[%g1] ASI_BYPASS, %g5
	set	fail_msg, %o0
	cmp	%g3, 0
	bne	print
	 cmp	%g4, 3
	bne	print
	 cmp	%g5, 6
	bne	print
	 nop
	set	pass_msg, %o0

print:	/* ESCC channel A: WR5 = TX enable, 8 bits; then each byte when TX is empty */
	set	ESCC_A_CTRL, %o2
	set	ESCC_A_DATA, %o3
	mov	5, %o4
	stba	%o4, [%o2] ASI_BYPASS
	mov	0x68, %o4
	stba	%o4, [%o2] ASI_BYPASS
1:	ldub	[%o0], %o1
	cmp	%o1, 0
	be	3f
	 nop
2:	lduba	[%o2] ASI_BYPASS, %o4
	andcc	%o4, 4, %g0
	be	2b
	 nop
	stba	%o1, [%o3] ASI_BYPASS
	ba	1b
	 inc	%o0

3:	set	AUX2, %o2
	mov	1, %o4
	stba	%o4, [%o2] ASI_BYPASS		/* power off */
4:	ba	4b
	 nop

	.section .rodata
pass_msg:	.asciz	"counter: PASS\r\n"
fail_msg:	.asciz	"counter: FAIL\r\n"
