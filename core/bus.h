/* SPDX-License-Identifier: MIT */
/* The 36-bit physical address space: RAM, ROM, zero-filled holes and MMIO windows. */
#ifndef CORE_BUS_H
#define CORE_BUS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <tessera/bus.h>

#include "dirty.h"

typedef enum RegionKind {
    REGION_RAM,  /* host-backed, read/write */
    REGION_ROM,  /* host-backed, writes ignored */
    REGION_ZERO, /* reads 0, writes ignored (e.g. RAM slots above the installed size) */
    REGION_MMIO, /* device callbacks */
} RegionKind;

typedef struct Region {
    char *name;
    RegionKind kind;
    uint64_t base;
    uint64_t size;
    uint8_t *host; /* RAM/ROM: backing store in guest (big-endian) byte order */
    uint32_t widths; /* MMIO: TESSERA_WIDTH_* */
    TesseraMmioRead read;
    TesseraMmioWrite write;
    void *opaque;
    DirtyMap dirty; /* RAM: the dirty log */
} Region;

typedef struct Bus Bus;

Bus *bus_new(void);
void bus_free(Bus *bus);

/* Adding a region that overlaps another, or lies beyond 36 bits, fails with an error
 * naming both regions. */
bool bus_add_memory(Bus *bus, const char *name, uint64_t base, uint64_t size, uint8_t *host,
                    bool readonly, GError **error);
bool bus_add_zero(Bus *bus, const char *name, uint64_t base, uint64_t size, GError **error);
bool bus_add_mmio(Bus *bus, const char *name, uint64_t base, uint64_t size, uint32_t widths,
                  TesseraMmioRead read, TesseraMmioWrite write, void *opaque, GError **error);

/* The region containing pa, or NULL. */
const Region *bus_lookup(const Bus *bus, uint64_t pa);
/* All regions, sorted by base. */
const Region *bus_regions(const Bus *bus, unsigned *n);

/* One access of 1, 2, 4 or 8 bytes; returns a TesseraBusResult. An access that
 * crosses the end of its region is TESSERA_BUS_UNASSIGNED. */
int bus_read(Bus *bus, uint64_t pa, unsigned size, uint64_t *value);
int bus_write(Bus *bus, uint64_t pa, unsigned size, uint64_t value);

/* Byte copies for DMA; MMIO is accessed byte-wise. */
int bus_copy_from(Bus *bus, uint64_t pa, void *buf, size_t len);
int bus_copy_to(Bus *bus, uint64_t pa, const void *buf, size_t len);

/* Backing store at pa for RAM/ROM regions, bytes left in the region in *avail. */
uint8_t *bus_mem_ptr(Bus *bus, uint64_t pa, uint64_t *avail);

/* What decodes pa: kind, bounds, host pointer and dirty log (TesseraMemRegion). */
void bus_mem_region(const Bus *bus, uint64_t pa, TesseraMemRegion *out);

/* Who is told when a bus write (a store through the bus, DMA) hits a page marked
 * as code (TesseraMemRegion.code): the CPU's invalidate(). */
typedef void (*BusCodeHook)(void *opaque, uint64_t pa, uint64_t len);
void bus_set_code_hook(Bus *bus, BusCodeHook hook, void *opaque);
/* Who is told of every write to RAM through the bus (DMA, device and split CPU
 * stores; not the CPU's host-pointer stores): a debugger's watchpoints. NULL:
 * nobody (the default). */
void bus_set_watch_hook(Bus *bus, BusCodeHook hook, void *opaque);

/* The dirty log over every RAM region (docs/memory.md). Every RAM write through
 * the bus marks its pages; host-pointer writers mark through TesseraMemRegion.dirty.
 * start returns a client number, or -1 when TESSERA_DIRTY_CLIENTS already log. */
int bus_dirty_start(Bus *bus);
void bus_dirty_stop(Bus *bus, int client);
/* Pages of [pa, pa + len) written since the client's last fetch, as a bitmap
 * (bit i: the i-th page from pa's page); their marks are cleared. Returns the
 * count, or -1 for a client that is not logging. */
int64_t bus_dirty_fetch(Bus *bus, int client, uint64_t pa, uint64_t len, uint8_t *bitmap);
/* Marks [pa, pa + len) written (a snapshot load restored it, say). */
void bus_dirty_mark(Bus *bus, uint64_t pa, uint64_t len);

#endif /* CORE_BUS_H */
