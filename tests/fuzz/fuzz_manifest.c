/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: an installation manifest from outside (tessera-snap check
 * --manifest, convert --to, tessera -savevm-compat): the size and depth pre-scan,
 * the json-glib parse, every member's type and range checks, and what negotiation
 * then does with each plugin entry.
 */
#include <stdint.h>
#include <stdlib.h>

#include "manifest_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    Manifest *m = manifest_parse((const char *)data, size, "fuzz manifest", err, sizeof(err));
    if (!m)
        return 0;
    for (guint i = 0; i < m->plugins->len; i++) {
        const ManifestPlugin *p = m->plugins->pdata[i];
        const ManifestPlugin *best = manifest_find(m, p->name);
        if (!best || manifest_semver_compare(best->version, p->version) < 0)
            abort(); /* manifest_find must return the highest version of that name */
        if (!p->has_schema)
            continue;
        uint32_t via, out;
        for (uint32_t v = 0; v <= p->schema.version + 1 && v < 64; v++) {
            negotiate_load(&p->schema, v, &via);
            negotiate_save_from(&p->schema, v);
        }
        negotiate_save(&p->schema, &best->schema, &out);
    }
    manifest_free(m);
    return 0;
}
