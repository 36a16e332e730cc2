/* SPDX-License-Identifier: MIT */
/*
 * The .tsnap file (docs/snapshot-format.md): a header, sections (MANI, one DEVS per
 * instance, one MEMR per memory region), each with a CRC-32C, and a footer. All
 * integers are little-endian.
 */
#ifndef TSNAP_FORMAT_H
#define TSNAP_FORMAT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define TSNAP_MAGIC "TSNAP\r\n\x1a"
#define TSNAP_FOOTER_MAGIC "TSNAPEND"
#define TSNAP_FORMAT_VERSION 1u
#define TSNAP_HEADER_SIZE 32u
#define TSNAP_SECTION_HEADER_SIZE 24u
#define TSNAP_FOOTER_SIZE 32u

#define TSNAP_SECTION_MANIFEST 0x494e414du /* "MANI" */
#define TSNAP_SECTION_DEVICE 0x53564544u   /* "DEVS" */
#define TSNAP_SECTION_MEMORY 0x524d454du   /* "MEMR" */
/* Only in migration streams (docs/snapshot-format.md, "Migration streams"). */
#define TSNAP_SECTION_OFFER 0x4f4c4548u    /* "HELO": machine and per-device offers */
#define TSNAP_SECTION_PAGES 0x45474150u    /* "PAGE": pages of one chunk of a region */
#define TSNAP_SECTION_ACK 0x454e4f44u      /* "DONE": the destination's verdict */

#define TSNAP_PAGE_SIZE 4096u
#define TSNAP_CHUNK_PAGES 256u
#define TSNAP_BITMAP_BYTES (TSNAP_CHUNK_PAGES / 8)
#define TSNAP_CHUNK_HEADER_SIZE (TSNAP_BITMAP_BYTES + 8u)

enum {
    TSNAP_CHUNK_ZERO = 0, /* every page of the chunk is zero: no data */
    TSNAP_CHUNK_ZSTD = 1, /* the non-zero pages, concatenated, as one zstd frame */
    TSNAP_CHUNK_RAW = 2,  /* the non-zero pages, concatenated, stored */
};

/* ---- what the writer takes ---- */

typedef struct TsnapDeviceOut {
    const char *name;
    const char *plugin;
    const char *plugin_version;
    uint32_t kind;
    const char *schema;
    const TesseraRecord *rec; /* its version is the state version */
} TsnapDeviceOut;

typedef struct TsnapMemoryOut {
    const char *name;
    uint64_t pa;
    uint64_t length;
    bool readonly;
    const uint8_t *host;     /* contents to encode, or NULL and: */
    const uint8_t *encoded;  /* chunks already encoded (copied from another snapshot) */
    size_t encoded_len;
} TsnapMemoryOut;

typedef struct TsnapWriteSpec {
    const char *machine;
    const char *machine_file;
    uint64_t icount;
    const TsnapDeviceOut *devices;
    uint32_t n_devices;
    const TsnapMemoryOut *memory;
    uint32_t n_memory;
} TsnapWriteSpec;

/* Write atomically; an existing file at `path` is replaced only on success. */
int tsnap_write(const char *path, const TsnapWriteSpec *spec, char *err, size_t errlen);

/* The pieces of the stream, shared by files and migration sockets. */
void tsnap_file_header(uint8_t h[TSNAP_HEADER_SIZE]);
void tsnap_file_footer(uint8_t f[TSNAP_FOOTER_SIZE], uint64_t total_size, uint32_t n_sections);
void tsnap_section_header(uint8_t h[TSNAP_SECTION_HEADER_SIZE], uint32_t type, uint64_t len,
                          uint32_t payload_crc);
void tsnap_encode_manifest(GByteArray *b, const char *machine, const char *machine_file,
                           uint64_t icount, uint32_t n_devices, uint32_t n_memory);
void tsnap_encode_device(GByteArray *b, const TsnapDeviceOut *d);

/* ---- what the reader gives ---- */

typedef struct TsnapDevice {
    char *name;
    char *plugin;
    char *plugin_version;
    uint32_t kind;
    char *schema;
    TesseraRecord *rec; /* its version is the state version */
    uint64_t offset;    /* of the section header in the file */
    uint64_t size;      /* section payload bytes */
} TsnapDevice;

typedef struct TsnapMemory {
    char *name;
    uint64_t pa;
    uint64_t length;
    bool readonly;
    uint64_t n_chunks;
    uint64_t stored_pages; /* non-zero pages */
    const uint8_t *chunks; /* encoded chunks, inside the mapping */
    size_t chunks_len;
    uint64_t offset;
    uint64_t size;
} TsnapMemory;

typedef struct TsnapFile {
    char *path;
    void *map;          /* the file's mapping; NULL when opened from a buffer */
    const uint8_t *data;
    size_t size;
    uint32_t format_version;
    char *machine;
    char *machine_file;
    uint64_t icount;
    GPtrArray *devices; /* TsnapDevice* */
    GPtrArray *memory;  /* TsnapMemory* */
} TsnapFile;

/* An empty TsnapFile named `name` that sections are parsed into one at a time
 * (a migration stream): the manifest section, then each device section. */
TsnapFile *tsnap_file_new(const char *name);
int tsnap_parse_manifest(TsnapFile *f, const uint8_t *payload, size_t len, uint32_t *n_dev,
                         uint32_t *n_mem, char *err, size_t errlen);
int tsnap_parse_device(TsnapFile *f, const uint8_t *payload, size_t len, uint64_t offset,
                       char *err, size_t errlen);
/* A section header's type and payload length, its CRC checked; the payload CRC
 * in *payload_crc. Errors name `where`. */
int tsnap_section_check(const uint8_t h[TSNAP_SECTION_HEADER_SIZE], const char *where,
                        uint32_t *type, uint64_t *len, uint32_t *payload_crc, char *err,
                        size_t errlen);
const char *tsnap_section_name(uint32_t type);

/* Check the whole structure and every checksum; errors start with the path. */
TsnapFile *tsnap_open(const char *path, char *err, size_t errlen);
/* Same from memory (the buffer must outlive the result); `name` prefixes errors. */
TsnapFile *tsnap_open_buffer(const void *data, size_t len, const char *name, char *err,
                             size_t errlen);
void tsnap_close(TsnapFile *f);

const TsnapDevice *tsnap_find_device(const TsnapFile *f, const char *name);
const TsnapMemory *tsnap_find_memory(const TsnapFile *f, const char *name);

/* ---- memory region chunks (compress.c) ---- */

typedef int (*TsnapSink)(void *ctx, const void *buf, size_t len);

/* Encode `length` bytes as chunks (zero pages elided, zstd), passed to sink. */
int tsnap_memory_encode(const char *label, const uint8_t *host, uint64_t length, TsnapSink sink,
                        void *ctx, char *err, size_t errlen);
/* Walk the chunk headers: sizes, methods and bitmaps consistent with `length`. */
int tsnap_memory_scan(const uint8_t *chunks, size_t len, uint64_t length, uint64_t *n_chunks,
                      uint64_t *stored_pages, char *err, size_t errlen);
/* Decode into dst (length bytes; zero pages are written as zeros), or only check
 * that every chunk decompresses to the right size when dst is NULL. */
int tsnap_memory_decode(const TsnapMemory *m, uint8_t *dst, char *err, size_t errlen);

/* A PAGE section's payload (migration streams): the pages of chunk `chunk` of
 * region `region` whose bit is set in `sent`, zero pages as one bit each; zstd
 * when a compression context is given and it shrinks them. Counts the pages. */
int tsnap_pages_encode(GByteArray *b, uint32_t region, uint64_t chunk, const uint8_t *host,
                       uint64_t length, const uint8_t sent[TSNAP_BITMAP_BYTES], void *zstd_cctx,
                       uint64_t *zero_pages, uint64_t *data_pages);
/* Check a PAGE payload in full, then write its pages into hosts[region]. */
int tsnap_pages_apply(const uint8_t *payload, size_t len, uint8_t *const *hosts,
                      const uint64_t *lengths, uint32_t n_regions, void *zstd_dctx, char *err,
                      size_t errlen);

#endif /* TSNAP_FORMAT_H */
