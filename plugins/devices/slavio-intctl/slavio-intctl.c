/* SPDX-License-Identifier: MIT */
/*
 * slavio-intctl: the sun4m interrupt controller of the SLAVIO chip (STP2001, also
 * NCR89C105), for one CPU. Facts: shared/reference/ss5.md, "Interrupt controller".
 *
 * Inputs:  "in"   32 lines, one per master pending bit (a device's interrupt source);
 *          "cpu0" 16 lines straight to a PIL of CPU 0 (the per-CPU counter/timer is
 *                 wired to 14), shown in CPU 0's pending register at the same bit.
 * Output:  "irl"  16 lines; line n is high while level n is requested of CPU 0 (the
 *                 core gives the CPU the highest high line).
 *
 * The input mirrors (master_pending, cpu_direct) follow the wires, not a register,
 * so reset() leaves them alone: a line that stays high across a reset stays pending.
 */
#include <stdbool.h>
#include <stdio.h>
#include <tessera/tessera.h>

/* Master (system) interrupt registers: region "master", 0x14 bytes. */
#define MASTER_PENDING 0x00 /* r: pending sources */
#define MASTER_MASK 0x04    /* r: disabled sources */
#define MASTER_CLEAR 0x08   /* w: enable the sources whose bits are set */
#define MASTER_SET 0x0c     /* w: disable the sources whose bits are set */
#define MASTER_TARGET 0x10  /* rw: CPU that takes the hard interrupts */
#define MASTER_SIZE 0x14

/* Per-CPU registers: region "cpu0", 0x10 bytes. */
#define CPU_PENDING 0x00 /* r: soft interrupts, level 15, direct lines, hard levels */
#define CPU_CLEAR 0x04   /* w: clear soft interrupts (31:17) and the level-15 bit */
#define CPU_SET 0x08     /* w: raise soft interrupts (31:17) */
#define CPU_SIZE 0x10

#define MASTER_DISABLE 0x80000000u /* master mask bit 31: no hard interrupt reaches a CPU */
#define MASTER_ABSENT 0x0fa2007fu  /* sources the SS-5 lacks: always disabled, read as 0 */
#define CPU_SOFTINT 0xfffe0000u    /* bit n + 16 requests level n */
#define CPU_INT15 0x00008000u      /* level-15 sources, broadcast to every CPU */
#define MAX_CPUS 16

/* Master pending bit -> processor interrupt level (ss5.md); 0 = no such source. */
static const uint8_t intbit_to_level[32] = {
    2, 3, 5, 7, 9, 11, 13, 2, 3, 5, 7, 9, 11, 13, 12, 12,
    6, 13, 4, 10, 8, 9, 11, 0, 0, 0, 0, 15, 15, 15, 15, 0,
};

typedef struct Intctl {
    uint32_t master_pending;  /* "in" lines that are high (sources with a level) */
    uint32_t master_disabled; /* mask register, MASTER_ABSENT bits always set */
    uint32_t target_cpu;
    uint32_t cpu_pending;     /* CPU 0's soft interrupts and level-15 broadcast bit */
    uint32_t cpu_direct;      /* "cpu0" lines that are high, bit n = line n */

    /* Host side. */
    const TesseraHost *host;
    TesseraIrq *irl[16];
    uint32_t irl_out; /* levels currently driven on irl */
} Intctl;

static uint32_t levels_of(uint32_t bits)
{
    uint32_t levels = 0;
    for (unsigned j = 0; j < 32; j++)
        if ((bits & (1u << j)) && intbit_to_level[j])
            levels |= 1u << intbit_to_level[j];
    return levels;
}

/* CPU 0's pending register: every request for the CPU, masked or not. */
static uint32_t cpu_pending_read(const Intctl *s)
{
    uint32_t v = s->cpu_pending | s->cpu_direct;
    if (s->target_cpu == 0)
        v |= levels_of(s->master_pending);
    return v;
}

/* The levels CPU 0 is asked for: enabled hard sources (when CPU 0 is the target),
 * level 15 and the direct lines unless everything is disabled, and soft interrupts. */
static uint32_t cpu_levels(const Intctl *s)
{
    uint32_t pil = 0;
    if (!(s->master_disabled & MASTER_DISABLE)) {
        if (s->target_cpu == 0)
            pil |= levels_of(s->master_pending & ~s->master_disabled);
        pil |= cpu_pending_read(s) & CPU_INT15;
        pil |= s->cpu_direct;
    }
    pil |= (s->cpu_pending & CPU_SOFTINT) >> 16;
    return pil & 0xfffe;
}

static void drive_irl(Intctl *s, bool force)
{
    uint32_t pil = cpu_levels(s);
    for (unsigned n = 1; n < 16; n++) {
        uint32_t bit = 1u << n;
        if (force || ((pil ^ s->irl_out) & bit))
            tessera_irq_set(s->host, s->irl[n], !!(pil & bit));
    }
    s->irl_out = pil;
}

static uint64_t master_read(void *opaque, uint64_t offset, unsigned size)
{
    Intctl *s = opaque;
    switch (offset) {
    case MASTER_PENDING:
        return s->master_pending & ~MASTER_DISABLE;
    case MASTER_MASK:
        return s->master_disabled & ~MASTER_ABSENT;
    case MASTER_TARGET:
        return s->target_cpu;
    default:
        tessera_log(s->host, TESSERA_LOG_DEBUG, "master: read of unknown register 0x%llx",
                    (unsigned long long)offset);
        return 0;
    }
}

static void master_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Intctl *s = opaque;
    uint32_t v = (uint32_t)value;
    switch (offset) {
    case MASTER_CLEAR:
        s->master_disabled &= ~(v & ~MASTER_ABSENT);
        break;
    case MASTER_SET:
        s->master_disabled |= v & ~MASTER_ABSENT;
        break;
    case MASTER_TARGET:
        s->target_cpu = v & (MAX_CPUS - 1);
        break;
    default:
        tessera_log(s->host, TESSERA_LOG_DEBUG,
                    "master: write 0x%08x to read-only or unknown register 0x%llx", v,
                    (unsigned long long)offset);
        return;
    }
    drive_irl(s, false);
}

static uint64_t cpu_read(void *opaque, uint64_t offset, unsigned size)
{
    Intctl *s = opaque;
    if (offset == CPU_PENDING)
        return cpu_pending_read(s);
    tessera_log(s->host, TESSERA_LOG_DEBUG, "cpu0: read of write-only register 0x%llx",
                (unsigned long long)offset);
    return 0;
}

static void cpu_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Intctl *s = opaque;
    uint32_t v = (uint32_t)value;
    switch (offset) {
    case CPU_CLEAR:
        s->cpu_pending &= ~(v & (CPU_SOFTINT | CPU_INT15));
        break;
    case CPU_SET:
        s->cpu_pending |= v & CPU_SOFTINT;
        break;
    default:
        tessera_log(s->host, TESSERA_LOG_DEBUG, "cpu0: write 0x%08x to register 0x%llx ignored",
                    v, (unsigned long long)offset);
        return;
    }
    drive_irl(s, false);
}

/* A device's source line; sources without a level (table entry 0) do not latch. */
static void source_changed(void *opaque, unsigned line, int level)
{
    Intctl *s = opaque;
    if (line >= 32 || !intbit_to_level[line])
        return;
    uint32_t bit = 1u << line;
    if (level)
        s->master_pending |= bit;
    else
        s->master_pending &= ~bit;
    if (intbit_to_level[line] == 15) /* high while any level-15 source is */
        s->cpu_pending = (s->cpu_pending & ~CPU_INT15) |
                         (levels_of(s->master_pending) & CPU_INT15);
    drive_irl(s, false);
}

static void direct_changed(void *opaque, unsigned line, int level)
{
    Intctl *s = opaque;
    if (line >= 16)
        return;
    if (level)
        s->cpu_direct |= 1u << line;
    else
        s->cpu_direct &= ~(1u << line);
    drive_irl(s, false);
}

static const TesseraMmioRegion master_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "master",
    .size = MASTER_SIZE,
    .widths = TESSERA_WIDTH_4,
    .read = master_read,
    .write = master_write,
};

static const TesseraMmioRegion cpu_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "cpu0",
    .size = CPU_SIZE,
    .widths = TESSERA_WIDTH_4,
    .read = cpu_read,
    .write = cpu_write,
};

static int intctl_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Intctl *s = dev;
    s->host = host;
    if (tessera_mmio_add(host, &master_region, s, err, errlen) ||
        tessera_mmio_add(host, &cpu_region, s, err, errlen))
        return -1;
    if (tessera_irq_in(host, "in", 32, source_changed, s) ||
        tessera_irq_in(host, "cpu0", 16, direct_changed, s)) {
        snprintf(err, errlen, "cannot declare IRQ inputs");
        return -1;
    }
    for (unsigned n = 0; n < 16; n++)
        s->irl[n] = tessera_irq_out(host, "irl", n);
    return 0;
}

static void intctl_reset(void *dev)
{
    Intctl *s = dev;
    s->master_disabled = MASTER_ABSENT;
    s->target_cpu = 0;
    /* Soft interrupts go; the level-15 bit follows its sources. */
    s->cpu_pending = levels_of(s->master_pending) & CPU_INT15;
    drive_irl(s, true);
}

static int intctl_post_load(void *dev, char *err, size_t errlen)
{
    drive_irl(dev, true);
    return 0;
}

static const TesseraField intctl_fields[] = {
    TESSERA_U32(Intctl, master_pending),
    TESSERA_U32(Intctl, master_disabled),
    TESSERA_U32(Intctl, target_cpu),
    TESSERA_U32(Intctl, cpu_pending),
    TESSERA_U32(Intctl, cpu_direct),
};

static const char *const intctl_unmigrated[] = { "host", "irl", "irl_out", NULL };

static const TesseraStateLayout intctl_layout = {
    .struct_name = "Intctl",
    .size = sizeof(Intctl),
    .fields = intctl_fields,
    .n_fields = TESSERA_N_ELEMS(intctl_fields),
    .unmigrated = intctl_unmigrated,
};

static const TesseraStateSchema intctl_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "slavio-intctl",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &intctl_layout,
    .post_load = intctl_post_load,
};

static const TesseraDeviceClass intctl_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Intctl),
    .state = &intctl_schema,
    .init = intctl_init,
    .reset = intctl_reset,
};

TESSERA_PLUGIN(.name = "slavio-intctl", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "SLAVIO sun4m interrupt controller (master and CPU 0 registers)",
               .iface = &intctl_class);
