/* SPDX-License-Identifier: MIT */
/* TesseraRecord and the TesseraRecordOps converters edit it through. */
#include "record.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

struct TesseraRecord {
    uint32_t version;
    GPtrArray *fields; /* RecordField* */
};

static void field_free(gpointer p)
{
    RecordField *f = p;
    g_free(f->name);
    g_free(f->data);
    g_free(f);
}

TesseraRecord *record_new(uint32_t version)
{
    TesseraRecord *rec = g_new0(TesseraRecord, 1);
    rec->version = version;
    rec->fields = g_ptr_array_new_with_free_func(field_free);
    return rec;
}

void record_free(TesseraRecord *rec)
{
    if (!rec)
        return;
    g_ptr_array_free(rec->fields, TRUE);
    g_free(rec);
}

TesseraRecord *record_copy(const TesseraRecord *rec)
{
    TesseraRecord *c = record_new(rec->version);
    for (unsigned i = 0; i < rec->fields->len; i++) {
        const RecordField *f = rec->fields->pdata[i];
        RecordField *n = g_new0(RecordField, 1);
        n->name = g_strdup(f->name);
        n->type = f->type;
        n->count = f->count;
        n->data = g_memdup2(f->data, (gsize)f->count * field_type_width(f->type));
        g_ptr_array_add(c->fields, n);
    }
    return c;
}

uint32_t record_version(const TesseraRecord *rec)
{
    return rec->version;
}

void record_set_version(TesseraRecord *rec, uint32_t version)
{
    rec->version = version;
}

unsigned record_n_fields(const TesseraRecord *rec)
{
    return rec->fields->len;
}

const RecordField *record_field(const TesseraRecord *rec, unsigned i)
{
    return i < rec->fields->len ? rec->fields->pdata[i] : NULL;
}

static int find_index(const TesseraRecord *rec, const char *name)
{
    for (unsigned i = 0; i < rec->fields->len; i++) {
        const RecordField *f = rec->fields->pdata[i];
        if (strcmp(f->name, name) == 0)
            return (int)i;
    }
    return -1;
}

const RecordField *record_find(const TesseraRecord *rec, const char *name)
{
    int i = name ? find_index(rec, name) : -1;
    return i < 0 ? NULL : rec->fields->pdata[i];
}

unsigned field_type_width(uint32_t type)
{
    return tessera_field_type_width(type);
}

bool field_type_signed(uint32_t type)
{
    return tessera_field_type_signed(type);
}

const char *field_type_name(uint32_t type)
{
    const char *name = tessera_field_type_name(type);
    return name ? name : "unknown";
}

bool record_name_valid(const char *name, size_t len)
{
    if (len == 0 || len > RECORD_NAME_MAX)
        return false;
    bool component_empty = true;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '.') {
            if (component_empty)
                return false;
            component_empty = true;
        } else if (g_ascii_isalnum(c) || c == '_') {
            component_empty = false;
        } else {
            return false;
        }
    }
    return !component_empty;
}

int record_append(TesseraRecord *rec, const char *name, uint32_t type, uint32_t count,
                  const void *data, char *err, size_t errlen)
{
    unsigned w = field_type_width(type);
    if (!name || !record_name_valid(name, strlen(name))) {
        snprintf(err, errlen, "invalid field name '%s'", name ? name : "(null)");
        return -1;
    }
    if (w == 0) {
        snprintf(err, errlen, "field '%s': invalid type %u", name, type);
        return -1;
    }
    if (count == 0 || (uint64_t)count * w > RECORD_FIELD_BYTES_MAX) {
        snprintf(err, errlen, "field '%s': invalid element count %u", name, count);
        return -1;
    }
    if (find_index(rec, name) >= 0) {
        snprintf(err, errlen, "field '%s' appears twice", name);
        return -1;
    }
    RecordField *f = g_new0(RecordField, 1);
    f->name = g_strdup(name);
    f->type = type;
    f->count = count;
    f->data = data ? g_memdup2(data, (gsize)count * w) : g_malloc0((gsize)count * w);
    g_ptr_array_add(rec->fields, f);
    return 0;
}

uint64_t record_field_get(const RecordField *f, uint32_t index)
{
    unsigned w = field_type_width(f->type);
    uint64_t v = wire_load_le(f->data + (size_t)index * w, w);
    if (field_type_signed(f->type) && w < 8 && (v >> (8 * w - 1)) & 1)
        v |= ~UINT64_C(0) << (8 * w);
    return v;
}

/* Whether `value` is representable in the field's type. */
static bool value_fits(uint32_t type, uint64_t value)
{
    unsigned w = field_type_width(type);
    if (type == TESSERA_FIELD_BOOL)
        return value <= 1;
    if (w == 8)
        return true;
    if (field_type_signed(type)) {
        int64_t s = (int64_t)value;
        int64_t lim = INT64_C(1) << (8 * w - 1);
        return s >= -lim && s < lim;
    }
    return (value >> (8 * w)) == 0;
}

/* ---- TesseraRecordOps ---- */

static int op_has(const TesseraRecord *rec, const char *field)
{
    return record_find(rec, field) != NULL;
}

static int op_get(const TesseraRecord *rec, const char *field, uint32_t index, uint64_t *out)
{
    const RecordField *f = record_find(rec, field);
    if (!f || index >= f->count)
        return -1;
    *out = record_field_get(f, index);
    return 0;
}

static int op_set(TesseraRecord *rec, const char *field, uint32_t index, uint64_t value)
{
    RecordField *f = (RecordField *)record_find(rec, field);
    if (!f || index >= f->count || !value_fits(f->type, value))
        return -1;
    unsigned w = field_type_width(f->type);
    wire_store_le(f->data + (size_t)index * w, w, value);
    return 0;
}

static const void *op_get_bytes(const TesseraRecord *rec, const char *field, size_t *len)
{
    const RecordField *f = record_find(rec, field);
    if (!f || (f->type != TESSERA_FIELD_BYTES && f->type != TESSERA_FIELD_BLOB))
        return NULL;
    if (len)
        *len = f->count;
    return f->data;
}

/* Replaces the content; the field's byte count becomes len. */
static int op_set_bytes(TesseraRecord *rec, const char *field, const void *buf, size_t len)
{
    RecordField *f = (RecordField *)record_find(rec, field);
    if (!f || (f->type != TESSERA_FIELD_BYTES && f->type != TESSERA_FIELD_BLOB) || len == 0 ||
        len > RECORD_FIELD_BYTES_MAX)
        return -1;
    uint8_t *data = g_memdup2(buf, len);
    g_free(f->data);
    f->data = data;
    f->count = (uint32_t)len;
    return 0;
}

static int op_add(TesseraRecord *rec, const char *field, uint32_t type, uint32_t count)
{
    char err[8];
    return record_append(rec, field, type, count, NULL, err, sizeof(err));
}

static int op_remove(TesseraRecord *rec, const char *field)
{
    int i = field ? find_index(rec, field) : -1;
    if (i < 0)
        return -1;
    g_ptr_array_remove_index(rec->fields, (guint)i);
    return 0;
}

static int op_rename(TesseraRecord *rec, const char *field, const char *new_name)
{
    int i = field ? find_index(rec, field) : -1;
    if (i < 0 || !new_name || !record_name_valid(new_name, strlen(new_name)))
        return -1;
    if (strcmp(field, new_name) == 0)
        return 0;
    if (find_index(rec, new_name) >= 0)
        return -1;
    RecordField *f = rec->fields->pdata[i];
    g_free(f->name);
    f->name = g_strdup(new_name);
    return 0;
}

const TesseraRecordOps record_ops = {
    .size = sizeof(TesseraRecordOps),
    .version = record_version,
    .has = op_has,
    .get = op_get,
    .set = op_set,
    .get_bytes = op_get_bytes,
    .set_bytes = op_set_bytes,
    .add = op_add,
    .remove = op_remove,
    .rename = op_rename,
};
