/* SPDX-License-Identifier: MIT */
/* Limits on JSON that comes from outside (installation manifests given to
 * -savevm-compat, tessera-snap check --manifest and convert --to; the manifest
 * read back from a snapshot). json-glib's parser recurses once per nesting level,
 * so a few hundred thousand '[' overflow the stack: every such input goes through
 * tsnap_json_check() first, a non-recursive scan that counts nesting only. */
#ifndef TSNAP_JSON_LIMITS_H
#define TSNAP_JSON_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#define TSNAP_JSON_MAX_SIZE ((size_t)16 << 20) /* 16 MiB */
#define TSNAP_JSON_MAX_DEPTH 64                /* nested arrays and objects */

/* true when `json` (len bytes) is at most TSNAP_JSON_MAX_SIZE bytes and nests at
 * most TSNAP_JSON_MAX_DEPTH levels (brackets inside strings, escapes included, do
 * not count). Otherwise false and a one-line error "ORIGIN: ... limit ...".
 * It does not validate the JSON: the parser does that afterwards. */
bool tsnap_json_check(const char *json, size_t len, const char *origin, char *err, size_t errlen);

/* The contents of a JSON file from outside, NUL-terminated (g_free), refusing a
 * file over TSNAP_JSON_MAX_SIZE without reading all of it, then tsnap_json_check.
 * NULL + one-line error naming `path`. */
char *tsnap_json_read_file(const char *path, size_t *len, char *err, size_t errlen);

#endif /* TSNAP_JSON_LIMITS_H */
