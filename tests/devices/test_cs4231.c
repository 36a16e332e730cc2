/* SPDX-License-Identifier: MIT */
/* cs4231: index/data pair, read-only and special indirect registers, chip reset,
 * reset values, state. */
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

TestSuite(cs4231, .init = setup, .fini = teardown);

#define INDEX 0x00
#define DATA 0x04
#define STATUS 0x08
#define DMA_CSR 0x10

static void wr(uint64_t off, uint32_t v)
{
    fake_write(fh, "regs", off, v, 4);
}

static uint32_t rd(uint64_t off)
{
    return (uint32_t)fake_read(fh, "regs", off, 4);
}

static void wr_ind(unsigned index, uint8_t v)
{
    wr(INDEX, index);
    wr(DATA, v);
}

static uint8_t rd_ind(unsigned index)
{
    wr(INDEX, index);
    return (uint8_t)rd(DATA);
}

Test(cs4231, descriptor_names_plugin_and_version)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "cs4231");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(cs4231, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(cs4231, region_is_0x40_bytes)
{
    cr_assert_eq(fake_region_size(fh, "regs"), 0x40);
}

Test(cs4231, indexed_register_round_trip)
{
    wr_ind(6, 0x3f);
    wr_ind(7, 0x15);
    cr_assert_eq(rd_ind(6), 0x3f);
    cr_assert_eq(rd_ind(7), 0x15);
}

Test(cs4231, index_register_reads_back)
{
    wr(INDEX, 0x4a);
    cr_assert_eq(rd(INDEX), 0x4a);
}

Test(cs4231, index_selects_with_its_low_five_bits)
{
    wr_ind(0x40 | 9, 0x21); /* MCE bit set: still index 9 */
    cr_assert_eq(rd_ind(9), 0x21);
}

Test(cs4231, byte_access_reaches_the_data_register)
{
    fake_write(fh, "regs", INDEX + 3, 8, 1);
    fake_write(fh, "regs", DATA + 3, 0x5c, 1);
    cr_assert_eq(rd_ind(8), 0x5c);
    wr(INDEX, 8);
    cr_assert_eq(fake_read(fh, "regs", DATA + 3, 1), 0x5c);
}

Test(cs4231, reset_values_of_codec_id_and_version)
{
    cr_assert_eq(rd_ind(12), 0x8a);
    cr_assert_eq(rd_ind(25), 0xa0);
    cr_assert_eq(rd_ind(6), 0);
}

Test(cs4231, version_register_is_read_only)
{
    wr_ind(25, 0x12);
    cr_assert_eq(rd_ind(25), 0xa0);
}

Test(cs4231, mode_id_keeps_codec_id_and_takes_mode2_bit)
{
    wr_ind(12, 0xff);
    cr_assert_eq(rd_ind(12), 0xca);
}

Test(cs4231, playback_count_low_reads_zero)
{
    wr_ind(3, 0x77);
    cr_assert_eq(rd_ind(3), 0);
}

Test(cs4231, status_register_is_read_only)
{
    wr(STATUS, 0xff);
    cr_assert_eq(rd(STATUS), 0);
}

Test(cs4231, dma_csr_reset_bit_resets_the_chip)
{
    wr_ind(6, 0x3f);
    wr(0x14, 0x1234);
    wr(DMA_CSR, 0x81);
    cr_assert_eq(rd(0x14), 0);
    cr_assert_eq(rd_ind(6), 0);
    cr_assert_eq(rd(DMA_CSR), 0x01);
}

Test(cs4231, output_irq_stays_low)
{
    wr_ind(6, 0x3f);
    wr(DMA_CSR, 0x7e);
    cr_assert_eq(fake_irq_raises(fh, "out", 0), 0);
}

Test(cs4231, state_restores_registers)
{
    wr_ind(6, 0x2a);
    wr(0x20, 0xdeadbeef);
    size_t n = fake_state_save(fh, NULL, 0);
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(fh, buf, n), n);
    fake_host_reset(fh);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    free(buf);
    cr_assert_eq(rd(0x20), 0xdeadbeef);
    cr_assert_eq(rd(INDEX), 6);
    cr_assert_eq(rd(DATA), 0x2a);
}
