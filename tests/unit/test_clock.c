/* SPDX-License-Identifier: MIT */
/* The virtual clock: time from icount, timer order, stop_at steering. */
#include <criterion/criterion.h>
#include <string.h>

#include "clock.h"

static TesseraRunState rs;
static Clock *clock_;

/* Each firing appends the timer's tag, so tests can check the order. */
static char fired[64];
static uint64_t fired_at[16];
static unsigned n_fired;

static void record(void *opaque, uint64_t now_ns)
{
    const char *tag = opaque;
    strcat(fired, tag);
    if (n_fired < 16)
        fired_at[n_fired] = now_ns;
    n_fired++;
}

static void setup(void)
{
    memset(&rs, 0, sizeof(rs));
    rs.stop_at = UINT64_MAX;
    fired[0] = '\0';
    n_fired = 0;
    clock_ = clock_new(&rs);
}

static void teardown(void)
{
    clock_free(clock_);
}

TestSuite(clock, .init = setup, .fini = teardown);

Test(clock, time_is_instructions_times_ns_per_insn)
{
    rs.icount = 1234;
    cr_assert_eq(clock_now_ns(clock_), 1234 * TESSERA_NS_PER_INSN);
}

Test(clock, timer_fires_at_the_first_instruction_reaching_its_deadline)
{
    TesseraTimer *t = clock_timer_new(clock_, record, "a");
    clock_timer_mod(t, 95); /* 9.5 instructions: due at icount 10 */
    cr_assert_eq(clock_next_event(clock_), 10);

    rs.icount = 9;
    clock_run_expired(clock_);
    cr_assert_eq(n_fired, 0);
    cr_assert(clock_timer_pending(t));

    rs.icount = 10;
    clock_run_expired(clock_);
    cr_assert_str_eq(fired, "a");
    cr_assert_eq(fired_at[0], 100);
    cr_assert_not(clock_timer_pending(t));
}

Test(clock, timers_fire_in_deadline_order)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    TesseraTimer *b = clock_timer_new(clock_, record, "b");
    TesseraTimer *c = clock_timer_new(clock_, record, "c");
    clock_timer_mod(a, 300);
    clock_timer_mod(b, 100);
    clock_timer_mod(c, 200);
    rs.icount = 100;
    clock_run_expired(clock_);
    cr_assert_str_eq(fired, "bca");
}

Test(clock, equal_deadlines_fire_in_arming_order)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    TesseraTimer *b = clock_timer_new(clock_, record, "b");
    TesseraTimer *c = clock_timer_new(clock_, record, "c");
    clock_timer_mod(c, 500);
    clock_timer_mod(a, 500);
    clock_timer_mod(b, 500);
    clock_timer_mod(c, 500); /* re-arming moves c behind the others */
    rs.icount = 50;
    clock_run_expired(clock_);
    cr_assert_str_eq(fired, "abc");
}

Test(clock, deleted_timer_does_not_fire)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    clock_timer_mod(a, 10);
    clock_timer_del(a);
    cr_assert_not(clock_timer_pending(a));
    cr_assert_eq(clock_next_event(clock_), UINT64_MAX);
    rs.icount = 100;
    clock_run_expired(clock_);
    cr_assert_eq(n_fired, 0);
}

Test(clock, re_arming_replaces_the_old_deadline)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    clock_timer_mod(a, 100);
    clock_timer_mod(a, 1000);
    cr_assert_eq(clock_next_event(clock_), 100);
    rs.icount = 50;
    clock_run_expired(clock_);
    cr_assert_eq(n_fired, 0);
}

/* A periodic timer: re-arms itself one period after its deadline. */
typedef struct Periodic {
    TesseraTimer *timer;
    uint64_t deadline, period;
    unsigned ticks;
} Periodic;

static void periodic_tick(void *opaque, uint64_t now_ns)
{
    Periodic *p = opaque;
    p->ticks++;
    p->deadline += p->period;
    clock_timer_mod(p->timer, p->deadline);
}

Test(clock, callback_may_re_arm_its_own_timer)
{
    Periodic p = { .deadline = 1000, .period = 1000 };
    p.timer = clock_timer_new(clock_, periodic_tick, &p);
    clock_timer_mod(p.timer, p.deadline);

    rs.icount = 100;
    clock_run_expired(clock_);
    cr_assert_eq(p.ticks, 1);
    cr_assert(clock_timer_pending(p.timer));
    cr_assert_eq(clock_next_event(clock_), 200);
}

Test(clock, timer_re_armed_in_the_past_fires_on_the_next_run_not_in_a_loop)
{
    Periodic p = { .deadline = 100, .period = 0 };
    p.timer = clock_timer_new(clock_, periodic_tick, &p);
    clock_timer_mod(p.timer, p.deadline);
    rs.icount = 10;
    clock_run_expired(clock_);
    cr_assert_eq(p.ticks, 1);
    clock_run_expired(clock_);
    cr_assert_eq(p.ticks, 2);
}

/* One callback arms another timer that is already due. */
static TesseraTimer *chained;

static void arm_chained(void *opaque, uint64_t now_ns)
{
    record(opaque, now_ns);
    clock_timer_mod(chained, now_ns);
}

Test(clock, timer_armed_by_a_callback_for_now_fires_on_the_next_run)
{
    TesseraTimer *a = clock_timer_new(clock_, arm_chained, "a");
    chained = clock_timer_new(clock_, record, "b");
    clock_timer_mod(a, 10);
    rs.icount = 1;
    clock_run_expired(clock_);
    cr_assert_str_eq(fired, "a");
    cr_assert_leq(rs.stop_at, rs.icount, "the CPU must come back at once");
    clock_run_expired(clock_);
    cr_assert_str_eq(fired, "ab");
}

Test(clock, arming_an_earlier_event_lowers_stop_at)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    rs.stop_at = 1000;
    clock_timer_mod(a, 5000); /* icount 500 */
    cr_assert_eq(rs.stop_at, 500);
}

Test(clock, arming_a_later_event_leaves_stop_at_alone)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    rs.stop_at = 1000;
    clock_timer_mod(a, 20000);
    cr_assert_eq(rs.stop_at, 1000);
}

Test(clock, skip_to_next_advances_icount_to_the_next_event)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    TesseraTimer *b = clock_timer_new(clock_, record, "b");
    rs.icount = 7;
    clock_timer_mod(a, 90000);
    clock_timer_mod(b, 12345);
    cr_assert(clock_skip_to_next(clock_));
    cr_assert_eq(rs.icount, 1235);
    clock_run_expired(clock_);
    cr_assert_str_eq(fired, "b");
}

Test(clock, skip_to_next_with_nothing_armed_reports_false)
{
    rs.icount = 7;
    cr_assert_not(clock_skip_to_next(clock_));
    cr_assert_eq(rs.icount, 7);
}

Test(clock, skip_to_next_never_moves_time_backwards)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    rs.icount = 100;
    clock_timer_mod(a, 10);
    cr_assert(clock_skip_to_next(clock_));
    cr_assert_eq(rs.icount, 100);
}

Test(clock, freed_timer_leaves_the_queue)
{
    TesseraTimer *a = clock_timer_new(clock_, record, "a");
    clock_timer_mod(a, 10);
    clock_timer_free(a);
    cr_assert_eq(clock_next_event(clock_), UINT64_MAX);
}
