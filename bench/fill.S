/* Fills RAM from 1 MiB to 256 MiB with pseudo-random words (an LCG), then spins:
 * the "mostly non-zero RAM" case of the snapshot benchmark. 7 instructions a word,
 * so 255 MiB take 467,927,040 instructions plus a few. */
	.section .text
	.globl _start
_start:
	set	0x00100000, %g1
	set	0x10000000, %g2
	set	12345, %g3
	set	1103515245, %g4
	set	12345, %g5
1:	umul	%g3, %g4, %g3
	add	%g3, %g5, %g3
	st	%g3, [%g1]
	add	%g1, 4, %g1
	cmp	%g1, %g2
	bne	1b
	 nop
2:	ba	2b
	 nop
