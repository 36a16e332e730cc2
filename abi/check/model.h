/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi: a plugin's declared state, copied out of the plugin (model.c) or out
 * of a saved JSON dump (json.c), so check, dump and diff work on one shape.
 */
#ifndef TESSERA_ABI_MODEL_H
#define TESSERA_ABI_MODEL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct TaLayout TaLayout;

typedef struct TaField {
    char *name;      /* wire name */
    char *member;    /* C member */
    uint32_t type;   /* TesseraFieldType */
    uint32_t offset;
    uint32_t size;   /* bytes of one element: 1..8, 1 for bytes, layout size for struct */
    uint32_t count;
    uint32_t since;
    TaLayout *layout; /* TESSERA_FIELD_STRUCT */
} TaField;

struct TaLayout {
    char *struct_name;
    uint32_t size;
    GPtrArray *fields;     /* TaField * */
    GPtrArray *unmigrated; /* char * */
};

typedef struct TaConverter {
    uint32_t from, to;
} TaConverter;

typedef struct TaSchema {
    char *name;
    uint32_t version, load_min, save_min;
    TaLayout *layout;
    GArray *converters; /* TaConverter */
    char *fingerprint;  /* hex SHA-256 of the canonical field list */
} TaSchema;

typedef struct TaPlugin {
    char *path;
    char *name;    /* descriptor name (the file name until it is known) */
    char *version; /* semver */
    uint32_t kind; /* TesseraPluginKind, 0 when read from JSON */
    uint32_t abi_major, abi_minor;
    uint32_t instance_size;
    char *blocker;       /* migration_blocker of a blocked cpu/device */
    GPtrArray *schemas;  /* TaSchema * */
    GPtrArray *problems; /* char *: what is wrong with the declared data itself */
} TaPlugin;

/* Loads a plugin with g_module_open and copies its descriptor and schema; no plugin
 * function is called. NULL + error when the file is not a loadable Tessera plugin;
 * problems with the schema data itself land in plugin->problems. */
TaPlugin *ta_plugin_load_so(const char *path, GError **error);
/* Reads a dump written by ta_plugin_to_json(). */
TaPlugin *ta_plugin_load_json(const char *path, GError **error);
/* A .so or .json path, told apart by content (ELF magic). */
TaPlugin *ta_plugin_load(const char *path, GError **error);
void ta_plugin_free(TaPlugin *p);

char *ta_plugin_to_json(const TaPlugin *p);
void ta_plugin_print(const TaPlugin *p, FILE *out);

/* "u8" ... "struct"; NULL for an unknown type. */
const char *ta_field_type_name(uint32_t type);
/* The inverse; 0 when unknown. */
uint32_t ta_field_type_parse(const char *name);
/* Bytes of one element of a scalar type, 0 for bytes/struct/unknown. */
uint32_t ta_field_type_size(uint32_t type);
const char *ta_plugin_kind_name(uint32_t kind);

/* Fills schema->fingerprint from the layout. */
void ta_schema_fingerprint(TaSchema *s);

TaLayout *ta_layout_new(void);
TaField *ta_field_new(void);
TaSchema *ta_schema_new(void);
TaPlugin *ta_plugin_new(const char *path);

#endif /* TESSERA_ABI_MODEL_H */
