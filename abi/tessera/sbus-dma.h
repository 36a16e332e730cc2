/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI (installed): the interface sparc32-dma publishes under the name "dma" (TesseraHostOps.provide)
 * for the one SBus device it serves: the ESP SCSI controller (espdma) or the LANCE
 * Ethernet controller (ledma). Transfers go through the IOMMU; each returns 0, or
 * -1 when the IOMMU refused a page (it records the fault) or nothing was there.
 */
#ifndef TESSERA_SBUS_DMA_H
#define TESSERA_SBUS_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*SbusDmaResetFn)(void *device);
typedef void (*SbusDmaEnableFn)(void *device, bool enabled);

typedef struct SbusDma {
    uint32_t size; /* sizeof(SbusDma): members are only appended */
    void *opaque;  /* first argument of every method */
    /* ESP: at the DMA's address register, which advances by `len`. */
    int (*read)(void *opaque, void *buf, size_t len);
    int (*write)(void *opaque, const void *buf, size_t len);
    /* LANCE: at the chip's 24-bit address with bits 31:24 from the DMA's
     * address-high register (+0xc). Bytes are copied as they are in memory. */
    int (*read_at)(void *opaque, uint32_t addr, void *buf, size_t len);
    int (*write_at)(void *opaque, uint32_t addr, const void *buf, size_t len);
    /* The served device: reset() is called when the guest sets CSR reset. */
    void (*attach)(void *opaque, SbusDmaResetFn reset, void *device);
    /* ESP: enable() is called when the guest sets or clears CSR DMA enable, so the
     * chip can hold a DMA command until the engine runs (NetBSD starts the engine
     * after the command). */
    void (*watch_enable)(void *opaque, SbusDmaEnableFn enable, void *device);
} SbusDma;

#endif /* TESSERA_SBUS_DMA_H */
