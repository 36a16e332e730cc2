/* SPDX-License-Identifier: MIT */
/*
 * Traps, interrupts, error mode and the register windows (SPARC V8 manual,
 * chapter 7 and section 4.1).
 */
#include <string.h>

#include "cpu.h"

/* Window w keeps its locals in windows[w][0..7] and its ins in windows[w][8..15];
 * its outs are the ins of window w-1 (V8 figure 4-2: SAVE decrements CWP and the
 * new window's ins are the old outs). */
void window_spill(SparcCpu *cpu)
{
    unsigned cwp = cpu->psr & PSR_CWP;
    unsigned below = (cwp + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS;
    memcpy(&cpu->windows[below][8], &cpu->r[8], 8 * sizeof(uint32_t));
    memcpy(&cpu->windows[cwp][0], &cpu->r[16], 16 * sizeof(uint32_t));
}

void window_fill(SparcCpu *cpu)
{
    unsigned cwp = cpu->psr & PSR_CWP;
    unsigned below = (cwp + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS;
    memcpy(&cpu->r[8], &cpu->windows[below][8], 8 * sizeof(uint32_t));
    memcpy(&cpu->r[16], &cpu->windows[cwp][0], 16 * sizeof(uint32_t));
}

/*
 * A move by one window (SAVE, RESTORE, trap entry, RETT) copies 16 registers
 * each way, not 24: the outs of one window are the ins of its neighbour, so they
 * move within r[] and only the slots that stop being live are written. The
 * live window's own slots in `windows` (windows[cwp], windows[cwp - 1][8..15])
 * are stale while it is live; window_spill writes them (state_pre_save). The
 * JIT's inline SAVE/RESTORE (jit/translate.c) does the same copies, so both
 * accelerators leave the same bytes everywhere.
 */
static void window_down(SparcCpu *cpu, unsigned cwp) /* cwp = CWP - 1 */
{
    unsigned old = (cwp + 1) % SPARC_NWINDOWS, below = (cwp + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS;
    memcpy(&cpu->windows[old][0], &cpu->r[16], 16 * sizeof(uint32_t));
    memcpy(&cpu->r[24], &cpu->r[8], 8 * sizeof(uint32_t));
    memcpy(&cpu->r[16], &cpu->windows[cwp][0], 8 * sizeof(uint32_t));
    memcpy(&cpu->r[8], &cpu->windows[below][8], 8 * sizeof(uint32_t));
}

static void window_up(SparcCpu *cpu, unsigned cwp) /* cwp = CWP + 1 */
{
    unsigned old = (cwp + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS;
    unsigned below = (old + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS;
    memcpy(&cpu->windows[old][0], &cpu->r[16], 8 * sizeof(uint32_t));
    memcpy(&cpu->windows[below][8], &cpu->r[8], 8 * sizeof(uint32_t));
    memcpy(&cpu->r[8], &cpu->r[24], 8 * sizeof(uint32_t));
    memcpy(&cpu->r[16], &cpu->windows[cwp][0], 16 * sizeof(uint32_t));
}

void window_set_cwp(SparcCpu *cpu, unsigned cwp)
{
    unsigned old = cpu->psr & PSR_CWP;
    if (cwp == old)
        return;
    if (cwp == (old + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS) {
        window_down(cpu, cwp);
    } else if (cwp == (old + 1) % SPARC_NWINDOWS) {
        window_up(cpu, cwp);
    } else {
        window_spill(cpu);
        cpu->psr = (cpu->psr & ~PSR_CWP) | cwp;
        window_fill(cpu);
        return;
    }
    cpu->psr = (cpu->psr & ~PSR_CWP) | cwp;
}

/* WRPSR, RETT's S <- PS and friends: switch the window if CWP moves and make the
 * run loop look again at interrupts (PIL, ET) and the TLB mode (S). The caller has
 * checked CWP < NWINDOWS. */
void psr_write(SparcCpu *cpu, uint32_t value)
{
    uint32_t psr = (cpu->psr & ~PSR_WRITABLE) | (value & PSR_WRITABLE);
    window_set_cwp(cpu, psr & PSR_CWP);
    cpu->psr = psr;
    cpu->loop_break = 1;
}

/*
 * Trap entry (V8 7.5.2): ET <- 0, PS <- S, S <- 1, CWP <- CWP - 1 without a WIM
 * check, l1 <- PC, l2 <- nPC, TBR.tt <- tt, PC <- TBR, nPC <- TBR + 4. A trap
 * while ET = 0 puts the processor in error mode (7.3.1): TBR.tt still records
 * the cause, and run() returns TESSERA_CPU_ERROR_MODE.
 */
void trap_raise(SparcCpu *cpu, unsigned tt)
{
    cpu->tbr = (cpu->tbr & 0xfffff000u) | ((tt & 0xff) << 4);
    cpu->loop_break = 1;
    if (!(cpu->psr & PSR_ET)) {
        cpu->error_mode = 1;
        return;
    }
    uint32_t psr = cpu->psr & ~(PSR_ET | PSR_PS);
    if (psr & PSR_S)
        psr |= PSR_PS;
    psr |= PSR_S;
    unsigned cwp = ((cpu->psr & PSR_CWP) + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS;
    window_set_cwp(cpu, cwp);
    cpu->psr = (psr & ~PSR_CWP) | cwp;
    cpu->r[17] = cpu->pc;
    cpu->r[18] = cpu->npc;
    cpu->pc = cpu->tbr;
    cpu->npc = cpu->tbr + 4;
}

/* V8 7.4: an interrupt request is taken when ET = 1 and the level is 15 or above
 * PIL. */
bool trap_interrupt_pending(const SparcCpu *cpu)
{
    unsigned pil = (cpu->psr & PSR_PIL) >> 8;
    return cpu->irl && (cpu->psr & PSR_ET) && (cpu->irl == 15 || cpu->irl > pil);
}

void trap_take_interrupt(SparcCpu *cpu)
{
    trap_raise(cpu, TT_INTERRUPT + cpu->irl);
}
