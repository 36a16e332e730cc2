/* SPDX-License-Identifier: MIT */
/* The human monitor's commands (QEMU's names). */
#include "session.h"

#include <errno.h>
#include <string.h>

#include "gdbstub.h"
#include "migrate.h"
#include "net.h"
#include "snapshot.h"

void session_stop(Session *s)
{
    s->paused = true;
    machine_stop(s->machine);
}

const char *session_status(const Session *s)
{
    if (s->inmigrate)
        return "inmigrate";
    if (s->postmigrate)
        return "postmigrate";
    return s->paused ? "paused" : "running";
}

bool session_cont(Session *s, const char **why)
{
    if (s->inmigrate || s->postmigrate) {
        *why = s->inmigrate ? "the machine waits for an incoming migration"
                            : "the machine migrated: it runs on the destination now";
        return false;
    }
    s->paused = false;
    return true;
}

void session_quit(Session *s)
{
    s->quit = true;
    machine_stop(s->machine);
}

static void cmd_help(GString *out)
{
    g_string_append(out, "stop                 pause the guest\n"
                         "cont                 resume the guest\n"
                         "savevm FILE          save a snapshot of the machine to FILE\n"
                         "loadvm FILE          load a snapshot (the machine is unchanged on error)\n"
                         "migrate URI          migrate live to tcp:HOST:PORT or unix:PATH\n"
                         "migrate_cancel       cancel the migration in progress\n"
                         "migrate_incoming URI receive a migration (after -incoming defer)\n"
                         "migrate_set_parameter max-bandwidth BYTES/S | downtime-limit MS\n"
                         "migrate_set_capability auto-converge on|off\n"
                         "commit DRIVE|all     write -snapshot overlays back (scsi0-hdN)\n"
                         "info status          running or paused, the instruction count, the accelerator\n"
                         "info migrate         migration status, statistics and progress\n"
                         "info snapshot FILE   the manifest of a snapshot file\n"
                         "info network         network backends, their NICs and counters\n"
                         "gdbserver [DEV]      gdb stub on DEV: tcp::PORT (default tcp::1234),\n"
                         "                     tcp:HOST:PORT, unix:PATH, or none to stop it\n"
                         "set_link NAME on|off connect or disconnect network backend NAME\n"
                         "hostfwd_add [NAME] tcp|udp:[HADDR]:HPORT-[GADDR]:GPORT\n"
                         "                     forward a host port into the guest (user)\n"
                         "hostfwd_remove [NAME] tcp|udp:[HADDR]:HPORT\n"
                         "                     remove that forwarding\n"
                         "quit                 end the emulator\n");
}

static void cmd_savevm(Session *s, const char *path, GString *out)
{
    GError *error = NULL;
    if (!snapshot_save(s->machine, s->reg, path, NULL, &error)) {
        g_string_append_printf(out, "Error: %s\n", error->message);
        g_error_free(error);
    }
}

static void cmd_loadvm(Session *s, const char *path, GString *out)
{
    GError *error = NULL;
    if (!snapshot_load(s->machine, s->reg, path, &error)) {
        g_string_append_printf(out, "Error: %s\n", error->message);
        g_error_free(error);
    }
}

static void put_error(GString *out, GError *error)
{
    g_string_append_printf(out, "Error: %s\n", error->message);
    g_error_free(error);
}

/* QEMU's `info migrate` lines, then one progress line. */
static void cmd_info_migrate(Session *s, GString *out)
{
    MigrateInfo i;
    migrate_info(s, &i);
    const TesseraMigrateStats *st = &i.stats;
    g_string_append_printf(out, "capabilities: auto-converge: %s\n", i.auto_converge ? "on" : "off");
    g_string_append_printf(out, "parameters: max-bandwidth: %" G_GUINT64_FORMAT
                           " bytes/second downtime-limit: %" G_GUINT64_FORMAT " ms\n",
                           i.max_bandwidth, i.downtime_limit_ms);
    g_string_append_printf(out, "Migration status: %s\n", i.status_name);
    if (i.status == MIGRATE_NONE)
        return;
    if (i.error)
        g_string_append_printf(out, "Error: %s\n", i.error);
    g_string_append_printf(out, "total time: %" G_GUINT64_FORMAT " ms\n", i.total_time_ms);
    if (i.status == MIGRATE_COMPLETED)
        g_string_append_printf(out, "downtime: %" G_GUINT64_FORMAT " ms\n", st->downtime_ms);
    else
        g_string_append_printf(out, "expected downtime: %" G_GUINT64_FORMAT " ms\n",
                               st->expected_downtime_ms);
    g_string_append_printf(out,
                           "transferred ram: %" G_GUINT64_FORMAT " kbytes\n"
                           "remaining ram: %" G_GUINT64_FORMAT " kbytes\n"
                           "total ram: %" G_GUINT64_FORMAT " kbytes\n"
                           "duplicate: %" G_GUINT64_FORMAT " pages\n"
                           "normal: %" G_GUINT64_FORMAT " pages\n"
                           "dirty pages rate: %" G_GUINT64_FORMAT " pages\n"
                           "dirty sync count: %" G_GUINT64_FORMAT "\n"
                           "cpu throttle percentage: %u\n",
                           st->transferred / 1024, st->remaining / 1024, st->total_ram / 1024,
                           st->zero_pages, st->normal_pages, st->dirty_rate / 4096,
                           st->iterations, st->throttle_pct);
    char *line = migrate_progress_line(&i);
    g_string_append_printf(out, "%s\n", line);
    g_free(line);
}

static bool parse_u64(const char *v, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    *out = g_ascii_strtoull(v, &end, 10);
    return v[0] && v[0] != '-' && !*end && !errno;
}

static void cmd_migrate(Session *s, char **argv, GString *out)
{
    GError *error = NULL;
    const char *cmd = argv[0];
    int argc = (int)g_strv_length(argv);
    uint64_t n;
    if (!strcmp(cmd, "migrate") && argc == 2) {
        if (!migrate_start(s, argv[1], &error))
            put_error(out, error);
    } else if (!strcmp(cmd, "migrate_incoming") && argc == 2) {
        if (!migrate_incoming(s, argv[1], true, &error))
            put_error(out, error);
    } else if (!strcmp(cmd, "migrate_cancel") && argc == 1) {
        migrate_cancel(s);
    } else if (!strcmp(cmd, "migrate_set_parameter") && argc == 3) {
        if (!parse_u64(argv[2], &n))
            g_string_append_printf(out, "Error: '%s' is not a number\n", argv[2]);
        else if (!migrate_set_parameter(s, argv[1], n, &error))
            put_error(out, error);
    } else if (!strcmp(cmd, "migrate_set_capability") && argc == 3 &&
               (!strcmp(argv[2], "on") || !strcmp(argv[2], "off"))) {
        if (!migrate_set_capability(s, argv[1], !strcmp(argv[2], "on"), &error))
            put_error(out, error);
    } else {
        g_string_append_printf(out, "usage: migrate URI | migrate_cancel | migrate_incoming URI | "
                               "migrate_set_parameter NAME VALUE | "
                               "migrate_set_capability auto-converge on|off\n");
    }
}

static void cmd_gdbserver(Session *s, const char *dev, GString *out)
{
    GError *error = NULL;
    if (!gdb_serve(s, dev, &error)) {
        put_error(out, error);
    } else if (strcmp(dev, "none") != 0) {
        g_string_append_printf(out, "Waiting for gdb connection on device '%s'\n", dev);
    } else {
        g_string_append(out, "Disabled gdbserver\n");
    }
}

static void cmd_info(Session *s, char **argv, GString *out)
{
    if (argv[1] && !strcmp(argv[1], "migrate") && !argv[2]) {
        cmd_info_migrate(s, out);
    } else if (argv[1] && !strcmp(argv[1], "status") && !argv[2]) {
        char accel[256];
        g_string_append_printf(out, "VM status: %s (icount %" G_GUINT64_FORMAT ")\n",
                               session_status(s), machine_icount(s->machine));
        if (machine_describe_cpu(s->machine, accel, sizeof(accel)))
            g_string_append_printf(out, "CPU: %s\n", accel);
    } else if (argv[1] && !strcmp(argv[1], "snapshot") && argv[2] && !argv[3]) {
        GError *error = NULL;
        char *json = snapshot_manifest(s->reg, argv[2], &error);
        if (json) {
            g_string_append(out, json);
            if (!g_str_has_suffix(json, "\n"))
                g_string_append_c(out, '\n');
            g_free(json);
        } else {
            g_string_append_printf(out, "Error: %s\n", error->message);
            g_error_free(error);
        }
    } else if (argv[1] && !strcmp(argv[1], "network") && !argv[2]) {
        net_hub_info(machine_net(s->machine), out);
    } else {
        g_string_append(out, "usage: info status | info migrate | info snapshot FILE | info network\n");
    }
}

void session_command(Session *s, const char *line, GString *out)
{
    char **argv = NULL;
    GError *error = NULL;
    char *trimmed = g_strstrip(g_strdup(line));
    if (!*trimmed) {
        g_free(trimmed);
        return;
    }
    if (!g_shell_parse_argv(trimmed, NULL, &argv, &error)) {
        g_string_append_printf(out, "Error: %s\n", error->message);
        g_error_free(error);
        g_free(trimmed);
        return;
    }
    const char *cmd = argv[0];
    bool one_arg = argv[1] && !argv[2];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
        cmd_help(out);
    } else if (!strcmp(cmd, "stop") && !argv[1]) {
        session_stop(s);
    } else if ((!strcmp(cmd, "cont") || !strcmp(cmd, "c")) && !argv[1]) {
        const char *why;
        if (!session_cont(s, &why))
            g_string_append_printf(out, "Error: %s\n", why);
    } else if (g_str_has_prefix(cmd, "migrate")) {
        cmd_migrate(s, argv, out);
    } else if (!strcmp(cmd, "savevm") && one_arg) {
        cmd_savevm(s, argv[1], out);
    } else if (!strcmp(cmd, "loadvm") && one_arg) {
        cmd_loadvm(s, argv[1], out);
    } else if (!strcmp(cmd, "gdbserver") && (!argv[1] || one_arg)) {
        cmd_gdbserver(s, argv[1] ? argv[1] : "tcp::1234", out);
    } else if (!strcmp(cmd, "info")) {
        cmd_info(s, argv, out);
    } else if (!strcmp(cmd, "commit") && one_arg) {
        if (!machine_commit(s->machine, argv[1], &error)) {
            g_string_append_printf(out, "Error: %s\n", error->message);
            g_clear_error(&error);
        }
    } else if ((!strcmp(cmd, "quit") || !strcmp(cmd, "q")) && !argv[1]) {
        session_quit(s);
    } else if (net_hub_command(machine_net(s->machine), argv, out)) {
        /* set_link, hostfwd_add, hostfwd_remove */
    } else {
        g_string_append_printf(out, "unknown command or wrong arguments: '%s' (try help)\n",
                               trimmed);
    }
    g_strfreev(argv);
    g_free(trimmed);
}
