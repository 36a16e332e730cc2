/* SPDX-License-Identifier: MIT */
/*
 * Per-device version negotiation. Works on SchemaInfo, the version facts of a schema,
 * which come from a loaded plugin or from a manifest of another installation.
 *
 * Rules (docs/snapshots.md):
 *   load v:  load_min <= v <= version loads directly; v < load_min is upgraded by
 *            converters v -> v+1 -> ... -> load_min; v > version is downgraded by
 *            converters v -> v-1 -> ... -> version; anything else is refused.
 *   save:    directly at any w in [save_min, version]; below save_min through
 *            downgrade converters from save_min. With a target, the highest such w
 *            the target can load (directly or with its own converters).
 */
#ifndef TSNAP_NEGOTIATE_H
#define TSNAP_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tessera/state.h>

typedef struct SchemaInfo {
    const char *name;
    uint32_t version;
    uint32_t load_min;
    uint32_t save_min;
    const TesseraConverter *converters; /* `convert` may be NULL (from a manifest) */
    uint32_t n_converters;
} SchemaInfo;

void schema_info_from(const TesseraStateSchema *schema, SchemaInfo *out);

bool negotiate_has_converter(const SchemaInfo *s, uint32_t from, uint32_t to);
/* Converters exist for every adjacent step from `from` to `to` (true when equal). */
bool negotiate_chain(const SchemaInfo *s, uint32_t from, uint32_t to);

/* Whether a v state loads, and the version it is converted to first (*via == v when
 * it loads directly). */
bool negotiate_load(const SchemaInfo *s, uint32_t v, uint32_t *via);

/* Highest version `local` can save that `target` loads; false when there is none. */
bool negotiate_save(const SchemaInfo *local, const SchemaInfo *target, uint32_t *out);

/* Highest version a v record can be converted to with `local`'s converters (v itself
 * included) that `target` loads; false when there is none. */
bool negotiate_convert(const SchemaInfo *local, uint32_t v, const SchemaInfo *target,
                       uint32_t *out);

/* Step `rec` through the schema's converters to version `to`, setting its version
 * after each step. Errors name the step. */
int negotiate_apply_chain(const TesseraStateSchema *schema, TesseraRecord *rec, uint32_t to,
                          char *err, size_t errlen);

#endif /* TSNAP_NEGOTIATE_H */
