/* SPDX-License-Identifier: MIT */
/* tessera-snap dump: the snapshot as JSON, device fields included. */
#include "dump.h"

#include "manifest_json.h"

/* Numbers when they fit JSON's int64, decimal strings beyond (u64 >= 2^63). */
static void add_element(JsonBuilder *b, const RecordField *f, uint32_t i)
{
    uint64_t v = record_field_get(f, i);
    if (f->type == TESSERA_FIELD_BOOL)
        json_builder_add_boolean_value(b, v != 0);
    else if (field_type_signed(f->type) || v <= INT64_MAX)
        json_builder_add_int_value(b, (gint64)v);
    else {
        g_autofree char *s = g_strdup_printf("%" G_GUINT64_FORMAT, v);
        json_builder_add_string_value(b, s);
    }
}

static void add_field(JsonBuilder *b, const RecordField *f)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, f->name);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, field_type_name(f->type));
    json_builder_set_member_name(b, "count");
    json_builder_add_int_value(b, f->count);
    json_builder_set_member_name(b, "value");
    if (f->type == TESSERA_FIELD_BYTES || f->type == TESSERA_FIELD_BLOB) {
        GString *hex = g_string_sized_new(f->count * 2);
        for (uint32_t i = 0; i < f->count; i++)
            g_string_append_printf(hex, "%02x", f->data[i]);
        json_builder_add_string_value(b, hex->str);
        g_string_free(hex, TRUE);
    } else if (f->count == 1) {
        add_element(b, f, 0);
    } else {
        json_builder_begin_array(b);
        for (uint32_t i = 0; i < f->count; i++)
            add_element(b, f, i);
        json_builder_end_array(b);
    }
    json_builder_end_object(b);
}

char *tsnap_dump_json(const TsnapFile *f)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    manifest_add_snapshot(b, f);
    json_builder_set_member_name(b, "devices");
    json_builder_begin_array(b);
    for (unsigned i = 0; i < f->devices->len; i++) {
        const TsnapDevice *d = f->devices->pdata[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, d->name);
        json_builder_set_member_name(b, "state_version");
        json_builder_add_int_value(b, record_version(d->rec));
        json_builder_set_member_name(b, "fields");
        json_builder_begin_array(b);
        for (unsigned k = 0; k < record_n_fields(d->rec); k++)
            add_field(b, record_field(d->rec, k));
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return manifest_to_string(b);
}
