/* SPDX-License-Identifier: MIT */
/*
 * Inside the JIT: translation blocks, the block table, and the contract between
 * generated code and the dispatcher (docs/jit.md "Block lifecycle").
 *
 * Generated code runs with rbx = SparcCpu *, r12 = TesseraRunState *, r14 = the
 * host-flags-to-icc table, r13b = the pending branch condition, r15d = a JMPL
 * target while its delay slot runs. It returns to
 * the dispatcher through the common exit with rax = 0 (stop: cpu->pc/npc and
 * rs->icount are exact), JIT_EXIT_BAIL (check mode: undo and interpret), or the
 * executable address of a rel32 jump field the dispatcher may patch to chain
 * straight to the block now at cpu->pc (always in the same page).
 */
#ifndef SPARC_JIT_BLOCK_H
#define SPARC_JIT_BLOCK_H

#include <stdio.h>

#include "../decode.h"
#include "codebuf.h"
#include "jit.h"

#define JIT_EXIT_BAIL 1u

typedef struct JitBlock {
    uint64_t key;              /* physical PC << 1 | supervisor */
    uintptr_t entry;           /* executable address */
    uint8_t *entry_rw;         /* the same, writable view (to kill it) */
    uintptr_t stop;            /* the block's own "xor eax, eax; jmp exit" */
    uintptr_t stop_entry;      /* the same after storing PC = pc, nPC = pc + 4 */
    uint32_t pc;               /* the VA it was translated at (logs) */
    uint16_t n_words;          /* guest words it covers */
    uint16_t n_max;            /* most instructions one run of it retires */
    struct JitBlock *hnext;    /* key hash chain */
    struct JitBlock *pnext;    /* blocks of the same physical page */
    SparcDecoded *insn;        /* copies for the handlers it calls */
} JitBlock;

/* A physical page with blocks. */
typedef struct JitPage {
    uint64_t ppage;
    JitBlock *blocks;
    struct JitPage *next;
} JitPage;

#define JIT_HASH_BITS 14
#define JIT_HASH_SIZE (1u << JIT_HASH_BITS)

/* Bump allocator for blocks, pages and decoded copies; freed whole on flush. */
typedef struct JitChunk {
    struct JitChunk *next;
    size_t pad;
} JitChunk;

typedef struct JitArena {
    JitChunk *chunks;
    size_t left;
    uint8_t *next;
} JitArena;

/* Check mode: what a block stored, to undo it before the interpreter re-runs. */
typedef struct JitUndo {
    uint8_t *host;
    uint8_t old[8];
    uint8_t len;
} JitUndo;

#define JIT_UNDO_MAX 512

/* The jump cache: guest VA (| PSR.S) -> block entry, valid while the fast TLB
 * generation is `gen`. Probed inline by generated code leaving for a PC it
 * cannot chain to; filled by jit_lookup and the dispatcher; cleared on a flush
 * and, for the pages concerned, on a demap (jit_forget_jumps). An entry of a
 * dead block is harmless: a dead entry stops at once. */
typedef struct JitJump {
    uint32_t tag;
    uint32_t gen;
    uintptr_t entry;
} JitJump;

/* Code is translated on its second visit: the first runs in the interpreter
 * (JIT_COLD_INSNS at most), so code that runs once (trap-heavy random
 * programs, boot-time setup) never pays for a translation. A direct-mapped
 * table of the keys seen once. */
#define JIT_COLD_BITS 12
#define JIT_COLD_INSNS 32

#define JIT_JC_BITS 12
#define JIT_JC_SIZE (1u << JIT_JC_BITS)

struct SparcJit {
    SparcCpu *cpu;
    JitOptions opt;
    CodeBuf cb;
    size_t code_start;        /* after the trampoline: what a flush keeps */
    uintptr_t enter;          /* uintptr_t enter(cpu, rs, entry) */
    uintptr_t exit;           /* the common exit */
    JitBlock *hash[JIT_HASH_SIZE];
    JitPage *pages[JIT_HASH_SIZE];
    JitArena arena;
    JitJump jc[JIT_JC_SIZE];
    uint64_t seen[1u << JIT_COLD_BITS]; /* key + 1 of a block start seen once; 0: none */
    uint32_t icc_table[0x8c2]; /* host EFLAGS & 0x8c1 -> PSR icc bits */
    FILE *log;
    /* check mode */
    JitUndo undo[JIT_UNDO_MAX];
    unsigned n_undo;
    int bail;
    /* statistics */
    uint64_t n_blocks, n_flushes, n_chains, n_invalidated, n_checked;
};

/* translate.c: the block for the code at pc (host points at pc's page), or NULL
 * when the code cache is full (the caller flushes and asks again). */
JitBlock *jit_translate(SparcJit *jit, uint32_t pc, uint64_t pa, const uint8_t *page,
                        unsigned max_insns);
/* translate.c: the trampoline and common exit, at the start of the cache. */
void jit_emit_trampoline(SparcJit *jit);

/* arena.c */
void *jit_arena_alloc(JitArena *a, size_t size);
void jit_arena_free(JitArena *a);

/* check.c: called by generated code before a memory access in check mode:
 * non-zero means "bail out" (the access is not plain RAM through the fast TLB). */
int jit_check_access(SparcCpu *cpu, const SparcDecoded *d);
/* check.c: run blk once under the JIT and once under the interpreter from the
 * same state; stop the machine (error mode) at the first difference. */
TesseraCpuExit jit_check_block(SparcJit *jit, JitBlock *blk, TesseraRunState *rs, int *stop);

/* log.c */
/* code: the host view of the block's first guest word */
void jit_log_in_asm(SparcJit *jit, const JitBlock *blk, const uint8_t *code);
void jit_log_out_asm(SparcJit *jit, const JitBlock *blk, uintptr_t start, size_t len);
void jit_log_exec(SparcJit *jit, const JitBlock *blk, uint64_t icount);

/* dispatch.c: called by generated code leaving for a PC it cannot chain to
 * (another page, an indirect jump): the entry of the block there when the fetch
 * TLB and the block table already know it and nothing stands in the way (nPC
 * = PC + 4, no exit request), else 0 (the dispatcher takes over). */
uintptr_t jit_lookup(SparcCpu *cpu);

/* dispatch.c: one block's run, through the trampoline. */
uintptr_t jit_enter(SparcJit *jit, SparcCpu *cpu, TesseraRunState *rs, const JitBlock *blk);

#endif /* SPARC_JIT_BLOCK_H */
