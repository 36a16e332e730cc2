/* SPDX-License-Identifier: MIT */
/* The page log: who marks pages dirty, what each client sees, clearing, and the
 * code marks that make bus and DMA writes reach the CPU's invalidate(). */
#include <criterion/criterion.h>
#include <string.h>

#include "bus.h"

#define RAM_BASE 0x10000u
#define RAM_PAGES 16u

static Bus *bus;
static uint8_t ram[RAM_PAGES * TESSERA_PAGE_SIZE];
static uint8_t rom[TESSERA_PAGE_SIZE];

static void setup(void)
{
    memset(ram, 0, sizeof(ram));
    bus = bus_new();
    cr_assert(bus_add_memory(bus, "ram", RAM_BASE, sizeof(ram), ram, false, NULL));
    cr_assert(bus_add_memory(bus, "rom", 0x100000, sizeof(rom), rom, true, NULL));
}

static void teardown(void)
{
    bus_free(bus);
}

TestSuite(dirty, .init = setup, .fini = teardown);

/* The pages of RAM the client sees dirty, as a 16-bit mask (bit i = page i). */
static unsigned fetch(int client)
{
    uint8_t bitmap[RAM_PAGES / 8] = { 0 };
    int64_t n = bus_dirty_fetch(bus, client, RAM_BASE, sizeof(ram), bitmap);
    cr_assert_geq(n, 0);
    unsigned mask = bitmap[0] | (unsigned)bitmap[1] << 8;
    cr_expect_eq((unsigned)__builtin_popcount(mask), (unsigned)n, "count and bitmap disagree");
    return mask;
}

Test(dirty, a_bus_store_marks_its_page)
{
    int c = bus_dirty_start(bus);
    cr_assert_geq(c, 0);
    cr_assert_eq(bus_write(bus, RAM_BASE + 3 * TESSERA_PAGE_SIZE + 8, 4, 1), TESSERA_BUS_OK);
    cr_expect_eq(fetch(c), 1u << 3);
}

Test(dirty, a_dma_write_marks_every_page_it_covers)
{
    int c = bus_dirty_start(bus);
    uint8_t buf[TESSERA_PAGE_SIZE + 2] = { 0 };
    /* From the last byte of page 4 into the first byte of page 6. */
    uint64_t pa = RAM_BASE + 5 * TESSERA_PAGE_SIZE - 1;
    cr_assert_eq(bus_copy_to(bus, pa, buf, sizeof(buf)), TESSERA_BUS_OK);
    cr_expect_eq(fetch(c), 7u << 4);
}

Test(dirty, a_host_pointer_writer_marks_through_the_region_log)
{
    int c = bus_dirty_start(bus);
    TesseraMemRegion r = { .size_of = sizeof(r) };
    bus_mem_region(bus, RAM_BASE + 9 * TESSERA_PAGE_SIZE + 100, &r);
    cr_assert_eq(r.kind, TESSERA_MEM_RAM);
    cr_assert_eq(r.base, RAM_BASE);
    cr_assert_eq(r.size, sizeof(ram));
    cr_assert_eq(r.host, ram);
    cr_assert_not_null(r.dirty);
    /* What the CPU's store fast path does. */
    r.host[9 * TESSERA_PAGE_SIZE + 100] = 0x5a;
    r.dirty[9] = TESSERA_DIRTY_ALL;
    cr_expect_eq(fetch(c), 1u << 9);
}

Test(dirty, a_restore_marks_the_range)
{
    int c = bus_dirty_start(bus);
    bus_dirty_mark(bus, 0, UINT64_MAX);
    cr_expect_eq(fetch(c), 0xffffu);
}

Test(dirty, fetching_clears_the_clients_marks)
{
    int c = bus_dirty_start(bus);
    bus_write(bus, RAM_BASE, 1, 1);
    cr_expect_eq(fetch(c), 1u);
    cr_expect_eq(fetch(c), 0u);
    bus_write(bus, RAM_BASE, 1, 2);
    cr_expect_eq(fetch(c), 1u);
}

Test(dirty, two_clients_have_independent_views)
{
    int a = bus_dirty_start(bus);
    bus_write(bus, RAM_BASE + 1 * TESSERA_PAGE_SIZE, 1, 1);
    int b = bus_dirty_start(bus);
    cr_assert_neq(a, b);
    bus_write(bus, RAM_BASE + 2 * TESSERA_PAGE_SIZE, 1, 1);
    cr_expect_eq(fetch(a), 6u, "a sees both stores");
    cr_expect_eq(fetch(b), 4u, "b sees only the store after it started");
    bus_write(bus, RAM_BASE + 3 * TESSERA_PAGE_SIZE, 1, 1);
    cr_expect_eq(fetch(b), 8u, "a's fetch did not clear b's marks");
    cr_expect_eq(fetch(a), 8u);
}

Test(dirty, writes_before_a_client_starts_are_not_seen)
{
    bus_write(bus, RAM_BASE, 4, 1);
    uint8_t buf[8] = { 0 };
    bus_copy_to(bus, RAM_BASE + TESSERA_PAGE_SIZE, buf, sizeof(buf));
    int c = bus_dirty_start(bus);
    cr_expect_eq(fetch(c), 0u);
}

Test(dirty, rom_and_reads_mark_nothing)
{
    int c = bus_dirty_start(bus);
    uint64_t v;
    uint8_t buf[16];
    bus_write(bus, 0x100000, 4, 1);
    bus_read(bus, RAM_BASE, 4, &v);
    bus_copy_from(bus, RAM_BASE + TESSERA_PAGE_SIZE, buf, sizeof(buf));
    cr_expect_eq(fetch(c), 0u);
    TesseraMemRegion r = { .size_of = sizeof(r) };
    bus_mem_region(bus, 0x100000, &r);
    cr_expect_eq(r.kind, TESSERA_MEM_ROM);
    cr_expect_null(r.dirty);
}

Test(dirty, a_stopped_client_cannot_fetch_and_its_number_is_reused)
{
    int c = bus_dirty_start(bus);
    bus_dirty_stop(bus, c);
    uint8_t bitmap[2];
    cr_expect_eq(bus_dirty_fetch(bus, c, RAM_BASE, sizeof(ram), bitmap), -1);
    cr_expect_eq(bus_dirty_fetch(bus, 99, RAM_BASE, sizeof(ram), bitmap), -1);
    cr_expect_eq(bus_dirty_start(bus), c);
}

Test(dirty, there_are_at_most_eight_clients)
{
    for (int i = 0; i < TESSERA_DIRTY_CLIENTS; i++)
        cr_assert_eq(bus_dirty_start(bus), i);
    cr_expect_eq(bus_dirty_start(bus), -1);
}

Test(dirty, a_fetch_of_part_of_ram_reports_pages_from_its_start)
{
    int c = bus_dirty_start(bus);
    bus_write(bus, RAM_BASE + 5 * TESSERA_PAGE_SIZE, 1, 1);
    bus_write(bus, RAM_BASE + 9 * TESSERA_PAGE_SIZE, 1, 1);
    uint8_t bitmap[1] = { 0 };
    /* Pages 4..7 only; bit 0 is page 4. Page 9 stays marked. */
    cr_expect_eq(bus_dirty_fetch(bus, c, RAM_BASE + 4 * TESSERA_PAGE_SIZE, 4 * TESSERA_PAGE_SIZE,
                                 bitmap), 1);
    cr_expect_eq(bitmap[0], 2u);
    cr_expect_eq(fetch(c), 1u << 9);
}

Test(dirty, mem_region_gives_kinds_bounds_and_holes)
{
    TesseraMemRegion r = { .size_of = sizeof(r) };
    bus_add_zero(bus, "hole", 0x200000, 0x1000, NULL);
    bus_mem_region(bus, 0x200010, &r);
    cr_expect_eq(r.kind, TESSERA_MEM_ZERO);
    cr_expect_null(r.host);
    bus_mem_region(bus, 0x30000, &r);
    cr_expect_eq(r.kind, TESSERA_MEM_UNASSIGNED);
    cr_expect_eq(r.base, RAM_BASE + sizeof(ram), "the hole starts where RAM ends");
    cr_expect_eq(r.size, 0x100000 - (RAM_BASE + sizeof(ram)), "and ends where ROM begins");
    bus_mem_region(bus, 0x100004, &r);
    cr_expect_eq(r.kind, TESSERA_MEM_ROM);
    cr_expect_eq(r.host, rom);
}

/* ---- code marks ---- */

static uint64_t hook_pa, hook_len;
static unsigned hook_calls;

static void code_hook(void *opaque, uint64_t pa, uint64_t len)
{
    (void)opaque;
    hook_calls++;
    hook_pa = pa;
    hook_len = len;
}

static void mark_code_page(unsigned page)
{
    TesseraMemRegion r = { .size_of = sizeof(r) };
    bus_mem_region(bus, RAM_BASE, &r);
    cr_assert_not_null(r.code);
    r.code[page] = 1;
}

Test(dirty, a_dma_write_to_a_code_page_calls_the_code_hook)
{
    hook_calls = 0;
    bus_set_code_hook(bus, code_hook, NULL);
    mark_code_page(2);
    uint8_t buf[8] = { 0 };
    uint64_t pa = RAM_BASE + 2 * TESSERA_PAGE_SIZE + 16;
    cr_assert_eq(bus_copy_to(bus, pa, buf, sizeof(buf)), TESSERA_BUS_OK);
    cr_expect_eq(hook_calls, 1u);
    cr_expect_eq(hook_pa, pa);
    cr_expect_eq(hook_len, sizeof(buf));
}

Test(dirty, a_bus_store_to_a_code_page_calls_the_code_hook)
{
    hook_calls = 0;
    bus_set_code_hook(bus, code_hook, NULL);
    mark_code_page(5);
    bus_write(bus, RAM_BASE + 5 * TESSERA_PAGE_SIZE + 4, 4, 0x01000000);
    cr_expect_eq(hook_calls, 1u);
    cr_expect_eq(hook_pa, RAM_BASE + 5 * TESSERA_PAGE_SIZE + 4);
    cr_expect_eq(hook_len, 4u);
}

Test(dirty, writes_to_pages_without_code_do_not_call_the_hook)
{
    hook_calls = 0;
    bus_set_code_hook(bus, code_hook, NULL);
    mark_code_page(5);
    uint8_t buf[TESSERA_PAGE_SIZE] = { 0 };
    bus_copy_to(bus, RAM_BASE + 4 * TESSERA_PAGE_SIZE, buf, sizeof(buf));
    bus_write(bus, RAM_BASE + 6 * TESSERA_PAGE_SIZE, 4, 1);
    cr_expect_eq(hook_calls, 0u);
}
