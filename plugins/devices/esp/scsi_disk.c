/* SPDX-License-Identifier: MIT */
/*
 * The SCSI targets behind the ESP: a disk or CD-ROM on a raw image (scsi_disk.h).
 * Commands: TEST UNIT READY, REQUEST SENSE, INQUIRY, READ CAPACITY(10), READ(6/10),
 * WRITE(6/10), MODE SENSE(6) (pages 3, 4, 8), START STOP UNIT, PREVENT ALLOW
 * MEDIUM REMOVAL, SYNCHRONIZE CACHE(10); the CD-ROM also answers READ TOC (formats
 * 0 and 1: one data track). Anything else ends in CHECK CONDITION, ILLEGAL REQUEST. Reported as SCSI-2, as the SS-5's own disks were.
 */
#include "scsi_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Operation codes. */
#define TEST_UNIT_READY 0x00
#define REQUEST_SENSE 0x03
#define READ_6 0x08
#define WRITE_6 0x0a
#define INQUIRY 0x12
#define MODE_SENSE_6 0x1a
#define START_STOP_UNIT 0x1b
#define PREVENT_ALLOW 0x1e
#define READ_CAPACITY_10 0x25
#define READ_10 0x28
#define WRITE_10 0x2a
#define SYNCHRONIZE_CACHE_10 0x35
#define READ_TOC 0x43

/* Sense keys and additional sense codes. */
#define KEY_NO_SENSE 0x00
#define KEY_MEDIUM_ERROR 0x03
#define KEY_ILLEGAL_REQUEST 0x05
#define KEY_DATA_PROTECT 0x07
#define ASC_UNRECOVERED_READ 0x11
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_LUN_NOT_SUPPORTED 0x25
#define ASC_WRITE_PROTECTED 0x27
#define ASC_WRITE_ERROR 0x0c

#define TYPE_DISK 0x00
#define TYPE_ROM 0x05
#define TYPE_NO_LUN 0x7f /* peripheral qualifier 3: no device at this LUN */

#define SENSE_LEN 18
#define INQUIRY_LEN 36

/* Geometry MODE SENSE reports; the image is addressed by LBA only. */
#define HEADS 16
#define SECTORS 63

int scsi_disk_open(ScsiDisk *d, const char *path, bool cdrom, bool snapshot, char *err,
                   size_t errlen)
{
    bool readonly = cdrom || snapshot;
    /* O_NONBLOCK: a FIFO (or a terminal) is refused below instead of blocking the
     * open; cleared once the image is known to be a regular file or block device. */
    d->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (d->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(d->fd, &st)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(d->fd);
        d->fd = -1;
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file or block device", path);
        close(d->fd);
        d->fd = -1;
        return -1;
    }
    int fl = fcntl(d->fd, F_GETFL);
    if (fl >= 0)
        fcntl(d->fd, F_SETFL, fl & ~O_NONBLOCK);
    /* A block device's st_size is 0: its size is where SEEK_END lands. */
    off_t size = S_ISREG(st.st_mode) ? st.st_size : lseek(d->fd, 0, SEEK_END);
    d->present = true;
    d->cdrom = cdrom;
    d->block_size = cdrom ? 2048 : 512;
    d->blocks = size > 0 ? (uint64_t)size / d->block_size : 0;
    if (!d->blocks) {
        snprintf(err, errlen, "%s: smaller than one %u-byte block", path, d->block_size);
        scsi_disk_close(d);
        return -1;
    }
    d->path = strdup(path);
    if (snapshot && !cdrom)
        d->overlay = overlay_new(d->block_size, d->blocks);
    if (!d->path || (snapshot && !cdrom && !d->overlay)) {
        snprintf(err, errlen, "%s: out of memory", path);
        scsi_disk_close(d);
        return -1;
    }
    return 0;
}

void scsi_disk_close(ScsiDisk *d)
{
    if (d->present)
        close(d->fd);
    overlay_free(d->overlay);
    free(d->path);
    d->overlay = NULL;
    d->path = NULL;
    d->id_valid = false;
    d->present = false;
    d->fd = -1;
}

int scsi_disk_commit(ScsiDisk *d, char *err, size_t errlen)
{
    if (!d->overlay || !overlay_count(d->overlay))
        return 0;
    int fd = open(d->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot reopen writable: %s", d->path, strerror(errno));
        return -1;
    }
    char why[160];
    int rc = overlay_commit(d->overlay, fd, why, sizeof(why));
    if (rc)
        snprintf(err, errlen, "%s: %s", d->path, why);
    close(fd);
    return rc;
}

static void put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set_sense(ScsiSense *sense, uint8_t key, uint8_t asc)
{
    sense->key = key;
    sense->asc = asc;
    sense->ascq = 0;
}

static void check_condition(ScsiXfer *x, ScsiSense *sense, uint8_t key, uint8_t asc)
{
    set_sense(sense, key, asc);
    x->status = SCSI_CHECK_CONDITION;
    x->dir = SCSI_DIR_NONE;
    x->len = 0;
    x->media = false;
}

/* Reply of `n` bytes, cut to the initiator's allocation length. */
static void reply(ScsiXfer *x, uint32_t n, uint32_t alloc)
{
    x->dir = SCSI_DIR_IN;
    x->len = n < alloc ? n : alloc;
}

static void request_sense(ScsiXfer *x, ScsiSense *sense, uint32_t alloc)
{
    uint8_t *r = x->reply;
    r[0] = 0x70; /* current error, fixed format */
    r[2] = sense->key;
    r[7] = SENSE_LEN - 8;
    r[12] = sense->asc;
    r[13] = sense->ascq;
    reply(x, SENSE_LEN, alloc);
    set_sense(sense, KEY_NO_SENSE, 0);
}

static void inquiry(const ScsiDisk *d, ScsiXfer *x, ScsiSense *sense, unsigned lun,
                    const uint8_t *cdb)
{
    uint8_t *r = x->reply;
    uint32_t alloc = cdb[4];
    if (cdb[1] & 1) {
        /* Vital product data: only the list of supported pages. */
        if (cdb[2] != 0) {
            check_condition(x, sense, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            return;
        }
        r[0] = d->cdrom ? TYPE_ROM : TYPE_DISK;
        r[1] = 0x00;
        r[3] = 1;
        r[4] = 0x00;
        reply(x, 5, alloc);
        return;
    }
    r[0] = lun ? TYPE_NO_LUN : d->cdrom ? TYPE_ROM : TYPE_DISK;
    r[1] = d->cdrom ? 0x80 : 0x00; /* removable medium */
    r[2] = 0x02;                   /* SCSI-2 */
    r[3] = 0x02;                   /* response data format */
    r[4] = INQUIRY_LEN - 5;
    r[7] = 0x10; /* synchronous transfers */
    memcpy(&r[8], "TESSERA ", 8);
    memcpy(&r[16], d->cdrom ? "TESSERA CD-ROM  " : "TESSERA HARDDISK", 16);
    memcpy(&r[32], "1.0 ", 4);
    reply(x, INQUIRY_LEN, alloc);
}

/* Page `code` at r, or 0 if the disk has no such page. */
static uint32_t mode_page(const ScsiDisk *d, uint8_t code, uint8_t *r)
{
    uint64_t cylinders = d->blocks / (HEADS * SECTORS);
    if (cylinders > 0xffffff)
        cylinders = 0xffffff;
    switch (code) {
    case 0x03: /* format device */
        r[0] = 0x03;
        r[1] = 0x16;
        put_be16(&r[10], SECTORS);
        put_be16(&r[12], d->block_size);
        return 24;
    case 0x04: /* rigid disk geometry */
        r[0] = 0x04;
        r[1] = 0x16;
        r[2] = (uint8_t)(cylinders >> 16);
        r[3] = (uint8_t)(cylinders >> 8);
        r[4] = (uint8_t)cylinders;
        r[5] = HEADS;
        put_be16(&r[20], 5400); /* rotation rate, rpm */
        return 24;
    case 0x08: /* caching: write cache off, read cache on */
        r[0] = 0x08;
        r[1] = 0x12;
        return 20;
    }
    return 0;
}

static void mode_sense(const ScsiDisk *d, ScsiXfer *x, ScsiSense *sense, const uint8_t *cdb)
{
    uint8_t *r = x->reply;
    uint8_t page = cdb[2] & 0x3f;
    bool dbd = cdb[1] & 0x08;
    uint32_t n = 4;

    r[1] = 0;                       /* medium type */
    r[2] = d->cdrom ? 0x80 : 0x00;  /* write protected */
    if (!dbd) {
        uint64_t blocks = d->blocks > 0xffffff ? 0xffffff : d->blocks;
        r[3] = 8;
        r[n + 1] = (uint8_t)(blocks >> 16);
        r[n + 2] = (uint8_t)(blocks >> 8);
        r[n + 3] = (uint8_t)blocks;
        r[n + 5] = (uint8_t)(d->block_size >> 16);
        r[n + 6] = (uint8_t)(d->block_size >> 8);
        r[n + 7] = (uint8_t)d->block_size;
        n += 8;
    }
    if (page == 0x3f) {
        static const uint8_t all[] = { 0x03, 0x04, 0x08 };
        for (unsigned i = 0; i < sizeof(all); i++)
            n += mode_page(d, all[i], &r[n]);
    } else if (page != 0) {
        uint32_t len = mode_page(d, page, &r[n]);
        if (!len) {
            check_condition(x, sense, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            return;
        }
        n += len;
    }
    r[0] = (uint8_t)(n - 1);
    reply(x, n, cdb[4]);
}

/* A TOC address: LBA, or minutes/seconds/frames counted from the 2 s pregap. */
static void toc_address(uint8_t *p, uint64_t lba, bool msf)
{
    if (!msf) {
        put_be32(p, (uint32_t)lba);
        return;
    }
    uint64_t f = lba + 150;
    p[0] = 0;
    p[1] = (uint8_t)(f / (60 * 75));
    p[2] = (uint8_t)(f / 75 % 60);
    p[3] = (uint8_t)(f % 75);
}

/* The disc holds one data track starting at LBA 0, in one session. */
static void read_toc(const ScsiDisk *d, ScsiXfer *x, ScsiSense *sense, const uint8_t *cdb)
{
    uint8_t *r = x->reply;
    bool msf = cdb[1] & 0x02;
    uint8_t format = cdb[2] & 0x0f;
    uint8_t start = cdb[6];
    uint32_t alloc = be16(&cdb[7]);
    uint32_t n = 4;

    if (!d->cdrom || format > 1 || (format == 0 && start > 1 && start != 0xaa)) {
        check_condition(x, sense, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    r[2] = 1; /* first track, or first session */
    r[3] = 1; /* last */
    if (format == 0 && start <= 1) {
        r[n + 1] = 0x14; /* data track, digital copy permitted */
        r[n + 2] = 1;
        toc_address(&r[n + 4], 0, msf);
        n += 8;
    }
    r[n + 1] = 0x14;
    r[n + 2] = format == 0 ? 0xaa : 1; /* lead-out, or the first track of the last session */
    toc_address(&r[n + 4], format == 0 ? d->blocks : 0, msf);
    n += 8;
    put_be16(&r[0], n - 2);
    reply(x, n, alloc);
}

/* READ/WRITE of `count` blocks at `lba`. */
static void media(const ScsiDisk *d, ScsiXfer *x, ScsiSense *sense, uint64_t lba, uint32_t count,
                  bool write)
{
    if (write && d->cdrom) {
        check_condition(x, sense, KEY_DATA_PROTECT, ASC_WRITE_PROTECTED);
        return;
    }
    if (lba > d->blocks || count > d->blocks - lba) {
        check_condition(x, sense, KEY_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
        return;
    }
    x->media = true;
    x->offset = lba * d->block_size;
    x->len = count * d->block_size;
    x->dir = count ? (write ? SCSI_DIR_OUT : SCSI_DIR_IN) : SCSI_DIR_NONE;
}

void scsi_disk_start(const ScsiDisk *d, ScsiSense *sense, unsigned lun, const uint8_t *cdb,
                     ScsiXfer *x)
{
    memset(x, 0, sizeof(*x));
    x->status = SCSI_GOOD;

    if (lun && cdb[0] != INQUIRY) {
        if (cdb[0] == REQUEST_SENSE) {
            ScsiSense none = { KEY_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED, 0 };
            request_sense(x, &none, cdb[4]);
            return;
        }
        check_condition(x, sense, KEY_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
        return;
    }

    switch (cdb[0]) {
    case TEST_UNIT_READY:
    case START_STOP_UNIT:
    case PREVENT_ALLOW:
        return;
    case SYNCHRONIZE_CACHE_10:
        if (!d->cdrom && !d->overlay)
            fdatasync(d->fd);
        return;
    case REQUEST_SENSE:
        request_sense(x, sense, cdb[4]);
        return;
    case INQUIRY:
        inquiry(d, x, sense, lun, cdb);
        return;
    case MODE_SENSE_6:
        mode_sense(d, x, sense, cdb);
        return;
    case READ_CAPACITY_10: {
        uint64_t last = d->blocks - 1;
        put_be32(&x->reply[0], last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
        put_be32(&x->reply[4], d->block_size);
        reply(x, 8, 8);
        return;
    }
    case READ_6:
    case WRITE_6: {
        uint32_t lba = (uint32_t)(cdb[1] & 0x1f) << 16 | be16(&cdb[2]);
        media(d, x, sense, lba, cdb[4] ? cdb[4] : 256, cdb[0] == WRITE_6);
        return;
    }
    case READ_10:
    case WRITE_10:
        media(d, x, sense, be32(&cdb[2]), be16(&cdb[7]), cdb[0] == WRITE_10);
        return;
    case READ_TOC:
        read_toc(d, x, sense, cdb);
        return;
    }
    check_condition(x, sense, KEY_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
}

static int media_error(ScsiXfer *x, ScsiSense *sense, uint8_t asc)
{
    set_sense(sense, KEY_MEDIUM_ERROR, asc);
    x->status = SCSI_CHECK_CONDITION;
    return -1;
}

int scsi_disk_data_in(const ScsiDisk *d, ScsiSense *sense, ScsiXfer *x, uint8_t *buf,
                      uint32_t len)
{
    if (!x->media) {
        memcpy(buf, &x->reply[x->pos], len);
        return 0;
    }
    if (d->overlay) {
        if (overlay_read(d->overlay, d->fd, buf, len, x->offset + x->pos))
            return media_error(x, sense, ASC_UNRECOVERED_READ);
        return 0;
    }
    ssize_t n = pread(d->fd, buf, len, (off_t)(x->offset + x->pos));
    if (n != (ssize_t)len)
        return media_error(x, sense, ASC_UNRECOVERED_READ);
    return 0;
}

int scsi_disk_data_out(ScsiDisk *d, ScsiSense *sense, ScsiXfer *x, const uint8_t *buf,
                       uint32_t len)
{
    if (d->overlay) {
        if (overlay_write(d->overlay, d->fd, buf, len, x->offset + x->pos))
            return media_error(x, sense, ASC_WRITE_ERROR);
        return 0;
    }
    ssize_t n = pwrite(d->fd, buf, len, (off_t)(x->offset + x->pos));
    if (n != (ssize_t)len)
        return media_error(x, sense, ASC_WRITE_ERROR);
    return 0;
}
