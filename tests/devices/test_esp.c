/* SPDX-License-Identifier: MIT */
/* esp: chip registers, the selection timeout OpenBIOS's probe relies on, and SCSI
 * commands to disk and CD-ROM images through espdma and the IOMMU. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_host.h"
#include "format.h"
#include "record.h"
#include "snapshot.h"

/* Register n at n * 4. */
#define TCLO (0x0 * 4)
#define TCMID (0x1 * 4)
#define FIFO (0x2 * 4)
#define CMD (0x3 * 4)
#define STATUS (0x4 * 4) /* write: bus ID */
#define INTR (0x5 * 4)
#define SEQ (0x6 * 4)
#define FLAGS (0x7 * 4)
#define CFG1 (0x8 * 4)
#define CFG2 (0xb * 4)
#define CFG3 (0xc * 4)
#define TCHI (0xe * 4)

#define CMD_DMA 0x80
#define CMD_RESET 0x02
#define CMD_BUS_RESET 0x03
#define CMD_TI 0x10
#define CMD_ICCS 0x11
#define CMD_MSGACC 0x12
#define CMD_SEL 0x41
#define CMD_SELATN 0x42

#define STAT_TC 0x10
#define STAT_INT 0x80
#define PHASE_DATA_IN 0x1
#define PHASE_STATUS 0x3
#define PHASE_MSG_IN 0x7
#define INTR_FC 0x08
#define INTR_BS 0x10
#define INTR_DC 0x20
#define INTR_IL 0x40
#define INTR_RST 0x80

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

TestSuite(esp, .init = setup, .fini = teardown);

static uint8_t rd(uint64_t off)
{
    return (uint8_t)fake_read(fh, "regs", off, 1);
}

static void wr(uint64_t off, uint8_t v)
{
    fake_write(fh, "regs", off, v, 1);
}

/* OpenBIOS's probe of one ID: 7 command bytes by DMA, select with ATN. */
static void probe(uint8_t id)
{
    wr(STATUS, id);
    wr(TCLO, 7);
    wr(TCMID, 0);
    wr(CMD, CMD_SELATN | CMD_DMA);
}

Test(esp, descriptor_is_version_1_1_0)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "esp");
    cr_assert_str_eq(d->version, "1.1.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(esp, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(esp, register_window_is_0x40_bytes)
{
    cr_assert_eq(fake_region_size(fh, "regs"), 0x40);
}

Test(esp, tchi_reads_the_fas100a_family_code_after_reset)
{
    cr_assert_eq(rd(TCHI), 0x04);
}

Test(esp, config_registers_read_back_for_the_revision_probe)
{
    wr(CFG2, 0x48);
    wr(CFG3, 0x05);
    cr_assert_eq(rd(CFG2), 0x48);
    cr_assert_eq(rd(CFG3), 0x05);
}

Test(esp, select_with_no_target_interrupts_with_disconnect)
{
    probe(3);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    cr_assert_eq(rd(STATUS), STAT_INT);
    cr_assert_eq(rd(SEQ), 0);
    cr_assert_eq(rd(INTR), INTR_DC);
}

Test(esp, select_with_no_target_leaves_tc_status_clear)
{
    /* OpenBIOS treats "TC not reached" after selection as "no device". */
    probe(0);
    cr_assert_eq(rd(STATUS) & STAT_TC, 0);
}

Test(esp, reading_intr_acknowledges_the_interrupt)
{
    probe(5);
    rd(INTR);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    cr_assert_eq(rd(STATUS) & STAT_INT, 0);
    cr_assert_eq(rd(INTR), 0);
}

Test(esp, chip_reset_drops_the_interrupt)
{
    probe(2);
    wr(CMD, CMD_RESET);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    cr_assert_eq(rd(STATUS), 0);
}

Test(esp, bus_reset_interrupts_with_rst)
{
    wr(CMD, CMD_BUS_RESET);
    cr_assert_eq(rd(INTR), INTR_RST);
}

Test(esp, bus_reset_is_silent_when_reporting_is_disabled)
{
    wr(CFG1, 0x47);
    wr(CMD, CMD_BUS_RESET);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
}

Test(esp, unknown_command_interrupts_with_illegal_command)
{
    wr(CMD, 0x2f);
    cr_assert_eq(rd(INTR), INTR_IL);
}

Test(esp, transfer_while_disconnected_is_illegal)
{
    wr(CMD, CMD_TI);
    cr_assert_eq(rd(INTR), INTR_IL);
}

Test(esp, fifo_returns_bytes_in_order_and_counts_them)
{
    wr(FIFO, 0x11);
    wr(FIFO, 0x22);
    cr_assert_eq(rd(FLAGS) & 0x1f, 2);
    cr_assert_eq(rd(FIFO), 0x11);
    cr_assert_eq(rd(FIFO), 0x22);
    cr_assert_eq(rd(FLAGS) & 0x1f, 0);
}

Test(esp, state_round_trip_restores_the_interrupt)
{
    probe(4);
    size_t n = fake_state_save(fh, NULL, 0);
    void *buf = malloc(n);
    fake_state_save(fh, buf, n);
    rd(INTR);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    cr_assert_eq(rd(INTR), INTR_DC);
    free(buf);
}

Test(esp, missing_image_fails_init_naming_the_option)
{
    FakeHost *other = fake_host_new(PLUGIN_PATH);
    char err[256] = "";
    fake_host_set_machine_opt(other, "drive.scsi.2", "/nonexistent/disk.img");
    cr_assert_eq(fake_host_try_init(other, err, sizeof(err)), -1);
    cr_assert(strstr(err, "drive.scsi.2"), "%s", err);
    fake_host_free(other);
}

/* ---- disks behind espdma and the IOMMU ---- */

#define TABLE_PA 0x10000u
#define BUF_PA 0x40000u
#define BUF_DVMA 0xfe000000u
#define DMA_CSR 0x0
#define DMA_ADDR 0x4
#define DMA_WRITE 0x100u
#define DISK_BLOCKS 64

static FakeMachine *bus;
static FakeHost *espdma, *esp_dev;
static char disk_path[64], cd_path[64];

/* An image whose block n is filled with byte n. */
static void make_image(char *path, const char *tmpl, unsigned block_size, unsigned blocks)
{
    strcpy(path, tmpl);
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    uint8_t *block = malloc(block_size);
    for (unsigned n = 0; n < blocks; n++) {
        memset(block, (int)n, block_size);
        cr_assert_eq(write(fd, block, block_size), (ssize_t)block_size);
    }
    free(block);
    close(fd);
}

/* The chain on the images there are, with the machine option `opt` = "on" set when
 * `opt` is not NULL. */
static void chain_build(const char *opt)
{
    bus = fake_machine_new(1 << 20);
    FakeHost *iommu = fake_machine_add(bus, "iommu", IOMMU_PATH);
    espdma = fake_machine_add(bus, "espdma", DMA_PATH);
    fake_host_set_prop(espdma, "kind", "esp");
    fake_host_set_link(espdma, "iommu", "iommu");
    esp_dev = fake_machine_add(bus, "esp", PLUGIN_PATH);
    fake_host_set_link(esp_dev, "dma", "espdma");
    fake_host_set_prop(esp_dev, "drive0", disk_path);
    fake_host_set_machine_opt(esp_dev, "cdrom.scsi.2", cd_path);
    if (opt)
        fake_host_set_machine_opt(esp_dev, opt, "on");
    fake_irq_wire(esp_dev, "out", 0, espdma, "device", 0);
    fake_machine_start(bus);
    fake_write(iommu, "regs", 0x0, 0x5, 4);
    fake_write(iommu, "regs", 0x4, TABLE_PA >> 4, 4);
    for (uint32_t i = 0; i < 16; i++) /* 64 KiB of buffer */
        fake_ram_write(bus, TABLE_PA + i * 4,
                       (((BUF_PA + i * 0x1000) >> 4) & 0xffffff00u) | 0x6, 4);
}

static void chain_start(const char *opt)
{
    make_image(disk_path, "/tmp/esp-disk-XXXXXX", 512, DISK_BLOCKS);
    make_image(cd_path, "/tmp/esp-cd-XXXXXX", 2048, 4);
    chain_build(opt);
}

static void chain_setup(void)
{
    chain_start(NULL);
}

static void chain_teardown(void)
{
    fake_machine_free(bus);
    unlink(disk_path);
    unlink(cd_path);
}

TestSuite(esp_disk, .init = chain_setup, .fini = chain_teardown);

static uint8_t ereg(uint64_t off)
{
    return (uint8_t)fake_read(esp_dev, "regs", off, 1);
}

static void ewr(uint64_t off, uint8_t v)
{
    fake_write(esp_dev, "regs", off, v, 1);
}

static void dma_at(uint32_t dvma, uint32_t csr)
{
    fake_write(espdma, "regs", DMA_ADDR, dvma, 4);
    fake_write(espdma, "regs", DMA_CSR, csr, 4);
}

static void set_tc(uint32_t n)
{
    ewr(TCLO, (uint8_t)n);
    ewr(TCMID, (uint8_t)(n >> 8));
}

/* Select `id` with ATN by DMA: IDENTIFY + cdb. Returns the ESP status. */
static uint8_t select_cmd(uint8_t id, const uint8_t *cdb, unsigned len)
{
    uint8_t *ram = fake_ram(bus);
    ram[BUF_PA] = 0x80;
    memcpy(ram + BUF_PA + 1, cdb, len);
    ewr(STATUS, id);
    dma_at(BUF_DVMA, 0);
    set_tc(len + 1);
    ewr(CMD, CMD_SELATN | CMD_DMA);
    return ereg(STATUS);
}

/* Data-in of `len` bytes by DMA to the buffer start. Returns the ESP status. */
static uint8_t data_in(uint32_t len)
{
    dma_at(BUF_DVMA, DMA_WRITE);
    set_tc(len);
    ewr(CMD, CMD_TI | CMD_DMA);
    return ereg(STATUS);
}

/* ICCS then MSGACC: the status byte. */
static uint8_t finish(void)
{
    ereg(INTR);
    ewr(CMD, CMD_ICCS);
    uint8_t status = ereg(FIFO);
    uint8_t msg = ereg(FIFO);
    cr_assert_eq(msg, 0x00);
    ereg(INTR);
    ewr(CMD, CMD_MSGACC);
    cr_assert_eq(ereg(INTR), INTR_DC);
    return status;
}

Test(esp_disk, empty_id_shows_in_the_dma_csr_interrupt_bit)
{
    static const uint8_t inquiry[6] = { 0x12, 0, 0, 0, 36, 0 };
    uint8_t status = select_cmd(5, inquiry, 6);
    cr_assert_eq(fake_read(espdma, "regs", DMA_CSR, 4) & 1, 1);
    cr_assert_eq(status & STAT_TC, 0);
    cr_assert_eq(ereg(INTR), INTR_DC);
}

Test(esp_disk, selection_sends_the_command_and_enters_data_in)
{
    static const uint8_t inquiry[6] = { 0x12, 0, 0, 0, 36, 0 };
    uint8_t status = select_cmd(0, inquiry, 6);
    cr_assert_eq(status, STAT_INT | STAT_TC | PHASE_DATA_IN);
    cr_assert_eq(ereg(SEQ), 4);
    cr_assert_eq(ereg(INTR), INTR_BS | INTR_FC);
}

Test(esp_disk, inquiry_reports_a_direct_access_disk)
{
    static const uint8_t inquiry[6] = { 0x12, 0, 0, 0, 36, 0 };
    select_cmd(0, inquiry, 6);
    uint8_t status = data_in(36);
    uint8_t *r = fake_ram(bus) + BUF_PA;
    cr_assert_eq(status, STAT_INT | STAT_TC | PHASE_STATUS);
    cr_assert_eq(r[0], 0x00);
    cr_assert_arr_eq(r + 8, "TESSERA ", 8);
    cr_assert_eq(finish(), 0x00);
}

Test(esp_disk, inquiry_of_the_cdrom_reports_removable_type_5)
{
    static const uint8_t inquiry[6] = { 0x12, 0, 0, 0, 36, 0 };
    select_cmd(2, inquiry, 6);
    data_in(36);
    cr_assert_eq(fake_ram(bus)[BUF_PA], 0x05);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 1], 0x80);
}

Test(esp_disk, read_capacity_gives_last_block_and_block_size)
{
    /* As OpenBIOS sends it: IDENTIFY + 10 bytes. */
    static const uint8_t cap[10] = { 0x25 };
    select_cmd(0, cap, 10);
    data_in(8);
    cr_assert_eq(fake_ram_read(bus, BUF_PA, 4), DISK_BLOCKS - 1);
    cr_assert_eq(fake_ram_read(bus, BUF_PA + 4, 4), 512);
}

Test(esp_disk, read10_returns_the_block)
{
    /* OpenBIOS's READ(10): 9 CDB bytes after IDENTIFY, the control byte missing. */
    static const uint8_t read10[9] = { 0x28, 0, 0, 0, 0, 5, 0, 0, 1 };
    select_cmd(0, read10, 9);
    uint8_t status = data_in(512);
    cr_assert_eq(status & (STAT_TC | 7), STAT_TC | PHASE_STATUS);
    for (unsigned i = 0; i < 512; i++)
        cr_assert_eq(fake_ram(bus)[BUF_PA + i], 5, "byte %u", i);
    cr_assert_eq(finish(), 0x00);
}

Test(esp_disk, partial_transfer_stays_in_data_in)
{
    static const uint8_t read6[6] = { 0x08, 0, 0, 3, 2, 0 };
    select_cmd(0, read6, 6);
    uint8_t status = data_in(512);
    cr_assert_eq(status & 7, PHASE_DATA_IN);
    status = data_in(512);
    cr_assert_eq(status & 7, PHASE_STATUS);
    cr_assert_eq(fake_ram(bus)[BUF_PA], 4);
}

Test(esp_disk, write10_then_read10_returns_the_written_block)
{
    static const uint8_t write10[10] = { 0x2a, 0, 0, 0, 0, 9, 0, 0, 1, 0 };
    static const uint8_t read10[10] = { 0x28, 0, 0, 0, 0, 9, 0, 0, 1, 0 };
    uint8_t *ram = fake_ram(bus);

    select_cmd(0, write10, 10);
    cr_assert_eq(ereg(STATUS) & 7, 0 /* data out */);
    memset(ram + BUF_PA + 0x1000, 0xa5, 512);
    dma_at(BUF_DVMA + 0x1000, 0);
    set_tc(512);
    ewr(CMD, CMD_TI | CMD_DMA);
    cr_assert_eq(ereg(STATUS) & 7, PHASE_STATUS);
    cr_assert_eq(finish(), 0x00);

    select_cmd(0, read10, 10);
    data_in(512);
    cr_assert_eq(ram[BUF_PA + 511], 0xa5);
}

Test(esp_disk, write_to_the_cdrom_is_check_condition_data_protect)
{
    static const uint8_t write10[10] = { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
    static const uint8_t sense[6] = { 0x03, 0, 0, 0, 18, 0 };
    cr_assert_eq(select_cmd(2, write10, 10) & 7, PHASE_STATUS);
    cr_assert_eq(finish(), 0x02);
    select_cmd(2, sense, 6);
    data_in(18);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 2], 0x07);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 12], 0x27);
}

Test(esp_disk, unknown_opcode_sets_illegal_request_sense)
{
    static const uint8_t bogus[6] = { 0xc7 };
    static const uint8_t sense[6] = { 0x03, 0, 0, 0, 18, 0 };
    select_cmd(0, bogus, 6);
    cr_assert_eq(finish(), 0x02);
    select_cmd(0, sense, 6);
    data_in(18);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 2], 0x05);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 12], 0x20);
}

Test(esp_disk, pio_selection_and_transfer_go_through_the_fifo)
{
    static const uint8_t tur[6] = { 0x00 };
    ewr(STATUS, 0);
    for (unsigned i = 0; i < 6; i++)
        ewr(FIFO, tur[i]);
    ewr(CMD, CMD_SEL);
    cr_assert_eq(ereg(STATUS) & 7, PHASE_STATUS);
    cr_assert_eq(finish(), 0x00);
}

Test(esp_disk, dma_csr_reset_resets_the_chip)
{
    ewr(CFG1, 0x17);
    fake_write(espdma, "regs", DMA_CSR, 0x80, 4);
    cr_assert_eq(ereg(CFG1), 7);
}

Test(esp_disk, interrupt_reaches_the_dma_output_when_enabled)
{
    static const uint8_t tur[6] = { 0x00 };
    fake_write(espdma, "regs", DMA_CSR, 0x10, 4);
    select_cmd(0, tur, 6);
    /* select_cmd rewrote the CSR without the enable: */
    cr_assert_eq(fake_irq_level(espdma, "out", 0), 0);
    fake_write(espdma, "regs", DMA_CSR, 0x10, 4);
    cr_assert_eq(fake_irq_level(espdma, "out", 0), 1);
}

Test(esp_disk, select_and_stop_then_transfer_sends_the_command)
{
    static const uint8_t cap[10] = { 0x25 };
    uint8_t *ram = fake_ram(bus);
    ram[BUF_PA] = 0x80;
    ewr(STATUS, 0);
    dma_at(BUF_DVMA, 0);
    set_tc(1);
    ewr(CMD, 0x43 | CMD_DMA); /* select with ATN and stop */
    cr_assert_eq(ereg(STATUS) & 7, 0x2 /* command phase */);
    cr_assert_eq(ereg(INTR), INTR_BS | INTR_FC);
    memcpy(ram + BUF_PA + 0x100, cap, sizeof(cap));
    dma_at(BUF_DVMA + 0x100, 0);
    set_tc(sizeof(cap));
    ewr(CMD, CMD_TI | CMD_DMA);
    cr_assert_eq(ereg(STATUS) & 7, PHASE_DATA_IN);
    data_in(8);
    cr_assert_eq(fake_ram_read(bus, BUF_PA + 4, 4), 512);
}

Test(esp_disk, pio_data_in_fills_the_fifo_16_bytes_at_a_time)
{
    static const uint8_t inquiry[6] = { 0x12, 0, 0, 0, 36, 0 };
    select_cmd(0, inquiry, 6);
    ereg(INTR);
    ewr(CMD, CMD_TI);
    cr_assert_eq(ereg(FLAGS) & 0x1f, 16);
    cr_assert_eq(ereg(FIFO), 0x00); /* peripheral type: disk */
    cr_assert_eq(ereg(STATUS) & 7, PHASE_DATA_IN);
}

Test(esp_disk, mode_sense_block_descriptor_gives_512_byte_blocks)
{
    static const uint8_t sense6[6] = { 0x1a, 0, 0x08, 0, 0xff, 0 };
    select_cmd(0, sense6, 6);
    data_in(0xff);
    uint8_t *r = fake_ram(bus) + BUF_PA;
    cr_assert_eq(r[3], 8);
    cr_assert_eq((r[4 + 5] << 16) | (r[4 + 6] << 8) | r[4 + 7], 512);
    cr_assert_eq(r[12] & 0x3f, 0x08); /* the caching page follows */
}

Test(esp_disk, read_past_the_last_block_is_illegal_request)
{
    static const uint8_t read10[10] = { 0x28, 0, 0, 0, 0, DISK_BLOCKS - 1, 0, 0, 2, 0 };
    static const uint8_t sense[6] = { 0x03, 0, 0, 0, 18, 0 };
    cr_assert_eq(select_cmd(0, read10, 10) & 7, PHASE_STATUS);
    cr_assert_eq(finish(), 0x02);
    select_cmd(0, sense, 6);
    data_in(18);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 12], 0x21);
}

Test(esp_disk, inquiry_of_lun_1_reports_no_device)
{
    static const uint8_t inquiry[6] = { 0x12, 0, 0, 0, 36, 0 };
    uint8_t *ram = fake_ram(bus);
    ram[BUF_PA] = 0x81; /* IDENTIFY, LUN 1 */
    memcpy(ram + BUF_PA + 1, inquiry, 6);
    ewr(STATUS, 0);
    dma_at(BUF_DVMA, 0);
    set_tc(7);
    ewr(CMD, CMD_SELATN | CMD_DMA);
    data_in(36);
    cr_assert_eq(ram[BUF_PA], 0x7f);
}

Test(esp_disk, request_sense_clears_the_sense)
{
    static const uint8_t bogus[6] = { 0xc7 };
    static const uint8_t sense[6] = { 0x03, 0, 0, 0, 18, 0 };
    select_cmd(0, bogus, 6);
    finish();
    select_cmd(0, sense, 6);
    data_in(18);
    finish();
    select_cmd(0, sense, 6);
    data_in(18);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 2], 0x00);
}

Test(esp_disk, read_toc_of_the_cdrom_lists_track_1_and_the_lead_out)
{
    static const uint8_t toc[10] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 0xff, 0 };
    select_cmd(2, toc, 10);
    data_in(20);
    uint8_t *r = fake_ram(bus) + BUF_PA;
    cr_assert_eq((r[0] << 8) | r[1], 18);
    cr_assert_eq(r[4 + 2], 1);
    cr_assert_eq(r[12 + 2], 0xaa);
    cr_assert_eq(fake_ram_read(bus, BUF_PA + 12 + 4, 4), 4); /* the CD image has 4 blocks */
}

Test(esp_disk, read_toc_of_a_disk_is_illegal_request)
{
    static const uint8_t toc[10] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 0xff, 0 };
    select_cmd(0, toc, 10);
    cr_assert_eq(finish(), 0x02);
}

Test(esp_disk, dma_command_waits_for_the_engine_once_it_was_stopped)
{
    /* NetBSD's order: address and count, engine off, command, then engine on. */
    static const uint8_t tur[6] = { 0x00 };
    uint8_t *ram = fake_ram(bus);
    fake_write(espdma, "regs", DMA_CSR, 0x200, 4);
    fake_write(espdma, "regs", DMA_CSR, 0, 4);
    ram[BUF_PA] = 0x80;
    memcpy(ram + BUF_PA + 1, tur, 6);
    ewr(STATUS, 0);
    fake_write(espdma, "regs", DMA_ADDR, BUF_DVMA, 4);
    set_tc(7);
    ewr(CMD, CMD_SELATN | CMD_DMA);
    cr_assert_eq(fake_read(espdma, "regs", DMA_CSR, 4) & 1, 0);
    fake_write(espdma, "regs", DMA_CSR, 0x200, 4);
    cr_assert_eq(fake_read(espdma, "regs", DMA_CSR, 4) & 1, 1);
    cr_assert_eq(ereg(STATUS) & 7, PHASE_STATUS);
}

Test(esp_disk, chip_reset_drops_a_waiting_dma_command)
{
    static const uint8_t tur[6] = { 0x00 };
    fake_write(espdma, "regs", DMA_CSR, 0x200, 4);
    fake_write(espdma, "regs", DMA_CSR, 0, 4);
    select_cmd(0, tur, 6);
    ewr(CMD, CMD_RESET);
    fake_write(espdma, "regs", DMA_CSR, 0x200, 4);
    cr_assert_eq(fake_read(espdma, "regs", DMA_CSR, 4) & 1, 0);
}

/* ---- -snapshot: writes go to an overlay, the image stays as it was ---- */

static void snapshot_all_setup(void)
{
    chain_start("snapshot");
}

static void snapshot_drive0_setup(void)
{
    chain_start("drive.scsi.0.snapshot");
}

TestSuite(esp_snapshot, .init = snapshot_all_setup, .fini = chain_teardown);
TestSuite(esp_snapshot_drive0, .init = snapshot_drive0_setup, .fini = chain_teardown);

/* WRITE(10) of `blocks` blocks at `lba`, each filled with `fill`; the status byte. */
static uint8_t write_blocks(uint32_t lba, uint8_t blocks, uint8_t fill)
{
    uint8_t write10[10] = { 0x2a, 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16),
                            (uint8_t)(lba >> 8), (uint8_t)lba, 0, 0, blocks, 0 };
    select_cmd(0, write10, 10);
    memset(fake_ram(bus) + BUF_PA + 0x1000, fill, 512u * blocks);
    dma_at(BUF_DVMA + 0x1000, 0);
    set_tc(512u * blocks);
    ewr(CMD, CMD_TI | CMD_DMA);
    return finish();
}

static uint8_t image_byte(const char *path, uint64_t off)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    cr_assert_eq(fseek(f, (long)off, SEEK_SET), 0);
    int c = fgetc(f);
    fclose(f);
    return (uint8_t)c;
}

static void written_block_reads_back_and_the_image_is_unchanged(void)
{
    static const uint8_t read10[10] = { 0x28, 0, 0, 0, 0, 9, 0, 0, 2, 0 };
    cr_assert_eq(write_blocks(9, 1, 0xa5), 0x00);
    select_cmd(0, read10, 10);
    data_in(1024);
    cr_assert_eq(finish(), 0x00);
    cr_assert_eq(fake_ram(bus)[BUF_PA], 0xa5);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 511], 0xa5);
    cr_assert_eq(fake_ram(bus)[BUF_PA + 512], 10, "block 10 comes from the image");
    cr_assert_eq(image_byte(disk_path, 9 * 512), 9, "the image was written");
}

Test(esp_snapshot, snapshot_on_for_all_drives_keeps_the_image)
{
    written_block_reads_back_and_the_image_is_unchanged();
}

Test(esp_snapshot_drive0, snapshot_on_for_drive_0_keeps_the_image)
{
    written_block_reads_back_and_the_image_is_unchanged();
}

Test(esp_disk, without_snapshot_the_write_reaches_the_image)
{
    cr_assert_eq(write_blocks(9, 1, 0xa5), 0x00);
    cr_assert_eq(image_byte(disk_path, 9 * 512), 0xa5);
}

/* ---- snapshots carry the disks: a real save and load through the snapshot library ---- */

static TesseraInstanceInfo esp_info(void)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(esp_dev);
    const TesseraDeviceClass *cls = d->iface;
    return (TesseraInstanceInfo){ .size = sizeof(TesseraInstanceInfo), .name = "esp",
                                  .plugin = d->name, .plugin_version = d->version,
                                  .kind = d->kind, .schema = cls->state,
                                  .state = fake_host_instance(esp_dev) };
}

/* The ESP alone as a machine: what the disks' state needs. */
static int esp_snapshot(bool save, const char *path, char *err, size_t errlen)
{
    TesseraInstanceInfo inst = esp_info();
    TesseraMachineView m = { .size = sizeof(m), .machine = "esp-test", .machine_file = "",
                             .n_instances = 1, .instances = &inst };
    return save ? tsnap_save(&m, path, NULL, err, errlen) : tsnap_load(&m, path, err, errlen);
}

static char snap_path[64];

static void save_to_tmp(void)
{
    strcpy(snap_path, "/tmp/esp-snap-XXXXXX");
    close(mkstemp(snap_path));
    char err[512];
    cr_assert_eq(esp_snapshot(true, snap_path, err, sizeof(err)), 0, "%s", err);
}

/* The first byte of block `lba` as the guest reads it. */
static uint8_t guest_byte(uint32_t lba)
{
    uint8_t read10[10] = { 0x28, 0, 0, 0, 0, (uint8_t)lba, 0, 0, 1, 0 };
    select_cmd(0, read10, 10);
    data_in(512);
    cr_assert_eq(finish(), 0x00);
    return fake_ram(bus)[BUF_PA];
}

/* A new machine on the same images, as a fresh process would be. */
static void restart(const char *opt)
{
    fake_machine_free(bus);
    chain_build(opt);
}

Test(esp_snapshot, a_snapshot_under_snapshot_on_restores_the_written_blocks)
{
    cr_assert_eq(write_blocks(9, 1, 0xa5), 0x00);
    save_to_tmp();
    cr_assert_eq(image_byte(disk_path, 9 * 512), 9, "the image was written");
    restart("snapshot");
    cr_assert_eq(guest_byte(9), 9, "a fresh overlay starts empty");
    char err[512];
    cr_assert_eq(esp_snapshot(false, snap_path, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(guest_byte(9), 0xa5, "the snapshot's overlay is back");
    cr_assert_eq(guest_byte(10), 10);
    cr_assert_eq(image_byte(disk_path, 9 * 512), 9);
    unlink(snap_path);
}

Test(esp_snapshot, an_overlay_snapshot_is_refused_without_snapshot_on)
{
    cr_assert_eq(write_blocks(9, 1, 0xa5), 0x00);
    save_to_tmp();
    restart(NULL);
    char err[512] = "";
    cr_assert_eq(esp_snapshot(false, snap_path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "taken with -snapshot"), "%s", err);
    cr_assert_eq(guest_byte(9), 9, "the machine is untouched");
    unlink(snap_path);
}

static void change_image_byte(uint64_t off, uint8_t v)
{
    FILE *f = fopen(disk_path, "r+b");
    cr_assert(f);
    fseek(f, (long)off, SEEK_SET);
    fputc(v, f);
    fclose(f);
}

Test(esp_disk, a_changed_writable_image_is_refused_naming_it_and_loads_when_forced)
{
    cr_assert_eq(write_blocks(9, 1, 0xa5), 0x00);
    save_to_tmp();
    change_image_byte(20 * 512, 0x5a);
    restart(NULL);
    char err[512] = "";
    cr_assert_eq(esp_snapshot(false, snap_path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "target 0"), "%s", err);
    cr_assert(strstr(err, disk_path), "%s", err);
    cr_assert(strstr(err, "content differs"), "%s", err);
    cr_assert(strstr(err, "rolled back"), "%s", err);
    cr_assert_null(strchr(err, '\n'));
    restart("loadvm.force-disk");
    cr_assert_eq(esp_snapshot(false, snap_path, err, sizeof(err)), 0, "%s", err);
    unlink(snap_path);
}

Test(esp_disk, a_touched_but_equal_image_loads)
{
    save_to_tmp();
    change_image_byte(20 * 512, 20); /* the same byte: new mtime, same content */
    restart(NULL);
    char err[512] = "";
    cr_assert_eq(esp_snapshot(false, snap_path, err, sizeof(err)), 0, "%s", err);
    unlink(snap_path);
}

Test(esp_disk, a_resized_image_is_refused)
{
    save_to_tmp();
    cr_assert_eq(truncate(disk_path, (DISK_BLOCKS + 1) * 512), 0);
    restart(NULL);
    char err[512] = "";
    cr_assert_eq(esp_snapshot(false, snap_path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "bytes, the snapshot's had"), "%s", err);
    unlink(snap_path);
}

/* A snapshot whose disks blob is `edit`ed before it is written. */
static void save_edited(void (*edit)(uint8_t *blob, size_t *len))
{
    TesseraInstanceInfo inst = esp_info();
    cr_assert_eq(inst.schema->pre_save(inst.state), 0);
    char err[512];
    TesseraRecord *rec = tsnap_build_record("test", &inst, 2, err, sizeof(err));
    cr_assert(rec, "%s", err);
    size_t len;
    const uint8_t *b = record_ops.get_bytes(rec, "disks", &len);
    cr_assert(b);
    uint8_t *copy = malloc(len + 64);
    memcpy(copy, b, len);
    edit(copy, &len);
    cr_assert_eq(record_ops.set_bytes(rec, "disks", copy, len), 0);
    free(copy);
    TsnapDeviceOut dev = { .name = "esp", .plugin = inst.plugin,
                           .plugin_version = inst.plugin_version, .kind = inst.kind,
                           .schema = inst.schema->name, .rec = rec };
    TsnapWriteSpec spec = { .machine = "esp-test", .machine_file = "", .devices = &dev,
                            .n_devices = 1 };
    strcpy(snap_path, "/tmp/esp-snap-XXXXXX");
    close(mkstemp(snap_path));
    cr_assert_eq(tsnap_write(snap_path, &spec, err, sizeof(err)), 0, "%s", err);
    record_free(rec);
}

static void truncate_overlay(uint8_t *blob, size_t *len)
{
    (void)blob;
    *len -= 100;
}

static void oversize_block_count(uint8_t *blob, size_t *len)
{
    /* entry header at 12: target, kind, size, mtime, hash; then the overlay length (8)
     * and the overlay: block size (4), image blocks (8), n (8). */
    size_t n_at = 12 + 32 + 8 + 12;
    (void)len;
    blob[n_at + 4] = 0x7f;
}

static void grow_overlay_length(uint8_t *blob, size_t *len)
{
    (void)len;
    blob[12 + 32 + 7] = 0x40; /* the overlay's length claims 2^62 bytes */
}

static void refused_with_one_line(void (*edit)(uint8_t *, size_t *), const char *what)
{
    cr_assert_eq(write_blocks(9, 1, 0xa5), 0x00);
    save_edited(edit);
    restart("snapshot");
    char err[512] = "";
    cr_assert_eq(esp_snapshot(false, snap_path, err, sizeof(err)), -1);
    cr_assert(strstr(err, what), "'%s' lacks '%s'", err, what);
    cr_assert_null(strchr(err, '\n'));
    cr_assert_eq(guest_byte(9), 9, "the machine is untouched");
    unlink(snap_path);
}

Test(esp_snapshot, a_truncated_overlay_is_refused)
{
    refused_with_one_line(truncate_overlay, "truncated");
}

Test(esp_snapshot, an_oversized_block_count_is_refused)
{
    refused_with_one_line(oversize_block_count, "do not fill");
}

Test(esp_snapshot, an_overlay_length_past_the_blob_is_refused)
{
    refused_with_one_line(grow_overlay_length, "truncated");
}

/* ---- the monitor's commit ---- */

static int esp_commit_drive(const char *drive, char *err, size_t errlen)
{
    const TesseraDeviceClass *cls = fake_host_descriptor(esp_dev)->iface;
    return cls->commit(fake_host_instance(esp_dev), drive, err, errlen);
}

Test(esp_snapshot, commit_writes_the_overlay_back_and_the_image_changes)
{
    cr_assert_eq(write_blocks(9, 1, 0xa5), 0x00);
    cr_assert_eq(image_byte(disk_path, 9 * 512), 9);
    char err[256] = "";
    cr_assert_eq(esp_commit_drive("scsi0-hd0", err, sizeof(err)), 1, "%s", err);
    cr_assert_eq(image_byte(disk_path, 9 * 512), 0xa5);
    cr_assert_eq(image_byte(disk_path, 9 * 512 + 511), 0xa5);
    cr_assert_eq(image_byte(disk_path, 10 * 512), 10);
    cr_assert_eq(guest_byte(9), 0xa5, "the guest still sees its write");
}

Test(esp_snapshot, commit_all_counts_the_drives_and_an_unknown_drive_matches_none)
{
    char err[256] = "";
    cr_assert_eq(esp_commit_drive("all", err, sizeof(err)), 1, "%s", err);
    cr_assert_eq(esp_commit_drive("scsi0-hd5", err, sizeof(err)), 0, "%s", err);
}

Test(esp_disk, commit_without_an_overlay_is_refused_with_one_line)
{
    char err[256] = "";
    cr_assert_eq(esp_commit_drive("scsi0-hd0", err, sizeof(err)), -1);
    cr_assert(strstr(err, "scsi0-hd0 has no overlay"), "%s", err);
}

Test(esp_snapshot, commit_to_an_image_that_cannot_be_reopened_writable_is_refused)
{
    cr_assert_eq(write_blocks(9, 1, 0xa5), 0x00);
    /* A directory where the image was: no open for writing succeeds, even as root. */
    cr_assert_eq(unlink(disk_path), 0);
    cr_assert_eq(mkdir(disk_path, 0700), 0);
    char err[256] = "";
    cr_assert_eq(esp_commit_drive("all", err, sizeof(err)), -1);
    cr_assert(strstr(err, "cannot reopen writable"), "%s", err);
    cr_assert_null(strchr(err, '\n'));
    cr_assert_eq(guest_byte(9), 0xa5, "the overlay is kept");
    rmdir(disk_path);
}
