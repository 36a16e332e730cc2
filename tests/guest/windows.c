/* Register windows: overflow/underflow traps driven by WIM, checked with
 * exact trap counts from a flushed state, a WIM written by hand, and deep C
 * recursion whose frames must survive being spilled and refilled.
 * V8 manual 4.5 (windows), B.20 (SAVE/RESTORE), appendix D.
 * EXPECT-PASS: 18
 */
#include "guest.h"

/* Assembly helpers (file-scope asm: they need exact control of SAVEs). */
uint32_t flush_windows(void);		/* returns its own CWP (the caller's - 1) */
void rec_asm(uint32_t depth);		/* depth+1 SAVEs deep, then back */
uint32_t wim_overflow_once(void);	/* returns WIM after the trap */
uint32_t get_wim(void);
__asm__(
"	.text\n"
/* NWINDOWS-1 saves then as many restores: afterwards only this window is in
 * the registers and WIM marks the caller's window (CWP+1). */
"	.global flush_windows\n"
"flush_windows:\n"
"	save	%sp, -96, %sp\n"
"	.rept	7\n"
"	save	%sp, -96, %sp\n"
"	.endr\n"
"	.rept	7\n"
"	restore\n"
"	.endr\n"
"	rd	%psr, %i0\n"
"	and	%i0, 0x1f, %i0\n"
"	ret\n"
"	 restore\n"
"	.global rec_asm\n"
"rec_asm:\n"
"	save	%sp, -96, %sp\n"
"	cmp	%i0, 0\n"
"	be	1f\n"
"	 nop\n"
"	call	rec_asm\n"
"	 sub	%i0, 1, %o0\n"
"1:	ret\n"
"	 restore\n"
/* At CWP=c with every other window free and WIM=bit(c+1): mark c-1 invalid by
 * hand, SAVE (overflow: the handler spills c-2, a free window with a sane
 * %sp, and marks c-2), RESTORE (no trap), then put the WIM back. */
"	.global wim_overflow_once\n"
"wim_overflow_once:\n"
"	save	%sp, -96, %sp\n"
"	rd	%wim, %l7\n"
"	rd	%psr, %l0\n"
"	and	%l0, 0x1f, %l0\n"
"	add	%l0, 7, %l1\n"
"	and	%l1, 7, %l1\n"
"	mov	1, %l2\n"
"	sll	%l2, %l1, %l2\n"
"	wr	%l2, %wim\n"
"	nop\n"
"	nop\n"
"	nop\n"
"	save	%sp, -96, %sp\n"
"	rd	%wim, %l0\n"
"	restore	%l0, 0, %i0\n"
"	wr	%l7, %wim\n"
"	nop\n"
"	nop\n"
"	nop\n"
"	ret\n"
"	 restore\n"
"	.global get_wim\n"
"get_wim:\n"
"	retl\n"
"	 rd	%wim, %o0\n"
);

static __attribute__((noinline)) uint32_t ackermann(uint32_t m, uint32_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ackermann(m - 1, 1);
	uint32_t r = ackermann(m, n - 1);
	__asm__ volatile("" : "+r"(r));
	return ackermann(m - 1, r);
}

/* Every frame keeps values in locals and ins across the call; a bad spill or
 * fill changes the returned checksum. */
static __attribute__((noinline)) uint32_t deep(uint32_t n, uint32_t a, uint32_t b)
{
	if (n == 0)
		return a ^ b;
	uint32_t x = a * 3 + n, y = b ^ (n << 7), z = a + b + n;
	uint32_t r = deep(n - 1, x, y);
	__asm__ volatile("" : "+r"(r));
	return r + x + y * 5 + z * 7 + n;
}

static uint32_t deep_model(uint32_t n, uint32_t a, uint32_t b)
{
	/* the same function without recursion: walk down, then back up */
	static uint32_t xs[600], ys[600], zs[600];
	for (uint32_t i = n; i > 0; i--) {
		xs[i] = a * 3 + i;
		ys[i] = b ^ (i << 7);
		zs[i] = a + b + i;
		a = xs[i];
		b = ys[i];
	}
	uint32_t r = a ^ b;
	for (uint32_t i = 1; i <= n; i++)
		r = r + xs[i] + ys[i] * 5 + zs[i] * 7 + i;
	return r;
}

int main(void)
{
	/* cwp = main's window; flush_windows runs one window below */
	uint32_t cwp = (flush_windows() + 1) % NWINDOWS;
	check_eq("flush.wim_marks_caller", get_wim(), 1u << ((cwp + 1) % NWINDOWS));

	/* rec_asm(n) makes n+1 SAVEs; from a flushed state the first 6 fit in
	 * the free windows, every later one overflows, and each spilled frame
	 * is refilled once on the way back. */
	uint32_t o0 = win_overflows, u0 = win_underflows;
	flush_windows();
	o0 = win_overflows;
	u0 = win_underflows;
	rec_asm(5);
	check_eq("rec6.no_overflow", win_overflows - o0, 0);
	check_eq("rec6.no_underflow", win_underflows - u0, 0);
	flush_windows();
	o0 = win_overflows;
	u0 = win_underflows;
	rec_asm(6);
	check_eq("rec7.one_overflow", win_overflows - o0, 1);
	check_eq("rec7.one_underflow", win_underflows - u0, 1);
	flush_windows();
	o0 = win_overflows;
	u0 = win_underflows;
	rec_asm(100);
	check_eq("rec101.overflows", win_overflows - o0, 95);
	check_eq("rec101.underflows", win_underflows - u0, 95);

	/* flush_windows itself: 7 saves from a state with k free windows */
	flush_windows();
	o0 = win_overflows;
	u0 = win_underflows;
	flush_windows();
	check_eq("flush.overflows", win_overflows - o0, 2);
	check_eq("flush.underflows", win_underflows - u0, 2);

	/* a hand-written WIM makes the next SAVE trap */
	flush_windows();
	o0 = win_overflows;
	u0 = win_underflows;
	uint32_t wim_in_trap = wim_overflow_once();
	/* wim_overflow_once runs at CWP = cwp-1 and marks cwp-2; the handler
	 * spills cwp-3 and marks it */
	check_eq("wim.manual.overflow", win_overflows - o0, 1);
	check_eq("wim.manual.no_underflow", win_underflows - u0, 0);
	check_eq("wim.manual.rotated", wim_in_trap, 1u << ((cwp + NWINDOWS - 3) % NWINDOWS));
	check_eq("wim.restored", get_wim(), 1u << ((cwp + 1) % NWINDOWS));

	/* deep C recursion */
	o0 = win_overflows;
	check_eq("ackermann(2,3)", ackermann(2, 3), 9);
	check_eq("ackermann(3,4)", ackermann(3, 4), 125);
	check_eq("deep(500)", deep(500, 0x1234, 0x5678), deep_model(500, 0x1234, 0x5678));
	check_eq("deep.spilled", win_overflows - o0 >= 490, 1);
	check_eq("deep.balanced", win_overflows - win_underflows < NWINDOWS, 1);
	return 0;
}
