/* SPDX-License-Identifier: MIT */
/*
 * tessera-snap: inspect, verify, check, convert, diff and dump .tsnap snapshots
 * offline. Exit status (core/exit_status.h, shared with tessera and tessera-abi):
 * 0 success or "yes", 1 the answer is "no" (damage, differences, a device that would
 * not load) or an input or output that failed, 2 a bad command line. Errors are one
 * line on standard error, "tessera-snap: ...".
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dump.h"
#include "escape_stream.h"
#include "exit_status.h"
#include "format.h"
#include "layout.h"
#include "manifest_json.h"
#include "manifest_read.h"
#include "negotiate.h"
#include "snap_installed.h"

#define EXIT_NO TESSERA_EXIT_FAILED
#define EXIT_USAGE TESSERA_EXIT_USAGE

typedef struct Command {
    const char *name;
    const char *args;
    const char *summary;
    int (*run)(int argc, char **argv);
} Command;

/* Options shared by the commands that need them. */
static char *opt_manifest;
static char **opt_plugin_path;
static char **opt_plugin_version;
static char *opt_to;
static char *opt_output;

static const GOptionEntry plugin_entries[] = {
    {"manifest", 0, 0, G_OPTION_ARG_FILENAME, &opt_manifest,
     "Check against this --dump-manifest output instead of the installed plugins", "FILE"},
    {"plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_plugin_path,
     "Also search DIR for plugins (repeatable)", "DIR"},
    {"plugin-version", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_plugin_version,
     "Use only the versions of plugin NAME that satisfy CONSTRAINT (repeatable)",
     "NAME=CONSTRAINT"},
    {NULL},
};

static const GOptionEntry convert_entries[] = {
    {"to", 0, 0, G_OPTION_ARG_FILENAME, &opt_to,
     "Manifest (tessera --dump-manifest) of the installation to convert for", "MANIFEST"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output, "Write the result to OUT", "OUT"},
    {"plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_plugin_path,
     "Also search DIR for plugins (repeatable)", "DIR"},
    {"plugin-version", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_plugin_version,
     "Use only the versions of plugin NAME that satisfy CONSTRAINT (repeatable)",
     "NAME=CONSTRAINT"},
    {NULL},
};

/* Parse a command's options; exactly `n_files` positional arguments remain. */
static bool parse_args(const Command *cmd, const GOptionEntry *entries, int *argc, char ***argv,
                       int n_files)
{
    g_autofree char *param = g_strdup_printf("%s %s", cmd->name, cmd->args);
    GOptionContext *ctx = g_option_context_new(param);
    g_option_context_set_summary(ctx, cmd->summary);
    if (entries)
        g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    bool ok = g_option_context_parse(ctx, argc, argv, &error);
    if (!ok) {
        fprintf(stderr, "tessera-snap: %s: %s\n", cmd->name, error->message);
        g_error_free(error);
    } else if (*argc - 2 != n_files) {
        fprintf(stderr, "tessera-snap: %s: expected %s (see tessera-snap %s --help)\n", cmd->name,
                cmd->args, cmd->name);
        ok = false;
    }
    g_option_context_free(ctx);
    return ok;
}

static TsnapFile *open_or_report(const char *path)
{
    char err[1024];
    TsnapFile *f = tsnap_open(path, err, sizeof(err));
    if (!f)
        fprintf(stderr, "tessera-snap: %s\n", err);
    return f;
}

/* ---- info ---- */

static int cmd_info(int argc, char **argv)
{
    TsnapFile *f = open_or_report(argv[2]);
    if (!f)
        return EXIT_NO;
    printf("file:         %s (%zu bytes, format v%u)\n", f->path, f->size, f->format_version);
    printf("machine:      %s (%s)\n", f->machine, f->machine_file[0] ? f->machine_file : "-");
    printf("icount:       %" G_GUINT64_FORMAT "\n", f->icount);
    printf("devices:\n");
    for (unsigned i = 0; i < f->devices->len; i++) {
        const TsnapDevice *d = f->devices->pdata[i];
        printf("  %-16s %s %s (%s), schema %s v%u, %u fields, %" G_GUINT64_FORMAT " bytes\n",
               d->name, d->plugin, d->plugin_version, manifest_kind_name(d->kind), d->schema,
               record_version(d->rec), record_n_fields(d->rec), d->size);
    }
    printf("memory:\n");
    for (unsigned i = 0; i < f->memory->len; i++) {
        const TsnapMemory *m = f->memory->pdata[i];
        printf("  %-16s 0x%09" G_GINT64_MODIFIER "x %" G_GUINT64_FORMAT " bytes%s, %"
               G_GUINT64_FORMAT " non-zero pages, %" G_GUINT64_FORMAT " bytes stored\n",
               m->name, m->pa, m->length, m->readonly ? " (read-only)" : "", m->stored_pages,
               m->size);
    }
    tsnap_close(f);
    return 0;
}

/* ---- verify ---- */

static int cmd_verify(int argc, char **argv)
{
    TsnapFile *f = open_or_report(argv[2]);
    if (!f)
        return EXIT_NO;
    int rc = 0;
    for (unsigned i = 0; i < f->memory->len && rc == 0; i++) {
        char err[512];
        if (tsnap_memory_decode(f->memory->pdata[i], NULL, err, sizeof(err)) < 0) {
            fprintf(stderr, "tessera-snap: %s: %s\n", f->path, err);
            rc = EXIT_NO;
        }
    }
    if (rc == 0)
        printf("%s: OK (%u devices, %u memory regions, checksums and structure valid)\n", f->path,
               f->devices->len, f->memory->len);
    tsnap_close(f);
    return rc;
}

/* ---- check ---- */

/* Dry-run one device: negotiation, and with a real plugin, conversion and apply. */
static bool check_device(const TsnapDevice *d, const Installed *in, GString *line)
{
    const InstalledPlugin *p = installed_find(in, d->plugin);
    uint32_t v = record_version(d->rec);
    if (!p) {
        g_string_append_printf(line, "refused: no plugin %s in %s", d->plugin, installed_origin(in));
        return false;
    }
    if (p->blocker || !p->has_schema) {
        g_string_append_printf(line, "blocked: plugin %s %s: %s", p->name, p->version,
                               p->blocker ? p->blocker : "no state schema");
        return false;
    }
    if (strcmp(p->info.name, d->schema) != 0) {
        g_string_append_printf(line, "refused: snapshot has schema %s, plugin %s %s has %s",
                               d->schema, p->name, p->version, p->info.name);
        return false;
    }
    uint32_t via;
    if (!negotiate_load(&p->info, v, &via)) {
        g_string_append_printf(line, "refused: snapshot has state v%u, plugin %s %s loads v%u-v%u",
                               v, p->name, p->version, p->info.load_min, p->info.version);
        return false;
    }
    if (p->schema && p->schema->layout) {
        char err[512];
        TesseraRecord *rec = record_copy(d->rec);
        g_autofree uint8_t *mem = g_malloc0(p->schema->layout->size ? p->schema->layout->size : 1);
        int rc = negotiate_apply_chain(p->schema, rec, via, err, sizeof(err));
        if (rc == 0)
            rc = layout_apply(p->schema->layout, rec, mem, err, sizeof(err));
        layout_clear_blobs(p->schema->layout, mem, true); /* the bytes layout_apply copied */
        record_free(rec);
        if (rc < 0) {
            g_string_append_printf(line, "refused: %s", err);
            return false;
        }
    }
    if (via == v)
        g_string_append(line, "loads");
    else
        g_string_append_printf(line, "loads after converting v%u->v%u", v, via);
    return true;
}

static int cmd_check(int argc, char **argv)
{
    char err[1024];
    if (opt_manifest && (opt_plugin_version || opt_plugin_path)) {
        fprintf(stderr, "tessera-snap: check: --manifest describes the other installation; "
                        "--plugin-path and --plugin-version apply to this one, not to it\n");
        return EXIT_USAGE;
    }
    Installed *in = opt_manifest ? installed_from_manifest(opt_manifest, err, sizeof(err))
                                 : installed_from_registry(opt_plugin_path, opt_plugin_version,
                                                           err, sizeof(err));
    if (!in) {
        fprintf(stderr, "tessera-snap: %s\n", err);
        return EXIT_NO;
    }
    TsnapFile *f = open_or_report(argv[2]);
    if (!f) {
        installed_free(in);
        return EXIT_NO;
    }
    bool all = true;
    for (unsigned i = 0; i < f->devices->len; i++) {
        const TsnapDevice *d = f->devices->pdata[i];
        g_autoptr(GString) line = g_string_new(NULL);
        all &= check_device(d, in, line);
        printf("%-16s %-16s v%-3u %s\n", d->name, d->plugin, record_version(d->rec), line->str);
    }
    printf("%s: %s against %s\n", f->path, all ? "loads" : "does not load", installed_origin(in));
    tsnap_close(f);
    installed_free(in);
    return all ? 0 : EXIT_NO;
}

/* ---- convert ---- */

/* The version device d is written at for the target, converting rec in place. */
static int convert_device(const TsnapDevice *d, const Installed *local, const Manifest *target,
                          TesseraRecord *rec, char *err, size_t errlen)
{
    uint32_t v = record_version(rec);
    const ManifestPlugin *tp = manifest_find(target, d->plugin);
    if (!tp || !tp->has_schema || tp->blocker) {
        snprintf(err, errlen, "device '%s' (%s): %s cannot load it: %s", d->name, d->plugin,
                 target->origin, !tp ? "no such plugin" : tp->blocker ? tp->blocker : "no schema");
        return -1;
    }
    const InstalledPlugin *lp = installed_find(local, d->plugin);
    if (!lp || !lp->schema || strcmp(lp->info.name, d->schema) != 0) {
        if (negotiate_load(&tp->schema, v, NULL))
            return 0; /* the target takes it as it is */
        snprintf(err, errlen, "device '%s' (%s): state v%u needs converting and plugin %s with "
                 "schema %s is not installed here", d->name, d->plugin, v, d->plugin, d->schema);
        return -1;
    }
    uint32_t w;
    if (!negotiate_convert(&lp->info, v, &tp->schema, &w)) {
        snprintf(err, errlen, "device '%s' (%s): no conversion of state v%u that %s %s loads "
                 "(v%u-v%u)", d->name, d->plugin, v, tp->name, tp->version, tp->schema.load_min,
                 tp->schema.version);
        return -1;
    }
    return negotiate_apply_chain(lp->schema, rec, w, err, errlen);
}

static int cmd_convert(int argc, char **argv)
{
    if (!opt_to || !opt_output) {
        fprintf(stderr, "tessera-snap: convert: --to MANIFEST and -o OUT are required\n");
        return EXIT_USAGE;
    }
    char err[1024];
    Manifest *target = manifest_load_file(opt_to, err, sizeof(err));
    if (!target) {
        fprintf(stderr, "tessera-snap: %s\n", err);
        return EXIT_NO;
    }
    TsnapFile *f = open_or_report(argv[2]);
    if (!f) {
        manifest_free(target);
        return EXIT_NO;
    }
    Installed *local = installed_from_registry(opt_plugin_path, opt_plugin_version, err,
                                               sizeof(err));
    if (!local) {
        fprintf(stderr, "tessera-snap: %s\n", err);
        manifest_free(target);
        tsnap_close(f);
        return EXIT_NO;
    }
    unsigned nd = f->devices->len, nm = f->memory->len;
    g_autofree TsnapDeviceOut *devs = g_new0(TsnapDeviceOut, nd ? nd : 1);
    g_autofree TsnapMemoryOut *mem = g_new0(TsnapMemoryOut, nm ? nm : 1);
    int rc = 0;
    for (unsigned i = 0; i < nd; i++) {
        const TsnapDevice *d = f->devices->pdata[i];
        TesseraRecord *rec = record_copy(d->rec);
        devs[i] = (TsnapDeviceOut){.name = d->name, .plugin = d->plugin,
                                   .plugin_version = d->plugin_version, .kind = d->kind,
                                   .schema = d->schema, .rec = rec};
        if (rc == 0 && convert_device(d, local, target, rec, err, sizeof(err)) < 0) {
            fprintf(stderr, "tessera-snap: %s: %s\n", f->path, err);
            rc = EXIT_NO;
        }
        if (rc == 0 && record_version(rec) != record_version(d->rec))
            printf("%-16s v%u -> v%u\n", d->name, record_version(d->rec), record_version(rec));
    }
    for (unsigned i = 0; i < nm; i++) {
        const TsnapMemory *m = f->memory->pdata[i];
        mem[i] = (TsnapMemoryOut){.name = m->name, .pa = m->pa, .length = m->length,
                                  .readonly = m->readonly, .encoded = m->chunks,
                                  .encoded_len = m->chunks_len};
    }
    if (rc == 0) {
        TsnapWriteSpec spec = {.machine = f->machine, .machine_file = f->machine_file,
                               .icount = f->icount, .devices = devs, .n_devices = nd,
                               .memory = mem, .n_memory = nm};
        if (tsnap_write(opt_output, &spec, err, sizeof(err)) < 0) {
            fprintf(stderr, "tessera-snap: %s\n", err);
            rc = EXIT_NO;
        }
    }
    for (unsigned i = 0; i < nd; i++)
        record_free((TesseraRecord *)devs[i].rec);
    installed_free(local);
    tsnap_close(f);
    manifest_free(target);
    return rc;
}

/* ---- diff, dump ---- */

static int cmd_diff(int argc, char **argv)
{
    TsnapFile *a = open_or_report(argv[2]);
    TsnapFile *b = a ? open_or_report(argv[3]) : NULL;
    if (!a || !b) {
        tsnap_close(a);
        return EXIT_NO;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    unsigned n = tsnap_diff(a, b, out);
    fputs(out->str, stdout);
    tsnap_close(a);
    tsnap_close(b);
    return n ? EXIT_NO : 0;
}

/* json-glib leaves DEL and the C1 controls (U+0080-U+009F) raw in strings, which
 * the output filter would turn into \ooo, not JSON: write them as \u00XX here. */
static void put_json(const char *json)
{
    for (const unsigned char *p = (const unsigned char *)json; *p; p++) {
        if (*p == 0x7f)
            fputs("\\u007f", stdout);
        else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            printf("\\u00%02x", *++p);
        else
            putchar(*p);
    }
}

static int cmd_dump(int argc, char **argv)
{
    TsnapFile *f = open_or_report(argv[2]);
    if (!f)
        return EXIT_NO;
    char *json = tsnap_dump_json(f);
    put_json(json);
    free(json);
    tsnap_close(f);
    return 0;
}

static const Command commands[] = {
    {"info", "FILE", "Show the manifest, per-device state versions and sizes.", cmd_info},
    {"verify", "FILE", "Check checksums and structure, decompressing all memory; exit 1 on damage.",
     cmd_verify},
    {"check", "FILE", "Dry-run a load against the installed plugins (or --manifest): per device "
     "\"loads\", \"loads after converting vX->vY\", \"blocked: ...\" or \"refused: ...\".",
     cmd_check},
    {"convert", "FILE", "Convert the device states for another installation (--to MANIFEST -o OUT) "
     "with the installed plugins' converters.", cmd_convert},
    {"diff", "A B", "Field-by-field differences between two snapshots; exit 1 when they differ.",
     cmd_diff},
    {"dump", "FILE", "The whole snapshot (manifest and device fields) as JSON.", cmd_dump},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: tessera-snap COMMAND [OPTIONS] ARGS\n\nCommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-8s %-5s %s\n", commands[i].name, commands[i].args, commands[i].summary);
    fprintf(out, "\n`tessera-snap COMMAND --help` describes each command's options.\n"
                 "Exit status: 0 yes/success, 1 no (damaged, different, would not load) or an "
                 "input/output error, 2 bad command line.\n");
}

int main(int argc, char **argv)
{
    escape_stdio(true); /* names and versions in a snapshot may hold escape sequences */
    if (argc < 2) {
        fprintf(stderr, "tessera-snap: expected a command (try tessera-snap --help)\n");
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("tessera-snap %s\n", TESSERA_VERSION);
        return 0;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
        const Command *cmd = &commands[i];
        if (strcmp(argv[1], cmd->name) != 0)
            continue;
        const GOptionEntry *entries = cmd->run == cmd_check     ? plugin_entries
                                      : cmd->run == cmd_convert ? convert_entries
                                                                : NULL;
        int n_files = cmd->run == cmd_diff ? 2 : 1;
        if (!parse_args(cmd, entries, &argc, &argv, n_files))
            return EXIT_USAGE;
        return cmd->run(argc, argv);
    }
    fprintf(stderr, "tessera-snap: unknown command '%s' (try tessera-snap --help)\n", argv[1]);
    return EXIT_USAGE;
}
