/* SPDX-License-Identifier: MIT */
#include "json_limits.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

static void size_error(const char *origin, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: JSON larger than %zu MiB (the limit for JSON input)", origin,
             TSNAP_JSON_MAX_SIZE >> 20);
}

bool tsnap_json_check(const char *json, size_t len, const char *origin, char *err, size_t errlen)
{
    if (len > TSNAP_JSON_MAX_SIZE) {
        size_error(origin, err, errlen);
        return false;
    }
    unsigned depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (in_string) {
            if (c == '\\')
                i++; /* the escaped byte, '"' and '\\' included; \uXXXX is plain hex after it */
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            if (++depth > TSNAP_JSON_MAX_DEPTH) {
                snprintf(err, errlen,
                         "%s: JSON nested deeper than %d levels (the limit for JSON input)",
                         origin, TSNAP_JSON_MAX_DEPTH);
                return false;
            }
            break;
        case ']':
        case '}':
            if (depth) /* unbalanced input is the parser's to report */
                depth--;
            break;
        default:
            break;
        }
    }
    return true;
}

char *tsnap_json_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, g_strerror(errno));
        return NULL;
    }
    /* Read at most one byte past the limit: a pipe or a huge file is refused early. */
    GString *buf = g_string_new(NULL);
    char chunk[65536];
    size_t n;
    while (buf->len <= TSNAP_JSON_MAX_SIZE && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        g_string_append_len(buf, chunk, (gssize)n);
    bool failed = ferror(fp);
    int saved = errno;
    fclose(fp);
    if (failed) {
        snprintf(err, errlen, "%s: %s", path, g_strerror(saved));
        g_string_free(buf, TRUE);
        return NULL;
    }
    if (!tsnap_json_check(buf->str, buf->len, path, err, errlen)) {
        g_string_free(buf, TRUE);
        return NULL;
    }
    *len = buf->len;
    return g_string_free(buf, FALSE);
}
