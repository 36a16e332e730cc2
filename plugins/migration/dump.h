/* SPDX-License-Identifier: MIT */
/* Whole-snapshot views for tessera-snap: JSON dump and field-by-field diff. */
#ifndef TSNAP_DUMP_H
#define TSNAP_DUMP_H

#include <glib.h>

#include "format.h"

/* The manifest plus every device's fields and values, as JSON (malloc'd). */
char *tsnap_dump_json(const TsnapFile *f);

/* Differences in machine, icount, devices, fields and memory layout, one per line
 * appended to out; returns how many were found. */
unsigned tsnap_diff(const TsnapFile *a, const TsnapFile *b, GString *out);

#endif /* TSNAP_DUMP_H */
