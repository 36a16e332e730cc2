/* SPDX-License-Identifier: MIT */
/*
 * The cpu-sparc plugin: the MB86904 (microSPARC II) as a TesseraCpuClass.
 * Lifecycle, reset, interrupt pins, GDB register access and the dump (breakpoints and the
 * debugger's address translation: debug.c).
 */
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "jit/jit.h"
#include "mem.h"

static const char *const sparc_models[] = {"MB86904", NULL};

static void sparc_reset(void *opaque)
{
    SparcCpu *cpu = opaque;

    /* ss5.md "Reset": S=1 PS=1 ET=0 PIL=0 CWP=0, WIM=1, TBR=0, PC=0, nPC=4. The
     * interrupt pins are driven from outside and keep their level. */
    memset(cpu->r, 0, sizeof(cpu->r));
    memset(cpu->windows, 0, sizeof(cpu->windows));
    cpu->psr = SPARC_PSR_IMPLVER | PSR_S | PSR_PS;
    cpu->wim = 1;
    cpu->tbr = 0;
    cpu->y = 0;
    cpu->pc = 0;
    cpu->npc = 4;
    cpu->error_mode = 0;
    fpu_reset(&cpu->fpu);
    mmu_reset(&cpu->mmu);
    mem_tlb_flush(cpu);
    cpu->loop_break = 1;
}

/* The accelerator: the machine option "accel" (-accel jit[,OPTS] | interp); the
 * JIT where it is built, else the interpreter. The -d/-D log options are the
 * JIT's. */
static int sparc_accel_init(SparcCpu *cpu, const TesseraHost *host, char *err, size_t errlen)
{
    bool opts = TESSERA_HOST_HAS(host, machine_opt) && host->ops->machine_opt;
    const char *accel = opts ? tessera_machine_opt(host, "accel") : NULL;
    const char *log = opts ? tessera_machine_opt(host, "log") : NULL;
    const char *logfile = opts ? tessera_machine_opt(host, "logfile") : NULL;
    if (!accel || !*accel)
        accel = SPARC_HAVE_JIT ? "jit" : "interp";
    if (!strcmp(accel, "interp")) {
        if (log && *log) {
            snprintf(err, errlen, "-d %s: the logs are the JIT's; -accel interp has none", log);
            return -1;
        }
        return 0;
    }
    if (strncmp(accel, "jit", 3) != 0 || (accel[3] && accel[3] != ',')) {
        snprintf(err, errlen, "-accel %s: unknown accelerator (have: jit, interp)", accel);
        return -1;
    }
#if SPARC_HAVE_JIT
    JitOptions o;
    if (jit_parse_options(&o, accel[3] ? accel + 4 : "", log, logfile, err, errlen) != 0)
        return -1;
    cpu->jit = jit_new(cpu, &o, err, errlen);
    return cpu->jit ? 0 : -1;
#else
    (void)logfile;
    snprintf(err, errlen, "-accel jit: this cpu-sparc was built without the JIT "
                          "(it needs an x86-64 host and meson -Djit=enabled); use -accel interp");
    return -1;
#endif
}

static int sparc_init(void *opaque, const TesseraHost *host, const char *model, char *err,
                      size_t errlen)
{
    SparcCpu *cpu = opaque;

    if (model && strcmp(model, sparc_models[0]) != 0) {
        snprintf(err, errlen, "cpu-sparc: unknown model '%s' (have: MB86904)", model);
        return -1;
    }
    if (!TESSERA_HOST_HAS(host, mem_region) || !host->ops->mem_region || !host->ops->bus_read ||
        !host->ops->bus_write) {
        snprintf(err, errlen, "cpu-sparc: the host lacks mem_region/bus_read/bus_write "
                              "(it needs plugin ABI 1.1)");
        return -1;
    }
    cpu->host = host;
    cpu->phys.read32 = mem_phys_read32;
    cpu->phys.write32 = mem_phys_write32;
    cpu->phys.opaque = cpu;
    cpu->code = codecache_new();
    if (!cpu->code) {
        snprintf(err, errlen, "cpu-sparc: out of memory for the decode cache");
        return -1;
    }
    if (sparc_accel_init(cpu, host, err, errlen) != 0) {
        codecache_free(cpu->code);
        cpu->code = NULL;
        return -1;
    }
    sparc_reset(cpu);
    return 0;
}

static void sparc_finalize(void *opaque)
{
    SparcCpu *cpu = opaque;
#if SPARC_HAVE_JIT
    jit_free(cpu->jit);
    cpu->jit = NULL;
#endif
    sparc_debug_set(cpu, NULL, 0, 0, NULL);
    codecache_free(cpu->code);
    cpu->code = NULL;
}

/* Pins: taken at the next instruction boundary (V8 7.4). */
static void sparc_set_irl(void *opaque, unsigned level)
{
    SparcCpu *cpu = opaque;
    cpu->irl = level & 15;
    cpu->loop_break = 1;
}

static void sparc_set_pc(void *opaque, uint64_t pc)
{
    SparcCpu *cpu = opaque;
    cpu->pc = (uint32_t)pc;
    cpu->npc = (uint32_t)pc + 4;
    cpu->loop_break = 1;
}

/* GDB's SPARC32 numbering: 0-31 g/o/l/i of the current window, 32-63 f0-f31,
 * then y, psr, wim, tbr, pc, npc, fsr, csr. Past those (and past n_regs, so not
 * in gdb's g packet): REG_WINDOW + 16 * w + k, window w's locals (k 0-7) and ins
 * (k 8-15) in the register file, which the gdb stub shows where a window
 * overflow would store them (docs/debugging.md). */
enum { REG_F0 = 32, REG_Y = 64, REG_PSR, REG_WIM, REG_TBR, REG_PC, REG_NPC, REG_FSR, REG_CSR,
       SPARC_N_REGS, REG_WINDOW = SPARC_N_REGS,
       REG_WINDOW_END = REG_WINDOW + 16 * SPARC_NWINDOWS };

/* Window w's local or in k: the live copy in r[] for the current window's
 * locals and ins, and for the ins of the window below it (our outs). */
static uint32_t *window_reg(SparcCpu *cpu, unsigned regno)
{
    unsigned w = (regno - REG_WINDOW) / 16, k = (regno - REG_WINDOW) % 16;
    unsigned cwp = cpu->psr & PSR_CWP;
    if (w == cwp)
        return &cpu->r[16 + k];
    if (k >= 8 && (w + 1) % SPARC_NWINDOWS == cwp)
        return &cpu->r[k];
    return &cpu->windows[w][k];
}

static int sparc_reg_read(void *opaque, unsigned regno, uint64_t *value)
{
    SparcCpu *cpu = opaque;
    if (regno < 32)
        *value = cpu->r[regno];
    else if (regno < REG_Y)
        *value = cpu->fpu.f[regno - REG_F0];
    else if (regno == REG_Y)
        *value = cpu->y;
    else if (regno == REG_PSR)
        *value = cpu->psr;
    else if (regno == REG_WIM)
        *value = cpu->wim;
    else if (regno == REG_TBR)
        *value = cpu->tbr;
    else if (regno == REG_PC)
        *value = cpu->pc;
    else if (regno == REG_NPC)
        *value = cpu->npc;
    else if (regno == REG_FSR)
        *value = cpu->fpu.fsr;
    else if (regno == REG_CSR)
        *value = 0; /* no coprocessor */
    else if (regno >= REG_WINDOW && regno < REG_WINDOW_END)
        *value = *window_reg(cpu, regno);
    else
        return -1;
    return 0;
}

static int sparc_reg_write(void *opaque, unsigned regno, uint64_t value)
{
    SparcCpu *cpu = opaque;
    uint32_t v = (uint32_t)value;
    if (regno < 32) {
        if (regno)
            cpu->r[regno] = v;
    } else if (regno < REG_Y) {
        cpu->fpu.f[regno - REG_F0] = v;
    } else if (regno == REG_Y) {
        cpu->y = v;
    } else if (regno == REG_PSR) {
        if ((v & PSR_CWP) >= SPARC_NWINDOWS)
            return -1;
        psr_write(cpu, v);
    } else if (regno == REG_WIM) {
        cpu->wim = v & ((1u << SPARC_NWINDOWS) - 1);
    } else if (regno == REG_TBR) {
        cpu->tbr = v & 0xfffffff0u;
    } else if (regno == REG_PC) {
        cpu->pc = v;
    } else if (regno == REG_NPC) {
        cpu->npc = v;
    } else if (regno == REG_FSR) {
        fpu_ldfsr(&cpu->fpu, v);
    } else if (regno >= REG_WINDOW && regno < REG_WINDOW_END) {
        *window_reg(cpu, regno) = v;
    } else if (regno != REG_CSR) {
        return -1;
    }
    cpu->loop_break = 1;
    return 0;
}

#define DUMP(...)                                                   \
    do {                                                            \
        if (pos < len)                                              \
            pos += (size_t)snprintf(buf + pos, len - pos, __VA_ARGS__); \
    } while (0)

static void sparc_dump(void *opaque, char *buf, size_t len)
{
    SparcCpu *cpu = opaque;
    static const char *const row_name[4] = {"g", "o", "l", "i"};
    uint32_t psr = cpu->psr;
    size_t pos = 0;

    if (!len)
        return;
    buf[0] = 0;
    DUMP("pc  %08x  npc %08x%s\n", cpu->pc, cpu->npc, cpu->error_mode ? "  ERROR MODE" : "");
    DUMP("psr %08x  impl/ver %02x icc %c%c%c%c %s%s pil %u %s %s %s cwp %u\n", psr, psr >> 24,
         psr & PSR_N ? 'N' : '-', psr & PSR_Z ? 'Z' : '-', psr & PSR_V ? 'V' : '-',
         psr & PSR_C ? 'C' : '-', psr & PSR_EC ? "EC " : "", psr & PSR_EF ? "EF" : "--",
         (psr & PSR_PIL) >> 8, psr & PSR_S ? "S" : "U", psr & PSR_PS ? "PS" : "--",
         psr & PSR_ET ? "ET" : "--", psr & PSR_CWP);
    DUMP("wim %08x  tbr %08x (tt 0x%02x)  y %08x  irl %u\n", cpu->wim, cpu->tbr,
         (cpu->tbr >> 4) & 0xff, cpu->y, cpu->irl);
    for (unsigned row = 0; row < 4; row++) {
        DUMP("%s0-7:", row_name[row]);
        for (unsigned i = 0; i < 8; i++)
            DUMP(" %08x", cpu->r[row * 8 + i]);
        DUMP("\n");
    }
    DUMP("fsr %08x  mmu ctrl %08x ctpr %08x ctx %08x sfsr %08x sfar %08x\n", cpu->fpu.fsr,
         cpu->mmu.ctrl, cpu->mmu.ctpr, cpu->mmu.ctx, cpu->mmu.sfsr, cpu->mmu.sfar);
}

static void sparc_describe(void *opaque, char *buf, size_t len)
{
    SparcCpu *cpu = opaque;
#if SPARC_HAVE_JIT
    if (cpu->jit) {
        jit_describe(cpu->jit, buf, len);
        return;
    }
#endif
    (void)cpu;
    snprintf(buf, len, "accel interp");
}

void sparc_code_written(SparcCpu *cpu, uint64_t pa, uint64_t len)
{
    if (cpu->code)
        codecache_invalidate(cpu->code, pa, len);
#if SPARC_HAVE_JIT
    jit_invalidate(cpu->jit, pa, len);
#endif
}

/* DMA or a device wrote a page we decoded from (the memory contract). */
static void sparc_invalidate(void *opaque, uint64_t pa, uint64_t len)
{
    sparc_code_written(opaque, pa, len);
}

static const TesseraCpuClass sparc_class = {
    .size = sizeof(TesseraCpuClass),
    .instance_size = sizeof(SparcCpu),
    .state = &sparc_state_schema,
    .models = sparc_models,
    .init = sparc_init,
    .reset = sparc_reset,
    .run = sparc_run,
    .set_irl = sparc_set_irl,
    .n_regs = SPARC_N_REGS,
    .reg_read = sparc_reg_read,
    .reg_write = sparc_reg_write,
    .dump = sparc_dump,
    .set_pc = sparc_set_pc,
    .finalize = sparc_finalize,
    .invalidate = sparc_invalidate,
    .describe = sparc_describe,
    .debug_set = sparc_debug_set,
    .debug_translate = sparc_debug_translate,
};

TESSERA_PLUGIN(.name = "cpu-sparc", .version = "1.0.0", .kind = TESSERA_PLUGIN_CPU,
               .license = "MIT",
               .description = "SPARC V8 MB86904 (microSPARC II) interpreter with SRMMU and FPU",
               .iface = &sparc_class);
