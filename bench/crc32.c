/* Integer kernel: bitwise CRC-32 (poly 0xedb88320) over a 4 KiB buffer,
 * REPS times, chained.  Loads, shifts, logic, a tight counted branch.
 * Kernel instructions per call: 5 + 63 * len (see the listing below).
 * The expected CRC is zlib.crc32(buf * REPS) ^ 0xffffffff (no final xor).
 */
#include "bench.h"

#define LEN	4096
#define REPS	8000
#define EXPECT_CRC 0x89ed7d15	/* the Python model in the comment above */

uint32_t crc32_kernel(const uint8_t *buf, uint32_t len, uint32_t crc);
__asm__(
"	.text\n"
"	.global crc32_kernel\n"
"crc32_kernel:\n"
"	set	0xedb88320, %o5\n"	/* 2 */
"	add	%o0, %o1, %o4\n"	/* 1 */
"1:	ldub	[%o0], %g1\n"		/* per byte: 3 */
"	xor	%o2, %g1, %o2\n"
"	mov	8, %o3\n"
"2:	and	%o2, 1, %g1\n"		/* per bit: 7 */
"	srl	%o2, 1, %o2\n"
"	sub	%g0, %g1, %g1\n"
"	and	%g1, %o5, %g1\n"
"	subcc	%o3, 1, %o3\n"
"	bne	2b\n"
"	 xor	%o2, %g1, %o2\n"
"	add	%o0, 1, %o0\n"		/* per byte: 4 */
"	cmp	%o0, %o4\n"
"	bcs	1b\n"
"	 nop\n"
"	retl\n"				/* 2 */
"	 mov	%o2, %o0\n"
);

static uint8_t buf[LEN];

int main(void)
{
	uint32_t x = 1;
	for (int i = 0; i < LEN; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = x >> 16;
	}
	uint32_t crc = 0xffffffff;
	for (int r = 0; r < REPS; r++)
		crc = crc32_kernel(buf, LEN, crc);
	check_eq("crc32.value", crc, EXPECT_CRC);
	bench_report("crc32", REPS * (5 + 63 * LEN));
	return 0;
}
