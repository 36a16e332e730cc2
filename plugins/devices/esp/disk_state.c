/* SPDX-License-Identifier: MIT */
/* The disks' part of a snapshot (disk_state.h). */
#include "disk_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC 0x4b534454u /* "TDSK" */
#define FORMAT 1u
#define HASH_CHUNK (1u << 20)

enum { KIND_IDENTITY = 0, KIND_OVERLAY = 1 };

typedef struct Identity {
    uint64_t size;
    int64_t mtime_ns;
    uint64_t hash;
} Identity;

/* Four independent multiply-xor lanes over 8-byte words, so that the hash keeps up
 * with the page cache (about 1 GiB in a fraction of a second). Not cryptographic: it
 * catches a changed image, not an adversary. */
static void hash_words(uint64_t lane[4], const uint8_t *p, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (unsigned j = 0; j < 4; j++) {
            uint64_t w;
            memcpy(&w, p + i + 8 * j, 8);
            lane[j] = (lane[j] ^ w) * k;
        }
    for (; i < n; i++)
        lane[i & 3] = (lane[i & 3] ^ p[i]) * k;
}

static int stat_image(const ScsiDisk *d, Identity *id)
{
    struct stat st;
    if (fstat(d->fd, &st))
        return -1;
    id->size = d->blocks * d->block_size;
    id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return 0;
}

static int hash_image(const ScsiDisk *d, uint64_t size, uint64_t *out)
{
    uint8_t *buf = malloc(HASH_CHUNK);
    if (!buf)
        return -1;
    uint64_t lane[4] = { 1, 2, 3, 4 };
    for (uint64_t off = 0; off < size;) {
        size_t n = size - off < HASH_CHUNK ? (size_t)(size - off) : HASH_CHUNK;
        ssize_t got = pread(d->fd, buf, n, (off_t)off);
        if (got <= 0) {
            free(buf);
            return -1;
        }
        hash_words(lane, buf, (size_t)got);
        off += (uint64_t)got;
    }
    free(buf);
    *out = lane[0] ^ (lane[1] * 3) ^ (lane[2] * 5) ^ (lane[3] * 7) ^ size;
    return 0;
}

/* The image's identity; the hash is recomputed only when size or mtime moved. */
static int identify(ScsiDisk *d, Identity *id)
{
    if (stat_image(d, id))
        return -1;
    if (d->id_valid && d->id_size == id->size && d->id_mtime_ns == id->mtime_ns) {
        id->hash = d->id_hash;
        return 0;
    }
    if (hash_image(d, id->size, &id->hash))
        return -1;
    d->id_valid = true;
    d->id_size = id->size;
    d->id_mtime_ns = id->mtime_ns;
    d->id_hash = id->hash;
    return 0;
}

static void put_le(uint8_t **p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        (*p)[i] = (uint8_t)(v >> (8 * i));
    *p += n;
}

static bool is_disk(const ScsiDisk *d)
{
    return d->present && !d->cdrom;
}

uint8_t *disk_state_save(ScsiDisk *disks, unsigned n, size_t *len, char *err, size_t errlen)
{
    size_t total = 12;
    for (unsigned t = 0; t < n; t++)
        if (is_disk(&disks[t]))
            total += 32 + (disks[t].overlay ? 8 + overlay_serialized_size(disks[t].overlay) : 0);
    uint8_t *blob = malloc(total), *p = blob;
    if (!blob) {
        snprintf(err, errlen, "no memory for %zu bytes of disk state", total);
        return NULL;
    }
    unsigned count = 0;
    for (unsigned t = 0; t < n; t++)
        count += is_disk(&disks[t]);
    put_le(&p, MAGIC, 4);
    put_le(&p, FORMAT, 4);
    put_le(&p, count, 4);
    for (unsigned t = 0; t < n; t++) {
        ScsiDisk *d = &disks[t];
        Identity id;
        if (!is_disk(d))
            continue;
        if (identify(d, &id)) {
            snprintf(err, errlen, "target %u (%s): cannot read the image: %s", t, d->path,
                     strerror(errno));
            free(blob);
            return NULL;
        }
        put_le(&p, t, 4);
        put_le(&p, d->overlay ? KIND_OVERLAY : KIND_IDENTITY, 4);
        put_le(&p, id.size, 8);
        put_le(&p, (uint64_t)id.mtime_ns, 8);
        put_le(&p, id.hash, 8);
        if (d->overlay) {
            size_t olen = overlay_serialized_size(d->overlay);
            put_le(&p, olen, 8);
            if (overlay_serialize(d->overlay, p)) {
                snprintf(err, errlen, "target %u (%s): no memory to save the overlay", t,
                         d->path);
                free(blob);
                return NULL;
            }
            p += olen;
        }
    }
    *len = total;
    return blob;
}

typedef struct Reader {
    const uint8_t *p;
    size_t left;
    bool bad;
} Reader;

static uint64_t get_le(Reader *r, unsigned n)
{
    uint64_t v = 0;
    if (r->left < n) {
        r->bad = true;
        return 0;
    }
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    r->left -= n;
    return v;
}

/* Whether the image here is the one the snapshot recorded; a line saying why not. */
static bool same_image(ScsiDisk *d, unsigned t, const Identity *want, char *err, size_t errlen)
{
    Identity have;
    if (stat_image(d, &have)) {
        snprintf(err, errlen, "target %u (%s): cannot stat the image: %s", t, d->path,
                 strerror(errno));
        return false;
    }
    if (have.size != want->size) {
        snprintf(err, errlen,
                 "target %u (%s): the image changed since the snapshot: %llu bytes, "
                 "the snapshot's had %llu (-loadvm-force-disk loads it anyway)",
                 t, d->path, (unsigned long long)have.size, (unsigned long long)want->size);
        return false;
    }
    if (have.mtime_ns == want->mtime_ns)
        return true; /* fast path: untouched since; a copy (cp) is hashed below */
    if (identify(d, &have)) {
        snprintf(err, errlen, "target %u (%s): cannot read the image: %s", t, d->path,
                 strerror(errno));
        return false;
    }
    if (have.hash != want->hash) {
        snprintf(err, errlen,
                 "target %u (%s): the image changed since the snapshot: its content differs "
                 "(modified since) (-loadvm-force-disk loads it anyway)",
                 t, d->path);
        return false;
    }
    return true;
}

static void free_all(BlockOverlay **ov, unsigned n)
{
    for (unsigned t = 0; t < n; t++)
        overlay_free(ov[t]);
}

int disk_state_load(ScsiDisk *disks, unsigned n, const uint8_t *blob, size_t len, bool force,
                    char *err, size_t errlen)
{
    Reader r = { blob, len, false };
    BlockOverlay *ov[32] = { 0 };
    bool seen[32] = { false };
    if (n > 32 || get_le(&r, 4) != MAGIC || get_le(&r, 4) != FORMAT) {
        snprintf(err, errlen, "disk state: not a disk-state blob of format %u", FORMAT);
        return -1;
    }
    uint64_t count = get_le(&r, 4);
    for (uint64_t i = 0; i < count && !r.bad; i++) {
        uint64_t t = get_le(&r, 4), kind = get_le(&r, 4);
        Identity want = { get_le(&r, 8), (int64_t)get_le(&r, 8), get_le(&r, 8) };
        if (r.bad)
            break;
        if (t >= n || seen[t] || kind > KIND_OVERLAY) {
            snprintf(err, errlen, "disk state: entry %llu: bad target %llu or kind %llu",
                     (unsigned long long)i, (unsigned long long)t, (unsigned long long)kind);
            free_all(ov, n);
            return -1;
        }
        seen[t] = true;
        ScsiDisk *d = &disks[t];
        if (!is_disk(d)) {
            snprintf(err, errlen, "target %u: the snapshot has a disk there, this machine none",
                     (unsigned)t);
            free_all(ov, n);
            return -1;
        }
        if ((kind == KIND_OVERLAY) != (d->overlay != NULL)) {
            snprintf(err, errlen, "target %u (%s): the snapshot was taken %s -snapshot, this "
                     "machine runs %s it", (unsigned)t, d->path,
                     kind == KIND_OVERLAY ? "with" : "without", d->overlay ? "with" : "without");
            free_all(ov, n);
            return -1;
        }
        if (!force && !same_image(d, (unsigned)t, &want, err, errlen)) {
            free_all(ov, n);
            return -1;
        }
        if (kind != KIND_OVERLAY)
            continue;
        uint64_t olen = get_le(&r, 8);
        if (r.bad || olen > r.left) {
            r.bad = true;
            break;
        }
        char why[200];
        ov[t] = overlay_deserialize(r.p, (size_t)olen, d->block_size, d->blocks, why,
                                    sizeof(why));
        if (!ov[t]) {
            snprintf(err, errlen, "target %u (%s): %s", (unsigned)t, d->path, why);
            free_all(ov, n);
            return -1;
        }
        r.p += olen;
        r.left -= olen;
    }
    if (r.bad || r.left) {
        snprintf(err, errlen, "disk state: %zu bytes, %s", len,
                 r.bad ? "truncated" : "with stray bytes at the end");
        free_all(ov, n);
        return -1;
    }
    for (unsigned t = 0; t < n; t++) {
        if (is_disk(&disks[t]) && !seen[t]) {
            snprintf(err, errlen, "target %u (%s): a disk this machine has is not in the snapshot",
                     t, disks[t].path);
            free_all(ov, n);
            return -1;
        }
    }
    for (unsigned t = 0; t < n; t++) {
        if (ov[t]) {
            overlay_free(disks[t].overlay);
            disks[t].overlay = ov[t];
        }
    }
    return 0;
}
