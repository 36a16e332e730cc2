/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI: device plugins.
 *
 * The host allocates `instance_size` zeroed bytes per instance (the plugin's struct
 * stays private) and calls, in order: init() for every instance of the machine,
 * realize() for every instance (links to other devices resolve here), reset(); then
 * reset() again on every guest or monitor reset, and finalize() at teardown.
 */
#ifndef TESSERA_DEVICE_H
#define TESSERA_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "state.h"

typedef struct TesseraDeviceClass {
    uint32_t size;          /* sizeof(TesseraDeviceClass) */
    uint32_t instance_size; /* bytes the host allocates (zeroed) per instance */
    /* Exactly one of these two: the state schema, or why the device cannot migrate. */
    const TesseraStateSchema *state;
    const char *migration_blocker;

    /* Read properties, map MMIO, declare IRQs, create timers. -1 + err on failure. */
    int (*init)(void *dev, const TesseraHost *host, char *err, size_t errlen);
    /* Optional: resolve links to other instances. */
    int (*realize)(void *dev, char *err, size_t errlen);
    /* Power-on/reset state of the registers. */
    void (*reset)(void *dev);
    /* Optional: free what init() allocated. */
    void (*finalize)(void *dev);
    /* ---- ABI 1.6 ---- */
    /* Optional: the monitor's `commit DRIVE|all`: write the copy-on-write overlays
     * (-snapshot) of the named drive ("scsi0-hd0", QEMU's name), or of every drive,
     * back to their images. Returns how many of its drives matched (0: none is this
     * device's), or -1 with a one-line message. */
    int (*commit)(void *dev, const char *drive, char *err, size_t errlen);
} TesseraDeviceClass;

#endif /* TESSERA_DEVICE_H */
