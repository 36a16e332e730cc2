/* Call-heavy kernel: doubly recursive Fibonacci in assembly, every call a
 * SAVE/RESTORE pair, so the recursion keeps spilling and refilling register
 * windows through crt0's overflow/underflow handlers.
 * Kernel instructions: a leaf call (n < 2) executes 6, any other call 12;
 * fib(n) makes fib(n+1) leaf calls and fib(n+1)-1 others; plus each window
 * trap's cost (bench.h), the traps counted by crt0.
 */
#include "bench.h"

#define N	34
#define EXPECT	5702887		/* fib(34) */

uint32_t fib_kernel(uint32_t n);
__asm__(
"	.text\n"
"	.global fib_kernel\n"
"fib_kernel:\n"
"	save	%sp, -96, %sp\n"
"	cmp	%i0, 2\n"
"	bl	1f\n"
"	 nop\n"
"	call	fib_kernel\n"
"	 sub	%i0, 1, %o0\n"
"	mov	%o0, %l0\n"
"	call	fib_kernel\n"
"	 sub	%i0, 2, %o0\n"
"	add	%l0, %o0, %i0\n"
"1:	ret\n"
"	 restore\n"
);

int main(void)
{
	uint32_t f0 = 0, f1 = 1;	/* fib(N+1) for the count */
	for (int i = 0; i < N + 1; i++) {
		uint32_t t = f0 + f1;
		f0 = f1;
		f1 = t;
	}
	uint32_t leaves = f0;
	uint32_t o0 = win_overflows, u0 = win_underflows;
	uint32_t r = fib_kernel(N);
	uint32_t ovf = win_overflows - o0, unf = win_underflows - u0;
	check_eq("fib.value", r, EXPECT);
	check_eq("fib.windows_trapped", ovf > 1000 && unf > 1000, 1);
	bench_report("fib", 6 * leaves + 12 * (leaves - 1) +
		     ovf * overflow_insns() + unf * underflow_insns());
	return 0;
}
