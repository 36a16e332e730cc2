/* SPDX-License-Identifier: MIT */
/*
 * JSON manifests (docs/snapshot-format.md, "Manifests"). This header is public to
 * the core: `tessera --dump-manifest` prints tsnap_manifest_installed(). It uses no
 * json-glib types; strings returned are malloc'd: free them with free().
 */
#ifndef TSNAP_MANIFEST_H
#define TSNAP_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <tessera/state.h>

/* One installed plugin, as the core's registry knows it. */
typedef struct TsnapInstalledPlugin {
    const char *name;
    const char *version;               /* semver */
    uint32_t kind;                     /* TesseraPluginKind */
    const TesseraStateSchema *schema;  /* NULL for none */
    const char *migration_blocker;     /* NULL for none */
} TsnapInstalledPlugin;

#define TSNAP_MANIFEST_FORMAT "tessera-manifest"
#define TSNAP_MANIFEST_VERSION 1

/* The installation manifest: every plugin with its schema's version facts. */
char *tsnap_manifest_installed(const TsnapInstalledPlugin *plugins, size_t n_plugins,
                               const char *tessera_version);

/* The manifest of a snapshot file (what TesseraMigrationClass.manifest returns). */
char *tsnap_manifest_of_file(const char *path, char *err, size_t errlen);

#endif /* TSNAP_MANIFEST_H */
