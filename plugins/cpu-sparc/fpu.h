/* SPDX-License-Identifier: MIT */
/* The MB86904's floating-point unit: single and double precision (no quad), FSR
 * version 4. Pure functions over SparcFpu, so the interpreter and the JIT share them.
 * SPARC V8 manual, chapter 4.4 (FSR), 5.1.6 (FPop), appendix N (IEEE 754). */
#ifndef SPARC_FPU_H
#define SPARC_FPU_H

#include <stdbool.h>
#include <stdint.h>

typedef struct SparcFpu {
    uint32_t f[32]; /* f0..f31; a double lives in an even/odd pair, f[n] the high word */
    uint32_t fsr;
} SparcFpu;

/* Trap types the FPU can ask for. */
#define SPARC_TT_FP_EXCEPTION 0x08
#define SPARC_TT_ILLEGAL 0x02

/* Execute one FPop1 (op3 0x34) or FPop2 (op3 0x35) instruction. Returns 0, or
 * SPARC_TT_FP_EXCEPTION with FSR.ftt set (IEEE_754_exception: cexc set, trap enabled;
 * unimplemented_FPop; invalid_fp_register), in which case the destination is unchanged.
 * Without a trap, cexc is replaced and aexc accumulates. */
int fpu_exec(SparcFpu *fpu, uint32_t insn);

/* FBfcc: whether branch condition `cond` (instruction bits 28:25) holds. */
bool fpu_branch_taken(const SparcFpu *fpu, unsigned cond);

/* LDFSR: writes the writable FSR fields (ver and ftt, qne are read-only). */
void fpu_ldfsr(SparcFpu *fpu, uint32_t value);
/* STFSR: the FSR as stored; ftt is cleared afterwards (V8 5.1.4.4). */
uint32_t fpu_stfsr(SparcFpu *fpu);
/* STDFQ (V8 B.5): the MB86904's queue is always empty, so the store is a
 * sequence_error. Sets FSR.ftt and returns SPARC_TT_FP_EXCEPTION. */
int fpu_stdfq(SparcFpu *fpu);
/* Power-on state: all zero but FSR.ver = 4. */
void fpu_reset(SparcFpu *fpu);

#endif /* SPARC_FPU_H */
