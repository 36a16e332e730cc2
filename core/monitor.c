/* SPDX-License-Identifier: MIT */
#include "monitor.h"

#include <string.h>
#include <unistd.h>

#include "chardev.h"
#include "escape_stream.h"

struct Monitor {
    Session *session;
    Chardev *chr;
    GString *line;
    bool echo; /* a terminal: raw mode, so nothing else shows what is typed */
    unsigned greeted; /* chardev sessions that got the banner */
};

static void prompt(Monitor *mon)
{
    chardev_write(mon->chr, "(tessera) ", 10);
}

/* Banner and prompt for each new peer: a socket client connecting late sees them too,
 * and a mon:stdio monitor when Ctrl-A c first shows it. */
static bool greet(Monitor *mon)
{
    unsigned sessions = chardev_sessions(mon->chr);
    if (sessions == mon->greeted)
        return false;
    mon->greeted = sessions;
    static const char banner[] = "Tessera monitor - type 'help' for more information\n";
    chardev_write(mon->chr, banner, sizeof(banner) - 1);
    g_string_truncate(mon->line, 0);
    prompt(mon);
    return true;
}

/* Ctrl-A c gave a mon:stdio monitor the terminal: the banner the first time, a fresh
 * prompt after that (a half-typed line is dropped, as QEMU's readline does). */
static void mon_focused(void *opaque)
{
    Monitor *mon = opaque;
    if (!greet(mon)) {
        g_string_truncate(mon->line, 0);
        prompt(mon);
    }
}

static size_t mon_can_read(void *opaque)
{
    return 4096;
}

static void echo(Monitor *mon, const char *text, size_t len)
{
    if (mon->echo)
        chardev_write(mon->chr, text, len);
}

static void mon_read(void *opaque, const uint8_t *buf, size_t len)
{
    Monitor *mon = opaque;
    greet(mon);
    for (size_t i = 0; i < len; i++) {
        char c = (char)buf[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' || mon->line->len) {
                echo(mon, "\n", 1);
                GString *out = g_string_new(NULL);
                session_command(mon->session, mon->line->str, out);
                /* Replies quote names and paths from snapshots and the command
                 * line: no escape sequence of theirs reaches the terminal. */
                char *safe = escape_text(out->str, out->len);
                chardev_write(mon->chr, safe, strlen(safe));
                g_free(safe);
                g_string_free(out, TRUE);
                g_string_truncate(mon->line, 0);
                if (!mon->session->quit)
                    prompt(mon);
            }
        } else if (c == 0x7f || c == '\b') {
            if (mon->line->len) {
                g_string_truncate(mon->line, mon->line->len - 1);
                echo(mon, "\b \b", 3);
            }
        } else if (mon->line->len < 4096) {
            g_string_append_c(mon->line, c);
            echo(mon, &c, 1);
        }
    }
}

/* Ctrl-A x on a terminal monitor ends the emulator, as on the serial console. */
static void check_quit_key(Monitor *mon)
{
    if (chardev_quit_requested(mon->chr) && !mon->session->quit)
        session_quit(mon->session);
}

static void mon_poll(void *opaque)
{
    Monitor *mon = opaque;
    chardev_poll(mon->chr, 0);
    greet(mon);
    check_quit_key(mon);
}

/* on_terminal: the keys come from stdin, in raw mode when it is a terminal. */
static Monitor *monitor_attach(Session *s, Chardev *chr, bool on_terminal)
{
    Monitor *mon = g_new0(Monitor, 1);
    mon->session = s;
    mon->chr = chr;
    mon->line = g_string_new(NULL);
    mon->echo = on_terminal && isatty(STDIN_FILENO);
    chardev_set_receiver(chr, mon_can_read, mon_read, mon);
    chardev_on_focus(chr, mon_focused);
    greet(mon);
    machine_add_poll(s->machine, mon_poll, mon);
    return mon;
}

Monitor *monitor_new(Session *s, const char *spec, GError **error)
{
    Chardev *chr = chardev_open(spec, error);
    return chr ? monitor_attach(s, chr, !strcmp(spec, "stdio")) : NULL;
}

Monitor *monitor_new_mux(Session *s, Chardev *mux, GError **error)
{
    Chardev *chr = chardev_mux_attach(mux, error);
    return chr ? monitor_attach(s, chr, true) : NULL;
}

void monitor_poll(Monitor *mon, int timeout_ms)
{
    chardev_poll(mon->chr, timeout_ms);
    greet(mon);
    check_quit_key(mon);
}

void monitor_free(Monitor *mon)
{
    if (!mon)
        return;
    chardev_close(mon->chr);
    g_string_free(mon->line, TRUE);
    g_free(mon);
}
