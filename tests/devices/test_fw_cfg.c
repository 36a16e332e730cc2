/* SPDX-License-Identifier: MIT */
/* fw-cfg: the items OpenBIOS reads (signature, ID, RAM size, machine id, ...), the
 * selector and data port, and the kernel handoff: ELF and raw kernels, the initrd
 * and its "HdrS" patch, the command line, errors naming the file.
 *
 * The handoff tests run the plugin on a fake machine with RAM, where its DMA lands. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_host.h"

#define RAM_SIZE (32u << 20)

static FakeHost *fh;

static void setup(void)
{
    fh = fake_host_new(PLUGIN_PATH);
    fake_host_set_machine_opt(fh, "ram-size", "33554432");
    fake_host_set_machine_opt(fh, "nographic", "1");
    fake_host_set_prop(fh, "machine-id", "32");
    fake_host_start(fh);
}

static void teardown(void)
{
    fake_host_free(fh);
}

TestSuite(fw_cfg, .init = setup, .fini = teardown);

static void select_key(uint16_t key)
{
    fake_write(fh, "ctl", 0, key, 2);
}

static uint8_t data(void)
{
    return (uint8_t)fake_read(fh, "data", 0, 1);
}

/* Little-endian integer of `bytes` bytes from the selected item. */
static uint64_t read_le(uint16_t key, unsigned bytes)
{
    select_key(key);
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)data() << (8 * i);
    return v;
}

Test(fw_cfg, descriptor_names_plugin_and_version)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "fw-cfg");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(fw_cfg, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(fw_cfg, regions_are_a_16_bit_selector_and_an_8_bit_port)
{
    cr_assert_eq(fake_region_size(fh, "ctl"), 2);
    cr_assert_eq(fake_region_size(fh, "data"), 1);
}

Test(fw_cfg, signature_is_qemu)
{
    select_key(0x00);
    char sig[5] = { 0 };
    for (int i = 0; i < 4; i++)
        sig[i] = (char)data();
    cr_assert_str_eq(sig, "QEMU");
}

Test(fw_cfg, id_is_1)
{
    cr_assert_eq(read_le(0x01, 4), 1);
}

Test(fw_cfg, ram_size_is_the_machine_option_as_u64)
{
    cr_assert_eq(read_le(0x03, 8), 33554432);
}

Test(fw_cfg, machine_id_is_the_property)
{
    cr_assert_eq(read_le(0x06, 2), 32);
}

Test(fw_cfg, nographic_follows_the_option)
{
    cr_assert_eq(read_le(0x04, 2), 1);
}

Test(fw_cfg, one_cpu)
{
    cr_assert_eq(read_le(0x05, 2), 1);
    cr_assert_eq(read_le(0x0f, 2), 1);
}

Test(fw_cfg, uuid_is_16_zero_bytes)
{
    select_key(0x02);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(data(), 0);
}

Test(fw_cfg, boot_device_is_disk)
{
    cr_assert_eq(read_le(0x0c, 2), 'c');
}

Test(fw_cfg, display_is_8_bit_1024x768)
{
    cr_assert_eq(read_le(0x8000, 2), 8);
    cr_assert_eq(read_le(0x8001, 2), 1024);
    cr_assert_eq(read_le(0x8002, 2), 768);
}

Test(fw_cfg, without_kernel_the_handoff_items_are_empty)
{
    cr_assert_eq(read_le(0x07, 4), 0x4000);
    cr_assert_eq(read_le(0x08, 4), 0);
    cr_assert_eq(read_le(0x09, 4), 0);
    cr_assert_eq(read_le(0x0a, 4), 0x800000);
    cr_assert_eq(read_le(0x0b, 4), 0);
    cr_assert_eq(read_le(0x14, 4), 0);
}

Test(fw_cfg, selecting_resets_the_offset)
{
    select_key(0x00);
    data();
    data();
    select_key(0x00);
    cr_assert_eq(data(), 'Q');
}

Test(fw_cfg, reads_past_the_end_return_0)
{
    select_key(0x06);
    data();
    data();
    cr_assert_eq(data(), 0);
    cr_assert_eq(data(), 0);
}

Test(fw_cfg, unknown_key_reads_0)
{
    select_key(0x1234);
    cr_assert_eq(data(), 0);
}

Test(fw_cfg, nb_cpus_read_as_u32_has_zero_high_half)
{
    /* OpenBIOS reads the 16-bit NB_CPUS item with fw_cfg_read_i32. */
    cr_assert_eq(read_le(0x05, 4), 1);
}

Test(fw_cfg, reset_selects_the_signature)
{
    select_key(0x06);
    fake_host_reset(fh);
    cr_assert_eq(data(), 'Q');
}

Test(fw_cfg, state_restores_selector_and_offset)
{
    select_key(0x00);
    data();
    size_t n = fake_state_save(fh, NULL, 0);
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(fh, buf, n), n);
    select_key(0x03);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    free(buf);
    cr_assert_eq(data(), 'E');
}

static FakeHost *started_with(const char *opt, const char *value)
{
    FakeHost *f = fake_host_new(PLUGIN_PATH);
    fake_host_set_machine_opt(f, "ram-size", "33554432");
    fake_host_set_prop(f, "machine-id", "32");
    fake_host_set_machine_opt(f, opt, value);
    fake_host_start(f);
    return f;
}

static uint64_t read_le_of(FakeHost *f, uint16_t key, unsigned bytes)
{
    fake_write(f, "ctl", 0, key, 2);
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= fake_read(f, "data", 0, 1) << (8 * i);
    return v;
}

Test(fw_cfg, graphic_machine_says_nographic_0)
{
    FakeHost *f = started_with("nographic", "0");
    cr_assert_eq(read_le_of(f, 0x04, 2), 0);
    fake_host_free(f);
}

Test(fw_cfg, boot_option_picks_the_boot_device)
{
    FakeHost *f = started_with("boot", "d");
    cr_assert_eq(read_le_of(f, 0x0c, 2), 'd');
    fake_host_free(f);
}

Test(fw_cfg, machine_id_property_in_hex_is_accepted)
{
    FakeHost *f = fake_host_new(PLUGIN_PATH);
    fake_host_set_machine_opt(f, "ram-size", "67108864");
    fake_host_set_prop(f, "machine-id", "0x21");
    fake_host_start(f);
    cr_assert_eq(read_le_of(f, 0x06, 2), 0x21);
    cr_assert_eq(read_le_of(f, 0x03, 8), 67108864);
    fake_host_free(f);
}

Test(fw_cfg, missing_ram_size_is_refused)
{
    FakeHost *f = fake_host_new(PLUGIN_PATH);
    fake_host_set_prop(f, "machine-id", "32");
    char err[256] = "";
    cr_assert_neq(fake_host_try_init(f, err, sizeof(err)), 0);
    cr_assert(strstr(err, "ram-size"), "%s", err);
    fake_host_free(f);
}

Test(fw_cfg, missing_machine_id_is_refused)
{
    FakeHost *f = fake_host_new(PLUGIN_PATH);
    fake_host_set_machine_opt(f, "ram-size", "33554432");
    char err[256] = "";
    cr_assert_neq(fake_host_try_init(f, err, sizeof(err)), 0);
    cr_assert(strstr(err, "machine-id"), "%s", err);
    fake_host_free(f);
}

/* ---- the kernel handoff, on a machine with RAM ---- */

static FakeMachine *machine;
static FakeHost *kfh;
static char tmpdir[64];

static void ram_setup(void)
{
    machine = fake_machine_new(RAM_SIZE);
    kfh = fake_machine_add(machine, NULL, PLUGIN_PATH);
    fake_host_set_machine_opt(kfh, "ram-size", "33554432");
    fake_host_set_prop(kfh, "machine-id", "32");
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/tessera-fwcfg-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void ram_teardown(void)
{
    fake_machine_free(machine);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(fw_cfg_kernel, .init = ram_setup, .fini = ram_teardown);

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static char *write_file(const char *name, const void *buf, size_t len)
{
    static char paths[4][128];
    static unsigned next;
    char *path = paths[next++ % 4];
    snprintf(path, 128, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(buf, 1, len, f), len);
    fclose(f);
    return path;
}

/* A sparc32 Linux-like ELF: one PT_LOAD at 0xf0004000 (file 8 KiB, memory 12 KiB) whose
 * second page starts with the "HdrS" header, as in head_32.S. */
#define SEG_FILE 0x2000
#define SEG_MEM 0x3000
#define SEG_OFFSET 0x100

static char *make_elf(void)
{
    static uint8_t elf[SEG_OFFSET + SEG_FILE];
    memset(elf, 0, sizeof(elf));
    memcpy(elf, "\177ELF", 4);
    elf[4] = 1; /* ELFCLASS32 */
    elf[5] = 2; /* ELFDATA2MSB */
    elf[6] = 1;
    put_be16(elf + 16, 2);  /* ET_EXEC */
    put_be16(elf + 18, 2);  /* EM_SPARC */
    put_be32(elf + 20, 1);
    put_be32(elf + 24, 0xf0004000); /* entry */
    put_be32(elf + 28, 52);         /* phoff */
    put_be16(elf + 40, 52);
    put_be16(elf + 42, 32); /* phentsize */
    put_be16(elf + 44, 1);  /* phnum */
    uint8_t *ph = elf + 52;
    put_be32(ph + 0, 1);            /* PT_LOAD */
    put_be32(ph + 4, SEG_OFFSET);
    put_be32(ph + 8, 0xf0004000);   /* vaddr */
    put_be32(ph + 12, 0xf0004000);  /* paddr */
    put_be32(ph + 16, SEG_FILE);
    put_be32(ph + 20, SEG_MEM);
    uint8_t *seg = elf + SEG_OFFSET;
    put_be32(seg, 0x10800040); /* b gokernel */
    memcpy(seg + 0x1000, "HdrS", 4);
    put_be32(seg + 0x1004, 0x060100);
    seg[SEG_FILE - 1] = 0xee;
    return write_file("vmlinux", elf, sizeof(elf));
}

Test(fw_cfg_kernel, elf_kernel_lands_at_vaddr_minus_0xf0000000)
{
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    fake_host_start(kfh);
    cr_assert_eq(fake_ram_read(machine, 0x4000, 4), 0x10800040);
    cr_assert_eq(fake_ram_read(machine, 0x5000, 4), 0x48647253);
    cr_assert_eq(fake_ram(machine)[0x4000 + SEG_FILE - 1], 0xee);
}

Test(fw_cfg_kernel, elf_bss_is_zero_filled)
{
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    memset(fake_ram(machine) + 0x4000 + SEG_FILE, 0xaa, SEG_MEM - SEG_FILE);
    fake_host_start(kfh);
    for (unsigned i = SEG_FILE; i < SEG_MEM; i++)
        cr_assert_eq(fake_ram(machine)[0x4000 + i], 0, "byte 0x%x", i);
}

Test(fw_cfg_kernel, kernel_size_is_the_loaded_memory_size)
{
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    fake_host_start(kfh);
    cr_assert_eq(read_le_of(kfh, 0x07, 4), 0x4000);
    cr_assert_eq(read_le_of(kfh, 0x08, 4), SEG_MEM);
}

Test(fw_cfg_kernel, initrd_lands_at_8_mib_and_is_announced)
{
    static const uint8_t initrd[] = "070701 an initramfs";
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    fake_host_set_machine_opt(kfh, "initrd", write_file("initrd", initrd, sizeof(initrd)));
    fake_host_start(kfh);
    cr_assert_eq(memcmp(fake_ram(machine) + 0x800000, initrd, sizeof(initrd)), 0);
    cr_assert_eq(read_le_of(kfh, 0x0a, 4), 0x800000);
    cr_assert_eq(read_le_of(kfh, 0x0b, 4), sizeof(initrd));
}

Test(fw_cfg_kernel, hdrs_header_gets_initrd_address_and_size)
{
    static const uint8_t initrd[1000];
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    fake_host_set_machine_opt(kfh, "initrd", write_file("initrd", initrd, sizeof(initrd)));
    fake_host_start(kfh);
    cr_assert_eq(fake_ram_read(machine, 0x5000 + 16, 4), 0x800000);
    cr_assert_eq(fake_ram_read(machine, 0x5000 + 20, 4), 1000);
    cr_assert_eq(fake_ram_read(machine, 0x5000 + 4, 4), 0x060100,
                 "the rest of the header is untouched");
}

Test(fw_cfg_kernel, without_initrd_hdrs_is_untouched)
{
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    fake_host_start(kfh);
    cr_assert_eq(fake_ram_read(machine, 0x5000 + 16, 4), 0);
    cr_assert_eq(fake_ram_read(machine, 0x5000 + 20, 4), 0);
}

Test(fw_cfg_kernel, command_line_is_copied_to_0x7ff000)
{
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    fake_host_set_machine_opt(kfh, "append", "console=ttyS0 root=/dev/ram");
    fake_host_start(kfh);
    cr_assert_str_eq((const char *)fake_ram(machine) + 0x7ff000, "console=ttyS0 root=/dev/ram");
    cr_assert_eq(read_le_of(kfh, 0x09, 4), 0x7ff000);
    cr_assert_eq(read_le_of(kfh, 0x14, 4), strlen("console=ttyS0 root=/dev/ram") + 1);
}

Test(fw_cfg_kernel, command_line_data_item_holds_the_string)
{
    fake_host_set_machine_opt(kfh, "append", "quiet");
    fake_host_start(kfh);
    fake_write(kfh, "ctl", 0, 0x15, 2);
    char got[8] = { 0 };
    for (int i = 0; i < 6; i++)
        got[i] = (char)fake_read(kfh, "data", 0, 1);
    cr_assert_str_eq(got, "quiet");
}

Test(fw_cfg_kernel, raw_kernel_lands_at_0x4000)
{
    static const uint8_t raw[] = { 0x01, 0x00, 0x00, 0x00, 0xde, 0xad };
    fake_host_set_machine_opt(kfh, "kernel", write_file("Image", raw, sizeof(raw)));
    fake_host_start(kfh);
    cr_assert_eq(memcmp(fake_ram(machine) + 0x4000, raw, sizeof(raw)), 0);
    cr_assert_eq(read_le_of(kfh, 0x08, 4), sizeof(raw));
}

/* An a.out kernel: header (magic, text, data sizes), 0x30 bytes of text, 8 of data. */
static char *make_aout(uint16_t magic, size_t text_offset)
{
    static uint8_t aout[1024 + 0x38];
    memset(aout, 0, sizeof(aout));
    put_be32(aout, 0x00030000u | magic); /* machine type 3 (sparc), magic */
    put_be32(aout + 4, 0x30);             /* a_text */
    put_be32(aout + 8, 8);                /* a_data */
    put_be32(aout + 12, 0x100);           /* a_bss: not loaded, as QEMU */
    put_be32(aout + 20, 0x4000);          /* a_entry */
    memset(aout + text_offset, 0x11, 0x30);
    memset(aout + text_offset + 0x30, 0x22, 8);
    return write_file("aout", aout, text_offset + 0x38);
}

Test(fw_cfg_kernel, omagic_aout_text_and_data_land_at_0x4000)
{
    fake_host_set_machine_opt(kfh, "kernel", make_aout(0407, 32));
    fake_host_start(kfh);
    cr_assert_eq(fake_ram(machine)[0x4000], 0x11);
    cr_assert_eq(fake_ram(machine)[0x4000 + 0x2f], 0x11);
    cr_assert_eq(fake_ram(machine)[0x4000 + 0x30], 0x22);
    cr_assert_eq(fake_ram(machine)[0x4000 + 0x37], 0x22);
    cr_assert_eq(read_le_of(kfh, 0x08, 4), 0x38, "text + data");
}

Test(fw_cfg_kernel, zmagic_aout_text_starts_at_file_offset_1024)
{
    fake_host_set_machine_opt(kfh, "kernel", make_aout(0413, 1024));
    fake_host_start(kfh);
    cr_assert_eq(fake_ram(machine)[0x4000], 0x11);
    cr_assert_eq(fake_ram(machine)[0x4000 + 0x30], 0x22);
}

Test(fw_cfg_kernel, nmagic_aout_data_starts_on_the_next_page)
{
    fake_host_set_machine_opt(kfh, "kernel", make_aout(0410, 32));
    fake_host_start(kfh);
    cr_assert_eq(fake_ram(machine)[0x4000 + 0x2f], 0x11);
    cr_assert_eq(fake_ram(machine)[0x4000 + 0x30], 0x00);
    cr_assert_eq(fake_ram(machine)[0x5000], 0x22);
    cr_assert_eq(fake_ram(machine)[0x5007], 0x22);
}

Test(fw_cfg_kernel, reset_reinstalls_the_kernel)
{
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    fake_host_start(kfh);
    memset(fake_ram(machine) + 0x4000, 0, 16);
    fake_host_reset(kfh);
    cr_assert_eq(fake_ram_read(machine, 0x4000, 4), 0x10800040);
}

Test(fw_cfg_kernel, unreadable_kernel_is_refused_naming_the_file)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/no-such-kernel", tmpdir);
    fake_host_set_machine_opt(kfh, "kernel", path);
    char err[256] = "";
    cr_assert_neq(fake_machine_try_start(machine, err, sizeof(err)), 0);
    cr_assert(strstr(err, path), "%s", err);
}

Test(fw_cfg_kernel, unreadable_initrd_is_refused_naming_the_file)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/no-such-initrd", tmpdir);
    fake_host_set_machine_opt(kfh, "kernel", make_elf());
    fake_host_set_machine_opt(kfh, "initrd", path);
    char err[256] = "";
    cr_assert_neq(fake_machine_try_start(machine, err, sizeof(err)), 0);
    cr_assert(strstr(err, path), "%s", err);
}

Test(fw_cfg_kernel, elf_for_another_machine_is_refused_naming_the_file)
{
    char *path = make_elf();
    FILE *f = fopen(path, "r+b");
    uint8_t x86[2] = { 0, 3 };
    fseek(f, 18, SEEK_SET);
    fwrite(x86, 1, 2, f);
    fclose(f);
    fake_host_set_machine_opt(kfh, "kernel", path);
    char err[256] = "";
    cr_assert_neq(fake_machine_try_start(machine, err, sizeof(err)), 0);
    cr_assert(strstr(err, path), "%s", err);
}

Test(fw_cfg_kernel, segment_outside_ram_is_refused)
{
    char *path = make_elf();
    FILE *f = fopen(path, "r+b");
    uint8_t paddr[4] = { 0xf3, 0x00, 0x00, 0x00 }; /* PA 48 MiB, RAM is 32 */
    fseek(f, 52 + 12, SEEK_SET);
    fwrite(paddr, 1, 4, f);
    fclose(f);
    fake_host_set_machine_opt(kfh, "kernel", path);
    char err[256] = "";
    cr_assert_neq(fake_machine_try_start(machine, err, sizeof(err)), 0);
    cr_assert(strstr(err, path), "%s", err);
}
