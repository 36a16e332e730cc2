/* SPDX-License-Identifier: MIT */
/*
 * sparc32-dma: a DMA engine of the Master I/O chip (STP2000 / NCR89C100, "DMA2"),
 * serving one SBus device: the ESP SCSI controller (prop.kind = esp, "espdma") or
 * the LANCE Ethernet controller (prop.kind = lance, "ledma"). Facts as QEMU's
 * hw/dma/sparc32_dma.c models them; bit names as Linux's asm/dma.h.
 *
 * The device's interrupt comes in on input "device" (1 line). CSR bit 0 mirrors it
 * (OpenBIOS's ESP probe polls that bit) and output "out" carries it while the CSR's
 * interrupt enable is set. Setting CSR reset resets the device.
 *
 * Memory goes through the IOMMU (link.iommu): the ESP's transfers (read/write of
 * the "dma" interface) run at the address register, which advances; the LANCE's
 * (read_at/write_at) take their 24-bit addresses' bits 31:24 from the address-high
 * register. A DMA refuses the other kind's transfers. The byte count register is
 * kept but does not limit transfers: the device's own count does. Changes of the
 * DMA enable bit are passed to the device, which may hold a DMA command until the
 * engine is enabled (esp).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <tessera/tessera.h>

#include <tessera/sbus-iommu.h>
#include <tessera/sbus-dma.h>

/* Registers, region "regs" (16 bytes, 32-bit accesses). */
#define DMA_CSR 0x0
#define DMA_ADDR 0x4
#define DMA_COUNT 0x8
#define DMA_ADDR_HI 0xc /* ESP: test register; LANCE: DVMA address bits 31:24 */
#define DMA_REGS_SIZE 0x10

#define CSR_INTR 0x00000001u      /* the device's interrupt (read-only) */
#define CSR_ERROR 0x00000002u     /* read-only */
#define CSR_INTREN 0x00000010u    /* forward the device's interrupt to "out" */
#define CSR_FIFO_INV 0x00000020u  /* command: reads back 0 */
#define CSR_DRAIN 0x00000040u     /* command: reads back 0 */
#define CSR_RESET 0x00000080u     /* held: the device is reset when it is set */
#define CSR_WRITE 0x00000100u     /* direction: device to memory */
#define CSR_ENABLE 0x00000200u
#define CSR_LOADED 0x04000000u    /* the address register was written */
#define CSR_READ_ONLY 0xfe000007u /* device ID, state bits */
#define CSR_COMMANDS (CSR_FIFO_INV | CSR_DRAIN)
#define CSR_DEVICE_ID 0xa0000000u /* DMA2 revision 2: OpenBIOS reads it */

#define LANCE_ADDR_MASK 0x00ffffffu

enum { KIND_ESP = 0, KIND_LANCE = 1 };

typedef struct Sparc32Dma {
    uint32_t csr;
    uint32_t addr;
    uint32_t count;
    uint32_t addr_hi;
    bool irq; /* output level */

    /* Host side. */
    uint32_t kind; /* prop.kind: machine configuration */
    const TesseraHost *host;
    TesseraIrq *out;
    const SbusIommu *iommu;
    SbusDma iface;
    SbusDmaResetFn device_reset;
    SbusDmaEnableFn device_enable;
    void *device;
} Sparc32Dma;

static void update_irq(Sparc32Dma *s)
{
    bool level = (s->csr & CSR_INTR) && (s->csr & CSR_INTREN);
    if (s->irq != level) {
        s->irq = level;
        tessera_irq_set(s->host, s->out, level);
    }
}

static uint64_t dma_read(void *opaque, uint64_t offset, unsigned size)
{
    Sparc32Dma *s = opaque;

    switch (offset) {
    case DMA_CSR:
        return s->csr;
    case DMA_ADDR:
        return s->addr;
    case DMA_COUNT:
        return s->count;
    case DMA_ADDR_HI:
        return s->addr_hi;
    }
    return 0; /* the region is 16 bytes: not reached */
}

static void csr_write(Sparc32Dma *s, uint32_t v)
{
    uint32_t old = s->csr;
    s->csr = (s->csr & CSR_READ_ONLY) | (v & ~CSR_READ_ONLY & ~CSR_COMMANDS);
    update_irq(s);
    if ((v & CSR_RESET) && !(old & CSR_RESET) && s->device_reset)
        s->device_reset(s->device);
    if (((old ^ s->csr) & CSR_ENABLE) && s->device_enable)
        s->device_enable(s->device, s->csr & CSR_ENABLE);
}

static void dma_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Sparc32Dma *s = opaque;
    uint32_t v = (uint32_t)value;

    switch (offset) {
    case DMA_CSR:
        csr_write(s, v);
        return;
    case DMA_ADDR:
        s->addr = v;
        s->csr |= CSR_LOADED;
        return;
    case DMA_COUNT:
        s->count = v;
        return;
    case DMA_ADDR_HI:
        s->addr_hi = v;
        return;
    }
}

/* The device's interrupt line. */
static void device_irq(void *opaque, unsigned line, int level)
{
    Sparc32Dma *s = opaque;
    if (level)
        s->csr |= CSR_INTR;
    else
        s->csr &= ~CSR_INTR;
    update_irq(s);
}

/* ---- the "dma" interface ---- */

/* Whether a transfer can run: an IOMMU, and the addressing of the served device. */
static bool can_transfer(Sparc32Dma *s, uint32_t kind)
{
    if (!s->iommu) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "DMA without an IOMMU link");
        return false;
    }
    if (s->kind != kind) {
        tessera_log(s->host, TESSERA_LOG_WARNING, "%s-style transfer on a %s DMA",
                    kind == KIND_ESP ? "esp" : "lance", s->kind == KIND_ESP ? "esp" : "lance");
        return false;
    }
    return true;
}

static int iface_read(void *opaque, void *buf, size_t len)
{
    Sparc32Dma *s = opaque;
    if (!can_transfer(s, KIND_ESP))
        return -1;
    int r = s->iommu->dma_read(s->iommu->opaque, s->addr, buf, len);
    s->addr += (uint32_t)len;
    return r;
}

static int iface_write(void *opaque, const void *buf, size_t len)
{
    Sparc32Dma *s = opaque;
    if (!can_transfer(s, KIND_ESP))
        return -1;
    int r = s->iommu->dma_write(s->iommu->opaque, s->addr, buf, len);
    s->addr += (uint32_t)len;
    return r;
}

static int iface_read_at(void *opaque, uint32_t addr, void *buf, size_t len)
{
    Sparc32Dma *s = opaque;
    if (!can_transfer(s, KIND_LANCE))
        return -1;
    return s->iommu->dma_read(s->iommu->opaque, (addr & LANCE_ADDR_MASK) | s->addr_hi, buf,
                              len);
}

static int iface_write_at(void *opaque, uint32_t addr, const void *buf, size_t len)
{
    Sparc32Dma *s = opaque;
    if (!can_transfer(s, KIND_LANCE))
        return -1;
    return s->iommu->dma_write(s->iommu->opaque, (addr & LANCE_ADDR_MASK) | s->addr_hi, buf,
                               len);
}

static void iface_attach(void *opaque, SbusDmaResetFn reset, void *device)
{
    Sparc32Dma *s = opaque;
    s->device_reset = reset;
    s->device = device;
}

static void iface_watch_enable(void *opaque, SbusDmaEnableFn enable, void *device)
{
    Sparc32Dma *s = opaque;
    s->device_enable = enable;
    s->device = device;
}

/* ---- lifecycle ---- */

static const TesseraMmioRegion dma_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "regs",
    .size = DMA_REGS_SIZE,
    .widths = TESSERA_WIDTH_4,
    .read = dma_read,
    .write = dma_write,
};

static int sparc32_dma_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Sparc32Dma *s = dev;
    s->host = host;
    const char *kind = tessera_prop(host, "kind");
    if (!kind || !strcmp(kind, "esp")) {
        s->kind = KIND_ESP;
    } else if (!strcmp(kind, "lance")) {
        s->kind = KIND_LANCE;
    } else {
        snprintf(err, errlen, "prop.kind: %s is neither esp nor lance", kind);
        return -1;
    }
    if (tessera_mmio_add(host, &dma_region, s, err, errlen))
        return -1;
    s->out = tessera_irq_out(host, "out", 0);
    if (tessera_irq_in(host, "device", 1, device_irq, s)) {
        snprintf(err, errlen, "cannot declare input \"device\"");
        return -1;
    }
    s->iface = (SbusDma){
        .size = sizeof(SbusDma),
        .opaque = s,
        .read = iface_read,
        .write = iface_write,
        .read_at = iface_read_at,
        .write_at = iface_write_at,
        .attach = iface_attach,
        .watch_enable = iface_watch_enable,
    };
    if (host->ops->provide(host->self, "dma", &s->iface)) {
        snprintf(err, errlen, "cannot provide the dma interface");
        return -1;
    }
    return 0;
}

static int sparc32_dma_realize(void *dev, char *err, size_t errlen)
{
    Sparc32Dma *s = dev;
    const SbusIommu *iommu = s->host->ops->link(s->host->self, "iommu", "iommu");
    if (!iommu) {
        /* Without it every transfer fails; the registers still work. */
        tessera_log(s->host, TESSERA_LOG_WARNING, "link.iommu: no IOMMU: DMA transfers fail");
        return 0;
    }
    if (!TESSERA_HAS_MEMBER(iommu, SbusIommu, dma_write)) {
        snprintf(err, errlen, "link.iommu: interface too old (size %u)", iommu->size);
        return -1;
    }
    s->iommu = iommu;
    return 0;
}

/* The device keeps its own line: its interrupt survives a DMA reset. */
static void sparc32_dma_reset(void *dev)
{
    Sparc32Dma *s = dev;
    s->csr = CSR_DEVICE_ID | (s->csr & CSR_INTR);
    s->addr = 0;
    s->count = 0;
    s->addr_hi = 0;
    update_irq(s);
}

static int sparc32_dma_post_load(void *dev, char *err, size_t errlen)
{
    Sparc32Dma *s = dev;
    tessera_irq_set(s->host, s->out, s->irq);
    return 0;
}

static const TesseraField dma_fields[] = {
    TESSERA_U32(Sparc32Dma, csr),     TESSERA_U32(Sparc32Dma, addr),
    TESSERA_U32(Sparc32Dma, count),   TESSERA_U32(Sparc32Dma, addr_hi),
    TESSERA_BOOL(Sparc32Dma, irq),
};

static const char *const dma_unmigrated[] = {
    "kind", "host", "out", "iommu", "iface", "device_reset", "device_enable", "device", NULL,
};

static const TesseraStateLayout dma_layout = {
    .struct_name = "Sparc32Dma",
    .size = sizeof(Sparc32Dma),
    .fields = dma_fields,
    .n_fields = TESSERA_N_ELEMS(dma_fields),
    .unmigrated = dma_unmigrated,
};

static const TesseraStateSchema dma_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "sparc32-dma",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &dma_layout,
    .post_load = sparc32_dma_post_load,
};

static const TesseraDeviceClass dma_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Sparc32Dma),
    .state = &dma_schema,
    .init = sparc32_dma_init,
    .realize = sparc32_dma_realize,
    .reset = sparc32_dma_reset,
};

TESSERA_PLUGIN(.name = "sparc32-dma", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "sun4m DMA2 engine for the ESP (espdma) or the LANCE (ledma)",
               .iface = &dma_class);
