/* SPDX-License-Identifier: MIT */
/*
 * The debugger's view of the CPU (TesseraCpuClass.debug_set/debug_translate,
 * ABI 1.5): breakpoints by PC, watchpoints by virtual address, single-step.
 *
 * While anything is armed, run() comes here instead of the normal loop (or the
 * JIT): one instruction at a time through the interpreter, a breakpoint looked
 * up before each one. Guest memory is never patched, so breakpoints are
 * invisible to the guest and to snapshots, and the instruction count advances
 * exactly as in an undebugged run. Watchpoints: with any armed the fast TLB
 * keeps no load/store entries, so every data access takes mem_access_slow,
 * which reports it here (sparc_debug_access).
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "mem.h"

#define SPARC_DEBUG_MAX 64

struct SparcDebug {
    unsigned flags;
    unsigned n_break, n_watch;
    uint32_t brk[SPARC_DEBUG_MAX];
    TesseraDebugPoint watch[SPARC_DEBUG_MAX];
    TesseraDebugHit *hit;
    bool watch_hit; /* the current instruction touched a watched address */
};

int sparc_debug_set(void *opaque, const TesseraDebugPoint *points, unsigned n, unsigned flags,
                    TesseraDebugHit *hit)
{
    SparcCpu *cpu = opaque;
    if (n > SPARC_DEBUG_MAX)
        return -1;
    if (n == 0 && flags == 0) {
        free(cpu->debug);
        cpu->debug = NULL;
        cpu->loop_break = 1;
        return 0;
    }
    SparcDebug *d = cpu->debug ? cpu->debug : calloc(1, sizeof(*d));
    if (!d)
        return -1;
    d->flags = flags;
    d->n_break = d->n_watch = 0;
    d->hit = hit;
    d->watch_hit = false;
    for (unsigned i = 0; i < n; i++) {
        if (points[i].kind == TESSERA_DEBUG_BREAK)
            d->brk[d->n_break++] = (uint32_t)points[i].addr;
        else if (points[i].kind <= TESSERA_DEBUG_WATCH_ACCESS && points[i].len)
            d->watch[d->n_watch++] = points[i];
    }
    cpu->debug = d;
    /* No fast load/store entry may bypass the watch check from now on. */
    mem_tlb_flush(cpu);
    cpu->loop_break = 1;
    return 0;
}

bool sparc_debug_watching(const SparcCpu *cpu)
{
    return cpu->debug && cpu->debug->n_watch;
}

void sparc_debug_access(SparcCpu *cpu, uint32_t va, unsigned size, SparcAccess access)
{
    SparcDebug *d = cpu->debug;
    if (!d || access == SPARC_FETCH || d->watch_hit)
        return;
    unsigned want = access == SPARC_STORE ? TESSERA_DEBUG_WATCH_WRITE : TESSERA_DEBUG_WATCH_READ;
    for (unsigned i = 0; i < d->n_watch; i++) {
        const TesseraDebugPoint *w = &d->watch[i];
        if (w->kind != want && w->kind != TESSERA_DEBUG_WATCH_ACCESS)
            continue;
        if ((uint64_t)va < w->addr + w->len && w->addr < (uint64_t)va + size) {
            d->watch_hit = true;
            d->hit->kind = w->kind;
            d->hit->addr = va > w->addr ? va : w->addr;
            cpu->loop_break = 1;
            return;
        }
    }
}

static bool debug_is_break(const SparcDebug *d, uint32_t pc)
{
    for (unsigned i = 0; i < d->n_break; i++)
        if (d->brk[i] == pc)
            return true;
    return false;
}

static TesseraCpuExit debug_stop(SparcDebug *d, TesseraDebugKind kind, uint64_t addr)
{
    d->hit->kind = kind;
    d->hit->addr = addr;
    return TESSERA_CPU_DEBUG;
}

TesseraCpuExit sparc_debug_run(SparcCpu *cpu, TesseraRunState *rs)
{
    SparcDebug *d = cpu->debug;
    cpu->rs = rs;
    for (;;) {
        uint32_t pc = cpu->pc;
        int e = sparc_run_prelude(cpu, rs);
        if (e >= 0)
            return (TesseraCpuExit)e;
        /* The prelude entered an interrupt handler: a step ends at its first
         * instruction. */
        if (cpu->pc != pc && (d->flags & TESSERA_DEBUG_FLAG_STEP))
            return debug_stop(d, TESSERA_DEBUG_STEP, cpu->pc);
        if (debug_is_break(d, cpu->pc))
            return debug_stop(d, TESSERA_DEBUG_BREAK, cpu->pc);
        d->watch_hit = false;
        sparc_run_page(cpu, rs, rs->icount + 1);
        if (cpu->error_mode)
            return TESSERA_CPU_ERROR_MODE;
        if (d->watch_hit) {
            d->watch_hit = false;
            return TESSERA_CPU_DEBUG; /* sparc_debug_access filled the hit */
        }
        if (d->flags & TESSERA_DEBUG_FLAG_STEP)
            return debug_stop(d, TESSERA_DEBUG_STEP, cpu->pc);
    }
}

/* While the CPU runs from the boot window (boot mode, the MMU off, PC below
 * the PROM's size: the first instructions after reset), low addresses are shown
 * as the CPU fetches them, from the PROM, so that gdb sees the code it steps
 * through; otherwise a data access's translation. */
int sparc_debug_translate(void *opaque, uint64_t va, uint64_t *pa)
{
    SparcCpu *cpu = opaque;
    if (va > UINT32_MAX)
        return -1;
    SparcAccess how = SPARC_LOAD;
    if (cpu->pc <= SPARC_BOOT_WINDOW_MASK && va <= SPARC_BOOT_WINDOW_MASK)
        how = SPARC_FETCH;
    return mmu_debug_translate(&cpu->mmu, &cpu->phys, (uint32_t)va, how, pa);
}
