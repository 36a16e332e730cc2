/* SPDX-License-Identifier: MIT */
/* Damaged and mismatched snapshots: always a clear error, never a crash or a hang. */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "crc32c.h"
#include "fake_machine.h"
#include "format.h"
#include "snapshot.h"
#include "wire.h"

static char err[1024];

Test(crc32c, matches_the_castagnoli_check_value_on_both_paths)
{
    cr_assert_eq(crc32c(0, "123456789", 9), 0xE3069283u);
    cr_assert_eq(crc32c_portable(0, "123456789", 9), 0xE3069283u);
}

Test(crc32c, hardware_and_table_paths_agree_at_every_length_and_split)
{
    uint8_t buf[300];
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof(buf); len++) {
        uint32_t whole = crc32c(0, buf, len);
        cr_assert_eq(crc32c_portable(0, buf, len), whole, "length %zu", len);
        cr_assert_eq(crc32c(crc32c(0, buf, len / 3), buf + len / 3, len - len / 3), whole);
    }
}

/* A small, valid snapshot in memory. */
static uint8_t *small_snapshot(size_t *len)
{
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 3 * 4096);
    fake_machine_fill(fm, 1);
    fm->ram[4096 + 5] = 0x77;
    const char *path = fake_path(fm, "small.tsnap");
    cr_assert_eq(tsnap_save(&fm->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    uint8_t *data = fake_read_file(path, len);
    fake_machine_free(fm);
    return data;
}

static bool opens(const uint8_t *data, size_t len)
{
    /* An exact-size copy, so that any over-read is out of bounds. */
    uint8_t *copy = g_memdup2(data, len ? len : 1);
    err[0] = '\0';
    TsnapFile *f = tsnap_open_buffer(copy, len, "damaged.tsnap", err, sizeof(err));
    bool ok = f != NULL;
    if (f) {
        for (unsigned i = 0; i < f->memory->len; i++)
            ok &= tsnap_memory_decode(f->memory->pdata[i], NULL, err, sizeof(err)) == 0;
        tsnap_close(f);
    }
    g_free(copy);
    return ok;
}

Test(corrupt, the_intact_snapshot_opens)
{
    size_t len;
    g_autofree uint8_t *data = small_snapshot(&len);
    cr_assert(opens(data, len), "%s", err);
}

Test(corrupt, truncation_at_every_offset_is_an_error)
{
    size_t len;
    g_autofree uint8_t *data = small_snapshot(&len);
    for (size_t cut = 0; cut < len; cut++) {
        cr_assert_not(opens(data, cut), "truncated to %zu bytes but opened", cut);
        cr_assert(strncmp(err, "damaged.tsnap: ", 15) == 0, "at %zu: %s", cut, err);
    }
}

Test(corrupt, every_single_bit_flip_is_an_error)
{
    size_t len;
    g_autofree uint8_t *data = small_snapshot(&len);
    for (size_t i = 0; i < len; i++)
        for (unsigned bit = 0; bit < 8; bit++) {
            data[i] ^= (uint8_t)(1u << bit);
            cr_assert_not(opens(data, len), "bit %u of byte %zu flipped but opened", bit, i);
            data[i] ^= (uint8_t)(1u << bit);
        }
}

Test(corrupt, wrong_magic_says_so)
{
    size_t len;
    g_autofree uint8_t *data = small_snapshot(&len);
    memcpy(data, "QEVM\0\0\0\3", 8);
    cr_assert_not(opens(data, len));
    cr_assert_str_eq(err, "damaged.tsnap: not a Tessera snapshot (bad magic)");
}

Test(corrupt, empty_file_is_an_error)
{
    cr_assert_not(opens((const uint8_t *)"", 0));
    cr_assert_str_eq(err, "damaged.tsnap: not a Tessera snapshot (bad magic)");
}

Test(corrupt, oversized_section_length_is_an_error)
{
    size_t len;
    g_autofree uint8_t *data = small_snapshot(&len);
    uint8_t *h = data + TSNAP_HEADER_SIZE; /* the manifest section header */
    wire_store_u64(h + 8, UINT64_C(1) << 62);
    wire_store_u32(h + 20, crc32c(0, h, 20)); /* a consistent header: only the length lies */
    cr_assert_not(opens(data, len));
    cr_assert(strstr(err, "exceeds the file"), "%s", err);
}

Test(corrupt, newer_format_version_is_refused)
{
    size_t len;
    g_autofree uint8_t *data = small_snapshot(&len);
    wire_store_u32(data + 8, 2);
    wire_store_u32(data + 28, crc32c(0, data, 28));
    cr_assert_not(opens(data, len));
    cr_assert(strstr(err, "format version 2"), "%s", err);
}

Test(corrupt, damaged_file_load_leaves_the_machine_untouched)
{
    size_t len;
    g_autofree uint8_t *data = small_snapshot(&len);
    data[len / 2] ^= 0x10;
    FakeMachine *fm = fake_machine_new(&fake_schema_v2, 3 * 4096);
    fake_machine_fill(fm, 9);
    const char *path = fake_path(fm, "bad.tsnap");
    fake_write_file(path, data, len);
    FakeTimer before[2];
    memcpy(before, fm->timer, sizeof(before));
    cr_assert_eq(tsnap_load(&fm->view, path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "checksum mismatch"), "%s", err);
    cr_assert_arr_eq(fm->timer, before, sizeof(before));
    fake_machine_free(fm);
}

/* A fake-timer v2 whose `limit` is 16 bits wide. */
typedef struct NarrowTimer {
    uint16_t limit;
} NarrowTimer;
static const TesseraField narrow_fields[] = {TESSERA_U16(NarrowTimer, limit)};
static const TesseraStateLayout narrow_layout = {
    .struct_name = "NarrowTimer", .size = sizeof(NarrowTimer), .fields = narrow_fields,
    .n_fields = 1,
};
static const TesseraStateSchema narrow_schema = {
    .size = sizeof(TesseraStateSchema), .name = "fake-timer", .version = 2, .load_min = 1,
    .save_min = 1, .layout = &narrow_layout,
};

Test(corrupt, field_type_mismatch_is_refused_naming_device_and_field)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, 4096);
    FakeMachine *b = fake_machine_new(&narrow_schema, 4096);
    NarrowTimer narrow[2] = {{0}};
    b->inst[0].state = &narrow[0];
    b->inst[1].state = &narrow[1];
    const char *path = fake_path(a, "a.tsnap");
    cr_assert_eq(tsnap_save(&a->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "device 'timer0' (fake-timer): field 'limit' is u32[1] in the v2 state, "
                          "the plugin expects u16[1]"), "%s", err);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(corrupt, schema_name_mismatch_is_refused)
{
    TesseraStateSchema other = fake_schema_v2;
    other.name = "other-timer";
    FakeMachine *a = fake_machine_new(&fake_schema_v2, 4096);
    FakeMachine *b = fake_machine_new(&other, 4096);
    const char *path = fake_path(a, "a.tsnap");
    cr_assert_eq(tsnap_save(&a->view, path, NULL, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(tsnap_load(&b->view, path, err, sizeof(err)), -1);
    cr_assert(strstr(err, "snapshot has schema fake-timer, plugin fake-timer 1.0.0 has other-timer"),
              "%s", err);
    fake_machine_free(a);
    fake_machine_free(b);
}

/* The fuzzer ignores checksums; make an input's checksums right so that replaying it
 * reaches the same code. */
static void fix_checksums(uint8_t *d, size_t len)
{
    if (len < TSNAP_HEADER_SIZE + TSNAP_FOOTER_SIZE)
        return;
    wire_store_u32(d + 28, crc32c(0, d, 28));
    size_t end = len - TSNAP_FOOTER_SIZE;
    wire_store_u32(d + end + 28, crc32c(0, d + end, 28));
    for (size_t pos = TSNAP_HEADER_SIZE; end - pos >= TSNAP_SECTION_HEADER_SIZE;) {
        uint8_t *h = d + pos;
        uint64_t plen = wire_load_u64(h + 8);
        wire_store_u32(h + 20, crc32c(0, h, 20));
        if (plen > end - pos - TSNAP_SECTION_HEADER_SIZE)
            break;
        wire_store_u32(h + 16, crc32c(0, h + TSNAP_SECTION_HEADER_SIZE, plen));
        wire_store_u32(h + 20, crc32c(0, h, 20));
        pos += TSNAP_SECTION_HEADER_SIZE + plen;
    }
}

Test(corrupt, fixed_checksums_make_a_damaged_file_reach_the_parsers)
{
    size_t len;
    g_autofree uint8_t *data = small_snapshot(&len);
    /* The manifest's device count, behind its checksum. */
    size_t count = TSNAP_HEADER_SIZE + TSNAP_SECTION_HEADER_SIZE + 4 + 4 + 4 + 12 + 8;
    wire_store_u32(data + count, 7);
    cr_assert_not(opens(data, len));
    cr_assert(strstr(err, "checksum mismatch"), "%s", err);
    fix_checksums(data, len);
    cr_assert_not(opens(data, len));
    cr_assert(strstr(err, "manifest lists 7 devices"), "%s", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* tests/fuzz/fuzz_tsnap_load.c */

/* Inputs the fuzzer once crashed or hung on: each must now be handled, by everything
 * the fuzz target does with them (records applied to a layout, dump, diff), not only
 * by the reader. */
/* Every file of dir (but its README) through the reader and the fuzz target. */
static unsigned replay_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    cr_assert_not_null(d, "%s", dir);
    unsigned n = 0;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        if (strcmp(name, "README") == 0)
            continue;
        g_autofree char *p = g_build_filename(dir, name, NULL);
        size_t len = 0;
        g_autofree uint8_t *data = fake_read_file(p, &len);
        cr_assert_not_null(data, "%s", p);
        fix_checksums(data, len);
        opens(data, len);
        LLVMFuzzerTestOneInput(data, len);
        n++;
    }
    g_dir_close(d);
    return n;
}

/* The inputs the fuzzer found (none yet) and its seed corpus, which at least puts
 * a real snapshot through the whole fuzz target. */
Test(corrupt, fuzz_regressions_are_handled)
{
    unsigned n = replay_dir(TSNAP_REGRESSIONS);
    n += replay_dir(TSNAP_REGRESSIONS "/../corpus");
    cr_assert_gt(n, 0, "no fuzz inputs to replay");
}
