/* SPDX-License-Identifier: MIT */
/*
 * slavio-misc: the auxiliary I/O, chip control and system control registers of the
 * SLAVIO chip (STP2001, also NCR89C105). Facts: shared/reference/ss5.md ("Reset,
 * PROM, power" and the slavio misc row of the memory map).
 *
 * Seven one-register windows; each is a separate region so the machine file can
 * place it. Output "power-fail" (PIL 15 via the master bit 30) and "fdc-tc" (the
 * floppy terminal-count pulse); input "power-button" (1 line): the machine asks the
 * guest to power down, which latches AUX2 power-fail when the config register
 * enables it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <tessera/tessera.h>

/* Regions and their registers (offset 0 of each). */
#define CONFIG_PWRINTEN 0x08 /* config: power-fail interrupt enable */
#define AUX1_TC 0x02         /* aux1: pulse the floppy terminal count (not stored) */
#define AUX2_PWROFF 0x01     /* aux2: power off the machine */
#define AUX2_PWRINTCLR 0x02  /* aux2: clear the power-fail interrupt (not stored) */
#define AUX2_PWRFAIL 0x20    /* aux2: power-fail latched */
#define SYSCTRL_RESET 0x01   /* sysctrl: reset the machine */
#define SYSCTRL_RESETSTAT 0x02 /* sysctrl: the last reset was a software reset */

typedef struct Misc {
    uint8_t config;
    uint8_t aux1;
    uint8_t aux2;
    uint8_t diag;
    uint8_t modem;
    uint16_t leds;
    uint32_t sysctrl; /* survives reset: the guest reads why it was reset */

    /* Host side. */
    const TesseraHost *host;
    TesseraIrq *power_fail;
    TesseraIrq *fdc_tc;
} Misc;

static bool power_fail_level(const Misc *s)
{
    return (s->aux2 & AUX2_PWRFAIL) && (s->config & CONFIG_PWRINTEN);
}

static void update_irq(Misc *s)
{
    tessera_irq_set(s->host, s->power_fail, power_fail_level(s));
}

static uint64_t config_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Misc *)opaque)->config;
}

static void config_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Misc *s = opaque;
    s->config = (uint8_t)value;
    update_irq(s);
}

static uint64_t aux1_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Misc *)opaque)->aux1;
}

static void aux1_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Misc *s = opaque;
    if (value & AUX1_TC) {
        tessera_irq_set(s->host, s->fdc_tc, 1);
        tessera_irq_set(s->host, s->fdc_tc, 0);
    }
    s->aux1 = (uint8_t)value & ~AUX1_TC;
}

static uint64_t aux2_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Misc *)opaque)->aux2;
}

static void aux2_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Misc *s = opaque;
    uint8_t v = (uint8_t)value & (AUX2_PWROFF | AUX2_PWRINTCLR);
    if (!(v & AUX2_PWRINTCLR))
        v |= s->aux2 & AUX2_PWRFAIL;
    s->aux2 = v & (AUX2_PWROFF | AUX2_PWRFAIL);
    update_irq(s);
    if (v & AUX2_PWROFF)
        tessera_request(s->host, TESSERA_REQUEST_POWEROFF);
}

static uint64_t diag_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Misc *)opaque)->diag;
}

static void diag_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    ((Misc *)opaque)->diag = (uint8_t)value;
}

static uint64_t modem_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Misc *)opaque)->modem;
}

static void modem_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    ((Misc *)opaque)->modem = (uint8_t)value;
}

static uint64_t leds_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Misc *)opaque)->leds;
}

static void leds_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    ((Misc *)opaque)->leds = (uint16_t)value;
}

static uint64_t sysctrl_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((Misc *)opaque)->sysctrl;
}

static void sysctrl_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Misc *s = opaque;
    if (!(value & SYSCTRL_RESET)) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "sysctrl: write 0x%08x without reset bit",
                    (unsigned)value);
        return;
    }
    s->sysctrl = SYSCTRL_RESETSTAT;
    tessera_request(s->host, TESSERA_REQUEST_RESET);
}

/* The machine's power button: latch power-fail if the guest asked to be told. */
static void power_button(void *opaque, unsigned line, int level)
{
    Misc *s = opaque;
    if (level && (s->config & CONFIG_PWRINTEN))
        s->aux2 |= AUX2_PWRFAIL;
    else if (!level)
        s->aux2 &= ~AUX2_PWRFAIL;
    update_irq(s);
}

#define REGION(n, sz, w, r, wr)                                                           \
    {                                                                                     \
        .size_of = sizeof(TesseraMmioRegion), .name = (n), .size = (sz), .widths = (w), \
        .read = (r), .write = (wr)                                                        \
    }

static const TesseraMmioRegion misc_regions[] = {
    REGION("config", 1, TESSERA_WIDTH_1, config_read, config_write),
    REGION("aux1", 1, TESSERA_WIDTH_1, aux1_read, aux1_write),
    REGION("aux2", 1, TESSERA_WIDTH_1, aux2_read, aux2_write),
    REGION("diag", 1, TESSERA_WIDTH_1, diag_read, diag_write),
    REGION("modem", 1, TESSERA_WIDTH_1, modem_read, modem_write),
    REGION("leds", 2, TESSERA_WIDTH_2, leds_read, leds_write),
    REGION("sysctrl", 4, TESSERA_WIDTH_4, sysctrl_read, sysctrl_write),
};

static int misc_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Misc *s = dev;
    s->host = host;
    for (unsigned i = 0; i < TESSERA_N_ELEMS(misc_regions); i++)
        if (tessera_mmio_add(host, &misc_regions[i], s, err, errlen))
            return -1;
    s->power_fail = tessera_irq_out(host, "power-fail", 0);
    s->fdc_tc = tessera_irq_out(host, "fdc-tc", 0);
    if (tessera_irq_in(host, "power-button", 1, power_button, s)) {
        snprintf(err, errlen, "cannot declare IRQ input power-button");
        return -1;
    }
    return 0;
}

/* Diagnostic, LED and system control registers keep their value across reset. */
static void misc_reset(void *dev)
{
    Misc *s = dev;
    s->config = 0;
    s->aux1 = 0;
    s->aux2 = 0;
    s->modem = 0;
    update_irq(s);
}

static int misc_post_load(void *dev, char *err, size_t errlen)
{
    update_irq(dev);
    return 0;
}

static const TesseraField misc_fields[] = {
    TESSERA_U8(Misc, config), TESSERA_U8(Misc, aux1),  TESSERA_U8(Misc, aux2),
    TESSERA_U8(Misc, diag),   TESSERA_U8(Misc, modem), TESSERA_U16(Misc, leds),
    TESSERA_U32(Misc, sysctrl),
};

static const char *const misc_unmigrated[] = { "host", "power_fail", "fdc_tc", NULL };

static const TesseraStateLayout misc_layout = {
    .struct_name = "Misc",
    .size = sizeof(Misc),
    .fields = misc_fields,
    .n_fields = TESSERA_N_ELEMS(misc_fields),
    .unmigrated = misc_unmigrated,
};

static const TesseraStateSchema misc_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "slavio-misc",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &misc_layout,
    .post_load = misc_post_load,
};

static const TesseraDeviceClass misc_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Misc),
    .state = &misc_schema,
    .init = misc_init,
    .reset = misc_reset,
};

TESSERA_PLUGIN(.name = "slavio-misc", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "SLAVIO auxiliary I/O, power and system control registers",
               .iface = &misc_class);
