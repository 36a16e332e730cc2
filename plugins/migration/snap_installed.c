/* SPDX-License-Identifier: MIT */
/* The plugin set tessera-snap checks against. */
#include "snap_installed.h"

#include <stdio.h>
#include <glib.h>
#include <plugin.h>
#include <string.h>

#include "manifest_read.h"

struct Installed {
    PluginRegistry *reg;
    Manifest *manifest;
    GPtrArray *plugins; /* InstalledPlugin* */
    char *origin;
};

static Installed *installed_new(const char *origin)
{
    Installed *in = g_new0(Installed, 1);
    in->plugins = g_ptr_array_new_with_free_func(g_free);
    in->origin = g_strdup(origin);
    return in;
}

Installed *installed_from_registry(char **plugin_dirs, char **pins, char *err, size_t errlen)
{
    Installed *in = installed_new("installed plugins");
    in->reg = registry_new();
    registry_add_default_dirs(in->reg, plugin_dirs);
    registry_scan(in->reg);
    for (char **pin = pins; pin && *pin; pin++) {
        g_autoptr(GError) error = NULL;
        if (!registry_pin(in->reg, *pin, &error)) {
            snprintf(err, errlen, "%s", error->message);
            installed_free(in);
            return NULL;
        }
    }
    for (guint i = 0; i < in->reg->plugins->len; i++) {
        const Plugin *p = in->reg->plugins->pdata[i];
        InstalledPlugin *ip = g_new0(InstalledPlugin, 1);
        ip->name = p->desc->name;
        ip->version = p->desc->version;
        ip->kind = p->desc->kind;
        ip->schema = p->schema;
        ip->blocker = p->blocker;
        ip->has_schema = p->schema != NULL;
        if (p->schema)
            schema_info_from(p->schema, &ip->info);
        g_ptr_array_add(in->plugins, ip);
    }
    return in;
}

Installed *installed_from_manifest(const char *path, char *err, size_t errlen)
{
    Manifest *m = manifest_load_file(path, err, errlen);
    if (!m)
        return NULL;
    Installed *in = installed_new(path);
    in->manifest = m;
    for (guint i = 0; i < m->plugins->len; i++) {
        const ManifestPlugin *mp = m->plugins->pdata[i];
        InstalledPlugin *ip = g_new0(InstalledPlugin, 1);
        ip->name = mp->name;
        ip->version = mp->version;
        ip->kind = mp->kind;
        ip->has_schema = mp->has_schema;
        ip->info = mp->schema;
        ip->blocker = mp->blocker;
        g_ptr_array_add(in->plugins, ip);
    }
    return in;
}

void installed_free(Installed *in)
{
    if (!in)
        return;
    g_ptr_array_free(in->plugins, TRUE);
    manifest_free(in->manifest);
    if (in->reg)
        registry_free(in->reg);
    g_free(in->origin);
    g_free(in);
}

const InstalledPlugin *installed_find(const Installed *in, const char *name)
{
    const InstalledPlugin *best = NULL;
    for (guint i = 0; i < in->plugins->len; i++) {
        const InstalledPlugin *p = in->plugins->pdata[i];
        if (strcmp(p->name, name) == 0 &&
            (!best || manifest_semver_compare(p->version, best->version) > 0))
            best = p;
    }
    return best;
}

const char *installed_origin(const Installed *in)
{
    return in->origin;
}
