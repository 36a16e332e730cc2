/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI: declared, versioned device state.
 *
 * Every CPU and device type declares a TesseraStateSchema (or a migration blocker
 * with a reason). The schema lists the fields of the instance struct that make up
 * the guest-visible state; offsets are relative to the start of the instance (the
 * memory the host allocated with the class's instance_size). The migration plugin
 * saves and loads by this table; tessera-abi checks it against the plugin's DWARF.
 *
 * Versions: `version` is what the plugin saves by default; it can load any version
 * in [load_min, version] directly (fields newer than the snapshot take `dflt`), and
 * save any version in [save_min, version]. Converters between adjacent versions extend
 * both: an upgrade converter (from = n, to = n + 1) lets older snapshots load, a
 * downgrade converter (from = n + 1, to = n) lets the plugin save for older peers.
 */
#ifndef TESSERA_STATE_H
#define TESSERA_STATE_H

#include <stddef.h>
#include <stdint.h>

typedef enum TesseraFieldType {
    TESSERA_FIELD_U8 = 1,
    TESSERA_FIELD_U16 = 2,
    TESSERA_FIELD_U32 = 3,
    TESSERA_FIELD_U64 = 4,
    TESSERA_FIELD_I8 = 5,
    TESSERA_FIELD_I16 = 6,
    TESSERA_FIELD_I32 = 7,
    TESSERA_FIELD_I64 = 8,
    TESSERA_FIELD_BOOL = 9,   /* C `bool`, one byte */
    TESSERA_FIELD_BYTES = 10, /* uint8_t/char buffer of `count` bytes */
    TESSERA_FIELD_STRUCT = 11, /* `count` elements of `layout` */
    TESSERA_FIELD_BLOB = 12    /* ABI 1.6: a TesseraBlob, bytes of a length known when saved */
} TesseraFieldType;

/*
 * The member a BLOB field names (ABI 1.6): a view of variable-length bytes, such as a
 * disk overlay's blocks. A BLOB is a top-level field of count 1 (not inside a STRUCT).
 * Saving: pre_save points it at the bytes (the device owns them, until its next
 * pre_save); the host copies `len` of them into the record (a "blob" field of `len`
 * elements, 1 <= len <= 1 GiB). Loading: the host points it at the loaded bytes, which
 * it owns and which stay valid only while post_load runs; outside pre_save..save and
 * load..post_load the view is {NULL, 0}, which post_load also sees when a converter or
 * an older version carried no such field (keep what you have). Devices with a BLOB
 * field get their post_load after every other device's, so a refusal elsewhere rolls
 * the machine back before any of them took its bytes.
 */
typedef struct TesseraBlob {
    const uint8_t *data;
    uint64_t len;
} TesseraBlob;

/* The facts about field types, defined once here for the core, the migration
 * plugin and tessera-abi. Bytes one element occupies: 1, 2, 4 or 8 (BYTES and BLOB:
 * 1 a byte, in a record); 0 for STRUCT (its layout says) and unknown types. */
static inline unsigned tessera_field_type_width(uint32_t type)
{
    static const unsigned char width[] = {
        [TESSERA_FIELD_U8] = 1,   [TESSERA_FIELD_U16] = 2,   [TESSERA_FIELD_U32] = 4,
        [TESSERA_FIELD_U64] = 8,  [TESSERA_FIELD_I8] = 1,    [TESSERA_FIELD_I16] = 2,
        [TESSERA_FIELD_I32] = 4,  [TESSERA_FIELD_I64] = 8,   [TESSERA_FIELD_BOOL] = 1,
        [TESSERA_FIELD_BYTES] = 1, [TESSERA_FIELD_BLOB] = 1,
    };
    return type < sizeof(width) ? width[type] : 0;
}

static inline int tessera_field_type_signed(uint32_t type)
{
    return type >= TESSERA_FIELD_I8 && type <= TESSERA_FIELD_I64;
}

/* The name schemas, snapshots and tessera-abi use ("u8", "bytes", ...); NULL for
 * an unknown type. */
static inline const char *tessera_field_type_name(uint32_t type)
{
    static const char *const names[] = {
        [TESSERA_FIELD_U8] = "u8",       [TESSERA_FIELD_U16] = "u16",
        [TESSERA_FIELD_U32] = "u32",     [TESSERA_FIELD_U64] = "u64",
        [TESSERA_FIELD_I8] = "i8",       [TESSERA_FIELD_I16] = "i16",
        [TESSERA_FIELD_I32] = "i32",     [TESSERA_FIELD_I64] = "i64",
        [TESSERA_FIELD_BOOL] = "bool",   [TESSERA_FIELD_BYTES] = "bytes",
        [TESSERA_FIELD_STRUCT] = "struct", [TESSERA_FIELD_BLOB] = "blob",
    };
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

struct TesseraStateLayout;

typedef struct TesseraField {
    const char *name;   /* wire name, stable across versions */
    const char *member; /* C member name in the containing struct */
    uint32_t type;      /* TesseraFieldType */
    uint32_t offset;    /* offsetof(struct, member) */
    uint32_t count;     /* scalars: elements (1 = plain scalar); BYTES: bytes; STRUCT: elements */
    uint32_t since;     /* first state version that carries this field */
    uint64_t dflt;      /* value taken when a loaded version predates the field (scalars) */
    const struct TesseraStateLayout *layout; /* STRUCT only: the element layout */
    /* ABI 1.2: sizeof the member (the whole array when count > 1), recorded by the
     * declaration macros; 0 = not recorded. The loader refuses a field whose type
     * and count do not cover exactly this many bytes (a u16 over a uint32_t). */
    uint32_t member_size;
} TesseraField;

/* Plugins built for ABI 1.0 and 1.1 have fields without member_size: their field
 * arrays step by this many bytes, which the host and tessera-abi honour (the
 * descriptor's abi_minor says which stride a plugin's arrays have). */
#define TESSERA_FIELD_V1_1_SIZE 48u
static inline size_t tessera_field_stride(uint32_t abi_minor)
{
    return abi_minor >= 2 ? sizeof(TesseraField) : TESSERA_FIELD_V1_1_SIZE;
}

typedef struct TesseraStateLayout {
    const char *struct_name; /* C struct tag (or typedef name) this layout describes */
    uint32_t size;           /* sizeof(struct) */
    const TesseraField *fields;
    uint32_t n_fields;
    /* Members deliberately not migrated (host pointers, handles), NULL-terminated. */
    const char *const *unmigrated;
} TesseraStateLayout;

/*
 * A state record: one device's state at one version, as named fields. Converters
 * edit a record in place through TesseraRecordOps. Fields of nested structs are
 * addressed as "outer.inner"; index runs over all elements (outer-major).
 */
typedef struct TesseraRecord TesseraRecord;

typedef struct TesseraRecordOps {
    uint32_t size;
    uint32_t (*version)(const TesseraRecord *rec);
    int (*has)(const TesseraRecord *rec, const char *field);
    /* Scalars of any width (bool, signed sign-extended). 0 on success, -1 if absent/out of range. */
    int (*get)(const TesseraRecord *rec, const char *field, uint32_t index, uint64_t *out);
    int (*set)(TesseraRecord *rec, const char *field, uint32_t index, uint64_t value);
    /* Byte buffers. */
    const void *(*get_bytes)(const TesseraRecord *rec, const char *field, size_t *len);
    int (*set_bytes)(TesseraRecord *rec, const char *field, const void *buf, size_t len);
    /* Shape changes: a new field starts zeroed. */
    int (*add)(TesseraRecord *rec, const char *field, uint32_t type, uint32_t count);
    int (*remove)(TesseraRecord *rec, const char *field);
    int (*rename)(TesseraRecord *rec, const char *field, const char *new_name);
} TesseraRecordOps;

/* Converts `rec` from version `from` to `to` (adjacent). The host sets the record's
 * version afterwards. Returns 0, or -1 with a message in err. */
typedef int (*TesseraConvertFn)(TesseraRecord *rec, const TesseraRecordOps *ops, char *err,
                                size_t errlen);

typedef struct TesseraConverter {
    uint32_t from;
    uint32_t to;
    TesseraConvertFn convert;
} TesseraConverter;

typedef struct TesseraStateSchema {
    uint32_t size;         /* sizeof(TesseraStateSchema) */
    const char *name;      /* schema name, usually the plugin name */
    uint32_t version;      /* current (default save) version, >= 1 */
    uint32_t load_min;     /* oldest version loadable without converters */
    uint32_t save_min;     /* oldest version savable without converters */
    const TesseraStateLayout *layout; /* the instance struct at `version` */
    const TesseraConverter *converters;
    uint32_t n_converters;
    /* Hooks, all optional. pre_save may sync derived state into fields; post_load
     * re-derives host-side state (timers, IRQ levels) and must not touch other devices. */
    int (*pre_save)(void *instance);
    int (*post_load)(void *instance, char *err, size_t errlen);
} TesseraStateSchema;

/* Field declaration helpers. S is the struct type, m the member. */
#define TESSERA_FIELD_DECL(S, m, T, n, since_)                                    \
    {                                                                             \
        .name = #m, .member = #m, .type = (T), .offset = (uint32_t)offsetof(S, m), \
        .count = (n), .since = (since_),                                          \
        .member_size = (uint32_t)sizeof(((S *)0)->m)                              \
    }
#define TESSERA_U8(S, m) TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_U8, 1, 1)
#define TESSERA_U16(S, m) TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_U16, 1, 1)
#define TESSERA_U32(S, m) TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_U32, 1, 1)
#define TESSERA_U64(S, m) TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_U64, 1, 1)
#define TESSERA_I32(S, m) TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_I32, 1, 1)
#define TESSERA_I64(S, m) TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_I64, 1, 1)
#define TESSERA_BOOL(S, m) TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_BOOL, 1, 1)
#define TESSERA_BYTES(S, m) \
    TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_BYTES, (uint32_t)sizeof(((S *)0)->m), 1)
#define TESSERA_ARRAY(S, m, T) \
    TESSERA_FIELD_DECL(S, m, T, (uint32_t)(sizeof(((S *)0)->m) / sizeof(((S *)0)->m[0])), 1)
/* A TesseraBlob member, first carried by state version `since_`. */
#define TESSERA_BLOB(S, m, since_) TESSERA_FIELD_DECL(S, m, TESSERA_FIELD_BLOB, 1, since_)
#define TESSERA_STRUCTS(S, m, L)                                                   \
    {                                                                              \
        .name = #m, .member = #m, .type = TESSERA_FIELD_STRUCT,                    \
        .offset = (uint32_t)offsetof(S, m),                                        \
        .count = (uint32_t)(sizeof(((S *)0)->m) / sizeof(((S *)0)->m[0])), .since = 1, \
        .layout = &(L), .member_size = (uint32_t)sizeof(((S *)0)->m)               \
    }

#define TESSERA_STRUCT(S, m, L)                                                 \
    {                                                                           \
        .name = #m, .member = #m, .type = TESSERA_FIELD_STRUCT,                 \
        .offset = (uint32_t)offsetof(S, m), .count = 1, .since = 1, .layout = &(L), \
        .member_size = (uint32_t)sizeof(((S *)0)->m)                            \
    }

#define TESSERA_N_ELEMS(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

#endif /* TESSERA_STATE_H */
