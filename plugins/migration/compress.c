/* SPDX-License-Identifier: MIT */
/*
 * Memory region chunks: 256 pages of 4 KiB each. A chunk header has a bitmap of its
 * non-zero pages; only those pages are stored, concatenated, as one zstd frame (or
 * raw when zstd does not shrink them). Zero pages cost one bit.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "format.h"
#include "progress.h"
#include "wire.h"

#define CHUNK_BYTES ((uint64_t)TSNAP_PAGE_SIZE * TSNAP_CHUNK_PAGES)
#define ZSTD_LEVEL 1

static bool page_is_zero(const uint8_t *p, size_t len)
{
    /* memcmp against itself shifted by one byte: libc's vectorised compare does
     * the word-at-a-time work. */
    return p[0] == 0 && memcmp(p, p + 1, len - 1) == 0;
}

static uint64_t chunk_count(uint64_t length)
{
    return (length + CHUNK_BYTES - 1) / CHUNK_BYTES;
}

/* Pages in chunk c and the bytes of page i of it. */
static unsigned chunk_pages(uint64_t length, uint64_t c)
{
    uint64_t left = length - c * CHUNK_BYTES;
    uint64_t pages = (left + TSNAP_PAGE_SIZE - 1) / TSNAP_PAGE_SIZE;
    return pages > TSNAP_CHUNK_PAGES ? TSNAP_CHUNK_PAGES : (unsigned)pages;
}

static size_t page_bytes(uint64_t length, uint64_t c, unsigned i)
{
    uint64_t start = c * CHUNK_BYTES + (uint64_t)i * TSNAP_PAGE_SIZE;
    uint64_t left = length - start;
    return left > TSNAP_PAGE_SIZE ? TSNAP_PAGE_SIZE : (size_t)left;
}

int tsnap_memory_encode(const char *label, const uint8_t *host, uint64_t length, TsnapSink sink,
                        void *ctx, char *err, size_t errlen)
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    g_autofree uint8_t *gather = g_malloc(CHUNK_BYTES);
    size_t bound = ZSTD_compressBound(CHUNK_BYTES);
    g_autofree uint8_t *packed = g_malloc(bound);
    uint64_t n = chunk_count(length);
    int rc = 0;
    Progress prog;
    progress_begin(&prog, label, length);

    for (uint64_t c = 0; c < n && rc == 0; c++) {
        const uint8_t *base = host + c * CHUNK_BYTES;
        unsigned pages = chunk_pages(length, c);
        uint8_t header[TSNAP_CHUNK_HEADER_SIZE] = {0};
        size_t raw_len = 0;
        unsigned stored = 0;
        for (unsigned i = 0; i < pages; i++) {
            size_t len = page_bytes(length, c, i);
            if (page_is_zero(base + (size_t)i * TSNAP_PAGE_SIZE, len))
                continue;
            header[i / 8] |= (uint8_t)(1u << (i % 8));
            raw_len += len;
            stored++;
        }
        /* Gather the non-zero pages unless they already are contiguous. */
        const uint8_t *src = base;
        if (stored && stored != pages) {
            size_t off = 0;
            for (unsigned i = 0; i < pages; i++)
                if (header[i / 8] & (1u << (i % 8))) {
                    size_t len = page_bytes(length, c, i);
                    memcpy(gather + off, base + (size_t)i * TSNAP_PAGE_SIZE, len);
                    off += len;
                }
            src = gather;
        }
        const uint8_t *data = NULL;
        size_t data_len = 0;
        uint8_t method = TSNAP_CHUNK_ZERO;
        if (raw_len) {
            size_t z = ZSTD_compressCCtx(cctx, packed, bound, src, raw_len, ZSTD_LEVEL);
            if (ZSTD_isError(z)) {
                snprintf(err, errlen, "%s: zstd: %s", label, ZSTD_getErrorName(z));
                rc = -1;
                break;
            }
            if (z < raw_len) {
                method = TSNAP_CHUNK_ZSTD;
                data = packed;
                data_len = z;
            } else {
                method = TSNAP_CHUNK_RAW;
                data = src;
                data_len = raw_len;
            }
        }
        header[TSNAP_BITMAP_BYTES] = method;
        wire_store_u32(header + TSNAP_BITMAP_BYTES + 4, (uint32_t)data_len);
        if (sink(ctx, header, sizeof(header)) < 0 || (data_len && sink(ctx, data, data_len) < 0)) {
            snprintf(err, errlen, "%s: write failed", label);
            rc = -1;
        }
        progress_update(&prog, (c + 1) * CHUNK_BYTES > length ? length : (c + 1) * CHUNK_BYTES);
    }
    progress_end(&prog);
    ZSTD_freeCCtx(cctx);
    return rc;
}

/* Raw bytes the chunk's set pages hold. */
static size_t chunk_raw_len(const uint8_t *bitmap, uint64_t length, uint64_t c, unsigned pages,
                            unsigned *stored)
{
    size_t raw = 0;
    *stored = 0;
    for (unsigned i = 0; i < pages; i++)
        if (bitmap[i / 8] & (1u << (i % 8))) {
            raw += page_bytes(length, c, i);
            (*stored)++;
        }
    return raw;
}

int tsnap_memory_scan(const uint8_t *chunks, size_t len, uint64_t length, uint64_t *n_chunks,
                      uint64_t *stored_pages, char *err, size_t errlen)
{
    WireReader r;
    wire_reader_init(&r, chunks, len);
    uint64_t n = chunk_count(length);
    uint64_t total_pages = 0;
    for (uint64_t c = 0; c < n; c++) {
        const uint8_t *h = wire_bytes(&r, TSNAP_CHUNK_HEADER_SIZE);
        if (!h) {
            snprintf(err, errlen, "chunk %llu: header runs past the section", (unsigned long long)c);
            return -1;
        }
        unsigned pages = chunk_pages(length, c);
        for (unsigned i = pages; i < TSNAP_CHUNK_PAGES; i++)
            if (h[i / 8] & (1u << (i % 8))) {
                snprintf(err, errlen, "chunk %llu: page %u is beyond the region",
                         (unsigned long long)c, i);
                return -1;
            }
        uint8_t method = h[TSNAP_BITMAP_BYTES];
        uint32_t stored_len = wire_load_u32(h + TSNAP_BITMAP_BYTES + 4);
        unsigned stored;
        size_t raw = chunk_raw_len(h, length, c, pages, &stored);
        bool ok;
        switch (method) {
        case TSNAP_CHUNK_ZERO: ok = raw == 0 && stored_len == 0; break;
        case TSNAP_CHUNK_ZSTD: ok = raw > 0 && stored_len > 0; break;
        case TSNAP_CHUNK_RAW: ok = raw > 0 && stored_len == raw; break;
        default: ok = false; break;
        }
        if (!ok || h[TSNAP_BITMAP_BYTES + 1] || h[TSNAP_BITMAP_BYTES + 2] ||
            h[TSNAP_BITMAP_BYTES + 3]) {
            snprintf(err, errlen, "chunk %llu: method %u with %u stored bytes does not match its "
                     "%u non-zero pages", (unsigned long long)c, method, stored_len, stored);
            return -1;
        }
        if (!wire_bytes(&r, stored_len)) {
            snprintf(err, errlen, "chunk %llu: %u data bytes run past the section",
                     (unsigned long long)c, stored_len);
            return -1;
        }
        total_pages += stored;
    }
    if (wire_remaining(&r)) {
        snprintf(err, errlen, "%zu stray bytes after the last chunk", wire_remaining(&r));
        return -1;
    }
    *n_chunks = n;
    *stored_pages = total_pages;
    return 0;
}

/* Write the pages of chunk c at base: those set in `nonzero` from src (packed in
 * page order), the others as zeros; with `sent`, only the pages set in it. */
static void write_pages(uint8_t *base, uint64_t length, uint64_t c, unsigned pages,
                        const uint8_t *sent, const uint8_t *nonzero, const uint8_t *src)
{
    for (unsigned i = 0; i < pages; i++) {
        if (sent && !(sent[i / 8] & (1u << (i % 8))))
            continue;
        size_t len = page_bytes(length, c, i);
        uint8_t *p = base + (size_t)i * TSNAP_PAGE_SIZE;
        if (nonzero[i / 8] & (1u << (i % 8))) {
            memcpy(p, src, len);
            src += len;
        } else if (!page_is_zero(p, len)) {
            /* Reading an untouched page of fresh RAM costs no memory;
             * writing zeros to it would fault the whole guest RAM in. */
            memset(p, 0, len);
        }
    }
}

int tsnap_memory_decode(const TsnapMemory *m, uint8_t *dst, char *err, size_t errlen)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    g_autofree uint8_t *scratch = g_malloc(CHUNK_BYTES);
    WireReader r;
    wire_reader_init(&r, m->chunks, m->chunks_len);
    int rc = 0;
    Progress prog;
    progress_begin(&prog, dst ? "loading memory" : "checking memory", m->length);

    for (uint64_t c = 0; c < m->n_chunks && rc == 0; c++) {
        const uint8_t *h = wire_bytes(&r, TSNAP_CHUNK_HEADER_SIZE);
        uint32_t stored_len = h ? wire_load_u32(h + TSNAP_BITMAP_BYTES + 4) : 0;
        const uint8_t *data = h ? wire_bytes(&r, stored_len) : NULL;
        if (!h || !data) {
            snprintf(err, errlen, "memory '%s' chunk %llu: truncated", m->name, (unsigned long long)c);
            rc = -1;
            break;
        }
        unsigned pages = chunk_pages(m->length, c), stored;
        size_t raw = chunk_raw_len(h, m->length, c, pages, &stored);
        const uint8_t *src = data;
        if (h[TSNAP_BITMAP_BYTES] == TSNAP_CHUNK_ZSTD) {
            unsigned long long size = ZSTD_getFrameContentSize(data, stored_len);
            size_t got = size == raw ? ZSTD_decompressDCtx(dctx, scratch, CHUNK_BYTES, data, stored_len)
                                     : 0;
            if (size != raw || ZSTD_isError(got) || got != raw) {
                snprintf(err, errlen, "memory '%s' chunk %llu: compressed data is damaged",
                         m->name, (unsigned long long)c);
                rc = -1;
                break;
            }
            src = scratch;
        } else if (h[TSNAP_BITMAP_BYTES] == TSNAP_CHUNK_RAW && stored_len != raw) {
            snprintf(err, errlen, "memory '%s' chunk %llu: stored size mismatch", m->name,
                     (unsigned long long)c);
            rc = -1;
            break;
        }
        if (dst) {
            write_pages(dst + c * CHUNK_BYTES, m->length, c, pages, NULL, h, src);
        }
        progress_update(&prog, (c + 1) * CHUNK_BYTES > m->length ? m->length : (c + 1) * CHUNK_BYTES);
    }
    progress_end(&prog);
    ZSTD_freeDCtx(dctx);
    return rc;
}

/* ---- PAGE sections of a migration stream ---- */

int tsnap_pages_encode(GByteArray *b, uint32_t region, uint64_t chunk, const uint8_t *host,
                       uint64_t length, const uint8_t sent[TSNAP_BITMAP_BYTES], void *zstd_cctx,
                       uint64_t *zero_pages, uint64_t *data_pages)
{
    unsigned pages = chunk_pages(length, chunk);
    const uint8_t *base = host + chunk * CHUNK_BYTES;
    uint8_t nonzero[TSNAP_BITMAP_BYTES] = {0};
    size_t raw_len = 0;
    wire_put_u32(b, region);
    wire_put_u64(b, chunk);
    g_byte_array_append(b, sent, TSNAP_BITMAP_BYTES);
    guint at = b->len;
    g_byte_array_set_size(b, b->len + TSNAP_BITMAP_BYTES + 8);
    /* The pages go in as they are now; a page written after this is dirty again
     * and goes in a later section, which the destination applies after this one. */
    for (unsigned i = 0; i < pages; i++) {
        if (!(sent[i / 8] & (1u << (i % 8))))
            continue;
        size_t len = page_bytes(length, chunk, i);
        const uint8_t *p = base + (size_t)i * TSNAP_PAGE_SIZE;
        if (page_is_zero(p, len)) {
            (*zero_pages)++;
            continue;
        }
        nonzero[i / 8] |= (uint8_t)(1u << (i % 8));
        g_byte_array_append(b, p, (guint)len);
        raw_len += len;
        (*data_pages)++;
    }
    uint8_t method = raw_len ? TSNAP_CHUNK_RAW : TSNAP_CHUNK_ZERO;
    size_t stored = raw_len;
    if (raw_len && zstd_cctx) {
        size_t bound = ZSTD_compressBound(raw_len);
        g_autofree uint8_t *packed = g_malloc(bound);
        size_t z = ZSTD_compressCCtx(zstd_cctx, packed, bound, b->data + at + TSNAP_BITMAP_BYTES + 8,
                                     raw_len, ZSTD_LEVEL);
        if (ZSTD_isError(z))
            return -1;
        if (z < raw_len) {
            g_byte_array_set_size(b, at + TSNAP_BITMAP_BYTES + 8);
            g_byte_array_append(b, packed, (guint)z);
            method = TSNAP_CHUNK_ZSTD;
            stored = z;
        }
    }
    uint8_t *h = b->data + at;
    memcpy(h, nonzero, TSNAP_BITMAP_BYTES);
    h[TSNAP_BITMAP_BYTES] = method;
    h[TSNAP_BITMAP_BYTES + 1] = h[TSNAP_BITMAP_BYTES + 2] = h[TSNAP_BITMAP_BYTES + 3] = 0;
    wire_store_u32(h + TSNAP_BITMAP_BYTES + 4, (uint32_t)stored);
    return 0;
}

int tsnap_pages_apply(const uint8_t *payload, size_t len, uint8_t *const *hosts,
                      const uint64_t *lengths, uint32_t n_regions, void *zstd_dctx, char *err,
                      size_t errlen)
{
    WireReader r;
    wire_reader_init(&r, payload, len);
    uint32_t region = 0;
    uint64_t chunk = 0;
    wire_u32(&r, &region);
    wire_u64(&r, &chunk);
    const uint8_t *sent = wire_bytes(&r, TSNAP_BITMAP_BYTES);
    const uint8_t *h = wire_bytes(&r, TSNAP_BITMAP_BYTES + 8);
    if (r.bad || region >= n_regions || chunk >= chunk_count(lengths[region])) {
        snprintf(err, errlen, "PAGE section: malformed header (region %u, chunk %llu)", region,
                 (unsigned long long)chunk);
        return -1;
    }
    unsigned pages = chunk_pages(lengths[region], chunk), stored_pages;
    const uint8_t *nonzero = h;
    for (unsigned i = 0; i < TSNAP_CHUNK_PAGES; i++) {
        bool s = sent[i / 8] & (1u << (i % 8)), nz = nonzero[i / 8] & (1u << (i % 8));
        if ((nz && !s) || (s && i >= pages)) {
            snprintf(err, errlen, "PAGE section: region %u chunk %llu: page %u is not sendable",
                     region, (unsigned long long)chunk, i);
            return -1;
        }
    }
    size_t raw = chunk_raw_len(nonzero, lengths[region], chunk, pages, &stored_pages);
    uint8_t method = h[TSNAP_BITMAP_BYTES];
    uint32_t stored_len = wire_load_u32(h + TSNAP_BITMAP_BYTES + 4);
    const uint8_t *data = wire_bytes(&r, stored_len);
    bool ok = data && !wire_remaining(&r) && !h[TSNAP_BITMAP_BYTES + 1] &&
              !h[TSNAP_BITMAP_BYTES + 2] && !h[TSNAP_BITMAP_BYTES + 3];
    g_autofree uint8_t *scratch = NULL;
    if (ok && method == TSNAP_CHUNK_ZSTD && raw) {
        scratch = g_malloc(raw);
        size_t got = ZSTD_getFrameContentSize(data, stored_len) == raw
                         ? ZSTD_decompressDCtx(zstd_dctx, scratch, raw, data, stored_len)
                         : 0;
        ok = !ZSTD_isError(got) && got == raw;
        data = scratch;
    } else if (ok) {
        ok = (method == TSNAP_CHUNK_RAW && raw && stored_len == raw) ||
             (method == TSNAP_CHUNK_ZERO && !raw && !stored_len);
    }
    if (!ok) {
        snprintf(err, errlen, "PAGE section: region %u chunk %llu: method %u with %u bytes does "
                 "not match its %u non-zero pages", region, (unsigned long long)chunk, method,
                 stored_len, stored_pages);
        return -1;
    }
    write_pages(hosts[region] + chunk * CHUNK_BYTES, lengths[region], chunk, pages, sent, nonzero,
                data);
    return 0;
}
