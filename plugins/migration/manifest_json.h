/* SPDX-License-Identifier: MIT */
/* json-glib helpers shared by the manifest and dump writers (internal). */
#ifndef TSNAP_MANIFEST_JSON_H
#define TSNAP_MANIFEST_JSON_H

#include <json-glib/json-glib.h>

#include "format.h"

const char *manifest_kind_name(uint32_t kind);
/* kind name -> TesseraPluginKind, 0 when unknown. */
uint32_t manifest_kind_parse(const char *name);
/* Adds the snapshot manifest members to an open object. */
void manifest_add_snapshot(JsonBuilder *b, const TsnapFile *f);
/* Pretty JSON with a trailing newline, malloc'd. */
char *manifest_to_string(JsonBuilder *b);

#endif /* TSNAP_MANIFEST_JSON_H */
