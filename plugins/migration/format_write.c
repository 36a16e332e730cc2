/* SPDX-License-Identifier: MIT */
/* Writing a .tsnap file: header, sections with CRC-32C, footer; atomically. */
#include <stdio.h>
#include <string.h>

#include "atomic.h"
#include "crc32c.h"
#include "format.h"
#include "wire.h"

typedef struct Writer {
    AtomicFile *file;
    uint64_t section_start; /* offset of the current section header */
    uint64_t payload_len;
    uint32_t crc;
    uint32_t n_sections;
} Writer;

static int payload(void *ctx, const void *buf, size_t len)
{
    Writer *w = ctx;
    w->crc = crc32c(w->crc, buf, len);
    w->payload_len += len;
    return atomic_write(w->file, buf, len);
}

static int section_begin(Writer *w)
{
    uint8_t zero[TSNAP_SECTION_HEADER_SIZE] = {0};
    w->section_start = atomic_offset(w->file);
    w->payload_len = 0;
    w->crc = 0;
    return atomic_write(w->file, zero, sizeof(zero));
}

void tsnap_section_header(uint8_t h[TSNAP_SECTION_HEADER_SIZE], uint32_t type, uint64_t len,
                          uint32_t payload_crc)
{
    wire_store_u32(h, type);
    wire_store_u32(h + 4, 0);
    wire_store_u64(h + 8, len);
    wire_store_u32(h + 16, payload_crc);
    wire_store_u32(h + 20, crc32c(0, h, 20));
}

void tsnap_file_header(uint8_t h[TSNAP_HEADER_SIZE])
{
    memset(h, 0, TSNAP_HEADER_SIZE);
    memcpy(h, TSNAP_MAGIC, 8);
    wire_store_u32(h + 8, TSNAP_FORMAT_VERSION);
    wire_store_u32(h + 28, crc32c(0, h, 28));
}

void tsnap_file_footer(uint8_t f[TSNAP_FOOTER_SIZE], uint64_t total_size, uint32_t n_sections)
{
    memset(f, 0, TSNAP_FOOTER_SIZE);
    memcpy(f, TSNAP_FOOTER_MAGIC, 8);
    wire_store_u64(f + 8, total_size);
    wire_store_u32(f + 16, n_sections);
    wire_store_u32(f + 28, crc32c(0, f, 28));
}

static int section_end(Writer *w, uint32_t type)
{
    uint8_t h[TSNAP_SECTION_HEADER_SIZE];
    tsnap_section_header(h, type, w->payload_len, w->crc);
    w->n_sections++;
    return atomic_pwrite(w->file, w->section_start, h, sizeof(h));
}

/* A small section built in memory. */
static int section_bytes(Writer *w, uint32_t type, GByteArray *b)
{
    if (section_begin(w) < 0 || payload(w, b->data, b->len) < 0)
        return -1;
    return section_end(w, type);
}

void tsnap_encode_device(GByteArray *b, const TsnapDeviceOut *d)
{
    wire_put_str(b, d->name);
    wire_put_str(b, d->plugin);
    wire_put_str(b, d->plugin_version);
    wire_put_u32(b, d->kind);
    wire_put_str(b, d->schema);
    wire_put_u32(b, record_version(d->rec));
    wire_put_u32(b, record_n_fields(d->rec));
    for (unsigned i = 0; i < record_n_fields(d->rec); i++) {
        const RecordField *f = record_field(d->rec, i);
        uint64_t len = (uint64_t)f->count * field_type_width(f->type);
        wire_put_str(b, f->name);
        wire_put_u32(b, f->type);
        wire_put_u32(b, f->count);
        wire_put_u64(b, len);
        g_byte_array_append(b, f->data, (guint)len);
    }
}

void tsnap_encode_manifest(GByteArray *b, const char *machine, const char *machine_file,
                           uint64_t icount, uint32_t n_devices, uint32_t n_memory)
{
    wire_put_str(b, machine);
    wire_put_str(b, machine_file);
    wire_put_u64(b, icount);
    wire_put_u32(b, n_devices);
    wire_put_u32(b, n_memory);
}

static int write_memory(Writer *w, const TsnapMemoryOut *m, char *err, size_t errlen)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    wire_put_str(b, m->name);
    wire_put_u64(b, m->pa);
    wire_put_u64(b, m->length);
    wire_put_u32(b, m->readonly ? 1 : 0);
    wire_put_u32(b, TSNAP_PAGE_SIZE);
    wire_put_u32(b, TSNAP_CHUNK_PAGES);
    wire_put_u32(b, 0);
    if (section_begin(w) < 0 || payload(w, b->data, b->len) < 0)
        return -1;
    if (m->host) {
        g_autofree char *label = g_strdup_printf("saving %s", m->name);
        if (tsnap_memory_encode(label, m->host, m->length, payload, w, err, errlen) < 0)
            return -1;
    } else if (m->encoded_len && payload(w, m->encoded, m->encoded_len) < 0) {
        return -1;
    }
    return section_end(w, TSNAP_SECTION_MEMORY);
}

static int write_all(Writer *w, const TsnapWriteSpec *spec, char *err, size_t errlen)
{
    uint8_t h[TSNAP_HEADER_SIZE];
    tsnap_file_header(h);
    if (atomic_write(w->file, h, sizeof(h)) < 0)
        return -1;

    g_autoptr(GByteArray) mani = g_byte_array_new();
    tsnap_encode_manifest(mani, spec->machine, spec->machine_file, spec->icount, spec->n_devices,
                          spec->n_memory);
    if (section_bytes(w, TSNAP_SECTION_MANIFEST, mani) < 0)
        return -1;

    for (uint32_t i = 0; i < spec->n_devices; i++) {
        g_autoptr(GByteArray) dev = g_byte_array_new();
        tsnap_encode_device(dev, &spec->devices[i]);
        if (section_bytes(w, TSNAP_SECTION_DEVICE, dev) < 0)
            return -1;
    }
    for (uint32_t i = 0; i < spec->n_memory; i++)
        if (write_memory(w, &spec->memory[i], err, errlen) < 0)
            return -1;

    uint8_t f[TSNAP_FOOTER_SIZE];
    tsnap_file_footer(f, atomic_offset(w->file) + TSNAP_FOOTER_SIZE, w->n_sections);
    return atomic_write(w->file, f, sizeof(f));
}

int tsnap_write(const char *path, const TsnapWriteSpec *spec, char *err, size_t errlen)
{
    Writer w = {.file = atomic_open(path, err, errlen)};
    if (!w.file)
        return -1;
    err[0] = '\0';
    if (write_all(&w, spec, err, errlen) < 0) {
        if (atomic_error(w.file)[0])
            snprintf(err, errlen, "%s", atomic_error(w.file));
        else if (!err[0])
            snprintf(err, errlen, "%s: write failed", path);
        atomic_abort(w.file);
        return -1;
    }
    return atomic_commit(w.file, err, errlen);
}
