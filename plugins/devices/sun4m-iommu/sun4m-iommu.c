/* SPDX-License-Identifier: MIT */
/*
 * sun4m-iommu: the SBus I/O MMU of the sun4m architecture ("Sun-4M System
 * Architecture", chapter on the IOMMU; facts as QEMU's hw/sparc/sun4m_iommu.c models
 * them and shared/reference/ss5.md).
 *
 * SBus masters (the DMA engines of sparc32-dma) address memory with 32-bit DVMA
 * addresses in a window at the top of the 4 GiB space, 16 MiB to 2 GiB wide as the
 * control register's range field says. Each 4 KiB DVMA page has one 32-bit IOPTE in
 * a table in guest memory at base << 4; the IOPTE gives PA 35:12. No translation is
 * cached, so the flush registers only hold what was written.
 *
 * A DVMA access through an invalid IOPTE, or a write through one without W, records
 * the page in AFAR, the cause in AFSR and raises the interrupt; reading or writing
 * AFSR or AFAR lowers it.
 *
 * Other devices reach the translation through the "iommu" interface (iommu.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <tessera/tessera.h>

#include <tessera/sbus-iommu.h>

/* Registers, region "regs" (0x4000 bytes, 32-bit accesses). */
#define IOMMU_CTRL 0x0000
#define IOMMU_BASE 0x0004
#define IOMMU_TLBFLUSH 0x0014
#define IOMMU_PGFLUSH 0x0018
#define IOMMU_AFSR 0x1000
#define IOMMU_AFAR 0x1004
#define IOMMU_AER 0x1008
#define IOMMU_SBCFG0 0x1010 /* .. 0x101c, one per SBus slot */
#define IOMMU_ARBEN 0x2000
#define IOMMU_MASK_ID 0x3018
#define IOMMU_REGS_SIZE 0x4000

#define CTRL_VERSION 0xff000000u /* implementation and version: read-only */
#define CTRL_RANGE 0x0000001cu   /* DVMA window: 16 MiB << range */
#define CTRL_ENABLE 0x00000001u
#define CTRL_WRITABLE (CTRL_RANGE | CTRL_ENABLE)
#define RANGE_SHIFT 2

#define BASE_MASK 0x07fffc00u

#define AFSR_ERR 0x80000000u  /* one of LE, TO, BE */
#define AFSR_LE 0x40000000u   /* late error: the translation failed */
#define AFSR_RESV 0x00800000u /* reads as 1 */
#define AFSR_RD 0x00040000u   /* the failed access was a read */
#define AFSR_FAV 0x00020000u  /* AFAR is valid */
#define AFSR_WRITABLE 0xff0fffffu

#define AER_P0_ARB 0x00000001u /* MBus master 0: always on */
#define AER_P1_ARB 0x00000002u
#define AER_WRITABLE 0x801f000fu
#define SBCFG_WRITABLE 0x00010003u
#define ARBEN_WRITABLE 0x001f0000u
#define ARBEN_MID 0x00000008u
#define N_SBCFG 4

/* What ss5.md gives: the SS-5's IOMMU version and Linux's CPU-probe mask ID. */
#define DEFAULT_VERSION 0x05000000u
#define MASK_ID_TURBOSPARC 0x23000000u

/* IOPTE: PA 35:12 in bits 31:8. */
#define IOPTE_PAGE 0xffffff00u
#define IOPTE_WRITE 0x00000004u
#define IOPTE_VALID 0x00000002u
#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)

typedef struct Sun4mIommu {
    uint32_t ctrl;
    uint32_t base;
    uint32_t tlbflush;
    uint32_t pgflush;
    uint32_t afsr;
    uint32_t afar;
    uint32_t aer;
    uint32_t sbcfg[N_SBCFG];
    uint32_t arben;
    uint32_t mask_id;
    bool irq; /* output level */

    /* Host side. */
    uint32_t version; /* prop.version, default DEFAULT_VERSION: machine configuration */
    const TesseraHost *host;
    TesseraIrq *out;
    SbusIommu iface;
} Sun4mIommu;

static void set_irq(Sun4mIommu *s, bool level)
{
    if (s->irq != level) {
        s->irq = level;
        tessera_irq_set(s->host, s->out, level);
    }
}

static uint64_t iommu_read(void *opaque, uint64_t offset, unsigned size)
{
    Sun4mIommu *s = opaque;

    switch (offset) {
    case IOMMU_CTRL:
        return s->ctrl;
    case IOMMU_BASE:
        return s->base;
    case IOMMU_TLBFLUSH:
        return s->tlbflush;
    case IOMMU_PGFLUSH:
        return s->pgflush;
    case IOMMU_AFSR:
        set_irq(s, false);
        return s->afsr;
    case IOMMU_AFAR:
        set_irq(s, false);
        return s->afar;
    case IOMMU_AER:
        return s->aer;
    case IOMMU_SBCFG0:
    case IOMMU_SBCFG0 + 4:
    case IOMMU_SBCFG0 + 8:
    case IOMMU_SBCFG0 + 12:
        return s->sbcfg[(offset - IOMMU_SBCFG0) / 4];
    case IOMMU_ARBEN:
        return s->arben;
    case IOMMU_MASK_ID:
        return s->mask_id;
    }
    tessera_log(s->host, TESSERA_LOG_DEBUG, "read of unknown register 0x%04llx",
                (unsigned long long)offset);
    return 0;
}

static void iommu_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Sun4mIommu *s = opaque;
    uint32_t v = (uint32_t)value;

    switch (offset) {
    case IOMMU_CTRL:
        s->ctrl = (v & CTRL_WRITABLE) | (s->version & CTRL_VERSION);
        return;
    case IOMMU_BASE:
        s->base = v & BASE_MASK;
        return;
    case IOMMU_TLBFLUSH:
        s->tlbflush = v;
        return;
    case IOMMU_PGFLUSH:
        s->pgflush = v;
        return;
    case IOMMU_AFSR:
        s->afsr = (v & AFSR_WRITABLE) | AFSR_RESV;
        set_irq(s, false);
        return;
    case IOMMU_AFAR:
        s->afar = v;
        set_irq(s, false);
        return;
    case IOMMU_AER:
        s->aer = (v & AER_WRITABLE) | AER_P0_ARB;
        return;
    case IOMMU_SBCFG0:
    case IOMMU_SBCFG0 + 4:
    case IOMMU_SBCFG0 + 8:
    case IOMMU_SBCFG0 + 12:
        s->sbcfg[(offset - IOMMU_SBCFG0) / 4] = v & SBCFG_WRITABLE;
        return;
    case IOMMU_ARBEN:
        s->arben = (v & ARBEN_WRITABLE) | ARBEN_MID;
        return;
    }
    tessera_log(s->host, TESSERA_LOG_DEBUG, "write 0x%08x to register 0x%04llx ignored", v,
                (unsigned long long)offset);
}

/* ---- translation ---- */

static void fault(Sun4mIommu *s, uint32_t page, bool is_write)
{
    s->afsr = AFSR_ERR | AFSR_LE | AFSR_RESV | AFSR_FAV | (is_write ? 0 : AFSR_RD);
    s->afar = page;
    tessera_log(s->host, TESSERA_LOG_DEBUG, "DVMA %s fault at 0x%08x",
                is_write ? "write" : "read", page);
    set_irq(s, true);
}

static int iommu_translate(void *opaque, uint32_t dvma, bool is_write, uint64_t *pa)
{
    Sun4mIommu *s = opaque;
    uint32_t window = (16u << 20) << ((s->ctrl & CTRL_RANGE) >> RANGE_SHIFT);
    uint32_t page = dvma & ~(PAGE_SIZE - 1);
    uint64_t iopte_pa = ((uint64_t)s->base << 4) + (((dvma & (window - 1)) >> PAGE_SHIFT) << 2);
    uint8_t raw[4];

    if (tessera_dma_read(s->host, iopte_pa, raw, sizeof(raw)) != TESSERA_BUS_OK) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "IOPTE for 0x%08x at unassigned PA 0x%llx",
                    dvma, (unsigned long long)iopte_pa);
        fault(s, page, is_write);
        return -1;
    }
    uint32_t iopte = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 |
                     raw[3];
    if (!(iopte & IOPTE_VALID) || (is_write && !(iopte & IOPTE_WRITE))) {
        fault(s, page, is_write);
        return -1;
    }
    *pa = ((uint64_t)(iopte & IOPTE_PAGE) << 4) | (dvma & (PAGE_SIZE - 1));
    return 0;
}

/* Copy page by page: contiguous DVMA pages need not be contiguous in memory. */
static int iommu_copy(Sun4mIommu *s, uint32_t dvma, uint8_t *buf, size_t len, bool is_write)
{
    while (len) {
        size_t chunk = PAGE_SIZE - (dvma & (PAGE_SIZE - 1));
        uint64_t pa;
        if (chunk > len)
            chunk = len;
        if (iommu_translate(s, dvma, is_write, &pa))
            return -1;
        int r = is_write ? tessera_dma_write(s->host, pa, buf, chunk)
                         : tessera_dma_read(s->host, pa, buf, chunk);
        if (r != TESSERA_BUS_OK) {
            tessera_log(s->host, TESSERA_LOG_DEBUG, "DVMA 0x%08x -> unassigned PA 0x%llx", dvma,
                        (unsigned long long)pa);
            return -1;
        }
        dvma += (uint32_t)chunk;
        buf += chunk;
        len -= chunk;
    }
    return 0;
}

static int iommu_dma_read(void *opaque, uint32_t dvma, void *buf, size_t len)
{
    return iommu_copy(opaque, dvma, buf, len, false);
}

static int iommu_dma_write(void *opaque, uint32_t dvma, const void *buf, size_t len)
{
    return iommu_copy(opaque, dvma, (uint8_t *)buf, len, true);
}

/* ---- lifecycle ---- */

static const TesseraMmioRegion iommu_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "regs",
    .size = IOMMU_REGS_SIZE,
    .widths = TESSERA_WIDTH_4,
    .read = iommu_read,
    .write = iommu_write,
};

static int iommu_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Sun4mIommu *s = dev;
    s->host = host;
    s->version = DEFAULT_VERSION;
    const char *version = tessera_prop(host, "version");
    if (version) {
        char *end;
        unsigned long v = strtoul(version, &end, 0);
        if (*end || v > UINT32_MAX) {
            snprintf(err, errlen, "prop.version: not a 32-bit number: %s", version);
            return -1;
        }
        s->version = (uint32_t)v;
    }
    if (tessera_mmio_add(host, &iommu_region, s, err, errlen))
        return -1;
    s->out = tessera_irq_out(host, "out", 0);
    s->iface = (SbusIommu){
        .size = sizeof(SbusIommu),
        .opaque = s,
        .translate = iommu_translate,
        .dma_read = iommu_dma_read,
        .dma_write = iommu_dma_write,
    };
    if (host->ops->provide(host->self, "iommu", &s->iface)) {
        snprintf(err, errlen, "cannot provide the iommu interface");
        return -1;
    }
    return 0;
}

static void iommu_reset(void *dev)
{
    Sun4mIommu *s = dev;
    s->ctrl = s->version & CTRL_VERSION;
    s->base = 0;
    s->tlbflush = 0;
    s->pgflush = 0;
    s->afsr = AFSR_RESV;
    s->afar = 0;
    s->aer = AER_P0_ARB | AER_P1_ARB;
    for (unsigned i = 0; i < N_SBCFG; i++)
        s->sbcfg[i] = 0;
    s->arben = ARBEN_MID;
    s->mask_id = MASK_ID_TURBOSPARC;
    set_irq(s, false);
}

static int iommu_post_load(void *dev, char *err, size_t errlen)
{
    Sun4mIommu *s = dev;
    tessera_irq_set(s->host, s->out, s->irq);
    return 0;
}

static const TesseraField iommu_fields[] = {
    TESSERA_U32(Sun4mIommu, ctrl),     TESSERA_U32(Sun4mIommu, base),
    TESSERA_U32(Sun4mIommu, tlbflush), TESSERA_U32(Sun4mIommu, pgflush),
    TESSERA_U32(Sun4mIommu, afsr),     TESSERA_U32(Sun4mIommu, afar),
    TESSERA_U32(Sun4mIommu, aer),      TESSERA_ARRAY(Sun4mIommu, sbcfg, TESSERA_FIELD_U32),
    TESSERA_U32(Sun4mIommu, arben),    TESSERA_U32(Sun4mIommu, mask_id),
    TESSERA_BOOL(Sun4mIommu, irq),
};

static const char *const iommu_unmigrated[] = { "version", "host", "out", "iface", NULL };

static const TesseraStateLayout iommu_layout = {
    .struct_name = "Sun4mIommu",
    .size = sizeof(Sun4mIommu),
    .fields = iommu_fields,
    .n_fields = TESSERA_N_ELEMS(iommu_fields),
    .unmigrated = iommu_unmigrated,
};

static const TesseraStateSchema iommu_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "sun4m-iommu",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &iommu_layout,
    .post_load = iommu_post_load,
};

static const TesseraDeviceClass iommu_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Sun4mIommu),
    .state = &iommu_schema,
    .init = iommu_init,
    .reset = iommu_reset,
};

TESSERA_PLUGIN(.name = "sun4m-iommu", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "sun4m SBus I/O MMU (DVMA translation through IOPTEs in memory)",
               .iface = &iommu_class);
