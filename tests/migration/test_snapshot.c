/* SPDX-License-Identifier: MIT */
/* Saving and loading a machine view: round trips, versions, refusals, transactions. */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "fake_machine.h"
#include "manifest.h"
#include "snapshot.h"

#define RAM_SIZE (2u << 20)

static char err[1024];

static void save_ok(FakeMachine *fm, const char *path, const char *target)
{
    cr_assert_eq(tsnap_save(&fm->view, path, target, err, sizeof(err)), 0, "%s", err);
}

/* A manifest for an installation whose fake-timer plugin has `schema`. */
static char *manifest_for(const TesseraStateSchema *schema)
{
    TsnapInstalledPlugin p = {.name = "fake-timer", .version = "1.0.0",
                              .kind = TESSERA_PLUGIN_DEVICE, .schema = schema};
    return tsnap_manifest_installed(&p, 1, "test");
}

Test(snapshot, round_trip_restores_devices_memory_and_icount)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    fake_machine_fill(a, 1);
    fake_machine_fill(b, 2);
    memset(b->rom, 0, 8192);
    const char *path = fake_path(a, "a.tsnap");
    save_ok(a, path, NULL);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert(fake_devices_equal(a, b));
    cr_assert_arr_eq(a->ram, b->ram, RAM_SIZE);
    cr_assert_arr_eq(a->rom, b->rom, 8192);
    cr_assert_eq(b->run.icount, a->run.icount);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, load_keeps_host_pointers_and_runs_post_load_once)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    fake_machine_fill(a, 1);
    const char *path = fake_path(a, "a.tsnap");
    save_ok(a, path, NULL);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b->timer[0].host_ptr, &b->timer[0]);
    cr_assert_eq(b->timer[1].post_loads, 1);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, v1_snapshot_loads_into_v2_with_defaults)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v1, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    fake_machine_fill(a, 1);
    const char *path = fake_path(a, "v1.tsnap");
    save_ok(a, path, NULL);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b->timer[0].ticks, 77);
    cr_assert_eq(b->timer[0].limit, a->timer[0].limit);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, v1_snapshot_loads_into_v3_through_converters)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v1, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v3, RAM_SIZE);
    fake_machine_fill(a, 1);
    const char *path = fake_path(a, "v1.tsnap");
    save_ok(a, path, NULL);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b->timer[1].ctrl, a->timer[1].ctrl);
    cr_assert_eq(b->timer[1].ticks, 5, "the 1->2 converter sets ticks");
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, upgrade_converter_wins_over_the_default)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v1, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2_converting, RAM_SIZE);
    fake_machine_fill(a, 1);
    const char *path = fake_path(a, "v1.tsnap");
    save_ok(a, path, NULL);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b->timer[0].ticks, 5, "the 1->2 converter ran instead of dflt 77");
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, downgrade_converter_wins_over_dropping_fields)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2_converting, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v1, RAM_SIZE);
    fake_machine_fill(a, 1);
    const char *path = fake_path(a, "compat.tsnap");
    char *target = manifest_for(&fake_schema_v1);
    save_ok(a, path, target);
    free(target);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b->timer[0].skew, -1, "the 2->1 converter ran");
    cr_assert_eq(b->timer[0].limit, a->timer[0].limit);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, newer_state_is_refused_with_one_line_naming_every_device_and_the_machine_file)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v1, RAM_SIZE);
    const char *path = fake_path(a, "snapshot.tsnap");
    save_ok(a, path, NULL);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), -1);
    g_autofree char *want = g_strdup_printf(
        "%s: does not fit this machine (the snapshot was taken with machine file fake.machine): "
        "device 'timer0' (fake-timer): snapshot has state v2, plugin fake-timer 1.0.0 loads v1-v1; "
        "device 'timer1' (fake-timer): snapshot has state v2, plugin fake-timer 1.0.0 loads v1-v1",
        path);
    cr_assert_str_eq(err, want);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, save_for_a_v1_target_writes_v1)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v1, RAM_SIZE);
    fake_machine_fill(a, 3);
    const char *path = fake_path(a, "compat.tsnap");
    char *target = manifest_for(&fake_schema_v1);
    save_ok(a, path, target);
    free(target);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(b->timer[0].limit, a->timer[0].limit);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, save_for_a_v2_target_downgrades_through_converters)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v3, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    fake_machine_fill(a, 3);
    const char *path = fake_path(a, "compat.tsnap");
    char *target = manifest_for(&fake_schema_v2);
    save_ok(a, path, target);
    free(target);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert(fake_devices_equal(a, b));
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, save_for_an_unreachable_target_is_refused)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v3, RAM_SIZE);
    const char *path = fake_path(a, "compat.tsnap");
    char *target = manifest_for(&fake_schema_v1);
    cr_assert_eq(tsnap_save(&a->view, path, target, err, sizeof(err)), -1);
    free(target);
    cr_assert(strstr(err, "no common state version"), "%s", err);
    cr_assert_not(g_file_test(path, G_FILE_TEST_EXISTS));
    fake_machine_free(a);
}

Test(snapshot, save_refuses_a_migration_blocker_naming_it)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    a->inst[1].schema = NULL;
    a->inst[1].migration_blocker = "DMA engine state not described";
    const char *path = fake_path(a, "blocked.tsnap");
    cr_assert_eq(tsnap_save(&a->view, path, NULL, err, sizeof(err)), -1);
    g_autofree char *want = g_strdup_printf(
        "%s: device 'timer1' (fake-timer): migration blocked: DMA engine state not described", path);
    cr_assert_str_eq(err, want);
    cr_assert_not(g_file_test(path, G_FILE_TEST_EXISTS));
    fake_machine_free(a);
}

Test(snapshot, failed_load_leaves_the_machine_untouched)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    fake_machine_fill(a, 1);
    fake_machine_fill(b, 2);
    const char *path = fake_path(a, "a.tsnap");
    save_ok(a, path, NULL);
    /* timer0 would load, timer1's plugin differs: nothing may change. */
    b->inst[1].plugin = "other-timer";
    FakeTimer before[2];
    memcpy(before, b->timer, sizeof(before));
    g_autofree uint8_t *ram_before = g_memdup2(b->ram, RAM_SIZE);
    uint64_t icount = b->run.icount;
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "timer1"), "%s", err);
    cr_assert_arr_eq(b->timer, before, sizeof(before));
    cr_assert_arr_eq(b->ram, ram_before, RAM_SIZE);
    cr_assert_eq(b->run.icount, icount);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, failing_post_load_rolls_everything_back)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2_failing_post_load, RAM_SIZE);
    fake_machine_fill(a, 1);
    fake_machine_fill(b, 2);
    a->timer[1].limit = 0xdead;
    const char *path = fake_path(a, "a.tsnap");
    save_ok(a, path, NULL);
    FakeTimer before[2];
    memcpy(before, b->timer, sizeof(before));
    g_autofree uint8_t *ram_before = g_memdup2(b->ram, RAM_SIZE);
    uint64_t icount = b->run.icount;
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "post_load failed: limit 0xdead is not allowed"), "%s", err);
    for (unsigned i = 0; i < 2; i++) {
        before[i].post_loads = b->timer[i].post_loads; /* the hooks ran again */
        cr_assert_arr_eq(&b->timer[i], &before[i], sizeof(FakeTimer));
    }
    cr_assert_arr_eq(b->ram, ram_before, RAM_SIZE);
    cr_assert_eq(b->run.icount, icount);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, instance_missing_from_the_machine_is_named)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    const char *path = fake_path(a, "a.tsnap");
    save_ok(a, path, NULL);
    b->view.n_instances = 1;
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "device 'timer1' (fake-timer 1.0.0) in the snapshot is not in this machine"),
              "%s", err);
    cr_assert(strstr(err, "taken with machine file fake.machine"), "%s", err);
    cr_assert_null(strchr(err, '\n'));
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, instance_missing_from_the_snapshot_is_named)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    const char *path = fake_path(a, "a.tsnap");
    a->view.n_instances = 1;
    save_ok(a, path, NULL);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "device 'timer1' (fake-timer) of this machine is not in the snapshot"),
              "%s", err);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(snapshot, ram_size_mismatch_is_refused)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE * 2);
    const char *path = fake_path(a, "a.tsnap");
    save_ok(a, path, NULL);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "memory 'ram'"), "%s", err);
    fake_machine_free(a);
    fake_machine_free(b);
}
