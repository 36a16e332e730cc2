/* SPDX-License-Identifier: MIT */
/* An out-of-tree SBus device in miniature: it includes the installed SBus DMA and
 * IOMMU interfaces and links to its DMA engine at realize(), as esp and lance do.
 * tests/sdk/example.sh compiles it against the installed SDK only and loads it. */
#include <tessera/sbus-dma.h>
#include <tessera/sbus-iommu.h>
#include <tessera/tessera.h>

typedef struct Probe {
    uint32_t status;
    const TesseraHost *host;
    SbusDma *dma;
} Probe;

static int probe_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    ((Probe *)dev)->host = host;
    return 0;
}

static int probe_realize(void *dev, char *err, size_t errlen)
{
    Probe *s = dev;
    s->dma = tessera_link(s->host, "dma", "dma");
    /* Interfaces grow at the end: check the size covers what is called. */
    if (!s->dma || !TESSERA_HAS_MEMBER(s->dma, SbusDma, write_at))
        return -1;
    return 0;
}

static void probe_reset(void *dev)
{
    ((Probe *)dev)->status = 0;
}

static const TesseraField probe_fields[] = { TESSERA_U32(Probe, status) };
static const char *const probe_unmigrated[] = { "host", "dma", NULL };
static const TesseraStateLayout probe_layout = {
    .struct_name = "Probe", .size = sizeof(Probe), .fields = probe_fields,
    .n_fields = TESSERA_N_ELEMS(probe_fields), .unmigrated = probe_unmigrated,
};
static const TesseraStateSchema probe_schema = {
    .size = sizeof(TesseraStateSchema), .name = "sbus-probe", .version = 1, .load_min = 1,
    .save_min = 1, .layout = &probe_layout,
};
static const TesseraDeviceClass probe_class = {
    .size = sizeof(TesseraDeviceClass), .instance_size = sizeof(Probe), .state = &probe_schema,
    .init = probe_init, .realize = probe_realize, .reset = probe_reset,
};

/* The IOMMU interface's size prefix, as a user reads it. */
__attribute__((used)) static const size_t probe_iommu_size = sizeof(SbusIommu);

TESSERA_PLUGIN(.name = "sbus-probe", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT", .description = "SBus interface probe (tests/sdk)",
               .iface = &probe_class);
