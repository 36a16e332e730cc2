/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi: the C types of a shared object, read from its DWARF.
 *
 * dwarf.c is the only file that talks to libdwarf. It reads every type DIE once into
 * this small model (typedefs, qualifiers, base types, enums, pointers, arrays,
 * structs and unions with their members), so the checks never see a Dwarf_Die.
 */
#ifndef TESSERA_ABI_DWARF_H
#define TESSERA_ABI_DWARF_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum TaTypeKind {
    TA_TYPE_VOID,     /* a reference without a type (void) */
    TA_TYPE_BASE,     /* int, char, _Bool, float ... */
    TA_TYPE_ENUM,
    TA_TYPE_POINTER,
    TA_TYPE_STRUCT,
    TA_TYPE_UNION,
    TA_TYPE_ARRAY,
    TA_TYPE_TYPEDEF,
    TA_TYPE_QUALIFIER, /* const, volatile, restrict, _Atomic */
    TA_TYPE_FUNCTION,
    TA_TYPE_OTHER,
} TaTypeKind;

typedef enum TaBaseClass {
    TA_BASE_SIGNED,
    TA_BASE_UNSIGNED,
    TA_BASE_BOOL,
    TA_BASE_FLOAT,
    TA_BASE_OTHER,
} TaBaseClass;

typedef struct TaType TaType;

typedef struct TaMember {
    char *name;       /* NULL for an anonymous struct/union member */
    uint64_t offset;  /* bytes from the start of the containing struct */
    uint32_t bit_size; /* non-zero: a bit-field */
    const TaType *type;
} TaMember;

struct TaType {
    TaTypeKind kind;
    char *name;          /* tag, typedef or base type name; NULL if anonymous */
    uint64_t size;       /* DW_AT_byte_size, 0 if absent */
    bool has_size;
    bool declaration;    /* an incomplete struct/union/enum */
    TaBaseClass base;    /* TA_TYPE_BASE and TA_TYPE_ENUM */
    bool is_char;        /* a character base type (DW_ATE_*_char) */
    const TaType *target; /* typedef, qualifier, pointer, array element, enum underlying */
    uint64_t *dims;      /* TA_TYPE_ARRAY: element counts, outermost first */
    unsigned n_dims;
    TaMember *members;   /* TA_TYPE_STRUCT, TA_TYPE_UNION */
    unsigned n_members;
};

typedef struct TaDebugInfo TaDebugInfo;

#define TA_DWARF_ERROR (ta_dwarf_error_quark())
GQuark ta_dwarf_error_quark(void);

typedef enum TaDwarfError {
    TA_DWARF_ERROR_OPEN,      /* the file cannot be read as ELF */
    TA_DWARF_ERROR_NO_DEBUG,  /* no .debug_info */
    TA_DWARF_ERROR_READ,      /* libdwarf refused something */
} TaDwarfError;

/* Reads the types of `path`. NULL with an error (TA_DWARF_ERROR_NO_DEBUG when the
 * object was built without -g). */
TaDebugInfo *ta_dwarf_open(const char *path, GError **error);
void ta_dwarf_free(TaDebugInfo *info);

/* Every complete definition of struct/union `name` (tag, or typedef of a struct),
 * one per compilation unit that defines it; NULL when there is none. */
const GPtrArray *ta_dwarf_find_structs(const TaDebugInfo *info, const char *name);
/* The first of them, or NULL. */
const TaType *ta_dwarf_find_struct(const TaDebugInfo *info, const char *name);

/* Follows typedefs and qualifiers. */
const TaType *ta_type_strip(const TaType *t);
/* sizeof() of a type, following typedefs, qualifiers and arrays. */
uint64_t ta_type_size(const TaType *t);
/* True when `t` (a struct/union, maybe behind typedefs) is called `name` by its tag
 * or by one of the typedef names on the way to it. */
bool ta_type_has_name(const TaType *t, const char *name);
/* The C spelling of a type, e.g. "uint32_t[8][16]", "struct foo", "const char *". */
char *ta_type_describe(const TaType *t);

#endif /* TESSERA_ABI_DWARF_H */
