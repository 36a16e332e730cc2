/* SPDX-License-Identifier: MIT */
/* Saving a machine view to a .tsnap file. */
#include <stdio.h>
#include <string.h>

#include "atomic.h"
#include "format.h"
#include "layout.h"
#include "manifest_read.h"
#include "negotiate.h"
#include "snapshot.h"

/* The version `inst` is written at: its current one, or what the target loads. */
static int choose_version(const char *path, const TesseraInstanceInfo *inst, const Manifest *target,
                          uint32_t *out, char *err, size_t errlen)
{
    const TesseraStateSchema *s = inst->schema;
    if (!target) {
        *out = s->version;
        return 0;
    }
    const ManifestPlugin *tp = manifest_find(target, inst->plugin);
    if (!tp) {
        snprintf(err, errlen, "%s: device '%s' (%s): the target has no plugin %s", path, inst->name,
                 inst->plugin, inst->plugin);
        return -1;
    }
    if (tp->blocker || !tp->has_schema) {
        snprintf(err, errlen, "%s: device '%s' (%s): target plugin %s %s cannot load state: %s",
                 path, inst->name, inst->plugin, tp->name, tp->version,
                 tp->blocker ? tp->blocker : "no state schema");
        return -1;
    }
    if (strcmp(tp->schema.name, s->name) != 0) {
        snprintf(err, errlen, "%s: device '%s' (%s): schema %s here, %s on the target", path,
                 inst->name, inst->plugin, s->name, tp->schema.name);
        return -1;
    }
    SchemaInfo local;
    schema_info_from(s, &local);
    if (!negotiate_save(&local, &tp->schema, out)) {
        snprintf(err, errlen,
                 "%s: device '%s' (%s): no common state version: plugin %s %s saves v%u-v%u, "
                 "target %s %s loads v%u-v%u",
                 path, inst->name, inst->plugin, inst->plugin, inst->plugin_version, s->save_min,
                 s->version, tp->name, tp->version, tp->schema.load_min, tp->schema.version);
        return -1;
    }
    return 0;
}

/* The instance's state as a record at version w. */
TesseraRecord *tsnap_build_record(const char *path, const TesseraInstanceInfo *inst, uint32_t w,
                                   char *err, size_t errlen)
{
    const TesseraStateSchema *s = inst->schema;
    char why[512];
    SchemaInfo info;
    schema_info_from(s, &info);
    uint32_t direct = negotiate_save_from(&info, w);
    TesseraRecord *rec = layout_to_record(s->layout, inst->state, direct, why, sizeof(why));
    if (rec && negotiate_apply_chain(s, rec, w, why, sizeof(why)) < 0) {
        record_free(rec);
        rec = NULL;
    }
    if (!rec)
        snprintf(err, errlen, "%s: device '%s' (%s): %s", path, inst->name, inst->plugin, why);
    return rec;
}

int tsnap_check_instance(const char *path, const TesseraInstanceInfo *inst, char *err,
                          size_t errlen)
{
    if (inst->migration_blocker || !inst->schema) {
        snprintf(err, errlen, "%s: device '%s' (%s): migration blocked: %s", path, inst->name,
                 inst->plugin, inst->migration_blocker ? inst->migration_blocker : "no state schema");
        return -1;
    }
    if (!inst->schema->layout || !inst->state) {
        snprintf(err, errlen, "%s: device '%s' (%s): schema %s has no layout or no state", path,
                 inst->name, inst->plugin, inst->schema->name);
        return -1;
    }
    return 0;
}

int tsnap_save(const TesseraMachineView *m, const char *path, const char *target_manifest,
               char *err, size_t errlen)
{
    uint32_t n = m->n_instances;
    int rc = -1;
    Manifest *target = NULL;
    g_autofree uint32_t *versions = g_new0(uint32_t, n ? n : 1);
    g_autofree TsnapDeviceOut *devs = g_new0(TsnapDeviceOut, n ? n : 1);
    g_autofree TsnapMemoryOut *mem = g_new0(TsnapMemoryOut, m->n_memory ? m->n_memory : 1);

    /* A device node, FIFO or directory is refused before any pre_save hook runs. */
    if (atomic_check_target(path, err, errlen) < 0)
        return -1;

    for (uint32_t i = 0; i < n; i++)
        if (tsnap_check_instance(path, &m->instances[i], err, errlen) < 0)
            goto out;
    if (target_manifest) {
        target = manifest_parse(target_manifest, strlen(target_manifest), "target manifest", err,
                                errlen);
        if (!target)
            goto out;
    }
    for (uint32_t i = 0; i < n; i++)
        if (choose_version(path, &m->instances[i], target, &versions[i], err, errlen) < 0)
            goto out;
    for (uint32_t i = 0; i < n; i++) {
        const TesseraInstanceInfo *inst = &m->instances[i];
        if (inst->schema->pre_save && inst->schema->pre_save(inst->state) != 0) {
            snprintf(err, errlen, "%s: device '%s' (%s): pre_save failed", path, inst->name,
                     inst->plugin);
            goto out;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        const TesseraInstanceInfo *inst = &m->instances[i];
        TesseraRecord *rec = tsnap_build_record(path, inst, versions[i], err, errlen);
        if (!rec)
            goto out;
        devs[i] = (TsnapDeviceOut){
            .name = inst->name,
            .plugin = inst->plugin,
            .plugin_version = inst->plugin_version,
            .kind = inst->kind,
            .schema = inst->schema->name,
            .rec = rec,
        };
    }
    for (uint32_t i = 0; i < m->n_memory; i++) {
        const TesseraMemoryInfo *r = &m->memory[i];
        mem[i] = (TsnapMemoryOut){.name = r->name, .pa = r->pa, .length = r->length,
                                  .readonly = r->readonly != 0, .host = r->host};
    }
    TsnapWriteSpec spec = {
        .machine = m->machine,
        .machine_file = m->machine_file,
        .icount = m->run ? m->run->icount : 0,
        .devices = devs,
        .n_devices = n,
        .memory = mem,
        .n_memory = m->n_memory,
    };
    rc = tsnap_write(path, &spec, err, errlen);
out:
    for (uint32_t i = 0; i < n; i++)
        record_free((TesseraRecord *)devs[i].rec);
    manifest_free(target);
    return rc;
}
