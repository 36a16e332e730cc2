/* SPDX-License-Identifier: MIT */
/*
 * The virtual clock. Armed timers sit in an array sorted by (deadline, sequence
 * number), so the next event is always element 0; a machine has a handful of
 * timers, and arming is rare next to the CPU asking for the next event.
 */
#include "clock.h"

#include <glib.h>
#include <string.h>

struct TesseraTimer {
    Clock *clock;
    TesseraTimerCb cb;
    void *opaque;
    uint64_t deadline_ns;
    uint64_t seq; /* arming order: breaks deadline ties deterministically */
    bool armed;
};

struct Clock {
    TesseraRunState *rs;
    TesseraTimer **armed; /* sorted by (deadline_ns, seq) */
    unsigned n_armed;
    unsigned cap_armed;
    GPtrArray *timers; /* every timer of this clock, freed with it */
    uint64_t next_seq;
};

Clock *clock_new(TesseraRunState *rs)
{
    Clock *clock = g_new0(Clock, 1);
    clock->rs = rs;
    clock->timers = g_ptr_array_new_with_free_func(g_free);
    return clock;
}

void clock_free(Clock *clock)
{
    if (!clock)
        return;
    g_ptr_array_free(clock->timers, TRUE);
    g_free(clock->armed);
    g_free(clock);
}

uint64_t clock_now_ns(const Clock *clock)
{
    return clock->rs->icount * TESSERA_NS_PER_INSN;
}

/* First icount at which icount * NS_PER_INSN >= deadline. */
static inline uint64_t clock_icount_for(uint64_t deadline_ns)
{
    return deadline_ns / TESSERA_NS_PER_INSN + (deadline_ns % TESSERA_NS_PER_INSN != 0);
}

static inline bool clock_before(const TesseraTimer *a, const TesseraTimer *b)
{
    return a->deadline_ns < b->deadline_ns || (a->deadline_ns == b->deadline_ns && a->seq < b->seq);
}

static void clock_unlink(TesseraTimer *timer)
{
    Clock *clock = timer->clock;
    for (unsigned i = 0; i < clock->n_armed; i++) {
        if (clock->armed[i] == timer) {
            memmove(&clock->armed[i], &clock->armed[i + 1],
                    (clock->n_armed - i - 1) * sizeof(clock->armed[0]));
            clock->n_armed--;
            break;
        }
    }
    timer->armed = false;
}

static void clock_link(TesseraTimer *timer)
{
    Clock *clock = timer->clock;
    if (clock->n_armed == clock->cap_armed) {
        clock->cap_armed = clock->cap_armed ? clock->cap_armed * 2 : 8;
        clock->armed = g_renew(TesseraTimer *, clock->armed, clock->cap_armed);
    }
    unsigned at = clock->n_armed;
    while (at > 0 && clock_before(timer, clock->armed[at - 1]))
        at--;
    memmove(&clock->armed[at + 1], &clock->armed[at],
            (clock->n_armed - at) * sizeof(clock->armed[0]));
    clock->armed[at] = timer;
    clock->n_armed++;
    timer->armed = true;
}

TesseraTimer *clock_timer_new(Clock *clock, TesseraTimerCb cb, void *opaque)
{
    TesseraTimer *timer = g_new0(TesseraTimer, 1);
    timer->clock = clock;
    timer->cb = cb;
    timer->opaque = opaque;
    g_ptr_array_add(clock->timers, timer);
    return timer;
}

void clock_timer_free(TesseraTimer *timer)
{
    if (!timer)
        return;
    if (timer->armed)
        clock_unlink(timer);
    g_ptr_array_remove_fast(timer->clock->timers, timer); /* frees it */
}

void clock_timer_mod(TesseraTimer *timer, uint64_t deadline_ns)
{
    Clock *clock = timer->clock;
    if (timer->armed)
        clock_unlink(timer);
    timer->deadline_ns = deadline_ns;
    timer->seq = clock->next_seq++;
    clock_link(timer);
    /* The CPU only looks at stop_at: make it stop in time for this event. */
    uint64_t due = clock_icount_for(deadline_ns);
    if (due < clock->rs->stop_at)
        clock->rs->stop_at = due;
}

void clock_timer_del(TesseraTimer *timer)
{
    if (timer->armed)
        clock_unlink(timer);
}

bool clock_timer_pending(const TesseraTimer *timer)
{
    return timer->armed;
}

uint64_t clock_next_event(const Clock *clock)
{
    return clock->n_armed ? clock_icount_for(clock->armed[0]->deadline_ns) : UINT64_MAX;
}

/*
 * Only timers armed before this call fire in it. A callback that re-arms a timer
 * at or before "now" (a zero period, say) has it fire on the next call instead of
 * looping here forever; stop_at has been lowered, so that call comes at once.
 */
void clock_run_expired(Clock *clock)
{
    uint64_t now = clock_now_ns(clock);
    uint64_t seq_limit = clock->next_seq;
    for (;;) {
        TesseraTimer *due = NULL;
        for (unsigned i = 0; i < clock->n_armed && clock->armed[i]->deadline_ns <= now; i++) {
            if (clock->armed[i]->seq < seq_limit) {
                due = clock->armed[i];
                break;
            }
        }
        if (!due)
            return;
        clock_unlink(due);
        due->cb(due->opaque, now);
    }
}

bool clock_skip_to_next(Clock *clock)
{
    if (clock->n_armed == 0)
        return false;
    uint64_t next = clock_next_event(clock);
    if (next > clock->rs->icount)
        clock->rs->icount = next;
    return true;
}
