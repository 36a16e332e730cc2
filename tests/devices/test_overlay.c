/* SPDX-License-Identifier: MIT */
/* The copy-on-write block overlay (plugins/devices/esp/overlay.c) over a real file. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "overlay.h"

#define BS 512u
#define BLOCKS 16u

static char path[64];
static int fd = -1;
static BlockOverlay *ov;

/* An image whose block n is filled with byte n, opened read-write (commit needs it). */
static void setup(void)
{
    strcpy(path, "/tmp/overlay-XXXXXX");
    fd = mkstemp(path);
    cr_assert(fd >= 0);
    uint8_t block[BS];
    for (unsigned n = 0; n < BLOCKS; n++) {
        memset(block, (int)n, BS);
        cr_assert_eq(write(fd, block, BS), (ssize_t)BS);
    }
    ov = overlay_new(BS, BLOCKS);
    cr_assert(ov);
}

static void teardown(void)
{
    overlay_free(ov);
    close(fd);
    unlink(path);
}

TestSuite(overlay, .init = setup, .fini = teardown);

static uint8_t file_byte(uint64_t off)
{
    uint8_t b;
    cr_assert_eq(pread(fd, &b, 1, (off_t)off), 1);
    return b;
}

Test(overlay, reads_pass_through_to_the_image)
{
    uint8_t buf[BS * 2];
    cr_assert_eq(overlay_read(ov, fd, buf, sizeof(buf), 3 * BS), 0);
    cr_assert_eq(buf[0], 3);
    cr_assert_eq(buf[BS], 4);
}

Test(overlay, a_write_is_read_back_and_does_not_reach_the_image)
{
    uint8_t buf[BS];
    memset(buf, 0xee, BS);
    cr_assert_eq(overlay_write(ov, fd, buf, BS, 5 * BS), 0);
    memset(buf, 0, BS);
    cr_assert_eq(overlay_read(ov, fd, buf, BS, 5 * BS), 0);
    cr_assert_eq(buf[0], 0xee);
    cr_assert_eq(buf[BS - 1], 0xee);
    cr_assert_eq(file_byte(5 * BS), 5);
    cr_assert_eq(overlay_count(ov), 1);
}

Test(overlay, a_partial_block_write_keeps_the_rest_of_the_block)
{
    uint8_t buf[10];
    memset(buf, 0x77, sizeof(buf));
    cr_assert_eq(overlay_write(ov, fd, buf, sizeof(buf), 2 * BS + 100), 0);
    uint8_t got[BS];
    cr_assert_eq(overlay_read(ov, fd, got, BS, 2 * BS), 0);
    cr_assert_eq(got[99], 2);
    cr_assert_eq(got[100], 0x77);
    cr_assert_eq(got[109], 0x77);
    cr_assert_eq(got[110], 2);
}

Test(overlay, a_range_past_the_end_is_refused)
{
    uint8_t buf[BS] = { 0 };
    cr_assert_eq(overlay_write(ov, fd, buf, BS, BLOCKS * BS), -1);
    cr_assert_eq(overlay_read(ov, fd, buf, 2, BLOCKS * BS - 1), -1);
}

Test(overlay, many_blocks_survive_the_table_growing)
{
    BlockOverlay *big = overlay_new(1, 100000);
    for (uint32_t i = 0; i < 100000; i += 3) {
        uint8_t v = (uint8_t)(i * 7);
        cr_assert_eq(overlay_write(big, -1, &v, 1, i), 0);
    }
    for (uint32_t i = 0; i < 100000; i += 3) {
        uint8_t v;
        cr_assert_eq(overlay_read(big, -1, &v, 1, i), 0);
        cr_assert_eq(v, (uint8_t)(i * 7));
    }
    cr_assert_eq(overlay_count(big), 33334);
    overlay_free(big);
}

Test(overlay, commit_writes_the_blocks_into_the_image_and_empties_it)
{
    uint8_t buf[BS];
    memset(buf, 0xab, BS);
    cr_assert_eq(overlay_write(ov, fd, buf, BS, 7 * BS), 0);
    char err[200];
    cr_assert_eq(overlay_commit(ov, fd, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(file_byte(7 * BS), 0xab);
    cr_assert_eq(file_byte(8 * BS), 8);
    cr_assert_eq(overlay_count(ov), 0);
}

Test(overlay, commit_to_a_read_only_descriptor_fails_and_keeps_the_overlay)
{
    uint8_t buf[BS];
    memset(buf, 0xab, BS);
    cr_assert_eq(overlay_write(ov, fd, buf, BS, 7 * BS), 0);
    int ro = open(path, O_RDONLY);
    char err[200] = "";
    cr_assert_eq(overlay_commit(ov, ro, err, sizeof(err)), -1);
    cr_assert(strstr(err, "block 7"), "%s", err);
    cr_assert_eq(overlay_count(ov), 1);
    close(ro);
}

static uint8_t *serialize(const BlockOverlay *o, size_t *len)
{
    *len = overlay_serialized_size(o);
    uint8_t *b = malloc(*len);
    cr_assert_eq(overlay_serialize(o, b), 0);
    return b;
}

Test(overlay, serialize_then_deserialize_gives_the_same_disk)
{
    uint8_t buf[BS];
    for (unsigned b = 12; b >= 2 && b <= 12; b -= 5) {
        memset(buf, 0xc0 + b, BS);
        cr_assert_eq(overlay_write(ov, fd, buf, BS, b * BS), 0);
    }
    size_t len;
    uint8_t *data = serialize(ov, &len);
    cr_assert_eq(len, 20 + 3 * (8 + BS));
    char err[200];
    BlockOverlay *back = overlay_deserialize(data, len, BS, BLOCKS, err, sizeof(err));
    cr_assert(back, "%s", err);
    for (unsigned b = 0; b < BLOCKS; b++) {
        uint8_t x[BS], y[BS];
        cr_assert_eq(overlay_read(ov, fd, x, BS, b * BS), 0);
        cr_assert_eq(overlay_read(back, fd, y, BS, b * BS), 0);
        cr_assert_eq(memcmp(x, y, BS), 0, "block %u", b);
    }
    overlay_free(back);
    free(data);
}

static void refused(uint8_t *data, size_t len, const char *what)
{
    char err[200] = "";
    BlockOverlay *o = overlay_deserialize(data, len, BS, BLOCKS, err, sizeof(err));
    cr_assert_null(o);
    cr_assert(strstr(err, what), "'%s' lacks '%s'", err, what);
    cr_assert_null(strchr(err, '\n'));
}

Test(overlay, corrupt_serialisations_are_refused_with_one_line)
{
    uint8_t buf[BS];
    memset(buf, 1, BS);
    overlay_write(ov, fd, buf, BS, 1 * BS);
    overlay_write(ov, fd, buf, BS, 3 * BS);
    size_t len;
    uint8_t *data = serialize(ov, &len);
    refused(data, 10, "header");
    refused(data, len - 1, "do not fill");
    data[12] = 200; /* n */
    refused(data, len, "do not fill");
    data[12] = 2;
    data[20 + 8 + BS] = 0; /* second block index 3 -> 0: out of order */
    refused(data, len, "out of order");
    data[20 + 8 + BS] = BLOCKS; /* past the image */
    refused(data, len, "past the image");
    data[4] = BLOCKS + 1; /* image size */
    refused(data, len, "the image here has");
    free(data);
}
