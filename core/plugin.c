/* SPDX-License-Identifier: MIT */
/*
 * Plugin discovery, validation and lookup.
 *
 * A plugin file is checked in three stages, and refused with one line at the first
 * problem: who can change it (owner and write permission of the file and of every
 * directory above it, checked on the opened descriptor before it is loaded, and the
 * descriptor is what gets loaded; see open_trusted), the dynamic link (no lazy binding,
 * so an unresolved symbol fails here and not mid-run), and the const data it exports
 * (descriptor, class, state schema). Reading that data runs no plugin code, so a
 * refused plugin never had a function called. docs/plugin-abi.md is the user side.
 */
#define _GNU_SOURCE /* O_PATH */
#include "plugin.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define PLUGIN_ERROR (g_quark_from_static_string("tessera-plugin-error"))

/* Nested STRUCT layouts deeper than this are taken for a cycle. */
#define LAYOUT_MAX_DEPTH 16
/* More fields than this in one layout are taken for garbage. */
#define LAYOUT_MAX_FIELDS 65536
/* How deep registry_scan descends below a search directory. */
#define SCAN_MAX_DEPTH 8

/* The smallest class a v1.0 plugin can have: everything up to the last v1.0 member.
 * Later minors append members, so these stay fixed when the structs grow. */
#define SIZE_UPTO(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#define CPU_CLASS_V1_0_SIZE SIZE_UPTO(TesseraCpuClass, finalize)
#define DEVICE_CLASS_V1_0_SIZE SIZE_UPTO(TesseraDeviceClass, finalize)
#define MIGRATION_CLASS_V1_0_SIZE SIZE_UPTO(TesseraMigrationClass, manifest)
#define SCHEMA_V1_0_SIZE SIZE_UPTO(TesseraStateSchema, post_load)

const char *plugin_kind_name(uint32_t kind)
{
    switch (kind) {
    case TESSERA_PLUGIN_CPU:
        return "cpu";
    case TESSERA_PLUGIN_DEVICE:
        return "device";
    case TESSERA_PLUGIN_MIGRATION:
        return "migration";
    default:
        return "unknown";
    }
}

static void plugin_free(gpointer data)
{
    Plugin *p = data;

    if (p->module)
        g_module_close(p->module);
    if (p->fd >= 0)
        close(p->fd);
    if (p->schema_copy)
        g_ptr_array_free(p->schema_copy, TRUE);
    g_free(p->path);
    g_free(p);
}

static void refusal_free(gpointer data)
{
    PluginRefusal *r = data;

    g_free(r->path);
    g_free(r->reason);
    g_free(r->name);
    g_free(r);
}

PluginRegistry *registry_new(void)
{
    PluginRegistry *reg = g_new0(PluginRegistry, 1);

    reg->plugins = g_ptr_array_new_with_free_func(plugin_free);
    reg->refused = g_ptr_array_new_with_free_func(refusal_free);
    reg->dirs = g_ptr_array_new_with_free_func(g_free);
    reg->set_aside = g_ptr_array_new_with_free_func(plugin_free);
    return reg;
}

void registry_free(PluginRegistry *reg)
{
    if (!reg)
        return;
    g_ptr_array_free(reg->plugins, TRUE);
    g_ptr_array_free(reg->refused, TRUE);
    g_ptr_array_free(reg->dirs, TRUE);
    g_ptr_array_free(reg->set_aside, TRUE);
    g_free(reg);
}

/* ---- search path ---- */

void registry_add_dir(PluginRegistry *reg, const char *dir)
{
    if (!dir || !*dir)
        return;
    for (guint i = 0; i < reg->dirs->len; i++)
        if (strcmp(reg->dirs->pdata[i], dir) == 0)
            return;
    g_ptr_array_add(reg->dirs, g_strdup(dir));
}

void registry_add_default_dirs(PluginRegistry *reg, char **extra_dirs)
{
    for (char **d = extra_dirs; d && *d; d++)
        registry_add_dir(reg, *d);

    const char *env = g_getenv("TESSERA_PLUGIN_PATH");
    if (env) {
        char **parts = g_strsplit(env, ":", -1);
        for (char **d = parts; *d; d++)
            registry_add_dir(reg, *d);
        g_strfreev(parts);
    }

    if (paths_uninstalled()) {
        char *tree = g_build_filename(TESSERA_BUILD_ROOT, "plugins", NULL);
        registry_add_dir(reg, tree);
        g_free(tree);
    }
    registry_add_dir(reg, TESSERA_PLUGINDIR);
}

/* ---- refusal ---- */

__attribute__((format(printf, 4, 5))) static void
registry_refuse_named(PluginRegistry *reg, const char *path, const char *name, const char *fmt,
                      ...)
{
    PluginRefusal *r = g_new0(PluginRefusal, 1);
    va_list ap;

    va_start(ap, fmt);
    r->path = g_strdup(path);
    r->name = g_strdup(name);
    r->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* One line, whatever the plugin's strings or dlerror() contained. */
    g_strdelimit(r->reason, "\r\n", ' ');
    g_ptr_array_add(reg->refused, r);
}

#define registry_refuse(reg, path, ...) registry_refuse_named(reg, path, NULL, __VA_ARGS__)

bool registry_refusal_may_be(const PluginRefusal *r, const char *name)
{
    if (r->name)
        return strcmp(r->name, name) == 0;
    g_autofree char *base = g_path_get_basename(r->path);
    g_autofree char *dir = g_path_get_dirname(r->path);
    g_autofree char *parent = g_path_get_dirname(dir);
    g_autofree char *dir_base = g_path_get_basename(dir);
    g_autofree char *parent_base = g_path_get_basename(parent);
    size_t n = strlen(name);
    if (strncmp(base, name, n) == 0 && (!strcmp(base + n, ".so") || base[n] == '-'))
        return true;
    return !strcmp(dir_base, name) || !strcmp(parent_base, name);
}

/* ---- validation of the plugin's const data ---- */

/* Checks write a one-line reason into `why` and return false. */
typedef struct Why {
    char text[512];
} Why;

__attribute__((format(printf, 2, 3))) static bool why_set(Why *why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_vsnprintf(why->text, sizeof(why->text), fmt, ap);
    va_end(ap);
    return false;
}

/* ---- trust: who can change the plugin file, and what is actually loaded ---- */

/* The set bits of g/o write as words: "group", "others" or "group and others". */
static const char *writers(mode_t mode)
{
    bool g = mode & S_IWGRP, o = mode & S_IWOTH;
    return g && o ? "group and others" : g ? "group" : "others";
}

/* Root and we are the only owners trusted: anyone else could rewrite the object. */
static bool owner_trusted(const struct stat *st)
{
    return st->st_uid == 0 || st->st_uid == geteuid();
}

/* Directories walked so far: fds[i] is opened (O_PATH) from names[0..i]; names[0] is
 * "/" and fds[0] the root. Everything on the stack has passed the ancestor rule. */
typedef struct Walk {
    GArray *fds;
    GPtrArray *names;
    GArray *modes;
} Walk;

static char *walk_path(const Walk *w, const char *child)
{
    GString *s = g_string_new(NULL);

    for (guint i = 1; i < w->names->len; i++)
        g_string_append_printf(s, "/%s", (const char *)w->names->pdata[i]);
    if (child)
        g_string_append_printf(s, "/%s", child);
    if (!s->len)
        g_string_append_c(s, '/');
    return g_string_free(s, FALSE);
}

static int walk_top(const Walk *w)
{
    return g_array_index(w->fds, int, w->fds->len - 1);
}

static mode_t walk_top_mode(const Walk *w)
{
    return g_array_index(w->modes, mode_t, w->modes->len - 1);
}

static void walk_pop(Walk *w)
{
    if (w->fds->len <= 1)
        return; /* ".." at the root stays there */
    close(walk_top(w));
    g_array_set_size(w->fds, w->fds->len - 1);
    g_array_set_size(w->modes, w->modes->len - 1);
    g_ptr_array_remove_index(w->names, w->names->len - 1);
}

/* Ancestor rule: owned by root or us; writable by others only with the sticky bit
 * (then nobody else can rename or remove what we own in it, as in /tmp). */
static bool walk_push(Walk *w, int fd, const char *name, const struct stat *st, Why *why)
{
    char *path = w->names->len ? walk_path(w, name) : g_strdup("/");
    bool ok = true;

    if (!S_ISDIR(st->st_mode))
        ok = why_set(why, "%s is not a directory", path);
    else if (!owner_trusted(st))
        ok = why_set(why, "directory %s is owned by uid %u (only root or uid %u are trusted)",
                     path, (unsigned)st->st_uid, (unsigned)geteuid());
    else if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX))
        ok = why_set(why, "directory %s is writable by %s (mode %04o)", path,
                     writers(st->st_mode), (unsigned)(st->st_mode & 07777));
    g_free(path);
    if (!ok) {
        close(fd);
        return false;
    }
    mode_t mode = st->st_mode;
    g_array_append_val(w->fds, fd);
    g_array_append_val(w->modes, mode);
    g_ptr_array_add(w->names, g_strdup(name));
    return true;
}

/* Splits a path into its non-empty components other than ".", and puts them in front
 * of `pending` (which is consumed from its head). */
static void pending_prepend(GQueue *pending, const char *path)
{
    char **parts = g_strsplit(path, "/", -1);
    guint n = g_strv_length(parts);

    for (guint i = n; i-- > 0;) {
        if (*parts[i] && strcmp(parts[i], ".") != 0)
            g_queue_push_head(pending, g_strdup(parts[i]));
    }
    g_strfreev(parts);
}

/* Opens the plugin file for loading and checks everything that decides its contents,
 * on file descriptors, so nothing is swapped between the check and the load:
 *  - every directory from / down: owned by root or us; writable by group or others
 *    only when sticky;
 *  - the directory holding the file: writable by nobody but its owner, sticky or not;
 *  - the file: a regular file owned by root or us, writable by nobody else;
 *  - a symbolic link (the file, or a directory on the way) is followed only when the
 *    directory holding it is writable by nobody but its owner; its target is then
 *    walked under the same rules.
 * The path is resolved by hand, one O_NOFOLLOW component at a time (realpath() would
 * skip the links' directories). Returns the open file and, in `resolved`, the path it
 * was reached by without links; or -1 with the reason in `why`. */
static int open_trusted(const char *path, char **resolved, Why *why)
{
    Walk w = { g_array_new(FALSE, FALSE, sizeof(int)), g_ptr_array_new_with_free_func(g_free),
               g_array_new(FALSE, FALSE, sizeof(mode_t)) };
    GQueue pending = G_QUEUE_INIT;
    int result = -1, links = 0;
    struct stat st;

    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0 || fstat(root, &st) != 0) {
        why_set(why, "cannot open /: %s", g_strerror(errno));
        if (root >= 0)
            close(root);
        goto out;
    }
    if (!walk_push(&w, root, "/", &st, why))
        goto out;

    if (!g_path_is_absolute(path)) {
        char *cwd = g_get_current_dir();
        pending_prepend(&pending, path);
        pending_prepend(&pending, cwd);
        g_free(cwd);
    } else {
        pending_prepend(&pending, path);
    }

    while (!g_queue_is_empty(&pending)) {
        char *name = g_queue_pop_head(&pending);
        bool last = g_queue_is_empty(&pending);
        int dir = walk_top(&w);

        if (strcmp(name, "..") == 0) {
            walk_pop(&w);
            g_free(name);
            continue;
        }
        int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) != 0) {
            char *where = walk_path(&w, name);
            why_set(why, "cannot open %s: %s", where, g_strerror(errno));
            g_free(where);
            if (fd >= 0)
                close(fd);
            g_free(name);
            goto out;
        }

        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t len = -1;
            mode_t dmode = walk_top_mode(&w);
            char *where = walk_path(&w, name);

            close(fd);
            if (dmode & (S_IWGRP | S_IWOTH)) {
                char *dpath = walk_path(&w, NULL);
                why_set(why, "symbolic link %s is in directory %s, which is writable by %s "
                        "(mode %04o)", where, dpath, writers(dmode), (unsigned)(dmode & 07777));
                g_free(dpath);
            } else if (++links > 40) {
                why_set(why, "too many levels of symbolic links at %s", where);
            } else if ((len = readlinkat(dir, name, target, sizeof(target))) < 0) {
                why_set(why, "cannot read symbolic link %s: %s", where, g_strerror(errno));
            } else if (len >= (ssize_t)sizeof(target)) {
                why_set(why, "symbolic link %s is too long", where);
                len = -1;
            }
            g_free(where);
            g_free(name);
            if (len < 0 || links > 40)
                goto out;
            target[len] = '\0';
            if (target[0] == '/')
                while (w.fds->len > 1)
                    walk_pop(&w);
            pending_prepend(&pending, target);
            continue;
        }

        if (!last) {
            bool ok = walk_push(&w, fd, name, &st, why);
            g_free(name);
            if (!ok)
                goto out;
            continue;
        }

        /* The plugin file itself, in the directory on top of the stack. */
        close(fd);
        mode_t dmode = walk_top_mode(&w);
        if (dmode & (S_IWGRP | S_IWOTH)) {
            char *dpath = walk_path(&w, NULL);
            why_set(why, "directory %s is writable by %s (mode %04o)", dpath, writers(dmode),
                    (unsigned)(dmode & 07777));
            g_free(dpath);
            g_free(name);
            goto out;
        }
        /* O_NONBLOCK: a FIFO put here must not hang the open; it is refused below. */
        fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            why_set(why, "cannot open: %s", errno == ELOOP ? "it became a symbolic link while "
                    "being checked" : g_strerror(errno));
            g_free(name);
            goto out;
        }
        if (fstat(fd, &st) != 0)
            why_set(why, "cannot stat: %s", g_strerror(errno));
        else if (!S_ISREG(st.st_mode))
            why_set(why, "not a regular file");
        else if (!owner_trusted(&st))
            why_set(why, "file is owned by uid %u (only root or uid %u are trusted)",
                    (unsigned)st.st_uid, (unsigned)geteuid());
        else if (st.st_mode & (S_IWGRP | S_IWOTH))
            why_set(why, "file is writable by %s (mode %04o)", writers(st.st_mode),
                    (unsigned)(st.st_mode & 07777));
        else
            result = fd;
        if (result >= 0)
            *resolved = walk_path(&w, name);
        if (result < 0)
            close(fd);
        g_free(name);
        goto out;
    }
    why_set(why, "not a regular file");

out:
    while (w.fds->len) {
        close(walk_top(&w));
        g_array_set_size(w.fds, w.fds->len - 1);
    }
    g_array_free(w.fds, TRUE);
    g_array_free(w.modes, TRUE);
    g_ptr_array_free(w.names, TRUE);
    g_queue_clear_full(&pending, g_free);
    return result;
}

static bool check_text(const char *field, const char *value, Why *why)
{
    if (!value || !*value)
        return why_set(why, "descriptor field '%s' is missing or empty", field);
    return true;
}

static bool check_descriptor(const TesseraPluginDescriptor *d, SemVer *version, Why *why)
{
    /* Only the two ABI words are known to sit where we read them; check them first. */
    if (d->abi_major != TESSERA_ABI_MAJOR)
        return why_set(why, "built for ABI %u.%u, host ABI is %u.%u: major version differs",
                       d->abi_major, d->abi_minor, TESSERA_ABI_MAJOR, TESSERA_ABI_MINOR);
    if (d->abi_minor > TESSERA_ABI_MINOR)
        return why_set(why, "built for ABI %u.%u, host ABI is %u.%u: plugin needs a newer host",
                       d->abi_major, d->abi_minor, TESSERA_ABI_MAJOR, TESSERA_ABI_MINOR);

    if (!check_text("name", d->name, why))
        return false;
    if (d->name[0] == '-')
        return why_set(why, "name \"%s\" starts with '-'", d->name);
    for (const char *c = d->name; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-';
        if (!ok)
            return why_set(why, "name \"%s\" has character '%c' (allowed: a-z 0-9 -)", d->name,
                           *c);
    }
    if (!check_text("version", d->version, why))
        return false;
    if (!semver_parse(d->version, version))
        return why_set(why, "version \"%s\" is not a semantic version (MAJOR.MINOR.PATCH)",
                       d->version);
    if (!check_text("license", d->license, why) ||
        !check_text("description", d->description, why))
        return false;
    if (strchr(d->description, '\n'))
        return why_set(why, "description is more than one line");
    if (d->kind != TESSERA_PLUGIN_CPU && d->kind != TESSERA_PLUGIN_DEVICE &&
        d->kind != TESSERA_PLUGIN_MIGRATION)
        return why_set(why, "unknown kind %u", d->kind);
    if (!d->iface)
        return why_set(why, "descriptor field 'iface' is missing");
    return true;
}

/* Bytes one element of a field occupies; 0 for an unknown type. */
static uint64_t field_elem_size(const TesseraField *f)
{
    if (f->type == TESSERA_FIELD_STRUCT)
        return f->layout ? f->layout->size : 0;
    if (f->type == TESSERA_FIELD_BLOB)
        return sizeof(TesseraBlob);
    return tessera_field_type_width(f->type);
}

static bool check_layout(const TesseraStateSchema *s, const TesseraStateLayout *l,
                         const char *where, int depth, Why *why)
{
    if (depth > LAYOUT_MAX_DEPTH)
        return why_set(why, "state schema \"%s\": %s: layouts nest deeper than %d", s->name,
                       where, LAYOUT_MAX_DEPTH);
    if (l->size == 0)
        return why_set(why, "state schema \"%s\": %s: layout size is 0", s->name, where);
    if (!l->fields || l->n_fields == 0)
        return why_set(why, "state schema \"%s\": %s: layout has no fields", s->name, where);
    if (l->n_fields > LAYOUT_MAX_FIELDS)
        return why_set(why, "state schema \"%s\": %s: %u fields (at most %u)", s->name, where,
                       l->n_fields, LAYOUT_MAX_FIELDS);

    for (uint32_t i = 0; i < l->n_fields; i++) {
        const TesseraField *f = &l->fields[i];
        if (!f->name || !*f->name)
            return why_set(why, "state schema \"%s\": %s: field %u has no name", s->name, where,
                           i);
        for (uint32_t j = 0; j < i; j++)
            if (l->fields[j].name && strcmp(l->fields[j].name, f->name) == 0)
                return why_set(why, "state schema \"%s\": %s: field \"%s\" appears twice",
                               s->name, where, f->name);
        if (f->type < TESSERA_FIELD_U8 || f->type > TESSERA_FIELD_BLOB)
            return why_set(why, "state schema \"%s\": field \"%s\": unknown type %u", s->name,
                           f->name, f->type);
        if (f->type == TESSERA_FIELD_STRUCT && !f->layout)
            return why_set(why, "state schema \"%s\": field \"%s\": STRUCT field has no layout",
                           s->name, f->name);
        if (f->count == 0)
            return why_set(why, "state schema \"%s\": field \"%s\": count is 0", s->name,
                           f->name);
        if (f->type == TESSERA_FIELD_BLOB && (f->count != 1 || depth > 0))
            return why_set(why, "state schema \"%s\": field \"%s\": a blob is one top-level "
                           "field (count 1, not in a struct)", s->name, f->name);
        if (f->since < 1 || f->since > s->version)
            return why_set(why, "state schema \"%s\": field \"%s\": since %u is outside [1, %u]",
                           s->name, f->name, f->since, s->version);
        uint64_t covers = field_elem_size(f) * f->count;
        if (f->member_size && covers != f->member_size)
            return why_set(why,
                           "state schema \"%s\": field \"%s\": declared %s x%u (%" G_GUINT64_FORMAT
                           " bytes) over member '%s' of %u bytes",
                           s->name, f->name, tessera_field_type_name(f->type), f->count, covers,
                           f->member ? f->member : "?", f->member_size);
        uint64_t end = (uint64_t)f->offset + covers;
        if (end > l->size)
            return why_set(why,
                           "state schema \"%s\": field \"%s\": bytes %u-%" G_GUINT64_FORMAT
                           " lie beyond the layout's %u bytes",
                           s->name, f->name, f->offset, end - 1, l->size);
        if (f->type == TESSERA_FIELD_STRUCT &&
            !check_layout(s, f->layout, f->name, depth + 1, why))
            return false;
    }
    return true;
}

/* ---- schemas of plugins built for an older ABI minor ---- */

/* A copy of `src` with its fields in today's TesseraField; `stride` is the step of the
 * plugin's field arrays. The copies are owned by `owned`. NULL (with `why`) when the
 * layouts nest too deep or a layout is too large to be real. */
static const TesseraStateLayout *copy_layout(GPtrArray *owned, const TesseraStateLayout *src,
                                             size_t stride, int depth, Why *why)
{
    if (depth > LAYOUT_MAX_DEPTH) {
        why_set(why, "state schema: layouts nest deeper than %d", LAYOUT_MAX_DEPTH);
        return NULL;
    }
    if (src->n_fields > LAYOUT_MAX_FIELDS) {
        why_set(why, "state schema: layout %s: %u fields (at most %u)",
                src->struct_name ? src->struct_name : "?", src->n_fields, LAYOUT_MAX_FIELDS);
        return NULL;
    }
    TesseraStateLayout *l = g_memdup2(src, sizeof(*l));
    g_ptr_array_add(owned, l);
    if (!src->fields || !src->n_fields)
        return l;
    TesseraField *fields = g_new0(TesseraField, src->n_fields);
    g_ptr_array_add(owned, fields);
    for (uint32_t i = 0; i < src->n_fields; i++) {
        memcpy(&fields[i], (const char *)src->fields + i * stride, MIN(stride, sizeof(*fields)));
        if (fields[i].type == TESSERA_FIELD_STRUCT && fields[i].layout &&
            !(fields[i].layout = copy_layout(owned, fields[i].layout, stride, depth + 1, why)))
            return NULL;
    }
    l->fields = fields;
    return l;
}

/* The schema as this host's structs describe it: the plugin's own when it was built
 * for this ABI minor, else a copy. */
static const TesseraStateSchema *current_schema(Plugin *p, const TesseraStateSchema *s, Why *why)
{
    size_t stride = tessera_field_stride(p->desc->abi_minor);
    if (stride == sizeof(TesseraField) || s->size < SCHEMA_V1_0_SIZE)
        return s; /* nothing to convert, or check_schema refuses it */
    p->schema_copy = g_ptr_array_new_with_free_func(g_free);
    TesseraStateSchema *copy = g_new0(TesseraStateSchema, 1);
    g_ptr_array_add(p->schema_copy, copy);
    memcpy(copy, s, MIN(s->size, sizeof(*copy)));
    if (s->layout && !(copy->layout = copy_layout(p->schema_copy, s->layout, stride, 0, why)))
        return NULL;
    return copy;
}

static bool check_schema(const TesseraStateSchema *s, uint32_t instance_size, Why *why)
{
    if (s->size < SCHEMA_V1_0_SIZE)
        return why_set(why, "state schema size %u is smaller than the ABI 1.0 struct (%zu)",
                       s->size, (size_t)SCHEMA_V1_0_SIZE);
    if (!s->name || !*s->name)
        return why_set(why, "state schema has no name");
    if (s->version < 1)
        return why_set(why, "state schema \"%s\": version is 0", s->name);
    if (s->load_min < 1 || s->load_min > s->version)
        return why_set(why, "state schema \"%s\": load_min %u is outside [1, version %u]",
                       s->name, s->load_min, s->version);
    if (s->save_min < 1 || s->save_min > s->version)
        return why_set(why, "state schema \"%s\": save_min %u is outside [1, version %u]",
                       s->name, s->save_min, s->version);
    if (!s->layout)
        return why_set(why, "state schema \"%s\": no layout", s->name);
    /* Offsets are relative to the instance the host allocates. */
    if (s->layout->size > instance_size)
        return why_set(why, "state schema \"%s\": layout size %u exceeds instance_size %u",
                       s->name, s->layout->size, instance_size);
    if (!check_layout(s, s->layout, "top level", 0, why))
        return false;

    if (s->n_converters && !s->converters)
        return why_set(why, "state schema \"%s\": n_converters is %u but converters is NULL",
                       s->name, s->n_converters);
    for (uint32_t i = 0; i < s->n_converters; i++) {
        const TesseraConverter *c = &s->converters[i];
        bool adjacent = c->from + 1 == c->to || c->to + 1 == c->from;
        if (!adjacent || c->from < 1 || c->to < 1 || c->from > s->version ||
            c->to > s->version)
            return why_set(why,
                           "state schema \"%s\": converter %u->%u is not between adjacent "
                           "versions in [1, %u]",
                           s->name, c->from, c->to, s->version);
        if (!c->convert)
            return why_set(why, "state schema \"%s\": converter %u->%u has no function",
                           s->name, c->from, c->to);
    }
    return true;
}

/* What cpu and device classes share: the instance and the state-or-blocker rule. */
static bool check_instance_class(Plugin *p, const char *kind, uint32_t instance_size,
                                 const TesseraStateSchema *state, const char *blocker, Why *why)
{
    p->blocker = blocker;
    if (instance_size == 0)
        return why_set(why, "%s class: instance_size is 0", kind);
    if (blocker && !*blocker)
        return why_set(why, "%s class: migration_blocker is empty (give a reason)", kind);
    if (state && blocker)
        return why_set(why, "%s class has both a state schema and a migration blocker", kind);
    if (!state && !blocker)
        return why_set(why, "%s class has neither a state schema nor a migration blocker", kind);
    if (state && !(state = current_schema(p, state, why)))
        return false;
    p->schema = state;
    return !state || check_schema(state, instance_size, why);
}

static bool check_class(Plugin *p, Why *why)
{
    const void *iface = p->desc->iface;
    /* Every class begins with its size: read it before anything beyond it. */
    uint32_t size = *(const uint32_t *)iface;

    switch (p->desc->kind) {
    case TESSERA_PLUGIN_CPU: {
        const TesseraCpuClass *c = iface;
        if (size < CPU_CLASS_V1_0_SIZE)
            return why_set(why, "cpu class size %u is smaller than the ABI 1.0 struct (%zu)",
                           size, (size_t)CPU_CLASS_V1_0_SIZE);
        if (!c->init || !c->reset || !c->run)
            return why_set(why, "cpu class lacks init, reset or run");
        return check_instance_class(p, "cpu", c->instance_size, c->state, c->migration_blocker,
                                    why);
    }
    case TESSERA_PLUGIN_DEVICE: {
        const TesseraDeviceClass *c = iface;
        if (size < DEVICE_CLASS_V1_0_SIZE)
            return why_set(why, "device class size %u is smaller than the ABI 1.0 struct (%zu)",
                           size, (size_t)DEVICE_CLASS_V1_0_SIZE);
        if (!c->init || !c->reset)
            return why_set(why, "device class lacks init or reset");
        return check_instance_class(p, "device", c->instance_size, c->state,
                                    c->migration_blocker, why);
    }
    default: {
        const TesseraMigrationClass *c = iface;
        if (size < MIGRATION_CLASS_V1_0_SIZE)
            return why_set(why,
                           "migration class size %u is smaller than the ABI 1.0 struct (%zu)",
                           size, (size_t)MIGRATION_CLASS_V1_0_SIZE);
        if (!c->format || !*c->format)
            return why_set(why, "migration class has no format name");
        if (!c->save || !c->load || !c->manifest)
            return why_set(why, "migration class lacks save, load or manifest");
        return true;
    }
    }
}

/* ---- loading ---- */

static const Plugin *registry_find_path(const PluginRegistry *reg, const char *path)
{
    for (guint i = 0; i < reg->plugins->len; i++) {
        const Plugin *p = reg->plugins->pdata[i];
        if (strcmp(p->path, path) == 0)
            return p;
    }
    return NULL;
}

static bool registry_was_refused(const PluginRegistry *reg, const char *path)
{
    for (guint i = 0; i < reg->refused->len; i++) {
        const PluginRefusal *r = reg->refused->pdata[i];
        if (strcmp(r->path, path) == 0)
            return true;
    }
    return false;
}

static const Plugin *registry_find_exact(const PluginRegistry *reg, const char *name,
                                         const SemVer *v)
{
    for (guint i = 0; i < reg->plugins->len; i++) {
        const Plugin *p = reg->plugins->pdata[i];
        if (strcmp(p->desc->name, name) == 0 && semver_compare(&p->version, v) == 0)
            return p;
    }
    return NULL;
}

const Plugin *registry_load_file(PluginRegistry *reg, const char *path)
{
    Why why = { "" };
    char *real = realpath(path, NULL);
    const char *key = real ? real : path;

    /* The same file reached twice through the search path is one plugin (or one
     * refusal). */
    const Plugin *known = registry_find_path(reg, key);
    if (known || registry_was_refused(reg, key) || registry_was_refused(reg, path)) {
        free(real);
        return known;
    }

    /* A refusal here is about the way to the file as much as the file, so it names the
     * path as given: a link an attacker left in a shared directory must not stop the
     * file it points to from loading when that is found by its own path. */
    char *resolved = NULL;
    int fd = open_trusted(path, &resolved, &why);
    free(real);
    if (fd < 0) {
        registry_refuse(reg, path, "%s", why.text);
        return NULL;
    }
    /* From here on the file is known by the path actually walked. */
    key = resolved;
    known = registry_find_path(reg, key);
    if (known || registry_was_refused(reg, key)) {
        close(fd);
        g_free(resolved);
        return known;
    }

    /* Load the very file checked, through its descriptor, not the path again. The
     * descriptor stays open as long as the module: GModule and the dynamic loader
     * know a module by its name, so a /proc/self/fd/N must not be reused meanwhile.
     * BIND_LOCAL: plugins never see each other's symbols. No BIND_LAZY: every symbol
     * resolves now, so a missing one is a refusal and not a crash later. */
    char fd_path[64];
    g_snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
    GModule *module = g_module_open(fd_path, G_MODULE_BIND_LOCAL);
    if (!module) {
        /* dlerror() names the /proc path; say which file it was. */
        char *msg = g_strdup(g_module_error());
        char *at = strstr(msg, fd_path);
        registry_refuse(reg, key, "cannot load: %s", at ? at + strlen(fd_path) +
                        (at[strlen(fd_path)] == ':' ? 2 : 0) : msg);
        g_free(msg);
        close(fd);
        g_free(resolved);
        return NULL;
    }

    gpointer sym = NULL;
    if (!g_module_symbol(module, TESSERA_PLUGIN_SYMBOL, &sym) || !sym) {
        registry_refuse(reg, key, "no '%s' descriptor symbol (not a Tessera plugin?)",
                        TESSERA_PLUGIN_SYMBOL);
        g_module_close(module);
        close(fd);
        g_free(resolved);
        return NULL;
    }

    Plugin *p = g_new0(Plugin, 1);
    p->path = g_strdup(key);
    p->module = module;
    p->fd = fd;
    p->desc = sym;
    g_free(resolved);

    const Plugin *first = NULL;
    bool named = check_descriptor(p->desc, &p->version, &why);
    bool ok = named && check_class(p, &why);
    if (ok) {
        first = registry_find_exact(reg, p->desc->name, &p->version);
        if (first)
            ok = why_set(&why, "duplicate of %s %s already loaded from %s", first->desc->name,
                         first->desc->version, first->path);
    }
    if (!ok) {
        /* A descriptor that passed its checks names the plugin refused. */
        registry_refuse_named(reg, p->path, named ? p->desc->name : NULL, "%s", why.text);
        plugin_free(p);
        return NULL;
    }
    g_ptr_array_add(reg->plugins, p);
    return p;
}

static gint compare_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.so under dir; real subdirectories are followed, symlinked ones are not
 * (no loops). Sorted, so discovery order does not depend on the file system. */
static void collect_plugin_files(const char *dir, GPtrArray *out, int depth)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *entry;

    if (!d)
        return;
    while ((entry = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, entry, NULL);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (depth < SCAN_MAX_DEPTH)
                collect_plugin_files(path, out, depth + 1);
            g_free(path);
        } else if (g_str_has_suffix(entry, ".so")) {
            g_ptr_array_add(out, path);
        } else {
            g_free(path);
        }
    }
    g_dir_close(d);
}

void registry_scan(PluginRegistry *reg)
{
    for (guint i = 0; i < reg->dirs->len; i++) {
        GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
        collect_plugin_files(reg->dirs->pdata[i], files, 0);
        g_ptr_array_sort(files, compare_paths);
        for (guint j = 0; j < files->len; j++)
            registry_load_file(reg, files->pdata[j]);
        g_ptr_array_free(files, TRUE);
    }
}

/* ---- lookup ---- */

const Plugin *registry_find(const PluginRegistry *reg, const char *name, const char *constraint,
                            TesseraPluginKind kind, GError **error)
{
    const Plugin *best = NULL;
    GString *present = g_string_new(NULL);
    const char *other_kind = NULL;

    for (guint i = 0; i < reg->plugins->len; i++) {
        const Plugin *p = reg->plugins->pdata[i];
        bool matches = false;
        GError *local = NULL;

        if (strcmp(p->desc->name, name) != 0)
            continue;
        if (kind && p->desc->kind != (uint32_t)kind) {
            other_kind = plugin_kind_name(p->desc->kind);
            continue;
        }
        g_string_append_printf(present, "%s%s", present->len ? ", " : "", p->desc->version);
        if (!semver_match(&p->version, constraint, &matches, &local)) {
            g_set_error(error, PLUGIN_ERROR, 1, "plugin \"%s\": %s", name, local->message);
            g_error_free(local);
            g_string_free(present, TRUE);
            return NULL;
        }
        if (matches && (!best || semver_compare(&p->version, &best->version) > 0))
            best = p;
    }

    if (!best) {
        const char *want = constraint && *constraint ? constraint : "*";
        if (present->len)
            g_set_error(error, PLUGIN_ERROR, 1,
                        "plugin \"%s\": no version satisfies \"%s\" (present: %s)", name, want,
                        present->str);
        else if (other_kind)
            g_set_error(error, PLUGIN_ERROR, 1, "plugin \"%s\" is a %s plugin, not a %s plugin",
                        name, other_kind, plugin_kind_name(kind));
        else
            g_set_error(error, PLUGIN_ERROR, 1,
                        "plugin \"%s\" not found (%u loaded, %u refused; "
                        "`tessera --list-plugins` shows them)",
                        name, reg->plugins->len, reg->refused->len);
    }
    g_string_free(present, TRUE);
    return best;
}

/* ---- pinning ---- */

static bool pin_error(GError **error, GPtrArray *keep, GPtrArray *drop, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static bool pin_error(GError **error, GPtrArray *keep, GPtrArray *drop, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, PLUGIN_ERROR, 1, msg);
    g_ptr_array_free(keep, TRUE);
    g_ptr_array_free(drop, TRUE);
    return false;
}

bool registry_pin(PluginRegistry *reg, const char *spec, GError **error)
{
    const char *eq = strchr(spec, '=');
    GPtrArray *keep = g_ptr_array_new(), *drop = g_ptr_array_new();
    if (!eq || eq == spec || !eq[1])
        return pin_error(error, keep, drop, "-plugin-version: expected NAME=CONSTRAINT, got '%s'",
                         spec);
    g_autofree char *name = g_strndup(spec, (gsize)(eq - spec));
    const char *constraint = eq + 1;
    g_autoptr(GString) present = g_string_new(NULL);
    guint kept_of_name = 0;

    for (guint i = 0; i < reg->plugins->len; i++) {
        Plugin *p = reg->plugins->pdata[i];
        bool matches = true;
        if (strcmp(p->desc->name, name) == 0) {
            g_autoptr(GError) local = NULL;
            g_string_append_printf(present, "%s%s", present->len ? ", " : "", p->desc->version);
            if (!semver_match(&p->version, constraint, &matches, &local))
                return pin_error(error, keep, drop, "-plugin-version %s: %s", spec,
                                 local->message);
            kept_of_name += matches;
        }
        g_ptr_array_add(matches ? keep : drop, p);
    }
    if (!present->len)
        return pin_error(error, keep, drop,
                         "-plugin-version %s: no plugin \"%s\" (`tessera --list-plugins` shows "
                         "them)", spec, name);
    if (!kept_of_name)
        return pin_error(error, keep, drop,
                         "-plugin-version %s: no version of plugin \"%s\" satisfies \"%s\" "
                         "(present: %s)", spec, name, constraint, present->str);
    /* Hand the plugins over without freeing them: plugins gets keep, set_aside drop. */
    g_ptr_array_set_free_func(reg->plugins, NULL);
    g_ptr_array_set_size(reg->plugins, 0);
    g_ptr_array_set_free_func(reg->plugins, plugin_free);
    for (guint i = 0; i < keep->len; i++)
        g_ptr_array_add(reg->plugins, keep->pdata[i]);
    for (guint i = 0; i < drop->len; i++)
        g_ptr_array_add(reg->set_aside, drop->pdata[i]);
    g_ptr_array_free(keep, TRUE);
    g_ptr_array_free(drop, TRUE);
    return true;
}

/* ---- listing ---- */

/* The versions a schema can load (or save) once converter chains are counted:
 * upgrade converters n -> n+1 reach below load_min, downgrades n+1 -> n below save_min. */
static uint32_t schema_reach(const TesseraStateSchema *s, uint32_t min, bool upgrade)
{
    bool extended = true;

    while (extended && min > 1) {
        extended = false;
        for (uint32_t i = 0; i < s->n_converters; i++) {
            const TesseraConverter *c = &s->converters[i];
            uint32_t from = upgrade ? min - 1 : min, to = upgrade ? min : min - 1;
            if (c->from == from && c->to == to) {
                min--;
                extended = true;
                break;
            }
        }
    }
    return min;
}

char *registry_plugin_state(const Plugin *p)
{
    if (p->schema)
        return g_strdup_printf("load v%u-v%u save v%u-v%u", schema_reach(p->schema,
                               p->schema->load_min, true), p->schema->version,
                               schema_reach(p->schema, p->schema->save_min, false),
                               p->schema->version);
    if (p->blocker)
        return g_strdup_printf("blocked: %s", p->blocker);
    return g_strdup("-");
}

static gint compare_plugins(gconstpointer a, gconstpointer b)
{
    const Plugin *pa = *(const Plugin *const *)a, *pb = *(const Plugin *const *)b;
    int c = strcmp(pa->desc->name, pb->desc->name);

    return c ? c : semver_compare(&pa->version, &pb->version);
}

void registry_print(const PluginRegistry *reg, FILE *out)
{
    GPtrArray *rows = g_ptr_array_new();
    int w_name = 4, w_version = 7, w_kind = 4, w_state = 5;

    for (guint i = 0; i < reg->plugins->len; i++)
        g_ptr_array_add(rows, reg->plugins->pdata[i]);
    g_ptr_array_sort(rows, compare_plugins);

    char **states = g_new0(char *, rows->len + 1);
    for (guint i = 0; i < rows->len; i++) {
        const Plugin *p = rows->pdata[i];
        states[i] = registry_plugin_state(p);
        w_name = MAX(w_name, (int)strlen(p->desc->name));
        w_version = MAX(w_version, (int)strlen(p->desc->version));
        w_kind = MAX(w_kind, (int)strlen(plugin_kind_name(p->desc->kind)));
        w_state = MAX(w_state, (int)strlen(states[i]));
    }

    if (rows->len == 0) {
        fprintf(out, "No plugins found.\n");
    } else {
        fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", w_name, "NAME", w_version, "VERSION",
                w_kind, "KIND", w_state, "STATE", "PATH");
        for (guint i = 0; i < rows->len; i++) {
            const Plugin *p = rows->pdata[i];
            fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", w_name, p->desc->name, w_version,
                    p->desc->version, w_kind, plugin_kind_name(p->desc->kind), w_state,
                    states[i], p->path);
        }
    }
    g_strfreev(states);
    g_ptr_array_free(rows, TRUE);

    if (reg->refused->len) {
        fprintf(out, "\nRefused:\n");
        for (guint i = 0; i < reg->refused->len; i++) {
            const PluginRefusal *r = reg->refused->pdata[i];
            fprintf(out, "  %s: %s\n", r->path, r->reason);
        }
    }

    if (reg->set_aside->len) {
        fprintf(out, "\nSet aside by -plugin-version:\n");
        for (guint i = 0; i < reg->set_aside->len; i++) {
            const Plugin *p = reg->set_aside->pdata[i];
            fprintf(out, "  %s %s: %s\n", p->desc->name, p->desc->version, p->path);
        }
    }

    fprintf(out, "\nSearch path:\n");
    for (guint i = 0; i < reg->dirs->len; i++)
        fprintf(out, "  %s\n", (const char *)reg->dirs->pdata[i]);
}
