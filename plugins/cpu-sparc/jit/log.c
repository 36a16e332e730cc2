/* SPDX-License-Identifier: MIT */
/*
 * -d in_asm,out_asm,exec (to -D FILE or stderr): the guest code of each new
 * block, the host code it became, and each block as it runs. Disassembly by
 * Capstone (SPARC big-endian and x86-64), the library QEMU and others use.
 */
#include <inttypes.h>

#include <capstone/capstone.h>

#include "block.h"

static void disassemble(FILE *f, cs_arch arch, cs_mode mode, const uint8_t *code, size_t len,
                        uint64_t addr)
{
    csh h;
    if (cs_open(arch, mode, &h) != CS_ERR_OK) {
        fprintf(f, "  (capstone cannot open this architecture)\n");
        return;
    }
    /* One instruction at a time, so a word Capstone does not know (its SPARC is
     * V9's: no RDPSR/WRPSR/RETT) shows as .word and the rest goes on. */
    size_t done = 0;
    while (done < len) {
        cs_insn *insn;
        if (cs_disasm(h, code + done, len - done, addr + done, 1, &insn) == 1) {
            fprintf(f, "  0x%08" PRIx64 ":  %-8s %s\n", insn->address, insn->mnemonic,
                    insn->op_str);
            done += insn->size;
            cs_free(insn, 1);
        } else if (arch == CS_ARCH_SPARC && done + 4 <= len) {
            fprintf(f, "  0x%08" PRIx64 ":  .word    0x%02x%02x%02x%02x\n", addr + done,
                    code[done], code[done + 1], code[done + 2], code[done + 3]);
            done += 4;
        } else {
            fprintf(f, "  0x%08" PRIx64 ":  (%zu bytes capstone cannot decode)\n", addr + done,
                    len - done);
            break;
        }
    }
    cs_close(&h);
}

void jit_log_in_asm(SparcJit *jit, const JitBlock *blk, const uint8_t *code)
{
    fprintf(jit->log, "IN: block 0x%08x (pa 0x%09" PRIx64 ", %s, %u words)\n", blk->pc,
            blk->key >> 1, (blk->key & 1) ? "supervisor" : "user", blk->n_words);
    disassemble(jit->log, CS_ARCH_SPARC, CS_MODE_BIG_ENDIAN, code, 4u * blk->n_words, blk->pc);
    fflush(jit->log);
}

void jit_log_out_asm(SparcJit *jit, const JitBlock *blk, uintptr_t start, size_t len)
{
    fprintf(jit->log, "OUT: block 0x%08x: %zu bytes of host code, entry 0x%" PRIxPTR "\n", blk->pc,
            len, blk->entry);
    const uint8_t *rw = jit->cb.rw + (start - (uintptr_t)jit->cb.rx);
    disassemble(jit->log, CS_ARCH_X86, CS_MODE_64, rw, len, start);
    fflush(jit->log);
}

void jit_log_exec(SparcJit *jit, const JitBlock *blk, uint64_t icount)
{
    fprintf(jit->log, "EXEC: block 0x%08x (pa 0x%09" PRIx64 ") at icount %" PRIu64 "\n", blk->pc,
            blk->key >> 1, icount);
}
