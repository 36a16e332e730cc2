/* SPDX-License-Identifier: MIT */
/* Parsing installation manifests (the target side of a save or a conversion). */
#include "manifest_read.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "json_limits.h"
#include "manifest.h"
#include "manifest_json.h"

static void plugin_free(gpointer p)
{
    ManifestPlugin *mp = p;
    g_free(mp->name);
    g_free(mp->version);
    g_free((char *)mp->schema.name);
    g_free((TesseraConverter *)mp->schema.converters);
    g_free(mp->blocker);
    g_free(mp);
}

void manifest_free(Manifest *m)
{
    if (!m)
        return;
    g_free(m->origin);
    g_ptr_array_free(m->plugins, TRUE);
    g_free(m);
}

static const char *get_string(JsonObject *o, const char *member)
{
    JsonNode *n = json_object_get_member(o, member);
    if (!n || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

/* An integer member in [1, UINT32_MAX]. */
static bool get_version(JsonObject *o, const char *member, uint32_t *out)
{
    JsonNode *n = json_object_get_member(o, member);
    if (!n || json_node_get_value_type(n) != G_TYPE_INT64)
        return false;
    gint64 v = json_node_get_int(n);
    if (v < 1 || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* {"from": n, "to": m}, or the short form [n, m]. */
static bool parse_converter(JsonNode *e, TesseraConverter *c)
{
    if (JSON_NODE_HOLDS_OBJECT(e)) {
        JsonObject *o = json_node_get_object(e);
        if (!get_version(o, "from", &c->from) || !get_version(o, "to", &c->to))
            return false;
    } else if (JSON_NODE_HOLDS_ARRAY(e) && json_array_get_length(json_node_get_array(e)) == 2) {
        JsonArray *a = json_node_get_array(e);
        for (guint k = 0; k < 2; k++) {
            JsonNode *n = json_array_get_element(a, k);
            if (json_node_get_value_type(n) != G_TYPE_INT64 || json_node_get_int(n) < 1 ||
                json_node_get_int(n) > UINT32_MAX)
                return false;
            *(k ? &c->to : &c->from) = (uint32_t)json_node_get_int(n);
        }
    } else {
        return false;
    }
    return c->from + 1 == c->to || c->to + 1 == c->from;
}

static bool parse_schema(JsonObject *o, SchemaInfo *s, char *why, size_t whylen)
{
    const char *name = get_string(o, "name");
    if (!name || !get_version(o, "version", &s->version) ||
        !get_version(o, "load_min", &s->load_min) || !get_version(o, "save_min", &s->save_min)) {
        snprintf(why, whylen, "schema needs name, version, load_min and save_min");
        return false;
    }
    if (s->load_min > s->version || s->save_min > s->version) {
        snprintf(why, whylen, "schema %s: load_min/save_min above version %u", name, s->version);
        return false;
    }
    s->name = g_strdup(name);
    JsonNode *cn = json_object_get_member(o, "converters");
    if (!cn)
        return true;
    if (!JSON_NODE_HOLDS_ARRAY(cn)) {
        snprintf(why, whylen, "schema %s: converters is not an array", name);
        return false;
    }
    JsonArray *a = json_node_get_array(cn);
    guint n = json_array_get_length(a);
    TesseraConverter *conv = g_new0(TesseraConverter, n ? n : 1);
    s->converters = conv;
    for (guint i = 0; i < n; i++) {
        if (!parse_converter(json_array_get_element(a, i), &conv[i])) {
            snprintf(why, whylen, "schema %s: converter %u is not {from, to} of adjacent versions",
                     name, i);
            return false;
        }
    }
    s->n_converters = n;
    return true;
}

Manifest *manifest_parse(const char *json, size_t len, const char *origin, char *err, size_t errlen)
{
    /* Limits first: json-glib recurses per nesting level (json_limits.h). */
    if (!tsnap_json_check(json, len, origin, err, errlen))
        return NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_data(parser, json, (gssize)len, &error)) {
        snprintf(err, errlen, "%s: not valid JSON: %s", origin, error->message);
        g_error_free(error);
        return NULL;
    }
    JsonNode *root = json_parser_get_root(parser);
    JsonObject *ro = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    const char *format = ro ? get_string(ro, "format") : NULL;
    const char *tessera = ro ? get_string(ro, "tessera") : NULL;
    uint32_t version = 0;
    bool ok;
    if (format && strcmp(format, TSNAP_MANIFEST_FORMAT) == 0)
        ok = get_version(ro, "format_version", &version);
    else /* the equivalent early spelling {"tessera": "manifest", "format": 1} */
        ok = tessera && strcmp(tessera, "manifest") == 0 && get_version(ro, "format", &version);
    if (!ok) {
        snprintf(err, errlen, "%s: not a Tessera installation manifest (format is not \"%s\")",
                 origin, TSNAP_MANIFEST_FORMAT);
        return NULL;
    }
    if (version != TSNAP_MANIFEST_VERSION) {
        snprintf(err, errlen, "%s: manifest format_version %u, this reader knows %d", origin,
                 version, TSNAP_MANIFEST_VERSION);
        return NULL;
    }
    JsonNode *pn = json_object_get_member(ro, "plugins");
    if (!pn || !JSON_NODE_HOLDS_ARRAY(pn)) {
        snprintf(err, errlen, "%s: \"plugins\" is missing or not an array", origin);
        return NULL;
    }
    Manifest *m = g_new0(Manifest, 1);
    m->origin = g_strdup(origin);
    m->plugins = g_ptr_array_new_with_free_func(plugin_free);
    JsonArray *a = json_node_get_array(pn);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonNode *e = json_array_get_element(a, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
        const char *name = o ? get_string(o, "name") : NULL;
        const char *pver = o ? get_string(o, "version") : NULL;
        const char *kind = o ? get_string(o, "kind") : NULL;
        if (!name || !pver || !kind) {
            snprintf(err, errlen, "%s: plugin entry %u needs name, version and kind", origin, i);
            manifest_free(m);
            return NULL;
        }
        ManifestPlugin *mp = g_new0(ManifestPlugin, 1);
        g_ptr_array_add(m->plugins, mp);
        mp->name = g_strdup(name);
        mp->version = g_strdup(pver);
        mp->kind = manifest_kind_parse(kind);
        const char *blocker = get_string(o, "migration_blocker");
        if (!blocker)
            blocker = get_string(o, "blocker");
        mp->blocker = blocker ? g_strdup(blocker) : NULL;
        JsonNode *sn = json_object_get_member(o, "schema");
        if (sn) {
            char why[256];
            if (!JSON_NODE_HOLDS_OBJECT(sn) ||
                !parse_schema(json_node_get_object(sn), &mp->schema, why, sizeof(why))) {
                snprintf(err, errlen, "%s: plugin %s %s: %s", origin, name, pver,
                         JSON_NODE_HOLDS_OBJECT(sn) ? why : "schema is not an object");
                manifest_free(m);
                return NULL;
            }
            mp->has_schema = true;
        }
    }
    return m;
}

Manifest *manifest_load_file(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    g_autofree char *text = tsnap_json_read_file(path, &len, err, errlen);
    if (!text)
        return NULL;
    return manifest_parse(text, len, path, err, errlen);
}

static bool semver_split(const char *s, unsigned v[3])
{
    v[0] = v[1] = v[2] = 0;
    return s && sscanf(s, "%u.%u.%u", &v[0], &v[1], &v[2]) >= 1;
}

int manifest_semver_compare(const char *a, const char *b)
{
    unsigned va[3], vb[3];
    bool oka = semver_split(a, va), okb = semver_split(b, vb);
    if (oka != okb)
        return oka ? 1 : -1;
    for (int i = 0; i < 3; i++)
        if (va[i] != vb[i])
            return va[i] < vb[i] ? -1 : 1;
    return 0;
}

const ManifestPlugin *manifest_find(const Manifest *m, const char *name)
{
    const ManifestPlugin *best = NULL;
    for (unsigned i = 0; i < m->plugins->len; i++) {
        const ManifestPlugin *p = m->plugins->pdata[i];
        if (strcmp(p->name, name) == 0 &&
            (!best || manifest_semver_compare(p->version, best->version) > 0))
            best = p;
    }
    return best;
}
