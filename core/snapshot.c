/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json_limits.h"
#include "manifest.h"

#define SNAPSHOT_ERROR g_quark_from_static_string("tessera-snapshot")

const TesseraMigrationClass *snapshot_backend(const PluginRegistry *reg, GError **error)
{
    for (guint i = 0; i < reg->plugins->len; i++) {
        const Plugin *p = reg->plugins->pdata[i];
        if (p->desc->kind != TESSERA_PLUGIN_MIGRATION)
            continue;
        const TesseraMigrationClass *cls = p->desc->iface;
        if (cls->format && !strcmp(cls->format, "tsnap"))
            return cls;
    }
    g_set_error(error, SNAPSHOT_ERROR, 0,
                "no migration plugin for the tsnap format is installed (see --list-plugins)");
    return NULL;
}

bool snapshot_save(Machine *m, const PluginRegistry *reg, const char *path,
                   const char *target_manifest_path, GError **error)
{
    const TesseraMigrationClass *cls = snapshot_backend(reg, error);
    if (!cls)
        return false;
    char err[512] = "";
    char *target = NULL;
    size_t target_len = 0;
    /* The size and nesting limits of external JSON (json_limits.h) apply here
     * first; the plugin's manifest_parse checks them again. */
    if (target_manifest_path &&
        !(target = tsnap_json_read_file(target_manifest_path, &target_len, err, sizeof(err)))) {
        g_set_error(error, SNAPSHOT_ERROR, 0, "%s", err);
        return false;
    }
    int rc = cls->save(machine_view(m), path, target, err, sizeof(err));
    g_free(target);
    if (rc) {
        g_set_error(error, SNAPSHOT_ERROR, 0, "%s", err);
        return false;
    }
    return true;
}

bool snapshot_load(Machine *m, const PluginRegistry *reg, const char *path, GError **error)
{
    const TesseraMigrationClass *cls = snapshot_backend(reg, error);
    if (!cls)
        return false;
    /* Room for a refusal that names every device that does not fit. */
    char err[8192] = "";
    if (cls->load(machine_view(m), path, err, sizeof(err))) {
        g_set_error(error, SNAPSHOT_ERROR, 0, "%s", err);
        return false;
    }
    machine_loaded(m);
    return true;
}

char *snapshot_manifest(const PluginRegistry *reg, const char *path, GError **error)
{
    const TesseraMigrationClass *cls = snapshot_backend(reg, error);
    if (!cls)
        return NULL;
    char err[512] = "";
    char *json = cls->manifest(path, err, sizeof(err));
    if (!json) {
        g_set_error(error, SNAPSHOT_ERROR, 0, "%s", err);
        return NULL;
    }
    char *copy = g_strdup(json);
    free(json);
    return copy;
}

bool snapshot_machine(const PluginRegistry *reg, const char *path, char **machine,
                      uint64_t *ram_size, char **machine_file, GError **error)
{
    char *json = snapshot_manifest(reg, path, error);
    if (!json)
        return false;
    char err[512];
    if (!tsnap_json_check(json, strlen(json), path, err, sizeof(err))) {
        g_set_error(error, SNAPSHOT_ERROR, 0, "%s", err);
        g_free(json);
        return false;
    }
    JsonParser *parser = json_parser_new();
    bool ok = json_parser_load_from_data(parser, json, -1, error);
    JsonNode *root = ok ? json_parser_get_root(parser) : NULL;
    JsonObject *obj = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    JsonNode *mn = obj ? json_object_get_member(obj, "machine") : NULL;
    const char *name = mn && JSON_NODE_HOLDS_VALUE(mn) &&
                               json_node_get_value_type(mn) == G_TYPE_STRING
                           ? json_node_get_string(mn)
                           : NULL;
    if (ok && !name) {
        g_set_error(error, SNAPSHOT_ERROR, 0, "%s: the manifest names no machine", path);
        ok = false;
    }
    if (ok) {
        *machine = g_strdup(name);
        JsonNode *fn = json_object_get_member(obj, "machine_file");
        const char *file = fn && JSON_NODE_HOLDS_VALUE(fn) &&
                                   json_node_get_value_type(fn) == G_TYPE_STRING
                               ? json_node_get_string(fn)
                               : NULL;
        *machine_file = file && *file ? g_strdup(file) : NULL;
        *ram_size = json_object_has_member(obj, "ram_size")
                        ? (uint64_t)json_object_get_int_member(obj, "ram_size")
                        : 0;
    }
    g_object_unref(parser);
    g_free(json);
    return ok;
}

char *snapshot_dump_installation(const PluginRegistry *reg)
{
    /* The format is the migration library's (docs/snapshot-format.md), so that
     * -savevm-compat and tessera-snap read exactly what this prints. */
    GArray *list = g_array_new(FALSE, TRUE, sizeof(TsnapInstalledPlugin));
    for (guint i = 0; i < reg->plugins->len; i++) {
        const Plugin *p = reg->plugins->pdata[i];
        TsnapInstalledPlugin ip = {
            .name = p->desc->name,
            .version = p->desc->version,
            .kind = p->desc->kind,
            .schema = p->schema,
            .migration_blocker = p->blocker,
        };
        g_array_append_val(list, ip);
    }
    char *json = tsnap_manifest_installed((const TsnapInstalledPlugin *)list->data, list->len,
                                          TESSERA_VERSION);
    g_array_free(list, TRUE);
    char *copy = g_strdup(json);
    free(json);
    return copy;
}
