/* SPDX-License-Identifier: MIT */
/*
 * lance: the AMD Am7990 LANCE Ethernet controller of the SS-5, with its memory
 * behind ledma (link.dma). Facts: the Am7990 data sheet as QEMU's hw/net/lance.c
 * and pcnet.c model it, Linux's sunlance driver.
 *
 * Two 16-bit ports: RDP (+0) reaches the CSR that RAP (+2) selects. CSR1 and CSR2
 * hold the 24-bit address of the initialisation block, readable and writable only
 * while the chip is stopped; CSR3 the bus configuration. Setting INIT in CSR0 reads
 * the block (mode, station address, multicast filter, receive and transmit rings)
 * and sets IDON; STRT turns the transmitter and receiver on; STOP halts everything.
 * The interrupt is CSR0 INTR while INEA is set.
 *
 * Memory is 16-bit big-endian words: the init block and the descriptors are read
 * as such through ledma; frame data is bytes in wire order (BSWP, as SBus wants).
 *
 * The network is the core's backend named by property `netdev` (or -nic; see
 * <tessera/net.h>). Transmit gathers a frame from STP to ENP descriptors and sends
 * it. Receive: the core offers frames from its main loop; the chip keeps up to
 * LANCE_RXQ of them (its FIFO, saved state) and writes each into the receive ring
 * (STP..ENP, MCNT with the 4 FCS bytes, RINT) as soon as it owns a descriptor,
 * looking again every RX_POLL_NS of virtual time while it holds one and owns none.
 * A frame longer than the descriptors it has sets BUFF and ERR in the last one.
 * With no backend, frames go nowhere (TINT all the same) and nothing arrives.
 * Address filter: PROM, the station address, broadcast, the logical (multicast)
 * filter on the CRC's top 6 bits. Loopback mode and collisions are not modelled.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <tessera/tessera.h>

#include <tessera/net.h>
#include <tessera/sbus-dma.h>

/* Ports, region "regs" (4 bytes, 16-bit accesses). */
#define LANCE_RDP 0x0
#define LANCE_RAP 0x2
#define LANCE_REGS_SIZE 4

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
#define CSR0_RINT 0x0400
#define CSR0_MERR 0x0800
#define CSR0_MISS 0x1000
#define CSR0_CERR 0x2000
#define CSR0_BABL 0x4000
#define CSR0_ERR 0x8000
/* Status bits the guest clears by writing 1. */
#define CSR0_W1C (CSR0_IDON | CSR0_TINT | CSR0_RINT | CSR0_MERR | CSR0_MISS | CSR0_CERR | \
                  CSR0_BABL)
#define CSR0_INTR_SOURCES (CSR0_BABL | CSR0_MISS | CSR0_MERR | CSR0_RINT | CSR0_TINT | CSR0_IDON)
#define CSR0_ERR_SOURCES (CSR0_BABL | CSR0_CERR | CSR0_MISS | CSR0_MERR)

#define CSR1_MASK 0xfffe /* init block address 15:1 (word aligned) */
#define CSR2_MASK 0x00ff /* init block address 23:16 */
#define CSR3_MASK 0x0007 /* BSWP, ACON, BCON */

#define MODE_DRX 0x0001 /* receiver off */
#define MODE_DTX 0x0002 /* transmitter off */
#define MODE_PROM 0x8000 /* every frame, whatever its destination */

/* Initialisation block: 12 words. */
#define IB_SIZE 24

/* Descriptor: 4 words; word 1 holds the flags and address bits 23:16. */
#define DESC_SIZE 8
#define TMD1_OWN 0x8000
#define TMD1_ERR 0x4000
#define TMD1_MORE 0x1000
#define TMD1_ONE 0x0800
#define TMD1_DEF 0x0400
#define TMD1_STP 0x0200
#define TMD1_ENP 0x0100
#define RMD1_OWN 0x8000
#define RMD1_ERR 0x4000
#define RMD1_BUFF 0x0400
#define RMD1_STP 0x0200
#define RMD1_ENP 0x0100

#define LANCE_RXQ 4                      /* frames the chip holds for the ring */
#define LANCE_FRAME TESSERA_NET_FRAME_MAX /* without FCS */
#define ETH_MIN 60                       /* shorter frames are padded on the wire */
#define FCS_LEN 4
#define RX_POLL_NS 100000                /* 100 us between looks at a full ring */

#define RING_ALIGN 0x00fffff8u

typedef struct Lance {
    uint16_t rap; /* 0-3 */
    uint16_t csr0;
    uint16_t csr1;
    uint16_t csr2;
    uint16_t csr3;
    /* What INIT read. */
    uint16_t mode;
    uint8_t padr[6];  /* station address, first byte on the wire first */
    uint8_t ladrf[8]; /* multicast filter */
    uint32_t rdra;    /* receive ring, 24-bit */
    uint32_t tdra;    /* transmit ring */
    uint8_t rlen;     /* log2 of the ring lengths */
    uint8_t tlen;
    uint16_t rx_index; /* next descriptor the chip looks at */
    uint16_t tx_index;
    bool irq; /* output level */
    /* State version 2: frames in flight. */
    uint8_t rxq[LANCE_RXQ][LANCE_FRAME]; /* received, not yet in the ring */
    uint16_t rxq_len[LANCE_RXQ];
    uint8_t rxq_head;
    uint8_t rxq_count;
    uint8_t txbuf[LANCE_FRAME]; /* the frame being gathered, STP so far */
    uint16_t tx_len;
    bool tx_skip; /* the frame being gathered outgrew txbuf: dropped at ENP */

    /* Host side. */
    const TesseraHost *host;
    TesseraIrq *out;
    const SbusDma *dma;
    TesseraNetdev *net;
    TesseraTimer *rx_timer;
} Lance;

static void update_csr0(Lance *s)
{
    uint16_t c = s->csr0 & ~(CSR0_INTR | CSR0_ERR);
    if (c & CSR0_INTR_SOURCES)
        c |= CSR0_INTR;
    if (c & CSR0_ERR_SOURCES)
        c |= CSR0_ERR;
    s->csr0 = c;
    bool level = (c & CSR0_INTR) && (c & CSR0_INEA);
    if (s->irq != level) {
        s->irq = level;
        tessera_irq_set(s->host, s->out, level);
    }
}

/* ---- memory through ledma ---- */

static int mem_read(Lance *s, uint32_t addr, uint8_t *buf, size_t len)
{
    if (!s->dma || s->dma->read_at(s->dma->opaque, addr, buf, len)) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "memory error reading 0x%06x", addr);
        s->csr0 |= CSR0_MERR;
        return -1;
    }
    return 0;
}

static int mem_write(Lance *s, uint32_t addr, const uint8_t *buf, size_t len)
{
    if (!s->dma || s->dma->write_at(s->dma->opaque, addr, buf, len)) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "memory error writing 0x%06x", addr);
        s->csr0 |= CSR0_MERR;
        return -1;
    }
    return 0;
}

static int mem_write16(Lance *s, uint32_t addr, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    if (!s->dma || s->dma->write_at(s->dma->opaque, addr, b, 2)) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "memory error writing 0x%06x", addr);
        s->csr0 |= CSR0_MERR;
        return -1;
    }
    return 0;
}

static uint16_t word(const uint8_t *p, unsigned index)
{
    return (uint16_t)(p[2 * index] << 8 | p[2 * index + 1]);
}

static void initialise(Lance *s)
{
    uint8_t ib[IB_SIZE];
    uint32_t iadr = (uint32_t)(s->csr2 & CSR2_MASK) << 16 | (s->csr1 & CSR1_MASK);

    if (mem_read(s, iadr, ib, sizeof(ib)))
        return;
    s->mode = word(ib, 0);
    /* The chip takes the low byte of each word first. */
    for (unsigned i = 0; i < 3; i++) {
        uint16_t w = word(ib, 1 + i);
        s->padr[2 * i] = (uint8_t)w;
        s->padr[2 * i + 1] = (uint8_t)(w >> 8);
    }
    for (unsigned i = 0; i < 4; i++) {
        uint16_t w = word(ib, 4 + i);
        s->ladrf[2 * i] = (uint8_t)w;
        s->ladrf[2 * i + 1] = (uint8_t)(w >> 8);
    }
    s->rdra = ((uint32_t)(word(ib, 9) & 0xff) << 16 | word(ib, 8)) & RING_ALIGN;
    s->rlen = (uint8_t)(word(ib, 9) >> 13);
    s->tdra = ((uint32_t)(word(ib, 11) & 0xff) << 16 | word(ib, 10)) & RING_ALIGN;
    s->tlen = (uint8_t)(word(ib, 11) >> 13);
    s->rx_index = 0;
    s->tx_index = 0;
    s->csr0 |= CSR0_IDON;
    tessera_log(s->host, TESSERA_LOG_DEBUG,
                "init: mode 0x%04x, %02x:%02x:%02x:%02x:%02x:%02x, %u rx at 0x%06x, "
                "%u tx at 0x%06x",
                s->mode, s->padr[0], s->padr[1], s->padr[2], s->padr[3], s->padr[4],
                s->padr[5], 1u << s->rlen, s->rdra, 1u << s->tlen, s->tdra);
}

/* A descriptor's buffer: 24-bit address, and BCNT, the negated 12-bit length. */
static uint32_t desc_addr(const uint8_t *d)
{
    return (uint32_t)(word(d, 1) & 0xff) << 16 | word(d, 0);
}

static unsigned desc_bcnt(const uint8_t *d)
{
    unsigned n = (unsigned)(-(int16_t)word(d, 2)) & 0xfff;
    return n ? n : 4096;
}

/* The frame gathered from STP to ENP goes to the backend (or nowhere). */
static void send_frame(Lance *s)
{
    if (s->tx_skip)
        tessera_log(s->host, TESSERA_LOG_DEBUG, "tx: frame over %u bytes dropped", LANCE_FRAME);
    else if (s->net)
        tessera_net_send(s->host, s->net, s->txbuf, s->tx_len);
    s->tx_len = 0;
    s->tx_skip = false;
}

/* Take every frame the host owns from the transmit ring: gather its buffers, hand
 * each descriptor back without error, TINT after each frame. */
static void transmit(Lance *s)
{
    unsigned n = 1u << s->tlen;

    if (!(s->csr0 & CSR0_TXON))
        return;
    for (unsigned i = 0; i < n; i++) {
        uint32_t desc = (s->tdra + s->tx_index * DESC_SIZE) & 0xffffff;
        uint8_t d[DESC_SIZE];
        if (mem_read(s, desc, d, sizeof(d)))
            return;
        uint16_t tmd1 = word(d, 1);
        if (!(tmd1 & TMD1_OWN))
            return;
        if (tmd1 & TMD1_STP) {
            s->tx_len = 0;
            s->tx_skip = false;
        }
        unsigned len = desc_bcnt(d);
        if (s->tx_len + len > LANCE_FRAME) {
            s->tx_skip = true;
        } else if (!s->tx_skip) {
            if (mem_read(s, desc_addr(d), s->txbuf + s->tx_len, len))
                return;
            s->tx_len = (uint16_t)(s->tx_len + len);
        }
        /* Status word first, ownership last: the driver reads them in that order. */
        if (mem_write16(s, desc + 6, 0))
            return;
        tmd1 &= ~(TMD1_OWN | TMD1_ERR | TMD1_MORE | TMD1_ONE | TMD1_DEF);
        if (mem_write16(s, desc + 2, tmd1))
            return;
        s->tx_index = (uint16_t)((s->tx_index + 1) % n);
        if (tmd1 & TMD1_ENP) {
            send_frame(s);
            s->csr0 |= CSR0_TINT;
        }
    }
}

/* ---- receive ---- */

/* The Ethernet CRC-32 (reflected, 0xedb88320), as the FCS and the multicast hash use it. */
static uint32_t ether_crc(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return crc;
}

static bool address_match(const Lance *s, const uint8_t *dst)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (s->mode & MODE_PROM)
        return true;
    if (!memcmp(dst, s->padr, 6) || !memcmp(dst, bcast, 6))
        return true;
    if (!(dst[0] & 1))
        return false;
    unsigned hash = ether_crc(dst, 6) >> 26;
    return s->ladrf[hash >> 3] & (1u << (hash & 7));
}

typedef enum { RX_DONE, RX_NO_BUFFER, RX_MEMORY } RxResult;

/* Write one frame, padded and with its FCS, into the receive ring from rx_index. */
static RxResult ring_write(Lance *s, const uint8_t *frame, unsigned flen)
{
    uint8_t buf[LANCE_FRAME + FCS_LEN];
    unsigned n = 1u << s->rlen;
    unsigned len = flen < ETH_MIN ? ETH_MIN : flen;

    memcpy(buf, frame, flen);
    memset(buf + flen, 0, len - flen);
    uint32_t fcs = ~ether_crc(buf, len);
    for (int i = 0; i < FCS_LEN; i++)
        buf[len++] = (uint8_t)(fcs >> (8 * i));

    unsigned done = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t desc = (s->rdra + s->rx_index * DESC_SIZE) & 0xffffff;
        uint8_t d[DESC_SIZE];
        if (mem_read(s, desc, d, sizeof(d)))
            return RX_MEMORY;
        uint16_t rmd1 = word(d, 1);
        if (!(rmd1 & RMD1_OWN)) {
            if (i == 0)
                return RX_NO_BUFFER;
            /* Out of buffers inside the frame: the previous one ends it in error. */
            uint32_t prev = (s->rdra + ((s->rx_index + n - 1) % n) * DESC_SIZE) & 0xffffff;
            uint8_t pd[DESC_SIZE];
            if (mem_read(s, prev, pd, sizeof(pd)))
                return RX_MEMORY;
            mem_write16(s, prev + 2, word(pd, 1) | RMD1_ERR | RMD1_BUFF);
            return RX_DONE;
        }
        unsigned chunk = desc_bcnt(d);
        if (chunk > len - done)
            chunk = len - done;
        if (mem_write(s, desc_addr(d), buf + done, chunk))
            return RX_MEMORY;
        done += chunk;
        rmd1 &= ~(RMD1_OWN | RMD1_ERR | RMD1_BUFF | RMD1_STP | RMD1_ENP | 0x3800);
        if (i == 0)
            rmd1 |= RMD1_STP;
        if (done == len) {
            rmd1 |= RMD1_ENP;
            if (mem_write16(s, desc + 6, (uint16_t)len))
                return RX_MEMORY;
        }
        /* Ownership last: the driver looks at RMD1 first. */
        if (mem_write16(s, desc + 2, rmd1))
            return RX_MEMORY;
        s->rx_index = (uint16_t)((s->rx_index + 1) % n);
        if (done == len)
            return RX_DONE;
    }
    return RX_DONE; /* the whole ring was one frame's, and too small: it ends there */
}

/* Move held frames into the ring while the chip owns descriptors. */
static void rx_drain(Lance *s)
{
    while (s->rxq_count && (s->csr0 & CSR0_RXON)) {
        RxResult r = ring_write(s, s->rxq[s->rxq_head], s->rxq_len[s->rxq_head]);
        if (r == RX_NO_BUFFER) {
            tessera_timer_mod(s->host, s->rx_timer, tessera_clock_ns(s->host) + RX_POLL_NS);
            break;
        }
        if (r == RX_DONE)
            s->csr0 |= CSR0_RINT;
        s->rxq_head = (uint8_t)((s->rxq_head + 1) % LANCE_RXQ);
        s->rxq_count--;
    }
    update_csr0(s);
}

static void rx_poll(void *opaque, uint64_t now_ns)
{
    rx_drain(opaque);
}

static bool lance_can_receive(void *opaque)
{
    Lance *s = opaque;
    return s->rxq_count < LANCE_RXQ;
}

/* A frame from the network, between two instructions. Frames the receiver is off
 * for, or that are not addressed to this station, are dropped as on the wire. */
static void lance_receive(void *opaque, const uint8_t *frame, size_t len)
{
    Lance *s = opaque;
    if (!(s->csr0 & CSR0_RXON) || len < 6 || len > LANCE_FRAME || !address_match(s, frame))
        return;
    unsigned slot = (s->rxq_head + s->rxq_count) % LANCE_RXQ;
    memcpy(s->rxq[slot], frame, len);
    s->rxq_len[slot] = (uint16_t)len;
    s->rxq_count++;
    rx_drain(s);
}

/* STOP or a reset: the FIFO and the frame being gathered are lost. */
static void flush_frames(Lance *s)
{
    s->rxq_head = 0;
    s->rxq_count = 0;
    s->tx_len = 0;
    s->tx_skip = false;
    if (s->rx_timer)
        tessera_timer_del(s->host, s->rx_timer);
}

static void csr0_write(Lance *s, uint16_t v)
{
    if (v & CSR0_STOP) {
        s->csr0 = CSR0_STOP;
        s->csr3 = 0;
        flush_frames(s);
        update_csr0(s);
        return;
    }
    s->csr0 &= ~(v & CSR0_W1C);
    s->csr0 = (s->csr0 & ~CSR0_INEA) | (v & CSR0_INEA);
    if (v & CSR0_INIT) {
        s->csr0 = (s->csr0 & ~CSR0_STOP) | CSR0_INIT;
        initialise(s);
    }
    if ((v & CSR0_STRT) && !(s->csr0 & CSR0_STRT)) {
        s->csr0 = (s->csr0 & ~CSR0_STOP) | CSR0_STRT;
        if (!(s->mode & MODE_DTX))
            s->csr0 |= CSR0_TXON;
        if (!(s->mode & MODE_DRX))
            s->csr0 |= CSR0_RXON;
        transmit(s);
    }
    if (v & CSR0_TDMD)
        transmit(s);
    /* The driver acknowledging RINT has usually given buffers back. */
    rx_drain(s);
}

/* ---- ports ---- */

static uint64_t lance_read(void *opaque, uint64_t offset, unsigned size)
{
    Lance *s = opaque;

    if (offset == LANCE_RAP)
        return s->rap;
    switch (s->rap) {
    case 0:
        return s->csr0;
    case 1:
        return s->csr1;
    case 2:
        return s->csr2;
    default:
        return s->csr3;
    }
}

static void lance_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Lance *s = opaque;
    uint16_t v = (uint16_t)value;

    if (offset == LANCE_RAP) {
        s->rap = v & 3;
        return;
    }
    if (s->rap && !(s->csr0 & CSR0_STOP)) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "CSR%u write 0x%04x while running ignored",
                    s->rap, v);
        return;
    }
    switch (s->rap) {
    case 0:
        csr0_write(s, v);
        return;
    case 1:
        s->csr1 = v & CSR1_MASK;
        return;
    case 2:
        s->csr2 = v & CSR2_MASK;
        return;
    default:
        s->csr3 = v & CSR3_MASK;
        return;
    }
}

/* ---- lifecycle ---- */

static const TesseraMmioRegion lance_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "regs",
    .size = LANCE_REGS_SIZE,
    .widths = TESSERA_WIDTH_2,
    .read = lance_read,
    .write = lance_write,
};

static void chip_reset(void *dev)
{
    Lance *s = dev;
    s->rap = 0;
    s->csr0 = CSR0_STOP;
    s->csr3 = 0;
    flush_frames(s);
    update_csr0(s);
}

static int lance_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Lance *s = dev;
    s->host = host;
    if (tessera_mmio_add(host, &lance_region, s, err, errlen))
        return -1;
    s->out = tessera_irq_out(host, "out", 0);
    s->rx_timer = tessera_timer_new(host, rx_poll, s);
    const TesseraNetClient client = {
        .size_of = sizeof(TesseraNetClient),
        .opaque = s,
        .can_receive = lance_can_receive,
        .receive = lance_receive,
    };
    s->net = tessera_net_attach(host, &client);
    return 0;
}

static int lance_realize(void *dev, char *err, size_t errlen)
{
    Lance *s = dev;
    const SbusDma *dma = s->host->ops->link(s->host->self, "dma", "dma");
    if (!dma) {
        tessera_log(s->host, TESSERA_LOG_WARNING, "link.dma: no DMA engine: INIT fails with MERR");
        return 0;
    }
    if (!TESSERA_HAS_MEMBER(dma, SbusDma, attach)) {
        snprintf(err, errlen, "link.dma: interface too old (size %u)", dma->size);
        return -1;
    }
    s->dma = dma;
    dma->attach(dma->opaque, chip_reset, s);
    return 0;
}

/* Power-on: the chip stopped, nothing initialised. */
static void lance_reset(void *dev)
{
    Lance *s = dev;
    s->csr1 = 0;
    s->csr2 = 0;
    s->mode = 0;
    memset(s->padr, 0, sizeof(s->padr));
    memset(s->ladrf, 0, sizeof(s->ladrf));
    s->rdra = 0;
    s->tdra = 0;
    s->rlen = 0;
    s->tlen = 0;
    s->rx_index = 0;
    s->tx_index = 0;
    chip_reset(s);
}

static int lance_post_load(void *dev, char *err, size_t errlen)
{
    Lance *s = dev;
    if (s->rap > 3 || s->rlen > 7 || s->tlen > 7 || s->rx_index >= (1u << s->rlen) ||
        s->tx_index >= (1u << s->tlen)) {
        snprintf(err, errlen, "register pointer or ring index out of range");
        return -1;
    }
    if (s->rxq_head >= LANCE_RXQ || s->rxq_count > LANCE_RXQ || s->tx_len > LANCE_FRAME) {
        snprintf(err, errlen, "receive FIFO (head %u, %u frames) or transmit length %u out of range",
                 s->rxq_head, s->rxq_count, s->tx_len);
        return -1;
    }
    for (unsigned i = 0; i < s->rxq_count; i++) {
        uint16_t len = s->rxq_len[(s->rxq_head + i) % LANCE_RXQ];
        if (len < 6 || len > LANCE_FRAME) {
            snprintf(err, errlen, "received frame %u has length %u", i, len);
            return -1;
        }
    }
    tessera_irq_set(s->host, s->out, s->irq);
    /* Frames held when the snapshot was taken go on to the ring. */
    tessera_timer_del(s->host, s->rx_timer);
    if (s->rxq_count)
        tessera_timer_mod(s->host, s->rx_timer, tessera_clock_ns(s->host));
    return 0;
}

/* ---- state versions ---- */

/* Version 2 adds the frames in flight; version 1 had none. */
static const struct {
    const char *name;
    uint32_t type, count;
} v2_fields[] = {
    { "rxq", TESSERA_FIELD_BYTES, LANCE_RXQ * LANCE_FRAME },
    { "rxq_len", TESSERA_FIELD_U16, LANCE_RXQ },
    { "rxq_head", TESSERA_FIELD_U8, 1 },
    { "rxq_count", TESSERA_FIELD_U8, 1 },
    { "txbuf", TESSERA_FIELD_BYTES, LANCE_FRAME },
    { "tx_len", TESSERA_FIELD_U16, 1 },
    { "tx_skip", TESSERA_FIELD_BOOL, 1 },
};

/* Version 1 -> 2: nothing in flight. */
static int lance_v1_to_v2(TesseraRecord *rec, const TesseraRecordOps *ops, char *err,
                          size_t errlen)
{
    for (size_t i = 0; i < TESSERA_N_ELEMS(v2_fields); i++) {
        if (ops->add(rec, v2_fields[i].name, v2_fields[i].type, v2_fields[i].count) < 0) {
            snprintf(err, errlen, "lance: cannot add field %s", v2_fields[i].name);
            return -1;
        }
    }
    return 0;
}

/* Version 2 -> 1: only a chip with no frame in flight fits version 1. */
static int lance_v2_to_v1(TesseraRecord *rec, const TesseraRecordOps *ops, char *err,
                          size_t errlen)
{
    uint64_t rx = 0, tx = 0, skip = 0;
    if (ops->get(rec, "rxq_count", 0, &rx) < 0 || ops->get(rec, "tx_len", 0, &tx) < 0 ||
        ops->get(rec, "tx_skip", 0, &skip) < 0) {
        snprintf(err, errlen, "lance: a version 2 record lacks the frames in flight");
        return -1;
    }
    if (rx || tx || skip) {
        snprintf(err, errlen,
                 "lance: %" PRIu64 " received frame(s) and %" PRIu64
                 " transmit byte(s) in flight; state version 1 has no room for them",
                 rx, tx);
        return -1;
    }
    for (size_t i = 0; i < TESSERA_N_ELEMS(v2_fields); i++)
        ops->remove(rec, v2_fields[i].name);
    return 0;
}

static const TesseraConverter lance_converters[] = {
    { .from = 1, .to = 2, .convert = lance_v1_to_v2 },
    { .from = 2, .to = 1, .convert = lance_v2_to_v1 },
};

static const TesseraField lance_fields[] = {
    TESSERA_U16(Lance, rap),      TESSERA_U16(Lance, csr0),     TESSERA_U16(Lance, csr1),
    TESSERA_U16(Lance, csr2),     TESSERA_U16(Lance, csr3),     TESSERA_U16(Lance, mode),
    TESSERA_BYTES(Lance, padr),   TESSERA_BYTES(Lance, ladrf),  TESSERA_U32(Lance, rdra),
    TESSERA_U32(Lance, tdra),     TESSERA_U8(Lance, rlen),      TESSERA_U8(Lance, tlen),
    TESSERA_U16(Lance, rx_index), TESSERA_U16(Lance, tx_index), TESSERA_BOOL(Lance, irq),
    TESSERA_FIELD_DECL(Lance, rxq, TESSERA_FIELD_BYTES, LANCE_RXQ * LANCE_FRAME, 2),
    TESSERA_FIELD_DECL(Lance, rxq_len, TESSERA_FIELD_U16, LANCE_RXQ, 2),
    TESSERA_FIELD_DECL(Lance, rxq_head, TESSERA_FIELD_U8, 1, 2),
    TESSERA_FIELD_DECL(Lance, rxq_count, TESSERA_FIELD_U8, 1, 2),
    TESSERA_FIELD_DECL(Lance, txbuf, TESSERA_FIELD_BYTES, LANCE_FRAME, 2),
    TESSERA_FIELD_DECL(Lance, tx_len, TESSERA_FIELD_U16, 1, 2),
    TESSERA_FIELD_DECL(Lance, tx_skip, TESSERA_FIELD_BOOL, 1, 2),
};

static const char *const lance_unmigrated[] = { "host", "out", "dma", "net", "rx_timer", NULL };

static const TesseraStateLayout lance_layout = {
    .struct_name = "Lance",
    .size = sizeof(Lance),
    .fields = lance_fields,
    .n_fields = TESSERA_N_ELEMS(lance_fields),
    .unmigrated = lance_unmigrated,
};

static const TesseraStateSchema lance_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "lance",
    .version = 2,
    .load_min = 2, /* version 1 loads through the upgrade converter */
    .save_min = 2, /* version 1 is saved through the downgrade converter */
    .layout = &lance_layout,
    .converters = lance_converters,
    .n_converters = TESSERA_N_ELEMS(lance_converters),
    .post_load = lance_post_load,
};

static const TesseraDeviceClass lance_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Lance),
    .state = &lance_schema,
    .init = lance_init,
    .realize = lance_realize,
    .reset = lance_reset,
};

TESSERA_PLUGIN(.name = "lance", .version = "1.1.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "AMD Am7990 LANCE Ethernet on the core's network backends",
               .iface = &lance_class);
