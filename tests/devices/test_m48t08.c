/* SPDX-License-Identifier: MIT */
/* m48t08: the NVRAM image OpenBIOS expects (CHRP partitions, Sun IDPROM), byte
 * storage, persistence to a file, the BCD clock on a fixed base and the virtual
 * clock (latches, stop bit, immediate writes), reset, state. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fake_host.h"

static FakeHost *fh;

#define NS_PER_S UINT64_C(1000000000)
#define CONTROL 0x1ff8
#define SECONDS 0x1ff9
#define MINUTES 0x1ffa
#define HOURS 0x1ffb
#define DAY 0x1ffc
#define DATE 0x1ffd
#define MONTH 0x1ffe
#define YEAR 0x1fff

/* Sunday 2026-11-22 03:04:05 UTC. */
#define BASE "2026-11-22T03:04:05"

static void setup(void)
{
    fh = fake_host_new(PLUGIN_PATH);
    fake_host_set_machine_opt(fh, "rtc-base", BASE);
    fake_host_start(fh);
}

static void teardown(void)
{
    fake_host_free(fh);
}

TestSuite(m48t08, .init = setup, .fini = teardown);

static uint8_t rdb(unsigned addr)
{
    return (uint8_t)fake_read(fh, "nvram", addr, 1);
}

static void wrb(unsigned addr, uint8_t v)
{
    fake_write(fh, "nvram", addr, v, 1);
}

/* The CHRP header checksum: the other 15 bytes summed with end-around carry. */
static uint8_t chrp_sum(unsigned base)
{
    unsigned sum = rdb(base);
    for (unsigned i = 2; i < 16; i++) {
        sum += rdb(base + i);
        sum = (sum + (sum >> 8)) & 0xff;
    }
    return (uint8_t)sum;
}

static void read_name(unsigned base, char name[13])
{
    for (unsigned i = 0; i < 12; i++)
        name[i] = (char)rdb(base + 4 + i);
    name[12] = 0;
}

Test(m48t08, descriptor_names_plugin_and_version)
{
    const TesseraPluginDescriptor *d = fake_host_descriptor(fh);
    cr_assert_str_eq(d->name, "m48t08");
    cr_assert_str_eq(d->version, "1.0.0");
    cr_assert_str_eq(d->license, "MIT");
}

Test(m48t08, schema_is_well_formed)
{
    char err[256] = "";
    cr_assert_eq(fake_schema_check(fh, err, sizeof(err)), 0, "%s", err);
}

Test(m48t08, region_is_8_kib)
{
    cr_assert_eq(fake_region_size(fh, "nvram"), 0x2000);
}

Test(m48t08, image_starts_with_the_system_partition)
{
    char name[13];
    read_name(0, name);
    cr_assert_eq(rdb(0), 0x70);
    cr_assert_str_eq(name, "system");
    cr_assert_eq(rdb(2) << 8 | rdb(3), 2, "32 bytes: header and an empty variable list");
    cr_assert_eq(rdb(16), 0, "no variables");
}

Test(m48t08, system_partition_checksum_is_valid)
{
    cr_assert_eq(rdb(1), chrp_sum(0));
}

Test(m48t08, free_partition_runs_to_0x1fd0)
{
    char name[13];
    read_name(0x20, name);
    cr_assert_eq(rdb(0x20), 0x7f);
    cr_assert_str_eq(name, "free");
    cr_assert_eq((rdb(0x22) << 8 | rdb(0x23)) * 16, 0x1fd0 - 0x20);
    cr_assert_eq(rdb(0x21), chrp_sum(0x20));
}

Test(m48t08, idprom_has_format_machine_type_mac_and_serial)
{
    static const uint8_t want[15] = { 0x01, 0x80, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
                                      0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56 };
    for (unsigned i = 0; i < 15; i++)
        cr_assert_eq(rdb(0x1fd8 + i), want[i], "IDPROM byte %u", i);
}

Test(m48t08, idprom_checksum_is_xor_of_bytes_0_to_14)
{
    uint8_t x = 0;
    for (unsigned i = 0; i < 15; i++)
        x ^= rdb(0x1fd8 + i);
    cr_assert_eq(rdb(0x1fd8 + 15), x);
    cr_assert_neq(x, 0);
}

Test(m48t08, nvram_byte_round_trip)
{
    wrb(0x100, 0xa5);
    wrb(0x1ff7, 0x3c);
    cr_assert_eq(rdb(0x100), 0xa5);
    cr_assert_eq(rdb(0x1ff7), 0x3c);
}

Test(m48t08, word_access_is_big_endian_bytes)
{
    fake_write(fh, "nvram", 0x200, 0x11223344, 4);
    cr_assert_eq(rdb(0x200), 0x11);
    cr_assert_eq(rdb(0x203), 0x44);
    cr_assert_eq(fake_read(fh, "nvram", 0x202, 2), 0x3344);
}

Test(m48t08, reset_keeps_the_nvram)
{
    wrb(0x100, 0x5a);
    fake_host_reset(fh);
    cr_assert_eq(rdb(0x100), 0x5a);
}

Test(m48t08, clock_reads_rtc_base_plus_virtual_time_in_bcd)
{
    fake_clock_set(fh, 10 * NS_PER_S);
    cr_assert_eq(rdb(SECONDS), 0x15);
    cr_assert_eq(rdb(MINUTES), 0x04);
    cr_assert_eq(rdb(HOURS), 0x03);
    cr_assert_eq(rdb(DAY), 0, "Sunday");
    cr_assert_eq(rdb(DATE), 0x22);
    cr_assert_eq(rdb(MONTH), 0x11);
    cr_assert_eq(rdb(YEAR), 0x58, "2026 is 58 years after 1968");
}

Test(m48t08, clock_carries_into_minutes)
{
    fake_clock_set(fh, 60 * NS_PER_S);
    cr_assert_eq(rdb(SECONDS), 0x05);
    cr_assert_eq(rdb(MINUTES), 0x05);
}

Test(m48t08, read_bit_freezes_the_registers)
{
    wrb(CONTROL, 0x40);
    fake_clock_set(fh, 3 * NS_PER_S);
    cr_assert_eq(rdb(SECONDS), 0x05);
    wrb(CONTROL, 0x00);
    cr_assert_eq(rdb(SECONDS), 0x08);
}

Test(m48t08, write_bit_sets_the_clock_when_cleared)
{
    /* Linux's m48t59 driver: W, all fields, clear W. 1999-12-31 23:59:58 (Friday). */
    wrb(CONTROL, 0x80);
    wrb(SECONDS, 0x58);
    wrb(MINUTES, 0x59);
    wrb(HOURS, 0x23);
    wrb(DAY, 5);
    wrb(DATE, 0x31);
    wrb(MONTH, 0x12);
    wrb(YEAR, 0x31);
    wrb(CONTROL, 0x00);
    fake_clock_advance(fh, 3 * NS_PER_S);
    cr_assert_eq(rdb(SECONDS), 0x01);
    cr_assert_eq(rdb(MINUTES), 0x00);
    cr_assert_eq(rdb(HOURS), 0x00);
    cr_assert_eq(rdb(DATE), 0x01);
    cr_assert_eq(rdb(MONTH), 0x01);
    cr_assert_eq(rdb(YEAR), 0x32);
    cr_assert_eq(rdb(DAY), 6, "Saturday");
}

Test(m48t08, writes_under_write_bit_wait_for_it_to_clear)
{
    wrb(CONTROL, 0x80);
    wrb(HOURS, 0x17);
    cr_assert_eq(rdb(HOURS), 0x17, "the latch reads back what was written");
    fake_clock_advance(fh, 2 * NS_PER_S);
    wrb(CONTROL, 0x00);
    cr_assert_eq(rdb(HOURS), 0x17);
    cr_assert_eq(rdb(SECONDS), 0x05, "the clock restarts from the latched seconds");
}

Test(m48t08, write_without_write_bit_changes_one_field)
{
    wrb(MINUTES, 0x42);
    cr_assert_eq(rdb(MINUTES), 0x42);
    cr_assert_eq(rdb(HOURS), 0x03);
    cr_assert_eq(rdb(SECONDS), 0x05);
}

Test(m48t08, stop_bit_stops_the_clock)
{
    wrb(SECONDS, 0x80 | 0x30);
    fake_clock_advance(fh, 5 * NS_PER_S);
    cr_assert_eq(rdb(SECONDS), 0x80 | 0x30);
    wrb(SECONDS, 0x30);
    fake_clock_advance(fh, 2 * NS_PER_S);
    cr_assert_eq(rdb(SECONDS), 0x32);
}

Test(m48t08, out_of_range_field_is_ignored)
{
    wrb(HOURS, 0x25);
    cr_assert_eq(rdb(HOURS), 0x03);
}

Test(m48t08, control_register_reads_back)
{
    wrb(CONTROL, 0x45);
    cr_assert_eq(rdb(CONTROL), 0x45);
}

Test(m48t08, reset_drops_the_latch)
{
    wrb(CONTROL, 0x40);
    fake_clock_set(fh, 4 * NS_PER_S);
    fake_host_reset(fh);
    cr_assert_eq(rdb(CONTROL), 0);
    cr_assert_eq(rdb(SECONDS), 0x09);
}

Test(m48t08, alarm_line_stays_low)
{
    fake_clock_set(fh, 100 * NS_PER_S);
    cr_assert_eq(fake_irq_raises(fh, "alarm", 0), 0);
}

Test(m48t08, state_restores_nvram_and_clock_offset)
{
    wrb(0x300, 0x77);
    wrb(HOURS, 0x12);
    size_t n = fake_state_save(fh, NULL, 0);
    uint8_t *buf = malloc(n);
    cr_assert_eq(fake_state_save(fh, buf, n), n);
    wrb(0x300, 0x00);
    wrb(HOURS, 0x01);
    cr_assert_eq(fake_state_load(fh, buf, n), 0);
    free(buf);
    cr_assert_eq(rdb(0x300), 0x77);
    cr_assert_eq(rdb(HOURS), 0x12);
}

static uint8_t bcd(int v)
{
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

static int regs_match_time(FakeHost *f, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    return fake_read(f, "nvram", SECONDS, 1) == bcd(tm.tm_sec) &&
           fake_read(f, "nvram", MINUTES, 1) == bcd(tm.tm_min) &&
           fake_read(f, "nvram", HOURS, 1) == bcd(tm.tm_hour) &&
           fake_read(f, "nvram", DATE, 1) == bcd(tm.tm_mday) &&
           fake_read(f, "nvram", MONTH, 1) == bcd(tm.tm_mon + 1) &&
           fake_read(f, "nvram", YEAR, 1) == bcd((tm.tm_year + 1900 - 1968) % 100);
}

Test(m48t08, without_rtc_base_the_clock_is_host_utc)
{
    FakeHost *f = fake_host_new(PLUGIN_PATH);
    fake_host_start(f);
    /* Latch, so that all fields come from one instant between before and after. */
    time_t before = time(NULL);
    fake_write(f, "nvram", CONTROL, 0x40, 1);
    time_t after = time(NULL);
    int ok = 0;
    for (time_t t = before; t <= after && !ok; t++)
        ok = regs_match_time(f, t);
    cr_assert(ok, "clock registers are not host UTC between %lld and %lld", (long long)before,
              (long long)after);
    fake_host_free(f);
}

/* ---- options ---- */

Test(m48t08, bad_rtc_base_is_refused_naming_it)
{
    FakeHost *f = fake_host_new(PLUGIN_PATH);
    fake_host_set_machine_opt(f, "rtc-base", "yesterday");
    char err[256] = "";
    cr_assert_neq(fake_host_try_init(f, err, sizeof(err)), 0);
    cr_assert(strstr(err, "yesterday"), "%s", err);
    fake_host_free(f);
}

static char tmpdir[64];
static char nvpath[80];

static void file_setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/tessera-m48t08-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(nvpath, sizeof(nvpath), "%s/nv", tmpdir);
}

static void file_teardown(void)
{
    unlink(nvpath);
    rmdir(tmpdir);
}

TestSuite(m48t08_file, .init = file_setup, .fini = file_teardown);

static FakeHost *with_file(void)
{
    FakeHost *f = fake_host_new(PLUGIN_PATH);
    fake_host_set_machine_opt(f, "nvram", nvpath);
    fake_host_start(f);
    return f;
}

Test(m48t08_file, missing_file_is_created_with_the_image)
{
    FakeHost *f = with_file();
    struct stat st;
    cr_assert_eq(stat(nvpath, &st), 0);
    cr_assert_eq(st.st_size, 8192);
    FILE *fp = fopen(nvpath, "rb");
    uint8_t img[8192];
    cr_assert_eq(fread(img, 1, sizeof(img), fp), sizeof(img));
    fclose(fp);
    cr_assert_eq(img[0], 0x70);
    cr_assert_eq(img[0x1fd8], 0x01);
    cr_assert_eq(img[0x1fd9], 0x80);
    fake_host_free(f);
}

Test(m48t08_file, writes_persist_to_the_next_instance)
{
    FakeHost *a = with_file();
    fake_write(a, "nvram", 0x40, 0xc3, 1);
    fake_write(a, "nvram", 0x1fd8 + 2, 0x02, 1);
    fake_host_free(a);

    FakeHost *b = with_file();
    cr_assert_eq(fake_read(b, "nvram", 0x40, 1), 0xc3);
    cr_assert_eq(fake_read(b, "nvram", 0x1fd8 + 2, 1), 0x02);
    fake_host_free(b);
}

Test(m48t08_file, file_of_wrong_size_is_refused_naming_it)
{
    FILE *fp = fopen(nvpath, "wb");
    fputs("short", fp);
    fclose(fp);
    FakeHost *f = fake_host_new(PLUGIN_PATH);
    fake_host_set_machine_opt(f, "nvram", nvpath);
    char err[256] = "";
    cr_assert_neq(fake_host_try_init(f, err, sizeof(err)), 0);
    cr_assert(strstr(err, nvpath), "%s", err);
    fake_host_free(f);
}

Test(m48t08_file, restored_state_is_written_to_the_file)
{
    FakeHost *a = with_file();
    fake_write(a, "nvram", 0x80, 0x99, 1);
    size_t n = fake_state_save(a, NULL, 0);
    uint8_t *buf = malloc(n);
    fake_state_save(a, buf, n);
    fake_write(a, "nvram", 0x80, 0x00, 1);
    cr_assert_eq(fake_state_load(a, buf, n), 0);
    free(buf);
    fake_host_free(a);

    FakeHost *b = with_file();
    cr_assert_eq(fake_read(b, "nvram", 0x80, 1), 0x99);
    fake_host_free(b);
}
