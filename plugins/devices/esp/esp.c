/* SPDX-License-Identifier: MIT */
/*
 * esp: the NCR53C9x-family SCSI controller of the SS-5's Master I/O chip (an ESP
 * core reporting itself as FAS100A), with its DMA through espdma (link.dma).
 * Facts: NCR53C9x/FAS100A data manuals as QEMU's hw/scsi/esp.c models them,
 * OpenBIOS's drivers/esp.c probe, shared/reference/ss5.md.
 *
 * Register n sits at byte offset n * 4 of a 0x40-byte window. The chip is the
 * initiator, SCSI ID 7; targets 0-6 are disks or CD-ROMs on raw images
 * (scsi_disk.c) given as machine options "drive.scsi.N" / "cdrom.scsi.N" or props
 * "driveN" / "cdromN".
 *
 * The SCSI bus takes no time: a command completes within the register write that
 * issued it and raises the interrupt at once. Selecting an ID with no target ends,
 * as the selection timeout does on the real bus, in a disconnect interrupt (INTR
 * DC, sequence step 0): that is how OpenBIOS's probe learns an ID is empty.
 * A selection sends the identify message and the CDB; the target then sits in the
 * data phase the command needs, TI moves its bytes (DMA: as many as the transfer
 * counter says, PIO: through the 16-byte FIFO), ICCS fetches status and message,
 * MSGACC lets the target disconnect.
 *
 * A DMA command that moves bytes (selections, TI) written while espdma's DMA enable
 * is off after having been on waits until the guest turns it on: NetBSD issues the
 * command first and starts the engine after it. The gate starts open, as OpenBIOS
 * never sets the enable bit.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/tessera.h>

#include <tessera/sbus-dma.h>
#include "disk_state.h"
#include "scsi_disk.h"

/* Registers, region "regs": register n at offset n * 4. */
#define ESP_TCLO 0x0
#define ESP_TCMID 0x1
#define ESP_FIFO 0x2
#define ESP_CMD 0x3
#define ESP_STATUS 0x4  /* read; write: destination bus ID */
#define ESP_INTR 0x5    /* read; write: selection timeout */
#define ESP_SEQ 0x6     /* read; write: synchronous period */
#define ESP_FLAGS 0x7   /* read: FIFO flags; write: synchronous offset */
#define ESP_CFG1 0x8
#define ESP_CCF 0x9     /* write: clock conversion factor */
#define ESP_TEST 0xa    /* write */
#define ESP_CFG2 0xb
#define ESP_CFG3 0xc
#define ESP_RES3 0xd
#define ESP_TCHI 0xe    /* reads the chip family code until first written */
#define ESP_RES4 0xf
#define ESP_N_REGS 16
#define ESP_REGS_SIZE (ESP_N_REGS * 4)

/* Commands. */
#define CMD_DMA 0x80
#define CMD_CODE 0x7f
#define CMD_NOP 0x00
#define CMD_FLUSH 0x01
#define CMD_RESET 0x02
#define CMD_BUS_RESET 0x03
#define CMD_TI 0x10
#define CMD_ICCS 0x11
#define CMD_MSGACC 0x12
#define CMD_PAD 0x18
#define CMD_SATN 0x1a
#define CMD_RSTATN 0x1b
#define CMD_SEL 0x41
#define CMD_SELATN 0x42
#define CMD_SELATNS 0x43
#define CMD_ENSEL 0x44
#define CMD_DISSEL 0x45

/* Status register: bus phase in bits 2:0. */
#define PHASE_DATA_OUT 0x0
#define PHASE_DATA_IN 0x1
#define PHASE_COMMAND 0x2
#define PHASE_STATUS 0x3
#define PHASE_MSG_OUT 0x6
#define PHASE_MSG_IN 0x7
#define STAT_PHASE 0x07
#define STAT_TC 0x10  /* transfer counter reached zero */
#define STAT_INT 0x80 /* interrupt pending */

/* Interrupt register. */
#define INTR_FC 0x08  /* function complete */
#define INTR_BS 0x10  /* bus service */
#define INTR_DC 0x20  /* disconnect */
#define INTR_IL 0x40  /* illegal command */
#define INTR_RST 0x80 /* SCSI bus reset */

#define SEQ_NONE 0x0  /* nothing done: no target answered */
#define SEQ_CMD 0x4   /* selected, message and command sent */

#define CFG1_BUS_ID 0x07
#define CFG1_NO_RESET_REPORT 0x40

#define FAMILY_FAS100A 0x04
#define FIFO_SIZE 16
#define N_TARGETS 7 /* the chip is ID 7 */
#define TC_MASK 0xffffffu
#define DMA_CHUNK 4096

typedef struct Esp {
    /* Chip registers. */
    uint8_t fifo[FIFO_SIZE]; /* fifo[0] is the next byte out */
    uint8_t fifo_len;
    uint32_t tc_start;  /* TCLO/TCMID/TCHI as written: loaded by DMA commands */
    uint32_t tc;        /* the transfer counter */
    bool tchi_written;
    uint8_t cmd;
    uint8_t status;
    uint8_t intr;
    uint8_t seq;
    uint8_t bus_id;
    uint8_t sel_timeout;
    uint8_t sync_period;
    uint8_t sync_offset;
    uint8_t ccf;
    uint8_t test;
    uint8_t cfg1;
    uint8_t cfg2;
    uint8_t cfg3;
    uint8_t res3;
    uint8_t res4;
    bool irq;             /* output level */
    bool dma_enabled;     /* espdma's DMA enable, as last reported */
    uint8_t dma_deferred; /* a DMA command waiting for it (0: none) */

    /* The SCSI bus: the connected target and its command. */
    bool connected;
    uint8_t target;
    uint8_t lun;
    uint8_t cdb[SCSI_CDB_MAX];
    ScsiXfer xfer;
    ScsiSense sense[N_TARGETS];
    TesseraBlob disks; /* v2: the images' identities and overlays (disk_state.h) */

    /* Host side. */
    const TesseraHost *host;
    TesseraIrq *out;
    const SbusDma *dma;
    ScsiDisk disk[N_TARGETS];
    uint8_t *disks_saved; /* the bytes `disks` points at after pre_save */
} Esp;

static void update_irq(Esp *s)
{
    bool level = s->status & STAT_INT;
    if (s->irq != level) {
        s->irq = level;
        tessera_irq_set(s->host, s->out, level);
    }
}

/* Interrupt with `intr` (the sequence step and phase are set by the caller). */
static void esp_raise(Esp *s, uint8_t intr)
{
    s->intr = intr;
    s->status |= STAT_INT;
    update_irq(s);
}

static void set_phase(Esp *s, uint8_t phase)
{
    s->status = (s->status & ~STAT_PHASE) | phase;
}

static void fifo_push(Esp *s, uint8_t byte)
{
    if (s->fifo_len == FIFO_SIZE) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "FIFO overrun: 0x%02x dropped", byte);
        return;
    }
    s->fifo[s->fifo_len++] = byte;
}

static uint8_t fifo_pop(Esp *s)
{
    if (!s->fifo_len) {
        tessera_log(s->host, TESSERA_LOG_DEBUG, "read of the empty FIFO");
        return 0;
    }
    uint8_t byte = s->fifo[0];
    memmove(s->fifo, s->fifo + 1, --s->fifo_len);
    return byte;
}

/* Move up to `len` FIFO bytes into buf; returns how many. */
static uint32_t fifo_take(Esp *s, uint8_t *buf, uint32_t len)
{
    uint32_t n = s->fifo_len < len ? s->fifo_len : len;
    memcpy(buf, s->fifo, n);
    memmove(s->fifo, s->fifo + n, s->fifo_len - n);
    s->fifo_len -= (uint8_t)n;
    return n;
}

static int dma_read_bytes(Esp *s, void *buf, size_t len)
{
    if (!s->dma)
        return -1;
    return s->dma->read(s->dma->opaque, buf, len);
}

static int dma_write_bytes(Esp *s, const void *buf, size_t len)
{
    if (!s->dma)
        return -1;
    return s->dma->write(s->dma->opaque, buf, len);
}

/* ---- SCSI bus ---- */

static bool target_present(const Esp *s, unsigned id)
{
    return id < N_TARGETS && scsi_disk_present(&s->disk[id]);
}

/* The CDB is complete: start the command, go to the phase it needs. */
static void run_command(Esp *s)
{
    scsi_disk_start(&s->disk[s->target], &s->sense[s->target], s->lun, s->cdb, &s->xfer);
    if (s->xfer.dir == SCSI_DIR_IN)
        set_phase(s, PHASE_DATA_IN);
    else if (s->xfer.dir == SCSI_DIR_OUT)
        set_phase(s, PHASE_DATA_OUT);
    else
        set_phase(s, PHASE_STATUS);
}

/* Bytes the initiator sends in a selection or command phase: DMA takes the
 * transfer counter's worth (at most `max`), PIO what the FIFO holds. */
static uint32_t fetch_out_bytes(Esp *s, bool dma, uint8_t *buf, uint32_t max)
{
    if (!dma)
        return fifo_take(s, buf, max);
    uint32_t n = s->tc < max ? s->tc : max;
    if (dma_read_bytes(s, buf, n))
        tessera_log(s->host, TESSERA_LOG_DEBUG, "DMA of command bytes failed");
    s->tc -= n;
    if (!s->tc)
        s->status |= STAT_TC;
    return n;
}

static void cmd_select(Esp *s, bool dma, bool atn, bool stop)
{
    unsigned id = s->bus_id & 7;
    uint8_t bytes[1 + SCSI_CDB_MAX];

    s->connected = false;
    if (!target_present(s, id)) {
        /* Selection timeout: nothing is sent, the FIFO keeps its bytes. */
        s->status &= ~(STAT_PHASE | STAT_TC);
        s->seq = SEQ_NONE;
        esp_raise(s, INTR_DC);
        return;
    }
    s->connected = true;
    s->target = (uint8_t)id;
    s->lun = 0;
    memset(s->cdb, 0, sizeof(s->cdb));

    uint32_t n = fetch_out_bytes(s, dma, bytes, stop ? 1 : sizeof(bytes));
    uint32_t msg = atn ? 1 : 0;
    if (atn && n && (bytes[0] & 0x80))
        s->lun = bytes[0] & 7; /* IDENTIFY */
    s->seq = SEQ_CMD;
    if (stop) {
        set_phase(s, PHASE_COMMAND);
        esp_raise(s, INTR_BS | INTR_FC);
        return;
    }
    if (n > msg)
        memcpy(s->cdb, bytes + msg, n - msg);
    run_command(s);
    esp_raise(s, INTR_BS | INTR_FC);
}

/* Data phases: move `n` bytes between the target and memory or the FIFO. */
static void transfer_in(Esp *s, bool dma, uint32_t n)
{
    const ScsiDisk *d = &s->disk[s->target];
    ScsiSense *sense = &s->sense[s->target];
    uint8_t buf[DMA_CHUNK];

    while (n) {
        uint32_t chunk = n < DMA_CHUNK ? n : DMA_CHUNK;
        if (scsi_disk_data_in(d, sense, &s->xfer, buf, chunk)) {
            s->xfer.pos = s->xfer.len; /* the target gives up: on to status */
            return;
        }
        if (dma) {
            if (dma_write_bytes(s, buf, chunk))
                tessera_log(s->host, TESSERA_LOG_DEBUG, "DMA of data-in bytes failed");
            s->tc -= chunk;
        } else {
            for (uint32_t i = 0; i < chunk; i++)
                fifo_push(s, buf[i]);
        }
        s->xfer.pos += chunk;
        n -= chunk;
    }
}

static void transfer_out(Esp *s, bool dma, uint32_t n)
{
    ScsiDisk *d = &s->disk[s->target];
    ScsiSense *sense = &s->sense[s->target];
    uint8_t buf[DMA_CHUNK];

    while (n) {
        uint32_t chunk = n < DMA_CHUNK ? n : DMA_CHUNK;
        if (dma) {
            if (dma_read_bytes(s, buf, chunk))
                tessera_log(s->host, TESSERA_LOG_DEBUG, "DMA of data-out bytes failed");
            s->tc -= chunk;
        } else {
            chunk = fifo_take(s, buf, chunk);
        }
        if (scsi_disk_data_out(d, sense, &s->xfer, buf, chunk)) {
            s->xfer.pos = s->xfer.len;
            return;
        }
        s->xfer.pos += chunk;
        n -= chunk;
    }
}

static void cmd_transfer(Esp *s, bool dma)
{
    uint32_t left = s->xfer.len - s->xfer.pos;
    uint32_t n;

    if (!s->connected) {
        s->status &= ~STAT_PHASE;
        esp_raise(s, INTR_IL);
        return;
    }
    switch (s->status & STAT_PHASE) {
    case PHASE_COMMAND: {
        uint8_t bytes[SCSI_CDB_MAX];
        uint32_t len = fetch_out_bytes(s, dma, bytes, sizeof(bytes));
        memcpy(s->cdb, bytes, len);
        run_command(s);
        esp_raise(s, INTR_BS | INTR_FC);
        return;
    }
    case PHASE_DATA_IN:
        n = dma ? s->tc : (uint32_t)(FIFO_SIZE - s->fifo_len);
        transfer_in(s, dma, n < left ? n : left);
        break;
    case PHASE_DATA_OUT:
        n = dma ? s->tc : s->fifo_len;
        transfer_out(s, dma, n < left ? n : left);
        break;
    case PHASE_STATUS:
        fifo_push(s, s->xfer.status);
        set_phase(s, PHASE_MSG_IN);
        esp_raise(s, INTR_BS);
        return;
    default: /* message in: COMMAND COMPLETE, ACK held until MSGACC */
        fifo_push(s, 0x00);
        esp_raise(s, INTR_FC);
        return;
    }
    if (dma && !s->tc)
        s->status |= STAT_TC;
    if (s->xfer.pos == s->xfer.len)
        set_phase(s, PHASE_STATUS);
    esp_raise(s, INTR_BS);
}

/* Status and message bytes: to the FIFO, or to memory with DMA. */
static void cmd_iccs(Esp *s, bool dma)
{
    if (!s->connected) {
        esp_raise(s, INTR_IL);
        return;
    }
    uint8_t bytes[2] = { s->xfer.status, 0x00 /* COMMAND COMPLETE */ };
    if (dma) {
        if (dma_write_bytes(s, bytes, sizeof(bytes)))
            tessera_log(s->host, TESSERA_LOG_DEBUG, "DMA of status bytes failed");
        s->tc = s->tc > 2 ? s->tc - 2 : 0;
        if (!s->tc)
            s->status |= STAT_TC;
    } else {
        fifo_push(s, bytes[0]);
        fifo_push(s, bytes[1]);
    }
    set_phase(s, PHASE_MSG_IN);
    esp_raise(s, INTR_FC);
}

static void cmd_msgacc(Esp *s)
{
    if (!s->connected) {
        esp_raise(s, INTR_IL);
        return;
    }
    if ((s->status & STAT_PHASE) == PHASE_MSG_IN) {
        /* After COMMAND COMPLETE the target releases the bus. */
        s->connected = false;
        s->seq = SEQ_NONE;
        esp_raise(s, INTR_DC);
        return;
    }
    esp_raise(s, INTR_BS);
}

static void chip_reset(Esp *s)
{
    memset(s->fifo, 0, sizeof(s->fifo));
    s->fifo_len = 0;
    s->tc_start = 0;
    s->tc = 0;
    s->tchi_written = false;
    s->cmd = 0;
    s->status = 0;
    s->intr = 0;
    s->seq = 0;
    s->bus_id = 0;
    s->sel_timeout = 0;
    s->sync_period = 0;
    s->sync_offset = 0;
    s->ccf = 0;
    s->test = 0;
    s->cfg1 = 7;
    s->cfg2 = 0;
    s->cfg3 = 0;
    s->res3 = 0;
    s->res4 = 0;
    s->dma_deferred = 0;
    s->connected = false;
    s->target = 0;
    s->lun = 0;
    memset(s->cdb, 0, sizeof(s->cdb));
    memset(&s->xfer, 0, sizeof(s->xfer));
    update_irq(s);
}

/* Commands whose DMA waits for the engine. */
static bool moves_dma_bytes(uint8_t value)
{
    switch (value & CMD_CODE) {
    case CMD_TI:
    case CMD_SEL:
    case CMD_SELATN:
    case CMD_SELATNS:
        return (value & CMD_DMA) != 0;
    }
    return false;
}

static void run(Esp *s, uint8_t value)
{
    bool dma = value & CMD_DMA;

    switch (value & CMD_CODE) {
    case CMD_NOP:
    case CMD_SATN:
    case CMD_RSTATN:
    case CMD_ENSEL:
        return;
    case CMD_FLUSH:
        s->fifo_len = 0;
        return;
    case CMD_RESET:
        chip_reset(s);
        return;
    case CMD_BUS_RESET:
        s->connected = false;
        s->status &= ~STAT_PHASE;
        if (s->cfg1 & CFG1_NO_RESET_REPORT)
            s->intr = INTR_RST;
        else
            esp_raise(s, INTR_RST);
        return;
    case CMD_TI:
        cmd_transfer(s, dma);
        return;
    case CMD_ICCS:
        cmd_iccs(s, dma);
        return;
    case CMD_MSGACC:
        cmd_msgacc(s);
        return;
    case CMD_PAD:
        /* Pad bytes end a data phase the target still wants to run. */
        if (s->connected && s->xfer.pos < s->xfer.len) {
            s->xfer.pos = s->xfer.len;
            set_phase(s, PHASE_STATUS);
        }
        s->tc = 0;
        s->status |= STAT_TC;
        esp_raise(s, INTR_FC);
        return;
    case CMD_SEL:
        cmd_select(s, dma, false, false);
        return;
    case CMD_SELATN:
        cmd_select(s, dma, true, false);
        return;
    case CMD_SELATNS:
        cmd_select(s, dma, true, true);
        return;
    case CMD_DISSEL:
        esp_raise(s, INTR_FC);
        return;
    }
    tessera_log(s->host, TESSERA_LOG_DEBUG, "illegal command 0x%02x", value);
    esp_raise(s, INTR_IL);
}

static void command(Esp *s, uint8_t value)
{
    s->cmd = value;
    if (value & CMD_DMA)
        s->tc = s->tc_start ? s->tc_start : 0x10000;
    if (moves_dma_bytes(value) && !s->dma_enabled) {
        s->dma_deferred = value;
        return;
    }
    run(s, value);
}

/* espdma's DMA enable changed: a held command runs now. */
static void dma_enable(void *dev, bool enabled)
{
    Esp *s = dev;
    s->dma_enabled = enabled;
    if (enabled && s->dma_deferred) {
        uint8_t value = s->dma_deferred;
        s->dma_deferred = 0;
        run(s, value);
    }
}

/* ---- registers ---- */

static uint64_t esp_read(void *opaque, uint64_t offset, unsigned size)
{
    Esp *s = opaque;
    uint8_t v;

    switch (offset >> 2) {
    case ESP_TCLO:
        return s->tc & 0xff;
    case ESP_TCMID:
        return (s->tc >> 8) & 0xff;
    case ESP_TCHI:
        return s->tchi_written ? (s->tc >> 16) & 0xff : FAMILY_FAS100A;
    case ESP_FIFO:
        return fifo_pop(s);
    case ESP_CMD:
        return s->cmd;
    case ESP_STATUS:
        return s->status;
    case ESP_INTR:
        /* Reading it acknowledges: interrupt and error bits clear, TC and phase stay. */
        v = s->intr;
        s->intr = 0;
        s->status &= STAT_TC | STAT_PHASE;
        update_irq(s);
        return v;
    case ESP_SEQ:
        return s->seq;
    case ESP_FLAGS:
        return (uint8_t)(s->seq << 5) | s->fifo_len;
    case ESP_CFG1:
        return s->cfg1;
    case ESP_CFG2:
        return s->cfg2;
    case ESP_CFG3:
        return s->cfg3;
    case ESP_RES3:
        return s->res3;
    case ESP_RES4:
        return s->res4;
    }
    tessera_log(s->host, TESSERA_LOG_DEBUG, "read of write-only register %llu",
                (unsigned long long)(offset >> 2));
    return 0;
}

static void esp_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Esp *s = opaque;
    uint8_t v = (uint8_t)value;

    switch (offset >> 2) {
    case ESP_TCLO:
        s->tc_start = (s->tc_start & 0xffff00) | v;
        s->status &= ~STAT_TC;
        return;
    case ESP_TCMID:
        s->tc_start = (s->tc_start & 0xff00ff) | (uint32_t)v << 8;
        s->status &= ~STAT_TC;
        return;
    case ESP_TCHI:
        s->tc_start = (s->tc_start & 0x00ffff) | (uint32_t)v << 16;
        s->tchi_written = true;
        s->status &= ~STAT_TC;
        return;
    case ESP_FIFO:
        fifo_push(s, v);
        return;
    case ESP_CMD:
        command(s, v);
        return;
    case ESP_STATUS:
        s->bus_id = v;
        return;
    case ESP_INTR:
        s->sel_timeout = v;
        return;
    case ESP_SEQ:
        s->sync_period = v;
        return;
    case ESP_FLAGS:
        s->sync_offset = v;
        return;
    case ESP_CFG1:
        s->cfg1 = v;
        return;
    case ESP_CCF:
        s->ccf = v;
        return;
    case ESP_TEST:
        s->test = v;
        return;
    case ESP_CFG2:
        s->cfg2 = v;
        return;
    case ESP_CFG3:
        s->cfg3 = v;
        return;
    case ESP_RES3:
        s->res3 = v;
        return;
    case ESP_RES4:
        s->res4 = v;
        return;
    }
}

/* ---- lifecycle ---- */

static const TesseraMmioRegion esp_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "regs",
    .size = ESP_REGS_SIZE,
    .widths = TESSERA_WIDTH_1 | TESSERA_WIDTH_4,
    .read = esp_read,
    .write = esp_write,
};

/* The image for target `id`: machine option first, then the instance's prop. */
static int open_target(Esp *s, unsigned id, char *err, size_t errlen)
{
    char name[32];
    const char *path;
    bool cdrom = false;

    snprintf(name, sizeof(name), "drive.scsi.%u", id);
    path = tessera_machine_opt(s->host, name);
    if (!path) {
        snprintf(name, sizeof(name), "cdrom.scsi.%u", id);
        path = tessera_machine_opt(s->host, name);
        cdrom = path != NULL;
    }
    if (!path) {
        snprintf(name, sizeof(name), "drive%u", id);
        path = tessera_prop(s->host, name);
    }
    if (!path) {
        snprintf(name, sizeof(name), "cdrom%u", id);
        path = tessera_prop(s->host, name);
        cdrom = path != NULL;
    }
    if (!path)
        return 0;
    /* -snapshot sets "snapshot", -drive ...,snapshot=on "drive.scsi.N.snapshot". */
    char snap_opt[40];
    snprintf(snap_opt, sizeof(snap_opt), "drive.scsi.%u.snapshot", id);
    const char *snap = tessera_machine_opt(s->host, snap_opt);
    if (!snap)
        snap = tessera_machine_opt(s->host, "snapshot");
    bool snapshot = snap && !strcmp(snap, "on");
    char why[200];
    if (scsi_disk_open(&s->disk[id], path, cdrom, snapshot, why, sizeof(why))) {
        snprintf(err, errlen, "%s: %s", name, why);
        return -1;
    }
    tessera_log(s->host, TESSERA_LOG_INFO, "target %u: %s, %llu blocks of %u bytes%s", id,
                cdrom ? "CD-ROM" : "disk", (unsigned long long)s->disk[id].blocks,
                s->disk[id].block_size, s->disk[id].overlay ? ", writes to an overlay" : "");
    return 0;
}

static void esp_finalize(void *dev)
{
    Esp *s = dev;
    for (unsigned i = 0; i < N_TARGETS; i++)
        scsi_disk_close(&s->disk[i]);
    free(s->disks_saved);
    s->disks_saved = NULL;
}

static int esp_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    Esp *s = dev;
    s->host = host;
    for (unsigned i = 0; i < N_TARGETS; i++) {
        if (open_target(s, i, err, errlen)) {
            esp_finalize(s);
            return -1;
        }
    }
    if (tessera_mmio_add(host, &esp_region, s, err, errlen)) {
        esp_finalize(s);
        return -1;
    }
    s->out = tessera_irq_out(host, "out", 0);
    return 0;
}

static void dma_reset(void *dev)
{
    chip_reset(dev);
}

static int esp_realize(void *dev, char *err, size_t errlen)
{
    Esp *s = dev;
    const SbusDma *dma = s->host->ops->link(s->host->self, "dma", "dma");
    if (!dma) {
        tessera_log(s->host, TESSERA_LOG_WARNING, "link.dma: no DMA engine: DMA commands move no data");
        return 0;
    }
    if (!TESSERA_HAS_MEMBER(dma, SbusDma, attach)) {
        snprintf(err, errlen, "link.dma: interface too old (size %u)", dma->size);
        return -1;
    }
    s->dma = dma;
    dma->attach(dma->opaque, dma_reset, s);
    if (TESSERA_HAS_MEMBER(dma, SbusDma, watch_enable))
        dma->watch_enable(dma->opaque, dma_enable, s);
    return 0;
}

static void esp_reset(void *dev)
{
    Esp *s = dev;
    chip_reset(s);
    s->dma_enabled = true;
    memset(s->sense, 0, sizeof(s->sense));
}

/* `commit scsi0-hdN|all` (device.h). */
static int esp_commit(void *dev, const char *drive, char *err, size_t errlen)
{
    Esp *s = dev;
    int matched = 0;
    for (unsigned i = 0; i < N_TARGETS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "scsi0-hd%u", i);
        bool all = !strcmp(drive, "all");
        if (!scsi_disk_present(&s->disk[i]) || s->disk[i].cdrom || (!all && strcmp(drive, name)))
            continue;
        matched++;
        if (!s->disk[i].overlay) {
            if (all)
                continue;
            snprintf(err, errlen, "%s has no overlay to commit (not under -snapshot)", name);
            return -1;
        }
        char why[240];
        if (scsi_disk_commit(&s->disk[i], why, sizeof(why))) {
            snprintf(err, errlen, "%s: %s", name, why);
            return -1;
        }
    }
    return matched;
}

static int esp_pre_save(void *dev)
{
    Esp *s = dev;
    char why[300];
    size_t len = 0;
    uint8_t *blob = disk_state_save(s->disk, N_TARGETS, &len, why, sizeof(why));
    if (!blob) {
        tessera_log(s->host, TESSERA_LOG_ERROR, "disk state: %s", why);
        return -1;
    }
    free(s->disks_saved);
    s->disks_saved = blob;
    s->disks = (TesseraBlob){ .data = blob, .len = len };
    return 0;
}

static int esp_post_load(void *dev, char *err, size_t errlen)
{
    Esp *s = dev;
    if (s->fifo_len > FIFO_SIZE || s->target >= N_TARGETS || s->xfer.pos > s->xfer.len ||
        (!s->xfer.media && s->xfer.len > SCSI_REPLY_MAX)) {
        snprintf(err, errlen, "inconsistent FIFO or transfer state");
        return -1;
    }
    if (s->connected && !target_present(s, s->target)) {
        snprintf(err, errlen, "connected to target %u, which has no image here", s->target);
        return -1;
    }
    /* Last, once the rest was found sound: it replaces the overlays. Empty: an older
     * (v1) snapshot without disk state, or a rollback; the disks stay as they are. */
    if (s->disks.len) {
        const char *force = tessera_machine_opt(s->host, "loadvm.force-disk");
        if (disk_state_load(s->disk, N_TARGETS, s->disks.data, (size_t)s->disks.len,
                            force && !strcmp(force, "on"), err, errlen))
            return -1;
    }
    tessera_irq_set(s->host, s->out, s->irq);
    return 0;
}

static const TesseraField sense_fields[] = {
    TESSERA_U8(ScsiSense, key),
    TESSERA_U8(ScsiSense, asc),
    TESSERA_U8(ScsiSense, ascq),
};

static const TesseraStateLayout sense_layout = {
    .struct_name = "ScsiSense",
    .size = sizeof(ScsiSense),
    .fields = sense_fields,
    .n_fields = TESSERA_N_ELEMS(sense_fields),
};

static const TesseraField xfer_fields[] = {
    TESSERA_U8(ScsiXfer, dir),     TESSERA_U8(ScsiXfer, status),
    TESSERA_BOOL(ScsiXfer, media), TESSERA_U32(ScsiXfer, len),
    TESSERA_U32(ScsiXfer, pos),    TESSERA_U64(ScsiXfer, offset),
    TESSERA_BYTES(ScsiXfer, reply),
};

static const TesseraStateLayout xfer_layout = {
    .struct_name = "ScsiXfer",
    .size = sizeof(ScsiXfer),
    .fields = xfer_fields,
    .n_fields = TESSERA_N_ELEMS(xfer_fields),
};

static const TesseraField esp_fields[] = {
    TESSERA_BYTES(Esp, fifo),        TESSERA_U8(Esp, fifo_len),
    TESSERA_U32(Esp, tc_start),      TESSERA_U32(Esp, tc),
    TESSERA_BOOL(Esp, tchi_written), TESSERA_U8(Esp, cmd),
    TESSERA_U8(Esp, status),         TESSERA_U8(Esp, intr),
    TESSERA_U8(Esp, seq),            TESSERA_U8(Esp, bus_id),
    TESSERA_U8(Esp, sel_timeout),    TESSERA_U8(Esp, sync_period),
    TESSERA_U8(Esp, sync_offset),    TESSERA_U8(Esp, ccf),
    TESSERA_U8(Esp, test),           TESSERA_U8(Esp, cfg1),
    TESSERA_U8(Esp, cfg2),           TESSERA_U8(Esp, cfg3),
    TESSERA_U8(Esp, res3),           TESSERA_U8(Esp, res4),
    TESSERA_BOOL(Esp, irq),          TESSERA_BOOL(Esp, dma_enabled),
    TESSERA_U8(Esp, dma_deferred),   TESSERA_BOOL(Esp, connected),
    TESSERA_U8(Esp, target),         TESSERA_U8(Esp, lun),
    TESSERA_BYTES(Esp, cdb),         TESSERA_STRUCT(Esp, xfer, xfer_layout),
    TESSERA_STRUCTS(Esp, sense, sense_layout),
    TESSERA_BLOB(Esp, disks, 2),
};

static const char *const esp_unmigrated[] = { "host", "out", "dma", "disk", "disks_saved", NULL };

static const TesseraStateLayout esp_layout = {
    .struct_name = "Esp",
    .size = sizeof(Esp),
    .fields = esp_fields,
    .n_fields = TESSERA_N_ELEMS(esp_fields),
    .unmigrated = esp_unmigrated,
};

static const TesseraStateSchema esp_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "esp",
    /* v2 adds the disks (a snapshot is the whole machine); a v1 snapshot loads with the
     * disks left as they are, but none is written for an older peer: it would lose them. */
    .version = 2,
    .load_min = 1,
    .save_min = 2,
    .layout = &esp_layout,
    .pre_save = esp_pre_save,
    .post_load = esp_post_load,
};

static const TesseraDeviceClass esp_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(Esp),
    .state = &esp_schema,
    .init = esp_init,
    .realize = esp_realize,
    .reset = esp_reset,
    .finalize = esp_finalize,
    .commit = esp_commit,
};

TESSERA_PLUGIN(.name = "esp", .version = "1.1.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "NCR53C9x (FAS100A) SCSI controller with SCSI disks and CD-ROMs",
               .iface = &esp_class);
