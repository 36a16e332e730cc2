/* SPDX-License-Identifier: MIT */
/*
 * The CPU's state schema, version 1: the integer unit, FPU and SRMMU registers
 * the reference saves (ss5.md), plus the error-mode flag. The register windows
 * go on the wire as `windows` (per window: locals then ins); `regs` is the
 * current window as GDB numbers it. Caches are host-side and rebuilt on load.
 */
#include <stdio.h>

#include "decode.h"
#include "mem.h"

static const TesseraField fpu_fields[] = {
    TESSERA_ARRAY(SparcFpu, f, TESSERA_FIELD_U32),
    TESSERA_U32(SparcFpu, fsr),
};

static const TesseraStateLayout fpu_layout = {
    .struct_name = "SparcFpu",
    .size = sizeof(SparcFpu),
    .fields = fpu_fields,
    .n_fields = TESSERA_N_ELEMS(fpu_fields),
};

static const TesseraField mmu_fields[] = {
    TESSERA_U32(SparcMmu, ctrl),
    TESSERA_U32(SparcMmu, ctpr),
    TESSERA_U32(SparcMmu, ctx),
    TESSERA_U32(SparcMmu, sfsr),
    TESSERA_U32(SparcMmu, sfar),
};

/* The MMU's TLB is a cache: emptied on load. */
static const char *const mmu_unmigrated[] = {"tlb", "tlb_next", "tlb_index", "epoch", NULL};

static const TesseraStateLayout mmu_layout = {
    .struct_name = "SparcMmu",
    .size = sizeof(SparcMmu),
    .fields = mmu_fields,
    .n_fields = TESSERA_N_ELEMS(mmu_fields),
    .unmigrated = mmu_unmigrated,
};

static const TesseraField cpu_fields[] = {
    TESSERA_ARRAY(SparcCpu, r, TESSERA_FIELD_U32),
    TESSERA_FIELD_DECL(SparcCpu, windows, TESSERA_FIELD_U32, SPARC_NWINDOWS * 16, 1),
    TESSERA_U32(SparcCpu, pc),
    TESSERA_U32(SparcCpu, npc),
    TESSERA_U32(SparcCpu, y),
    TESSERA_U32(SparcCpu, psr),
    TESSERA_U32(SparcCpu, wim),
    TESSERA_U32(SparcCpu, tbr),
    TESSERA_U32(SparcCpu, irl),
    TESSERA_U8(SparcCpu, error_mode),
    TESSERA_STRUCT(SparcCpu, fpu, fpu_layout),
    TESSERA_STRUCT(SparcCpu, mmu, mmu_layout),
};

static const char *const cpu_unmigrated[] = {
    "host", "rs", "phys", "loop_break", "tlb_epoch", "tlb_gen", "region", "code", "jit", "tlb", "debug",
    "bypass", NULL,
};

static const TesseraStateLayout cpu_layout = {
    .struct_name = "SparcCpu",
    .size = sizeof(SparcCpu),
    .fields = cpu_fields,
    .n_fields = TESSERA_N_ELEMS(cpu_fields),
    .unmigrated = cpu_unmigrated,
};

/* The live window sits in r[]; write it back so `windows` is complete. */
static int state_pre_save(void *instance)
{
    window_spill(instance);
    return 0;
}

static int state_post_load(void *instance, char *err, size_t errlen)
{
    SparcCpu *cpu = instance;
    if ((cpu->psr & PSR_CWP) >= SPARC_NWINDOWS) {
        snprintf(err, errlen, "cpu-sparc: psr 0x%08x has CWP >= %d", cpu->psr, SPARC_NWINDOWS);
        return -1;
    }
    cpu->psr = (cpu->psr & ~PSR_IMPLVER) | SPARC_PSR_IMPLVER;
    cpu->r[0] = 0;
    window_fill(cpu);
    mmu_flush(&cpu->mmu, 4u << 8); /* entire TLB */
    mem_tlb_flush(cpu);
    if (cpu->code)
        codecache_clear(cpu->code);
    cpu->loop_break = 1;
    return 0;
}

const TesseraStateSchema sparc_state_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "cpu-sparc",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &cpu_layout,
    .pre_save = state_pre_save,
    .post_load = state_post_load,
};
