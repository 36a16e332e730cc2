/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI (installed): the interface sun4m-iommu publishes under the name "iommu" (TesseraHostOps.provide)
 * for the SBus DMA engines (sparc32-dma): DVMA addresses in, physical memory out.
 *
 * A failed translation (invalid IOPTE, or a write through a read-only one) is
 * recorded by the IOMMU in its AFSR/AFAR and raises its interrupt; the caller only
 * learns that the transfer stopped.
 */
#ifndef TESSERA_SBUS_IOMMU_H
#define TESSERA_SBUS_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SbusIommu {
    uint32_t size; /* sizeof(SbusIommu): members are only appended */
    void *opaque;  /* first argument of every method */
    /* One DVMA address to a physical one: 0 and *pa, or -1 (fault recorded). */
    int (*translate)(void *opaque, uint32_t dvma, bool is_write, uint64_t *pa);
    /* Copy between guest memory at `dvma` and `buf`, page by page through the
     * translation: 0, or -1 at the first fault or unassigned physical address. */
    int (*dma_read)(void *opaque, uint32_t dvma, void *buf, size_t len);
    int (*dma_write)(void *opaque, uint32_t dvma, const void *buf, size_t len);
} SbusIommu;

#endif /* TESSERA_SBUS_IOMMU_H */
