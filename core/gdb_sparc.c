/* SPDX-License-Identifier: MIT */
/* What the gdb stub knows of SPARC: the target description, and the register
 * windows shown where gdb looks for them. */
#include "gdb_sparc.h"

#include "machine_debug.h"

/* The target description, with the feature and register names gdb's sparc32
 * support looks for (org.gnu.gdb.sparc.cpu, .cp0, .fpu): `info registers` then
 * names every register and shows it at its size. */
#define REG(name, type, num) \
    "<reg name=\"" name "\" bitsize=\"32\" type=\"" type "\" regnum=\"" num "\"/>"

const char gdb_target_xml[] =
    "<?xml version=\"1.0\"?>"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target version=\"1.0\"><architecture>sparc</architecture>"
    "<feature name=\"org.gnu.gdb.sparc.cpu\">"
    REG("g0", "uint32", "0")
    REG("g1", "uint32", "1")
    REG("g2", "uint32", "2")
    REG("g3", "uint32", "3")
    REG("g4", "uint32", "4")
    REG("g5", "uint32", "5")
    REG("g6", "uint32", "6")
    REG("g7", "uint32", "7")
    REG("o0", "uint32", "8")
    REG("o1", "uint32", "9")
    REG("o2", "uint32", "10")
    REG("o3", "uint32", "11")
    REG("o4", "uint32", "12")
    REG("o5", "uint32", "13")
    REG("sp", "data_ptr", "14")
    REG("o7", "code_ptr", "15")
    REG("l0", "uint32", "16")
    REG("l1", "uint32", "17")
    REG("l2", "uint32", "18")
    REG("l3", "uint32", "19")
    REG("l4", "uint32", "20")
    REG("l5", "uint32", "21")
    REG("l6", "uint32", "22")
    REG("l7", "uint32", "23")
    REG("i0", "uint32", "24")
    REG("i1", "uint32", "25")
    REG("i2", "uint32", "26")
    REG("i3", "uint32", "27")
    REG("i4", "uint32", "28")
    REG("i5", "uint32", "29")
    REG("fp", "data_ptr", "30")
    REG("i7", "code_ptr", "31")
    "</feature><feature name=\"org.gnu.gdb.sparc.fpu\">"
    REG("f0", "ieee_single", "32")
    REG("f1", "ieee_single", "33")
    REG("f2", "ieee_single", "34")
    REG("f3", "ieee_single", "35")
    REG("f4", "ieee_single", "36")
    REG("f5", "ieee_single", "37")
    REG("f6", "ieee_single", "38")
    REG("f7", "ieee_single", "39")
    REG("f8", "ieee_single", "40")
    REG("f9", "ieee_single", "41")
    REG("f10", "ieee_single", "42")
    REG("f11", "ieee_single", "43")
    REG("f12", "ieee_single", "44")
    REG("f13", "ieee_single", "45")
    REG("f14", "ieee_single", "46")
    REG("f15", "ieee_single", "47")
    REG("f16", "ieee_single", "48")
    REG("f17", "ieee_single", "49")
    REG("f18", "ieee_single", "50")
    REG("f19", "ieee_single", "51")
    REG("f20", "ieee_single", "52")
    REG("f21", "ieee_single", "53")
    REG("f22", "ieee_single", "54")
    REG("f23", "ieee_single", "55")
    REG("f24", "ieee_single", "56")
    REG("f25", "ieee_single", "57")
    REG("f26", "ieee_single", "58")
    REG("f27", "ieee_single", "59")
    REG("f28", "ieee_single", "60")
    REG("f29", "ieee_single", "61")
    REG("f30", "ieee_single", "62")
    REG("f31", "ieee_single", "63")
    "</feature><feature name=\"org.gnu.gdb.sparc.cp0\">"
    REG("y", "uint32", "64")
    REG("psr", "uint32", "65")
    REG("wim", "uint32", "66")
    REG("tbr", "uint32", "67")
    REG("pc", "code_ptr", "68")
    REG("npc", "code_ptr", "69")
    REG("fsr", "uint32", "70")
    REG("csr", "uint32", "71")
    "</feature></target>";

/* ---- the register windows as gdb expects to find them on the stack ----
 *
 * gdb unwinds a SPARC frame by reading its caller's locals and ins from the
 * 64-byte save area at the caller's %sp, where a window overflow (or the flush a
 * native kernel does before gdb looks) would have stored them. Here the windows
 * above the current one are still in the register file, and flushing them would
 * change guest memory and WIM. So reads of a live window's save area are
 * answered from the register file (the CPU's extra register numbers
 * GDB_SPARC_REG_WINDOW + 16 * w + k), and writes there reach the registers too.
 */

#define REG_FP 30
#define REG_PSR 65
#define REG_WIM 66

/* The save area of the k-th live window above the current one: its register
 * numbers' base and its %sp. false past the last live window. */
static bool live_window(Machine *m, unsigned k, uint32_t *sp, unsigned *base)
{
    uint64_t psr, wim, v;
    if (k == 0 || k >= GDB_SPARC_NWINDOWS || machine_debug_reg_read(m, REG_PSR, &psr) ||
        machine_debug_reg_read(m, REG_WIM, &wim))
        return false;
    unsigned cwp = (unsigned)psr & 31;
    for (unsigned i = 1; i <= k; i++)
        if (wim & (1u << ((cwp + i) % GDB_SPARC_NWINDOWS)))
            return false; /* that window was spilled: it is in memory already */
    unsigned w = (cwp + k) % GDB_SPARC_NWINDOWS;
    unsigned below = (w + GDB_SPARC_NWINDOWS - 1) % GDB_SPARC_NWINDOWS;
    /* Window w's %sp is its %o6, the window below's %i6. */
    if (machine_debug_reg_read(m, k == 1 ? REG_FP : GDB_SPARC_REG_WINDOW + 16 * below + 14, &v))
        return false;
    *sp = (uint32_t)v;
    *base = GDB_SPARC_REG_WINDOW + 16 * w;
    return true;
}

typedef struct Span {
    uint8_t *buf;
    size_t len;
} Span;

/* Calls fn for every word of a live save area that [addr, addr + len) covers. */
static void each_saved_word(Machine *m, uint64_t addr, size_t len,
                            void (*fn)(Machine *m, unsigned regno, int64_t at, Span *span),
                            Span *span)
{
    uint32_t sp;
    unsigned base;
    for (unsigned k = 1; live_window(m, k, &sp, &base); k++) {
        if ((sp & 7) || sp == 0)
            continue; /* not a stack pointer (after reset, say): no save area */
        for (unsigned j = 0; j < 16; j++) {
            uint64_t word = (uint64_t)sp + 4 * j;
            if (word + 4 > addr && word < addr + len)
                fn(m, base + j, (int64_t)word - (int64_t)addr, span);
        }
    }
}

/* Word `regno` into span->buf at offset `at` (the bytes of it inside). */
static void read_word(Machine *m, unsigned regno, int64_t at, Span *span)
{
    uint8_t *buf = span->buf;
    size_t len = span->len;
    uint64_t v;
    if (machine_debug_reg_read(m, regno, &v))
        return;
    for (int b = 0; b < 4; b++)
        if (at + b >= 0 && (size_t)(at + b) < len)
            buf[at + b] = (uint8_t)(v >> (24 - 8 * b));
}

static void write_word(Machine *m, unsigned regno, int64_t at, Span *span)
{
    const uint8_t *buf = span->buf;
    size_t len = span->len;
    uint64_t v;
    if (machine_debug_reg_read(m, regno, &v))
        return;
    for (int b = 0; b < 4; b++)
        if (at + b >= 0 && (size_t)(at + b) < len) {
            unsigned shift = 24 - 8 * (unsigned)b;
            v = (v & ~((uint64_t)0xff << shift)) | (uint64_t)buf[at + b] << shift;
        }
    machine_debug_reg_write(m, regno, v);
}

void gdb_sparc_windows_read(Machine *m, uint64_t addr, uint8_t *buf, size_t len)
{
    Span span = { buf, len };
    each_saved_word(m, addr, len, read_word, &span);
}

void gdb_sparc_windows_write(Machine *m, uint64_t addr, const uint8_t *buf, size_t len)
{
    Span span = { (uint8_t *)buf, len };
    each_saved_word(m, addr, len, write_word, &span);
}
