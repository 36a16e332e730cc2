/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi: copies a plugin's descriptor and state schema out of the loaded
 * module. Only data is read; no function of the plugin is called.
 */
#include "model.h"

#include <errno.h>
#include <gmodule.h>
#include <stdio.h>
#include <string.h>

#include "tessera/cpu.h"
#include "tessera/device.h"
#include "tessera/migration.h"
#include "tessera/plugin.h"
#include "tessera/state.h"

/* Nested layouts deeper than this are taken for a cycle. */
#define MAX_DEPTH 16

const char *ta_field_type_name(uint32_t type)
{
    return tessera_field_type_name(type);
}

uint32_t ta_field_type_parse(const char *name)
{
    for (uint32_t t = 1; tessera_field_type_name(t); t++) {
        if (name && strcmp(name, tessera_field_type_name(t)) == 0) {
            return t;
        }
    }
    return 0;
}

/* The checker's size is a scalar's width, matched against the member's DWARF
 * size; a BYTES field is sized by its count and a STRUCT by its layout, so 0. */
uint32_t ta_field_type_size(uint32_t type)
{
    return type == TESSERA_FIELD_BYTES || type == TESSERA_FIELD_BLOB
               ? 0
               : tessera_field_type_width(type);
}

const char *ta_plugin_kind_name(uint32_t kind)
{
    switch (kind) {
    case TESSERA_PLUGIN_CPU:
        return "cpu";
    case TESSERA_PLUGIN_DEVICE:
        return "device";
    case TESSERA_PLUGIN_MIGRATION:
        return "migration";
    default:
        return "unknown";
    }
}

TaLayout *ta_layout_new(void)
{
    TaLayout *l = g_new0(TaLayout, 1);
    l->fields = g_ptr_array_new();
    l->unmigrated = g_ptr_array_new_with_free_func(g_free);
    return l;
}

TaField *ta_field_new(void)
{
    return g_new0(TaField, 1);
}

TaSchema *ta_schema_new(void)
{
    TaSchema *s = g_new0(TaSchema, 1);
    s->converters = g_array_new(FALSE, TRUE, sizeof(TaConverter));
    return s;
}

TaPlugin *ta_plugin_new(const char *path)
{
    TaPlugin *p = g_new0(TaPlugin, 1);
    p->path = g_strdup(path);
    p->schemas = g_ptr_array_new();
    p->problems = g_ptr_array_new_with_free_func(g_free);
    return p;
}

static void layout_free(TaLayout *l);

static void field_free(TaField *f)
{
    if (f->layout) {
        layout_free(f->layout);
    }
    g_free(f->name);
    g_free(f->member);
    g_free(f);
}

static void layout_free(TaLayout *l)
{
    for (guint i = 0; i < l->fields->len; i++) {
        field_free(l->fields->pdata[i]);
    }
    g_ptr_array_free(l->fields, TRUE);
    g_ptr_array_free(l->unmigrated, TRUE);
    g_free(l->struct_name);
    g_free(l);
}

static void schema_free(TaSchema *s)
{
    if (s->layout) {
        layout_free(s->layout);
    }
    g_array_free(s->converters, TRUE);
    g_free(s->name);
    g_free(s->fingerprint);
    g_free(s);
}

void ta_plugin_free(TaPlugin *p)
{
    if (p == NULL) {
        return;
    }
    for (guint i = 0; i < p->schemas->len; i++) {
        schema_free(p->schemas->pdata[i]);
    }
    g_ptr_array_free(p->schemas, TRUE);
    g_ptr_array_free(p->problems, TRUE);
    g_free(p->path);
    g_free(p->name);
    g_free(p->version);
    g_free(p->blocker);
    g_free(p);
}

G_GNUC_PRINTF(2, 3)
static void problem(TaPlugin *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(p->problems, g_strdup_printf("%s: %s", p->name, msg));
    g_free(msg);
}

static TaLayout *copy_layout(TaPlugin *p, const char *schema, const char *prefix,
                             const TesseraStateLayout *src, int depth)
{
    TaLayout *l = ta_layout_new();
    l->struct_name = g_strdup(src->struct_name ? src->struct_name : "");
    l->size = src->size;
    if (src->struct_name == NULL) {
        problem(p, "schema %s: layout %s: struct_name is NULL", schema,
                *prefix ? prefix : "(top)");
    }
    if (src->n_fields && src->fields == NULL) {
        problem(p, "schema %s: layout %s: n_fields is %u but fields is NULL", schema,
                src->struct_name ? src->struct_name : "?", src->n_fields);
        return l;
    }
    for (uint32_t i = 0; i < src->n_fields; i++) {
        /* A plugin built for ABI 1.0/1.1 has 48-byte fields (no member_size). */
        size_t stride = tessera_field_stride(p->abi_minor);
        TesseraField field = { 0 };
        memcpy(&field, (const char *)src->fields + i * stride, MIN(stride, sizeof(field)));
        const TesseraField *sf = &field;
        TaField *f = ta_field_new();
        f->name = g_strdup(sf->name ? sf->name : "");
        f->member = g_strdup(sf->member ? sf->member : "");
        f->type = sf->type;
        f->offset = sf->offset;
        f->count = sf->count;
        f->since = sf->since;
        f->size = ta_field_type_size(sf->type);
        g_ptr_array_add(l->fields, f);
        char *where = sf->name ? g_strdup_printf("%s%s", prefix, sf->name)
                               : g_strdup_printf("%s#%u", prefix, i);
        if (sf->name == NULL) {
            problem(p, "schema %s: field %s: name is NULL", schema, where);
        }
        if (sf->member == NULL) {
            problem(p, "schema %s: field %s: member is NULL", schema, where);
        }
        if (ta_field_type_name(sf->type) == NULL) {
            problem(p, "schema %s: field %s: type %u is not a TesseraFieldType", schema, where,
                    sf->type);
        }
        if (sf->type == TESSERA_FIELD_BYTES) {
            f->size = 1;
        }
        if (sf->type == TESSERA_FIELD_BLOB) {
            f->size = sizeof(TesseraBlob);
        }
        if (sf->type == TESSERA_FIELD_STRUCT) {
            if (sf->layout == NULL) {
                problem(p, "schema %s: field %s: type struct without a layout", schema, where);
            } else if (depth >= MAX_DEPTH) {
                problem(p, "schema %s: field %s: layouts nested deeper than %d (a cycle?)",
                        schema, where, MAX_DEPTH);
            } else {
                char *sub = g_strdup_printf("%s.", where);
                f->layout = copy_layout(p, schema, sub, sf->layout, depth + 1);
                f->size = f->layout->size;
                g_free(sub);
            }
        } else if (sf->layout != NULL) {
            problem(p, "schema %s: field %s: type %s has a layout (only struct fields do)",
                    schema, where, ta_field_type_name(sf->type) ?: "?");
        }
        g_free(where);
    }
    for (const char *const *u = src->unmigrated; u && *u; u++) {
        g_ptr_array_add(l->unmigrated, g_strdup(*u));
    }
    return l;
}

static TaSchema *copy_schema(TaPlugin *p, const TesseraStateSchema *src)
{
    TaSchema *s = ta_schema_new();
    s->name = g_strdup(src->name ? src->name : p->name);
    if (src->name == NULL) {
        problem(p, "schema (unnamed): name is NULL");
    }
    if (src->size < offsetof(TesseraStateSchema, layout) + sizeof(src->layout)) {
        problem(p, "schema %s: size is %u, smaller than any TesseraStateSchema", s->name,
                src->size);
        return s;
    }
    s->version = src->version;
    s->load_min = src->load_min;
    s->save_min = src->save_min;
    if (src->layout == NULL) {
        problem(p, "schema %s: layout is NULL", s->name);
        s->layout = ta_layout_new();
        s->layout->struct_name = g_strdup("");
    } else {
        s->layout = copy_layout(p, s->name, "", src->layout, 0);
    }
    if (TESSERA_HAS_MEMBER(src, TesseraStateSchema, n_converters)) {
        if (src->n_converters && src->converters == NULL) {
            problem(p, "schema %s: n_converters is %u but converters is NULL", s->name,
                    src->n_converters);
        }
        for (uint32_t i = 0; src->converters && i < src->n_converters; i++) {
            TaConverter c = { src->converters[i].from, src->converters[i].to };
            g_array_append_val(s->converters, c);
        }
    }
    ta_schema_fingerprint(s);
    return s;
}

/* The class members every cpu/device class shares: size, instance_size, state,
 * migration_blocker, at the same offsets in both. */
G_STATIC_ASSERT(offsetof(TesseraCpuClass, state) == offsetof(TesseraDeviceClass, state));
G_STATIC_ASSERT(offsetof(TesseraCpuClass, migration_blocker) ==
                offsetof(TesseraDeviceClass, migration_blocker));

static void copy_class(TaPlugin *p, const void *iface)
{
    const TesseraDeviceClass *c = iface;
    size_t need = offsetof(TesseraDeviceClass, migration_blocker) + sizeof(c->migration_blocker);
    if (c->size < need) {
        problem(p, "class: size is %u, too small to hold state and migration_blocker", c->size);
        return;
    }
    p->instance_size = c->instance_size;
    if (c->state && c->migration_blocker) {
        problem(p, "class: both state and migration_blocker are set (exactly one must be)");
    }
    if (c->state == NULL && c->migration_blocker == NULL) {
        problem(p, "class: neither state nor migration_blocker is set (exactly one must be)");
    }
    if (c->migration_blocker) {
        p->blocker = g_strdup(c->migration_blocker);
    }
    if (c->state) {
        g_ptr_array_add(p->schemas, copy_schema(p, c->state));
    }
}

TaPlugin *ta_plugin_load_so(const char *path, GError **error)
{
    char *abs = g_canonicalize_filename(path, NULL);
    GModule *mod = g_module_open(abs, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
    g_free(abs);
    if (mod == NULL) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot load: %s", path,
                    g_module_error());
        return NULL;
    }
    gpointer sym = NULL;
    if (!g_module_symbol(mod, TESSERA_PLUGIN_SYMBOL, &sym) || sym == NULL) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "%s: no exported `%s` symbol: not a Tessera plugin (TESSERA_PLUGIN(...) "
                    "missing or hidden)",
                    path, TESSERA_PLUGIN_SYMBOL);
        g_module_close(mod);
        return NULL;
    }
    const TesseraPluginDescriptor *d = sym;
    char *base = g_path_get_basename(path);
    TaPlugin *p = ta_plugin_new(path);
    p->abi_major = d->abi_major;
    p->abi_minor = d->abi_minor;
    p->kind = d->kind;
    p->name = g_strdup(d->name ? d->name : base);
    p->version = g_strdup(d->version ? d->version : "");
    g_free(base);

    if (d->abi_major != TESSERA_ABI_MAJOR) {
        /* The layout of everything past the ABI numbers is unknown: stop here. */
        problem(p, "ABI: plugin is built for ABI %u.%u, this tessera-abi reads ABI %u.x",
                d->abi_major, d->abi_minor, TESSERA_ABI_MAJOR);
        g_module_close(mod);
        return p;
    }
    if (d->name == NULL) {
        problem(p, "descriptor: name is NULL");
    }
    if (d->version == NULL) {
        problem(p, "descriptor: version is NULL");
    }
    switch (d->kind) {
    case TESSERA_PLUGIN_CPU:
    case TESSERA_PLUGIN_DEVICE:
        if (d->iface == NULL) {
            problem(p, "descriptor: iface is NULL");
        } else {
            copy_class(p, d->iface);
        }
        break;
    case TESSERA_PLUGIN_MIGRATION:
        break;
    default:
        problem(p, "descriptor: kind %u is not a TesseraPluginKind", d->kind);
        break;
    }
    g_module_close(mod);
    return p;
}

TaPlugin *ta_plugin_load(const char *path, GError **error)
{
    char magic[4] = { 0 };
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    size_t n = fread(magic, 1, sizeof(magic), f);
    fclose(f);
    if (n == 4 && memcmp(magic, "\177ELF", 4) == 0) {
        return ta_plugin_load_so(path, error);
    }
    return ta_plugin_load_json(path, error);
}

static gint field_by_name(gconstpointer a, gconstpointer b)
{
    const TaField *fa = *(const TaField *const *)a;
    const TaField *fb = *(const TaField *const *)b;
    return strcmp(fa->name, fb->name);
}

/* Canonical form: fields sorted by wire name (the wire matches by name, so
 * declaration order does not matter), each as name:type:offset:size:count:since,
 * struct fields followed by their element layout in braces. */
static void canonical(GString *s, const TaLayout *l)
{
    GPtrArray *sorted = g_ptr_array_copy(l->fields, NULL, NULL);
    g_ptr_array_sort(sorted, field_by_name);
    for (guint i = 0; i < sorted->len; i++) {
        const TaField *f = sorted->pdata[i];
        g_string_append_printf(s, "%s:%s:%u:%u:%u:%u", f->name,
                               ta_field_type_name(f->type) ?: "?", f->offset, f->size, f->count,
                               f->since);
        if (f->layout) {
            g_string_append_c(s, '{');
            canonical(s, f->layout);
            g_string_append_c(s, '}');
        }
        g_string_append_c(s, ';');
    }
    g_ptr_array_free(sorted, TRUE);
}

void ta_schema_fingerprint(TaSchema *s)
{
    GString *text = g_string_new(NULL);
    if (s->layout) {
        canonical(text, s->layout);
    }
    g_free(s->fingerprint);
    s->fingerprint = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text->str, text->len);
    g_string_free(text, TRUE);
}

static void print_layout(const TaLayout *l, const char *prefix, int indent, FILE *out)
{
    for (guint i = 0; i < l->fields->len; i++) {
        const TaField *f = l->fields->pdata[i];
        fprintf(out, "%*sfield %s%s: member %s, %s, offset %u, size %u, count %u, since %u",
                indent, "", prefix, f->name, f->member, ta_field_type_name(f->type) ?: "?",
                f->offset, f->size, f->count, f->since);
        if (f->layout) {
            fprintf(out, ", struct %s\n", f->layout->struct_name);
            char *sub = g_strdup_printf("%s%s.", prefix, f->name);
            print_layout(f->layout, sub, indent + 2, out);
            g_free(sub);
        } else {
            fputc('\n', out);
        }
    }
    for (guint i = 0; i < l->unmigrated->len; i++) {
        fprintf(out, "%*sunmigrated %s%s\n", indent, "", prefix,
                (const char *)l->unmigrated->pdata[i]);
    }
}

void ta_plugin_print(const TaPlugin *p, FILE *out)
{
    fprintf(out, "plugin %s %s (%s, ABI %u.%u)\n", p->name, p->version,
            ta_plugin_kind_name(p->kind), p->abi_major, p->abi_minor);
    if (p->blocker) {
        fprintf(out, "blocked: %s\n", p->blocker);
    }
    for (guint i = 0; i < p->schemas->len; i++) {
        const TaSchema *s = p->schemas->pdata[i];
        fprintf(out, "schema %s: struct %s, size %u, version %u, load_min %u, save_min %u\n",
                s->name, s->layout->struct_name, s->layout->size, s->version, s->load_min,
                s->save_min);
        fprintf(out, "  fingerprint %s\n", s->fingerprint);
        print_layout(s->layout, "", 2, out);
        for (guint k = 0; k < s->converters->len; k++) {
            const TaConverter *c = &g_array_index(s->converters, TaConverter, k);
            fprintf(out, "  converter %u -> %u\n", c->from, c->to);
        }
    }
}
