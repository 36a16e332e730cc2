/* SPDX-License-Identifier: MIT */
/*
 * The plugin loader: what it accepts, what it refuses and why, where it looks, and
 * which version it picks. Fixture plugins come from tests/fixtures/loader (one build
 * of fixture.c per variant); every test copies the ones it needs into a fresh
 * directory with explicit modes, so nothing depends on the build tree's umask.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "plugin.h"

static char *tmpdir;
/* Strings the helpers below return belong to the test: freed at its teardown. */
static GPtrArray *owned;

static char *own(char *s)
{
    g_ptr_array_add(owned, s);
    return s;
}

static void remove_tree(const char *path)
{
    struct stat st;
    GDir *d = lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? g_dir_open(path, 0, NULL) : NULL;
    const char *entry;

    if (d) {
        while ((entry = g_dir_read_name(d))) {
            char *child = g_build_filename(path, entry, NULL);
            remove_tree(child);
            g_free(child);
        }
        g_dir_close(d);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

static void make_tmpdir(void)
{
    GError *error = NULL;

    owned = g_ptr_array_new_with_free_func(g_free);
    tmpdir = g_dir_make_tmp("tessera-loader-XXXXXX", &error);
    cr_assert_not_null(tmpdir, "%s", error ? error->message : "");
    cr_assert_eq(chmod(tmpdir, 0755), 0);
}

static void drop_tmpdir(void)
{
    if (tmpdir) {
        chmod(tmpdir, 0700);
        remove_tree(tmpdir);
        g_free(tmpdir);
        tmpdir = NULL;
    }
    if (owned)
        g_ptr_array_free(owned, TRUE);
    owned = NULL;
}

TestSuite(loader, .init = make_tmpdir, .fini = drop_tmpdir);

/* A subdirectory of the test's directory, created with mode 0755. */
static char *subdir(const char *name)
{
    char *path = own(g_build_filename(tmpdir, name, NULL));
    cr_assert_eq(g_mkdir_with_parents(path, 0755), 0);
    cr_assert_eq(chmod(path, 0755), 0);
    return path;
}

/* Copies fixture `name` into `dir` as NAME.so with `mode`; returns the new path. */
static char *copy_fixture_to(const char *dir, const char *name, mode_t mode)
{
    char *src = g_strdup_printf("%s/loader/%s.so", TESSERA_TEST_FIXTURES, name);
    char *dst = own(g_strdup_printf("%s/%s.so", dir, name));
    char *data = NULL;
    gsize len = 0;
    GError *error = NULL;

    cr_assert(g_file_get_contents(src, &data, &len, &error), "fixture %s: %s", src,
              error ? error->message : "");
    cr_assert(g_file_set_contents(dst, data, (gssize)len, &error), "%s: %s", dst,
              error ? error->message : "");
    cr_assert_eq(chmod(dst, mode), 0);
    g_free(data);
    g_free(src);
    return dst;
}

static char *copy_fixture(const char *name)
{
    return copy_fixture_to(tmpdir, name, 0755);
}

/* Loads fixture `name` alone; expects a refusal whose reason contains `why`. */
static void expect_refused(const char *name, const char *why)
{
    PluginRegistry *reg = registry_new();
    char *path = copy_fixture(name);

    cr_assert_null(registry_load_file(reg, path), "%s should be refused", name);
    cr_assert_eq(reg->plugins->len, 0);
    cr_assert_eq(reg->refused->len, 1);
    const PluginRefusal *r = reg->refused->pdata[0];
    cr_assert(g_str_has_suffix(r->path, own(g_strconcat("/", name, ".so", NULL))),
              "refusal names the file (%s)", r->path);
    cr_assert_not_null(strstr(r->reason, why), "%s: reason \"%s\" should mention \"%s\"",
                       name, r->reason, why);
    cr_assert_null(strchr(r->reason, '\n'), "reason is one line");
    registry_free(reg);
}

static const PluginRefusal *only_refusal(const PluginRegistry *reg)
{
    cr_assert_eq(reg->refused->len, 1, "expected one refusal, got %u", reg->refused->len);
    return reg->refused->pdata[0];
}

/* ---- accepted plugins ---- */

Test(loader, good_device_plugin_loads_with_its_schema)
{
    PluginRegistry *reg = registry_new();
    char *path = copy_fixture("good");
    const Plugin *p = registry_load_file(reg, path);

    cr_assert_not_null(p, "refused: %s",
                       reg->refused->len ? ((PluginRefusal *)reg->refused->pdata[0])->reason : "");
    cr_assert_str_eq(p->desc->name, "fixture-good");
    cr_assert_eq(p->desc->kind, TESSERA_PLUGIN_DEVICE);
    cr_assert(p->version.major == 1 && p->version.minor == 0 && p->version.patch == 0);
    cr_assert_not_null(p->schema);
    cr_assert_eq(p->schema->version, 2);
    cr_assert_null(p->blocker);
    cr_assert_str_eq(p->path, path);
    cr_assert_eq(reg->refused->len, 0);
    registry_free(reg);
}

Test(loader, good_cpu_plugin_loads_with_its_schema)
{
    PluginRegistry *reg = registry_new();
    const Plugin *p = registry_load_file(reg, copy_fixture("good-cpu"));

    cr_assert_not_null(p);
    cr_assert_eq(p->desc->kind, TESSERA_PLUGIN_CPU);
    cr_assert_not_null(p->schema);
    registry_free(reg);
}

Test(loader, migration_plugin_has_neither_schema_nor_blocker)
{
    PluginRegistry *reg = registry_new();
    const Plugin *p = registry_load_file(reg, copy_fixture("good-migration"));

    cr_assert_not_null(p);
    cr_assert_eq(p->desc->kind, TESSERA_PLUGIN_MIGRATION);
    cr_assert_null(p->schema);
    cr_assert_null(p->blocker);
    registry_free(reg);
}

Test(loader, blocked_device_loads_with_its_blocker_reason)
{
    PluginRegistry *reg = registry_new();
    const Plugin *p = registry_load_file(reg, copy_fixture("blocked"));

    cr_assert_not_null(p);
    cr_assert_null(p->schema);
    cr_assert_str_eq(p->blocker, "fixture cannot migrate");
    registry_free(reg);
}

Test(loader, loading_the_same_file_twice_gives_the_same_plugin)
{
    PluginRegistry *reg = registry_new();
    char *path = copy_fixture("good");
    const Plugin *a = registry_load_file(reg, path);
    const Plugin *b = registry_load_file(reg, path);

    cr_assert_not_null(a);
    cr_assert_eq(a, b);
    cr_assert_eq(reg->plugins->len, 1);
    cr_assert_eq(reg->refused->len, 0);
    registry_free(reg);
}

/* ---- descriptor refusals ---- */

Test(loader, refuses_another_abi_major)
{
    expect_refused("abi-major-mismatch", "major version differs");
}

Test(loader, refuses_a_newer_abi_minor)
{
    expect_refused("newer-minor", "needs a newer host");
}

Test(loader, refuses_an_empty_name)
{
    expect_refused("empty-name", "'name' is missing or empty");
}

Test(loader, refuses_a_name_with_bad_characters)
{
    expect_refused("bad-name", "has character 'F'");
}

Test(loader, refuses_a_version_that_is_not_semver)
{
    expect_refused("bad-version", "\"1.x\" is not a semantic version");
}

Test(loader, refuses_a_missing_license)
{
    expect_refused("no-license", "'license' is missing or empty");
}

Test(loader, refuses_an_empty_description)
{
    expect_refused("empty-description", "'description' is missing or empty");
}

Test(loader, refuses_an_unknown_kind)
{
    expect_refused("unknown-kind", "unknown kind 7");
}

Test(loader, refuses_a_file_without_the_descriptor_symbol)
{
    expect_refused("no-descriptor", "no 'tessera_plugin' descriptor symbol");
}

Test(loader, refuses_unresolved_symbols_at_load_time)
{
    expect_refused("unresolved", "fixture_function_nobody_defines");
}

Test(loader, refuses_a_file_that_is_not_a_shared_object)
{
    PluginRegistry *reg = registry_new();
    char *path = own(g_build_filename(tmpdir, "garbage.so", NULL));

    cr_assert(g_file_set_contents(path, "not an ELF file", -1, NULL));
    cr_assert_eq(chmod(path, 0644), 0);
    cr_assert_null(registry_load_file(reg, path));
    cr_assert_not_null(strstr(only_refusal(reg)->reason, "cannot load"));
    registry_free(reg);
}

/* ---- class refusals ---- */

Test(loader, refuses_a_device_with_neither_schema_nor_blocker)
{
    expect_refused("neither", "device class has neither a state schema nor a migration blocker");
}

Test(loader, refuses_a_device_with_both_schema_and_blocker)
{
    expect_refused("both", "device class has both");
}

Test(loader, refuses_a_cpu_with_neither_schema_nor_blocker)
{
    expect_refused("cpu-neither", "cpu class has neither");
}

Test(loader, refuses_a_zero_instance_size)
{
    expect_refused("zero-instance", "instance_size is 0");
}

Test(loader, refuses_a_class_smaller_than_abi_1_0)
{
    expect_refused("small-class", "smaller than the ABI 1.0 struct");
}

/* ---- state schema refusals ---- */

Test(loader, refuses_load_min_above_version)
{
    expect_refused("load-min-over-version", "load_min 3 is outside [1, version 2]");
}

Test(loader, refuses_save_min_zero)
{
    expect_refused("save-min-zero", "save_min 0 is outside");
}

Test(loader, refuses_a_field_past_the_end_of_its_layout)
{
    expect_refused("field-past-end", "field \"regs\": bytes 4-27 lie beyond the layout's 24 bytes");
}

Test(loader, refuses_a_field_declared_narrower_than_its_member)
{
    /* TESSERA_U16 over a uint32_t: the macro recorded sizeof the member. */
    expect_refused("wrong-width",
                   "field \"ctrl\": declared u16 x1 (2 bytes) over member 'ctrl' of 4 bytes");
}

Test(loader, a_plugin_built_for_abi_1_1_loads_with_its_48_byte_fields)
{
    PluginRegistry *reg = registry_new();
    char *path = copy_fixture("abi-1-1");
    const Plugin *p = registry_load_file(reg, path);

    cr_assert_not_null(p, "refused: %s",
                       reg->refused->len ? ((PluginRefusal *)reg->refused->pdata[0])->reason : "");
    cr_assert_eq(p->desc->abi_minor, 1);
    const TesseraStateLayout *l = p->schema->layout;
    cr_assert_eq(l->n_fields, 3);
    /* Read at today's stride, fields[1] and [2] would be the bytes of other fields. */
    cr_expect_str_eq(l->fields[0].name, "ctrl");
    cr_expect_str_eq(l->fields[1].name, "regs");
    cr_expect_eq(l->fields[1].count, 4);
    cr_expect_str_eq(l->fields[2].name, "pending");
    cr_expect_eq(l->fields[2].type, TESSERA_FIELD_BOOL);
    cr_expect_eq(l->fields[2].member_size, 0, "ABI 1.1 fields record no member size");
    cr_expect_neq((const void *)l->fields, ((const TesseraDeviceClass *)p->desc->iface)->state->layout->fields,
                  "the host reads a copy in today's structs");
    registry_free(reg); /* path belongs to the test's pool */
}

Test(loader, a_refusal_names_the_plugin_once_its_descriptor_passed)
{
    PluginRegistry *reg = registry_new();
    char *a = copy_fixture("neither");            /* class refused: the name is known */
    char *b = copy_fixture("abi-major-mismatch"); /* descriptor refused: it is not */
    registry_load_file(reg, a);
    registry_load_file(reg, b);
    cr_assert_eq(reg->refused->len, 2);
    const PluginRefusal *ra = reg->refused->pdata[0], *rb = reg->refused->pdata[1];
    cr_expect_str_eq(ra->name, "fixture-good");
    cr_expect_null(rb->name);
    cr_expect(registry_refusal_may_be(ra, "fixture-good"));
    cr_expect_not(registry_refusal_may_be(ra, "neither"), "a known name wins over the file name");
    /* Unnamed: the file name decides (NAME.so, NAME-*.so). */
    cr_expect(registry_refusal_may_be(rb, "abi-major-mismatch"));
    cr_expect(registry_refusal_may_be(rb, "abi"));
    cr_expect_not(registry_refusal_may_be(rb, "abi-major-mismatch-x"));
    registry_free(reg); /* a and b belong to the test's pool */
}

Test(loader, refuses_an_unknown_field_type)
{
    expect_refused("unknown-field-type", "field \"regs\": unknown type 42");
}

Test(loader, refuses_a_field_newer_than_the_schema)
{
    expect_refused("field-since-future", "field \"regs\": since 3 is outside [1, 2]");
}

Test(loader, refuses_a_converter_between_non_adjacent_versions)
{
    expect_refused("converter-not-adjacent", "converter 3->1 is not between adjacent");
}

Test(loader, refuses_a_converter_beyond_the_schema_version)
{
    expect_refused("converter-out-of-range", "converter 3->2");
}

/* ---- duplicates ---- */

Test(loader, refuses_a_second_plugin_with_the_same_name_and_version)
{
    PluginRegistry *reg = registry_new();
    char *first = copy_fixture("dup-a");
    char *second = copy_fixture("dup-b");

    cr_assert_not_null(registry_load_file(reg, first));
    cr_assert_null(registry_load_file(reg, second));
    const PluginRefusal *r = only_refusal(reg);
    cr_assert_str_eq(r->path, second);
    cr_assert_not_null(strstr(r->reason, "duplicate of fixture-dup 1.0.0"), "%s", r->reason);
    cr_assert_not_null(strstr(r->reason, first), "names the first's path: %s", r->reason);
    registry_free(reg);
}

/* ---- permissions ---- */

Test(loader, refuses_a_group_writable_file)
{
    PluginRegistry *reg = registry_new();
    char *path = copy_fixture_to(tmpdir, "good", 0775);

    cr_assert_null(registry_load_file(reg, path));
    cr_assert_not_null(strstr(only_refusal(reg)->reason, "file is writable by group (mode 0775)"));
    registry_free(reg);
}

Test(loader, refuses_an_others_writable_file)
{
    PluginRegistry *reg = registry_new();
    char *path = copy_fixture_to(tmpdir, "good", 0757);

    cr_assert_null(registry_load_file(reg, path));
    cr_assert_not_null(strstr(only_refusal(reg)->reason, "mode 0757"));
    registry_free(reg);
}

Test(loader, refuses_a_file_in_a_world_writable_directory)
{
    PluginRegistry *reg = registry_new();
    char *dir = subdir("open");
    char *path = copy_fixture_to(dir, "good", 0755);

    cr_assert_eq(chmod(dir, 01777), 0);
    cr_assert_null(registry_load_file(reg, path));
    const PluginRefusal *r = only_refusal(reg);
    cr_assert_not_null(strstr(r->reason, "is writable by group and others (mode 1777)"), "%s",
                       r->reason);
    cr_assert_not_null(strstr(r->reason, dir), "names the directory: %s", r->reason);
    registry_free(reg);
}

Test(loader, checks_permissions_before_opening_the_file)
{
    PluginRegistry *reg = registry_new();
    char *path = own(g_build_filename(tmpdir, "insecure.so", NULL));

    /* Not even an ELF file: had it been opened, the reason would be "cannot load". */
    cr_assert(g_file_set_contents(path, "junk", -1, NULL));
    cr_assert_eq(chmod(path, 0666), 0);
    cr_assert_null(registry_load_file(reg, path));
    cr_assert_not_null(strstr(only_refusal(reg)->reason, "file is writable by group and others"));
    registry_free(reg);
}

/* ---- trust: owners, every directory above, symbolic links ---- */

/* Loads `path` and expects one refusal naming `path` whose reason contains `why`. */
static void expect_path_refused(const char *path, const char *why)
{
    PluginRegistry *reg = registry_new();

    cr_assert_null(registry_load_file(reg, path), "%s should be refused", path);
    cr_assert_eq(reg->plugins->len, 0);
    const PluginRefusal *r = only_refusal(reg);
    cr_assert_str_eq(r->path, path);
    cr_assert_not_null(strstr(r->reason, why), "reason \"%s\" should mention \"%s\"", r->reason,
                       why);
    cr_assert_null(strchr(r->reason, '\n'), "reason is one line");
    registry_free(reg);
}

static const Plugin *expect_loaded(PluginRegistry *reg, const char *path)
{
    const Plugin *p = registry_load_file(reg, path);

    cr_assert_not_null(p, "%s refused: %s", path,
                       reg->refused->len ? ((PluginRefusal *)reg->refused->pdata[0])->reason : "");
    return p;
}

static void need_root(void)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to chown to another uid");
}

Test(loader, refuses_a_group_writable_plugin_directory)
{
    char *dir = subdir("shared");
    char *path = copy_fixture_to(dir, "good", 0755);
    char *why = own(g_strdup_printf("directory %s is writable by group (mode 0775)", dir));

    cr_assert_eq(chmod(dir, 0775), 0);
    expect_path_refused(path, why);
}

Test(loader, refuses_a_sticky_world_writable_plugin_directory)
{
    /* Sticky is fine above the plugin, not for the directory holding it: anyone may
     * add files there. */
    char *dir = subdir("tmp-like");
    char *path = copy_fixture_to(dir, "good", 0755);
    char *why =
        own(g_strdup_printf("directory %s is writable by group and others (mode 1777)", dir));

    cr_assert_eq(chmod(dir, 01777), 0);
    expect_path_refused(path, why);
}

Test(loader, refuses_a_symlink_placed_in_a_world_writable_directory)
{
    /* The target is a good plugin in a good directory, but whoever can write the
     * directory with the link chooses what is loaded. */
    char *good = subdir("plugins");
    char *open_dir = subdir("open");
    char *target = copy_fixture_to(good, "good", 0755);
    char *link = own(g_build_filename(open_dir, "evil.so", NULL));

    cr_assert_eq(symlink(target, link), 0);
    cr_assert_eq(chmod(open_dir, 01777), 0);

    PluginRegistry *reg = registry_new();
    registry_add_dir(reg, open_dir);
    registry_scan(reg);
    cr_assert_eq(reg->plugins->len, 0, "the link's target must not be loaded");
    const PluginRefusal *r = only_refusal(reg);
    cr_assert_not_null(strstr(r->reason, "symbolic link"), "%s", r->reason);
    cr_assert_not_null(strstr(r->reason, open_dir), "names the directory: %s", r->reason);
    cr_assert_not_null(strstr(r->reason, "writable by group and others"), "%s", r->reason);
    registry_free(reg);
}

Test(loader, refuses_a_symlink_to_a_world_writable_directory)
{
    char *dir = subdir("links");
    char *open_dir = subdir("open");
    char *target = copy_fixture_to(open_dir, "good", 0755);
    char *link = own(g_build_filename(dir, "good.so", NULL));
    char *why = own(g_strdup_printf("directory %s is writable by group and others", open_dir));

    cr_assert_eq(symlink(target, link), 0);
    cr_assert_eq(chmod(open_dir, 01777), 0);
    /* A refusal names the path as given: the way to the file is what was refused. */
    expect_path_refused(link, why);
}

Test(loader, refuses_a_symlinked_directory_in_a_world_writable_directory)
{
    char *real = subdir("real");
    char *open_dir = subdir("open");
    char *alias = own(g_build_filename(open_dir, "alias", NULL));
    char *via_alias = own(g_build_filename(alias, "good.so", NULL));

    copy_fixture_to(real, "good", 0755);
    cr_assert_eq(symlink(real, alias), 0);
    cr_assert_eq(chmod(open_dir, 01777), 0);

    /* realpath() would go straight to real/good.so: the walk must not. */
    PluginRegistry *reg = registry_new();
    cr_assert_null(registry_load_file(reg, via_alias));
    const PluginRefusal *r = only_refusal(reg);
    cr_assert_not_null(strstr(r->reason, "symbolic link"), "%s", r->reason);
    registry_free(reg);
}

Test(loader, a_refused_link_does_not_block_the_file_it_points_to)
{
    PluginRegistry *reg = registry_new();
    char *good = subdir("plugins");
    char *open_dir = subdir("open");
    char *target = copy_fixture_to(good, "good", 0755);
    char *link = own(g_build_filename(open_dir, "evil.so", NULL));

    cr_assert_eq(symlink(target, link), 0);
    cr_assert_eq(chmod(open_dir, 01777), 0);
    cr_assert_null(registry_load_file(reg, link));
    expect_loaded(reg, target);
    cr_assert_eq(reg->refused->len, 1);
    registry_free(reg);
}

Test(loader, accepts_a_relative_symlink_in_a_trusted_directory)
{
    PluginRegistry *reg = registry_new();
    char *real = subdir("real");
    char *links = subdir("links");
    char *target = copy_fixture_to(real, "good", 0755);
    char *link = own(g_build_filename(links, "good.so", NULL));

    cr_assert_eq(symlink("../real/./good.so", link), 0);
    const Plugin *p = expect_loaded(reg, link);
    cr_assert_str_eq(p->path, target, "known by its resolved path");
    registry_free(reg);
}

Test(loader, refuses_a_file_owned_by_another_user)
{
    need_root();
    char *path = copy_fixture_to(tmpdir, "good", 0755);

    cr_assert_eq(chown(path, 12345, 12345), 0);
    expect_path_refused(path, "file is owned by uid 12345");
}

Test(loader, refuses_a_plugin_directory_owned_by_another_user)
{
    need_root();
    char *dir = subdir("theirs");
    char *path = copy_fixture_to(dir, "good", 0755);
    char *why = own(g_strdup_printf("directory %s is owned by uid 12345", dir));

    cr_assert_eq(chown(dir, 12345, 12345), 0);
    expect_path_refused(path, why);
}

Test(loader, refuses_a_symlink_to_a_file_owned_by_another_user)
{
    need_root();
    char *dir = subdir("links");
    char *target = copy_fixture_to(tmpdir, "good", 0755);
    char *link = own(g_build_filename(dir, "good.so", NULL));

    cr_assert_eq(chown(target, 12345, 12345), 0);
    cr_assert_eq(symlink(target, link), 0);
    expect_path_refused(link, "file is owned by uid 12345");
}

Test(loader, refuses_a_group_writable_ancestor_without_the_sticky_bit)
{
    char *top = subdir("team");
    char *dir = subdir("team/plugins");
    char *path = copy_fixture_to(dir, "good", 0755);
    char *why = own(g_strdup_printf("directory %s is writable by group (mode 0775)", top));

    /* Anyone in the group could rename plugins/ away and put their own in its place. */
    cr_assert_eq(chmod(top, 0775), 0);
    expect_path_refused(path, why);
}

Test(loader, refuses_an_ancestor_owned_by_another_user)
{
    need_root();
    char *top = subdir("theirs");
    char *dir = subdir("theirs/plugins");
    char *path = copy_fixture_to(dir, "good", 0755);
    char *why = own(g_strdup_printf("directory %s is owned by uid 12345", top));

    cr_assert_eq(chown(top, 12345, 12345), 0);
    expect_path_refused(path, why);
}

Test(loader, accepts_a_private_directory_under_a_sticky_world_writable_one)
{
    /* /tmp/me/plugins: /tmp is 1777, me and plugins are ours and 0755. */
    PluginRegistry *reg = registry_new();
    char *shared = subdir("tmp");
    char *dir = subdir("tmp/me/plugins");
    char *path = copy_fixture_to(dir, "good", 0755);

    cr_assert_eq(chmod(shared, 01777), 0);
    expect_loaded(reg, path);
    registry_free(reg);
}

Test(loader, accepts_a_sticky_group_writable_ancestor)
{
    PluginRegistry *reg = registry_new();
    char *shared = subdir("team");
    char *dir = subdir("team/me");
    char *path = copy_fixture_to(dir, "good", 0755);

    cr_assert_eq(chmod(shared, 01775), 0);
    expect_loaded(reg, path);
    registry_free(reg);
}

Test(loader, refuses_a_fifo_without_blocking)
{
    char *path = own(g_build_filename(tmpdir, "fifo.so", NULL));

    cr_assert_eq(mkfifo(path, 0644), 0);
    expect_path_refused(path, "not a regular file");
}

Test(loader, loads_the_checked_file_through_its_descriptor)
{
    PluginRegistry *reg = registry_new();
    const Plugin *p = expect_loaded(reg, copy_fixture("good"));

    cr_assert(g_str_has_prefix(g_module_name(p->module), "/proc/self/fd/"), "loaded from %s",
              g_module_name(p->module));
    registry_free(reg);
}

Test(loader, a_refused_module_does_not_stand_in_for_the_next_file)
{
    /* "neither" is loaded, refused and closed; "good" may then get the same descriptor
     * number, and must still be itself and not the module cached under that name. */
    PluginRegistry *reg = registry_new();

    cr_assert_null(registry_load_file(reg, copy_fixture("neither")));
    const Plugin *a = expect_loaded(reg, copy_fixture("good"));
    const Plugin *b = expect_loaded(reg, copy_fixture("good-cpu"));
    cr_assert_str_eq(a->desc->name, "fixture-good");
    cr_assert_str_eq(b->desc->name, "fixture-cpu");
    registry_free(reg);
}

/* ---- scanning and the search path ---- */

Test(loader, scan_loads_every_so_file_in_subdirectories_too)
{
    PluginRegistry *reg = registry_new();
    char *top = subdir("plugins");
    char *nested = subdir("plugins/devices/deep");

    copy_fixture_to(top, "good", 0755);
    copy_fixture_to(nested, "good-cpu", 0755);
    char *readme = own(g_build_filename(top, "README", NULL));
    cr_assert(g_file_set_contents(readme, "not a plugin", -1, NULL));

    registry_add_dir(reg, top);
    registry_scan(reg);
    cr_assert_eq(reg->plugins->len, 2);
    cr_assert_eq(reg->refused->len, 0);
    registry_free(reg);
}

Test(loader, scan_records_refusals_and_keeps_going)
{
    PluginRegistry *reg = registry_new();
    char *dir = subdir("mixed");

    copy_fixture_to(dir, "abi-major-mismatch", 0755);
    copy_fixture_to(dir, "good", 0755);
    copy_fixture_to(dir, "neither", 0755);
    registry_add_dir(reg, dir);
    registry_scan(reg);
    cr_assert_eq(reg->plugins->len, 1);
    cr_assert_eq(reg->refused->len, 2);
    registry_free(reg);
}

Test(loader, a_directory_listed_twice_is_scanned_once)
{
    PluginRegistry *reg = registry_new();
    char *dir = subdir("twice");

    copy_fixture_to(dir, "good", 0755);
    copy_fixture_to(dir, "neither", 0755);
    registry_add_dir(reg, dir);
    registry_add_dir(reg, dir);
    registry_scan(reg);
    cr_assert_eq(reg->dirs->len, 1);
    cr_assert_eq(reg->plugins->len, 1);
    cr_assert_eq(reg->refused->len, 1);
    registry_free(reg);
}

Test(loader, the_same_file_reached_through_two_directories_loads_once)
{
    PluginRegistry *reg = registry_new();
    char *dir = subdir("real");
    char *link = own(g_build_filename(tmpdir, "alias", NULL));

    copy_fixture_to(dir, "good", 0755);
    cr_assert_eq(symlink(dir, link), 0);
    registry_add_dir(reg, dir);
    registry_add_dir(reg, link);
    registry_scan(reg);
    cr_assert_eq(reg->plugins->len, 1);
    cr_assert_eq(reg->refused->len, 0, "no duplicate refusal for the same file");
    registry_free(reg);
}

Test(loader, search_path_order_is_options_environment_build_tree_plugindir)
{
    PluginRegistry *reg = registry_new();
    char *extra[] = { "/opt/a", "/opt/b", NULL };

    g_setenv("TESSERA_PLUGIN_PATH", "/env/one::/env/two", TRUE);
    registry_add_default_dirs(reg, extra);
    g_unsetenv("TESSERA_PLUGIN_PATH");

    /* The test runs from the build tree, so the build tree's plugins come third. */
    const char *want[] = { "/opt/a", "/opt/b", "/env/one", "/env/two",
                           TESSERA_BUILD_ROOT "/plugins", TESSERA_PLUGINDIR };
    cr_assert_eq(reg->dirs->len, G_N_ELEMENTS(want));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
        cr_assert_str_eq(reg->dirs->pdata[i], want[i], "search path entry %zu", i);
    registry_free(reg);
}

Test(loader, the_first_directory_wins_a_name_and_version_clash)
{
    PluginRegistry *reg = registry_new();
    char *mine = subdir("mine");
    char *system = subdir("system");

    char *preferred = copy_fixture_to(mine, "dup-b", 0755);
    copy_fixture_to(system, "dup-a", 0755);
    registry_add_dir(reg, mine);
    registry_add_dir(reg, system);
    registry_scan(reg);
    cr_assert_eq(reg->plugins->len, 1);
    cr_assert_str_eq(((Plugin *)reg->plugins->pdata[0])->path, preferred);
    registry_free(reg);
}

/* ---- version selection ---- */

static PluginRegistry *side_by_side(void)
{
    PluginRegistry *reg = registry_new();
    char *dir = subdir("sidebyside");

    copy_fixture_to(dir, "sidebyside-1.0.0", 0755);
    copy_fixture_to(dir, "sidebyside-1.2.0", 0755);
    copy_fixture_to(dir, "sidebyside-2.0.0", 0755);
    registry_add_dir(reg, dir);
    registry_scan(reg);
    cr_assert_eq(reg->plugins->len, 3);
    return reg;
}

static const char *pick(const PluginRegistry *reg, const char *constraint)
{
    GError *error = NULL;
    const Plugin *p =
        registry_find(reg, "sidebyside", constraint, TESSERA_PLUGIN_DEVICE, &error);

    cr_assert_not_null(p, "\"%s\": %s", constraint, error ? error->message : "");
    return p->desc->version;
}

Test(loader, find_picks_the_highest_version_without_a_constraint)
{
    PluginRegistry *reg = side_by_side();
    cr_assert_str_eq(pick(reg, ""), "2.0.0");
    cr_assert_str_eq(pick(reg, "*"), "2.0.0");
    cr_assert_str_eq(pick(reg, NULL), "2.0.0");
    registry_free(reg);
}

Test(loader, find_picks_the_highest_version_satisfying_the_constraint)
{
    PluginRegistry *reg = side_by_side();
    cr_assert_str_eq(pick(reg, ">=1.2"), "2.0.0");
    cr_assert_str_eq(pick(reg, "^1"), "1.2.0");
    cr_assert_str_eq(pick(reg, "~1.0"), "1.0.0");
    cr_assert_str_eq(pick(reg, "<2"), "1.2.0");
    cr_assert_str_eq(pick(reg, "=2.0"), "2.0.0");
    cr_assert_str_eq(pick(reg, "1.0.0"), "1.0.0");
    cr_assert_str_eq(pick(reg, ">=1.1, <2"), "1.2.0");
    registry_free(reg);
}

Test(loader, find_error_lists_the_versions_present)
{
    PluginRegistry *reg = side_by_side();
    GError *error = NULL;

    cr_assert_null(registry_find(reg, "sidebyside", ">=3", TESSERA_PLUGIN_DEVICE, &error));
    cr_assert_not_null(error);
    cr_assert_not_null(strstr(error->message, "\"sidebyside\""), "%s", error->message);
    cr_assert_not_null(strstr(error->message, ">=3"), "%s", error->message);
    cr_assert_not_null(strstr(error->message, "1.0.0, 1.2.0, 2.0.0"), "%s", error->message);
    g_error_free(error);
    registry_free(reg);
}

Test(loader, find_error_names_an_absent_plugin)
{
    PluginRegistry *reg = side_by_side();
    GError *error = NULL;

    cr_assert_null(registry_find(reg, "nosuch", "*", TESSERA_PLUGIN_DEVICE, &error));
    cr_assert_not_null(error);
    cr_assert_not_null(strstr(error->message, "\"nosuch\" not found"), "%s", error->message);
    g_error_free(error);
    registry_free(reg);
}

Test(loader, find_does_not_return_a_plugin_of_another_kind)
{
    PluginRegistry *reg = side_by_side();
    GError *error = NULL;

    cr_assert_null(registry_find(reg, "sidebyside", "*", TESSERA_PLUGIN_CPU, &error));
    cr_assert_not_null(error);
    cr_assert_not_null(strstr(error->message, "is a device plugin, not a cpu plugin"), "%s",
                       error->message);
    g_error_free(error);
    registry_free(reg);
}

Test(loader, find_reports_a_malformed_constraint)
{
    PluginRegistry *reg = side_by_side();
    GError *error = NULL;

    cr_assert_null(registry_find(reg, "sidebyside", ">>1", TESSERA_PLUGIN_DEVICE, &error));
    cr_assert_not_null(error);
    cr_assert_not_null(strstr(error->message, ">>1"), "%s", error->message);
    g_error_free(error);
    registry_free(reg);
}

/* ---- listing ---- */

static char *print_registry(const PluginRegistry *reg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    registry_print(reg, out);
    fclose(out);
    return own(text); /* malloc'd: g_free is free */
}

static PluginRegistry *listing_registry(void)
{
    PluginRegistry *reg = registry_new();
    char *dir = subdir("list");

    copy_fixture_to(dir, "good", 0755);
    copy_fixture_to(dir, "blocked", 0755);
    copy_fixture_to(dir, "good-migration", 0755);
    copy_fixture_to(dir, "neither", 0755);
    registry_add_dir(reg, dir);
    registry_scan(reg);
    return reg;
}

/* The line of `text` that contains `needle`, as a new string. */
static char *line_with(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    cr_assert_not_null(at, "no line with \"%s\" in:\n%s", needle, text);
    const char *start = at, *end = strchr(at, '\n');
    while (start > text && start[-1] != '\n')
        start--;
    return own(g_strndup(start, end ? (size_t)(end - start) : strlen(start)));
}

Test(loader, list_shows_name_version_kind_state_and_path)
{
    PluginRegistry *reg = listing_registry();
    char *text = print_registry(reg);
    char *row = line_with(text, "fixture-good ");

    cr_assert_not_null(strstr(row, "1.0.0"), "%s", row);
    cr_assert_not_null(strstr(row, "device"), "%s", row);
    cr_assert_not_null(strstr(row, "/list/good.so"), "%s", row);
    registry_free(reg);
}

Test(loader, list_state_column_counts_converter_chains)
{
    PluginRegistry *reg = listing_registry();
    /* fixture-good: version 2, load_min 1, save_min 2 plus a 2->1 downgrade converter. */
    char *row = line_with(print_registry(reg), "fixture-good ");

    cr_assert_not_null(strstr(row, "load v1-v2 save v1-v2"), "%s", row);
    registry_free(reg);
}

Test(loader, list_shows_a_blocker_and_a_dash_for_migration_plugins)
{
    PluginRegistry *reg = listing_registry();
    char *text = print_registry(reg);

    cr_assert_not_null(strstr(line_with(text, "fixture-blocked"), "blocked: fixture cannot migrate"));
    cr_assert_not_null(strstr(line_with(text, "fixture-migration"), "  -  "));
    registry_free(reg);
}

Test(loader, list_columns_are_aligned)
{
    PluginRegistry *reg = listing_registry();
    char *text = print_registry(reg);
    char *header = line_with(text, "NAME");
    long path_col = strstr(header, "PATH") - header;
    const char *names[] = { "fixture-good ", "fixture-blocked", "fixture-migration" };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *row = line_with(text, names[i]);
        cr_assert_eq(strchr(row, '/') - row, path_col, "path column of %s:\n%s", names[i],
                     text);
    }
    registry_free(reg);
}

Test(loader, list_ends_with_the_refused_plugins_and_their_reasons)
{
    PluginRegistry *reg = listing_registry();
    char *text = print_registry(reg);
    char *row = line_with(text, "/list/neither.so");

    cr_assert_not_null(strstr(row, "neither a state schema nor a migration blocker"), "%s", row);
    cr_assert_gt(strstr(text, "neither.so") - text, strstr(text, "Refused") - text);
    registry_free(reg);
}

Test(loader, list_shows_the_plugins_set_aside_once)
{
    PluginRegistry *reg = side_by_side();
    GError *error = NULL;

    cr_assert(registry_pin(reg, "sidebyside=^1", &error), "%s", error ? error->message : "");
    char *text = print_registry(reg);
    char **sections = g_strsplit(text, "Set aside by -plugin-version", -1);
    cr_assert_eq(g_strv_length(sections), 2, "the set-aside list once:\n%s", text);
    cr_assert_not_null(strstr(sections[1], "sidebyside 2.0.0: "), "%s", text);
    g_strfreev(sections);
    registry_free(reg);
}
