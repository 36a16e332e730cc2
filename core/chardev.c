/* SPDX-License-Identifier: MIT */
/*
 * Character backends. Input is read only after poll() says it is there, so no
 * descriptor we do not own (stdin) is ever switched to non-blocking mode; sockets we
 * create are non-blocking. Bytes read but not yet taken by the device wait in a
 * small buffer, and nothing more is read while it is full: the device's FIFO
 * throttles the source.
 *
 * mon:stdio is QEMU's terminal multiplexer: the stdio backend serves the serial
 * port and a second frontend (CHARDEV_MUX) serves the monitor. Keys are sorted as
 * they are read: Ctrl-A c moves the keyboard from one to the other, and each keeps
 * its own buffer. The monitor's keys are handed over as soon as they are read (before
 * the next Ctrl-A command, so typed-ahead input keeps its order); the serial port's
 * wait until the serial port is polled, so a paused guest is not fed. Output from
 * both always reaches the terminal: as in QEMU, guest output goes on appearing
 * while the monitor has the keyboard.
 */
#define _GNU_SOURCE /* accept4 */
#include "chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "file_kind.h"

#define CHARDEV_BUF 4096
/* Output a socket peer has not read yet; past this the peer is disconnected. */
#define CHARDEV_OUT_MAX (1u << 20)
#define CHARDEV_ESCAPE 0x01 /* Ctrl-A, as QEMU's -nographic multiplexer */

typedef enum ChardevKind {
    CHARDEV_NULL,
    CHARDEV_STDIO,
    CHARDEV_FILE,
    CHARDEV_UNIX,        /* connected client */
    CHARDEV_UNIX_SERVER, /* listening (unix or tcp); one client at a time */
    CHARDEV_MUX,         /* the monitor's side of mon:stdio */
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

    /* mon:stdio. The stdio backend (`mux` set) and the monitor's frontend point at
     * each other through `peer`; either may be closed first. */
    bool mux;
    Chardev *peer;
    bool peer_focused;     /* stdio: the keyboard is the monitor's */
    bool focused_once;     /* frontend: has had the keyboard */
    bool mid_line;         /* stdio: the last byte written was not a newline */
    void (*focused)(void *opaque);

    TesseraChrCanRead can_read;
    TesseraChrRead read;
    void *opaque;

    uint8_t buf[CHARDEV_BUF];
    size_t head, len;

    GByteArray *pending; /* sockets: output the peer has not taken yet */
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

static bool chardev_unix_addr(const char *path, struct sockaddr_un *sa, GError **error)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (path[0] == '\0' || strlen(path) >= sizeof(sa->sun_path)) {
        g_set_error(error, chardev_error_quark(), 0, "socket path must be 1 to %zu bytes",
                    sizeof(sa->sun_path) - 1);
        return false;
    }
    strcpy(sa->sun_path, path);
    return true;
}

/* Is there a server listening on the socket file at sa? A non-blocking probe, so
 * a server with a full backlog cannot make it wait. */
static int chardev_probe_socket(const struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return errno;
    int e = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ? 0 : errno;
    close(fd);
    return e;
}

/*
 * The listening socket of a server (-serial/-monitor unix:PATH,server, -qmp):
 * non-blocking, its file created 0600 whatever the umask, since whoever can
 * connect can drive the emulator. An existing PATH is replaced only when it is a
 * stale socket (one nobody listens on: connect() is refused); anything else there
 * is not ours to remove.
 */
static int chardev_unix_listen(const struct sockaddr_un *sa, GError **error)
{
    const char *path = sa->sun_path;
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            g_set_error(error, chardev_error_quark(), 0,
                        "%s exists and is %s, not a socket (only a stale socket is "
                        "replaced)", path, S_ISREG(st.st_mode) ? "a regular file"
                        : S_ISLNK(st.st_mode) ? "a symbolic link" : file_kind(st.st_mode));
            return -1;
        }
        int e = chardev_probe_socket(sa);
        if (e != ECONNREFUSED) {
            g_set_error(error, chardev_error_quark(), 0, "%s: %s", path,
                        e == 0 || e == EAGAIN ? "another server is listening on this socket"
                                              : g_strerror(e));
            return -1;
        }
        if (unlink(path) != 0 && errno != ENOENT) {
            g_set_error(error, chardev_error_quark(), 0, "%s: cannot remove the stale socket: %s",
                        path, g_strerror(errno));
            return -1;
        }
    } else if (errno != ENOENT) {
        g_set_error(error, chardev_error_quark(), 0, "%s: %s", path, g_strerror(errno));
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        g_set_error(error, chardev_error_quark(), 0, "socket: %s", g_strerror(errno));
        return -1;
    }
    mode_t old = umask(0177);
    int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
    int e = errno;
    umask(old);
    if (rc != 0 || listen(fd, 1) != 0) {
        if (rc == 0)
            e = errno;
        g_set_error(error, chardev_error_quark(), 0, "%s: %s", path, g_strerror(e));
        if (rc == 0)
            unlink(path);
        close(fd);
        return -1;
    }
    return fd;
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
    if (chr->kind == CHARDEV_MUX)
        return chr->focused_once; /* the monitor's peer arrives with Ctrl-A c */
    return chr->kind == CHARDEV_UNIX_SERVER ? chr->accepted : 1;
}

static bool chardev_start_server(Chardev *chr, const struct sockaddr_un *sa, GError **error)
{
    int fd = chardev_unix_listen(sa, error);
    if (fd < 0)
        return false;
    chr->kind = CHARDEV_UNIX_SERVER;
    chr->listen_fd = fd;
    chr->pending = g_byte_array_new();
    chr->path = g_strdup(sa->sun_path);
    return true;
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
    if (!chardev_unix_addr(parts[0], &sa, error)) {
        g_prefix_error(error, "chardev '%s': ", chr->spec);
        return false;
    }

    if (!server) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            chardev_fail(error, chr->spec, "socket", errno);
            return false;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || !chardev_set_nonblock(fd)) {
            chardev_fail(error, chr->spec, "connect", errno);
            close(fd);
            return false;
        }
        chr->kind = CHARDEV_UNIX;
        chr->in_fd = chr->out_fd = fd;
        chr->pending = g_byte_array_new();
        return true;
    }

    if (!chardev_start_server(chr, &sa, error)) {
        g_prefix_error(error, "chardev '%s': ", chr->spec);
        return false;
    }
    if (wait) {
        int fd = chr->listen_fd;
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

/*
 * "tcp:[HOST]:PORT,server[,nowait]": a listening TCP socket (the gdb stub's
 * -gdb tcp::1234). HOST defaults to 127.0.0.1, not every interface: whoever
 * connects drives the emulator (docs/security.md). Non-blocking, as the unix
 * server; only the server side exists.
 */
static bool chardev_open_tcp(Chardev *chr, const char *args, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(args, ",", -1);
    bool server = false;
    for (int i = 1; parts[i]; i++) {
        if (!strcmp(parts[i], "server") || !strcmp(parts[i], "server=on"))
            server = true;
        else if (strcmp(parts[i], "nowait") && strcmp(parts[i], "wait=off")) {
            g_set_error(error, chardev_error_quark(), 0, "chardev '%s': unknown option '%s'",
                        chr->spec, parts[i]);
            return false;
        }
    }
    const char *colon = strrchr(parts[0], ':');
    if (!server || !colon || !colon[1]) {
        g_set_error(error, chardev_error_quark(), 0,
                    "chardev '%s': expected tcp:[HOST]:PORT,server", chr->spec);
        return false;
    }
    char *host = g_strndup(parts[0], (gsize)(colon - parts[0]));
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(*host ? host : "127.0.0.1", colon + 1, &hints, &ai);
    g_free(host);
    if (rc != 0) {
        g_set_error(error, chardev_error_quark(), 0, "chardev '%s': %s", chr->spec,
                    gai_strerror(rc));
        return false;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
              bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0;
    int e = errno;
    freeaddrinfo(ai);
    if (!ok) {
        chardev_fail(error, chr->spec, "listen", e);
        if (fd >= 0)
            close(fd);
        return false;
    }
    chr->kind = CHARDEV_UNIX_SERVER;
    chr->listen_fd = fd;
    chr->pending = g_byte_array_new();
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
    } else if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio")) {
        if (stdio_in_use) {
            g_set_error(error, chardev_error_quark(), 0,
                        "chardev '%s': stdio is already used by another backend (the "
                        "serial port and the monitor share it as -serial mon:stdio; or "
                        "move one to unix:PATH,server, file:PATH or null)",
                        spec);
            ok = false;
        } else {
            chr->kind = CHARDEV_STDIO;
            chr->mux = spec[0] == 'm';
            chr->in_fd = STDIN_FILENO;
            chr->out_fd = STDOUT_FILENO;
            stdio_in_use = true;
            stdio_make_raw();
        }
    } else if (g_str_has_prefix(spec, "mon:")) {
        g_set_error(error, chardev_error_quark(), 0,
                    "chardev '%s': only the terminal can be shared with the monitor "
                    "(mon:stdio)",
                    spec);
        ok = false;
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
    } else if (g_str_has_prefix(spec, "tcp:")) {
        ok = chardev_open_tcp(chr, spec + 4, error);
    } else {
        g_set_error(error, chardev_error_quark(), 0,
                    "chardev '%s': unknown backend (expected stdio, null, file:PATH, "
                    "unix:PATH[,server[,wait]], tcp:[HOST]:PORT,server)",
                    spec);
        ok = false;
    }
    if (!ok) {
        chardev_close(chr);
        return NULL;
    }
    return chr;
}

Chardev *chardev_open_server(const char *path, GError **error)
{
    Chardev *chr = g_new0(Chardev, 1);
    chr->spec = g_strdup_printf("unix:%s,server,nowait", path);
    chr->in_fd = chr->out_fd = chr->listen_fd = -1;
    struct sockaddr_un sa;
    if (!chardev_unix_addr(path, &sa, error) || !chardev_start_server(chr, &sa, error)) {
        chardev_close(chr);
        return NULL;
    }
    return chr;
}

bool chardev_connected(const Chardev *chr)
{
    return chr->out_fd >= 0;
}

Chardev *chardev_mux_attach(Chardev *mux, GError **error)
{
    if (!mux || !mux->mux || mux->peer) {
        g_set_error(error, chardev_error_quark(), 0,
                    "chardev '%s': not a mon:stdio backend with room for a monitor",
                    mux ? mux->spec : "(none)");
        return NULL;
    }
    Chardev *chr = g_new0(Chardev, 1);
    chr->spec = g_strdup(mux->spec);
    chr->kind = CHARDEV_MUX;
    chr->in_fd = chr->out_fd = chr->listen_fd = -1;
    chr->peer = mux;
    mux->peer = chr;
    return chr;
}

void chardev_on_focus(Chardev *chr, void (*focused)(void *opaque))
{
    chr->focused = focused;
}

static bool chardev_is_socket(const Chardev *chr)
{
    return chr->kind == CHARDEV_UNIX || chr->kind == CHARDEV_UNIX_SERVER;
}

static void chardev_drop_client(Chardev *chr)
{
    if (chr->in_fd >= 0)
        close(chr->in_fd);
    chr->in_fd = chr->out_fd = -1;
    if (chr->pending)
        g_byte_array_set_size(chr->pending, 0);
}

/* A socket peer that cannot be written to any more (it hung up, or stopped reading
 * until CHARDEV_OUT_MAX was waiting): what it sent and was not yet taken goes with
 * it. A server waits for its next client; a client has lost its server, so nothing
 * more comes from it either and later output is dropped as on a cut line. */
static void chardev_lose_peer(Chardev *chr)
{
    chardev_drop_client(chr);
    chr->head = chr->len = 0;
    if (chr->kind == CHARDEV_UNIX)
        chr->eof = true;
}

/* Send what is queued for a socket peer, as much as it takes without blocking. */
static void chardev_flush(Chardev *chr)
{
    while (chr->out_fd >= 0 && chr->pending->len > 0) {
        ssize_t n = send(chr->out_fd, chr->pending->data, chr->pending->len, MSG_NOSIGNAL);
        if (n > 0)
            g_byte_array_remove_range(chr->pending, 0, (guint)n);
        else if (n < 0 && errno == EINTR)
            continue;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        else
            chardev_lose_peer(chr); /* EPIPE, ECONNRESET: the peer is gone */
    }
}

void chardev_close(Chardev *chr)
{
    if (!chr)
        return;
    if (chr->peer) {
        chr->peer->peer = NULL;
        chr->peer->peer_focused = false;
    }
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
        chardev_flush(chr); /* a last try, without waiting */
        chardev_drop_client(chr);
        g_byte_array_unref(chr->pending);
        if (chr->listen_fd >= 0)
            close(chr->listen_fd);
        if (chr->path)
            unlink(chr->path);
        break;
    case CHARDEV_NULL:
    case CHARDEV_MUX:
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

/* Sockets never block the emulator: what the peer does not take at once waits in
 * its queue, flushed as the peer reads (chardev_poll); a peer that lets more than
 * CHARDEV_OUT_MAX bytes pile up is disconnected. The terminal and files are
 * written through, waiting when they are slow, as QEMU does. */
size_t chardev_write(Chardev *chr, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t done = 0;

    if (chr->kind == CHARDEV_MUX)
        return chr->peer ? chardev_write(chr->peer, buf, len) : len;
    chardev_try_accept(chr);
    if (chr->out_fd < 0)
        return len; /* null, or no client yet: output is dropped as on a cut line */
    if (len > 0)
        chr->mid_line = p[len - 1] != '\n';
    if (chardev_is_socket(chr)) {
        g_byte_array_append(chr->pending, p, (guint)len);
        chardev_flush(chr);
        if (chr->out_fd >= 0 && chr->pending->len > CHARDEV_OUT_MAX) {
            fprintf(stderr,
                    "tessera: chardev '%s': the client stopped reading (%u bytes of output "
                    "waiting, the limit is %u): disconnected\n",
                    chr->spec, chr->pending->len, CHARDEV_OUT_MAX);
            chardev_lose_peer(chr);
        }
        return len;
    }
    while (done < len) {
        ssize_t n = write(chr->out_fd, p + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = chr->out_fd, .events = POLLOUT };
            poll(&pfd, 1, -1);
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
        const uint8_t *data = chr->buf + chr->head;
        /* Taken before the call: a reply that loses the peer empties the buffer. */
        chr->head += n;
        chr->len -= n;
        chr->read(chr->opaque, data, n);
    }
    if (chr->len == 0)
        chr->head = 0;
}

static void chardev_push(Chardev *chr, uint8_t c)
{
    chr->buf[chr->head + chr->len++] = c;
}

/* mon:stdio: hand the monitor the keys it has been sent so far. */
static void chardev_mux_serve(Chardev *chr)
{
    if (chr->kind == CHARDEV_STDIO && chr->peer)
        chardev_deliver(chr->peer);
}

/* Ctrl-A c on mon:stdio: the keyboard moves between the serial port and the
 * monitor, and the side that gets it hears so (the monitor shows its prompt) on a
 * line of its own. */
static void chardev_mux_switch(Chardev *chr)
{
    if (!chr->peer)
        return;
    chr->peer_focused = !chr->peer_focused;
    Chardev *to = chr->peer_focused ? chr->peer : chr;
    if (chr->mid_line)
        chardev_write(chr, "\n", 1);
    to->focused_once = true;
    if (to->focused)
        to->focused(to->opaque);
}

/* The terminal's output processing (OPOST, left on) turns \n into \r\n. */
static const char stdio_help[] = "\nC-a h    print this help\n"
                                 "C-a x    exit emulator\n";
static const char mux_help[] = "C-a c    switch between console and monitor\n";
static const char escape_help[] = "C-a C-a  sends C-a\n";

/* The -nographic escape: Ctrl-A then a command key; unknown keys are dropped. Other
 * keys go to whichever side has the keyboard. */
static void chardev_stdio_byte(Chardev *chr, uint8_t c)
{
    Chardev *to = chr->peer_focused ? chr->peer : chr;
    if (chr->escape) {
        chr->escape = false;
        if (c != CHARDEV_ESCAPE)
            chardev_mux_serve(chr);
        if (c == CHARDEV_ESCAPE) {
            chardev_push(to, c);
        } else if (c == 'x') {
            chr->quit = true;
        } else if (c == 'c') {
            chardev_mux_switch(chr);
        } else if (c == 'h' || c == '?') {
            chardev_write(chr, stdio_help, sizeof(stdio_help) - 1);
            if (chr->peer)
                chardev_write(chr, mux_help, sizeof(mux_help) - 1);
            chardev_write(chr, escape_help, sizeof(escape_help) - 1);
        }
    } else if (c == CHARDEV_ESCAPE) {
        chr->escape = true;
    } else {
        chardev_push(to, c);
    }
}

static void chardev_compact(Chardev *chr)
{
    if (chr->head > 0 && chr->len > 0)
        memmove(chr->buf, chr->buf + chr->head, chr->len);
    chr->head = 0;
}

/* What one read may bring: on mon:stdio any byte may be for either side, so as
 * much as the fuller of the two buffers still takes. */
static size_t chardev_room(const Chardev *chr)
{
    size_t room = CHARDEV_BUF - chr->len;
    if (chr->kind == CHARDEV_STDIO && chr->peer && CHARDEV_BUF - chr->peer->len < room)
        room = CHARDEV_BUF - chr->peer->len;
    return room;
}

/* One read() into the free tail of the buffer(s); the caller has seen POLLIN. */
static void chardev_fill(Chardev *chr)
{
    chardev_compact(chr);
    if (chr->kind == CHARDEV_STDIO && chr->peer)
        chardev_compact(chr->peer);
    uint8_t tmp[CHARDEV_BUF];
    size_t room = chardev_room(chr);
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
        chardev_mux_serve(chr);
    } else {
        memcpy(chr->buf + chr->len, tmp, (size_t)n);
        chr->len += (size_t)n;
    }
}

/* The descriptor input may arrive on now: the data fd, a server's listening
 * socket, or -1 when there is nothing to wait for. */
static int chardev_watch_fd(const Chardev *chr)
{
    if (chr->eof || chardev_room(chr) == 0)
        return -1;
    if (chr->in_fd >= 0)
        return chr->in_fd;
    return chr->kind == CHARDEV_UNIX_SERVER ? chr->listen_fd : -1;
}

/* The backend whose descriptors carry chr's input: chr itself, or for the monitor's
 * side of mon:stdio the terminal (NULL once that is closed). */
static Chardev *chardev_io(const Chardev *chr)
{
    return chr->kind == CHARDEV_MUX ? chr->peer : (Chardev *)chr;
}

/* Polling either side of mon:stdio reads the terminal for both; each side is given
 * only its own keys, so a paused guest is not fed while the monitor is served. */
void chardev_poll(Chardev *chr, int timeout_ms)
{
    Chardev *io = chardev_io(chr);
    chardev_deliver(chr);
    if (chr->len > 0)
        timeout_ms = 0; /* the device is full; do not sleep on its behalf */

    int fd = io ? chardev_watch_fd(io) : -1;
    short events = POLLIN;
    if (io && io->pending && io->pending->len > 0) {
        chardev_flush(io);
        if (io->pending->len > 0 && fd < 0) {
            fd = io->out_fd;
            events = POLLOUT;
        } else if (io->pending->len > 0) {
            events |= POLLOUT; /* fd is the peer's socket: the queue is for it */
        }
    }
    struct pollfd pfd = { .fd = fd, .events = events };
    int ready = poll(&pfd, fd >= 0, timeout_ms);
    if (ready <= 0 || fd < 0)
        return;
    if (pfd.revents & POLLOUT)
        chardev_flush(io);
    if (!(events & POLLIN) || (fd != io->in_fd && fd != io->listen_fd))
        return; /* only output was waited for, or the flush lost the peer */
    if (fd == io->listen_fd) {
        chardev_try_accept(io);
        /* The new client may have sent something already. */
        fd = io->in_fd;
        if (fd < 0)
            return;
        pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 0) <= 0)
            return;
    }
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
        chardev_fill(io);
    chardev_deliver(chr);
}

bool chardev_quit_requested(const Chardev *chr)
{
    const Chardev *io = chardev_io(chr);
    return io && io->quit;
}

bool chardev_has_input(const Chardev *chr)
{
    if (chr->len > 0)
        return true;
    const Chardev *io = chardev_io(chr);
    int fd = io ? chardev_watch_fd(io) : -1;
    if (fd < 0 || fd == io->listen_fd)
        return false;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}
