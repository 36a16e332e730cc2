/* SPDX-License-Identifier: MIT */
/* The MB86904 FPU: FPop1/FPop2 on host IEEE 754 arithmetic.
 *
 * Arithmetic runs on the host FPU under the guest's rounding mode and reads the host
 * exception flags back (fenv.h), so results are bit-exact IEEE 754. What the host does
 * differently from SPARC is done here by hand: NaN operands are propagated before the
 * host sees them, a NaN produced from non-NaN operands becomes SPARC's default NaN, and
 * float-to-integer conversion follows V8 (appendix N). Build with -frounding-math
 * -fno-fast-math so the compiler neither folds nor reorders across fesetround.
 *
 * QEMU 7.2 (target/sparc) is the behavioural oracle where V8 leaves a choice:
 *  - every FPop first clears FSR.cexc and FSR.ftt, even one that then traps;
 *  - with two NaN operands, a signalling one wins, rs2 before rs1; then a quiet rs2,
 *    then rs1; the winner is returned quiet;
 *  - double-precision register numbers ignore bit 0;
 *  - quad FPops are unimplemented_FPop (ftt 3); unknown opf is an illegal instruction;
 *  - FsTOi/FdTOi of a NaN give 0x7fffffff; underflow is tiny-and-inexact only. */
#include "fpu.h"

#include <fenv.h>
#include <string.h>

/* FSR fields (V8 4.4, figure 4-3). */
#define FSR_RD_SHIFT 30
#define FSR_TEM_SHIFT 23
#define FSR_VER_SHIFT 17
#define FSR_FTT_SHIFT 14
#define FSR_FCC_SHIFT 10
#define FSR_AEXC_SHIFT 5
#define FSR_FTT_MASK (7u << FSR_FTT_SHIFT)
#define FSR_FCC_MASK (3u << FSR_FCC_SHIFT)
#define FSR_CEXC_MASK 0x1fu
#define FSR_VER_MASK (7u << FSR_VER_SHIFT)
#define FSR_VER_MB86904 (4u << FSR_VER_SHIFT)
/* What LDFSR may write: rd, TEM, NS, fcc, aexc, cexc (QEMU's FSR_LDFSR_MASK). */
#define FSR_LDFSR_MASK 0xcfc00fffu

/* Floating-point trap types in FSR.ftt (V8 4.4, table 4-4). */
#define FTT_IEEE_754_EXCEPTION 1u
#define FTT_UNIMPLEMENTED_FPOP 3u
#define FTT_SEQUENCE_ERROR 4u

/* IEEE exception bits in cexc/aexc/TEM order (V8 4.4, figure 4-4). */
#define EXC_NV 0x10u
#define EXC_OF 0x08u
#define EXC_UF 0x04u
#define EXC_DZ 0x02u
#define EXC_NX 0x01u

/* SPARC's default NaNs (V8 appendix N). */
#define F32_DEFAULT_NAN 0x7fffffffu
#define F64_DEFAULT_NAN 0x7fffffffffffffffull

#define F32_QUIET 0x00400000u
#define F64_QUIET 0x0008000000000000ull

/* FPop opf values (V8 appendix F, opcode maps for op3 = FPop1/FPop2). */
enum {
    OPF_FMOVS = 0x01, OPF_FNEGS = 0x05, OPF_FABSS = 0x09,
    OPF_FSQRTS = 0x29, OPF_FSQRTD = 0x2a, OPF_FSQRTQ = 0x2b,
    OPF_FADDS = 0x41, OPF_FADDD = 0x42, OPF_FADDQ = 0x43,
    OPF_FSUBS = 0x45, OPF_FSUBD = 0x46, OPF_FSUBQ = 0x47,
    OPF_FMULS = 0x49, OPF_FMULD = 0x4a, OPF_FMULQ = 0x4b,
    OPF_FDIVS = 0x4d, OPF_FDIVD = 0x4e, OPF_FDIVQ = 0x4f,
    OPF_FSMULD = 0x69, OPF_FDMULQ = 0x6e,
    OPF_FITOS = 0xc4, OPF_FDTOS = 0xc6, OPF_FQTOS = 0xc7,
    OPF_FITOD = 0xc8, OPF_FSTOD = 0xc9, OPF_FQTOD = 0xcb,
    OPF_FITOQ = 0xcc, OPF_FSTOQ = 0xcd, OPF_FDTOQ = 0xce,
    OPF_FSTOI = 0xd1, OPF_FDTOI = 0xd2, OPF_FQTOI = 0xd3,
    OPF_FCMPS = 0x51, OPF_FCMPD = 0x52, OPF_FCMPQ = 0x53,
    OPF_FCMPES = 0x55, OPF_FCMPED = 0x56, OPF_FCMPEQ = 0x57,
};

#define OP3_FPOP1 0x34
#define OP3_FPOP2 0x35

typedef enum { ARITH_ADD, ARITH_SUB, ARITH_MUL, ARITH_DIV } Arith;

/* ---- bit views ---- */

static float f32_from_bits(uint32_t v)
{
    float f;
    memcpy(&f, &v, sizeof f);
    return f;
}

static uint32_t f32_bits(float f)
{
    uint32_t v;
    memcpy(&v, &f, sizeof v);
    return v;
}

static double f64_from_bits(uint64_t v)
{
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

static uint64_t f64_bits(double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    return v;
}

static bool f32_is_nan(uint32_t v)
{
    return (v & 0x7f800000u) == 0x7f800000u && (v & 0x007fffffu) != 0;
}

static bool f32_is_snan(uint32_t v)
{
    return f32_is_nan(v) && !(v & F32_QUIET);
}

static bool f64_is_nan(uint64_t v)
{
    return (v & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
           (v & 0x000fffffffffffffull) != 0;
}

static bool f64_is_snan(uint64_t v)
{
    return f64_is_nan(v) && !(v & F64_QUIET);
}

static uint64_t reg_double(const SparcFpu *fpu, unsigned r)
{
    r &= 0x1e;
    return (uint64_t)fpu->f[r] << 32 | fpu->f[r + 1];
}

static void set_reg_double(SparcFpu *fpu, unsigned r, uint64_t v)
{
    r &= 0x1e;
    fpu->f[r] = (uint32_t)(v >> 32);
    fpu->f[r + 1] = (uint32_t)v;
}

/* ---- host floating-point environment ---- */

static void host_begin(const SparcFpu *fpu)
{
    /* V8 4.4 table 4-3: RD 0 nearest, 1 toward zero, 2 toward +inf, 3 toward -inf. */
    static const int modes[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD };

    /* The host runs at round-to-nearest outside these brackets (host_end puts it
     * back), so the common case needs no mode switch. */
    if (fpu->fsr >> FSR_RD_SHIFT) {
        fesetround(modes[fpu->fsr >> FSR_RD_SHIFT]);
    }
    feclearexcept(FE_ALL_EXCEPT);
}

static unsigned host_end(const SparcFpu *fpu)
{
    int raised = fetestexcept(FE_ALL_EXCEPT);
    unsigned exc = 0;

    if (raised & FE_INVALID) {
        exc |= EXC_NV;
    }
    if (raised & FE_OVERFLOW) {
        exc |= EXC_OF;
    }
    if (raised & FE_UNDERFLOW) {
        exc |= EXC_UF;
    }
    if (raised & FE_DIVBYZERO) {
        exc |= EXC_DZ;
    }
    if (raised & FE_INEXACT) {
        exc |= EXC_NX;
    }
    /* The rest of the emulator expects the C default environment. */
    feclearexcept(FE_ALL_EXCEPT);
    if (fpu->fsr >> FSR_RD_SHIFT) {
        fesetround(FE_TONEAREST);
    }
    return exc;
}

/* ---- NaN handling (V8 appendix N; QEMU's operand order) ---- */

static uint32_t f32_pick_nan(uint32_t a, uint32_t b, unsigned *exc)
{
    uint32_t r;

    if (f32_is_snan(a) || f32_is_snan(b)) {
        *exc |= EXC_NV;
        r = f32_is_snan(b) ? b : a;
    } else {
        r = f32_is_nan(b) ? b : a;
    }
    return r | F32_QUIET;
}

static uint64_t f64_pick_nan(uint64_t a, uint64_t b, unsigned *exc)
{
    uint64_t r;

    if (f64_is_snan(a) || f64_is_snan(b)) {
        *exc |= EXC_NV;
        r = f64_is_snan(b) ? b : a;
    } else {
        r = f64_is_nan(b) ? b : a;
    }
    return r | F64_QUIET;
}

/* ---- arithmetic ---- */

static uint32_t f32_arith(SparcFpu *fpu, Arith op, uint32_t a, uint32_t b, unsigned *exc)
{
    if (f32_is_nan(a) || f32_is_nan(b)) {
        return f32_pick_nan(a, b, exc);
    }
    volatile float x = f32_from_bits(a), y = f32_from_bits(b);
    volatile float r;
    host_begin(fpu);
    switch (op) {
    case ARITH_ADD:
        r = x + y;
        break;
    case ARITH_SUB:
        r = x - y;
        break;
    case ARITH_MUL:
        r = x * y;
        break;
    default:
        r = x / y;
        break;
    }
    *exc |= host_end(fpu);
    uint32_t bits = f32_bits(r);
    return f32_is_nan(bits) ? F32_DEFAULT_NAN : bits;
}

static uint64_t f64_arith(SparcFpu *fpu, Arith op, uint64_t a, uint64_t b, unsigned *exc)
{
    if (f64_is_nan(a) || f64_is_nan(b)) {
        return f64_pick_nan(a, b, exc);
    }
    volatile double x = f64_from_bits(a), y = f64_from_bits(b);
    volatile double r;
    host_begin(fpu);
    switch (op) {
    case ARITH_ADD:
        r = x + y;
        break;
    case ARITH_SUB:
        r = x - y;
        break;
    case ARITH_MUL:
        r = x * y;
        break;
    default:
        r = x / y;
        break;
    }
    *exc |= host_end(fpu);
    uint64_t bits = f64_bits(r);
    return f64_is_nan(bits) ? F64_DEFAULT_NAN : bits;
}

static uint32_t f32_sqrt(SparcFpu *fpu, uint32_t a, unsigned *exc)
{
    if (f32_is_nan(a)) {
        return f32_pick_nan(a, a, exc);
    }
    volatile float x = f32_from_bits(a);
    volatile float r;
    host_begin(fpu);
    r = __builtin_sqrtf(x);
    *exc |= host_end(fpu);
    uint32_t bits = f32_bits(r);
    return f32_is_nan(bits) ? F32_DEFAULT_NAN : bits;
}

static uint64_t f64_sqrt(SparcFpu *fpu, uint64_t a, unsigned *exc)
{
    if (f64_is_nan(a)) {
        return f64_pick_nan(a, a, exc);
    }
    volatile double x = f64_from_bits(a);
    volatile double r;
    host_begin(fpu);
    r = __builtin_sqrt(x);
    *exc |= host_end(fpu);
    uint64_t bits = f64_bits(r);
    return f64_is_nan(bits) ? F64_DEFAULT_NAN : bits;
}

/* ---- conversions ---- */

static uint64_t f32_to_f64(uint32_t a, unsigned *exc)
{
    if (f32_is_nan(a)) {
        /* Keep sign and payload (top-aligned), quieted. */
        if (f32_is_snan(a)) {
            *exc |= EXC_NV;
        }
        return (uint64_t)(a >> 31) << 63 | 0x7ff0000000000000ull |
               (uint64_t)(a & 0x007fffffu) << 29 | F64_QUIET;
    }
    return f64_bits((double)f32_from_bits(a)); /* exact */
}

static uint32_t f64_to_f32(SparcFpu *fpu, uint64_t a, unsigned *exc)
{
    if (f64_is_nan(a)) {
        if (f64_is_snan(a)) {
            *exc |= EXC_NV;
        }
        return (uint32_t)(a >> 63) << 31 | 0x7f800000u |
               (uint32_t)((a >> 29) & 0x007fffffu) | F32_QUIET;
    }
    volatile double x = f64_from_bits(a);
    volatile float r;
    host_begin(fpu);
    r = (float)x;
    *exc |= host_end(fpu);
    return f32_bits(r);
}

static uint32_t int_to_f32(SparcFpu *fpu, uint32_t a, unsigned *exc)
{
    volatile int32_t x = (int32_t)a;
    volatile float r;
    host_begin(fpu);
    r = (float)x;
    *exc |= host_end(fpu);
    return f32_bits(r);
}

/* FsTOi/FdTOi always round toward zero (V8 appendix B, "Convert Floating-point to
 * Integer"); NaN,
 * infinity and out-of-range values are invalid and give the largest integer of the
 * operand's sign, 0x7fffffff for a NaN (V8 appendix N, QEMU). Every float is exactly
 * a double, so both share this. */
static uint32_t f64_value_to_int(double d, bool nan, unsigned *exc)
{
    if (nan) {
        *exc |= EXC_NV;
        return 0x7fffffffu;
    }
    if (!(d > -2147483649.0 && d < 2147483648.0)) {
        *exc |= EXC_NV;
        return d < 0 ? 0x80000000u : 0x7fffffffu;
    }
    int32_t i = (int32_t)d; /* in range after truncation */
    if ((double)i != d) {
        *exc |= EXC_NX;
    }
    return (uint32_t)i;
}

/* ---- compare ---- */

/* FCMP/FCMPE set fcc: 0 equal, 1 less, 2 greater, 3 unordered (V8 4.4 table 4-5).
 * FCMP signals invalid only for a signalling NaN; FCMPE for any NaN (V8 appendix B,
 * "Floating-point Compare"). */
static unsigned f32_compare(uint32_t a, uint32_t b, bool signal_qnan, unsigned *exc)
{
    if (f32_is_nan(a) || f32_is_nan(b)) {
        if (signal_qnan || f32_is_snan(a) || f32_is_snan(b)) {
            *exc |= EXC_NV;
        }
        return 3;
    }
    float x = f32_from_bits(a), y = f32_from_bits(b);
    return x == y ? 0 : x < y ? 1 : 2;
}

static unsigned f64_compare(uint64_t a, uint64_t b, bool signal_qnan, unsigned *exc)
{
    if (f64_is_nan(a) || f64_is_nan(b)) {
        if (signal_qnan || f64_is_snan(a) || f64_is_snan(b)) {
            *exc |= EXC_NV;
        }
        return 3;
    }
    double x = f64_from_bits(a), y = f64_from_bits(b);
    return x == y ? 0 : x < y ? 1 : 2;
}

/* ---- dispatch ---- */

static bool opf_is_quad(unsigned op3, unsigned opf)
{
    if (op3 == OP3_FPOP2) {
        return opf == OPF_FCMPQ || opf == OPF_FCMPEQ;
    }
    switch (opf) {
    case OPF_FSQRTQ: case OPF_FADDQ: case OPF_FSUBQ: case OPF_FMULQ: case OPF_FDIVQ:
    case OPF_FDMULQ: case OPF_FQTOS: case OPF_FQTOD: case OPF_FITOQ: case OPF_FSTOQ:
    case OPF_FDTOQ: case OPF_FQTOI:
        return true;
    default:
        return false;
    }
}

static int raise_ftt(SparcFpu *fpu, unsigned ftt)
{
    fpu->fsr = (fpu->fsr & ~FSR_FTT_MASK) | ftt << FSR_FTT_SHIFT;
    return SPARC_TT_FP_EXCEPTION;
}

int fpu_exec(SparcFpu *fpu, uint32_t insn)
{
    unsigned op3 = (insn >> 19) & 0x3f;
    unsigned rd = (insn >> 25) & 0x1f;
    unsigned rs1 = (insn >> 14) & 0x1f;
    unsigned rs2 = insn & 0x1f;
    unsigned opf = (insn >> 5) & 0x1ff;
    unsigned exc = 0;
    unsigned fcc = 0;
    bool is_double = false; /* destination is a register pair */
    bool is_compare = false;
    uint64_t result = 0;

    /* Every FPop starts with cexc and ftt cleared (QEMU's clear_ieee_excp_and_FTT). */
    fpu->fsr &= ~(FSR_FTT_MASK | FSR_CEXC_MASK);

    if (op3 != OP3_FPOP1 && op3 != OP3_FPOP2) {
        return SPARC_TT_ILLEGAL;
    }
    if (opf_is_quad(op3, opf)) {
        /* The MB86904 has no quad precision (V8 4.4: unimplemented_FPop). */
        return raise_ftt(fpu, FTT_UNIMPLEMENTED_FPOP);
    }

    if (op3 == OP3_FPOP2) {
        switch (opf) {
        case OPF_FCMPS:
        case OPF_FCMPES:
            fcc = f32_compare(fpu->f[rs1], fpu->f[rs2], opf == OPF_FCMPES, &exc);
            break;
        case OPF_FCMPD:
        case OPF_FCMPED:
            fcc = f64_compare(reg_double(fpu, rs1), reg_double(fpu, rs2),
                              opf == OPF_FCMPED, &exc);
            break;
        default:
            return SPARC_TT_ILLEGAL;
        }
        is_compare = true;
    } else {
        switch (opf) {
        case OPF_FMOVS:
            result = fpu->f[rs2];
            break;
        case OPF_FNEGS:
            result = fpu->f[rs2] ^ 0x80000000u;
            break;
        case OPF_FABSS:
            result = fpu->f[rs2] & 0x7fffffffu;
            break;
        case OPF_FSQRTS:
            result = f32_sqrt(fpu, fpu->f[rs2], &exc);
            break;
        case OPF_FSQRTD:
            result = f64_sqrt(fpu, reg_double(fpu, rs2), &exc);
            is_double = true;
            break;
        case OPF_FADDS:
        case OPF_FSUBS:
        case OPF_FMULS:
        case OPF_FDIVS:
            result = f32_arith(fpu, (Arith)((opf - OPF_FADDS) >> 2), fpu->f[rs1],
                               fpu->f[rs2], &exc);
            break;
        case OPF_FADDD:
        case OPF_FSUBD:
        case OPF_FMULD:
        case OPF_FDIVD:
            result = f64_arith(fpu, (Arith)((opf - OPF_FADDD) >> 2), reg_double(fpu, rs1),
                               reg_double(fpu, rs2), &exc);
            is_double = true;
            break;
        case OPF_FSMULD: {
            /* Widen both (exactly; NaNs quieted) and multiply in double, as QEMU. */
            uint64_t a = f32_to_f64(fpu->f[rs1], &exc);
            uint64_t b = f32_to_f64(fpu->f[rs2], &exc);
            result = f64_arith(fpu, ARITH_MUL, a, b, &exc);
            is_double = true;
            break;
        }
        case OPF_FITOS:
            result = int_to_f32(fpu, fpu->f[rs2], &exc);
            break;
        case OPF_FITOD:
            result = f64_bits((double)(int32_t)fpu->f[rs2]); /* exact */
            is_double = true;
            break;
        case OPF_FSTOD:
            result = f32_to_f64(fpu->f[rs2], &exc);
            is_double = true;
            break;
        case OPF_FDTOS:
            result = f64_to_f32(fpu, reg_double(fpu, rs2), &exc);
            break;
        case OPF_FSTOI: {
            uint32_t a = fpu->f[rs2];
            result = f64_value_to_int((double)f32_from_bits(a), f32_is_nan(a), &exc);
            break;
        }
        case OPF_FDTOI: {
            uint64_t a = reg_double(fpu, rs2);
            result = f64_value_to_int(f64_from_bits(a), f64_is_nan(a), &exc);
            break;
        }
        default:
            return SPARC_TT_ILLEGAL;
        }
    }

    /* V8 4.4: an exception whose TEM bit is set traps before anything is written;
     * cexc shows what happened, aexc is left alone. */
    unsigned tem = (fpu->fsr >> FSR_TEM_SHIFT) & 0x1f;
    if (exc & tem) {
        fpu->fsr |= exc;
        return raise_ftt(fpu, FTT_IEEE_754_EXCEPTION);
    }
    fpu->fsr |= exc | exc << FSR_AEXC_SHIFT;

    if (is_compare) {
        fpu->fsr = (fpu->fsr & ~FSR_FCC_MASK) | fcc << FSR_FCC_SHIFT;
    } else if (is_double) {
        set_reg_double(fpu, rd, result);
    } else {
        fpu->f[rd] = (uint32_t)result;
    }
    return 0;
}

bool fpu_branch_taken(const SparcFpu *fpu, unsigned cond)
{
    /* V8 appendix B, FBfcc table: for each cond, bit n set when fcc = n (0 E, 1 L, 2 G, 3 U)
     * makes the branch taken. cond 8..15 are the complements of 0..7. */
    static const uint8_t taken[16] = {
        0x0, /* FBN */   0xe, /* FBNE */  0x6, /* FBLG */  0xa, /* FBUL */
        0x2, /* FBL */   0xc, /* FBUG */  0x4, /* FBG */   0x8, /* FBU */
        0xf, /* FBA */   0x1, /* FBE */   0x9, /* FBUE */  0x5, /* FBGE */
        0xd, /* FBUGE */ 0x3, /* FBLE */  0xb, /* FBULE */ 0x7, /* FBO */
    };
    unsigned fcc = (fpu->fsr & FSR_FCC_MASK) >> FSR_FCC_SHIFT;

    return (taken[cond & 0xf] >> fcc) & 1;
}

void fpu_ldfsr(SparcFpu *fpu, uint32_t value)
{
    /* ver and ftt keep their values; qne and the reserved bits read 0 (V8 4.4). */
    fpu->fsr = (value & FSR_LDFSR_MASK) | (fpu->fsr & (FSR_VER_MASK | FSR_FTT_MASK));
}

uint32_t fpu_stfsr(SparcFpu *fpu)
{
    uint32_t value = fpu->fsr;

    /* V8 5.1.4.4: STFSR clears a pending ftt once it has been stored. */
    fpu->fsr &= ~FSR_FTT_MASK;
    return value;
}

int fpu_stdfq(SparcFpu *fpu)
{
    return raise_ftt(fpu, FTT_SEQUENCE_ERROR);
}

void fpu_reset(SparcFpu *fpu)
{
    memset(fpu, 0, sizeof *fpu);
    fpu->fsr = FSR_VER_MB86904;
}
