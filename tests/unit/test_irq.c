/* SPDX-License-Identifier: MIT */
/* Interrupt wiring: fan-in, edges only on change, wiring errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "irq.h"

/* Records every handler call. */
typedef struct Log {
    unsigned calls;
    unsigned line[16];
    int level[16];
} Log;

static void log_handler(void *opaque, unsigned line, int level)
{
    Log *log = opaque;
    if (log->calls < 16) {
        log->line[log->calls] = line;
        log->level[log->calls] = level;
    }
    log->calls++;
}

static Log log_;
static IrqInput *intctl;
static TesseraIrq *timer, *serial;

static void setup(void)
{
    memset(&log_, 0, sizeof(log_));
    intctl = irq_input_new("intctl", "irq", 32, log_handler, &log_);
    timer = irq_output_new("timer", "irq", 0);
    serial = irq_output_new("escc", "irq", 0);
}

static void teardown(void)
{
    irq_output_free(timer);
    irq_output_free(serial);
    irq_input_free(intctl);
}

TestSuite(irq, .init = setup, .fini = teardown);

Test(irq, raising_an_output_raises_the_wired_line)
{
    cr_assert(irq_connect(timer, intctl, 14, NULL));
    irq_output_set(timer, 1);
    cr_assert_eq(irq_input_level(intctl, 14), 1);
    cr_assert_eq(irq_output_level(timer), 1);
    cr_assert_eq(log_.calls, 1);
    cr_assert_eq(log_.line[0], 14);
    cr_assert_eq(log_.level[0], 1);
}

Test(irq, shared_line_stays_high_until_every_source_is_low)
{
    irq_connect(timer, intctl, 12, NULL);
    irq_connect(serial, intctl, 12, NULL);

    irq_output_set(timer, 1);
    irq_output_set(serial, 1);
    irq_output_set(timer, 0);
    cr_assert_eq(irq_input_level(intctl, 12), 1, "serial still holds the line");
    irq_output_set(serial, 0);
    cr_assert_eq(irq_input_level(intctl, 12), 0);

    cr_assert_eq(log_.calls, 2, "one rising and one falling edge");
    cr_assert_eq(log_.level[0], 1);
    cr_assert_eq(log_.level[1], 0);
}

Test(irq, setting_the_same_level_again_calls_no_handler)
{
    irq_connect(timer, intctl, 14, NULL);
    irq_output_set(timer, 1);
    irq_output_set(timer, 1);
    irq_output_set(timer, 5); /* any non-zero level is "high" */
    cr_assert_eq(log_.calls, 1);
    irq_output_set(timer, 0);
    irq_output_set(timer, 0);
    cr_assert_eq(log_.calls, 2);
}

Test(irq, one_output_drives_several_inputs)
{
    Log other = { 0 };
    IrqInput *cpu = irq_input_new("cpu", "irl", 16, log_handler, &other);
    cr_assert(irq_connect(timer, intctl, 10, NULL));
    cr_assert(irq_connect(timer, cpu, 3, NULL));
    irq_output_set(timer, 1);
    cr_assert_eq(irq_input_level(intctl, 10), 1);
    cr_assert_eq(irq_input_level(cpu, 3), 1);
    cr_assert_eq(other.calls, 1);
    irq_output_free(timer); /* unwires itself from both inputs */
    timer = NULL;
    irq_input_free(cpu);
}

Test(irq, wiring_the_same_pair_twice_is_an_error)
{
    GError *err = NULL;
    cr_assert(irq_connect(timer, intctl, 14, NULL));
    cr_assert_not(irq_connect(timer, intctl, 14, &err));
    cr_assert_str_eq(err->message, "irq timer.irq[0] -> intctl.irq[14]: already wired");
    g_error_free(err);
}

Test(irq, wiring_a_line_out_of_range_is_an_error)
{
    GError *err = NULL;
    cr_assert_not(irq_connect(timer, intctl, 32, &err));
    cr_assert(strstr(err->message, "out of range"), "%s", err->message);
    cr_assert(strstr(err->message, "intctl.irq[32]"), "%s", err->message);
    g_error_free(err);
}

Test(irq, connecting_a_high_output_raises_the_input)
{
    irq_output_set(timer, 1);
    cr_assert_eq(log_.calls, 0);
    irq_connect(timer, intctl, 7, NULL);
    cr_assert_eq(irq_input_level(intctl, 7), 1);
    cr_assert_eq(log_.calls, 1);
}

Test(irq, input_reports_its_name_and_line_count)
{
    cr_assert_str_eq(irq_input_name(intctl), "irq");
    cr_assert_eq(irq_input_count(intctl), 32);
    cr_assert_eq(irq_input_level(intctl, 99), 0, "a line that does not exist is low");
}

Test(irq, freed_input_is_forgotten_by_its_outputs)
{
    IrqInput *gone = irq_input_new("gone", "in", 1, log_handler, &log_);
    irq_connect(serial, gone, 0, NULL);
    irq_input_free(gone);
    irq_output_set(serial, 1); /* must not touch the freed input */
    cr_assert_eq(log_.calls, 0);
}
