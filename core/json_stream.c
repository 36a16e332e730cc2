/* SPDX-License-Identifier: MIT */
#include "json_stream.h"

#include <glib.h>

typedef enum ValueKind {
    KIND_NONE,      /* between values */
    KIND_CONTAINER, /* an object or array */
    KIND_STRING,    /* a top-level string */
    KIND_TOKEN,     /* any other top-level token: a number, true, garbage */
} ValueKind;

struct JsonStream {
    size_t max_size;
    unsigned max_depth;
    ValueKind kind;
    size_t depth;  /* open brackets; may pass max_depth while skipping */
    bool in_str;   /* inside a string (of a container, or the top-level one) */
    bool esc;      /* after a backslash inside a string */
    bool skipping; /* the value was reported as an error: scan the rest, keep nothing */
    GString *value;
    GString *error;
};

JsonStream *json_stream_new(size_t max_size, unsigned max_depth)
{
    JsonStream *js = g_new0(JsonStream, 1);
    js->max_size = max_size ? max_size : 1;
    js->max_depth = max_depth;
    js->value = g_string_new(NULL);
    js->error = g_string_new(NULL);
    return js;
}

void json_stream_free(JsonStream *js)
{
    if (!js)
        return;
    g_string_free(js->value, TRUE);
    g_string_free(js->error, TRUE);
    g_free(js);
}

void json_stream_reset(JsonStream *js)
{
    js->kind = KIND_NONE;
    js->depth = 0;
    js->in_str = js->esc = js->skipping = false;
    g_string_truncate(js->value, 0);
    g_string_truncate(js->error, 0);
}

bool json_stream_pending(const JsonStream *js)
{
    return js->kind != KIND_NONE;
}

const char *json_stream_value(const JsonStream *js, size_t *len)
{
    if (len)
        *len = js->value->len;
    return js->value->str;
}

const char *json_stream_error(const JsonStream *js)
{
    return js->error->str;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* What ends a bare top-level token (and is not part of it). */
static bool ends_token(char c)
{
    return is_space(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == '"' ||
           c == ',' || c == ':';
}

/* Scan one byte of a string (inside a container or at the top level); true at its
 * closing quote. */
static bool string_byte(JsonStream *js, char c)
{
    if (js->esc)
        js->esc = false;
    else if (c == '\\')
        js->esc = true;
    else if (c == '"')
        return true;
    return false;
}

/* Scan one byte of an object or array; true where it ends. Sets *deep when the
 * byte opens one level too many. */
static bool container_byte(JsonStream *js, char c, bool *deep)
{
    if (js->in_str) {
        if (string_byte(js, c))
            js->in_str = false;
    } else if (c == '"') {
        js->in_str = true;
    } else if (c == '{' || c == '[') {
        js->depth++;
        *deep = js->depth > js->max_depth;
    } else if (c == '}' || c == ']') {
        /* A mismatched bracket ({"a": 1]) still closes a level: the parser reports
         * the value as invalid and the stream stays in step. */
        js->depth--;
        return js->depth == 0;
    }
    return false;
}

JsonStreamEvent json_stream_next(JsonStream *js, const char *buf, size_t len, size_t *used)
{
    size_t i = 0;
    g_string_truncate(js->error, 0);
    while (i < len) {
        char c = buf[i];
        if (js->kind == KIND_NONE) {
            if (is_space(c)) {
                i++;
                continue;
            }
            if (c == '}' || c == ']' || c == ',' || c == ':') {
                g_string_printf(js->error, "unexpected '%c' where a JSON value should start", c);
                *used = i + 1;
                return JSON_STREAM_ERROR;
            }
            js->kind = c == '{' || c == '[' ? KIND_CONTAINER
                       : c == '"'           ? KIND_STRING
                                            : KIND_TOKEN;
            js->depth = 0;
            js->in_str = js->esc = js->skipping = false;
            g_string_truncate(js->value, 0);
        }
        if (js->kind == KIND_TOKEN && ends_token(c)) {
            /* c belongs to whatever comes next. */
            js->kind = KIND_NONE;
            if (js->skipping)
                continue;
            *used = i;
            return JSON_STREAM_VALUE;
        }
        i++;

        bool error = false;
        if (!js->skipping) {
            if (js->value->len < js->max_size) {
                g_string_append_c(js->value, c);
            } else {
                g_string_printf(js->error, "JSON value longer than %zu bytes", js->max_size);
                js->skipping = error = true;
            }
        }
        bool done = false, deep = false;
        if (js->kind == KIND_CONTAINER)
            done = container_byte(js, c, &deep);
        else if (js->kind == KIND_STRING && !js->in_str)
            js->in_str = true; /* the opening quote */
        else if (js->kind == KIND_STRING)
            done = string_byte(js, c);
        if (deep && !js->skipping) {
            g_string_printf(js->error, "JSON value nested deeper than %u levels", js->max_depth);
            js->skipping = error = true;
        }
        if (done)
            js->kind = KIND_NONE;
        if (error) {
            g_string_truncate(js->value, 0);
            *used = i;
            return JSON_STREAM_ERROR;
        }
        if (done && !js->skipping) {
            *used = i;
            return JSON_STREAM_VALUE;
        }
    }
    *used = len;
    return JSON_STREAM_MORE;
}
