/* SPDX-License-Identifier: MIT */
/* Reading an installation manifest (tessera --dump-manifest) for negotiation. */
#ifndef TSNAP_MANIFEST_READ_H
#define TSNAP_MANIFEST_READ_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "negotiate.h"

typedef struct ManifestPlugin {
    char *name;
    char *version;
    uint32_t kind;
    bool has_schema;
    SchemaInfo schema;   /* name and converters owned */
    char *blocker;       /* NULL for none */
} ManifestPlugin;

typedef struct Manifest {
    char *origin;        /* file name or "target manifest", for errors */
    GPtrArray *plugins;  /* ManifestPlugin* */
} Manifest;

/* NULL + one-line error naming `origin` and the offending entry. The JSON is
 * checked against json_limits.h (16 MiB, 64 levels) before it is parsed. */
Manifest *manifest_parse(const char *json, size_t len, const char *origin, char *err, size_t errlen);
Manifest *manifest_load_file(const char *path, char *err, size_t errlen);
void manifest_free(Manifest *m);

/* The highest version of plugin `name` in the manifest, or NULL. */
const ManifestPlugin *manifest_find(const Manifest *m, const char *name);

/* "1.2.3" ordering; unparsable versions sort first. */
int manifest_semver_compare(const char *a, const char *b);

#endif /* TSNAP_MANIFEST_READ_H */
