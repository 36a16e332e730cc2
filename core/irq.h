/* SPDX-License-Identifier: MIT */
/* Level-triggered interrupt lines: device outputs wired to device inputs, with fan-in
 * (an input line is high while any output wired to it is high). */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include <glib.h>
#include <stdbool.h>
#include <tessera/host.h>

typedef struct IrqInput IrqInput; /* an array of input lines of one instance */
/* TesseraIrq (one output line) is defined in irq.c. */

IrqInput *irq_input_new(const char *owner, const char *name, unsigned count,
                        TesseraIrqHandler handler, void *opaque);
void irq_input_free(IrqInput *in);
const char *irq_input_name(const IrqInput *in);
unsigned irq_input_count(const IrqInput *in);
/* Current level of one input line (0 or 1). */
int irq_input_level(const IrqInput *in, unsigned line);

TesseraIrq *irq_output_new(const char *owner, const char *name, unsigned index);
void irq_output_free(TesseraIrq *out);
/* Wire an output to one input line; an output may drive several inputs. Fails
 * (with an error) when line is out of range or the pair is already wired. */
bool irq_connect(TesseraIrq *out, IrqInput *in, unsigned line, GError **error);
/* Set an output's level; handlers run only for input lines whose level changed. */
void irq_output_set(TesseraIrq *out, int level);
int irq_output_level(const TesseraIrq *out);

#endif /* CORE_IRQ_H */
