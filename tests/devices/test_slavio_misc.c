/* SPDX-License-Identifier: MIT */
/* slavio-misc: power off, software reset, the power-fail interrupt, plain
 * registers, state. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "fake_host.h"

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

TestSuite(slavio_misc, .init = setup, .fini = teardown);

static uint8_t rdb(const char *r)
{
    return (uint8_t)fake_read(fh, r, 0, 1);
}

static void wrb(const char *r, uint8_t v)
{
    fake_write(fh, r, 0, v, 1);
}

Test(slavio_misc, descriptor_names_plugin_and_version)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "slavio-misc");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(slavio_misc, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(slavio_misc, regions_have_datasheet_sizes)
{
    cr_assert_eq(fake_region_size(fh, "config"), 1);
    cr_assert_eq(fake_region_size(fh, "aux1"), 1);
    cr_assert_eq(fake_region_size(fh, "aux2"), 1);
    cr_assert_eq(fake_region_size(fh, "diag"), 1);
    cr_assert_eq(fake_region_size(fh, "modem"), 1);
    cr_assert_eq(fake_region_size(fh, "leds"), 2);
    cr_assert_eq(fake_region_size(fh, "sysctrl"), 4);
}

Test(slavio_misc, aux2_bit0_requests_power_off)
{
    wrb("aux2", 0x01);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_POWEROFF), 1);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_RESET), 0);
}

Test(slavio_misc, aux2_without_bit0_does_not_power_off)
{
    wrb("aux2", 0x00);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_POWEROFF), 0);
}

Test(slavio_misc, sysctrl_bit0_requests_reset_and_reads_back_2)
{
    fake_write(fh, "sysctrl", 0, 1, 4);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_RESET), 1);
    cr_assert_eq(fake_read(fh, "sysctrl", 0, 4), 2);
}

Test(slavio_misc, sysctrl_reset_status_survives_the_reset)
{
    fake_write(fh, "sysctrl", 0, 1, 4);
    fake_host_reset(fh); /* what the core does on the request */
    cr_assert_eq(fake_read(fh, "sysctrl", 0, 4), 2);
}

Test(slavio_misc, sysctrl_without_bit0_does_nothing)
{
    fake_write(fh, "sysctrl", 0, 0x10, 4);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_RESET), 0);
    cr_assert_eq(fake_read(fh, "sysctrl", 0, 4), 0);
}

Test(slavio_misc, power_button_raises_power_fail_when_enabled)
{
    wrb("config", 0x08);
    fake_irq_input(fh, "power-button", 0, 1);
    cr_assert_eq(rdb("aux2") & 0x20, 0x20);
    cr_assert_eq(fake_irq_level(fh, "power-fail", 0), 1);
}

Test(slavio_misc, power_button_is_ignored_when_not_enabled)
{
    fake_irq_input(fh, "power-button", 0, 1);
    cr_assert_eq(rdb("aux2"), 0);
    cr_assert_eq(fake_irq_level(fh, "power-fail", 0), 0);
}

Test(slavio_misc, aux2_bit1_clears_the_power_fail_irq)
{
    wrb("config", 0x08);
    fake_irq_input(fh, "power-button", 0, 1);
    wrb("aux2", 0x02);
    cr_assert_eq(rdb("aux2"), 0);
    cr_assert_eq(fake_irq_level(fh, "power-fail", 0), 0);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_POWEROFF), 0);
}

Test(slavio_misc, aux1_terminal_count_pulses_and_is_not_stored)
{
    wrb("aux1", 0x12);
    cr_assert_eq(fake_irq_raises(fh, "fdc-tc", 0), 1);
    cr_assert_eq(fake_irq_level(fh, "fdc-tc", 0), 0);
    cr_assert_eq(rdb("aux1"), 0x10);
}

Test(slavio_misc, leds_hold_16_bits)
{
    fake_write(fh, "leds", 0, 0xbeef, 2);
    cr_assert_eq(fake_read(fh, "leds", 0, 2), 0xbeef);
}

Test(slavio_misc, reset_clears_config_and_keeps_diag)
{
    wrb("config", 0x08);
    wrb("diag", 0x5a);
    wrb("modem", 0x03);
    fake_host_reset(fh);
    cr_assert_eq(rdb("config"), 0);
    cr_assert_eq(rdb("modem"), 0);
    cr_assert_eq(rdb("diag"), 0x5a);
}

Test(slavio_misc, state_restores_registers_and_power_fail_line)
{
    wrb("config", 0x08);
    wrb("aux1", 0x10);
    wrb("diag", 0x77);
    wrb("modem", 0x01);
    fake_write(fh, "leds", 0, 0x1234, 2);
    fake_irq_input(fh, "power-button", 0, 1);
    fake_write(fh, "sysctrl", 0, 1, 4);

    size_t n = fake_state_save(fh, NULL, 0);
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(fh, buf, n), n);
    fake_host_reset(fh);
    cr_assert_eq(fake_irq_level(fh, "power-fail", 0), 0);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    free(buf);

    cr_assert_eq(rdb("config"), 0x08);
    cr_assert_eq(rdb("aux1"), 0x10);
    cr_assert_eq(rdb("aux2"), 0x20);
    cr_assert_eq(rdb("diag"), 0x77);
    cr_assert_eq(rdb("modem"), 0x01);
    cr_assert_eq(fake_read(fh, "leds", 0, 2), 0x1234);
    cr_assert_eq(fake_read(fh, "sysctrl", 0, 4), 2);
    cr_assert_eq(fake_irq_level(fh, "power-fail", 0), 1);
}
