/* SPDX-License-Identifier: MIT */
/*
 * The JIT's x86-64 emitter (jit/emit.h), helper by helper: each is run into a
 * buffer whose executable view sits at a non-zero distance (JitBuf.rx), the bytes
 * are decoded by Capstone (x86-64, Intel syntax) and the mnemonic and operand text
 * compared with the intended instruction. Every helper is tried with all 16
 * registers, every base register (rsp/r12 need a SIB byte, rbp/r13 a
 * displacement), displacements 0 / 8-bit / 32-bit of both signs and immediates of
 * each width; the decoder must consume exactly the bytes emitted, and the forms
 * with a short encoding must use it (checked by length).
 *
 * Immediates and branch targets are compared by value (Capstone prints them in
 * decimal, hex or sign-extended depending on the instruction): the operand text
 * has '#' where the immediate goes.
 */
#include <criterion/criterion.h>

#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../jit/emit.h"

static const char *const r64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const r32[16] = {"eax", "ecx", "edx",  "ebx",  "esp",  "ebp",  "esi",  "edi",
                                    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
static const char *const r16[16] = {"ax",  "cx",  "dx",   "bx",   "sp",   "bp",   "si",   "di",
                                    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
static const char *const r8[16] = {"al",  "cl",  "dl",   "bl",   "spl",  "bpl",  "sil",  "dil",
                                   "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
static const char *const alu_name[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
static const char *const cc_name[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                        "s", "ns", "p", "np", "l", "ge", "le", "g"};

/* Displacement classes: none, 8-bit, 32-bit, each sign, and the edges. */
static const int32_t disps[] = {0, 8, -8, 127, -128, 128, -129, 0x12345678, INT32_MIN, INT32_MAX};
#define NDISP (sizeof(disps) / sizeof(disps[0]))

/* Where the buffer's executable view is: a non-zero rx, so rel32 forms that
 * forgot it point elsewhere. */
#define RX_BASE 0x7f1234560000ull

static csh cs;
static uint8_t buf[256];
static JitBuf jb;
static unsigned failures;
static char what[160]; /* the case being tried, for messages */

static void setup(void)
{
    cr_assert_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
    cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
    failures = 0;
}

static void teardown(void)
{
    cs_close(&cs);
}

TestSuite(emit, .init = setup, .fini = teardown);

/* A test of the suite: its cases, then the verdict over all of them. */
#define EMIT_TEST(name)                                                                       \
    static void name##_cases(void);                                                           \
    Test(emit, name)                                                                          \
    {                                                                                         \
        name##_cases();                                                                       \
        cr_assert_eq(failures, 0, "%u case(s) decoded wrong (the first ones are above)",     \
                     failures);                                                               \
    }                                                                                         \
    static void name##_cases(void)

static void start(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void start(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    memset(buf, 0xcc, sizeof(buf));
    jb.p = buf;
    jb.end = buf + sizeof(buf);
    jb.rx = (intptr_t)(RX_BASE - (uintptr_t)buf);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    if (failures++ >= 20)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char hex[3 * sizeof(buf) + 1] = "";
    for (const uint8_t *q = buf; q < jb.p && q < buf + 24; q++)
        snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x ", *q);
    cr_log_error("%s: %s (bytes: %s)", what, msg, hex);
}

/* One expected instruction at `off` bytes into the buffer. ops has '#' for the
 * immediate or target `imm` (compared modulo the operand's size); len 0: any
 * length. Returns the instruction's size (0 after a failure). */
static size_t check_at(size_t off, const char *mn, const char *ops, uint64_t imm, size_t len)
{
    size_t n = (size_t)(jb.p - buf) - off;
    cs_insn *insn;
    size_t count = cs_disasm(cs, buf + off, n, RX_BASE + off, 1, &insn);
    if (count != 1) {
        fail("Capstone cannot decode it (want %s %s)", mn, ops);
        return 0;
    }
    size_t size = insn->size;
    char got[160];
    snprintf(got, sizeof(got), "%s", insn->op_str);
    const char *hash = strchr(ops, '#');
    if (hash) {
        /* the immediate is the last operand's text */
        char *tok = strrchr(got, ',');
        tok = tok ? tok + 2 : got;
        uint64_t mask = ~0ull;
        const cs_x86 *x = &insn->detail->x86;
        for (unsigned i = 0; i < x->op_count; i++)
            if (x->operands[i].type == X86_OP_IMM && x->operands[i].size < 8)
                mask = (1ull << (8 * x->operands[i].size)) - 1;
        bool neg = *tok == '-';
        uint64_t v = strtoull(tok + neg, NULL, 0);
        if (neg)
            v = -v;
        if ((v & mask) != (imm & mask))
            fail("immediate %s, want 0x%" PRIx64 " (%s %s)", tok, imm & mask, insn->mnemonic,
                 insn->op_str);
        snprintf(tok, sizeof(got) - (size_t)(tok - got), "#");
    }
    if (strcmp(insn->mnemonic, mn) != 0 || strcmp(got, ops) != 0)
        fail("decoded \"%s %s\", want \"%s %s\"", insn->mnemonic, insn->op_str, mn, ops);
    else if (len && size != len)
        fail("%zu bytes, want the %zu-byte encoding", size, len);
    cs_free(insn, count);
    return size;
}

/* The whole buffer is exactly this one instruction. */
static void check(const char *mn, const char *ops, uint64_t imm, size_t len)
{
    size_t n = (size_t)(jb.p - buf);
    size_t size = check_at(0, mn, ops, imm, len);
    if (size && size != n)
        fail("emitted %zu bytes, Capstone took %zu as \"%s %s\"", n, size, mn, ops);
}

/* ---- operand text ---- */

static void num(char *out, size_t len, uint64_t v)
{
    if (v <= 9)
        snprintf(out, len, "%" PRIu64, v);
    else
        snprintf(out, len, "0x%" PRIx64, v);
}

/* "[base + index*scale +- disp]" as Capstone prints it */
static const char *mem(char *out, size_t len, const char *size, int base, int index,
                       unsigned scale, int32_t disp)
{
    char d[32] = "", n[24];
    if (disp) {
        num(n, sizeof(n), disp < 0 ? -(uint64_t)(int64_t)disp : (uint64_t)disp);
        snprintf(d, sizeof(d), " %c %s", disp < 0 ? '-' : '+', n);
    }
    char ix[16] = "";
    if (index >= 0) {
        if (scale > 1)
            snprintf(ix, sizeof(ix), " + %s*%u", r64[index], scale);
        else
            snprintf(ix, sizeof(ix), " + %s", r64[index]);
    }
    snprintf(out, len, "%s%s[%s%s%s]", size, *size ? " ptr " : "", r64[base], ix, d);
    return out;
}

/* Bytes of the ModRM tail: ModRM, SIB where needed, displacement. */
static size_t rm_len(int base, int index, int32_t disp)
{
    size_t n = 1 + (index >= 0 || (base & 7) == RSP);
    if (disp == 0 && (base & 7) != RBP)
        return n;
    return n + (emit_fits8(disp) ? 1 : 4);
}

/* A REX byte is needed: W, an extended register, or a byte register 4-7. */
static size_t rex(bool w, int reg, int index, int base, bool byte_reg)
{
    return w || reg >= 8 || index >= 8 || base >= 8 || (byte_reg && reg >= 4 && reg < 8);
}

/* ---- moves ---- */

EMIT_TEST(mov_rr_every_register_pair)
{
    char ops[64];
    for (int w = 0; w < 2; w++)
        for (int d = 0; d < 16; d++)
            for (int s = 0; s < 16; s++) {
                start("mov_rr w=%d %d %d", w, d, s);
                emit_mov_rr(&jb, w ? E_W : 0, (X86Reg)d, (X86Reg)s);
                const char *const *n = w ? r64 : r32;
                snprintf(ops, sizeof(ops), "%s, %s", n[d], n[s]);
                check("mov", ops, 0, 2 + rex(w, d, -1, s, false));
            }
}

EMIT_TEST(mov_ri_picks_the_short_encoding)
{
    static const uint64_t imms[] = {0, 1, 9, 0x7f, 0x80, 0xffff, 0x7fffffff, 0x80000000,
                                    0xffffffff, 0x100000000ull, 0x123456789abcdef0ull,
                                    0x7fffffffffffffffull, 0x8000000000000000ull,
                                    (uint64_t)-1, (uint64_t)-2, (uint64_t)INT32_MIN,
                                    (uint64_t)INT32_MIN - 1};
    char ops[64];
    for (int r = 0; r < 16; r++)
        for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
            uint64_t v = imms[i];
            start("mov_ri %s, 0x%" PRIx64, r64[r], v);
            emit_mov_ri(&jb, (X86Reg)r, v);
            if (v <= UINT32_MAX) { /* mov r32, imm32 zero-extends: b8+r */
                snprintf(ops, sizeof(ops), "%s, #", r32[r]);
                check("mov", ops, v, 5 + (r >= 8));
            } else if ((int64_t)v >= INT32_MIN && (int64_t)v < 0) { /* c7 /0, sign-extended */
                snprintf(ops, sizeof(ops), "%s, #", r64[r]);
                check("mov", ops, v, 7);
            } else {
                snprintf(ops, sizeof(ops), "%s, #", r64[r]);
                check("movabs", ops, v, 10);
            }
        }
}

EMIT_TEST(load_store_every_register_base_and_displacement)
{
    char ops[96], m[64];
    for (int w = 0; w < 2; w++)
        for (int r = 0; r < 16; r++)
            for (int b = 0; b < 16; b++)
                for (size_t k = 0; k < NDISP; k++) {
                    int32_t d = disps[k];
                    const char *const *n = w ? r64 : r32;
                    mem(m, sizeof(m), w ? "qword" : "dword", b, -1, 1, d);
                    size_t len = 1 + rex(w, r, -1, b, false) + rm_len(b, -1, d);

                    start("load w=%d %d [%d%+d]", w, r, b, d);
                    emit_load(&jb, w ? E_W : 0, (X86Reg)r, (X86Reg)b, d);
                    snprintf(ops, sizeof(ops), "%s, %s", n[r], m);
                    check("mov", ops, 0, len);

                    start("store w=%d [%d%+d] %d", w, b, d, r);
                    emit_store(&jb, w ? E_W : 0, (X86Reg)b, d, (X86Reg)r);
                    snprintf(ops, sizeof(ops), "%s, %s", m, n[r]);
                    check("mov", ops, 0, len);
                }
}

EMIT_TEST(store_immediates)
{
    static const uint32_t imms[] = {0, 5, 0x7f, 0x80, 0xdeadbeef, 0xffffffff, 0x80000000};
    char ops[96], m[64];
    for (int b = 0; b < 16; b++)
        for (size_t k = 0; k < NDISP; k++) {
            int32_t d = disps[k];
            for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++)
                for (int w = 0; w < 2; w++) {
                    start("store_i32 w=%d [%d%+d] 0x%x", w, b, d, imms[i]);
                    emit_store_i32(&jb, w ? E_W : 0, (X86Reg)b, d, imms[i]);
                    snprintf(ops, sizeof(ops), "%s, #",
                             mem(m, sizeof(m), w ? "qword" : "dword", b, -1, 1, d));
                    uint64_t v = w ? (uint64_t)(int64_t)(int32_t)imms[i] : imms[i];
                    check("mov", ops, v, 1 + rex(w, 0, -1, b, false) + rm_len(b, -1, d) + 4);
                }
            for (unsigned v = 0; v < 256; v += 0x55) {
                start("store_i8 [%d%+d] 0x%x", b, d, v);
                emit_store_i8(&jb, (X86Reg)b, d, (uint8_t)v);
                snprintf(ops, sizeof(ops), "%s, #", mem(m, sizeof(m), "byte", b, -1, 1, d));
                check("mov", ops, v, 1 + (b >= 8) + rm_len(b, -1, d) + 1);
            }
        }
}

/* [base + index] for every base and every index (rsp cannot be an index). */
EMIT_TEST(indexed_guest_memory_forms)
{
    char ops[96], m[64];
    for (int r = 0; r < 16; r++)
        for (int b = 0; b < 16; b++)
            for (int x = 0; x < 16; x++) {
                if (x == RSP)
                    continue;
                size_t tail = rm_len(b, x, 0);
                for (int w = 0; w < 2; w++) {
                    const char *const *n = w ? r64 : r32;
                    mem(m, sizeof(m), w ? "qword" : "dword", b, x, 1, 0);
                    start("load_idx w=%d %d [%d+%d]", w, r, b, x);
                    emit_load_idx(&jb, w ? E_W : 0, (X86Reg)r, (X86Reg)b, (X86Reg)x);
                    snprintf(ops, sizeof(ops), "%s, %s", n[r], m);
                    check("mov", ops, 0, 1 + rex(w, r, x, b, false) + tail);

                    start("store_idx w=%d [%d+%d] %d", w, b, x, r);
                    emit_store_idx(&jb, w ? E_W : 0, (X86Reg)b, (X86Reg)x, (X86Reg)r);
                    snprintf(ops, sizeof(ops), "%s, %s", m, n[r]);
                    check("mov", ops, 0, 1 + rex(w, r, x, b, false) + tail);
                }
                start("store8_idx [%d+%d] %d", b, x, r);
                emit_store8_idx(&jb, (X86Reg)b, (X86Reg)x, (X86Reg)r);
                snprintf(ops, sizeof(ops), "%s, %s", mem(m, sizeof(m), "byte", b, x, 1, 0), r8[r]);
                check("mov", ops, 0, 1 + rex(false, r, x, b, true) + tail);

                start("movzx8_idx %d [%d+%d]", r, b, x);
                emit_movzx8_idx(&jb, (X86Reg)r, (X86Reg)b, (X86Reg)x);
                snprintf(ops, sizeof(ops), "%s, %s", r32[r], mem(m, sizeof(m), "byte", b, x, 1, 0));
                check("movzx", ops, 0, 2 + rex(false, r, x, b, false) + tail);

                start("movzx16_idx %d [%d+%d]", r, b, x);
                emit_movzx16_idx(&jb, (X86Reg)r, (X86Reg)b, (X86Reg)x);
                snprintf(ops, sizeof(ops), "%s, %s", r32[r], mem(m, sizeof(m), "word", b, x, 1, 0));
                check("movzx", ops, 0, 2 + rex(false, r, x, b, false) + tail);
            }
}

EMIT_TEST(extensions_from_byte_and_word_registers)
{
    char ops[64];
    for (int d = 0; d < 16; d++)
        for (int s = 0; s < 16; s++) {
            /* spl..dil as sources need a REX prefix even with low registers; emit_rr
             * also adds a (harmless) one when the 32-bit destination is 4-7 */
            size_t len8 = 3 + (d >= 4 || s >= 4);
            size_t len16 = 3 + (d >= 8 || s >= 8);
            snprintf(ops, sizeof(ops), "%s, %s", r32[d], r8[s]);
            start("movzx8_rr %d %d", d, s);
            emit_movzx8_rr(&jb, (X86Reg)d, (X86Reg)s);
            check("movzx", ops, 0, len8);
            start("movsx8_rr %d %d", d, s);
            emit_movsx8_rr(&jb, (X86Reg)d, (X86Reg)s);
            check("movsx", ops, 0, len8);

            snprintf(ops, sizeof(ops), "%s, %s", r32[d], r16[s]);
            start("movzx16_rr %d %d", d, s);
            emit_movzx16_rr(&jb, (X86Reg)d, (X86Reg)s);
            check("movzx", ops, 0, len16);
            start("movsx16_rr %d %d", d, s);
            emit_movsx16_rr(&jb, (X86Reg)d, (X86Reg)s);
            check("movsx", ops, 0, len16);
        }
}

EMIT_TEST(lea_every_base_index_scale_and_displacement)
{
    static const unsigned scales[] = {1, 2, 4, 8};
    char ops[96], m[64];
    for (int w = 0; w < 2; w++)
        for (int r = 0; r < 16; r += 5)
            for (int b = 0; b < 16; b++)
                for (int x = -1; x < 16; x++) {
                    if (x == RSP)
                        continue;
                    for (int s = 0; s < 4; s++)
                        for (size_t k = 0; k < NDISP; k++) {
                            if (x < 0 && s > 0)
                                continue;
                            int32_t d = disps[k];
                            start("lea w=%d %d [%d+%d*%u%+d]", w, r, b, x, scales[s], d);
                            emit_lea(&jb, w ? E_W : 0, (X86Reg)r, (X86Reg)b, x, scales[s], d);
                            snprintf(ops, sizeof(ops), "%s, %s", (w ? r64 : r32)[r],
                                     mem(m, sizeof(m), "", b, x, scales[s], d));
                            check("lea", ops, 0, 1 + rex(w, r, x, b, false) + rm_len(b, x, d));
                        }
                }
}

/* ---- arithmetic ---- */

EMIT_TEST(alu_register_register)
{
    char ops[64];
    for (int op = 0; op < 8; op++)
        for (int w = 0; w < 2; w++)
            for (int d = 0; d < 16; d++)
                for (int s = 0; s < 16; s++) {
                    start("alu_rr %s w=%d %d %d", alu_name[op], w, d, s);
                    emit_alu_rr(&jb, w ? E_W : 0, (X86Alu)op, (X86Reg)d, (X86Reg)s);
                    const char *const *n = w ? r64 : r32;
                    snprintf(ops, sizeof(ops), "%s, %s", n[d], n[s]);
                    check(alu_name[op], ops, 0, 2 + rex(w, s, -1, d, false));
                }
}

static const int32_t imms[] = {0, 1, -1, 9, 10, 127, -128, 128, -129, 0x7fffffff, INT32_MIN,
                               0x12345678, -0x12345678};
#define NIMM (sizeof(imms) / sizeof(imms[0]))

EMIT_TEST(alu_register_immediate_short_and_long)
{
    char ops[64];
    for (int op = 0; op < 8; op++)
        for (int w = 0; w < 2; w++)
            for (int d = 0; d < 16; d++)
                for (size_t i = 0; i < NIMM; i++) {
                    int32_t v = imms[i];
                    start("alu_ri %s w=%d %d %d", alu_name[op], w, d, v);
                    emit_alu_ri(&jb, w ? E_W : 0, (X86Alu)op, (X86Reg)d, v);
                    snprintf(ops, sizeof(ops), "%s, #", (w ? r64 : r32)[d]);
                    check(alu_name[op], ops, (uint64_t)(int64_t)v,
                          2 + rex(w, 0, -1, d, false) + (emit_fits8(v) ? 1 : 4));
                }
}

EMIT_TEST(alu_with_memory_operands)
{
    char ops[96], m[64];
    for (int op = 0; op < 8; op++)
        for (int w = 0; w < 2; w++)
            for (int b = 0; b < 16; b++)
                for (size_t k = 0; k < NDISP; k++) {
                    int32_t d = disps[k];
                    mem(m, sizeof(m), w ? "qword" : "dword", b, -1, 1, d);
                    for (int r = 0; r < 16; r++) {
                        const char *rn = (w ? r64 : r32)[r];
                        size_t len = 1 + rex(w, r, -1, b, false) + rm_len(b, -1, d);
                        start("alu_rm %s w=%d %d [%d%+d]", alu_name[op], w, r, b, d);
                        emit_alu_rm(&jb, w ? E_W : 0, (X86Alu)op, (X86Reg)r, (X86Reg)b, d);
                        snprintf(ops, sizeof(ops), "%s, %s", rn, m);
                        check(alu_name[op], ops, 0, len);

                        start("alu_mr %s w=%d [%d%+d] %d", alu_name[op], w, b, d, r);
                        emit_alu_mr(&jb, w ? E_W : 0, (X86Alu)op, (X86Reg)b, d, (X86Reg)r);
                        snprintf(ops, sizeof(ops), "%s, %s", m, rn);
                        check(alu_name[op], ops, 0, len);
                    }
                    for (size_t i = 0; i < NIMM; i++) {
                        int32_t v = imms[i];
                        start("alu_mi %s w=%d [%d%+d] %d", alu_name[op], w, b, d, v);
                        emit_alu_mi(&jb, w ? E_W : 0, (X86Alu)op, (X86Reg)b, d, v);
                        snprintf(ops, sizeof(ops), "%s, #", m);
                        check(alu_name[op], ops, (uint64_t)(int64_t)v,
                              1 + rex(w, 0, -1, b, false) + rm_len(b, -1, d) +
                                  (emit_fits8(v) ? 1 : 4));
                    }
                }
}

/* The fast-TLB probe forms: [base + index*scale + disp]. */
EMIT_TEST(tlb_probe_forms)
{
    static const unsigned scales[] = {1, 2, 4, 8};
    char ops[96], m[64];
    for (int r = 0; r < 16; r++)
        for (int b = 0; b < 16; b++)
            for (int x = 0; x < 16; x++) {
                if (x == RSP)
                    continue;
                for (int s = 0; s < 4; s++)
                    for (size_t k = 0; k < NDISP; k += 3) {
                        int32_t d = disps[k];
                        unsigned sc = scales[s];
                        size_t tail = rm_len(b, x, d);
                        start("cmp_mr_idx [%d+%d*%u%+d] %d", b, x, sc, d, r);
                        emit_cmp_mr_idx(&jb, (X86Reg)b, (X86Reg)x, sc, d, (X86Reg)r);
                        snprintf(ops, sizeof(ops), "%s, %s",
                                 mem(m, sizeof(m), "dword", b, x, sc, d), r32[r]);
                        check("cmp", ops, 0, 1 + rex(false, r, x, b, false) + tail);

                        mem(m, sizeof(m), "qword", b, x, sc, d);
                        snprintf(ops, sizeof(ops), "%s, %s", r64[r], m);
                        start("add64_m_idx %d [%d+%d*%u%+d]", r, b, x, sc, d);
                        emit_add64_m_idx(&jb, (X86Reg)r, (X86Reg)b, (X86Reg)x, sc, d);
                        check("add", ops, 0, 2 + tail);
                        start("load64_idx %d [%d+%d*%u%+d]", r, b, x, sc, d);
                        emit_load64_idx(&jb, (X86Reg)r, (X86Reg)b, (X86Reg)x, sc, d);
                        check("mov", ops, 0, 2 + tail);
                    }
            }
}

EMIT_TEST(shifts_by_immediate_and_cl)
{
    static const struct { X86Shift op; const char *name; } sh[] = {
        {SH_ROL, "rol"}, {SH_SHL, "shl"}, {SH_SHR, "shr"}, {SH_SAR, "sar"}};
    char ops[64];
    for (int i = 0; i < 4; i++)
        for (int r = 0; r < 16; r++) {
            for (int w = 0; w < 2; w++)
                for (unsigned n = 1; n < 64; n += (n < 3 ? 1 : 15)) {
                    start("shift_ri %s w=%d %d %u", sh[i].name, w, r, n);
                    emit_shift_ri(&jb, w ? E_W : 0, sh[i].op, (X86Reg)r, n);
                    snprintf(ops, sizeof(ops), "%s, #", (w ? r64 : r32)[r]);
                    check(sh[i].name, ops, n, 2 + rex(w, 0, -1, r, false) + (n != 1));
                }
            start("shift_cl %s %d", sh[i].name, r);
            emit_shift_cl(&jb, sh[i].op, (X86Reg)r);
            snprintf(ops, sizeof(ops), "%s, cl", r32[r]);
            check(sh[i].name, ops, 0, 2 + (r >= 8));
        }
}

EMIT_TEST(unary_multiply_test_bt)
{
    char ops[96], m[64];
    for (int r = 0; r < 16; r++) {
        start("not %d", r);
        emit_not(&jb, (X86Reg)r);
        check("not", r32[r], 0, 2 + (r >= 8));
        start("neg %d", r);
        emit_neg(&jb, (X86Reg)r);
        check("neg", r32[r], 0, 2 + (r >= 8));
        start("mul %d", r);
        emit_mul(&jb, (X86Reg)r, false);
        check("mul", r32[r], 0, 2 + (r >= 8));
        start("imul %d", r);
        emit_mul(&jb, (X86Reg)r, true);
        check("imul", r32[r], 0, 2 + (r >= 8));
        for (unsigned v = 0; v < 256; v += 0x3f) {
            start("test_ri8 %d 0x%x", r, v);
            emit_test_ri8(&jb, (X86Reg)r, (uint8_t)v);
            snprintf(ops, sizeof(ops), "%s, #", r8[r]);
            check("test", ops, v, 3 + (r >= 4));
        }
        for (int s = 0; s < 16; s++) {
            for (int w = 0; w < 2; w++) {
                start("test_rr w=%d %d %d", w, r, s);
                emit_test_rr(&jb, w ? E_W : 0, (X86Reg)r, (X86Reg)s);
                const char *const *n = w ? r64 : r32;
                snprintf(ops, sizeof(ops), "%s, %s", n[r], n[s]);
                check("test", ops, 0, 2 + rex(w, s, -1, r, false));
            }
            start("bt_rr %d %d", r, s);
            emit_bt_rr(&jb, (X86Reg)r, (X86Reg)s);
            snprintf(ops, sizeof(ops), "%s, %s", r32[r], r32[s]);
            check("bt", ops, 0, 3 + rex(false, s, -1, r, false));
        }
        for (size_t k = 0; k < NDISP; k++) {
            int32_t d = disps[k];
            mem(m, sizeof(m), "dword", r, -1, 1, d);
            snprintf(ops, sizeof(ops), "%s, #", m);
            for (size_t i = 0; i < NIMM; i += 2) {
                start("test_mi [%d%+d] %d", r, d, imms[i]);
                emit_test_mi(&jb, (X86Reg)r, d, (uint32_t)imms[i]);
                check("test", ops, (uint32_t)imms[i], 1 + (r >= 8) + rm_len(r, -1, d) + 4);
            }
            for (unsigned bit = 0; bit < 32; bit += 7) {
                start("bt_mi [%d%+d] %u", r, d, bit);
                emit_bt_mi(&jb, (X86Reg)r, d, bit);
                check("bt", ops, bit, 2 + (r >= 8) + rm_len(r, -1, d) + 1);
            }
        }
    }
}

EMIT_TEST(byte_swaps)
{
    char ops[32];
    for (int r = 0; r < 16; r++) {
        start("bswap32 %d", r);
        emit_bswap(&jb, 0, (X86Reg)r);
        check("bswap", r32[r], 0, 2 + (r >= 8));
        start("bswap64 %d", r);
        emit_bswap(&jb, E_W, (X86Reg)r);
        check("bswap", r64[r], 0, 3);
        start("bswap16 %d", r);
        emit_bswap16(&jb, (X86Reg)r);
        snprintf(ops, sizeof(ops), "%s, #", r16[r]);
        check("rol", ops, 8, 4 + (r >= 8));
    }
}

EMIT_TEST(setcc_and_cmov_every_condition)
{
    char mn[16], ops[32];
    for (int c = 0; c < 16; c++)
        for (int r = 0; r < 16; r++) {
            start("setcc %s %d", cc_name[c], r);
            emit_setcc(&jb, (X86Cond)c, (X86Reg)r);
            snprintf(mn, sizeof(mn), "set%s", cc_name[c]);
            check(mn, r8[r], 0, 3 + (r >= 4));
            for (int s = 0; s < 16; s++) {
                start("cmov %s %d %d", cc_name[c], r, s);
                emit_cmov(&jb, (X86Cond)c, (X86Reg)r, (X86Reg)s);
                snprintf(mn, sizeof(mn), "cmov%s", cc_name[c]);
                snprintf(ops, sizeof(ops), "%s, %s", r32[r], r32[s]);
                check(mn, ops, 0, 3 + (r >= 8 || s >= 8));
            }
        }
}

EMIT_TEST(stack_and_return)
{
    for (int r = 0; r < 16; r++) {
        start("push %d", r);
        emit_push(&jb, (X86Reg)r);
        check("push", r64[r], 0, 1 + (r >= 8));
        start("pop %d", r);
        emit_pop(&jb, (X86Reg)r);
        check("pop", r64[r], 0, 1 + (r >= 8));
        start("jmp_r %d", r);
        emit_jmp_r(&jb, (X86Reg)r);
        check("jmp", r64[r], 0, 2 + (r >= 8));
        start("call_r %d", r);
        emit_call_r(&jb, (X86Reg)r);
        check("call", r64[r], 0, 2 + (r >= 8));
    }
    start("pushf");
    emit_pushf(&jb);
    check("pushfq", "", 0, 1);
    start("ret");
    emit_ret(&jb);
    check("ret", "", 0, 1);
}

/* ---- control flow: targets are executable addresses (RX_BASE + offset) ---- */

static const int64_t targets[] = {0, 5, 6, 100, -100, 0x1000, -0x1000, 0x7ffffff0, -0x7ffffff0};

EMIT_TEST(jumps_are_relative_to_the_executable_view)
{
    char mn[16];
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        uint64_t t = RX_BASE + (uint64_t)targets[i];
        start("jmp 0x%" PRIx64, t);
        emit_jmp(&jb, t);
        check("jmp", "#", t, 5);
        for (int c = 0; c < 16; c++) {
            start("j%s 0x%" PRIx64, cc_name[c], t);
            emit_jcc(&jb, (X86Cond)c, t);
            snprintf(mn, sizeof(mn), "j%s", cc_name[c]);
            check(mn, "#", t, 6);
        }
    }
}

EMIT_TEST(forward_jumps_patched_later)
{
    char mn[16];
    for (int c = -1; c < 16; c++) {
        start("fwd %d", c);
        emit_u8(&jb, 0x90); /* a nop first: the jump is not at the buffer's start */
        uint8_t *f = c < 0 ? emit_jmp_fwd(&jb) : emit_jcc_fwd(&jb, (X86Cond)c);
        size_t jlen = (size_t)(jb.p - buf) - 1;
        for (int i = 0; i < 7; i++)
            emit_u8(&jb, 0x90);
        uintptr_t target = emit_here(&jb);
        emit_patch(&jb, f, target);
        emit_ret(&jb); /* the target */
        snprintf(mn, sizeof(mn), c < 0 ? "jmp" : "j%s", c < 0 ? "" : cc_name[c]);
        cr_expect_eq(check_at(1, mn, "#", target, jlen), jlen, "%s", what);
        /* a backward patch of the same field */
        emit_patch(&jb, f, RX_BASE);
        check_at(1, mn, "#", RX_BASE, jlen);
    }
}

static void far_away(void)
{
}

EMIT_TEST(call_in_reach_is_rel32_else_through_rax)
{
    uintptr_t fn = (uintptr_t)far_away;
    /* executable view 1 MiB below the function: rel32 */
    start("call near");
    jb.rx = (intptr_t)(fn - 0x100000 - (uintptr_t)buf);
    uintptr_t at = emit_here(&jb);
    emit_call(&jb, far_away);
    cs_insn *insn;
    size_t n = cs_disasm(cs, buf, (size_t)(jb.p - buf), at, 0, &insn);
    cr_assert_eq(n, 1, "near call: %zu instructions", n);
    cr_expect_str_eq(insn->mnemonic, "call");
    cr_expect_eq(insn->size, 5);
    cr_expect_eq(strtoull(insn->op_str, NULL, 0), fn, "near call to %s, want 0x%lx",
                 insn->op_str, (unsigned long)fn);
    cs_free(insn, n);

    /* executable view 16 TiB away: movabs rax, fn; call rax */
    start("call far");
    jb.rx = (intptr_t)((fn ^ (1ull << 44)) - (uintptr_t)buf);
    at = emit_here(&jb);
    emit_call(&jb, far_away);
    n = cs_disasm(cs, buf, (size_t)(jb.p - buf), at, 0, &insn);
    cr_assert_eq(n, 2, "far call: %zu instructions", n);
    cr_expect_eq(insn[0].size + insn[1].size, (size_t)(jb.p - buf), "trailing bytes");
    cs_free(insn, n);
    size_t off = check_at(0, fn > UINT32_MAX ? "movabs" : "mov", fn > UINT32_MAX ? "rax, #" : "eax, #",
                          fn, 0);
    check_at(off, "call", "rax", 0, 2);
}
