/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi: the JSON dump of a plugin's schemas, written and read back.
 *
 *   {"plugin": NAME, "version": SEMVER, ["blocker": REASON,]
 *    "schemas": [{"name", "struct", "version", "load_min", "save_min", "fingerprint",
 *                 "fields": [{"name", "member", "type", "offset", "size", "count",
 *                             "since", [struct only: "struct", "fields"]}],
 *                 "converters": [[from, to], ...]}]}
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "model.h"
#include "tessera/state.h"

static void build_fields(JsonBuilder *b, const TaLayout *l)
{
    json_builder_set_member_name(b, "fields");
    json_builder_begin_array(b);
    for (guint i = 0; i < l->fields->len; i++) {
        const TaField *f = l->fields->pdata[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, f->name);
        json_builder_set_member_name(b, "member");
        json_builder_add_string_value(b, f->member);
        json_builder_set_member_name(b, "type");
        json_builder_add_string_value(b, ta_field_type_name(f->type) ?: "?");
        json_builder_set_member_name(b, "offset");
        json_builder_add_int_value(b, f->offset);
        json_builder_set_member_name(b, "size");
        json_builder_add_int_value(b, f->size);
        json_builder_set_member_name(b, "count");
        json_builder_add_int_value(b, f->count);
        json_builder_set_member_name(b, "since");
        json_builder_add_int_value(b, f->since);
        if (f->layout) {
            json_builder_set_member_name(b, "struct");
            json_builder_add_string_value(b, f->layout->struct_name);
            build_fields(b, f->layout);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

char *ta_plugin_to_json(const TaPlugin *p)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "plugin");
    json_builder_add_string_value(b, p->name);
    json_builder_set_member_name(b, "version");
    json_builder_add_string_value(b, p->version);
    if (p->blocker) {
        json_builder_set_member_name(b, "blocker");
        json_builder_add_string_value(b, p->blocker);
    }
    json_builder_set_member_name(b, "schemas");
    json_builder_begin_array(b);
    for (guint i = 0; i < p->schemas->len; i++) {
        const TaSchema *s = p->schemas->pdata[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, s->name);
        json_builder_set_member_name(b, "struct");
        json_builder_add_string_value(b, s->layout->struct_name);
        json_builder_set_member_name(b, "version");
        json_builder_add_int_value(b, s->version);
        json_builder_set_member_name(b, "load_min");
        json_builder_add_int_value(b, s->load_min);
        json_builder_set_member_name(b, "save_min");
        json_builder_add_int_value(b, s->save_min);
        json_builder_set_member_name(b, "fingerprint");
        json_builder_add_string_value(b, s->fingerprint);
        build_fields(b, s->layout);
        json_builder_set_member_name(b, "converters");
        json_builder_begin_array(b);
        for (guint k = 0; k < s->converters->len; k++) {
            const TaConverter *c = &g_array_index(s->converters, TaConverter, k);
            json_builder_begin_array(b);
            json_builder_add_int_value(b, c->from);
            json_builder_add_int_value(b, c->to);
            json_builder_end_array(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);

    JsonGenerator *gen = json_generator_new();
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_indent(gen, 2);
    char *text = json_generator_to_data(gen, NULL);
    json_node_unref(root);
    g_object_unref(gen);
    g_object_unref(b);
    return text;
}

/* Reading: every missing or mistyped key is an error naming the JSON path. */
typedef struct DumpReader {
    const char *path;
    GError *error;
} Reader;

G_GNUC_PRINTF(2, 3)
static void fail(Reader *r, const char *fmt, ...)
{
    if (r->error) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(&r->error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", r->path, msg);
    g_free(msg);
}

static const char *get_string(Reader *r, JsonObject *o, const char *key, const char *where)
{
    JsonNode *n = json_object_get_member(o, key);
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
        fail(r, "%s: \"%s\" is missing or not a string", where, key);
        return "";
    }
    return json_node_get_string(n);
}

static uint32_t get_uint(Reader *r, JsonObject *o, const char *key, const char *where)
{
    JsonNode *n = json_object_get_member(o, key);
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
        json_node_get_int(n) < 0 || json_node_get_int(n) > UINT32_MAX) {
        fail(r, "%s: \"%s\" is missing or not a 32-bit unsigned integer", where, key);
        return 0;
    }
    return (uint32_t)json_node_get_int(n);
}

static JsonArray *get_array(Reader *r, JsonObject *o, const char *key, const char *where)
{
    JsonNode *n = json_object_get_member(o, key);
    if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n)) {
        fail(r, "%s: \"%s\" is missing or not an array", where, key);
        return NULL;
    }
    return json_node_get_array(n);
}

static void read_fields(Reader *r, JsonArray *arr, TaLayout *l, const char *where, int depth)
{
    for (guint i = 0; arr && i < json_array_get_length(arr) && !r->error; i++) {
        char *fw = g_strdup_printf("%s.fields[%u]", where, i);
        JsonNode *n = json_array_get_element(arr, i);
        if (!JSON_NODE_HOLDS_OBJECT(n)) {
            fail(r, "%s: not an object", fw);
            g_free(fw);
            break;
        }
        JsonObject *o = json_node_get_object(n);
        TaField *f = ta_field_new();
        g_ptr_array_add(l->fields, f);
        f->name = g_strdup(get_string(r, o, "name", fw));
        f->member = g_strdup(get_string(r, o, "member", fw));
        const char *type = get_string(r, o, "type", fw);
        f->type = ta_field_type_parse(type);
        if (f->type == 0) {
            fail(r, "%s: unknown type \"%s\"", fw, type);
        }
        f->offset = get_uint(r, o, "offset", fw);
        f->size = get_uint(r, o, "size", fw);
        f->count = get_uint(r, o, "count", fw);
        f->since = get_uint(r, o, "since", fw);
        if (f->type == TESSERA_FIELD_STRUCT) {
            if (depth > 16) {
                fail(r, "%s: struct fields nested too deep", fw);
            } else {
                f->layout = ta_layout_new();
                f->layout->struct_name = g_strdup(get_string(r, o, "struct", fw));
                f->layout->size = f->size;
                read_fields(r, get_array(r, o, "fields", fw), f->layout, fw, depth + 1);
            }
        }
        g_free(fw);
    }
}

static TaSchema *read_schema(Reader *r, JsonObject *o, const char *where)
{
    TaSchema *s = ta_schema_new();
    s->name = g_strdup(get_string(r, o, "name", where));
    s->layout = ta_layout_new();
    s->layout->struct_name = g_strdup(get_string(r, o, "struct", where));
    s->version = get_uint(r, o, "version", where);
    s->load_min = get_uint(r, o, "load_min", where);
    s->save_min = get_uint(r, o, "save_min", where);
    char *stored = g_strdup(get_string(r, o, "fingerprint", where));
    read_fields(r, get_array(r, o, "fields", where), s->layout, where, 0);
    JsonNode *cn = json_object_get_member(o, "converters");
    if (cn && JSON_NODE_HOLDS_ARRAY(cn)) {
        JsonArray *ca = json_node_get_array(cn);
        for (guint k = 0; k < json_array_get_length(ca); k++) {
            JsonNode *pair = json_array_get_element(ca, k);
            if (!JSON_NODE_HOLDS_ARRAY(pair) || json_array_get_length(json_node_get_array(pair)) != 2) {
                fail(r, "%s.converters[%u]: not a [from, to] pair", where, k);
                break;
            }
            JsonArray *pa = json_node_get_array(pair);
            TaConverter c = { (uint32_t)json_array_get_int_element(pa, 0),
                              (uint32_t)json_array_get_int_element(pa, 1) };
            g_array_append_val(s->converters, c);
        }
    }
    ta_schema_fingerprint(s);
    if (!r->error && strcmp(stored, s->fingerprint) != 0) {
        fail(r, "%s: stored fingerprint %s does not match its fields (%s): was the dump edited "
                "by hand?",
             where, stored, s->fingerprint);
    }
    g_free(stored);
    return s;
}

TaPlugin *ta_plugin_load_json(const char *path, GError **error)
{
    JsonParser *parser = json_parser_new();
    if (!json_parser_load_from_file(parser, path, error)) {
        g_prefix_error(error, "%s: ", path);
        g_object_unref(parser);
        return NULL;
    }
    Reader r = { .path = path };
    TaPlugin *p = ta_plugin_new(path);
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        fail(&r, "not a tessera-abi dump (the top level is not an object)");
    } else {
        JsonObject *o = json_node_get_object(root);
        p->name = g_strdup(get_string(&r, o, "plugin", "top"));
        p->version = g_strdup(get_string(&r, o, "version", "top"));
        if (json_object_has_member(o, "blocker")) {
            p->blocker = g_strdup(get_string(&r, o, "blocker", "top"));
        }
        JsonArray *schemas = get_array(&r, o, "schemas", "top");
        for (guint i = 0; schemas && i < json_array_get_length(schemas) && !r.error; i++) {
            char *where = g_strdup_printf("schemas[%u]", i);
            JsonNode *n = json_array_get_element(schemas, i);
            if (!JSON_NODE_HOLDS_OBJECT(n)) {
                fail(&r, "%s: not an object", where);
            } else {
                g_ptr_array_add(p->schemas, read_schema(&r, json_node_get_object(n), where));
            }
            g_free(where);
        }
    }
    g_object_unref(parser);
    if (r.error) {
        g_propagate_error(error, r.error);
        ta_plugin_free(p);
        return NULL;
    }
    return p;
}
