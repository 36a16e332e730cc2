/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi diff: what changed in a plugin's state between two builds, and
 * whether a snapshot of the old build still loads in the new one.
 *
 * On the wire fields are matched by name, so a field that only moved in the C
 * struct is compatible. Removing, retyping or resizing a field, or changing its
 * `since`, is not: it needs a version bump, and the old version must stay loadable
 * (directly when it is >= load_min, otherwise through upgrade converters).
 */
#include <string.h>

#include "check.h"
#include "tessera/state.h"

typedef struct Changes {
    TaReport *r;
    const TaSchema *o, *n;
    unsigned incompatible; /* removed, retyped, resized, since changed, added as old */
    unsigned reshaped;     /* retyped or resized: an old snapshot cannot load directly */
    unsigned compatible;   /* moved, added with a new since, renamed member */
} Changes;

static const TaField *find_field(const TaLayout *l, const char *name)
{
    for (guint i = 0; i < l->fields->len; i++) {
        const TaField *f = l->fields->pdata[i];
        if (strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return NULL;
}

static void diff_layout(Changes *c, const char *prefix, const TaLayout *ol, const TaLayout *nl)
{
    TaReport *r = c->r;
    const char *sn = c->n->name;
    if (strcmp(ol->struct_name, nl->struct_name) != 0) {
        ta_note(r, "schema %s: layout %s%s: C struct %s -> %s (compatible: the wire does not carry "
                   "C names)",
                sn, prefix, *prefix ? "" : "(top)", ol->struct_name, nl->struct_name);
        c->compatible++;
    }
    for (guint i = 0; i < ol->fields->len; i++) {
        const TaField *of = ol->fields->pdata[i];
        const TaField *nf = find_field(nl, of->name);
        if (nf == NULL) {
            ta_note(r, "schema %s: field %s%s: removed (incompatible)", sn, prefix, of->name);
            c->incompatible++;
            continue;
        }
        if (of->type != nf->type) {
            ta_note(r, "schema %s: field %s%s: retyped %s -> %s (incompatible)", sn, prefix,
                    of->name, ta_field_type_name(of->type) ?: "?",
                    ta_field_type_name(nf->type) ?: "?");
            c->incompatible++;
            c->reshaped++;
            continue;
        }
        if (of->count != nf->count) {
            ta_note(r, "schema %s: field %s%s: resized count %u -> %u (incompatible)", sn, prefix,
                    of->name, of->count, nf->count);
            c->incompatible++;
            c->reshaped++;
        }
        if (of->since != nf->since) {
            ta_note(r, "schema %s: field %s%s: since %u -> %u (incompatible)", sn, prefix,
                    of->name, of->since, nf->since);
            c->incompatible++;
        }
        if (of->offset != nf->offset) {
            ta_note(r, "schema %s: field %s%s: moved offset %u -> %u (compatible on the wire: "
                       "fields are matched by name)",
                    sn, prefix, of->name, of->offset, nf->offset);
            c->compatible++;
        }
        if (strcmp(of->member, nf->member) != 0) {
            ta_note(r, "schema %s: field %s%s: C member %s -> %s (compatible)", sn, prefix,
                    of->name, of->member, nf->member);
            c->compatible++;
        }
        if (of->layout && nf->layout) {
            if (of->size != nf->size) {
                ta_note(r, "schema %s: field %s%s: element struct size %u -> %u", sn, prefix,
                        of->name, of->size, nf->size);
            }
            char *sub = g_strdup_printf("%s%s.", prefix, of->name);
            diff_layout(c, sub, of->layout, nf->layout);
            g_free(sub);
        } else if (of->size != nf->size) {
            ta_note(r, "schema %s: field %s%s: resized element %u -> %u bytes (incompatible)", sn,
                    prefix, of->name, of->size, nf->size);
            c->incompatible++;
            c->reshaped++;
        }
    }
    for (guint i = 0; i < nl->fields->len; i++) {
        const TaField *nf = nl->fields->pdata[i];
        if (find_field(ol, nf->name)) {
            continue;
        }
        if (nf->since > c->o->version) {
            ta_note(r, "schema %s: field %s%s: added (since %u, compatible)", sn, prefix, nf->name,
                    nf->since);
            c->compatible++;
        } else {
            ta_note(r, "schema %s: field %s%s: added with since %u, but version %u snapshots do "
                       "not carry it (incompatible; give it since %u and bump the version)",
                    sn, prefix, nf->name, nf->since, c->o->version, c->o->version + 1);
            c->incompatible++;
        }
    }
}

static bool has_converter(const TaSchema *s, uint32_t from, uint32_t to)
{
    for (guint k = 0; k < s->converters->len; k++) {
        const TaConverter *cv = &g_array_index(s->converters, TaConverter, k);
        if (cv->from == from && cv->to == to) {
            return true;
        }
    }
    return false;
}

/* The new schema loads version `v` directly when v >= load_min, else through the
 * upgrade chain v -> v+1 -> ... -> load_min. Returns the first missing step, or 0. */
static uint32_t missing_upgrade(const TaSchema *n, uint32_t v)
{
    for (; v < n->load_min; v++) {
        if (!has_converter(n, v, v + 1)) {
            return v;
        }
    }
    return 0;
}

/* The new schema saves version `v` directly when v >= save_min, else through the
 * downgrade chain save_min -> ... -> v. Returns the first missing step's source. */
static uint32_t missing_downgrade(const TaSchema *n, uint32_t v)
{
    for (uint32_t w = n->save_min; w > v; w--) {
        if (!has_converter(n, w, w - 1)) {
            return w;
        }
    }
    return 0;
}

static void diff_schema(TaReport *r, const TaSchema *o, const TaSchema *n, bool strict)
{
    Changes c = { .r = r, .o = o, .n = n };
    const char *sn = n->name;
    if (o->version != n->version) {
        ta_note(r, "schema %s: version %u -> %u", sn, o->version, n->version);
    }
    if (o->load_min != n->load_min) {
        ta_note(r, "schema %s: load_min %u -> %u", sn, o->load_min, n->load_min);
    }
    if (o->save_min != n->save_min) {
        ta_note(r, "schema %s: save_min %u -> %u", sn, o->save_min, n->save_min);
    }
    diff_layout(&c, "", o->layout, n->layout);
    bool same_print = strcmp(o->fingerprint, n->fingerprint) == 0;

    if (n->version < o->version) {
        ta_problem(r, "schema %s: version went backwards (%u -> %u)", sn, o->version, n->version);
        return;
    }
    if (n->version == o->version) {
        if (c.incompatible) {
            ta_problem(r, "schema %s: %u incompatible change%s without a version bump (still "
                          "version %u)",
                       sn, c.incompatible, c.incompatible == 1 ? "" : "s", n->version);
        } else if (!same_print) {
            ta_note(r, "schema %s: layout fingerprint %.12s -> %.12s (wire-compatible: no version "
                       "bump needed)",
                    sn, o->fingerprint, n->fingerprint);
        }
    } else {
        uint32_t step = missing_upgrade(n, o->version);
        if (step) {
            ta_problem(r, "schema %s: version %u cannot load version %u snapshots: load_min is %u "
                          "and there is no upgrade converter %u->%u",
                       sn, n->version, o->version, n->load_min, step, step + 1);
        } else if (c.reshaped && o->version >= n->load_min) {
            ta_problem(r, "schema %s: retyped or resized fields, but load_min %u lets version %u "
                          "snapshots load without a converter (raise load_min to %u and add an "
                          "upgrade converter %u->%u)",
                       sn, n->load_min, o->version, n->version, n->version - 1, n->version);
        }
        uint32_t down = missing_downgrade(n, o->version);
        if (down) {
            ta_note(r, "schema %s: version %u cannot save for version %u peers: save_min is %u "
                       "and there is no downgrade converter %u->%u (backward migration only)",
                    sn, n->version, o->version, n->save_min, down, down - 1);
        }
    }
    if (strict && (!same_print || o->version != n->version || o->load_min != n->load_min ||
                   o->save_min != n->save_min ||
                   strcmp(o->layout->struct_name, n->layout->struct_name) != 0)) {
        ta_problem(r, "schema %s: does not match the golden dump exactly (fingerprint %.12s -> "
                      "%.12s)",
                   sn, o->fingerprint, n->fingerprint);
    }
}

static const TaSchema *find_schema(const TaPlugin *p, const char *name)
{
    for (guint i = 0; i < p->schemas->len; i++) {
        const TaSchema *s = p->schemas->pdata[i];
        if (strcmp(s->name, name) == 0) {
            return s;
        }
    }
    return NULL;
}

void ta_diff(TaReport *r, const TaPlugin *old, const TaPlugin *new_, bool strict)
{
    if (strcmp(old->name, new_->name) != 0) {
        ta_problem(r, "not the same plugin: %s (%s) and %s (%s)", old->name, old->path,
                   new_->name, new_->path);
        return;
    }
    if (strcmp(old->version, new_->version) != 0) {
        ta_note(r, "plugin version %s -> %s", old->version, new_->version);
    }
    for (guint i = 0; i < old->schemas->len; i++) {
        const TaSchema *o = old->schemas->pdata[i];
        const TaSchema *n = find_schema(new_, o->name);
        if (n == NULL) {
            ta_problem(r, "schema %s: removed%s%s (version %u snapshots no longer load)", o->name,
                       new_->blocker ? ": now blocked: " : "", new_->blocker ? new_->blocker : "",
                       o->version);
            continue;
        }
        diff_schema(r, o, n, strict);
    }
    for (guint i = 0; i < new_->schemas->len; i++) {
        const TaSchema *n = new_->schemas->pdata[i];
        if (find_schema(old, n->name) == NULL) {
            if (strict) {
                ta_problem(r, "schema %s: not in the golden dump", n->name);
            } else {
                ta_note(r, "schema %s: added (version %u)", n->name, n->version);
            }
        }
    }
}
