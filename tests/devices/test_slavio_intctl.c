/* SPDX-License-Identifier: MIT */
/* slavio-intctl: master mask and pending registers, routing to CPU 0's interrupt
 * request lines, soft interrupts, direct lines, state. */
#include <criterion/criterion.h>
#include <string.h>

#include "fake_host.h"

#define MASTER_PENDING 0x00
#define MASTER_MASK 0x04
#define MASTER_CLEAR 0x08
#define MASTER_SET 0x0c
#define MASTER_TARGET 0x10
#define CPU_PENDING 0x00
#define CPU_CLEAR 0x04
#define CPU_SET 0x08

#define SRC_TIMER 19 /* system timer: PIL 10 */
#define SRC_SERIAL 15 /* PIL 12 */
#define SRC_POWER 30  /* PIL 15 */

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

TestSuite(slavio_intctl, .init = setup, .fini = teardown);

static uint32_t master(uint64_t off)
{
    return (uint32_t)fake_read(fh, "master", off, 4);
}

static void master_w(uint64_t off, uint32_t v)
{
    fake_write(fh, "master", off, v, 4);
}

static uint32_t cpu(uint64_t off)
{
    return (uint32_t)fake_read(fh, "cpu0", off, 4);
}

static void cpu_w(uint64_t off, uint32_t v)
{
    fake_write(fh, "cpu0", off, v, 4);
}

/* Bitmask of the high irl lines. */
static uint32_t irl(void)
{
    uint32_t v = 0;
    for (unsigned n = 0; n < 16; n++)
        if (fake_irq_level(fh, "irl", n))
            v |= 1u << n;
    return v;
}

Test(slavio_intctl, descriptor_names_plugin_and_version)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "slavio-intctl");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(slavio_intctl, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(slavio_intctl, regions_have_datasheet_sizes)
{
    cr_assert_eq(fake_region_size(fh, "master"), 0x14);
    cr_assert_eq(fake_region_size(fh, "cpu0"), 0x10);
}

Test(slavio_intctl, reset_leaves_nothing_pending_and_absent_sources_read_as_enabled)
{
    cr_assert_eq(master(MASTER_PENDING), 0);
    cr_assert_eq(master(MASTER_MASK), 0);
    cr_assert_eq(cpu(CPU_PENDING), 0);
    cr_assert_eq(irl(), 0);
}

Test(slavio_intctl, source_raises_its_level_on_cpu0)
{
    fake_irq_input(fh, "in", SRC_TIMER, 1);
    cr_assert_eq(master(MASTER_PENDING), 1u << SRC_TIMER);
    cr_assert_eq(irl(), 1u << 10);
    cr_assert_eq(cpu(CPU_PENDING) & (1u << 10), 1u << 10);
    fake_irq_input(fh, "in", SRC_TIMER, 0);
    cr_assert_eq(irl(), 0);
    cr_assert_eq(master(MASTER_PENDING), 0);
}

Test(slavio_intctl, disabled_source_stays_pending_but_does_not_interrupt)
{
    master_w(MASTER_SET, 1u << SRC_SERIAL);
    cr_assert_eq(master(MASTER_MASK), 1u << SRC_SERIAL);
    fake_irq_input(fh, "in", SRC_SERIAL, 1);
    cr_assert_eq(master(MASTER_PENDING), 1u << SRC_SERIAL);
    cr_assert_eq(irl(), 0);
    master_w(MASTER_CLEAR, 1u << SRC_SERIAL);
    cr_assert_eq(master(MASTER_MASK), 0);
    cr_assert_eq(irl(), 1u << 12);
}

Test(slavio_intctl, absent_sources_can_never_be_enabled)
{
    master_w(MASTER_CLEAR, 0xffffffffu);
    fake_irq_input(fh, "in", 0, 1); /* bit 0 (level 2) is one of 0x0fa2007f */
    cr_assert_eq(master(MASTER_PENDING), 1u);
    cr_assert_eq(irl(), 0);
}

Test(slavio_intctl, master_disable_bit_blocks_hard_and_direct_interrupts)
{
    fake_irq_input(fh, "in", SRC_TIMER, 1);
    fake_irq_input(fh, "cpu0", 14, 1);
    cr_assert_eq(irl(), (1u << 10) | (1u << 14));
    master_w(MASTER_SET, 0x80000000u);
    cr_assert_eq(master(MASTER_MASK), 0x80000000u);
    cr_assert_eq(irl(), 0);
    master_w(MASTER_CLEAR, 0x80000000u);
    cr_assert_eq(irl(), (1u << 10) | (1u << 14));
}

Test(slavio_intctl, soft_interrupt_bit_n_plus_16_requests_level_n)
{
    cpu_w(CPU_SET, 1u << (16 + 5));
    cr_assert_eq(cpu(CPU_PENDING), 1u << 21);
    cr_assert_eq(irl(), 1u << 5);
    cpu_w(CPU_CLEAR, 1u << 21);
    cr_assert_eq(cpu(CPU_PENDING), 0);
    cr_assert_eq(irl(), 0);
}

Test(slavio_intctl, soft_interrupts_are_not_blocked_by_master_disable)
{
    master_w(MASTER_SET, 0x80000000u);
    cpu_w(CPU_SET, 1u << (16 + 1));
    cr_assert_eq(irl(), 1u << 1);
}

Test(slavio_intctl, cpu_timer_line_shows_as_pending_bit_14)
{
    fake_irq_input(fh, "cpu0", 14, 1);
    cr_assert_eq(cpu(CPU_PENDING), 1u << 14);
    cr_assert_eq(irl(), 1u << 14);
    fake_irq_input(fh, "cpu0", 14, 0);
    cr_assert_eq(cpu(CPU_PENDING), 0);
    cr_assert_eq(irl(), 0);
}

Test(slavio_intctl, other_target_cpu_takes_hard_interrupts_away_from_cpu0)
{
    fake_irq_input(fh, "in", SRC_TIMER, 1);
    master_w(MASTER_TARGET, 1);
    cr_assert_eq(master(MASTER_TARGET), 1);
    cr_assert_eq(irl(), 0);
    master_w(MASTER_TARGET, 0);
    cr_assert_eq(irl(), 1u << 10);
}

Test(slavio_intctl, level_15_sources_reach_the_cpu_even_when_masked)
{
    master_w(MASTER_SET, 1u << SRC_POWER);
    fake_irq_input(fh, "in", SRC_POWER, 1);
    cr_assert_eq(irl(), 1u << 15);
    cr_assert_eq(cpu(CPU_PENDING) & (1u << 15), 1u << 15);
}

Test(slavio_intctl, level_15_stays_while_any_level_15_source_is_high)
{
    master_w(MASTER_TARGET, 1); /* CPU 1 takes the other levels: only the broadcast is left */
    fake_irq_input(fh, "in", 28, 1);
    fake_irq_input(fh, "in", 29, 1);
    fake_irq_input(fh, "in", 29, 0);
    cr_assert_eq(master(MASTER_PENDING) & (1u << 28), 1u << 28);
    cr_assert_eq(cpu(CPU_PENDING) & (1u << 15), 1u << 15);
    cr_assert_eq(irl(), 1u << 15);
    fake_irq_input(fh, "in", 28, 0);
    cr_assert_eq(cpu(CPU_PENDING) & (1u << 15), 0);
    cr_assert_eq(irl(), 0);
}

Test(slavio_intctl, sources_without_a_level_are_ignored)
{
    fake_irq_input(fh, "in", 23, 1);
    cr_assert_eq(master(MASTER_PENDING), 0);
    cr_assert_eq(irl(), 0);
}

Test(slavio_intctl, highest_request_is_visible_with_several_levels)
{
    fake_irq_input(fh, "in", SRC_TIMER, 1);
    fake_irq_input(fh, "in", SRC_SERIAL, 1);
    cr_assert_eq(irl(), (1u << 10) | (1u << 12));
}

Test(slavio_intctl, reset_drops_masks_and_soft_interrupts)
{
    master_w(MASTER_SET, 1u << SRC_SERIAL);
    cpu_w(CPU_SET, 1u << 20);
    fake_host_reset(fh);
    cr_assert_eq(master(MASTER_MASK), 0);
    cr_assert_eq(cpu(CPU_PENDING), 0);
    cr_assert_eq(irl(), 0);
}

Test(slavio_intctl, unknown_register_reads_zero_and_logs_debug)
{
    unsigned before = fake_log_count(fh, TESSERA_LOG_DEBUG);
    cr_assert_eq(cpu(0x0c), 0);
    cr_assert_eq(fake_log_count(fh, TESSERA_LOG_DEBUG), before + 1);
}

Test(slavio_intctl, state_restores_registers_and_irl_lines)
{
    master_w(MASTER_SET, 1u << SRC_SERIAL);
    fake_irq_input(fh, "in", SRC_TIMER, 1);
    fake_irq_input(fh, "in", SRC_SERIAL, 1);
    cpu_w(CPU_SET, 1u << (16 + 3));
    uint32_t pending = master(MASTER_PENDING), mask = master(MASTER_MASK);
    uint32_t cpup = cpu(CPU_PENDING), lines = irl();

    size_t n = fake_state_save(fh, NULL, 0);
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(fh, buf, n), n);
    fake_irq_input(fh, "in", SRC_TIMER, 0);
    fake_irq_input(fh, "in", SRC_SERIAL, 0);
    fake_host_reset(fh);
    cr_assert_eq(irl(), 0);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    free(buf);

    cr_assert_eq(master(MASTER_PENDING), pending);
    cr_assert_eq(master(MASTER_MASK), mask);
    cr_assert_eq(cpu(CPU_PENDING), cpup);
    cr_assert_eq(irl(), lines);
    cr_assert_eq(lines, (1u << 10) | (1u << 3));
}
