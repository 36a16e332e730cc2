/* SPDX-License-Identifier: MIT */
/*
 * example-counter: the out-of-tree device plugin of docs/out-of-tree.md, built
 * against an installed Tessera SDK only (<tessera/tessera.h>, tessera-plugin.pc).
 *
 * One 12-byte register window "regs" (32-bit accesses):
 *   0x0 COUNT  read: the count, which then advances by STEP; write: sets the count
 *   0x4 STEP   read/write
 *   0x8 READS  (2.x only) read: how many times COUNT was read since reset
 *
 * Built twice from this file (meson.build): COUNTER_MAJOR 1 is release 1.x, state
 * version 1 {count, step}; COUNTER_MAJOR 2 is release 2.x, state version 2, which
 * adds `reads` and ships a converter down to version 1, so a 2.x machine can save
 * a snapshot that a 1.x installation loads. The release (COUNTER_VERSION) comes
 * from meson.build, where it is written once.
 */
#include <tessera/tessera.h>

#ifndef COUNTER_MAJOR
#error "build with -DCOUNTER_MAJOR=1 or 2 and -DCOUNTER_VERSION=\"x.y.z\" (see meson.build)"
#endif

#define REG_COUNT 0x0
#define REG_STEP 0x4
#define REG_READS 0x8

typedef struct Counter {
    uint32_t count;
    uint32_t step;
#if COUNTER_MAJOR >= 2
    uint32_t reads;
#endif
    const TesseraHost *host; /* host side, not migrated */
} Counter;

static uint64_t counter_read(void *opaque, uint64_t offset, unsigned size)
{
    Counter *s = opaque;
    switch (offset) {
    case REG_COUNT: {
        uint32_t v = s->count;
        s->count += s->step;
#if COUNTER_MAJOR >= 2
        s->reads++;
#endif
        return v;
    }
    case REG_STEP:
        return s->step;
#if COUNTER_MAJOR >= 2
    case REG_READS:
        return s->reads;
#endif
    default:
        return 0;
    }
}

static void counter_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Counter *s = opaque;
    if (offset == REG_COUNT)
        s->count = (uint32_t)value;
    else if (offset == REG_STEP)
        s->step = (uint32_t)value;
}

static const TesseraMmioRegion counter_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "regs",
    .size = 12,
    .widths = TESSERA_WIDTH_4,
    .read = counter_read,
    .write = counter_write,
};

static int counter_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Counter *s = dev;
    s->host = host;
    return tessera_mmio_add(host, &counter_region, s, err, errlen);
}

static void counter_reset(void *dev)
{
    Counter *s = dev;
    s->count = 0;
    s->step = 1;
#if COUNTER_MAJOR >= 2
    s->reads = 0;
#endif
}

/* The state schema: what a snapshot holds. The declaration macros record each
 * member's size; the loader refuses a type that does not fit it, and tessera-abi
 * checks the whole table against this file's DWARF (build with -g). */
static const TesseraField counter_fields[] = {
    TESSERA_U32(Counter, count),
    TESSERA_U32(Counter, step),
#if COUNTER_MAJOR >= 2
    /* New in state version 2; a version-1 snapshot loads with reads = 0. */
    TESSERA_FIELD_DECL(Counter, reads, TESSERA_FIELD_U32, 1, 2),
#endif
};

static const char *const counter_unmigrated[] = { "host", NULL };

static const TesseraStateLayout counter_layout = {
    .struct_name = "Counter",
    .size = sizeof(Counter),
    .fields = counter_fields,
    .n_fields = TESSERA_N_ELEMS(counter_fields),
    .unmigrated = counter_unmigrated,
};

#if COUNTER_MAJOR >= 2
/* Saving for a 1.x peer: version 1 has no `reads`. */
static int counter_v2_to_v1(TesseraRecord *rec, const TesseraRecordOps *ops, char *err,
                            size_t errlen)
{
    return ops->remove(rec, "reads");
}

static const TesseraConverter counter_converters[] = {
    { .from = 2, .to = 1, .convert = counter_v2_to_v1 },
};
#endif

static const TesseraStateSchema counter_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "example-counter",
#if COUNTER_MAJOR >= 2
    .version = 2,
    .load_min = 1,
    .save_min = 2,
    .converters = counter_converters,
    .n_converters = TESSERA_N_ELEMS(counter_converters),
#else
    .version = 1,
    .load_min = 1,
    .save_min = 1,
#endif
    .layout = &counter_layout,
};

static const TesseraDeviceClass counter_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Counter),
    .state = &counter_schema,
    .init = counter_init,
    .reset = counter_reset,
};

TESSERA_PLUGIN(.name = "example-counter", .version = COUNTER_VERSION,
               .kind = TESSERA_PLUGIN_DEVICE, .license = "MIT",
               .description = "example out-of-tree device: a counter that steps on each read",
               .iface = &counter_class);
