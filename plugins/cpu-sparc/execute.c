/* SPDX-License-Identifier: MIT */
/*
 * The instruction handlers (SPARC V8 manual, appendix B), one per SparcOp, all
 * with the signature SparcHandler. Each one either completes the instruction
 * (writes its results and advances PC/nPC) or raises a trap and changes nothing
 * else. Checks run in the order of V8 table 7-1 priorities: privileged (6),
 * illegal (7), fp/cp disabled (8), window traps (9), alignment (10), FP
 * exception (11), access errors (12, 13), tag overflow (14), division (15),
 * Ticc (16).
 */
#include "asi.h"
#include "decode.h"
#include "mem.h"

#define HANDLER(name) static void name(SparcCpu *cpu, const SparcDecoded *d)
/* Operand 2: exactly one of the terms is non-zero (see decode.h). */
#define OP2() (cpu->r[d->rs2] + (uint32_t)d->imm)
#define RS1() (cpu->r[d->rs1])

static inline void next(SparcCpu *cpu)
{
    cpu->pc = cpu->npc;
    cpu->npc += 4;
}

static inline void set_icc(SparcCpu *cpu, uint32_t icc)
{
    cpu->psr = (cpu->psr & ~PSR_ICC) | icc;
}

static inline uint32_t icc_nz(uint32_t r)
{
    return ((r >> 31) << 23) | (r == 0 ? PSR_Z : 0);
}

/* Flags of r = a + b (+ carry in): V8 B.11. */
static inline uint32_t icc_add(uint32_t a, uint32_t b, uint32_t r)
{
    uint32_t v = ((a & b & ~r) | (~a & ~b & r)) >> 31;
    uint32_t c = ((a & b) | ((a | b) & ~r)) >> 31;
    return icc_nz(r) | (v << 21) | (c << 20);
}

/* Flags of r = a - b (- borrow in): V8 B.12; C is the borrow. */
static inline uint32_t icc_sub(uint32_t a, uint32_t b, uint32_t r)
{
    uint32_t v = ((a & ~b & ~r) | (~a & b & r)) >> 31;
    uint32_t c = ((~a & b) | ((~a | b) & r)) >> 31;
    return icc_nz(r) | (v << 21) | (c << 20);
}

static inline uint32_t carry(const SparcCpu *cpu)
{
    return (cpu->psr >> 20) & 1;
}

/* ---- traps as instructions ---- */

HANDLER(op_illegal)
{
    (void)d;
    trap_raise(cpu, TT_ILLEGAL);
}

HANDLER(op_cp_disabled)
{
    (void)d;
    trap_raise(cpu, TT_CP_DISABLED);
}

static inline bool require_super(SparcCpu *cpu)
{
    if (cpu->psr & PSR_S)
        return true;
    trap_raise(cpu, TT_PRIVILEGED);
    return false;
}

static inline bool require_fpu(SparcCpu *cpu)
{
    if (cpu->psr & PSR_EF)
        return true;
    trap_raise(cpu, TT_FP_DISABLED);
    return false;
}

static inline bool require_aligned(SparcCpu *cpu, uint32_t va, uint32_t mask)
{
    if (!(va & mask))
        return true;
    trap_raise(cpu, TT_UNALIGNED);
    return false;
}

/* ---- control transfer (V8 B.21-B.25, delayed with annul: table 5-10) ---- */

/* Bicc conditions as 16-bit masks over the icc value N<<3|Z<<2|V<<1|C
 * (V8 B.21: e.g. BLE = Z or (N xor V)). */
static const uint16_t icc_cond_mask[16] = {
    0x0000, 0xf0f0, 0xf3fc, 0x33cc, 0xfafa, 0xaaaa, 0xff00, 0xcccc,
    0xffff, 0x0f0f, 0x0c03, 0xcc33, 0x0505, 0x5555, 0x00ff, 0x3333,
};

static inline bool icc_holds(const SparcCpu *cpu, unsigned cond)
{
    return (icc_cond_mask[cond] >> ((cpu->psr >> 20) & 15)) & 1;
}

/* A taken branch runs its delay slot, except "branch always" with a=1; an
 * untaken one with a=1 skips it. */
static inline void branch(SparcCpu *cpu, const SparcDecoded *d, bool taken)
{
    uint32_t target = cpu->pc + (uint32_t)d->imm;
    if (taken) {
        if (d->annul && d->cond == 8) {
            cpu->pc = target;
            cpu->npc = target + 4;
        } else {
            cpu->pc = cpu->npc;
            cpu->npc = target;
        }
    } else if (d->annul) {
        cpu->pc = cpu->npc + 4;
        cpu->npc += 8;
    } else {
        next(cpu);
    }
}

HANDLER(op_bicc)
{
    branch(cpu, d, icc_holds(cpu, d->cond));
}

HANDLER(op_ba)
{
    branch(cpu, d, true);
}

HANDLER(op_bn)
{
    branch(cpu, d, false);
}

HANDLER(op_fbfcc)
{
    if (!require_fpu(cpu))
        return;
    branch(cpu, d, fpu_branch_taken(&cpu->fpu, d->cond));
}

HANDLER(op_call)
{
    uint32_t target = cpu->pc + (uint32_t)d->imm;
    cpu->r[15] = cpu->pc;
    cpu->pc = cpu->npc;
    cpu->npc = target;
}

HANDLER(op_jmpl)
{
    uint32_t target = RS1() + OP2();
    if (!require_aligned(cpu, target, 3))
        return;
    cpu->r[d->rd] = cpu->pc;
    cpu->pc = cpu->npc;
    cpu->npc = target;
}

/* V8 B.28: with ET=0 every failure is a trap with traps disabled, i.e. error
 * mode (trap_raise handles that). */
HANDLER(op_rett)
{
    unsigned new_cwp = ((cpu->psr & PSR_CWP) + 1) % SPARC_NWINDOWS;
    uint32_t target = RS1() + OP2();

    if (cpu->psr & PSR_ET) {
        trap_raise(cpu, (cpu->psr & PSR_S) ? TT_ILLEGAL : TT_PRIVILEGED);
        return;
    }
    if (!(cpu->psr & PSR_S)) {
        trap_raise(cpu, TT_PRIVILEGED);
        return;
    }
    if (cpu->wim & (1u << new_cwp)) {
        trap_raise(cpu, TT_WIN_UNDERFLOW);
        return;
    }
    if (!require_aligned(cpu, target, 3))
        return;
    uint32_t psr = (cpu->psr & ~(PSR_S | PSR_CWP)) | PSR_ET | new_cwp;
    if (cpu->psr & PSR_PS)
        psr |= PSR_S;
    psr_write(cpu, psr);
    cpu->pc = cpu->npc;
    cpu->npc = target;
}

/* V8 B.27: tt = 128 + (r[rs1] + operand2)<6:0>. */
HANDLER(op_ticc)
{
    if (icc_holds(cpu, d->cond))
        trap_raise(cpu, TT_TICC + ((RS1() + OP2()) & 0x7f));
    else
        next(cpu);
}

/* V8 B.20: the sum uses the old window, the result goes to the new one. */
HANDLER(op_save)
{
    uint32_t sum = RS1() + OP2();
    unsigned new_cwp = ((cpu->psr & PSR_CWP) + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS;
    if (cpu->wim & (1u << new_cwp)) {
        trap_raise(cpu, TT_WIN_OVERFLOW);
        return;
    }
    window_set_cwp(cpu, new_cwp);
    cpu->r[d->rd] = sum;
    next(cpu);
}

HANDLER(op_restore)
{
    uint32_t sum = RS1() + OP2();
    unsigned new_cwp = ((cpu->psr & PSR_CWP) + 1) % SPARC_NWINDOWS;
    if (cpu->wim & (1u << new_cwp)) {
        trap_raise(cpu, TT_WIN_UNDERFLOW);
        return;
    }
    window_set_cwp(cpu, new_cwp);
    cpu->r[d->rd] = sum;
    next(cpu);
}

/* FLUSH (V8 B.32): fetch compares every decoded entry with memory, so there is
 * nothing to drop. */
HANDLER(op_flush)
{
    (void)d;
    next(cpu);
}

HANDLER(op_nop)
{
    (void)d;
    next(cpu);
}

HANDLER(op_sethi)
{
    cpu->r[d->rd] = (uint32_t)d->imm;
    next(cpu);
}

/* ---- arithmetic and logic (V8 B.11-B.19) ---- */

#define ALU(name, expr)                      \
    HANDLER(op_##name)                       \
    {                                        \
        uint32_t a = RS1(), b = OP2();       \
        cpu->r[d->rd] = (expr);              \
        next(cpu);                           \
    }

#define ALU_LOGIC_CC(name, expr)             \
    HANDLER(op_##name)                       \
    {                                        \
        uint32_t a = RS1(), b = OP2();       \
        uint32_t r = (expr);                 \
        cpu->r[d->rd] = r;                   \
        set_icc(cpu, icc_nz(r));             \
        next(cpu);                           \
    }

ALU(add, a + b)
ALU(addx, a + b + carry(cpu))
ALU(sub, a - b)
ALU(subx, a - b - carry(cpu))
ALU(and, a & b)
ALU(andn, a & ~b)
ALU(or, a | b)
ALU(orn, a | ~b)
ALU(xor, a ^ b)
ALU(xnor, ~(a ^ b))
ALU(sll, a << (b & 31))
ALU(srl, a >> (b & 31))
ALU(sra, (uint32_t)((int32_t)a >> (b & 31)))
ALU_LOGIC_CC(andcc, a & b)
ALU_LOGIC_CC(andncc, a & ~b)
ALU_LOGIC_CC(orcc, a | b)
ALU_LOGIC_CC(orncc, a | ~b)
ALU_LOGIC_CC(xorcc, a ^ b)
ALU_LOGIC_CC(xnorcc, ~(a ^ b))

HANDLER(op_addcc)
{
    uint32_t a = RS1(), b = OP2(), r = a + b;
    cpu->r[d->rd] = r;
    set_icc(cpu, icc_add(a, b, r));
    next(cpu);
}

HANDLER(op_addxcc)
{
    uint32_t a = RS1(), b = OP2(), r = a + b + carry(cpu);
    cpu->r[d->rd] = r;
    set_icc(cpu, icc_add(a, b, r));
    next(cpu);
}

HANDLER(op_subcc)
{
    uint32_t a = RS1(), b = OP2(), r = a - b;
    cpu->r[d->rd] = r;
    set_icc(cpu, icc_sub(a, b, r));
    next(cpu);
}

HANDLER(op_subxcc)
{
    uint32_t a = RS1(), b = OP2(), r = a - b - carry(cpu);
    cpu->r[d->rd] = r;
    set_icc(cpu, icc_sub(a, b, r));
    next(cpu);
}

/* V8 B.17: one step of a shift-and-add multiply, Y holding the multiplier. */
HANDLER(op_mulscc)
{
    uint32_t a = RS1(), b = OP2();
    uint32_t nxv = ((cpu->psr >> 23) ^ (cpu->psr >> 21)) & 1;
    uint32_t op1 = (nxv << 31) | (a >> 1);
    uint32_t op2 = (cpu->y & 1) ? b : 0;
    uint32_t r = op1 + op2;
    cpu->y = ((a & 1) << 31) | (cpu->y >> 1);
    cpu->r[d->rd] = r;
    set_icc(cpu, icc_add(op1, op2, r));
    next(cpu);
}

/* V8 B.18: the 64-bit product's high word goes to Y; cc forms set N and Z from
 * the low word and clear V and C. */
static inline void multiply(SparcCpu *cpu, const SparcDecoded *d, bool is_signed, bool cc)
{
    uint32_t a = RS1(), b = OP2();
    uint64_t p = is_signed ? (uint64_t)((int64_t)(int32_t)a * (int32_t)b) : (uint64_t)a * b;
    cpu->y = (uint32_t)(p >> 32);
    cpu->r[d->rd] = (uint32_t)p;
    if (cc)
        set_icc(cpu, icc_nz((uint32_t)p));
    next(cpu);
}

HANDLER(op_umul) { multiply(cpu, d, false, false); }
HANDLER(op_smul) { multiply(cpu, d, true, false); }
HANDLER(op_umulcc) { multiply(cpu, d, false, true); }
HANDLER(op_smulcc) { multiply(cpu, d, true, true); }

/* V8 B.19: Y:r[rs1] divided by operand 2; a quotient that does not fit saturates
 * (0xffffffff unsigned; 0x7fffffff or 0x80000000 signed) and sets V in the cc
 * forms. C is always cleared. */
static inline void divide(SparcCpu *cpu, const SparcDecoded *d, bool is_signed, bool cc)
{
    uint32_t b = OP2();
    uint64_t dividend = ((uint64_t)cpu->y << 32) | RS1();
    uint32_t q;
    bool overflow = false;

    if (b == 0) {
        trap_raise(cpu, TT_DIV_ZERO);
        return;
    }
    if (!is_signed) {
        uint64_t q64 = dividend / b;
        overflow = q64 > UINT32_MAX;
        q = overflow ? UINT32_MAX : (uint32_t)q64;
    } else {
        int64_t n = (int64_t)dividend, m = (int32_t)b;
        int64_t q64;
        if (n == INT64_MIN && m == -1) {
            q64 = INT64_MAX; /* the true quotient 2^63 overflows as a positive value */
        } else {
            q64 = n / m;
        }
        if (q64 > INT32_MAX) {
            overflow = true;
            q = 0x7fffffffu;
        } else if (q64 < INT32_MIN) {
            overflow = true;
            q = 0x80000000u;
        } else {
            q = (uint32_t)q64;
        }
    }
    cpu->r[d->rd] = q;
    if (cc)
        set_icc(cpu, icc_nz(q) | (overflow ? PSR_V : 0));
    next(cpu);
}

HANDLER(op_udiv) { divide(cpu, d, false, false); }
HANDLER(op_sdiv) { divide(cpu, d, true, false); }
HANDLER(op_udivcc) { divide(cpu, d, false, true); }
HANDLER(op_sdivcc) { divide(cpu, d, true, true); }

/* V8 B.14: tagged add/subtract; V also flags non-zero tags (bits 1:0) in either
 * operand. The TV forms trap (tag_overflow) instead and change nothing. */
static inline void tagged(SparcCpu *cpu, const SparcDecoded *d, bool sub, bool trap_on_v)
{
    uint32_t a = RS1(), b = OP2();
    uint32_t r = sub ? a - b : a + b;
    uint32_t icc = sub ? icc_sub(a, b, r) : icc_add(a, b, r);
    if ((a | b) & 3)
        icc |= PSR_V;
    if (trap_on_v && (icc & PSR_V)) {
        trap_raise(cpu, TT_TAG_OVERFLOW);
        return;
    }
    cpu->r[d->rd] = r;
    set_icc(cpu, icc);
    next(cpu);
}

HANDLER(op_taddcc) { tagged(cpu, d, false, false); }
HANDLER(op_tsubcc) { tagged(cpu, d, true, false); }
HANDLER(op_taddcctv) { tagged(cpu, d, false, true); }
HANDLER(op_tsubcctv) { tagged(cpu, d, true, true); }

/* ---- state registers (V8 B.28, B.29) ---- */

/* The microSPARC II reads Y for every RDASR, STBAR (rs1 = 15, rd = 0) included. */
HANDLER(op_rdy)
{
    cpu->r[d->rd] = cpu->y;
    next(cpu);
}

HANDLER(op_rdpsr)
{
    if (!require_super(cpu))
        return;
    cpu->r[d->rd] = cpu->psr;
    next(cpu);
}

HANDLER(op_rdwim)
{
    if (!require_super(cpu))
        return;
    cpu->r[d->rd] = cpu->wim;
    next(cpu);
}

HANDLER(op_rdtbr)
{
    if (!require_super(cpu))
        return;
    cpu->r[d->rd] = cpu->tbr;
    next(cpu);
}

/* WR writes r[rs1] xor operand 2. */
HANDLER(op_wry)
{
    cpu->y = RS1() ^ OP2();
    next(cpu);
}

/* WRASR with rd != 0: reserved in V8, a no-op on the microSPARC II. */
HANDLER(op_wrasr)
{
    (void)d;
    next(cpu);
}

HANDLER(op_wrpsr)
{
    if (!require_super(cpu))
        return;
    uint32_t v = RS1() ^ OP2();
    if ((v & PSR_CWP) >= SPARC_NWINDOWS) {
        trap_raise(cpu, TT_ILLEGAL);
        return;
    }
    psr_write(cpu, v);
    next(cpu);
}

HANDLER(op_wrwim)
{
    if (!require_super(cpu))
        return;
    cpu->wim = (RS1() ^ OP2()) & ((1u << SPARC_NWINDOWS) - 1);
    next(cpu);
}

HANDLER(op_wrtbr)
{
    if (!require_super(cpu))
        return;
    cpu->tbr = (cpu->tbr & 0xff0u) | ((RS1() ^ OP2()) & 0xfffff000u);
    next(cpu);
}

HANDLER(op_fpop)
{
    if (!require_fpu(cpu))
        return;
    int tt = fpu_exec(&cpu->fpu, __builtin_bswap32(d->raw));
    if (tt) {
        trap_raise(cpu, (unsigned)tt);
        return;
    }
    next(cpu);
}

/* ---- loads and stores (V8 B.1-B.10) ---- */

static inline uint32_t ea(const SparcCpu *cpu, const SparcDecoded *d)
{
    return RS1() + OP2();
}

#define LOAD(name, size, convert)                         \
    HANDLER(op_##name)                                    \
    {                                                     \
        uint32_t va = ea(cpu, d);                         \
        uint64_t v;                                       \
        if (!require_aligned(cpu, va, (size) - 1))        \
            return;                                       \
        if (mem_load(cpu, va, (size), &v))                \
            return;                                       \
        cpu->r[d->rd] = (uint32_t)(convert);              \
        next(cpu);                                        \
    }

#define STORE(name, size)                                 \
    HANDLER(op_##name)                                    \
    {                                                     \
        uint32_t va = ea(cpu, d);                         \
        if (!require_aligned(cpu, va, (size) - 1))        \
            return;                                       \
        if (mem_store(cpu, va, (size), cpu->r[d->rd]))    \
            return;                                       \
        next(cpu);                                        \
    }

LOAD(ld, 4, v)
LOAD(ldub, 1, v)
LOAD(lduh, 2, v)
LOAD(ldsb, 1, (int32_t)(int8_t)v)
LOAD(ldsh, 2, (int32_t)(int16_t)v)
STORE(st, 4)
STORE(stb, 1)
STORE(sth, 2)

/* LDD/STD: an odd rd is illegal (V8 B.1); %g0 as destination stays 0. */
static inline void set_pair(SparcCpu *cpu, unsigned rd, uint64_t v)
{
    if (rd)
        cpu->r[rd] = (uint32_t)(v >> 32);
    cpu->r[rd + 1] = (uint32_t)v;
}

static inline uint64_t get_pair(const SparcCpu *cpu, unsigned rd)
{
    return ((uint64_t)cpu->r[rd] << 32) | cpu->r[rd + 1];
}

HANDLER(op_ldd)
{
    uint32_t va = ea(cpu, d);
    uint64_t v;
    if (d->rd & 1) {
        trap_raise(cpu, TT_ILLEGAL);
        return;
    }
    if (!require_aligned(cpu, va, 7) || mem_load(cpu, va, 8, &v))
        return;
    set_pair(cpu, d->rd, v);
    next(cpu);
}

HANDLER(op_std)
{
    uint32_t va = ea(cpu, d);
    if (d->rd & 1) {
        trap_raise(cpu, TT_ILLEGAL);
        return;
    }
    if (!require_aligned(cpu, va, 7) || mem_store(cpu, va, 8, get_pair(cpu, d->rd)))
        return;
    next(cpu);
}

/* Alternate space: privileged (6) before the illegal immediate form (7). */
static inline bool alt_allowed(SparcCpu *cpu, const SparcDecoded *d)
{
    if (!require_super(cpu))
        return false;
    if (d->annul) {
        trap_raise(cpu, TT_ILLEGAL);
        return false;
    }
    return true;
}

#define LOAD_ALT(name, size, convert)                                \
    HANDLER(op_##name)                                               \
    {                                                                \
        uint32_t va = ea(cpu, d);                                    \
        uint64_t v;                                                  \
        if (!alt_allowed(cpu, d) || !require_aligned(cpu, va, (size) - 1)) \
            return;                                                  \
        if (asi_load(cpu, d->asi, va, (size), &v))                   \
            return;                                                  \
        cpu->r[d->rd] = (uint32_t)(convert);                         \
        next(cpu);                                                   \
    }

#define STORE_ALT(name, size)                                        \
    HANDLER(op_##name)                                               \
    {                                                                \
        uint32_t va = ea(cpu, d);                                    \
        if (!alt_allowed(cpu, d) || !require_aligned(cpu, va, (size) - 1)) \
            return;                                                  \
        if (asi_store(cpu, d->asi, va, (size), cpu->r[d->rd]))       \
            return;                                                  \
        next(cpu);                                                   \
    }

LOAD_ALT(lda, 4, v)
LOAD_ALT(lduba, 1, v)
LOAD_ALT(lduha, 2, v)
LOAD_ALT(ldsba, 1, (int32_t)(int8_t)v)
LOAD_ALT(ldsha, 2, (int32_t)(int16_t)v)
STORE_ALT(sta, 4)
STORE_ALT(stba, 1)
STORE_ALT(stha, 2)

HANDLER(op_ldda)
{
    uint32_t va = ea(cpu, d);
    uint64_t v;
    if (!alt_allowed(cpu, d))
        return;
    if (d->rd & 1) {
        trap_raise(cpu, TT_ILLEGAL);
        return;
    }
    if (!require_aligned(cpu, va, 7) || asi_load(cpu, d->asi, va, 8, &v))
        return;
    set_pair(cpu, d->rd, v);
    next(cpu);
}

HANDLER(op_stda)
{
    uint32_t va = ea(cpu, d);
    if (!alt_allowed(cpu, d))
        return;
    if (d->rd & 1) {
        trap_raise(cpu, TT_ILLEGAL);
        return;
    }
    if (!require_aligned(cpu, va, 7) || asi_store(cpu, d->asi, va, 8, get_pair(cpu, d->rd)))
        return;
    next(cpu);
}

/* LDSTUB and SWAP (and their alternate forms) need store permission and are
 * atomic (one CPU here). SWAP's rd is also its source, so decode leaves a %g0 rd
 * as 0 and the old value goes to the sink here. */
static inline void swap(SparcCpu *cpu, const SparcDecoded *d, unsigned size, uint32_t value,
                        bool alt)
{
    uint32_t va = ea(cpu, d), old;
    if ((alt && !alt_allowed(cpu, d)) || !require_aligned(cpu, va, size - 1))
        return;
    int tt = alt ? asi_swap(cpu, d->asi, va, size, value, &old)
                 : mem_swap(cpu, va, size, cpu_super(cpu), value, &old);
    if (tt)
        return;
    cpu->r[d->rd ? d->rd : 32] = old;
    next(cpu);
}

HANDLER(op_ldstub) { swap(cpu, d, 1, 0xff, false); }
HANDLER(op_swap) { swap(cpu, d, 4, cpu->r[d->rd], false); }
HANDLER(op_ldstuba) { swap(cpu, d, 1, 0xff, true); }
HANDLER(op_swapa) { swap(cpu, d, 4, cpu->r[d->rd], true); }

/* ---- floating-point loads and stores (V8 B.2, B.5) ---- */

HANDLER(op_ldf)
{
    uint32_t va = ea(cpu, d);
    uint64_t v;
    if (!require_fpu(cpu) || !require_aligned(cpu, va, 3) || mem_load(cpu, va, 4, &v))
        return;
    cpu->fpu.f[d->rd] = (uint32_t)v;
    next(cpu);
}

/* Double registers ignore rd's low bit, as the reference does. */
HANDLER(op_lddf)
{
    uint32_t va = ea(cpu, d);
    uint64_t v;
    if (!require_fpu(cpu) || !require_aligned(cpu, va, 7) || mem_load(cpu, va, 8, &v))
        return;
    cpu->fpu.f[d->rd & ~1u] = (uint32_t)(v >> 32);
    cpu->fpu.f[d->rd | 1u] = (uint32_t)v;
    next(cpu);
}

HANDLER(op_ldfsr)
{
    uint32_t va = ea(cpu, d);
    uint64_t v;
    if (!require_fpu(cpu) || !require_aligned(cpu, va, 3) || mem_load(cpu, va, 4, &v))
        return;
    fpu_ldfsr(&cpu->fpu, (uint32_t)v);
    next(cpu);
}

HANDLER(op_stf)
{
    uint32_t va = ea(cpu, d);
    if (!require_fpu(cpu) || !require_aligned(cpu, va, 3) ||
        mem_store(cpu, va, 4, cpu->fpu.f[d->rd]))
        return;
    next(cpu);
}

HANDLER(op_stdf)
{
    uint32_t va = ea(cpu, d);
    uint64_t v = ((uint64_t)cpu->fpu.f[d->rd & ~1u] << 32) | cpu->fpu.f[d->rd | 1u];
    if (!require_fpu(cpu) || !require_aligned(cpu, va, 7) || mem_store(cpu, va, 8, v))
        return;
    next(cpu);
}

/* STFSR clears FSR.ftt only if the store happens. */
HANDLER(op_stfsr)
{
    uint32_t va = ea(cpu, d);
    if (!require_fpu(cpu) || !require_aligned(cpu, va, 3))
        return;
    uint32_t saved = cpu->fpu.fsr;
    uint32_t v = fpu_stfsr(&cpu->fpu);
    if (mem_store(cpu, va, 4, v)) {
        cpu->fpu.fsr = saved;
        return;
    }
    next(cpu);
}

/* STDFQ (V8 B.5): privileged; this FPU's queue is always empty (fpu_stdfq). */
HANDLER(op_stdfq)
{
    (void)d;
    if (!require_super(cpu) || !require_fpu(cpu))
        return;
    trap_raise(cpu, (unsigned)fpu_stdfq(&cpu->fpu));
}

SparcHandler *const sparc_handlers[OP_COUNT] = {
    [OP_UNIMP] = op_illegal, [OP_ILLEGAL] = op_illegal, [OP_CP_DISABLED] = op_cp_disabled,
    [OP_CALL] = op_call, [OP_SETHI] = op_sethi, [OP_NOP] = op_nop,
    [OP_BICC] = op_bicc, [OP_BA] = op_ba, [OP_BN] = op_bn, [OP_FBFCC] = op_fbfcc,
    [OP_ADD] = op_add, [OP_ADDCC] = op_addcc, [OP_ADDX] = op_addx, [OP_ADDXCC] = op_addxcc,
    [OP_SUB] = op_sub, [OP_SUBCC] = op_subcc, [OP_SUBX] = op_subx, [OP_SUBXCC] = op_subxcc,
    [OP_AND] = op_and, [OP_ANDCC] = op_andcc, [OP_ANDN] = op_andn, [OP_ANDNCC] = op_andncc,
    [OP_OR] = op_or, [OP_ORCC] = op_orcc, [OP_ORN] = op_orn, [OP_ORNCC] = op_orncc,
    [OP_XOR] = op_xor, [OP_XORCC] = op_xorcc, [OP_XNOR] = op_xnor, [OP_XNORCC] = op_xnorcc,
    [OP_SLL] = op_sll, [OP_SRL] = op_srl, [OP_SRA] = op_sra,
    [OP_MULSCC] = op_mulscc, [OP_UMUL] = op_umul, [OP_SMUL] = op_smul,
    [OP_UMULCC] = op_umulcc, [OP_SMULCC] = op_smulcc,
    [OP_UDIV] = op_udiv, [OP_SDIV] = op_sdiv, [OP_UDIVCC] = op_udivcc, [OP_SDIVCC] = op_sdivcc,
    [OP_TADDCC] = op_taddcc, [OP_TSUBCC] = op_tsubcc,
    [OP_TADDCCTV] = op_taddcctv, [OP_TSUBCCTV] = op_tsubcctv,
    [OP_RDY] = op_rdy, [OP_RDPSR] = op_rdpsr, [OP_RDWIM] = op_rdwim, [OP_RDTBR] = op_rdtbr,
    [OP_WRY] = op_wry, [OP_WRASR] = op_wrasr, [OP_WRPSR] = op_wrpsr,
    [OP_WRWIM] = op_wrwim, [OP_WRTBR] = op_wrtbr,
    [OP_JMPL] = op_jmpl, [OP_RETT] = op_rett, [OP_TICC] = op_ticc, [OP_FLUSH] = op_flush,
    [OP_SAVE] = op_save, [OP_RESTORE] = op_restore, [OP_FPOP] = op_fpop,
    [OP_LD] = op_ld, [OP_LDUB] = op_ldub, [OP_LDUH] = op_lduh, [OP_LDD] = op_ldd,
    [OP_ST] = op_st, [OP_STB] = op_stb, [OP_STH] = op_sth, [OP_STD] = op_std,
    [OP_LDSB] = op_ldsb, [OP_LDSH] = op_ldsh, [OP_LDSTUB] = op_ldstub, [OP_SWAP] = op_swap,
    [OP_LDA] = op_lda, [OP_LDUBA] = op_lduba, [OP_LDUHA] = op_lduha, [OP_LDDA] = op_ldda,
    [OP_STA] = op_sta, [OP_STBA] = op_stba, [OP_STHA] = op_stha, [OP_STDA] = op_stda,
    [OP_LDSBA] = op_ldsba, [OP_LDSHA] = op_ldsha, [OP_LDSTUBA] = op_ldstuba,
    [OP_SWAPA] = op_swapa,
    [OP_LDF] = op_ldf, [OP_LDFSR] = op_ldfsr, [OP_LDDF] = op_lddf, [OP_STF] = op_stf,
    [OP_STFSR] = op_stfsr, [OP_STDFQ] = op_stdfq, [OP_STDF] = op_stdf,
    [OP_UNDECODED] = op_illegal, /* never dispatched: run_page decodes first */
};
