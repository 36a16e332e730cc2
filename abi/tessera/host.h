/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI: the services the core offers to every CPU and device instance.
 *
 * Each instance receives a `const TesseraHost *` valid for its lifetime. Call the
 * services through the inline helpers at the end of this file: they check that the
 * host is new enough to have the service and fail cleanly when it is not.
 */
#ifndef TESSERA_HOST_H
#define TESSERA_HOST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "plugin.h"

typedef struct TesseraInstance TesseraInstance; /* the core's handle for one instance */
typedef struct TesseraIrq TesseraIrq;           /* one output line */
typedef struct TesseraTimer TesseraTimer;       /* a virtual-clock timer */
typedef struct TesseraChardev TesseraChardev;   /* a character backend */
struct TesseraNetOps;                           /* network backends (net.h) */

typedef enum TesseraLogLevel {
    TESSERA_LOG_ERROR = 0,
    TESSERA_LOG_WARNING = 1,
    TESSERA_LOG_INFO = 2,
    TESSERA_LOG_DEBUG = 3, /* guest-triggered oddities: unimplemented registers etc. */
} TesseraLogLevel;

/* Machine-level requests a device can make. */
typedef enum TesseraRequest {
    TESSERA_REQUEST_POWEROFF = 1, /* the process ends with status 0 */
    TESSERA_REQUEST_RESET = 2,    /* every instance is reset, the CPU restarts */
    TESSERA_REQUEST_HALT = 3,     /* the CPU sleeps until an interrupt level > 0 arrives */
} TesseraRequest;

/* An input line changed: `line` is the index within the input array. */
typedef void (*TesseraIrqHandler)(void *opaque, unsigned line, int level);
/* A timer's deadline passed; `now_ns` is the virtual time of firing. */
typedef void (*TesseraTimerCb)(void *opaque, uint64_t now_ns);
/* Character input: how many bytes the device takes now, and the delivery. */
typedef size_t (*TesseraChrCanRead)(void *opaque);
typedef void (*TesseraChrRead)(void *opaque, const uint8_t *buf, size_t len);

/*
 * The virtual clock advances with the number of guest instructions executed:
 * one instruction is TESSERA_NS_PER_INSN nanoseconds of virtual time (100 per µs).
 */
#define TESSERA_NS_PER_INSN 10

typedef struct TesseraHostOps {
    uint32_t size;

    /* Logging, prefixed with the instance name. */
    void (*log)(TesseraInstance *self, TesseraLogLevel level, const char *fmt, va_list ap);

    /* Properties from the machine file (`prop.NAME = value`) and the command line.
     * Returns NULL when unset. The string lives as long as the instance. */
    const char *(*prop)(TesseraInstance *self, const char *name);

    /* Machine options: "ram-size" (bytes, decimal), "kernel", "initrd", "append",
     * "nographic" ("1"/"0"), "nvram", "rtc-base", "machine" ... NULL when unset. */
    const char *(*machine_opt)(TesseraInstance *self, const char *name);

    /* Map a register window; its address comes from the machine file. Regions the
     * machine file does not place are not mapped (and that is not an error). */
    int (*mmio_add)(TesseraInstance *self, const TesseraMmioRegion *region, void *opaque,
                    char *err, size_t errlen);

    /* IRQ outputs (`irq.NAME = target.INPUT[index]` in the machine file) and
     * inputs. Level-triggered: an input is high while any wired output is high. */
    TesseraIrq *(*irq_out)(TesseraInstance *self, const char *name, unsigned index);
    void (*irq_set)(TesseraIrq *line, int level);
    int (*irq_in)(TesseraInstance *self, const char *name, unsigned count,
                  TesseraIrqHandler handler, void *opaque);

    /* Physical bus access for DMA (big-endian guest memory, byte-wise copy). */
    int (*dma_read)(TesseraInstance *self, uint64_t pa, void *buf, size_t len);
    int (*dma_write)(TesseraInstance *self, uint64_t pa, const void *buf, size_t len);
    /* Direct pointer to RAM/ROM backing `pa`, with the bytes available from there
     * in *avail; NULL for MMIO or unassigned addresses. */
    uint8_t *(*mem_ptr)(TesseraInstance *self, uint64_t pa, uint64_t *avail);
    /* One bus access of 1, 2, 4 or 8 bytes; returns a TesseraBusResult. */
    int (*bus_read)(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t *value);
    int (*bus_write)(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t value);

    /* Virtual clock. */
    uint64_t (*clock_ns)(TesseraInstance *self);
    TesseraTimer *(*timer_new)(TesseraInstance *self, TesseraTimerCb cb, void *opaque);
    void (*timer_mod)(TesseraTimer *timer, uint64_t deadline_ns);
    void (*timer_del)(TesseraTimer *timer);

    /* Character backend named by the instance's `chardev` property (or `name`);
     * NULL when the machine gives the device none. */
    TesseraChardev *(*chardev)(TesseraInstance *self, const char *name);
    size_t (*chr_write)(TesseraChardev *chr, const void *buf, size_t len);
    void (*chr_set_receiver)(TesseraChardev *chr, TesseraChrCanRead can_read,
                             TesseraChrRead read, void *opaque);

    /* Links between devices: an instance publishes an interface pointer under a
     * name; another finds it through its property `prop` naming the instance.
     * Call link() from realize(), after every instance has run init(). */
    int (*provide)(TesseraInstance *self, const char *iface, void *ptr);
    void *(*link)(TesseraInstance *self, const char *prop, const char *iface);

    /* Machine control (power off, reset, halt-until-interrupt). */
    void (*request)(TesseraInstance *self, TesseraRequest req);

    /* Instance name, as in the machine file. */
    const char *(*name)(TesseraInstance *self);

    /* ---- ABI 1.1: the memory contract (docs/memory.md) ---- */

    /* What decodes pa (kind, bounds, host pointer, dirty log); out->size_of must
     * be set. Returns 0, or -1 when out->size_of is too small. */
    int (*mem_region)(TesseraInstance *self, uint64_t pa, TesseraMemRegion *out);
    /* Dirty-log clients (migration, display, ...): start returns a client number
     * or -1; fetch reports, as a bitmap (bit i = the i-th page from pa's page),
     * the RAM pages of [pa, pa + len) written since the client's last fetch and
     * clears them; it returns their count, or -1 for a client not logging. */
    int (*dirty_start)(TesseraInstance *self);
    void (*dirty_stop)(TesseraInstance *self, int client);
    int64_t (*dirty_fetch)(TesseraInstance *self, int client, uint64_t pa, uint64_t len,
                           uint8_t *bitmap);

    /* ---- ABI 1.3: network backends (net.h, docs/networking.md) ---- */
    const struct TesseraNetOps *net;
} TesseraHostOps;

typedef struct TesseraHost {
    const TesseraHostOps *ops;
    TesseraInstance *self;
} TesseraHost;

#define TESSERA_HOST_HAS(h, member) TESSERA_HAS_MEMBER((h)->ops, TesseraHostOps, member)

__attribute__((format(printf, 3, 4))) static inline void
tessera_log(const TesseraHost *h, TesseraLogLevel level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    h->ops->log(h->self, level, fmt, ap);
    va_end(ap);
}

static inline const char *tessera_prop(const TesseraHost *h, const char *name)
{
    return h->ops->prop(h->self, name);
}

static inline const char *tessera_machine_opt(const TesseraHost *h, const char *name)
{
    return h->ops->machine_opt(h->self, name);
}

static inline int tessera_mmio_add(const TesseraHost *h, const TesseraMmioRegion *r, void *opaque,
                                   char *err, size_t errlen)
{
    return h->ops->mmio_add(h->self, r, opaque, err, errlen);
}

static inline TesseraIrq *tessera_irq_out(const TesseraHost *h, const char *name, unsigned index)
{
    return h->ops->irq_out(h->self, name, index);
}

static inline void tessera_irq_set(const TesseraHost *h, TesseraIrq *line, int level)
{
    if (line)
        h->ops->irq_set(line, level);
}

static inline int tessera_irq_in(const TesseraHost *h, const char *name, unsigned count,
                                 TesseraIrqHandler handler, void *opaque)
{
    return h->ops->irq_in(h->self, name, count, handler, opaque);
}

static inline int tessera_dma_read(const TesseraHost *h, uint64_t pa, void *buf, size_t len)
{
    return h->ops->dma_read(h->self, pa, buf, len);
}

static inline int tessera_dma_write(const TesseraHost *h, uint64_t pa, const void *buf, size_t len)
{
    return h->ops->dma_write(h->self, pa, buf, len);
}

static inline uint64_t tessera_clock_ns(const TesseraHost *h)
{
    return h->ops->clock_ns(h->self);
}

static inline TesseraTimer *tessera_timer_new(const TesseraHost *h, TesseraTimerCb cb, void *opaque)
{
    return h->ops->timer_new(h->self, cb, opaque);
}

static inline void tessera_timer_mod(const TesseraHost *h, TesseraTimer *t, uint64_t deadline_ns)
{
    h->ops->timer_mod(t, deadline_ns);
}

static inline void tessera_timer_del(const TesseraHost *h, TesseraTimer *t)
{
    h->ops->timer_del(t);
}

static inline TesseraChardev *tessera_chardev(const TesseraHost *h, const char *name)
{
    return h->ops->chardev(h->self, name);
}

static inline size_t tessera_chr_write(const TesseraHost *h, TesseraChardev *c, const void *buf,
                                       size_t len)
{
    return c ? h->ops->chr_write(c, buf, len) : len;
}

static inline void tessera_request(const TesseraHost *h, TesseraRequest req)
{
    h->ops->request(h->self, req);
}

static inline uint8_t *tessera_mem_ptr(const TesseraHost *h, uint64_t pa, uint64_t *avail)
{
    return h->ops->mem_ptr(h->self, pa, avail);
}

static inline int tessera_bus_read(const TesseraHost *h, uint64_t pa, unsigned size,
                                   uint64_t *value)
{
    return h->ops->bus_read(h->self, pa, size, value);
}

static inline int tessera_bus_write(const TesseraHost *h, uint64_t pa, unsigned size,
                                    uint64_t value)
{
    return h->ops->bus_write(h->self, pa, size, value);
}

static inline int tessera_provide(const TesseraHost *h, const char *iface, void *ptr)
{
    return h->ops->provide(h->self, iface, ptr);
}

static inline void *tessera_link(const TesseraHost *h, const char *prop, const char *iface)
{
    return h->ops->link(h->self, prop, iface);
}

/* What decodes pa. A host older than ABI 1.1 cannot say: the answer is
 * "unassigned" and the call returns -1. */
static inline int tessera_mem_region(const TesseraHost *h, uint64_t pa, TesseraMemRegion *out)
{
    out->size_of = sizeof(*out);
    if (!TESSERA_HOST_HAS(h, mem_region)) {
        out->kind = TESSERA_MEM_UNASSIGNED;
        out->base = out->size = 0;
        out->host = out->dirty = NULL;
        return -1;
    }
    return h->ops->mem_region(h->self, pa, out);
}

static inline int tessera_dirty_start(const TesseraHost *h)
{
    return TESSERA_HOST_HAS(h, dirty_start) ? h->ops->dirty_start(h->self) : -1;
}

static inline void tessera_dirty_stop(const TesseraHost *h, int client)
{
    if (TESSERA_HOST_HAS(h, dirty_stop))
        h->ops->dirty_stop(h->self, client);
}

static inline int64_t tessera_dirty_fetch(const TesseraHost *h, int client, uint64_t pa,
                                          uint64_t len, uint8_t *bitmap)
{
    if (!TESSERA_HOST_HAS(h, dirty_fetch))
        return -1;
    return h->ops->dirty_fetch(h->self, client, pa, len, bitmap);
}

#endif /* TESSERA_HOST_H */
