/* SPDX-License-Identifier: MIT */
/* Plugin discovery, validation and lookup. */
#ifndef CORE_PLUGIN_H
#define CORE_PLUGIN_H

#include <gmodule.h>
#include <stdio.h>
#include <tessera/tessera.h>

#include "semver.h"

typedef struct Plugin {
    char *path;
    GModule *module;
    int fd; /* the checked file, loaded as /proc/self/fd/N; open while module is */
    const TesseraPluginDescriptor *desc;
    SemVer version;
    /* From the class: the state schema, or the blocker reason. */
    const TesseraStateSchema *schema;
    const char *blocker;
    /* A plugin built for ABI 1.0/1.1 has its schema copied into current structs
     * (fields gained member_size in 1.2): `schema` then points into these. */
    GPtrArray *schema_copy;
} Plugin;

typedef struct PluginRefusal {
    char *path;
    char *reason; /* one line */
    char *name;   /* the descriptor's name when it was read that far, else NULL */
} PluginRefusal;

typedef struct PluginRegistry {
    GPtrArray *plugins; /* Plugin*, in discovery order */
    GPtrArray *refused; /* PluginRefusal* */
    GPtrArray *dirs;    /* char*, the search path in order */
    GPtrArray *set_aside; /* Plugin*: loaded, but excluded by registry_pin */
} PluginRegistry;

PluginRegistry *registry_new(void);
void registry_free(PluginRegistry *reg);

/* Search path, in order: extra_dirs (-plugin-path), $TESSERA_PLUGIN_PATH (colon
 * separated), the build tree when running uninstalled, the installed plugindir. */
void registry_add_default_dirs(PluginRegistry *reg, char **extra_dirs);
void registry_add_dir(PluginRegistry *reg, const char *dir);
/* Load every plugin file (*.so, recursively) in the search path. */
void registry_scan(PluginRegistry *reg);
/* Load one file; on refusal it is recorded and NULL returned. */
const Plugin *registry_load_file(PluginRegistry *reg, const char *path);

/* Highest version of `name` of `kind` satisfying `constraint`, or NULL with an error
 * naming the plugin, the constraint and the versions present. */
const Plugin *registry_find(const PluginRegistry *reg, const char *name, const char *constraint,
                            TesseraPluginKind kind, GError **error);

/* `-plugin-version NAME=CONSTRAINT`: from now on only versions of NAME satisfying
 * CONSTRAINT are found or listed; the others are set aside. Fails (naming the plugin
 * and the versions present) on a malformed spec, an unknown plugin, or when no
 * version satisfies the constraint. */
bool registry_pin(PluginRegistry *reg, const char *spec, GError **error);

/* Whether a refused file may have been plugin `name`: its descriptor said so, or,
 * refused before that was read, its file name is NAME.so or NAME-*.so or it lies in
 * a directory NAME (the installed NAME/VERSION/ layout). */
bool registry_refusal_may_be(const PluginRefusal *r, const char *name);

const char *plugin_kind_name(uint32_t kind);
/* The state versions a plugin loads and saves, converter chains counted ("load
 * v1-v2 save v1-v2"), "blocked: REASON" or "-" (g_free). */
char *registry_plugin_state(const Plugin *p);
/* `tessera --list-plugins`. */
void registry_print(const PluginRegistry *reg, FILE *out);

#endif /* CORE_PLUGIN_H */
