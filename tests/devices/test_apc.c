/* SPDX-License-Identifier: MIT */
/* apc: the idle bit halts the CPU; other bits are kept; state. */
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

TestSuite(apc, .init = setup, .fini = teardown);

Test(apc, descriptor_names_plugin_and_version)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "apc");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(apc, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(apc, register_is_one_byte)
{
    cr_assert_eq(fake_region_size(fh, "regs"), 1);
}

Test(apc, idle_bit_requests_halt)
{
    fake_write(fh, "regs", 0, 0x01, 1);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_HALT), 1);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_POWEROFF), 0);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_RESET), 0);
}

Test(apc, write_without_idle_bit_does_not_halt)
{
    fake_write(fh, "regs", 0, 0x10, 1);
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_HALT), 0);
}

Test(apc, linux_idle_read_modify_write_halts_each_time)
{
    for (int i = 0; i < 3; i++) {
        uint8_t v = (uint8_t)fake_read(fh, "regs", 0, 1);
        fake_write(fh, "regs", 0, v | 0x01, 1);
    }
    cr_assert_eq(fake_requests(fh, TESSERA_REQUEST_HALT), 3);
}

Test(apc, idle_bit_reads_back_zero_other_bits_kept)
{
    fake_write(fh, "regs", 0, 0x31, 1);
    cr_assert_eq(fake_read(fh, "regs", 0, 1), 0x30);
}

Test(apc, reset_clears_the_register)
{
    fake_write(fh, "regs", 0, 0x30, 1);
    fake_host_reset(fh);
    cr_assert_eq(fake_read(fh, "regs", 0, 1), 0);
}

Test(apc, state_restores_the_register)
{
    fake_write(fh, "regs", 0, 0x24, 1);
    size_t n = fake_state_save(fh, NULL, 0);
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(fh, buf, n), n);
    fake_host_reset(fh);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    free(buf);
    cr_assert_eq(fake_read(fh, "regs", 0, 1), 0x24);
}
