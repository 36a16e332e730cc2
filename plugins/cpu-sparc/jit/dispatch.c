/* SPDX-License-Identifier: MIT */
/*
 * The JIT's run loop and block table (docs/jit.md). Between blocks it does what
 * the interpreter's outer loop does (run.c: budget, error mode, interrupts, TLB
 * epoch), finds the block for (physical PC, PSR.S) through the fetch TLB, and
 * hands what a block cannot do exactly to the interpreter: a delay slot
 * reached with nPC != PC + 4, the last instructions before the budget ends, and
 * pages without a host pointer.
 *
 * Chaining: an exit to a static successor in the same page returns the address
 * of its jump; once the successor exists the jump is patched to it. A page is
 * the unit of invalidation, so chained jumps never cross a page and never need
 * unlinking: a write to a page kills all its blocks (their entries jump to
 * their stop), and every jump into them comes from the same page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../mem.h"
#include "block.h"
#include "emit.h"

/* ---- options ---- */

static int parse_on_off(const char *v, int *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
        *out = 1;
    else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
        *out = 0;
    else
        return -1;
    return 0;
}

int jit_parse_options(JitOptions *o, const char *accel_opts, const char *log, const char *logfile,
                      char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->cache_size = 32u << 20;
    o->max_insns = 128;
    o->logfile = logfile;
    char *copy = strdup(accel_opts ? accel_opts : "");
    char *save = NULL;
    int rc = 0;
    for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(opt, '=');
        const char *v = eq ? eq + 1 : "";
        if (eq)
            *eq = 0;
        if (!strcmp(opt, "check")) {
            if (parse_on_off(v, &o->check) != 0) {
                snprintf(err, errlen, "-accel jit: check=%s: expected on or off", v);
                rc = -1;
            }
        } else if (!strcmp(opt, "cache")) {
            char *end;
            errno = 0;
            unsigned long mib = strtoul(v, &end, 10);
            if (errno || end == v || *end || mib < 1 || mib > 2048) {
                snprintf(err, errlen, "-accel jit: cache=%s: expected MiB of code cache, 1 to 2048",
                         v);
                rc = -1;
            }
            o->cache_size = (size_t)mib << 20;
        } else if (!strcmp(opt, "block")) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (end == v || *end || n < 1 || n > 1024) {
                snprintf(err, errlen, "-accel jit: block=%s: expected instructions per block, "
                                      "1 to 1024", v);
                rc = -1;
            }
            o->max_insns = (unsigned)n;
        } else {
            snprintf(err, errlen, "-accel jit: unknown option '%s' (have: cache=MiB, check=on|off, "
                                  "block=N)", opt);
            rc = -1;
        }
        if (rc)
            break;
    }
    free(copy);
    if (rc)
        return rc;
    copy = strdup(log ? log : "");
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (!strcmp(item, "in_asm")) {
            o->log |= JIT_LOG_IN_ASM;
        } else if (!strcmp(item, "out_asm")) {
            o->log |= JIT_LOG_OUT_ASM;
        } else if (!strcmp(item, "exec")) {
            o->log |= JIT_LOG_EXEC;
        } else {
            snprintf(err, errlen, "-d: unknown log item '%s' (have: in_asm, out_asm, exec)", item);
            rc = -1;
            break;
        }
    }
    free(copy);
    return rc;
}

/* ---- the block table ---- */

static unsigned key_hash(uint64_t key)
{
    return (unsigned)((key * 0x9e3779b97f4a7c15ull) >> (64 - JIT_HASH_BITS));
}

static JitBlock *block_lookup(SparcJit *jit, uint64_t key)
{
    for (JitBlock *b = jit->hash[key_hash(key)]; b; b = b->hnext)
        if (b->key == key)
            return b;
    return NULL;
}

static JitPage **page_slot(SparcJit *jit, uint64_t ppage)
{
    JitPage **pp = &jit->pages[key_hash(ppage)];
    while (*pp && (*pp)->ppage != ppage)
        pp = &(*pp)->next;
    return pp;
}

static void block_insert(SparcJit *jit, JitBlock *blk)
{
    unsigned h = key_hash(blk->key);
    blk->hnext = jit->hash[h];
    jit->hash[h] = blk;
    uint64_t ppage = blk->key >> 13;
    JitPage **pp = page_slot(jit, ppage);
    if (!*pp) {
        JitPage *p = jit_arena_alloc(&jit->arena, sizeof(JitPage));
        p->ppage = ppage;
        p->blocks = NULL;
        p->next = NULL;
        *pp = p;
    }
    blk->pnext = (*pp)->blocks;
    (*pp)->blocks = blk;
}

static void block_unhash(SparcJit *jit, JitBlock *blk)
{
    JitBlock **bp = &jit->hash[key_hash(blk->key)];
    while (*bp && *bp != blk)
        bp = &(*bp)->hnext;
    if (*bp)
        *bp = blk->hnext;
}

static void jump_remember(SparcJit *jit, SparcCpu *cpu, const JitBlock *blk)
{
    uint32_t pc = cpu->pc;
    JitJump *j = &jit->jc[(pc >> 2) & (JIT_JC_SIZE - 1)];
    j->tag = pc | (cpu_super(cpu) ? 1u : 0u);
    j->gen = cpu->tlb_gen;
    j->entry = blk->entry;
}

void jit_forget_jumps(SparcJit *jit, uint32_t base, uint32_t mask)
{
    if (!jit)
        return;
    for (unsigned i = 0; i < JIT_JC_SIZE; i++)
        if ((jit->jc[i].tag & mask) == base)
            jit->jc[i].tag = 3; /* no PC has bit 1 set */
}

/* Every block and all code go; only the trampoline stays. */
static void jit_flush(SparcJit *jit)
{
    memset(jit->jc, 0xff, sizeof(jit->jc));
    memset(jit->seen, 0, sizeof(jit->seen));
    memset(jit->hash, 0, sizeof(jit->hash));
    memset(jit->pages, 0, sizeof(jit->pages));
    jit_arena_free(&jit->arena);
    jit->cb.used = jit->code_start;
    jit->n_flushes++;
}

void jit_invalidate(SparcJit *jit, uint64_t pa, uint64_t len)
{
    if (!jit || !len)
        return;
    JitBuf b = {NULL, NULL, jit->cb.rx - jit->cb.rw};
    for (uint64_t ppage = pa >> 12; ppage <= (pa + len - 1) >> 12; ppage++) {
        JitPage **pp = page_slot(jit, ppage);
        JitPage *p = *pp;
        if (!p)
            continue;
        for (JitBlock *blk = p->blocks; blk; blk = blk->pnext) {
            b.p = blk->entry_rw;
            emit_jmp(&b, blk->stop_entry); /* a dead entry leaves at once */
            block_unhash(jit, blk);
            jit->n_invalidated++;
        }
        *pp = p->next;
    }
    jit->cpu->loop_break = 1; /* the running block may be one of them */
}

/* ---- lifecycle ---- */

static void icc_table_init(uint32_t *t)
{
    for (unsigned f = 0; f < 0x8c2; f++) {
        uint32_t icc = 0;
        if (f & 0x080)
            icc |= PSR_N;
        if (f & 0x040)
            icc |= PSR_Z;
        if (f & 0x800)
            icc |= PSR_V;
        if (f & 0x001)
            icc |= PSR_C;
        t[f] = icc;
    }
}

SparcJit *jit_new(SparcCpu *cpu, const JitOptions *o, char *err, size_t errlen)
{
    SparcJit *jit = calloc(1, sizeof(SparcJit));
    if (!jit) {
        snprintf(err, errlen, "jit: out of memory");
        return NULL;
    }
    jit->cpu = cpu;
    jit->opt = *o;
    icc_table_init(jit->icc_table);
    memset(jit->jc, 0xff, sizeof(jit->jc)); /* tag 0xffffffff: no PC is odd */
    if (codebuf_init(&jit->cb, o->cache_size, err, errlen) != 0) {
        free(jit);
        return NULL;
    }
    if (o->log) {
        jit->log = o->logfile ? fopen(o->logfile, "w") : stderr;
        if (!jit->log) {
            snprintf(err, errlen, "-D %s: %s", o->logfile, strerror(errno));
            codebuf_free(&jit->cb);
            free(jit);
            return NULL;
        }
    }
    jit_emit_trampoline(jit);
    return jit;
}

void jit_free(SparcJit *jit)
{
    if (!jit)
        return;
    jit_arena_free(&jit->arena);
    codebuf_free(&jit->cb);
    if (jit->log && jit->log != stderr)
        fclose(jit->log);
    free(jit);
}

void jit_describe(const SparcJit *jit, char *buf, size_t len)
{
    snprintf(buf, len, "accel jit%s: %llu blocks translated, %llu invalidated, %llu chained, "
             "%llu cache flushes, code %zu of %zu KiB",
             jit->opt.check ? " (check=on)" : "", (unsigned long long)jit->n_blocks,
             (unsigned long long)jit->n_invalidated, (unsigned long long)jit->n_chains,
             (unsigned long long)jit->n_flushes, jit->cb.used >> 10, jit->cb.size >> 10);
}

uintptr_t jit_enter(SparcJit *jit, SparcCpu *cpu, TesseraRunState *rs, const JitBlock *blk)
{
    typedef uintptr_t EnterFn(SparcCpu *, TesseraRunState *, uintptr_t);
    EnterFn *fn;
    uintptr_t addr = jit->enter;
    memcpy(&fn, &addr, sizeof(fn));
    return fn(cpu, rs, blk->entry);
}

/* ---- the run loop ---- */

typedef enum { FIND_BLOCK, FIND_INTERP, FIND_COLD, FIND_TRAPPED } FindResult;

/* The block for cpu->pc, translated if need be. */
static FindResult find_block(SparcJit *jit, SparcCpu *cpu, JitBlock **out)
{
    const SparcFastTlb *e;
    uint32_t raw;
    if (mem_fetch(cpu, cpu->pc, &e, &raw))
        return FIND_TRAPPED;
    if (!e)
        return FIND_INTERP;
    uint32_t pc = cpu->pc;
    uint64_t pa = (e->code->ppage << 12) | (pc & SPARC_PAGE_MASK);
    uint64_t key = pa << 1 | (cpu_super(cpu) ? 1 : 0);
    JitBlock *blk = block_lookup(jit, key);
    if (!blk) {
        uint64_t *seen = &jit->seen[key_hash(key) & ((1u << JIT_COLD_BITS) - 1)];
        if (*seen != key + 1 && !jit->opt.check) {
            *seen = key + 1;
            return FIND_COLD;
        }
        const uint8_t *page = (const uint8_t *)(uintptr_t)((pc & ~SPARC_PAGE_MASK) + e->addend);
        blk = jit_translate(jit, pc, pa, page, jit->opt.max_insns);
        if (!blk) {
            jit_flush(jit);
            blk = jit_translate(jit, pc, pa, page, jit->opt.max_insns);
        }
        if (!blk)
            return FIND_INTERP;
        block_insert(jit, blk);
    }
    jump_remember(jit, cpu, blk);
    *out = blk;
    return FIND_BLOCK;
}

uintptr_t jit_lookup(SparcCpu *cpu)
{
    if (cpu->npc != cpu->pc + 4 || cpu->rs->exit_request)
        return 0;
    bool sup = cpu_super(cpu);
    const SparcFastTlb *e = mem_tlb_entry(cpu, sup, SPARC_FETCH, cpu->pc);
    if (!mem_tlb_hit(cpu, e, cpu->pc))
        return 0;
    uint64_t pa = (e->code->ppage << 12) | (cpu->pc & SPARC_PAGE_MASK);
    JitBlock *blk = block_lookup(cpu->jit, pa << 1 | (sup ? 1 : 0));
    if (!blk)
        return 0;
    jump_remember(cpu->jit, cpu, blk);
    return blk->entry;
}

/* An exit asked to be chained to the block now at cpu->pc (same page, same
 * mode): patch it if that block exists. Only a fetch TLB hit is used, so
 * chaining never walks the page tables (which would set referenced bits). */
static void chain(SparcJit *jit, SparcCpu *cpu, uintptr_t field_rx)
{
    bool sup = cpu_super(cpu);
    const SparcFastTlb *e = mem_tlb_entry(cpu, sup, SPARC_FETCH, cpu->pc);
    if (!mem_tlb_hit(cpu, e, cpu->pc))
        return;
    uint64_t pa = (e->code->ppage << 12) | (cpu->pc & SPARC_PAGE_MASK);
    JitBlock *to = block_lookup(jit, pa << 1 | (sup ? 1 : 0));
    if (!to)
        return;
    JitBuf b = {NULL, NULL, jit->cb.rx - jit->cb.rw};
    emit_patch(&b, (uint8_t *)(field_rx - (uintptr_t)b.rx), to->entry);
    jit->n_chains++;
}

TesseraCpuExit jit_run(SparcCpu *cpu, TesseraRunState *rs)
{
    SparcJit *jit = cpu->jit;
    cpu->rs = rs;
    for (;;) {
        int e = sparc_run_prelude(cpu, rs);
        if (e >= 0)
            return (TesseraCpuExit)e;
        if (cpu->npc != cpu->pc + 4) { /* in a delay slot: one instruction */
            sparc_run_page(cpu, rs, rs->icount + 1);
            continue;
        }
        JitBlock *blk = NULL;
        FindResult f = find_block(jit, cpu, &blk);
        if (f == FIND_TRAPPED)
            continue;
        if (f == FIND_COLD) {
            sparc_run_page(cpu, rs, rs->icount + JIT_COLD_INSNS);
            continue;
        }
        if (f == FIND_INTERP || rs->icount + blk->n_max > rs->stop_at) {
            sparc_run_page(cpu, rs, rs->stop_at);
            continue;
        }
        if (jit->opt.check) {
            int stop = 0;
            TesseraCpuExit r = jit_check_block(jit, blk, rs, &stop);
            if (stop)
                return r;
            continue;
        }
        if (jit->opt.log & JIT_LOG_EXEC)
            jit_log_exec(jit, blk, rs->icount);
        uintptr_t r = jit_enter(jit, cpu, rs, blk);
        if (r > JIT_EXIT_BAIL)
            chain(jit, cpu, r);
    }
}
