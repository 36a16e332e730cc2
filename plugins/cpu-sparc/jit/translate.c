/* SPDX-License-Identifier: MIT */
/*
 * SPARC V8 -> x86-64: one translation block is straight-line guest code of one
 * physical page, ended by a control transfer and its delay slot, the page end,
 * or max_insns (docs/jit.md). Guest registers stay in SparcCpu (rbx-relative),
 * so every interpreter handler can run in the middle of a block: what this file
 * does not translate inline it calls (execute.c's sparc_handlers[]), with PC,
 * nPC and rs->icount made exact first. Loads and stores probe the CPU's fast TLB
 * inline; a miss, an unaligned address or MMIO calls the handler, which does
 * everything the interpreter does (traps included).
 *
 * Instruction counting: the interpreter counts an instruction before running
 * it, annulled delay slots not at all. `synced` is how many of the block's
 * instructions rs->icount already holds on the current path; every exit adds
 * the rest, so icount is exact wherever generated code leaves or calls out.
 */
#include <stddef.h>
#include <stdlib.h>

#include "../mem.h"
#include "block.h"
#include "emit.h"

#define CPU_OFF(f) ((int32_t)offsetof(SparcCpu, f))
#define R_OFF(i) (CPU_OFF(r) + 4 * (int32_t)(i))
#define RS_ICOUNT ((int32_t)offsetof(TesseraRunState, icount))
#define RS_STOP_AT ((int32_t)offsetof(TesseraRunState, stop_at))
#define RS_EXIT_REQ ((int32_t)offsetof(TesseraRunState, exit_request))
#define TLB_OFF(s, a) (CPU_OFF(tlb) + (int32_t)(((s) * 3 + (a)) * SPARC_FAST_TLB_SIZE * sizeof(SparcFastTlb)))

_Static_assert(sizeof(SparcFastTlb) == 24, "the inline TLB probe scales the index by 3 * 8");
_Static_assert(offsetof(SparcFastTlb, addend) == 8 && offsetof(SparcFastTlb, dirty) == 16,
               "the inline TLB probe's field offsets");

/* Where a stale PSR.icc is while generated code has not written it: nowhere
 * (PSR is current), the host flags of the last cc op saved at [rsp], or the
 * operands of the last SUBcc (cmp), kept at [rsp + 8] (and [rsp + 16] for a
 * register operand 2; an immediate is in `imm`) so that a cc op in a hot loop
 * costs a store or two, not a pushf: the flags are made again (cmp) only
 * where something reads them. */
typedef enum { ICC_NONE, ICC_FLAGS, ICC_SUBI, ICC_SUBR } IccKind;

typedef struct IccState {
    uint8_t kind;
    int32_t imm;
} IccState;

/* Where the current instruction's nPC is: known (pc + 4 or a static target),
 * chosen by the pending branch condition (r13b), or in r15d (a JMPL target). */
typedef enum { NPC_STATIC, NPC_COND, NPC_REG } NpcKind;

typedef struct NpcState {
    NpcKind kind;
    uint32_t value; /* NPC_STATIC; NPC_COND: taken target */
    uint32_t fall;  /* NPC_COND: not taken */
} NpcState;

/* Guest registers cached in host registers within a block: loaded on first
 * use, written back (when changed) before every call out and at every exit,
 * forgotten after a call (a handler may change any register in SparcCpu). */
#define N_CACHE 6
static const X86Reg cache_host[N_CACHE] = {R8, R9, R10, R11, RBP, RDI};

typedef struct RegCache {
    int8_t guest[N_CACHE]; /* -1: free */
    uint8_t dirty[N_CACHE];
    uint32_t used[N_CACHE]; /* the instruction stamp of the last use */
} RegCache;

/* Out-of-line code, emitted after the block's main line. */
typedef struct Stub {
    enum { STUB_SLOW, STUB_EXIT } kind;
    uint8_t *field[2];   /* rel32 fields that jump here */
    unsigned n_field;
    unsigned synced;     /* instructions counted on the path at the jump */
    RegCache at_jump;    /* the register cache where the main line jumps here */
    IccState icc;        /* and where PSR.icc was there */
    RegCache at_resume;  /* STUB_SLOW: the cache the main line has at resume */
    /* STUB_SLOW: call the handler for insn, then resume (or stop). */
    const SparcDecoded *insn;
    unsigned count;      /* icount after the instruction (path-relative) */
    uint32_t pc;
    NpcState npc;
    uintptr_t resume;    /* 0: always stop after the handler */
    /* STUB_EXIT: leave for a static successor. */
    uint32_t to_pc, to_npc;
    int chain;
} Stub;

#define MAX_STUBS 256

typedef struct Tx {
    SparcJit *jit;
    JitBuf b;
    JitBlock *blk;
    unsigned sup;           /* the block's mode: PSR.S */
    uint32_t page_va;
    const uint8_t *page;    /* host view of the guest page */
    uint32_t pc;            /* current guest instruction */
    NpcState npc;
    unsigned k;             /* instructions before the current one on this path */
    unsigned synced;
    unsigned n_max;
    int fuse_cond;          /* >= 0: the last cc op already set r13b for this Bicc cond */
    bool in_delay;          /* translating a delay slot: no fusion, no block end */
    uint32_t last_pc;       /* the last word decoded */
    SparcDecoded *copies;
    unsigned n_copies, max_copies;
    Stub stubs[MAX_STUBS];
    unsigned n_stubs;
    RegCache rc;
    IccState icc;           /* where PSR.icc is while stale */
    bool icc_dead_at_header; /* a turn of the loop sets icc before anything can read it */
    uint32_t stamp;         /* counts instructions: registers in use are not evicted */
    /* loops (tx_pass) */
    const RegCache *loop_in; /* second pass: the header's registers */
    uintptr_t loop_header;
    bool has_loop;           /* first pass: a back edge to the start was seen */
    RegCache loop_state;     /* first pass: the cache at that back edge */
    uint8_t *loop_fields[16]; /* n_max fields of the entry and back-edge checks */
    unsigned n_loop_fields;
    bool full;
} Tx;

/* ---- the register cache ---- */

static void rc_reset(RegCache *c)
{
    for (unsigned i = 0; i < N_CACHE; i++) {
        c->guest[i] = -1;
        c->dirty[i] = 0;
        c->used[i] = 0;
    }
}

static void rc_writeback(Tx *t, const RegCache *c)
{
    for (unsigned i = 0; i < N_CACHE; i++)
        if (c->guest[i] >= 0 && c->dirty[i])
            emit_store(&t->b, 0, RBX, R_OFF(c->guest[i]), cache_host[i]);
}

/* Memory is current; the mapping stays. */
static void rc_flush(Tx *t)
{
    rc_writeback(t, &t->rc);
    for (unsigned i = 0; i < N_CACHE; i++)
        t->rc.dirty[i] = 0;
}

/* Reload what c maps (after a handler changed memory). */
static void rc_reload(Tx *t, const RegCache *c)
{
    for (unsigned i = 0; i < N_CACHE; i++)
        if (c->guest[i] >= 0)
            emit_load(&t->b, 0, cache_host[i], RBX, R_OFF(c->guest[i]));
}

static unsigned rc_alloc(Tx *t, unsigned g)
{
    RegCache *c = &t->rc;
    unsigned best = 0;
    for (unsigned i = 0; i < N_CACHE; i++) {
        if (c->guest[i] < 0) {
            best = i;
            goto take;
        }
        if (c->used[i] < c->used[best])
            best = i;
    }
    if (c->dirty[best])
        emit_store(&t->b, 0, RBX, R_OFF(c->guest[best]), cache_host[best]);
take:
    c->guest[best] = (int8_t)g;
    c->dirty[best] = 0;
    c->used[best] = t->stamp;
    return best;
}

static int rc_find(const RegCache *c, unsigned g)
{
    for (unsigned i = 0; i < N_CACHE; i++)
        if (c->guest[i] == (int)g)
            return (int)i;
    return -1;
}

/* The host register holding guest register g, loaded if need be. */
static X86Reg rc_use(Tx *t, unsigned g)
{
    int i = rc_find(&t->rc, g);
    if (i < 0) {
        i = (int)rc_alloc(t, g);
        emit_load(&t->b, 0, cache_host[i], RBX, R_OFF(g));
    }
    t->rc.used[i] = t->stamp;
    return cache_host[i];
}

/* The host register to write guest register g into. */
static X86Reg rc_def(Tx *t, unsigned g)
{
    int i = rc_find(&t->rc, g);
    if (i < 0)
        i = (int)rc_alloc(t, g);
    t->rc.used[i] = t->stamp;
    t->rc.dirty[i] = 1;
    return cache_host[i];
}

/* dst = guest register g (%g0 reads as 0). */
static void tx_get(Tx *t, X86Reg dst, unsigned g)
{
    if (g == 0)
        emit_mov_ri(&t->b, dst, 0);
    else
        emit_mov_rr(&t->b, 0, dst, rc_use(t, g));
}

/* guest register g = src. The %g0 sink (r[32]) is never read, so it takes no
 * cache register; it is still written, as the interpreter writes it (it is
 * part of the saved state). */
static void tx_set(Tx *t, unsigned g, X86Reg src)
{
    if (g == 32)
        emit_store(&t->b, 0, RBX, R_OFF(32), src);
    else
        emit_mov_rr(&t->b, 0, rc_def(t, g), src);
}

static void tx_set_imm(Tx *t, unsigned g, uint32_t imm)
{
    if (g == 32)
        emit_store_i32(&t->b, 0, RBX, R_OFF(32), imm);
    else
        emit_mov_ri(&t->b, rc_def(t, g), imm);
}

/* ---- small pieces ---- */

static SparcDecoded *tx_copy(Tx *t, const SparcDecoded *d)
{
    if (t->n_copies == t->max_copies) {
        t->full = true;
        t->n_copies--;
    }
    SparcDecoded *c = &t->copies[t->n_copies++];
    *c = *d;
    return c;
}

static Stub *tx_stub(Tx *t)
{
    if (t->n_stubs == MAX_STUBS) {
        t->full = true; /* give up on this block; the caller retries shorter */
        return &t->stubs[MAX_STUBS - 1];
    }
    Stub *s = &t->stubs[t->n_stubs++];
    memset(s, 0, sizeof(*s));
    s->synced = t->synced;
    s->at_jump = t->rc;
    s->icc = t->icc;
    return s;
}

static void tx_count(Tx *t, unsigned count, unsigned synced)
{
    if (count > synced)
        emit_alu_mi(&t->b, E_W, ALU_ADD, R12, RS_ICOUNT, (int32_t)(count - synced));
}

static void tx_uncount(Tx *t, unsigned count, unsigned synced)
{
    if (count > synced)
        emit_alu_mi(&t->b, E_W, ALU_SUB, R12, RS_ICOUNT, (int32_t)(count - synced));
}

/* cpu->pc and cpu->npc as the interpreter would have them before insn. */
static void tx_store_pcs(Tx *t, uint32_t pc, const NpcState *npc)
{
    JitBuf *b = &t->b;
    emit_store_i32(b, 0, RBX, CPU_OFF(pc), pc);
    switch (npc->kind) {
    case NPC_STATIC:
        emit_store_i32(b, 0, RBX, CPU_OFF(npc), npc->value);
        break;
    case NPC_COND:
        emit_mov_ri(b, RAX, npc->fall);
        emit_mov_ri(b, RCX, npc->value);
        emit_test_ri8(b, R13, 1);
        emit_cmov(b, CC_NE, RAX, RCX);
        emit_store(b, 0, RBX, CPU_OFF(npc), RAX);
        break;
    case NPC_REG:
        emit_store(b, 0, RBX, CPU_OFF(npc), R15);
        break;
    }
}

/* The host flags of the pending cc op, made again from its saved operands. */
static void tx_icc_flags_again(Tx *t, IccState icc, X86Reg scratch)
{
    JitBuf *b = &t->b;
    emit_load(b, 0, scratch, RSP, 8);
    if (icc.kind == ICC_SUBI)
        emit_alu_ri(b, 0, ALU_CMP, scratch, icc.imm);
    else
        emit_alu_rm(b, 0, ALU_CMP, scratch, RSP, 16);
}

/* PSR.icc from the pending cc op (icc): the host flags saved at [rsp] (the
 * trampoline's spare slot), or made again; the 2 KiB table turns EFLAGS &
 * 0x8c1 into N Z V C. */
static void tx_icc_materialize_from(Tx *t, IccState icc)
{
    JitBuf *b = &t->b;
    if (icc.kind == ICC_FLAGS) {
        emit_load(b, 0, RCX, RSP, 0);
    } else {
        tx_icc_flags_again(t, icc, RCX);
        emit_pushf(b);
        emit_pop(b, RCX);
    }
    emit_alu_ri(b, 0, ALU_AND, RCX, 0x8c1);
    emit_rm(b, 0, 0x8b, RCX, R14, RCX, 4, 0); /* mov ecx, [r14 + rcx*4] */
    emit_load(b, 0, RDX, RBX, CPU_OFF(psr));
    emit_alu_ri(b, 0, ALU_AND, RDX, (int32_t)~PSR_ICC);
    emit_alu_rr(b, 0, ALU_OR, RDX, RCX);
    emit_store(b, 0, RBX, CPU_OFF(psr), RDX);
}

static void tx_icc_materialize(Tx *t)
{
    tx_icc_materialize_from(t, t->icc);
}

/* Make PSR.icc current (before anything outside generated code can read it). */
static void tx_icc_commit(Tx *t)
{
    if (t->icc.kind)
        tx_icc_materialize(t);
    t->icc.kind = ICC_NONE;
}

/* After a call out: leave through the block's stop if it broke the loop (trap,
 * PSR/MMU change, interrupt request, code written) or a device asked the run
 * to end (the interpreter checks both after every instruction). */
static void tx_break_check(Tx *t)
{
    emit_alu_mi(&t->b, 0, ALU_CMP, RBX, CPU_OFF(loop_break), 0);
    emit_jcc(&t->b, CC_NE, t->blk->stop);
    emit_alu_mi(&t->b, 0, ALU_CMP, R12, RS_EXIT_REQ, 0);
    emit_jcc(&t->b, CC_NE, t->blk->stop);
}

/* Call the interpreter's handler for d, then the break check. */
static void tx_call_handler(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    rc_flush(t);
    tx_icc_commit(t);
    tx_store_pcs(t, t->pc, &t->npc);
    tx_count(t, t->k + 1, t->synced);
    t->synced = t->k + 1;
    emit_mov_rr(b, E_W, RDI, RBX);
    emit_mov_ri(b, RSI, (uint64_t)(uintptr_t)tx_copy(t, d));
    emit_call(b, (const void *)sparc_handlers[d->op]);
    rc_reset(&t->rc);
    tx_break_check(t);
}

/* A jump to an out-of-line handler call for d, resuming at the current point. */
static Stub *tx_slow(Tx *t, const SparcDecoded *d)
{
    Stub *s = tx_stub(t);
    s->kind = STUB_SLOW;
    s->insn = tx_copy(t, d);
    s->count = t->k + 1;
    s->pc = t->pc;
    s->npc = t->npc;
    return s;
}

static void tx_slow_jcc(Tx *t, Stub *s, X86Cond cc)
{
    s->field[s->n_field++] = emit_jcc_fwd(&t->b, cc);
}

/* Check mode and the exec log want the dispatcher to see every block. */
static bool tx_may_link(const Tx *t)
{
    return !t->jit->opt.check && !(t->jit->opt.log & JIT_LOG_EXEC);
}

/* cpu->pc/npc and icount are exact and nothing broke the loop: go straight to
 * the block at the new PC if the fetch TLB and the block table know it
 * (jit_lookup), else stop. */
static void tx_exit_lookup(Tx *t)
{
    JitBuf *b = &t->b;
    if (!tx_may_link(t)) {
        emit_jmp(b, t->blk->stop);
        return;
    }
    /* the jump cache, inline: tag = PC | S, gen = the fast TLB's */
    emit_load(b, 0, RAX, RBX, CPU_OFF(pc));
    emit_mov_rr(b, 0, RDX, RAX);
    emit_shift_ri(b, 0, SH_SHR, RAX, 2);
    emit_alu_ri(b, 0, ALU_AND, RAX, JIT_JC_SIZE - 1);
    emit_shift_ri(b, 0, SH_SHL, RAX, 4);
    emit_mov_ri(b, RCX, (uint64_t)(uintptr_t)t->jit->jc);
    if (t->sup)
        emit_alu_ri(b, 0, ALU_OR, RDX, 1);
    emit_cmp_mr_idx(b, RCX, RAX, 1, 0, RDX);
    uint8_t *miss1 = emit_jcc_fwd(b, CC_NE);
    emit_load(b, 0, RDX, RBX, CPU_OFF(tlb_gen));
    emit_cmp_mr_idx(b, RCX, RAX, 1, 4, RDX);
    uint8_t *miss2 = emit_jcc_fwd(b, CC_NE);
    emit_rm(b, 0, 0xff, 4, RCX, RAX, 1, 8); /* jmp qword [rcx + rax + 8] */
    emit_patch(b, miss1, emit_here(b));
    emit_patch(b, miss2, emit_here(b));
    emit_mov_rr(b, E_W, RDI, RBX);
    emit_call(b, (const void *)jit_lookup);
    emit_test_rr(b, E_W, RAX, RAX);
    emit_jcc(b, CC_E, t->blk->stop);
    emit_jmp_r(b, RAX);
}

/* Enough budget left for the block's longest path (patched in at the end),
 * and no exit request; else jump to `fail`. */
/* With rax = icount: the two jumps taken when the block cannot run again,
 * as rel32 fields to patch. */
static void tx_budget_cmp(Tx *t, uint8_t *fail[2])
{
    JitBuf *b = &t->b;
    emit_head(b, E_W, 0x05, 0, 0, 0, false); /* add rax, imm32 */
    if (t->n_loop_fields < 16)
        t->loop_fields[t->n_loop_fields++] = b->p;
    else
        t->full = true;
    emit_u32(b, 0);
    emit_alu_rm(b, E_W, ALU_CMP, RAX, R12, RS_STOP_AT);
    fail[0] = emit_jcc_fwd(b, CC_A);
    emit_alu_mi(b, 0, ALU_CMP, R12, RS_EXIT_REQ, 0);
    fail[1] = emit_jcc_fwd(b, CC_NE);
}

static void tx_budget_check(Tx *t, uintptr_t fail)
{
    uint8_t *f[2];
    emit_load(&t->b, E_W, RAX, R12, RS_ICOUNT);
    tx_budget_cmp(t, f);
    emit_patch(&t->b, f[0], fail);
    emit_patch(&t->b, f[1], fail);
}

/* A back edge to the loop header: the cache becomes the header's (what it
 * maps elsewhere written back, what it lacks loaded), the turn is counted, the
 * budget checked; out of budget, everything is written back and the block
 * stops at its own start. */
static void tx_back_edge(Tx *t, unsigned count)
{
    JitBuf *b = &t->b;
    const RegCache *in = t->loop_in;
    for (unsigned i = 0; i < N_CACHE; i++)
        if (t->rc.guest[i] >= 0 && t->rc.guest[i] != in->guest[i] && t->rc.dirty[i])
            emit_store(b, 0, RBX, R_OFF(t->rc.guest[i]), cache_host[i]);
    for (unsigned i = 0; i < N_CACHE; i++)
        if (in->guest[i] >= 0 && t->rc.guest[i] != in->guest[i])
            emit_load(b, 0, cache_host[i], RBX, R_OFF(in->guest[i]));
    if (!t->icc_dead_at_header)
        tx_icc_commit(t);
    uint8_t *out_of_budget[2];
    if (t->synced == 0) {
        /* No call in the turn: r15 holds icount at the header, so the count
         * needs no load of what the last turn stored (a loop-carried wait). */
        emit_alu_ri(b, E_W, ALU_ADD, R15, (int32_t)count);
        emit_store(b, E_W, R12, RS_ICOUNT, R15);
        emit_mov_rr(b, E_W, RAX, R15);
    } else {
        tx_count(t, count, t->synced);
        emit_load(b, E_W, RAX, R12, RS_ICOUNT);
    }
    tx_budget_cmp(t, out_of_budget);
    emit_jmp(b, t->loop_header);
    emit_patch(b, out_of_budget[0], emit_here(b));
    emit_patch(b, out_of_budget[1], emit_here(b));
    for (unsigned i = 0; i < N_CACHE; i++)
        if (in->guest[i] >= 0)
            emit_store(b, 0, RBX, R_OFF(in->guest[i]), cache_host[i]);
    if (t->icc.kind)
        tx_icc_materialize(t);
    emit_jmp(b, t->blk->stop_entry);
    if (count > t->n_max)
        t->n_max = count;
}

/* Leave for a static successor: chained when it is in this page, looked up
 * when it is not. */
static void tx_exit_static(Tx *t, unsigned count, uint32_t pc, uint32_t npc)
{
    JitBuf *b = &t->b;
    if (pc == t->blk->pc && npc == pc + 4 && tx_may_link(t)) {
        if (t->loop_in) {
            tx_back_edge(t, count);
            return;
        }
        if (!t->has_loop) {
            t->has_loop = true;
            t->loop_state = t->rc;
        }
    }
    rc_writeback(t, &t->rc);
    tx_icc_commit(t);
    tx_count(t, count, t->synced);
    if ((pc & ~SPARC_PAGE_MASK) == t->page_va && npc == pc + 4 && tx_may_link(t)) {
        /* Chained, the jump goes straight to the successor's entry, which
         * stores its own PC if it stops at once (blk->stop_entry). */
        uint8_t *field = emit_jmp_fwd(b); /* falls through until patched */
        emit_patch(b, field, emit_here(b));
        emit_store_i32(b, 0, RBX, CPU_OFF(pc), pc);
        emit_store_i32(b, 0, RBX, CPU_OFF(npc), npc);
        emit_mov_ri(b, RAX, (uint64_t)((uintptr_t)field + (uintptr_t)b->rx));
        emit_jmp(b, t->jit->exit);
        if (count > t->n_max)
            t->n_max = count;
        return;
    }
    emit_store_i32(b, 0, RBX, CPU_OFF(pc), pc);
    emit_store_i32(b, 0, RBX, CPU_OFF(npc), npc);
    if (npc == pc + 4) {
        tx_exit_lookup(t);
    } else {
        emit_jmp(b, t->blk->stop);
    }
    if (count > t->n_max)
        t->n_max = count;
}

static Stub *tx_exit_stub(Tx *t, unsigned count, uint32_t pc, uint32_t npc)
{
    Stub *s = tx_stub(t);
    s->kind = STUB_EXIT;
    s->count = count;
    s->to_pc = pc;
    s->to_npc = npc;
    return s;
}

static void tx_emit_stubs(Tx *t)
{
    JitBuf *b = &t->b;
    for (unsigned i = 0; i < t->n_stubs; i++) {
        Stub *s = &t->stubs[i];
        if (b->p + JIT_MARGIN > b->end) {
            t->full = true;
            return;
        }
        uintptr_t here = emit_here(b);
        for (unsigned f = 0; f < s->n_field; f++)
            emit_patch(b, s->field[f], here);
        if (s->kind == STUB_EXIT) {
            t->synced = s->synced;
            t->rc = s->at_jump;
            t->icc = s->icc;
            tx_exit_static(t, s->count, s->to_pc, s->to_npc);
            continue;
        }
        rc_writeback(t, &s->at_jump);
        if (s->icc.kind)
            tx_icc_materialize_from(t, s->icc);
        tx_store_pcs(t, s->pc, &s->npc);
        tx_count(t, s->count, s->synced);
        emit_mov_rr(b, E_W, RDI, RBX);
        emit_mov_ri(b, RSI, (uint64_t)(uintptr_t)s->insn);
        emit_call(b, (const void *)sparc_handlers[s->insn->op]);
        if (!s->resume) {
            emit_jmp(b, t->blk->stop);
            continue;
        }
        tx_break_check(t);
        tx_uncount(t, s->count, s->synced);
        rc_reload(t, &s->at_resume);
        emit_jmp(b, s->resume);
    }
}

/* ---- condition codes ---- */

/* Bicc condition -> the x86 condition that holds when it does, given host
 * flags N=SF Z=ZF V=OF C=CF (which add, sub, adc, sbb and the logic ops give). */
static const X86Cond bicc_to_x86[16] = {
    [1] = CC_E, [2] = CC_LE, [3] = CC_L, [4] = CC_BE, [5] = CC_B, [6] = CC_S, [7] = CC_O,
    [9] = CC_NE, [10] = CC_G, [11] = CC_GE, [12] = CC_A, [13] = CC_AE, [14] = CC_NS, [15] = CC_NO,
};

/* The Bicc masks of execute.c over N<<3|Z<<2|V<<1|C. */
static const uint16_t bicc_mask[16] = {
    0x0000, 0xf0f0, 0xf3fc, 0x33cc, 0xfafa, 0xaaaa, 0xff00, 0xcccc,
    0xffff, 0x0f0f, 0x0c03, 0xcc33, 0x0505, 0x5555, 0x00ff, 0x3333,
};

/* The next word is a conditional Bicc this block will translate right after
 * the current instruction: its condition, else -1. */
static int tx_next_bicc(Tx *t)
{
    if (t->in_delay || ((t->pc + 4) & ~SPARC_PAGE_MASK) != t->page_va)
        return -1;
    uint32_t raw;
    memcpy(&raw, t->page + ((t->pc + 4) & SPARC_PAGE_MASK), 4);
    SparcDecoded d;
    decode_insn(&d, raw);
    return d.op == OP_BICC ? d.cond : -1;
}

/* Host flags hold the SPARC icc of the result in eax: take the fused branch
 * condition, then write PSR.icc (pushf; table lookup). */
static void tx_set_icc(Tx *t)
{
    JitBuf *b = &t->b;
    int cond = tx_next_bicc(t);
    if (cond >= 0) {
        emit_setcc(b, bicc_to_x86[cond], R13);
        t->fuse_cond = cond;
    }
    emit_pushf(b);
    emit_rm(b, 0, 0x8f, 0, RSP, -1, 1, 0); /* pop qword [rsp] */
    t->icc.kind = ICC_FLAGS;
}

/* SUBcc's operands are at [rsp + 8] (and [rsp + 16], or imm): the fused
 * branch condition from the host flags, PSR.icc made only where read. */
static void tx_set_icc_sub(Tx *t, IccKind kind, int32_t imm)
{
    int cond = tx_next_bicc(t);
    if (cond >= 0) {
        emit_setcc(&t->b, bicc_to_x86[cond], R13);
        t->fuse_cond = cond;
    }
    t->icc = (IccState){(uint8_t)kind, imm};
}

/* r13b = whether Bicc cond holds, from PSR. */
static void tx_eval_cond(Tx *t, unsigned cond)
{
    JitBuf *b = &t->b;
    if (t->fuse_cond == (int)cond)
        return;
    tx_icc_commit(t);
    emit_load(b, 0, RAX, RBX, CPU_OFF(psr));
    emit_shift_ri(b, 0, SH_SHR, RAX, 20);
    emit_alu_ri(b, 0, ALU_AND, RAX, 15);
    emit_mov_ri(b, RCX, bicc_mask[cond]);
    emit_bt_rr(b, RCX, RAX);
    emit_setcc(b, CC_B, R13);
}

/* ---- integer unit ---- */

/* eax = eax (op) operand 2 (a register or the immediate). */
static void tx_op2(Tx *t, X86Alu op, const SparcDecoded *d)
{
    if (d->rs2)
        emit_alu_rr(&t->b, 0, op, RAX, rc_use(t, d->rs2));
    else
        emit_alu_ri(&t->b, 0, op, RAX, d->imm);
}

/* ecx = operand 2 */
static void tx_op2_ecx(Tx *t, const SparcDecoded *d)
{
    if (d->rs2)
        tx_get(t, RCX, d->rs2);
    else
        emit_mov_ri(&t->b, RCX, (uint32_t)d->imm);
}

/* The ALU ops translated inline: the x86 operation (+1; 0 = not one) and
 * whether the op sets icc. ANDN/ORN/XNOR complement an operand around it. */
static const struct {
    uint8_t x86;
    bool cc;
} alu_ops[OP_COUNT] = {
#define A(sparc, x86op) [OP_##sparc] = {ALU_##x86op + 1, false}, [OP_##sparc##CC] = {ALU_##x86op + 1, true}
    A(ADD, ADD), A(SUB, SUB), A(AND, AND), A(OR, OR), A(XOR, XOR), A(ADDX, ADC), A(SUBX, SBB),
    A(ANDN, AND), A(ORN, OR), A(XNOR, XOR),
#undef A
};

static bool tx_alu(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    if (!alu_ops[d->op].x86)
        return false;
    X86Alu op = (X86Alu)(alu_ops[d->op].x86 - 1);
    bool cc = alu_ops[d->op].cc;
    bool plain = d->op == OP_ADD || d->op == OP_ADDCC || d->op == OP_SUB || d->op == OP_SUBCC ||
                 d->op == OP_AND || d->op == OP_ANDCC || d->op == OP_OR || d->op == OP_ORCC ||
                 d->op == OP_XOR || d->op == OP_XORCC;
    if (plain && d->rd != 32) {
        /* straight into rd's register: rd = rs1; rd op= operand 2 */
        X86Reg hb = d->rs2 ? rc_use(t, d->rs2) : RAX;
        X86Reg ha = d->rs1 ? rc_use(t, d->rs1) : RAX;
        X86Reg hd = rc_def(t, d->rd);
        if ((op == ALU_SUB) && !d->rs1 && d->rs2 && hd == hb) {
            /* rd = 0 - rd: neg sets the flags subtraction from 0 does */
            emit_neg(b, hd);
            if (cc)
                tx_set_icc(t);
            return true;
        }
        if (!d->rs2 || hd != hb || d->rs1 == d->rs2) {
            bool lazy = d->op == OP_SUBCC && d->rs1;
            if (lazy) {
                emit_store(b, 0, RSP, 8, ha);
                if (d->rs2)
                    emit_store(b, 0, RSP, 16, hb);
            }
            if (!d->rs1)
                emit_mov_ri(b, hd, 0);
            else if (hd != ha)
                emit_mov_rr(b, 0, hd, ha);
            if (d->rs2)
                emit_alu_rr(b, 0, op, hd, hb);
            else if (cc || d->imm || op == ALU_AND) /* x + 0 = x - 0 = x | 0 = x ^ 0 = x */
                emit_alu_ri(b, 0, op, hd, d->imm);
            if (lazy)
                tx_set_icc_sub(t, d->rs2 ? ICC_SUBR : ICC_SUBI, d->imm);
            else if (cc)
                tx_set_icc(t);
            return true;
        }
    }
    tx_get(t, RAX, d->rs1);
    switch (d->op) {
    case OP_ADDX: case OP_ADDXCC: case OP_SUBX: case OP_SUBXCC:
        tx_op2_ecx(t, d);
        if (t->icc.kind == ICC_FLAGS)
            emit_bt_mi(b, RSP, 0, 0); /* CF = the last cc op's carry */
        else if (t->icc.kind)
            tx_icc_flags_again(t, t->icc, RDX); /* CF = the last SUBcc's borrow */
        else
            emit_bt_mi(b, RBX, CPU_OFF(psr), 20); /* CF = PSR.C */
        emit_alu_rr(b, 0, op, RAX, RCX);
        break;
    case OP_ANDN: case OP_ANDNCC: case OP_ORN: case OP_ORNCC:
        tx_op2_ecx(t, d);
        emit_not(b, RCX);
        emit_alu_rr(b, 0, op, RAX, RCX);
        break;
    case OP_XNOR: case OP_XNORCC:
        tx_op2(t, op, d);
        emit_not(b, RAX);
        if (cc)
            emit_test_rr(b, 0, RAX, RAX);
        break;
    default:
        if (d->op == OP_SUBCC && d->rs1) { /* cmp and friends: lazily */
            emit_store(b, 0, RSP, 8, RAX);
            if (d->rs2)
                emit_store(b, 0, RSP, 16, rc_use(t, d->rs2));
            tx_op2(t, op, d);
            tx_set(t, d->rd, RAX);
            tx_set_icc_sub(t, d->rs2 ? ICC_SUBR : ICC_SUBI, d->imm);
            return true;
        }
        /* x + 0 = x - 0 = x | 0 = x ^ 0 = x: a plain move needs no operation */
        if (cc || d->rs2 || d->imm || op == ALU_AND)
            tx_op2(t, op, d);
        break;
    }
    tx_set(t, d->rd, RAX);
    if (cc)
        tx_set_icc(t);
    return true;
}

static void tx_shift(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    X86Shift op = d->op == OP_SLL ? SH_SHL : d->op == OP_SRL ? SH_SHR : SH_SAR;
    if (d->rd != 32 && d->rs1) {
        /* straight into rd's register: rd = rs1; rd shifted */
        if (d->rs2)
            tx_get(t, RCX, d->rs2);
        X86Reg ha = rc_use(t, d->rs1);
        X86Reg hd = rc_def(t, d->rd);
        if (hd != ha)
            emit_mov_rr(b, 0, hd, ha);
        if (d->rs2)
            emit_shift_cl(b, op, hd);
        else if (d->imm & 31)
            emit_shift_ri(b, 0, op, hd, (unsigned)d->imm & 31);
        return;
    }
    tx_get(t, RAX, d->rs1);
    if (d->rs2) {
        tx_get(t, RCX, d->rs2);
        emit_shift_cl(b, op, RAX); /* x86 masks the count to 5 bits, as V8 does */
    } else if (d->imm & 31) {
        emit_shift_ri(b, 0, op, RAX, (unsigned)d->imm & 31);
    }
    tx_set(t, d->rd, RAX);
}

/* UMUL/SMUL(cc): Y = high word; cc forms set N, Z from the low word, clear V, C. */
static void tx_mul(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    bool is_signed = d->op == OP_SMUL || d->op == OP_SMULCC;
    tx_get(t, RAX, d->rs1);
    tx_op2_ecx(t, d);
    emit_mul(b, RCX, is_signed);
    emit_store(b, 0, RBX, CPU_OFF(y), RDX);
    tx_set(t, d->rd, RAX);
    if (d->op == OP_UMULCC || d->op == OP_SMULCC) {
        emit_test_rr(b, 0, RAX, RAX);
        tx_set_icc(t);
    }
}

/* ---- memory ---- */

/* eax = r[rs1] + operand 2 */
static void tx_address(Tx *t, const SparcDecoded *d)
{
    tx_get(t, RAX, d->rs1);
    if (d->rs2 || d->imm)
        tx_op2(t, ALU_ADD, d);
}

/* eax = effective address; the fast TLB probe for `access`; on a hit rax is the
 * host address and rcx the entry index * 3. Misses and misalignment go to the
 * returned slow path (its register cache is the one after the address). */
static Stub *tx_probe_table(Tx *t, const SparcDecoded *d, unsigned size, int32_t tlb)
{
    JitBuf *b = &t->b;
    tx_address(t, d);
    Stub *s = tx_slow(t, d);
    if (size > 1) {
        emit_test_ri8(b, RAX, (uint8_t)(size - 1));
        tx_slow_jcc(t, s, CC_NE);
    }
    emit_mov_rr(b, 0, RCX, RAX);
    emit_shift_ri(b, 0, SH_SHR, RCX, 12);
    emit_alu_ri(b, 0, ALU_AND, RCX, SPARC_FAST_TLB_SIZE - 1);
    emit_lea(b, 0, RCX, RCX, RCX, 2, 0);
    emit_mov_rr(b, 0, RDX, RAX);
    emit_alu_ri(b, 0, ALU_AND, RDX, (int32_t)~SPARC_PAGE_MASK);
    emit_alu_rm(b, 0, ALU_OR, RDX, RBX, CPU_OFF(tlb_gen)); /* mem_tlb_tag */
    emit_cmp_mr_idx(b, RBX, RCX, 8, tlb, RDX);
    tx_slow_jcc(t, s, CC_NE);
    emit_add64_m_idx(b, RAX, RBX, RCX, 8, tlb + 8);
    return s;
}

static Stub *tx_probe(Tx *t, const SparcDecoded *d, unsigned size, SparcAccess access)
{
    return tx_probe_table(t, d, size, TLB_OFF(t->sup, access));
}

static void tx_check_hook(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    rc_flush(t);
    tx_icc_commit(t);
    tx_store_pcs(t, t->pc, &t->npc);
    emit_mov_rr(b, E_W, RDI, RBX);
    emit_mov_ri(b, RSI, (uint64_t)(uintptr_t)tx_copy(t, d));
    emit_call(b, (const void *)jit_check_access);
    rc_reset(&t->rc);
    emit_test_rr(b, 0, RAX, RAX);
    uint8_t *f = emit_jcc_fwd(b, CC_E);
    tx_count(t, t->k, t->synced); /* what ran before, for the log */
    emit_mov_ri(b, RAX, JIT_EXIT_BAIL);
    emit_jmp(b, t->jit->exit);
    emit_patch(b, f, emit_here(b));
}

/* Bytes moved by the loads and stores translated inline, and whether they
 * store; 0 for the rest (and for LDD/STD with an odd rd: illegal, the handler
 * traps). */
static unsigned inline_access(const SparcDecoded *d, bool *store)
{
    static const uint8_t size[OP_COUNT] = {
        [OP_LD] = 4, [OP_LDUB] = 1, [OP_LDSB] = 1, [OP_LDUH] = 2, [OP_LDSH] = 2, [OP_LDD] = 8,
        [OP_ST] = 4, [OP_STB] = 1, [OP_STH] = 2, [OP_STD] = 8,
        [OP_STA] = 4, [OP_STBA] = 1, [OP_STHA] = 2, [OP_STDA] = 8,
    };
    *store = d->op == OP_ST || d->op == OP_STB || d->op == OP_STH || d->op == OP_STD ||
             d->op == OP_STA || d->op == OP_STBA || d->op == OP_STHA || d->op == OP_STDA;
    if (size[d->op] == 8 && (d->rd & 1))
        return 0;
    return size[d->op];
}

/* Alternate-space stores translated inline: ASI 0x20 (MMU bypass, Linux's
 * page-table and page clearing stores) in supervisor blocks, probing
 * cpu->bypass by PA as the others probe by VA. User mode traps and the
 * illegal immediate form go to the handler. */
static bool inline_bypass(const Tx *t, const SparcDecoded *d)
{
    return t->sup && !d->annul && d->asi == 0x20;
}

static bool is_alt_store(unsigned op)
{
    return op == OP_STA || op == OP_STBA || op == OP_STHA || op == OP_STDA;
}

static bool tx_load(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    bool store;
    unsigned size = inline_access(d, &store);
    if (!size || store)
        return false;
    Stub *s = tx_probe(t, d, size, SPARC_LOAD);
    switch (d->op) {
    case OP_LD:
        emit_load(b, 0, RAX, RAX, 0);
        emit_bswap(b, 0, RAX);
        break;
    case OP_LDUB:
        emit_rm(b, 0, 0x0fb6, RAX, RAX, -1, 1, 0);
        break;
    case OP_LDSB:
        emit_rm(b, 0, 0x0fbe, RAX, RAX, -1, 1, 0);
        break;
    case OP_LDUH: case OP_LDSH:
        emit_rm(b, 0, 0x0fb7, RAX, RAX, -1, 1, 0);
        emit_bswap(b, 0, RAX);
        emit_shift_ri(b, 0, d->op == OP_LDSH ? SH_SAR : SH_SHR, RAX, 16);
        break;
    case OP_LDD:
        emit_load(b, E_W, RAX, RAX, 0);
        emit_bswap(b, E_W, RAX);
        tx_set(t, d->rd + 1u, RAX);
        emit_shift_ri(b, E_W, SH_SHR, RAX, 32);
        if (d->rd)
            tx_set(t, d->rd, RAX);
        s->at_resume = t->rc;
        s->resume = emit_here(b);
        return true;
    }
    tx_set(t, d->rd, RAX);
    s->at_resume = t->rc;
    s->resume = emit_here(b);
    return true;
}

static bool tx_store(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    bool store;
    unsigned size = inline_access(d, &store);
    if (!size || !store)
        return false;
    bool alt = is_alt_store(d->op);
    if (alt && !inline_bypass(t, d))
        return false;
    int32_t tlb = alt ? CPU_OFF(bypass) : TLB_OFF(t->sup, SPARC_STORE);
    Stub *s = tx_probe_table(t, d, size, tlb);
    tx_get(t, RDX, d->rd);
    switch (size) {
    case 4:
        emit_bswap(b, 0, RDX);
        emit_store(b, 0, RAX, 0, RDX);
        break;
    case 1:
        emit_rm(b, E_BYTE, 0x88, RDX, RAX, -1, 1, 0);
        break;
    case 2:
        emit_bswap16(b, RDX);
        emit_store(b, E_66, RAX, 0, RDX);
        break;
    case 8:
        tx_get(t, RSI, d->rd + 1u);
        emit_shift_ri(b, E_W, SH_SHL, RDX, 32);
        emit_alu_rr(b, E_W, ALU_OR, RDX, RSI);
        emit_bswap(b, E_W, RDX);
        emit_store(b, E_W, RAX, 0, RDX);
        break;
    }
    /* the page's dirty-log byte (docs/memory.md) */
    emit_load64_idx(b, RDX, RBX, RCX, 8, tlb + 16);
    emit_store_i8(b, RDX, 0, TESSERA_DIRTY_ALL);
    s->at_resume = t->rc;
    s->resume = emit_here(b);
    return true;
}

/* ---- register windows ---- */

#define WIN_OFF(i) (CPU_OFF(windows) + 4 * (int32_t)(i))

/* rdx = w * 64, w = (ecx + delta) mod 8: windows[w] is at [rbx + rdx + WIN_OFF(0)]. */
static void tx_window_index(Tx *t, int delta)
{
    JitBuf *b = &t->b;
    emit_lea(b, 0, RDX, RCX, -1, 1, delta);
    emit_alu_ri(b, 0, ALU_AND, RDX, SPARC_NWINDOWS - 1);
    emit_shift_ri(b, 0, SH_SHL, RDX, 6);
}

/* n words between r[] at `r` and windows[w] (rdx) at word `i`, two at a time. */
static void tx_window_copy(Tx *t, bool to_window, unsigned r, unsigned i, unsigned n)
{
    JitBuf *b = &t->b;
    for (unsigned j = 0; j < n; j += 2) {
        if (to_window) {
            emit_load(b, E_W, RAX, RBX, R_OFF(r + j));
            emit_rm(b, E_W, 0x89, RAX, RBX, RDX, 1, WIN_OFF(i + j));
        } else {
            emit_rm(b, E_W, 0x8b, RAX, RBX, RDX, 1, WIN_OFF(i + j));
            emit_store(b, E_W, RBX, R_OFF(r + j), RAX);
        }
    }
}

static void tx_move_regs(Tx *t, unsigned to, unsigned from)
{
    for (unsigned j = 0; j < 8; j += 2) {
        emit_load(&t->b, E_W, RAX, RBX, R_OFF(from + j));
        emit_store(&t->b, E_W, RBX, R_OFF(to + j), RAX);
    }
}

/* SAVE and RESTORE inline (V8 B.20): the sum in the old window, the WIM
 * check (a trap goes to the handler), CWP, the copies of traps.c's
 * window_down/window_up (the same words to the same places, so both
 * accelerators leave identical state), rd in the new window. Globals stay
 * cached; windowed registers leave the cache. */
static void tx_window(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    bool save = d->op == OP_SAVE;
    tx_address(t, d);
    emit_mov_rr(b, 0, RSI, RAX);
    for (unsigned i = 0; i < N_CACHE; i++) {
        int g = t->rc.guest[i];
        if (g >= 8 && g < 32) {
            if (t->rc.dirty[i])
                emit_store(b, 0, RBX, R_OFF(g), cache_host[i]);
            t->rc.guest[i] = -1;
            t->rc.dirty[i] = 0;
        }
    }
    Stub *s = tx_slow(t, d); /* overflow/underflow: the handler traps */
    emit_load(b, 0, RDX, RBX, CPU_OFF(psr));
    emit_lea(b, 0, RCX, RDX, -1, 1, save ? -1 : 1);
    emit_alu_ri(b, 0, ALU_AND, RCX, SPARC_NWINDOWS - 1);
    emit_load(b, 0, RAX, RBX, CPU_OFF(wim));
    emit_bt_rr(b, RAX, RCX);
    tx_slow_jcc(t, s, CC_B);
    emit_alu_ri(b, 0, ALU_AND, RDX, (int32_t)~PSR_CWP);
    emit_alu_rr(b, 0, ALU_OR, RDX, RCX);
    emit_store(b, 0, RBX, CPU_OFF(psr), RDX);
    if (save) { /* window_down: ecx = the new CWP */
        tx_window_index(t, 1);
        tx_window_copy(t, true, 16, 0, 16);
        tx_move_regs(t, 24, 8);
        tx_window_index(t, 0);
        tx_window_copy(t, false, 16, 0, 8);
        tx_window_index(t, -1);
        tx_window_copy(t, false, 8, 8, 8);
    } else { /* window_up */
        tx_window_index(t, -1);
        tx_window_copy(t, true, 16, 0, 8);
        tx_window_index(t, -2);
        tx_window_copy(t, true, 8, 8, 8);
        tx_move_regs(t, 8, 24);
        tx_window_index(t, 0);
        tx_window_copy(t, false, 16, 0, 16);
    }
    tx_set(t, d->rd, RSI);
}

static bool is_memory_op(unsigned op)
{
    return op >= OP_LD && op <= OP_STDF;
}

/* One instruction that is not a control transfer. */
static void tx_insn(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    t->stamp++;
    t->fuse_cond = -1;
    if (t->jit->opt.check && is_memory_op(d->op))
        tx_check_hook(t, d);
    switch (d->op) {
    case OP_NOP:
    case OP_FLUSH: /* the memory contract keeps decoded code coherent */
    case OP_WRASR:
        return;
    case OP_SETHI:
        tx_set_imm(t, d->rd, (uint32_t)d->imm);
        return;
    case OP_SLL: case OP_SRL: case OP_SRA:
        tx_shift(t, d);
        return;
    case OP_UMUL: case OP_SMUL: case OP_UMULCC: case OP_SMULCC:
        tx_mul(t, d);
        return;
    case OP_SAVE: case OP_RESTORE:
        tx_window(t, d);
        return;
    case OP_RDY:
        emit_load(b, 0, RAX, RBX, CPU_OFF(y));
        tx_set(t, d->rd, RAX);
        return;
    case OP_WRY:
        tx_get(t, RAX, d->rs1);
        tx_op2(t, ALU_XOR, d);
        emit_store(b, 0, RBX, CPU_OFF(y), RAX);
        return;
    default:
        break;
    }
    if (tx_alu(t, d) || tx_load(t, d) || tx_store(t, d))
        return;
    tx_call_handler(t, d);
}

/* ---- control transfers ---- */

static bool is_cti(unsigned op)
{
    switch (op) {
    case OP_BICC: case OP_BA: case OP_BN: case OP_FBFCC:
    case OP_CALL: case OP_JMPL: case OP_RETT:
        return true;
    default:
        return false;
    }
}

static void tx_decode(Tx *t, uint32_t pc, SparcDecoded *d)
{
    if (pc > t->last_pc)
        t->last_pc = pc;
    uint32_t raw;
    memcpy(&raw, t->page + (pc & SPARC_PAGE_MASK), 4);
    decode_insn(d, raw);
}

/* The delay slot at t->pc + 4 with nPC as given; then t->k counts it. */
static void tx_delay(Tx *t, const SparcDecoded *dd, NpcState npc)
{
    t->pc += 4;
    t->k++;
    t->npc = npc;
    t->in_delay = true;
    tx_insn(t, dd);
    t->in_delay = false;
    t->k++;
}

/* A control transfer at t->pc. Returns whether the block goes on (at t->pc,
 * with t->k counted) after it. */
static bool tx_cti(Tx *t, const SparcDecoded *d)
{
    JitBuf *b = &t->b;
    uint32_t pc = t->pc;
    uint32_t target = pc + (uint32_t)d->imm;
    SparcDecoded dd;
    bool slot_here = ((pc + 4) & ~SPARC_PAGE_MASK) == t->page_va;
    if (slot_here)
        tx_decode(t, pc + 4, &dd);
    int fused = t->fuse_cond;
    t->fuse_cond = -1;
    t->stamp++;

    if (d->op == OP_BN && !d->annul) /* a no-op whose delay slot just runs */
        goto go_on;
    if (d->op == OP_BN) { /* annuls its delay slot */
        tx_exit_static(t, t->k + 1, pc + 8, pc + 12);
        return false;
    }
    if (d->op == OP_BA && d->annul) {
        tx_exit_static(t, t->k + 1, target, target + 4);
        return false;
    }
    if (!slot_here || is_cti(dd.op) || d->op == OP_FBFCC || d->op == OP_RETT) {
        /* the handler, then whatever PC/nPC it left (a delay slot runs in the
         * dispatcher's interpreter step) */
        tx_call_handler(t, d);
        /* the jump cache assumes nPC = PC + 4 */
        emit_load(b, 0, RAX, RBX, CPU_OFF(pc));
        emit_alu_ri(b, 0, ALU_ADD, RAX, 4);
        emit_alu_rm(b, 0, ALU_CMP, RAX, RBX, CPU_OFF(npc));
        emit_jcc(b, CC_NE, t->blk->stop);
        tx_exit_lookup(t);
        if (t->k + 1 > t->n_max)
            t->n_max = t->k + 1;
        return false;
    }
    switch (d->op) {
    case OP_BA:
        tx_delay(t, &dd, (NpcState){NPC_STATIC, target, 0});
        tx_exit_static(t, t->k, target, target + 4);
        return false;
    case OP_CALL:
        tx_set_imm(t, 15, pc);
        tx_delay(t, &dd, (NpcState){NPC_STATIC, target, 0});
        tx_exit_static(t, t->k, target, target + 4);
        return false;
    case OP_BICC:
        t->fuse_cond = fused;
        tx_eval_cond(t, d->cond);
        t->fuse_cond = -1;
        if (d->annul) {
            emit_test_ri8(b, R13, 1);
            Stub *s = tx_exit_stub(t, t->k + 1, pc + 8, pc + 12);
            tx_slow_jcc(t, s, CC_E);
            tx_delay(t, &dd, (NpcState){NPC_STATIC, target, 0});
            tx_exit_static(t, t->k, target, target + 4);
            return false;
        }
        tx_delay(t, &dd, (NpcState){NPC_COND, target, pc + 8});
        emit_test_ri8(b, R13, 1);
        Stub *taken = tx_exit_stub(t, t->k, target, target + 4);
        tx_slow_jcc(t, taken, CC_NE);
        t->pc = pc + 8;
        t->npc = (NpcState){NPC_STATIC, pc + 12, 0};
        return true;
    case OP_JMPL: {
        tx_address(t, d);
        Stub *s = tx_slow(t, d); /* misaligned: the handler traps */
        emit_test_ri8(b, RAX, 3);
        tx_slow_jcc(t, s, CC_NE);
        emit_mov_rr(b, 0, R15, RAX);
        tx_set_imm(t, d->rd, pc);
        tx_delay(t, &dd, (NpcState){NPC_REG, 0, 0});
        /* pc = target, npc = target + 4: an indirect exit */
        rc_writeback(t, &t->rc);
        tx_icc_commit(t);
        tx_count(t, t->k, t->synced);
        emit_store(b, 0, RBX, CPU_OFF(pc), R15);
        emit_lea(b, 0, RAX, R15, -1, 1, 4);
        emit_store(b, 0, RBX, CPU_OFF(npc), RAX);
        tx_exit_lookup(t);
        if (t->k > t->n_max)
            t->n_max = t->k;
        return false;
    }
    default:
        break;
    }
go_on:
    t->k++;
    t->pc += 4;
    t->npc = (NpcState){NPC_STATIC, t->pc + 4, 0};
    return true;
}

/* ---- blocks ---- */

/* Whether the code at pc sets icc before anything could read it: only
 * inline ALU work (no slow path, no handler, no control transfer) comes
 * before an inline cc op that does not read icc itself. */
static bool icc_dead_from(Tx *t, uint32_t pc)
{
    for (; (pc & ~SPARC_PAGE_MASK) == t->page_va; pc += 4) {
        uint32_t raw;
        memcpy(&raw, t->page + (pc & SPARC_PAGE_MASK), 4);
        SparcDecoded d;
        decode_insn(&d, raw);
        switch (d.op) {
        case OP_ADDCC: case OP_SUBCC: case OP_ANDCC: case OP_ORCC: case OP_XORCC:
        case OP_ANDNCC: case OP_ORNCC: case OP_XNORCC: case OP_UMULCC: case OP_SMULCC:
            return true;
        case OP_ADD: case OP_SUB: case OP_AND: case OP_OR: case OP_XOR: case OP_ANDN:
        case OP_ORN: case OP_XNOR: case OP_SLL: case OP_SRL: case OP_SRA: case OP_SETHI:
        case OP_NOP: case OP_UMUL: case OP_SMUL: case OP_RDY: case OP_WRY:
            continue;
        default:
            return false;
        }
    }
    return false;
}

/* One translation of the block into t (from scratch). With loop_in, the
 * block is a loop: after the entry checks, the registers of loop_in are loaded
 * and a back edge to the block's own start jumps to that point (the loop
 * header) with the cache reconciled to loop_in, instead of leaving and coming
 * back through the entry. */
static bool tx_pass(Tx *t, unsigned max_insns, const RegCache *loop_in)
{
    JitBlock *blk = t->blk;
    JitBuf *b = &t->b;
    uint32_t pc = blk->pc;
    t->pc = pc;
    t->last_pc = pc;
    t->npc = (NpcState){NPC_STATIC, pc + 4, 0};
    t->k = t->synced = t->n_max = 0;
    t->fuse_cond = -1;
    t->in_delay = false;
    t->n_copies = t->n_stubs = t->n_loop_fields = 0;
    t->full = false;
    t->loop_in = loop_in;
    t->has_loop = false;
    t->icc.kind = ICC_NONE;
    t->icc_dead_at_header = icc_dead_from(t, pc);
    rc_reset(&t->rc);
    if (b->p + 4 * JIT_MARGIN > b->end)
        return false;
    /* the block's stop: leave with everything already exact */
    blk->stop = emit_here(b);
    emit_alu_rr(b, 0, ALU_XOR, RAX, RAX);
    emit_jmp(b, t->jit->exit);
    /* where the entry stops when it cannot run: a chained jump did not store
     * PC and nPC, so this does */
    blk->stop_entry = emit_here(b);
    emit_store_i32(b, 0, RBX, CPU_OFF(pc), pc);
    emit_store_i32(b, 0, RBX, CPU_OFF(npc), pc + 4);
    emit_jmp(b, blk->stop);
    /* entry: enough budget left for the longest path, and no exit request */
    blk->entry = emit_here(b);
    blk->entry_rw = b->p;
    tx_budget_check(t, blk->stop_entry);
    if (loop_in) {
        /* every register of the loop's cache counts as changed (the header
         * cannot know which ones a turn wrote) */
        rc_reload(t, loop_in);
        emit_load(b, E_W, R15, R12, RS_ICOUNT); /* tx_back_edge's count */
        t->rc = *loop_in;
        for (unsigned i = 0; i < N_CACHE; i++)
            t->rc.dirty[i] = loop_in->guest[i] >= 0;
        t->loop_header = emit_here(b);
    }

    for (;;) {
        if (b->p + 4 * JIT_MARGIN > b->end || t->n_stubs + 4 > MAX_STUBS) {
            if (t->k == 0)
                return false;
            tx_exit_static(t, t->k, t->pc, t->pc + 4);
            break;
        }
        if (t->k >= max_insns) {
            tx_exit_static(t, t->k, t->pc, t->pc + 4);
            break;
        }
        SparcDecoded d;
        tx_decode(t, t->pc, &d);
        if (is_cti(d.op)) {
            if (!tx_cti(t, &d))
                break;
        } else {
            tx_insn(t, &d);
            t->k++;
            t->pc += 4;
            t->npc = (NpcState){NPC_STATIC, t->pc + 4, 0};
        }
        if ((t->pc & ~SPARC_PAGE_MASK) != t->page_va) {
            tx_exit_static(t, t->k, t->pc, t->pc + 4);
            break;
        }
    }
    tx_emit_stubs(t);
    if (t->full)
        return false;
    for (unsigned i = 0; i < t->n_loop_fields; i++)
        memcpy(t->loop_fields[i], &(uint32_t){t->n_max}, 4);
    return true;
}

JitBlock *jit_translate(SparcJit *jit, uint32_t pc, uint64_t pa, const uint8_t *page,
                        unsigned max_insns)
{
    CodeBuf *cb = &jit->cb;
    Tx *t = calloc(1, sizeof(Tx));
    if (!t)
        abort();
    t->jit = jit;
    t->b.end = cb->rw + cb->size;
    t->b.rx = cb->rx - cb->rw;
    t->sup = (jit->cpu->psr & PSR_S) ? 1 : 0;
    t->page_va = pc & ~SPARC_PAGE_MASK;
    t->page = page;
    /* each instruction leaves at most two copies (handler call and check hook) */
    t->max_copies = 2 * (max_insns + 2);
    t->copies = jit_arena_alloc(&jit->arena, t->max_copies * sizeof(SparcDecoded));

    JitBlock *blk = jit_arena_alloc(&jit->arena, sizeof(JitBlock));
    memset(blk, 0, sizeof(*blk));
    blk->key = pa << 1 | t->sup;
    blk->pc = pc;
    blk->insn = t->copies;
    t->blk = blk;

    t->b.p = cb->rw + cb->used;
    bool ok = tx_pass(t, max_insns, NULL);
    if (ok && t->has_loop && tx_may_link(t)) {
        /* a loop: translate again with the back edge's registers kept */
        RegCache loop = t->loop_state;
        t->b.p = cb->rw + cb->used;
        ok = tx_pass(t, max_insns, &loop);
    }
    if (!ok) {
        free(t);
        return NULL;
    }
    JitBuf *b = &t->b;
    blk->n_max = (uint16_t)t->n_max;
    blk->n_words = (uint16_t)((t->last_pc - pc) / 4 + 1);
    size_t start = cb->used;
    cb->used = (size_t)(b->p - cb->rw);
    cb->used = (cb->used + 15) & ~(size_t)15;
    if (jit->log) {
        if (jit->opt.log & JIT_LOG_IN_ASM)
            jit_log_in_asm(jit, blk, page + (pc & SPARC_PAGE_MASK));
        if (jit->opt.log & JIT_LOG_OUT_ASM)
            jit_log_out_asm(jit, blk, (uintptr_t)cb->rx + start, cb->used - start);
    }
    free(t);
    jit->n_blocks++;
    return blk;
}

/* enter(cpu, rs, entry): save the callee-saved registers the blocks use, pin
 * cpu, rs and the icc table, jump to the block; the common exit undoes it. */
void jit_emit_trampoline(SparcJit *jit)
{
    CodeBuf *cb = &jit->cb;
    JitBuf b = {cb->rw + cb->used, cb->rw + cb->size, cb->rx - cb->rw};
    jit->enter = emit_here(&b);
    static const X86Reg saved[] = {RBX, RBP, R12, R13, R14, R15};
    for (unsigned i = 0; i < 6; i++)
        emit_push(&b, saved[i]);
    /* [rsp]: saved host flags, [rsp + 8], [rsp + 16]: SUBcc operands
     * (IccState); 16-byte alignment at calls */
    emit_alu_ri(&b, E_W, ALU_SUB, RSP, 24);
    emit_mov_rr(&b, E_W, RBX, RDI);
    emit_mov_rr(&b, E_W, R12, RSI);
    emit_mov_ri(&b, R14, (uint64_t)(uintptr_t)jit->icc_table);
    emit_jmp_r(&b, RDX);
    jit->exit = emit_here(&b);
    emit_alu_ri(&b, E_W, ALU_ADD, RSP, 24);
    for (unsigned i = 6; i-- > 0;)
        emit_pop(&b, saved[i]);
    emit_ret(&b);
    cb->used = ((size_t)(b.p - cb->rw) + 15) & ~(size_t)15;
    jit->code_start = cb->used;
}
