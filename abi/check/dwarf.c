/* SPDX-License-Identifier: MIT */
/*
 * tessera-abi: reads the type DIEs of a shared object with libdwarf.
 *
 * Written against libdwarf 20210528 (Debian bookworm); the few calls whose
 * signature changed in libdwarf 0.x go through the TA_DW_* macros below.
 */
#include "dwarf.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<libdwarf/libdwarf.h>)
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#elif __has_include(<libdwarf-0/libdwarf.h>)
#include <libdwarf-0/dwarf.h>
#include <libdwarf-0/libdwarf.h>
#else
#include <dwarf.h>
#include <libdwarf.h>
#endif
#else
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#endif

#if defined(DW_LIBDWARF_VERSION_MAJOR) /* libdwarf 0.x */
#define TA_DW_INIT(fd, dbg, err) dwarf_init_b((fd), DW_GROUPNUMBER_ANY, NULL, NULL, (dbg), (err))
#define TA_DW_FINISH(dbg) dwarf_finish(dbg)
#else
#define TA_DW_INIT(fd, dbg, err) \
    dwarf_init_b((fd), DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, (dbg), (err))
#define TA_DW_FINISH(dbg) dwarf_finish((dbg), NULL)
#endif

/* A type while it is read: references are DIE offsets until every DIE is known. */
typedef struct Node {
    TaType t;
    bool has_target;
    Dwarf_Off target_off;
    Dwarf_Off *member_type_offs;
} Node;

struct TaDebugInfo {
    GPtrArray *nodes;      /* Node *, DIE order; owns them */
    GHashTable *by_offset; /* Dwarf_Off -> Node * */
    GHashTable *structs;   /* name -> GPtrArray of const TaType * (complete struct/union) */
};

typedef struct Reader {
    Dwarf_Debug dbg;
    TaDebugInfo *info;
    GError *error;
} Reader;

static const TaType unknown_type = { .kind = TA_TYPE_OTHER, .name = "<unknown>" };

G_DEFINE_QUARK(tessera-abi-dwarf-error-quark, ta_dwarf_error)

static void reader_fail(Reader *r, Dwarf_Error err, const char *what)
{
    if (r->error == NULL) {
        g_set_error(&r->error, TA_DWARF_ERROR, TA_DWARF_ERROR_READ, "libdwarf: %s: %s", what,
                    err ? dwarf_errmsg(err) : "failed");
    }
    if (err) {
        dwarf_dealloc_error(r->dbg, err);
    }
}

static char *die_name(Reader *r, Dwarf_Die die)
{
    char *name = NULL;
    Dwarf_Error err = NULL;
    int res = dwarf_diename(die, &name, &err);
    if (res == DW_DLV_ERROR) {
        reader_fail(r, err, "DW_AT_name");
        return NULL;
    }
    if (res != DW_DLV_OK) {
        return NULL;
    }
    char *copy = g_strdup(name);
    dwarf_dealloc(r->dbg, name, DW_DLA_STRING);
    return copy;
}

static bool die_has(Dwarf_Die die, Dwarf_Half attr)
{
    Dwarf_Bool present = 0;
    Dwarf_Error err = NULL;
    return dwarf_hasattr(die, attr, &present, &err) == DW_DLV_OK && present;
}

/* An unsigned constant attribute; signed forms are accepted when non-negative. */
static bool die_udata(Reader *r, Dwarf_Die die, Dwarf_Half attr, uint64_t *out)
{
    Dwarf_Attribute a = NULL;
    Dwarf_Error err = NULL;
    if (dwarf_attr(die, attr, &a, &err) != DW_DLV_OK) {
        if (err) {
            dwarf_dealloc_error(r->dbg, err);
        }
        return false;
    }
    Dwarf_Unsigned u = 0;
    Dwarf_Signed s = 0;
    bool ok = false;
    if (dwarf_formudata(a, &u, &err) == DW_DLV_OK) {
        *out = u;
        ok = true;
    } else {
        if (err) {
            dwarf_dealloc_error(r->dbg, err);
            err = NULL;
        }
        if (dwarf_formsdata(a, &s, &err) == DW_DLV_OK && s >= 0) {
            *out = (uint64_t)s;
            ok = true;
        } else if (err) {
            dwarf_dealloc_error(r->dbg, err);
        }
    }
    dwarf_dealloc_attribute(a);
    return ok;
}

static bool die_ref(Reader *r, Dwarf_Die die, Dwarf_Half attr, Dwarf_Off *out)
{
    Dwarf_Attribute a = NULL;
    Dwarf_Error err = NULL;
    if (dwarf_attr(die, attr, &a, &err) != DW_DLV_OK) {
        if (err) {
            dwarf_dealloc_error(r->dbg, err);
        }
        return false;
    }
    bool ok = dwarf_global_formref(a, out, &err) == DW_DLV_OK;
    if (!ok && err) {
        dwarf_dealloc_error(r->dbg, err);
    }
    dwarf_dealloc_attribute(a);
    return ok;
}

static uint64_t read_uleb(const uint8_t *p, const uint8_t *end)
{
    uint64_t v = 0;
    unsigned shift = 0;
    while (p < end && shift < 64) {
        v |= (uint64_t)(*p & 0x7f) << shift;
        shift += 7;
        if (!(*p++ & 0x80)) {
            break;
        }
    }
    return v;
}

/* DW_AT_data_member_location: a constant (DWARF 3+) or DW_OP_plus_uconst N (DWARF 2). */
static bool member_location(Reader *r, Dwarf_Die die, uint64_t *out)
{
    if (die_udata(r, die, DW_AT_data_member_location, out)) {
        return true;
    }
    Dwarf_Attribute a = NULL;
    Dwarf_Error err = NULL;
    if (dwarf_attr(die, DW_AT_data_member_location, &a, &err) != DW_DLV_OK) {
        return false;
    }
    bool ok = false;
    Dwarf_Unsigned len = 0;
    Dwarf_Ptr ptr = NULL;
    Dwarf_Block *block = NULL;
    if (dwarf_formexprloc(a, &len, &ptr, &err) == DW_DLV_OK) {
        const uint8_t *p = ptr;
        if (len > 1 && p[0] == DW_OP_plus_uconst) {
            *out = read_uleb(p + 1, p + len);
            ok = true;
        }
    } else if (dwarf_formblock(a, &block, &err) == DW_DLV_OK) {
        const uint8_t *p = block->bl_data;
        if (block->bl_len > 1 && p[0] == DW_OP_plus_uconst) {
            *out = read_uleb(p + 1, p + block->bl_len);
            ok = true;
        }
        dwarf_dealloc(r->dbg, block, DW_DLA_BLOCK);
    }
    if (err) {
        dwarf_dealloc_error(r->dbg, err);
    }
    dwarf_dealloc_attribute(a);
    return ok;
}

static Node *node_new(Reader *r, Dwarf_Die die, TaTypeKind kind)
{
    Node *n = g_new0(Node, 1);
    n->t.kind = kind;
    n->t.name = die_name(r, die);
    n->t.has_size = die_udata(r, die, DW_AT_byte_size, &n->t.size);
    n->t.declaration = die_has(die, DW_AT_declaration);
    n->has_target = die_ref(r, die, DW_AT_type, &n->target_off);
    Dwarf_Off off = 0;
    Dwarf_Error err = NULL;
    if (dwarf_dieoffset(die, &off, &err) != DW_DLV_OK) {
        reader_fail(r, err, "DIE offset");
    }
    g_ptr_array_add(r->info->nodes, n);
    g_hash_table_insert(r->info->by_offset, g_memdup2(&off, sizeof(off)), n);
    return n;
}

static void walk(Reader *r, Dwarf_Die die);

/* Calls fn on every child of `die`. */
static void each_child(Reader *r, Dwarf_Die die, void (*fn)(Reader *, Dwarf_Die, void *),
                       void *opaque)
{
    Dwarf_Die child = NULL;
    Dwarf_Error err = NULL;
    int res = dwarf_child(die, &child, &err);
    while (res == DW_DLV_OK && r->error == NULL) {
        fn(r, child, opaque);
        Dwarf_Die next = NULL;
        res = dwarf_siblingof_b(r->dbg, child, 1, &next, &err);
        dwarf_dealloc_die(child);
        child = next;
    }
    if (res == DW_DLV_ERROR) {
        reader_fail(r, err, "DIE children");
    }
}

static void walk_child(Reader *r, Dwarf_Die die, void *opaque)
{
    walk(r, die);
}

typedef struct MemberList {
    GArray *members; /* TaMember */
    GArray *offs;    /* Dwarf_Off of each member's type */
} MemberList;

static void read_member(Reader *r, Dwarf_Die die, void *opaque)
{
    MemberList *ml = opaque;
    Dwarf_Half tag = 0;
    Dwarf_Error err = NULL;
    if (dwarf_tag(die, &tag, &err) != DW_DLV_OK) {
        reader_fail(r, err, "DIE tag");
        return;
    }
    if (tag != DW_TAG_member) {
        walk(r, die); /* a type defined inside the struct (anonymous members' types) */
        return;
    }
    TaMember m = { .name = die_name(r, die) };
    uint64_t bits = 0, bit_offset = 0;
    if (die_udata(r, die, DW_AT_bit_size, &bits)) {
        m.bit_size = (uint32_t)bits;
    }
    if (!member_location(r, die, &m.offset) &&
        die_udata(r, die, DW_AT_data_bit_offset, &bit_offset)) {
        m.offset = bit_offset / 8;
    }
    Dwarf_Off off = 0;
    if (!die_ref(r, die, DW_AT_type, &off)) {
        off = (Dwarf_Off)-1;
    }
    g_array_append_val(ml->members, m);
    g_array_append_val(ml->offs, off);
}

static void read_subrange(Reader *r, Dwarf_Die die, void *opaque)
{
    GArray *dims = opaque;
    Dwarf_Half tag = 0;
    Dwarf_Error err = NULL;
    if (dwarf_tag(die, &tag, &err) != DW_DLV_OK) {
        reader_fail(r, err, "DIE tag");
        return;
    }
    if (tag != DW_TAG_subrange_type) {
        return;
    }
    uint64_t count = 0, upper = 0, lower = 0;
    if (!die_udata(r, die, DW_AT_count, &count)) {
        if (die_udata(r, die, DW_AT_upper_bound, &upper)) {
            die_udata(r, die, DW_AT_lower_bound, &lower);
            count = upper + 1 - lower;
        } else {
            count = 0; /* flexible or zero-length array */
        }
    }
    g_array_append_val(dims, count);
}

static void read_struct(Reader *r, Dwarf_Die die, TaTypeKind kind)
{
    Node *n = node_new(r, die, kind);
    MemberList ml = {
        .members = g_array_new(FALSE, TRUE, sizeof(TaMember)),
        .offs = g_array_new(FALSE, TRUE, sizeof(Dwarf_Off)),
    };
    each_child(r, die, read_member, &ml);
    n->t.n_members = ml.members->len;
    n->t.members = (TaMember *)g_array_free(ml.members, FALSE);
    n->member_type_offs = (Dwarf_Off *)g_array_free(ml.offs, FALSE);
}

static void read_array(Reader *r, Dwarf_Die die)
{
    Node *n = node_new(r, die, TA_TYPE_ARRAY);
    GArray *dims = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    each_child(r, die, read_subrange, dims);
    n->t.n_dims = dims->len;
    n->t.dims = (uint64_t *)g_array_free(dims, FALSE);
}

static void read_base(Reader *r, Dwarf_Die die)
{
    Node *n = node_new(r, die, TA_TYPE_BASE);
    uint64_t enc = 0;
    die_udata(r, die, DW_AT_encoding, &enc);
    switch (enc) {
    case DW_ATE_signed_char:
        n->t.is_char = true;
        /* fall through */
    case DW_ATE_signed:
        n->t.base = TA_BASE_SIGNED;
        break;
    case DW_ATE_unsigned_char:
        n->t.is_char = true;
        /* fall through */
    case DW_ATE_unsigned:
        n->t.base = TA_BASE_UNSIGNED;
        break;
    case DW_ATE_boolean:
        n->t.base = TA_BASE_BOOL;
        break;
    case DW_ATE_float:
        n->t.base = TA_BASE_FLOAT;
        break;
    default:
        n->t.base = TA_BASE_OTHER;
        break;
    }
}

static void walk(Reader *r, Dwarf_Die die)
{
    Dwarf_Half tag = 0;
    Dwarf_Error err = NULL;
    if (dwarf_tag(die, &tag, &err) != DW_DLV_OK) {
        reader_fail(r, err, "DIE tag");
        return;
    }
    Node *n;
    switch (tag) {
    case DW_TAG_compile_unit:
    case DW_TAG_partial_unit:
    case DW_TAG_subprogram:
    case DW_TAG_lexical_block:
        each_child(r, die, walk_child, NULL);
        break;
    case DW_TAG_structure_type:
        read_struct(r, die, TA_TYPE_STRUCT);
        break;
    case DW_TAG_union_type:
        read_struct(r, die, TA_TYPE_UNION);
        break;
    case DW_TAG_array_type:
        read_array(r, die);
        break;
    case DW_TAG_base_type:
        read_base(r, die);
        break;
    case DW_TAG_enumeration_type:
        n = node_new(r, die, TA_TYPE_ENUM);
        n->t.base = TA_BASE_UNSIGNED;
        break;
    case DW_TAG_pointer_type:
        node_new(r, die, TA_TYPE_POINTER);
        break;
    case DW_TAG_typedef:
        node_new(r, die, TA_TYPE_TYPEDEF);
        break;
    case DW_TAG_const_type:
    case DW_TAG_volatile_type:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
        n = node_new(r, die, TA_TYPE_QUALIFIER);
        g_free(n->t.name);
        n->t.name = g_strdup(tag == DW_TAG_const_type      ? "const"
                             : tag == DW_TAG_volatile_type ? "volatile"
                             : tag == DW_TAG_restrict_type ? "restrict"
                                                           : "_Atomic");
        break;
    case DW_TAG_subroutine_type:
        node_new(r, die, TA_TYPE_FUNCTION);
        break;
    default:
        break;
    }
}

static const TaType *lookup(TaDebugInfo *info, Dwarf_Off off)
{
    Node *n = g_hash_table_lookup(info->by_offset, &off);
    return n ? &n->t : &unknown_type;
}

static void add_struct_name(TaDebugInfo *info, const char *name, const TaType *t)
{
    GPtrArray *list = g_hash_table_lookup(info->structs, name);
    if (list == NULL) {
        list = g_ptr_array_new();
        g_hash_table_insert(info->structs, g_strdup(name), list);
    }
    for (guint i = 0; i < list->len; i++) {
        if (list->pdata[i] == t) {
            return;
        }
    }
    g_ptr_array_add(list, (gpointer)t);
}

/* Second pass: offsets become pointers, complete structs get indexed by name. */
static void link_types(TaDebugInfo *info)
{
    for (guint i = 0; i < info->nodes->len; i++) {
        Node *n = info->nodes->pdata[i];
        if (n->has_target) {
            n->t.target = lookup(info, n->target_off);
        }
        for (unsigned k = 0; k < n->t.n_members; k++) {
            n->t.members[k].type = lookup(info, n->member_type_offs[k]);
        }
        if (n->t.kind == TA_TYPE_ENUM && n->t.target) {
            const TaType *under = ta_type_strip(n->t.target);
            if (under->kind == TA_TYPE_BASE) {
                n->t.base = under->base;
            }
        }
    }
    for (guint i = 0; i < info->nodes->len; i++) {
        Node *n = info->nodes->pdata[i];
        const TaType *s = ta_type_strip(&n->t);
        bool complete = (s->kind == TA_TYPE_STRUCT || s->kind == TA_TYPE_UNION) &&
                        !s->declaration;
        if (complete && n->t.name &&
            (n->t.kind == TA_TYPE_TYPEDEF || n->t.kind == TA_TYPE_STRUCT ||
             n->t.kind == TA_TYPE_UNION)) {
            add_struct_name(info, n->t.name, s);
        }
    }
}

static void node_free(gpointer p)
{
    Node *n = p;
    for (unsigned k = 0; k < n->t.n_members; k++) {
        g_free(n->t.members[k].name);
    }
    g_free(n->t.members);
    g_free(n->t.dims);
    g_free(n->t.name);
    g_free(n->member_type_offs);
    g_free(n);
}

void ta_dwarf_free(TaDebugInfo *info)
{
    if (info == NULL) {
        return;
    }
    g_hash_table_destroy(info->structs);
    g_hash_table_destroy(info->by_offset);
    g_ptr_array_free(info->nodes, TRUE);
    g_free(info);
}

static guint off_hash(gconstpointer p)
{
    Dwarf_Off off = *(const Dwarf_Off *)p;
    return (guint)(off ^ (off >> 32));
}

static gboolean off_equal(gconstpointer a, gconstpointer b)
{
    return *(const Dwarf_Off *)a == *(const Dwarf_Off *)b;
}

TaDebugInfo *ta_dwarf_open(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(error, TA_DWARF_ERROR, TA_DWARF_ERROR_OPEN, "%s: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    Reader r = { 0 };
    Dwarf_Error err = NULL;
    int res = TA_DW_INIT(fd, &r.dbg, &err);
    if (res == DW_DLV_NO_ENTRY) {
        close(fd);
        g_set_error(error, TA_DWARF_ERROR, TA_DWARF_ERROR_NO_DEBUG, "%s: no DWARF debug info",
                    path);
        return NULL;
    }
    if (res != DW_DLV_OK) {
        g_set_error(error, TA_DWARF_ERROR, TA_DWARF_ERROR_OPEN, "%s: %s", path,
                    err ? dwarf_errmsg(err) : "not an ELF object");
        close(fd);
        return NULL;
    }

    r.info = g_new0(TaDebugInfo, 1);
    r.info->nodes = g_ptr_array_new_with_free_func(node_free);
    r.info->by_offset = g_hash_table_new_full(off_hash, off_equal, g_free, NULL);
    r.info->structs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify)g_ptr_array_unref);
    bool any_cu = false;
    for (;;) {
        Dwarf_Unsigned next = 0;
        Dwarf_Half cu_type = 0;
        res = dwarf_next_cu_header_d(r.dbg, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                     &next, &cu_type, &err);
        if (res == DW_DLV_NO_ENTRY) {
            break;
        }
        if (res == DW_DLV_ERROR) {
            reader_fail(&r, err, "compilation unit header");
            break;
        }
        Dwarf_Die cu = NULL;
        res = dwarf_siblingof_b(r.dbg, NULL, 1, &cu, &err);
        if (res == DW_DLV_ERROR) {
            reader_fail(&r, err, "compilation unit DIE");
            break;
        }
        if (res == DW_DLV_OK) {
            any_cu = true;
            walk(&r, cu);
            dwarf_dealloc_die(cu);
        }
        if (r.error) {
            break;
        }
    }
    TA_DW_FINISH(r.dbg);
    close(fd);

    if (r.error == NULL && !any_cu) {
        g_set_error(&r.error, TA_DWARF_ERROR, TA_DWARF_ERROR_NO_DEBUG,
                    "%s: no DWARF debug info", path);
    }
    if (r.error) {
        g_propagate_error(error, r.error);
        ta_dwarf_free(r.info);
        return NULL;
    }
    link_types(r.info);
    return r.info;
}

const GPtrArray *ta_dwarf_find_structs(const TaDebugInfo *info, const char *name)
{
    if (g_str_has_prefix(name, "struct ")) {
        name += strlen("struct ");
    } else if (g_str_has_prefix(name, "union ")) {
        name += strlen("union ");
    }
    return g_hash_table_lookup(info->structs, name);
}

const TaType *ta_dwarf_find_struct(const TaDebugInfo *info, const char *name)
{
    const GPtrArray *list = ta_dwarf_find_structs(info, name);
    return list && list->len ? list->pdata[0] : NULL;
}

const TaType *ta_type_strip(const TaType *t)
{
    while (t && (t->kind == TA_TYPE_TYPEDEF || t->kind == TA_TYPE_QUALIFIER)) {
        if (t->target == NULL) {
            static const TaType void_type = { .kind = TA_TYPE_VOID, .name = "void" };
            return &void_type;
        }
        t = t->target;
    }
    return t;
}

uint64_t ta_type_size(const TaType *t)
{
    t = ta_type_strip(t);
    if (t == NULL) {
        return 0;
    }
    if (t->kind == TA_TYPE_ARRAY) {
        uint64_t n = ta_type_size(t->target);
        for (unsigned i = 0; i < t->n_dims; i++) {
            n *= t->dims[i];
        }
        /* GCC gives arrays no byte size; trust one when present. */
        return t->has_size ? t->size : n;
    }
    return t->size;
}

bool ta_type_has_name(const TaType *t, const char *name)
{
    if (g_str_has_prefix(name, "struct ")) {
        name += strlen("struct ");
    }
    while (t) {
        if ((t->kind == TA_TYPE_TYPEDEF || t->kind == TA_TYPE_STRUCT ||
             t->kind == TA_TYPE_UNION) &&
            t->name && strcmp(t->name, name) == 0) {
            return true;
        }
        if (t->kind != TA_TYPE_TYPEDEF && t->kind != TA_TYPE_QUALIFIER) {
            return false;
        }
        t = t->target;
    }
    return false;
}

static void describe(GString *s, const TaType *t)
{
    if (t == NULL) {
        g_string_append(s, "void");
        return;
    }
    switch (t->kind) {
    case TA_TYPE_QUALIFIER:
        g_string_append_printf(s, "%s ", t->name);
        describe(s, t->target);
        return;
    case TA_TYPE_POINTER:
        describe(s, t->target);
        g_string_append(s, " *");
        return;
    case TA_TYPE_ARRAY:
        describe(s, t->target);
        for (unsigned i = 0; i < t->n_dims; i++) {
            g_string_append_printf(s, "[%" G_GUINT64_FORMAT "]", t->dims[i]);
        }
        return;
    case TA_TYPE_STRUCT:
        g_string_append_printf(s, "struct %s", t->name ? t->name : "<anonymous>");
        return;
    case TA_TYPE_UNION:
        g_string_append_printf(s, "union %s", t->name ? t->name : "<anonymous>");
        return;
    case TA_TYPE_ENUM:
        g_string_append_printf(s, "enum %s", t->name ? t->name : "<anonymous>");
        return;
    case TA_TYPE_FUNCTION:
        g_string_append(s, "function");
        return;
    default:
        g_string_append(s, t->name ? t->name : "<unnamed>");
        return;
    }
}

char *ta_type_describe(const TaType *t)
{
    GString *s = g_string_new(NULL);
    describe(s, t);
    return g_string_free(s, FALSE);
}
