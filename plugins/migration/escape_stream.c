/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* fopencookie */
#include "escape_stream.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct Sink {
    int fd;
    uint8_t pend[4]; /* a UTF-8 sequence held back until it is complete */
    unsigned npend;
    unsigned need;   /* continuation bytes it still has to get */
    size_t n;
    char buf[4096 + 32];
} Sink;

static bool sink_flush(Sink *s)
{
    for (size_t off = 0; off < s->n;) {
        ssize_t w = write(s->fd, s->buf + off, s->n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        off += (size_t)w;
    }
    s->n = 0;
    return true;
}

static void sink_octal(Sink *s, unsigned char c)
{
    s->n += (size_t)snprintf(s->buf + s->n, 5, "\\%03o", c);
}

static bool control(unsigned char c)
{
    return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
}

/* The held-back bytes of a sequence that will not be completed, as octal. */
static void sink_cut(Sink *s)
{
    for (unsigned i = 0; i < s->npend; i++)
        sink_octal(s, s->pend[i]);
    s->npend = s->need = 0;
}

/* A complete sequence: passed on if it is well-formed UTF-8 (no overlong form, no
 * surrogate, at most U+10FFFF) and not a C1 control (U+0080-U+009F). */
static void sink_sequence(Sink *s)
{
    bool c1 = s->pend[0] == 0xc2 && s->pend[1] <= 0x9f;
    if (c1 || !g_utf8_validate((const char *)s->pend, s->npend, NULL)) {
        sink_cut(s);
        return;
    }
    memcpy(s->buf + s->n, s->pend, s->npend);
    s->n += s->npend;
    s->npend = 0;
}

/* One byte into the sink, escaped as needed: a sequence of 0x80 and up is held
 * until it is complete, so only well-formed UTF-8 ever leaves. */
static void sink_byte(Sink *s, unsigned char c)
{
    if (s->need > 0) {
        if (c >= 0x80 && c <= 0xbf) {
            s->pend[s->npend++] = c;
            if (--s->need == 0)
                sink_sequence(s);
            return;
        }
        sink_cut(s); /* a cut sequence: this byte starts afresh */
    }
    if (c < 0x80) {
        if (control(c))
            sink_octal(s, c);
        else
            s->buf[s->n++] = (char)c;
    } else if (c >= 0xc2 && c <= 0xf4) {
        s->pend[0] = c;
        s->npend = 1;
        s->need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    } else {
        sink_octal(s, c); /* a stray continuation byte (a raw C1 control), 0xc0, 0xc1, 0xf5+ */
    }
}

static ssize_t sink_write(void *cookie, const char *buf, size_t len)
{
    Sink *s = cookie;
    for (size_t i = 0; i < len; i++) {
        sink_byte(s, (unsigned char)buf[i]);
        if (s->n >= 4096 && !sink_flush(s))
            return -1;
    }
    return sink_flush(s) ? (ssize_t)len : -1;
}

char *escape_text(const char *text, size_t len)
{
    Sink s = {.fd = -1};
    GString *out = g_string_sized_new(len + 1);
    for (size_t i = 0; i < len; i++) {
        sink_byte(&s, (unsigned char)text[i]);
        if (s.n >= 4096) {
            g_string_append_len(out, s.buf, (gssize)s.n);
            s.n = 0;
        }
    }
    sink_cut(&s);
    g_string_append_len(out, s.buf, (gssize)s.n);
    return g_string_free(out, FALSE);
}

/* One sink for each standard stream, for the life of the process. */
static Sink sinks[2];

static FILE *escaping(Sink *s, int fd, int mode)
{
    s->fd = fd;
    cookie_io_functions_t io = { .write = sink_write };
    FILE *f = fopencookie(s, "w", io);
    if (f)
        setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
    return f;
}

void escape_stdio(bool also_stdout)
{
    fflush(NULL);
    FILE *err = escaping(&sinks[0], STDERR_FILENO, _IONBF);
    if (err)
        stderr = err; /* glibc lets a program assign its standard streams */
    if (also_stdout) {
        FILE *out = escaping(&sinks[1], STDOUT_FILENO, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
        if (out)
            stdout = out;
    }
}
