/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi check: a plugin's declared state schema against the C struct it
 * describes, as the compiler laid it out (the plugin's own DWARF).
 *
 * Field names in messages are wire names; fields of nested layouts read
 * "outer.inner", as converters address them.
 */
#include "check.h"

#include <stdarg.h>
#include <string.h>

#include "tessera/state.h"

void ta_problem(TaReport *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (r->seen && g_hash_table_contains(r->seen, msg)) {
        g_free(msg);
        return;
    }
    fprintf(r->out, "%s: %s\n", r->plugin, msg);
    if (r->seen) {
        g_hash_table_add(r->seen, msg);
    } else {
        g_free(msg);
    }
    r->problems++;
}

void ta_note(TaReport *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(r->out, "%s: ", r->plugin);
    vfprintf(r->out, fmt, ap);
    fputc('\n', r->out);
    va_end(ap);
}

typedef struct Ctx {
    TaReport *r;
    const char *schema;
} Ctx;

/* --- what a C type is, in schema terms ----------------------------------------- */

/* The field type a scalar C type corresponds to, 0 when none does. */
static uint32_t scalar_class(const TaType *t)
{
    t = ta_type_strip(t);
    if (t == NULL || (t->kind != TA_TYPE_BASE && t->kind != TA_TYPE_ENUM)) {
        return 0;
    }
    static const uint32_t u[9] = { [1] = TESSERA_FIELD_U8, [2] = TESSERA_FIELD_U16,
                                   [4] = TESSERA_FIELD_U32, [8] = TESSERA_FIELD_U64 };
    static const uint32_t s[9] = { [1] = TESSERA_FIELD_I8, [2] = TESSERA_FIELD_I16,
                                   [4] = TESSERA_FIELD_I32, [8] = TESSERA_FIELD_I64 };
    if (t->size > 8) {
        return 0;
    }
    switch (t->base) {
    case TA_BASE_BOOL:
        return t->size == 1 ? TESSERA_FIELD_BOOL : 0;
    case TA_BASE_UNSIGNED:
        return u[t->size];
    case TA_BASE_SIGNED:
        return s[t->size];
    default:
        return 0;
    }
}

/* "uint32_t (u32)", "char (i8)", "struct foo", "float", "uint8_t *" */
static char *describe_class(const TaType *t)
{
    char *c = ta_type_describe(t);
    uint32_t cls = scalar_class(t);
    const char *cn = ta_field_type_name(cls);
    if (cls && strcmp(c, cn) != 0) {
        char *d = g_strdup_printf("%s (%s)", c, cn);
        g_free(c);
        return d;
    }
    return c;
}

/* Peels every array level: the element type (typedef chain kept) and the total count. */
static const TaType *flatten(const TaType *t, uint64_t *count, bool *is_array)
{
    *count = 1;
    *is_array = false;
    for (;;) {
        const TaType *s = ta_type_strip(t);
        if (s == NULL || s->kind != TA_TYPE_ARRAY) {
            return t;
        }
        *is_array = true;
        for (unsigned i = 0; i < s->n_dims; i++) {
            *count *= s->dims[i];
        }
        t = s->target;
    }
}

/* --- member lookup --------------------------------------------------------------- */

/* Finds `name` among the members of struct/union `st`, looking through anonymous
 * struct/union members; adds the member's offset to *offset. */
static const TaMember *find_direct(const TaType *st, const char *name, uint64_t *offset)
{
    st = ta_type_strip(st);
    if (st == NULL || (st->kind != TA_TYPE_STRUCT && st->kind != TA_TYPE_UNION)) {
        return NULL;
    }
    for (unsigned i = 0; i < st->n_members; i++) {
        const TaMember *m = &st->members[i];
        if (m->name && strcmp(m->name, name) == 0) {
            *offset += m->offset;
            return m;
        }
        if (m->name == NULL) {
            uint64_t inner = *offset + m->offset;
            const TaMember *found = find_direct(m->type, name, &inner);
            if (found) {
                *offset = inner;
                return found;
            }
        }
    }
    return NULL;
}

/* A member path "a.b.c" (C designator of nested members). */
static const TaMember *find_member(const TaType *st, const char *path, uint64_t *offset)
{
    *offset = 0;
    char **parts = g_strsplit(path, ".", -1);
    const TaMember *m = NULL;
    const TaType *cur = st;
    for (char **p = parts; *p; p++) {
        m = find_direct(cur, *p, offset);
        if (m == NULL) {
            break;
        }
        cur = m->type;
    }
    g_strfreev(parts);
    return m;
}

static bool str_in(const GPtrArray *list, const char *s)
{
    for (guint i = 0; i < list->len; i++) {
        if (strcmp(list->pdata[i], s) == 0) {
            return true;
        }
    }
    return false;
}

/* --- layouts --------------------------------------------------------------------- */

static void check_layout(Ctx *c, const char *prefix, const TaLayout *l, const TaType *st);

static void check_field(Ctx *c, const char *prefix, const TaField *f, const TaType *st)
{
    TaReport *r = c->r;
    const char *sn = c->schema;
    uint64_t offset = 0;
    const TaMember *m = find_member(st, f->member, &offset);
    if (m == NULL) {
        char *d = ta_type_describe(st);
        ta_problem(r, "schema %s: field %s%s: schema says member %s, struct says no such member "
                      "in %s",
                   sn, prefix, f->name, f->member, d);
        g_free(d);
        return;
    }
    if (m->bit_size) {
        ta_problem(r, "schema %s: field %s%s: schema says %s, struct says %u-bit bit-field "
                      "(bit-fields cannot be migrated by offset)",
                   sn, prefix, f->name, ta_field_type_name(f->type) ?: "?", m->bit_size);
        return;
    }
    if (offset != f->offset) {
        ta_problem(r, "schema %s: field %s%s: schema says offset %u, struct says offset %" G_GUINT64_FORMAT,
                   sn, prefix, f->name, f->offset, offset);
    }

    uint64_t count = 0;
    bool is_array = false;
    const TaType *elem = flatten(m->type, &count, &is_array);
    const TaType *es = ta_type_strip(elem);
    char *whole = ta_type_describe(m->type);
    char *ed = describe_class(elem);
    const char *tn = ta_field_type_name(f->type) ?: "?";

    switch (f->type) {
    case TESSERA_FIELD_BYTES: {
        bool byte_elem = es && es->kind == TA_TYPE_BASE && es->size == 1 &&
                         (es->base == TA_BASE_SIGNED || es->base == TA_BASE_UNSIGNED);
        if (!byte_elem || !is_array) {
            ta_problem(r, "schema %s: field %s%s: schema says bytes[%u], struct says %s "
                          "(bytes need a char/uint8_t array)",
                       sn, prefix, f->name, f->count, whole);
        } else if (count != f->count) {
            ta_problem(r, "schema %s: field %s%s: schema says bytes[%u], struct says %s "
                          "(%" G_GUINT64_FORMAT " bytes)",
                       sn, prefix, f->name, f->count, whole, count);
        }
        break;
    }
    case TESSERA_FIELD_BLOB:
        if (is_array || !ta_type_has_name(elem, "TesseraBlob")) {
            ta_problem(r, "schema %s: field %s%s: schema says blob, struct says %s "
                          "(a blob needs a TesseraBlob member)",
                       sn, prefix, f->name, whole);
        }
        break;
    case TESSERA_FIELD_STRUCT:
        if (es == NULL || (es->kind != TA_TYPE_STRUCT && es->kind != TA_TYPE_UNION)) {
            ta_problem(r, "schema %s: field %s%s: schema says struct %s, struct says %s", sn,
                       prefix, f->name, f->layout ? f->layout->struct_name : "?", whole);
            break;
        }
        if (count != f->count) {
            ta_problem(r, "schema %s: field %s%s: schema says count %u, struct says count "
                          "%" G_GUINT64_FORMAT " (%s)",
                       sn, prefix, f->name, f->count, count, whole);
        }
        if (f->layout == NULL) {
            break; /* reported when the plugin was loaded */
        }
        if (!ta_type_has_name(elem, f->layout->struct_name)) {
            ta_problem(r, "schema %s: field %s%s: schema says struct %s, struct says %s", sn,
                       prefix, f->name, f->layout->struct_name, ed);
            break;
        }
        {
            char *sub = g_strdup_printf("%s%s.", prefix, f->name);
            check_layout(c, sub, f->layout, es);
            g_free(sub);
        }
        break;
    default: {
        uint32_t cls = scalar_class(elem);
        if (cls != f->type) {
            ta_problem(r, "schema %s: field %s%s: schema says %s, struct says %s", sn, prefix,
                       f->name, tn, ed);
        } else if (count != f->count) {
            ta_problem(r, "schema %s: field %s%s: schema says count %u, struct says count "
                          "%" G_GUINT64_FORMAT " (%s)",
                       sn, prefix, f->name, f->count, count, whole);
        }
        break;
    }
    }
    g_free(whole);
    g_free(ed);
}

/* Fields naming "a.b" cover part of member "a"; the rest of "a" must then be
 * covered member by member too. */
static bool covers_part_of(const TaLayout *l, const char *path)
{
    size_t n = strlen(path);
    for (guint i = 0; i < l->fields->len; i++) {
        const TaField *f = l->fields->pdata[i];
        if (strncmp(f->member, path, n) == 0 && f->member[n] == '.') {
            return true;
        }
    }
    return false;
}

static bool covers(const TaLayout *l, const char *path)
{
    for (guint i = 0; i < l->fields->len; i++) {
        const TaField *f = l->fields->pdata[i];
        if (strcmp(f->member, path) == 0) {
            return true;
        }
    }
    return false;
}

static void check_coverage(Ctx *c, const char *prefix, const TaLayout *l, const TaType *st,
                           const char *path_prefix, uint64_t base)
{
    st = ta_type_strip(st);
    for (unsigned i = 0; st && i < st->n_members; i++) {
        const TaMember *m = &st->members[i];
        if (m->name == NULL) {
            check_coverage(c, prefix, l, m->type, path_prefix, base + m->offset);
            continue;
        }
        char *path = g_strdup_printf("%s%s", path_prefix, m->name);
        if (covers(l, path) || str_in(l->unmigrated, path)) {
            /* covered */
        } else if (covers_part_of(l, path)) {
            char *sub = g_strdup_printf("%s.", path);
            check_coverage(c, prefix, l, m->type, sub, base + m->offset);
            g_free(sub);
        } else {
            char *d = ta_type_describe(m->type);
            ta_problem(c->r, "schema %s: member %s%s: not covered by any field and not listed in "
                             "unmigrated (%s at offset %" G_GUINT64_FORMAT ")",
                       c->schema, prefix, path, d, base + m->offset);
            g_free(d);
        }
        g_free(path);
    }
}

static void check_layout(Ctx *c, const char *prefix, const TaLayout *l, const TaType *st)
{
    TaReport *r = c->r;
    const TaType *s = ta_type_strip(st);
    if (l->size != s->size) {
        ta_problem(r, "schema %s: layout %s: schema says size %u, struct says size %" G_GUINT64_FORMAT,
                   c->schema, l->struct_name, l->size, s->size);
    }
    for (guint i = 0; i < l->fields->len; i++) {
        check_field(c, prefix, l->fields->pdata[i], s);
    }
    check_coverage(c, prefix, l, s, "", 0);
    for (guint i = 0; i < l->unmigrated->len; i++) {
        const char *u = l->unmigrated->pdata[i];
        uint64_t off = 0;
        if (find_member(s, u, &off) == NULL) {
            ta_problem(r, "schema %s: unmigrated %s%s: struct %s has no such member", c->schema,
                       prefix, u, l->struct_name);
        } else if (covers(l, u)) {
            ta_problem(r, "schema %s: unmigrated %s%s: also covered by a field", c->schema, prefix,
                       u);
        }
    }
}

/* --- the schema's own data ----------------------------------------------------------- */

static void check_fields_data(Ctx *c, const char *prefix, const TaLayout *l, uint32_t version)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < l->fields->len; i++) {
        const TaField *f = l->fields->pdata[i];
        if (!g_hash_table_add(seen, f->name)) {
            ta_problem(c->r, "schema %s: field %s%s: declared twice", c->schema, prefix, f->name);
        }
        if (f->since < 1 || f->since > version) {
            ta_problem(c->r, "schema %s: field %s%s: since %u is outside versions 1..%u",
                       c->schema, prefix, f->name, f->since, version);
        }
        if (f->count == 0) {
            ta_problem(c->r, "schema %s: field %s%s: count is 0", c->schema, prefix, f->name);
        }
        if (f->layout) {
            char *sub = g_strdup_printf("%s%s.", prefix, f->name);
            check_fields_data(c, sub, f->layout, version);
            g_free(sub);
        }
    }
    g_hash_table_destroy(seen);
}

static void check_schema_data(Ctx *c, const TaSchema *s)
{
    TaReport *r = c->r;
    if (s->version < 1) {
        ta_problem(r, "schema %s: version is 0 (versions start at 1)", s->name);
    }
    if (s->load_min < 1 || s->load_min > s->version) {
        ta_problem(r, "schema %s: load_min %u is outside versions 1..%u", s->name, s->load_min,
                   s->version);
    }
    if (s->save_min < 1 || s->save_min > s->version) {
        ta_problem(r, "schema %s: save_min %u is outside versions 1..%u", s->name, s->save_min,
                   s->version);
    }
    for (guint k = 0; k < s->converters->len; k++) {
        const TaConverter *cv = &g_array_index(s->converters, TaConverter, k);
        bool adjacent = cv->to == cv->from + 1 || cv->from == cv->to + 1;
        if (!adjacent) {
            ta_problem(r, "schema %s: converter %u->%u: converters join adjacent versions",
                       s->name, cv->from, cv->to);
        } else if (MAX(cv->from, cv->to) > s->version) {
            ta_problem(r, "schema %s: converter %u->%u: goes past the current version %u",
                       s->name, cv->from, cv->to, s->version);
        }
    }
    check_fields_data(c, "", s->layout, s->version);
}

void ta_check_schemas(TaReport *r, const TaPlugin *p, const TaDebugInfo *dbg)
{
    for (guint i = 0; i < p->schemas->len; i++) {
        const TaSchema *s = p->schemas->pdata[i];
        Ctx c = { .r = r, .schema = s->name };
        check_schema_data(&c, s);
        const TaType *st = ta_dwarf_find_struct(dbg, s->layout->struct_name);
        if (st == NULL) {
            ta_problem(r, "schema %s: layout %s: schema says struct %s, the plugin's DWARF has no "
                          "such struct or typedef",
                       s->name, s->layout->struct_name, s->layout->struct_name);
            continue;
        }
        if (p->instance_size && p->instance_size < s->layout->size) {
            ta_problem(r, "schema %s: class instance_size %u is smaller than struct %s (%u bytes)",
                       s->name, p->instance_size, s->layout->struct_name, s->layout->size);
        }
        check_layout(&c, "", s->layout, st);
    }
}
