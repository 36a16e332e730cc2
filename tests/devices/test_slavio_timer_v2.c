/* SPDX-License-Identifier: MIT */
/* slavio-timer 2.x beyond what 1.x does: a counter per CPU (property `cpus`), the
 * user-mode bit of each, and the checks its post_load makes on a loaded state.
 * Built together with test_slavio_timer.c, which covers the behaviour both share. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "fake_host.h"

#define LIMIT 0x00
#define COUNTER 0x04
#define RUN 0x0c
#define USER_MODE 0x10
#define REACHED 0x80000000u
#define LIMIT_100US (100u << 10) /* 199 ticks of 500 ns */
#define PERIOD_100US_NS (199ull * 500)

static FakeHost *two_cpus(void)
{
    FakeHost *fh = fake_host_new(PLUGIN_PATH);
    fake_host_set_prop(fh, "cpus", "2");
    fake_host_start(fh);
    return fh;
}

static uint32_t rd(FakeHost *fh, const char *r, uint64_t off)
{
    return (uint32_t)fake_read(fh, r, off, 4);
}

Test(slavio_timer_v2, one_cpu_by_default)
{
    FakeHost *fh = fake_host_new(PLUGIN_PATH);
    fake_host_start(fh);
    cr_assert_eq(fake_region_size(fh, "cpu0"), 0x10);
    cr_assert_eq(fake_region_size(fh, "cpu1"), 0);
    fake_write(fh, "system", USER_MODE, 0x3, 4);
    cr_assert_eq(rd(fh, "system", USER_MODE), 0x1, "bit 1 names a CPU that is not there");
    fake_host_free(fh);
}

Test(slavio_timer_v2, each_cpu_has_its_counter_and_irq)
{
    FakeHost *fh = two_cpus();
    cr_assert_eq(fake_region_size(fh, "cpu1"), 0x10);
    fake_write(fh, "cpu1", LIMIT, LIMIT_100US, 4);
    fake_clock_set(fh, PERIOD_100US_NS);
    cr_assert_eq(fake_irq_level(fh, "cpu1", 0), 1);
    cr_assert_eq(fake_irq_level(fh, "cpu0", 0), 0, "CPU 0's counter has no limit");
    cr_assert_eq(rd(fh, "cpu1", COUNTER) & REACHED, REACHED);
    cr_assert_eq(rd(fh, "cpu1", LIMIT), LIMIT_100US);
    cr_assert_eq(fake_irq_level(fh, "cpu1", 0), 0);
    fake_host_free(fh);
}

Test(slavio_timer_v2, user_mode_bit_per_cpu)
{
    FakeHost *fh = two_cpus();
    fake_write(fh, "system", USER_MODE, 0x2, 4); /* CPU 1 only */
    fake_clock_set(fh, 1000000);
    cr_assert_eq(rd(fh, "cpu1", COUNTER), (1000000 / 500) << 9, "CPU 1 counts as a user timer");
    cr_assert_eq(rd(fh, "cpu0", COUNTER), (1000000 / 500) << 9, "CPU 0 free-runs from 0 too");
    fake_write(fh, "cpu1", RUN, 0, 4);
    fake_clock_set(fh, 3000000);
    cr_assert_eq(rd(fh, "cpu1", COUNTER), (1000000 / 500) << 9, "stopped: frozen");
    cr_assert_neq(rd(fh, "cpu0", COUNTER), (1000000 / 500) << 9);
    cr_assert_eq(rd(fh, "system", USER_MODE), 0x2);
    fake_host_free(fh);
}

Test(slavio_timer_v2, cpus_property_is_checked)
{
    static const char *const bad[] = { "0", "5", "two", "" };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FakeHost *fh = fake_host_new(PLUGIN_PATH);
        fake_host_set_prop(fh, "cpus", bad[i]);
        char err[256] = "";
        cr_assert_neq(fake_host_try_init(fh, err, sizeof(err)), 0, "cpus=%s accepted", bad[i]);
        cr_assert(strstr(err, "property cpus") != NULL, "%s", err);
        fake_host_free(fh);
    }
}

Test(slavio_timer_v2, state_of_another_cpu_count_is_refused)
{
    FakeHost *two = two_cpus();
    FakeHost *one = fake_host_new(PLUGIN_PATH);
    fake_host_start(one);
    size_t n = fake_state_save(two, NULL, 0);
    cr_assert_eq(fake_state_save(one, NULL, 0), n, "the layout does not depend on cpus");
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(two, buf, n), n);
    cr_assert_eq(fake_state_load(one, buf, n), -1, "a 2-CPU state loaded into a 1-CPU timer");
    cr_assert_eq(fake_state_load(two, buf, n), 0);
    free(buf);
    fake_host_free(one);
    fake_host_free(two);
}
