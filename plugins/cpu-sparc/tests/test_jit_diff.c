/* SPDX-License-Identifier: MIT */
/*
 * The JIT against the interpreter on random programs (docs/jit.md "Tests").
 *
 * Each seed generates a program in the PROM (where boot-mode fetches go):
 * random ALU operations of every kind (cc, addx/subx, tagged, mulscc, multiply,
 * divide, shifts), sethi, rd/wr %y, wr %psr of icc and PIL, loads and stores
 * of every width to a RAM buffer (aligned, and some misaligned or unassigned
 * ones that trap; some through an alternate space), ldstub/swap, FPops and FP
 * loads/stores (PSR.EF on or off), Bicc/BA/BN/FBfcc with and without annul
 * branching forward inside straight-line segments, bounded backward loops (a
 * counter in %g6 set before each loop that only goes down in it), nests of save/restore deeper
 * than the 8 windows, calls and jmpl calls to leaf and non-leaf subroutines
 * returning with retl or ret+restore, and conditional traps; it ends in UNIMP,
 * whose vector stops the CPU in error mode. The trap table works like a
 * kernel's: window overflow and underflow spill and fill through the stack
 * (%sp is never a random destination), every other trap is counted in RAM and
 * skipped. 30% of the seeds turn the MMU on first and run from RAM, where a few
 * stores overwrite instructions ahead (self-modifying code); 30% of the others
 * run in user mode (privileged instructions trap; the handlers run in
 * supervisor mode and return to user mode).
 *
 * The program runs from one random initial state under -accel interp, then
 * under -accel jit (in one go, and through the stops), -accel jit,check=on and
 * -accel jit,block=N for a random small N, stopping at the same random budgets
 * and a stretch of single steps on the way, with the interrupt level raised
 * over a few of them (the handler returns to the interrupted instruction). At
 * every stop the full state is compared: registers of every window, PSR, Y,
 * WIM, TBR, PC, nPC, icount, the FPU and MMU registers, error mode and all of
 * RAM. The seed and the first differing field are printed on failure; a "jit
 * check" line from the lockstep mode is a failure too.
 *
 * Usage: test-jit-diff [FIRST_SEED [COUNT]]; TESSERA_JIT_FUZZ_SEEDS=N runs N
 * seeds (the jit-long suite), and with --long and no variable it skips (77).
 * TESSERA_JIT_DIFF_DUMP=1 prints each program's words and what it did;
 * TESSERA_JIT_DIFF_ACCEL=SPEC compares only -accel SPEC (e.g. jit,check=on).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cpu.h"
#include "../jit/jit.h"
#include "../mem.h"

extern const TesseraPluginDescriptor tessera_plugin;

/* ---- the machine: RAM at 0, the PROM at 0x70000000 ---- */

#define RAM_SIZE 0x80000u
#define ROM_BASE 0x70000000u
#define ROM_SIZE 0x40000u
#define TBA 0x10000u       /* the trap table (PROM offset = VA in boot mode) */
#define HANDLERS 0x11000u  /* the longer trap handlers */
#define COUNTERS 0x20000u  /* RAM: one word per trap type, counted by the handlers */
#define BUF 0x21000u       /* RAM: the data buffer, its base in %g5 */
#define PAGE_TABLES 0x30000u /* RAM: context table, level-1 table (MMU seeds) */
#define BUF_SIZE 0x1000u
#define STACK_TOP 0x40000u /* RAM: %sp of the first window; frames of 64 bytes below */
#define MAX_WORDS (TBA / 4 - 64)
#define MAX_BUDGET 50000u /* a program that runs longer is compared at this count */

static uint8_t ram[RAM_SIZE];
static uint8_t ram_dirty[RAM_SIZE >> TESSERA_PAGE_BITS];
static uint8_t ram_code[RAM_SIZE >> TESSERA_PAGE_BITS];
static uint8_t rom[ROM_SIZE];
static uint8_t ram_image[RAM_SIZE]; /* RAM when a run starts */
static const char *accel;    /* the accelerator of the instance being built */
static char check_line[512]; /* the first "jit check" report of a run */

static void host_log(TesseraInstance *self, TesseraLogLevel level, const char *fmt, va_list ap)
{
    (void)self, (void)level;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    if (strstr(line, "jit check") && !check_line[0])
        snprintf(check_line, sizeof(check_line), "%s", line);
}

static uint8_t *host_mem_ptr(TesseraInstance *self, uint64_t pa, uint64_t *avail)
{
    (void)self;
    if (pa < RAM_SIZE) {
        *avail = RAM_SIZE - pa;
        return ram + pa;
    }
    if (pa >= ROM_BASE && pa - ROM_BASE < ROM_SIZE) {
        *avail = ROM_SIZE - (pa - ROM_BASE);
        return rom + (pa - ROM_BASE);
    }
    return NULL;
}

static int host_mem_region(TesseraInstance *self, uint64_t pa, TesseraMemRegion *out)
{
    (void)self;
    uint32_t size_of = out->size_of;
    memset(out, 0, sizeof(*out));
    out->size_of = size_of;
    if (pa < RAM_SIZE)
        *out = (TesseraMemRegion){sizeof(*out), TESSERA_MEM_RAM, 0, RAM_SIZE, ram, ram_dirty,
                                  ram_code};
    else if (pa >= ROM_BASE && pa - ROM_BASE < ROM_SIZE)
        *out = (TesseraMemRegion){sizeof(*out), TESSERA_MEM_ROM, ROM_BASE, ROM_SIZE, rom, NULL,
                                  NULL};
    return 0;
}

/* Plain memory only; everything else is unassigned (a data access trap). */
static int host_bus_read(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t *value)
{
    uint64_t avail;
    const uint8_t *p = host_mem_ptr(self, pa, &avail);
    *value = 0;
    if (!p || avail < size)
        return TESSERA_BUS_UNASSIGNED;
    for (unsigned i = 0; i < size; i++)
        *value = *value << 8 | p[i];
    return TESSERA_BUS_OK;
}

static int host_bus_write(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t value)
{
    (void)self;
    if (pa >= ROM_BASE && pa - ROM_BASE < ROM_SIZE)
        return TESSERA_BUS_OK;
    if (pa >= RAM_SIZE || RAM_SIZE - pa < size)
        return TESSERA_BUS_UNASSIGNED;
    for (unsigned i = 0; i < size; i++)
        ram[pa + i] = (uint8_t)(value >> (8 * (size - 1 - i)));
    return TESSERA_BUS_OK;
}

static const char *host_machine_opt(TesseraInstance *self, const char *name)
{
    (void)self;
    return !strcmp(name, "accel") ? accel : NULL;
}

static const TesseraHostOps host_ops = {
    .size = sizeof(TesseraHostOps),
    .machine_opt = host_machine_opt,
    .log = host_log,
    .mem_ptr = host_mem_ptr,
    .bus_read = host_bus_read,
    .bus_write = host_bus_write,
    .mem_region = host_mem_region,
};
static const TesseraHost host = {&host_ops, NULL};

/* ---- the random source (splitmix64) ---- */

static uint64_t rng;

static uint32_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (uint32_t)((z ^ (z >> 31)) >> 16);
}

static unsigned below(unsigned n)
{
    return rnd() % n;
}

static bool chance(unsigned percent)
{
    return below(100) < percent;
}

/* ---- encoding ---- */

enum { G0 = 0, G3 = 3, G4 = 4, G5 = 5, G6 = 6, O6 = 14, O7 = 15, L1 = 17, L2 = 18, L3 = 19, L4 = 20,
       L5 = 21, L6 = 22, I6 = 30, I7 = 31 };

static uint32_t words[MAX_WORDS];
static unsigned n_words;

static void put(uint32_t w)
{
    if (n_words < MAX_WORDS)
        words[n_words++] = w;
}

/* format 3: op rd, rs1, rs2 or simm13 */
static uint32_t f3(unsigned op, unsigned op3, unsigned rd, unsigned rs1, bool imm, int32_t op2)
{
    return op << 30 | rd << 25 | op3 << 19 | rs1 << 14 |
           (imm ? 1u << 13 | ((uint32_t)op2 & 0x1fff) : (uint32_t)op2 & 31);
}

static uint32_t alu_i(unsigned op3, unsigned rd, unsigned rs1, int32_t simm)
{
    return f3(2, op3, rd, rs1, true, simm);
}

static uint32_t mem_i(unsigned op3, unsigned rd, unsigned rs1, int32_t simm)
{
    return f3(3, op3, rd, rs1, true, simm);
}

static uint32_t branch(unsigned cond, bool annul, unsigned at, unsigned target)
{
    uint32_t disp = (uint32_t)((int32_t)target - (int32_t)at) & 0x3fffff;
    return (uint32_t)annul << 29 | cond << 25 | 2u << 22 | disp;
}

static uint32_t sethi(unsigned rd, uint32_t value)
{
    return rd << 25 | 4u << 22 | value >> 10;
}

#define NOP 0x01000000u
#define OP3_ADD 0x00
#define OP3_OR 0x02
#define OP3_SUBCC 0x14
#define OP3_RDWIM 0x2a
#define OP3_WRWIM 0x32
#define OP3_JMPL 0x38
#define OP3_RETT 0x39
#define OP3_SAVE 0x3c
#define OP3_RESTORE 0x3d
#define OP3_LD 0x00
#define OP3_ST 0x04
#define OP3_LDD 0x03
#define OP3_STD 0x07

/* ---- the generator ---- */

/* Registers a random instruction may write: not %g5 (the buffer), %g6 (the loop
 * counter), %sp/%fp (the window traps spill through them), %o7/%i7 (returns). */
static unsigned dest(void)
{
    for (;;) {
        unsigned r = below(32);
        if (r != G5 && r != G6 && r != O6 && r != O7 && r != I6 && r != I7)
            return r;
    }
}

/* An even destination of an LDD (neither half reserved). */
static unsigned dest_pair(void)
{
    for (;;) {
        unsigned r = below(16) * 2;
        if (r != G4 && r != G6 && r != O6 && r != I6)
            return r;
    }
}

static int32_t simm13(void)
{
    switch (below(4)) {
    case 0: return (int32_t)below(16);
    case 1: return -(int32_t)below(16);
    default: return (int32_t)(below(8192)) - 4096;
    }
}

/* Operand 2: a register or an immediate. */
static uint32_t alu_op(unsigned op3, unsigned rd)
{
    if (chance(50))
        return f3(2, op3, rd, below(32), false, (int32_t)below(32));
    return alu_i(op3, rd, below(32), simm13());
}

static const uint8_t alu_ops[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0c,       /* add..xnor, addx, subx */
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x1c,       /* the cc forms */
    0x20, 0x21, 0x22, 0x23,                                           /* tagged (tv traps) */
    0x24,                                                             /* mulscc */
    0x0a, 0x0b, 0x1a, 0x1b,                                           /* umul smul umulcc smulcc */
};
static const uint8_t div_ops[] = {0x0e, 0x0f, 0x1e, 0x1f}; /* udiv sdiv udivcc sdivcc */

/* A memory operation on the buffer: width classes by op3, with the alignment it
 * needs; 1 in 12 is misaligned (a trap) and 1 in 40 goes to unassigned space. */
static void gen_memory(void)
{
    static const struct { uint8_t op3, size, pair; } ops[] = {
        {0x00, 4, 0}, {0x01, 1, 0}, {0x02, 2, 0}, {0x03, 8, 1}, {0x04, 4, 0}, {0x05, 1, 0},
        {0x06, 2, 0}, {0x07, 8, 1}, {0x09, 1, 0}, {0x0a, 2, 0}, {0x0d, 1, 0}, {0x0f, 4, 0},
    };
    unsigned k = below(sizeof(ops) / sizeof(ops[0]));
    unsigned op3 = ops[k].op3, size = ops[k].size;
    bool store = op3 == 0x04 || op3 == 0x05 || op3 == 0x06 || op3 == 0x07;
    unsigned rd = ops[k].pair ? (store ? below(16) * 2 : dest_pair()) : store ? below(32) : dest();
    unsigned off = below(BUF_SIZE) & ~(size - 1);
    if (chance(8) && size > 1)
        off |= 1u << below(size == 8 ? 3 : size == 4 ? 2 : 1);
    if (chance(2)) { /* unassigned: a data access trap */
        put(sethi(G4, 0x50000000u));
        put(mem_i(op3, rd, G4, (int32_t)(off & ~7u)));
        return;
    }
    if (chance(40)) { /* [%g5 + %g4], the index computed just before */
        put(alu_i(OP3_ADD, G4, G0, (int32_t)off));
        /* 1 in 5 through an alternate space: user or supervisor data, or the
         * MMU bypass (VA = PA for the buffer, with the MMU on or off) */
        static const uint8_t asis[] = {0x0a, 0x0b, 0x20};
        uint32_t asi = chance(20) ? (uint32_t)asis[below(3)] << 5 : 0;
        put(f3(3, op3 | (asi ? 0x10 : 0), rd, G5, false, G4) | asi);
        return;
    }
    put(mem_i(op3, rd, G5, (int32_t)off));
}

/* An FPU instruction: an FPop, or a load/store of a single, a double or the
 * FSR on the buffer (they trap when the seed's PSR.EF is off). */
static void gen_fpu(void)
{
    static const uint16_t fpop1[] = {
        0x001, 0x005, 0x009, 0x029, 0x02a, 0x041, 0x042, 0x045, 0x046, 0x049, 0x04a, 0x04d,
        0x04e, 0x069, 0x0c4, 0x0c6, 0x0c8, 0x0c9, 0x0d1, 0x0d2,
    };
    static const uint16_t fpop2[] = {0x051, 0x052, 0x055, 0x056};
    unsigned rd = below(32), rs1 = below(32), rs2 = below(32);
    switch (below(4)) {
    case 0:
        put(f3(2, 0x34, rd, rs1, false, 0) | (uint32_t)fpop1[below(sizeof(fpop1) / 2)] << 5 |
            rs2);
        break;
    case 1:
        put(f3(2, 0x35, 0, rs1, false, 0) | (uint32_t)fpop2[below(sizeof(fpop2) / 2)] << 5 |
            rs2);
        break;
    default: { /* ldf lddf ldfsr stf stdf stfsr */
        static const uint8_t ops[] = {0x20, 0x23, 0x21, 0x24, 0x27, 0x25};
        unsigned k = below(sizeof(ops));
        unsigned size = ops[k] == 0x23 || ops[k] == 0x27 ? 8 : 4;
        if (ops[k] == 0x21)
            rd = 0;
        put(mem_i(ops[k], rd, G5, (int32_t)(below(BUF_SIZE) & ~(size - 1))));
        break;
    }
    }
}

/* One instruction (or two) that is not a control transfer. */
static bool alu_only; /* gen_simple: register operations only (tight loops) */

static void gen_simple(void)
{
    unsigned k = alu_only ? 6 + below(52) : below(100);
    if (k >= 48 && k < 53 && alu_only)
        k = 6; /* no divisions: they may trap */
    if (k < 6) {
        gen_fpu();
    } else if (k < 40) {
        put(alu_op(alu_ops[below(sizeof(alu_ops))], dest()));
    } else if (k < 48) { /* shifts: register or immediate count */
        unsigned op3 = 0x25 + below(3);
        if (chance(50))
            put(f3(2, op3, dest(), below(32), false, (int32_t)below(32)));
        else
            put(alu_i(op3, dest(), below(32), (int32_t)below(32)));
    } else if (k < 53) { /* divide: nonzero divisor (1 in 20 is zero: a trap) */
        unsigned op3 = div_ops[below(4)];
        if (chance(50)) {
            put(alu_i(OP3_OR, G4, below(32), chance(5) ? 0 : 1));
            put(f3(2, op3, dest(), below(32), false, G4));
        } else {
            int32_t d = simm13();
            put(alu_i(op3, dest(), below(32), d ? d : chance(5) ? 0 : 3));
        }
    } else if (k < 58) {
        put(sethi(dest(), rnd() << 10));
    } else if (k < 62) { /* wr %y (rs1 ^ operand 2), rd %y, rd %psr, rd %wim, rd %tbr */
        put(chance(50) ? alu_op(0x30, 0) : f3(2, 0x28 + below(4), dest(), 0, false, 0));
    } else if (k < 88) {
        gen_memory();
    } else if (k < 92) { /* conditional trap: ta/tn/t<cond> with a software trap number */
        put(alu_i(0x3a, below(16), G0, (int32_t)below(0x7f)));
    } else if (k < 94) {
        put(alu_i(0x3b, 0, G5, (int32_t)below(BUF_SIZE) & ~3)); /* flush */
    } else if (k < 95) {
        /* rewrite PSR: new condition codes (rd %psr; xor with a sethi) and
         * processor interrupt level (the wr's immediate) */
        put(f3(2, 0x29 /* rd %psr */, G4, 0, false, 0));
        put(sethi(G3, (rnd() & 15u) << 20));
        put(f3(2, 0x03 /* xor */, G4, G4, false, G3));
        put(alu_i(0x31 /* wr %psr */, 0, G4, (int32_t)(below(16) << 8)));
    } else if (k < 96 && n_words + 70 < 0x1000 / 4) {
        /* store an ALU instruction over one of the next words: self-modifying
         * code on seeds that run from RAM (a plain RAM store on the others) */
        uint32_t w = alu_op(alu_ops[below(sizeof(alu_ops))], dest());
        unsigned at = n_words + 3 + below(64);
        put(sethi(G4, w));
        put(alu_i(OP3_OR, G4, G4, (int32_t)(w & 0x3ff)));
        if (chance(50)) {
            put(mem_i(OP3_ST, G4, G0, (int32_t)(4 * at)));
        } else { /* through the MMU bypass (VA = PA here too) */
            put(alu_i(OP3_OR, G3, G0, (int32_t)(4 * at)));
            put(f3(3, 0x14 /* sta */, G4, G0, false, G3) | 0x20u << 5);
        }
    } else {
        put(NOP);
    }
}

/* Straight-line code with forward branches inside it (every condition, annul
 * or not, delay slots never a control transfer), optionally a loop: %g6 set to
 * its count first, closed by "subcc %g6, 1, %g6; bg/bpos back" and a delay slot. */
static void gen_segment(unsigned len, bool loop)
{
    unsigned slot[64], fix[64], target[64], n_fix = 0;
    if (len > 60)
        len = 60;
    if (loop) /* the loop's count; nothing else writes %g6, loops do not nest */
        put(alu_i(OP3_OR, G6, G0, 1 + (int32_t)below(30)));
    for (unsigned i = 0; i < len; i++) {
        slot[i] = n_words;
        if (i + 1 < len && chance(15)) {
            fix[n_fix] = n_words;
            target[n_fix++] = i + 1 + below(len - i);
            put(0); /* patched below */
            i++;
            slot[i] = n_words;
            gen_simple(); /* the delay slot */
            continue;
        }
        gen_simple();
    }
    slot[len] = n_words;
    for (unsigned f = 0; f < n_fix; f++)
        if (fix[f] < MAX_WORDS)
            words[fix[f]] = branch(below(16), chance(50), fix[f], slot[target[f]]) |
                            (chance(10) ? 4u << 22 : 0); /* op2 2 (Bicc) or 6 (FBfcc) */
    if (loop) {
        put(alu_i(OP3_SUBCC, G6, G6, 1));
        put(branch(chance(50) ? 10 /* bg */ : 14 /* bpos */, chance(40), n_words, slot[below(len)]));
        gen_simple();
    }
}

typedef struct Sub { unsigned at; bool leaf; } Sub;
static Sub subs[4];
static unsigned n_subs;
static unsigned end_at; /* the main program's UNIMP */
static unsigned calls[256], call_sub[256], n_calls;     /* call disp30 to patch */
static unsigned sets[256], set_sub[256], n_sets;        /* sethi/or pairs to patch */

static void gen_items(unsigned depth)
{
    unsigned n = depth ? 1 + below(3) : 4 + below(8);
    for (unsigned i = 0; i < n && n_words < MAX_WORDS - 400; i++) {
        unsigned k = below(100);
        if (k < 45 || (k >= 60 && !n_subs)) {
            /* 1 in 4: a tight loop of register operations, one block */
            alu_only = chance(25);
            gen_segment(alu_only ? 2 + below(10) : 3 + below(24), alu_only || chance(40));
            alu_only = false;
        } else if (k < 60 && depth < 12) { /* a nest of 1 to 12 windows */
            unsigned levels = 1 + below(12 - depth);
            for (unsigned l = 0; l < levels; l++) {
                put(alu_i(OP3_SAVE, O6, O6, -64));
                gen_segment(1 + below(6), false);
            }
            gen_items(depth + levels);
            for (unsigned l = 0; l < levels; l++) {
                gen_segment(1 + below(6), false);
                put(chance(50) ? alu_op(OP3_RESTORE, dest()) : alu_i(OP3_RESTORE, 0, 0, 0));
            }
        } else if (k < 80 && n_calls < 256) {
            calls[n_calls] = n_words;
            call_sub[n_calls++] = below(n_subs);
            put(0);
            gen_simple();
        } else if (n_sets < 256) { /* jmpl through a register */
            sets[n_sets] = n_words;
            set_sub[n_sets++] = below(n_subs);
            put(0);
            put(0);
            put(alu_i(OP3_JMPL, O7, G4, 0));
            gen_simple();
        }
    }
}

/* Seeds with the MMU on run from RAM: the code and the trap table are copied
 * there, context 0 maps VA 0-16 MiB to PA 0 (one level-1 PTE, ACC 3), and the
 * program's first words (fetched from the PROM in boot mode) turn the MMU on;
 * the next fetch comes from the same address in RAM. */
static bool mmu;

static void gen_mmu_on(void)
{
    put(sethi(G4, PAGE_TABLES >> 4));
    put(alu_i(OP3_OR, G4, G4, (PAGE_TABLES >> 4) & 0x3ff));
    put(alu_i(OP3_OR, G3, G0, 0x100));
    put(f3(3, 0x14 /* sta */, G4, G3, false, G0) | 4u << 5); /* context table pointer */
    put(alu_i(OP3_OR, G3, G0, 1));
    put(f3(3, 0x14, G3, G0, false, G0) | 4u << 5); /* control: E */
}

static void gen_program(void)
{
    n_words = n_subs = n_calls = n_sets = 0;
    if (mmu)
        gen_mmu_on();
    n_subs = 1 + below(4);
    gen_items(0);
    end_at = n_words;
    put(0); /* UNIMP: the end */
    for (unsigned s = 0; s < n_subs; s++) {
        /* half the subroutines start a few words before a page boundary, so
         * blocks and exits cross pages */
        unsigned page = SPARC_PAGE_MASK / 4 + 1;
        unsigned next = (n_words / page + 1 + below(3)) * page - below(8);
        if (chance(50) && next < MAX_WORDS - 400)
            while (n_words < next)
                put(0);
        subs[s].at = n_words;
        subs[s].leaf = chance(50);
        if (!subs[s].leaf)
            put(alu_i(OP3_SAVE, O6, O6, -64));
        gen_segment(2 + below(16), chance(30));
        if (subs[s].leaf) { /* retl */
            put(alu_i(OP3_JMPL, G0, O7, 8));
            gen_simple();
        } else { /* ret; restore */
            put(alu_i(OP3_JMPL, G0, I7, 8));
            put(chance(50) ? alu_op(OP3_RESTORE, dest()) : alu_i(OP3_RESTORE, 0, 0, 0));
        }
    }
    put(0);
    for (unsigned c = 0; c < n_calls; c++)
        words[calls[c]] = 1u << 30 | ((subs[call_sub[c]].at - calls[c]) & 0x3fffffff);
    for (unsigned c = 0; c < n_sets; c++) {
        uint32_t va = 4 * subs[set_sub[c]].at;
        words[sets[c]] = sethi(G4, va);
        words[sets[c] + 1] = alu_i(OP3_OR, G4, G4, (int32_t)(va & 0x3ff));
    }
}

/* ---- the trap table ---- */

static void rom_word(uint32_t off, uint32_t w)
{
    rom[off] = (uint8_t)(w >> 24), rom[off + 1] = (uint8_t)(w >> 16);
    rom[off + 2] = (uint8_t)(w >> 8), rom[off + 3] = (uint8_t)w;
}

/* The handlers are written at `hat` in the PROM. */
static uint32_t hat;

static void h(uint32_t w)
{
    rom_word(hat, w);
    hat += 4;
}

/* Every handler starts by counting its trap: counter[tt]++ (the vector read
 * %tbr into %l3). */
static void h_count(void)
{
    h(alu_i(0x26 /* srl */, L3, L3, 2));
    h(alu_i(0x01 /* and */, L3, L3, 0x3fc));
    h(sethi(L6, COUNTERS));
    h(f3(3, OP3_LD, L5, L6, false, L3));
    h(alu_i(OP3_ADD, L5, L5, 1));
    h(f3(3, OP3_ST, L5, L6, false, L3));
}

/* A window trap handler like a kernel's (V8 appendix D): the trap window is
 * CWP - 1. Overflow: spill the oldest window (one save further) through its %sp,
 * WIM rotates right. Underflow: fill the window above the restoring one (two
 * restores up) from its %sp, WIM rotates left. WIM is 0 while the handler moves
 * between windows; then the save or restore is retried. */
static uint32_t window_handler(bool overflow)
{
    uint32_t start = hat;
    h_count();
    h(f3(2, OP3_RDWIM, L3, 0, false, 0));
    h(alu_i(overflow ? 0x26 /* srl */ : 0x25 /* sll */, L4, L3, 1));
    h(alu_i(overflow ? 0x25 : 0x26, L5, L3, SPARC_NWINDOWS - 1));
    h(f3(2, OP3_OR, L4, L4, false, L5));
    h(alu_i(0x01 /* and */, L4, L4, (1 << SPARC_NWINDOWS) - 1));
    h(alu_i(OP3_WRWIM, 0, G0, 0));
    h(NOP), h(NOP), h(NOP);
    for (unsigned i = 0; i < (overflow ? 1u : 2u); i++)
        h(alu_i(overflow ? OP3_SAVE : OP3_RESTORE, 0, 0, 0));
    for (unsigned r = 16; r < 32; r += 2) /* std/ldd %l0..%i7, [%sp + 4 * (r - 16)] */
        h(mem_i(overflow ? OP3_STD : OP3_LDD, r, O6, (int32_t)(4 * (r - 16))));
    for (unsigned i = 0; i < (overflow ? 1u : 2u); i++)
        h(alu_i(overflow ? OP3_RESTORE : OP3_SAVE, 0, 0, 0));
    h(alu_i(OP3_WRWIM, 0, L4, 0));
    h(NOP), h(NOP), h(NOP);
    h(alu_i(OP3_JMPL, G0, L1, 0));
    h(alu_i(OP3_RETT, 0, L2, 0));
    return start;
}

/* Vectors: the end's UNIMP stops in error mode, window traps go to their
 * handlers, every other trap is counted in RAM and skipped. */
static void install_traps(void)
{
    hat = HANDLERS;
    uint32_t skip_at = hat; /* jmpl %l2; rett %l2 + 4 */
    h_count();
    h(alu_i(OP3_JMPL, G0, L2, 0));
    h(alu_i(OP3_RETT, 0, L2, 4));
    uint32_t resume_at = hat; /* interrupts: jmpl %l1; rett %l2 */
    h_count();
    h(alu_i(OP3_JMPL, G0, L1, 0));
    h(alu_i(OP3_RETT, 0, L2, 0));
    uint32_t overflow_at = window_handler(true);
    uint32_t underflow_at = window_handler(false);

    for (unsigned tt = 0; tt < 256; tt++) {
        uint32_t v = TBA + 16 * tt;
        if (tt == TT_ILLEGAL) { /* the program's end: UNIMP with ET = 0, error mode */
            rom_word(v, 0);
            continue;
        }
        uint32_t to = tt == TT_WIN_OVERFLOW    ? overflow_at
                      : tt == TT_WIN_UNDERFLOW ? underflow_at
                      : tt > TT_INTERRUPT && tt < TT_INTERRUPT + 16 ? resume_at
                                                                    : skip_at;
        rom_word(v, f3(2, 0x2b /* rd %tbr */, L3, 0, false, 0));
        rom_word(v + 4, branch(8, true, (v + 4) / 4, to / 4)); /* ba,a */
    }
}

/* ---- one run ---- */

/* The initial state of a seed: registers of every window, Y, the condition codes
 * and the RAM buffer. */
typedef struct Init {
    uint32_t r[32];
    uint32_t windows[SPARC_NWINDOWS][16];
    uint32_t y, icc, ef, s; /* s: PSR.S, 0 for a user-mode program */
    uint32_t f[32];
    uint8_t buf[BUF_SIZE];
} Init;

static Init init;

static void gen_init(void)
{
    for (unsigned i = 1; i < 32; i++)
        init.r[i] = chance(30) ? below(64) - 32 : rnd() << 16 ^ rnd();
    for (unsigned w = 0; w < SPARC_NWINDOWS; w++)
        for (unsigned i = 0; i < 16; i++)
            init.windows[w][i] = rnd() << 16 ^ rnd();
    init.r[G5] = BUF;
    init.r[G6] = 1 + below(40);
    init.r[O6] = STACK_TOP;
    init.y = rnd() << 16 ^ rnd();
    init.icc = (rnd() & 15) << 20;
    init.ef = chance(70) ? PSR_EF : 0;
    init.s = !mmu && chance(30) ? 0 : PSR_S;
    for (unsigned i = 0; i < 32; i++) /* small integers, floats around 1, anything */
        init.f[i] = chance(30) ? below(100) : chance(50) ? 0x3f800000u + (rnd() & 0xffffff) : rnd() << 16 ^ rnd();
    for (unsigned i = 0; i < BUF_SIZE; i++)
        init.buf[i] = (uint8_t)rnd();
}

static const TesseraCpuClass *cls(void)
{
    return tessera_plugin.iface;
}

/* A machine at the seed's initial state, under `accel`. */
static SparcCpu *machine_new(const char *which)
{
    char err[256] = "";
    memcpy(ram, ram_image, sizeof(ram));
    memset(ram_dirty, 0, sizeof(ram_dirty));
    memset(ram_code, 0, sizeof(ram_code));
    check_line[0] = 0;
    accel = which;
    SparcCpu *cpu = calloc(1, cls()->instance_size);
    if (!cpu || cls()->init(cpu, &host, "MB86904", err, sizeof(err)) != 0) {
        fprintf(stderr, "test-jit-diff: cannot make a CPU under -accel %s: %s\n", which, err);
        exit(1);
    }
    cls()->reset(cpu);
    memcpy(cpu->r, init.r, sizeof(init.r));
    memcpy(cpu->windows, init.windows, sizeof(init.windows));
    cpu->y = init.y;
    cpu->psr = (cpu->psr & PSR_IMPLVER) | init.icc | init.ef | init.s | PSR_PS | PSR_ET;
    memcpy(cpu->fpu.f, init.f, sizeof(init.f));
    cpu->wim = 1u << 1;
    cpu->tbr = TBA;
    cpu->pc = 0;
    cpu->npc = 4;
    return cpu;
}

static void machine_free(SparcCpu *cpu)
{
    cls()->finalize(cpu);
    free(cpu);
}

/* What is compared: the guest-visible state, with the window registers as the
 * guest sees them (the current window from r[], the rest from `windows`). */
typedef struct Snap {
    uint64_t icount;
    int exit;
    uint32_t g[8];
    uint32_t loc[SPARC_NWINDOWS][8], ins[SPARC_NWINDOWS][8];
    uint32_t pc, npc, y, psr, wim, tbr, error_mode;
    uint32_t f[32], fsr;
    uint32_t mmu_ctrl, mmu_ctx, sfsr, sfar;
    uint8_t ram[RAM_SIZE];
} Snap;

static void snap(Snap *s, const SparcCpu *cpu, const TesseraRunState *rs, int exit)
{
    memset(s, 0, offsetof(Snap, ram));
    s->icount = rs->icount;
    s->exit = exit;
    memcpy(s->g, cpu->r, sizeof(s->g));
    unsigned cwp = cpu->psr & PSR_CWP;
    for (unsigned w = 0; w < SPARC_NWINDOWS; w++)
        for (unsigned i = 0; i < 8; i++) {
            s->loc[w][i] = w == cwp ? cpu->r[16 + i] : cpu->windows[w][i];
            s->ins[w][i] = w == cwp ? cpu->r[24 + i]
                           : w == (cwp + SPARC_NWINDOWS - 1) % SPARC_NWINDOWS ? cpu->r[8 + i]
                                                                                : cpu->windows[w][8 + i];
        }
    s->pc = cpu->pc, s->npc = cpu->npc, s->y = cpu->y, s->psr = cpu->psr;
    s->wim = cpu->wim, s->tbr = cpu->tbr, s->error_mode = cpu->error_mode;
    memcpy(s->f, cpu->fpu.f, sizeof(s->f));
    s->fsr = cpu->fpu.fsr;
    s->mmu_ctrl = cpu->mmu.ctrl, s->mmu_ctx = cpu->mmu.ctx;
    s->sfsr = cpu->mmu.sfsr, s->sfar = cpu->mmu.sfar;
    memcpy(s->ram, ram, RAM_SIZE);
}

/* The first difference, as "field: want X (interp), got Y"; false if none. */
static bool differ(const Snap *a, const Snap *b, char *out, size_t len)
{
#define FIELD(name, x, y)                                                                      \
    do {                                                                                       \
        if ((x) != (y)) {                                                                      \
            snprintf(out, len, "%s: interp 0x%" PRIx64 ", jit 0x%" PRIx64, name, (uint64_t)(x), \
                     (uint64_t)(y));                                                           \
            return true;                                                                       \
        }                                                                                      \
    } while (0)
    char name[48];
    FIELD("icount", a->icount, b->icount);
    FIELD("run() exit", a->exit, b->exit);
    FIELD("pc", a->pc, b->pc);
    FIELD("npc", a->npc, b->npc);
    FIELD("psr", a->psr, b->psr);
    FIELD("y", a->y, b->y);
    FIELD("wim", a->wim, b->wim);
    FIELD("tbr", a->tbr, b->tbr);
    FIELD("error mode", a->error_mode, b->error_mode);
    for (unsigned i = 1; i < 8; i++) {
        snprintf(name, sizeof(name), "%%g%u", i);
        FIELD(name, a->g[i], b->g[i]);
    }
    for (unsigned w = 0; w < SPARC_NWINDOWS; w++)
        for (unsigned i = 0; i < 8; i++) {
            snprintf(name, sizeof(name), "window %u %%l%u", w, i);
            FIELD(name, a->loc[w][i], b->loc[w][i]);
            snprintf(name, sizeof(name), "window %u %%i%u", w, i);
            FIELD(name, a->ins[w][i], b->ins[w][i]);
        }
    for (unsigned i = 0; i < 32; i++) {
        snprintf(name, sizeof(name), "%%f%u", i);
        FIELD(name, a->f[i], b->f[i]);
    }
    FIELD("fsr", a->fsr, b->fsr);
    FIELD("mmu ctrl", a->mmu_ctrl, b->mmu_ctrl);
    FIELD("mmu ctx", a->mmu_ctx, b->mmu_ctx);
    FIELD("sfsr", a->sfsr, b->sfsr);
    FIELD("sfar", a->sfar, b->sfar);
    if (memcmp(a->ram, b->ram, RAM_SIZE)) {
        unsigned i = 0;
        while (a->ram[i] == b->ram[i])
            i++;
        snprintf(out, len, "RAM byte 0x%05x: interp 0x%02x, jit 0x%02x", i, a->ram[i], b->ram[i]);
        return true;
    }
#undef FIELD
    return false;
}

/* The stops of a run: a few random budgets, a stretch of single steps, the end. */
#define MAX_STOPS 24
static uint64_t stops[MAX_STOPS];
static unsigned n_stops;
/* The interrupt request level goes to irq_level at stop irq_on and back to 0 at
 * stop irq_off (runs through all the stops only). */
static unsigned irq_on, irq_off, irq_level;
static Snap *ref[MAX_STOPS]; /* the interpreter's state at each stop */
static Snap cur;

/* A run that hangs (a budget the JIT overruns forever, say) is a failure that
 * names its seed: each run has WATCHDOG_S seconds of wall time. */
#define WATCHDOG_S 30
static char hang_line[160];

static void on_alarm(int sig)
{
    (void)sig;
    ssize_t n = write(STDOUT_FILENO, hang_line, strlen(hang_line));
    (void)n;
    _exit(1);
}

/* Run `which` from the initial state through stops[0..n): record the states in
 * out[], or (out NULL) compare each with want[]. 0: all equal. */
static int run_stops(const char *which, const uint64_t *at, unsigned n, Snap **out,
                     Snap *const *want, uint64_t seed)
{
    SparcCpu *cpu = machine_new(which);
    TesseraRunState rs = {0};
    int bad = 0;
    snprintf(hang_line, sizeof(hang_line),
             "FAIL seed %" PRIu64 " -accel %s: no result after %d s (a hang)\n", seed, which,
             WATCHDOG_S);
    alarm(WATCHDOG_S);
    for (unsigned k = 0; k < n && !bad; k++) {
        if (n > 1 && (k == irq_on || k == irq_off))
            cls()->set_irl(cpu, k == irq_on ? irq_level : 0);
        rs.stop_at = at[k];
        int e = cls()->run(cpu, &rs);
        Snap *s = out ? out[k] : &cur;
        snap(s, cpu, &rs, e);
        char why[160];
        if (!out && differ(want[k], s, why, sizeof(why))) {
            printf("FAIL seed %" PRIu64 " -accel %s, stop %u of %u (run to icount %" PRIu64
                   "): %s\n",
                   seed, which, k + 1, n, at[k], why);
            bad = 1;
        }
        if (check_line[0]) {
            printf("FAIL seed %" PRIu64 " -accel %s: %s\n", seed, which, check_line);
            bad = 1;
        }
    }
    if (getenv("TESSERA_JIT_DIFF_DUMP") && cpu->jit) {
        char line[256];
        jit_describe(cpu->jit, line, sizeof(line));
        printf("seed %" PRIu64 " %s: %s\n", seed, which, line);
    }
    alarm(0);
    machine_free(cpu);
    return bad;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* One seed: 0 if every run matched the interpreter. */
static int run_seed(uint64_t seed, uint64_t *insns)
{
    rng = seed * 0x2545f4914f6cdd1dull + 1;
    memset(rom, 0, sizeof(rom));
    mmu = chance(30);
    gen_program();
    gen_init();
    for (unsigned i = 0; i < n_words; i++)
        rom_word(4 * i, words[i]);
    install_traps();
    memset(ram_image, 0, sizeof(ram_image));
    memcpy(ram_image + BUF, init.buf, BUF_SIZE);
    if (mmu) {
        memcpy(ram_image, rom, hat);
        uint32_t l1 = PAGE_TABLES + 0x400, ptd = l1 >> 4 | 1, pte = 0u >> 4 | 3u << 2 | 2;
        for (unsigned i = 0; i < 4; i++) {
            ram_image[PAGE_TABLES + i] = (uint8_t)(ptd >> (24 - 8 * i));
            ram_image[l1 + i] = (uint8_t)(pte >> (24 - 8 * i));
        }
    }
    if (getenv("TESSERA_JIT_DIFF_DUMP"))
        for (unsigned i = 0; i < n_words; i++)
            printf("seed %" PRIu64 " %05x: %08x\n", seed, 4 * i, words[i]);

    /* how long the program runs under the interpreter, and its end state */
    static const uint64_t one_go = MAX_BUDGET;
    run_stops("interp", &one_go, 1, &ref[MAX_STOPS - 1], NULL, seed);
    Snap *final = ref[MAX_STOPS - 1];
    uint64_t end = final->icount;
    *insns += end;
    if (getenv("TESSERA_JIT_DIFF_DUMP")) {
        unsigned cwp = final->psr & PSR_CWP;
        printf("seed %" PRIu64 ": %s%s%u words, %" PRIu64 " instructions, ends with tt 0x%02x"
               " at 0x%x (%s); traps:",
               seed, mmu ? "MMU on, " : "", init.s ? "" : "user mode, ", n_words, end,
               (final->tbr >> 4) & 0xff, final->loc[cwp][1],
               final->loc[cwp][1] == 4 * end_at ? "the end" : "not the end");
        for (unsigned tt = 0; tt < 256; tt++) {
            const uint8_t *c = final->ram + COUNTERS + 4 * tt;
            uint32_t v = (uint32_t)c[0] << 24 | c[1] << 16 | c[2] << 8 | c[3];
            if (v)
                printf(" %02x:%u", tt, v);
        }
        printf("\n");
    }

    /* stops: 3 random budgets, 16 single steps from a random point, the end */
    n_stops = 0;
    for (unsigned k = 0; k < 3; k++)
        stops[n_stops++] = 1 + rnd() % end;
    uint64_t step0 = rnd() % end;
    for (unsigned k = 1; k <= 16; k++)
        stops[n_stops++] = step0 + k;
    qsort(stops, n_stops, sizeof(stops[0]), cmp_u64);
    stops[n_stops++] = MAX_BUDGET;
    irq_on = 1 + below(n_stops - 2);
    irq_off = irq_on + 1 + below(3);
    if (irq_off > n_stops - 1)
        irq_off = n_stops - 1; /* lowered before the run to the end */
    irq_level = 1 + below(15);
    run_stops("interp", stops, n_stops, ref, NULL, seed);
    if (getenv("TESSERA_JIT_DIFF_DUMP")) {
        const uint8_t *c = ref[n_stops - 1]->ram + COUNTERS + 4 * (TT_INTERRUPT + irq_level);
        printf("seed %" PRIu64 ": level %u interrupts from icount %" PRIu64 " to %" PRIu64
               ": %u taken\n", seed, irq_level, stops[irq_on - 1],
               stops[irq_off - 1],
               (unsigned)c[0] << 24 | c[1] << 16 | c[2] << 8 | c[3]);
    }

    /* TESSERA_JIT_DIFF_ACCEL=SPEC: only that accelerator, through the stops */
    const char *only = getenv("TESSERA_JIT_DIFF_ACCEL");
    if (only && *only)
        return run_stops(only, stops, n_stops, NULL, ref, seed);
    /* a random block size limit too (block=1: one instruction each; 1024: the most) */
    static const unsigned block[] = {1, 2, 3, 5, 8, 13, 32, 1024};
    char small[32];
    snprintf(small, sizeof(small), "jit,block=%u", block[below(sizeof(block) / sizeof(block[0]))]);
    return run_stops("jit", &one_go, 1, NULL, &final, seed) ||
           run_stops("jit", stops, n_stops, NULL, ref, seed) ||
           run_stops("jit,check=on", stops, n_stops, NULL, ref, seed) ||
           run_stops(small, stops, n_stops, NULL, ref, seed);
}

int main(int argc, char **argv)
{
    bool is_long = argc > 1 && !strcmp(argv[1], "--long");
    if (is_long)
        argc--, argv++;
    uint64_t first = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    uint64_t count = argc > 2 ? strtoull(argv[2], NULL, 0) : 200;
    const char *env = getenv("TESSERA_JIT_FUZZ_SEEDS");
    if (env && *env)
        count = strtoull(env, NULL, 0);
    else if (is_long) {
        printf("test-jit-diff --long: skipped (set TESSERA_JIT_FUZZ_SEEDS=N, or run "
               "make check-jit-long)\n");
        return 77;
    }
    for (unsigned k = 0; k < MAX_STOPS; k++)
        if (!(ref[k] = malloc(sizeof(Snap)))) {
            fprintf(stderr, "test-jit-diff: out of memory\n");
            return 1;
        }
    setvbuf(stdout, NULL, _IOLBF, 0); /* failures show as they happen */
    signal(SIGALRM, on_alarm);
    unsigned failed = 0;
    uint64_t insns = 0;
    for (uint64_t s = first; s < first + count; s++) {
        if (run_seed(s, &insns)) {
            failed++;
            printf("  reproduce: %s %" PRIu64 " 1 (TESSERA_JIT_DIFF_DUMP=1 lists the program)\n",
                   argv[0], s);
        }
    }
    printf("%" PRIu64 " seeds from %" PRIu64 ", %" PRIu64 " guest instructions each way: %u "
           "failed\n",
           count, first, insns, failed);
    return failed ? 1 : 0;
}
