/* SPDX-License-Identifier: MIT */
/* tessera-snap on generated snapshots. */
#include <criterion/criterion.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "fake_machine.h"
#include "manifest.h"
#include "snapshot.h"

static char err[1024];

typedef struct Run {
    int status;
    char *out;
    char *errout;
} Run;

static Run run_tool(const char *a1, const char *a2, const char *a3, const char *a4)
{
    const char *argv[] = {TSNAP_TOOL, a1, a2, a3, a4, NULL};
    Run r = {0};
    GError *error = NULL;
    int wait = 0;
    cr_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out,
                           &r.errout, &wait, &error), "%s", error ? error->message : "");
    r.status = WIFEXITED(wait) ? WEXITSTATUS(wait) : -1;
    return r;
}

static void run_free(Run *r)
{
    g_free(r->out);
    g_free(r->errout);
}

static const char *saved(FakeMachine *fm, const char *name, unsigned seed)
{
    fake_machine_fill(fm, seed);
    const char *path = fake_path(fm, name);
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    return path;
}

Test(snap_tool, info_lists_devices_with_versions)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 1u << 20);
    Run r = run_tool("info", saved(fm, "a.tsnap", 1), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.errout);
    cr_assert(strstr(r.out, "timer1") && strstr(r.out, "schema fake-timer v2"), "%s", r.out);
    cr_assert(strstr(r.out, "machine:      fake"), "%s", r.out);
    run_free(&r);
    fake_machine_free(fm);
}

Test(snap_tool, verify_accepts_an_intact_file)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 1u << 20);
    Run r = run_tool("verify", saved(fm, "a.tsnap", 1), NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.errout);
    cr_assert(strstr(r.out, "OK"), "%s", r.out);
    run_free(&r);
    fake_machine_free(fm);
}

Test(snap_tool, verify_fails_on_a_flipped_bit)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 1u << 20);
    const char *path = saved(fm, "a.tsnap", 1);
    size_t len;
    g_autofree uint8_t *data = fake_read_file(path, &len);
    data[len - 100] ^= 4;
    fake_write_file(path, data, len);
    Run r = run_tool("verify", path, NULL, NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.errout, path), "%s", r.errout);
    run_free(&r);
    fake_machine_free(fm);
}

Test(snap_tool, dump_is_json_with_field_values)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 1u << 20);
    const char *path = saved(fm, "a.tsnap", 1);
    Run r = run_tool("dump", path, NULL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.errout);
    g_autoptr(JsonParser) p = json_parser_new();
    cr_assert(json_parser_load_from_data(p, r.out, -1, NULL), "%s", r.out);
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    JsonObject *dev = json_array_get_object_element(json_object_get_array_member(o, "devices"), 0);
    JsonObject *limit = json_array_get_object_element(json_object_get_array_member(dev, "fields"), 0);
    cr_assert_str_eq(json_object_get_string_member(limit, "name"), "limit");
    cr_assert_eq(json_object_get_int_member(limit, "value"), fm->timer[0].limit);
    run_free(&r);
    fake_machine_free(fm);
}

Test(snap_tool, diff_of_identical_states_is_empty)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 1u << 20);
    const char *a = saved(fm, "a.tsnap", 1);
    const char *b = saved(fm, "b.tsnap", 1);
    Run r = run_tool("diff", a, b, NULL);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert_str_eq(r.out, "");
    run_free(&r);
    fake_machine_free(fm);
}

Test(snap_tool, diff_names_the_changed_field)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 1u << 20);
    const char *a = saved(fm, "a.tsnap", 1);
    fm->timer[1].ch[1].mode = 9;
    const char *b = fake_path(fm, "b.tsnap");
    cr_assert_eq(tsnap_save(&fm->view, b, NULL, err, sizeof(err)), 0, "%s", err);
    Run r = run_tool("diff", a, b, NULL);
    cr_assert_eq(r.status, 1);
    cr_assert_str_eq(r.out, "device 'timer1': field 'ch.mode'[1]: 0x2 -> 0x9\n");
    run_free(&r);
    fake_machine_free(fm);
}

Test(snap_tool, check_against_a_manifest_reports_each_device)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v1, 1u << 20);
    const char *path = saved(fm, "a.tsnap", 1);
    TsnapInstalledPlugin p = {.name = "fake-timer", .version = "3.0.0",
                              .kind = TESSERA_PLUGIN_DEVICE, .schema = &fake_schema_v3};
    char *json = tsnap_manifest_installed(&p, 1, "test");
    const char *mpath = fake_path(fm, "m.json");
    fake_write_file(mpath, json, strlen(json));
    free(json);
    g_autofree char *opt = g_strdup_printf("--manifest=%s", mpath);
    Run r = run_tool("check", opt, path, NULL);
    cr_assert_eq(r.status, 0, "%s%s", r.out, r.errout);
    cr_assert(strstr(r.out, "loads after converting v1->v3"), "%s", r.out);
    run_free(&r);
    /* The pins are for this installation, which a manifest replaces. */
    r = run_tool("check", opt, "--plugin-version=fake-timer=^3", path);
    cr_assert_eq(r.status, 2, "%s%s", r.out, r.errout);
    cr_assert(strstr(r.errout, "--manifest describes the other installation"), "%s", r.errout);
    run_free(&r);
    fake_machine_free(fm);
}

Test(snap_tool, check_reports_refusal_and_fails)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v3, 1u << 20);
    const char *path = saved(fm, "a.tsnap", 1);
    TsnapInstalledPlugin p = {.name = "fake-timer", .version = "1.0.0",
                              .kind = TESSERA_PLUGIN_DEVICE, .schema = &fake_schema_v1};
    char *json = tsnap_manifest_installed(&p, 1, "test");
    const char *mpath = fake_path(fm, "m.json");
    fake_write_file(mpath, json, strlen(json));
    free(json);
    g_autofree char *opt = g_strdup_printf("--manifest=%s", mpath);
    Run r = run_tool("check", opt, path, NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.out, "refused: snapshot has state v3, plugin fake-timer 1.0.0 loads v1-v1"),
              "%s", r.out);
    run_free(&r);
    fake_machine_free(fm);
}

Test(snap_tool, unknown_command_is_a_usage_error)
{
    Run r = run_tool("frobnicate", NULL, NULL, NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.errout, "unknown command 'frobnicate'"), "%s", r.errout);
    run_free(&r);
}
