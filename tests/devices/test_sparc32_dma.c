/* SPDX-License-Identifier: MIT */
/* sparc32-dma: CSR reset value and device ID, the device interrupt mirrored in CSR
 * bit 0 and forwarded when enabled, device reset, transfers through the IOMMU. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include <tessera/sbus-dma.h>
#include "fake_host.h"

#define CSR 0x0
#define ADDR 0x4
#define COUNT 0x8
#define ADDR_HI 0xc

#define CSR_INTR 0x00000001u
#define CSR_INTREN 0x00000010u
#define CSR_RESET 0x00000080u
#define CSR_LOADED 0x04000000u

static FakeHost *fh;

static void setup(void)
{
    fh = fake_host_new(PLUGIN_PATH);
    fake_host_set_prop(fh, "kind", "esp");
    fake_host_start(fh);
}

static void teardown(void)
{
    fake_host_free(fh);
}

TestSuite(dma, .init = setup, .fini = teardown);

static uint32_t rd(uint64_t off)
{
    return (uint32_t)fake_read(fh, "regs", off, 4);
}

static void wr(uint64_t off, uint32_t v)
{
    fake_write(fh, "regs", off, v, 4);
}

Test(dma, descriptor_is_version_1_0_0)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "sparc32-dma");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(dma, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(dma, register_block_is_16_bytes)
{
    cr_assert_eq(fake_region_size(fh, "regs"), 16);
}

Test(dma, csr_resets_to_the_dma2_revision_id)
{
    cr_assert_eq(rd(CSR), 0xa0000000u);
}

Test(dma, device_id_survives_csr_writes)
{
    wr(CSR, 0);
    cr_assert_eq(rd(CSR) & 0xf0000000u, 0xa0000000u);
}

Test(dma, csr_bit_0_is_read_only)
{
    wr(CSR, CSR_INTR);
    cr_assert_eq(rd(CSR) & CSR_INTR, 0);
}

Test(dma, device_interrupt_shows_in_csr_bit_0)
{
    fake_irq_input(fh, "device", 0, 1);
    cr_assert_eq(rd(CSR) & CSR_INTR, CSR_INTR);
    fake_irq_input(fh, "device", 0, 0);
    cr_assert_eq(rd(CSR) & CSR_INTR, 0);
}

Test(dma, device_interrupt_is_not_forwarded_without_enable)
{
    fake_irq_input(fh, "device", 0, 1);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
}

Test(dma, enabling_forwards_a_pending_device_interrupt)
{
    fake_irq_input(fh, "device", 0, 1);
    wr(CSR, CSR_INTREN);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    fake_irq_input(fh, "device", 0, 0);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
}

Test(dma, address_write_sets_loaded)
{
    wr(ADDR, 0xfe000000u);
    cr_assert_eq(rd(ADDR), 0xfe000000u);
    cr_assert_eq(rd(CSR) & CSR_LOADED, CSR_LOADED);
}

Test(dma, post_load_redrives_the_output)
{
    wr(CSR, CSR_INTREN);
    fake_irq_input(fh, "device", 0, 1);
    size_t n = fake_state_save(fh, NULL, 0);
    void *buf = malloc(n);
    fake_state_save(fh, buf, n);
    fake_irq_input(fh, "device", 0, 0);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    free(buf);
}

Test(dma, unknown_kind_fails_init)
{
    FakeHost *other = fake_host_new(PLUGIN_PATH);
    char err[256] = "";
    fake_host_set_prop(other, "kind", "floppy");
    cr_assert_eq(fake_host_try_init(other, err, sizeof(err)), -1);
    cr_assert(strstr(err, "floppy"));
    fake_host_free(other);
}

/* ---- with an IOMMU and RAM ---- */

#define TABLE_PA 0x10000u

static FakeMachine *bus;
static FakeHost *espdma, *ledma;

static void map(uint32_t dvma, uint32_t pa)
{
    uint32_t index = (dvma & 0x01ffffffu) >> 12;
    fake_ram_write(bus, TABLE_PA + index * 4, ((pa >> 4) & 0xffffff00u) | 0x6, 4);
}

static void bus_setup(void)
{
    bus = fake_machine_new(1 << 20);
    FakeHost *iommu = fake_machine_add(bus, "iommu", IOMMU_PATH);
    espdma = fake_machine_add(bus, "espdma", PLUGIN_PATH);
    fake_host_set_prop(espdma, "kind", "esp");
    fake_host_set_link(espdma, "iommu", "iommu");
    ledma = fake_machine_add(bus, "ledma", PLUGIN_PATH);
    fake_host_set_prop(ledma, "kind", "lance");
    fake_host_set_link(ledma, "iommu", "iommu");
    fake_machine_start(bus);
    fake_write(iommu, "regs", 0x0, 0x5, 4); /* 32 MiB window at 0xfe000000 */
    fake_write(iommu, "regs", 0x4, TABLE_PA >> 4, 4);
}

static void bus_teardown(void)
{
    fake_machine_free(bus);
}

TestSuite(dma_chain, .init = bus_setup, .fini = bus_teardown);

Test(dma_chain, esp_read_runs_at_the_address_register_and_advances_it)
{
    const SbusDma *dma = fake_provided(espdma, "dma");
    uint8_t buf[4];
    map(0xfe010000u, 0x40000u);
    memcpy(fake_ram(bus) + 0x40100, "SCSI", 4);
    fake_write(espdma, "regs", ADDR, 0xfe010100u, 4);
    cr_assert_eq(dma->read(dma->opaque, buf, 4), 0);
    cr_assert_arr_eq(buf, "SCSI", 4);
    cr_assert_eq(fake_read(espdma, "regs", ADDR, 4), 0xfe010104u);
}

Test(dma_chain, lance_address_takes_bits_31_24_from_address_high)
{
    const SbusDma *dma = fake_provided(ledma, "dma");
    uint8_t buf[4];
    map(0xff020000u, 0x50000u);
    memcpy(fake_ram(bus) + 0x50010, "LE0!", 4);
    fake_write(ledma, "regs", ADDR_HI, 0xff000000u, 4);
    cr_assert_eq(dma->read_at(dma->opaque, 0x020010u, buf, 4), 0);
    cr_assert_arr_eq(buf, "LE0!", 4);
}

Test(dma_chain, esp_style_transfer_on_the_lance_dma_fails)
{
    const SbusDma *dma = fake_provided(ledma, "dma");
    uint8_t buf[4];
    map(0xfe010000u, 0x40000u);
    fake_write(ledma, "regs", ADDR, 0xfe010000u, 4);
    cr_assert_eq(dma->read(dma->opaque, buf, 4), -1);
}

static unsigned resets;

static void count_reset(void *device)
{
    resets++;
}

Test(dma_chain, setting_csr_reset_resets_the_device_once)
{
    const SbusDma *dma = fake_provided(espdma, "dma");
    resets = 0;
    dma->attach(dma->opaque, count_reset, NULL);
    fake_write(espdma, "regs", CSR, CSR_RESET, 4);
    fake_write(espdma, "regs", CSR, CSR_RESET, 4);
    cr_assert_eq(resets, 1);
    fake_write(espdma, "regs", CSR, 0, 4);
    fake_write(espdma, "regs", CSR, CSR_RESET, 4);
    cr_assert_eq(resets, 2);
}

Test(dma, count_and_address_high_hold_what_was_written)
{
    wr(COUNT, 0x00001234u);
    wr(ADDR_HI, 0xff000000u);
    cr_assert_eq(rd(COUNT), 0x00001234u);
    cr_assert_eq(rd(ADDR_HI), 0xff000000u);
}

static int last_enable = -1;
static unsigned enable_calls;

static void note_enable(void *device, bool enabled)
{
    last_enable = enabled;
    enable_calls++;
}

Test(dma_chain, enable_bit_changes_are_reported_to_the_device)
{
    const SbusDma *dma = fake_provided(espdma, "dma");
    enable_calls = 0;
    dma->watch_enable(dma->opaque, note_enable, NULL);
    fake_write(espdma, "regs", CSR, 0x200, 4);
    cr_assert_eq(last_enable, 1);
    fake_write(espdma, "regs", CSR, 0x210, 4); /* no change of the enable bit */
    cr_assert_eq(enable_calls, 1);
    fake_write(espdma, "regs", CSR, 0, 4);
    cr_assert_eq(last_enable, 0);
    cr_assert_eq(enable_calls, 2);
}
