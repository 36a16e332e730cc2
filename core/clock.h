/* SPDX-License-Identifier: MIT */
/* The deterministic virtual clock: time is the count of retired guest instructions
 * times TESSERA_NS_PER_INSN. Timers fire at instruction boundaries, in deadline
 * order, ties in the order they were armed. */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H

#include <stdint.h>
#include <tessera/cpu.h>
#include <tessera/host.h>

typedef struct Clock Clock;

/* The clock reads and steers rs (icount, stop_at). */
Clock *clock_new(TesseraRunState *rs);
void clock_free(Clock *clock);

uint64_t clock_now_ns(const Clock *clock);

TesseraTimer *clock_timer_new(Clock *clock, TesseraTimerCb cb, void *opaque);
void clock_timer_free(TesseraTimer *timer);
/* Arm (or re-arm) for deadline_ns; lowers rs->stop_at when the deadline is sooner. */
void clock_timer_mod(TesseraTimer *timer, uint64_t deadline_ns);
void clock_timer_del(TesseraTimer *timer);
bool clock_timer_pending(const TesseraTimer *timer);

/* icount at which the earliest armed timer fires, or UINT64_MAX. */
uint64_t clock_next_event(const Clock *clock);
/* Fire every timer whose deadline is <= now, in order (callbacks may re-arm). */
void clock_run_expired(Clock *clock);
/* Halted CPU: advance icount to the next event (no-op if none). Returns false when
 * no timer is armed (the machine would sleep forever). */
bool clock_skip_to_next(Clock *clock);

#endif /* CORE_CLOCK_H */
