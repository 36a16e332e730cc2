/* SPDX-License-Identifier: MIT */
/*
 * A copy-on-write overlay over a read-only image: the blocks the guest wrote, kept in
 * memory, block-granular (the disk's own block size). Reads take a written block from
 * the overlay and every other block from the image; writes never reach the image until
 * overlay_commit(). Used by `-snapshot` / `-drive ...,snapshot=on`; nothing in it is
 * SCSI-specific, so record/replay can put a disk under one too.
 *
 * Why memory and not a temporary file: a snapshot stores the overlay's blocks, so they
 * must be enumerable and serialisable cheaply, and an in-memory table does both without
 * a second file to keep consistent; it is bounded by the image size (one block each at
 * most), which the caller can refuse up front if that matters.
 *
 * The serialised form (overlay_serialize, the disk's saved state) is: u32 block size,
 * u64 number of blocks in the image, u64 n, then n times (u64 block index, block bytes),
 * indices strictly increasing; all little-endian.
 */
#ifndef TESSERA_PLUGINS_ESP_OVERLAY_H
#define TESSERA_PLUGINS_ESP_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct BlockOverlay BlockOverlay;

/* An empty overlay over an image of `blocks` blocks of `block_size` bytes. */
BlockOverlay *overlay_new(uint32_t block_size, uint64_t blocks);
void overlay_free(BlockOverlay *o);
/* Blocks held (each written at least once since the last commit or clear). */
uint64_t overlay_count(const BlockOverlay *o);
void overlay_clear(BlockOverlay *o);

/* `len` bytes at byte `off` of the disk as the guest sees it: overlay blocks, the rest
 * from `fd`. 0, or -1 on a short read of the image or a range past its end. */
int overlay_read(const BlockOverlay *o, int fd, void *buf, size_t len, uint64_t off);
/* Write into the overlay; a partly written block first takes its bytes from `fd`.
 * 0, or -1 (out of memory, range past the end, a failed read of the image). */
int overlay_write(BlockOverlay *o, int fd, const void *buf, size_t len, uint64_t off);

/* Write every block back to `fd` in place, then fdatasync it; on success the overlay is
 * empty. A crash part-way leaves each block either old or new, as a guest's own writes
 * would (no journal). 0, or -1 with a message (the overlay is kept). */
int overlay_commit(BlockOverlay *o, int fd, char *err, size_t errlen);

/* The serialised overlay (format above) into `out` of overlay_serialized_size() bytes;
 * -1 when there is no memory to sort the blocks. */
size_t overlay_serialized_size(const BlockOverlay *o);
int overlay_serialize(const BlockOverlay *o, uint8_t *out);
/* Parse `len` bytes into a new overlay for an image of `blocks` blocks of `block_size`;
 * NULL with a one-line reason when the data does not match (size, order, range). */
BlockOverlay *overlay_deserialize(const uint8_t *in, size_t len, uint32_t block_size,
                                  uint64_t blocks, char *err, size_t errlen);

#endif /* TESSERA_PLUGINS_ESP_OVERLAY_H */
