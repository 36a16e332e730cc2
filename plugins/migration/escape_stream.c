/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* fopencookie */
#include "escape_stream.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct Sink {
    int fd;
    bool lead_c2;  /* the last byte was 0xC2, held back: a C1 control may follow */
    unsigned need; /* continuation bytes the current UTF-8 sequence still has */
    size_t n;
    char buf[4096 + 8];
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

/* One byte into the sink, escaped as needed; a small UTF-8 decoder decides which
 * bytes of 0x80 and up belong to a well-formed sequence. */
static void sink_byte(Sink *s, unsigned char c)
{
    if (s->lead_c2) {
        s->lead_c2 = false;
        if (c >= 0x80 && c <= 0x9f) { /* U+0080-U+009F: a C1 control */
            sink_octal(s, 0xc2);
            sink_octal(s, c);
            return;
        }
        s->buf[s->n++] = (char)0xc2;
        s->need = 1;
    }
    if (s->need > 0) {
        if (c >= 0x80 && c <= 0xbf) {
            s->buf[s->n++] = (char)c;
            s->need--;
            return;
        }
        s->need = 0; /* a cut sequence: this byte starts afresh */
    }
    if (c < 0x80) {
        if (control(c))
            sink_octal(s, c);
        else
            s->buf[s->n++] = (char)c;
    } else if (c == 0xc2) {
        s->lead_c2 = true;
    } else if (c >= 0xc3 && c <= 0xf4) {
        s->buf[s->n++] = (char)c;
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
