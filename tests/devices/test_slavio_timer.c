/* SPDX-License-Identifier: MIT */
/* slavio-timer: counter values at given virtual times, limit match and its IRQ,
 * free-running, the CPU counter's user-timer mode, state. The same suite runs
 * against 1.x and 2.x (PLUGIN_VERSION): the guest must not see a difference. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "fake_host.h"

#define LIMIT 0x00
#define COUNTER 0x04
#define LIMIT_NORST 0x08
#define RUN 0x0c
#define USER_MODE 0x10
#define REACHED 0x80000000u

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif

/* OpenBIOS's 10 ms tick: 20000 steps of 500 ns, the counter restarts after 19999. */
#define TICK_LIMIT 0x009c4000u
#define TICK_PERIOD_NS (19999ull * 500)

static FakeHost *fh;

static void setup(void)
{
    fh = fake_host_new(PLUGIN_PATH);
    fake_host_start(fh);
}

static void teardown(void)
{
    fake_host_free(fh);
}

TestSuite(slavio_timer, .init = setup, .fini = teardown);

static uint32_t rd(const char *r, uint64_t off)
{
    return (uint32_t)fake_read(fh, r, off, 4);
}

static void wr(const char *r, uint64_t off, uint32_t v)
{
    fake_write(fh, r, off, v, 4);
}

Test(slavio_timer, descriptor_names_the_version)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "slavio-timer");
    cr_assert_str_eq(d->version, PLUGIN_VERSION);
    cr_assert_str_eq(d->license, "MIT");
}

Test(slavio_timer, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(slavio_timer, regions_have_datasheet_sizes)
{
    cr_assert_eq(fake_region_size(fh, "system"), 0x14);
    cr_assert_eq(fake_region_size(fh, "cpu0"), 0x10);
}

Test(slavio_timer, counter_counts_microseconds_in_bits_30_10)
{
    fake_clock_set(fh, 10000); /* 10 us after reset */
    cr_assert_eq(rd("system", COUNTER), 10u << 10);
    fake_clock_set(fh, 10500);
    cr_assert_eq(rd("system", COUNTER), (10u << 10) | (1u << 9));
}

Test(slavio_timer, limit_write_restarts_the_count)
{
    fake_clock_set(fh, 50000);
    wr("system", LIMIT, TICK_LIMIT);
    cr_assert_eq(rd("system", COUNTER), 0);
    fake_clock_set(fh, 50000 + 3000);
    cr_assert_eq(rd("system", COUNTER), 3u << 10);
}

Test(slavio_timer, limit_reached_sets_bit_31_and_irq_at_the_period_end)
{
    fake_clock_set(fh, 1000);
    wr("system", LIMIT, TICK_LIMIT);
    fake_clock_set(fh, 1000 + TICK_PERIOD_NS - 1);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 0);
    cr_assert_eq(rd("system", COUNTER) & REACHED, 0);
    fake_clock_set(fh, 1000 + TICK_PERIOD_NS);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 1);
    cr_assert_eq(rd("system", COUNTER), REACHED); /* and the count starts again */
}

Test(slavio_timer, limit_read_clears_reached_and_irq)
{
    wr("system", LIMIT, TICK_LIMIT);
    fake_clock_advance(fh, TICK_PERIOD_NS);
    cr_assert_eq(rd("system", LIMIT), TICK_LIMIT);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 0);
    cr_assert_eq(rd("system", COUNTER) & REACHED, 0);
}

Test(slavio_timer, limit_match_repeats_every_period)
{
    wr("system", LIMIT, TICK_LIMIT);
    fake_clock_set(fh, TICK_PERIOD_NS);
    rd("system", LIMIT);
    fake_clock_set(fh, 2 * TICK_PERIOD_NS - 1);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 0);
    fake_clock_set(fh, 2 * TICK_PERIOD_NS);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 1);
    cr_assert_eq(fake_irq_raises(fh, "system", 0), 2);
}

Test(slavio_timer, cpu_counter_interrupts_on_its_own_line)
{
    wr("cpu0", LIMIT, TICK_LIMIT);
    fake_clock_set(fh, TICK_PERIOD_NS);
    cr_assert_eq(fake_irq_level(fh, "cpu0", 0), 1);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 0);
}

Test(slavio_timer, limit_zero_free_runs_without_irq_and_wraps)
{
    /* 0x3ffffe steps of 500 ns, then the counter is 0 again. */
    uint64_t wrap = 0x3ffffeull * 500;
    fake_clock_set(fh, wrap - 500);
    cr_assert_eq(rd("system", COUNTER), 0x7ffffa00u);
    fake_clock_set(fh, wrap);
    cr_assert_eq(rd("system", COUNTER), 0);
    fake_clock_set(fh, 3 * wrap);
    cr_assert_eq(fake_irq_raises(fh, "system", 0), 0);
    cr_assert_eq(fake_timers_armed(fh), 0);
}

Test(slavio_timer, limit_without_reset_keeps_the_count)
{
    fake_clock_set(fh, 7000);
    wr("system", LIMIT_NORST, TICK_LIMIT);
    cr_assert_eq(rd("system", COUNTER), 7u << 10);
    cr_assert_eq(rd("system", LIMIT), TICK_LIMIT);
}

Test(slavio_timer, user_mode_counts_64_bits_without_irq)
{
    wr("system", USER_MODE, 1);
    cr_assert_eq(rd("system", USER_MODE), 1);
    uint64_t t0 = fake_clock_ns(fh);
    fake_clock_set(fh, t0 + 4000);
    cr_assert_eq(rd("cpu0", COUNTER), 4u << 10);
    cr_assert_eq(rd("cpu0", LIMIT), 0); /* high word */
    fake_clock_set(fh, t0 + 10ull * 1000 * 1000 * 1000);
    cr_assert_eq(fake_irq_raises(fh, "cpu0", 0), 0);
}

Test(slavio_timer, user_mode_stop_freezes_and_start_resumes)
{
    wr("system", USER_MODE, 1);
    fake_clock_set(fh, 2000);
    wr("cpu0", RUN, 0);
    cr_assert_eq(rd("cpu0", RUN), 0);
    fake_clock_set(fh, 9000);
    cr_assert_eq(rd("cpu0", COUNTER), 2u << 10);
    wr("cpu0", RUN, 1);
    fake_clock_set(fh, 10000);
    cr_assert_eq(rd("cpu0", COUNTER), 3u << 10);
}

Test(slavio_timer, user_mode_loads_high_and_low_words)
{
    wr("system", USER_MODE, 1);
    wr("cpu0", RUN, 0);
    wr("cpu0", LIMIT, 0x12);
    wr("cpu0", COUNTER, 0x34567a00);
    cr_assert_eq(rd("cpu0", LIMIT), 0x12);
    cr_assert_eq(rd("cpu0", COUNTER), 0x34567a00);
}

Test(slavio_timer, leaving_user_mode_free_runs_from_zero)
{
    wr("system", USER_MODE, 1);
    fake_clock_set(fh, 5000);
    wr("system", USER_MODE, 0);
    fake_clock_set(fh, 6000);
    cr_assert_eq(rd("cpu0", COUNTER), 1u << 10);
}

Test(slavio_timer, reset_stops_limits_and_lowers_irqs)
{
    wr("system", LIMIT, TICK_LIMIT);
    fake_clock_set(fh, TICK_PERIOD_NS);
    fake_host_reset(fh);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 0);
    cr_assert_eq(rd("system", LIMIT), 0);
    cr_assert_eq(fake_timers_armed(fh), 0);
}

Test(slavio_timer, unknown_write_is_ignored_and_logged)
{
    unsigned before = fake_log_count(fh, TESSERA_LOG_DEBUG);
    wr("system", COUNTER, 0x1234);
    cr_assert_eq(fake_log_count(fh, TESSERA_LOG_DEBUG), before + 1);
    cr_assert_eq(rd("system", COUNTER), 0);
}

Test(slavio_timer, state_restores_counts_and_rearms_the_limit_event)
{
    wr("system", LIMIT, TICK_LIMIT);
    wr("cpu0", LIMIT, TICK_LIMIT);
    fake_clock_set(fh, TICK_PERIOD_NS); /* cpu0 and system reach; leave cpu0 asserted */
    rd("system", LIMIT);
    fake_clock_set(fh, TICK_PERIOD_NS + 2500);
    uint32_t count = rd("system", COUNTER);

    size_t n = fake_state_save(fh, NULL, 0);
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(fh, buf, n), n);
    fake_host_reset(fh);
    cr_assert_eq(fake_irq_level(fh, "cpu0", 0), 0);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    free(buf);

    cr_assert_eq(rd("system", COUNTER), count);
    cr_assert_eq(fake_irq_level(fh, "cpu0", 0), 1);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 0);
    fake_clock_set(fh, 2 * TICK_PERIOD_NS);
    cr_assert_eq(fake_irq_level(fh, "system", 0), 1);
}
