/* SPDX-License-Identifier: MIT */
/*
 * apc: the power management register of the SPARCstation 5's APC (not a SLAVIO
 * device). Facts: shared/reference/ss5.md (memory map: "1 byte; idle bit halts CPU
 * until interrupt"); QEMU's hw/misc/slavio_misc.c (apc) and Linux
 * arch/sparc/kernel/apc.c, whose idle loop writes the register with bit 0 set.
 *
 * Region "regs" (1 byte). Writing bit 0 (IDLE) asks the machine to halt the CPU until
 * an interrupt arrives; the bit reads back 0 (the CPU that reads it is awake). The
 * other bits are kept as written.
 */
#include <stdio.h>
#include <tessera/tessera.h>

#define APC_IDLE 0x01

typedef struct Apc {
    uint8_t reg;

    /* Host side. */
    const TesseraHost *host;
} Apc;

static uint64_t apc_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Apc *)opaque)->reg;
}

static void apc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Apc *s = opaque;
    s->reg = (uint8_t)value & ~APC_IDLE;
    if (value & APC_IDLE)
        tessera_request(s->host, TESSERA_REQUEST_HALT);
}

static const TesseraMmioRegion apc_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "regs",
    .size = 1,
    .widths = TESSERA_WIDTH_1,
    .read = apc_read,
    .write = apc_write,
};

static int apc_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Apc *s = dev;
    s->host = host;
    return tessera_mmio_add(host, &apc_region, s, err, errlen);
}

static void apc_reset(void *dev)
{
    ((Apc *)dev)->reg = 0;
}

static const TesseraField apc_fields[] = {
    TESSERA_U8(Apc, reg),
};

static const char *const apc_unmigrated[] = { "host", NULL };

static const TesseraStateLayout apc_layout = {
    .struct_name = "Apc",
    .size = sizeof(Apc),
    .fields = apc_fields,
    .n_fields = TESSERA_N_ELEMS(apc_fields),
    .unmigrated = apc_unmigrated,
};

static const TesseraStateSchema apc_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "apc",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &apc_layout,
};

static const TesseraDeviceClass apc_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Apc),
    .state = &apc_schema,
    .init = apc_init,
    .reset = apc_reset,
};

TESSERA_PLUGIN(.name = "apc", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "SPARCstation 5 APC power management (CPU idle)",
               .iface = &apc_class);
