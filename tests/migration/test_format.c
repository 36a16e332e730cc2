/* SPDX-License-Identifier: MIT */
/* The file itself: zero-page elision, odd sizes, incompressible data, atomic writes. */
#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_machine.h"
#include "format.h"
#include "snapshot.h"

static char err[1024];

static const TsnapMemory *ram_of(TsnapFile *f)
{
    const TsnapMemory *m = tsnap_find_memory(f, "ram");
    cr_assert_not_null(m);
    return m;
}

Test(format, zero_ram_costs_one_bit_per_page)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 64u << 20);
    const char *path = fake_path(fm, "zero.tsnap");
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    TsnapFile *f = tsnap_open(path, err, sizeof(err));
    cr_assert_not_null(f, "%s", err);
    cr_assert_eq(ram_of(f)->stored_pages, 0);
    cr_assert_lt(f->size, 16384, "64 MiB of zeros took %zu bytes", f->size);
    tsnap_close(f);
    fake_machine_free(fm);
}

Test(format, only_non_zero_pages_are_stored)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 8u << 20);
    fm->ram[5 * 4096 + 17] = 1;
    fm->ram[(8u << 20) - 1] = 2;
    const char *path = fake_path(fm, "sparse.tsnap");
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    TsnapFile *f = tsnap_open(path, err, sizeof(err));
    cr_assert_eq(ram_of(f)->stored_pages, 2);
    tsnap_close(f);
    fake_machine_free(fm);
}

static void round_trip_ram(uint64_t size, bool random)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, size);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, size);
    GRand *r = g_rand_new_with_seed(42);
    for (uint64_t i = 0; i < size; i++)
        a->ram[i] = random ? (uint8_t)g_rand_int(r) : (uint8_t)(i % 4096 < 100 ? i : 0);
    g_rand_free(r);
    memset(b->ram, 0x5a, size);
    const char *path = fake_path(a, "ram.tsnap");
    cr_assert_eq(tsnap_save(&a->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), 0, "%s", err);
    cr_assert_arr_eq(a->ram, b->ram, size);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(format, region_lengths_that_are_not_page_multiples_round_trip)
{
    round_trip_ram(3 * 4096 + 100, false);
    round_trip_ram((1u << 20) + 5, false);
}

Test(format, incompressible_memory_round_trips)
{
    round_trip_ram(3u << 20, true);
}

Test(format, zero_pages_are_restored_as_zeros)
{
    round_trip_ram(2u << 20, false);
}

Test(format, save_into_an_unwritable_directory_fails_naming_the_path)
{
    if (geteuid() == 0)
        cr_skip_test("root ignores directory permissions");
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 4096);
    const char *dir = fake_path(fm, "ro");
    g_mkdir(dir, 0500);
    g_autofree char *path = g_strdup_printf("%s/x.tsnap", dir);
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), -1);
    cr_assert(strstr(err, path), "%s", err);
    g_chmod(dir, 0700);
    fake_machine_free(fm);
}

Test(format, save_into_a_missing_directory_fails_naming_the_path)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 4096);
    const char *path = fake_path(fm, "missing/x.tsnap");
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), -1);
    cr_assert(strstr(err, path), "%s", err);
    fake_machine_free(fm);
}

static unsigned count_entries(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    unsigned n = 0;
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    return n;
}

Test(format, a_save_failing_midway_leaves_the_old_file_and_no_temporary)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 8u << 20);
    const char *path = fake_path(fm, "keep.tsnap");
    fake_write_file(path, "old contents", 12);
    /* Incompressible RAM and a 1 MiB file size limit: the write fails partway. */
    GRand *r = g_rand_new_with_seed(7);
    for (size_t i = 0; i < (8u << 20); i++)
        fm->ram[i] = (uint8_t)g_rand_int(r);
    g_rand_free(r);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {.rlim_cur = 1u << 20, .rlim_max = RLIM_INFINITY};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), -1);
    cr_assert(strstr(err, "write failed"), "%s", err);
    size_t len;
    g_autofree uint8_t *data = fake_read_file(path, &len);
    cr_assert_eq(len, 12);
    cr_assert_arr_eq(data, "old contents", 12);
    cr_assert_eq(count_entries(fm->dir), 1, "the temporary file was removed");
    fake_machine_free(fm);
}

Test(format, a_successful_save_replaces_the_old_file)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 4096);
    const char *path = fake_path(fm, "replace.tsnap");
    fake_write_file(path, "old contents", 12);
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    TsnapFile *f = tsnap_open(path, err, sizeof(err));
    cr_assert_not_null(f, "%s", err);
    tsnap_close(f);
    cr_assert_eq(count_entries(fm->dir), 1);
    fake_machine_free(fm);
}
