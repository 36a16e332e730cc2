/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi: the checks. Each prints one line per finding,
 * "PLUGIN: what: detail", and counts the problems (findings that fail the run).
 */
#ifndef TESSERA_ABI_CHECK_H
#define TESSERA_ABI_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "dwarf.h"
#include "model.h"

typedef struct TaReport {
    const char *plugin;
    unsigned problems;
    FILE *out;
    GHashTable *seen; /* lines already printed: the same finding is reported once */
} TaReport;

/* A problem: printed as "PLUGIN: " + message, counted. */
G_GNUC_PRINTF(2, 3) void ta_problem(TaReport *r, const char *fmt, ...);
/* Information that does not fail the run, same format. */
G_GNUC_PRINTF(2, 3) void ta_note(TaReport *r, const char *fmt, ...);

/* Schema data (versions, since, converters) and every layout against the DWARF. */
void ta_check_schemas(TaReport *r, const TaPlugin *p, const TaDebugInfo *dbg);
/* The core ABI structs the plugin was compiled with against this tool's own. */
void ta_check_core_abi(TaReport *r, const TaPlugin *p, const TaDebugInfo *dbg);
/* What changed from `old` to `new`; `strict` also fails on wire-compatible changes
 * (golden files must match exactly). */
void ta_diff(TaReport *r, const TaPlugin *old, const TaPlugin *new_, bool strict);

#endif /* TESSERA_ABI_CHECK_H */
