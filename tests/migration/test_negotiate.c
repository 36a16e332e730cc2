/* SPDX-License-Identifier: MIT */
/* Version negotiation: which snapshot versions load, which versions are saved. */
#include <criterion/criterion.h>
#include <glib.h>

#include "fake_machine.h"
#include "layout.h"
#include "negotiate.h"

static SchemaInfo info(const TesseraStateSchema *s)
{
    SchemaInfo i;
    schema_info_from(s, &i);
    return i;
}

/* load[schema][snapshot version 1..4]: the version converted to, or 0 for refused. */
Test(negotiate, load_matrix)
{
    const TesseraStateSchema *schemas[] = {&fake_schema_v1, &fake_schema_v2, &fake_schema_v3};
    static const uint32_t expect[3][4] = {
        {1, 0, 0, 0}, /* v1 plugin: only v1 */
        {1, 2, 0, 0}, /* v2 plugin: v1 and v2 directly */
        {3, 3, 3, 0}, /* v3 plugin: v1, v2 upgraded to 3 */
    };
    for (unsigned s = 0; s < 3; s++) {
        SchemaInfo i = info(schemas[s]);
        for (uint32_t v = 1; v <= 4; v++) {
            uint32_t via = 0;
            bool ok = negotiate_load(&i, v, &via);
            cr_expect_eq(ok ? via : 0, expect[s][v - 1], "schema v%u loading v%u", s + 1, v);
        }
    }
}

Test(negotiate, newer_snapshot_loads_through_downgrade_converters)
{
    static const TesseraConverter down[] = {{.from = 3, .to = 2}};
    SchemaInfo i = {.name = "x", .version = 2, .load_min = 1, .save_min = 1, .converters = down,
                    .n_converters = 1};
    uint32_t via = 0;
    cr_assert(negotiate_load(&i, 3, &via));
    cr_assert_eq(via, 2);
    cr_assert_not(negotiate_load(&i, 4, &via), "no converter 4->3");
}

/* save[local][target]: the version written, or 0 when there is none. */
Test(negotiate, save_matrix)
{
    const TesseraStateSchema *schemas[] = {&fake_schema_v1, &fake_schema_v2, &fake_schema_v3};
    static const uint32_t expect[3][3] = {
        {1, 1, 1}, /* v1 writes v1; v3 upgrades it */
        {1, 2, 2}, /* v2 writes v1 for a v1 target */
        {0, 2, 3}, /* v3 downgrades to 2, v2 cannot reach v1 (no 2->1) */
    };
    for (unsigned l = 0; l < 3; l++)
        for (unsigned t = 0; t < 3; t++) {
            SchemaInfo li = info(schemas[l]), ti = info(schemas[t]);
            uint32_t w = 0;
            bool ok = negotiate_save(&li, &ti, &w);
            cr_expect_eq(ok ? w : 0, expect[l][t], "local v%u target v%u", l + 1, t + 1);
        }
}

Test(negotiate, converters_inside_the_direct_range_are_used)
{
    SchemaInfo i = info(&fake_schema_v2_converting);
    uint32_t via = 0;
    cr_assert(negotiate_load(&i, 1, &via));
    cr_assert_eq(via, 2, "1 is upgraded, not loaded directly");
    cr_assert_eq(negotiate_save_from(&i, 1), 2, "1 is saved from 2 through 2->1");
    SchemaInfo plain = info(&fake_schema_v2);
    cr_assert_eq(negotiate_save_from(&plain, 1), 1, "without converters 1 is taken directly");
}

Test(negotiate, convert_picks_the_highest_version_the_target_loads)
{
    SchemaInfo local = info(&fake_schema_v3), target = info(&fake_schema_v2);
    uint32_t w = 0;
    cr_assert(negotiate_convert(&local, 1, &target, &w));
    cr_assert_eq(w, 2, "1 -> 2 with the local 1->2 converter");
    cr_assert(negotiate_convert(&local, 3, &target, &w));
    cr_assert_eq(w, 2, "3 -> 2 with the local 3->2 converter");
}

Test(negotiate, chain_runs_converters_and_sets_versions)
{
    FakeTimer t = {.ctrl = 0x42};
    char err[256];
    TesseraRecord *rec = layout_to_record(fake_schema_v1.layout, &t, 1, err, sizeof(err));
    cr_assert_eq(negotiate_apply_chain(&fake_schema_v3, rec, 3, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(record_version(rec), 3);
    uint64_t v;
    cr_assert_eq(record_ops.get(rec, "control", 0, &v), 0);
    cr_assert_eq(v, 0x42);
    cr_assert_eq(record_ops.get(rec, "ticks", 0, &v), 0);
    cr_assert_eq(v, 5);
    record_free(rec);
}

Test(negotiate, missing_step_is_an_error_naming_it)
{
    FakeTimer t = {0};
    char err[256];
    TesseraRecord *rec = layout_to_record(fake_schema_v3.layout, &t, 3, err, sizeof(err));
    cr_assert_eq(negotiate_apply_chain(&fake_schema_v3, rec, 1, err, sizeof(err)), -1);
    cr_assert_str_eq(err, "schema fake-timer has no converter from v2 to v1");
    record_free(rec);
}
