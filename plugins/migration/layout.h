/* SPDX-License-Identifier: MIT */
/* Instance memory <-> TesseraRecord, through a TesseraStateLayout. */
#ifndef TSNAP_LAYOUT_H
#define TSNAP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tessera/state.h>

#include "record.h"

/* A record of the layout's fields that exist at `version` (since <= version). */
TesseraRecord *layout_to_record(const TesseraStateLayout *layout, const void *mem, uint32_t version,
                                char *err, size_t errlen);

/*
 * Write `rec` into `mem` (a scratch copy of the instance). Fields are matched by name;
 * each must have the layout's type and element count. A layout field the record lacks
 * takes its `dflt` when it is newer than the record (since > version) and is an error
 * otherwise; a record field the layout lacks is an error. On error `mem` may be
 * partly written.
 */
int layout_apply(const TesseraStateLayout *layout, const TesseraRecord *rec, void *mem, char *err,
                 size_t errlen);

/* BLOB views (state.h): whether the layout has one; set each view in `mem` to
 * {NULL, 0}, first freeing the bytes when the host owns them (layout_apply put them
 * there) and `host_owned` says so. */
bool layout_has_blob(const TesseraStateLayout *layout);
void layout_clear_blobs(const TesseraStateLayout *layout, void *mem, bool host_owned);

/* Exchange the bytes of every layout field between a and b (nothing else: host
 * pointers and unmigrated members stay where they are). */
void layout_swap(const TesseraStateLayout *layout, void *a, void *b);

#endif /* TSNAP_LAYOUT_H */
