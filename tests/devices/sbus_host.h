/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the Tessera core with several device plugins on one bus: guest RAM
 * at physical address 0 that DMA reaches, interfaces published with provide() and
 * found with link(), and IRQ outputs wired to other instances' inputs. Enough to
 * run the sun4m DMA chain (sun4m-iommu <- sparc32-dma <- esp / lance) in a test.
 *
 * Single-device behaviour is tested with fake_host.h; this is for what crosses
 * devices. Misuse (unknown instance, region or input; timers, which nothing here
 * needs) aborts with a message.
 */
#ifndef TESTS_DEVICES_SBUS_HOST_H
#define TESTS_DEVICES_SBUS_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <tessera/tessera.h>

typedef struct SbusHost SbusHost;
typedef struct SbusDev SbusDev;

/* A machine with `ram_size` bytes of zeroed RAM at PA 0. */
SbusHost *sbus_host_new(size_t ram_size);
void sbus_host_free(SbusHost *h);

/* An instance named `name` of the plugin at `so_path`. */
SbusDev *sbus_add(SbusHost *h, const char *name, const char *so_path);
void sbus_set_prop(SbusDev *d, const char *name, const char *value);
/* `link.PROP = INSTANCE` */
void sbus_set_link(SbusDev *d, const char *prop, const char *instance);
void sbus_set_machine_opt(SbusHost *h, const char *name, const char *value);
/* `irq.OUT = TO.IN[LINE]`: output `out` (index 0) of d drives `to`'s input. */
void sbus_wire(SbusDev *d, const char *out, SbusDev *to, const char *in, unsigned line);

/* init() every instance, then realize(), then reset(); aborts on failure. */
void sbus_start(SbusHost *h);
void sbus_reset(SbusHost *h);
void *sbus_instance(const SbusDev *d);
/* The interface `d` published under `iface` (NULL if none). */
void *sbus_provided(const SbusDev *d, const char *iface);

uint64_t sbus_read(SbusDev *d, const char *region, uint64_t offset, unsigned size);
void sbus_write(SbusDev *d, const char *region, uint64_t offset, uint64_t value, unsigned size);

/* Level of output `out` (index 0), and its low-to-high transitions. */
int sbus_irq_level(const SbusDev *d, const char *out);
unsigned sbus_irq_raises(const SbusDev *d, const char *out);

/* Guest RAM, big-endian helpers. */
uint8_t *sbus_ram(SbusHost *h);
void sbus_put32(SbusHost *h, uint64_t pa, uint32_t v);
uint32_t sbus_get32(SbusHost *h, uint64_t pa);
void sbus_put16(SbusHost *h, uint64_t pa, uint16_t v);
uint16_t sbus_get16(SbusHost *h, uint64_t pa);

/* Log lines at `level` so far, from every instance. */
unsigned sbus_log_count(const SbusHost *h, TesseraLogLevel level);

#endif /* TESTS_DEVICES_SBUS_HOST_H */
