/* SPDX-License-Identifier: MIT */
/* Character backends: file, unix socket, null, stdio and mon:stdio on pipes, spec errors. */
#define _GNU_SOURCE /* posix_openpt and friends */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "chardev.h"

/* A device receiver with a FIFO of configurable room. */
typedef struct Sink {
    uint8_t data[256];
    size_t len;
    size_t room; /* what can_read answers */
} Sink;

static size_t sink_can_read(void *opaque)
{
    Sink *s = opaque;
    return s->room;
}

static void sink_read(void *opaque, const uint8_t *buf, size_t len)
{
    Sink *s = opaque;
    cr_assert_leq(len, s->room, "delivered more than can_read allowed");
    memcpy(s->data + s->len, buf, len);
    s->len += len;
    s->room -= len;
}

static char *tmpdir;

static void setup(void)
{
    tmpdir = g_dir_make_tmp("tessera-chardev-XXXXXX", NULL);
    cr_assert_not_null(tmpdir);
}

static void teardown(void)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
    g_free(tmpdir);
}

TestSuite(chardev, .init = setup, .fini = teardown);

/* Poll until the sink holds want bytes or a second has passed. */
static void poll_until(Chardev *chr, Sink *sink, size_t want)
{
    for (int i = 0; i < 100 && sink->len < want; i++)
        chardev_poll(chr, 10);
}

Test(chardev, file_backend_writes_everything_to_the_file)
{
    g_autofree char *path = g_build_filename(tmpdir, "console.log", NULL);
    g_autofree char *spec = g_strdup_printf("file:%s", path);
    Chardev *chr = chardev_open(spec, NULL);
    cr_assert_not_null(chr);
    cr_assert_str_eq(chardev_spec(chr), spec);
    cr_assert_eq(chardev_write(chr, "Hello, ", 7), 7);
    cr_assert_eq(chardev_write(chr, "SPARC\n", 6), 6);
    cr_assert_not(chardev_has_input(chr));
    chardev_close(chr);

    g_autofree char *text = NULL;
    cr_assert(g_file_get_contents(path, &text, NULL, NULL));
    cr_assert_str_eq(text, "Hello, SPARC\n");
}

Test(chardev, null_backend_swallows_output_and_has_no_input)
{
    Chardev *chr = chardev_open("null", NULL);
    cr_assert_not_null(chr);
    Sink sink = { .room = 16 };
    chardev_set_receiver(chr, sink_can_read, sink_read, &sink);
    cr_assert_eq(chardev_write(chr, "abc", 3), 3);
    chardev_poll(chr, 0);
    cr_assert_eq(sink.len, 0);
    cr_assert_not(chardev_has_input(chr));
    cr_assert_not(chardev_quit_requested(chr));
    chardev_close(chr);
}

Test(chardev, unix_server_and_client_exchange_bytes_both_ways)
{
    g_autofree char *path = g_build_filename(tmpdir, "ttya", NULL);
    g_autofree char *server_spec = g_strdup_printf("unix:%s,server", path);
    g_autofree char *client_spec = g_strdup_printf("unix:%s", path);
    GError *err = NULL;

    Chardev *server = chardev_open(server_spec, &err);
    cr_assert_not_null(server, "%s", err ? err->message : "");
    Chardev *client = chardev_open(client_spec, &err);
    cr_assert_not_null(client, "%s", err ? err->message : "");

    Sink at_server = { .room = 64 }, at_client = { .room = 64 };
    chardev_set_receiver(server, sink_can_read, sink_read, &at_server);
    chardev_set_receiver(client, sink_can_read, sink_read, &at_client);

    cr_assert_eq(chardev_write(client, "ok boot\n", 8), 8);
    poll_until(server, &at_server, 8);
    cr_assert_eq(at_server.len, 8);
    cr_assert_eq(memcmp(at_server.data, "ok boot\n", 8), 0);

    cr_assert_eq(chardev_write(server, "login:", 6), 6);
    poll_until(client, &at_client, 6);
    cr_assert_eq(at_client.len, 6);
    cr_assert_eq(memcmp(at_client.data, "login:", 6), 0);

    chardev_close(client);
    chardev_close(server);
    cr_assert_not(g_file_test(path, G_FILE_TEST_EXISTS), "the server removes its socket");
}

Test(chardev, unix_server_does_not_block_without_a_client)
{
    g_autofree char *path = g_build_filename(tmpdir, "ttyb", NULL);
    g_autofree char *spec = g_strdup_printf("unix:%s,server,nowait", path);
    Chardev *chr = chardev_open(spec, NULL);
    cr_assert_not_null(chr);
    cr_assert_eq(chardev_write(chr, "dropped", 7), 7, "output with nobody listening is dropped");
    chardev_poll(chr, 0);
    cr_assert_not(chardev_has_input(chr));
    chardev_close(chr);
}

Test(chardev, unix_server_with_wait_returns_once_a_client_is_connected)
{
    g_autofree char *path = g_build_filename(tmpdir, "ttyw", NULL);
    g_autofree char *server_spec = g_strdup_printf("unix:%s,server,wait", path);
    g_autofree char *client_spec = g_strdup_printf("unix:%s", path);

    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        /* The terminal user shows up late and expects the banner written the
         * moment the server came up. */
        Chardev *client = NULL;
        for (int i = 0; i < 200 && !client; i++) {
            g_usleep(20000);
            client = chardev_open(client_spec, NULL);
        }
        if (!client)
            _exit(2);
        Sink sink = { .room = 16 };
        chardev_set_receiver(client, sink_can_read, sink_read, &sink);
        for (int i = 0; i < 200 && sink.len < 6; i++)
            chardev_poll(client, 10);
        _exit(sink.len == 6 && !memcmp(sink.data, "banner", 6) ? 0 : 1);
    }
    Chardev *server = chardev_open(server_spec, NULL);
    cr_assert_not_null(server);
    /* Without wait this would be dropped: nobody has connected yet. */
    cr_assert_eq(chardev_write(server, "banner", 6), 6);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "client saw status %d", status);
    chardev_close(server);
}

Test(chardev, receiver_gets_only_what_it_can_take_and_the_rest_waits)
{
    g_autofree char *path = g_build_filename(tmpdir, "ttyc", NULL);
    g_autofree char *server_spec = g_strdup_printf("unix:%s,server", path);
    g_autofree char *client_spec = g_strdup_printf("unix:%s", path);
    Chardev *server = chardev_open(server_spec, NULL);
    Chardev *client = chardev_open(client_spec, NULL);
    Sink sink = { .room = 3 };
    chardev_set_receiver(server, sink_can_read, sink_read, &sink);

    chardev_write(client, "abcdefgh", 8);
    poll_until(server, &sink, 3);
    chardev_poll(server, 10);
    cr_assert_eq(sink.len, 3);
    cr_assert(chardev_has_input(server));

    sink.room = 100;
    chardev_poll(server, 0);
    cr_assert_eq(sink.len, 8);
    cr_assert_eq(memcmp(sink.data, "abcdefgh", 8), 0);
    chardev_close(client);
    chardev_close(server);
}

/* Replace fd 0 (or 1) with one end of a pipe; returns the other end. */
static int pipe_onto(int target)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    int mine = target == STDIN_FILENO ? p[1] : p[0];
    int theirs = target == STDIN_FILENO ? p[0] : p[1];
    cr_assert_geq(dup2(theirs, target), 0);
    close(theirs);
    return mine;
}

Test(chardev, stdio_passes_keys_through_and_ctrl_a_x_requests_quit)
{
    int keys = pipe_onto(STDIN_FILENO);
    Chardev *chr = chardev_open("stdio", NULL);
    cr_assert_not_null(chr);
    Sink sink = { .room = 64 };
    chardev_set_receiver(chr, sink_can_read, sink_read, &sink);

    cr_assert_eq(write(keys, "ls\r", 3), 3);
    poll_until(chr, &sink, 3);
    cr_assert_eq(sink.len, 3);
    cr_assert_not(chardev_quit_requested(chr));

    cr_assert_eq(write(keys, "\001x", 2), 2);
    for (int i = 0; i < 100 && !chardev_quit_requested(chr); i++)
        chardev_poll(chr, 10);
    cr_assert(chardev_quit_requested(chr));
    cr_assert_eq(sink.len, 3, "the escape sequence is not guest input");
    chardev_close(chr);
    close(keys);
}

Test(chardev, stdio_ctrl_a_twice_sends_one_ctrl_a)
{
    int keys = pipe_onto(STDIN_FILENO);
    Chardev *chr = chardev_open("stdio", NULL);
    Sink sink = { .room = 64 };
    chardev_set_receiver(chr, sink_can_read, sink_read, &sink);

    cr_assert_eq(write(keys, "a\001\001b", 4), 4);
    poll_until(chr, &sink, 3);
    cr_assert_eq(sink.len, 3);
    cr_assert_eq(memcmp(sink.data, "a\001b", 3), 0);
    cr_assert_not(chardev_quit_requested(chr));
    chardev_close(chr);
    close(keys);
}

Test(chardev, stdio_end_of_input_is_not_an_error)
{
    int keys = pipe_onto(STDIN_FILENO);
    Chardev *chr = chardev_open("stdio", NULL);
    Sink sink = { .room = 64 };
    chardev_set_receiver(chr, sink_can_read, sink_read, &sink);
    cr_assert_eq(write(keys, "q", 1), 1);
    close(keys);
    poll_until(chr, &sink, 1);
    chardev_poll(chr, 0);
    cr_assert_eq(sink.len, 1);
    cr_assert_not(chardev_has_input(chr));
    cr_assert_not(chardev_quit_requested(chr));
    chardev_close(chr);
}

Test(chardev, stdio_output_goes_to_stdout)
{
    int screen = pipe_onto(STDOUT_FILENO);
    Chardev *chr = chardev_open("stdio", NULL);
    cr_assert_eq(chardev_write(chr, "OK\n", 3), 3);
    char buf[8] = { 0 };
    cr_assert_eq(read(screen, buf, sizeof(buf)), 3);
    cr_assert_str_eq(buf, "OK\n");
    chardev_close(chr);
    close(screen);
}

/* Put the slave side of a new pseudo-terminal on fd 0; returns the master. */
static int pty_onto_stdin(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert_geq(master, 0);
    cr_assert_eq(grantpt(master), 0);
    cr_assert_eq(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    cr_assert_geq(slave, 0);
    cr_assert_geq(dup2(slave, STDIN_FILENO), 0);
    close(slave);
    return master;
}

static tcflag_t stdin_lflag(void)
{
    struct termios tty;
    cr_assert_eq(tcgetattr(STDIN_FILENO, &tty), 0);
    return tty.c_lflag;
}

Test(chardev, stdio_on_a_terminal_is_raw_until_closed)
{
    int master = pty_onto_stdin();
    tcflag_t before = stdin_lflag();
    cr_assert(before & ICANON, "a fresh pty starts in canonical mode");

    Chardev *chr = chardev_open("stdio", NULL);
    cr_assert_eq(stdin_lflag() & (ICANON | ECHO | ISIG), 0);
    chardev_close(chr);
    cr_assert_eq(stdin_lflag(), before);
    close(master);
}

Test(chardev, stdio_terminal_is_restored_when_sigterm_kills_the_emulator)
{
    int master = pty_onto_stdin();
    tcflag_t before = stdin_lflag();

    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        chardev_open("stdio", NULL);
        raise(SIGTERM);
        _exit(0); /* not reached: the handler re-raises with the default action */
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
              "the signal still ends the process");
    cr_assert_eq(stdin_lflag(), before);
    close(master);
}

Test(chardev, stdio_can_be_opened_only_once)
{
    GError *err = NULL;
    Chardev *first = chardev_open("stdio", NULL);
    cr_assert_not_null(first);
    cr_assert_null(chardev_open("stdio", &err));
    cr_assert(strstr(err->message, "'stdio'"), "%s", err->message);
    g_error_free(err);
    chardev_close(first);
}

Test(chardev, unknown_backend_is_an_error_naming_the_spec)
{
    GError *err = NULL;
    cr_assert_null(chardev_open("tcp:localhost:4444", &err));
    cr_assert(strstr(err->message, "'tcp:localhost:4444'"), "%s", err->message);
    g_error_free(err);
}

Test(chardev, file_that_cannot_be_created_reports_the_errno_text)
{
    GError *err = NULL;
    cr_assert_null(chardev_open("file:/nonexistent-dir/console.log", &err));
    cr_assert(strstr(err->message, "'file:/nonexistent-dir/console.log'"), "%s", err->message);
    cr_assert(strstr(err->message, g_strerror(ENOENT)), "%s", err->message);
    g_error_free(err);
}

Test(chardev, unix_client_without_a_server_is_an_error)
{
    g_autofree char *spec = g_strdup_printf("unix:%s/nobody-home", tmpdir);
    GError *err = NULL;
    cr_assert_null(chardev_open(spec, &err));
    cr_assert(strstr(err->message, spec), "%s", err->message);
    g_error_free(err);
}

Test(chardev, unix_unknown_option_is_an_error)
{
    g_autofree char *spec = g_strdup_printf("unix:%s/s,server,telnet", tmpdir);
    GError *err = NULL;
    cr_assert_null(chardev_open(spec, &err));
    cr_assert(strstr(err->message, "'telnet'"), "%s", err->message);
    g_error_free(err);
}

/* mon:stdio: Ctrl-A c moves the keys between the serial side and the monitor side;
 * each side gets only its own keys, in order; Ctrl-A Ctrl-A goes to the focused one. */
static unsigned focus_count;

static void count_focus(void *opaque)
{
    (void)opaque;
    focus_count++;
}

Test(chardev, mon_stdio_ctrl_a_c_sorts_keys_between_serial_and_monitor)
{
    int keys = pipe_onto(STDIN_FILENO);
    Chardev *serial = chardev_open("mon:stdio", NULL);
    cr_assert_not_null(serial);
    Chardev *mon = chardev_mux_attach(serial, NULL);
    cr_assert_not_null(mon);
    Sink to_guest = { .room = 64 }, to_mon = { .room = 64 };
    chardev_set_receiver(serial, sink_can_read, sink_read, &to_guest);
    chardev_set_receiver(mon, sink_can_read, sink_read, &to_mon);
    focus_count = 0;
    chardev_on_focus(mon, count_focus);

    cr_assert_eq(write(keys, "ab\001cst\001\001op\n\001cz", 14), 14);
    for (int i = 0; i < 100 && (to_guest.len < 3 || to_mon.len < 6); i++) {
        chardev_poll(serial, 10);
        chardev_poll(mon, 0);
    }
    cr_assert_eq(to_guest.len, 3, "%zu", to_guest.len);
    cr_assert_eq(memcmp(to_guest.data, "abz", 3), 0);
    cr_assert_eq(to_mon.len, 6, "%zu", to_mon.len);
    cr_assert_eq(memcmp(to_mon.data, "st\001op\n", 6), 0);
    cr_assert_eq(focus_count, 1, "the monitor was given the keyboard once");
    cr_assert_not(chardev_quit_requested(serial));
    chardev_close(mon);
    chardev_close(serial);
    close(keys);
}

Test(chardev, mon_prefix_is_only_for_stdio)
{
    GError *error = NULL;
    cr_assert_null(chardev_open("mon:file:/tmp/x", &error));
    cr_assert_not_null(error);
    cr_assert(strstr(error->message, "mon:stdio"), "%s", error->message);
    g_error_free(error);
}

Test(chardev, plain_stdio_drops_ctrl_a_c)
{
    int keys = pipe_onto(STDIN_FILENO);
    Chardev *chr = chardev_open("stdio", NULL);
    Sink sink = { .room = 64 };
    chardev_set_receiver(chr, sink_can_read, sink_read, &sink);
    cr_assert_null(chardev_mux_attach(chr, NULL), "no monitor side on plain stdio");
    cr_assert_eq(write(keys, "a\001cb", 4), 4);
    poll_until(chr, &sink, 2);
    cr_assert_eq(sink.len, 2);
    cr_assert_eq(memcmp(sink.data, "ab", 2), 0);
    chardev_close(chr);
    close(keys);
}
