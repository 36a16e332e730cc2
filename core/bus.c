/* SPDX-License-Identifier: MIT */
/*
 * The physical bus: a sorted array of non-overlapping regions, found by binary
 * search. Regions are added while the machine is built and never removed, so the
 * array only grows; a Region pointer from bus_lookup() stays valid until the next
 * bus_add_*() call.
 */
#include "bus.h"

#include <string.h>

struct Bus {
    Region *regions; /* sorted by base */
    unsigned n;
    unsigned cap;
    uint8_t logging; /* dirty-log clients started, one bit each */
    BusCodeHook code_hook; /* a write hit a page marked as code */
    void *code_opaque;
    BusCodeHook watch_hook; /* a debugger watches bus writes to RAM */
    void *watch_opaque;
};

#define BUS_SPACE_END (UINT64_C(1) << TESSERA_PA_BITS)

static GQuark bus_error_quark(void)
{
    return g_quark_from_static_string("tessera-bus");
}

Bus *bus_new(void)
{
    return g_new0(Bus, 1);
}

void bus_free(Bus *bus)
{
    if (!bus)
        return;
    for (unsigned i = 0; i < bus->n; i++) {
        g_free(bus->regions[i].name);
        dirty_map_free(&bus->regions[i].dirty);
    }
    g_free(bus->regions);
    g_free(bus);
}

/* Index of the first region whose base is > pa (0..n). */
static unsigned bus_upper_bound(const Bus *bus, uint64_t pa)
{
    unsigned lo = 0, hi = bus->n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (bus->regions[mid].base <= pa)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const Region *bus_lookup(const Bus *bus, uint64_t pa)
{
    unsigned i = bus_upper_bound(bus, pa);
    if (i == 0)
        return NULL;
    const Region *r = &bus->regions[i - 1];
    return pa - r->base < r->size ? r : NULL;
}

const Region *bus_regions(const Bus *bus, unsigned *n)
{
    *n = bus->n;
    return bus->regions;
}

static bool bus_insert(Bus *bus, const Region *proto, GError **error)
{
    const char *name = proto->name;
    uint64_t base = proto->base, size = proto->size;

    if (size == 0) {
        g_set_error(error, bus_error_quark(), 0, "region '%s' at 0x%" G_GINT64_MODIFIER "x has zero size",
                    name, base);
        return false;
    }
    if (base >= BUS_SPACE_END || size > BUS_SPACE_END - base) {
        g_set_error(error, bus_error_quark(), 0,
                    "region '%s' [0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER
                    "x] lies beyond the %d-bit physical address space",
                    name, base, base + size - 1, TESSERA_PA_BITS);
        return false;
    }

    /* Only the neighbours in sorted order can overlap a new region. */
    unsigned at = bus_upper_bound(bus, base);
    const Region *clash = NULL;
    if (at > 0 && base - bus->regions[at - 1].base < bus->regions[at - 1].size)
        clash = &bus->regions[at - 1];
    else if (at < bus->n && bus->regions[at].base - base < size)
        clash = &bus->regions[at];
    if (clash) {
        g_set_error(error, bus_error_quark(), 0,
                    "region '%s' [0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER
                    "x] overlaps '%s' [0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x]",
                    name, base, base + size - 1, clash->name, clash->base,
                    clash->base + clash->size - 1);
        return false;
    }

    if (bus->n == bus->cap) {
        bus->cap = bus->cap ? bus->cap * 2 : 16;
        bus->regions = g_renew(Region, bus->regions, bus->cap);
    }
    memmove(&bus->regions[at + 1], &bus->regions[at], (bus->n - at) * sizeof(Region));
    bus->regions[at] = *proto;
    bus->regions[at].name = g_strdup(name);
    if (proto->kind == REGION_RAM)
        dirty_map_init(&bus->regions[at].dirty, base, size);
    bus->n++;
    return true;
}

bool bus_add_memory(Bus *bus, const char *name, uint64_t base, uint64_t size, uint8_t *host,
                    bool readonly, GError **error)
{
    Region r = {
        .name = (char *)name,
        .kind = readonly ? REGION_ROM : REGION_RAM,
        .base = base,
        .size = size,
        .host = host,
        .widths = TESSERA_WIDTH_ANY,
    };
    return bus_insert(bus, &r, error);
}

bool bus_add_zero(Bus *bus, const char *name, uint64_t base, uint64_t size, GError **error)
{
    Region r = {
        .name = (char *)name,
        .kind = REGION_ZERO,
        .base = base,
        .size = size,
        .widths = TESSERA_WIDTH_ANY,
    };
    return bus_insert(bus, &r, error);
}

bool bus_add_mmio(Bus *bus, const char *name, uint64_t base, uint64_t size, uint32_t widths,
                  TesseraMmioRead read, TesseraMmioWrite write, void *opaque, GError **error)
{
    Region r = {
        .name = (char *)name,
        .kind = REGION_MMIO,
        .base = base,
        .size = size,
        .widths = widths & TESSERA_WIDTH_ANY,
        .read = read,
        .write = write,
        .opaque = opaque,
    };
    return bus_insert(bus, &r, error);
}

/* TESSERA_WIDTH_* bit for an access size, 0 for sizes the bus never carries. */
static inline uint32_t bus_width_bit(unsigned size)
{
    switch (size) {
    case 1: return TESSERA_WIDTH_1;
    case 2: return TESSERA_WIDTH_2;
    case 4: return TESSERA_WIDTH_4;
    case 8: return TESSERA_WIDTH_8;
    default: return 0;
    }
}

static inline uint64_t bus_size_mask(unsigned size)
{
    return size == 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

/* Region for a whole access, or the error the access gets. */
static inline int bus_decode(const Bus *bus, uint64_t pa, unsigned size, const Region **out)
{
    const Region *r = bus_lookup(bus, pa);
    if (!r || pa - r->base > r->size - size || size > r->size)
        return TESSERA_BUS_UNASSIGNED;
    if (!(r->widths & bus_width_bit(size)))
        return TESSERA_BUS_BAD_WIDTH;
    *out = r;
    return TESSERA_BUS_OK;
}

static inline uint64_t bus_load_be(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return GUINT16_FROM_BE(v); }
    case 4: { uint32_t v; memcpy(&v, p, 4); return GUINT32_FROM_BE(v); }
    default: { uint64_t v; memcpy(&v, p, 8); return GUINT64_FROM_BE(v); }
    }
}

static inline void bus_store_be(uint8_t *p, unsigned size, uint64_t value)
{
    switch (size) {
    case 1: p[0] = (uint8_t)value; break;
    case 2: { uint16_t v = GUINT16_TO_BE((uint16_t)value); memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = GUINT32_TO_BE((uint32_t)value); memcpy(p, &v, 4); break; }
    default: { uint64_t v = GUINT64_TO_BE(value); memcpy(p, &v, 8); break; }
    }
}

/* Every write to RAM through the bus: the dirty log, then the code owner. */
static inline void bus_ram_written(const Bus *bus, const Region *r, uint64_t pa, uint64_t len)
{
    dirty_map_mark(&r->dirty, pa, len);
    if (bus->code_hook && dirty_map_has_code(&r->dirty, pa, len))
        bus->code_hook(bus->code_opaque, pa, len);
    if (bus->watch_hook)
        bus->watch_hook(bus->watch_opaque, pa, len);
}

int bus_read(Bus *bus, uint64_t pa, unsigned size, uint64_t *value)
{
    const Region *r;
    int rc = bus_decode(bus, pa, size, &r);
    if (rc != TESSERA_BUS_OK)
        return rc;
    switch (r->kind) {
    case REGION_RAM:
    case REGION_ROM:
        *value = bus_load_be(r->host + (pa - r->base), size);
        break;
    case REGION_ZERO:
        *value = 0;
        break;
    case REGION_MMIO:
        /* Masked so a careless device cannot leak bits above the access width. */
        *value = r->read ? r->read(r->opaque, pa - r->base, size) & bus_size_mask(size) : 0;
        break;
    }
    return TESSERA_BUS_OK;
}

int bus_write(Bus *bus, uint64_t pa, unsigned size, uint64_t value)
{
    const Region *r;
    int rc = bus_decode(bus, pa, size, &r);
    if (rc != TESSERA_BUS_OK)
        return rc;
    switch (r->kind) {
    case REGION_RAM:
        bus_store_be(r->host + (pa - r->base), size, value);
        bus_ram_written(bus, r, pa, size);
        break;
    case REGION_ROM:
    case REGION_ZERO:
        break;
    case REGION_MMIO:
        if (r->write)
            r->write(r->opaque, pa - r->base, value & bus_size_mask(size), size);
        break;
    }
    return TESSERA_BUS_OK;
}

/*
 * DMA copies walk region by region. Bytes before a failing address have been
 * transferred when an error is returned, as a real DMA engine would have done.
 */
int bus_copy_from(Bus *bus, uint64_t pa, void *buf, size_t len)
{
    uint8_t *dst = buf;
    while (len > 0) {
        const Region *r = bus_lookup(bus, pa);
        if (!r)
            return TESSERA_BUS_UNASSIGNED;
        uint64_t avail = r->size - (pa - r->base);
        size_t chunk = len < avail ? len : (size_t)avail;
        switch (r->kind) {
        case REGION_RAM:
        case REGION_ROM:
            memcpy(dst, r->host + (pa - r->base), chunk);
            break;
        case REGION_ZERO:
            memset(dst, 0, chunk);
            break;
        case REGION_MMIO:
            for (size_t i = 0; i < chunk; i++) {
                uint64_t v;
                int rc = bus_read(bus, pa + i, 1, &v);
                if (rc != TESSERA_BUS_OK)
                    return rc;
                dst[i] = (uint8_t)v;
            }
            break;
        }
        pa += chunk;
        dst += chunk;
        len -= chunk;
    }
    return TESSERA_BUS_OK;
}

int bus_copy_to(Bus *bus, uint64_t pa, const void *buf, size_t len)
{
    const uint8_t *src = buf;
    while (len > 0) {
        const Region *r = bus_lookup(bus, pa);
        if (!r)
            return TESSERA_BUS_UNASSIGNED;
        uint64_t avail = r->size - (pa - r->base);
        size_t chunk = len < avail ? len : (size_t)avail;
        switch (r->kind) {
        case REGION_RAM:
            memcpy(r->host + (pa - r->base), src, chunk);
            bus_ram_written(bus, r, pa, chunk);
            break;
        case REGION_ROM:
        case REGION_ZERO:
            break;
        case REGION_MMIO:
            for (size_t i = 0; i < chunk; i++) {
                int rc = bus_write(bus, pa + i, 1, src[i]);
                if (rc != TESSERA_BUS_OK)
                    return rc;
            }
            break;
        }
        pa += chunk;
        src += chunk;
        len -= chunk;
    }
    return TESSERA_BUS_OK;
}

uint8_t *bus_mem_ptr(Bus *bus, uint64_t pa, uint64_t *avail)
{
    const Region *r = bus_lookup(bus, pa);
    if (!r || (r->kind != REGION_RAM && r->kind != REGION_ROM))
        return NULL;
    if (avail)
        *avail = r->size - (pa - r->base);
    return r->host + (pa - r->base);
}

/* The hole around an unassigned pa: from the end of the region below to the
 * start of the one above. */
static void bus_hole(const Bus *bus, uint64_t pa, TesseraMemRegion *out)
{
    unsigned i = bus_upper_bound(bus, pa);
    uint64_t lo = i ? bus->regions[i - 1].base + bus->regions[i - 1].size : 0;
    uint64_t hi = i < bus->n ? bus->regions[i].base : BUS_SPACE_END;
    if (pa >= BUS_SPACE_END)
        lo = BUS_SPACE_END, hi = UINT64_MAX;
    out->base = lo;
    out->size = hi - lo;
}

void bus_mem_region(const Bus *bus, uint64_t pa, TesseraMemRegion *out)
{
    static const uint32_t kinds[] = {
        [REGION_RAM] = TESSERA_MEM_RAM,
        [REGION_ROM] = TESSERA_MEM_ROM,
        [REGION_ZERO] = TESSERA_MEM_ZERO,
        [REGION_MMIO] = TESSERA_MEM_MMIO,
    };
    const Region *r = bus_lookup(bus, pa);
    out->host = NULL;
    out->dirty = NULL;
    out->code = NULL;
    if (!r) {
        out->kind = TESSERA_MEM_UNASSIGNED;
        bus_hole(bus, pa, out);
        return;
    }
    out->kind = kinds[r->kind];
    out->base = r->base;
    out->size = r->size;
    if (r->kind == REGION_RAM || r->kind == REGION_ROM)
        out->host = r->host;
    out->code = NULL;
    if (r->kind == REGION_RAM) {
        uint64_t first = (r->base - r->dirty.base) >> TESSERA_PAGE_BITS;
        out->dirty = r->dirty.map + first;
        out->code = r->dirty.code + first;
    }
}

void bus_set_code_hook(Bus *bus, BusCodeHook hook, void *opaque)
{
    bus->code_hook = hook;
    bus->code_opaque = opaque;
}

void bus_set_watch_hook(Bus *bus, BusCodeHook hook, void *opaque)
{
    bus->watch_hook = hook;
    bus->watch_opaque = opaque;
}

int bus_dirty_start(Bus *bus)
{
    for (int c = 0; c < TESSERA_DIRTY_CLIENTS; c++) {
        if (bus->logging & (1u << c))
            continue;
        bus->logging |= (uint8_t)(1u << c);
        for (unsigned i = 0; i < bus->n; i++)
            if (bus->regions[i].kind == REGION_RAM)
                dirty_map_start(&bus->regions[i].dirty, (unsigned)c);
        return c;
    }
    return -1;
}

static bool bus_dirty_client(const Bus *bus, int client)
{
    return client >= 0 && client < TESSERA_DIRTY_CLIENTS && (bus->logging & (1u << client));
}

void bus_dirty_stop(Bus *bus, int client)
{
    if (bus_dirty_client(bus, client))
        bus->logging &= (uint8_t)~(1u << client);
}

int64_t bus_dirty_fetch(Bus *bus, int client, uint64_t pa, uint64_t len, uint8_t *bitmap)
{
    if (!bus_dirty_client(bus, client))
        return -1;
    uint64_t found = 0;
    for (unsigned i = 0; i < bus->n; i++)
        if (bus->regions[i].kind == REGION_RAM)
            found += dirty_map_fetch(&bus->regions[i].dirty, (unsigned)client, pa, len, bitmap);
    return (int64_t)found;
}

void bus_dirty_mark(Bus *bus, uint64_t pa, uint64_t len)
{
    for (unsigned i = 0; i < bus->n; i++)
        if (bus->regions[i].kind == REGION_RAM)
            dirty_map_mark(&bus->regions[i].dirty, pa, len);
}
