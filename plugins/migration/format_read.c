/* SPDX-License-Identifier: MIT */
/*
 * Reading a .tsnap file. Everything is checked before anything is used: header,
 * footer, every section's header CRC, bounds and payload CRC, then the contents.
 * Every length is bounded by the bytes that remain, so damaged input cannot make
 * the reader allocate or loop beyond the file's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "format.h"
#include "wire.h"

typedef struct Section {
    uint32_t type;
    uint64_t offset; /* of the header */
    const uint8_t *payload;
    size_t len;
} Section;

/* Fuzzing builds accept any checksum so that mutations reach the parsers behind
 * them (the usual libFuzzer convention). */
static bool crc_ok(uint32_t stored, uint32_t computed)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    (void)stored;
    (void)computed;
    return true;
#else
    return stored == computed;
#endif
}

static void device_free(gpointer p)
{
    TsnapDevice *d = p;
    g_free(d->name);
    g_free(d->plugin);
    g_free(d->plugin_version);
    g_free(d->schema);
    record_free(d->rec);
    g_free(d);
}

static void memory_free(gpointer p)
{
    TsnapMemory *m = p;
    g_free(m->name);
    g_free(m);
}

void tsnap_close(TsnapFile *f)
{
    if (!f)
        return;
    if (f->map)
        munmap(f->map, f->size);
    g_free(f->path);
    g_free(f->machine);
    g_free(f->machine_file);
    g_ptr_array_free(f->devices, TRUE);
    g_ptr_array_free(f->memory, TRUE);
    g_free(f);
}

const char *tsnap_section_name(uint32_t type)
{
    switch (type) {
    case TSNAP_SECTION_MANIFEST: return "MANI";
    case TSNAP_SECTION_DEVICE: return "DEVS";
    case TSNAP_SECTION_MEMORY: return "MEMR";
    case TSNAP_SECTION_OFFER: return "HELO";
    case TSNAP_SECTION_PAGES: return "PAGE";
    case TSNAP_SECTION_ACK: return "DONE";
    default: return "unknown";
    }
}

int tsnap_section_check(const uint8_t h[TSNAP_SECTION_HEADER_SIZE], const char *where,
                        uint32_t *type, uint64_t *len, uint32_t *payload_crc, char *err,
                        size_t errlen)
{
    if (!crc_ok(wire_load_u32(h + 20), crc32c(0, h, 20))) {
        snprintf(err, errlen, "%s: header checksum mismatch", where);
        return -1;
    }
    *type = wire_load_u32(h);
    *len = wire_load_u64(h + 8);
    *payload_crc = wire_load_u32(h + 16);
    if (wire_load_u32(h + 4) != 0) {
        snprintf(err, errlen, "%s (%s): unknown flags 0x%x", where, tsnap_section_name(*type),
                 wire_load_u32(h + 4));
        return -1;
    }
    return 0;
}

static int check_frame(const TsnapFile *f, char *err, size_t errlen)
{
    if (f->size < 8 || memcmp(f->data, TSNAP_MAGIC, 8) != 0) {
        snprintf(err, errlen, "%s: not a Tessera snapshot (bad magic)", f->path);
        return -1;
    }
    if (f->size < TSNAP_HEADER_SIZE + TSNAP_FOOTER_SIZE) {
        snprintf(err, errlen, "%s: truncated: %zu bytes is smaller than header and footer",
                 f->path, f->size);
        return -1;
    }
    if (!crc_ok(wire_load_u32(f->data + 28), crc32c(0, f->data, 28))) {
        snprintf(err, errlen, "%s: header checksum mismatch", f->path);
        return -1;
    }
    uint32_t version = wire_load_u32(f->data + 8);
    if (version != TSNAP_FORMAT_VERSION) {
        snprintf(err, errlen, "%s: format version %u, this reader knows version %u", f->path,
                 version, TSNAP_FORMAT_VERSION);
        return -1;
    }
    for (unsigned i = 12; i < 28; i++)
        if (f->data[i]) {
            snprintf(err, errlen, "%s: header reserved byte %u is not zero", f->path, i);
            return -1;
        }
    const uint8_t *foot = f->data + f->size - TSNAP_FOOTER_SIZE;
    if (memcmp(foot, TSNAP_FOOTER_MAGIC, 8) != 0 ||
        !crc_ok(wire_load_u32(foot + 28), crc32c(0, foot, 28))) {
        snprintf(err, errlen, "%s: truncated or damaged: no valid footer at the end", f->path);
        return -1;
    }
    if (wire_load_u64(foot + 8) != f->size) {
        snprintf(err, errlen, "%s: footer records %llu bytes, the file has %zu", f->path,
                 (unsigned long long)wire_load_u64(foot + 8), f->size);
        return -1;
    }
    return 0;
}

/* Split the body into sections, checking both CRCs of each. */
static GArray *read_sections(const TsnapFile *f, char *err, size_t errlen)
{
    GArray *secs = g_array_new(FALSE, FALSE, sizeof(Section));
    size_t pos = TSNAP_HEADER_SIZE;
    size_t end = f->size - TSNAP_FOOTER_SIZE;
    while (pos < end) {
        unsigned idx = secs->len;
        if (end - pos < TSNAP_SECTION_HEADER_SIZE) {
            snprintf(err, errlen, "%s: section %u at offset %zu: header cut short", f->path, idx, pos);
            goto fail;
        }
        const uint8_t *h = f->data + pos;
        if (!crc_ok(wire_load_u32(h + 20), crc32c(0, h, 20))) {
            snprintf(err, errlen, "%s: section %u at offset %zu: header checksum mismatch", f->path,
                     idx, pos);
            goto fail;
        }
        Section s = {.type = wire_load_u32(h), .offset = pos};
        uint64_t len = wire_load_u64(h + 8);
        if (len > end - pos - TSNAP_SECTION_HEADER_SIZE) {
            snprintf(err, errlen, "%s: section %u (%s) at offset %zu: length %llu exceeds the file",
                     f->path, idx, tsnap_section_name(s.type), pos, (unsigned long long)len);
            goto fail;
        }
        if (wire_load_u32(h + 4) != 0) {
            snprintf(err, errlen, "%s: section %u (%s): unknown flags 0x%x", f->path, idx,
                     tsnap_section_name(s.type), wire_load_u32(h + 4));
            goto fail;
        }
        s.payload = h + TSNAP_SECTION_HEADER_SIZE;
        s.len = (size_t)len;
        if (!crc_ok(wire_load_u32(h + 16), crc32c(0, s.payload, s.len))) {
            snprintf(err, errlen, "%s: section %u (%s) at offset %zu: payload checksum mismatch",
                     f->path, idx, tsnap_section_name(s.type), pos);
            goto fail;
        }
        g_array_append_val(secs, s);
        pos += TSNAP_SECTION_HEADER_SIZE + s.len;
    }
    uint32_t expected = wire_load_u32(f->data + f->size - TSNAP_FOOTER_SIZE + 16);
    if (secs->len != expected) {
        snprintf(err, errlen, "%s: %u sections, the footer records %u", f->path, secs->len, expected);
        goto fail;
    }
    return secs;
fail:
    g_array_free(secs, TRUE);
    return NULL;
}

int tsnap_parse_manifest(TsnapFile *f, const uint8_t *payload, size_t len, uint32_t *n_dev,
                         uint32_t *n_mem, char *err, size_t errlen)
{
    WireReader r;
    wire_reader_init(&r, payload, len);
    f->machine = wire_str(&r);
    f->machine_file = wire_str(&r);
    wire_u64(&r, &f->icount);
    wire_u32(&r, n_dev);
    wire_u32(&r, n_mem);
    if (r.bad || wire_remaining(&r)) {
        snprintf(err, errlen, "%s: manifest section is malformed", f->path);
        return -1;
    }
    return 0;
}

int tsnap_parse_device(TsnapFile *f, const uint8_t *payload, size_t size, uint64_t offset,
                       char *err, size_t errlen)
{
    WireReader r;
    wire_reader_init(&r, payload, size);
    TsnapDevice *d = g_new0(TsnapDevice, 1);
    g_ptr_array_add(f->devices, d);
    d->offset = offset;
    d->size = size;
    d->name = wire_str(&r);
    d->plugin = wire_str(&r);
    d->plugin_version = wire_str(&r);
    wire_u32(&r, &d->kind);
    d->schema = wire_str(&r);
    uint32_t version = 0, n_fields = 0;
    wire_u32(&r, &version);
    wire_u32(&r, &n_fields);
    if (r.bad || !d->name[0] || !d->plugin[0] || !d->schema[0] || version == 0) {
        snprintf(err, errlen, "%s: device section at offset %llu: malformed header", f->path,
                 (unsigned long long)offset);
        return -1;
    }
    d->rec = record_new(version);
    for (uint32_t i = 0; i < n_fields; i++) {
        g_autofree char *name = wire_str(&r);
        uint32_t type = 0, count = 0;
        uint64_t len = 0;
        wire_u32(&r, &type);
        wire_u32(&r, &count);
        wire_u64(&r, &len);
        const uint8_t *data = r.bad ? NULL : wire_bytes(&r, len);
        if (!data) {
            snprintf(err, errlen, "%s: device '%s': field %u runs past its section", f->path,
                     d->name, i);
            return -1;
        }
        if (len != (uint64_t)count * field_type_width(type)) {
            snprintf(err, errlen, "%s: device '%s': field '%s': %llu bytes for %s[%u]", f->path,
                     d->name, name, (unsigned long long)len, field_type_name(type), count);
            return -1;
        }
        char ferr[256];
        if (record_append(d->rec, name, type, count, data, ferr, sizeof(ferr)) < 0) {
            snprintf(err, errlen, "%s: device '%s': %s", f->path, d->name, ferr);
            return -1;
        }
    }
    if (wire_remaining(&r)) {
        snprintf(err, errlen, "%s: device '%s': %zu stray bytes after the fields", f->path, d->name,
                 wire_remaining(&r));
        return -1;
    }
    if (tsnap_find_device(f, d->name) != d) {
        snprintf(err, errlen, "%s: device '%s' appears twice", f->path, d->name);
        return -1;
    }
    return 0;
}

static int parse_memory(TsnapFile *f, const Section *s, char *err, size_t errlen)
{
    WireReader r;
    wire_reader_init(&r, s->payload, s->len);
    TsnapMemory *m = g_new0(TsnapMemory, 1);
    g_ptr_array_add(f->memory, m);
    m->offset = s->offset;
    m->size = s->len;
    m->name = wire_str(&r);
    uint32_t readonly = 0, page = 0, chunk_pages = 0, reserved = 0;
    wire_u64(&r, &m->pa);
    wire_u64(&r, &m->length);
    wire_u32(&r, &readonly);
    wire_u32(&r, &page);
    wire_u32(&r, &chunk_pages);
    wire_u32(&r, &reserved);
    if (r.bad || !m->name[0] || readonly > 1 || reserved) {
        snprintf(err, errlen, "%s: memory section at offset %llu: malformed header", f->path,
                 (unsigned long long)s->offset);
        return -1;
    }
    if (page != TSNAP_PAGE_SIZE || chunk_pages != TSNAP_CHUNK_PAGES) {
        snprintf(err, errlen, "%s: memory '%s': page size %u x %u per chunk, expected %u x %u",
                 f->path, m->name, page, chunk_pages, TSNAP_PAGE_SIZE, TSNAP_CHUNK_PAGES);
        return -1;
    }
    m->readonly = readonly;
    m->chunks = s->payload + r.pos;
    m->chunks_len = wire_remaining(&r);
    char cerr[256];
    if (tsnap_memory_scan(m->chunks, m->chunks_len, m->length, &m->n_chunks, &m->stored_pages,
                          cerr, sizeof(cerr)) < 0) {
        snprintf(err, errlen, "%s: memory '%s': %s", f->path, m->name, cerr);
        return -1;
    }
    if (tsnap_find_memory(f, m->name) != m) {
        snprintf(err, errlen, "%s: memory '%s' appears twice", f->path, m->name);
        return -1;
    }
    return 0;
}

static int parse(TsnapFile *f, char *err, size_t errlen)
{
    if (check_frame(f, err, errlen) < 0)
        return -1;
    g_autoptr(GArray) secs = read_sections(f, err, errlen);
    if (!secs)
        return -1;
    Section *s = (Section *)secs->data;
    uint32_t n_dev = 0, n_mem = 0;
    if (secs->len == 0 || s[0].type != TSNAP_SECTION_MANIFEST) {
        snprintf(err, errlen, "%s: the first section is not the manifest", f->path);
        return -1;
    }
    if (tsnap_parse_manifest(f, s[0].payload, s[0].len, &n_dev, &n_mem, err, errlen) < 0)
        return -1;
    if ((uint64_t)n_dev + n_mem + 1 != secs->len) {
        snprintf(err, errlen, "%s: manifest lists %u devices and %u memory regions, the file has "
                 "%u sections", f->path, n_dev, n_mem, secs->len - 1);
        return -1;
    }
    for (uint32_t i = 1; i < secs->len; i++) {
        uint32_t want = i <= n_dev ? TSNAP_SECTION_DEVICE : TSNAP_SECTION_MEMORY;
        if (s[i].type != want) {
            snprintf(err, errlen, "%s: section %u is %s, expected %s", f->path, i,
                     tsnap_section_name(s[i].type), tsnap_section_name(want));
            return -1;
        }
        int rc = want == TSNAP_SECTION_DEVICE
                     ? tsnap_parse_device(f, s[i].payload, s[i].len, s[i].offset, err, errlen)
                                              : parse_memory(f, &s[i], err, errlen);
        if (rc < 0)
            return -1;
    }
    return 0;
}

TsnapFile *tsnap_file_new(const char *name)
{
    TsnapFile *f = g_new0(TsnapFile, 1);
    f->path = g_strdup(name);
    f->devices = g_ptr_array_new_with_free_func(device_free);
    f->memory = g_ptr_array_new_with_free_func(memory_free);
    return f;
}

TsnapFile *tsnap_open_buffer(const void *data, size_t len, const char *name, char *err,
                             size_t errlen)
{
    TsnapFile *f = tsnap_file_new(name);
    f->data = data;
    f->size = len;
    f->format_version = TSNAP_FORMAT_VERSION;
    if (parse(f, err, errlen) < 0) {
        tsnap_close(f);
        return NULL;
    }
    return f;
}

/* Map the whole file, pre-faulted: RAM sections are read in full right away. */
static int map_file(TsnapFile *f, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO is refused below instead of blocking the open for ever. */
    int fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", f->path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", f->path);
        close(fd);
        return -1;
    }
    f->size = (size_t)st.st_size;
    f->data = (const uint8_t *)"";
    if (f->size) {
        void *p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (p == MAP_FAILED) {
            snprintf(err, errlen, "%s: cannot map: %s", f->path, g_strerror(errno));
            close(fd);
            return -1;
        }
        f->map = p;
        f->data = p;
    }
    close(fd);
    return 0;
}

TsnapFile *tsnap_open(const char *path, char *err, size_t errlen)
{
    TsnapFile *f = tsnap_file_new(path);
    f->format_version = TSNAP_FORMAT_VERSION;
    if (map_file(f, err, errlen) < 0 || parse(f, err, errlen) < 0) {
        tsnap_close(f);
        return NULL;
    }
    return f;
}

const TsnapDevice *tsnap_find_device(const TsnapFile *f, const char *name)
{
    for (unsigned i = 0; i < f->devices->len; i++) {
        const TsnapDevice *d = f->devices->pdata[i];
        if (d->name && strcmp(d->name, name) == 0)
            return d;
    }
    return NULL;
}

const TsnapMemory *tsnap_find_memory(const TsnapFile *f, const char *name)
{
    for (unsigned i = 0; i < f->memory->len; i++) {
        const TsnapMemory *m = f->memory->pdata[i];
        if (m->name && strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}
