/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi: checks Tessera plugins' state schemas and core ABI structs against
 * the plugins' own DWARF, dumps schemas, and compares two builds.
 *
 *   tessera-abi check PLUGIN.so...        schema vs struct layout, core ABI structs
 *   tessera-abi dump [--json] PLUGIN.so   schemas, layouts, fingerprints
 *   tessera-abi diff [--strict] OLD NEW   OLD/NEW: a plugin .so or a JSON dump
 *   tessera-abi layout PLUGIN.so [STRUCT] members as DWARF has them (default: the
 *                                         schema's struct)
 *
 * Exit status (core/exit_status.h, shared with tessera and tessera-snap): 0 all
 * agree, 1 problems found or an input that cannot be read, 2 a bad command line.
 * Findings go to standard output; errors to standard error as "tessera-abi: ...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exit_status.h"
#include "tessera/plugin.h"

static const char usage_text[] =
    "usage: tessera-abi check PLUGIN.so...\n"
    "       tessera-abi dump [--json] PLUGIN.so|DUMP.json\n"
    "       tessera-abi diff [--strict] OLD NEW   (each a plugin .so or a JSON dump)\n"
    "       tessera-abi layout PLUGIN.so [STRUCT]\n"
    "       tessera-abi --help | --version\n"
    "Exit status: 0 all agree, 1 problems found or unreadable input, 2 bad command line.\n";

/* A bad command line: one line naming what is wrong, status 2. */
static int usage_error(const char *what)
{
    fprintf(stderr, "tessera-abi: %s (try tessera-abi --help)\n", what);
    return TESSERA_EXIT_USAGE;
}

/* An error (not a finding): one line on standard error. */
static int fail(GError *err)
{
    fprintf(stderr, "tessera-abi: %s\n", err->message);
    g_error_free(err);
    return TESSERA_EXIT_FAILED;
}

static const char no_debug_hint[] =
    "build plugins with debug info: -g (meson: buildtype debug or debugoptimized, or "
    "shared_module(..., kwargs : plugin_kwargs), which adds -g) and do not strip them";

/* Opens the DWARF of `path`, reporting failures as a problem of `plugin`. */
static TaDebugInfo *open_dwarf(TaReport *rep, const char *path)
{
    GError *err = NULL;
    TaDebugInfo *dbg = ta_dwarf_open(path, &err);
    if (dbg == NULL) {
        if (g_error_matches(err, TA_DWARF_ERROR, TA_DWARF_ERROR_NO_DEBUG)) {
            ta_problem(rep, "no DWARF debug info in %s: %s", path, no_debug_hint);
        } else {
            ta_problem(rep, "cannot read DWARF: %s", err->message);
        }
        g_error_free(err);
    }
    return dbg;
}

static int check_one(const char *path)
{
    GError *err = NULL;
    TaPlugin *p = ta_plugin_load_so(path, &err);
    if (p == NULL)
        return fail(err);
    TaReport rep = { .plugin = p->name, .out = stdout,
                     .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
    for (guint i = 0; i < p->problems->len; i++) {
        fprintf(stdout, "%s\n", (const char *)p->problems->pdata[i]);
        rep.problems++;
    }
    TaDebugInfo *dbg = open_dwarf(&rep, path);
    if (dbg) {
        ta_check_core_abi(&rep, p, dbg);
        ta_check_schemas(&rep, p, dbg);
        ta_dwarf_free(dbg);
    }
    if (rep.problems == 0) {
        if (p->blocker) {
            ta_note(&rep, "blocked: %s", p->blocker);
        } else if (p->schemas->len == 0) {
            ta_note(&rep, "ok (%s plugin, no state schema; core ABI %u.%u checked)",
                    ta_plugin_kind_name(p->kind), p->abi_major, p->abi_minor);
        }
        for (guint i = 0; i < p->schemas->len; i++) {
            const TaSchema *s = p->schemas->pdata[i];
            ta_note(&rep, "ok (schema %s version %u, struct %s, %u fields, fingerprint %.12s)",
                    s->name, s->version, s->layout->struct_name, s->layout->fields->len,
                    s->fingerprint);
        }
    }
    int status = rep.problems ? 1 : 0;
    g_hash_table_destroy(rep.seen);
    ta_plugin_free(p);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    if (argc < 1) {
        return usage_error("check: expected PLUGIN.so...");
    }
    int status = 0;
    for (int i = 0; i < argc; i++) {
        if (check_one(argv[i])) {
            status = 1;
        }
    }
    return status;
}

static int cmd_dump(int argc, char **argv)
{
    bool json = false;
    if (argc >= 1 && strcmp(argv[0], "--json") == 0) {
        json = true;
        argc--;
        argv++;
    }
    if (argc != 1) {
        return usage_error("dump: expected [--json] PLUGIN.so|DUMP.json");
    }
    GError *err = NULL;
    TaPlugin *p = ta_plugin_load(argv[0], &err);
    if (p == NULL)
        return fail(err);
    for (guint i = 0; i < p->problems->len; i++) {
        fprintf(stderr, "%s\n", (const char *)p->problems->pdata[i]);
    }
    if (json) {
        char *text = ta_plugin_to_json(p);
        printf("%s\n", text);
        g_free(text);
    } else {
        ta_plugin_print(p, stdout);
    }
    int status = p->problems->len ? 1 : 0;
    ta_plugin_free(p);
    return status;
}

static int cmd_diff(int argc, char **argv)
{
    bool strict = false;
    if (argc >= 1 && strcmp(argv[0], "--strict") == 0) {
        strict = true;
        argc--;
        argv++;
    }
    if (argc != 2) {
        return usage_error("diff: expected [--strict] OLD NEW");
    }
    GError *err = NULL;
    TaPlugin *old = ta_plugin_load(argv[0], &err);
    TaPlugin *new_ = old ? ta_plugin_load(argv[1], &err) : NULL;
    if (new_ == NULL) {
        ta_plugin_free(old);
        return fail(err);
    }
    TaReport rep = { .plugin = new_->name, .out = stdout };
    for (guint i = 0; i < new_->problems->len; i++) {
        fprintf(stdout, "%s\n", (const char *)new_->problems->pdata[i]);
        rep.problems++;
    }
    ta_diff(&rep, old, new_, strict);
    if (rep.problems == 0) {
        ta_note(&rep, "%s -> %s: compatible", argv[0], argv[1]);
    }
    int status = rep.problems ? 1 : 0;
    ta_plugin_free(old);
    ta_plugin_free(new_);
    return status;
}

static int cmd_layout(int argc, char **argv)
{
    if (argc < 1 || argc > 2) {
        return usage_error("layout: expected PLUGIN.so [STRUCT]");
    }
    const char *path = argv[0];
    char *name = NULL;
    if (argc == 2) {
        name = g_strdup(argv[1]);
    } else {
        GError *err = NULL;
        TaPlugin *p = ta_plugin_load_so(path, &err);
        if (p == NULL)
            return fail(err);
        if (p->schemas->len) {
            name = g_strdup(((TaSchema *)p->schemas->pdata[0])->layout->struct_name);
        }
        ta_plugin_free(p);
        if (name == NULL) {
            fprintf(stderr, "tessera-abi: %s: no state schema; name a struct\n", path);
            return TESSERA_EXIT_USAGE;
        }
    }
    TaReport rep = { .plugin = path, .out = stderr };
    TaDebugInfo *dbg = open_dwarf(&rep, path);
    if (dbg == NULL) {
        g_free(name);
        return TESSERA_EXIT_FAILED;
    }
    const TaType *st = ta_dwarf_find_struct(dbg, name);
    int status = 0;
    if (st == NULL) {
        fprintf(stderr, "tessera-abi: %s: no struct or typedef %s in the DWARF\n", path, name);
        status = 1;
    } else {
        printf("struct %s size %" G_GUINT64_FORMAT "\n", name, st->size);
        for (unsigned i = 0; i < st->n_members; i++) {
            const TaMember *m = &st->members[i];
            if (m->name == NULL) {
                continue;
            }
            char *d = ta_type_describe(m->type);
            if (m->bit_size) {
                printf("%s bitfield %u %s\n", m->name, m->bit_size, d);
            } else {
                printf("%s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s\n", m->name, m->offset,
                       ta_type_size(m->type), d);
            }
            g_free(d);
        }
    }
    ta_dwarf_free(dbg);
    g_free(name);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        return usage_error("expected a command: check, dump, diff or layout");
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return TESSERA_EXIT_OK;
    }
    if (strcmp(cmd, "check") == 0) {
        return cmd_check(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "dump") == 0) {
        return cmd_dump(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "diff") == 0) {
        return cmd_diff(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "layout") == 0) {
        return cmd_layout(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("tessera-abi %s (plugin ABI %d.%d)\n", TESSERA_VERSION, TESSERA_ABI_MAJOR,
               TESSERA_ABI_MINOR);
        return 0;
    }
    g_autofree char *what = g_strdup_printf("unknown command '%s'", cmd);
    return usage_error(what);
}
