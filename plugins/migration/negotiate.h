/* SPDX-License-Identifier: MIT */
/*
 * Per-device version negotiation. Works on SchemaInfo, the version facts of a schema,
 * which come from a loaded plugin or from a manifest of another installation.
 *
 * Rules (docs/snapshots.md):
 *   load v <= version: upgrade converters v -> v+1 -> ... run as far as they go
 *            (at most to version); the version reached must be >= load_min and
 *            loads directly (fields newer than it take dflt).
 *   load v > version: downgrade converters v -> v-1 -> ... -> version, all needed.
 *   save w:  start from the highest s in [w, version] that downgrade converters
 *            lead from s down to w; s must be >= save_min and is taken directly
 *            from the instance (fields newer than s left out).
 *   With a target, the highest w the target loads (with its own converters).
 * Converters, when they exist, always win over the direct path: they say how to
 * compute what `dflt` or dropping a field cannot.
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

/* For saving at w: the version taken directly from the instance before downgrade
 * converters bring it to w (w itself when no converter applies). */
uint32_t negotiate_save_from(const SchemaInfo *s, uint32_t w);

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
