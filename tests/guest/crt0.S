/* Tessera guest runtime: trap table, reset entry, window trap handlers and the
 * generic trap path that calls C (trap_dispatch in lib.c).
 *
 * The trap table is the first 4 KiB of the image, so it sits at 0x70000000: the
 * reset vector (PC=0 fetches the PROM in boot mode) is entry 0 and TBR can point
 * at the same table.  SPARC V8 manual, chapter 7 (traps) and appendix D
 * (window overflow/underflow handlers) describe what the handlers do.
 */
#include "guest.h"

/* Window overflow and underflow run straight from the table slot's branch;
 * everything else goes through trap_entry.  %l0 = %psr, %l1/%l2 = pc/npc. */
#define TRAP_OTHER(n)                           \
	rd	%psr, %l0;                      \
	sethi	%hi(trap_entry), %l4;           \
	jmp	%l4 + %lo(trap_entry);          \
	 nop
#define TRAP_BRANCH(label)                      \
	rd	%psr, %l0;                      \
	ba	label;                          \
	 nop;                                   \
	nop

	.section .text.traptable, "ax"
	.global	trap_table
trap_table:
	/* tt 0: reset */
	sethi	%hi(_start), %g1
	jmp	%g1 + %lo(_start)
	 nop
	nop
	TRAP_OTHER(1); TRAP_OTHER(2); TRAP_OTHER(3); TRAP_OTHER(4)
	TRAP_BRANCH(window_overflow)
	TRAP_BRANCH(window_underflow)
	.rept	256 - 7
	TRAP_OTHER(x)
	.endr

	.section .text.start, "ax"
	.global	_start
_start:
	/* S=1 PS=1 ET=0 PIL=15 EF=1 CWP=0; one invalid window (1) above us. */
	set	PSR_EF | PSR_S | PSR_PS | PSR_PIL_MASK, %g1
	wr	%g1, %psr
	wr	%g0, 2, %wim
	set	trap_table, %g1
	wr	%g1, %tbr
	nop
	nop
	set	_stack_top - 96, %sp
	mov	0, %fp

	/* .data from the PROM image to RAM, then clear .bss (both 8-aligned). */
	set	_data_load, %g1
	set	_data_start, %g2
	set	_data_end, %g3
1:	cmp	%g2, %g3
	bgeu	2f
	 nop
	ldd	[%g1], %g4
	std	%g4, [%g2]
	add	%g1, 8, %g1
	ba	1b
	 add	%g2, 8, %g2
2:	set	_bss_end, %g3
	mov	0, %g1			/* std %g0 stores the pair %g0,%g1 */
3:	cmp	%g2, %g3
	bgeu	4f
	 nop
	std	%g0, [%g2]
	ba	3b
	 add	%g2, 8, %g2
4:
	/* Keep the FSR as reset left it (fpu.c checks its version field), then
	 * FSR = 0: round to nearest, no traps enabled. */
	set	reset_fsr, %g1
	st	%fsr, [%g1]
	st	%g0, [%sp + 64]
	ld	[%sp + 64], %fsr

	/* Traps on; interrupts stay masked (PIL 15) until a program lowers PIL. */
	rd	%psr, %g1
	or	%g1, PSR_ET, %g1
	wr	%g1, %psr
	nop
	nop
	nop
	call	console_init
	 nop
	call	main
	 nop
	call	guest_exit
	 nop
5:	ba	5b
	 nop

	.text
/* Overflow: the trap window T is the invalid one; spill window T-1 (the oldest
 * frame in the registers) to its stack and make it the invalid window. */
	.global	window_overflow
window_overflow:
	sethi	%hi(win_overflows), %l5
	ld	[%l5 + %lo(win_overflows)], %l6
	inc	%l6
	st	%l6, [%l5 + %lo(win_overflows)]
	mov	%wim, %l3
	mov	%g1, %l7
	srl	%l3, 1, %g1
	sll	%l3, NWINDOWS - 1, %l4
	or	%l4, %g1, %g1
	and	%g1, WIM_MASK, %g1
	save
	mov	%g1, %wim
	nop
	nop
	nop
	std	%l0, [%sp + 0]
	std	%l2, [%sp + 8]
	std	%l4, [%sp + 16]
	std	%l6, [%sp + 24]
	std	%i0, [%sp + 32]
	std	%i2, [%sp + 40]
	std	%i4, [%sp + 48]
	std	%i6, [%sp + 56]
	restore
	mov	%l7, %g1
	wr	%l0, %psr		/* restore icc */
	nop
	nop
	nop
	jmp	%l1
	 rett	%l2
	.global	window_overflow_end
window_overflow_end:	/* straight-line: bench/ counts executed instructions */

/* Underflow: the restore at CWP=T+1 found window T+2 invalid; refill T+2 from
 * the stack it was spilled to and move the invalid mark one window further. */
	.global	window_underflow
window_underflow:
	sethi	%hi(win_underflows), %l5
	ld	[%l5 + %lo(win_underflows)], %l6
	inc	%l6
	st	%l6, [%l5 + %lo(win_underflows)]
	mov	%wim, %l3
	sll	%l3, 1, %l4
	srl	%l3, NWINDOWS - 1, %l5
	or	%l5, %l4, %l5
	and	%l5, WIM_MASK, %l5
	mov	%l5, %wim
	nop
	nop
	nop
	restore
	restore
	ldd	[%sp + 0], %l0
	ldd	[%sp + 8], %l2
	ldd	[%sp + 16], %l4
	ldd	[%sp + 24], %l6
	ldd	[%sp + 32], %i0
	ldd	[%sp + 40], %i2
	ldd	[%sp + 48], %i4
	ldd	[%sp + 56], %i6
	save
	save
	wr	%l0, %psr
	nop
	nop
	nop
	jmp	%l1
	 rett	%l2
	.global	window_underflow_end
window_underflow_end:

/* Every other trap: make the trap window safe to use, build a struct trapframe
 * below the interrupted frame's %sp, run trap_dispatch(tf) with traps enabled
 * (PIL 15), then return to tf->pc/tf->npc with tf->psr's condition codes. */
	.global	trap_entry
trap_entry:
	/* If the trap window T is the invalid one, its outs are the ins of the
	 * oldest frame (T-1): spill T-1 first, exactly like an overflow. */
	mov	1, %l4
	sll	%l4, %l0, %l4		/* 1 << CWP (sll uses the low 5 bits) */
	rd	%wim, %l5
	andcc	%l4, %l5, %g0
	bz	1f
	 srl	%l5, 1, %l6
	sll	%l5, NWINDOWS - 1, %l7
	or	%l6, %l7, %l6
	and	%l6, WIM_MASK, %l6
	save
	std	%l0, [%sp + 0]
	std	%l2, [%sp + 8]
	std	%l4, [%sp + 16]
	std	%l6, [%sp + 24]
	std	%i0, [%sp + 32]
	std	%i2, [%sp + 40]
	std	%i4, [%sp + 48]
	std	%i6, [%sp + 56]
	restore
	wr	%l6, %wim
	nop
	nop
	nop
1:	sub	%fp, 96 + TF_SIZE, %sp
	add	%sp, 96, %l7		/* %l7 = tf */
	st	%l0, [%l7 + TF_PSR]
	st	%l1, [%l7 + TF_PC]
	st	%l2, [%l7 + TF_NPC]
	rd	%tbr, %l3
	srl	%l3, 4, %l3
	and	%l3, 0xff, %l3
	st	%l3, [%l7 + TF_TT]
	rd	%y, %l4
	st	%l4, [%l7 + TF_Y]
	st	%g1, [%l7 + TF_G1]
	std	%g2, [%l7 + TF_G2]
	std	%g4, [%l7 + TF_G4]
	std	%g6, [%l7 + TF_G6]
	or	%l0, PSR_PIL_MASK | PSR_ET, %l4
	wr	%l4, %psr
	nop
	nop
	nop
	call	trap_dispatch
	 mov	%l7, %o0
	/* Traps off again, CWP = T, icc from the frame. */
	ld	[%l7 + TF_PSR], %l0
	rd	%psr, %l4
	and	%l4, PSR_CWP_MASK, %l4
	andn	%l0, PSR_CWP_MASK | PSR_ET, %l0
	or	%l0, %l4, %l0
	wr	%l0, %psr
	nop
	nop
	nop
	ld	[%l7 + TF_PC], %l1
	ld	[%l7 + TF_NPC], %l2
	ld	[%l7 + TF_Y], %l4
	wr	%l4, %y
	ld	[%l7 + TF_G1], %g1
	ldd	[%l7 + TF_G2], %g2
	ldd	[%l7 + TF_G4], %g4
	ldd	[%l7 + TF_G6], %g6
	/* If the C code spilled the interrupted window (T+1), refill it. */
	mov	1, %l4
	sll	%l4, %l0, %l4
	sll	%l4, 1, %l6
	srl	%l4, NWINDOWS - 1, %l5
	or	%l5, %l6, %l4
	and	%l4, WIM_MASK, %l4	/* 1 << (T+1) */
	rd	%wim, %l5
	andcc	%l4, %l5, %g0
	bz	2f
	 sll	%l5, 1, %l6
	srl	%l5, NWINDOWS - 1, %l5
	or	%l5, %l6, %l5
	and	%l5, WIM_MASK, %l5
	wr	%l5, %wim
	nop
	nop
	nop
	restore
	ldd	[%sp + 0], %l0
	ldd	[%sp + 8], %l2
	ldd	[%sp + 16], %l4
	ldd	[%sp + 24], %l6
	ldd	[%sp + 32], %i0
	ldd	[%sp + 40], %i2
	ldd	[%sp + 48], %i4
	ldd	[%sp + 56], %i6
	save
2:	wr	%l0, %psr		/* icc again: the andcc above changed it */
	nop
	nop
	nop
	jmp	%l1
	 rett	%l2
	NOTE_GNU_STACK
