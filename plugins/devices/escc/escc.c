/* SPDX-License-Identifier: MIT */
/*
 * escc: a Zilog Z85C30 serial communications controller, two channels, as the SLAVIO
 * chip wires it on the SS-5 (shared/reference/ss5.md, "Serial"; Zilog's SCC/ESCC user
 * manual for the registers). The SS-5 has two: the serial ports (A = ttya) and the
 * keyboard (A) / mouse (B) ports; `prop.kind = keyboard` makes an instance the latter.
 *
 * Transmission is instantaneous: a byte written with the transmitter enabled goes to
 * the channel's character backend at once, and the transmit buffer is empty again.
 * Reception fills a 3-byte FIFO, as on the Z85C30. There are no external/status
 * interrupts and no interrupt-under-service chain: the SS-5 has no interrupt
 * acknowledge cycle for the SCC, so "reset highest IUS" has nothing to reset.
 *
 * The keyboard port answers the Sun keyboard's reset and layout commands, unless the
 * machine has no display (the default), when the keyboard and mouse ports are idle
 * and report DCD, SYNC/HUNT and CTS after a reset, as the reference machine does.
 *
 * Machine file: region "regs", IRQ output "out" (both channels), chardevs "a", "b".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <tessera/tessera.h>

/* Register window: byte registers; address bit 2 selects the channel, bit 1 the port. */
#define ESCC_SIZE 8
#define ADDR_DATA 0x2      /* 0: control (register pointer), 1: data */
#define ADDR_CHANNEL_A 0x4 /* 0: channel B, 1: channel A */

/* WR0: register pointer and commands. */
#define WR0_PTR 0x07
#define WR0_CMD 0x38
#define CMD_POINT_HIGH 0x08
#define CMD_RESET_EXT 0x10
#define CMD_INT_NEXT_RX 0x20
#define CMD_RESET_TX_IP 0x28
#define CMD_ERROR_RESET 0x30
#define CMD_RESET_IUS 0x38
/* WR1: interrupt enables. */
#define WR1_TX_IE 0x02
#define WR1_RX_MODE 0x18 /* 01: first char, 10: every char, 11: special condition only */
#define WR1_RX_FIRST 0x08
#define WR1_RX_ALL 0x10
/* WR3: receiver. */
#define WR3_RX_ENABLE 0x01
#define WR3_HUNT 0x10
/* WR5: transmitter. */
#define WR5_TX_ENABLE 0x08
/* WR9: master interrupt control (one register for both channels). */
#define WR9_VIS 0x01
#define WR9_NV 0x02
#define WR9_MIE 0x08
#define WR9_STATUS_HIGH 0x10
#define WR9_SOFT_IACK 0x20
#define WR9_RESET 0xc0
#define WR9_RESET_B 0x40
#define WR9_RESET_A 0x80
/* WR14: miscellaneous control. */
#define WR14_LOOPBACK 0x10
/* RR0: transmit/receive buffer and external status. */
#define RR0_RX_AVAIL 0x01
#define RR0_TX_EMPTY 0x04
#define RR0_DCD 0x08
#define RR0_SYNC 0x10
#define RR0_CTS 0x20
#define RR0_TX_UNDERRUN 0x40
#define RR0_BREAK 0x80
/* RR1: special receive conditions. */
#define RR1_ALL_SENT 0x01
#define RR1_RESIDUE_8BIT 0x06
#define RR1_RX_OVERRUN 0x20
#define RR1_ERRORS 0x70
/* RR3: interrupt pending bits, read through channel A only. */
#define RR3_B_TX 0x02
#define RR3_B_RX 0x04
#define RR3_A_TX 0x10
#define RR3_A_RX 0x20

#define RX_FIFO_DEPTH 3

enum { CH_A = 0, CH_B = 1 };
enum { KIND_SERIAL = 0, KIND_KEYBOARD = 1 };

typedef struct EsccChannel {
    uint8_t wr[16];  /* write registers as last written (WR2 and WR9 live in Escc) */
    uint8_t rr0;     /* status; RX available follows the FIFO instead */
    uint8_t rr1;
    uint8_t ptr;     /* register the next control access reaches */
    uint8_t rx_fifo[RX_FIFO_DEPTH]; /* oldest first */
    uint8_t rx_count;
    uint8_t rx_data; /* last byte read: an empty FIFO reads it again */
    bool tx_ip;      /* transmit buffer empty interrupt pending */
    bool kbd_led_next; /* keyboard: the next byte written is the LED state */
} EsccChannel;

/* Receiver context for one channel's character backend. */
typedef struct EsccPort {
    struct Escc *s;
    unsigned ch;
} EsccPort;

typedef struct Escc {
    EsccChannel ch[2]; /* CH_A, CH_B */
    uint8_t wr2;       /* interrupt vector */
    uint8_t wr9;       /* master interrupt control */

    /* Host side and machine configuration. */
    const TesseraHost *host;
    TesseraIrq *out;
    TesseraChardev *chr[2];
    EsccPort ports[2];
    uint32_t kind;
    bool disabled; /* keyboard and mouse ports without a display */
    bool irq_level;
} Escc;

static bool rx_ip(const EsccChannel *c)
{
    uint8_t mode = c->wr[1] & WR1_RX_MODE;
    return c->rx_count && (mode == WR1_RX_FIRST || mode == WR1_RX_ALL);
}

static bool tx_ip(const EsccChannel *c)
{
    return c->tx_ip && (c->wr[1] & WR1_TX_IE);
}

static uint8_t rr3(const Escc *s)
{
    return (rx_ip(&s->ch[CH_A]) ? RR3_A_RX : 0) | (tx_ip(&s->ch[CH_A]) ? RR3_A_TX : 0) |
           (rx_ip(&s->ch[CH_B]) ? RR3_B_RX : 0) | (tx_ip(&s->ch[CH_B]) ? RR3_B_TX : 0);
}

/* RR2 through channel B: the vector with the highest pending source's status code
 * (V3..V1, or V4..V6 reversed with WR9 status high); 011 when nothing is pending. */
static uint8_t rr2_modified(const Escc *s)
{
    uint8_t ip = rr3(s), code;
    if (ip & RR3_A_RX)
        code = 6;
    else if (ip & RR3_A_TX)
        code = 4;
    else if (ip & RR3_B_RX)
        code = 2;
    else if (ip & RR3_B_TX)
        code = 0;
    else
        code = 3;
    if (s->wr9 & WR9_STATUS_HIGH) {
        uint8_t rev = (uint8_t)(((code & 1) << 2) | (code & 2) | ((code >> 2) & 1));
        return (uint8_t)((s->wr2 & ~0x70) | (rev << 4));
    }
    return (uint8_t)((s->wr2 & ~0x0e) | (code << 1));
}

static void update_irq(Escc *s, bool force)
{
    bool level = (s->wr9 & WR9_MIE) && rr3(s);
    if (force || level != s->irq_level)
        tessera_irq_set(s->host, s->out, level);
    s->irq_level = level;
}

static void rx_push(Escc *s, unsigned ch, uint8_t byte)
{
    EsccChannel *c = &s->ch[ch];
    if (c->rx_count == RX_FIFO_DEPTH) {
        c->rr1 |= RR1_RX_OVERRUN;
        tessera_log(s->host, TESSERA_LOG_DEBUG, "channel %c: receive overrun",
                    ch == CH_A ? 'A' : 'B');
        return;
    }
    c->rx_fifo[c->rx_count++] = byte;
}

static void rx_clear(EsccChannel *c)
{
    c->rx_count = 0;
}

/* The Sun keyboard's answers to the commands OpenBIOS and Linux send. */
static void keyboard_command(Escc *s, uint8_t cmd)
{
    EsccChannel *c = &s->ch[CH_A];
    if (c->kbd_led_next) {
        c->kbd_led_next = false;
        return;
    }
    switch (cmd) {
    case 0x01: /* reset: self-test passed, type 4, no key down */
        rx_clear(c);
        rx_push(s, CH_A, 0xff);
        rx_push(s, CH_A, 0x04);
        rx_push(s, CH_A, 0x7f);
        break;
    case 0x0e: /* set LEDs: the state follows */
        c->kbd_led_next = true;
        break;
    case 0x07: /* query layout: U.S. */
    case 0x0f:
        rx_clear(c);
        rx_push(s, CH_A, 0xfe);
        rx_push(s, CH_A, 0x21);
        break;
    default:
        break;
    }
}

static void transmit(Escc *s, unsigned ch, uint8_t byte)
{
    EsccChannel *c = &s->ch[ch];
    if (c->wr[5] & WR5_TX_ENABLE) {
        if (c->wr[14] & WR14_LOOPBACK)
            rx_push(s, ch, byte);
        else if (s->chr[ch])
            tessera_chr_write(s->host, s->chr[ch], &byte, 1);
        else if (s->kind == KIND_KEYBOARD && ch == CH_A && !s->disabled)
            keyboard_command(s, byte);
    }
    /* The byte left at once (or was dropped with the transmitter off). */
    c->rr0 |= RR0_TX_EMPTY;
    c->rr1 |= RR1_ALL_SENT;
    c->tx_ip = (c->wr[1] & WR1_TX_IE) != 0;
}

static uint8_t data_read(Escc *s, unsigned ch)
{
    EsccChannel *c = &s->ch[ch];
    if (c->rx_count) {
        c->rx_data = c->rx_fifo[0];
        memmove(c->rx_fifo, c->rx_fifo + 1, RX_FIFO_DEPTH - 1);
        c->rx_count--;
    }
    update_irq(s, false);
    return c->rx_data;
}

static void data_write(Escc *s, unsigned ch, uint8_t byte)
{
    s->ch[ch].tx_ip = false;
    transmit(s, ch, byte);
    update_irq(s, false);
}

/* Channel reset (WR9 commands 0x40, 0x80, and part of 0xc0). */
static void channel_reset(Escc *s, unsigned ch)
{
    EsccChannel *c = &s->ch[ch];
    c->ptr = 0;
    rx_clear(c);
    c->tx_ip = false;
    c->kbd_led_next = false;
    c->wr[0] = 0;
    c->wr[1] &= 0x24;
    c->wr[3] &= ~WR3_RX_ENABLE;
    c->wr[4] |= 0x04;
    c->wr[5] &= 0x61;
    c->wr[10] &= 0x60;
    c->wr[14] = (c->wr[14] & 0xc3) | 0x20;
    c->wr[15] = 0xf8;
    c->rr0 = (c->rr0 & (RR0_DCD | RR0_SYNC | RR0_CTS | RR0_BREAK)) | RR0_TX_EMPTY |
             RR0_TX_UNDERRUN;
    if (s->disabled)
        c->rr0 |= RR0_DCD | RR0_SYNC | RR0_CTS;
    c->rr1 = RR1_ALL_SENT | RR1_RESIDUE_8BIT;
}

static void hardware_reset(Escc *s)
{
    for (unsigned ch = 0; ch < 2; ch++) {
        EsccChannel *c = &s->ch[ch];
        channel_reset(s, ch);
        c->wr[10] = 0;
        c->wr[11] = 0x08;
        c->wr[14] = (c->wr[14] & 0xc0) | 0x20;
    }
    s->wr9 = (s->wr9 & (WR9_VIS | WR9_NV)) | WR9_RESET;
}

static void wr9_write(Escc *s, uint8_t value)
{
    switch (value & WR9_RESET) {
    case WR9_RESET_A:
        channel_reset(s, CH_A);
        s->wr9 &= ~WR9_SOFT_IACK;
        break;
    case WR9_RESET_B:
        channel_reset(s, CH_B);
        s->wr9 &= ~WR9_SOFT_IACK;
        break;
    case WR9_RESET:
        hardware_reset(s);
        break;
    default:
        s->wr9 = value;
        break;
    }
}

static void command(Escc *s, unsigned ch, uint8_t value)
{
    EsccChannel *c = &s->ch[ch];
    switch (value & WR0_CMD) {
    case CMD_RESET_TX_IP:
        c->tx_ip = false;
        break;
    case CMD_ERROR_RESET:
        c->rr1 &= ~RR1_ERRORS;
        break;
    case CMD_RESET_EXT:   /* no external/status interrupts to reset */
    case CMD_INT_NEXT_RX: /* first-character mode interrupts while data is there */
    case CMD_RESET_IUS:   /* no interrupt acknowledge cycle: nothing under service */
    default:
        break;
    }
}

static void register_write(Escc *s, unsigned ch, unsigned reg, uint8_t value)
{
    EsccChannel *c = &s->ch[ch];
    switch (reg) {
    case 2:
        s->wr2 = value;
        break;
    case 3:
        c->wr[3] = value;
        if (value & WR3_HUNT)
            c->rr0 |= RR0_SYNC;
        break;
    case 8: /* the transmit buffer */
        data_write(s, ch, value);
        return;
    case 9:
        wr9_write(s, value);
        break;
    default:
        c->wr[reg] = value;
        break;
    }
    update_irq(s, false);
}

static void control_write(Escc *s, unsigned ch, uint8_t value)
{
    EsccChannel *c = &s->ch[ch];
    if (c->ptr == 0) {
        uint8_t ptr = value & WR0_PTR;
        if ((value & WR0_CMD) == CMD_POINT_HIGH)
            ptr |= 8;
        command(s, ch, value);
        c->ptr = ptr;
        update_irq(s, false);
        return;
    }
    unsigned reg = c->ptr;
    c->ptr = 0;
    register_write(s, ch, reg, value);
}

static uint8_t control_read(Escc *s, unsigned ch)
{
    EsccChannel *c = &s->ch[ch];
    unsigned reg = c->ptr;
    c->ptr = 0;
    switch (reg) {
    case 0:
    case 4: /* RR4..RR7 are images of RR0..RR3 on the Z85C30 */
        return c->rr0 | (c->rx_count ? RR0_RX_AVAIL : 0);
    case 1:
    case 5:
        return c->rr1;
    case 2:
    case 6:
        return ch == CH_A ? s->wr2 : rr2_modified(s);
    case 3:
    case 7:
        return ch == CH_A ? rr3(s) : 0;
    case 8:
        return data_read(s, ch);
    case 9:
    case 13:
        return c->wr[13];
    case 12:
        return c->wr[12];
    case 11:
    case 15:
        return c->wr[15] & 0xfa;
    default: /* RR10, RR14: no loop or clock-missing status */
        return 0;
    }
}

static uint64_t escc_read(void *opaque, uint64_t offset, unsigned size)
{
    Escc *s = opaque;
    unsigned ch = (offset & ADDR_CHANNEL_A) ? CH_A : CH_B;
    return (offset & ADDR_DATA) ? data_read(s, ch) : control_read(s, ch);
}

static void escc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Escc *s = opaque;
    unsigned ch = (offset & ADDR_CHANNEL_A) ? CH_A : CH_B;
    if (offset & ADDR_DATA)
        data_write(s, ch, (uint8_t)value);
    else
        control_write(s, ch, (uint8_t)value);
}

/* Character backend input: as much as the FIFO holds, with the receiver enabled. */
static size_t port_can_read(void *opaque)
{
    EsccPort *p = opaque;
    const EsccChannel *c = &p->s->ch[p->ch];
    if (!(c->wr[3] & WR3_RX_ENABLE))
        return 0;
    return RX_FIFO_DEPTH - c->rx_count;
}

static void port_read(void *opaque, const uint8_t *buf, size_t len)
{
    EsccPort *p = opaque;
    for (size_t i = 0; i < len; i++)
        rx_push(p->s, p->ch, buf[i]);
    update_irq(p->s, false);
}

static const TesseraMmioRegion escc_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "regs",
    .size = ESCC_SIZE,
    .widths = TESSERA_WIDTH_1,
    .read = escc_read,
    .write = escc_write,
};

static int escc_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Escc *s = dev;
    s->host = host;

    const char *kind = tessera_prop(host, "kind");
    if (!kind || !strcmp(kind, "serial")) {
        s->kind = KIND_SERIAL;
    } else if (!strcmp(kind, "keyboard")) {
        s->kind = KIND_KEYBOARD;
    } else {
        snprintf(err, errlen, "prop.kind = %s: expected serial or keyboard", kind);
        return -1;
    }
    /* No display unless the machine says otherwise: the keyboard is not there. */
    const char *nographic = tessera_machine_opt(host, "nographic");
    s->disabled = s->kind == KIND_KEYBOARD && !(nographic && !strcmp(nographic, "0"));

    if (tessera_mmio_add(host, &escc_region, s, err, errlen))
        return -1;
    s->out = tessera_irq_out(host, "out", 0);

    static const char *const names[2] = { [CH_A] = "a", [CH_B] = "b" };
    for (unsigned ch = 0; ch < 2; ch++) {
        s->ports[ch].s = s;
        s->ports[ch].ch = ch;
        s->chr[ch] = tessera_chardev(host, names[ch]);
        if (s->chr[ch] && TESSERA_HOST_HAS(host, chr_set_receiver))
            host->ops->chr_set_receiver(s->chr[ch], port_can_read, port_read, &s->ports[ch]);
    }
    return 0;
}

/* Power-on: registers are undefined until a WR9 reset; zero them, but the transmit
 * buffer is empty (the Sun PROM polls RR0 bit 2 before any reset). */
static void escc_reset(void *dev)
{
    Escc *s = dev;
    memset(s->ch, 0, sizeof(s->ch));
    for (unsigned ch = 0; ch < 2; ch++) {
        s->ch[ch].rr0 = RR0_TX_EMPTY;
        s->ch[ch].rr1 = RR1_ALL_SENT | RR1_RESIDUE_8BIT;
    }
    s->wr2 = 0;
    s->wr9 = 0;
    update_irq(s, true);
}

static int escc_post_load(void *dev, char *err, size_t errlen)
{
    Escc *s = dev;
    for (unsigned ch = 0; ch < 2; ch++) {
        if (s->ch[ch].rx_count > RX_FIFO_DEPTH || s->ch[ch].ptr > 15) {
            snprintf(err, errlen, "channel %c: rx_count %u / ptr %u out of range",
                     ch == CH_A ? 'A' : 'B', s->ch[ch].rx_count, s->ch[ch].ptr);
            return -1;
        }
    }
    update_irq(s, true);
    return 0;
}

static const TesseraField channel_fields[] = {
    TESSERA_BYTES(EsccChannel, wr),      TESSERA_U8(EsccChannel, rr0),
    TESSERA_U8(EsccChannel, rr1),        TESSERA_U8(EsccChannel, ptr),
    TESSERA_BYTES(EsccChannel, rx_fifo), TESSERA_U8(EsccChannel, rx_count),
    TESSERA_U8(EsccChannel, rx_data),    TESSERA_BOOL(EsccChannel, tx_ip),
    TESSERA_BOOL(EsccChannel, kbd_led_next),
};

static const TesseraStateLayout channel_layout = {
    .struct_name = "EsccChannel",
    .size = sizeof(EsccChannel),
    .fields = channel_fields,
    .n_fields = TESSERA_N_ELEMS(channel_fields),
};

static const TesseraField escc_fields[] = {
    TESSERA_STRUCTS(Escc, ch, channel_layout),
    TESSERA_U8(Escc, wr2),
    TESSERA_U8(Escc, wr9),
};

static const char *const escc_unmigrated[] = {
    "host", "out", "chr", "ports", "kind", "disabled", "irq_level", NULL,
};

static const TesseraStateLayout escc_layout = {
    .struct_name = "Escc",
    .size = sizeof(Escc),
    .fields = escc_fields,
    .n_fields = TESSERA_N_ELEMS(escc_fields),
    .unmigrated = escc_unmigrated,
};

static const TesseraStateSchema escc_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "escc",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &escc_layout,
    .post_load = escc_post_load,
};

static const TesseraDeviceClass escc_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Escc),
    .state = &escc_schema,
    .init = escc_init,
    .reset = escc_reset,
};

TESSERA_PLUGIN(.name = "escc", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "Zilog Z85C30 dual-channel serial controller (SS-5 serial and keyboard)",
               .iface = &escc_class);
