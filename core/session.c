/* SPDX-License-Identifier: MIT */
/* The human monitor's commands (QEMU's names). */
#include "session.h"

#include <string.h>

#include "net.h"
#include "snapshot.h"

void session_stop(Session *s)
{
    s->paused = true;
    machine_stop(s->machine);
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
                         "info status          running or paused, the instruction count, the accelerator\n"
                         "info snapshot FILE   the manifest of a snapshot file\n"
                         "info network         network backends, their NICs and counters\n"
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

static void cmd_info(Session *s, char **argv, GString *out)
{
    if (argv[1] && !strcmp(argv[1], "status") && !argv[2]) {
        char accel[256];
        g_string_append_printf(out, "VM status: %s (icount %" G_GUINT64_FORMAT ")\n",
                               s->paused ? "paused" : "running", machine_icount(s->machine));
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
        g_string_append(out, "usage: info status | info snapshot FILE | info network\n");
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
        s->paused = false;
    } else if (!strcmp(cmd, "savevm") && one_arg) {
        cmd_savevm(s, argv[1], out);
    } else if (!strcmp(cmd, "loadvm") && one_arg) {
        cmd_loadvm(s, argv[1], out);
    } else if (!strcmp(cmd, "info")) {
        cmd_info(s, argv, out);
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
