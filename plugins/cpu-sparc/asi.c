/* SPDX-License-Identifier: MIT */
/*
 * The MB86904's alternate address spaces (ss5.md, "ASIs"; SPARC V8 appendix H
 * for the SRMMU ones). Caches are not modelled, so their ASIs are no-ops.
 */
#include "asi.h"
#include "mem.h"

enum {
    ASI_MXCC = 0x02,
    ASI_MMU_FLUSH_PROBE = 0x03,
    ASI_MMU_REGS = 0x04,
    ASI_USER_TEXT = 0x08,
    ASI_SUPER_TEXT = 0x09,
    ASI_USER_DATA = 0x0a,
    ASI_SUPER_DATA = 0x0b,
    ASI_BLOCK_COPY = 0x17,
    ASI_BLOCK_FILL = 0x1f,
    ASI_BYPASS = 0x20,
};

/* OpenBIOS asks the MXCC for this CPU's MBus port with an LDDA of 0x01c00f00;
 * the port, (cpu + 8) & 0xf in bits 27:24, is the low word. */
#define MXCC_MBUS_PORT_VA 0x01c00f00u
#define MXCC_MBUS_PORT (((0u + 8u) & 0xfu) << 24)

/* A change to the MMU (registers, TLB flush) can change every translation: the
 * run loop drops the fast TLB when mmu.epoch moves, and must look before the
 * next access. */
static void asi_mmu_changed(SparcCpu *cpu)
{
    if (cpu->mmu.epoch != cpu->tlb_epoch)
        mem_tlb_flush(cpu);
    cpu->loop_break = 1;
}

/* The bypass ASIs reach the 36-bit physical space directly: 0x20 is PA 31:0,
 * 0x21-0x2f put asi & 0xf in PA 35:32 (fw_cfg sits at 0xd00000510). */
static uint64_t asi_bypass_pa(unsigned asi, uint32_t va)
{
    return ((uint64_t)(asi & 0xf) << 32) | va;
}

int asi_load(SparcCpu *cpu, unsigned asi, uint32_t va, unsigned size, uint64_t *value)
{
    *value = 0;
    switch (asi) {
    case ASI_MXCC:
        if (size == 8 && va == MXCC_MBUS_PORT_VA)
            *value = MXCC_MBUS_PORT;
        else if (size == 4 && va == MXCC_MBUS_PORT_VA + 4)
            *value = MXCC_MBUS_PORT;
        return 0;
    case ASI_MMU_FLUSH_PROBE:
        *value = mmu_probe(&cpu->mmu, &cpu->phys, va);
        if (size == 8)
            *value <<= 32;
        asi_mmu_changed(cpu);
        return 0;
    case ASI_MMU_REGS:
        *value = mmu_reg_read(&cpu->mmu, va);
        if (size == 8)
            *value = (*value << 32) | mmu_reg_read(&cpu->mmu, va + 4);
        return 0;
    case 0x05 ... 0x07:
        return 0;
    case ASI_USER_TEXT:
    case ASI_SUPER_TEXT:
        /* Instruction space: in boot mode this is where fetches go (the PROM). */
        return mem_access_slow(cpu, va, size, SPARC_FETCH, asi == ASI_SUPER_TEXT, false, value);
    case ASI_USER_DATA:
    case ASI_SUPER_DATA:
        return mem_access_slow(cpu, va, size, SPARC_LOAD, asi == ASI_SUPER_DATA, false, value);
    case 0x0c ... 0x14:
    case ASI_BLOCK_COPY:
    case ASI_BLOCK_FILL:
        return 0;
    case ASI_BYPASS ... 0x2f:
        return mem_phys_load(cpu, asi_bypass_pa(asi, va), size, value, asi, SPARC_LOAD);
    default:
        /* An ASI nothing answers: a bus error, as on the reference. */
        return mem_bus_error(cpu, va, SPARC_LOAD, asi);
    }
}

int asi_store(SparcCpu *cpu, unsigned asi, uint32_t va, unsigned size, uint64_t value)
{
    switch (asi) {
    case ASI_MXCC:
    case 0x05 ... 0x07:
    case 0x0c ... 0x14:
        return 0;
    case ASI_MMU_FLUSH_PROBE: {
        /* A demap drops only the fast entries it reaches (precise TLB). */
        uint32_t mask = mmu_flush(&cpu->mmu, va);
        if (mask)
            mem_tlb_drop(cpu, va & mask, mask);
        asi_mmu_changed(cpu);
        return 0;
    }
    case ASI_MMU_REGS:
        if (size == 8) {
            mmu_reg_write(&cpu->mmu, va, (uint32_t)(value >> 32));
            mmu_reg_write(&cpu->mmu, va + 4, (uint32_t)value);
        } else {
            mmu_reg_write(&cpu->mmu, va, (uint32_t)value);
        }
        asi_mmu_changed(cpu);
        return 0;
    case ASI_USER_TEXT:
    case ASI_USER_DATA:
        return mem_access_slow(cpu, va, size, SPARC_STORE, false, false, &value);
    case ASI_SUPER_TEXT:
    case ASI_SUPER_DATA:
        return mem_access_slow(cpu, va, size, SPARC_STORE, true, false, &value);
    case ASI_BLOCK_COPY: {
        /* STA: the stored word is the source, the address the destination;
         * 32 bytes through supervisor data translations. */
        uint32_t src = (uint32_t)value & ~3u, dst = va & ~3u;
        for (unsigned i = 0; i < 32; i += 4) {
            uint64_t w;
            int tt = mem_access_slow(cpu, src + i, 4, SPARC_LOAD, true, false, &w);
            if (tt)
                return tt;
            tt = mem_access_slow(cpu, dst + i, 4, SPARC_STORE, true, false, &w);
            if (tt)
                return tt;
        }
        return 0;
    }
    case ASI_BLOCK_FILL: {
        /* STDA: the doubleword fills 32 bytes from the address. */
        uint32_t dst = va & ~7u;
        for (unsigned i = 0; i < 32; i += 8) {
            int tt = mem_access_slow(cpu, dst + i, 8, SPARC_STORE, true, false, &value);
            if (tt)
                return tt;
        }
        return 0;
    }
    case ASI_BYPASS:
        return mem_bypass_store(cpu, va, size, value);
    case ASI_BYPASS + 1 ... 0x2f:
        return mem_phys_store(cpu, asi_bypass_pa(asi, va), size, value, asi);
    default:
        return mem_bus_error(cpu, va, SPARC_STORE, asi);
    }
}

int asi_swap(SparcCpu *cpu, unsigned asi, uint32_t va, unsigned size, uint32_t value,
             uint32_t *old)
{
    uint64_t v;
    int tt = asi_load(cpu, asi, va, size, &v);
    if (tt)
        return tt;
    *old = (uint32_t)v;
    return asi_store(cpu, asi, va, size, value);
}
