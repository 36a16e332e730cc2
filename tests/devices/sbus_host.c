/* SPDX-License-Identifier: MIT */
/* A fake Tessera core for several device plugins sharing RAM: see sbus_host.h. */
#include "sbus_host.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEVS 8
#define MAX_KV 16
#define MAX_REGIONS 4
#define MAX_LINES 8

typedef struct KeyValue {
    char key[32];
    char value[256];
} KeyValue;

struct TesseraIrq {
    char name[32];
    int level;
    unsigned raises;
    SbusDev *to; /* wired input, if any */
    char to_input[32];
    unsigned to_line;
};

typedef struct Region {
    TesseraMmioRegion r;
    void *opaque;
} Region;

typedef struct Input {
    char name[32];
    unsigned count;
    TesseraIrqHandler handler;
    void *opaque;
} Input;

typedef struct Provided {
    char name[32];
    void *ptr;
} Provided;

struct SbusDev {
    TesseraHost host; /* first: host.self points at the SbusDev */
    SbusHost *h;
    char name[32];
    void *dl;
    const TesseraPluginDescriptor *desc;
    const TesseraDeviceClass *cls;
    void *dev;
    KeyValue props[MAX_KV], links[MAX_KV];
    unsigned n_props, n_links;
    Region regions[MAX_REGIONS];
    unsigned n_regions;
    struct TesseraIrq outs[MAX_LINES];
    unsigned n_outs;
    Input inputs[MAX_LINES];
    unsigned n_inputs;
    Provided provided[MAX_LINES];
    unsigned n_provided;
};

struct SbusHost {
    uint8_t *ram;
    size_t ram_size;
    SbusDev *devs[MAX_DEVS];
    unsigned n_devs;
    KeyValue opts[MAX_KV];
    unsigned n_opts;
    unsigned logs[4];
};

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sbus_host: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

static SbusDev *dev_of(TesseraInstance *self)
{
    return (SbusDev *)self;
}

static void kv_set(KeyValue *kv, unsigned *n, const char *key, const char *value)
{
    if (*n == MAX_KV)
        die("too many keys");
    snprintf(kv[*n].key, sizeof(kv[*n].key), "%s", key);
    snprintf(kv[*n].value, sizeof(kv[*n].value), "%s", value);
    (*n)++;
}

static const char *kv_get(const KeyValue *kv, unsigned n, const char *key)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(kv[i].key, key))
            return kv[i].value;
    return NULL;
}

static SbusDev *dev_find(const SbusHost *h, const char *name)
{
    for (unsigned i = 0; i < h->n_devs; i++)
        if (!strcmp(h->devs[i]->name, name))
            return h->devs[i];
    return NULL;
}

/* ---- host services ---- */

static void op_log(TesseraInstance *self, TesseraLogLevel level, const char *fmt, va_list ap)
{
    SbusDev *d = dev_of(self);
    d->h->logs[level & 3]++;
    if (getenv("FAKE_HOST_LOG")) {
        fprintf(stderr, "[%s] ", d->name);
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
    }
}

static const char *op_prop(TesseraInstance *self, const char *name)
{
    SbusDev *d = dev_of(self);
    return kv_get(d->props, d->n_props, name);
}

static const char *op_machine_opt(TesseraInstance *self, const char *name)
{
    SbusHost *h = dev_of(self)->h;
    return kv_get(h->opts, h->n_opts, name);
}

static int op_mmio_add(TesseraInstance *self, const TesseraMmioRegion *r, void *opaque,
                       char *err, size_t errlen)
{
    SbusDev *d = dev_of(self);
    if (d->n_regions == MAX_REGIONS)
        die("%s: too many regions", d->name);
    d->regions[d->n_regions].r = *r;
    d->regions[d->n_regions].opaque = opaque;
    d->n_regions++;
    return 0;
}

static TesseraIrq *op_irq_out(TesseraInstance *self, const char *name, unsigned index)
{
    SbusDev *d = dev_of(self);
    if (index)
        die("%s: output %s[%u]: only index 0 is supported", d->name, name, index);
    for (unsigned i = 0; i < d->n_outs; i++)
        if (!strcmp(d->outs[i].name, name))
            return &d->outs[i];
    if (d->n_outs == MAX_LINES)
        die("%s: too many outputs", d->name);
    struct TesseraIrq *irq = &d->outs[d->n_outs++];
    snprintf(irq->name, sizeof(irq->name), "%s", name);
    return irq;
}

static const Input *input_find(const SbusDev *d, const char *name)
{
    for (unsigned i = 0; i < d->n_inputs; i++)
        if (!strcmp(d->inputs[i].name, name))
            return &d->inputs[i];
    return NULL;
}

static void op_irq_set(TesseraIrq *line, int level)
{
    level = !!level;
    if (level == line->level)
        return;
    if (level)
        line->raises++;
    line->level = level;
    if (line->to) {
        const Input *in = input_find(line->to, line->to_input);
        if (!in)
            die("%s: no input %s", line->to->name, line->to_input);
        in->handler(in->opaque, line->to_line, level);
    }
}

static int op_irq_in(TesseraInstance *self, const char *name, unsigned count,
                     TesseraIrqHandler handler, void *opaque)
{
    SbusDev *d = dev_of(self);
    if (d->n_inputs == MAX_LINES || input_find(d, name))
        return -1;
    Input *in = &d->inputs[d->n_inputs++];
    snprintf(in->name, sizeof(in->name), "%s", name);
    in->count = count;
    in->handler = handler;
    in->opaque = opaque;
    return 0;
}

static bool in_ram(const SbusHost *h, uint64_t pa, size_t len)
{
    return pa <= h->ram_size && len <= h->ram_size - pa;
}

static int op_dma_read(TesseraInstance *self, uint64_t pa, void *buf, size_t len)
{
    SbusHost *h = dev_of(self)->h;
    if (!in_ram(h, pa, len))
        return TESSERA_BUS_UNASSIGNED;
    memcpy(buf, h->ram + pa, len);
    return TESSERA_BUS_OK;
}

static int op_dma_write(TesseraInstance *self, uint64_t pa, const void *buf, size_t len)
{
    SbusHost *h = dev_of(self)->h;
    if (!in_ram(h, pa, len))
        return TESSERA_BUS_UNASSIGNED;
    memcpy(h->ram + pa, buf, len);
    return TESSERA_BUS_OK;
}

static uint8_t *op_mem_ptr(TesseraInstance *self, uint64_t pa, uint64_t *avail)
{
    SbusHost *h = dev_of(self)->h;
    if (pa >= h->ram_size) {
        *avail = 0;
        return NULL;
    }
    *avail = h->ram_size - pa;
    return h->ram + pa;
}

static int op_bus_read(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t *value)
{
    uint8_t b[8];
    if (op_dma_read(self, pa, b, size))
        return TESSERA_BUS_UNASSIGNED;
    *value = 0;
    for (unsigned i = 0; i < size; i++)
        *value = *value << 8 | b[i];
    return TESSERA_BUS_OK;
}

static int op_bus_write(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t value)
{
    uint8_t b[8];
    for (unsigned i = 0; i < size; i++)
        b[i] = (uint8_t)(value >> (8 * (size - 1 - i)));
    return op_dma_write(self, pa, b, size);
}

static uint64_t op_clock_ns(TesseraInstance *self)
{
    return 0;
}

static TesseraTimer *op_timer_new(TesseraInstance *self, TesseraTimerCb cb, void *opaque)
{
    die("%s: timers are not supported here", dev_of(self)->name);
    return NULL;
}

static void op_timer_mod(TesseraTimer *t, uint64_t deadline_ns)
{
    die("timers are not supported here");
}

static void op_timer_del(TesseraTimer *t)
{
    die("timers are not supported here");
}

static TesseraChardev *op_chardev(TesseraInstance *self, const char *name)
{
    return NULL;
}

static size_t op_chr_write(TesseraChardev *chr, const void *buf, size_t len)
{
    die("chardevs are not supported here");
    return 0;
}

static void op_chr_set_receiver(TesseraChardev *chr, TesseraChrCanRead can_read,
                                TesseraChrRead read, void *opaque)
{
    die("chardevs are not supported here");
}

static int op_provide(TesseraInstance *self, const char *iface, void *ptr)
{
    SbusDev *d = dev_of(self);
    for (unsigned i = 0; i < d->n_provided; i++)
        if (!strcmp(d->provided[i].name, iface))
            return -1;
    if (d->n_provided == MAX_LINES)
        die("%s: too many interfaces", d->name);
    snprintf(d->provided[d->n_provided].name, sizeof(d->provided[0].name), "%s", iface);
    d->provided[d->n_provided].ptr = ptr;
    d->n_provided++;
    return 0;
}

static void *op_link(TesseraInstance *self, const char *prop, const char *iface)
{
    SbusDev *d = dev_of(self);
    const char *target = kv_get(d->links, d->n_links, prop);
    SbusDev *other = target ? dev_find(d->h, target) : NULL;
    if (!other)
        return NULL;
    for (unsigned i = 0; i < other->n_provided; i++)
        if (!strcmp(other->provided[i].name, iface))
            return other->provided[i].ptr;
    return NULL;
}

static void op_request(TesseraInstance *self, TesseraRequest req)
{
}

static const char *op_name(TesseraInstance *self)
{
    return dev_of(self)->name;
}

static const TesseraHostOps sbus_ops = {
    .size = sizeof(TesseraHostOps),
    .log = op_log,
    .prop = op_prop,
    .machine_opt = op_machine_opt,
    .mmio_add = op_mmio_add,
    .irq_out = op_irq_out,
    .irq_set = op_irq_set,
    .irq_in = op_irq_in,
    .dma_read = op_dma_read,
    .dma_write = op_dma_write,
    .mem_ptr = op_mem_ptr,
    .bus_read = op_bus_read,
    .bus_write = op_bus_write,
    .clock_ns = op_clock_ns,
    .timer_new = op_timer_new,
    .timer_mod = op_timer_mod,
    .timer_del = op_timer_del,
    .chardev = op_chardev,
    .chr_write = op_chr_write,
    .chr_set_receiver = op_chr_set_receiver,
    .provide = op_provide,
    .link = op_link,
    .request = op_request,
    .name = op_name,
};

/* ---- machine ---- */

SbusHost *sbus_host_new(size_t ram_size)
{
    SbusHost *h = calloc(1, sizeof(*h));
    if (!h || !(h->ram = calloc(1, ram_size)))
        die("out of memory");
    h->ram_size = ram_size;
    return h;
}

void sbus_host_free(SbusHost *h)
{
    if (!h)
        return;
    for (unsigned i = 0; i < h->n_devs; i++) {
        SbusDev *d = h->devs[i];
        if (d->cls->finalize)
            d->cls->finalize(d->dev);
    }
    for (unsigned i = 0; i < h->n_devs; i++) {
        SbusDev *d = h->devs[i];
        free(d->dev);
        dlclose(d->dl);
        free(d);
    }
    free(h->ram);
    free(h);
}

SbusDev *sbus_add(SbusHost *h, const char *name, const char *so_path)
{
    if (h->n_devs == MAX_DEVS)
        die("too many instances");
    SbusDev *d = calloc(1, sizeof(*d));
    if (!d)
        die("out of memory");
    d->h = h;
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->dl = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    if (!d->dl)
        die("dlopen %s: %s", so_path, dlerror());
    d->desc = dlsym(d->dl, TESSERA_PLUGIN_SYMBOL);
    if (!d->desc || d->desc->kind != TESSERA_PLUGIN_DEVICE || !d->desc->iface)
        die("%s: not a device plugin", so_path);
    d->cls = d->desc->iface;
    d->dev = calloc(1, d->cls->instance_size);
    if (!d->dev)
        die("out of memory");
    d->host.ops = &sbus_ops;
    d->host.self = (TesseraInstance *)d;
    h->devs[h->n_devs++] = d;
    return d;
}

void sbus_set_prop(SbusDev *d, const char *name, const char *value)
{
    kv_set(d->props, &d->n_props, name, value);
}

void sbus_set_link(SbusDev *d, const char *prop, const char *instance)
{
    kv_set(d->links, &d->n_links, prop, instance);
}

void sbus_set_machine_opt(SbusHost *h, const char *name, const char *value)
{
    kv_set(h->opts, &h->n_opts, name, value);
}

void sbus_wire(SbusDev *d, const char *out, SbusDev *to, const char *in, unsigned line)
{
    struct TesseraIrq *irq = op_irq_out(d->host.self, out, 0);
    irq->to = to;
    snprintf(irq->to_input, sizeof(irq->to_input), "%s", in);
    irq->to_line = line;
}

void sbus_start(SbusHost *h)
{
    char err[256] = "";
    for (unsigned i = 0; i < h->n_devs; i++) {
        SbusDev *d = h->devs[i];
        if (d->cls->init(d->dev, &d->host, err, sizeof(err)))
            die("%s: init: %s", d->name, err);
    }
    for (unsigned i = 0; i < h->n_devs; i++) {
        SbusDev *d = h->devs[i];
        if (d->cls->realize && d->cls->realize(d->dev, err, sizeof(err)))
            die("%s: realize: %s", d->name, err);
    }
    sbus_reset(h);
}

void sbus_reset(SbusHost *h)
{
    for (unsigned i = 0; i < h->n_devs; i++)
        h->devs[i]->cls->reset(h->devs[i]->dev);
}

void *sbus_instance(const SbusDev *d)
{
    return d->dev;
}

void *sbus_provided(const SbusDev *d, const char *iface)
{
    for (unsigned i = 0; i < d->n_provided; i++)
        if (!strcmp(d->provided[i].name, iface))
            return d->provided[i].ptr;
    return NULL;
}

static const Region *region_get(const SbusDev *d, const char *name, uint64_t offset,
                                unsigned size)
{
    for (unsigned i = 0; i < d->n_regions; i++) {
        const Region *rg = &d->regions[i];
        if (strcmp(rg->r.name, name))
            continue;
        if (!size || (size & (size - 1)) || !(rg->r.widths & (1u << __builtin_ctz(size))))
            die("%s: region %s refuses %u-byte accesses", d->name, name, size);
        if (offset + size > rg->r.size)
            die("%s: offset 0x%llx outside region %s", d->name, (unsigned long long)offset,
                name);
        return rg;
    }
    die("%s: no region %s", d->name, name);
    return NULL;
}

uint64_t sbus_read(SbusDev *d, const char *region, uint64_t offset, unsigned size)
{
    const Region *rg = region_get(d, region, offset, size);
    return rg->r.read(rg->opaque, offset, size);
}

void sbus_write(SbusDev *d, const char *region, uint64_t offset, uint64_t value, unsigned size)
{
    const Region *rg = region_get(d, region, offset, size);
    if (rg->r.write)
        rg->r.write(rg->opaque, offset, value, size);
}

static const struct TesseraIrq *out_find(const SbusDev *d, const char *out)
{
    for (unsigned i = 0; i < d->n_outs; i++)
        if (!strcmp(d->outs[i].name, out))
            return &d->outs[i];
    return NULL;
}

int sbus_irq_level(const SbusDev *d, const char *out)
{
    const struct TesseraIrq *irq = out_find(d, out);
    return irq ? irq->level : 0;
}

unsigned sbus_irq_raises(const SbusDev *d, const char *out)
{
    const struct TesseraIrq *irq = out_find(d, out);
    return irq ? irq->raises : 0;
}

uint8_t *sbus_ram(SbusHost *h)
{
    return h->ram;
}

void sbus_put32(SbusHost *h, uint64_t pa, uint32_t v)
{
    if (!in_ram(h, pa, 4))
        die("put32 outside RAM");
    for (int i = 0; i < 4; i++)
        h->ram[pa + i] = (uint8_t)(v >> (24 - 8 * i));
}

uint32_t sbus_get32(SbusHost *h, uint64_t pa)
{
    if (!in_ram(h, pa, 4))
        die("get32 outside RAM");
    return (uint32_t)h->ram[pa] << 24 | (uint32_t)h->ram[pa + 1] << 16 |
           (uint32_t)h->ram[pa + 2] << 8 | h->ram[pa + 3];
}

void sbus_put16(SbusHost *h, uint64_t pa, uint16_t v)
{
    if (!in_ram(h, pa, 2))
        die("put16 outside RAM");
    h->ram[pa] = (uint8_t)(v >> 8);
    h->ram[pa + 1] = (uint8_t)v;
}

uint16_t sbus_get16(SbusHost *h, uint64_t pa)
{
    if (!in_ram(h, pa, 2))
        die("get16 outside RAM");
    return (uint16_t)(h->ram[pa] << 8 | h->ram[pa + 1]);
}

unsigned sbus_log_count(const SbusHost *h, TesseraLogLevel level)
{
    return h->logs[level & 3];
}
