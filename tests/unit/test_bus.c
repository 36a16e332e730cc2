/* SPDX-License-Identifier: MIT */
/* The physical bus: decoding, width rules, byte order, DMA copies. */
#include <criterion/criterion.h>
#include <string.h>

#include "bus.h"

/* A register file that records the last access it saw. */
typedef struct Regs {
    uint64_t last_offset;
    unsigned last_size;
    uint64_t last_value;
    unsigned reads, writes;
    uint8_t bytes[16];
} Regs;

static uint64_t regs_read(void *opaque, uint64_t offset, unsigned size)
{
    Regs *r = opaque;
    r->reads++;
    r->last_offset = offset;
    r->last_size = size;
    return size == 1 ? r->bytes[offset] : 0xdead0000 + offset;
}

static void regs_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Regs *r = opaque;
    r->writes++;
    r->last_offset = offset;
    r->last_size = size;
    r->last_value = value;
    if (size == 1)
        r->bytes[offset] = (uint8_t)value;
}

static Bus *bus;
static uint8_t ram[0x1000];
static uint8_t rom[0x100];

static void setup(void)
{
    memset(ram, 0, sizeof(ram));
    for (unsigned i = 0; i < sizeof(rom); i++)
        rom[i] = (uint8_t)i;
    bus = bus_new();
    cr_assert(bus_add_memory(bus, "ram", 0x0, sizeof(ram), ram, false, NULL));
    cr_assert(bus_add_memory(bus, "rom", 0xff0000000, sizeof(rom), rom, true, NULL));
}

static void teardown(void)
{
    bus_free(bus);
}

TestSuite(bus, .init = setup, .fini = teardown);

Test(bus, lookup_finds_the_region_containing_the_address)
{
    Regs a = { 0 }, b = { 0 };
    cr_assert(bus_add_mmio(bus, "a", 0x71100000, 0x10, TESSERA_WIDTH_4, regs_read, regs_write, &a,
                           NULL));
    cr_assert(bus_add_mmio(bus, "b", 0x71100010, 0x10, TESSERA_WIDTH_4, regs_read, regs_write, &b,
                           NULL));

    cr_assert_str_eq(bus_lookup(bus, 0x71100000)->name, "a");
    cr_assert_str_eq(bus_lookup(bus, 0x7110000f)->name, "a");
    cr_assert_str_eq(bus_lookup(bus, 0x71100010)->name, "b");
    cr_assert_str_eq(bus_lookup(bus, 0xfff)->name, "ram");
    cr_assert_null(bus_lookup(bus, 0x1000));
    cr_assert_null(bus_lookup(bus, 0x71100020));
}

Test(bus, regions_are_listed_sorted_by_base_whatever_the_order_added)
{
    cr_assert(bus_add_zero(bus, "hole", 0x10000000, 0x1000, NULL));
    cr_assert(bus_add_zero(bus, "low", 0x2000, 0x1000, NULL));
    unsigned n;
    const Region *r = bus_regions(bus, &n);
    cr_assert_eq(n, 4);
    for (unsigned i = 1; i < n; i++)
        cr_assert_lt(r[i - 1].base, r[i].base);
}

Test(bus, mmio_access_reaches_the_device_with_the_offset_in_its_window)
{
    Regs a = { 0 }, b = { 0 };
    bus_add_mmio(bus, "a", 0x71100000, 0x10, TESSERA_WIDTH_4, regs_read, regs_write, &a, NULL);
    bus_add_mmio(bus, "b", 0x71100010, 0x10, TESSERA_WIDTH_4, regs_read, regs_write, &b, NULL);

    uint64_t v;
    cr_assert_eq(bus_read(bus, 0x71100014, 4, &v), TESSERA_BUS_OK);
    cr_assert_eq(v, 0xdead0004);
    cr_assert_eq(b.reads, 1);
    cr_assert_eq(a.reads, 0);

    cr_assert_eq(bus_write(bus, 0x71100008, 4, 0x12345678), TESSERA_BUS_OK);
    cr_assert_eq(a.writes, 1);
    cr_assert_eq(a.last_offset, 8);
    cr_assert_eq(a.last_value, 0x12345678);
    cr_assert_eq(a.last_size, 4);
}

Test(bus, mmio_rejects_widths_it_did_not_declare)
{
    Regs a = { 0 };
    bus_add_mmio(bus, "a", 0x71100000, 0x10, TESSERA_WIDTH_4, regs_read, regs_write, &a, NULL);
    uint64_t v;
    cr_assert_eq(bus_read(bus, 0x71100000, 1, &v), TESSERA_BUS_BAD_WIDTH);
    cr_assert_eq(bus_read(bus, 0x71100000, 2, &v), TESSERA_BUS_BAD_WIDTH);
    cr_assert_eq(bus_write(bus, 0x71100000, 8, 0), TESSERA_BUS_BAD_WIDTH);
    cr_assert_eq(a.reads + a.writes, 0, "the device must not see a rejected access");
}

Test(bus, memory_accepts_1_2_4_and_8_byte_accesses_only)
{
    uint64_t v;
    cr_assert_eq(bus_read(bus, 0x0, 1, &v), TESSERA_BUS_OK);
    cr_assert_eq(bus_read(bus, 0x0, 2, &v), TESSERA_BUS_OK);
    cr_assert_eq(bus_read(bus, 0x0, 4, &v), TESSERA_BUS_OK);
    cr_assert_eq(bus_read(bus, 0x0, 8, &v), TESSERA_BUS_OK);
    cr_assert_eq(bus_read(bus, 0x0, 3, &v), TESSERA_BUS_BAD_WIDTH);
    cr_assert_eq(bus_write(bus, 0x0, 16, 0), TESSERA_BUS_BAD_WIDTH);
}

Test(bus, access_to_nothing_is_unassigned)
{
    uint64_t v;
    cr_assert_eq(bus_read(bus, 0x80000000, 4, &v), TESSERA_BUS_UNASSIGNED);
    cr_assert_eq(bus_write(bus, 0x80000000, 4, 1), TESSERA_BUS_UNASSIGNED);
}

Test(bus, access_crossing_the_end_of_a_region_is_unassigned)
{
    uint64_t v;
    cr_assert_eq(bus_read(bus, sizeof(ram) - 4, 4, &v), TESSERA_BUS_OK);
    cr_assert_eq(bus_read(bus, sizeof(ram) - 2, 4, &v), TESSERA_BUS_UNASSIGNED);
    cr_assert_eq(bus_write(bus, sizeof(ram) - 1, 2, 0), TESSERA_BUS_UNASSIGNED);
}

Test(bus, ram_is_big_endian)
{
    ram[0x100] = 0x12;
    ram[0x101] = 0x34;
    ram[0x102] = 0x56;
    ram[0x103] = 0x78;
    uint64_t v;
    bus_read(bus, 0x100, 4, &v);
    cr_assert_eq(v, 0x12345678);
    bus_read(bus, 0x102, 2, &v);
    cr_assert_eq(v, 0x5678);
    bus_read(bus, 0x101, 1, &v);
    cr_assert_eq(v, 0x34);

    bus_write(bus, 0x200, 8, 0x0102030405060708);
    for (unsigned i = 0; i < 8; i++)
        cr_assert_eq(ram[0x200 + i], i + 1, "byte %u", i);
}

Test(bus, rom_reads_its_contents_and_ignores_writes)
{
    uint64_t v;
    cr_assert_eq(bus_write(bus, 0xff0000010, 4, 0xffffffff), TESSERA_BUS_OK);
    cr_assert_eq(bus_read(bus, 0xff0000010, 4, &v), TESSERA_BUS_OK);
    cr_assert_eq(v, 0x10111213);
}

Test(bus, zero_region_reads_zero_and_ignores_writes)
{
    cr_assert(bus_add_zero(bus, "empty-slot", 0x4000000, 0x4000000, NULL));
    uint64_t v = 1;
    cr_assert_eq(bus_write(bus, 0x4000100, 8, ~UINT64_C(0)), TESSERA_BUS_OK);
    cr_assert_eq(bus_read(bus, 0x4000100, 8, &v), TESSERA_BUS_OK);
    cr_assert_eq(v, 0);
}

Test(bus, overlapping_region_is_refused_naming_both)
{
    GError *err = NULL;
    cr_assert_not(bus_add_zero(bus, "late", 0x800, 0x1000, &err));
    cr_assert_not_null(err);
    cr_assert_str_eq(err->message, "region 'late' [0x800-0x17ff] overlaps 'ram' [0x0-0xfff]");
    g_error_free(err);
}

Test(bus, region_enclosing_another_is_refused)
{
    GError *err = NULL;
    cr_assert_not(bus_add_zero(bus, "big", 0xfe0000000, 0x20000000, &err));
    cr_assert(strstr(err->message, "'rom'"), "%s", err->message);
    g_error_free(err);
}

Test(bus, adjacent_regions_do_not_overlap)
{
    cr_assert(bus_add_zero(bus, "next", 0x1000, 0x1000, NULL));
    cr_assert(bus_add_zero(bus, "before-rom", 0xfefff0000, 0x10000, NULL));
}

Test(bus, region_beyond_36_bits_is_refused)
{
    GError *err = NULL;
    cr_assert(bus_add_zero(bus, "top", 0xffffff000, 0x1000, NULL));
    cr_assert_not(bus_add_zero(bus, "over", 0xfffffff00, 0x200, &err));
    cr_assert(strstr(err->message, "'over'") && strstr(err->message, "36-bit"), "%s",
              err->message);
    g_clear_error(&err);
    cr_assert_not(bus_add_zero(bus, "wrap", UINT64_MAX - 0xff, 0x200, &err));
    g_clear_error(&err);
}

Test(bus, zero_sized_region_is_refused)
{
    GError *err = NULL;
    cr_assert_not(bus_add_zero(bus, "nothing", 0x10000, 0, &err));
    cr_assert(strstr(err->message, "'nothing'"), "%s", err->message);
    g_error_free(err);
}

Test(bus, mem_ptr_points_into_ram_and_rom_but_not_mmio)
{
    Regs a = { 0 };
    bus_add_mmio(bus, "a", 0x71100000, 0x10, TESSERA_WIDTH_ANY, regs_read, regs_write, &a, NULL);
    uint64_t avail;
    cr_assert_eq(bus_mem_ptr(bus, 0x10, &avail), ram + 0x10);
    cr_assert_eq(avail, sizeof(ram) - 0x10);
    cr_assert_eq(bus_mem_ptr(bus, 0xff0000004, &avail), rom + 4);
    cr_assert_null(bus_mem_ptr(bus, 0x71100000, &avail));
    cr_assert_null(bus_mem_ptr(bus, 0x80000000, &avail));
}

Test(bus, dma_copies_across_adjacent_ram_regions)
{
    static uint8_t ram2[0x100];
    cr_assert(bus_add_memory(bus, "ram2", sizeof(ram), sizeof(ram2), ram2, false, NULL));
    uint8_t out[32], in[32];
    for (unsigned i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(0xa0 + i);

    cr_assert_eq(bus_copy_to(bus, sizeof(ram) - 16, out, sizeof(out)), TESSERA_BUS_OK);
    cr_assert_eq(memcmp(ram + sizeof(ram) - 16, out, 16), 0);
    cr_assert_eq(memcmp(ram2, out + 16, 16), 0);

    cr_assert_eq(bus_copy_from(bus, sizeof(ram) - 16, in, sizeof(in)), TESSERA_BUS_OK);
    cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
}

Test(bus, dma_into_unassigned_space_fails)
{
    uint8_t buf[32] = { 0 };
    cr_assert_eq(bus_copy_to(bus, sizeof(ram) - 16, buf, sizeof(buf)), TESSERA_BUS_UNASSIGNED);
    cr_assert_eq(bus_copy_from(bus, 0x80000000, buf, 1), TESSERA_BUS_UNASSIGNED);
}

Test(bus, dma_reaches_mmio_one_byte_at_a_time)
{
    Regs a = { 0 };
    bus_add_mmio(bus, "fifo", 0x71100000, 0x10, TESSERA_WIDTH_1, regs_read, regs_write, &a, NULL);
    const uint8_t data[4] = { 1, 2, 3, 4 };
    cr_assert_eq(bus_copy_to(bus, 0x71100004, data, 4), TESSERA_BUS_OK);
    cr_assert_eq(a.writes, 4);
    cr_assert_eq(a.last_size, 1);
    cr_assert_eq(memcmp(a.bytes + 4, data, 4), 0);

    uint8_t back[4];
    cr_assert_eq(bus_copy_from(bus, 0x71100004, back, 4), TESSERA_BUS_OK);
    cr_assert_eq(memcmp(back, data, 4), 0);
}

Test(bus, dma_to_rom_is_ignored)
{
    const uint8_t junk[4] = { 0xff, 0xff, 0xff, 0xff };
    cr_assert_eq(bus_copy_to(bus, 0xff0000000, junk, 4), TESSERA_BUS_OK);
    cr_assert_eq(rom[0], 0);
    cr_assert_eq(rom[3], 3);
}
