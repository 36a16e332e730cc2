/* SPDX-License-Identifier: MIT */
/*
 * The integer unit of cpu-sparc, instruction by instruction, on a fake host:
 * 1 MiB of RAM at PA 0, a 256 KiB PROM at 0x70000000 (where boot-mode fetches
 * go), a test device at 0x71000000 and one register at 0xd00000510 (36-bit PA,
 * where fw_cfg sits). Programs are hand-encoded with the helpers below and end
 * in UNIMP with traps disabled, i.e. in error mode, where the test inspects the
 * registers. Trap vectors (TBR = 0x10000) copy TBR to %g7 and stop the same way.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../cpu.h"
#include "../decode.h"
#include "../mem.h"

extern const TesseraPluginDescriptor tessera_plugin;

/* ---- the fake machine ---- */

#define RAM_SIZE 0x100000u
#define ROM_BASE 0x70000000u
#define ROM_SIZE 0x40000u
#define DEV_BASE 0x71000000u
#define FWCFG_PA 0xd00000510ull

static uint8_t ram[RAM_SIZE];
static uint8_t rom[ROM_SIZE];
static uint8_t ram_dirty[RAM_SIZE >> TESSERA_PAGE_BITS];
static uint8_t ram_code[RAM_SIZE >> TESSERA_PAGE_BITS];
static const TesseraCpuClass *cls;
static SparcCpu *cpu;
static TesseraRunState rs;
static uint32_t dev_last_write;
static unsigned dev_reads;

static void host_log(TesseraInstance *self, TesseraLogLevel level, const char *fmt, va_list ap)
{
    (void)self, (void)level, (void)fmt, (void)ap;
}

static uint8_t *host_mem_ptr(TesseraInstance *self, uint64_t pa, uint64_t *avail)
{
    if (pa < RAM_SIZE) {
        *avail = RAM_SIZE - pa;
        return ram + pa;
    }
    if (pa >= ROM_BASE && pa < ROM_BASE + ROM_SIZE) {
        *avail = ROM_BASE + ROM_SIZE - pa;
        return rom + (pa - ROM_BASE);
    }
    return NULL;
}

static int host_mem_region(TesseraInstance *self, uint64_t pa, TesseraMemRegion *out)
{
    (void)self;
    memset(&out->kind, 0, sizeof(*out) - sizeof(out->size_of));
    if (pa < RAM_SIZE) {
        *out = (TesseraMemRegion){ sizeof(*out), TESSERA_MEM_RAM, 0, RAM_SIZE, ram, ram_dirty,
                                   ram_code };
    } else if (pa >= ROM_BASE && pa < ROM_BASE + ROM_SIZE) {
        *out = (TesseraMemRegion){ sizeof(*out), TESSERA_MEM_ROM, ROM_BASE, ROM_SIZE, rom, NULL,
                                   NULL };
    } else if (pa >= DEV_BASE && pa < DEV_BASE + 16) {
        out->kind = TESSERA_MEM_MMIO;
        out->base = DEV_BASE;
        out->size = 16;
    }
    return 0;
}

static uint64_t be_load(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v = (v << 8) | p[i];
    return v;
}

static int host_bus_read(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t *value)
{
    uint64_t avail;
    const uint8_t *p = host_mem_ptr(self, pa, &avail);
    if (p) {
        *value = be_load(p, size);
        return TESSERA_BUS_OK;
    }
    if (pa >= DEV_BASE && pa < DEV_BASE + 16) {
        dev_reads++;
        *value = 0x12345678;
        return TESSERA_BUS_OK;
    }
    if (pa == FWCFG_PA && size == 2) {
        *value = 0xbeef;
        return TESSERA_BUS_OK;
    }
    *value = 0;
    return TESSERA_BUS_UNASSIGNED;
}

static int host_bus_write(TesseraInstance *self, uint64_t pa, unsigned size, uint64_t value)
{
    if (pa < RAM_SIZE) {
        for (unsigned i = 0; i < size; i++)
            ram[pa + i] = (uint8_t)(value >> (8 * (size - 1 - i)));
        return TESSERA_BUS_OK;
    }
    if (pa >= ROM_BASE && pa < ROM_BASE + ROM_SIZE)
        return TESSERA_BUS_OK; /* ROM ignores writes */
    if (pa == DEV_BASE) {
        dev_last_write = (uint32_t)value;
        return TESSERA_BUS_OK;
    }
    if (pa == DEV_BASE + 4) { /* a device asking the CPU loop to stop (power-off) */
        rs.exit_request = 1;
        return TESSERA_BUS_OK;
    }
    if (pa == DEV_BASE + 8) { /* a device raising the interrupt level */
        cls->set_irl(cpu, (unsigned)value);
        return TESSERA_BUS_OK;
    }
    return TESSERA_BUS_UNASSIGNED;
}

/* The accelerator under test: TESSERA_TEST_ACCEL (meson runs this suite once
 * per accelerator). */
static const char *host_machine_opt(TesseraInstance *self, const char *name)
{
    (void)self;
    return !strcmp(name, "accel") ? getenv("TESSERA_TEST_ACCEL") : NULL;
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

/* ---- a tiny assembler ---- */

enum { G0, G1, G2, G3, G4, G5, G6, G7, O0, O1, O2, O3, O4, O5, O6, O7,
       L0, L1, L2, L3, L4, L5, L6, L7, I0, I1, I2, I3, I4, I5, I6, I7 };

enum {
    ADD = 0x00, AND = 0x01, OR = 0x02, XOR = 0x03, SUB = 0x04, ADDX = 0x08, UMUL = 0x0a,
    SMUL = 0x0b, SUBX = 0x0c, UDIV = 0x0e, SDIV = 0x0f, ADDCC = 0x10, ORCC = 0x12,
    SUBCC = 0x14, ADDXCC = 0x18, UMULCC = 0x1a, SMULCC = 0x1b, SUBXCC = 0x1c, UDIVCC = 0x1e,
    SDIVCC = 0x1f, TADDCC = 0x20, TSUBCC = 0x21, TADDCCTV = 0x22, MULSCC = 0x24, SLL = 0x25,
    SRL = 0x26, SRA = 0x27, RDY = 0x28, RDPSR = 0x29, RDWIM = 0x2a, RDTBR = 0x2b, WRY = 0x30,
    WRPSR = 0x31, WRWIM = 0x32, WRTBR = 0x33, JMPL = 0x38, RETT = 0x39, TICC = 0x3a,
    FLUSH = 0x3b, SAVE = 0x3c, RESTORE = 0x3d,
};
enum {
    LD = 0x00, LDUB = 0x01, LDUH = 0x02, LDD = 0x03, ST = 0x04, STB = 0x05, STH = 0x06,
    STD = 0x07, LDSB = 0x09, LDSH = 0x0a, LDSTUB = 0x0d, SWAP = 0x0f, LDA = 0x10,
    LDUHA = 0x12, LDDA = 0x13, STA = 0x14, LDF = 0x20, STDFQ = 0x26,
};
enum { BN = 0, BE = 1, BL = 3, BCS = 5, BA = 8, BNE = 9, BG = 10, BCC = 13 };

static uint32_t prog[4096];
static unsigned pos;

static void emit(uint32_t insn)
{
    prog[pos++] = insn;
}

static uint32_t r3(unsigned op, unsigned op3, unsigned rd, unsigned rs1, unsigned rs2)
{
    return op << 30 | rd << 25 | op3 << 19 | rs1 << 14 | rs2;
}

static uint32_t i3(unsigned op, unsigned op3, unsigned rd, unsigned rs1, int simm)
{
    return op << 30 | rd << 25 | op3 << 19 | rs1 << 14 | 1u << 13 | ((uint32_t)simm & 0x1fff);
}

#define ALU(op3, rd, rs1, rs2) emit(r3(2, op3, rd, rs1, rs2))
#define ALUI(op3, rd, rs1, imm) emit(i3(2, op3, rd, rs1, imm))
#define MEM(op3, rd, rs1, imm) emit(i3(3, op3, rd, rs1, imm))
#define MEMA(op3, rd, rs1, rs2, asi) emit(r3(3, op3, rd, rs1, rs2) | (asi) << 5)
#define NOP() emit(0x01000000)
#define UNIMP() emit(0)

static void sethi(unsigned rd, uint32_t value)
{
    emit(rd << 25 | 4u << 22 | value >> 10);
}

/* set a 32-bit constant */
static void set32(unsigned rd, uint32_t value)
{
    sethi(rd, value);
    ALUI(OR, rd, rd, (int)(value & 0x3ff));
}

/* branch to instruction index `target` of the program */
static void bicc(unsigned cond, bool annul, unsigned target)
{
    int32_t disp = (int32_t)target - (int32_t)pos;
    emit((unsigned)annul << 29 | cond << 25 | 2u << 22 | ((uint32_t)disp & 0x3fffff));
}

#define TBA 0x10000u
/* The vectors' VA: TBA in boot mode, ROM_BASE + TBA once the MMU maps the PROM. */
static uint32_t tba_va;

/* S, PS, ET (and EF) on, traps through the vectors at TBA. */
static void enable_traps(bool ef)
{
    set32(G1, tba_va);
    ALUI(WRTBR, 0, G1, 0);
    set32(G1, (ef ? PSR_EF : 0) | PSR_S | PSR_PS | PSR_ET);
    ALUI(WRPSR, 0, G1, 0);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)be_load(p, 4);
}

/* Every vector: rd %tbr, %g7; unimp (ET is 0 in a trap: error mode). */
static void install_default_vectors(void)
{
    for (unsigned tt = 0; tt < 256; tt++) {
        put32(rom + TBA + tt * 16, r3(2, RDTBR, G7, 0, 0));
        put32(rom + TBA + tt * 16 + 4, 0);
    }
}

/* Place an instruction sequence at trap vector tt (4 instructions at most). */
static void vector(unsigned tt, const uint32_t *insns, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put32(rom + TBA + tt * 16 + 4 * i, insns[i]);
}

static void setup(void)
{
    char err[128] = "";
    memset(ram, 0, sizeof(ram));
    memset(ram_dirty, 0, sizeof(ram_dirty));
    memset(ram_code, 0, sizeof(ram_code));
    memset(rom, 0, sizeof(rom));
    memset(&rs, 0, sizeof(rs));
    pos = 0;
    tba_va = TBA;
    dev_last_write = 0;
    dev_reads = 0;
    cls = tessera_plugin.iface;
    cpu = calloc(1, cls->instance_size);
    cr_assert_eq(cls->init(cpu, &host, "MB86904", err, sizeof(err)), 0, "%s", err);
    cls->reset(cpu);
    install_default_vectors();
}

static void teardown(void)
{
    cls->finalize(cpu);
    free(cpu);
}

/* Copy the program into the PROM and run from reset until error mode. */
static TesseraCpuExit run_for(uint64_t budget)
{
    for (unsigned i = 0; i < pos; i++)
        put32(rom + 4 * i, prog[i]);
    rs.stop_at = rs.icount + budget;
    return cls->run(cpu, &rs);
}

static void run_to_end(void)
{
    TesseraCpuExit e = run_for(100000);
    if (e != TESSERA_CPU_ERROR_MODE || getenv("IU_DUMP")) {
        char buf[2048];
        cls->dump(cpu, buf, sizeof(buf));
        fprintf(stderr, "%s", buf);
    }
    cr_assert_eq(e, TESSERA_CPU_ERROR_MODE, "program did not stop in error mode");
}

/* Identity-map the 16 MiB regions 0x00, 0x60 and 0x70 with level-1 PTEs (ACC 3:
 * read/write/execute), context 0, and turn the MMU on (which ends boot mode).
 * The program first jumps to the PROM's real address, which boot mode maps to
 * the same place, so fetching continues there once the MMU is on. */
static void mmu_identity_on(void)
{
    uint32_t ctxt = 0x8000, l1 = 0x8400;
    put32(ram + ctxt, (l1 >> 4) | 1);
    put32(ram + l1 + 0x00 * 4, (0x00000000u >> 4) | (3 << 2) | 2);
    put32(ram + l1 + 0x60 * 4, (0x60000000u >> 4) | (3 << 2) | 2);
    put32(ram + l1 + 0x70 * 4, (0x70000000u >> 4) | (3 << 2) | 2);
    set32(G4, ROM_BASE + 4 * 4);
    ALUI(JMPL, G0, G4, 0);
    NOP();
    set32(G1, ctxt >> 4);         /* 4 */
    set32(G2, 0x100);
    MEMA(STA, G1, G2, G0, 4);     /* context table pointer */
    ALUI(OR, G3, G0, 1);
    MEMA(STA, G3, G0, G0, 4);     /* ctrl: E */
    tba_va = ROM_BASE + TBA;
}

static unsigned tt_of(uint32_t tbr)
{
    return (tbr >> 4) & 0xff;
}

TestSuite(iu, .init = setup, .fini = teardown);

/* ---- reset and error mode ---- */

Test(iu, reset_state_matches_ss5)
{
    cr_expect_eq(cpu->pc, 0);
    cr_expect_eq(cpu->npc, 4);
    cr_expect_eq(cpu->psr, 0x04000000u | PSR_S | PSR_PS);
    cr_expect_eq(cpu->wim, 1);
    cr_expect_eq(cpu->tbr, 0);
    cr_expect_eq(cpu->mmu.ctrl, 0x04004000u);
}

Test(iu, unimp_with_traps_disabled_is_error_mode)
{
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->tbr), 2);
    char buf[2048];
    cls->dump(cpu, buf, sizeof(buf));
    cr_expect(strstr(buf, "ERROR MODE") != NULL);
}

/* ---- arithmetic ---- */

Test(iu, addcc_sets_carry_and_overflow)
{
    set32(G1, 0x7fffffff);
    ALUI(ADDCC, G2, G1, 1);       /* 0x80000000: N V */
    ALUI(RDPSR, G3, 0, 0);
    set32(G4, 0xffffffff);
    ALUI(ADDCC, G5, G4, 1);       /* 0: Z C */
    ALUI(RDPSR, G6, 0, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G2], 0x80000000u);
    cr_expect_eq(cpu->r[G3] & PSR_ICC, PSR_N | PSR_V);
    cr_expect_eq(cpu->r[G5], 0);
    cr_expect_eq(cpu->r[G6] & PSR_ICC, PSR_Z | PSR_C);
}

Test(iu, addx_subx_chain_64bit)
{
    /* 0x00000001_ffffffff + 0x00000000_00000001 = 0x00000002_00000000 */
    set32(G1, 0xffffffff);
    ALUI(ADDCC, G2, G1, 1);
    ALUI(ADDX, G3, G0, 1);        /* 0 + 1 + C */
    /* 0x2_00000000 - 1 = 0x1_ffffffff */
    ALUI(SUBCC, G4, G2, 1);
    ALUI(SUBXCC, G5, G3, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G3], 2);
    cr_expect_eq(cpu->r[G4], 0xffffffffu);
    cr_expect_eq(cpu->r[G5], 1);
    cr_expect_eq(cpu->psr & PSR_ICC, 0);
}

Test(iu, writes_to_g0_are_discarded)
{
    ALUI(OR, G0, G0, 55);
    ALUI(ADD, G1, G0, 3);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G0], 0);
    cr_expect_eq(cpu->r[G1], 3);
}

Test(iu, shifts)
{
    set32(G1, 0x80000010);
    ALUI(SLL, G2, G1, 4);
    ALUI(SRL, G3, G1, 4);
    ALUI(SRA, G4, G1, 4);
    ALUI(OR, G5, G0, 36);         /* count is taken mod 32 */
    ALU(SLL, G6, G1, G5);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G2], 0x00000100u);
    cr_expect_eq(cpu->r[G3], 0x08000001u);
    cr_expect_eq(cpu->r[G4], 0xf8000001u);
    cr_expect_eq(cpu->r[G6], 0x00000100u);
}

Test(iu, umul_smul_put_high_word_in_y)
{
    set32(G1, 0xffffffff);
    ALUI(UMUL, G2, G1, 2);        /* 0x1_fffffffe */
    ALUI(RDY, G3, 0, 0);
    ALUI(SMULCC, G4, G1, 2);      /* -2 */
    ALUI(RDY, G5, 0, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G2], 0xfffffffeu);
    cr_expect_eq(cpu->r[G3], 1);
    cr_expect_eq(cpu->r[G4], 0xfffffffeu);
    cr_expect_eq(cpu->r[G5], 0xffffffffu);
    cr_expect_eq(cpu->psr & PSR_ICC, PSR_N);
}

Test(iu, mulscc_steps_multiply)
{
    /* V8 appendix E: 32 MULScc steps and a final one with %g0 leave the product's
     * high word in rd and the low word in Y (positive operands). */
    set32(G1, 0x12345678);        /* multiplier -> Y */
    ALUI(WRY, 0, G1, 0);
    set32(G2, 0x09abcdef);        /* multiplicand */
    ALU(0x11 /* ANDCC */, O4, G0, G0);
    for (int i = 0; i < 32; i++)
        ALU(MULSCC, O4, O4, G2);
    ALU(MULSCC, O4, O4, G0);
    ALUI(RDY, O5, 0, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[O4], 0x00b00ea4u);
    cr_expect_eq(cpu->r[O5], 0xe242d208u);
}

Test(iu, udiv_sdiv_use_y_and_saturate)
{
    ALUI(WRY, 0, G0, 1);          /* Y = 1: dividend 0x1_00000000 */
    NOP(); NOP(); NOP();
    ALUI(UDIV, G1, G0, 2);        /* 0x80000000 */
    ALUI(UDIVCC, G2, G0, 1);      /* overflow: 0xffffffff, V */
    ALUI(RDPSR, G3, 0, 0);
    ALUI(SDIVCC, G4, G0, 1);      /* 2^32 / 1 overflows positive: 0x7fffffff, V */
    ALUI(WRY, 0, G0, -1);         /* Y = -1: dividend -6 */
    NOP(); NOP(); NOP();
    ALUI(SUB, G5, G0, 6);
    ALUI(SDIV, G6, G5, 4);        /* -1 (rounds toward zero) */
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G1], 0x80000000u);
    cr_expect_eq(cpu->r[G2], 0xffffffffu);
    cr_expect_eq(cpu->r[G3] & PSR_ICC, PSR_N | PSR_V);
    cr_expect_eq(cpu->r[G4], 0x7fffffffu);
    cr_expect_eq(cpu->r[G6], 0xffffffffu);
}

Test(iu, sdiv_negative_overflow_saturates_to_min)
{
    ALUI(WRY, 0, G0, -2);         /* dividend -2^33 */
    NOP(); NOP(); NOP();
    ALUI(SDIVCC, G1, G0, 1);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G1], 0x80000000u);
    cr_expect_eq(cpu->psr & PSR_ICC, PSR_N | PSR_V);
}

Test(iu, division_by_zero_traps_0x2a)
{
    enable_traps(false);
    ALUI(OR, G1, G0, 7);
    ALUI(UDIV, G2, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 0x2a);
    cr_expect_eq(cpu->r[G2], 0);
}

Test(iu, tagged_add_sets_v_on_tag_bits_and_tv_traps)
{
    enable_traps(false);
    ALUI(OR, G1, G0, 4);
    ALUI(TADDCC, G2, G1, 1);      /* tag bits in operand 2: V */
    ALUI(RDPSR, G3, 0, 0);
    ALUI(TADDCC, G4, G1, 8);      /* clean */
    ALUI(RDPSR, G5, 0, 0);
    ALUI(TADDCCTV, G6, G1, 2);    /* traps, g6 unchanged */
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G2], 5);
    cr_expect(cpu->r[G3] & PSR_V);
    cr_expect_eq(cpu->r[G4], 12);
    cr_expect_eq(cpu->r[G5] & PSR_V, 0);
    cr_expect_eq(tt_of(cpu->r[G7]), 0x0a);
    cr_expect_eq(cpu->r[G6], 0);
}

/* ---- control transfer ---- */

Test(iu, untaken_branch_with_annul_skips_delay_slot)
{
    ALUI(SUBCC, G0, G0, 0);       /* Z */
    bicc(BNE, true, 5);           /* not taken, annul */
    ALUI(OR, G1, G0, 1);          /* annulled */
    ALUI(OR, G2, G0, 2);
    UNIMP();
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G1], 0);
    cr_expect_eq(cpu->r[G2], 2);
}

Test(iu, taken_branch_runs_delay_slot_and_ba_annul_skips_it)
{
    ALUI(SUBCC, G0, G0, 0);
    bicc(BE, true, 4);            /* taken: delay slot runs even with a=1 */
    ALUI(OR, G1, G0, 1);
    UNIMP();
    bicc(BA, true, 7);            /* 4: ba,a skips its delay slot */
    ALUI(OR, G2, G0, 2);
    UNIMP();
    ALUI(OR, G3, G0, 3);          /* 7 */
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G1], 1);
    cr_expect_eq(cpu->r[G2], 0);
    cr_expect_eq(cpu->r[G3], 3);
}

Test(iu, signed_and_unsigned_conditions)
{
    /* g1 = -1, g2 = 1: -1 < 1 signed, but 0xffffffff > 1 unsigned. */
    ALUI(SUB, G1, G0, 1);
    ALUI(OR, G2, G0, 1);
    ALU(SUBCC, G0, G1, G2);
    bicc(BL, false, 6);
    NOP();
    UNIMP();
    ALU(SUBCC, G0, G1, G2);       /* 6 */
    bicc(BCS, false, 10);         /* carry (borrow) clear: not taken */
    NOP();
    ALUI(OR, G3, G0, 1);
    UNIMP();                      /* 10 */
    run_to_end();
    cr_expect_eq(cpu->r[G3], 1);
}

Test(iu, call_and_jmpl_link)
{
    emit(0x40000000 | 4);         /* 0: call 4 */
    NOP();
    UNIMP();                      /* 2: returned here */
    UNIMP();
    ALUI(JMPL, G1, O7, 8);        /* 4: return past the delay slot */
    NOP();
    run_to_end();
    cr_expect_eq(cpu->r[O7], 0);
    cr_expect_eq(cpu->r[G1], 16);
    cr_expect_eq(cpu->pc, 8);
}

Test(iu, jmpl_to_unaligned_target_traps)
{
    enable_traps(false);
    ALUI(OR, G1, G0, 0x102);
    ALUI(JMPL, G2, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 7);
    cr_expect_eq(cpu->r[G2], 0);
}

/* ---- register windows ---- */

Test(iu, save_restore_share_outs_and_ins)
{
    ALUI(WRWIM, 0, G0, 0);
    set32(O0, 0x1111);
    ALUI(SAVE, O1, G0, 0);        /* CWP 0 -> 7 (WIM=1 leaves 7 free) */
    ALUI(ADD, I1, I0, 1);         /* our in0 is the caller's out0 */
    ALUI(OR, L0, G0, 0x77);
    ALUI(RESTORE, G2, L0, 0);     /* result lands in the old window */
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->psr & PSR_CWP, 0);
    cr_expect_eq(cpu->r[O1], 0x1112);
    cr_expect_eq(cpu->r[G2], 0x77);
}

Test(iu, save_into_invalid_window_traps_overflow)
{
    enable_traps(false);
    ALUI(WRWIM, 0, G0, 1 << 6);   /* window 6 invalid */
    NOP(); NOP(); NOP();
    ALUI(SAVE, 0, 0, 0);          /* 0 -> 7 */
    ALUI(SAVE, 0, 0, 0);          /* 7 -> 6: overflow */
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 5);
    /* trap entry moved to window 6 regardless of WIM */
    cr_expect_eq(cpu->psr & PSR_CWP, 6);
    cr_expect_eq(cpu->r[L1], 4 * (pos - 2));
}

Test(iu, windows_survive_a_full_rotation)
{
    ALUI(WRWIM, 0, G0, 0);
    NOP(); NOP(); NOP();
    for (int w = 0; w < 8; w++) {
        ALUI(OR, L0, G0, 100 + w);
        ALUI(OR, O0, G0, 200 + w);
        ALUI(SAVE, 0, 0, 0);
    }
    /* back in window 0 after 8 saves: its registers are intact */
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->psr & PSR_CWP, 0);
    cr_expect_eq(cpu->r[L0], 100);
    cr_expect_eq(cpu->r[I0], 207); /* window 0's ins = window 1's outs */
    cr_expect_eq(cpu->r[O0], 200); /* window 0's outs, kept as window 7's ins */
}

/* ---- state registers and privilege ---- */

Test(iu, user_mode_rdpsr_is_privileged)
{
    enable_traps(false);
    set32(G1, PSR_ET);            /* S=0 */
    ALUI(WRPSR, 0, G1, 0);
    NOP(); NOP(); NOP();
    ALUI(RDPSR, G2, 0, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 3);
}

Test(iu, wrpsr_with_cwp_out_of_range_is_illegal)
{
    enable_traps(false);
    set32(G1, PSR_S | PSR_ET | 9);
    ALUI(WRPSR, 0, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 2);
}

Test(iu, wr_instructions_xor_their_operands)
{
    set32(G1, 0xf0f0f0f0);
    ALUI(WRY, 0, G1, 0xff);
    set32(G2, 0x12345000);
    ALUI(WRTBR, 0, G2, 0);
    ALUI(WRWIM, 0, G0, 0x1ff);    /* only NWINDOWS bits stick */
    NOP(); NOP();
    ALUI(RDY, G3, 0, 0);
    ALUI(RDTBR, G4, 0, 0);
    ALUI(RDWIM, G5, 0, 0);
    emit(r3(2, RDY, 0, 15, 0));   /* STBAR */
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G3], 0xf0f0f00fu);
    cr_expect_eq(cpu->r[G4], 0x12345000u);
    cr_expect_eq(cpu->r[G5], 0xff);
}

Test(iu, ticc_trap_number_and_rett_return)
{
    /* vector 0x85: jmpl %l2, %g0; rett %l2 + 4 */
    uint32_t v[] = { i3(2, JMPL, G0, L2, 0), i3(2, RETT, 0, L2, 4) };
    vector(0x85, v, 2);
    enable_traps(false);
    ALUI(WRWIM, 0, G0, 1 << 6);   /* the trap window 7 -> 0 must be valid */
    ALUI(OR, G1, G0, 0x103);
    ALUI(OR, G5, G0, 0);
    emit(i3(2, TICC, BA, G1, 2)); /* ta %g1 + 2: tt 0x80 + (0x105 & 0x7f) */
    ALUI(OR, G5, G0, 9);          /* runs after the return */
    UNIMP();                      /* traps normally: RETT set ET again */
    run_to_end();
    cr_expect_eq(cpu->r[G5], 9);
    cr_expect_eq(tt_of(cpu->r[G7]), 2);
    cr_expect_eq(cpu->r[L1], 4 * (pos - 1)); /* the UNIMP, in window 0 - 1 */
}

Test(iu, rett_with_traps_enabled_is_illegal)
{
    enable_traps(false);
    ALUI(RETT, 0, G0, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 2);
}

Test(iu, rett_into_invalid_window_is_error_mode)
{
    ALUI(WRWIM, 0, G0, 2);        /* CWP 0 + 1 = window 1 invalid, ET = 0 */
    NOP(); NOP(); NOP();
    ALUI(RETT, 0, G0, 0x100);
    NOP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->tbr), 6);
}

/* ---- memory ---- */

Test(iu, loads_stores_sign_and_width)
{
    set32(G1, 0x1000);
    set32(G2, 0x8081fe7f);
    MEM(ST, G2, G1, 0);
    MEM(LDSB, G3, G1, 0);
    MEM(LDUB, G4, G1, 1);
    MEM(LDSH, G5, G1, 2);
    MEM(LDUH, G6, G1, 2);
    MEM(STB, G2, G1, 8);
    MEM(STH, G2, G1, 10);
    UNIMP();
    run_to_end();
    cr_expect_eq(get32(ram + 0x1000), 0x8081fe7fu);
    cr_expect_eq(cpu->r[G3], 0xffffff80u);
    cr_expect_eq(cpu->r[G4], 0x81);
    cr_expect_eq(cpu->r[G5], 0xfffffe7fu);
    cr_expect_eq(cpu->r[G6], 0xfe7f);
    cr_expect_eq(get32(ram + 0x1008), 0x7f00fe7fu);
}

Test(iu, ldd_std_move_register_pairs)
{
    set32(G1, 0x2000);
    set32(G2, 0xaaaa0001);
    set32(G3, 0xbbbb0002);
    MEM(STD, G2, G1, 0);
    MEM(LDD, O2, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(get32(ram + 0x2000), 0xaaaa0001u);
    cr_expect_eq(get32(ram + 0x2004), 0xbbbb0002u);
    cr_expect_eq(cpu->r[O2], 0xaaaa0001u);
    cr_expect_eq(cpu->r[O3], 0xbbbb0002u);
}

Test(iu, ldd_with_odd_rd_is_illegal_before_alignment)
{
    enable_traps(false);
    ALUI(OR, G1, G0, 0x2004);     /* misaligned for LDD as well */
    MEM(LDD, O3, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 2);
}

Test(iu, misaligned_word_load_traps)
{
    enable_traps(false);
    ALUI(OR, G1, G0, 0x2002);
    MEM(LD, G2, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 7);
}

Test(iu, ldstub_and_swap)
{
    set32(G1, 0x3000);
    set32(G2, 0x11223344);
    MEM(ST, G2, G1, 0);
    MEM(LDSTUB, G3, G1, 1);
    set32(G4, 0xcafe);
    MEM(SWAP, G4, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G3], 0x22);
    cr_expect_eq(cpu->r[G4], 0x11ff3344u);
    cr_expect_eq(get32(ram + 0x3000), 0xcafe);
}

Test(iu, proven_ram_gets_a_fast_store_entry_and_rom_never_does)
{
    set32(G1, 0x6000);
    set32(G2, 0x1234);
    MEM(ST, G2, G1, 0);           /* first store goes through the bus and proves RAM */
    MEM(ST, G2, G1, 4);           /* second one fills the fast TLB */
    set32(G3, ROM_BASE + 0x9000);
    MEM(ST, G2, G3, 0);
    MEM(ST, G2, G3, 4);
    UNIMP();
    run_to_end();
    const SparcFastTlb *ram_e = &cpu->tlb[1][SPARC_STORE][0x6];
    const SparcFastTlb *rom_e = mem_tlb_entry(cpu, true, SPARC_STORE, ROM_BASE + 0x9000);
    cr_expect(mem_tlb_hit(cpu, ram_e, 0x6000));
    cr_expect(!mem_tlb_hit(cpu, rom_e, ROM_BASE + 0x9000));
    cr_expect_eq(get32(ram + 0x6004), 0x1234);
    cr_expect_eq(get32(rom + 0x9004), 0);
}

Test(iu, fast_and_slow_path_stores_mark_the_dirty_log_and_loads_do_not)
{
    set32(G1, 0x6000);
    set32(G2, 0x1234);
    MEM(ST, G2, G1, 0);  /* slow path: fills the store entry */
    MEM(ST, G2, G1, 4);  /* fast path */
    set32(G3, 0x7000);
    MEM(LD, G4, G3, 0);  /* a load marks nothing */
    set32(G5, 0x9000);
    MEM(LDSTUB, G4, G5, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(ram_dirty[6], TESSERA_DIRTY_ALL);
    cr_expect_eq(ram_dirty[7], 0);
    cr_expect_eq(ram_dirty[9], TESSERA_DIRTY_ALL);
    /* The fast path alone: clear the mark, store through the filled entry. */
    ram_dirty[6] = 0;
    cr_assert(mem_tlb_hit(cpu, &cpu->tlb[1][SPARC_STORE][6], 0x6000));
    cr_assert_eq(mem_store(cpu, 0x6008, 4, 0x1234), 0);
    cr_expect_eq(ram_dirty[6], TESSERA_DIRTY_ALL);
    cr_expect_eq(get32(ram + 0x6008), 0x1234);
}

Test(iu, stores_to_rom_are_ignored)
{
    set32(G1, ROM_BASE + 0x8000);
    set32(G2, 0x5555aaaa);
    MEM(ST, G2, G1, 0);
    MEM(ST, G2, G1, 4);
    MEM(LD, G3, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(get32(rom + 0x8000), 0);
    cr_expect_eq(cpu->r[G3], 0);
}

Test(iu, mmio_load_and_store_go_through_the_bus)
{
    set32(G1, DEV_BASE);
    MEM(LD, G2, G1, 0);
    ALUI(OR, G3, G0, 77);
    MEM(ST, G3, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G2], 0x12345678u);
    cr_expect_eq(dev_last_write, 77);
}

Test(iu, unassigned_load_with_mmu_off_reads_zero_and_records_sfsr)
{
    enable_traps(false);
    set32(G1, 0x60000000);
    ALUI(OR, G2, G0, 5);
    MEM(LD, G2, G1, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 2); /* the UNIMP, not a bus error */
    cr_expect_eq(cpu->r[G2], 0);
    cr_expect_eq((cpu->mmu.sfsr >> 2) & 7, 5);
    cr_expect_eq(cpu->mmu.sfar, 0x60000000u);
}

Test(iu, unassigned_load_with_mmu_on_traps_data_access_error)
{
    mmu_identity_on();
    enable_traps(false);
    set32(G5, 0x60000010);
    MEM(LDUB, G6, G5, 0);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 0x29);
    cr_expect_eq(cpu->mmu.sfsr & 0x1e, (5 << 2) | 2);
    cr_expect_eq(cpu->mmu.sfar, 0x60000010u);
}

/* ---- alternate spaces ---- */

Test(iu, alternate_loads_are_privileged_and_need_register_form)
{
    enable_traps(false);
    emit(i3(3, LDA, G1, G0, 0));  /* i = 1 */
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 2);
}

Test(iu, bypass_asi_reaches_36_bit_physical_addresses)
{
    set32(G1, 0x00000510);
    MEMA(LDUHA, G2, G1, G0, 0x2d); /* PA 0xd_00000510 */
    set32(G3, 0x4000);
    set32(G4, 0x99);
    MEMA(STA, G4, G3, G0, 0x20);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G2], 0xbeef);
    cr_expect_eq(get32(ram + 0x4000), 0x99);
}

Test(iu, mxcc_ldda_reports_mbus_port)
{
    set32(G1, 0x01c00f00);
    MEMA(LDDA, G2, G1, G0, 0x02);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G2], 0);
    cr_expect_eq(cpu->r[G3], 0x08000000u);
}

Test(iu, mmu_registers_through_asi_4)
{
    set32(G1, 0x00123400);
    set32(G2, 0x100);
    MEMA(STA, G1, G2, G0, 4);
    MEMA(LDA, G3, G2, G0, 4);
    MEMA(LDA, G4, G0, G0, 4);
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G3], 0x00123400u & 0x00ffffc0u);
    cr_expect_eq(cpu->r[G4], 0x04004000u);
}

/* ---- FPU interface ---- */

Test(iu, fp_load_with_ef_clear_is_fp_disabled)
{
    enable_traps(false);
    MEM(LDF, 0, G0, 0x100);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 4);
}

Test(iu, stdfq_with_empty_queue_is_sequence_error)
{
    enable_traps(true);
    MEM(STDFQ, 0, G0, 0x100);
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 8);
    cr_expect_eq((cpu->fpu.fsr >> 14) & 7, 4);
}

Test(iu, coprocessor_instructions_are_cp_disabled)
{
    enable_traps(false);
    emit(0x01c00000 | 7u << 22);  /* CBccc */
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 0x24);
}

/* ---- interrupts, budget, self-modifying code ---- */

Test(iu, interrupt_taken_above_pil_only)
{
    enable_traps(false);
    set32(G1, PSR_S | PSR_ET | (6 << 8)); /* PIL 6 */
    ALUI(WRPSR, 0, G1, 0);
    set32(G2, DEV_BASE + 8);
    ALUI(OR, G3, G0, 5);
    MEM(ST, G3, G2, 0);           /* level 5: masked */
    ALUI(OR, G4, G0, 1);
    ALUI(OR, G3, G0, 9);
    MEM(ST, G3, G2, 0);           /* level 9: taken after this store */
    ALUI(OR, G5, G0, 1);          /* never runs */
    UNIMP();
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 0x19);
    cr_expect_eq(cpu->r[G4], 1);
    cr_expect_eq(cpu->r[G5], 0);
}

Test(iu, level_15_is_not_maskable)
{
    enable_traps(false);
    set32(G1, PSR_S | PSR_ET | (15 << 8));
    ALUI(WRPSR, 0, G1, 0);
    NOP();
    UNIMP();
    cls->set_irl(cpu, 15);
    run_to_end();
    cr_expect_eq(tt_of(cpu->r[G7]), 0x1f);
}

Test(iu, run_stops_exactly_at_budget)
{
    bicc(BA, false, 0);           /* 0: ba 0 */
    NOP();
    cr_expect_eq(run_for(1001), TESSERA_CPU_BUDGET);
    cr_expect_eq(rs.icount, 1001);
}

Test(iu, exit_request_from_mmio_stops_after_the_access)
{
    set32(G1, DEV_BASE + 4);
    MEM(ST, G0, G1, 0);
    ALUI(OR, G2, G0, 1);
    bicc(BA, false, 3);
    NOP();
    cr_expect_eq(run_for(100000), TESSERA_CPU_BUDGET);
    cr_expect_eq(rs.icount, 3);
    cr_expect_eq(cpu->r[G2], 0);
}

/* Code in RAM at 0x5000 (fetches reach RAM only once boot mode is over), with
 * %g5 pointing at it: or %g0, 1, %g2; jmpl %o7 + 8, %g0; nop */
static void smc_setup(void)
{
    put32(ram + 0x5000, i3(2, OR, G2, G0, 1));
    put32(ram + 0x5004, i3(2, JMPL, G0, O7, 8));
    put32(ram + 0x5008, 0x01000000);
    mmu_identity_on();
    set32(G5, 0x5000);
}

/* Run the code at 0x5000 once, then again after `patch` stored
 * or %g0, 2, %g2 (in %g1) over its first word: %g6 = 1, %g2 = 2. */
static void smc_run_twice(void (*patch)(void))
{
    ALUI(JMPL, O7, G5, 0);        /* run it once: g2 = 1 */
    NOP();
    ALU(OR, G6, G2, G0);
    set32(G1, i3(2, OR, G2, G0, 2));
    patch();
    ALUI(JMPL, O7, G5, 0);        /* run again: g2 = 2 */
    NOP();
    UNIMP();
    run_to_end();
    cr_expect_eq(cpu->r[G6], 1);
    cr_expect_eq(cpu->r[G2], 2);
}

static void patch_st(void)
{
    MEM(ST, G1, G5, 0);
    ALUI(FLUSH, 0, G5, 0);
}

Test(iu, self_modifying_code_is_seen)
{
    smc_setup();
    smc_run_twice(patch_st);
}

static void patch_sta_bypass(void)
{
    MEMA(STA, G1, G5, G0, 0x20);
}

Test(iu, bypass_store_over_code_is_seen)
{
    /* As above, with the stores through ASI 0x20 (MMU bypass, PA = VA here):
     * the first fills the bypass store entry of a page that holds no code yet;
     * the run marks the page as code, which must drop that entry so the patch
     * reaches the decoded code. */
    smc_setup();
    set32(G1, 0x01000000);
    set32(G3, 0x5008);
    MEMA(STA, G1, G3, G0, 0x20);  /* a nop over the nop at 0x5008 */
    smc_run_twice(patch_sta_bypass);
}

/* ---- state schema ---- */

Test(iu, state_round_trip_keeps_windows)
{
    ALUI(OR, L3, G0, 33);
    ALUI(SAVE, 0, 0, 0);
    ALUI(OR, L3, G0, 44);
    UNIMP();
    run_to_end();
    const TesseraStateSchema *s = cls->state;
    cr_assert_eq(s->pre_save(cpu), 0);
    SparcCpu *copy = calloc(1, cls->instance_size);
    char err[128];
    cr_assert_eq(cls->init(copy, &host, NULL, err, sizeof(err)), 0);
    for (uint32_t i = 0; i < s->layout->n_fields; i++) {
        const TesseraField *f = &s->layout->fields[i];
        size_t n = f->type == TESSERA_FIELD_STRUCT ? f->layout->size
                 : f->type == TESSERA_FIELD_U8 ? 1 : 4 * (size_t)f->count;
        memcpy((char *)copy + f->offset, (char *)cpu + f->offset, n);
    }
    cr_assert_eq(s->post_load(copy, err, sizeof(err)), 0, "%s", err);
    cr_expect_eq(copy->psr & PSR_CWP, 7);
    cr_expect_eq(copy->r[L3], 44);
    cr_expect_eq(copy->windows[0][3], 33);
    cls->finalize(copy);
    free(copy);
}

/* ---- long runs (speed itself is measured by `make bench`, never in tests) ---- */

Test(iu, a_long_tight_loop_counts_every_instruction)
{
    /* subcc %g1, 1, %g1; bne .-4; add %g2, 1, %g2: 3 instructions a turn.
     * The lockstep check runs each turn three times over: fewer turns there. */
    const char *accel = getenv("TESSERA_TEST_ACCEL");
    uint32_t turns = accel && strstr(accel, "check=on") ? 200000 : 20000000;
    set32(G1, turns);
    ALUI(SUBCC, G1, G1, 1);       /* 2 */
    bicc(BNE, false, 2);
    ALUI(ADD, G2, G2, 1);
    UNIMP();
    uint64_t before = rs.icount;
    cr_assert_eq(run_for(UINT64_MAX / 2), TESSERA_CPU_ERROR_MODE);
    cr_expect_eq(cpu->r[G2], turns);
    cr_expect_eq(cpu->r[G1], 0);
    cr_expect_geq(rs.icount - before, 3ull * turns);
    cr_expect_leq(rs.icount - before, 3ull * turns + 8);
}

/* A demap drops the fast entries it reaches and nothing else. */
Test(iu, tlb_drop_of_a_page_or_range_keeps_the_other_entries)
{
    uint32_t gen = cpu->tlb_gen;
    for (unsigned a = 0; a < 3; a++) {
        cpu->tlb[0][a][0x6].tag = 0x6000 | gen;
        cpu->tlb[1][a][0x6].tag = 0x6000 | gen;
        cpu->tlb[1][a][0x7].tag = 0x7000 | gen;
        cpu->tlb[1][a][0x40].tag = 0x40000 | gen;
    }
    mem_tlb_drop(cpu, 0x6000, 0xfffff000u);
    for (unsigned a = 0; a < 3; a++) {
        cr_expect_eq(cpu->tlb[0][a][0x6].tag, SPARC_TLB_INVALID);
        cr_expect_eq(cpu->tlb[1][a][0x6].tag, SPARC_TLB_INVALID);
        cr_expect_eq(cpu->tlb[1][a][0x7].tag, 0x7000u | gen);
        cr_expect_eq(cpu->tlb[1][a][0x40].tag, 0x40000u | gen);
    }
    mem_tlb_drop(cpu, 0x0, 0xfffc0000u); /* the segment 0-256 KiB */
    for (unsigned a = 0; a < 3; a++) {
        cr_expect_eq(cpu->tlb[1][a][0x7].tag, SPARC_TLB_INVALID);
        cr_expect_eq(cpu->tlb[1][a][0x40].tag, 0x40000u | gen);
    }
}

/* A flush is a new generation: nothing filled before it hits after it. */
Test(iu, tlb_flush_is_a_new_generation)
{
    SparcFastTlb *e = mem_tlb_entry(cpu, true, SPARC_LOAD, 0x6000);
    e->tag = mem_tlb_tag(cpu, 0x6000);
    cr_assert(mem_tlb_hit(cpu, e, 0x6000));
    mem_tlb_flush(cpu);
    cr_expect(!mem_tlb_hit(cpu, e, 0x6000));
    for (unsigned i = 0; i < 2 * SPARC_TLB_GEN_MAX; i++) /* through the wrap-around */
        mem_tlb_flush(cpu);
    cr_expect(!mem_tlb_hit(cpu, e, 0x6000));
    cr_expect(cpu->tlb_gen >= 1 && cpu->tlb_gen <= SPARC_TLB_GEN_MAX);
}
