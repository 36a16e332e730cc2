/* SPDX-License-Identifier: MIT */
/*
 * Decoded instructions: each guest word is decoded once into a SparcDecoded and
 * executed through sparc_handlers[op] (execute.c), all handlers sharing one
 * signature. A JIT can translate a SparcDecoded or, for anything it does not
 * know, call the same handler.
 *
 * Fields of SparcDecoded:
 *   raw  the instruction word exactly as its bytes sit in guest memory (not
 *        byte-swapped).
 *   op   handler index (SparcOp). OP_UNDECODED marks an entry to decode from
 *        memory before it runs: a fresh page, or words a store or DMA changed
 *        (codecache_invalidate, called through the memory contract's code marks:
 *        docs/memory.md). Fetch never compares memory with `raw`.
 *   rd   destination register; writers of %g0 get 32, a discarded slot. Stores,
 *        LDD, FP and branch forms keep the raw field.
 *   rs1  first source register.
 *   rs2  second source register, 0 for immediate forms.
 *   imm  simm13 for immediate forms (0 for register forms), so operand 2 is
 *        always r[rs2] + imm; the byte displacement for branches and CALL; the
 *        value for SETHI.
 *   cond Bicc/FBfcc/Ticc condition (bits 28:25).
 *   annul the a bit of branches; for alternate-space forms, set when the
 *        (illegal) immediate form was used.
 *   asi  the ASI of alternate-space forms.
 */
#ifndef SPARC_DECODE_H
#define SPARC_DECODE_H

#include <stdint.h>

#include "cpu.h"

typedef struct SparcDecoded {
    uint32_t raw;
    uint16_t op;
    uint8_t rd;
    uint8_t rs1;
    uint8_t rs2;
    uint8_t cond;
    uint8_t annul;
    uint8_t asi;
    int32_t imm;
} SparcDecoded;

typedef enum SparcOp {
    OP_UNIMP = 0, OP_ILLEGAL, OP_CP_DISABLED,
    /* format 1 and 2 */
    OP_CALL, OP_SETHI, OP_NOP, OP_BICC, OP_BA, OP_BN, OP_FBFCC,
    /* arithmetic and logic */
    OP_ADD, OP_ADDCC, OP_ADDX, OP_ADDXCC, OP_SUB, OP_SUBCC, OP_SUBX, OP_SUBXCC,
    OP_AND, OP_ANDCC, OP_ANDN, OP_ANDNCC, OP_OR, OP_ORCC, OP_ORN, OP_ORNCC,
    OP_XOR, OP_XORCC, OP_XNOR, OP_XNORCC, OP_SLL, OP_SRL, OP_SRA,
    OP_MULSCC, OP_UMUL, OP_SMUL, OP_UMULCC, OP_SMULCC,
    OP_UDIV, OP_SDIV, OP_UDIVCC, OP_SDIVCC,
    OP_TADDCC, OP_TSUBCC, OP_TADDCCTV, OP_TSUBCCTV,
    /* state registers */
    OP_RDY, OP_RDPSR, OP_RDWIM, OP_RDTBR, OP_WRY, OP_WRASR, OP_WRPSR, OP_WRWIM, OP_WRTBR,
    /* control */
    OP_JMPL, OP_RETT, OP_TICC, OP_FLUSH, OP_SAVE, OP_RESTORE, OP_FPOP,
    /* memory */
    OP_LD, OP_LDUB, OP_LDUH, OP_LDD, OP_ST, OP_STB, OP_STH, OP_STD,
    OP_LDSB, OP_LDSH, OP_LDSTUB, OP_SWAP,
    OP_LDA, OP_LDUBA, OP_LDUHA, OP_LDDA, OP_STA, OP_STBA, OP_STHA, OP_STDA,
    OP_LDSBA, OP_LDSHA, OP_LDSTUBA, OP_SWAPA,
    OP_LDF, OP_LDFSR, OP_LDDF, OP_STF, OP_STFSR, OP_STDFQ, OP_STDF,
    OP_UNDECODED, /* not a decoding: the run loop decodes the word first */
    OP_COUNT
} SparcOp;

typedef void SparcHandler(SparcCpu *cpu, const SparcDecoded *d);
extern SparcHandler *const sparc_handlers[OP_COUNT];

/* `raw` as read from guest memory (big-endian bytes in host order). */
void decode_insn(SparcDecoded *d, uint32_t raw);

/* One physical page of decoded instructions. */
#define SPARC_CODE_PAGE_INSNS 1024

typedef struct SparcCodePage {
    uint64_t ppage; /* PA >> 12 */
    SparcDecoded insn[SPARC_CODE_PAGE_INSNS];
} SparcCodePage;

SparcCodeCache *codecache_new(void);
void codecache_free(SparcCodeCache *cc);
/* The decoded page for physical page `ppage`, created on first use. Returns NULL
 * after dropping every page when the cache is full: the caller must flush all
 * fetch TLB entries (they point at pages) and ask again. */
SparcCodePage *codecache_get(SparcCodeCache *cc, uint64_t ppage);
void codecache_clear(SparcCodeCache *cc);
/* The words of [pa, pa + len) changed: their entries become OP_UNDECODED. Pages
 * stay allocated, so a run loop inside one of them goes on safely. */
void codecache_invalidate(SparcCodeCache *cc, uint64_t pa, uint64_t len);

#endif /* SPARC_DECODE_H */
