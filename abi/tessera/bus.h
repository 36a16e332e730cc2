/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI: memory-mapped I/O regions on the 36-bit physical bus.
 *
 * A device describes each register window once (name, size, accepted widths and
 * two callbacks); the machine file says where each window sits. Values cross the
 * bus as host integers; the bus is big-endian, so a 4-byte read at offset 0 returns
 * the register whose most significant byte is at offset 0.
 */
#ifndef TESSERA_BUS_H
#define TESSERA_BUS_H

#include <stdint.h>

/* Access widths, as a mask in TesseraMmioRegion.widths. */
#define TESSERA_WIDTH_1 (1u << 0)
#define TESSERA_WIDTH_2 (1u << 1)
#define TESSERA_WIDTH_4 (1u << 2)
#define TESSERA_WIDTH_8 (1u << 3)
#define TESSERA_WIDTH_ANY (TESSERA_WIDTH_1 | TESSERA_WIDTH_2 | TESSERA_WIDTH_4 | TESSERA_WIDTH_8)

/* Physical addresses are 36 bits wide. */
#define TESSERA_PA_BITS 36
#define TESSERA_PA_MASK ((UINT64_C(1) << TESSERA_PA_BITS) - 1)

typedef uint64_t (*TesseraMmioRead)(void *opaque, uint64_t offset, unsigned size);
typedef void (*TesseraMmioWrite)(void *opaque, uint64_t offset, uint64_t value, unsigned size);

typedef struct TesseraMmioRegion {
    uint32_t size_of;     /* sizeof(TesseraMmioRegion) */
    const char *name;     /* machine files place it with `reg.NAME = ADDRESS` */
    uint64_t size;        /* bytes */
    uint32_t widths;      /* TESSERA_WIDTH_* mask; other widths are bus errors */
    TesseraMmioRead read;
    TesseraMmioWrite write; /* NULL: writes are ignored */
} TesseraMmioRegion;

/* Result of a physical access made by a plugin (DMA, CPU). */
typedef enum TesseraBusResult {
    TESSERA_BUS_OK = 0,
    TESSERA_BUS_UNASSIGNED = -1, /* nothing decodes the address: the CPU raises a bus error */
    TESSERA_BUS_BAD_WIDTH = -2,  /* the region does not accept this width */
} TesseraBusResult;

/*
 * Memory kinds, as the bus decodes a physical address (docs/memory.md).
 * A plugin asks with tessera_mem_region(); nobody probes memory by writing to it.
 */
typedef enum TesseraMemKind {
    TESSERA_MEM_UNASSIGNED = 0, /* nothing decodes it: accesses are bus errors */
    TESSERA_MEM_RAM = 1,        /* host-backed, read/write, dirty-logged */
    TESSERA_MEM_ROM = 2,        /* host-backed, writes ignored */
    TESSERA_MEM_ZERO = 3,       /* reads 0, writes ignored */
    TESSERA_MEM_MMIO = 4,       /* device callbacks: reach it with bus_read/bus_write */
} TesseraMemKind;

/* The dirty log and code marks work on pages of this size. */
#define TESSERA_PAGE_BITS 12
#define TESSERA_PAGE_SIZE (UINT64_C(1) << TESSERA_PAGE_BITS)
/* A write sets its page's dirty-log byte to this: marked for every client. */
#define TESSERA_DIRTY_ALL 0xffu
/* At most this many dirty-log clients at once (one bit of the byte each). */
#define TESSERA_DIRTY_CLIENTS 8

/* What decodes one physical address. */
typedef struct TesseraMemRegion {
    uint32_t size_of; /* sizeof(TesseraMemRegion): set by the caller */
    uint32_t kind;    /* TesseraMemKind */
    uint64_t base;    /* first address of the region (of the hole, when unassigned) */
    uint64_t size;    /* bytes from base */
    uint8_t *host;    /* RAM/ROM: the bytes at base, guest (big-endian) order; else NULL */
    /* RAM: the region's dirty log, one byte per TESSERA_PAGE_SIZE page from base.
     * Whoever writes RAM through `host` must set the page's byte to
     * TESSERA_DIRTY_ALL (one unconditional byte store). NULL for other kinds. */
    uint8_t *dirty;
    /* RAM: the region's code marks, one byte per page from base. A CPU sets a
     * page's byte to 1 once it has decoded or translated code from it; from then
     * on, a write to the page by anyone but that CPU (DMA, a device, the bus)
     * calls the CPU class's invalidate() first thing after the write, and the
     * CPU itself must not store to a marked page without invalidating. NULL for
     * other kinds. */
    uint8_t *code;
} TesseraMemRegion;

#endif /* TESSERA_BUS_H */
