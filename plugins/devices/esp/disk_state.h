/* SPDX-License-Identifier: MIT */
/*
 * The disks' part of a snapshot: for each disk image, its identity (size, mtime and a
 * hash of its whole content) and, under -snapshot, its copy-on-write overlay. Saved as
 * the ESP's "disks" blob (ABI 1.6, state.h), so a snapshot restores disk and machine
 * together, and a writable image that changed since is refused instead of silently
 * corrupting the guest's filesystem.
 *
 * Blob: "TDSK", u32 format 1, u32 n; then n times: u32 target, u32 kind (0 identity,
 * 1 identity and overlay), u64 size, i64 mtime (ns), u64 hash, and for kind 1 a u64
 * length and that many bytes of overlay (overlay.h). Little-endian.
 */
#ifndef TESSERA_PLUGINS_ESP_DISK_STATE_H
#define TESSERA_PLUGINS_ESP_DISK_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scsi_disk.h"

/* The blob for `n` targets (NULL on error with a message); free() it. */
uint8_t *disk_state_save(ScsiDisk *disks, unsigned n, size_t *len, char *err, size_t errlen);
/* Check the blob against the images here, then (only if all agree) install its
 * overlays. `force`: a changed image is taken as it is. 0, or -1 with one line naming
 * the target, its image and what differs; on -1 nothing changed. */
int disk_state_load(ScsiDisk *disks, unsigned n, const uint8_t *blob, size_t len, bool force,
                    char *err, size_t errlen);

#endif /* TESSERA_PLUGINS_ESP_DISK_STATE_H */
