/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 JIT: the CPU plugin's performance core (docs/jit.md). What the
 * rest of the plugin sees: create it for an accelerator option string, run,
 * invalidate, free. Everything it translates has the interpreter's semantics;
 * what it does not translate it runs through the interpreter's handlers.
 */
#ifndef SPARC_JIT_H
#define SPARC_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "../cpu.h"

typedef struct SparcJit SparcJit;

typedef struct JitOptions {
    size_t cache_size;   /* bytes of host code; a full cache is flushed whole */
    unsigned max_insns;  /* guest instructions per block at most */
    int check;           /* lockstep: every block checked against the interpreter */
    unsigned log;        /* JIT_LOG_* */
    const char *logfile; /* NULL: stderr */
} JitOptions;

#define JIT_LOG_IN_ASM 1u
#define JIT_LOG_OUT_ASM 2u
#define JIT_LOG_EXEC 4u

/* Parse "jit[,cache=MiB][,check=on|off]" after the accelerator name, and the
 * -d list ("in_asm,out_asm,exec"). 0, or -1 with a one-line reason. */
int jit_parse_options(JitOptions *o, const char *accel_opts, const char *log, const char *logfile,
                      char *err, size_t errlen);

SparcJit *jit_new(SparcCpu *cpu, const JitOptions *o, char *err, size_t errlen);
void jit_free(SparcJit *jit);
TesseraCpuExit jit_run(SparcCpu *cpu, TesseraRunState *rs);
/* Guest memory [pa, pa + len) changed: blocks translated from its pages die. */
void jit_invalidate(SparcJit *jit, uint64_t pa, uint64_t len);
/* The fast TLB dropped the VAs v with (v & mask) == base (a demap): forget
 * the jumps to them. */
void jit_forget_jumps(SparcJit *jit, uint32_t base, uint32_t mask);
/* One line for `info status` / the dump: what runs and how much was translated. */
void jit_describe(const SparcJit *jit, char *buf, size_t len);

#endif /* SPARC_JIT_H */
