/* The program the gdb tests debug (tests/gdb/gdbtest.py): built -O0 -g so that
 * locals, frames and lines are what the source says. The values the sessions
 * check are fixed here: compute(5) = 2 * (1 + 2 + 3 + 4 + 5) = 30, `watched`
 * goes 0 -> 30 -> 31, and the spin loop runs until a debugger clears `spin` (or
 * SPIN_MAX rounds, so that a run without one ends too).
 */
#include "guest.h"

#define SPIN_MAX 0x80000000u

volatile uint32_t watched;
volatile uint32_t spin = 1;
uint32_t result;

__attribute__((noinline)) static uint32_t add(uint32_t a, uint32_t b)
{
	uint32_t sum = a + b;
	return sum * 2;
}

__attribute__((noinline)) static uint32_t compute(uint32_t n)
{
	uint32_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += add(i, 1);
	return total;
}

__attribute__((noinline)) static void spin_loop(void)
{
	for (uint32_t i = 0; spin && i < SPIN_MAX; i++)
		watched++;
}

/* A leaf with a branch and its delay slot, for stepi: %o0 = 7 in the slot. */
__attribute__((noinline)) static uint32_t delay_slot(void)
{
	uint32_t r;
	__asm__ volatile("ba 1f\n\t"
			 " mov 7, %0\n\t"
			 "mov 99, %0\n"
			 "1:\n"
			 : "=r"(r));
	return r;
}

int main(void)
{
	puts_("gdb target: start\n");
	result = compute(5);
	watched = result;
	watched = watched + 1;
	check_eq("gdb.compute", result, 30);
	check_eq("gdb.delay_slot", delay_slot(), 7);
	puts_("gdb target: spinning\n");
	spin_loop();
	puts_("gdb target: done\n");
	return 0;
}
