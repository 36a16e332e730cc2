/* SPDX-License-Identifier: MIT */
/*
 * What a debugger (the gdb stub) may do to a stopped machine: registers and
 * memory as the CPU sees them, breakpoints, watchpoints (the CPU's accesses by
 * virtual address, device DMA by the physical pages they map to) and stepping,
 * through the CPU class's ABI 1.5 members. None of it changes guest state that
 * the guest or a snapshot could see, except the explicit register and memory
 * writes.
 */
#ifndef CORE_MACHINE_DEBUG_H
#define CORE_MACHINE_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tessera/cpu.h>

#include "machine.h"

/* The CPU plugin has debug_set/debug_translate (breakpoints, stepping, virtual
 * memory); registers are there for every CPU. */
bool machine_debug_supported(const Machine *m);
unsigned machine_debug_n_regs(const Machine *m);
int machine_debug_reg_read(Machine *m, unsigned regno, uint64_t *value);
int machine_debug_reg_write(Machine *m, unsigned regno, uint64_t value);

/* Guest memory for the debugger: RAM and ROM only (MMIO is refused: reading a
 * device register can change the device). Virtual addresses go through the CPU's
 * current translation, without side effects. Writes to RAM mark the dirty log and
 * drop decoded code like DMA; ROM is never written. 0, or -1 when a byte of the
 * range is unmapped or not memory. */
int machine_debug_read(Machine *m, uint64_t addr, void *buf, size_t len, bool physical);
int machine_debug_write(Machine *m, uint64_t addr, const void *buf, size_t len, bool physical);

/* Replace the debug points (see TesseraDebugPoint) and the step flag; n = 0 and
 * step = false disarm everything and the CPU runs at full speed again. Watched
 * virtual ranges are translated now, and DMA writes to their physical pages stop
 * the machine too. false: the CPU cannot take them (error says why). */
bool machine_debug_set(Machine *m, const TesseraDebugPoint *points, unsigned n, bool step,
                       char *error, size_t errlen);
/* After machine_run() returned MACHINE_EXIT_DEBUG: what was hit. */
const TesseraDebugHit *machine_debug_hit(const Machine *m);

#endif /* CORE_MACHINE_DEBUG_H */
