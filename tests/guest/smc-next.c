/* Code that rewrites the instructions right after it, in its own page.
 * With FLUSH and five instructions between the store and the rewritten word,
 * the V8 manual (FLUSH, "up to five instructions") requires the new word to
 * run; Tessera also runs the new word when it is the very next instruction,
 * since a store to a decoded page invalidates it at once (docs/memory.md).
 * Tessera only: QEMU 7.2 keeps running the translation block it is in (SPARC
 * has no precise self-modifying-code support there), so it runs the old words.
 * EXPECT-PASS: 3
 */
#include "guest.h"

#define SCRATCH		0x00290000u
#define CTX_TABLE	0x00270000u
#define L1_TABLE	0x00270400u
#define W(pa)		(*(volatile uint32_t *)(pa))

#define MOV_O0(imm)	(0x90102000u | ((imm) & 0xfff))	/* or %g0, imm, %o0 */
#define RETL		0x81c3e008u
#define NOP		0x01000000u
#define FLUSH_O0_28	0x81da201cu			/* flush %o0 + 28 */
#define ST_O1_O0(off)	(0xd2222000u | (off))		/* st %o1, [%o0 + off] */

typedef uint32_t (*fn2)(uint32_t, uint32_t);

static void mmu_on(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		W(CTX_TABLE + 4 * i) = 0;
		W(L1_TABLE + 4 * i) = 0;
	}
	W(CTX_TABLE) = (L1_TABLE >> 4) | 1;
	W(L1_TABLE + 4 * 0x00) = ((0x00000000u >> 12) << 8) | (3 << 2) | 2;
	W(L1_TABLE + 4 * 0x70) = ((0x70000000u >> 12) << 8) | (3 << 2) | 2;
	mmu_write(0x100, CTX_TABLE >> 4);
	mmu_write(0x200, 0);
	mmu_write(0x000, 1);
}

static void flush_words(volatile uint32_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		__asm__ volatile("flush %0" : : "r"(p + i) : "memory");
}

int main(void)
{
	volatile uint32_t *p = (volatile uint32_t *)SCRATCH;
	mmu_on();

	/* st; mov 1 (rewritten to mov 5); retl; nop */
	p[0] = ST_O1_O0(4);
	p[1] = MOV_O0(1);
	p[2] = RETL;
	p[3] = NOP;
	flush_words(p, 4);
	check_eq("smc-next.very-next-instruction", ((fn2)p)(SCRATCH, MOV_O0(5)), 5);
	check_eq("smc-next.stays-rewritten", p[1], MOV_O0(5));

	/* st; flush; five nops; mov 1 (rewritten to mov 6); retl; nop */
	volatile uint32_t *q = p + 64;
	q[0] = ST_O1_O0(28);
	q[1] = FLUSH_O0_28;
	for (unsigned i = 2; i < 7; i++)
		q[i] = NOP;
	q[7] = MOV_O0(1);
	q[8] = RETL;
	q[9] = NOP;
	flush_words(q, 10);
	check_eq("smc-next.after-flush-and-five", ((fn2)q)((uint32_t)q, MOV_O0(6)), 6);

	guest_exit();
}
