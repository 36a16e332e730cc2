/* SPDX-License-Identifier: MIT */
/* escc: register pointer, transmit gating, reception through the FIFO, interrupts,
 * the keyboard port, state. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"

/* Byte registers: channel B control +0, data +2; channel A control +4, data +6. */
enum { A, B };

static FakeHost *fh;

static FakeHost *start(const char *kind, const char *nographic)
{
    FakeHost *h = fake_host_new(PLUGIN_PATH);
    if (kind)
        fake_host_set_prop(h, "kind", kind);
    if (nographic)
        fake_host_set_machine_opt(h, "nographic", nographic);
    if (!kind) {
        fake_host_add_chardev(h, "a");
        fake_host_add_chardev(h, "b");
    }
    fake_host_start(h);
    return h;
}

static void setup_serial(void)
{
    fh = start(NULL, NULL);
}

static void teardown(void)
{
    fake_host_free(fh);
    fh = NULL;
}

TestSuite(escc, .init = setup_serial, .fini = teardown);
TestSuite(escc_keyboard, .fini = teardown);

static uint64_t ctrl(int ch)
{
    return ch == A ? 4 : 0;
}

static uint64_t data(int ch)
{
    return ch == A ? 6 : 2;
}

static uint8_t rd_ctrl(int ch)
{
    return (uint8_t)fake_read(fh, "regs", ctrl(ch), 1);
}

static void wr_ctrl(int ch, uint8_t v)
{
    fake_write(fh, "regs", ctrl(ch), v, 1);
}

/* Write register `reg` through the pointer (point high for 8..15). */
static void wreg(int ch, unsigned reg, uint8_t v)
{
    if (reg)
        wr_ctrl(ch, (uint8_t)((reg & 7) | (reg >= 8 ? 0x08 : 0)));
    wr_ctrl(ch, v);
}

static uint8_t rreg(int ch, unsigned reg)
{
    if (reg)
        wr_ctrl(ch, (uint8_t)((reg & 7) | (reg >= 8 ? 0x08 : 0)));
    return rd_ctrl(ch);
}

static uint8_t rd_data(int ch)
{
    return (uint8_t)fake_read(fh, "regs", data(ch), 1);
}

static void wr_data(int ch, uint8_t v)
{
    fake_write(fh, "regs", data(ch), v, 1);
}

static size_t output(const char *chr, uint8_t *buf, size_t len)
{
    return fake_chr_output(fh, chr, buf, len);
}

/* OpenBIOS's line setup: receiver and transmitter on, 8 bits. */
static void line_up(int ch)
{
    wreg(ch, 3, 0xc1);
    wreg(ch, 5, 0xea);
}

Test(escc, descriptor_names_plugin_and_version)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "escc");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(escc, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(escc, region_is_eight_bytes)
{
    cr_assert_eq(fake_region_size(fh, "regs"), 8);
}

Test(escc, rr0_after_power_on_reports_transmit_buffer_empty)
{
    cr_assert_eq(rd_ctrl(A), 0x04);
    cr_assert_eq(rd_ctrl(B), 0x04);
}

Test(escc, pointer_selects_the_next_read_then_returns_to_rr0)
{
    wr_ctrl(A, 1);
    cr_assert_eq(rd_ctrl(A), 0x07); /* RR1: all sent, 8-bit residue code */
    cr_assert_eq(rd_ctrl(A), 0x04); /* RR0 again */
}

Test(escc, pointer_returns_to_wr0_after_a_register_write)
{
    wr_ctrl(A, 12);
    wr_ctrl(A, 0x55); /* WR12 */
    wr_ctrl(A, 0x02); /* WR0 again: pointer 2, no command */
    wr_ctrl(A, 0x99); /* WR2 */
    cr_assert_eq(rreg(A, 2), 0x99);
}

Test(escc, point_high_command_reaches_registers_8_to_15)
{
    wr_ctrl(A, 0x08 | 4); /* point high + 4 = WR12 */
    wr_ctrl(A, 0x5a);
    wr_ctrl(A, 0x08 | 4); /* RR12 reads the baud rate low byte back */
    cr_assert_eq(rd_ctrl(A), 0x5a);
}

Test(escc, pointers_are_per_channel)
{
    wr_ctrl(A, 1);
    cr_assert_eq(rd_ctrl(B), 0x04); /* B still at RR0 */
    cr_assert_eq(rd_ctrl(A), 0x07);
}

Test(escc, transmit_needs_wr5_tx_enable)
{
    uint8_t buf[8];
    wr_data(A, 'x');
    cr_assert_eq(output("a", buf, sizeof(buf)), 0);
    wreg(A, 5, 0x08);
    wr_data(A, 'y');
    cr_assert_eq(output("a", buf, sizeof(buf)), 1);
    cr_assert_eq(buf[0], 'y');
}

Test(escc, channel_b_transmits_to_its_own_backend)
{
    uint8_t buf[8];
    line_up(B);
    wr_data(B, 'b');
    cr_assert_eq(output("a", buf, sizeof(buf)), 0);
    cr_assert_eq(output("b", buf, sizeof(buf)), 1);
    cr_assert_eq(buf[0], 'b');
}

Test(escc, transmit_buffer_is_empty_after_a_byte)
{
    line_up(A);
    wr_data(A, 'z');
    cr_assert_eq(rd_ctrl(A) & 0x04, 0x04);
}

Test(escc, received_byte_sets_rr0_rx_available)
{
    line_up(A);
    fake_chr_input(fh, "a", "q", 1);
    cr_assert_eq(rd_ctrl(A) & 0x01, 0x01);
    cr_assert_eq(rd_data(A), 'q');
    cr_assert_eq(rd_ctrl(A) & 0x01, 0);
}

Test(escc, receiver_off_leaves_input_with_the_backend)
{
    fake_chr_input(fh, "a", "q", 1);
    cr_assert_eq(rd_ctrl(A) & 0x01, 0);
    cr_assert_eq(fake_chr_queued(fh, "a"), 1);
    line_up(A);
    fake_chr_poll(fh);
    cr_assert_eq(rd_data(A), 'q');
}

Test(escc, fifo_takes_three_bytes_and_the_rest_waits)
{
    line_up(A);
    fake_chr_input(fh, "a", "hello", 5);
    cr_assert_eq(fake_chr_queued(fh, "a"), 2);
    cr_assert_eq(rd_data(A), 'h');
    cr_assert_eq(rd_data(A), 'e');
    cr_assert_eq(rd_data(A), 'l');
    cr_assert_eq(rd_ctrl(A) & 0x01, 0);
    fake_chr_poll(fh);
    cr_assert_eq(rd_data(A), 'l');
    cr_assert_eq(rd_data(A), 'o');
}

Test(escc, rx_interrupt_needs_wr1_and_wr9_and_clears_on_read)
{
    line_up(A);
    wreg(A, 1, 0x10); /* interrupt on every received character */
    fake_chr_input(fh, "a", "k", 1);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0); /* WR9 MIE still off */
    wreg(A, 9, 0x0a); /* MIE | NV */
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    cr_assert_eq(rreg(A, 3), 0x20); /* RR3: channel A RX pending */
    rd_data(A);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    cr_assert_eq(rreg(A, 3), 0);
}

Test(escc, rx_without_wr1_enable_does_not_interrupt)
{
    line_up(A);
    wreg(A, 9, 0x08);
    fake_chr_input(fh, "a", "k", 1);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
}

Test(escc, tx_interrupt_follows_each_byte_until_reset_tx_pending)
{
    line_up(A);
    wreg(A, 1, 0x02);
    wreg(A, 9, 0x08);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    wr_data(A, '1');
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    cr_assert_eq(rreg(A, 3), 0x10);
    wr_ctrl(A, 0x28); /* reset TX interrupt pending */
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
}

Test(escc, rr3_reads_zero_through_channel_b)
{
    line_up(B);
    wreg(B, 1, 0x10);
    fake_chr_input(fh, "b", "k", 1);
    cr_assert_eq(rreg(B, 3), 0);
    cr_assert_eq(rreg(A, 3), 0x04); /* channel B RX, seen through A */
}

Test(escc, rr2_through_channel_b_carries_the_status_code)
{
    wreg(A, 2, 0x40);
    line_up(A);
    wreg(A, 1, 0x10);
    cr_assert_eq(rreg(B, 2), 0x46); /* nothing pending: 011 in bits 3..1 */
    fake_chr_input(fh, "a", "k", 1);
    cr_assert_eq(rreg(B, 2), 0x4c); /* channel A RX: 110 */
    cr_assert_eq(rreg(A, 2), 0x40); /* channel A reads the vector unmodified */
    wreg(A, 9, 0x10);               /* status high: 011 reversed in bits 6..4 */
    cr_assert_eq(rreg(B, 2), 0x30);
}

Test(escc, hardware_reset_command_clears_interrupts_and_sets_status)
{
    line_up(A);
    wreg(A, 1, 0x10);
    wreg(A, 9, 0x08);
    fake_chr_input(fh, "a", "k", 1);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    wreg(A, 9, 0xc0);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    cr_assert_eq(rd_ctrl(A), 0x44); /* TX empty, TX underrun; FIFO flushed */
}

Test(escc, channel_reset_leaves_the_other_channel_alone)
{
    line_up(A);
    line_up(B);
    fake_chr_input(fh, "b", "k", 1);
    wreg(A, 9, 0x80); /* reset channel A */
    cr_assert_eq(rd_ctrl(B) & 0x01, 0x01);
}

Test(escc, local_loopback_receives_own_transmission)
{
    uint8_t buf[4];
    line_up(A);
    wreg(A, 14, 0x10);
    wr_data(A, 'L');
    cr_assert_eq(output("a", buf, sizeof(buf)), 0);
    cr_assert_eq(rd_data(A), 'L');
}

Test(escc, fifo_overrun_sets_rr1_and_error_reset_clears_it)
{
    line_up(A);
    wreg(A, 14, 0x10); /* loopback: nothing throttles the receiver */
    for (int i = 0; i < 4; i++)
        wr_data(A, (uint8_t)('0' + i));
    cr_assert_eq(rreg(A, 1) & 0x20, 0x20);
    wr_ctrl(A, 0x30); /* error reset */
    cr_assert_eq(rreg(A, 1) & 0x20, 0);
    cr_assert_eq(rd_data(A), '0'); /* the FIFO kept the first three */
}

Test(escc, reset_highest_ius_leaves_pending_interrupts_pending)
{
    line_up(A);
    wreg(A, 1, 0x10);
    wreg(A, 9, 0x08);
    fake_chr_input(fh, "a", "k", 1);
    wr_ctrl(A, 0x38);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
}

Test(escc, no_backend_discards_output)
{
    teardown();
    fh = fake_host_new(PLUGIN_PATH);
    fake_host_start(fh); /* no chardevs: both "none" */
    line_up(A);
    wr_data(A, 'x');
    cr_assert_eq(rd_ctrl(A) & 0x04, 0x04);
}

Test(escc, unknown_kind_is_refused)
{
    teardown();
    fh = fake_host_new(PLUGIN_PATH);
    fake_host_set_prop(fh, "kind", "printer");
    char err[128] = "";
    cr_assert_neq(fake_host_try_init(fh, err, sizeof(err)), 0);
    cr_assert(strstr(err, "printer"));
}

Test(escc, state_restores_fifo_registers_and_irq)
{
    line_up(A);
    wreg(A, 1, 0x10);
    wreg(A, 9, 0x08);
    wreg(A, 12, 0x0a);
    fake_chr_input(fh, "a", "ab", 2);
    wr_ctrl(B, 1); /* leave channel B's pointer at RR1 */

    size_t n = fake_state_save(fh, NULL, 0);
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(fh, buf, n), n);
    fake_host_reset(fh);
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    free(buf);

    cr_assert_eq(fake_irq_level(fh, "out", 0), 1);
    cr_assert_eq(rd_ctrl(B), 0x07);
    cr_assert_eq(rreg(A, 12), 0x0a);
    cr_assert_eq(rd_ctrl(A) & 0x01, 0x01);
    cr_assert_eq(rd_data(A), 'a');
    cr_assert_eq(rd_data(A), 'b');
    cr_assert_eq(fake_irq_level(fh, "out", 0), 0);
}

Test(escc_keyboard, without_display_ports_report_idle_modem_status_after_reset)
{
    fh = start("keyboard", NULL);
    wreg(A, 9, 0xc0);
    cr_assert_eq(rd_ctrl(A), 0x7c); /* TX empty, DCD, SYNC, CTS, TX underrun */
    cr_assert_eq(rd_ctrl(B), 0x7c);
}

Test(escc_keyboard, without_display_keyboard_does_not_answer)
{
    fh = start("keyboard", NULL);
    line_up(A);
    wr_data(A, 0x01);
    cr_assert_eq(rd_ctrl(A) & 0x01, 0);
}

Test(escc_keyboard, keyboard_answers_reset_with_type_4)
{
    fh = start("keyboard", "0");
    line_up(A);
    wr_data(A, 0x01);
    cr_assert_eq(rd_data(A), 0xff);
    cr_assert_eq(rd_data(A), 0x04);
    cr_assert_eq(rd_data(A), 0x7f);
    cr_assert_eq(rd_ctrl(A) & 0x01, 0);
}

Test(escc_keyboard, keyboard_answers_layout_query_with_us)
{
    fh = start("keyboard", "0");
    line_up(A);
    wr_data(A, 0x0f);
    cr_assert_eq(rd_data(A), 0xfe);
    cr_assert_eq(rd_data(A), 0x21);
}

Test(escc_keyboard, keyboard_ignores_the_byte_after_set_leds)
{
    fh = start("keyboard", "0");
    line_up(A);
    wr_data(A, 0x0e);
    wr_data(A, 0x01); /* LED state, not a reset */
    cr_assert_eq(rd_ctrl(A) & 0x01, 0);
}
