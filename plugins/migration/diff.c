/* SPDX-License-Identifier: MIT */
/* tessera-snap diff: what differs between two snapshots, field by field. */
#include <string.h>

#include "dump.h"

/* Differing elements listed per field before "and N more". */
#define DIFF_MAX_ELEMS 8

static void diff_field(const char *dev, const RecordField *fa, const RecordField *fb, GString *out,
                       unsigned *n)
{
    if (fa->type != fb->type || fa->count != fb->count) {
        g_string_append_printf(out, "device '%s': field '%s': %s[%u] vs %s[%u]\n", dev, fa->name,
                               field_type_name(fa->type), fa->count, field_type_name(fb->type),
                               fb->count);
        (*n)++;
        return;
    }
    unsigned shown = 0, more = 0;
    for (uint32_t i = 0; i < fa->count; i++) {
        uint64_t va = record_field_get(fa, i), vb = record_field_get(fb, i);
        if (va == vb)
            continue;
        if (shown == DIFF_MAX_ELEMS) {
            more++;
            continue;
        }
        shown++;
        (*n)++;
        g_string_append_printf(out, "device '%s': field '%s'", dev, fa->name);
        if (fa->count > 1)
            g_string_append_printf(out, "[%u]", i);
        if (field_type_signed(fa->type))
            g_string_append_printf(out, ": %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT "\n",
                                   (gint64)va, (gint64)vb);
        else
            g_string_append_printf(out, ": 0x%" G_GINT64_MODIFIER "x -> 0x%" G_GINT64_MODIFIER "x\n",
                                   va, vb);
    }
    if (more) {
        g_string_append_printf(out, "device '%s': field '%s': and %u more elements differ\n", dev,
                               fa->name, more);
        *n += more;
    }
}

static void diff_device(const TsnapDevice *a, const TsnapDevice *b, GString *out, unsigned *n)
{
    if (strcmp(a->plugin, b->plugin) != 0 || strcmp(a->schema, b->schema) != 0) {
        g_string_append_printf(out, "device '%s': plugin/schema %s/%s vs %s/%s\n", a->name,
                               a->plugin, a->schema, b->plugin, b->schema);
        (*n)++;
    }
    if (record_version(a->rec) != record_version(b->rec)) {
        g_string_append_printf(out, "device '%s': state v%u vs v%u\n", a->name,
                               record_version(a->rec), record_version(b->rec));
        (*n)++;
    }
    for (unsigned i = 0; i < record_n_fields(a->rec); i++) {
        const RecordField *fa = record_field(a->rec, i);
        const RecordField *fb = record_find(b->rec, fa->name);
        if (!fb) {
            g_string_append_printf(out, "device '%s': field '%s' only in the first\n", a->name,
                                   fa->name);
            (*n)++;
        } else {
            diff_field(a->name, fa, fb, out, n);
        }
    }
    for (unsigned i = 0; i < record_n_fields(b->rec); i++) {
        const RecordField *fb = record_field(b->rec, i);
        if (!record_find(a->rec, fb->name)) {
            g_string_append_printf(out, "device '%s': field '%s' only in the second\n", a->name,
                                   fb->name);
            (*n)++;
        }
    }
}

unsigned tsnap_diff(const TsnapFile *a, const TsnapFile *b, GString *out)
{
    unsigned n = 0;
    if (strcmp(a->machine, b->machine) != 0) {
        g_string_append_printf(out, "machine: %s vs %s\n", a->machine, b->machine);
        n++;
    }
    if (a->icount != b->icount) {
        g_string_append_printf(out, "icount: %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT "\n",
                               a->icount, b->icount);
        n++;
    }
    for (unsigned i = 0; i < a->devices->len; i++) {
        const TsnapDevice *da = a->devices->pdata[i];
        const TsnapDevice *db = tsnap_find_device(b, da->name);
        if (!db) {
            g_string_append_printf(out, "device '%s' only in the first\n", da->name);
            n++;
        } else {
            diff_device(da, db, out, &n);
        }
    }
    for (unsigned i = 0; i < b->devices->len; i++) {
        const TsnapDevice *db = b->devices->pdata[i];
        if (!tsnap_find_device(a, db->name)) {
            g_string_append_printf(out, "device '%s' only in the second\n", db->name);
            n++;
        }
    }
    for (unsigned i = 0; i < a->memory->len; i++) {
        const TsnapMemory *ma = a->memory->pdata[i];
        const TsnapMemory *mb = tsnap_find_memory(b, ma->name);
        if (!mb) {
            g_string_append_printf(out, "memory '%s' only in the first\n", ma->name);
            n++;
        } else if (ma->length != mb->length || ma->pa != mb->pa) {
            g_string_append_printf(out, "memory '%s': %" G_GUINT64_FORMAT " bytes at 0x%"
                                   G_GINT64_MODIFIER "x vs %" G_GUINT64_FORMAT " bytes at 0x%"
                                   G_GINT64_MODIFIER "x\n", ma->name, ma->length, ma->pa,
                                   mb->length, mb->pa);
            n++;
        } else if (ma->chunks_len != mb->chunks_len ||
                   memcmp(ma->chunks, mb->chunks, ma->chunks_len) != 0) {
            g_string_append_printf(out, "memory '%s': encoded contents differ\n", ma->name);
            n++;
        }
    }
    for (unsigned i = 0; i < b->memory->len; i++) {
        const TsnapMemory *mb = b->memory->pdata[i];
        if (!tsnap_find_memory(a, mb->name)) {
            g_string_append_printf(out, "memory '%s' only in the second\n", mb->name);
            n++;
        }
    }
    return n;
}
