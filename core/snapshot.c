/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#define SNAPSHOT_ERROR g_quark_from_static_string("tessera-snapshot")

static const TesseraMigrationClass *backend(const PluginRegistry *reg, GError **error)
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
    const TesseraMigrationClass *cls = backend(reg, error);
    if (!cls)
        return false;
    char *target = NULL;
    if (target_manifest_path && !g_file_get_contents(target_manifest_path, &target, NULL, error))
        return false;
    char err[512] = "";
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
    const TesseraMigrationClass *cls = backend(reg, error);
    if (!cls)
        return false;
    char err[512] = "";
    if (cls->load(machine_view(m), path, err, sizeof(err))) {
        g_set_error(error, SNAPSHOT_ERROR, 0, "%s", err);
        return false;
    }
    machine_loaded(m);
    return true;
}

char *snapshot_manifest(const PluginRegistry *reg, const char *path, GError **error)
{
    const TesseraMigrationClass *cls = backend(reg, error);
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
                      uint64_t *ram_size, GError **error)
{
    char *json = snapshot_manifest(reg, path, error);
    if (!json)
        return false;
    JsonParser *parser = json_parser_new();
    bool ok = json_parser_load_from_data(parser, json, -1, error);
    JsonNode *root = ok ? json_parser_get_root(parser) : NULL;
    JsonObject *obj = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    const char *name = obj && json_object_has_member(obj, "machine")
                           ? json_object_get_string_member(obj, "machine")
                           : NULL;
    if (ok && !name) {
        g_set_error(error, SNAPSHOT_ERROR, 0, "%s: the manifest names no machine", path);
        ok = false;
    }
    if (ok) {
        *machine = g_strdup(name);
        *ram_size = json_object_has_member(obj, "ram_size")
                        ? (uint64_t)json_object_get_int_member(obj, "ram_size")
                        : 0;
    }
    g_object_unref(parser);
    g_free(json);
    return ok;
}

static void add_schema(JsonBuilder *b, const TesseraStateSchema *s)
{
    json_builder_set_member_name(b, "schema");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, s->name);
    json_builder_set_member_name(b, "version");
    json_builder_add_int_value(b, s->version);
    json_builder_set_member_name(b, "load_min");
    json_builder_add_int_value(b, s->load_min);
    json_builder_set_member_name(b, "save_min");
    json_builder_add_int_value(b, s->save_min);
    /* Converters widen both ranges: list them so a peer can plan. */
    json_builder_set_member_name(b, "converters");
    json_builder_begin_array(b);
    for (uint32_t i = 0; i < s->n_converters; i++) {
        json_builder_begin_array(b);
        json_builder_add_int_value(b, s->converters[i].from);
        json_builder_add_int_value(b, s->converters[i].to);
        json_builder_end_array(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

char *snapshot_dump_installation(const PluginRegistry *reg)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "tessera");
    json_builder_add_string_value(b, "manifest");
    json_builder_set_member_name(b, "format");
    json_builder_add_int_value(b, 1);
    json_builder_set_member_name(b, "plugins");
    json_builder_begin_array(b);
    for (guint i = 0; i < reg->plugins->len; i++) {
        const Plugin *p = reg->plugins->pdata[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, p->desc->name);
        json_builder_set_member_name(b, "version");
        json_builder_add_string_value(b, p->desc->version);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, plugin_kind_name(p->desc->kind));
        if (p->schema)
            add_schema(b, p->schema);
        if (p->blocker) {
            json_builder_set_member_name(b, "blocker");
            json_builder_add_string_value(b, p->blocker);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    JsonGenerator *gen = json_generator_new();
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    char *text = json_generator_to_data(gen, NULL);
    json_node_unref(root);
    g_object_unref(gen);
    g_object_unref(b);
    return text;
}
