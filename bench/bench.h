/* Tessera benchmarks: shared bits.  Each workload runs a kernel whose
 * executed instruction count is known by construction, checks its result
 * (PASS/FAIL), prints "BENCH <name> insns=<N>" and DONE.  bench/run.sh turns
 * N and the wall time of each emulator into MIPS. */
#ifndef BENCH_H
#define BENCH_H
#include "guest.h"

static inline void bench_report(const char *name, uint32_t insns)
{
	puts_("BENCH ");
	puts_(name);
	puts_(" insns=");
	putdec(insns);
	putch('\n');
}

/* Instructions one window overflow/underflow costs in crt0.S: the trapping
 * SAVE/RESTORE itself (it is issued twice: once trapping, once after the
 * handler; Tessera's -report-icount counts both), the 3 executed in the trap
 * table slot (rd, ba, delay nop) and the straight-line handler. */
extern char window_overflow[], window_overflow_end[];
extern char window_underflow[], window_underflow_end[];
static inline uint32_t overflow_insns(void)
{
	return 1 + 3 + (uint32_t)(window_overflow_end - window_overflow) / 4;
}
static inline uint32_t underflow_insns(void)
{
	return 1 + 3 + (uint32_t)(window_underflow_end - window_underflow) / 4;
}
#endif
