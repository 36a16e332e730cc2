/* SPDX-License-Identifier: MIT */
/* Choosing state versions and walking converter chains. */
#include "negotiate.h"

#include <stdio.h>

#include "record.h"

void schema_info_from(const TesseraStateSchema *schema, SchemaInfo *out)
{
    *out = (SchemaInfo){
        .name = schema->name,
        .version = schema->version,
        .load_min = schema->load_min,
        .save_min = schema->save_min,
        .converters = schema->converters,
        .n_converters = schema->converters ? schema->n_converters : 0,
    };
}

static const TesseraConverter *find_converter(const TesseraConverter *c, uint32_t n, uint32_t from,
                                              uint32_t to)
{
    for (uint32_t i = 0; i < n; i++)
        if (c[i].from == from && c[i].to == to)
            return &c[i];
    return NULL;
}

bool negotiate_has_converter(const SchemaInfo *s, uint32_t from, uint32_t to)
{
    return find_converter(s->converters, s->n_converters, from, to) != NULL;
}

/* Each step needs its own converter, so a chain is at most n_converters long and
 * the loop ends quickly even for absurd versions. */
bool negotiate_chain(const SchemaInfo *s, uint32_t from, uint32_t to)
{
    while (from != to) {
        uint32_t next = from < to ? from + 1 : from - 1;
        if (!negotiate_has_converter(s, from, next))
            return false;
        from = next;
    }
    return true;
}

/* Walk from v towards `version` through converters v -> v+1 (upgrade) or
 * v+1 -> v (downgrade, seen from the newer side); the last version reached. */
static uint32_t reach_up(const SchemaInfo *s, uint32_t v, bool upgrade)
{
    while (v < s->version &&
           (upgrade ? negotiate_has_converter(s, v, v + 1) : negotiate_has_converter(s, v + 1, v)))
        v++;
    return v;
}

bool negotiate_load(const SchemaInfo *s, uint32_t v, uint32_t *via)
{
    uint32_t target;
    if (v > s->version) {
        if (!negotiate_chain(s, v, s->version))
            return false;
        target = s->version;
    } else {
        /* Upgrade converters run whenever they exist (they say how to compute new
         * fields); what is left must be in the direct range. */
        target = reach_up(s, v, true);
        if (target < s->load_min)
            return false;
    }
    if (via)
        *via = target;
    return true;
}

uint32_t negotiate_save_from(const SchemaInfo *s, uint32_t w)
{
    return reach_up(s, w, false);
}

static bool can_save(const SchemaInfo *s, uint32_t w)
{
    return w <= s->version && negotiate_save_from(s, w) >= s->save_min;
}

bool negotiate_save(const SchemaInfo *local, const SchemaInfo *target, uint32_t *out)
{
    /* Candidates: [save_min, version] and at most n_converters versions below. */
    uint32_t low = local->save_min > local->n_converters ? local->save_min - local->n_converters : 1;
    for (uint32_t w = local->version; w >= low && w >= 1; w--) {
        if (can_save(local, w) && negotiate_load(target, w, NULL)) {
            *out = w;
            return true;
        }
        if (w == 1)
            break;
    }
    return false;
}

bool negotiate_convert(const SchemaInfo *local, uint32_t v, const SchemaInfo *target,
                       uint32_t *out)
{
    /* Reachable versions form an interval around v: walk up as far as converters
     * go, then take the highest the target loads, going down. */
    uint32_t top = v;
    while (top < UINT32_MAX && negotiate_has_converter(local, top, top + 1))
        top++;
    for (uint32_t w = top;; w--) {
        if (w != v && w < v && !negotiate_has_converter(local, w + 1, w))
            break;
        if (negotiate_load(target, w, NULL)) {
            *out = w;
            return true;
        }
        if (w <= 1)
            break;
    }
    return false;
}

int negotiate_apply_chain(const TesseraStateSchema *schema, TesseraRecord *rec, uint32_t to,
                          char *err, size_t errlen)
{
    uint32_t n = schema->converters ? schema->n_converters : 0;
    while (record_version(rec) != to) {
        uint32_t from = record_version(rec);
        uint32_t next = from < to ? from + 1 : from - 1;
        const TesseraConverter *c = find_converter(schema->converters, n, from, next);
        if (!c || !c->convert) {
            snprintf(err, errlen, "schema %s has no converter from v%u to v%u", schema->name, from,
                     next);
            return -1;
        }
        char cerr[256] = "";
        if (c->convert(rec, &record_ops, cerr, sizeof(cerr)) < 0) {
            snprintf(err, errlen, "schema %s: converter v%u->v%u failed: %s", schema->name, from,
                     next, cerr[0] ? cerr : "no reason given");
            return -1;
        }
        record_set_version(rec, next);
    }
    return 0;
}
