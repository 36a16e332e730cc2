/* SPDX-License-Identifier: MIT */
/* The services the core offers to plugin instances (abi/tessera/host.h). */
#include <stdio.h>
#include <string.h>

#include "machine_internal.h"
#include "net.h"

static void host_log(TesseraInstance *self, TesseraLogLevel level, const char *fmt, va_list ap)
{
    static int threshold = -1;
    if (threshold < 0) {
        const char *env = g_getenv("TESSERA_LOG");
        threshold = !env ? TESSERA_LOG_WARNING
                    : !strcmp(env, "debug") ? TESSERA_LOG_DEBUG
                    : !strcmp(env, "info") ? TESSERA_LOG_INFO
                                            : TESSERA_LOG_WARNING;
    }
    if ((int)level > threshold)
        return;
    static const char *const names[] = { "error", "warning", "info", "debug" };
    char *msg = g_strdup_vprintf(fmt, ap);
    fprintf(stderr, "tessera: %s: %s: %s\n", self->name, names[level & 3], msg);
    g_free(msg);
}

static const char *host_prop(TesseraInstance *self, const char *name)
{
    if (!self->spec)
        return NULL;
    if (!strcmp(name, "model") && self == self->machine->cpu)
        return self->machine->spec->cpu_model;
    return g_hash_table_lookup(self->spec->props, name);
}

static const char *host_machine_opt(TesseraInstance *self, const char *name)
{
    return g_hash_table_lookup(self->machine->opts, name);
}

static int host_mmio_add(TesseraInstance *self, const TesseraMmioRegion *r, void *opaque,
                         char *err, size_t errlen)
{
    if (!r) {
        snprintf(err, errlen, "%s: malformed MMIO region", self->name);
        return -1;
    }
    /* size_of first: the other members are only there if it covers them. */
    if (r->size_of < offsetof(TesseraMmioRegion, write) + sizeof(r->write)) {
        snprintf(err, errlen,
                 "%s: MMIO region size_of %u is smaller than the ABI 1.0 TesseraMmioRegion (%zu)",
                 self->name, r->size_of, offsetof(TesseraMmioRegion, write) + sizeof(r->write));
        return -1;
    }
    if (!r->name || !r->read || r->size == 0) {
        snprintf(err, errlen, "%s: malformed MMIO region", self->name);
        return -1;
    }
    const RegSpec *place = NULL;
    for (guint i = 0; self->spec && i < self->spec->regs->len; i++) {
        const RegSpec *rs = &g_array_index(self->spec->regs, RegSpec, i);
        if (!strcmp(rs->name, r->name))
            place = rs;
    }
    if (!place)
        return 0; /* the machine does not place this window */
    char *name = g_strdup_printf("%s.%s", self->name, r->name);
    GError *error = NULL;
    bool ok = bus_add_mmio(self->machine->bus, name, place->base, r->size, r->widths, r->read,
                           r->write, opaque, &error);
    g_free(name);
    if (!ok) {
        snprintf(err, errlen, "%s", error->message);
        g_error_free(error);
        return -1;
    }
    return 0;
}

static TesseraIrq *host_irq_out(TesseraInstance *self, const char *name, unsigned index)
{
    char *key = g_strdup_printf("%s[%u]", name, index);
    TesseraIrq *out = g_hash_table_lookup(self->outputs, key);
    if (!out) {
        out = irq_output_new(self->name, name, index);
        g_hash_table_insert(self->outputs, key, out);
    } else {
        g_free(key);
    }
    return out;
}

static void host_irq_set(TesseraIrq *line, int level)
{
    irq_output_set(line, level);
}

static int host_irq_in(TesseraInstance *self, const char *name, unsigned count,
                       TesseraIrqHandler handler, void *opaque)
{
    if (!name || !count || !handler || g_hash_table_contains(self->inputs, name))
        return -1;
    g_hash_table_insert(self->inputs, g_strdup(name),
                        irq_input_new(self->name, name, count, handler, opaque));
    return 0;
}

static int host_dma_read(TesseraInstance *self, uint64_t pa, void *buf, size_t len)
{
    return bus_copy_from(self->machine->bus, pa, buf, len);
}

static int host_dma_write(TesseraInstance *self, uint64_t pa, const void *buf, size_t len)
{
    return bus_copy_to(self->machine->bus, pa, buf, len);
}

static uint8_t *host_mem_ptr(TesseraInstance *self, uint64_t pa, uint64_t *avail)
{
    return bus_mem_ptr(self->machine->bus, pa, avail);
}

static int host_bus_read(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t *value)
{
    return bus_read(self->machine->bus, pa, size, value);
}

static int host_bus_write(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t value)
{
    return bus_write(self->machine->bus, pa, size, value);
}

static int host_mem_region(TesseraInstance *self, uint64_t pa, TesseraMemRegion *out)
{
    if (out->size_of < sizeof(TesseraMemRegion))
        return -1;
    bus_mem_region(self->machine->bus, pa, out);
    return 0;
}

static int host_dirty_start(TesseraInstance *self)
{
    return bus_dirty_start(self->machine->bus);
}

static void host_dirty_stop(TesseraInstance *self, int client)
{
    bus_dirty_stop(self->machine->bus, client);
}

static int64_t host_dirty_fetch(TesseraInstance *self, int client, uint64_t pa, uint64_t len,
                                uint8_t *bitmap)
{
    return bus_dirty_fetch(self->machine->bus, client, pa, len, bitmap);
}

static uint64_t host_clock_ns(TesseraInstance *self)
{
    return clock_now_ns(self->machine->clock);
}

static TesseraTimer *host_timer_new(TesseraInstance *self, TesseraTimerCb cb, void *opaque)
{
    TesseraTimer *t = clock_timer_new(self->machine->clock, cb, opaque);
    g_ptr_array_add(self->timers, t);
    return t;
}

static void host_timer_mod(TesseraTimer *t, uint64_t deadline_ns)
{
    clock_timer_mod(t, deadline_ns);
}

static void host_timer_del(TesseraTimer *t)
{
    clock_timer_del(t);
}

static TesseraChardev *host_chardev(TesseraInstance *self, const char *name)
{
    const char *backend = self->spec ? g_hash_table_lookup(self->spec->chardevs, name) : NULL;
    if (!backend || !strcmp(backend, "none"))
        return NULL;
    return self->machine->serial[!strcmp(backend, "serial1")];
}

static size_t host_chr_write(TesseraChardev *chr, const void *buf, size_t len)
{
    return chardev_write(chr, buf, len);
}

static void host_chr_set_receiver(TesseraChardev *chr, TesseraChrCanRead can_read,
                                  TesseraChrRead read, void *opaque)
{
    chardev_set_receiver(chr, can_read, read, opaque);
}

static int host_provide(TesseraInstance *self, const char *iface, void *ptr)
{
    if (!iface || g_hash_table_contains(self->provided, iface))
        return -1;
    g_hash_table_insert(self->provided, g_strdup(iface), ptr);
    return 0;
}

static void *host_link(TesseraInstance *self, const char *prop, const char *iface)
{
    const char *target = self->spec ? g_hash_table_lookup(self->spec->links, prop) : NULL;
    TesseraInstance *other = target ? machine_instance_find(self->machine, target) : NULL;
    return other ? g_hash_table_lookup(other->provided, iface) : NULL;
}

static void host_request(TesseraInstance *self, TesseraRequest req)
{
    machine_request(self->machine, req);
}

static const char *host_name(TesseraInstance *self)
{
    return self->name;
}

/* The backend the instance's `netdev` property names, or the next one -nic / -net
 * nic gave. A property naming no backend fails the machine's build (net_hub_check). */
static TesseraNetdev *host_net_attach(TesseraInstance *self, const TesseraNetClient *client)
{
    const char *id = self->spec ? g_hash_table_lookup(self->spec->props, "netdev") : NULL;
    return net_hub_attach(self->machine->net, id, self->name, client);
}

static const TesseraNetOps host_net_ops = {
    .size = sizeof(TesseraNetOps),
    .attach = host_net_attach,
    .send = net_send,
    .link_up = net_link_up,
};

const TesseraHostOps host_ops = {
    .size = sizeof(TesseraHostOps),
    .log = host_log,
    .prop = host_prop,
    .machine_opt = host_machine_opt,
    .mmio_add = host_mmio_add,
    .irq_out = host_irq_out,
    .irq_set = host_irq_set,
    .irq_in = host_irq_in,
    .dma_read = host_dma_read,
    .dma_write = host_dma_write,
    .mem_ptr = host_mem_ptr,
    .bus_read = host_bus_read,
    .bus_write = host_bus_write,
    .clock_ns = host_clock_ns,
    .timer_new = host_timer_new,
    .timer_mod = host_timer_mod,
    .timer_del = host_timer_del,
    .chardev = host_chardev,
    .chr_write = host_chr_write,
    .chr_set_receiver = host_chr_set_receiver,
    .provide = host_provide,
    .link = host_link,
    .request = host_request,
    .name = host_name,
    .mem_region = host_mem_region,
    .dirty_start = host_dirty_start,
    .dirty_stop = host_dirty_stop,
    .dirty_fetch = host_dirty_fetch,
    .net = &host_net_ops,
};
