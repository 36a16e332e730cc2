/* SPDX-License-Identifier: MIT */
/* Alternate-space loads and stores (LDA/STA and friends, V8 B.1/B.4) for the
 * MB86904's ASI map (ss5.md). Return 0 or the trap type already raised. */
#ifndef SPARC_ASI_H
#define SPARC_ASI_H

#include "cpu.h"

int asi_load(SparcCpu *cpu, unsigned asi, uint32_t va, unsigned size, uint64_t *value);
int asi_store(SparcCpu *cpu, unsigned asi, uint32_t va, unsigned size, uint64_t value);
/* LDSTUBA/SWAPA: load then store in the same space (one CPU: atomic enough);
 * the loaded value in *old. */
int asi_swap(SparcCpu *cpu, unsigned asi, uint32_t va, unsigned size, uint32_t value,
             uint32_t *old);

#endif /* SPARC_ASI_H */
