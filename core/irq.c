/* SPDX-License-Identifier: MIT */
/*
 * Level-triggered interrupt wiring. Each input line counts the wired outputs that
 * are high; the handler hears only the 0 <-> non-zero transitions of that count, so
 * a device sees one edge however many sources share its line.
 */
#include "irq.h"

typedef struct IrqTarget {
    IrqInput *in;
    unsigned line;
} IrqTarget;

struct TesseraIrq {
    char *owner;
    char *name;
    unsigned index;
    int level;
    GArray *targets; /* IrqTarget */
};

struct IrqInput {
    char *owner;
    char *name;
    unsigned count;
    unsigned *high; /* per line: wired outputs currently high */
    TesseraIrqHandler handler;
    void *opaque;
    GPtrArray *sources; /* TesseraIrq* wired to any line, once per wire */
};

static GQuark irq_error_quark(void)
{
    return g_quark_from_static_string("tessera-irq");
}

IrqInput *irq_input_new(const char *owner, const char *name, unsigned count,
                        TesseraIrqHandler handler, void *opaque)
{
    IrqInput *in = g_new0(IrqInput, 1);
    in->owner = g_strdup(owner);
    in->name = g_strdup(name);
    in->count = count;
    in->high = g_new0(unsigned, count ? count : 1);
    in->handler = handler;
    in->opaque = opaque;
    in->sources = g_ptr_array_new();
    return in;
}

/* Forget every wire between out and in (no handler calls: this is teardown). */
static void irq_unwire(TesseraIrq *out, IrqInput *in)
{
    for (guint i = out->targets->len; i-- > 0;) {
        IrqTarget *t = &g_array_index(out->targets, IrqTarget, i);
        if (t->in != in)
            continue;
        if (out->level && in->high[t->line] > 0)
            in->high[t->line]--;
        g_array_remove_index(out->targets, i);
    }
    while (g_ptr_array_remove(in->sources, out))
        ;
}

void irq_input_free(IrqInput *in)
{
    if (!in)
        return;
    while (in->sources->len > 0)
        irq_unwire(g_ptr_array_index(in->sources, 0), in);
    g_ptr_array_free(in->sources, TRUE);
    g_free(in->high);
    g_free(in->owner);
    g_free(in->name);
    g_free(in);
}

const char *irq_input_name(const IrqInput *in)
{
    return in->name;
}

unsigned irq_input_count(const IrqInput *in)
{
    return in->count;
}

int irq_input_level(const IrqInput *in, unsigned line)
{
    return line < in->count && in->high[line] > 0;
}

TesseraIrq *irq_output_new(const char *owner, const char *name, unsigned index)
{
    TesseraIrq *out = g_new0(TesseraIrq, 1);
    out->owner = g_strdup(owner);
    out->name = g_strdup(name);
    out->index = index;
    out->targets = g_array_new(FALSE, FALSE, sizeof(IrqTarget));
    return out;
}

void irq_output_free(TesseraIrq *out)
{
    if (!out)
        return;
    while (out->targets->len > 0)
        irq_unwire(out, g_array_index(out->targets, IrqTarget, 0).in);
    g_array_free(out->targets, TRUE);
    g_free(out->owner);
    g_free(out->name);
    g_free(out);
}

/* An input line went from low to high or back: tell its owner. */
static void irq_line_raise(IrqInput *in, unsigned line)
{
    if (in->high[line]++ == 0 && in->handler)
        in->handler(in->opaque, line, 1);
}

static void irq_line_lower(IrqInput *in, unsigned line)
{
    if (--in->high[line] == 0 && in->handler)
        in->handler(in->opaque, line, 0);
}

bool irq_connect(TesseraIrq *out, IrqInput *in, unsigned line, GError **error)
{
    if (line >= in->count) {
        g_set_error(error, irq_error_quark(), 0,
                    "irq %s.%s[%u] -> %s.%s[%u]: line out of range (%s.%s has %u lines)",
                    out->owner, out->name, out->index, in->owner, in->name, line, in->owner,
                    in->name, in->count);
        return false;
    }
    for (guint i = 0; i < out->targets->len; i++) {
        const IrqTarget *t = &g_array_index(out->targets, IrqTarget, i);
        if (t->in == in && t->line == line) {
            g_set_error(error, irq_error_quark(), 0, "irq %s.%s[%u] -> %s.%s[%u]: already wired",
                        out->owner, out->name, out->index, in->owner, in->name, line);
            return false;
        }
    }
    IrqTarget t = { in, line };
    g_array_append_val(out->targets, t);
    g_ptr_array_add(in->sources, out);
    /* A source that is already asserted asserts its new input too. */
    if (out->level)
        irq_line_raise(in, line);
    return true;
}

void irq_output_set(TesseraIrq *out, int level)
{
    level = level != 0;
    if (out->level == level)
        return;
    out->level = level;
    for (guint i = 0; i < out->targets->len; i++) {
        /* By value: a handler may wire more targets and move the array. */
        IrqTarget t = g_array_index(out->targets, IrqTarget, i);
        if (level)
            irq_line_raise(t.in, t.line);
        else
            irq_line_lower(t.in, t.line);
    }
}

int irq_output_level(const TesseraIrq *out)
{
    return out->level;
}
