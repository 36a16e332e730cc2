/* SPDX-License-Identifier: MIT */
#include "machine_file.h"

#include <errno.h>
#include <string.h>

#include "config.h"
#include "file_read.h"
#include "paths.h"

/* GKeyFile knows no line numbers; this index maps "group\nkey" to the line that
 * set it, so every error can point at the file and line. */
typedef struct LineIndex {
    GHashTable *lines; /* "group\nkey" or "group" -> line (GINT_TO_POINTER) */
} LineIndex;

static bool index_build(LineIndex *ix, const char *path, const char *text, GError **error)
{
    ix->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char **rows = g_strsplit(text, "\n", -1);
    char *group = NULL;
    bool ok = true;
    for (int i = 0; rows[i] && ok; i++) {
        char *row = g_strstrip(rows[i]);
        int line = i + 1;
        if (row[0] == '\0' || row[0] == '#' || row[0] == ';')
            continue;
        if (row[0] == '[') {
            char *end = strchr(row, ']');
            if (!end || end[1] != '\0') {
                g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                            "%s:%d: malformed group header '%s'", path, line, row);
                ok = false;
                break;
            }
            g_free(group);
            group = g_strndup(row + 1, end - row - 1);
            if (g_hash_table_contains(ix->lines, group)) {
                g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                            "%s:%d: [%s] appears twice", path, line, group);
                ok = false;
                break;
            }
            g_hash_table_insert(ix->lines, g_strdup(group), GINT_TO_POINTER(line));
            continue;
        }
        char *eq = strchr(row, '=');
        if (!eq || !group) {
            g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                        "%s:%d: expected 'key = value'%s, got '%s'", path, line,
                        group ? "" : " inside a [group]", row);
            ok = false;
            break;
        }
        char *key = g_strstrip(g_strndup(row, eq - row));
        char *full = g_strdup_printf("%s\n%s", group, key);
        if (g_hash_table_contains(ix->lines, full)) {
            g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                        "%s:%d: [%s] key '%s' is set twice", path, line, group, key);
            ok = false;
        }
        g_hash_table_insert(ix->lines, full, GINT_TO_POINTER(line));
        g_free(key);
    }
    g_free(group);
    g_strfreev(rows);
    return ok;
}

static int index_line(const LineIndex *ix, const char *group, const char *key)
{
    char *full = key ? g_strdup_printf("%s\n%s", group, key) : g_strdup(group);
    int line = GPOINTER_TO_INT(g_hash_table_lookup(ix->lines, full));
    g_free(full);
    return line;
}

typedef struct Parser {
    const char *path;
    GKeyFile *kf;
    LineIndex ix;
    GError **error;
} Parser;

__attribute__((format(printf, 4, 5))) static bool fail(Parser *p, const char *group,
                                                       const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    int line = index_line(&p->ix, group, key);
    if (key)
        g_set_error(p->error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                    "%s:%d: [%s] %s: %s", p->path, line, group, key, msg);
    else
        g_set_error(p->error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s:%d: [%s]: %s",
                    p->path, line, group, msg);
    g_free(msg);
    return false;
}

static char *get_str(Parser *p, const char *group, const char *key, bool required, bool *ok)
{
    GError *kerr = NULL;
    char *v = g_key_file_get_string(p->kf, group, key, &kerr);
    if (!v && kerr && kerr->code != G_KEY_FILE_ERROR_KEY_NOT_FOUND &&
        kerr->code != G_KEY_FILE_ERROR_GROUP_NOT_FOUND) {
        /* Present but unreadable: a bad escape (\z) or bytes that are not UTF-8. */
        *ok = fail(p, group, key, "unreadable value (%s)",
                   kerr->code == G_KEY_FILE_ERROR_UNKNOWN_ENCODING ? "not UTF-8"
                                                                   : "a bad \\ escape");
        g_error_free(kerr);
        return NULL;
    }
    g_clear_error(&kerr);
    if (v)
        g_strstrip(v);
    if (required && (!v || !*v)) {
        g_free(v);
        *ok = false;
        int line = index_line(&p->ix, group, NULL);
        g_set_error(p->error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                    "%s:%d: [%s] %s: missing (required)", p->path, line, group, key);
        return NULL;
    }
    return v;
}

static bool parse_u64(const char *text, uint64_t *out)
{
    if (!text || !*text)
        return false;
    char *end = NULL;
    errno = 0;
    guint64 v = g_ascii_strtoull(text, &end, 0);
    if (errno || *end != '\0' || text[0] == '-')
        return false;
    *out = v;
    return true;
}

static bool get_u64(Parser *p, const char *group, const char *key, bool required, uint64_t dflt,
                    uint64_t *out)
{
    bool ok = true;
    char *v = get_str(p, group, key, required, &ok);
    if (!ok)
        return false;
    if (!v) {
        *out = dflt;
        return true;
    }
    bool parsed = parse_u64(v, out);
    if (!parsed)
        fail(p, group, key, "'%s' is not a number", v);
    g_free(v);
    return parsed;
}

/* "name" or "name[3]" -> name and index (-1 when absent). */
static bool split_index(const char *text, char **name, int *index)
{
    const char *br = strchr(text, '[');
    if (!br) {
        *name = g_strdup(text);
        *index = -1;
        return **name != '\0';
    }
    uint64_t v;
    char *num = g_strndup(br + 1, strlen(br + 1));
    size_t n = strlen(num);
    bool ok = n >= 2 && num[n - 1] == ']';
    if (ok) {
        num[n - 1] = '\0';
        ok = parse_u64(num, &v) && v < 4096;
    }
    g_free(num);
    if (!ok || br == text)
        return false;
    *name = g_strndup(text, br - text);
    *index = (int)v;
    return true;
}

static bool parse_irq(Parser *p, const char *group, const char *key, DeviceSpec *dev)
{
    bool ok = true;
    char *value = get_str(p, group, key, true, &ok);
    if (!ok)
        return false;
    IrqWire *w = g_new0(IrqWire, 1);
    w->line = index_line(&p->ix, group, key);
    g_ptr_array_add(dev->irqs, w);
    char *dot = strchr(value, '.');
    if (!split_index(key + strlen("irq."), &w->output, &w->out_index) || !dot) {
        fail(p, group, key, "expected 'irq.OUTPUT[N] = INSTANCE.INPUT[N]', got '%s'", value);
        g_free(value);
        return false;
    }
    w->target = g_strndup(value, dot - value);
    if (!*w->target || !split_index(dot + 1, &w->input, &w->in_index)) {
        fail(p, group, key, "expected 'INSTANCE.INPUT[N]', got '%s'", value);
        g_free(value);
        return false;
    }
    g_free(value);
    return true;
}

static void device_spec_free(gpointer data)
{
    DeviceSpec *d = data;
    if (!d)
        return;
    for (guint i = 0; d->regs && i < d->regs->len; i++)
        g_free(g_array_index(d->regs, RegSpec, i).name);
    if (d->regs)
        g_array_free(d->regs, TRUE);
    if (d->irqs)
        g_ptr_array_free(d->irqs, TRUE);
    if (d->props)
        g_hash_table_destroy(d->props);
    if (d->links)
        g_hash_table_destroy(d->links);
    if (d->chardevs)
        g_hash_table_destroy(d->chardevs);
    if (d->key_lines)
        g_hash_table_destroy(d->key_lines);
    g_free(d->name);
    g_free(d->plugin);
    g_free(d->constraint);
    g_free(d);
}

static void irq_wire_free(gpointer data)
{
    IrqWire *w = data;
    g_free(w->output);
    g_free(w->target);
    g_free(w->input);
    g_free(w);
}

static bool valid_instance_name(const char *name)
{
    if (!*name)
        return false;
    for (const char *c = name; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_')
            return false;
    return true;
}

static DeviceSpec *parse_device(Parser *p, const char *group, const char *name, bool is_cpu)
{
    DeviceSpec *d = g_new0(DeviceSpec, 1);
    d->name = g_strdup(name);
    d->line = index_line(&p->ix, group, NULL);
    d->regs = g_array_new(FALSE, TRUE, sizeof(RegSpec));
    d->irqs = g_ptr_array_new_with_free_func(irq_wire_free);
    d->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    d->links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    d->chardevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    d->key_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    bool ok = true;
    if (!valid_instance_name(name)) {
        fail(p, group, NULL, "instance name '%s' must be letters, digits, '-' or '_'", name);
        goto bad;
    }
    d->plugin = get_str(p, group, "plugin", true, &ok);
    if (!ok)
        goto bad;
    d->constraint = get_str(p, group, "version", false, &ok);
    if (!d->constraint)
        d->constraint = g_strdup("");

    gsize n_keys = 0;
    char **keys = g_key_file_get_keys(p->kf, group, &n_keys, NULL);
    for (gsize i = 0; ok && i < n_keys; i++) {
        const char *k = keys[i];
        if (!strcmp(k, "plugin") || !strcmp(k, "version"))
            continue;
        if (is_cpu && !strcmp(k, "model")) {
            continue;
        }
        char *v = get_str(p, group, k, false, &ok);
        if (!v)
            break; /* unreadable: get_str said why */
        if (!strcmp(k, "presence") && !is_cpu) {
            if (strcmp(v, "required") && strcmp(v, "optional"))
                ok = fail(p, group, k, "'%s' is not required or optional", v);
            d->optional = !strcmp(v, "optional");
        } else if (g_str_has_prefix(k, "reg.") && !is_cpu) {
            RegSpec r = { .name = g_strdup(k + 4) };
            if (!*r.name || !parse_u64(v, &r.base) || r.base > TESSERA_PA_MASK) {
                g_free(r.name);
                ok = fail(p, group, k, "'%s' is not a 36-bit physical address", v);
            } else {
                g_array_append_val(d->regs, r);
            }
        } else if (g_str_has_prefix(k, "irq.")) {
            ok = parse_irq(p, group, k, d);
        } else if (g_str_has_prefix(k, "prop.") && k[5]) {
            g_hash_table_insert(d->props, g_strdup(k + 5), g_strdup(v));
        } else if (g_str_has_prefix(k, "link.") && k[5] && !is_cpu) {
            g_hash_table_insert(d->links, g_strdup(k + 5), g_strdup(v));
            g_hash_table_insert(d->key_lines, g_strdup(k), GINT_TO_POINTER(index_line(&p->ix, group, k)));
        } else if (g_str_has_prefix(k, "chardev.") && k[8] && !is_cpu) {
            if (strcmp(v, "none") && strcmp(v, "serial0") && strcmp(v, "serial1"))
                ok = fail(p, group, k, "'%s' is not serial0, serial1 or none", v);
            else
                g_hash_table_insert(d->chardevs, g_strdup(k + 8), g_strdup(v));
        } else {
            ok = fail(p, group, k, "unknown key (expected plugin, version, %sreg.*, irq.*, "
                                   "link.*, chardev.* or prop.*)", is_cpu ? "model, " : "presence, ");
        }
        g_free(v);
    }
    g_strfreev(keys);
    if (ok)
        return d;
bad:
    device_spec_free(d);
    return NULL;
}

static GBytes *parse_hex(const char *text)
{
    GByteArray *out = g_byte_array_new();
    const char *c = text;
    while (*c) {
        if (g_ascii_isspace(*c)) {
            c++;
            continue;
        }
        int hi = g_ascii_xdigit_value(c[0]);
        int lo = c[1] ? g_ascii_xdigit_value(c[1]) : -1;
        if (hi < 0 || lo < 0) {
            g_byte_array_free(out, TRUE);
            return NULL;
        }
        guint8 b = (guint8)(hi << 4 | lo);
        g_byte_array_append(out, &b, 1);
        c += 2;
    }
    return g_byte_array_free_to_bytes(out);
}

static MemorySpec *parse_memory(Parser *p, const char *group, const char *name)
{
    MemorySpec *m = g_new0(MemorySpec, 1);
    m->name = g_strdup(name);
    bool ok = true;
    char *kind = get_str(p, group, "kind", true, &ok);
    if (ok) {
        if (!strcmp(kind, "ram"))
            m->kind = REGION_RAM;
        else if (!strcmp(kind, "rom"))
            m->kind = REGION_ROM;
        else if (!strcmp(kind, "zero"))
            m->kind = REGION_ZERO;
        else
            ok = fail(p, group, "kind", "'%s' is not ram, rom or zero", kind);
    }
    g_free(kind);
    ok = ok && get_u64(p, group, "base", true, 0, &m->base);
    ok = ok && get_u64(p, group, "size", true, 0, &m->size);
    if (ok && (m->size == 0 || m->base + m->size > TESSERA_PA_MASK + 1))
        ok = fail(p, group, "size", "region must be non-empty and within 36 bits");
    char *hex = ok ? get_str(p, group, "contents", false, &ok) : NULL;
    if (ok && hex) {
        m->contents = parse_hex(hex);
        if (!m->contents || g_bytes_get_size(m->contents) == 0)
            ok = fail(p, group, "contents", "expected hex bytes");
        else if (g_bytes_get_size(m->contents) > m->size || m->kind == REGION_ZERO)
            ok = fail(p, group, "contents", "%zu bytes do not fit a %s region of %" G_GUINT64_FORMAT
                      " bytes", g_bytes_get_size(m->contents), m->kind == REGION_ZERO ? "zero" : "memory",
                      m->size);
    }
    g_free(hex);
    if (ok)
        return m;
    if (m->contents)
        g_bytes_unref(m->contents);
    g_free(m->name);
    g_free(m);
    return NULL;
}

static void memory_spec_free(gpointer data)
{
    MemorySpec *m = data;
    if (m->contents)
        g_bytes_unref(m->contents);
    g_free(m->name);
    g_free(m);
}

static bool parse_machine_group(Parser *p, MachineSpec *s)
{
    const char *g = "machine";
    bool ok = true;
    s->name = get_str(p, g, "name", true, &ok);
    if (!ok)
        return false;
    s->description = get_str(p, g, "description", false, &ok);
    s->firmware = get_str(p, g, "firmware", false, &ok);
    s->firmware_package = get_str(p, g, "firmware-package", false, &ok);
    uint64_t ram_default, ram_max, ram_min;
    ok = get_u64(p, g, "ram-base", false, 0, &s->ram_base) &&
         get_u64(p, g, "ram-default", true, 0, &ram_default) &&
         get_u64(p, g, "ram-max", false, ram_default, &ram_max) &&
         get_u64(p, g, "ram-min", false, 1, &ram_min) &&
         get_u64(p, g, "prom-base", false, 0, &s->prom_base) &&
         get_u64(p, g, "prom-size", false, 0, &s->prom_size) &&
         get_u64(p, g, "prom-vaddr", false, s->prom_base, &s->prom_vaddr);
    if (!ok)
        return false;
    if (ram_default == 0 || ram_default > ram_max || ram_min > ram_default)
        return fail(p, g, "ram-default", "need ram-min <= ram-default <= ram-max, non-zero (MiB)");
    if (ram_max > (UINT64_C(1) << 24))
        return fail(p, g, "ram-max", "%" G_GUINT64_FORMAT " MiB is beyond the address space", ram_max);
    s->ram_default = ram_default << 20;
    s->ram_max = ram_max << 20;
    s->ram_min = ram_min << 20;
    return true;
}

MachineSpec *machine_file_load(const char *path, GError **error)
{
    char *text = NULL;
    gsize len;
    if (!file_read_whole("machine file", path, MACHINE_FILE_LIMIT, &text, &len, error))
        return NULL;
    Parser p = { .path = path, .kf = g_key_file_new(), .error = error };
    MachineSpec *s = g_new0(MachineSpec, 1);
    s->path = g_strdup(path);
    s->memory = g_ptr_array_new_with_free_func(memory_spec_free);
    s->devices = g_ptr_array_new_with_free_func(device_spec_free);
    bool ok = index_build(&p.ix, path, text, error);
    GError *kerr = NULL;
    if (ok && !g_key_file_load_from_data(p.kf, text, (gsize)-1, G_KEY_FILE_NONE, &kerr)) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s: %s", path, kerr->message);
        g_clear_error(&kerr);
        ok = false;
    }
    if (ok && !g_key_file_has_group(p.kf, "machine")) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                    "%s:1: no [machine] group", path);
        ok = false;
    }
    ok = ok && parse_machine_group(&p, s);
    if (ok && !g_key_file_has_group(p.kf, "cpu")) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                    "%s:1: no [cpu] group", path);
        ok = false;
    }
    if (ok) {
        s->cpu = parse_device(&p, "cpu", "cpu", true);
        s->cpu_model = s->cpu ? get_str(&p, "cpu", "model", false, &ok) : NULL;
        ok = ok && s->cpu;
    }
    gsize n_groups = 0;
    char **groups = ok ? g_key_file_get_groups(p.kf, &n_groups) : NULL;
    GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_add(names, (gpointer) "cpu");
    for (gsize i = 0; ok && i < n_groups; i++) {
        const char *g = groups[i];
        if (!strcmp(g, "machine") || !strcmp(g, "cpu"))
            continue;
        if (g_str_has_prefix(g, "device ")) {
            DeviceSpec *d = parse_device(&p, g, g + 7, false);
            ok = d != NULL;
            if (ok && g_hash_table_contains(names, d->name)) {
                ok = fail(&p, g, NULL, "instance name '%s' is used twice", d->name);
                device_spec_free(d);
            } else if (ok) {
                g_hash_table_add(names, d->name);
                g_ptr_array_add(s->devices, d);
            }
        } else if (g_str_has_prefix(g, "memory ")) {
            MemorySpec *m = parse_memory(&p, g, g + 7);
            ok = m != NULL;
            if (ok)
                g_ptr_array_add(s->memory, m);
        } else {
            ok = fail(&p, g, NULL, "unknown group (expected [machine], [cpu], [memory NAME] or "
                                   "[device NAME])");
        }
    }
    /* IRQ and link targets must name instances of this machine. */
    for (guint i = 0; ok && i < s->devices->len; i++) {
        DeviceSpec *d = s->devices->pdata[i];
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, d->links);
        while (ok && g_hash_table_iter_next(&it, &k, &v)) {
            if (!strcmp(v, "cpu") || !g_hash_table_contains(names, v)) {
                char *key = g_strdup_printf("link.%s", (const char *)k);
                g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                            "%s:%d: [device %s] %s: no device named '%s'", path,
                            GPOINTER_TO_INT(g_hash_table_lookup(d->key_lines, key)), d->name, key,
                            (const char *)v);
                g_free(key);
                ok = false;
            }
        }
        for (guint j = 0; ok && j < d->irqs->len; j++) {
            IrqWire *w = d->irqs->pdata[j];
            if (!g_hash_table_contains(names, w->target)) {
                g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                            "%s:%d: [device %s] irq.%s: no instance named '%s'", path, w->line,
                            d->name, w->output, w->target);
                ok = false;
            }
        }
    }
    g_hash_table_destroy(names);
    g_strfreev(groups);
    g_hash_table_destroy(p.ix.lines);
    g_key_file_free(p.kf);
    g_free(text);
    if (!ok) {
        machine_spec_free(s);
        return NULL;
    }
    return s;
}

void machine_spec_free(MachineSpec *s)
{
    if (!s)
        return;
    g_free(s->path);
    g_free(s->name);
    g_free(s->description);
    g_free(s->firmware);
    g_free(s->firmware_package);
    g_free(s->cpu_model);
    device_spec_free(s->cpu);
    g_ptr_array_free(s->memory, TRUE);
    g_ptr_array_free(s->devices, TRUE);
    g_free(s);
}

GPtrArray *machine_file_dirs(void)
{
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    const char *env = g_getenv("TESSERA_MACHINE_PATH");
    if (env && *env) {
        char **parts = g_strsplit(env, ":", -1);
        for (char **d = parts; *d; d++)
            if (**d)
                g_ptr_array_add(dirs, g_strdup(*d));
        g_strfreev(parts);
    }
    if (paths_uninstalled())
        g_ptr_array_add(dirs, g_build_filename(TESSERA_SOURCE_ROOT, "machines", NULL));
    g_ptr_array_add(dirs, g_strdup(TESSERA_MACHINEDIR));
    return dirs;
}

bool machine_name_valid(const char *name)
{
    if (!name || !*name || !strcmp(name, ".") || !strcmp(name, ".."))
        return false;
    for (const char *c = name; *c; c++)
        if (!(*c >= 'a' && *c <= 'z') && !(*c >= '0' && *c <= '9') && *c != '.' && *c != '_' &&
            *c != '-')
            return false;
    return true;
}

char *machine_name_quote(const char *name)
{
    /* At most 64 bytes of it, control and non-ASCII bytes as octal escapes. */
    char *cut = g_strndup(name, 64);
    char *esc = g_strescape(cut, NULL);
    char *out = g_strdup_printf("\"%s\"%s", esc, strlen(name) > 64 ? "..." : "");
    g_free(esc);
    g_free(cut);
    return out;
}

char *machine_file_find_name(const char *name, GError **error)
{
    if (!machine_name_valid(name)) {
        char *q = machine_name_quote(name);
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "machine name %s is not a valid machine name", q);
        g_free(q);
        return NULL;
    }
    GPtrArray *dirs = machine_file_dirs();
    char *file = g_strconcat(name, ".machine", NULL);
    char *found = NULL;
    for (guint i = 0; !found && i < dirs->len; i++) {
        char *cand = g_build_filename(dirs->pdata[i], file, NULL);
        if (g_file_test(cand, G_FILE_TEST_IS_REGULAR))
            found = cand;
        else
            g_free(cand);
    }
    if (!found) {
        g_ptr_array_add(dirs, NULL);
        char *joined = g_strjoinv(":", (char **)dirs->pdata);
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "unknown machine '%s' (searched %s; see --list-machines)", name, joined);
        g_free(joined);
    }
    g_free(file);
    g_ptr_array_free(dirs, TRUE);
    return found;
}

char *machine_file_find(const char *name, GError **error)
{
    if (strchr(name, '/') || g_str_has_suffix(name, ".machine")) {
        if (g_file_test(name, G_FILE_TEST_IS_REGULAR))
            return g_strdup(name);
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "machine file '%s' not found", name);
        return NULL;
    }
    return machine_file_find_name(name, error);
}

static int cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *machine_file_all(void)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *dirs = machine_file_dirs();
    for (guint i = 0; i < dirs->len; i++) {
        GDir *dir = g_dir_open(dirs->pdata[i], 0, NULL);
        if (!dir)
            continue;
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        const char *n;
        while ((n = g_dir_read_name(dir)))
            if (g_str_has_suffix(n, ".machine"))
                g_ptr_array_add(names, g_strdup(n));
        g_dir_close(dir);
        g_ptr_array_sort(names, cmp_names);
        for (guint j = 0; j < names->len; j++) {
            const char *nm = names->pdata[j];
            if (g_hash_table_contains(seen, nm))
                continue;
            g_hash_table_add(seen, g_strdup(nm));
            g_ptr_array_add(out, g_build_filename(dirs->pdata[i], nm, NULL));
        }
        g_ptr_array_free(names, TRUE);
    }
    g_ptr_array_free(dirs, TRUE);
    g_hash_table_destroy(seen);
    return out;
}
