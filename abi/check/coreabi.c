/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi: the core ABI structs as the plugin was compiled, against this tool's
 * own build of the abi/tessera headers (sizeof/offsetof below).
 *
 * Rules (plugin.h): members are only appended within an ABI major. A plugin built
 * for the same minor must agree exactly; one built for an older minor must have a
 * prefix of each struct; one built for a newer minor is beyond what this tool knows.
 */
#include <string.h>

#include "check.h"
#include "tessera/tessera.h"

typedef struct CoreMember {
    const char *name;
    size_t offset;
    size_t size;
} CoreMember;

typedef struct CoreStruct {
    const char *name;
    size_t size;
    const CoreMember *members;
    size_t n_members;
} CoreStruct;

#define M(S, m) { #m, offsetof(S, m), sizeof(((S *)0)->m) }
#define CORE(S, list) { #S, sizeof(S), list, G_N_ELEMENTS(list) }

static const CoreMember descriptor_m[] = {
    M(TesseraPluginDescriptor, abi_major), M(TesseraPluginDescriptor, abi_minor),
    M(TesseraPluginDescriptor, name),      M(TesseraPluginDescriptor, version),
    M(TesseraPluginDescriptor, kind),      M(TesseraPluginDescriptor, license),
    M(TesseraPluginDescriptor, description), M(TesseraPluginDescriptor, iface),
};
static const CoreMember device_m[] = {
    M(TesseraDeviceClass, size),     M(TesseraDeviceClass, instance_size),
    M(TesseraDeviceClass, state),    M(TesseraDeviceClass, migration_blocker),
    M(TesseraDeviceClass, init),     M(TesseraDeviceClass, realize),
    M(TesseraDeviceClass, reset),    M(TesseraDeviceClass, finalize),
    M(TesseraDeviceClass, commit),
};
static const CoreMember cpu_m[] = {
    M(TesseraCpuClass, size),      M(TesseraCpuClass, instance_size),
    M(TesseraCpuClass, state),     M(TesseraCpuClass, migration_blocker),
    M(TesseraCpuClass, models),    M(TesseraCpuClass, init),
    M(TesseraCpuClass, reset),     M(TesseraCpuClass, run),
    M(TesseraCpuClass, set_irl),   M(TesseraCpuClass, n_regs),
    M(TesseraCpuClass, reg_read),  M(TesseraCpuClass, reg_write),
    M(TesseraCpuClass, dump),      M(TesseraCpuClass, set_pc),
    M(TesseraCpuClass, finalize),  M(TesseraCpuClass, invalidate),
    M(TesseraCpuClass, describe),  M(TesseraCpuClass, debug_set),
    M(TesseraCpuClass, debug_translate),
};
static const CoreMember runstate_m[] = {
    M(TesseraRunState, icount), M(TesseraRunState, stop_at),
    M(TesseraRunState, exit_request), M(TesseraRunState, reserved),
};
static const CoreMember migration_m[] = {
    M(TesseraMigrationClass, size), M(TesseraMigrationClass, format),
    M(TesseraMigrationClass, save), M(TesseraMigrationClass, load),
    M(TesseraMigrationClass, manifest),
    M(TesseraMigrationClass, outgoing_start), M(TesseraMigrationClass, outgoing_step),
    M(TesseraMigrationClass, outgoing_set_params), M(TesseraMigrationClass, outgoing_free),
    M(TesseraMigrationClass, incoming),
};
static const CoreMember migrate_params_m[] = {
    M(TesseraMigrateParams, size), M(TesseraMigrateParams, auto_converge),
    M(TesseraMigrateParams, max_bandwidth), M(TesseraMigrateParams, downtime_limit_ms),
};
static const CoreMember migrate_stats_m[] = {
    M(TesseraMigrateStats, size),        M(TesseraMigrateStats, throttle_pct),
    M(TesseraMigrateStats, transferred), M(TesseraMigrateStats, remaining),
    M(TesseraMigrateStats, total_ram),   M(TesseraMigrateStats, dirty_rate),
    M(TesseraMigrateStats, bandwidth),   M(TesseraMigrateStats, expected_downtime_ms),
    M(TesseraMigrateStats, downtime_ms), M(TesseraMigrateStats, iterations),
    M(TesseraMigrateStats, zero_pages),  M(TesseraMigrateStats, normal_pages),
};
static const CoreMember instance_info_m[] = {
    M(TesseraInstanceInfo, size),   M(TesseraInstanceInfo, name),
    M(TesseraInstanceInfo, plugin), M(TesseraInstanceInfo, plugin_version),
    M(TesseraInstanceInfo, kind),   M(TesseraInstanceInfo, schema),
    M(TesseraInstanceInfo, migration_blocker), M(TesseraInstanceInfo, state),
};
static const CoreMember memory_info_m[] = {
    M(TesseraMemoryInfo, size),   M(TesseraMemoryInfo, name),
    M(TesseraMemoryInfo, pa),     M(TesseraMemoryInfo, length),
    M(TesseraMemoryInfo, host),   M(TesseraMemoryInfo, readonly),
    M(TesseraMemoryInfo, reserved),
};
static const CoreMember machine_view_m[] = {
    M(TesseraMachineView, size),        M(TesseraMachineView, machine),
    M(TesseraMachineView, machine_file), M(TesseraMachineView, run),
    M(TesseraMachineView, n_instances), M(TesseraMachineView, instances),
    M(TesseraMachineView, n_memory),    M(TesseraMachineView, memory),
    M(TesseraMachineView, host),
};
static const CoreMember field_m[] = {
    M(TesseraField, name),   M(TesseraField, member), M(TesseraField, type),
    M(TesseraField, offset), M(TesseraField, count),  M(TesseraField, since),
    M(TesseraField, dflt),   M(TesseraField, layout), M(TesseraField, member_size),
};
static const CoreMember layout_m[] = {
    M(TesseraStateLayout, struct_name), M(TesseraStateLayout, size),
    M(TesseraStateLayout, fields),      M(TesseraStateLayout, n_fields),
    M(TesseraStateLayout, unmigrated),
};
static const CoreMember converter_m[] = {
    M(TesseraConverter, from), M(TesseraConverter, to), M(TesseraConverter, convert),
};
static const CoreMember blob_m[] = {
    M(TesseraBlob, data), M(TesseraBlob, len),
};
static const CoreMember schema_m[] = {
    M(TesseraStateSchema, size),       M(TesseraStateSchema, name),
    M(TesseraStateSchema, version),    M(TesseraStateSchema, load_min),
    M(TesseraStateSchema, save_min),   M(TesseraStateSchema, layout),
    M(TesseraStateSchema, converters), M(TesseraStateSchema, n_converters),
    M(TesseraStateSchema, pre_save),   M(TesseraStateSchema, post_load),
};
static const CoreMember record_ops_m[] = {
    M(TesseraRecordOps, size),      M(TesseraRecordOps, version),
    M(TesseraRecordOps, has),       M(TesseraRecordOps, get),
    M(TesseraRecordOps, set),       M(TesseraRecordOps, get_bytes),
    M(TesseraRecordOps, set_bytes), M(TesseraRecordOps, add),
    M(TesseraRecordOps, remove),    M(TesseraRecordOps, rename),
};
static const CoreMember host_m[] = {
    M(TesseraHost, ops), M(TesseraHost, self),
};
static const CoreMember host_ops_m[] = {
    M(TesseraHostOps, size),      M(TesseraHostOps, log),
    M(TesseraHostOps, prop),      M(TesseraHostOps, machine_opt),
    M(TesseraHostOps, mmio_add),  M(TesseraHostOps, irq_out),
    M(TesseraHostOps, irq_set),   M(TesseraHostOps, irq_in),
    M(TesseraHostOps, dma_read),  M(TesseraHostOps, dma_write),
    M(TesseraHostOps, mem_ptr),   M(TesseraHostOps, bus_read),
    M(TesseraHostOps, bus_write), M(TesseraHostOps, clock_ns),
    M(TesseraHostOps, timer_new), M(TesseraHostOps, timer_mod),
    M(TesseraHostOps, timer_del), M(TesseraHostOps, chardev),
    M(TesseraHostOps, chr_write), M(TesseraHostOps, chr_set_receiver),
    M(TesseraHostOps, provide),   M(TesseraHostOps, link),
    M(TesseraHostOps, request),   M(TesseraHostOps, name),
    M(TesseraHostOps, mem_region), M(TesseraHostOps, dirty_start),
    M(TesseraHostOps, dirty_stop), M(TesseraHostOps, dirty_fetch),
    M(TesseraHostOps, net),
};
static const CoreMember mmio_region_m[] = {
    M(TesseraMmioRegion, size_of), M(TesseraMmioRegion, name),
    M(TesseraMmioRegion, size),    M(TesseraMmioRegion, widths),
    M(TesseraMmioRegion, read),    M(TesseraMmioRegion, write),
};
static const CoreMember mem_region_m[] = {
    M(TesseraMemRegion, size_of), M(TesseraMemRegion, kind),
    M(TesseraMemRegion, base),    M(TesseraMemRegion, size),
    M(TesseraMemRegion, host),    M(TesseraMemRegion, dirty),
    M(TesseraMemRegion, code),
};

static const CoreMember net_client_m[] = {
    M(TesseraNetClient, size_of),     M(TesseraNetClient, opaque),
    M(TesseraNetClient, can_receive), M(TesseraNetClient, receive),
};
static const CoreMember net_ops_m[] = {
    M(TesseraNetOps, size), M(TesseraNetOps, attach),
    M(TesseraNetOps, send), M(TesseraNetOps, link_up),
};

static const CoreStruct core_structs[] = {
    CORE(TesseraPluginDescriptor, descriptor_m),
    CORE(TesseraDeviceClass, device_m),
    CORE(TesseraCpuClass, cpu_m),
    CORE(TesseraRunState, runstate_m),
    CORE(TesseraMigrationClass, migration_m),
    CORE(TesseraInstanceInfo, instance_info_m),
    CORE(TesseraMemoryInfo, memory_info_m),
    CORE(TesseraMachineView, machine_view_m),
    CORE(TesseraMigrateParams, migrate_params_m),
    CORE(TesseraMigrateStats, migrate_stats_m),
    CORE(TesseraStateSchema, schema_m),
    CORE(TesseraStateLayout, layout_m),
    CORE(TesseraField, field_m),
    CORE(TesseraConverter, converter_m),
    CORE(TesseraBlob, blob_m),
    CORE(TesseraRecordOps, record_ops_m),
    CORE(TesseraHost, host_m),
    CORE(TesseraHostOps, host_ops_m),
    CORE(TesseraMmioRegion, mmio_region_m),
    CORE(TesseraMemRegion, mem_region_m),
    CORE(TesseraNetClient, net_client_m),
    CORE(TesseraNetOps, net_ops_m),
};

static const CoreMember *core_member(const CoreStruct *cs, const char *name)
{
    for (size_t i = 0; i < cs->n_members; i++) {
        if (strcmp(cs->members[i].name, name) == 0) {
            return &cs->members[i];
        }
    }
    return NULL;
}

static const TaMember *plugin_member(const TaType *st, const char *name)
{
    for (unsigned i = 0; i < st->n_members; i++) {
        if (st->members[i].name && strcmp(st->members[i].name, name) == 0) {
            return &st->members[i];
        }
    }
    return NULL;
}

static void check_struct(TaReport *r, const CoreStruct *cs, const TaType *st, bool same_minor,
                         const char *abi)
{
    uint64_t size = st->size;
    if (same_minor ? size != cs->size : size > cs->size) {
        ta_problem(r, "ABI %s: struct %s: plugin says size %" G_GUINT64_FORMAT ", core says size %zu",
                   abi, cs->name, size, cs->size);
    }
    for (unsigned i = 0; i < st->n_members; i++) {
        const TaMember *m = &st->members[i];
        const char *name = m->name ? m->name : "<anonymous>";
        const CoreMember *cm = m->name ? core_member(cs, m->name) : NULL;
        if (cm == NULL) {
            ta_problem(r, "ABI %s: struct %s: member %s: plugin has it, core does not", abi,
                       cs->name, name);
            continue;
        }
        if (m->offset != cm->offset) {
            ta_problem(r, "ABI %s: struct %s: member %s: plugin says offset %" G_GUINT64_FORMAT
                          ", core says offset %zu",
                       abi, cs->name, name, m->offset, cm->offset);
        }
        uint64_t msize = ta_type_size(m->type);
        if (msize != cm->size) {
            ta_problem(r, "ABI %s: struct %s: member %s: plugin says size %" G_GUINT64_FORMAT
                          ", core says size %zu",
                       abi, cs->name, name, msize, cm->size);
        }
    }
    if (same_minor) {
        for (size_t i = 0; i < cs->n_members; i++) {
            if (plugin_member(st, cs->members[i].name) == NULL) {
                ta_problem(r, "ABI %s: struct %s: member %s: core has it, plugin does not", abi,
                           cs->name, cs->members[i].name);
            }
        }
    }
}

void ta_check_core_abi(TaReport *r, const TaPlugin *p, const TaDebugInfo *dbg)
{
    char abi[32];
    g_snprintf(abi, sizeof(abi), "%u.%u", p->abi_major, p->abi_minor);
    if (p->abi_major != TESSERA_ABI_MAJOR) {
        return; /* reported by the loader */
    }
    if (p->abi_minor > TESSERA_ABI_MINOR) {
        ta_problem(r, "ABI %s: plugin is built for a newer ABI than this tessera-abi knows "
                      "(%d.%d); rebuild tessera-abi from the same tree",
                   abi, TESSERA_ABI_MAJOR, TESSERA_ABI_MINOR);
        return;
    }
    bool same_minor = p->abi_minor == TESSERA_ABI_MINOR;
    for (size_t i = 0; i < G_N_ELEMENTS(core_structs); i++) {
        const GPtrArray *defs = ta_dwarf_find_structs(dbg, core_structs[i].name);
        /* Every compilation unit's copy: they could come from different headers. */
        for (guint k = 0; defs && k < defs->len; k++) {
            const TaType *st = defs->pdata[k];
            if (st->kind == TA_TYPE_STRUCT) {
                check_struct(r, &core_structs[i], st, same_minor, abi);
            }
        }
    }
}
