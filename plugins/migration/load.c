/* SPDX-License-Identifier: MIT */
/*
 * Loading a .tsnap file into a machine view, transactionally:
 *   1. open: structure and every checksum;
 *   2. match: instances by name and plugin, schemas, versions, memory regions;
 *   3. stage: convert each record and apply it to a copy of the instance memory;
 *      decompress every memory chunk into scratch space to prove it decodes;
 *   4. commit devices: swap the field bytes in (the staging copies then hold the
 *      old state), restore icount, run post_load hooks; a failing hook swaps
 *      everything back and re-runs the hooks: nothing changed;
 *   5. commit memory: decode straight into the machine's RAM and ROM, which step 3
 *      proved cannot fail. No second copy of guest memory is ever allocated (fresh
 *      hundreds of MiB cost more in page faults than the whole decode). post_load
 *      hooks therefore run before guest memory is restored: they re-derive host
 *      state from their own fields and must not read guest memory.
 */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "layout.h"
#include "manifest_json.h"
#include "negotiate.h"
#include "snapshot.h"

typedef struct Staged {
    const TesseraInstanceInfo *inst;
    const TsnapDevice *dev;
    uint32_t via;     /* version the record is converted to before applying */
    uint8_t *copy;    /* staged instance memory, then the old one after commit */
} Staged;

typedef struct StagedMem {
    const TesseraMemoryInfo *region;
    const TsnapMemory *mem;
} StagedMem;

typedef struct Load {
    const char *path;
    const TesseraMachineView *m;
    TsnapFile *f;
    Staged *dev;
    StagedMem *mem;
    bool memory; /* a file restores memory; a migration stream sent it already */
} Load;

static int match_instance(Load *l, uint32_t i, char *err, size_t errlen)
{
    const TesseraInstanceInfo *inst = &l->m->instances[i];
    const TsnapDevice *d = tsnap_find_device(l->f, inst->name);
    if (!d) {
        snprintf(err, errlen, "device '%s' (%s) of this machine is not in the snapshot",
                 inst->name, inst->plugin);
        return -1;
    }
    if (strcmp(d->plugin, inst->plugin) != 0) {
        snprintf(err, errlen, "device '%s': snapshot has plugin %s, this machine has %s",
                 inst->name, d->plugin, inst->plugin);
        return -1;
    }
    if (inst->migration_blocker || !inst->schema || !inst->schema->layout || !inst->state) {
        snprintf(err, errlen, "device '%s' (%s): cannot be loaded: %s", inst->name,
                 inst->plugin, inst->migration_blocker ? inst->migration_blocker : "no state schema");
        return -1;
    }
    if (d->kind != inst->kind) {
        snprintf(err, errlen, "device '%s' (%s): snapshot has a device of kind %s, this "
                 "machine one of kind %s", inst->name, inst->plugin,
                 manifest_kind_name(d->kind), manifest_kind_name(inst->kind));
        return -1;
    }
    const TesseraStateSchema *s = inst->schema;
    if (strcmp(d->schema, s->name) != 0) {
        snprintf(err, errlen, "device '%s' (%s): snapshot has schema %s, plugin %s %s has %s",
                 inst->name, inst->plugin, d->schema, inst->plugin, inst->plugin_version,
                 s->name);
        return -1;
    }
    SchemaInfo info;
    schema_info_from(s, &info);
    uint32_t v = record_version(d->rec);
    if (!negotiate_load(&info, v, &l->dev[i].via)) {
        snprintf(err, errlen, "device '%s' (%s): snapshot has state v%u, plugin %s %s loads v%u-v%u",
                 inst->name, inst->plugin, v, inst->plugin, inst->plugin_version, s->load_min,
                 s->version);
        return -1;
    }
    l->dev[i].inst = inst;
    l->dev[i].dev = d;
    return 0;
}

static bool machine_has_instance(const TesseraMachineView *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_instances; i++)
        if (strcmp(m->instances[i].name, name) == 0)
            return true;
    return false;
}

static bool machine_has_memory(const TesseraMachineView *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_memory; i++)
        if (strcmp(m->memory[i].name, name) == 0)
            return true;
    return false;
}

/* Every way the snapshot and this machine disagree, not just the first: one line
 * naming each device and memory region, and the machine file the snapshot was
 * taken with (so the user knows which file would fit it). */
static int match(Load *l, char *err, size_t errlen)
{
    const TesseraMachineView *m = l->m;
    if (m->machine && strcmp(l->f->machine, m->machine) != 0) {
        snprintf(err, errlen, "%s: snapshot is of machine '%s', this machine is '%s'", l->path,
                 l->f->machine, m->machine);
        return -1;
    }
    GString *why = g_string_new(NULL);
    char one[512];
    for (uint32_t i = 0; i < m->n_instances; i++)
        if (match_instance(l, i, one, sizeof(one)) < 0)
            g_string_append_printf(why, "%s%s", why->len ? "; " : "", one);
    for (unsigned i = 0; i < l->f->devices->len; i++) {
        const TsnapDevice *d = l->f->devices->pdata[i];
        if (!machine_has_instance(m, d->name))
            g_string_append_printf(why, "%sdevice '%s' (%s %s) in the snapshot is not in this "
                                   "machine", why->len ? "; " : "", d->name, d->plugin,
                                   d->plugin_version);
    }
    for (uint32_t i = 0; i < m->n_memory && l->memory; i++) {
        const TesseraMemoryInfo *r = &m->memory[i];
        const TsnapMemory *sm = tsnap_find_memory(l->f, r->name);
        const char *sep = why->len ? "; " : "";
        if (!sm)
            g_string_append_printf(why, "%smemory '%s' of this machine is not in the snapshot",
                                   sep, r->name);
        else if (sm->length != r->length)
            g_string_append_printf(why, "%smemory '%s': snapshot has %llu bytes, this machine %llu",
                                   sep, r->name, (unsigned long long)sm->length,
                                   (unsigned long long)r->length);
        else if (sm->pa != r->pa)
            g_string_append_printf(why, "%smemory '%s': snapshot has it at 0x%llx, this machine "
                                   "at 0x%llx", sep, r->name, (unsigned long long)sm->pa,
                                   (unsigned long long)r->pa);
        else if (sm->readonly != (r->readonly != 0))
            g_string_append_printf(why, "%smemory '%s': snapshot has it %s, this machine %s", sep,
                                   r->name, sm->readonly ? "read-only" : "writable",
                                   r->readonly ? "read-only" : "writable");
        else
            l->mem[i] = (StagedMem){.region = r, .mem = sm};
    }
    for (unsigned i = 0; i < l->f->memory->len; i++) {
        const TsnapMemory *sm = l->f->memory->pdata[i];
        if (!machine_has_memory(m, sm->name))
            g_string_append_printf(why, "%smemory '%s' in the snapshot is not in this machine",
                                   why->len ? "; " : "", sm->name);
    }
    int rc = why->len ? -1 : 0;
    /* The recorded path comes from the file: control bytes escaped. */
    char *file = g_strescape(l->f->machine_file, NULL);
    if (rc)
        snprintf(err, errlen, "%s: does not fit this machine (the snapshot was taken with machine "
                 "file %s): %s", l->path, *file ? file : "(not recorded)", why->str);
    g_free(file);
    g_string_free(why, TRUE);
    return rc;
}

static int stage_device(Load *l, Staged *st, char *err, size_t errlen)
{
    const TesseraInstanceInfo *inst = st->inst;
    const TesseraStateSchema *s = inst->schema;
    char why[512];
    TesseraRecord *rec = record_copy(st->dev->rec);
    st->copy = g_memdup2(inst->state, s->layout->size);
    layout_clear_blobs(s->layout, st->copy, false); /* the device's own view, not copied */
    int rc = negotiate_apply_chain(s, rec, st->via, why, sizeof(why));
    if (rc == 0)
        rc = layout_apply(s->layout, rec, st->copy, why, sizeof(why));
    record_free(rec);
    if (rc < 0)
        snprintf(err, errlen, "%s: device '%s' (%s): %s", l->path, inst->name, inst->plugin, why);
    return rc;
}

static int check_memory(Load *l, StagedMem *sm, char *err, size_t errlen)
{
    char why[512];
    if (!sm->region->host && sm->region->length) {
        snprintf(err, errlen, "%s: memory '%s' has no host backing", l->path, sm->region->name);
        return -1;
    }
    if (tsnap_memory_decode(sm->mem, NULL, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "%s: %s", l->path, why);
        return -1;
    }
    return 0;
}

/* Exchange staged and live device state; calling it twice restores the original. */
static void exchange(Load *l, uint64_t *icount)
{
    for (uint32_t i = 0; i < l->m->n_instances; i++)
        layout_swap(l->dev[i].inst->schema->layout, l->dev[i].inst->state, l->dev[i].copy);
    if (l->m->run) {
        uint64_t t = l->m->run->icount;
        l->m->run->icount = *icount;
        *icount = t;
    }
}

/* Devices with a blob last (state.h): a refusal elsewhere comes before any took its bytes. */
static int post_load_all(Load *l, char *err, size_t errlen)
{
    for (uint32_t k = 0; k < 2 * l->m->n_instances; k++) {
        uint32_t i = k % l->m->n_instances;
        const TesseraInstanceInfo *inst = l->dev[i].inst;
        if (layout_has_blob(inst->schema->layout) != (k >= l->m->n_instances))
            continue;
        char why[512] = "";
        if (inst->schema->post_load && inst->schema->post_load(inst->state, why, sizeof(why)) != 0) {
            if (err)
                snprintf(err, errlen, "%s: device '%s' (%s): post_load failed: %s", l->path,
                         inst->name, inst->plugin, why[0] ? why : "no reason given");
            return -1;
        }
    }
    return 0;
}

int tsnap_load_file(const TesseraMachineView *m, TsnapFile *f, bool memory, char *err,
                    size_t errlen)
{
    Load l = {.path = f->path, .m = m, .f = f, .memory = memory};
    const char *path = f->path;
    int rc = -1;
    l.dev = g_new0(Staged, m->n_instances ? m->n_instances : 1);
    l.mem = g_new0(StagedMem, m->n_memory ? m->n_memory : 1);

    if (match(&l, err, errlen) < 0)
        goto out;
    for (uint32_t i = 0; i < m->n_instances; i++)
        if (stage_device(&l, &l.dev[i], err, errlen) < 0)
            goto out;
    for (uint32_t i = 0; i < m->n_memory && memory; i++)
        if (check_memory(&l, &l.mem[i], err, errlen) < 0)
            goto out;

    uint64_t icount = l.f->icount;
    for (uint32_t i = 0; i < m->n_instances; i++)
        layout_clear_blobs(l.dev[i].inst->schema->layout, l.dev[i].inst->state, false);
    exchange(&l, &icount);
    int loaded = post_load_all(&l, err, errlen);
    for (uint32_t i = 0; i < m->n_instances; i++) /* the loaded bytes lived for post_load */
        layout_clear_blobs(l.dev[i].inst->schema->layout, l.dev[i].inst->state, true);
    if (loaded < 0) {
        exchange(&l, &icount);
        post_load_all(&l, NULL, 0);
        size_t n = strlen(err);
        snprintf(err + n, errlen - n, "; the machine was rolled back");
        goto out;
    }
    for (uint32_t i = 0; i < m->n_memory && memory; i++) {
        char why[512];
        if (tsnap_memory_decode(l.mem[i].mem, l.mem[i].region->host, why, sizeof(why)) < 0) {
            /* Only if the file changed under us since step 3. */
            snprintf(err, errlen, "%s: %s; guest memory is partly restored", path, why);
            goto out;
        }
    }
    rc = 0;
out:
    for (uint32_t i = 0; i < m->n_instances; i++) {
        if (l.dev[i].copy)
            layout_clear_blobs(l.dev[i].inst->schema->layout, l.dev[i].copy, true);
        g_free(l.dev[i].copy);
    }
    g_free(l.dev);
    g_free(l.mem);
    return rc;
}

int tsnap_load(const TesseraMachineView *m, const char *path, char *err, size_t errlen)
{
    TsnapFile *f = tsnap_open(path, err, errlen);
    if (!f)
        return -1;
    int rc = tsnap_load_file(m, f, true, err, errlen);
    tsnap_close(f);
    return rc;
}
