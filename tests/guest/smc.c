/* Self-modifying code: a routine in RAM runs, is rewritten by ordinary stores,
 * and runs again; the new code must run. With FLUSH, as the V8 manual asks
 * (6.3.4, FLUSH), and without it across a call (a taken control transfer),
 * as Linux and OpenBIOS rely on; and one page rewriting another. (Code that
 * rewrites its own next instructions is smc-next.c: QEMU differs there.)
 * The emulator sees the stores through the memory contract's code marks
 * (docs/memory.md): it never compares fetched words with decoded ones.
 * EXPECT-PASS: 5
 */
#include "guest.h"

#define SCRATCH		0x00280000u	/* RAM, page aligned, unused by the runtime */
#define PAGE		0x1000u

#define MOV_O0(imm)	(0x90102000u | ((imm) & 0xfff))	/* or %g0, imm, %o0 */
#define RETL		0x81c3e008u			/* jmpl %o7 + 8, %g0 */
#define NOP		0x01000000u
#define ST_O1_O0_4	0xd2222004u			/* st %o1, [%o0 + 4] */

/* Boot mode sends every instruction fetch to the PROM, so RAM code needs the
 * MMU on: identity-map RAM and the PROM/device window with region PTEs. */
#define CTX_TABLE	0x00270000u
#define L1_TABLE	0x00270400u
#define W(pa)		(*(volatile uint32_t *)(pa))

static void mmu_on(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		W(CTX_TABLE + 4 * i) = 0;
		W(L1_TABLE + 4 * i) = 0;
	}
	W(CTX_TABLE) = (L1_TABLE >> 4) | 1;				/* PTD */
	W(L1_TABLE + 4 * 0x00) = ((0x00000000u >> 12) << 8) | (3 << 2) | 2; /* RWX */
	W(L1_TABLE + 4 * 0x70) = ((0x70000000u >> 12) << 8) | (3 << 2) | 2;
	mmu_write(0x100, CTX_TABLE >> 4);
	mmu_write(0x200, 0);
	mmu_write(0x000, 1);
}

typedef uint32_t (*fn0)(void);
typedef uint32_t (*fn2)(uint32_t, uint32_t);

static inline void flush(volatile uint32_t *p)
{
	__asm__ volatile("flush %0" : : "r"(p) : "memory");
}

/* `return imm;` at p: mov imm, %o0 in retl's delay slot. */
static void put_return(volatile uint32_t *p, uint32_t imm)
{
	p[0] = RETL;
	p[1] = MOV_O0(imm);
	flush(p);
	flush(p + 1);
}

int main(void)
{
	volatile uint32_t *a = (volatile uint32_t *)SCRATCH;
	volatile uint32_t *b = (volatile uint32_t *)(SCRATCH + PAGE);
	volatile uint32_t *c = (volatile uint32_t *)(SCRATCH + 2 * PAGE);

	mmu_on();
	put_return(a, 1);
	check_eq("smc-first-run", ((fn0)a)(), 1);

	/* Rewrite the delay slot's immediate, FLUSH, run again. */
	a[1] = MOV_O0(2);
	flush(a + 1);
	check_eq("smc-with-flush", ((fn0)a)(), 2);

	/* The same without FLUSH: the call is a taken control transfer. */
	a[1] = MOV_O0(3);
	check_eq("smc-without-flush", ((fn0)a)(), 3);

	/* Several times in a row: each version runs exactly once. */
	uint32_t sum = 0;
	for (uint32_t i = 10; i < 20; i++) {
		a[1] = MOV_O0(i);
		sum += ((fn0)a)();
	}
	check_eq("smc-rewritten-in-a-loop", sum, 145);

	/* Code in one page rewriting a routine in another page, then calling it. */
	put_return(c, 7);
	(void)((fn0)c)();
	b[0] = ST_O1_O0_4;
	b[1] = RETL;
	b[2] = NOP;
	((fn2)b)((uint32_t)c - 4, MOV_O0(8)); /* stores to c[0]: mov 8 replaces retl */
	c[1] = RETL;
	c[2] = NOP;
	check_eq("smc-another-page", ((fn0)c)(), 8);

	guest_exit();
}
