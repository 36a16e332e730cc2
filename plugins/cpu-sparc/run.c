/* SPDX-License-Identifier: MIT */
/*
 * The run loop. The outer loop handles what happens between instructions
 * (budget, error mode, interrupts, TLB epoch); the inner loop runs decoded
 * instructions while PC stays in one page and nothing asked it to stop
 * (cpu->loop_break: traps, PSR/MMU changes, interrupt requests). The JIT's
 * dispatcher (jit/dispatch.c) shares both halves.
 */
#include "decode.h"
#include "jit/jit.h"
#include "mem.h"

/* Pages without a host pointer: fetch, decode and run one instruction. */
static void run_one(SparcCpu *cpu, TesseraRunState *rs, uint32_t raw)
{
    SparcDecoded d;
    decode_insn(&d, raw);
    rs->icount++;
    sparc_handlers[d.op](cpu, &d);
}

void sparc_run_page(SparcCpu *cpu, TesseraRunState *rs, uint64_t limit)
{
    const SparcFastTlb *e;
    uint32_t raw = 0;
    if (limit > rs->stop_at)
        limit = rs->stop_at;
    if (mem_fetch(cpu, cpu->pc, &e, &raw))
        return; /* instruction access trap taken */
    if (!e) {
        run_one(cpu, rs, raw);
        return;
    }
    uint32_t page_va = cpu->pc & ~SPARC_PAGE_MASK;
    const uint8_t *host = (const uint8_t *)(uintptr_t)(page_va + e->addend);
    SparcDecoded *insn = e->code->insn;
    do {
        unsigned i = (cpu->pc >> 2) & (SPARC_CODE_PAGE_INSNS - 1);
        SparcDecoded *d = &insn[i];
        if (__builtin_expect(d->op == OP_UNDECODED, 0)) {
            memcpy(&raw, host + 4 * i, 4);
            decode_insn(d, raw);
        }
        rs->icount++;
        sparc_handlers[d->op](cpu, d);
    } while ((cpu->pc ^ page_va) <= SPARC_PAGE_MASK && !cpu->loop_break &&
             rs->icount < limit && !rs->exit_request);
}

int sparc_run_prelude(SparcCpu *cpu, TesseraRunState *rs)
{
    if (cpu->error_mode)
        return TESSERA_CPU_ERROR_MODE;
    if (rs->exit_request || rs->icount >= rs->stop_at)
        return TESSERA_CPU_BUDGET;
    if (cpu->mmu.epoch != cpu->tlb_epoch)
        mem_tlb_flush(cpu);
    if (trap_interrupt_pending(cpu))
        trap_take_interrupt(cpu);
    cpu->loop_break = 0;
    return -1;
}

TesseraCpuExit sparc_run(void *opaque, TesseraRunState *rs)
{
    SparcCpu *cpu = opaque;
    if (__builtin_expect(cpu->debug != NULL, 0))
        return sparc_debug_run(cpu, rs); /* a debugger armed something: debug.c */
#if SPARC_HAVE_JIT
    if (cpu->jit)
        return jit_run(cpu, rs);
#endif
    cpu->rs = rs;
    for (;;) {
        int e = sparc_run_prelude(cpu, rs);
        if (e >= 0)
            return (TesseraCpuExit)e;
        sparc_run_page(cpu, rs, rs->stop_at);
    }
}
