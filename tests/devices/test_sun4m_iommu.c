/* SPDX-License-Identifier: MIT */
/* sun4m-iommu: registers as OpenBIOS and Linux see them, DVMA translation through
 * IOPTEs in RAM, faults (AFSR/AFAR/IRQ), state. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include <tessera/sbus-iommu.h>
#include "fake_host.h"

#define CTRL 0x0000
#define BASE 0x0004
#define AFSR 0x1000
#define AFAR 0x1004
#define MASK_ID 0x3018

#define AFSR_ERR 0x80000000u
#define AFSR_LE 0x40000000u
#define AFSR_RESV 0x00800000u
#define AFSR_RD 0x00040000u
#define AFSR_FAV 0x00020000u

/* OpenBIOS's setup: enabled, 32 MiB window at 0xfe000000. */
#define CTRL_32MB_ENABLED 0x00000005u
#define TABLE_PA 0x10000u
#define IOPTE_V 0x2u
#define IOPTE_W 0x4u

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

TestSuite(iommu, .init = setup, .fini = teardown);

static uint32_t rd(uint64_t off)
{
    return (uint32_t)fake_read(fh, "regs", off, 4);
}

static void wr(uint64_t off, uint32_t v)
{
    fake_write(fh, "regs", off, v, 4);
}

Test(iommu, descriptor_is_version_1_0_0)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "sun4m-iommu");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(iommu, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(iommu, register_window_is_0x4000_bytes)
{
    cr_assert_eq(fake_region_size(fh, "regs"), 0x4000);
}

Test(iommu, control_resets_to_version_0x05)
{
    cr_assert_eq(rd(CTRL), 0x05000000u);
}

Test(iommu, control_write_keeps_the_version_bits)
{
    wr(CTRL, 0xffffffffu);
    cr_assert_eq(rd(CTRL), 0x05000000u | 0x1du);
}

Test(iommu, mask_id_reads_turbosparc_0x23000000)
{
    cr_assert_eq(rd(MASK_ID), 0x23000000u);
}

Test(iommu, base_keeps_only_bits_26_10)
{
    wr(BASE, 0xffffffffu);
    cr_assert_eq(rd(BASE), 0x07fffc00u);
}

Test(iommu, afsr_resets_with_only_the_reserved_bit)
{
    cr_assert_eq(rd(AFSR), AFSR_RESV);
}

Test(iommu, state_round_trip_restores_registers)
{
    wr(BASE, TABLE_PA >> 4);
    size_t n = fake_state_save(fh, NULL, 0);
    void *buf = malloc(n);
    fake_state_save(fh, buf, n);
    wr(BASE, 0);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    cr_assert_eq(rd(BASE), TABLE_PA >> 4);
    free(buf);
}

/* ---- translation, on a bus with RAM ---- */

static FakeMachine *bus;
static FakeHost *iommu_dev;
static const SbusIommu *iommu;

static void bus_setup(void)
{
    bus = fake_machine_new(1 << 20);
    iommu_dev = fake_machine_add(bus, "iommu", PLUGIN_PATH);
    fake_machine_start(bus);
    iommu = fake_provided(iommu_dev, "iommu");
    cr_assert_not_null(iommu);
    fake_write(iommu_dev, "regs", CTRL, CTRL_32MB_ENABLED, 4);
    fake_write(iommu_dev, "regs", BASE, TABLE_PA >> 4, 4);
}

static void bus_teardown(void)
{
    fake_machine_free(bus);
}

TestSuite(iommu_dvma, .init = bus_setup, .fini = bus_teardown);

/* Map the DVMA page `dvma` of the 32 MiB window to `pa`. */
static void map(uint32_t dvma, uint32_t pa, uint32_t flags)
{
    uint32_t index = (dvma & 0x01ffffffu) >> 12;
    fake_ram_write(bus, TABLE_PA + index * 4, ((pa >> 4) & 0xffffff00u) | flags, 4);
}

Test(iommu_dvma, translates_through_the_iopte_of_the_page)
{
    uint64_t pa = 0;
    map(0xfe003000u, 0x80000u, IOPTE_V);
    cr_assert_eq(iommu->translate(iommu->opaque, 0xfe003123u, false, &pa), 0);
    cr_assert_eq(pa, 0x80123u);
}

Test(iommu_dvma, read_crossing_a_page_follows_each_iopte)
{
    uint8_t buf[8];
    map(0xfe000000u, 0x40000u, IOPTE_V);
    map(0xfe001000u, 0x20000u, IOPTE_V);
    memcpy(fake_ram(bus) + 0x40ffc, "abcd", 4);
    memcpy(fake_ram(bus) + 0x20000, "efgh", 4);
    cr_assert_eq(iommu->dma_read(iommu->opaque, 0xfe000ffcu, buf, 8), 0);
    cr_assert_arr_eq(buf, "abcdefgh", 8);
}

Test(iommu_dvma, write_lands_at_the_translated_address)
{
    map(0xfe002000u, 0x30000u, IOPTE_V | IOPTE_W);
    cr_assert_eq(iommu->dma_write(iommu->opaque, 0xfe002010u, "xyz", 3), 0);
    cr_assert_arr_eq(fake_ram(bus) + 0x30010, "xyz", 3);
}

Test(iommu_dvma, invalid_iopte_faults_with_afsr_afar_and_irq)
{
    uint64_t pa;
    cr_assert_eq(iommu->translate(iommu->opaque, 0xfe005678u, false, &pa), -1);
    cr_assert_eq(fake_irq_level(iommu_dev, "out", 0), 1);
    cr_assert_eq(fake_read(iommu_dev, "regs", AFAR, 4), 0xfe005000u);
    cr_assert_eq(fake_read(iommu_dev, "regs", AFSR, 4),
                 AFSR_ERR | AFSR_LE | AFSR_RESV | AFSR_FAV | AFSR_RD);
}

Test(iommu_dvma, write_through_a_read_only_iopte_faults_without_rd)
{
    uint64_t pa;
    map(0xfe004000u, 0x50000u, IOPTE_V);
    cr_assert_eq(iommu->translate(iommu->opaque, 0xfe004000u, true, &pa), -1);
    cr_assert_eq(fake_read(iommu_dev, "regs", AFSR, 4),
                 AFSR_ERR | AFSR_LE | AFSR_RESV | AFSR_FAV);
}

Test(iommu_dvma, reading_afsr_lowers_the_irq)
{
    uint64_t pa;
    iommu->translate(iommu->opaque, 0xfe007000u, false, &pa);
    cr_assert_eq(fake_irq_level(iommu_dev, "out", 0), 1);
    fake_read(iommu_dev, "regs", AFSR, 4);
    cr_assert_eq(fake_irq_level(iommu_dev, "out", 0), 0);
}

Test(iommu_dvma, failed_read_leaves_memory_and_stops)
{
    uint8_t buf[4] = { 1, 2, 3, 4 };
    cr_assert_eq(iommu->dma_read(iommu->opaque, 0xfe009000u, buf, 4), -1);
    cr_assert_eq(buf[0], 1);
}

Test(iommu_dvma, sixteen_mib_window_indexes_from_0xff000000)
{
    uint64_t pa = 0;
    fake_write(iommu_dev, "regs", CTRL, 0x1, 4); /* range 0: 16 MiB */
    fake_ram_write(bus, TABLE_PA + 3 * 4, ((0x70000u >> 4) & 0xffffff00u) | IOPTE_V, 4);
    cr_assert_eq(iommu->translate(iommu->opaque, 0xff003010u, false, &pa), 0);
    cr_assert_eq(pa, 0x70010u);
}
