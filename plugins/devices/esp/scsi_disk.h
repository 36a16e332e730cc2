/* SPDX-License-Identifier: MIT */
/*
 * A SCSI-2 direct-access disk (512-byte blocks) or read-only CD-ROM (2048-byte
 * blocks) backed by a raw image file, as a target behind the ESP.
 *
 * The disk holds no guest-visible state of its own: the ESP keeps the command being
 * run (ScsiXfer) and each target's sense data (ScsiSense), so both migrate with it,
 * and asks the disk for the bytes of a data phase as the transfer proceeds.
 */
#ifndef TESSERA_PLUGINS_ESP_SCSI_DISK_H
#define TESSERA_PLUGINS_ESP_SCSI_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "overlay.h"

#define SCSI_CDB_MAX 16
#define SCSI_REPLY_MAX 256 /* longest non-media reply (INQUIRY, MODE SENSE ...) */

/* Status bytes. */
#define SCSI_GOOD 0x00
#define SCSI_CHECK_CONDITION 0x02

enum { SCSI_DIR_NONE = 0, SCSI_DIR_IN = 1, SCSI_DIR_OUT = 2 };

typedef struct ScsiSense {
    uint8_t key;
    uint8_t asc;
    uint8_t ascq;
} ScsiSense;

/* One command from its start to its status byte. */
typedef struct ScsiXfer {
    uint8_t dir;          /* SCSI_DIR_* of the data phase */
    uint8_t status;       /* status byte sent after the data phase */
    bool media;           /* data comes from / goes to the image at `offset` */
    uint32_t len;         /* bytes of the data phase */
    uint32_t pos;         /* bytes moved so far */
    uint64_t offset;      /* media: image byte offset of the first byte */
    uint8_t reply[SCSI_REPLY_MAX]; /* not media: the data-in bytes */
} ScsiXfer;

typedef struct ScsiDisk {
    bool present;        /* an image is open: a target answers at this ID */
    int fd;
    bool cdrom;          /* read-only, 2048-byte blocks, removable */
    uint32_t block_size;
    uint64_t blocks;
    BlockOverlay *overlay; /* snapshot=on: guest writes land here, the image is read-only */
    char *path;            /* for reopening it writable (commit) */
    /* The image's identity as last hashed (disk_state.c), kept while size and mtime hold. */
    bool id_valid;
    uint64_t id_size;
    int64_t id_mtime_ns;
    uint64_t id_hash;
} ScsiDisk;

/* Open the image; `cdrom` opens it read-only; `snapshot` opens it read-only under a
 * copy-on-write overlay. -1 with a message on failure. */
int scsi_disk_open(ScsiDisk *d, const char *path, bool cdrom, bool snapshot, char *err,
                   size_t errlen);
/* Write the overlay back into the image (reopened writable for it) and empty it.
 * 0 (also with no overlay: nothing to do), or -1 with a message. */
int scsi_disk_commit(ScsiDisk *d, char *err, size_t errlen);
void scsi_disk_close(ScsiDisk *d);
static inline bool scsi_disk_present(const ScsiDisk *d)
{
    return d->present;
}

/* Decode `cdb` for logical unit `lun` and fill `x` (sense is updated). */
void scsi_disk_start(const ScsiDisk *d, ScsiSense *sense, unsigned lun, const uint8_t *cdb,
                     ScsiXfer *x);
/* Move `len` bytes of the data phase at x->pos (the caller advances pos). On a
 * media error the command's status becomes CHECK CONDITION and -1 is returned. */
int scsi_disk_data_in(const ScsiDisk *d, ScsiSense *sense, ScsiXfer *x, uint8_t *buf,
                      uint32_t len);
int scsi_disk_data_out(ScsiDisk *d, ScsiSense *sense, ScsiXfer *x, const uint8_t *buf,
                       uint32_t len);

#endif /* TESSERA_PLUGINS_ESP_SCSI_DISK_H */
