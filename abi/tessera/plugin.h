/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI: the plugin descriptor.
 *
 * A plugin is a shared object exporting one const symbol, `tessera_plugin`, of type
 * TesseraPluginDescriptor. The loader reads and validates this data before calling
 * any function of the plugin. Rules (docs/plugin-abi.md):
 *   - ABI major changes when an existing struct member moves or changes meaning;
 *     a plugin built for another major is refused.
 *   - ABI minor changes when members are appended to a struct; a plugin built for a
 *     newer minor than the host is refused, an older one is accepted.
 */
#ifndef TESSERA_PLUGIN_H
#define TESSERA_PLUGIN_H

#include <stdint.h>

#define TESSERA_ABI_MAJOR 1
#define TESSERA_ABI_MINOR 6

/* Name of the exported descriptor symbol. */
#define TESSERA_PLUGIN_SYMBOL "tessera_plugin"

typedef enum TesseraPluginKind {
    TESSERA_PLUGIN_CPU = 1,       /* iface: const TesseraCpuClass * */
    TESSERA_PLUGIN_DEVICE = 2,    /* iface: const TesseraDeviceClass * */
    TESSERA_PLUGIN_MIGRATION = 3, /* iface: const TesseraMigrationClass * */
} TesseraPluginKind;

typedef struct TesseraPluginDescriptor {
    uint32_t abi_major;      /* TESSERA_ABI_MAJOR the plugin was built against */
    uint32_t abi_minor;      /* TESSERA_ABI_MINOR the plugin was built against */
    const char *name;        /* "slavio-timer": [a-z0-9-]+ */
    const char *version;     /* semantic version "MAJOR.MINOR.PATCH" */
    uint32_t kind;           /* TesseraPluginKind */
    const char *license;     /* SPDX identifier */
    const char *description; /* one line */
    const void *iface;       /* the class struct for `kind` */
} TesseraPluginDescriptor;

#if defined(__GNUC__)
#define TESSERA_EXPORT __attribute__((visibility("default")))
#else
#define TESSERA_EXPORT
#endif

/*
 * Declare the plugin descriptor:
 *   TESSERA_PLUGIN(.name = "escc", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
 *                  .license = "MIT", .description = "...", .iface = &escc_class);
 */
#define TESSERA_PLUGIN(...)                                                         \
    TESSERA_EXPORT extern const TesseraPluginDescriptor tessera_plugin;             \
    TESSERA_EXPORT const TesseraPluginDescriptor tessera_plugin = {                 \
        .abi_major = TESSERA_ABI_MAJOR, .abi_minor = TESSERA_ABI_MINOR, __VA_ARGS__ \
    }

/*
 * Interface structs begin with `uint32_t size`, the sizeof() the plugin (or host) was
 * built with. Members are only ever appended; a reader checks presence first.
 */
#define TESSERA_HAS_MEMBER(ptr, type, member) \
    ((ptr)->size >= __builtin_offsetof(type, member) + sizeof(((type *)0)->member))

#endif /* TESSERA_PLUGIN_H */
