/* SPDX-License-Identifier: MIT */
/*
 * A small x86-64 emitter, in the style of LuaJIT's lj_emit_x86.h: one tiny named
 * helper per instruction form, each choosing its short encoding itself. Code is
 * written at `p`; `rx` is the distance from the writable view to the executable
 * view of the same bytes (jit/codebuf.c maps one memfd twice, so no page is ever
 * writable and executable at once), and every branch target is an executable
 * address. Test: tests/test_emit.c decodes each helper's bytes with Capstone.
 *
 * Helpers never check for room: the translator leaves JIT_MARGIN bytes free
 * before each guest instruction and checks after it.
 */
#ifndef SPARC_JIT_EMIT_H
#define SPARC_JIT_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef enum X86Reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15
} X86Reg;

/* Group-1 ALU operations (the /digit of 0x81/0x83, opcode = op*8 + 1 or 3). */
typedef enum X86Alu { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP } X86Alu;

/* Group-2 shifts (the /digit of 0xc1/0xd1/0xd3). */
typedef enum X86Shift { SH_ROL = 0, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 } X86Shift;

/* Condition codes (the low nibble of 0x0f 0x8x / 0x9x / 0x4x). */
typedef enum X86Cond {
    CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G
} X86Cond;

#define JIT_MARGIN 512 /* bytes one guest instruction may emit at most */

typedef struct JitBuf {
    uint8_t *p;    /* next byte, in the writable view */
    uint8_t *end;  /* end of the writable view */
    intptr_t rx;   /* executable address = writable address + rx */
} JitBuf;

/* Flags of the generic encoders. */
#define E_W 1u    /* REX.W: 64-bit operand */
#define E_66 2u   /* operand-size prefix: 16-bit operand */
#define E_BYTE 4u /* byte registers: a REX prefix makes 4-7 mean spl..dil */

static inline uintptr_t emit_here(const JitBuf *b)
{
    return (uintptr_t)b->p + (uintptr_t)b->rx;
}

static inline void emit_u8(JitBuf *b, unsigned v)
{
    *b->p++ = (uint8_t)v;
}

static inline void emit_u32(JitBuf *b, uint32_t v)
{
    memcpy(b->p, &v, 4);
    b->p += 4;
}

static inline void emit_u64(JitBuf *b, uint64_t v)
{
    memcpy(b->p, &v, 8);
    b->p += 8;
}

static inline bool emit_fits8(int64_t v)
{
    return v >= -128 && v <= 127;
}

static inline bool emit_fits32(int64_t v)
{
    return v >= INT32_MIN && v <= INT32_MAX;
}

/* Prefixes, REX and opcode. `opc` is one byte, or 0x0fXX for two. */
static inline void emit_head(JitBuf *b, unsigned flags, unsigned opc, unsigned reg, unsigned index,
                             unsigned base, bool byte_regs)
{
    unsigned rex = (flags & E_W ? 8u : 0u) | (reg & 8 ? 4u : 0u) | (index & 8 ? 2u : 0u) |
                   (base & 8 ? 1u : 0u);
    if (flags & E_66)
        emit_u8(b, 0x66);
    if (rex || (byte_regs && (flags & E_BYTE)))
        emit_u8(b, 0x40 | rex);
    if (opc > 0xff)
        emit_u8(b, opc >> 8);
    emit_u8(b, opc & 0xff);
}

/* op reg, rm (both registers). */
static inline void emit_rr(JitBuf *b, unsigned flags, unsigned opc, unsigned reg, unsigned rm)
{
    emit_head(b, flags, opc, reg, 0, rm, (reg >= 4 && reg < 8) || (rm >= 4 && rm < 8));
    emit_u8(b, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

/* op reg, [base + index*scale + disp]; index < 0: none. scale is 1, 2, 4 or 8. */
static inline void emit_rm(JitBuf *b, unsigned flags, unsigned opc, unsigned reg, unsigned base,
                           int index, unsigned scale, int32_t disp)
{
    unsigned idx = index < 0 ? 0 : (unsigned)index;
    emit_head(b, flags, opc, reg, idx, base, reg >= 4 && reg < 8);
    unsigned mod = (disp == 0 && (base & 7) != RBP) ? 0 : emit_fits8(disp) ? 1 : 2;
    if (index < 0 && (base & 7) != RSP) {
        emit_u8(b, mod << 6 | (reg & 7) << 3 | (base & 7));
    } else {
        unsigned ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
        emit_u8(b, mod << 6 | (reg & 7) << 3 | 4);
        emit_u8(b, ss << 6 | (index < 0 ? 4u : (idx & 7)) << 3 | (base & 7));
    }
    if (mod == 1)
        emit_u8(b, (uint8_t)disp);
    else if (mod == 2)
        emit_u32(b, (uint32_t)disp);
}

/* ---- moves ---- */

static inline void emit_mov_rr(JitBuf *b, unsigned flags, X86Reg dst, X86Reg src)
{
    emit_rr(b, flags, 0x89, src, dst);
}

/* dst = imm, choosing mov r32 (zero-extends), mov r/m64 sign-extended, or movabs. */
static inline void emit_mov_ri(JitBuf *b, X86Reg dst, uint64_t imm)
{
    if (imm <= UINT32_MAX) {
        emit_head(b, 0, 0xb8 + (dst & 7), 0, 0, dst, false);
        emit_u32(b, (uint32_t)imm);
    } else if (emit_fits32((int64_t)imm)) {
        emit_rr(b, E_W, 0xc7, 0, dst);
        emit_u32(b, (uint32_t)imm);
    } else {
        emit_head(b, E_W, 0xb8 + (dst & 7), 0, 0, dst, false);
        emit_u64(b, imm);
    }
}

static inline void emit_load(JitBuf *b, unsigned flags, X86Reg dst, X86Reg base, int32_t disp)
{
    emit_rm(b, flags, 0x8b, dst, base, -1, 1, disp);
}

static inline void emit_store(JitBuf *b, unsigned flags, X86Reg base, int32_t disp, X86Reg src)
{
    emit_rm(b, flags, 0x89, src, base, -1, 1, disp);
}

/* dword [base + disp] = imm32 (sign-extended to a qword with E_W). */
static inline void emit_store_i32(JitBuf *b, unsigned flags, X86Reg base, int32_t disp,
                                  uint32_t imm)
{
    emit_rm(b, flags, 0xc7, 0, base, -1, 1, disp);
    emit_u32(b, imm);
}

static inline void emit_store_i8(JitBuf *b, X86Reg base, int32_t disp, uint8_t imm)
{
    emit_rm(b, 0, 0xc6, 0, base, -1, 1, disp);
    emit_u8(b, imm);
}

/* Indexed forms for guest memory: [base + index]. */
static inline void emit_load_idx(JitBuf *b, unsigned flags, X86Reg dst, X86Reg base, X86Reg index)
{
    emit_rm(b, flags, 0x8b, dst, base, index, 1, 0);
}

static inline void emit_store_idx(JitBuf *b, unsigned flags, X86Reg base, X86Reg index, X86Reg src)
{
    emit_rm(b, flags, 0x89, src, base, index, 1, 0);
}

static inline void emit_store8_idx(JitBuf *b, X86Reg base, X86Reg index, X86Reg src)
{
    emit_rm(b, E_BYTE, 0x88, src, base, index, 1, 0);
}

/* dst = zero- or sign-extended byte/halfword at [base + index]. */
static inline void emit_movzx8_idx(JitBuf *b, X86Reg dst, X86Reg base, X86Reg index)
{
    emit_rm(b, 0, 0x0fb6, dst, base, index, 1, 0);
}

static inline void emit_movzx16_idx(JitBuf *b, X86Reg dst, X86Reg base, X86Reg index)
{
    emit_rm(b, 0, 0x0fb7, dst, base, index, 1, 0);
}

/* Register forms of the extensions (8-bit sources use byte registers). */
static inline void emit_movzx8_rr(JitBuf *b, X86Reg dst, X86Reg src)
{
    emit_rr(b, E_BYTE, 0x0fb6, dst, src);
}

static inline void emit_movsx8_rr(JitBuf *b, X86Reg dst, X86Reg src)
{
    emit_rr(b, E_BYTE, 0x0fbe, dst, src);
}

static inline void emit_movzx16_rr(JitBuf *b, X86Reg dst, X86Reg src)
{
    emit_rr(b, 0, 0x0fb7, dst, src);
}

static inline void emit_movsx16_rr(JitBuf *b, X86Reg dst, X86Reg src)
{
    emit_rr(b, 0, 0x0fbf, dst, src);
}

static inline void emit_lea(JitBuf *b, unsigned flags, X86Reg dst, X86Reg base, int index,
                            unsigned scale, int32_t disp)
{
    emit_rm(b, flags, 0x8d, dst, base, index, scale, disp);
}

/* ---- arithmetic ---- */

static inline void emit_alu_rr(JitBuf *b, unsigned flags, X86Alu op, X86Reg dst, X86Reg src)
{
    emit_rr(b, flags, op * 8u + 1, src, dst);
}

/* op dst, [base + disp] */
static inline void emit_alu_rm(JitBuf *b, unsigned flags, X86Alu op, X86Reg dst, X86Reg base,
                               int32_t disp)
{
    emit_rm(b, flags, op * 8u + 3, dst, base, -1, 1, disp);
}

static inline void emit_alu_ri(JitBuf *b, unsigned flags, X86Alu op, X86Reg dst, int32_t imm)
{
    if (emit_fits8(imm)) {
        emit_rr(b, flags, 0x83, op, dst);
        emit_u8(b, (uint8_t)imm);
    } else {
        emit_rr(b, flags, 0x81, op, dst);
        emit_u32(b, (uint32_t)imm);
    }
}

/* op [base + disp], imm */
static inline void emit_alu_mi(JitBuf *b, unsigned flags, X86Alu op, X86Reg base, int32_t disp,
                               int32_t imm)
{
    if (emit_fits8(imm)) {
        emit_rm(b, flags, 0x83, op, base, -1, 1, disp);
        emit_u8(b, (uint8_t)imm);
    } else {
        emit_rm(b, flags, 0x81, op, base, -1, 1, disp);
        emit_u32(b, (uint32_t)imm);
    }
}

/* op [base + disp], src */
static inline void emit_alu_mr(JitBuf *b, unsigned flags, X86Alu op, X86Reg base, int32_t disp,
                               X86Reg src)
{
    emit_rm(b, flags, op * 8u + 1, src, base, -1, 1, disp);
}

/* cmp [base + index*scale + disp], src: the fast TLB tag compare. */
static inline void emit_cmp_mr_idx(JitBuf *b, X86Reg base, X86Reg index, unsigned scale,
                                   int32_t disp, X86Reg src)
{
    emit_rm(b, 0, 0x39, src, base, index, scale, disp);
}

/* dst += qword [base + index*scale + disp]: the fast TLB addend. */
static inline void emit_add64_m_idx(JitBuf *b, X86Reg dst, X86Reg base, X86Reg index,
                                    unsigned scale, int32_t disp)
{
    emit_rm(b, E_W, 0x03, dst, base, index, scale, disp);
}

static inline void emit_load64_idx(JitBuf *b, X86Reg dst, X86Reg base, X86Reg index,
                                   unsigned scale, int32_t disp)
{
    emit_rm(b, E_W, 0x8b, dst, base, index, scale, disp);
}

static inline void emit_shift_ri(JitBuf *b, unsigned flags, X86Shift op, X86Reg dst, unsigned n)
{
    if (n == 1) {
        emit_rr(b, flags, 0xd1, op, dst);
    } else {
        emit_rr(b, flags, 0xc1, op, dst);
        emit_u8(b, n);
    }
}

/* Shift by cl. */
static inline void emit_shift_cl(JitBuf *b, X86Shift op, X86Reg dst)
{
    emit_rr(b, 0, 0xd3, op, dst);
}

static inline void emit_not(JitBuf *b, X86Reg r)
{
    emit_rr(b, 0, 0xf7, 2, r);
}

/* r = -r: the flags of 0 - r (CF = r != 0, OF = r == INT_MIN). */
static inline void emit_neg(JitBuf *b, X86Reg r)
{
    emit_rr(b, 0, 0xf7, 3, r);
}

/* edx:eax = eax * r, unsigned (mul) or signed (imul). */
static inline void emit_mul(JitBuf *b, X86Reg r, bool is_signed)
{
    emit_rr(b, 0, 0xf7, is_signed ? 5 : 4, r);
}

static inline void emit_test_rr(JitBuf *b, unsigned flags, X86Reg a, X86Reg c)
{
    emit_rr(b, flags, 0x85, c, a);
}

/* test dword [base + disp], imm */
static inline void emit_test_mi(JitBuf *b, X86Reg base, int32_t disp, uint32_t imm)
{
    emit_rm(b, 0, 0xf7, 0, base, -1, 1, disp);
    emit_u32(b, imm);
}

/* test r8, imm8 (low byte). */
static inline void emit_test_ri8(JitBuf *b, X86Reg r, uint8_t imm)
{
    emit_rr(b, E_BYTE, 0xf6, 0, r);
    emit_u8(b, imm);
}

/* bt dword [base + disp], bit: CF = that bit. */
static inline void emit_bt_mi(JitBuf *b, X86Reg base, int32_t disp, unsigned bit)
{
    emit_rm(b, 0, 0x0fba, 4, base, -1, 1, disp);
    emit_u8(b, bit);
}

/* bt a, bitreg: CF = bit `bitreg` of a. */
static inline void emit_bt_rr(JitBuf *b, X86Reg a, X86Reg bit)
{
    emit_rr(b, 0, 0x0fa3, bit, a);
}

static inline void emit_bswap(JitBuf *b, unsigned flags, X86Reg r)
{
    emit_head(b, flags & E_W, 0x0fc8 + (r & 7), 0, 0, r, false);
}

/* The byte swap of a halfword: rol r16, 8. */
static inline void emit_bswap16(JitBuf *b, X86Reg r)
{
    emit_rr(b, E_66, 0xc1, SH_ROL, r);
    emit_u8(b, 8);
}

static inline void emit_setcc(JitBuf *b, X86Cond cc, X86Reg r)
{
    emit_rr(b, E_BYTE, 0x0f90 + cc, 0, r);
}

static inline void emit_cmov(JitBuf *b, X86Cond cc, X86Reg dst, X86Reg src)
{
    emit_rr(b, 0, 0x0f40 + cc, dst, src);
}

static inline void emit_push(JitBuf *b, X86Reg r)
{
    emit_head(b, 0, 0x50 + (r & 7), 0, 0, r, false);
}

static inline void emit_pop(JitBuf *b, X86Reg r)
{
    emit_head(b, 0, 0x58 + (r & 7), 0, 0, r, false);
}

static inline void emit_pushf(JitBuf *b)
{
    emit_u8(b, 0x9c);
}

static inline void emit_ret(JitBuf *b)
{
    emit_u8(b, 0xc3);
}

/* ---- control flow: rel32 everywhere; the *_fwd forms return the rel32 field to
 * patch once the target is known (emit_patch). ---- */

static inline void emit_patch(JitBuf *b, uint8_t *rel32_field, uintptr_t target_rx)
{
    uintptr_t next = (uintptr_t)rel32_field + (uintptr_t)b->rx + 4;
    int32_t rel = (int32_t)(intptr_t)(target_rx - next);
    memcpy(rel32_field, &rel, 4);
}

static inline uint8_t *emit_jmp_fwd(JitBuf *b)
{
    emit_u8(b, 0xe9);
    uint8_t *f = b->p;
    emit_u32(b, 0);
    return f;
}

static inline uint8_t *emit_jcc_fwd(JitBuf *b, X86Cond cc)
{
    emit_u8(b, 0x0f);
    emit_u8(b, 0x80 + cc);
    uint8_t *f = b->p;
    emit_u32(b, 0);
    return f;
}

static inline void emit_jmp(JitBuf *b, uintptr_t target_rx)
{
    emit_patch(b, emit_jmp_fwd(b), target_rx);
}

static inline void emit_jcc(JitBuf *b, X86Cond cc, uintptr_t target_rx)
{
    emit_patch(b, emit_jcc_fwd(b, cc), target_rx);
}

/* jmp r / call r */
static inline void emit_jmp_r(JitBuf *b, X86Reg r)
{
    emit_rr(b, 0, 0xff, 4, r);
}

static inline void emit_call_r(JitBuf *b, X86Reg r)
{
    emit_rr(b, 0, 0xff, 2, r);
}

/* call a C function: rel32 when it is in reach, else through rax. */
static inline void emit_call(JitBuf *b, const void *fn)
{
    intptr_t rel = (intptr_t)(uintptr_t)fn - (intptr_t)(emit_here(b) + 5);
    if (emit_fits32(rel)) {
        emit_u8(b, 0xe8);
        emit_u32(b, (uint32_t)(int32_t)rel);
    } else {
        emit_mov_ri(b, RAX, (uint64_t)(uintptr_t)fn);
        emit_call_r(b, RAX);
    }
}

#endif /* SPARC_JIT_EMIT_H */
