/* SPDX-License-Identifier: MIT */
/*
 * cs4231: the Crystal CS4231 audio codec behind the SPARCstation 5's APC DMA, as
 * registers only: nothing is played or recorded. Facts: shared/reference/ss5.md
 * (memory map); QEMU's hw/audio/cs4231.c for the register behaviour and reset values.
 *
 * Region "regs" (0x40 bytes): sixteen 32-bit registers, register n at n * 4 (an
 * access of any width addresses register offset / 4). Register 0 is the codec's
 * index address (bits 4:0 select one of 32 indirect registers), register 1 its
 * indexed data, register 2 the codec status (read-only); register 4 is the DMA
 * control/status word, whose bit 0 resets the chip. Output "out" stays low.
 */
#include <stdio.h>
#include <string.h>
#include <tessera/tessera.h>

#define CS_SIZE 0x40
#define CS_REGS 16
#define CS_DREGS 32

/* Direct registers. */
#define REG_INDEX 0
#define REG_DATA 1
#define REG_STATUS 2  /* read-only */
#define REG_DMA_CSR 4 /* bit 0: reset; bit 7 does not stick */
#define INDEX_MASK 0x1f
#define DMA_CSR_RESET 0x01
#define DMA_CSR_MASK 0x7f

/* Indirect registers. */
#define IREG_PLAY_COUNT_LOW 3 /* write-only: reads 0 */
#define IREG_TEST_INIT 11     /* read-only */
#define IREG_MODE_ID 12       /* bit 6 (mode 2) writable, the rest is the codec id */
#define IREG_VERSION 25       /* read-only */
#define MODE_ID_MODE2 0x40
#define CODEC_ID 0x8a
#define CHIP_VERSION 0xa0

typedef struct Cs4231 {
    uint32_t regs[CS_REGS];
    uint8_t dregs[CS_DREGS];

    /* Host side. */
    const TesseraHost *host;
    TesseraIrq *out;
} Cs4231;

static unsigned rap(const Cs4231 *s)
{
    return s->regs[REG_INDEX] & INDEX_MASK;
}

static void cs_chip_reset(Cs4231 *s)
{
    memset(s->regs, 0, sizeof(s->regs));
    memset(s->dregs, 0, sizeof(s->dregs));
    s->dregs[IREG_MODE_ID] = CODEC_ID;
    s->dregs[IREG_VERSION] = CHIP_VERSION;
}

static uint64_t cs_read(void *opaque, uint64_t offset, unsigned size)
{
    Cs4231 *s = opaque;
    unsigned reg = (unsigned)(offset >> 2);
    uint32_t v;
    if (reg == REG_DATA)
        v = rap(s) == IREG_PLAY_COUNT_LOW ? 0 : s->dregs[rap(s)];
    else
        v = s->regs[reg];
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void data_write(Cs4231 *s, uint8_t v)
{
    switch (rap(s)) {
    case IREG_TEST_INIT:
    case IREG_VERSION:
        tessera_log(s->host, TESSERA_LOG_DEBUG, "write 0x%02x to read-only index %u", v, rap(s));
        break;
    case IREG_MODE_ID:
        s->dregs[IREG_MODE_ID] = (v & MODE_ID_MODE2) | CODEC_ID;
        break;
    default:
        s->dregs[rap(s)] = v;
        break;
    }
}

static void cs_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Cs4231 *s = opaque;
    unsigned reg = (unsigned)(offset >> 2);
    switch (reg) {
    case REG_DATA:
        data_write(s, (uint8_t)value);
        break;
    case REG_STATUS:
        tessera_log(s->host, TESSERA_LOG_DEBUG, "write to the read-only status register");
        break;
    case REG_DMA_CSR:
        if (value & DMA_CSR_RESET)
            cs_chip_reset(s);
        s->regs[REG_DMA_CSR] = (uint32_t)value & DMA_CSR_MASK;
        break;
    default:
        s->regs[reg] = (uint32_t)value;
        break;
    }
}

static const TesseraMmioRegion cs_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "regs",
    .size = CS_SIZE,
    .widths = TESSERA_WIDTH_1 | TESSERA_WIDTH_2 | TESSERA_WIDTH_4,
    .read = cs_read,
    .write = cs_write,
};

static int cs_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Cs4231 *s = dev;
    s->host = host;
    if (tessera_mmio_add(host, &cs_region, s, err, errlen))
        return -1;
    s->out = tessera_irq_out(host, "out", 0);
    return 0;
}

static void cs_reset(void *dev)
{
    Cs4231 *s = dev;
    cs_chip_reset(s);
    tessera_irq_set(s->host, s->out, 0);
}

static int cs_post_load(void *dev, char *err, size_t errlen)
{
    Cs4231 *s = dev;
    tessera_irq_set(s->host, s->out, 0);
    return 0;
}

static const TesseraField cs_fields[] = {
    TESSERA_ARRAY(Cs4231, regs, TESSERA_FIELD_U32),
    TESSERA_BYTES(Cs4231, dregs),
};

static const char *const cs_unmigrated[] = { "host", "out", NULL };

static const TesseraStateLayout cs_layout = {
    .struct_name = "Cs4231",
    .size = sizeof(Cs4231),
    .fields = cs_fields,
    .n_fields = TESSERA_N_ELEMS(cs_fields),
    .unmigrated = cs_unmigrated,
};

static const TesseraStateSchema cs_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "cs4231",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &cs_layout,
    .post_load = cs_post_load,
};

static const TesseraDeviceClass cs_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Cs4231),
    .state = &cs_schema,
    .init = cs_init,
    .reset = cs_reset,
};

TESSERA_PLUGIN(.name = "cs4231", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "Crystal CS4231 audio codec registers (no audio output)",
               .iface = &cs_class);
