/* SPDX-License-Identifier: MIT */
/* What the gdb stub knows of SPARC (gdb_sparc.c). */
#ifndef CORE_GDB_SPARC_H
#define CORE_GDB_SPARC_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"

/* SPARC V8 (32-bit): 72 registers in gdb's sparc32 numbering, the CPU class's
 * reg_read/reg_write order: g0-i7 (the current window), f0-f31, then y, psr,
 * wim, tbr, pc, npc, fsr, csr. Past them, the CPU's register file:
 * GDB_SPARC_REG_WINDOW + 16 * w + k is window w's local (k 0-7) or in (8-15). */
extern const char gdb_target_xml[];
#define GDB_SPARC_N_REGS 72
#define GDB_SPARC_REG_WINDOW 72
#define GDB_SPARC_NWINDOWS 8

/* After reading [addr, addr + len) of virtual memory: put in the words of the
 * save areas of the windows still in the register file (what a flush would
 * store there), so that gdb unwinds the stack without a flush changing it. */
void gdb_sparc_windows_read(Machine *m, uint64_t addr, uint8_t *buf, size_t len);
/* After writing there: the same words reach the registers. */
void gdb_sparc_windows_write(Machine *m, uint64_t addr, const uint8_t *buf, size_t len);

#endif /* CORE_GDB_SPARC_H */
