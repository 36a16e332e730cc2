/* Memory kernel with the MMU on: 8 MiB of 4 KiB pages (VA 0x40000000 ->
 * PA 0x00400000, 2048 level-3 PTEs in 32 tables) walked with a 256-byte
 * stride, each step a load, an add and a store (R and M bits, TLB misses).
 * Kernel instructions per pass: 2 + 7 * (SIZE / STRIDE).
 * RAM is zero at power-on; EXPECT comes from running the same loop on the
 * host: uint32_t w[32768] = {0}, acc = 1;
 *       for (p < PASSES) for (j < 32768) { acc += w[j]; w[j] = acc; }
 */
#include "bench.h"

#define VA	0x40000000u
#define PA	0x00400000u
#define SIZE	(8u << 20)
#define STRIDE	256u
#define PASSES	2000
#define EXPECT	0x023b2a01u

#define CTX_TABLE 0x00200000u
#define L1	0x00201000u
#define L2	0x00201400u
#define L3	0x00210000u	/* 32 tables of 64 entries */
#define W(pa) (*(volatile uint32_t *)(pa))

uint32_t walk_kernel(uint32_t start, uint32_t end, uint32_t stride, uint32_t acc);
__asm__(
"	.text\n"
"	.global walk_kernel\n"
"walk_kernel:\n"
"1:	ld	[%o0], %g1\n"		/* per step: 7 */
"	add	%o3, %g1, %o3\n"
"	st	%o3, [%o0]\n"
"	add	%o0, %o2, %o0\n"
"	cmp	%o0, %o1\n"
"	bcs	1b\n"
"	 nop\n"
"	retl\n"				/* 2 */
"	 mov	%o3, %o0\n"
);

int main(void)
{
	for (uint32_t i = 0; i < 256; i++)
		W(CTX_TABLE + 4 * i) = W(L1 + 4 * i) = 0;
	W(L1 + 4 * 0x00) = (0x00000000 >> 4) | (3 << 2) | 2;	/* RAM, 16 MiB */
	W(L1 + 4 * 0x70) = (0x70000000 >> 4) | (3 << 2) | 2;	/* PROM, slavio */
	W(L1 + 4 * (VA >> 24)) = (L2 >> 4) | 1;
	for (uint32_t s = 0; s < 64; s++)
		W(L2 + 4 * s) = s < SIZE / 0x40000 ? ((L3 + 256 * s) >> 4) | 1 : 0;
	for (uint32_t p = 0; p < SIZE / 4096; p++)
		W(L3 + 4 * p) = (((PA + 4096 * p) >> 12) << 8) | (1 << 2) | 2;
	W(CTX_TABLE) = (L1 >> 4) | 1;
	mmu_write(0x100, CTX_TABLE >> 4);
	mmu_write(0x200, 0);
	mmu_write(0x000, 1);

	uint32_t acc = 1;
	for (int i = 0; i < PASSES; i++)
		acc = walk_kernel(VA, VA + SIZE, STRIDE, acc);
	mmu_write(0x000, 0);
	check_eq("memwalk.checksum", acc, EXPECT);
	check_eq("memwalk.modified_bit", W(L3 + 4 * 2047) & 0x60, 0x60);
	bench_report("memwalk", PASSES * (2 + 7 * (SIZE / STRIDE)));
	return 0;
}
