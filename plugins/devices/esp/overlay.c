/* SPDX-License-Identifier: MIT */
/* The copy-on-write block overlay (overlay.h): an open-addressing table from block
 * index to the block's bytes. */
#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Slot {
    uint64_t key; /* block index + 1; 0 = empty */
    uint8_t *data;
} Slot;

struct BlockOverlay {
    uint32_t block_size;
    uint64_t blocks;
    uint64_t count;
    uint64_t cap; /* slots, a power of two, at most half full */
    Slot *slots;
};

BlockOverlay *overlay_new(uint32_t block_size, uint64_t blocks)
{
    BlockOverlay *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->block_size = block_size;
    o->blocks = blocks;
    o->cap = 64;
    o->slots = calloc(o->cap, sizeof(Slot));
    if (!o->slots) {
        free(o);
        return NULL;
    }
    return o;
}

void overlay_clear(BlockOverlay *o)
{
    for (uint64_t i = 0; i < o->cap; i++) {
        free(o->slots[i].data);
        o->slots[i] = (Slot){ 0 };
    }
    o->count = 0;
}

void overlay_free(BlockOverlay *o)
{
    if (!o)
        return;
    overlay_clear(o);
    free(o->slots);
    free(o);
}

uint64_t overlay_count(const BlockOverlay *o)
{
    return o->count;
}

static uint64_t hash(uint64_t key)
{
    key *= 0x9e3779b97f4a7c15ull;
    return key ^ (key >> 29);
}

static Slot *lookup(const BlockOverlay *o, uint64_t block)
{
    uint64_t mask = o->cap - 1;
    for (uint64_t i = hash(block + 1) & mask;; i = (i + 1) & mask) {
        Slot *s = &o->slots[i];
        if (s->key == block + 1 || !s->key)
            return s; /* bounded: the table is never full */
    }
}

static int grow(BlockOverlay *o)
{
    Slot *old = o->slots;
    uint64_t old_cap = o->cap;
    Slot *slots = calloc(old_cap * 2, sizeof(Slot));
    if (!slots)
        return -1;
    o->slots = slots;
    o->cap = old_cap * 2;
    for (uint64_t i = 0; i < old_cap; i++)
        if (old[i].key)
            *lookup(o, old[i].key - 1) = old[i];
    free(old);
    return 0;
}

/* The block's bytes in the overlay, created from `fd` when absent and `fd` >= 0. */
static uint8_t *block_for_write(BlockOverlay *o, int fd, uint64_t block, int whole)
{
    Slot *s = lookup(o, block);
    if (s->key)
        return s->data;
    if ((o->count + 1) * 2 > o->cap) {
        if (grow(o))
            return NULL;
        s = lookup(o, block);
    }
    uint8_t *data = malloc(o->block_size);
    if (!data)
        return NULL;
    if (!whole && pread(fd, data, o->block_size, (off_t)(block * o->block_size)) !=
                      (ssize_t)o->block_size) {
        free(data);
        return NULL;
    }
    s->key = block + 1;
    s->data = data;
    o->count++;
    return data;
}

static int in_range(const BlockOverlay *o, size_t len, uint64_t off)
{
    uint64_t size = o->blocks * o->block_size;
    return off <= size && len <= size - off;
}

/* The block holding byte `off`, where in it (`at`) and how many of `len` bytes fit. */
static uint64_t piece(const BlockOverlay *o, uint64_t off, size_t len, uint32_t *at, size_t *n)
{
    *at = (uint32_t)(off % o->block_size);
    *n = o->block_size - *at < len ? o->block_size - *at : len;
    return off / o->block_size;
}

int overlay_read(const BlockOverlay *o, int fd, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;
    if (!in_range(o, len, off))
        return -1;
    for (size_t n; len; p += n, off += n, len -= n) {
        uint32_t at;
        uint64_t block = piece(o, off, len, &at, &n);
        const Slot *s = lookup(o, block);
        if (s->key)
            memcpy(p, s->data + at, n);
        else if (pread(fd, p, n, (off_t)off) != (ssize_t)n)
            return -1;
    }
    return 0;
}

int overlay_write(BlockOverlay *o, int fd, const void *buf, size_t len, uint64_t off)
{
    const uint8_t *p = buf;
    if (!in_range(o, len, off))
        return -1;
    for (size_t n; len; p += n, off += n, len -= n) {
        uint32_t at;
        uint64_t block = piece(o, off, len, &at, &n);
        uint8_t *data = block_for_write(o, fd, block, n == o->block_size);
        if (!data)
            return -1;
        memcpy(data + at, p, n);
    }
    return 0;
}

int overlay_commit(BlockOverlay *o, int fd, char *err, size_t errlen)
{
    for (uint64_t i = 0; i < o->cap; i++) {
        const Slot *s = &o->slots[i];
        if (!s->key)
            continue;
        off_t at = (off_t)((s->key - 1) * o->block_size);
        if (pwrite(fd, s->data, o->block_size, at) != (ssize_t)o->block_size) {
            snprintf(err, errlen, "write of block %llu failed: %s",
                     (unsigned long long)(s->key - 1), errno ? strerror(errno) : "short write");
            return -1;
        }
    }
    if (fdatasync(fd)) {
        snprintf(err, errlen, "fdatasync failed: %s", strerror(errno));
        return -1;
    }
    overlay_clear(o);
    return 0;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

#define HEAD_SIZE 20u /* u32 block size, u64 blocks, u64 n */

size_t overlay_serialized_size(const BlockOverlay *o)
{
    return HEAD_SIZE + o->count * (8 + (size_t)o->block_size);
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = ((const Slot *)a)->key, y = ((const Slot *)b)->key;
    return x < y ? -1 : x > y;
}

/* Sorted, so that equal overlays serialise to equal bytes (snapshot diffs). */
int overlay_serialize(const BlockOverlay *o, uint8_t *out)
{
    Slot *sorted = malloc((o->count ? o->count : 1) * sizeof(Slot));
    if (!sorted)
        return -1;
    uint64_t n = 0;
    for (uint64_t i = 0; i < o->cap; i++)
        if (o->slots[i].key)
            sorted[n++] = o->slots[i];
    qsort(sorted, n, sizeof(Slot), by_key);
    put_le(out, o->block_size, 4);
    put_le(out + 4, o->blocks, 8);
    put_le(out + 12, o->count, 8);
    uint8_t *p = out + HEAD_SIZE;
    for (uint64_t i = 0; i < n; i++) {
        put_le(p, sorted[i].key - 1, 8);
        memcpy(p + 8, sorted[i].data, o->block_size);
        p += 8 + o->block_size;
    }
    free(sorted);
    return 0;
}

BlockOverlay *overlay_deserialize(const uint8_t *in, size_t len, uint32_t block_size,
                                  uint64_t blocks, char *err, size_t errlen)
{
    if (len < HEAD_SIZE) {
        snprintf(err, errlen, "overlay: %zu bytes, shorter than its %u-byte header", len,
                 HEAD_SIZE);
        return NULL;
    }
    uint64_t bs = get_le(in, 4), nb = get_le(in + 4, 8), n = get_le(in + 12, 8);
    if (bs != block_size || nb != blocks) {
        snprintf(err, errlen,
                 "overlay: for %llu blocks of %llu bytes, the image here has %llu of %u",
                 (unsigned long long)nb, (unsigned long long)bs, (unsigned long long)blocks,
                 block_size);
        return NULL;
    }
    if (n > blocks || (len - HEAD_SIZE) / (8 + (uint64_t)bs) != n ||
        (len - HEAD_SIZE) % (8 + bs)) {
        snprintf(err, errlen, "overlay: %llu blocks do not fill its %zu bytes",
                 (unsigned long long)n, len);
        return NULL;
    }
    BlockOverlay *o = overlay_new(block_size, blocks);
    if (!o) {
        snprintf(err, errlen, "overlay: out of memory");
        return NULL;
    }
    const uint8_t *p = in + HEAD_SIZE;
    for (uint64_t i = 0; i < n; i++, p += 8 + bs) {
        uint64_t block = get_le(p, 8);
        if (block >= blocks || (i && block <= get_le(p - 8 - bs, 8))) {
            snprintf(err, errlen, "overlay: block %llu out of order or past the image's %llu",
                     (unsigned long long)block, (unsigned long long)blocks);
            overlay_free(o);
            return NULL;
        }
        uint8_t *data = block_for_write(o, -1, block, 1);
        if (!data) {
            snprintf(err, errlen, "overlay: out of memory");
            overlay_free(o);
            return NULL;
        }
        memcpy(data, p + 8, bs);
    }
    return o;
}
