/* SPDX-License-Identifier: MIT */
/* lance: RAP/RDP and CSR0-3, the init block read through ledma and the IOMMU (IDON),
 * frames to and from the network backend through the rings, the frames in flight
 * in the saved state, reset through ledma. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"

#define RDP 0x0
#define RAP 0x2

#define CSR0_INIT 0x0001
#define CSR0_STRT 0x0002
#define CSR0_STOP 0x0004
#define CSR0_TDMD 0x0008
#define CSR0_TXON 0x0010
#define CSR0_RXON 0x0020
#define CSR0_INEA 0x0040
#define CSR0_INTR 0x0080
#define CSR0_IDON 0x0100
#define CSR0_TINT 0x0200
#define CSR0_MERR 0x0800
#define CSR0_ERR 0x8000

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

TestSuite(lance, .init = setup, .fini = teardown);

static uint16_t csr(unsigned n)
{
    fake_write(fh, "regs", RAP, n, 2);
    return (uint16_t)fake_read(fh, "regs", RDP, 2);
}

static void set_csr(unsigned n, uint16_t v)
{
    fake_write(fh, "regs", RAP, n, 2);
    fake_write(fh, "regs", RDP, v, 2);
}

Test(lance, descriptor_is_version_1_1_0)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "lance");
    cr_assert_str_eq(d->version, "1.1.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(lance, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(lance, ports_are_4_bytes)
{
    cr_assert_eq(fake_region_size(fh, "regs"), 4);
}

Test(lance, reset_leaves_the_chip_stopped)
{
    cr_assert_eq(csr(0), CSR0_STOP);
}

Test(lance, rap_reads_back_two_bits)
{
    fake_write(fh, "regs", RAP, 0xffff, 2);
    cr_assert_eq(fake_read(fh, "regs", RAP, 2), 3);
}

Test(lance, csr3_keeps_bswp_acon_bcon)
{
    set_csr(3, 0xffff);
    cr_assert_eq(csr(3), 0x0007);
}

Test(lance, csr1_is_word_aligned)
{
    set_csr(1, 0x1235);
    cr_assert_eq(csr(1), 0x1234);
}

Test(lance, init_without_memory_is_a_memory_error)
{
    set_csr(0, CSR0_INIT);
    uint16_t c = csr(0);
    cr_assert_eq(c & CSR0_IDON, 0);
    cr_assert_eq(c & (CSR0_MERR | CSR0_ERR | CSR0_INTR), CSR0_MERR | CSR0_ERR | CSR0_INTR);
}

Test(lance, interrupt_needs_inea)
{
    set_csr(0, CSR0_INIT);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    set_csr(0, CSR0_INEA);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
}

Test(lance, stop_clears_status_and_enable)
{
    set_csr(0, CSR0_INIT | CSR0_INEA);
    set_csr(0, CSR0_STOP);
    cr_assert_eq(csr(0), CSR0_STOP);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
}

Test(lance, state_round_trip_restores_the_interrupt)
{
    set_csr(0, CSR0_INIT | CSR0_INEA);
    size_t n = fake_state_save(fh, NULL, 0);
    void *buf = malloc(n);
    fake_state_save(fh, buf, n);
    set_csr(0, CSR0_STOP);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    free(buf);
}

/* ---- behind ledma and the IOMMU ---- */

#define TABLE_PA 0x10000u
#define PAGE_PA 0x60000u     /* the DVMA page 0xff000000 */
#define IB 0x000100u         /* chip addresses: DVMA 0xff000000 + this */
#define RX_RING 0x000200u
#define TX_RING 0x000300u
#define TX_BUF 0x000400u
#define RX_BUF 0x000600u
#define RX_BUF2 0x000c00u
#define CSR0_RINT 0x0400

static FakeMachine *bus;
static FakeHost *ledma, *lance_dev;

static uint16_t bcsr(unsigned n)
{
    fake_write(lance_dev, "regs", RAP, n, 2);
    return (uint16_t)fake_read(lance_dev, "regs", RDP, 2);
}

static void set_bcsr(unsigned n, uint16_t v)
{
    fake_write(lance_dev, "regs", RAP, n, 2);
    fake_write(lance_dev, "regs", RDP, v, 2);
}

static void put_desc(uint32_t at, uint16_t w0, uint16_t w1, uint16_t w2, uint16_t w3)
{
    fake_ram_write(bus, PAGE_PA + at, w0, 2);
    fake_ram_write(bus, PAGE_PA + at + 2, w1, 2);
    fake_ram_write(bus, PAGE_PA + at + 4, w2, 2);
    fake_ram_write(bus, PAGE_PA + at + 6, w3, 2);
}

static void chain_setup(void)
{
    bus = fake_machine_new(1 << 20);
    FakeHost *iommu = fake_machine_add(bus, "iommu", IOMMU_PATH);
    ledma = fake_machine_add(bus, "ledma", DMA_PATH);
    fake_host_set_prop(ledma, "kind", "lance");
    fake_host_set_link(ledma, "iommu", "iommu");
    lance_dev = fake_machine_add(bus, "lance", PLUGIN_PATH);
    fake_host_set_link(lance_dev, "dma", "ledma");
    fake_net_enable(lance_dev);
    fake_irq_wire(lance_dev, "out", 0, ledma, "device", 0);
    fake_machine_start(bus);
    fake_write(iommu, "regs", 0x0, 0x5, 4); /* 32 MiB window */
    fake_write(iommu, "regs", 0x4, TABLE_PA >> 4, 4);
    fake_ram_write(bus, TABLE_PA + ((0xff000000u & 0x01ffffffu) >> 12) * 4,
                   ((PAGE_PA >> 4) & 0xffffff00u) | 0x6, 4);
    fake_write(ledma, "regs", 0xc, 0xff000000u, 4);

    /* Linux sunlance's block: MAC 52:54:00:12:34:56 with bytes swapped in words,
     * 4 receive and 2 transmit descriptors. */
    static const uint16_t ib[12] = {
        0x0000, 0x5452, 0x1200, 0x5634, 0, 0, 0, 0,
        RX_RING & 0xffff, (2 << 13) | (RX_RING >> 16), TX_RING & 0xffff, (1 << 13) | (TX_RING >> 16),
    };
    for (unsigned i = 0; i < 12; i++)
        fake_ram_write(bus, PAGE_PA + IB + 2 * i, ib[i], 2);
    set_bcsr(1, IB & 0xffff);
    set_bcsr(2, IB >> 16);
    set_bcsr(3, 0x7);
}

static void chain_teardown(void)
{
    fake_machine_free(bus);
}

TestSuite(lance_ring, .init = chain_setup, .fini = chain_teardown);

Test(lance_ring, init_reads_the_block_and_sets_idon)
{
    set_bcsr(0, CSR0_INIT);
    cr_assert_eq(bcsr(0), CSR0_INIT | CSR0_IDON | CSR0_INTR);
}

Test(lance_ring, idon_interrupt_reaches_the_ledma_csr)
{
    set_bcsr(0, CSR0_INIT | CSR0_INEA);
    cr_assert_eq(fake_irq_level(lance_dev, "out", 0), 1);
    cr_assert_eq(fake_read(ledma, "regs", 0x0, 4) & 1, 1);
}

Test(lance_ring, writing_idon_acknowledges_it)
{
    set_bcsr(0, CSR0_INIT | CSR0_INEA);
    set_bcsr(0, CSR0_IDON | CSR0_INEA | CSR0_STRT);
    cr_assert_eq(bcsr(0) & (CSR0_IDON | CSR0_INTR), 0);
    cr_assert_eq(fake_irq_level(lance_dev, "out", 0), 0);
}

Test(lance_ring, start_turns_transmitter_and_receiver_on)
{
    set_bcsr(0, CSR0_INIT);
    set_bcsr(0, CSR0_IDON | CSR0_STRT);
    cr_assert_eq(bcsr(0), CSR0_INIT | CSR0_STRT | CSR0_TXON | CSR0_RXON);
}

Test(lance_ring, csr1_cannot_change_while_running)
{
    set_bcsr(0, CSR0_INIT);
    set_bcsr(0, CSR0_IDON | CSR0_STRT);
    set_bcsr(1, 0x4000);
    cr_assert_eq(bcsr(1), IB & 0xffff);
}

Test(lance_ring, transmit_hands_owned_descriptors_back_with_tint)
{
    set_bcsr(0, CSR0_INIT);
    set_bcsr(0, CSR0_IDON | CSR0_STRT);
    put_desc(TX_RING, TX_BUF & 0xffff, 0x8000 | 0x0300 | (TX_BUF >> 16), (uint16_t)-64, 0xffff);
    set_bcsr(0, CSR0_TDMD);
    cr_assert_eq(fake_ram_read(bus, PAGE_PA + TX_RING + 2, 2), 0x0300);
    cr_assert_eq(fake_ram_read(bus, PAGE_PA + TX_RING + 6, 2), 0);
    cr_assert_eq(bcsr(0) & (CSR0_TINT | CSR0_INTR), CSR0_TINT | CSR0_INTR);
}

Test(lance_ring, transmit_stops_at_a_descriptor_the_host_owns)
{
    set_bcsr(0, CSR0_INIT);
    set_bcsr(0, CSR0_IDON | CSR0_STRT);
    put_desc(TX_RING, TX_BUF & 0xffff, 0x8300, (uint16_t)-64, 0);
    put_desc(TX_RING + 8, TX_BUF & 0xffff, 0x0300, (uint16_t)-64, 0x1234);
    set_bcsr(0, CSR0_TDMD);
    cr_assert_eq(fake_ram_read(bus, PAGE_PA + TX_RING + 8 + 6, 2), 0x1234);
    /* The next demand starts at the second descriptor. */
    put_desc(TX_RING + 8, TX_BUF & 0xffff, 0x8300, (uint16_t)-64, 0x1234);
    set_bcsr(0, CSR0_TDMD);
    cr_assert_eq(fake_ram_read(bus, PAGE_PA + TX_RING + 8 + 2, 2), 0x0300);
}

Test(lance_ring, nothing_is_received)
{
    put_desc(RX_RING, 0x0800, 0x8000, (uint16_t)-1518, 0);
    set_bcsr(0, CSR0_INIT);
    set_bcsr(0, CSR0_IDON | CSR0_STRT);
    cr_assert_eq(fake_ram_read(bus, PAGE_PA + RX_RING + 2, 2), 0x8000);
    cr_assert_eq(bcsr(0) & 0x0400 /* RINT */, 0);
}

Test(lance_ring, unmapped_init_block_is_a_memory_error)
{
    set_bcsr(0, CSR0_STOP);
    set_bcsr(2, 0x10); /* DVMA 0xff100000: no IOPTE */
    set_bcsr(0, CSR0_INIT);
    cr_assert_eq(bcsr(0) & (CSR0_MERR | CSR0_IDON), CSR0_MERR);
}

Test(lance_ring, ledma_reset_stops_the_chip)
{
    set_bcsr(0, CSR0_INIT);
    fake_write(ledma, "regs", 0x0, 0x80, 4);
    cr_assert_eq(bcsr(0), CSR0_STOP);
}

Test(lance_ring, mode_dtx_keeps_the_transmitter_off)
{
    fake_ram_write(bus, PAGE_PA + IB, 0x0002, 2); /* DTX */
    set_bcsr(0, CSR0_INIT);
    set_bcsr(0, CSR0_IDON | CSR0_STRT);
    cr_assert_eq(bcsr(0) & (CSR0_TXON | CSR0_RXON), CSR0_RXON);
}

/* ---- the network ---- */

static const uint8_t station[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void start_chip(void)
{
    set_bcsr(0, CSR0_INIT);
    set_bcsr(0, CSR0_IDON | CSR0_STRT);
}

/* A frame to `dst` of len bytes: the header, then bytes i * 7 + seed. */
static void make_frame(uint8_t *f, size_t len, const uint8_t *dst, uint8_t seed)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
    f[12] = 0x08, f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(i * 7 + seed);
}

static void put_bytes(uint32_t at, const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fake_ram_write(bus, PAGE_PA + at + i, b[i], 1);
}

static bool ram_equals(uint32_t at, const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (fake_ram_read(bus, PAGE_PA + at + i, 1) != b[i])
            return false;
    return true;
}

static uint16_t rmd(unsigned index, unsigned w)
{
    return (uint16_t)fake_ram_read(bus, PAGE_PA + RX_RING + index * 8 + w * 2, 2);
}

static void give_rx(unsigned index, uint32_t buf, uint16_t size)
{
    put_desc(RX_RING + index * 8, buf & 0xffff, 0x8000 | (buf >> 16), (uint16_t)-size, 0);
}

Test(lance_ring, transmit_sends_the_frame_to_the_backend)
{
    uint8_t f[64], got[64];
    make_frame(f, sizeof(f), station, 1);
    put_bytes(TX_BUF, f, sizeof(f));
    start_chip();
    put_desc(TX_RING, TX_BUF & 0xffff, 0x8000 | 0x0300 | (TX_BUF >> 16), (uint16_t)-64, 0);
    set_bcsr(0, CSR0_TDMD);
    cr_assert_eq(fake_net_sent_count(lance_dev), 1);
    cr_assert_eq(fake_net_sent(lance_dev, 0, got, sizeof(got)), 64);
    cr_assert_arr_eq(got, f, 64);
}

Test(lance_ring, transmit_gathers_a_frame_from_stp_to_enp)
{
    uint8_t f[100], got[100];
    make_frame(f, sizeof(f), station, 2);
    put_bytes(TX_BUF, f, 60);
    put_bytes(TX_BUF + 0x100, f + 60, 40);
    start_chip();
    put_desc(TX_RING, TX_BUF & 0xffff, 0x8000 | 0x0200, (uint16_t)-60, 0);
    put_desc(TX_RING + 8, (TX_BUF + 0x100) & 0xffff, 0x8000 | 0x0100, (uint16_t)-40, 0);
    set_bcsr(0, CSR0_TDMD);
    cr_assert_eq(fake_net_sent_count(lance_dev), 1);
    cr_assert_eq(fake_net_sent(lance_dev, 0, got, sizeof(got)), 100);
    cr_assert_arr_eq(got, f, 100);
}

Test(lance_ring, a_frame_with_no_end_yet_is_not_sent)
{
    start_chip();
    put_desc(TX_RING, TX_BUF & 0xffff, 0x8000 | 0x0200, (uint16_t)-60, 0);
    set_bcsr(0, CSR0_TDMD);
    cr_assert_eq(fake_net_sent_count(lance_dev), 0);
    cr_assert_eq(bcsr(0) & CSR0_TINT, 0);
}

Test(lance_ring, receive_writes_the_frame_with_its_fcs_and_sets_rint)
{
    uint8_t f[100];
    make_frame(f, sizeof(f), station, 3);
    give_rx(0, RX_BUF, 1518);
    start_chip();
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    cr_assert_eq(rmd(0, 1), 0x0300, "RMD1 0x%04x: STP and ENP, OWN clear", rmd(0, 1));
    cr_assert_eq(rmd(0, 3), 104, "MCNT %u: the frame and 4 FCS bytes", rmd(0, 3));
    cr_assert(ram_equals(RX_BUF, f, sizeof(f)));
    /* The FCS of this frame, low byte first. */
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < sizeof(f); i++) {
        crc ^= f[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    crc = ~crc;
    uint8_t fcs[4] = { (uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24) };
    cr_assert(ram_equals(RX_BUF + sizeof(f), fcs, 4));
    cr_assert_eq(bcsr(0) & (CSR0_RINT | CSR0_INTR), CSR0_RINT | CSR0_INTR);
}

Test(lance_ring, a_short_frame_is_padded_to_60_bytes)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint8_t f[42];
    make_frame(f, sizeof(f), bcast, 4);
    give_rx(0, RX_BUF, 1518);
    start_chip();
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    cr_assert_eq(rmd(0, 3), 64);
}

Test(lance_ring, a_frame_for_another_station_is_not_received)
{
    static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
    uint8_t f[64];
    make_frame(f, sizeof(f), other, 5);
    give_rx(0, RX_BUF, 1518);
    start_chip();
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    cr_assert_eq(rmd(0, 1) & 0x8000, 0x8000);
    cr_assert_eq(bcsr(0) & CSR0_RINT, 0);
}

Test(lance_ring, a_long_frame_spans_descriptors)
{
    uint8_t f[100];
    make_frame(f, sizeof(f), station, 6);
    give_rx(0, RX_BUF, 64);
    give_rx(1, RX_BUF2, 64);
    start_chip();
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    cr_assert_eq(rmd(0, 1), 0x0200);
    cr_assert_eq(rmd(1, 1), 0x0100);
    cr_assert_eq(rmd(1, 3), 104);
    cr_assert(ram_equals(RX_BUF, f, 64));
    cr_assert(ram_equals(RX_BUF2, f + 64, 36));
}

Test(lance_ring, running_out_of_buffers_inside_a_frame_sets_buff)
{
    uint8_t f[100];
    make_frame(f, sizeof(f), station, 7);
    give_rx(0, RX_BUF, 64);
    start_chip();
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    cr_assert_eq(rmd(0, 1), 0x4000 | 0x0400 | 0x0200, "RMD1 0x%04x: ERR BUFF STP", rmd(0, 1));
}

Test(lance_ring, a_frame_waits_for_a_buffer_and_the_chip_polls_the_ring)
{
    uint8_t f[80];
    make_frame(f, sizeof(f), station, 8);
    start_chip();
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    cr_assert_eq(bcsr(0) & CSR0_RINT, 0);
    give_rx(0, RX_BUF, 1518);
    fake_clock_advance(lance_dev, 100000);
    cr_assert_eq(rmd(0, 1), 0x0300);
    cr_assert(ram_equals(RX_BUF, f, sizeof(f)));
}

Test(lance_ring, the_fifo_refuses_frames_when_full)
{
    uint8_t f[64];
    make_frame(f, sizeof(f), station, 9);
    start_chip();
    for (int i = 0; i < 4; i++)
        cr_assert(fake_net_offer(lance_dev, f, sizeof(f)), "frame %d", i);
    cr_assert_not(fake_net_offer(lance_dev, f, sizeof(f)));
}

Test(lance_ring, frames_with_the_receiver_off_are_dropped)
{
    uint8_t f[64];
    make_frame(f, sizeof(f), station, 10);
    give_rx(0, RX_BUF, 1518);
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    start_chip();
    fake_clock_advance(lance_dev, 1000000);
    cr_assert_eq(rmd(0, 1) & 0x8000, 0x8000);
}

Test(lance_ring, frames_in_flight_survive_save_and_load)
{
    uint8_t f[90];
    make_frame(f, sizeof(f), station, 11);
    start_chip();
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    size_t n = fake_state_save(lance_dev, NULL, 0);
    void *buf = malloc(n);
    fake_state_save(lance_dev, buf, n);
    set_bcsr(0, CSR0_STOP); /* loses the FIFO */
    cr_assert_eq(fake_state_load(lance_dev, buf, n), 0);
    free(buf);
    give_rx(0, RX_BUF, 1518);
    fake_clock_advance(lance_dev, 100000);
    cr_assert_eq(rmd(0, 1), 0x0300);
    cr_assert(ram_equals(RX_BUF, f, sizeof(f)));
}

Test(lance_ring, stop_drops_the_frames_in_flight)
{
    uint8_t f[64];
    make_frame(f, sizeof(f), station, 12);
    start_chip();
    cr_assert(fake_net_offer(lance_dev, f, sizeof(f)));
    set_bcsr(0, CSR0_STOP);
    give_rx(0, RX_BUF, 1518);
    start_chip();
    fake_clock_advance(lance_dev, 1000000);
    cr_assert_eq(rmd(0, 1) & 0x8000, 0x8000);
}
