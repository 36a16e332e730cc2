/* SPDX-License-Identifier: MIT */
/* Machine files: what parses, and errors that name file, line and key. */
#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "machine_file.h"

static char *tmpdir;

static void setup(void)
{
    tmpdir = g_dir_make_tmp("tessera-mf-XXXXXX", NULL);
    cr_assert_not_null(tmpdir);
}

static void teardown(void)
{
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d))) {
        char *p = g_build_filename(tmpdir, n, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(tmpdir);
    g_free(tmpdir);
}

TestSuite(machine_file, .init = setup, .fini = teardown);

static const char *header = "[machine]\n"
                            "name = toy\n"
                            "ram-default = 16\n"
                            "ram-max = 64\n"
                            "prom-base = 0x70000000\n"
                            "prom-size = 0x100000\n"
                            "\n"
                            "[cpu]\n"
                            "plugin = cpu-toy\n"
                            "version = ^1\n"
                            "model = T1\n";

static char *write_file(const char *body)
{
    char *path = g_build_filename(tmpdir, "toy.machine", NULL);
    char *text = g_strconcat(header, body, NULL);
    cr_assert(g_file_set_contents(path, text, -1, NULL));
    g_free(text);
    return path;
}

/* Load and expect failure; returns the message. */
static char *load_error(const char *body)
{
    char *path = write_file(body);
    GError *error = NULL;
    MachineSpec *s = machine_file_load(path, &error);
    cr_assert_null(s, "expected a parse error");
    cr_assert_not_null(error);
    char *msg = g_strdup(error->message);
    g_error_free(error);
    g_free(path);
    return msg;
}

Test(machine_file, a_device_with_regions_irqs_links_and_props_parses)
{
    char *path = write_file("\n[device uart]\n"
                            "plugin = escc\n"
                            "version = >=1.2\n"
                            "reg.regs = 0x71100000\n"
                            "irq.out = intc.in[15]\n"
                            "chardev.a = serial0\n"
                            "prop.clock = 4915200\n"
                            "\n[device intc]\n"
                            "plugin = slavio-intctl\n"
                            "irq.irl = cpu.irl\n"
                            "\n[memory idreg]\n"
                            "kind = rom\n"
                            "base = 0x78000000\n"
                            "size = 4\n"
                            "contents = fe810103\n");
    GError *error = NULL;
    MachineSpec *s = machine_file_load(path, &error);
    cr_assert_not_null(s, "%s", error ? error->message : "");
    cr_assert_str_eq(s->name, "toy");
    cr_assert_eq(s->ram_default, 16u << 20);
    cr_assert_eq(s->ram_max, 64u << 20);
    cr_assert_str_eq(s->cpu->plugin, "cpu-toy");
    cr_assert_str_eq(s->cpu_model, "T1");
    cr_assert_eq(s->devices->len, 2);
    DeviceSpec *d = s->devices->pdata[0];
    cr_assert_str_eq(d->name, "uart");
    cr_assert_str_eq(d->constraint, ">=1.2");
    cr_assert_eq(d->regs->len, 1);
    cr_assert_eq(g_array_index(d->regs, RegSpec, 0).base, 0x71100000);
    IrqWire *w = d->irqs->pdata[0];
    cr_assert_str_eq(w->output, "out");
    cr_assert_eq(w->out_index, -1);
    cr_assert_str_eq(w->target, "intc");
    cr_assert_str_eq(w->input, "in");
    cr_assert_eq(w->in_index, 15);
    cr_assert_str_eq(g_hash_table_lookup(d->chardevs, "a"), "serial0");
    cr_assert_str_eq(g_hash_table_lookup(d->props, "clock"), "4915200");
    MemorySpec *m = s->memory->pdata[0];
    cr_assert_eq(m->kind, REGION_ROM);
    cr_assert_eq(g_bytes_get_size(m->contents), 4);
    cr_assert_eq(((const guint8 *)g_bytes_get_data(m->contents, NULL))[0], 0xfe);
    machine_spec_free(s);
    g_free(path);
}

Test(machine_file, a_bad_address_names_file_line_group_and_key)
{
    char *msg = load_error("\n[device uart]\nplugin = escc\nreg.regs = 0xzz\n");
    cr_assert(strstr(msg, "toy.machine:15:"), "%s", msg);
    cr_assert(strstr(msg, "[device uart] reg.regs"), "%s", msg);
    cr_assert(strstr(msg, "0xzz"), "%s", msg);
    g_free(msg);
}

Test(machine_file, an_address_beyond_36_bits_is_refused)
{
    char *msg = load_error("\n[device uart]\nplugin = escc\nreg.regs = 0x1000000000\n");
    cr_assert(strstr(msg, "36-bit"), "%s", msg);
    g_free(msg);
}

Test(machine_file, a_missing_plugin_key_is_an_error)
{
    char *msg = load_error("\n[device uart]\nreg.regs = 0x1000\n");
    cr_assert(strstr(msg, "[device uart] plugin: missing"), "%s", msg);
    cr_assert(strstr(msg, ":13:"), "%s", msg);
    g_free(msg);
}

Test(machine_file, an_unknown_key_is_an_error)
{
    char *msg = load_error("\n[device uart]\nplugin = escc\ncolour = blue\n");
    cr_assert(strstr(msg, "toy.machine:15: [device uart] colour: unknown key"), "%s", msg);
    g_free(msg);
}

Test(machine_file, an_irq_to_an_unknown_instance_is_an_error)
{
    char *msg = load_error("\n[device uart]\nplugin = escc\nirq.out = nowhere.in[3]\n");
    cr_assert(strstr(msg, ":15:"), "%s", msg);
    cr_assert(strstr(msg, "no instance named 'nowhere'"), "%s", msg);
    g_free(msg);
}

Test(machine_file, a_malformed_irq_target_is_an_error)
{
    char *msg = load_error("\n[device uart]\nplugin = escc\nirq.out = intc\n");
    cr_assert(strstr(msg, "irq.out"), "%s", msg);
    cr_assert(strstr(msg, "INSTANCE.INPUT"), "%s", msg);
    g_free(msg);
}

Test(machine_file, a_duplicate_key_is_an_error_with_its_line)
{
    char *msg = load_error("\n[device uart]\nplugin = escc\nplugin = escc\n");
    cr_assert(strstr(msg, "toy.machine:15:"), "%s", msg);
    cr_assert(strstr(msg, "set twice"), "%s", msg);
    g_free(msg);
}

Test(machine_file, a_line_that_is_not_key_value_is_an_error)
{
    char *msg = load_error("\n[device uart]\nplugin escc\n");
    cr_assert(strstr(msg, "toy.machine:14:"), "%s", msg);
    cr_assert(strstr(msg, "key = value"), "%s", msg);
    g_free(msg);
}

Test(machine_file, an_unknown_group_is_an_error)
{
    char *msg = load_error("\n[gadget x]\nplugin = escc\n");
    cr_assert(strstr(msg, "[gadget x]"), "%s", msg);
    cr_assert(strstr(msg, "unknown group"), "%s", msg);
    g_free(msg);
}

Test(machine_file, a_bad_chardev_backend_is_an_error)
{
    char *msg = load_error("\n[device uart]\nplugin = escc\nchardev.a = tty9\n");
    cr_assert(strstr(msg, "chardev.a"), "%s", msg);
    g_free(msg);
}

/* An empty value would give an empty, NULL-backed contents (copied as NULL). */
Test(machine_file, empty_memory_contents_is_an_error)
{
    char *msg = load_error("\n[memory id]\nkind = rom\nbase = 0x78000000\nsize = 4\ncontents =\n");
    cr_assert(strstr(msg, "[memory id] contents: expected hex bytes"), "%s", msg);
    g_free(msg);
}

/* A value GLib cannot read (here, not UTF-8) is an error on its line, not NULL. */
Test(machine_file, an_unreadable_value_is_an_error)
{
    char *msg = load_error("\n[device uart]\nplugin = escc\nchardev.a = ser\xff\n");
    cr_assert(strstr(msg, "toy.machine:15: [device uart] chardev.a: unreadable value (not UTF-8)"),
              "%s", msg);
    g_free(msg);
}

Test(machine_file, ram_default_above_ram_max_is_an_error)
{
    char *path = g_build_filename(tmpdir, "bad.machine", NULL);
    cr_assert(g_file_set_contents(path, "[machine]\nname = x\nram-default = 128\nram-max = 64\n"
                                        "[cpu]\nplugin = c\n", -1, NULL));
    GError *error = NULL;
    cr_assert_null(machine_file_load(path, &error));
    cr_assert(strstr(error->message, "bad.machine:3: [machine] ram-default"), "%s",
              error->message);
    g_error_free(error);
    g_free(path);
}

Test(machine_file, presence_defaults_to_required_and_accepts_optional)
{
    char *path = write_file("\n[device a]\nplugin = escc\n"
                            "\n[device b]\nplugin = escc\npresence = optional\n"
                            "\n[device c]\nplugin = escc\npresence = required\n");
    GError *error = NULL;
    MachineSpec *s = machine_file_load(path, &error);
    cr_assert_not_null(s, "%s", error ? error->message : "");
    cr_expect_not(((DeviceSpec *)s->devices->pdata[0])->optional);
    cr_expect(((DeviceSpec *)s->devices->pdata[1])->optional);
    cr_expect_not(((DeviceSpec *)s->devices->pdata[2])->optional);
    machine_spec_free(s);
    g_free(path);
}

Test(machine_file, a_presence_other_than_required_or_optional_is_an_error)
{
    char *msg = load_error("\n[device a]\nplugin = escc\npresence = sometimes\n");
    cr_assert(strstr(msg, "toy.machine:15: [device a] presence: 'sometimes' is not required or "
                          "optional"), "%s", msg);
    g_free(msg);
}

Test(machine_file, a_link_to_an_absent_device_is_an_error_with_its_line)
{
    char *msg = load_error("\n[device a]\nplugin = escc\nlink.dma = nowhere\n");
    cr_assert(strstr(msg, "toy.machine:15: [device a] link.dma: no device named 'nowhere'"), "%s",
              msg);
    g_free(msg);
}

Test(machine_file, the_ss5_machine_file_parses_and_lists_the_whole_device_set)
{
    GError *error = NULL;
    MachineSpec *s = machine_file_load(TESSERA_SOURCE_ROOT "/machines/ss5.machine", &error);
    cr_assert_not_null(s, "%s", error ? error->message : "");
    cr_assert_str_eq(s->name, "ss5");
    cr_assert_eq(s->prom_base, 0x70000000);
    cr_assert_eq(s->prom_vaddr, 0xffd00000);
    const char *expect[] = { "intctl", "timer", "escc-kbd", "escc-serial", "misc", "nvram",
                             "fw_cfg", "iommu", "espdma", "ledma", "esp", "lance", "apc",
                             "cs4231" };
    for (size_t i = 0; i < G_N_ELEMENTS(expect); i++) {
        const DeviceSpec *found = NULL;
        for (guint j = 0; j < s->devices->len; j++)
            if (!strcmp(((DeviceSpec *)s->devices->pdata[j])->name, expect[i]))
                found = s->devices->pdata[j];
        cr_assert(found, "ss5 lacks device %s", expect[i]);
        /* Optional: what OpenBIOS and Linux run without (docs/machine-files.md). */
        bool optional = !strcmp(expect[i], "lance") || !strcmp(expect[i], "cs4231");
        cr_expect_eq(found->optional, optional, "ss5 device %s: optional is %d", expect[i],
                     found->optional);
    }
    machine_spec_free(s);
}
