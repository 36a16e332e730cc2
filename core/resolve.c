/* SPDX-License-Identifier: MIT */
#include "resolve.h"

#include <string.h>

/* Why no plugin serves device `d`: what was present, where the loader looked, and why
 * each file that may have been the plugin was refused or set aside. One line. */
static char *why_missing(const PluginRegistry *reg, const DeviceSpec *d, TesseraPluginKind kind)
{
    GString *s = g_string_new(NULL);
    bool present = false;
    const char *other_kind = NULL;

    for (guint i = 0; i < reg->plugins->len; i++) {
        const Plugin *p = reg->plugins->pdata[i];
        if (strcmp(p->desc->name, d->plugin) != 0)
            continue;
        if (p->desc->kind == (uint32_t)kind)
            present = true;
        else
            other_kind = plugin_kind_name(p->desc->kind);
    }
    if (present) {
        /* registry_find words it: no version satisfies, or the constraint is malformed. */
        GError *error = NULL;
        registry_find(reg, d->plugin, d->constraint, kind, &error);
        const char *msg = error ? error->message : "no version satisfies the constraint";
        const char *colon = strstr(msg, "\": ");
        g_string_append(s, colon ? colon + 3 : msg);
        g_clear_error(&error);
    } else if (other_kind) {
        g_string_append_printf(s, "it is a %s plugin, not a %s plugin", other_kind,
                               plugin_kind_name(kind));
    } else {
        g_string_append(s, "not found");
    }

    g_string_append(s, "; searched ");
    for (guint i = 0; i < reg->dirs->len; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)reg->dirs->pdata[i]);
    if (!reg->dirs->len)
        g_string_append(s, "no directories");

    for (guint i = 0; i < reg->refused->len; i++) {
        const PluginRefusal *r = reg->refused->pdata[i];
        if (registry_refusal_may_be(r, d->plugin))
            g_string_append_printf(s, "; refused %s: %s", r->path, r->reason);
    }
    for (guint i = 0; i < reg->set_aside->len; i++) {
        const Plugin *p = reg->set_aside->pdata[i];
        if (!strcmp(p->desc->name, d->plugin))
            g_string_append_printf(s, "; set aside by -plugin-version: %s %s (%s)", p->desc->name,
                                   p->desc->version, p->path);
    }
    return g_string_free(s, FALSE);
}

static void resolve_one(const PluginRegistry *reg, DeviceResolution *dr, const DeviceSpec *d,
                        TesseraPluginKind kind)
{
    dr->spec = d;
    dr->plugin = registry_find(reg, d->plugin, d->constraint, kind, NULL);
    if (!dr->plugin)
        dr->why = why_missing(reg, d, kind);
}

static DeviceResolution *find_device(const MachineResolution *r, const char *name)
{
    for (guint i = 0; i < r->devices->len; i++) {
        DeviceResolution *dr = &g_array_index(r->devices, DeviceResolution, i);
        if (!strcmp(dr->spec->name, name))
            return dr;
    }
    return NULL;
}

/* A device whose link names a device that is left out cannot work either: it is left
 * out in turn, until nothing changes (each pass removes at least one device). */
static void drop_broken_links(MachineResolution *r)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (guint i = 0; i < r->devices->len; i++) {
            DeviceResolution *dr = &g_array_index(r->devices, DeviceResolution, i);
            GHashTableIter it;
            gpointer k, v;
            if (!dr->plugin)
                continue;
            g_hash_table_iter_init(&it, dr->spec->links);
            while (g_hash_table_iter_next(&it, &k, &v)) {
                const DeviceResolution *target = find_device(r, v);
                if (target && !target->plugin) {
                    dr->plugin = NULL;
                    dr->why = g_strdup_printf("its link.%s names device %s, which is left out",
                                              (const char *)k, (const char *)v);
                    changed = true;
                    break;
                }
            }
        }
    }
}

MachineResolution *machine_resolve(const MachineSpec *spec, const PluginRegistry *reg)
{
    MachineResolution *r = g_new0(MachineResolution, 1);
    r->spec = spec;
    r->devices = g_array_new(FALSE, TRUE, sizeof(DeviceResolution));
    resolve_one(reg, &r->cpu, spec->cpu, TESSERA_PLUGIN_CPU);
    for (guint i = 0; i < spec->devices->len; i++) {
        DeviceResolution dr = { 0 };
        resolve_one(reg, &dr, spec->devices->pdata[i], TESSERA_PLUGIN_DEVICE);
        g_array_append_val(r->devices, dr);
    }
    drop_broken_links(r);
    r->missing_required = !r->cpu.plugin;
    for (guint i = 0; i < r->devices->len; i++) {
        const DeviceResolution *dr = &g_array_index(r->devices, DeviceResolution, i);
        if (!dr->plugin && dr->spec->optional)
            r->missing_optional++;
        else if (!dr->plugin)
            r->missing_required++;
    }
    return r;
}

void machine_resolution_free(MachineResolution *r)
{
    if (!r)
        return;
    g_free(r->cpu.why);
    for (guint i = 0; i < r->devices->len; i++)
        g_free(g_array_index(r->devices, DeviceResolution, i).why);
    g_array_free(r->devices, TRUE);
    g_free(r);
}

const Plugin *machine_resolution_plugin(const MachineResolution *r, const char *name)
{
    if (!strcmp(name, "cpu"))
        return r->cpu.plugin;
    const DeviceResolution *dr = find_device(r, name);
    return dr ? dr->plugin : NULL;
}

static const char *constraint_text(const DeviceSpec *d)
{
    return *d->constraint ? d->constraint : "*";
}

static void report_one(const MachineResolution *r, const DeviceResolution *dr, FILE *out)
{
    const DeviceSpec *d = dr->spec;
    bool is_cpu = dr == &r->cpu;
    if (dr->plugin)
        return;
    fprintf(out, "tessera: %s%s:%d: %s%s (plugin %s %s)%s: %s\n",
            is_cpu || !d->optional ? "" : "warning: ", r->spec->path, d->line,
            is_cpu ? "cpu" : d->optional ? "optional device " : "required device ",
            is_cpu ? "" : d->name, d->plugin, constraint_text(d),
            is_cpu || !d->optional ? "" : " left out", dr->why);
}

void machine_resolution_report(const MachineResolution *r, FILE *out)
{
    report_one(r, &r->cpu, out);
    for (guint i = 0; i < r->devices->len; i++)
        report_one(r, &g_array_index(r->devices, DeviceResolution, i), out);
}

/* "load v1-v2 save v1-v2", "blocked: ..." or "-". */
static char *state_text(const Plugin *p)
{
    return p ? registry_plugin_state(p) : g_strdup("-");
}

void machine_resolution_print(const MachineResolution *r, FILE *out)
{
    const MachineSpec *s = r->spec;
    fprintf(out, "machine %s (%s)\n", s->name, s->path);
    fprintf(out, "%-12s  %-8s  %-16s  %-8s  %-8s  %-22s  %s\n", "INSTANCE", "PRESENCE", "PLUGIN",
            "WANTS", "VERSION", "STATE", "FILE");
    for (guint i = 0; i <= r->devices->len; i++) {
        const DeviceResolution *dr =
            i == 0 ? &r->cpu : &g_array_index(r->devices, DeviceResolution, i - 1);
        const DeviceSpec *d = dr->spec;
        char *state = state_text(dr->plugin);
        fprintf(out, "%-12s  %-8s  %-16s  %-8s  %-8s  %-22s  %s\n", i == 0 ? "cpu" : d->name,
                i > 0 && d->optional ? "optional" : "required", d->plugin, constraint_text(d),
                dr->plugin ? dr->plugin->desc->version : "-", state,
                dr->plugin ? dr->plugin->path : dr->why);
        g_free(state);
    }
    if (r->missing_required)
        fprintf(out, "cannot start: %u required device%s missing\n", r->missing_required,
                r->missing_required == 1 ? "" : "s");
    else if (r->missing_optional)
        fprintf(out, "starts without %u optional device%s\n", r->missing_optional,
                r->missing_optional == 1 ? "" : "s");
    else
        fprintf(out, "complete\n");
}
