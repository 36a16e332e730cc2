/* A guest that dirties memory at a steady pace, for the convergence test of live
 * migration (live.py): round after round it fills each page of a 2 MiB working
 * set with pseudo-random words (incompressible, so zstd cannot shrink them), does
 * some arithmetic between pages, and prints the round's checksum, which covers
 * what the previous round left in each page (a lost page shows). It never ends:
 * the test bounds it with -icount-limit. Everything it prints depends on the
 * instruction count only. */
#include "guest.h"

#define WORK_BASE 0x00200000u
#define WORK_PAGES 512u
#define PAGE_WORDS 1024u
#define SPIN 40000u /* iterations of arithmetic between two pages */

static uint32_t xorshift(uint32_t x)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

int main(void)
{
	for (uint32_t round = 1;; round++) {
		uint32_t sum = 0;
		for (uint32_t p = 0; p < WORK_PAGES; p++) {
			volatile uint32_t *page = (volatile uint32_t *)(WORK_BASE + p * 4096u);
			uint32_t x = round * 2654435761u ^ (p + 1);
			/* What the last round left here counts too: a page the
			 * migration lost or sent stale changes the checksum. */
			for (uint32_t w = 0; w < PAGE_WORDS; w += 64)
				sum += page[w] * (w + 1);
			for (uint32_t w = 0; w < PAGE_WORDS; w++) {
				x = xorshift(x);
				page[w] = x;
			}
			for (uint32_t i = 0; i < SPIN; i++)
				x = x * 1103515245u + 12345u;
			sum += x ^ page[p % PAGE_WORDS];
		}
		puts_("round ");
		putdec(round);
		puts_(" sum ");
		puthex(sum);
		puts_("\n");
	}
	return 0;
}
