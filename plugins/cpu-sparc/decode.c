/* SPDX-License-Identifier: MIT */
/*
 * Instruction decoding (SPARC V8 manual, chapter 5 and appendix F opcode maps)
 * and the cache of decoded physical pages.
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"

/* Format 3, op = 2 (appendix F, table F-5), indexed by op3. */
static const uint16_t op2_table[64] = {
    [0x00] = OP_ADD, [0x01] = OP_AND, [0x02] = OP_OR, [0x03] = OP_XOR,
    [0x04] = OP_SUB, [0x05] = OP_ANDN, [0x06] = OP_ORN, [0x07] = OP_XNOR,
    [0x08] = OP_ADDX, [0x09] = OP_ILLEGAL, [0x0a] = OP_UMUL, [0x0b] = OP_SMUL,
    [0x0c] = OP_SUBX, [0x0d] = OP_ILLEGAL, [0x0e] = OP_UDIV, [0x0f] = OP_SDIV,
    [0x10] = OP_ADDCC, [0x11] = OP_ANDCC, [0x12] = OP_ORCC, [0x13] = OP_XORCC,
    [0x14] = OP_SUBCC, [0x15] = OP_ANDNCC, [0x16] = OP_ORNCC, [0x17] = OP_XNORCC,
    [0x18] = OP_ADDXCC, [0x19] = OP_ILLEGAL, [0x1a] = OP_UMULCC, [0x1b] = OP_SMULCC,
    [0x1c] = OP_SUBXCC, [0x1d] = OP_ILLEGAL, [0x1e] = OP_UDIVCC, [0x1f] = OP_SDIVCC,
    [0x20] = OP_TADDCC, [0x21] = OP_TSUBCC, [0x22] = OP_TADDCCTV, [0x23] = OP_TSUBCCTV,
    [0x24] = OP_MULSCC, [0x25] = OP_SLL, [0x26] = OP_SRL, [0x27] = OP_SRA,
    [0x28] = OP_RDY, [0x29] = OP_RDPSR, [0x2a] = OP_RDWIM, [0x2b] = OP_RDTBR,
    [0x2c] = OP_ILLEGAL, [0x2d] = OP_ILLEGAL, [0x2e] = OP_ILLEGAL, [0x2f] = OP_ILLEGAL,
    [0x30] = OP_WRY, [0x31] = OP_WRPSR, [0x32] = OP_WRWIM, [0x33] = OP_WRTBR,
    [0x34] = OP_FPOP, [0x35] = OP_FPOP, [0x36] = OP_CP_DISABLED, [0x37] = OP_CP_DISABLED,
    [0x38] = OP_JMPL, [0x39] = OP_RETT, [0x3a] = OP_TICC, [0x3b] = OP_FLUSH,
    [0x3c] = OP_SAVE, [0x3d] = OP_RESTORE, [0x3e] = OP_ILLEGAL, [0x3f] = OP_ILLEGAL,
};

/* Format 3, op = 3 (table F-4); unlisted entries are illegal (value 0 = UNIMP is
 * never a memory op, so 0 here means "illegal"). */
static const uint16_t op3_table[64] = {
    [0x00] = OP_LD, [0x01] = OP_LDUB, [0x02] = OP_LDUH, [0x03] = OP_LDD,
    [0x04] = OP_ST, [0x05] = OP_STB, [0x06] = OP_STH, [0x07] = OP_STD,
    [0x09] = OP_LDSB, [0x0a] = OP_LDSH, [0x0d] = OP_LDSTUB, [0x0f] = OP_SWAP,
    [0x10] = OP_LDA, [0x11] = OP_LDUBA, [0x12] = OP_LDUHA, [0x13] = OP_LDDA,
    [0x14] = OP_STA, [0x15] = OP_STBA, [0x16] = OP_STHA, [0x17] = OP_STDA,
    [0x19] = OP_LDSBA, [0x1a] = OP_LDSHA, [0x1d] = OP_LDSTUBA, [0x1f] = OP_SWAPA,
    [0x20] = OP_LDF, [0x21] = OP_LDFSR, [0x23] = OP_LDDF,
    [0x24] = OP_STF, [0x25] = OP_STFSR, [0x26] = OP_STDFQ, [0x27] = OP_STDF,
    [0x30] = OP_CP_DISABLED, [0x31] = OP_CP_DISABLED, [0x33] = OP_CP_DISABLED,
    [0x34] = OP_CP_DISABLED, [0x35] = OP_CP_DISABLED, [0x36] = OP_CP_DISABLED,
    [0x37] = OP_CP_DISABLED,
};

/* Ops whose rd is only a destination integer register (so %g0 becomes the sink);
 * SWAP reads rd too and keeps the raw field. */
static bool op_writes_rd(unsigned op)
{
    switch (op) {
    case OP_ADD ... OP_TSUBCCTV:
    case OP_RDY ... OP_RDTBR:
    case OP_JMPL:
    case OP_SAVE:
    case OP_RESTORE:
    case OP_LD: case OP_LDUB: case OP_LDUH: case OP_LDSB: case OP_LDSH:
    case OP_LDSTUB:
    case OP_LDA: case OP_LDUBA: case OP_LDUHA: case OP_LDSBA: case OP_LDSHA:
    case OP_LDSTUBA:
        return true;
    default:
        return false;
    }
}

static bool op_is_alternate(unsigned op)
{
    return op >= OP_LDA && op <= OP_SWAPA;
}

void decode_insn(SparcDecoded *d, uint32_t raw)
{
    uint32_t insn = __builtin_bswap32(raw);
    unsigned rd = (insn >> 25) & 31;

    memset(d, 0, sizeof(*d));
    d->raw = raw;

    switch (insn >> 30) {
    case 1: /* CALL */
        d->op = OP_CALL;
        d->imm = (int32_t)(insn << 2);
        return;
    case 0: {
        unsigned op2 = (insn >> 22) & 7;
        int32_t disp22 = (int32_t)(insn << 10) >> 8; /* sign-extended, times 4 */
        d->rd = rd;
        d->cond = rd & 15;
        d->annul = (insn >> 29) & 1;
        switch (op2) {
        case 0: /* UNIMP (V8 B.31) */
            memset(d, 0, sizeof(*d));
            d->raw = raw;
            d->op = OP_UNIMP;
            return;
        case 2:
            d->imm = disp22;
            d->op = d->cond == 8 ? OP_BA : d->cond == 0 ? OP_BN : OP_BICC;
            return;
        case 4:
            d->imm = (int32_t)(insn << 10);
            d->op = (rd == 0 && d->imm == 0) ? OP_NOP : OP_SETHI;
            if (rd == 0)
                d->rd = 32;
            return;
        case 6:
            d->imm = disp22;
            d->op = OP_FBFCC;
            return;
        case 7: /* CBccc: no coprocessor */
            d->op = OP_CP_DISABLED;
            return;
        default:
            d->op = OP_ILLEGAL;
            return;
        }
    }
    default: {
        unsigned op3 = (insn >> 19) & 63;
        unsigned op = (insn >> 30) == 2 ? op2_table[op3] : op3_table[op3];
        bool imm = (insn >> 13) & 1;
        if (op == 0)
            op = OP_ILLEGAL;
        if (op == OP_WRY && rd != 0)
            op = OP_WRASR;
        d->op = (uint16_t)op;
        d->rs1 = (insn >> 14) & 31;
        d->rd = rd;
        d->cond = rd & 15; /* Ticc */
        d->asi = (insn >> 5) & 0xff;
        if (imm) {
            d->imm = (int32_t)(insn << 19) >> 19;
            d->rs2 = 0;
        } else {
            d->rs2 = insn & 31;
        }
        if (op_writes_rd(op) && rd == 0)
            d->rd = 32;
        /* Alternate-space forms have no immediate form (V8 B.1): decided in the
         * handler, after the privilege check that outranks it. */
        if (op_is_alternate(op) && imm)
            d->asi = 0, d->annul = 1;
        return;
    }
    }
}

/* ---- decoded page cache: open addressing on the physical page number ---- */

#define CODECACHE_SLOTS 8192u        /* power of two */
#define CODECACHE_MAX_PAGES 4096u    /* 64 MiB of decoded pages at most */

struct SparcCodeCache {
    SparcCodePage *slot[CODECACHE_SLOTS];
    unsigned count;
};

SparcCodeCache *codecache_new(void)
{
    return calloc(1, sizeof(SparcCodeCache));
}

void codecache_clear(SparcCodeCache *cc)
{
    for (unsigned i = 0; i < CODECACHE_SLOTS; i++) {
        free(cc->slot[i]);
        cc->slot[i] = NULL;
    }
    cc->count = 0;
}

void codecache_free(SparcCodeCache *cc)
{
    if (!cc)
        return;
    codecache_clear(cc);
    free(cc);
}

static unsigned codecache_hash(uint64_t ppage)
{
    return (unsigned)((ppage * 0x9e3779b97f4a7c15ull) >> 40) & (CODECACHE_SLOTS - 1);
}

/* The slot holding ppage, or the empty slot where it would go. */
static unsigned codecache_slot(const SparcCodeCache *cc, uint64_t ppage)
{
    unsigned i = codecache_hash(ppage);
    while (cc->slot[i] && cc->slot[i]->ppage != ppage)
        i = (i + 1) & (CODECACHE_SLOTS - 1);
    return i;
}

void codecache_invalidate(SparcCodeCache *cc, uint64_t pa, uint64_t len)
{
    if (len == 0)
        return;
    uint64_t last = pa + len - 1;
    for (uint64_t page = pa >> 12; page <= last >> 12; page++) {
        SparcCodePage *p = cc->slot[codecache_slot(cc, page)];
        if (!p)
            continue;
        unsigned lo = page == pa >> 12 ? (unsigned)(pa & 0xfff) >> 2 : 0;
        unsigned hi = page == last >> 12 ? (unsigned)(last & 0xfff) >> 2 : SPARC_CODE_PAGE_INSNS - 1;
        for (unsigned w = lo; w <= hi; w++)
            p->insn[w].op = OP_UNDECODED;
    }
}

SparcCodePage *codecache_get(SparcCodeCache *cc, uint64_t ppage)
{
    unsigned i = codecache_slot(cc, ppage);
    if (cc->slot[i])
        return cc->slot[i];
    if (cc->count >= CODECACHE_MAX_PAGES) {
        codecache_clear(cc);
        return NULL;
    }
    SparcCodePage *p = calloc(1, sizeof(*p));
    if (!p)
        abort();
    p->ppage = ppage;
    for (unsigned w = 0; w < SPARC_CODE_PAGE_INSNS; w++)
        p->insn[w].op = OP_UNDECODED;
    cc->slot[i] = p;
    cc->count++;
    return p;
}
