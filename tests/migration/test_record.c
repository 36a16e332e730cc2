/* SPDX-License-Identifier: MIT */
/* Records, the ops converters use, and layouts between memory and records. */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "fake_machine.h"
#include "layout.h"
#include "record.h"

static const TesseraRecordOps *ops = &record_ops;

static TesseraRecord *sample(void)
{
    TesseraRecord *rec = record_new(4);
    char err[128];
    cr_assert_eq(record_append(rec, "a", TESSERA_FIELD_U16, 2, NULL, err, sizeof(err)), 0);
    cr_assert_eq(record_append(rec, "s", TESSERA_FIELD_I8, 1, NULL, err, sizeof(err)), 0);
    cr_assert_eq(record_append(rec, "b", TESSERA_FIELD_BOOL, 1, NULL, err, sizeof(err)), 0);
    cr_assert_eq(record_append(rec, "buf", TESSERA_FIELD_BYTES, 4, "wxyz", err, sizeof(err)), 0);
    return rec;
}

Test(record, set_then_get_returns_the_value)
{
    TesseraRecord *rec = sample();
    uint64_t v = 0;
    cr_assert_eq(ops->set(rec, "a", 1, 0xbeef), 0);
    cr_assert_eq(ops->get(rec, "a", 1, &v), 0);
    cr_assert_eq(v, 0xbeef);
    record_free(rec);
}

Test(record, signed_values_are_sign_extended)
{
    TesseraRecord *rec = sample();
    uint64_t v = 0;
    cr_assert_eq(ops->set(rec, "s", 0, (uint64_t)-5), 0);
    cr_assert_eq(ops->get(rec, "s", 0, &v), 0);
    cr_assert_eq((int64_t)v, -5);
    record_free(rec);
}

Test(record, values_that_do_not_fit_are_refused)
{
    TesseraRecord *rec = sample();
    cr_assert_eq(ops->set(rec, "a", 0, 0x10000), -1);
    cr_assert_eq(ops->set(rec, "s", 0, 200), -1);
    cr_assert_eq(ops->set(rec, "b", 0, 2), -1);
    record_free(rec);
}

Test(record, index_out_of_range_and_absent_fields_fail)
{
    TesseraRecord *rec = sample();
    uint64_t v;
    cr_assert_eq(ops->get(rec, "a", 2, &v), -1);
    cr_assert_eq(ops->get(rec, "nope", 0, &v), -1);
    cr_assert_eq(ops->set(rec, "nope", 0, 1), -1);
    cr_assert_not(ops->has(rec, "nope"));
    record_free(rec);
}

Test(record, bytes_are_read_and_replaced)
{
    TesseraRecord *rec = sample();
    size_t len = 0;
    const uint8_t *p = ops->get_bytes(rec, "buf", &len);
    cr_assert_eq(len, 4);
    cr_assert_arr_eq(p, "wxyz", 4);
    cr_assert_eq(ops->set_bytes(rec, "buf", "hello", 5), 0);
    p = ops->get_bytes(rec, "buf", &len);
    cr_assert_eq(len, 5);
    cr_assert_arr_eq(p, "hello", 5);
    cr_assert_null(ops->get_bytes(rec, "a", &len), "scalars are not byte buffers");
    record_free(rec);
}

Test(record, add_remove_rename_change_the_shape)
{
    TesseraRecord *rec = sample();
    uint64_t v = 1;
    cr_assert_eq(ops->add(rec, "n", TESSERA_FIELD_U64, 3), 0);
    cr_assert_eq(ops->get(rec, "n", 2, &v), 0);
    cr_assert_eq(v, 0, "a new field starts zeroed");
    cr_assert_eq(ops->add(rec, "n", TESSERA_FIELD_U8, 1), -1, "duplicates are refused");
    cr_assert_eq(ops->rename(rec, "n", "m"), 0);
    cr_assert(ops->has(rec, "m"));
    cr_assert_not(ops->has(rec, "n"));
    cr_assert_eq(ops->rename(rec, "m", "a"), -1, "renaming onto an existing field fails");
    cr_assert_eq(ops->remove(rec, "m"), 0);
    cr_assert_eq(ops->remove(rec, "m"), -1);
    record_free(rec);
}

Test(record, invalid_names_and_types_are_refused)
{
    TesseraRecord *rec = record_new(1);
    char err[128];
    cr_assert_eq(record_append(rec, "a..b", TESSERA_FIELD_U8, 1, NULL, err, sizeof(err)), -1);
    cr_assert_eq(record_append(rec, "a b", TESSERA_FIELD_U8, 1, NULL, err, sizeof(err)), -1);
    cr_assert_eq(record_append(rec, "x", TESSERA_FIELD_STRUCT, 1, NULL, err, sizeof(err)), -1);
    cr_assert_eq(record_append(rec, "x", 99, 1, NULL, err, sizeof(err)), -1);
    cr_assert_eq(record_append(rec, "x", TESSERA_FIELD_U8, 0, NULL, err, sizeof(err)), -1);
    record_free(rec);
}

Test(layout, nested_structs_flatten_to_dotted_names_outer_major)
{
    FakeTimer t = {.ch = {{.count = 10, .mode = 1}, {.count = 20, .mode = 2}}};
    char err[256];
    TesseraRecord *rec = layout_to_record(fake_schema_v2.layout, &t, 2, err, sizeof(err));
    cr_assert_not_null(rec, "%s", err);
    uint64_t v;
    cr_assert_eq(ops->get(rec, "ch.count", 1, &v), 0);
    cr_assert_eq(v, 20);
    cr_assert_eq(ops->get(rec, "ch.mode", 0, &v), 0);
    cr_assert_eq(v, 1);
    record_free(rec);
}

Test(layout, fields_newer_than_the_version_are_left_out)
{
    FakeTimer t = {.ticks = 5};
    char err[256];
    TesseraRecord *rec = layout_to_record(fake_schema_v2.layout, &t, 1, err, sizeof(err));
    cr_assert_not_null(rec, "%s", err);
    cr_assert_not(ops->has(rec, "ticks"));
    cr_assert_eq(record_version(rec), 1);
    record_free(rec);
}

Test(layout, applying_an_older_record_gives_new_fields_their_default)
{
    FakeTimer src = {.limit = 9}, dst = {.ticks = 1};
    char err[256];
    TesseraRecord *rec = layout_to_record(fake_schema_v1.layout, &src, 1, err, sizeof(err));
    cr_assert_eq(layout_apply(fake_schema_v2.layout, rec, &dst, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(dst.ticks, 77);
    cr_assert_eq(dst.limit, 9);
    record_free(rec);
}

Test(layout, a_field_missing_at_its_own_version_is_an_error)
{
    FakeTimer t = {0};
    char err[256];
    TesseraRecord *rec = layout_to_record(fake_schema_v2.layout, &t, 2, err, sizeof(err));
    ops->remove(rec, "ticks");
    cr_assert_eq(layout_apply(fake_schema_v2.layout, rec, &t, err, sizeof(err)), -1);
    cr_assert(strstr(err, "'ticks'"), "%s", err);
    record_free(rec);
}

Test(layout, a_field_the_layout_lacks_is_an_error)
{
    FakeTimer t = {0};
    char err[256];
    TesseraRecord *rec = layout_to_record(fake_schema_v2.layout, &t, 2, err, sizeof(err));
    ops->add(rec, "extra", TESSERA_FIELD_U8, 1);
    cr_assert_eq(layout_apply(fake_schema_v2.layout, rec, &t, err, sizeof(err)), -1);
    cr_assert(strstr(err, "'extra'"), "%s", err);
    record_free(rec);
}

Test(layout, a_type_mismatch_is_an_error_naming_both_types)
{
    FakeTimer t = {0};
    char err[256];
    TesseraRecord *rec = layout_to_record(fake_schema_v2.layout, &t, 2, err, sizeof(err));
    ops->remove(rec, "limit");
    ops->add(rec, "limit", TESSERA_FIELD_U16, 1);
    cr_assert_eq(layout_apply(fake_schema_v2.layout, rec, &t, err, sizeof(err)), -1);
    cr_assert(strstr(err, "u16[1]") && strstr(err, "u32[1]"), "%s", err);
    record_free(rec);
}

Test(layout, swap_exchanges_fields_and_keeps_unmigrated_members)
{
    FakeTimer a = {.host_ptr = &a, .limit = 1, .post_loads = 3};
    FakeTimer b = {.host_ptr = &b, .limit = 2, .post_loads = 4};
    layout_swap(fake_schema_v2.layout, &a, &b);
    cr_assert_eq(a.limit, 2);
    cr_assert_eq(b.limit, 1);
    cr_assert_eq(a.host_ptr, &a);
    cr_assert_eq(a.post_loads, 3);
}
