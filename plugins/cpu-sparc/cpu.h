/* SPDX-License-Identifier: MIT */
/*
 * The MB86904 (microSPARC II) integer unit state: one flat struct that the
 * interpreter's handlers and a future code generator address the same way.
 *
 * Register file: r[0..31] is the *current* window in GDB order (g0-g7, o0-o7,
 * l0-l7, i0-i7), so every register has a fixed offset. The other windows live in
 * `windows`; a CWP change spills the current 24 windowed registers and fills the
 * new ones (SPARC V8 manual 4.1, figure 4-2: window w's outs are window w-1's ins).
 */
#ifndef SPARC_CPU_H
#define SPARC_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include <tessera/cpu.h>
#include <tessera/host.h>

#include "fpu.h"
#include "mmu.h"

#define SPARC_NWINDOWS 8

/* PSR fields (V8 4.2). */
#define PSR_IMPLVER 0xff000000u
#define PSR_ICC 0x00f00000u
#define PSR_N 0x00800000u
#define PSR_Z 0x00400000u
#define PSR_V 0x00200000u
#define PSR_C 0x00100000u
#define PSR_EC 0x00002000u
#define PSR_EF 0x00001000u
#define PSR_PIL 0x00000f00u
#define PSR_S 0x00000080u
#define PSR_PS 0x00000040u
#define PSR_ET 0x00000020u
#define PSR_CWP 0x0000001fu
/* What WRPSR may change: EC stays 0, there is no coprocessor. */
#define PSR_WRITABLE (PSR_ICC | PSR_EF | PSR_PIL | PSR_S | PSR_PS | PSR_ET | PSR_CWP)
#define SPARC_PSR_IMPLVER 0x04000000u

/* Trap types (V8 table 7-1). */
enum {
    TT_INSN_ACCESS = 0x01,
    TT_ILLEGAL = 0x02,
    TT_PRIVILEGED = 0x03,
    TT_FP_DISABLED = 0x04,
    TT_WIN_OVERFLOW = 0x05,
    TT_WIN_UNDERFLOW = 0x06,
    TT_UNALIGNED = 0x07,
    TT_FP_EXCEPTION = 0x08,
    TT_DATA_ACCESS = 0x09,
    TT_TAG_OVERFLOW = 0x0a,
    TT_INTERRUPT = 0x10,
    TT_INSN_ERROR = 0x21,
    TT_CP_DISABLED = 0x24,
    TT_DATA_ERROR = 0x29,
    TT_DIV_ZERO = 0x2a,
    TT_TICC = 0x80,
};

/* The CPU's own translation cache: one direct-mapped table per (mode, access),
 * 4096 entries (16 MiB of distinct pages) each. A hit gives the host address as
 * va + addend; `code` is the decoded page for fetch entries, `dirty` the page's
 * dirty-log byte for store entries (a store through the entry sets it:
 * docs/memory.md). A tag is the page-aligned VA or'ed with the generation it
 * was filled in (tlb_gen, 1..4095 in the low bits), so a flush is one
 * increment; SPARC_TLB_INVALID (0) never matches. */
#define SPARC_FAST_TLB_BITS 12
#define SPARC_FAST_TLB_SIZE (1u << SPARC_FAST_TLB_BITS)
#define SPARC_TLB_INVALID 0u
#define SPARC_TLB_GEN_MAX 0xfffu

struct SparcCodePage;

typedef struct SparcFastTlb {
    uint32_t tag;
    uint32_t pad;
    uintptr_t addend;
    union {
        struct SparcCodePage *code; /* fetch entries */
        uint8_t *dirty;             /* store entries */
    };
} SparcFastTlb;

typedef struct SparcCodeCache SparcCodeCache;
struct SparcJit;
typedef struct SparcDebug SparcDebug;

typedef struct SparcCpu {
    /* Guest-visible state, migrated (state.c). */
    uint32_t r[34];     /* current window; r[32] is the sink for writes to %g0 */
    uint32_t windows[SPARC_NWINDOWS][16]; /* per window: locals 0-7, ins 8-15 */
    uint32_t pc, npc;
    uint32_t y;
    uint32_t psr;       /* whole PSR, CWP included */
    uint32_t wim;
    uint32_t tbr;
    uint32_t irl;       /* interrupt request level on the pins */
    uint8_t error_mode; /* a trap happened with ET=0 (V8 7.3.1) */
    SparcFpu fpu;
    SparcMmu mmu;

    /* Host-side state, rebuilt after load (listed as unmigrated). */
    const TesseraHost *host;
    TesseraRunState *rs;
    SparcPhys phys;           /* table walks through the host bus */
    uint32_t loop_break;      /* leave the inner loop after this instruction */
    uint32_t tlb_epoch;       /* mmu.epoch the fast TLB was filled under */
    uint32_t tlb_gen;         /* the fast TLB's generation (tags' low bits) */
    TesseraMemRegion region;  /* the last RAM/ROM region mem_host found (docs/memory.md:
                               * a region's answer may be cached); size 0: none */
    SparcCodeCache *code;     /* decoded pages, keyed by physical page */
    struct SparcJit *jit;     /* NULL: the interpreter runs (-accel interp) */
    SparcFastTlb tlb[2][3][SPARC_FAST_TLB_SIZE]; /* [supervisor][SparcAccess][index] */
    SparcDebug *debug;        /* NULL: no debug point armed (debug.c) */
    /* Stores through ASI 0x20 (MMU bypass, PA 31:0), keyed by PA as the others
     * are by VA: filled for RAM pages that hold no code, like store entries. */
    SparcFastTlb bypass[SPARC_FAST_TLB_SIZE];
} SparcCpu;

static inline bool cpu_super(const SparcCpu *cpu)
{
    return (cpu->psr & PSR_S) != 0;
}

/* traps.c */
void trap_raise(SparcCpu *cpu, unsigned tt);
bool trap_interrupt_pending(const SparcCpu *cpu);
void trap_take_interrupt(SparcCpu *cpu);
void window_set_cwp(SparcCpu *cpu, unsigned cwp);
void window_spill(SparcCpu *cpu);
void window_fill(SparcCpu *cpu);
void psr_write(SparcCpu *cpu, uint32_t value);

/* run.c: TesseraCpuClass.run, and the halves the JIT's dispatcher shares: the
 * work between instructions (-1 to go on, else the exit), and interpreting
 * from pc until the page ends, the loop breaks, or icount reaches `limit`
 * (at most stop_at). */
TesseraCpuExit sparc_run(void *cpu, TesseraRunState *rs);
int sparc_run_prelude(SparcCpu *cpu, TesseraRunState *rs);
void sparc_run_page(SparcCpu *cpu, TesseraRunState *rs, uint64_t limit);
/* The guest wrote [pa, pa + len) in a page holding code: drop what was decoded
 * or translated from it (decode.c's cache, the JIT's blocks). */
void sparc_code_written(SparcCpu *cpu, uint64_t pa, uint64_t len);

/* debug.c: the debugger's breakpoints, watchpoints and single-step (ABI 1.5). */
int sparc_debug_set(void *cpu, const TesseraDebugPoint *points, unsigned n, unsigned flags,
                    TesseraDebugHit *hit);
int sparc_debug_translate(void *cpu, uint64_t va, uint64_t *pa);
TesseraCpuExit sparc_debug_run(SparcCpu *cpu, TesseraRunState *rs);
/* Watchpoints are armed: data accesses must all reach sparc_debug_access. */
bool sparc_debug_watching(const SparcCpu *cpu);
void sparc_debug_access(SparcCpu *cpu, uint32_t va, unsigned size, SparcAccess access);

/* state.c */
extern const TesseraStateSchema sparc_state_schema;

#endif /* SPARC_CPU_H */
