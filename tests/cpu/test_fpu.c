/* SPDX-License-Identifier: MIT */
/* The MB86904 FPU (plugins/cpu-sparc/fpu.c) against hand-checked IEEE 754 constants,
 * the host FPU under the same rounding mode, and SPARC V8 chapter 4.4 / appendix B. */
#include <criterion/criterion.h>

#include <fenv.h>
#include <float.h>
#include <string.h>

#include "fpu.h"

/* FSR fields (V8 4.4). */
#define RD(m) ((uint32_t)(m) << 30)
#define TEM(x) ((uint32_t)(x) << 23)
#define NS (1u << 22)
#define VER4 (4u << 17)
#define FTT(x) ((uint32_t)(x) << 14)
#define FTT_MASK FTT(7)
#define QNE (1u << 13)
#define FCC(x) ((uint32_t)(x) << 10)
#define FCC_MASK FCC(3)
#define AEXC(x) ((uint32_t)(x) << 5)
#define AEXC_MASK AEXC(0x1f)
#define CEXC_MASK 0x1fu
#define NV 0x10u
#define OF 0x08u
#define UF 0x04u
#define DZ 0x02u
#define NX 0x01u

enum { RD_NEAREST, RD_ZERO, RD_POS, RD_NEG };

/* opf values (V8 appendix F). */
enum {
    FMOVS = 0x01, FNEGS = 0x05, FABSS = 0x09, FSQRTS = 0x29, FSQRTD = 0x2a,
    FSQRTQ = 0x2b, FADDS = 0x41, FADDD = 0x42, FADDQ = 0x43, FSUBS = 0x45,
    FSUBD = 0x46, FSUBQ = 0x47, FMULS = 0x49, FMULD = 0x4a, FMULQ = 0x4b,
    FDIVS = 0x4d, FDIVD = 0x4e, FDIVQ = 0x4f, FSMULD = 0x69, FDMULQ = 0x6e,
    FITOS = 0xc4, FDTOS = 0xc6, FQTOS = 0xc7, FITOD = 0xc8, FSTOD = 0xc9,
    FQTOD = 0xcb, FITOQ = 0xcc, FSTOQ = 0xcd, FDTOQ = 0xce, FSTOI = 0xd1,
    FDTOI = 0xd2, FQTOI = 0xd3,
    FCMPS = 0x51, FCMPD = 0x52, FCMPQ = 0x53, FCMPES = 0x55, FCMPED = 0x56,
    FCMPEQ = 0x57,
};

static SparcFpu fpu;

static void setup(void)
{
    fpu_reset(&fpu);
}

TestSuite(fpu, .init = setup);

static uint32_t fpop(unsigned op3, unsigned opf, unsigned rd, unsigned rs1, unsigned rs2)
{
    return 2u << 30 | rd << 25 | op3 << 19 | rs1 << 14 | opf << 5 | rs2;
}

static int fpop1(unsigned opf, unsigned rd, unsigned rs1, unsigned rs2)
{
    return fpu_exec(&fpu, fpop(0x34, opf, rd, rs1, rs2));
}

static int fpop2(unsigned opf, unsigned rs1, unsigned rs2)
{
    return fpu_exec(&fpu, fpop(0x35, opf, 0, rs1, rs2));
}

static uint32_t fbits(float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    return v;
}

static uint64_t dbits(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}

static void set_s(unsigned r, uint32_t v)
{
    fpu.f[r] = v;
}

static void set_sf(unsigned r, float f)
{
    fpu.f[r] = fbits(f);
}

static void set_d(unsigned r, uint64_t v)
{
    fpu.f[r] = (uint32_t)(v >> 32);
    fpu.f[r + 1] = (uint32_t)v;
}

static void set_df(unsigned r, double d)
{
    set_d(r, dbits(d));
}

static uint64_t get_d(unsigned r)
{
    return (uint64_t)fpu.f[r] << 32 | fpu.f[r + 1];
}

static uint32_t cexc(void)
{
    return fpu.fsr & CEXC_MASK;
}

static uint32_t aexc(void)
{
    return (fpu.fsr & AEXC_MASK) >> 5;
}

static uint32_t ftt(void)
{
    return (fpu.fsr & FTT_MASK) >> 14;
}

static uint32_t fcc(void)
{
    return (fpu.fsr & FCC_MASK) >> 10;
}

/* ---- arithmetic, round to nearest, hand-checked constants ---- */

Test(fpu, fadds_adds_singles)
{
    set_sf(1, 1.5f);
    set_sf(2, 2.25f);
    cr_assert_eq(fpop1(FADDS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0x40700000u); /* 3.75 */
    cr_assert_eq(cexc(), 0);
}

Test(fpu, faddd_adds_doubles)
{
    set_df(2, 1.0);
    set_d(4, 0x3cb0000000000000ull); /* 2^-52 */
    cr_assert_eq(fpop1(FADDD, 6, 2, 4), 0);
    cr_assert_eq(get_d(6), 0x3ff0000000000001ull);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, fsubs_subtracts_rs2_from_rs1)
{
    set_sf(1, 1.0f);
    set_sf(2, 3.0f);
    cr_assert_eq(fpop1(FSUBS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0xc0000000u); /* -2.0 */
}

Test(fpu, fsubd_subtracts_rs2_from_rs1)
{
    set_df(2, 10.0);
    set_df(4, 0.5);
    cr_assert_eq(fpop1(FSUBD, 6, 2, 4), 0);
    cr_assert_eq(get_d(6), 0x4023000000000000ull); /* 9.5 */
}

Test(fpu, fmuls_multiplies_singles)
{
    set_sf(1, -3.0f);
    set_sf(2, 0.25f);
    cr_assert_eq(fpop1(FMULS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0xbf400000u); /* -0.75 */
}

Test(fpu, fmuld_multiplies_doubles)
{
    set_df(2, 1.5);
    set_df(4, 1.5);
    cr_assert_eq(fpop1(FMULD, 6, 2, 4), 0);
    cr_assert_eq(get_d(6), 0x4002000000000000ull); /* 2.25 */
}

Test(fpu, fdivs_rounds_one_third_to_nearest)
{
    set_sf(1, 1.0f);
    set_sf(2, 3.0f);
    cr_assert_eq(fpop1(FDIVS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0x3eaaaaabu);
    cr_assert_eq(cexc(), NX);
}

Test(fpu, fdivd_rounds_one_third_to_nearest)
{
    set_df(2, 1.0);
    set_df(4, 3.0);
    cr_assert_eq(fpop1(FDIVD, 6, 2, 4), 0);
    cr_assert_eq(get_d(6), 0x3fd5555555555555ull);
    cr_assert_eq(cexc(), NX);
}

Test(fpu, fsqrts_of_two)
{
    set_sf(2, 2.0f);
    cr_assert_eq(fpop1(FSQRTS, 3, 0, 2), 0);
    cr_assert_eq(fpu.f[3], 0x3fb504f3u);
    cr_assert_eq(cexc(), NX);
}

Test(fpu, fsqrtd_of_two)
{
    set_df(2, 2.0);
    cr_assert_eq(fpop1(FSQRTD, 4, 0, 2), 0);
    cr_assert_eq(get_d(4), 0x3ff6a09e667f3bcdull);
}

Test(fpu, fsqrts_of_negative_is_invalid_default_nan)
{
    set_sf(2, -4.0f);
    cr_assert_eq(fpop1(FSQRTS, 3, 0, 2), 0);
    cr_assert_eq(fpu.f[3], 0x7fffffffu);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, fsmuld_product_is_exact_double)
{
    /* (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46: exact in double, inexact in single. */
    set_s(1, 0x3f800001u);
    set_s(2, 0x3f800001u);
    cr_assert_eq(fpop1(FSMULD, 4, 1, 2), 0);
    cr_assert_eq(get_d(4), 0x3ff0000040000040ull);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, fmovs_copies_bits_without_exceptions)
{
    set_s(2, 0x7f800001u); /* a signalling NaN */
    cr_assert_eq(fpop1(FMOVS, 5, 0, 2), 0);
    cr_assert_eq(fpu.f[5], 0x7f800001u);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, fnegs_flips_sign_of_nan_too)
{
    set_s(2, 0x7f800001u);
    cr_assert_eq(fpop1(FNEGS, 5, 0, 2), 0);
    cr_assert_eq(fpu.f[5], 0xff800001u);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, fabss_clears_sign)
{
    set_sf(2, -0.0f);
    cr_assert_eq(fpop1(FABSS, 5, 0, 2), 0);
    cr_assert_eq(fpu.f[5], 0u);
}

Test(fpu, double_ops_ignore_low_register_bit)
{
    /* QEMU's DFPREG: %f3 names the pair %f2:%f3. */
    set_df(2, 2.0);
    set_df(4, 3.0);
    cr_assert_eq(fpop1(FADDD, 7, 3, 5), 0);
    cr_assert_eq(get_d(6), dbits(5.0));
}

/* ---- NaN propagation (QEMU: SNaN first, rs2 before rs1; result quiet) ---- */

Test(fpu, two_quiet_nans_give_rs2)
{
    set_s(1, 0x7fc00001u);
    set_s(2, 0xffc00002u);
    cr_assert_eq(fpop1(FADDS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0xffc00002u);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, signalling_rs1_beats_quiet_rs2_and_is_quieted)
{
    set_s(1, 0x7f800005u);
    set_s(2, 0x7fc00002u);
    cr_assert_eq(fpop1(FMULS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0x7fc00005u);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, two_signalling_nans_give_rs2_quieted)
{
    set_d(2, 0x7ff0000000000001ull);
    set_d(4, 0xfff0000000000002ull);
    cr_assert_eq(fpop1(FSUBD, 6, 2, 4), 0);
    cr_assert_eq(get_d(6), 0xfff8000000000002ull);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, quiet_nan_operand_passes_through)
{
    set_s(1, 0x7fc12345u);
    set_sf(2, 1.0f);
    cr_assert_eq(fpop1(FDIVS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0x7fc12345u);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, invalid_operation_gives_sparc_default_nan_double)
{
    set_d(2, 0x7ff0000000000000ull); /* +inf */
    set_d(4, 0x7ff0000000000000ull);
    cr_assert_eq(fpop1(FSUBD, 6, 2, 4), 0);
    cr_assert_eq(get_d(6), 0x7fffffffffffffffull);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, fsmuld_widens_nans_before_choosing)
{
    /* QEMU widens both operands first (quieting the SNaN), so the quiet rs2 wins. */
    set_s(1, 0x7f800005u);
    set_s(2, 0x7fc00002u);
    cr_assert_eq(fpop1(FSMULD, 4, 1, 2), 0);
    cr_assert_eq(get_d(4), 0x7ff8000040000000ull);
    cr_assert_eq(cexc(), NV);
}

/* ---- conversions ---- */

Test(fpu, fitos_rounds_large_integer)
{
    set_s(2, 16777217u); /* 2^24 + 1 */
    cr_assert_eq(fpop1(FITOS, 3, 0, 2), 0);
    cr_assert_eq(fpu.f[3], 0x4b800000u); /* 2^24, ties to even */
    cr_assert_eq(cexc(), NX);
}

Test(fpu, fitod_is_exact_for_negative)
{
    set_s(2, 0x80000000u);
    cr_assert_eq(fpop1(FITOD, 4, 0, 2), 0);
    cr_assert_eq(get_d(4), 0xc1e0000000000000ull); /* -2^31 */
    cr_assert_eq(cexc(), 0);
}

Test(fpu, fstoi_truncates_toward_zero)
{
    fpu.fsr |= RD(RD_NEG); /* the FSR mode does not apply */
    set_sf(2, -2.7f);
    cr_assert_eq(fpop1(FSTOI, 3, 0, 2), 0);
    cr_assert_eq(fpu.f[3], (uint32_t)-2);
    cr_assert_eq(cexc(), NX);
}

Test(fpu, fdtoi_exact_integer_raises_nothing)
{
    set_df(2, -123456.0);
    cr_assert_eq(fpop1(FDTOI, 4, 0, 2), 0);
    cr_assert_eq(fpu.f[4], (uint32_t)-123456);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, fdtoi_of_nan_is_invalid_max_int)
{
    set_d(2, 0xfff8000000000000ull); /* negative quiet NaN */
    cr_assert_eq(fpop1(FDTOI, 4, 0, 2), 0);
    cr_assert_eq(fpu.f[4], 0x7fffffffu);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, fdtoi_positive_overflow_is_invalid_max_int)
{
    set_df(2, 2147483648.0);
    cr_assert_eq(fpop1(FDTOI, 4, 0, 2), 0);
    cr_assert_eq(fpu.f[4], 0x7fffffffu);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, fstoi_negative_infinity_is_invalid_min_int)
{
    set_s(2, 0xff800000u);
    cr_assert_eq(fpop1(FSTOI, 3, 0, 2), 0);
    cr_assert_eq(fpu.f[3], 0x80000000u);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, fdtoi_just_below_min_int_truncates_into_range)
{
    set_df(2, -2147483648.5);
    cr_assert_eq(fpop1(FDTOI, 4, 0, 2), 0);
    cr_assert_eq(fpu.f[4], 0x80000000u);
    cr_assert_eq(cexc(), NX);
}

Test(fpu, fstod_widens_exactly)
{
    set_s(2, 0x3f800001u);
    cr_assert_eq(fpop1(FSTOD, 4, 0, 2), 0);
    cr_assert_eq(get_d(4), 0x3ff0000020000000ull);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, fstod_quiets_signalling_nan)
{
    set_s(2, 0xff800001u);
    cr_assert_eq(fpop1(FSTOD, 4, 0, 2), 0);
    cr_assert_eq(get_d(4), 0xfff8000020000000ull);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, fdtos_rounds_to_nearest)
{
    set_d(2, 0x3ff0000030000000ull); /* 1 + 1.5 ulp(single) */
    cr_assert_eq(fpop1(FDTOS, 4, 0, 2), 0);
    cr_assert_eq(fpu.f[4], 0x3f800002u);
    cr_assert_eq(cexc(), NX);
}

Test(fpu, fdtos_overflow_gives_infinity)
{
    set_df(2, 1e300);
    cr_assert_eq(fpop1(FDTOS, 4, 0, 2), 0);
    cr_assert_eq(fpu.f[4], 0x7f800000u);
    cr_assert_eq(cexc(), OF | NX);
}

Test(fpu, fdtos_keeps_nan_payload_top_bits)
{
    set_d(2, 0x7ff4000020000000ull);
    cr_assert_eq(fpop1(FDTOS, 4, 0, 2), 0);
    cr_assert_eq(fpu.f[4], 0x7fe00001u);
    cr_assert_eq(cexc(), NV);
}

/* ---- rounding modes ---- */

Test(fpu, round_toward_zero_truncates_quotient)
{
    fpu.fsr |= RD(RD_ZERO);
    set_sf(1, 1.0f);
    set_sf(2, 3.0f);
    fpop1(FDIVS, 3, 1, 2);
    cr_assert_eq(fpu.f[3], 0x3eaaaaaau);
}

Test(fpu, round_toward_plus_infinity_raises_negative_quotient)
{
    fpu.fsr |= RD(RD_POS);
    set_sf(1, -1.0f);
    set_sf(2, 3.0f);
    fpop1(FDIVS, 3, 1, 2);
    cr_assert_eq(fpu.f[3], 0xbeaaaaaau); /* nearest gives 0xbeaaaaab */
}

Test(fpu, round_toward_plus_infinity_raises_positive_sum)
{
    fpu.fsr |= RD(RD_POS);
    set_df(2, 1.0);
    set_d(4, 0x3c90000000000000ull); /* 2^-54: a quarter ulp */
    fpop1(FADDD, 6, 2, 4);
    cr_assert_eq(get_d(6), 0x3ff0000000000001ull);
}

Test(fpu, round_toward_minus_infinity_lowers_quotient)
{
    fpu.fsr |= RD(RD_NEG);
    set_df(2, -1.0);
    set_df(4, 3.0);
    fpop1(FDIVD, 6, 2, 4);
    cr_assert_eq(get_d(6), 0xbfd5555555555556ull); /* nearest gives ...555 */
}

Test(fpu, rounding_mode_applies_to_fitos)
{
    fpu.fsr |= RD(RD_ZERO);
    set_s(2, 16777219u); /* 2^24 + 3: nearest rounds up to 2^24 + 4 */
    fpop1(FITOS, 3, 0, 2);
    cr_assert_eq(fpu.f[3], 0x4b800001u);
}

Test(fpu, rounding_mode_applies_to_fdtos)
{
    fpu.fsr |= RD(RD_NEG);
    set_d(2, 0x3ff0000030000000ull);
    fpop1(FDTOS, 4, 0, 2);
    cr_assert_eq(fpu.f[4], 0x3f800001u);
}

Test(fpu, rounding_mode_applies_to_fsqrtd)
{
    fpu.fsr |= RD(RD_POS);
    set_df(2, 2.0);
    fpop1(FSQRTD, 4, 0, 2);
    cr_assert_eq(get_d(4), 0x3ff6a09e667f3bcdull); /* the upper neighbour of sqrt 2 */
    fpu.fsr = (fpu.fsr & ~RD(3)) | RD(RD_ZERO);
    fpop1(FSQRTD, 4, 0, 2);
    cr_assert_eq(get_d(4), 0x3ff6a09e667f3bccull);
}

Test(fpu, rounding_mode_is_restored_for_the_host)
{
    fpu.fsr |= RD(RD_ZERO);
    set_sf(1, 1.0f);
    set_sf(2, 3.0f);
    fpop1(FDIVS, 3, 1, 2);
    cr_assert_eq(fegetround(), FE_TONEAREST);
}

static const float single_operands[] = {
    1.0f, 3.0f, -7.0f, 0.1f, 1e30f, -1e-30f, 1.17549435e-38f, 1e-45f, 16777215.0f,
    3.4028235e38f, -2.5f, 0.3333333f,
};

static const double double_operands[] = {
    1.0, 3.0, -7.0, 0.1, 1e300, -1e-300, 2.2250738585072014e-308, 4.9e-324,
    9007199254740991.0, 1.7976931348623157e308, -2.5, 0.3333333333333333,
};

static const int host_modes[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD };

Test(fpu, single_arithmetic_matches_host_in_every_rounding_mode)
{
    static const unsigned ops[4] = { FADDS, FSUBS, FMULS, FDIVS };
    size_t n = sizeof single_operands / sizeof single_operands[0];

    for (unsigned mode = 0; mode < 4; mode++) {
        for (unsigned op = 0; op < 4; op++) {
            for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < n; j++) {
                    volatile float a = single_operands[i], b = single_operands[j];
                    volatile float r;
                    fesetround(host_modes[mode]);
                    switch (op) {
                    case 0: r = a + b; break;
                    case 1: r = a - b; break;
                    case 2: r = a * b; break;
                    default: r = a / b; break;
                    }
                    fesetround(FE_TONEAREST);
                    fpu.fsr = VER4 | RD(mode);
                    set_sf(1, a);
                    set_sf(2, b);
                    fpop1(ops[op], 3, 1, 2);
                    cr_assert_eq(fpu.f[3], fbits(r),
                                 "mode %u op %#x %a %a: got %#x want %#x", mode, ops[op],
                                 (double)a, (double)b, fpu.f[3], fbits(r));
                }
            }
        }
    }
}

Test(fpu, double_arithmetic_matches_host_in_every_rounding_mode)
{
    static const unsigned ops[4] = { FADDD, FSUBD, FMULD, FDIVD };
    size_t n = sizeof double_operands / sizeof double_operands[0];

    for (unsigned mode = 0; mode < 4; mode++) {
        for (unsigned op = 0; op < 4; op++) {
            for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < n; j++) {
                    volatile double a = double_operands[i], b = double_operands[j];
                    volatile double r;
                    fesetround(host_modes[mode]);
                    switch (op) {
                    case 0: r = a + b; break;
                    case 1: r = a - b; break;
                    case 2: r = a * b; break;
                    default: r = a / b; break;
                    }
                    fesetround(FE_TONEAREST);
                    fpu.fsr = VER4 | RD(mode);
                    set_df(2, a);
                    set_df(4, b);
                    fpop1(ops[op], 6, 2, 4);
                    cr_assert_eq(get_d(6), dbits(r), "mode %u op %#x %a %a", mode, ops[op],
                                 a, b);
                }
            }
        }
    }
}

/* ---- exceptions ---- */

Test(fpu, invalid_sets_nv_in_cexc_and_aexc)
{
    set_sf(1, 0.0f);
    set_s(2, 0x7f800000u);
    cr_assert_eq(fpop1(FMULS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0x7fffffffu);
    cr_assert_eq(cexc(), NV);
    cr_assert_eq(aexc(), NV);
}

Test(fpu, overflow_sets_of_and_nx)
{
    set_sf(1, FLT_MAX);
    set_sf(2, 2.0f);
    cr_assert_eq(fpop1(FMULS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0x7f800000u);
    cr_assert_eq(cexc(), OF | NX);
    cr_assert_eq(aexc(), OF | NX);
}

Test(fpu, overflow_toward_zero_gives_largest_finite)
{
    fpu.fsr |= RD(RD_ZERO);
    set_sf(1, FLT_MAX);
    set_sf(2, 2.0f);
    fpop1(FMULS, 3, 1, 2);
    cr_assert_eq(fpu.f[3], 0x7f7fffffu);
    cr_assert_eq(cexc(), OF | NX);
}

Test(fpu, inexact_tiny_result_sets_uf)
{
    set_sf(1, FLT_MIN);
    set_sf(2, 3.0f);
    cr_assert_eq(fpop1(FDIVS, 3, 1, 2), 0);
    cr_assert_eq(cexc(), UF | NX);
    cr_assert_eq(aexc(), UF | NX);
}

Test(fpu, exact_denormal_result_is_not_underflow_nor_flushed)
{
    fpu.fsr |= NS; /* ignored, as QEMU: no flush to zero */
    set_sf(1, FLT_MIN);
    set_sf(2, 2.0f);
    cr_assert_eq(fpop1(FDIVS, 3, 1, 2), 0);
    cr_assert_eq(fpu.f[3], 0x00400000u);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, division_by_zero_sets_dz)
{
    set_df(2, -1.0);
    set_df(4, 0.0);
    cr_assert_eq(fpop1(FDIVD, 6, 2, 4), 0);
    cr_assert_eq(get_d(6), 0xfff0000000000000ull);
    cr_assert_eq(cexc(), DZ);
    cr_assert_eq(aexc(), DZ);
}

Test(fpu, inexact_sets_nx_only)
{
    set_sf(1, 1.0f);
    set_sf(2, 10.0f);
    fpop1(FDIVS, 3, 1, 2);
    cr_assert_eq(cexc(), NX);
    cr_assert_eq(aexc(), NX);
}

Test(fpu, aexc_accumulates_while_cexc_is_replaced)
{
    set_sf(1, 1.0f);
    set_sf(2, 0.0f);
    set_sf(4, 3.0f);
    fpop1(FDIVS, 3, 1, 2); /* dz */
    fpop1(FDIVS, 3, 1, 4); /* nx */
    cr_assert_eq(cexc(), NX);
    cr_assert_eq(aexc(), DZ | NX);
    fpop1(FADDS, 3, 1, 1); /* exact */
    cr_assert_eq(cexc(), 0);
    cr_assert_eq(aexc(), DZ | NX);
}

/* ---- traps ---- */

Test(fpu, enabled_exception_traps_leaving_destination_unchanged)
{
    fpu.fsr |= TEM(DZ) | AEXC(NX);
    set_sf(1, 1.0f);
    set_sf(2, 0.0f);
    set_s(3, 0xdeadbeefu);
    cr_assert_eq(fpop1(FDIVS, 3, 1, 2), SPARC_TT_FP_EXCEPTION);
    cr_assert_eq(fpu.f[3], 0xdeadbeefu);
    cr_assert_eq(ftt(), 1);
    cr_assert_eq(cexc(), DZ);
    cr_assert_eq(aexc(), NX);
}

Test(fpu, enabled_inexact_traps_double_destination_unchanged)
{
    fpu.fsr |= TEM(NX);
    set_df(2, 1.0);
    set_df(4, 3.0);
    set_d(6, 0x0123456789abcdefull);
    cr_assert_eq(fpop1(FDIVD, 6, 2, 4), SPARC_TT_FP_EXCEPTION);
    cr_assert_eq(get_d(6), 0x0123456789abcdefull);
    cr_assert_eq(ftt(), 1);
    cr_assert_eq(aexc(), 0);
}

Test(fpu, disabled_exception_does_not_trap)
{
    fpu.fsr |= TEM(NV | OF | UF | DZ); /* everything but nx */
    set_sf(1, 1.0f);
    set_sf(2, 3.0f);
    cr_assert_eq(fpop1(FDIVS, 3, 1, 2), 0);
    cr_assert_eq(ftt(), 0);
}

Test(fpu, successful_fpop_clears_ftt)
{
    fpu.fsr |= TEM(DZ);
    set_sf(1, 1.0f);
    set_sf(2, 0.0f);
    fpop1(FDIVS, 3, 1, 2);
    cr_assert_eq(ftt(), 1);
    fpop1(FADDS, 3, 1, 1);
    cr_assert_eq(ftt(), 0);
}

Test(fpu, quad_fpop_is_unimplemented)
{
    set_s(8, 0x11111111u);
    fpu.fsr |= NX; /* a stale cexc is cleared */
    cr_assert_eq(fpop1(FADDQ, 8, 0, 4), SPARC_TT_FP_EXCEPTION);
    cr_assert_eq(ftt(), 3);
    cr_assert_eq(cexc(), 0);
    cr_assert_eq(fpu.f[8], 0x11111111u);
}

Test(fpu, every_quad_opf_is_unimplemented)
{
    static const unsigned fpop1_quad[] = { FSQRTQ, FADDQ, FSUBQ, FMULQ, FDIVQ, FDMULQ,
                                           FQTOS, FQTOD, FITOQ, FSTOQ, FDTOQ, FQTOI };
    for (size_t i = 0; i < sizeof fpop1_quad / sizeof fpop1_quad[0]; i++) {
        fpu_reset(&fpu);
        cr_assert_eq(fpop1(fpop1_quad[i], 0, 0, 0), SPARC_TT_FP_EXCEPTION, "opf %#x",
                     fpop1_quad[i]);
        cr_assert_eq(ftt(), 3, "opf %#x", fpop1_quad[i]);
    }
    fpu_reset(&fpu);
    cr_assert_eq(fpop2(FCMPQ, 0, 4), SPARC_TT_FP_EXCEPTION);
    cr_assert_eq(ftt(), 3);
    fpu_reset(&fpu);
    cr_assert_eq(fpop2(FCMPEQ, 0, 4), SPARC_TT_FP_EXCEPTION);
    cr_assert_eq(ftt(), 3);
}

Test(fpu, unknown_opf_is_illegal_instruction)
{
    cr_assert_eq(fpop1(0x1ff, 0, 0, 0), SPARC_TT_ILLEGAL);
    cr_assert_eq(fpop2(0x41, 0, 0), SPARC_TT_ILLEGAL); /* FADDs opf under FPop2 */
    cr_assert_eq(ftt(), 0);
}

/* ---- compares ---- */

Test(fpu, fcmps_sets_fcc_equal_less_greater)
{
    set_sf(1, 1.0f);
    set_sf(2, 2.0f);
    set_sf(3, -0.0f);
    set_sf(4, 0.0f);
    fpop2(FCMPS, 3, 4);
    cr_assert_eq(fcc(), 0);
    fpop2(FCMPS, 1, 2);
    cr_assert_eq(fcc(), 1);
    fpop2(FCMPS, 2, 1);
    cr_assert_eq(fcc(), 2);
}

Test(fpu, fcmpd_sets_fcc_unordered_for_nan)
{
    set_d(2, 0x7ff8000000000000ull);
    set_df(4, 1.0);
    fpop2(FCMPD, 2, 4);
    cr_assert_eq(fcc(), 3);
}

Test(fpu, fcmpd_compares_doubles)
{
    set_df(2, -5.0);
    set_df(4, -4.0);
    fpop2(FCMPD, 2, 4);
    cr_assert_eq(fcc(), 1);
}

Test(fpu, fcmps_on_quiet_nan_is_not_invalid)
{
    set_s(1, 0x7fc00000u);
    set_sf(2, 1.0f);
    cr_assert_eq(fpop2(FCMPS, 1, 2), 0);
    cr_assert_eq(fcc(), 3);
    cr_assert_eq(cexc(), 0);
}

Test(fpu, fcmps_on_signalling_nan_is_invalid)
{
    set_s(1, 0x7f800001u);
    set_sf(2, 1.0f);
    cr_assert_eq(fpop2(FCMPS, 1, 2), 0);
    cr_assert_eq(fcc(), 3);
    cr_assert_eq(cexc(), NV);
}

Test(fpu, fcmpes_on_quiet_nan_is_invalid)
{
    set_sf(1, 1.0f);
    set_s(2, 0x7fc00000u);
    cr_assert_eq(fpop2(FCMPES, 1, 2), 0);
    cr_assert_eq(fcc(), 3);
    cr_assert_eq(cexc(), NV);
    cr_assert_eq(aexc(), NV);
}

Test(fpu, fcmped_trap_leaves_fcc_unchanged)
{
    fpu.fsr |= TEM(NV) | FCC(2);
    set_d(2, 0x7ff8000000000000ull);
    set_df(4, 1.0);
    cr_assert_eq(fpop2(FCMPED, 2, 4), SPARC_TT_FP_EXCEPTION);
    cr_assert_eq(fcc(), 2);
    cr_assert_eq(ftt(), 1);
    cr_assert_eq(cexc(), NV);
}

/* ---- FBfcc ---- */

Test(fpu, branch_conditions_cover_all_fcc_values)
{
    /* V8 appendix B, FBfcc: the fcc values (E=0, L=1, G=2, U=3) that take each. */
    static const char *const taken_on[16] = {
        "",     /* FBN */   "LGU", /* FBNE */  "LG",  /* FBLG */  "LU",  /* FBUL */
        "L",    /* FBL */   "GU",  /* FBUG */  "G",   /* FBG */   "U",   /* FBU */
        "ELGU", /* FBA */   "E",   /* FBE */   "EU",  /* FBUE */  "EG",  /* FBGE */
        "EGU",  /* FBUGE */ "EL",  /* FBLE */  "ELU", /* FBULE */ "ELG", /* FBO */
    };
    static const char names[4] = { 'E', 'L', 'G', 'U' };

    for (unsigned cond = 0; cond < 16; cond++) {
        for (unsigned f = 0; f < 4; f++) {
            fpu.fsr = VER4 | FCC(f);
            bool want = strchr(taken_on[cond], names[f]) != NULL;
            cr_assert_eq(fpu_branch_taken(&fpu, cond), want, "cond %u fcc %u", cond, f);
        }
    }
}

/* ---- LDFSR / STFSR / reset ---- */

Test(fpu, reset_sets_version_four_and_clears_registers)
{
    memset(&fpu, 0xa5, sizeof fpu);
    fpu_reset(&fpu);
    cr_assert_eq(fpu.fsr, VER4);
    for (int i = 0; i < 32; i++) {
        cr_assert_eq(fpu.f[i], 0);
    }
}

Test(fpu, ldfsr_writes_writable_fields)
{
    uint32_t value = RD(RD_NEG) | TEM(0x1f) | NS | FCC(3) | AEXC(0x1f) | 0x1f;
    fpu_ldfsr(&fpu, value);
    cr_assert_eq(fpu.fsr, value | VER4);
}

Test(fpu, ldfsr_cannot_change_ver_ftt_or_qne)
{
    fpu.fsr |= FTT(3);
    fpu_ldfsr(&fpu, FTT(1) | (7u << 17) | QNE);
    cr_assert_eq(fpu.fsr, VER4 | FTT(3));
}

Test(fpu, ldfsr_rounding_mode_takes_effect)
{
    fpu_ldfsr(&fpu, RD(RD_ZERO));
    set_sf(1, 1.0f);
    set_sf(2, 3.0f);
    fpop1(FDIVS, 3, 1, 2);
    cr_assert_eq(fpu.f[3], 0x3eaaaaaau);
}

Test(fpu, stfsr_returns_fsr_then_clears_ftt)
{
    fpu.fsr |= TEM(DZ);
    set_sf(1, 1.0f);
    set_sf(2, 0.0f);
    fpop1(FDIVS, 3, 1, 2);
    uint32_t before = fpu.fsr;
    uint32_t stored = fpu_stfsr(&fpu);
    cr_assert_eq(stored, before);
    cr_assert_eq((stored & FTT_MASK) >> 14, 1);
    cr_assert_eq(fpu.fsr, before & ~FTT_MASK);
}
