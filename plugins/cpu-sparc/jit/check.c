/* SPDX-License-Identifier: MIT */
/*
 * Lockstep check mode (-accel jit,check=on): each block runs under the JIT from
 * a saved state, then again under the interpreter from the same state, and the
 * two results are compared (docs/jit.md "Debugging a mistranslation").
 *
 * Memory: before each access the generated code calls jit_check_access. Only
 * plain memory reached through the fast TLB is allowed (it has no side
 * effects but the bytes); a store logs the bytes it will overwrite so they can
 * be put back before the interpreter's run. Anything else (a TLB miss, an
 * alternate space, MMIO) bails out: the block's effects are undone and the
 * interpreter runs that stretch unchecked, so no device ever sees an access
 * twice.
 *
 * On a difference the machine stops in error mode after one line naming the
 * block, the first differing instruction (found by re-translating shorter
 * blocks of the same code) and the first differing register.
 */
#include <stddef.h>
#include <stdlib.h>

#include "../mem.h"
#include "block.h"

/* The guest-visible part of SparcCpu: everything before the host pointer. */
#define GUEST_BYTES offsetof(SparcCpu, host)

typedef struct Access {
    unsigned size;
    SparcAccess table; /* the fast TLB table the interpreter's path uses */
    bool writes;
    bool plain;        /* false: alternate space, bail */
} Access;

static Access access_of(unsigned op)
{
    switch (op) {
    case OP_LDUB: case OP_LDSB: return (Access){1, SPARC_LOAD, false, true};
    case OP_LDUH: case OP_LDSH: return (Access){2, SPARC_LOAD, false, true};
    case OP_LD: case OP_LDF: case OP_LDFSR: return (Access){4, SPARC_LOAD, false, true};
    case OP_LDD: case OP_LDDF: return (Access){8, SPARC_LOAD, false, true};
    case OP_STB: case OP_LDSTUB: return (Access){1, SPARC_STORE, true, true};
    case OP_STH: return (Access){2, SPARC_STORE, true, true};
    case OP_ST: case OP_STF: case OP_STFSR: case OP_SWAP: return (Access){4, SPARC_STORE, true, true};
    case OP_STD: case OP_STDF: return (Access){8, SPARC_STORE, true, true};
    case OP_STDFQ: return (Access){0, SPARC_LOAD, false, true}; /* always traps */
    default: return (Access){0, SPARC_LOAD, false, false};
    }
}

int jit_check_access(SparcCpu *cpu, const SparcDecoded *d)
{
    SparcJit *jit = cpu->jit;
    Access a = access_of(d->op);
    if (!a.plain)
        return 1;
    if (!a.size)
        return 0;
    uint32_t va = cpu->r[d->rs1] + cpu->r[d->rs2] + (uint32_t)d->imm;
    if (va & (a.size - 1))
        return 0; /* an alignment trap, in both runs */
    const SparcFastTlb *e = mem_tlb_entry(cpu, cpu_super(cpu), a.table, va);
    if (!mem_tlb_hit(cpu, e, va))
        return 1;
    if (a.writes) {
        if (jit->n_undo == JIT_UNDO_MAX)
            return 1;
        JitUndo *u = &jit->undo[jit->n_undo++];
        u->host = (uint8_t *)(uintptr_t)(va + e->addend);
        u->len = (uint8_t)a.size;
        memcpy(u->old, u->host, a.size);
    }
    return 0;
}

static void undo(SparcJit *jit)
{
    for (unsigned i = jit->n_undo; i-- > 0;)
        memcpy(jit->undo[i].host, jit->undo[i].old, jit->undo[i].len);
}

typedef struct Run {
    SparcCpu *cpu;                /* only the guest-visible part is used */
    uint64_t icount;
    unsigned n_undo;
    uint8_t mem[JIT_UNDO_MAX][8]; /* the bytes at each logged store afterwards */
    uint32_t last_pc;             /* interpreter: the PC of the last instruction run */
} Run;

static void restore(SparcCpu *cpu, TesseraRunState *rs, const SparcCpu *s0, uint64_t icount0)
{
    memcpy(cpu, s0, GUEST_BYTES);
    rs->icount = icount0;
    cpu->loop_break = 0;
}

static void record(SparcJit *jit, Run *out, TesseraRunState *rs)
{
    memcpy(out->cpu, jit->cpu, GUEST_BYTES);
    out->icount = rs->icount;
    out->n_undo = jit->n_undo;
    for (unsigned i = 0; i < jit->n_undo; i++)
        memcpy(out->mem[i], jit->undo[i].host, jit->undo[i].len);
}

/* The interpreter, one instruction at a time, up to `icount` (no interrupts:
 * the block took none). */
static void interpret_to(SparcCpu *cpu, TesseraRunState *rs, uint64_t icount, uint32_t *last_pc)
{
    while (rs->icount < icount && !cpu->error_mode) {
        uint64_t before = rs->icount;
        *last_pc = cpu->pc;
        cpu->loop_break = 0;
        sparc_run_page(cpu, rs, rs->icount + 1);
        if (rs->icount == before)
            break; /* a fetch trap: the JIT never retires one */
    }
}

/* The first difference between two runs, as "what: jit X, interpreter Y"; or
 * NULL. */
static char *difference(const SparcJit *jit, const Run *j, const Run *i, char *buf, size_t len)
{
    const SparcCpu *a = j->cpu;
    const SparcCpu *b = i->cpu;
    static const char *const row[4] = {"g", "o", "l", "i"};
#define DIFF(name, x, y)                                                                      \
    do {                                                                                      \
        if ((x) != (y)) {                                                                     \
            snprintf(buf, len, "%s: jit 0x%08x, interpreter 0x%08x", name, (unsigned)(x),   \
                     (unsigned)(y));                                                          \
            return buf;                                                                       \
        }                                                                                     \
    } while (0)
    if (j->icount != i->icount) {
        snprintf(buf, len, "icount: jit %llu, interpreter %llu", (unsigned long long)j->icount,
                 (unsigned long long)i->icount);
        return buf;
    }
    /* names are formatted only for the difference (this runs for every block) */
    for (unsigned r = 1; r < 32; r++)
        if (a->r[r] != b->r[r]) {
            char name[8];
            snprintf(name, sizeof(name), "%%%s%u", row[r / 8], r % 8);
            DIFF(name, a->r[r], b->r[r]);
        }
    DIFF("pc", a->pc, b->pc);
    DIFF("npc", a->npc, b->npc);
    DIFF("psr", a->psr, b->psr);
    DIFF("y", a->y, b->y);
    DIFF("wim", a->wim, b->wim);
    DIFF("tbr", a->tbr, b->tbr);
    DIFF("error mode", a->error_mode, b->error_mode);
    for (unsigned w = 0; w < SPARC_NWINDOWS; w++)
        for (unsigned r = 0; r < 16; r++)
            if (a->windows[w][r] != b->windows[w][r]) {
                char name[24];
                snprintf(name, sizeof(name), "window %u %s%u", w, r < 8 ? "l" : "i", r % 8);
                DIFF(name, a->windows[w][r], b->windows[w][r]);
            }
    for (unsigned f = 0; f < 32; f++)
        if (a->fpu.f[f] != b->fpu.f[f]) {
            char name[8];
            snprintf(name, sizeof(name), "%%f%u", f);
            DIFF(name, a->fpu.f[f], b->fpu.f[f]);
        }
    DIFF("fsr", a->fpu.fsr, b->fpu.fsr);
    DIFF("mmu ctrl", a->mmu.ctrl, b->mmu.ctrl);
    DIFF("mmu ctx", a->mmu.ctx, b->mmu.ctx);
    DIFF("sfsr", a->mmu.sfsr, b->mmu.sfsr);
    DIFF("sfar", a->mmu.sfar, b->mmu.sfar);
    for (unsigned k = 0; k < j->n_undo; k++)
        if (memcmp(j->mem[k], i->mem[k], jit->undo[k].len)) {
            snprintf(buf, len, "memory at host %p (store %u of the block)",
                     (void *)jit->undo[k].host, k + 1);
            return buf;
        }
#undef DIFF
    return NULL;
}

/* Both runs of blk from the saved state; the interpreter's result stays in the
 * CPU. Returns 1 if they differ (diff filled), -1 if the JIT bailed out. */
static int compare_once(SparcJit *jit, const JitBlock *blk, TesseraRunState *rs, const SparcCpu *s0,
                        uint64_t icount0, Run *j, Run *i, char *diff, size_t len)
{
    SparcCpu *cpu = jit->cpu;
    restore(cpu, rs, s0, icount0);
    jit->n_undo = 0;
    if (jit_enter(jit, cpu, rs, blk) == JIT_EXIT_BAIL) {
        undo(jit);
        restore(cpu, rs, s0, icount0);
        return -1;
    }
    record(jit, j, rs);
    undo(jit);
    restore(cpu, rs, s0, icount0);
    interpret_to(cpu, rs, j->icount, &i->last_pc);
    record(jit, i, rs);
    return difference(jit, j, i, diff, len) ? 1 : 0;
}

TesseraCpuExit jit_check_block(SparcJit *jit, JitBlock *blk, TesseraRunState *rs, int *stop)
{
    SparcCpu *cpu = jit->cpu;
    static _Thread_local struct {
        SparcCpu *s0;
        Run j, i;
    } w;
    char diff[160];
    if (!w.s0) {
        w.s0 = calloc(1, sizeof(SparcCpu));
        w.j.cpu = calloc(1, sizeof(SparcCpu));
        w.i.cpu = calloc(1, sizeof(SparcCpu));
        if (!w.s0 || !w.j.cpu || !w.i.cpu)
            abort();
    }
    uint64_t icount0 = rs->icount;
    *stop = 0;
    memcpy(w.s0, cpu, GUEST_BYTES);
    int r = compare_once(jit, blk, rs, w.s0, icount0, &w.j, &w.i, diff, sizeof(diff));
    if (r < 0) { /* not plain memory: the interpreter runs this stretch */
        sparc_run_page(cpu, rs, rs->icount + blk->n_max);
        return TESSERA_CPU_BUDGET;
    }
    jit->n_checked++;
    if (r == 0)
        return TESSERA_CPU_BUDGET;

    /* Name the instruction: the shortest prefix of the same code that differs. */
    char first[160];
    memcpy(first, diff, sizeof(first));
    uint32_t culprit = w.i.last_pc;
    const SparcFastTlb *e = mem_tlb_entry(cpu, cpu_super(cpu), SPARC_FETCH, blk->pc);
    for (unsigned m = 1; m < blk->n_max && mem_tlb_hit(cpu, e, blk->pc); m++) {
        restore(cpu, rs, w.s0, icount0);
        const uint8_t *page = (const uint8_t *)(uintptr_t)((blk->pc & ~SPARC_PAGE_MASK) + e->addend);
        JitBlock *probe = jit_translate(jit, blk->pc, blk->key >> 1, page, m);
        if (!probe)
            break;
        int pr = compare_once(jit, probe, rs, w.s0, icount0, &w.j, &w.i, diff, sizeof(diff));
        if (pr == 1) {
            memcpy(first, diff, sizeof(first));
            culprit = w.i.last_pc;
            break;
        }
        if (pr < 0)
            break;
    }
    /* leave the interpreter's state of the whole block */
    restore(cpu, rs, w.s0, icount0);
    interpret_to(cpu, rs, w.j.icount, &w.i.last_pc);
    uint32_t raw = 0;
    uint64_t v;
    if (mem_tlb_hit(cpu, e, culprit))
        raw = (uint32_t)mem_ld_be((const uint8_t *)(uintptr_t)(culprit + e->addend), 4);
    else if (mem_access_slow(cpu, culprit, 4, SPARC_FETCH, cpu_super(cpu), false, &v) == 0)
        raw = (uint32_t)v;
    tessera_log(cpu->host, TESSERA_LOG_ERROR,
                "jit check: block at 0x%08x (pa 0x%09llx) differs from the interpreter at the "
                "instruction at 0x%08x (word %08x): %s",
                blk->pc, (unsigned long long)(blk->key >> 1), culprit, raw, first);
    cpu->error_mode = 1;
    *stop = 1;
    return TESSERA_CPU_ERROR_MODE;
}
