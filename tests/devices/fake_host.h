/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the Tessera core, enough to drive device plugins in a test. A
 * FakeMachine holds guest RAM at physical address 0 (none if its size is 0), a
 * virtual clock the test sets, machine options and one or more plugin instances.
 * Each instance is a FakeHost: the plugin's shared object loaded and validated, and
 * the TesseraHost it is given, whose services record what the device does (MMIO
 * regions, IRQ levels, timers, character output, machine requests, interfaces it
 * provides) and let the test act on it (bus accesses, input lines, character input,
 * time passing, save and restore).
 *
 * A single-device test takes fake_host_new(), a machine without RAM holding one
 * instance. What crosses devices (the sun4m DMA chain: sun4m-iommu <- sparc32-dma <-
 * esp / lance, DMA into RAM) builds a machine: fake_machine_new(), then
 * fake_machine_add() per instance, with links and wired IRQs between them.
 *
 * Misuse (unknown instance, region or input, a width the region refuses, too many
 * objects) aborts with a message: a test cannot silently pass by asking the wrong thing.
 */
#ifndef TESTS_DEVICES_FAKE_HOST_H
#define TESTS_DEVICES_FAKE_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <tessera/tessera.h>

typedef struct FakeMachine FakeMachine;
typedef struct FakeHost FakeHost;

/* ---- the machine ---- */

/* A machine with `ram_size` bytes of zeroed RAM at PA 0; DMA outside it (all DMA when
 * ram_size is 0) is unassigned. */
FakeMachine *fake_machine_new(size_t ram_size);
/* An instance named `name` (NULL: the plugin's name) of the plugin at `so_path`. */
FakeHost *fake_machine_add(FakeMachine *m, const char *name, const char *so_path);
/* init() every instance, then realize() every instance, then reset(). try_start
 * returns -1 with "INSTANCE: init|realize: message" in err; start aborts instead. */
int fake_machine_try_start(FakeMachine *m, char *err, size_t errlen);
void fake_machine_start(FakeMachine *m);
/* finalize() every instance, then unload them. */
void fake_machine_free(FakeMachine *m);

/* Guest RAM, and big-endian accesses of 1, 2, 4 or 8 bytes to it. */
uint8_t *fake_ram(FakeMachine *m);
uint64_t fake_ram_read(FakeMachine *m, uint64_t pa, unsigned size);
void fake_ram_write(FakeMachine *m, uint64_t pa, uint64_t value, unsigned size);

/* ---- one instance ---- */

/* A machine without RAM holding only the plugin at `so_path`: set properties, machine
 * options and chardevs, then fake_host_start(). */
FakeHost *fake_host_new(const char *so_path);
void fake_host_set_prop(FakeHost *fh, const char *name, const char *value);
/* `link.PROP = INSTANCE`: what link(PROP, ...) finds. */
void fake_host_set_link(FakeHost *fh, const char *prop, const char *instance);
/* Options are the machine's: every instance of fh's machine sees them. */
void fake_host_set_machine_opt(FakeHost *fh, const char *name, const char *value);
/* Give the device a character backend under `name` (others are NULL: "none"). */
void fake_host_add_chardev(FakeHost *fh, const char *name);
/* fake_machine_start() of fh's machine. */
void fake_host_start(FakeHost *fh);
/* init() of this instance only; returns its result and copies its message to err. */
int fake_host_try_init(FakeHost *fh, char *err, size_t errlen);
/* fake_machine_free() of fh's machine. */
void fake_host_free(FakeHost *fh);

const TesseraPluginDescriptor *fake_host_descriptor(const FakeHost *fh);
/* The instance memory the plugin's state schema describes (for snapshot tests). */
void *fake_host_instance(const FakeHost *fh);
void fake_host_reset(FakeHost *fh);

/* Bus accesses through the named region's callbacks. */
uint64_t fake_read(FakeHost *fh, const char *region, uint64_t offset, unsigned size);
void fake_write(FakeHost *fh, const char *region, uint64_t offset, uint64_t value,
                unsigned size);
/* Whether the device registered `region`, and its size (0 if not). */
uint64_t fake_region_size(const FakeHost *fh, const char *region);

/* The interface the device published under `iface` with provide() (NULL if none). */
void *fake_provided(const FakeHost *fh, const char *iface);

/* IRQ outputs: current level (0 if the device never asked for the line) and the
 * number of low-to-high transitions seen. */
int fake_irq_level(const FakeHost *fh, const char *name, unsigned index);
unsigned fake_irq_raises(const FakeHost *fh, const char *name, unsigned index);
/* Drive one line of an input array the device declared. */
void fake_irq_input(FakeHost *fh, const char *name, unsigned line, int level);
/* `irq.OUT = TO.IN[LINE]`: output out[index] of fh drives line `line` of to's input
 * `in` on every change of level. */
void fake_irq_wire(FakeHost *fh, const char *out, unsigned index, FakeHost *to,
                   const char *in, unsigned line);

/* The machine's virtual clock: time moves forward to `ns`, firing due timers (of
 * every instance) in deadline order, each with the clock at its deadline. */
uint64_t fake_clock_ns(const FakeHost *fh);
void fake_clock_set(FakeHost *fh, uint64_t ns);
void fake_clock_advance(FakeHost *fh, uint64_t ns);
/* Armed timers of the instance, and the earliest deadline (UINT64_MAX if none). */
unsigned fake_timers_armed(const FakeHost *fh);
uint64_t fake_next_deadline(const FakeHost *fh);

/* Character backends: bytes the device wrote, and input offered to it. Input the
 * device does not take now stays queued and is offered again by fake_chr_poll(). */
size_t fake_chr_output(const FakeHost *fh, const char *name, uint8_t *buf, size_t len);
void fake_chr_input(FakeHost *fh, const char *name, const void *buf, size_t len);
void fake_chr_poll(FakeHost *fh);
size_t fake_chr_queued(const FakeHost *fh, const char *name);

/* Network: after fake_net_enable (before start) the instance's tessera_net_attach
 * gets a backend. Offer it a frame (false: it does not take one now); the frames
 * it sent, in order (the length, up to len bytes copied); the link state. */
void fake_net_enable(FakeHost *fh);
bool fake_net_offer(FakeHost *fh, const void *frame, size_t len);
unsigned fake_net_sent_count(const FakeHost *fh);
size_t fake_net_sent(const FakeHost *fh, unsigned i, uint8_t *buf, size_t len);
void fake_net_set_link(FakeHost *fh, bool up);

/* Machine requests made so far by the instance, per kind. */
unsigned fake_requests(const FakeHost *fh, TesseraRequest req);
/* Log lines of the instance at `level` so far. */
unsigned fake_log_count(const FakeHost *fh, TesseraLogLevel level);

/* State through the schema's fields only (what a snapshot carries): saves into
 * buf (returns the bytes needed; call with len 0 to size), restores and runs
 * post_load (returns its result). */
size_t fake_state_save(FakeHost *fh, void *buf, size_t len);
int fake_state_load(FakeHost *fh, const void *buf, size_t len);
/* Structural checks of the schema: names, versions, fields inside their struct and
 * not overlapping. Returns 0, or -1 with the reason in err. */
int fake_schema_check(const FakeHost *fh, char *err, size_t errlen);

#endif /* TESTS_DEVICES_FAKE_HOST_H */
