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
 * as such through ledma. There is no network backend: a frame given to the chip
 * goes nowhere, its descriptors are completed without error (TINT), and nothing is
 * ever received. Loopback mode is not modelled.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <tessera/tessera.h>

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

/* Initialisation block: 12 words. */
#define IB_SIZE 24

/* Descriptor: 4 words; word 1 holds the flags and address bits 23:16. */
#define DESC_SIZE 8
#define TMD1_OWN 0x8000
#define TMD1_ERR 0x4000
#define TMD1_MORE 0x1000
#define TMD1_ONE 0x0800
#define TMD1_DEF 0x0400
#define TMD1_ENP 0x0100

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

    /* Host side. */
    const TesseraHost *host;
    TesseraIrq *out;
    const SbusDma *dma;
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

/* Take every frame the host owns from the transmit ring. With no network they go
 * nowhere: each descriptor is handed back without error, TINT after each frame. */
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
        /* Status word first, ownership last: the driver reads them in that order. */
        if (mem_write16(s, desc + 6, 0))
            return;
        tmd1 &= ~(TMD1_OWN | TMD1_ERR | TMD1_MORE | TMD1_ONE | TMD1_DEF);
        if (mem_write16(s, desc + 2, tmd1))
            return;
        if (tmd1 & TMD1_ENP)
            s->csr0 |= CSR0_TINT;
        tessera_log(s->host, TESSERA_LOG_DEBUG, "tx descriptor %u: %u bytes%s, no network",
                    s->tx_index, (unsigned)(-(int16_t)word(d, 2)) & 0xfff,
                    tmd1 & TMD1_ENP ? " (end of frame)" : "");
        s->tx_index = (uint16_t)((s->tx_index + 1) % n);
    }
}

static void csr0_write(Lance *s, uint16_t v)
{
    if (v & CSR0_STOP) {
        s->csr0 = CSR0_STOP;
        s->csr3 = 0;
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
    update_csr0(s);
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
    update_csr0(s);
}

static int lance_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Lance *s = dev;
    s->host = host;
    if (tessera_mmio_add(host, &lance_region, s, err, errlen))
        return -1;
    s->out = tessera_irq_out(host, "out", 0);
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
    tessera_irq_set(s->host, s->out, s->irq);
    return 0;
}

static const TesseraField lance_fields[] = {
    TESSERA_U16(Lance, rap),      TESSERA_U16(Lance, csr0),     TESSERA_U16(Lance, csr1),
    TESSERA_U16(Lance, csr2),     TESSERA_U16(Lance, csr3),     TESSERA_U16(Lance, mode),
    TESSERA_BYTES(Lance, padr),   TESSERA_BYTES(Lance, ladrf),  TESSERA_U32(Lance, rdra),
    TESSERA_U32(Lance, tdra),     TESSERA_U8(Lance, rlen),      TESSERA_U8(Lance, tlen),
    TESSERA_U16(Lance, rx_index), TESSERA_U16(Lance, tx_index), TESSERA_BOOL(Lance, irq),
};

static const char *const lance_unmigrated[] = { "host", "out", "dma", NULL };

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
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &lance_layout,
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

TESSERA_PLUGIN(.name = "lance", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "AMD Am7990 LANCE Ethernet (no network backend: sends nowhere)",
               .iface = &lance_class);
