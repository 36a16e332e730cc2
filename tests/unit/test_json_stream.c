/* SPDX-License-Identifier: MIT */
/* The incremental JSON stream splitter QMP reads its commands with. */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "json_stream.h"

#define CMD "{\"execute\": \"query-status\"}"

/* Feed `len` bytes of `text` to `js` in chunks of `chunk` bytes (0: all at once)
 * and return what came out, one line each: "V <value>" or "E <error>". */
static char *split_with(JsonStream *js, const char *text, size_t len, size_t chunk)
{
    GString *out = g_string_new(NULL);
    if (!chunk)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk, pos = 0;
        for (;;) {
            size_t used = 12345;
            JsonStreamEvent ev = json_stream_next(js, text + off + pos, n - pos, &used);
            cr_assert_leq(used, n - pos, "used %zu of %zu bytes", used, n - pos);
            pos += used;
            if (ev == JSON_STREAM_MORE) {
                cr_assert_eq(pos, n, "MORE must take all the input");
                break;
            }
            if (ev == JSON_STREAM_VALUE)
                g_string_append_printf(out, "V %s\n", json_stream_value(js, NULL));
            else
                g_string_append_printf(out, "E %s\n", json_stream_error(js));
        }
    }
    return g_string_free(out, FALSE);
}

static char *split(const char *text, size_t chunk, size_t max_size, unsigned max_depth)
{
    JsonStream *js = json_stream_new(max_size, max_depth);
    char *out = split_with(js, text, strlen(text), chunk);
    json_stream_free(js);
    return out;
}

static void expect(const char *text, size_t chunk, const char *want)
{
    char *got = split(text, chunk, 1024, 16);
    cr_expect_str_eq(got, want, "input \"%s\" in chunks of %zu", text, chunk);
    g_free(got);
}

/* The same output whether the input comes all at once or a byte (or 3) at a time. */
static void expect_any_chunks(const char *text, const char *want)
{
    expect(text, 0, want);
    expect(text, 1, want);
    expect(text, 3, want);
}

Test(json_stream, one_command)
{
    expect_any_chunks(CMD, "V " CMD "\n");
}

Test(json_stream, two_commands_in_one_chunk)
{
    expect(CMD CMD, 0, "V " CMD "\nV " CMD "\n");
    expect("  " CMD "\r\n\t" CMD "\n", 0, "V " CMD "\nV " CMD "\n");
}

Test(json_stream, byte_at_a_time)
{
    const char *text = "{\"execute\": \"human-monitor-command\", \"arguments\": "
                       "{\"command-line\": \"info status\"}, \"id\": [1, {\"a\": 2}]}\n" CMD;
    char *want = g_strdup_printf("V %.*s\nV %s\n", (int)(strchr(text, '\n') - text), text, CMD);
    expect(text, 1, want);
    g_free(want);
}

Test(json_stream, escaped_quotes_and_braces_in_strings)
{
    /* Braces and brackets in strings do not count; \" does not end a string, \\ does
     * not escape the quote after it. */
    const char *a = "{\"execute\": \"x}}]]\\\"{{[\", \"b\": \"\\\\\"}";
    const char *b = "{\"s\": \"\\\\\\\"}\"}";
    char *text = g_strconcat(a, b, CMD, NULL);
    char *want = g_strdup_printf("V %s\nV %s\nV %s\n", a, b, CMD);
    expect_any_chunks(text, want);
    /* A top-level string with an escaped quote is one value. */
    expect_any_chunks("\"a\\\"}b\" " CMD, "V \"a\\\"}b\"\nV " CMD "\n");
    g_free(text);
    g_free(want);
}

Test(json_stream, stray_close_brace)
{
    /* The old splitter's depth went to -1 here and never came back to 0. */
    expect_any_chunks("}" CMD, "E unexpected '}' where a JSON value should start\nV " CMD "\n");
    expect_any_chunks("} ]" CMD,
                      "E unexpected '}' where a JSON value should start\n"
                      "E unexpected ']' where a JSON value should start\nV " CMD "\n");
    /* One too many at the end of an object. */
    expect_any_chunks("{}}" CMD,
                      "V {}\nE unexpected '}' where a JSON value should start\nV " CMD "\n");
}

Test(json_stream, non_object_then_command)
{
    /* Each top-level value comes out by itself, never glued to the next command. */
    expect_any_chunks("[1]" CMD, "V [1]\nV " CMD "\n");
    expect_any_chunks("42" CMD, "V 42\nV " CMD "\n");
    expect_any_chunks("42\n" CMD, "V 42\nV " CMD "\n");
    expect_any_chunks("true null \"s\"" CMD, "V true\nV null\nV \"s\"\nV " CMD "\n");
    expect_any_chunks("garbage" CMD, "V garbage\nV " CMD "\n");
    /* A token at the end of the input is complete only when something follows. */
    expect("42", 0, "");
}

Test(json_stream, too_long_inside_a_string_then_recovery)
{
    /* Over the limit in the middle of a string full of braces: the error comes at
     * once, the rest of the value is skipped (its braces, inside the string, do not
     * count) and the next command comes out whole. */
    GString *text = g_string_new("{\"execute\": \"");
    for (int i = 0; i < 200; i++)
        g_string_append(text, "}{x");
    g_string_append(text, "\"}" CMD);
    for (size_t chunk = 0; chunk < 4; chunk++) {
        char *got = split(text->str, chunk, 64, 16);
        cr_expect_str_eq(got, "E JSON value longer than 64 bytes\nV " CMD "\n",
                         "chunks of %zu", chunk);
        g_free(got);
    }
    /* Exactly at the limit is fine. */
    char *got = split(CMD CMD, 0, strlen(CMD), 16);
    cr_expect_str_eq(got, "V " CMD "\nV " CMD "\n");
    g_free(got);
    /* An over-long bare token, too. */
    got = split("1234567890123456789012345678901234567890 " CMD, 1, 30, 16);
    cr_expect_str_eq(got, "E JSON value longer than 30 bytes\nV " CMD "\n");
    g_free(got);
    g_string_free(text, TRUE);
}

Test(json_stream, depth_limit)
{
    /* Four levels are allowed, five are not; the deep value is skipped to its end. */
    const char *ok = "[[[{\"a\": 1}]]]";
    const char *deep = "[[[[[1, \"]]]]]\"]], {\"b\": [2]}]]]";
    char *text = g_strconcat(ok, deep, CMD, NULL);
    char *want = g_strdup_printf("V %s\nE JSON value nested deeper than 4 levels\nV %s\n", ok, CMD);
    for (size_t chunk = 0; chunk < 4; chunk++) {
        JsonStream *js = json_stream_new(1024, 4);
        char *got = split_with(js, text, strlen(text), chunk);
        cr_expect_str_eq(got, want, "chunks of %zu", chunk);
        cr_expect_not(json_stream_pending(js));
        g_free(got);
        json_stream_free(js);
    }
    g_free(text);
    g_free(want);
}

Test(json_stream, reset_forgets_a_partial_value)
{
    JsonStream *js = json_stream_new(1024, 16);
    char *got = split_with(js, "{\"execute\": \"sto", 16, 0);
    cr_expect_str_eq(got, "");
    cr_expect(json_stream_pending(js));
    g_free(got);
    json_stream_reset(js);
    cr_expect_not(json_stream_pending(js));
    got = split_with(js, CMD, strlen(CMD), 0);
    cr_expect_str_eq(got, "V " CMD "\n");
    g_free(got);
    json_stream_free(js);
}

Test(json_stream, nul_bytes_are_kept)
{
    JsonStream *js = json_stream_new(1024, 16);
    static const char text[] = "[\"a\0b\"] ";
    size_t used, len;
    cr_assert_eq(json_stream_next(js, text, sizeof(text) - 1, &used), JSON_STREAM_VALUE);
    cr_expect_eq(used, 7);
    const char *v = json_stream_value(js, &len);
    cr_expect_eq(len, 7);
    cr_expect(memcmp(v, text, 7) == 0);
    json_stream_free(js);
}
