/* SPDX-License-Identifier: MIT */
/* A fake Tessera core for device-plugin tests: see fake_host.h. */
#include "fake_host.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INSTANCES 8
#define MAX_REGIONS 16
#define MAX_IRQS 64
#define MAX_INPUTS 8
#define MAX_PROVIDED 8
#define MAX_TIMERS 32
#define MAX_CHARDEVS 4
#define MAX_KV 16
#define CHR_BUF 4096
#define NET_SENT 16

struct TesseraIrq {
    char name[32];
    unsigned index;
    int level;
    unsigned raises;
    FakeHost *to; /* wired input, if any */
    char to_input[32];
    unsigned to_line;
};

struct TesseraTimer {
    FakeHost *owner;
    TesseraTimerCb cb;
    void *opaque;
    bool armed;
    uint64_t deadline;
    uint64_t seq; /* arming order: ties fire in the order they were armed */
};

struct TesseraChardev {
    char name[16];
    uint8_t out[CHR_BUF];
    size_t out_len;
    uint8_t in[CHR_BUF];
    size_t in_len;
    TesseraChrCanRead can_read;
    TesseraChrRead read;
    void *opaque;
};

/* The instance's network backend (one per instance). */
struct TesseraNetdev {
    bool enabled, attached, link_up;
    TesseraNetClient client;
    uint8_t sent[NET_SENT][TESSERA_NET_FRAME_MAX];
    size_t sent_len[NET_SENT];
    unsigned n_sent;
};

typedef struct KeyValue {
    char key[32];
    char value[256];
} KeyValue;

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

struct FakeHost {
    TesseraHost host; /* host.self points at the FakeHost */
    FakeMachine *m;
    char name[32];
    void *dl;
    const TesseraPluginDescriptor *desc;
    const TesseraDeviceClass *cls;
    void *dev;

    KeyValue props[MAX_KV], links[MAX_KV];
    unsigned n_props, n_links;
    Region regions[MAX_REGIONS];
    unsigned n_regions;
    struct TesseraIrq irqs[MAX_IRQS];
    unsigned n_irqs;
    Input inputs[MAX_INPUTS];
    unsigned n_inputs;
    Provided provided[MAX_PROVIDED];
    unsigned n_provided;
    struct TesseraChardev chardevs[MAX_CHARDEVS];
    unsigned n_chardevs;
    unsigned requests[8];
    unsigned logs[4];
    struct TesseraNetdev net;
};

struct FakeMachine {
    uint8_t *ram;
    size_t ram_size;
    FakeHost *hosts[MAX_INSTANCES];
    unsigned n_hosts;
    KeyValue opts[MAX_KV];
    unsigned n_opts;
    uint64_t now;
    uint64_t timer_seq;
    struct TesseraTimer timers[MAX_TIMERS];
    unsigned n_timers;
};

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fake_host: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

static FakeHost *fh_of(TesseraInstance *self)
{
    return (FakeHost *)self;
}

static void kv_set(KeyValue *kv, unsigned *n, const char *key, const char *value)
{
    if (*n == MAX_KV)
        die("too many keys (%s)", key);
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

static FakeHost *host_find(const FakeMachine *m, const char *name)
{
    for (unsigned i = 0; i < m->n_hosts; i++)
        if (!strcmp(m->hosts[i]->name, name))
            return m->hosts[i];
    return NULL;
}

/* Guest RAM is big-endian. */
static bool in_ram(const FakeMachine *m, uint64_t pa, size_t len)
{
    return m->ram_size && pa <= m->ram_size && len <= m->ram_size - pa;
}

static uint64_t be_get(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v = v << 8 | p[i];
    return v;
}

static void be_put(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * (size - 1 - i)));
}

/* ---- host services ---- */

static void op_log(TesseraInstance *self, TesseraLogLevel level, const char *fmt, va_list ap)
{
    FakeHost *fh = fh_of(self);
    fh->logs[level & 3]++;
    if (getenv("FAKE_HOST_LOG")) {
        fprintf(stderr, "[%s] ", fh->name);
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
    }
}

static const char *op_prop(TesseraInstance *self, const char *name)
{
    FakeHost *fh = fh_of(self);
    return kv_get(fh->props, fh->n_props, name);
}

static const char *op_machine_opt(TesseraInstance *self, const char *name)
{
    FakeMachine *m = fh_of(self)->m;
    return kv_get(m->opts, m->n_opts, name);
}

static int op_mmio_add(TesseraInstance *self, const TesseraMmioRegion *r, void *opaque,
                       char *err, size_t errlen)
{
    FakeHost *fh = fh_of(self);
    if (!r || !r->name || !r->read || !r->size || r->size_of < sizeof(TesseraMmioRegion)) {
        snprintf(err, errlen, "malformed MMIO region");
        return -1;
    }
    for (unsigned i = 0; i < fh->n_regions; i++)
        if (!strcmp(fh->regions[i].r.name, r->name)) {
            snprintf(err, errlen, "region %s added twice", r->name);
            return -1;
        }
    if (fh->n_regions == MAX_REGIONS)
        die("%s: too many regions", fh->name);
    fh->regions[fh->n_regions].r = *r;
    fh->regions[fh->n_regions].opaque = opaque;
    fh->n_regions++;
    return 0;
}

static struct TesseraIrq *irq_find(const FakeHost *fh, const char *name, unsigned index)
{
    for (unsigned i = 0; i < fh->n_irqs; i++)
        if (!strcmp(fh->irqs[i].name, name) && fh->irqs[i].index == index)
            return (struct TesseraIrq *)&fh->irqs[i];
    return NULL;
}

static TesseraIrq *op_irq_out(TesseraInstance *self, const char *name, unsigned index)
{
    FakeHost *fh = fh_of(self);
    struct TesseraIrq *irq = irq_find(fh, name, index);
    if (irq)
        return irq;
    if (fh->n_irqs == MAX_IRQS)
        die("%s: too many IRQ outputs", fh->name);
    irq = &fh->irqs[fh->n_irqs++];
    snprintf(irq->name, sizeof(irq->name), "%s", name);
    irq->index = index;
    return irq;
}

static void op_irq_set(TesseraIrq *line, int level)
{
    level = !!level;
    if (level == line->level)
        return;
    if (level)
        line->raises++;
    line->level = level;
    if (line->to)
        fake_irq_input(line->to, line->to_input, line->to_line, level);
}

static const Input *input_find(const FakeHost *fh, const char *name)
{
    for (unsigned i = 0; i < fh->n_inputs; i++)
        if (!strcmp(fh->inputs[i].name, name))
            return &fh->inputs[i];
    return NULL;
}

static int op_irq_in(TesseraInstance *self, const char *name, unsigned count,
                     TesseraIrqHandler handler, void *opaque)
{
    FakeHost *fh = fh_of(self);
    if (!name || !count || !handler || fh->n_inputs == MAX_INPUTS || input_find(fh, name))
        return -1;
    Input *in = &fh->inputs[fh->n_inputs++];
    snprintf(in->name, sizeof(in->name), "%s", name);
    in->count = count;
    in->handler = handler;
    in->opaque = opaque;
    return 0;
}

static int op_dma_read(TesseraInstance *self, uint64_t pa, void *buf, size_t len)
{
    FakeMachine *m = fh_of(self)->m;
    if (!in_ram(m, pa, len))
        return TESSERA_BUS_UNASSIGNED;
    memcpy(buf, m->ram + pa, len);
    return TESSERA_BUS_OK;
}

static int op_dma_write(TesseraInstance *self, uint64_t pa, const void *buf, size_t len)
{
    FakeMachine *m = fh_of(self)->m;
    if (!in_ram(m, pa, len))
        return TESSERA_BUS_UNASSIGNED;
    memcpy(m->ram + pa, buf, len);
    return TESSERA_BUS_OK;
}

static uint8_t *op_mem_ptr(TesseraInstance *self, uint64_t pa, uint64_t *avail)
{
    FakeMachine *m = fh_of(self)->m;
    if (!in_ram(m, pa, 1)) {
        *avail = 0;
        return NULL;
    }
    *avail = m->ram_size - pa;
    return m->ram + pa;
}

static int op_bus_read(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t *value)
{
    FakeMachine *m = fh_of(self)->m;
    if (!in_ram(m, pa, size))
        return TESSERA_BUS_UNASSIGNED;
    *value = be_get(m->ram + pa, size);
    return TESSERA_BUS_OK;
}

static int op_bus_write(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t value)
{
    FakeMachine *m = fh_of(self)->m;
    if (!in_ram(m, pa, size))
        return TESSERA_BUS_UNASSIGNED;
    be_put(m->ram + pa, value, size);
    return TESSERA_BUS_OK;
}

static uint64_t op_clock_ns(TesseraInstance *self)
{
    return fh_of(self)->m->now;
}

static TesseraTimer *op_timer_new(TesseraInstance *self, TesseraTimerCb cb, void *opaque)
{
    FakeHost *fh = fh_of(self);
    FakeMachine *m = fh->m;
    if (m->n_timers == MAX_TIMERS)
        return NULL;
    struct TesseraTimer *t = &m->timers[m->n_timers++];
    t->owner = fh;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

static void op_timer_mod(TesseraTimer *t, uint64_t deadline_ns)
{
    t->armed = true;
    t->deadline = deadline_ns;
    t->seq = t->owner->m->timer_seq++;
}

static void op_timer_del(TesseraTimer *t)
{
    t->armed = false;
}

static struct TesseraChardev *chr_find(const FakeHost *fh, const char *name)
{
    for (unsigned i = 0; i < fh->n_chardevs; i++)
        if (!strcmp(fh->chardevs[i].name, name))
            return (struct TesseraChardev *)&fh->chardevs[i];
    return NULL;
}

static TesseraChardev *op_chardev(TesseraInstance *self, const char *name)
{
    return chr_find(fh_of(self), name);
}

static size_t op_chr_write(TesseraChardev *chr, const void *buf, size_t len)
{
    if (chr->out_len + len > CHR_BUF)
        die("chardev %s: output buffer full", chr->name);
    memcpy(chr->out + chr->out_len, buf, len);
    chr->out_len += len;
    return len;
}

static void op_chr_set_receiver(TesseraChardev *chr, TesseraChrCanRead can_read,
                                TesseraChrRead read, void *opaque)
{
    chr->can_read = can_read;
    chr->read = read;
    chr->opaque = opaque;
}

static int op_provide(TesseraInstance *self, const char *iface, void *ptr)
{
    FakeHost *fh = fh_of(self);
    if (fake_provided(fh, iface))
        return -1;
    if (fh->n_provided == MAX_PROVIDED)
        die("%s: too many interfaces", fh->name);
    Provided *p = &fh->provided[fh->n_provided++];
    snprintf(p->name, sizeof(p->name), "%s", iface);
    p->ptr = ptr;
    return 0;
}

static void *op_link(TesseraInstance *self, const char *prop, const char *iface)
{
    FakeHost *fh = fh_of(self);
    const char *target = kv_get(fh->links, fh->n_links, prop);
    FakeHost *other = target ? host_find(fh->m, target) : NULL;
    return other ? fake_provided(other, iface) : NULL;
}

static void op_request(TesseraInstance *self, TesseraRequest req)
{
    fh_of(self)->requests[req & 7]++;
}

static const char *op_name(TesseraInstance *self)
{
    return fh_of(self)->name;
}

static TesseraNetdev *op_net_attach(TesseraInstance *self, const TesseraNetClient *client)
{
    FakeHost *fh = fh_of(self);
    if (!fh->net.enabled || fh->net.attached)
        return NULL;
    if (client->size_of < sizeof(*client) || !client->can_receive || !client->receive)
        die("%s: malformed TesseraNetClient", fh->name);
    fh->net.attached = true;
    fh->net.client = *client;
    return &fh->net;
}

static int op_net_send(TesseraNetdev *nd, const void *frame, size_t len)
{
    if (!nd->link_up || len < TESSERA_NET_FRAME_MIN || len > TESSERA_NET_FRAME_MAX ||
        nd->n_sent == NET_SENT)
        return -1;
    memcpy(nd->sent[nd->n_sent], frame, len);
    nd->sent_len[nd->n_sent++] = len;
    return 0;
}

static bool op_net_link_up(TesseraNetdev *nd)
{
    return nd->link_up;
}

static const TesseraNetOps fake_net_ops = {
    .size = sizeof(TesseraNetOps),
    .attach = op_net_attach,
    .send = op_net_send,
    .link_up = op_net_link_up,
};

static const TesseraHostOps fake_ops = {
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
    .net = &fake_net_ops,
};

/* ---- the machine ---- */

FakeMachine *fake_machine_new(size_t ram_size)
{
    FakeMachine *m = calloc(1, sizeof(*m));
    if (!m || (ram_size && !(m->ram = calloc(1, ram_size))))
        die("out of memory");
    m->ram_size = ram_size;
    return m;
}

FakeHost *fake_machine_add(FakeMachine *m, const char *name, const char *so_path)
{
    if (m->n_hosts == MAX_INSTANCES)
        die("too many instances");
    FakeHost *fh = calloc(1, sizeof(*fh));
    if (!fh)
        die("out of memory");
    fh->m = m;
    fh->dl = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    if (!fh->dl)
        die("dlopen %s: %s", so_path, dlerror());
    fh->desc = dlsym(fh->dl, TESSERA_PLUGIN_SYMBOL);
    if (!fh->desc)
        die("%s: no %s symbol", so_path, TESSERA_PLUGIN_SYMBOL);
    if (fh->desc->abi_major != TESSERA_ABI_MAJOR || fh->desc->abi_minor > TESSERA_ABI_MINOR)
        die("%s: built for ABI %u.%u", so_path, fh->desc->abi_major, fh->desc->abi_minor);
    if (fh->desc->kind != TESSERA_PLUGIN_DEVICE || !fh->desc->iface)
        die("%s: not a device plugin", so_path);
    fh->cls = fh->desc->iface;
    if (fh->cls->size < sizeof(TesseraDeviceClass) || !fh->cls->init || !fh->cls->reset ||
        !fh->cls->instance_size)
        die("%s: incomplete device class", so_path);
    fh->dev = calloc(1, fh->cls->instance_size);
    if (!fh->dev)
        die("out of memory");
    snprintf(fh->name, sizeof(fh->name), "%s", name ? name : fh->desc->name);
    if (host_find(m, fh->name))
        die("two instances named %s", fh->name);
    fh->host.ops = &fake_ops;
    fh->host.self = (TesseraInstance *)fh;
    m->hosts[m->n_hosts++] = fh;
    return fh;
}

int fake_machine_try_start(FakeMachine *m, char *err, size_t errlen)
{
    char msg[256] = "";
    for (unsigned i = 0; i < m->n_hosts; i++) {
        FakeHost *fh = m->hosts[i];
        if (fake_host_try_init(fh, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s: init: %s", fh->name, msg);
            return -1;
        }
    }
    for (unsigned i = 0; i < m->n_hosts; i++) {
        FakeHost *fh = m->hosts[i];
        if (fh->cls->realize && fh->cls->realize(fh->dev, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s: realize: %s", fh->name, msg);
            return -1;
        }
    }
    for (unsigned i = 0; i < m->n_hosts; i++)
        fake_host_reset(m->hosts[i]);
    return 0;
}

void fake_machine_start(FakeMachine *m)
{
    char err[512] = "";
    if (fake_machine_try_start(m, err, sizeof(err)))
        die("%s", err);
}

void fake_machine_free(FakeMachine *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->n_hosts; i++) {
        FakeHost *fh = m->hosts[i];
        if (fh->cls->finalize)
            fh->cls->finalize(fh->dev);
    }
    for (unsigned i = 0; i < m->n_hosts; i++) {
        FakeHost *fh = m->hosts[i];
        free(fh->dev);
        dlclose(fh->dl);
        free(fh);
    }
    free(m->ram);
    free(m);
}

uint8_t *fake_ram(FakeMachine *m)
{
    return m->ram;
}

uint64_t fake_ram_read(FakeMachine *m, uint64_t pa, unsigned size)
{
    if (!in_ram(m, pa, size) || size > 8)
        die("%u-byte RAM read at 0x%llx: outside RAM", size, (unsigned long long)pa);
    return be_get(m->ram + pa, size);
}

void fake_ram_write(FakeMachine *m, uint64_t pa, uint64_t value, unsigned size)
{
    if (!in_ram(m, pa, size) || size > 8)
        die("%u-byte RAM write at 0x%llx: outside RAM", size, (unsigned long long)pa);
    be_put(m->ram + pa, value, size);
}

/* ---- one instance ---- */

FakeHost *fake_host_new(const char *so_path)
{
    return fake_machine_add(fake_machine_new(0), NULL, so_path);
}

void fake_host_set_prop(FakeHost *fh, const char *name, const char *value)
{
    kv_set(fh->props, &fh->n_props, name, value);
}

void fake_host_set_link(FakeHost *fh, const char *prop, const char *instance)
{
    kv_set(fh->links, &fh->n_links, prop, instance);
}

void fake_host_set_machine_opt(FakeHost *fh, const char *name, const char *value)
{
    kv_set(fh->m->opts, &fh->m->n_opts, name, value);
}

void fake_host_add_chardev(FakeHost *fh, const char *name)
{
    if (fh->n_chardevs == MAX_CHARDEVS)
        die("too many chardevs");
    snprintf(fh->chardevs[fh->n_chardevs].name, sizeof(fh->chardevs[0].name), "%s", name);
    fh->n_chardevs++;
}

int fake_host_try_init(FakeHost *fh, char *err, size_t errlen)
{
    return fh->cls->init(fh->dev, &fh->host, err, errlen);
}

void fake_host_start(FakeHost *fh)
{
    fake_machine_start(fh->m);
}

void fake_host_free(FakeHost *fh)
{
    if (fh)
        fake_machine_free(fh->m);
}

const TesseraPluginDescriptor *fake_host_descriptor(const FakeHost *fh)
{
    return fh->desc;
}

void *fake_host_instance(const FakeHost *fh)
{
    return fh->dev;
}

void fake_host_reset(FakeHost *fh)
{
    fh->cls->reset(fh->dev);
}

/* ---- bus ---- */

static const Region *region_find(const FakeHost *fh, const char *name)
{
    for (unsigned i = 0; i < fh->n_regions; i++)
        if (!strcmp(fh->regions[i].r.name, name))
            return &fh->regions[i];
    return NULL;
}

static const Region *region_check(const FakeHost *fh, const char *name, uint64_t offset,
                                  unsigned size)
{
    const Region *rg = region_find(fh, name);
    if (!rg)
        die("%s: no region %s", fh->name, name);
    unsigned w = size == 1 ? TESSERA_WIDTH_1 : size == 2 ? TESSERA_WIDTH_2
                 : size == 4 ? TESSERA_WIDTH_4 : size == 8 ? TESSERA_WIDTH_8 : 0;
    if (!(rg->r.widths & w))
        die("%s: region %s refuses %u-byte accesses", fh->name, name, size);
    if (offset + size > rg->r.size)
        die("%s: offset 0x%llx outside region %s", fh->name, (unsigned long long)offset, name);
    return rg;
}

uint64_t fake_read(FakeHost *fh, const char *region, uint64_t offset, unsigned size)
{
    const Region *rg = region_check(fh, region, offset, size);
    return rg->r.read(rg->opaque, offset, size);
}

void fake_write(FakeHost *fh, const char *region, uint64_t offset, uint64_t value, unsigned size)
{
    const Region *rg = region_check(fh, region, offset, size);
    if (rg->r.write)
        rg->r.write(rg->opaque, offset, value, size);
}

uint64_t fake_region_size(const FakeHost *fh, const char *region)
{
    const Region *rg = region_find(fh, region);
    return rg ? rg->r.size : 0;
}

void *fake_provided(const FakeHost *fh, const char *iface)
{
    for (unsigned i = 0; i < fh->n_provided; i++)
        if (!strcmp(fh->provided[i].name, iface))
            return fh->provided[i].ptr;
    return NULL;
}

/* ---- IRQs ---- */

int fake_irq_level(const FakeHost *fh, const char *name, unsigned index)
{
    const struct TesseraIrq *irq = irq_find(fh, name, index);
    return irq ? irq->level : 0;
}

unsigned fake_irq_raises(const FakeHost *fh, const char *name, unsigned index)
{
    const struct TesseraIrq *irq = irq_find(fh, name, index);
    return irq ? irq->raises : 0;
}

void fake_irq_input(FakeHost *fh, const char *name, unsigned line, int level)
{
    const Input *in = input_find(fh, name);
    if (!in)
        die("%s: no IRQ input %s", fh->name, name);
    if (line >= in->count)
        die("%s: input %s has %u lines, not %u", fh->name, name, in->count, line);
    in->handler(in->opaque, line, !!level);
}

void fake_irq_wire(FakeHost *fh, const char *out, unsigned index, FakeHost *to,
                   const char *in, unsigned line)
{
    struct TesseraIrq *irq = op_irq_out(fh->host.self, out, index);
    irq->to = to;
    snprintf(irq->to_input, sizeof(irq->to_input), "%s", in);
    irq->to_line = line;
}

/* ---- clock ---- */

uint64_t fake_clock_ns(const FakeHost *fh)
{
    return fh->m->now;
}

static struct TesseraTimer *next_due(FakeMachine *m, uint64_t until)
{
    struct TesseraTimer *best = NULL;
    for (unsigned i = 0; i < m->n_timers; i++) {
        struct TesseraTimer *t = &m->timers[i];
        if (!t->armed || t->deadline > until)
            continue;
        if (!best || t->deadline < best->deadline ||
            (t->deadline == best->deadline && t->seq < best->seq))
            best = t;
    }
    return best;
}

void fake_clock_set(FakeHost *fh, uint64_t ns)
{
    FakeMachine *m = fh->m;
    if (ns < m->now)
        die("the virtual clock does not go back (%llu < %llu)", (unsigned long long)ns,
            (unsigned long long)m->now);
    struct TesseraTimer *t;
    unsigned guard = 0;
    while ((t = next_due(m, ns))) {
        if (++guard > 1000000)
            die("timer storm before %llu ns", (unsigned long long)ns);
        if (t->deadline > m->now)
            m->now = t->deadline;
        t->armed = false;
        t->cb(t->opaque, m->now);
    }
    m->now = ns;
}

void fake_clock_advance(FakeHost *fh, uint64_t ns)
{
    fake_clock_set(fh, fh->m->now + ns);
}

unsigned fake_timers_armed(const FakeHost *fh)
{
    unsigned n = 0;
    for (unsigned i = 0; i < fh->m->n_timers; i++) {
        const struct TesseraTimer *t = &fh->m->timers[i];
        n += t->owner == fh && t->armed;
    }
    return n;
}

uint64_t fake_next_deadline(const FakeHost *fh)
{
    uint64_t best = UINT64_MAX;
    for (unsigned i = 0; i < fh->m->n_timers; i++) {
        const struct TesseraTimer *t = &fh->m->timers[i];
        if (t->owner == fh && t->armed && t->deadline < best)
            best = t->deadline;
    }
    return best;
}

/* ---- chardevs ---- */

static struct TesseraChardev *chr_get(const FakeHost *fh, const char *name)
{
    struct TesseraChardev *chr = chr_find(fh, name);
    if (!chr)
        die("no chardev %s (fake_host_add_chardev it first)", name);
    return chr;
}

size_t fake_chr_output(const FakeHost *fh, const char *name, uint8_t *buf, size_t len)
{
    const struct TesseraChardev *chr = chr_get(fh, name);
    size_t n = chr->out_len < len ? chr->out_len : len;
    memcpy(buf, chr->out, n);
    return chr->out_len;
}

static void chr_deliver(struct TesseraChardev *chr)
{
    if (!chr->read || !chr->in_len)
        return;
    size_t n = chr->can_read ? chr->can_read(chr->opaque) : chr->in_len;
    if (n > chr->in_len)
        n = chr->in_len;
    if (!n)
        return;
    chr->read(chr->opaque, chr->in, n);
    memmove(chr->in, chr->in + n, chr->in_len - n);
    chr->in_len -= n;
}

void fake_chr_input(FakeHost *fh, const char *name, const void *buf, size_t len)
{
    struct TesseraChardev *chr = chr_get(fh, name);
    if (chr->in_len + len > CHR_BUF)
        die("chardev %s: input buffer full", name);
    memcpy(chr->in + chr->in_len, buf, len);
    chr->in_len += len;
    chr_deliver(chr);
}

void fake_chr_poll(FakeHost *fh)
{
    for (unsigned i = 0; i < fh->n_chardevs; i++)
        chr_deliver(&fh->chardevs[i]);
}

size_t fake_chr_queued(const FakeHost *fh, const char *name)
{
    return chr_get(fh, name)->in_len;
}

/* ---- requests, log ---- */

unsigned fake_requests(const FakeHost *fh, TesseraRequest req)
{
    return fh->requests[req & 7];
}

unsigned fake_log_count(const FakeHost *fh, TesseraLogLevel level)
{
    return fh->logs[level & 3];
}

/* ---- state ---- */

static size_t field_bytes(const TesseraField *f)
{
    switch (f->type) {
    case TESSERA_FIELD_U8:
    case TESSERA_FIELD_I8:
    case TESSERA_FIELD_BOOL:
        return f->count;
    case TESSERA_FIELD_U16:
    case TESSERA_FIELD_I16:
        return 2u * f->count;
    case TESSERA_FIELD_U32:
    case TESSERA_FIELD_I32:
        return 4u * f->count;
    case TESSERA_FIELD_U64:
    case TESSERA_FIELD_I64:
        return 8u * f->count;
    case TESSERA_FIELD_BYTES:
        return f->count;
    case TESSERA_FIELD_STRUCT:
        return f->layout ? (size_t)f->layout->size * f->count : 0;
    case TESSERA_FIELD_BLOB:
        return sizeof(TesseraBlob);
    default:
        return 0;
    }
}

/* Walk every scalar/bytes field (structs element by element); `copy` moves bytes
 * between the instance and the flat buffer in one direction. */
static size_t walk(const TesseraStateLayout *l, uint8_t *base, uint8_t *buf, size_t pos,
                   size_t len, bool save)
{
    for (uint32_t i = 0; i < l->n_fields; i++) {
        const TesseraField *f = &l->fields[i];
        if (f->type == TESSERA_FIELD_STRUCT) {
            for (uint32_t e = 0; e < f->count; e++)
                pos = walk(f->layout, base + f->offset + (size_t)e * f->layout->size, buf, pos,
                           len, save);
            continue;
        }
        size_t n = field_bytes(f);
        if (f->type == TESSERA_FIELD_BLOB) {
            /* A view, not state: the flat buffer carries none (the snapshot library's
             * save and load of blobs are tested with it, test_esp.c). */
            if (buf && pos + n <= len)
                memset(save ? buf + pos : base + f->offset, 0, n);
            pos += n;
            continue;
        }
        if (buf && pos + n <= len) {
            if (save)
                memcpy(buf + pos, base + f->offset, n);
            else
                memcpy(base + f->offset, buf + pos, n);
        }
        pos += n;
    }
    return pos;
}

size_t fake_state_save(FakeHost *fh, void *buf, size_t len)
{
    const TesseraStateSchema *sc = fh->cls->state;
    if (!sc)
        die("%s has no state schema", fh->desc->name);
    if (sc->pre_save && sc->pre_save(fh->dev))
        die("%s: pre_save failed", fh->desc->name);
    return walk(sc->layout, fh->dev, buf, 0, len, true);
}

int fake_state_load(FakeHost *fh, const void *buf, size_t len)
{
    const TesseraStateSchema *sc = fh->cls->state;
    if (!sc)
        die("%s has no state schema", fh->desc->name);
    size_t need = walk(sc->layout, fh->dev, NULL, 0, 0, false);
    if (need != len)
        die("%s: state is %zu bytes, not %zu", fh->desc->name, need, len);
    walk(sc->layout, fh->dev, (uint8_t *)buf, 0, len, false);
    char err[256] = "";
    if (sc->post_load && sc->post_load(fh->dev, err, sizeof(err))) {
        fprintf(stderr, "fake_host: %s: post_load: %s\n", fh->desc->name, err);
        return -1;
    }
    return 0;
}

static int layout_check(const TesseraStateLayout *l, char *err, size_t errlen)
{
    if (!l || !l->struct_name || !l->fields || !l->n_fields || !l->size) {
        snprintf(err, errlen, "incomplete layout %s", l && l->struct_name ? l->struct_name : "?");
        return -1;
    }
    for (uint32_t i = 0; i < l->n_fields; i++) {
        const TesseraField *f = &l->fields[i];
        size_t n = field_bytes(f);
        if (!f->name || !f->member || !n || f->since < 1) {
            snprintf(err, errlen, "%s: malformed field #%u", l->struct_name, i);
            return -1;
        }
        if (f->offset + n > l->size) {
            snprintf(err, errlen, "%s.%s: outside the struct", l->struct_name, f->name);
            return -1;
        }
        for (uint32_t j = 0; j < i; j++) {
            const TesseraField *g = &l->fields[j];
            if (f->offset < g->offset + field_bytes(g) && g->offset < f->offset + n) {
                snprintf(err, errlen, "%s: %s overlaps %s", l->struct_name, f->name, g->name);
                return -1;
            }
        }
        if (f->type == TESSERA_FIELD_STRUCT && layout_check(f->layout, err, errlen))
            return -1;
    }
    return 0;
}

int fake_schema_check(const FakeHost *fh, char *err, size_t errlen)
{
    const TesseraStateSchema *sc = fh->cls->state;
    if (!sc) {
        snprintf(err, errlen, "no schema (blocker: %s)",
                 fh->cls->migration_blocker ? fh->cls->migration_blocker : "none");
        return -1;
    }
    if (sc->size < sizeof(TesseraStateSchema) || !sc->name || strcmp(sc->name, fh->desc->name)) {
        snprintf(err, errlen, "schema name %s is not the plugin name %s",
                 sc->name ? sc->name : "(null)", fh->desc->name);
        return -1;
    }
    if (sc->version < 1 || sc->load_min < 1 || sc->load_min > sc->version ||
        sc->save_min < 1 || sc->save_min > sc->version) {
        snprintf(err, errlen, "versions %u/%u/%u (version/load_min/save_min) out of order",
                 sc->version, sc->load_min, sc->save_min);
        return -1;
    }
    for (uint32_t i = 0; i < sc->n_converters; i++) {
        const TesseraConverter *c = &sc->converters[i];
        if (!c->convert || c->from < 1 || c->to < 1 || c->from > sc->version ||
            c->to > sc->version || (c->from != c->to + 1 && c->to != c->from + 1)) {
            snprintf(err, errlen, "converter %u: v%u -> v%u is not between adjacent versions",
                     i, c->from, c->to);
            return -1;
        }
    }
    if (!sc->layout || sc->layout->size != fh->cls->instance_size) {
        snprintf(err, errlen, "layout size %u is not the instance size %u",
                 sc->layout ? sc->layout->size : 0, fh->cls->instance_size);
        return -1;
    }
    if (!sc->layout->unmigrated) {
        snprintf(err, errlen, "no unmigrated list (the host pointer must be in it)");
        return -1;
    }
    return layout_check(sc->layout, err, errlen);
}

/* ---- network ---- */

void fake_net_enable(FakeHost *fh)
{
    fh->net.enabled = true;
    fh->net.link_up = true;
}

bool fake_net_offer(FakeHost *fh, const void *frame, size_t len)
{
    TesseraNetClient *c = &fh->net.client;
    if (!fh->net.attached || !c->can_receive(c->opaque))
        return false;
    c->receive(c->opaque, frame, len);
    return true;
}

unsigned fake_net_sent_count(const FakeHost *fh)
{
    return fh->net.n_sent;
}

size_t fake_net_sent(const FakeHost *fh, unsigned i, uint8_t *buf, size_t len)
{
    if (i >= fh->net.n_sent)
        return 0;
    size_t n = fh->net.sent_len[i] < len ? fh->net.sent_len[i] : len;
    memcpy(buf, fh->net.sent[i], n);
    return fh->net.sent_len[i];
}

void fake_net_set_link(FakeHost *fh, bool up)
{
    fh->net.link_up = up;
}
