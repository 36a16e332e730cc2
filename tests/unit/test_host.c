/* SPDX-License-Identifier: MIT */
/* The host services' checks on what plugins hand them (core/host.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "machine_internal.h"

static uint64_t reg_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque, (void)offset, (void)size;
    return 0;
}

/* An instance no machine placed: the checks run before the machine is asked. */
static TesseraInstance unplaced = { .name = "dev0" };

Test(host, mmio_add_refuses_a_region_whose_size_of_is_too_small)
{
    TesseraMmioRegion r = {
        .size_of = 8, /* a plugin built against some other layout */
        .name = "regs",
        .size = 16,
        .widths = TESSERA_WIDTH_4,
        .read = reg_read,
    };
    char err[256] = "";
    cr_expect_eq(host_ops.mmio_add(&unplaced, &r, NULL, err, sizeof(err)), -1);
    cr_expect(strstr(err, "dev0: MMIO region size_of 8 is smaller than the ABI 1.0") != NULL,
              "got: %s", err);
    cr_expect_null(strchr(err, '\n'), "one line");
}

Test(host, mmio_add_accepts_a_full_size_region_the_machine_does_not_place)
{
    TesseraMmioRegion r = {
        .size_of = sizeof(TesseraMmioRegion),
        .name = "regs",
        .size = 16,
        .widths = TESSERA_WIDTH_4,
        .read = reg_read,
    };
    char err[256] = "";
    cr_expect_eq(host_ops.mmio_add(&unplaced, &r, NULL, err, sizeof(err)), 0, "%s", err);
}

Test(host, mem_region_refuses_a_caller_struct_that_is_too_small)
{
    TesseraMemRegion r = { .size_of = 16 };
    cr_expect_eq(host_ops.mem_region(&unplaced, 0, &r), -1);
}
