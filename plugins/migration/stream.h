/* SPDX-License-Identifier: MIT */
/*
 * The .tsnap stream over a socket: the header, sections and footer of a file
 * (docs/snapshot-format.md), written as they are produced and read as they come.
 * A file is this stream written once; a migration adds sections a file never has.
 */
#ifndef TSNAP_STREAM_H
#define TSNAP_STREAM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct StreamOut {
    GByteArray *buf;   /* produced, not yet written */
    size_t off;        /* bytes of buf written already */
    uint64_t total;    /* bytes put into the stream (the footer records it) */
    uint32_t sections;
} StreamOut;

void stream_out_init(StreamOut *o);
void stream_out_free(StreamOut *o);
void stream_put_header(StreamOut *o);
void stream_put_section(StreamOut *o, uint32_t type, const void *payload, size_t len);
void stream_put_footer(StreamOut *o);
size_t stream_pending(const StreamOut *o);
/* Write what is pending. timeout_ms 0: what the socket takes now; otherwise all of
 * it, waiting at most timeout_ms each time the socket is full. Returns the bytes
 * written, or -1 with err ("the destination closed the connection", "time-out"). */
int64_t stream_flush(StreamOut *o, int fd, int timeout_ms, const char *peer, char *err,
                     size_t errlen);

typedef struct StreamIn {
    int fd;
    int timeout_ms;   /* the longest silence accepted */
    const char *peer; /* "source" or "destination", for messages */
    uint64_t total;   /* bytes read, header included */
    uint32_t sections;
} StreamIn;

/* The 32-byte header: magic, format version, flags 0. */
int stream_read_header(StreamIn *in, char *err, size_t errlen);
/* The next section (1: *type and payload set, both CRCs checked; payloads longer
 * than max are refused), or the footer (0: its size and section count checked). */
int stream_read_section(StreamIn *in, uint32_t *type, GByteArray *payload, uint64_t max,
                        char *err, size_t errlen);

#endif /* TSNAP_STREAM_H */
