/* SPDX-License-Identifier: MIT */
/*
 * An incremental splitter for a stream of JSON values (what QMP clients send):
 * bytes go in as they arrive, in chunks of any size, and complete top-level values
 * come out one at a time, as text for a real parser. It does not validate JSON; it
 * tracks only what it needs to find where a value ends (nesting depth, inside a
 * string, after a backslash) and so stays in sync whatever arrives:
 *
 *  - an object or array ends where its depth comes back to 0 (brackets inside
 *    strings, and escaped quotes, do not count); a top-level string at its closing
 *    quote; any other top-level token (42, true, garbage) at the next whitespace or
 *    structural character, which is not part of it;
 *  - a `}`, `]`, `,` or `:` where a value should start is an error by itself;
 *  - a value longer than max_size bytes, or nested deeper than max_depth, is an
 *    error as soon as that is seen; the rest of it is then skipped (scanned, not
 *    stored) so the stream resumes with the value after it.
 *
 * Whitespace between values is skipped. A token at the very end of the input (a
 * bare `42` with nothing after it) is complete only once something follows it.
 */
#ifndef CORE_JSON_STREAM_H
#define CORE_JSON_STREAM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct JsonStream JsonStream;

typedef enum JsonStreamEvent {
    JSON_STREAM_MORE,  /* all the input was used and no value is complete yet */
    JSON_STREAM_VALUE, /* a complete value: json_stream_value() */
    JSON_STREAM_ERROR, /* malformed input: json_stream_error() says what */
} JsonStreamEvent;

/* max_size: the longest value kept, in bytes (at least 1); max_depth: how deeply
 * objects and arrays may nest ({} is depth 1). */
JsonStream *json_stream_new(size_t max_size, unsigned max_depth);
void json_stream_free(JsonStream *js);
/* Forget any partial value (a new client). */
void json_stream_reset(JsonStream *js);

/* Scan buf[0..len) up to the end of the next value or error. *used is set to the
 * number of bytes taken; call again with the rest (buf + *used) until it returns
 * JSON_STREAM_MORE, which always takes everything. */
JsonStreamEvent json_stream_next(JsonStream *js, const char *buf, size_t len, size_t *used);

/* The value the last JSON_STREAM_VALUE yielded (NUL-terminated; *len, if given, is
 * its length, which counts any NUL bytes in it). Valid until the next call. */
const char *json_stream_value(const JsonStream *js, size_t *len);
/* What the last JSON_STREAM_ERROR was about. Valid until the next call. */
const char *json_stream_error(const JsonStream *js);
/* Inside a value (or skipping the rest of a bad one). */
bool json_stream_pending(const JsonStream *js);

#endif /* CORE_JSON_STREAM_H */
