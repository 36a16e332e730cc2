/* SPDX-License-Identifier: MIT */
/*
 * The SLAVIO counter arithmetic, shared by every version of the slavio-timer plugin
 * (v1/ and v2/ differ in their state layout, not in what the guest sees).
 * Facts: shared/reference/ss5.md, "Timers (slavio)".
 *
 * A counter advances every 500 ns in bits 30:9 (so bits 30:10 count microseconds);
 * bit 31 says the limit was reached. With a non-zero limit L the counter runs
 * 0 .. L over (L >> 9) - 1 ticks, then starts again at 0, sets bit 31 and raises
 * its IRQ; reading the limit register clears both. Limit 0 free-runs through the
 * whole 31-bit range without an IRQ. Nothing ticks: a counter is the virtual time
 * elapsed since the start of its period, computed when read.
 *
 * A CPU's counter can instead be a 54-bit "user timer" (system register +0x10 bit n
 * for CPU n): +0 and +4 are its high and low words, +0xc starts and stops it, no IRQ.
 */
#ifndef SLAVIO_COUNTER_H
#define SLAVIO_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

/* Registers of each counter: region "system" (0x14 bytes), regions "cpuN" (0x10). */
#define TIMER_LIMIT 0x00       /* counter: limit, read clears reached+IRQ; user: count 62:32 */
#define TIMER_COUNTER 0x04     /* counter: count | reached; user: count 31:9 */
#define TIMER_LIMIT_NORST 0x08 /* limit without restarting the count */
#define TIMER_RUN 0x0c         /* CPU counter: user timer start (1) / stop (0) */
#define TIMER_USER_MODE 0x10   /* system only: bit n = CPU n's counter is a user timer */
#define SYSTEM_SIZE 0x14
#define CPU_SIZE 0x10

#define COUNT_MASK32 0x7ffffe00u                   /* limit and counter bits */
#define COUNT_MASK64 UINT64_C(0x7ffffffffffffe00) /* user timer bits */
#define REACHED 0x80000000u
#define TICK_NS 500 /* one step of bit 9 */
#define TICK_SHIFT 9

/* Ticks of one period: the counter wraps to 0 after this many. */
static inline uint64_t slavio_period_ticks(uint32_t limit)
{
    uint64_t ticks = (uint64_t)((limit ? limit : COUNT_MASK32) >> TICK_SHIFT);
    return ticks > 1 ? ticks - 1 : 1;
}

/* Moves *start_ns to the start of the period running at `now`; whether a period
 * ended (a limit match, when the limit is not 0). */
static inline bool slavio_catch_up(uint64_t *start_ns, uint32_t limit, uint64_t now)
{
    uint64_t period_ns = slavio_period_ticks(limit) * TICK_NS;
    if (now < *start_ns + period_ns)
        return false;
    *start_ns += (now - *start_ns) / period_ns * period_ns;
    return true;
}

/* The counter register's count bits at `now`, for a period that began at start_ns. */
static inline uint32_t slavio_count(uint64_t start_ns, uint32_t limit, uint64_t now)
{
    uint64_t ticks = (now - start_ns) / TICK_NS % slavio_period_ticks(limit);
    return (uint32_t)(ticks << TICK_SHIFT) & COUNT_MASK32;
}

/* A user timer's count at `now`: `base` when loaded at start_ns, advancing if running. */
static inline uint64_t slavio_user_count(uint64_t base, bool run, uint64_t start_ns, uint64_t now)
{
    if (run)
        base += ((now - start_ns) / TICK_NS) << TICK_SHIFT;
    return base & COUNT_MASK64;
}

#endif /* SLAVIO_COUNTER_H */
