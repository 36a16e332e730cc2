/* SPDX-License-Identifier: MIT */
/* Writing JSON manifests: the installation's and a snapshot's. */
#include "manifest.h"

#include <stdlib.h>
#include <string.h>
#include <tessera/plugin.h>

#include "manifest_json.h"

const char *manifest_kind_name(uint32_t kind)
{
    switch (kind) {
    case TESSERA_PLUGIN_CPU: return "cpu";
    case TESSERA_PLUGIN_DEVICE: return "device";
    case TESSERA_PLUGIN_MIGRATION: return "migration";
    default: return "unknown";
    }
}

uint32_t manifest_kind_parse(const char *name)
{
    for (uint32_t k = TESSERA_PLUGIN_CPU; k <= TESSERA_PLUGIN_MIGRATION; k++)
        if (name && strcmp(name, manifest_kind_name(k)) == 0)
            return k;
    return 0;
}

char *manifest_to_string(JsonBuilder *b)
{
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_pretty(gen, TRUE);
    json_generator_set_indent(gen, 2);
    json_generator_set_root(gen, root);
    g_autofree char *text = json_generator_to_data(gen, NULL);
    size_t n = strlen(text);
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    memcpy(out, text, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
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
    json_builder_set_member_name(b, "converters");
    json_builder_begin_array(b);
    for (uint32_t i = 0; s->converters && i < s->n_converters; i++) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "from");
        json_builder_add_int_value(b, s->converters[i].from);
        json_builder_set_member_name(b, "to");
        json_builder_add_int_value(b, s->converters[i].to);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

char *tsnap_manifest_installed(const TsnapInstalledPlugin *plugins, size_t n_plugins,
                               const char *tessera_version)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "format");
    json_builder_add_string_value(b, TSNAP_MANIFEST_FORMAT);
    json_builder_set_member_name(b, "format_version");
    json_builder_add_int_value(b, TSNAP_MANIFEST_VERSION);
    json_builder_set_member_name(b, "tessera_version");
    json_builder_add_string_value(b, tessera_version ? tessera_version : "unknown");
    json_builder_set_member_name(b, "plugins");
    json_builder_begin_array(b);
    for (size_t i = 0; i < n_plugins; i++) {
        const TsnapInstalledPlugin *p = &plugins[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, p->name);
        json_builder_set_member_name(b, "version");
        json_builder_add_string_value(b, p->version);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, manifest_kind_name(p->kind));
        if (p->migration_blocker) {
            json_builder_set_member_name(b, "migration_blocker");
            json_builder_add_string_value(b, p->migration_blocker);
        } else if (p->schema) {
            add_schema(b, p->schema);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return manifest_to_string(b);
}

/* ram_size is the length of the region named "ram" (what -m sets), not of every
 * writable region: small device-backed regions are memory too. */
void manifest_add_snapshot(JsonBuilder *b, const TsnapFile *f)
{
    uint64_t ram = 0;
    json_builder_set_member_name(b, "format");
    json_builder_add_string_value(b, "tsnap");
    json_builder_set_member_name(b, "format_version");
    json_builder_add_int_value(b, f->format_version);
    json_builder_set_member_name(b, "machine");
    json_builder_add_string_value(b, f->machine);
    json_builder_set_member_name(b, "machine_file");
    json_builder_add_string_value(b, f->machine_file);
    json_builder_set_member_name(b, "icount");
    json_builder_add_int_value(b, (gint64)f->icount);
    json_builder_set_member_name(b, "instances");
    json_builder_begin_array(b);
    for (unsigned i = 0; i < f->devices->len; i++) {
        const TsnapDevice *d = f->devices->pdata[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, d->name);
        json_builder_set_member_name(b, "plugin");
        json_builder_add_string_value(b, d->plugin);
        json_builder_set_member_name(b, "plugin_version");
        json_builder_add_string_value(b, d->plugin_version);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, manifest_kind_name(d->kind));
        json_builder_set_member_name(b, "schema");
        json_builder_add_string_value(b, d->schema);
        json_builder_set_member_name(b, "state_version");
        json_builder_add_int_value(b, record_version(d->rec));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "memory");
    json_builder_begin_array(b);
    for (unsigned i = 0; i < f->memory->len; i++) {
        const TsnapMemory *m = f->memory->pdata[i];
        if (strcmp(m->name, "ram") == 0)
            ram = m->length;
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, m->name);
        json_builder_set_member_name(b, "pa");
        json_builder_add_int_value(b, (gint64)m->pa);
        json_builder_set_member_name(b, "length");
        json_builder_add_int_value(b, (gint64)m->length);
        json_builder_set_member_name(b, "readonly");
        json_builder_add_boolean_value(b, m->readonly);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "ram_size");
    json_builder_add_int_value(b, (gint64)ram);
}

char *tsnap_manifest_of_file(const char *path, char *err, size_t errlen)
{
    TsnapFile *f = tsnap_open(path, err, errlen);
    if (!f)
        return NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    manifest_add_snapshot(b, f);
    json_builder_end_object(b);
    tsnap_close(f);
    return manifest_to_string(b);
}
