/* SPDX-License-Identifier: MIT */
/*
 * The plugin ABI, pinned on x86-64. Every struct's size and member offsets, every
 * enum value and ABI constant is written here as a literal: a change that moves a
 * member fails this test, and must either be undone or become an ABI major bump
 * (docs/plugin-abi.md). Appending a member changes only the size: update the size
 * here, add the member's offset, and bump TESSERA_ABI_MINOR.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include <tessera/sbus-dma.h>
#include <tessera/sbus-iommu.h>
#include <tessera/tessera.h>

#define PIN_SIZE(type, n) cr_expect_eq(sizeof(type), (size_t)(n), "sizeof(" #type ") is %zu", \
                                       sizeof(type))
#define PIN(type, member, n)                                                            \
    cr_expect_eq(offsetof(type, member), (size_t)(n), "offsetof(" #type ", " #member \
                 ") is %zu", offsetof(type, member))

#if !defined(__x86_64__)
#error "the pinned numbers are for x86-64"
#endif

Test(abi_layout, abi_version_and_descriptor_symbol)
{
    cr_expect_eq(TESSERA_ABI_MAJOR, 1);
    cr_expect_eq(TESSERA_ABI_MINOR, 6);
    cr_expect_str_eq(TESSERA_PLUGIN_SYMBOL, "tessera_plugin");
}

Test(abi_layout, plugin_descriptor)
{
    PIN_SIZE(TesseraPluginDescriptor, 56);
    PIN(TesseraPluginDescriptor, abi_major, 0);
    PIN(TesseraPluginDescriptor, abi_minor, 4);
    PIN(TesseraPluginDescriptor, name, 8);
    PIN(TesseraPluginDescriptor, version, 16);
    PIN(TesseraPluginDescriptor, kind, 24);
    PIN(TesseraPluginDescriptor, license, 32);
    PIN(TesseraPluginDescriptor, description, 40);
    PIN(TesseraPluginDescriptor, iface, 48);
}

Test(abi_layout, plugin_kinds)
{
    cr_expect_eq(TESSERA_PLUGIN_CPU, 1);
    cr_expect_eq(TESSERA_PLUGIN_DEVICE, 2);
    cr_expect_eq(TESSERA_PLUGIN_MIGRATION, 3);
}

Test(abi_layout, mmio_region)
{
    PIN_SIZE(TesseraMmioRegion, 48);
    PIN(TesseraMmioRegion, size_of, 0);
    PIN(TesseraMmioRegion, name, 8);
    PIN(TesseraMmioRegion, size, 16);
    PIN(TesseraMmioRegion, widths, 24);
    PIN(TesseraMmioRegion, read, 32);
    PIN(TesseraMmioRegion, write, 40);
}

Test(abi_layout, bus_constants)
{
    cr_expect_eq(TESSERA_WIDTH_1, 1u);
    cr_expect_eq(TESSERA_WIDTH_2, 2u);
    cr_expect_eq(TESSERA_WIDTH_4, 4u);
    cr_expect_eq(TESSERA_WIDTH_8, 8u);
    cr_expect_eq(TESSERA_WIDTH_ANY, 15u);
    cr_expect_eq(TESSERA_PA_BITS, 36);
    cr_expect_eq(TESSERA_PA_MASK, UINT64_C(0xfffffffff));
    cr_expect_eq(TESSERA_BUS_OK, 0);
    cr_expect_eq(TESSERA_BUS_UNASSIGNED, -1);
    cr_expect_eq(TESSERA_BUS_BAD_WIDTH, -2);
}

Test(abi_layout, run_state)
{
    PIN_SIZE(TesseraRunState, 24);
    PIN(TesseraRunState, icount, 0);
    PIN(TesseraRunState, stop_at, 8);
    PIN(TesseraRunState, exit_request, 16);
    PIN(TesseraRunState, reserved, 20);
}

Test(abi_layout, cpu_exit_values)
{
    cr_expect_eq(TESSERA_CPU_BUDGET, 0);
    cr_expect_eq(TESSERA_CPU_HALTED, 1);
    cr_expect_eq(TESSERA_CPU_ERROR_MODE, 2);
}

Test(abi_layout, cpu_class)
{
    PIN_SIZE(TesseraCpuClass, 144);
    PIN(TesseraCpuClass, size, 0);
    PIN(TesseraCpuClass, instance_size, 4);
    PIN(TesseraCpuClass, state, 8);
    PIN(TesseraCpuClass, migration_blocker, 16);
    PIN(TesseraCpuClass, models, 24);
    PIN(TesseraCpuClass, init, 32);
    PIN(TesseraCpuClass, reset, 40);
    PIN(TesseraCpuClass, run, 48);
    PIN(TesseraCpuClass, set_irl, 56);
    PIN(TesseraCpuClass, n_regs, 64);
    PIN(TesseraCpuClass, reg_read, 72);
    PIN(TesseraCpuClass, reg_write, 80);
    PIN(TesseraCpuClass, dump, 88);
    PIN(TesseraCpuClass, set_pc, 96);
    PIN(TesseraCpuClass, finalize, 104);
    PIN(TesseraCpuClass, invalidate, 112);
    PIN(TesseraCpuClass, describe, 120);
    PIN(TesseraCpuClass, debug_set, 128);
    PIN(TesseraCpuClass, debug_translate, 136);
    PIN_SIZE(TesseraDebugPoint, 16);
    PIN(TesseraDebugPoint, kind, 0);
    PIN(TesseraDebugPoint, len, 4);
    PIN(TesseraDebugPoint, addr, 8);
    PIN_SIZE(TesseraDebugHit, 16);
    PIN(TesseraDebugHit, kind, 0);
    PIN(TesseraDebugHit, addr, 8);
    cr_expect_eq(TESSERA_CPU_DEBUG, 3);
    cr_expect_eq(TESSERA_DEBUG_WATCH_ACCESS, 3);
    cr_expect_eq(TESSERA_DEBUG_STEP, 4);
}

Test(abi_layout, device_class)
{
    PIN_SIZE(TesseraDeviceClass, 64);
    PIN(TesseraDeviceClass, size, 0);
    PIN(TesseraDeviceClass, instance_size, 4);
    PIN(TesseraDeviceClass, state, 8);
    PIN(TesseraDeviceClass, migration_blocker, 16);
    PIN(TesseraDeviceClass, init, 24);
    PIN(TesseraDeviceClass, realize, 32);
    PIN(TesseraDeviceClass, reset, 40);
    PIN(TesseraDeviceClass, finalize, 48);
    PIN(TesseraDeviceClass, commit, 56); /* ABI 1.6 */
}

Test(abi_layout, host_ops)
{
    PIN_SIZE(TesseraHostOps, 232);
    PIN(TesseraHostOps, size, 0);
    PIN(TesseraHostOps, log, 8);
    PIN(TesseraHostOps, prop, 16);
    PIN(TesseraHostOps, machine_opt, 24);
    PIN(TesseraHostOps, mmio_add, 32);
    PIN(TesseraHostOps, irq_out, 40);
    PIN(TesseraHostOps, irq_set, 48);
    PIN(TesseraHostOps, irq_in, 56);
    PIN(TesseraHostOps, dma_read, 64);
    PIN(TesseraHostOps, dma_write, 72);
    PIN(TesseraHostOps, mem_ptr, 80);
    PIN(TesseraHostOps, bus_read, 88);
    PIN(TesseraHostOps, bus_write, 96);
    PIN(TesseraHostOps, clock_ns, 104);
    PIN(TesseraHostOps, timer_new, 112);
    PIN(TesseraHostOps, timer_mod, 120);
    PIN(TesseraHostOps, timer_del, 128);
    PIN(TesseraHostOps, chardev, 136);
    PIN(TesseraHostOps, chr_write, 144);
    PIN(TesseraHostOps, chr_set_receiver, 152);
    PIN(TesseraHostOps, provide, 160);
    PIN(TesseraHostOps, link, 168);
    PIN(TesseraHostOps, request, 176);
    PIN(TesseraHostOps, name, 184);
    PIN(TesseraHostOps, mem_region, 192);
    PIN(TesseraHostOps, dirty_start, 200);
    PIN(TesseraHostOps, dirty_stop, 208);
    PIN(TesseraHostOps, dirty_fetch, 216);
    PIN(TesseraHostOps, net, 224);
}

Test(abi_layout, mem_region)
{
    PIN_SIZE(TesseraMemRegion, 48);
    PIN(TesseraMemRegion, size_of, 0);
    PIN(TesseraMemRegion, kind, 4);
    PIN(TesseraMemRegion, base, 8);
    PIN(TesseraMemRegion, size, 16);
    PIN(TesseraMemRegion, host, 24);
    PIN(TesseraMemRegion, dirty, 32);
    PIN(TesseraMemRegion, code, 40);
    cr_expect_eq(TESSERA_MEM_UNASSIGNED, 0);
    cr_expect_eq(TESSERA_MEM_RAM, 1);
    cr_expect_eq(TESSERA_MEM_ROM, 2);
    cr_expect_eq(TESSERA_MEM_ZERO, 3);
    cr_expect_eq(TESSERA_MEM_MMIO, 4);
    cr_expect_eq(TESSERA_PAGE_BITS, 12);
    cr_expect_eq(TESSERA_DIRTY_ALL, 0xff);
}

Test(abi_layout, host)
{
    PIN_SIZE(TesseraHost, 16);
    PIN(TesseraHost, ops, 0);
    PIN(TesseraHost, self, 8);
}

Test(abi_layout, host_enums_and_clock_rate)
{
    cr_expect_eq(TESSERA_LOG_ERROR, 0);
    cr_expect_eq(TESSERA_LOG_WARNING, 1);
    cr_expect_eq(TESSERA_LOG_INFO, 2);
    cr_expect_eq(TESSERA_LOG_DEBUG, 3);
    cr_expect_eq(TESSERA_REQUEST_POWEROFF, 1);
    cr_expect_eq(TESSERA_REQUEST_RESET, 2);
    cr_expect_eq(TESSERA_REQUEST_HALT, 3);
    cr_expect_eq(TESSERA_NS_PER_INSN, 10);
}

Test(abi_layout, has_member_checks_the_size_prefix)
{
    /* A plugin built before `name` existed hands over a shorter ops table. */
    TesseraHostOps old = { .size = offsetof(TesseraHostOps, name) };
    TesseraHost h = { .ops = &old };
    cr_expect(TESSERA_HOST_HAS(&h, request));
    cr_expect_not(TESSERA_HOST_HAS(&h, name));
}

Test(abi_layout, state_field)
{
    /* 1.2 appended member_size; 1.0/1.1 plugins' arrays keep the 48-byte stride. */
    PIN_SIZE(TesseraField, 56);
    cr_expect_eq(TESSERA_FIELD_V1_1_SIZE, 48);
    cr_expect_eq(tessera_field_stride(1), 48);
    cr_expect_eq(tessera_field_stride(2), 56);
    PIN(TesseraField, name, 0);
    PIN(TesseraField, member, 8);
    PIN(TesseraField, type, 16);
    PIN(TesseraField, offset, 20);
    PIN(TesseraField, count, 24);
    PIN(TesseraField, since, 28);
    PIN(TesseraField, dflt, 32);
    PIN(TesseraField, layout, 40);
    PIN(TesseraField, member_size, 48);
}

Test(abi_layout, field_macros_record_the_member_size)
{
    typedef struct S {
        uint16_t h;
        uint32_t w[3];
        uint8_t b[5];
    } S;
    const TesseraField f[] = { TESSERA_U16(S, h), TESSERA_ARRAY(S, w, TESSERA_FIELD_U32),
                               TESSERA_BYTES(S, b) };
    cr_expect_eq(f[0].member_size, 2);
    cr_expect_eq(f[1].member_size, 12);
    cr_expect_eq(f[2].member_size, 5);
}

Test(abi_layout, state_layout)
{
    PIN_SIZE(TesseraStateLayout, 40);
    PIN(TesseraStateLayout, struct_name, 0);
    PIN(TesseraStateLayout, size, 8);
    PIN(TesseraStateLayout, fields, 16);
    PIN(TesseraStateLayout, n_fields, 24);
    PIN(TesseraStateLayout, unmigrated, 32);
}

Test(abi_layout, field_types)
{
    cr_expect_eq(TESSERA_FIELD_U8, 1);
    cr_expect_eq(TESSERA_FIELD_U16, 2);
    cr_expect_eq(TESSERA_FIELD_U32, 3);
    cr_expect_eq(TESSERA_FIELD_U64, 4);
    cr_expect_eq(TESSERA_FIELD_I8, 5);
    cr_expect_eq(TESSERA_FIELD_I16, 6);
    cr_expect_eq(TESSERA_FIELD_I32, 7);
    cr_expect_eq(TESSERA_FIELD_I64, 8);
    cr_expect_eq(TESSERA_FIELD_BOOL, 9);
    cr_expect_eq(TESSERA_FIELD_BYTES, 10);
    cr_expect_eq(TESSERA_FIELD_STRUCT, 11);
    cr_expect_eq(TESSERA_FIELD_BLOB, 12);
}

/* A variable-length field's view (ABI 1.6). */
Test(abi_layout, blob)
{
    PIN_SIZE(TesseraBlob, 16);
    PIN(TesseraBlob, data, 0);
    PIN(TesseraBlob, len, 8);
}

Test(abi_layout, record_ops)
{
    PIN_SIZE(TesseraRecordOps, 80);
    PIN(TesseraRecordOps, size, 0);
    PIN(TesseraRecordOps, version, 8);
    PIN(TesseraRecordOps, has, 16);
    PIN(TesseraRecordOps, get, 24);
    PIN(TesseraRecordOps, set, 32);
    PIN(TesseraRecordOps, get_bytes, 40);
    PIN(TesseraRecordOps, set_bytes, 48);
    PIN(TesseraRecordOps, add, 56);
    PIN(TesseraRecordOps, remove, 64);
    PIN(TesseraRecordOps, rename, 72);
}

Test(abi_layout, converter)
{
    PIN_SIZE(TesseraConverter, 16);
    PIN(TesseraConverter, from, 0);
    PIN(TesseraConverter, to, 4);
    PIN(TesseraConverter, convert, 8);
}

Test(abi_layout, state_schema)
{
    PIN_SIZE(TesseraStateSchema, 72);
    PIN(TesseraStateSchema, size, 0);
    PIN(TesseraStateSchema, name, 8);
    PIN(TesseraStateSchema, version, 16);
    PIN(TesseraStateSchema, load_min, 20);
    PIN(TesseraStateSchema, save_min, 24);
    PIN(TesseraStateSchema, layout, 32);
    PIN(TesseraStateSchema, converters, 40);
    PIN(TesseraStateSchema, n_converters, 48);
    PIN(TesseraStateSchema, pre_save, 56);
    PIN(TesseraStateSchema, post_load, 64);
}

Test(abi_layout, instance_info)
{
    PIN_SIZE(TesseraInstanceInfo, 64);
    PIN(TesseraInstanceInfo, size, 0);
    PIN(TesseraInstanceInfo, name, 8);
    PIN(TesseraInstanceInfo, plugin, 16);
    PIN(TesseraInstanceInfo, plugin_version, 24);
    PIN(TesseraInstanceInfo, kind, 32);
    PIN(TesseraInstanceInfo, schema, 40);
    PIN(TesseraInstanceInfo, migration_blocker, 48);
    PIN(TesseraInstanceInfo, state, 56);
}

Test(abi_layout, memory_info)
{
    PIN_SIZE(TesseraMemoryInfo, 48);
    PIN(TesseraMemoryInfo, size, 0);
    PIN(TesseraMemoryInfo, name, 8);
    PIN(TesseraMemoryInfo, pa, 16);
    PIN(TesseraMemoryInfo, length, 24);
    PIN(TesseraMemoryInfo, host, 32);
    PIN(TesseraMemoryInfo, readonly, 40);
    PIN(TesseraMemoryInfo, reserved, 44);
}

Test(abi_layout, machine_view)
{
    PIN_SIZE(TesseraMachineView, 72);
    PIN(TesseraMachineView, size, 0);
    PIN(TesseraMachineView, machine, 8);
    PIN(TesseraMachineView, machine_file, 16);
    PIN(TesseraMachineView, run, 24);
    PIN(TesseraMachineView, n_instances, 32);
    PIN(TesseraMachineView, instances, 40);
    PIN(TesseraMachineView, n_memory, 48);
    PIN(TesseraMachineView, memory, 56);
    PIN(TesseraMachineView, host, 64);
}

Test(abi_layout, migrate_params_and_stats)
{
    PIN_SIZE(TesseraMigrateParams, 24);
    PIN(TesseraMigrateParams, size, 0);
    PIN(TesseraMigrateParams, auto_converge, 4);
    PIN(TesseraMigrateParams, max_bandwidth, 8);
    PIN(TesseraMigrateParams, downtime_limit_ms, 16);
    PIN_SIZE(TesseraMigrateStats, 88);
    PIN(TesseraMigrateStats, size, 0);
    PIN(TesseraMigrateStats, throttle_pct, 4);
    PIN(TesseraMigrateStats, transferred, 8);
    PIN(TesseraMigrateStats, remaining, 16);
    PIN(TesseraMigrateStats, total_ram, 24);
    PIN(TesseraMigrateStats, dirty_rate, 32);
    PIN(TesseraMigrateStats, bandwidth, 40);
    PIN(TesseraMigrateStats, expected_downtime_ms, 48);
    PIN(TesseraMigrateStats, downtime_ms, 56);
    PIN(TesseraMigrateStats, iterations, 64);
    PIN(TesseraMigrateStats, zero_pages, 72);
    PIN(TesseraMigrateStats, normal_pages, 80);
}

Test(abi_layout, migration_class)
{
    PIN_SIZE(TesseraMigrationClass, 80);
    PIN(TesseraMigrationClass, size, 0);
    PIN(TesseraMigrationClass, format, 8);
    PIN(TesseraMigrationClass, save, 16);
    PIN(TesseraMigrationClass, load, 24);
    PIN(TesseraMigrationClass, manifest, 32);
    PIN(TesseraMigrationClass, outgoing_start, 40);
    PIN(TesseraMigrationClass, outgoing_step, 48);
    PIN(TesseraMigrationClass, outgoing_set_params, 56);
    PIN(TesseraMigrationClass, outgoing_free, 64);
    PIN(TesseraMigrationClass, incoming, 72);
}

/* Out-of-tree plugins learn the ABI version from pkg-config; it must match. */
Test(abi_layout, pkg_config_file_states_the_header_abi_version)
{
    char *path = g_build_filename(TESSERA_BUILD_ROOT, "meson-private", "tessera-plugin.pc", NULL);
    char *text = NULL;
    char *major = g_strdup_printf("\nabi_major=%d\n", TESSERA_ABI_MAJOR);
    char *minor = g_strdup_printf("\nabi_minor=%d\n", TESSERA_ABI_MINOR);

    cr_assert(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
    cr_expect_not_null(strstr(text, major), "%s lacks abi_major=%d", path, TESSERA_ABI_MAJOR);
    cr_expect_not_null(strstr(text, minor), "%s lacks abi_minor=%d", path, TESSERA_ABI_MINOR);
    cr_expect_not_null(strstr(text, "\nplugindir="), "%s lacks plugindir", path);
    g_free(major);
    g_free(minor);
    g_free(path);
    g_free(text);
}

/* The interfaces SBus devices offer each other (installed headers). */
Test(abi_layout, sbus_interfaces)
{
    PIN_SIZE(SbusIommu, 40);
    PIN(SbusIommu, size, 0);
    PIN(SbusIommu, opaque, 8);
    PIN(SbusIommu, translate, 16);
    PIN(SbusIommu, dma_read, 24);
    PIN(SbusIommu, dma_write, 32);
    PIN_SIZE(SbusDma, 64);
    PIN(SbusDma, size, 0);
    PIN(SbusDma, opaque, 8);
    PIN(SbusDma, read, 16);
    PIN(SbusDma, write, 24);
    PIN(SbusDma, read_at, 32);
    PIN(SbusDma, write_at, 40);
    PIN(SbusDma, attach, 48);
    PIN(SbusDma, watch_enable, 56);
}

/* Network backends as a NIC sees them (ABI 1.3). */
Test(abi_layout, net)
{
    PIN_SIZE(TesseraNetClient, 32);
    PIN(TesseraNetClient, size_of, 0);
    PIN(TesseraNetClient, opaque, 8);
    PIN(TesseraNetClient, can_receive, 16);
    PIN(TesseraNetClient, receive, 24);
    PIN_SIZE(TesseraNetOps, 32);
    PIN(TesseraNetOps, size, 0);
    PIN(TesseraNetOps, attach, 8);
    PIN(TesseraNetOps, send, 16);
    PIN(TesseraNetOps, link_up, 24);
    cr_expect_eq(TESSERA_NET_FRAME_MIN, 14);
    cr_expect_eq(TESSERA_NET_FRAME_MAX, 1514);
}
