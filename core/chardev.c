/* SPDX-License-Identifier: MIT */
/*
 * Character backends. Input is read only after poll() says it is there, so no
 * descriptor we do not own (stdin) is ever switched to non-blocking mode; sockets we
 * create are non-blocking. Bytes read but not yet taken by the device wait in a
 * small buffer, and nothing more is read while it is full: the device's FIFO
 * throttles the source.
 */
#define _GNU_SOURCE /* accept4 */
#include "chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define CHARDEV_BUF 4096
#define CHARDEV_ESCAPE 0x01 /* Ctrl-A, as QEMU's -nographic multiplexer */

typedef enum ChardevKind {
    CHARDEV_NULL,
    CHARDEV_STDIO,
    CHARDEV_FILE,
    CHARDEV_UNIX,        /* connected client */
    CHARDEV_UNIX_SERVER, /* listening; one client at a time */
} ChardevKind;

struct TesseraChardev {
    char *spec;
    ChardevKind kind;
    int in_fd;     /* -1: no input (yet) */
    int out_fd;    /* -1: output is discarded */
    int listen_fd; /* server only */
    char *path;    /* server only: unlinked at close */
    bool eof;      /* the input source ended */
    bool escape;   /* stdio: Ctrl-A seen, waiting for the command key */
    bool quit;
    bool write_failed; /* reported once */
    unsigned accepted; /* server: clients accepted so far */

    TesseraChrCanRead can_read;
    TesseraChrRead read;
    void *opaque;

    uint8_t buf[CHARDEV_BUF];
    size_t head, len;
};

static GQuark chardev_error_quark(void)
{
    return g_quark_from_static_string("tessera-chardev");
}

/* ---- the terminal: raw while we own it, restored however we leave ---- */

static bool stdio_in_use;
static bool stdio_raw;
static struct termios stdio_saved;

static void stdio_restore(void)
{
    if (stdio_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved);
        stdio_raw = false;
    }
}

static void stdio_on_signal(int sig)
{
    stdio_restore(); /* tcsetattr is async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Raw like QEMU -nographic: every key (Ctrl-C too) reaches the guest, output
 * post-processing stays on so a bare '\n' still returns the carriage. */
static void stdio_make_raw(void)
{
    static bool hooks_installed;
    struct termios tty;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &stdio_saved) != 0)
        return;
    tty = stdio_saved;
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tty.c_oflag |= OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    if (!hooks_installed) {
        atexit(stdio_restore);
        signal(SIGINT, stdio_on_signal);
        signal(SIGTERM, stdio_on_signal);
        hooks_installed = true;
    }
    if (tcsetattr(STDIN_FILENO, TCSANOW, &tty) == 0)
        stdio_raw = true;
}

/* ---- opening ---- */

static void chardev_fail(GError **error, const char *spec, const char *what, int err)
{
    g_set_error(error, chardev_error_quark(), 0, "chardev '%s': %s: %s", spec, what,
                g_strerror(err));
}

static bool chardev_set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

static bool chardev_unix_addr(const char *spec, const char *path, struct sockaddr_un *sa,
                              GError **error)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (path[0] == '\0' || strlen(path) >= sizeof(sa->sun_path)) {
        g_set_error(error, chardev_error_quark(), 0,
                    "chardev '%s': socket path must be 1 to %zu bytes", spec,
                    sizeof(sa->sun_path) - 1);
        return false;
    }
    strcpy(sa->sun_path, path);
    return true;
}

/* Server: take a waiting client, if any, without blocking. */
static void chardev_try_accept(Chardev *chr)
{
    if (chr->kind != CHARDEV_UNIX_SERVER || chr->in_fd >= 0)
        return;
    int conn = accept4(chr->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (conn >= 0) {
        chr->in_fd = chr->out_fd = conn;
        chr->accepted++;
    }
}

unsigned chardev_sessions(const Chardev *chr)
{
    return chr->kind == CHARDEV_UNIX_SERVER ? chr->accepted : 1;
}

/* "unix:PATH[,server[,wait|,nowait]]"; QEMU's "server=on", "wait=off" also parse. */
static bool chardev_open_unix(Chardev *chr, const char *args, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(args, ",", -1);
    bool server = false, wait = false;
    struct sockaddr_un sa;

    for (int i = 1; parts[i]; i++) {
        const char *o = parts[i];
        if (!strcmp(o, "server") || !strcmp(o, "server=on"))
            server = true;
        else if (!strcmp(o, "server=off"))
            server = false;
        else if (!strcmp(o, "wait") || !strcmp(o, "wait=on"))
            wait = true;
        else if (!strcmp(o, "nowait") || !strcmp(o, "wait=off"))
            wait = false;
        else {
            g_set_error(error, chardev_error_quark(), 0, "chardev '%s': unknown option '%s'",
                        chr->spec, o);
            return false;
        }
    }
    if (!chardev_unix_addr(chr->spec, parts[0], &sa, error))
        return false;

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        chardev_fail(error, chr->spec, "socket", errno);
        return false;
    }
    if (!server) {
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || !chardev_set_nonblock(fd)) {
            chardev_fail(error, chr->spec, "connect", errno);
            close(fd);
            return false;
        }
        chr->kind = CHARDEV_UNIX;
        chr->in_fd = chr->out_fd = fd;
        return true;
    }

    /* A socket left behind by an earlier run would make bind fail; other files are
     * not ours to remove. */
    struct stat st;
    if (lstat(sa.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(sa.sun_path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1) != 0) {
        chardev_fail(error, chr->spec, "listen", errno);
        close(fd);
        return false;
    }
    chr->kind = CHARDEV_UNIX_SERVER;
    chr->listen_fd = fd;
    chr->path = g_strdup(sa.sun_path);
    if (!chardev_set_nonblock(fd)) {
        chardev_fail(error, chr->spec, "fcntl", errno);
        return false;
    }
    if (wait) {
        fprintf(stderr, "tessera: waiting for a connection on %s\n", chr->path);
        /* The listening socket is non-blocking; wait in poll() instead. */
        while (chr->in_fd < 0) {
            struct pollfd pfd = { .fd = fd, .events = POLLIN };
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
                chardev_fail(error, chr->spec, "accept", errno);
                return false;
            }
            chardev_try_accept(chr);
        }
    }
    return true;
}

Chardev *chardev_open(const char *spec, GError **error)
{
    Chardev *chr = g_new0(Chardev, 1);
    chr->spec = g_strdup(spec);
    chr->in_fd = chr->out_fd = chr->listen_fd = -1;

    bool ok = true;
    if (!strcmp(spec, "null")) {
        chr->kind = CHARDEV_NULL;
        chr->eof = true;
    } else if (!strcmp(spec, "stdio")) {
        if (stdio_in_use) {
            g_set_error(error, chardev_error_quark(), 0,
                        "chardev 'stdio': stdio is already used by another backend (the "
                        "serial port and the monitor cannot share it: move one to "
                        "unix:PATH,server, file:PATH or null)");
            ok = false;
        } else {
            chr->kind = CHARDEV_STDIO;
            chr->in_fd = STDIN_FILENO;
            chr->out_fd = STDOUT_FILENO;
            stdio_in_use = true;
            stdio_make_raw();
        }
    } else if (g_str_has_prefix(spec, "file:") && spec[5] != '\0') {
        chr->kind = CHARDEV_FILE;
        chr->eof = true;
        chr->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (chr->out_fd < 0) {
            chardev_fail(error, spec, spec + 5, errno);
            ok = false;
        }
    } else if (g_str_has_prefix(spec, "unix:")) {
        ok = chardev_open_unix(chr, spec + 5, error);
    } else {
        g_set_error(error, chardev_error_quark(), 0,
                    "chardev '%s': unknown backend (expected stdio, null, file:PATH, "
                    "unix:PATH[,server[,wait]])",
                    spec);
        ok = false;
    }
    if (!ok) {
        chardev_close(chr);
        return NULL;
    }
    return chr;
}

static void chardev_drop_client(Chardev *chr)
{
    if (chr->in_fd >= 0)
        close(chr->in_fd);
    chr->in_fd = chr->out_fd = -1;
}

void chardev_close(Chardev *chr)
{
    if (!chr)
        return;
    switch (chr->kind) {
    case CHARDEV_STDIO:
        stdio_restore();
        stdio_in_use = false;
        break;
    case CHARDEV_FILE:
        if (chr->out_fd >= 0)
            close(chr->out_fd);
        break;
    case CHARDEV_UNIX:
    case CHARDEV_UNIX_SERVER:
        chardev_drop_client(chr);
        if (chr->listen_fd >= 0)
            close(chr->listen_fd);
        if (chr->path)
            unlink(chr->path);
        break;
    case CHARDEV_NULL:
        break;
    }
    g_free(chr->path);
    g_free(chr->spec);
    g_free(chr);
}

const char *chardev_spec(const Chardev *chr)
{
    return chr->spec;
}

/* ---- output ---- */

size_t chardev_write(Chardev *chr, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0;

    chardev_try_accept(chr);
    if (chr->out_fd < 0)
        return len; /* null, or no client yet: output is dropped as on a cut line */
    while (done < len) {
        ssize_t n;
        if (chr->kind == CHARDEV_UNIX || chr->kind == CHARDEV_UNIX_SERVER)
            n = send(chr->out_fd, p + done, len - done, MSG_NOSIGNAL);
        else
            n = write(chr->out_fd, p + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = chr->out_fd, .events = POLLOUT };
            poll(&pfd, 1, -1);
        } else if (chr->kind == CHARDEV_UNIX_SERVER && n < 0 &&
                   (errno == EPIPE || errno == ECONNRESET)) {
            chardev_drop_client(chr); /* the next client gets later output */
            return len;
        } else {
            if (!chr->write_failed)
                fprintf(stderr, "tessera: chardev '%s': write: %s\n", chr->spec,
                        g_strerror(n < 0 ? errno : EIO));
            chr->write_failed = true;
            return done;
        }
    }
    return done;
}

/* ---- input ---- */

void chardev_set_receiver(Chardev *chr, TesseraChrCanRead can_read, TesseraChrRead read,
                          void *opaque)
{
    chr->can_read = can_read;
    chr->read = read;
    chr->opaque = opaque;
}

static void chardev_deliver(Chardev *chr)
{
    while (chr->len > 0 && chr->can_read && chr->read) {
        size_t n = chr->can_read(chr->opaque);
        if (n == 0)
            break;
        if (n > chr->len)
            n = chr->len;
        chr->read(chr->opaque, chr->buf + chr->head, n);
        chr->head += n;
        chr->len -= n;
    }
    if (chr->len == 0)
        chr->head = 0;
}

static void chardev_push(Chardev *chr, uint8_t c)
{
    chr->buf[chr->head + chr->len++] = c;
}

/* The terminal's output processing (OPOST, left on) turns \n into \r\n. */
static const char stdio_help[] = "\nC-a h    print this help\n"
                                 "C-a x    exit emulator\n"
                                 "C-a C-a  sends C-a\n";

/* The -nographic escape: Ctrl-A then a command key; unknown keys are dropped. */
static void chardev_stdio_byte(Chardev *chr, uint8_t c)
{
    if (chr->escape) {
        chr->escape = false;
        if (c == CHARDEV_ESCAPE)
            chardev_push(chr, c);
        else if (c == 'x')
            chr->quit = true;
        else if (c == 'h' || c == '?')
            chardev_write(chr, stdio_help, sizeof(stdio_help) - 1);
    } else if (c == CHARDEV_ESCAPE) {
        chr->escape = true;
    } else {
        chardev_push(chr, c);
    }
}

/* One read() into the free tail of the buffer; the caller has seen POLLIN. */
static void chardev_fill(Chardev *chr)
{
    if (chr->head > 0 && chr->len > 0)
        memmove(chr->buf, chr->buf + chr->head, chr->len);
    chr->head = 0;
    uint8_t tmp[CHARDEV_BUF];
    size_t room = CHARDEV_BUF - chr->len;
    ssize_t n;
    do
        n = read(chr->in_fd, tmp, room);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {
        /* End of input is not an error: a server waits for its next client, the
         * others simply have no more to say. */
        if (chr->kind == CHARDEV_UNIX_SERVER)
            chardev_drop_client(chr);
        else
            chr->eof = true;
        return;
    }
    if (chr->kind == CHARDEV_STDIO) {
        for (ssize_t i = 0; i < n; i++)
            chardev_stdio_byte(chr, tmp[i]);
    } else {
        memcpy(chr->buf + chr->len, tmp, (size_t)n);
        chr->len += (size_t)n;
    }
}

/* The descriptor input may arrive on now: the data fd, a server's listening
 * socket, or -1 when there is nothing to wait for. */
static int chardev_watch_fd(const Chardev *chr)
{
    if (chr->eof || chr->len == CHARDEV_BUF)
        return -1;
    if (chr->in_fd >= 0)
        return chr->in_fd;
    return chr->kind == CHARDEV_UNIX_SERVER ? chr->listen_fd : -1;
}

void chardev_poll(Chardev *chr, int timeout_ms)
{
    chardev_deliver(chr);
    if (chr->len > 0)
        timeout_ms = 0; /* the device is full; do not sleep on its behalf */

    int fd = chardev_watch_fd(chr);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int ready = poll(&pfd, fd >= 0, timeout_ms);
    if (ready <= 0 || fd < 0)
        return;
    if (fd == chr->listen_fd) {
        chardev_try_accept(chr);
        /* The new client may have sent something already. */
        fd = chr->in_fd;
        if (fd < 0)
            return;
        pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 0) <= 0)
            return;
    }
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
        chardev_fill(chr);
    chardev_deliver(chr);
}

bool chardev_quit_requested(const Chardev *chr)
{
    return chr->quit;
}

bool chardev_has_input(const Chardev *chr)
{
    if (chr->len > 0)
        return true;
    int fd = chardev_watch_fd(chr);
    if (fd < 0 || fd == chr->listen_fd)
        return false;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}
