/* The C smoke test: console output, deep recursion through the window
 * overflow/underflow handlers, .data/.bss set up by crt0, power-off.
 * Also built as an ELF for `tessera -bios hello.elf`.
 * EXPECT-PASS: 5
 */
#include "guest.h"

static int initialised = 1234;	/* .data: copied from the PROM image */
static int zeroed;		/* .bss */

static __attribute__((noinline)) uint32_t sum_down(uint32_t n)
{
	if (n == 0)
		return 0;
	uint32_t r = sum_down(n - 1);
	__asm__ volatile("" : "+r"(r));	/* keep GCC from turning this into a loop */
	return n + r;
}

static __attribute__((noinline)) uint32_t fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(void)
{
	puts_("hello from a tessera guest\n");
	check_eq("hello.data", initialised, 1234);
	check_eq("hello.bss", zeroed, 0);
	check_eq("hello.recursion", sum_down(200), 200 * 201 / 2);
	check_eq("hello.fib", fib(20), 6765);
	check_eq("hello.windows_spilled", win_overflows >= 190 && win_underflows >= 190, 1);
	return 0;
}
