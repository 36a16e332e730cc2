/* SPDX-License-Identifier: MIT */
/* Installation manifests and snapshot manifests. */
#include <criterion/criterion.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "fake_machine.h"
#include "json_limits.h"
#include "manifest.h"
#include "manifest_read.h"
#include "snapshot.h"

static char err[1024];

Test(manifest, installed_manifest_parses_back_with_converters)
{
    TsnapInstalledPlugin p[] = {
        {.name = "fake-timer", .version = "3.0.0", .kind = TESSERA_PLUGIN_DEVICE,
         .schema = &fake_schema_v3},
        {.name = "esp", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
         .migration_blocker = "no DMA state"},
    };
    char *json = tsnap_manifest_installed(p, 2, "0.1.0");
    Manifest *m = manifest_parse(json, strlen(json), "m.json", err, sizeof(err));
    free(json);
    cr_assert_not_null(m, "%s", err);
    const ManifestPlugin *t = manifest_find(m, "fake-timer");
    cr_assert(t->has_schema);
    cr_assert_eq(t->schema.version, 3);
    cr_assert_eq(t->schema.load_min, 3);
    cr_assert_eq(t->schema.n_converters, 3);
    cr_assert_eq(t->schema.converters[2].from, 3);
    cr_assert_eq(t->schema.converters[2].to, 2);
    cr_assert_str_eq(manifest_find(m, "esp")->blocker, "no DMA state");
    manifest_free(m);
}

Test(manifest, find_returns_the_highest_version)
{
    const char *json = "{\"format\":\"tessera-manifest\",\"format_version\":1,\"plugins\":["
                       "{\"name\":\"t\",\"version\":\"1.10.0\",\"kind\":\"device\"},"
                       "{\"name\":\"t\",\"version\":\"1.9.3\",\"kind\":\"device\"}]}";
    Manifest *m = manifest_parse(json, strlen(json), "m.json", err, sizeof(err));
    cr_assert_not_null(m, "%s", err);
    cr_assert_str_eq(manifest_find(m, "t")->version, "1.10.0");
    manifest_free(m);
}

Test(manifest, short_converter_form_is_accepted)
{
    const char *json = "{\"tessera\":\"manifest\",\"format\":1,\"plugins\":[{\"name\":\"t\","
                       "\"version\":\"1.0.0\",\"kind\":\"device\",\"schema\":{\"name\":\"t\","
                       "\"version\":2,\"load_min\":2,\"save_min\":2,\"converters\":[[1,2]]}}]}";
    Manifest *m = manifest_parse(json, strlen(json), "m.json", err, sizeof(err));
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(manifest_find(m, "t")->schema.converters[0].from, 1);
    manifest_free(m);
}

Test(manifest, non_adjacent_converter_is_refused)
{
    const char *json = "{\"format\":\"tessera-manifest\",\"format_version\":1,\"plugins\":[{"
                       "\"name\":\"t\",\"version\":\"1.0.0\",\"kind\":\"device\",\"schema\":{"
                       "\"name\":\"t\",\"version\":3,\"load_min\":1,\"save_min\":1,"
                       "\"converters\":[{\"from\":1,\"to\":3}]}}]}";
    cr_assert_null(manifest_parse(json, strlen(json), "m.json", err, sizeof(err)));
    cr_assert(strstr(err, "m.json: plugin t 1.0.0: schema t: converter 0"), "%s", err);
}

Test(manifest, something_else_is_refused)
{
    const char *json = "{\"plugins\":[]}";
    cr_assert_null(manifest_parse(json, strlen(json), "m.json", err, sizeof(err)));
    cr_assert(strstr(err, "not a Tessera installation manifest"), "%s", err);
    cr_assert_null(manifest_parse("{", 1, "m.json", err, sizeof(err)));
    cr_assert(strstr(err, "m.json: not valid JSON"), "%s", err);
}

Test(manifest, snapshot_manifest_names_machine_ram_and_versions)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 1u << 20);
    const char *path = fake_path(fm, "a.tsnap");
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    char *json = tsnap_manifest_of_file(path, err, sizeof(err));
    cr_assert_not_null(json, "%s", err);
    g_autoptr(JsonParser) p = json_parser_new();
    cr_assert(json_parser_load_from_data(p, json, -1, NULL));
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    cr_assert_str_eq(json_object_get_string_member(o, "machine"), "fake");
    cr_assert_eq(json_object_get_int_member(o, "ram_size"), 1 << 20, "the ROM is not RAM");
    JsonArray *inst = json_object_get_array_member(o, "instances");
    JsonObject *t1 = json_array_get_object_element(inst, 1);
    cr_assert_str_eq(json_object_get_string_member(t1, "name"), "timer1");
    cr_assert_eq(json_object_get_int_member(t1, "state_version"), 2);
    free(json);
    fake_machine_free(fm);
}

/* External JSON is pre-scanned (json_limits.h) before json-glib, whose parser
 * recurses once per level: 300000 levels overflowed the stack. */
static char *nested(const char *open, const char *close, int depth)
{
    GString *s = g_string_new(NULL);
    for (int i = 0; i < depth; i++)
        g_string_append(s, open);
    for (int i = 0; i < depth; i++)
        g_string_append(s, close);
    return g_string_free(s, FALSE);
}

static const char *deep_refusal = "deep.json: JSON nested deeper than 64 levels "
                                  "(the limit for JSON input)";

Test(manifest, an_array_300000_deep_is_refused_without_recursing)
{
    g_autofree char *json = nested("[", "]", 300000);
    cr_assert_null(manifest_parse(json, strlen(json), "deep.json", err, sizeof(err)));
    cr_assert_str_eq(err, deep_refusal);
}

Test(manifest, an_object_300000_deep_is_refused_without_recursing)
{
    g_autofree char *json = nested("{\"a\":", "}", 300000);
    cr_assert_null(manifest_parse(json, strlen(json), "deep.json", err, sizeof(err)));
    cr_assert_str_eq(err, deep_refusal);
}

Test(manifest, nesting_at_the_limit_reaches_the_parser)
{
    g_autofree char *json = nested("[", "]", TSNAP_JSON_MAX_DEPTH);
    cr_assert_null(manifest_parse(json, strlen(json), "m.json", err, sizeof(err)));
    cr_assert(strstr(err, "not a Tessera installation manifest"), "%s", err);
    g_autofree char *over = nested("[", "]", TSNAP_JSON_MAX_DEPTH + 1);
    cr_assert_not(tsnap_json_check(over, strlen(over), "m.json", err, sizeof(err)));
}

Test(manifest, an_over_size_manifest_is_refused)
{
    size_t n = TSNAP_JSON_MAX_SIZE + 1;
    char *json = g_malloc(n + 1);
    memset(json, ' ', n);
    json[0] = '{';
    json[n - 1] = '}';
    json[n] = 0;
    cr_assert_null(manifest_parse(json, n, "big.json", err, sizeof(err)));
    cr_assert_str_eq(err, "big.json: JSON larger than 16 MiB (the limit for JSON input)");
    g_autofree char *dir = g_dir_make_tmp("tsnap-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "big.json", NULL);
    cr_assert(g_file_set_contents(path, json, (gssize)n, NULL));
    cr_assert_null(manifest_load_file(path, err, sizeof(err)));
    cr_assert(g_str_has_suffix(err, "big.json: JSON larger than 16 MiB (the limit for JSON input)"),
              "%s", err);
    g_unlink(path);
    g_rmdir(dir);
    g_free(json);
}

Test(manifest, brackets_and_escaped_quotes_inside_strings_do_not_count)
{
    /* 200 '[' and '{' in strings, after escaped quotes and backslashes. */
    GString *s = g_string_new("{\"format\":\"tessera-manifest\",\"format_version\":1,\"plugins\":[{"
                              "\"name\":\"t\",\"version\":\"1.0.0\",\"kind\":\"device\","
                              "\"migration_blocker\":\"\\\\\\\" ");
    for (int i = 0; i < 200; i++)
        g_string_append(s, "[{");
    g_string_append(s, " \\\\\"},{\"name\":\"u\\\"[[[[\",\"version\":\"1.0.0\",\"kind\":\"device\"}]}");
    Manifest *m = manifest_parse(s->str, s->len, "m.json", err, sizeof(err));
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(m->plugins->len, 2);
    const ManifestPlugin *t = manifest_find(m, "t");
    cr_assert_not_null(t);
    cr_assert(g_str_has_prefix(t->blocker, "\\\" [{[{"), "%s", t->blocker);
    cr_assert_not_null(manifest_find(m, "u\"[[[["));
    manifest_free(m);
    g_string_free(s, TRUE);
}
