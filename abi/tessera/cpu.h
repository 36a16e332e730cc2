/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI: CPU plugins.
 *
 * The core drives the CPU through run(): the CPU executes instructions, adding each
 * to rs->icount (which is the virtual clock), until icount reaches rs->stop_at or
 * rs->exit_request becomes non-zero. Timers and devices may lower stop_at or set
 * exit_request from inside an MMIO callback; the CPU must re-check both after any
 * access that left the CPU (MMIO) and at least once per basic block.
 */
#ifndef TESSERA_CPU_H
#define TESSERA_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "state.h"

typedef struct TesseraRunState {
    uint64_t icount;                /* guest instructions retired since power-on */
    uint64_t stop_at;               /* run() returns once icount >= stop_at */
    volatile uint32_t exit_request; /* non-zero: return as soon as possible */
    uint32_t reserved;
} TesseraRunState;

typedef enum TesseraCpuExit {
    TESSERA_CPU_BUDGET = 0,     /* icount reached stop_at, or exit_request */
    TESSERA_CPU_HALTED = 1,     /* the CPU waits for an interrupt (power-down instruction) */
    TESSERA_CPU_ERROR_MODE = 2, /* a trap with traps disabled: the machine stops */
    TESSERA_CPU_DEBUG = 3,      /* ABI 1.5: a debug point was hit or a step ended */
} TesseraCpuExit;

/* ABI 1.5: what a debugger (the gdb stub) asks the CPU to watch. Breakpoints are
 * by PC: the CPU stops before executing the instruction there, and nothing in
 * guest memory changes. Watchpoints are by virtual address, [addr, addr + len):
 * the CPU stops after the instruction that made the access. */
typedef enum TesseraDebugKind {
    TESSERA_DEBUG_BREAK = 0,
    TESSERA_DEBUG_WATCH_WRITE = 1,
    TESSERA_DEBUG_WATCH_READ = 2,
    TESSERA_DEBUG_WATCH_ACCESS = 3,
    TESSERA_DEBUG_STEP = 4, /* in TesseraDebugHit only: one instruction ran */
} TesseraDebugKind;

typedef struct TesseraDebugPoint {
    uint32_t kind; /* TesseraDebugKind, BREAK to WATCH_ACCESS */
    uint32_t len;  /* watchpoints: bytes watched */
    uint64_t addr; /* PC or virtual address */
} TesseraDebugPoint;

typedef struct TesseraDebugHit {
    uint32_t kind;  /* TesseraDebugKind */
    uint32_t reserved;
    uint64_t addr;  /* the breakpoint's PC or the address accessed */
} TesseraDebugHit;

/* debug_set() flags. */
#define TESSERA_DEBUG_FLAG_STEP 1u /* return TESSERA_CPU_DEBUG after one instruction
                                    * (or after entering an interrupt's handler) */

typedef struct TesseraCpuClass {
    uint32_t size;          /* sizeof(TesseraCpuClass) */
    uint32_t instance_size; /* bytes the host allocates (zeroed) */
    const TesseraStateSchema *state;
    const char *migration_blocker;
    const char *const *models; /* NULL-terminated model names; the first is the default */

    int (*init)(void *cpu, const TesseraHost *host, const char *model, char *err, size_t errlen);
    void (*reset)(void *cpu);
    TesseraCpuExit (*run)(void *cpu, TesseraRunState *rs);
    /* Interrupt request level on the CPU's pins (0 = none, 1..15). */
    void (*set_irl)(void *cpu, unsigned level);
    /* Registers in the architecture's GDB numbering; -1 for an unknown number. */
    unsigned n_regs;
    int (*reg_read)(void *cpu, unsigned regno, uint64_t *value);
    int (*reg_write)(void *cpu, unsigned regno, uint64_t value);
    /* Human-readable register dump (error mode, -icount-limit, monitor). */
    void (*dump)(void *cpu, char *buf, size_t len);
    /* Optional: give the host a physical address to start at (ELF entry etc.). */
    void (*set_pc)(void *cpu, uint64_t pc);
    void (*finalize)(void *cpu);

    /* ---- ABI 1.1 ---- */
    /* Something other than the CPU wrote [pa, pa + len) in a page the CPU marked
     * as code (TesseraMemRegion.code): drop what was decoded or translated from
     * it before it can run again. Called after the write, before run() goes on. */
    void (*invalidate)(void *cpu, uint64_t pa, uint64_t len);

    /* ---- ABI 1.2 ---- */
    /* Optional: one line saying how the CPU runs (its accelerator and what it
     * has done), for `info status`. */
    void (*describe)(void *cpu, char *buf, size_t len);

    /* ---- ABI 1.5 ---- */
    /* Optional (both or neither): the debugger's view. debug_set() replaces the
     * CPU's debug points (n = 0 and flags = 0: none; the CPU runs at full speed
     * again); with any armed, run() returns TESSERA_CPU_DEBUG when one is hit and
     * fills *hit (a pointer kept until the next debug_set). Returns -1 when it
     * cannot take them (too many). Guest state is never changed by either. */
    int (*debug_set)(void *cpu, const TesseraDebugPoint *points, unsigned n, unsigned flags,
                     TesseraDebugHit *hit);
    /* The physical address the guest's virtual address va maps to now, for a
     * data access in the current context and mode, without side effects (no
     * TLB fill, no referenced/modified bits, no fault recorded): 0, or -1 when
     * va has no valid translation. */
    int (*debug_translate)(void *cpu, uint64_t va, uint64_t *pa);
} TesseraCpuClass;

#endif /* TESSERA_CPU_H */
