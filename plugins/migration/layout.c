/* SPDX-License-Identifier: MIT */
/*
 * Walks a layout's leaf fields. A STRUCT field of N elements multiplies the element
 * bases of its children: the leaf "outer.inner" sits at every base, outer-major,
 * which is the order records use.
 */
#include "layout.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

typedef struct Leaf {
    const char *name;     /* full dotted name */
    const TesseraField *f;
    uint32_t since;       /* the largest `since` on the path */
    const size_t *bases;  /* offsets of each outer element */
    size_t n_bases;
} Leaf;

typedef int (*LeafFn)(const Leaf *leaf, void *ctx, char *err, size_t errlen);

static int walk(const TesseraStateLayout *l, const char *prefix, uint32_t since, const size_t *bases,
                size_t n_bases, LeafFn fn, void *ctx, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < l->n_fields; i++) {
        const TesseraField *f = &l->fields[i];
        g_autofree char *name = prefix ? g_strdup_printf("%s.%s", prefix, f->name) : g_strdup(f->name);
        uint32_t s = MAX(since, f->since);
        if (f->type == TESSERA_FIELD_STRUCT) {
            if (!f->layout || f->count == 0 ||
                (uint64_t)f->offset + (uint64_t)f->count * f->layout->size > l->size ||
                (uint64_t)n_bases * f->count > RECORD_FIELD_BYTES_MAX) {
                snprintf(err, errlen, "layout %s: field '%s' is malformed", l->struct_name, name);
                return -1;
            }
            size_t n = n_bases * f->count;
            g_autofree size_t *inner = g_new(size_t, n);
            for (size_t b = 0; b < n_bases; b++)
                for (uint32_t e = 0; e < f->count; e++)
                    inner[b * f->count + e] = bases[b] + f->offset + (size_t)e * f->layout->size;
            if (walk(f->layout, name, s, inner, n, fn, ctx, err, errlen) < 0)
                return -1;
            continue;
        }
        unsigned w = field_type_width(f->type);
        if (f->type == TESSERA_FIELD_BLOB &&
            (f->count != 1 || n_bases != 1 || (uint64_t)f->offset + sizeof(TesseraBlob) > l->size)) {
            snprintf(err, errlen, "layout %s: blob '%s' is malformed", l->struct_name, name);
            return -1;
        }
        if (w == 0 || f->count == 0 || (uint64_t)f->offset + (uint64_t)f->count * w > l->size ||
            (uint64_t)n_bases * f->count * w > RECORD_FIELD_BYTES_MAX) {
            snprintf(err, errlen, "layout %s: field '%s' is malformed", l->struct_name, name);
            return -1;
        }
        Leaf leaf = {.name = name, .f = f, .since = s, .bases = bases, .n_bases = n_bases};
        if (fn(&leaf, ctx, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static int walk_layout(const TesseraStateLayout *l, LeafFn fn, void *ctx, char *err, size_t errlen)
{
    const size_t base = 0;
    return walk(l, NULL, 0, &base, 1, fn, ctx, err, errlen);
}

/* Host-order scalar of width w at p <-> 64-bit value. */
static uint64_t mem_load(const uint8_t *p, unsigned w)
{
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    switch (w) {
    case 1: memcpy(&u8, p, 1); return u8;
    case 2: memcpy(&u16, p, 2); return u16;
    case 4: memcpy(&u32, p, 4); return u32;
    default: memcpy(&u64, p, 8); return u64;
    }
}

static void mem_store(uint8_t *p, unsigned w, uint64_t v)
{
    uint8_t u8 = (uint8_t)v;
    uint16_t u16 = (uint16_t)v;
    uint32_t u32 = (uint32_t)v;
    switch (w) {
    case 1: memcpy(p, &u8, 1); break;
    case 2: memcpy(p, &u16, 2); break;
    case 4: memcpy(p, &u32, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}

/* ---- memory -> record ---- */

typedef struct ToRecord {
    const uint8_t *mem;
    uint32_t version;
    TesseraRecord *rec;
} ToRecord;

static int leaf_to_record(const Leaf *leaf, void *ctx, char *err, size_t errlen)
{
    ToRecord *t = ctx;
    if (leaf->since > t->version)
        return 0;
    if (leaf->f->type == TESSERA_FIELD_BLOB) {
        TesseraBlob b;
        memcpy(&b, t->mem + leaf->bases[0] + leaf->f->offset, sizeof(b));
        if (!b.data || b.len == 0 || b.len > RECORD_FIELD_BYTES_MAX) {
            snprintf(err, errlen, "blob '%s': pre_save left %llu bytes (1 to %u)", leaf->name,
                     (unsigned long long)b.len, RECORD_FIELD_BYTES_MAX);
            return -1;
        }
        return record_append(t->rec, leaf->name, TESSERA_FIELD_BLOB, (uint32_t)b.len, b.data, err,
                             errlen);
    }
    unsigned w = field_type_width(leaf->f->type);
    size_t count = leaf->n_bases * leaf->f->count;
    g_autofree uint8_t *data = g_malloc(count * w);
    size_t k = 0;
    for (size_t b = 0; b < leaf->n_bases; b++)
        for (uint32_t e = 0; e < leaf->f->count; e++, k++) {
            const uint8_t *p = t->mem + leaf->bases[b] + leaf->f->offset + (size_t)e * w;
            wire_store_le(data + k * w, w, mem_load(p, w));
        }
    return record_append(t->rec, leaf->name, leaf->f->type, (uint32_t)count, data, err, errlen);
}

TesseraRecord *layout_to_record(const TesseraStateLayout *layout, const void *mem, uint32_t version,
                                char *err, size_t errlen)
{
    ToRecord t = {.mem = mem, .version = version, .rec = record_new(version)};
    if (walk_layout(layout, leaf_to_record, &t, err, errlen) < 0) {
        record_free(t.rec);
        return NULL;
    }
    return t.rec;
}

/* ---- record -> memory ---- */

typedef struct Apply {
    const TesseraRecord *rec;
    uint8_t *mem;
    GHashTable *seen; /* record field names the layout has */
} Apply;

static int leaf_apply(const Leaf *leaf, void *ctx, char *err, size_t errlen)
{
    Apply *a = ctx;
    const TesseraField *f = leaf->f;
    unsigned w = field_type_width(f->type);
    size_t count = leaf->n_bases * f->count;
    const RecordField *rf = record_find(a->rec, leaf->name);
    uint32_t version = record_version(a->rec);

    if (!rf && leaf->since <= version) {
        snprintf(err, errlen, "field '%s' (since v%u) is missing from the v%u state", leaf->name,
                 leaf->since, version);
        return -1;
    }
    if (f->type == TESSERA_FIELD_BLOB) {
        TesseraBlob b = {0};
        if (rf) {
            g_hash_table_add(a->seen, rf->name);
            if (rf->type != TESSERA_FIELD_BLOB) {
                snprintf(err, errlen, "field '%s' is %s[%u] in the v%u state, the plugin expects a blob",
                         leaf->name, field_type_name(rf->type), rf->count, version);
                return -1;
            }
            b = (TesseraBlob){.data = g_memdup2(rf->data, rf->count), .len = rf->count};
        }
        memcpy(a->mem + leaf->bases[0] + f->offset, &b, sizeof(b));
        return 0;
    }
    if (rf) {
        g_hash_table_add(a->seen, rf->name);
        if (rf->type != f->type || rf->count != count) {
            snprintf(err, errlen, "field '%s' is %s[%u] in the v%u state, the plugin expects %s[%zu]",
                     leaf->name, field_type_name(rf->type), rf->count, version,
                     field_type_name(f->type), count);
            return -1;
        }
    }
    size_t k = 0;
    for (size_t b = 0; b < leaf->n_bases; b++)
        for (uint32_t e = 0; e < f->count; e++, k++) {
            uint64_t v = rf ? wire_load_le(rf->data + k * w, w) : f->dflt;
            if (f->type == TESSERA_FIELD_BOOL && v > 1) {
                snprintf(err, errlen, "field '%s'[%zu]: bool value %llu is neither 0 nor 1",
                         leaf->name, k, (unsigned long long)v);
                return -1;
            }
            mem_store(a->mem + leaf->bases[b] + f->offset + (size_t)e * w, w, v);
        }
    return 0;
}

int layout_apply(const TesseraStateLayout *layout, const TesseraRecord *rec, void *mem, char *err,
                 size_t errlen)
{
    Apply a = {.rec = rec, .mem = mem, .seen = g_hash_table_new(g_str_hash, g_str_equal)};
    int rc = walk_layout(layout, leaf_apply, &a, err, errlen);
    for (unsigned i = 0; rc == 0 && i < record_n_fields(rec); i++) {
        const RecordField *rf = record_field(rec, i);
        if (!g_hash_table_contains(a.seen, rf->name)) {
            snprintf(err, errlen, "field '%s' of the v%u state is unknown to the plugin", rf->name,
                     record_version(rec));
            rc = -1;
        }
    }
    g_hash_table_destroy(a.seen);
    return rc;
}

/* ---- commit / rollback ---- */

typedef struct Swap {
    uint8_t *a, *b;
} Swap;

static int leaf_swap(const Leaf *leaf, void *ctx, char *err, size_t errlen)
{
    Swap *s = ctx;
    size_t len = leaf->f->type == TESSERA_FIELD_BLOB
                     ? sizeof(TesseraBlob)
                     : (size_t)leaf->f->count * field_type_width(leaf->f->type);
    for (size_t b = 0; b < leaf->n_bases; b++) {
        size_t off = leaf->bases[b] + leaf->f->offset;
        for (size_t i = 0; i < len; i++) {
            uint8_t t = s->a[off + i];
            s->a[off + i] = s->b[off + i];
            s->b[off + i] = t;
        }
    }
    return 0;
}

void layout_swap(const TesseraStateLayout *layout, void *a, void *b)
{
    Swap s = {.a = a, .b = b};
    char err[256];
    walk_layout(layout, leaf_swap, &s, err, sizeof(err));
}

/* ---- blob views ---- */

typedef struct Blobs {
    uint8_t *mem;     /* NULL: only count them */
    bool host_owned;
    unsigned n;
} Blobs;

static int leaf_blob(const Leaf *leaf, void *ctx, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    Blobs *b = ctx;
    if (leaf->f->type != TESSERA_FIELD_BLOB)
        return 0;
    b->n++;
    if (b->mem) {
        TesseraBlob *view = (TesseraBlob *)(b->mem + leaf->bases[0] + leaf->f->offset);
        TesseraBlob v;
        memcpy(&v, view, sizeof(v));
        if (b->host_owned)
            g_free((void *)v.data);
        memset(view, 0, sizeof(*view));
    }
    return 0;
}

bool layout_has_blob(const TesseraStateLayout *layout)
{
    Blobs b = {0};
    char err[256];
    walk_layout(layout, leaf_blob, &b, err, sizeof(err));
    return b.n > 0;
}

void layout_clear_blobs(const TesseraStateLayout *layout, void *mem, bool host_owned)
{
    Blobs b = {.mem = mem, .host_owned = host_owned};
    char err[256];
    walk_layout(layout, leaf_blob, &b, err, sizeof(err));
}
