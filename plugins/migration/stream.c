/* SPDX-License-Identifier: MIT */
/* The .tsnap stream over a socket (stream.h). */
#include "stream.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crc32c.h"
#include "format.h"
#include "wire.h"

void stream_out_init(StreamOut *o)
{
    *o = (StreamOut){.buf = g_byte_array_new()};
}

void stream_out_free(StreamOut *o)
{
    if (o->buf)
        g_byte_array_free(o->buf, TRUE);
    o->buf = NULL;
}

static void put(StreamOut *o, const void *p, size_t len)
{
    /* Drop what was written before growing, so the buffer stays small. */
    if (o->off && o->off == o->buf->len) {
        g_byte_array_set_size(o->buf, 0);
        o->off = 0;
    }
    g_byte_array_append(o->buf, p, (guint)len);
    o->total += len;
}

void stream_put_header(StreamOut *o)
{
    uint8_t h[TSNAP_HEADER_SIZE];
    tsnap_file_header(h);
    put(o, h, sizeof(h));
}

void stream_put_section(StreamOut *o, uint32_t type, const void *payload, size_t len)
{
    uint8_t h[TSNAP_SECTION_HEADER_SIZE];
    tsnap_section_header(h, type, len, crc32c(0, payload, len));
    put(o, h, sizeof(h));
    put(o, payload, len);
    o->sections++;
}

void stream_put_footer(StreamOut *o)
{
    uint8_t f[TSNAP_FOOTER_SIZE];
    tsnap_file_footer(f, o->total + TSNAP_FOOTER_SIZE, o->sections);
    put(o, f, sizeof(f));
}

size_t stream_pending(const StreamOut *o)
{
    return o->buf->len - o->off;
}

int64_t stream_flush(StreamOut *o, int fd, int timeout_ms, const char *peer, char *err,
                     size_t errlen)
{
    int64_t written = 0;
    while (stream_pending(o)) {
        ssize_t n = send(fd, o->buf->data + o->off, stream_pending(o), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            o->off += (size_t)n;
            written += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!timeout_ms)
                break;
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int r = poll(&p, 1, timeout_ms);
            if (r == 0) {
                snprintf(err, errlen, "time-out: the %s took nothing for %d ms", peer, timeout_ms);
                return -1;
            }
            continue;
        }
        snprintf(err, errlen, "the %s closed the connection (%s)", peer,
                 n < 0 ? g_strerror(errno) : "end of stream");
        return -1;
    }
    return written;
}

/* Exactly len bytes, or -1: end of stream, an error, or timeout_ms of silence. */
static int read_exact(StreamIn *in, void *buf, size_t len, const char *what, char *err,
                      size_t errlen)
{
    uint8_t *p = buf;
    size_t got = 0;
    while (got < len) {
        struct pollfd pf = {.fd = in->fd, .events = POLLIN};
        int r = poll(&pf, 1, in->timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            snprintf(err, errlen, "time-out: nothing from the %s for %d ms (in %s)", in->peer,
                     in->timeout_ms, what);
            return -1;
        }
        ssize_t n = recv(in->fd, p + got, len - got, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "the %s closed the connection after %llu bytes: the stream is "
                     "truncated (in %s)", in->peer, (unsigned long long)(in->total + got), what);
            return -1;
        }
        got += (size_t)n;
    }
    in->total += len;
    return 0;
}

int stream_read_header(StreamIn *in, char *err, size_t errlen)
{
    uint8_t h[TSNAP_HEADER_SIZE];
    if (read_exact(in, h, sizeof(h), "the header", err, errlen) < 0)
        return -1;
    if (memcmp(h, TSNAP_MAGIC, 8) != 0) {
        snprintf(err, errlen, "the %s does not speak the Tessera stream (bad magic)", in->peer);
        return -1;
    }
    if (wire_load_u32(h + 28) != crc32c(0, h, 28)) {
        snprintf(err, errlen, "stream header checksum mismatch");
        return -1;
    }
    uint32_t version = wire_load_u32(h + 8);
    if (version != TSNAP_FORMAT_VERSION) {
        snprintf(err, errlen, "the %s sends format version %u, this reader knows version %u",
                 in->peer, version, TSNAP_FORMAT_VERSION);
        return -1;
    }
    for (unsigned i = 12; i < 28; i++)
        if (h[i]) {
            snprintf(err, errlen, "stream header reserved byte %u is not zero", i);
            return -1;
        }
    return 0;
}

int stream_read_section(StreamIn *in, uint32_t *type, GByteArray *payload, uint64_t max,
                        char *err, size_t errlen)
{
    uint8_t h[TSNAP_FOOTER_SIZE];
    uint64_t at = in->total;
    char where[64];
    snprintf(where, sizeof(where), "section %u at offset %llu", in->sections,
             (unsigned long long)at);
    if (read_exact(in, h, TSNAP_SECTION_HEADER_SIZE, where, err, errlen) < 0)
        return -1;
    if (memcmp(h, TSNAP_FOOTER_MAGIC, 8) == 0) {
        if (read_exact(in, h + TSNAP_SECTION_HEADER_SIZE,
                       TSNAP_FOOTER_SIZE - TSNAP_SECTION_HEADER_SIZE, "the footer", err,
                       errlen) < 0)
            return -1;
        if (wire_load_u32(h + 28) != crc32c(0, h, 28) || wire_load_u64(h + 8) != in->total ||
            wire_load_u32(h + 16) != in->sections) {
            snprintf(err, errlen, "the footer does not match the stream (%llu bytes, %u sections)",
                     (unsigned long long)in->total, in->sections);
            return -1;
        }
        return 0;
    }
    uint64_t len;
    uint32_t crc;
    if (tsnap_section_check(h, where, type, &len, &crc, err, errlen) < 0)
        return -1;
    if (len > max) {
        snprintf(err, errlen, "%s (%s): %llu bytes, more than the %llu this section may have",
                 where, tsnap_section_name(*type), (unsigned long long)len,
                 (unsigned long long)max);
        return -1;
    }
    g_byte_array_set_size(payload, (guint)len);
    if (read_exact(in, payload->data, len, where, err, errlen) < 0)
        return -1;
    if (crc32c(0, payload->data, len) != crc) {
        snprintf(err, errlen, "%s (%s): payload checksum mismatch", where,
                 tsnap_section_name(*type));
        return -1;
    }
    in->sections++;
    return 1;
}
