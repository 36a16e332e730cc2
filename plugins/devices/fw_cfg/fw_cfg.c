/* SPDX-License-Identifier: MIT */
/*
 * fw-cfg: QEMU's firmware configuration device as the sun4m OpenBIOS reads it, and
 * the Linux kernel handoff that goes with it. Facts: shared/reference/ss5.md,
 * "fw_cfg (as OpenBIOS sparc32 reads it)"; QEMU's hw/sparc/sun4m.c for the keys and
 * the load addresses; OpenBIOS drivers/fw_cfg.c for the access pattern.
 *
 * Region "ctl" (2 bytes) takes a 16-bit big-endian selector (OpenBIOS uses stha);
 * region "data" (1 byte) reads the selected item one byte at a time, auto-increment,
 * 0 past its end. Selecting resets the offset. Integer items are little-endian. There
 * is no DMA interface and nothing is writable.
 *
 * The items are derived from the machine options and properties at init(); they are
 * not device state (a restored machine rebuilds them from its own options). With
 * machine option "kernel", init() reads the kernel (ELF at vaddr - 0xf0000000, a.out
 * text and data at 0x4000, any other file raw at 0x4000), "initrd" (0x800000, announced in the kernel's "HdrS"
 * header) and "append" (copied to 0x7ff000) into RAM images; realize() and every
 * reset() write them to RAM, as QEMU re-installs its ROM blobs on reset.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/tessera.h>

/* Selector keys (QEMU include/standard-headers/linux/qemu_fw_cfg.h). */
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_UUID 0x02
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NOGRAPHIC 0x04
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MACHINE_ID 0x06
#define FW_CFG_KERNEL_ADDR 0x07
#define FW_CFG_KERNEL_SIZE 0x08
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR 0x0a
#define FW_CFG_INITRD_SIZE 0x0b
#define FW_CFG_BOOT_DEVICE 0x0c
#define FW_CFG_BOOT_MENU 0x0e
#define FW_CFG_MAX_CPUS 0x0f
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_FILE_DIR 0x19
#define FW_CFG_SUN4M_DEPTH 0x8000
#define FW_CFG_SUN4M_WIDTH 0x8001
#define FW_CFG_SUN4M_HEIGHT 0x8002
/* Bit 14 selects the (unused) write channel of the same item; bit 15 the arch items. */
#define FW_CFG_ARCH_LOCAL 0x8000
#define FW_CFG_ENTRY_MASK 0x3fff

/* QEMU's sparc display defaults; it announces them even under -nographic. */
#define DISPLAY_DEPTH 8
#define DISPLAY_WIDTH 1024
#define DISPLAY_HEIGHT 768

/* Kernel handoff (hw/sparc/sun4m.c). */
#define KERNEL_LOAD_ADDR 0x00004000u
#define KERNEL_VBASE 0xf0000000u  /* ELF PA = address - KERNEL_VBASE */
#define CMDLINE_ADDR 0x007ff000u
#define CMDLINE_MAX 4096u         /* one target page, NUL included */
#define INITRD_LOAD_ADDR 0x00800000u
#define HDRS_MAGIC 0x48647253u    /* "HdrS", searched at the start of the first 64 pages */
#define HDRS_PAGES 64
#define HDRS_INITRD_ADDR 16       /* sparc_ramdisk_image */
#define HDRS_INITRD_SIZE 20       /* sparc_ramdisk_size */
#define PAGE_SIZE 4096u

/* ELF32 big-endian (only what the loader reads). */
#define EM_SPARC 2
#define EM_SPARC32PLUS 18
#define PT_LOAD 1
#define EHDR_SIZE 52
#define PHDR_SIZE 32

/* a.out (Linux include/uapi/linux/a.out.h): a 32-byte big-endian header whose first
 * word carries the magic in its low 16 bits, then text and data. */
#define AOUT_HDR_SIZE 32
#define OMAGIC 0407
#define NMAGIC 0410 /* data starts on the page after the text */
#define ZMAGIC 0413 /* text starts at file offset 1024 */
#define QMAGIC 0314 /* the header is part of the text */
#define ZMAGIC_TEXT_OFFSET 1024

#define MAX_ITEMS 32
#define MAX_BLOBS 16

typedef struct FwCfgItem {
    uint16_t key;
    uint32_t len;
    uint8_t *data;
} FwCfgItem;

/* A RAM image (kernel segment, initrd, command line) written at realize and reset. */
typedef struct FwCfgBlob {
    uint64_t pa;
    size_t len;
    uint8_t *data;
    const char *what; /* the file it came from, for errors */
} FwCfgBlob;

typedef struct FwCfg {
    uint16_t selector;
    uint32_t offset;

    /* Host side: rebuilt from the machine options at init(). */
    const TesseraHost *host;
    FwCfgItem *items;
    unsigned n_items;
    FwCfgBlob *blobs;
    unsigned n_blobs;
} FwCfg;

static uint32_t ld_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t ld_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void st_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The item a selector names, or NULL. */
static const FwCfgItem *item_find(const FwCfg *s, uint16_t selector)
{
    uint16_t key = (selector & FW_CFG_ARCH_LOCAL) | (selector & FW_CFG_ENTRY_MASK);
    for (unsigned i = 0; i < s->n_items; i++)
        if (s->items[i].key == key)
            return &s->items[i];
    return NULL;
}

/* ---- registers ---- */

static uint64_t ctl_read(void *opaque, uint64_t offset, unsigned size)
{
    FwCfg *s = opaque;
    tessera_log(s->host, TESSERA_LOG_DEBUG, "read of the write-only selector");
    return 0;
}

static void ctl_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    FwCfg *s = opaque;
    s->selector = (uint16_t)value;
    s->offset = 0;
}

static uint64_t data_read(void *opaque, uint64_t offset, unsigned size)
{
    FwCfg *s = opaque;
    const FwCfgItem *it = item_find(s, s->selector);
    if (!it || s->offset >= it->len)
        return 0;
    return it->data[s->offset++];
}

static void data_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    FwCfg *s = opaque;
    tessera_log(s->host, TESSERA_LOG_DEBUG, "write 0x%02x to data of item 0x%04x ignored",
                (unsigned)(value & 0xff), s->selector);
}

static const TesseraMmioRegion fw_cfg_regions[] = {
    { .size_of = sizeof(TesseraMmioRegion), .name = "ctl", .size = 2,
      .widths = TESSERA_WIDTH_2, .read = ctl_read, .write = ctl_write },
    { .size_of = sizeof(TesseraMmioRegion), .name = "data", .size = 1,
      .widths = TESSERA_WIDTH_1, .read = data_read, .write = data_write },
};

/* ---- the item table ---- */

static int item_add(FwCfg *s, uint16_t key, const void *data, uint32_t len, char *err,
                    size_t errlen)
{
    if (s->n_items == MAX_ITEMS) {
        snprintf(err, errlen, "too many items (key 0x%04x)", key);
        return -1;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        snprintf(err, errlen, "out of memory for item 0x%04x", key);
        return -1;
    }
    memcpy(copy, data, len);
    s->items[s->n_items++] = (FwCfgItem){ .key = key, .len = len, .data = copy };
    return 0;
}

static int item_le(FwCfg *s, uint16_t key, uint64_t value, unsigned bytes, char *err,
                   size_t errlen)
{
    uint8_t b[8];
    for (unsigned i = 0; i < bytes; i++)
        b[i] = (uint8_t)(value >> (8 * i));
    return item_add(s, key, b, bytes, err, errlen);
}

/* ---- kernel, initrd and command line ---- */

/* At most `limit` bytes (the RAM size: a larger file cannot be placed anyway); the
 * core has already refused anything but a regular file of at most 256 MiB. */
static int read_whole(const char *path, const char *what, uint64_t limit, uint8_t **buf,
                      size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s %s: %s", what, path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (n > limit) {
            snprintf(err, errlen, "%s %s: more than the %llu bytes of RAM", what, path,
                     (unsigned long long)limit);
            free(b);
            fclose(f);
            return -1;
        }
        uint8_t *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        snprintf(err, errlen, "cannot read %s %s: %s", what, path,
                 b ? "read error" : "out of memory");
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* Takes ownership of data. */
static int blob_add(FwCfg *s, uint64_t pa, uint8_t *data, size_t len, uint64_t ram_size,
                    const char *what, char *err, size_t errlen)
{
    if (pa > ram_size || len > ram_size - pa) {
        snprintf(err, errlen, "%s: %zu bytes at PA 0x%llx do not fit in %llu bytes of RAM", what,
                 len, (unsigned long long)pa, (unsigned long long)ram_size);
        free(data);
        return -1;
    }
    if (s->n_blobs == MAX_BLOBS) {
        snprintf(err, errlen, "%s: too many loadable segments", what);
        free(data);
        return -1;
    }
    s->blobs[s->n_blobs++] = (FwCfgBlob){ .pa = pa, .len = len, .data = data, .what = what };
    return 0;
}

static bool is_elf(const uint8_t *b, size_t len)
{
    return len >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
}

/* PT_LOAD segments at p_paddr - KERNEL_VBASE, zero-filled to p_memsz; returns the
 * kernel size QEMU reports (the sum of p_memsz) or -1. */
static int64_t load_elf(FwCfg *s, const char *path, const uint8_t *b, size_t len,
                        uint64_t ram_size, char *err, size_t errlen)
{
    if (len < EHDR_SIZE || b[4] != 1 || b[5] != 2) {
        snprintf(err, errlen, "kernel %s: not a 32-bit big-endian ELF file", path);
        return -1;
    }
    uint16_t machine = ld_be16(b + 18);
    if (machine != EM_SPARC && machine != EM_SPARC32PLUS) {
        snprintf(err, errlen, "kernel %s: ELF machine %u is not SPARC", path, machine);
        return -1;
    }
    uint32_t phoff = ld_be32(b + 28);
    uint16_t phentsize = ld_be16(b + 42), phnum = ld_be16(b + 44);
    if (phentsize < PHDR_SIZE || phoff > len || (uint64_t)phnum * phentsize > len - phoff) {
        snprintf(err, errlen, "kernel %s: program headers outside the file", path);
        return -1;
    }
    int64_t total = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = b + phoff + (size_t)i * phentsize;
        uint32_t offset = ld_be32(ph + 4), paddr = ld_be32(ph + 12);
        uint32_t filesz = ld_be32(ph + 16), memsz = ld_be32(ph + 20);
        if (ld_be32(ph) != PT_LOAD || memsz == 0)
            continue;
        if (filesz > memsz || offset > len || filesz > len - offset) {
            snprintf(err, errlen, "kernel %s: segment %u outside the file", path, i);
            return -1;
        }
        /* memsz comes from the file: bound it by the RAM before allocating. */
        if (memsz > ram_size) {
            snprintf(err, errlen, "kernel %s: segment %u of %u bytes is larger than the %llu "
                     "bytes of RAM", path, i, memsz, (unsigned long long)ram_size);
            return -1;
        }
        uint8_t *seg = calloc(1, memsz);
        if (!seg) {
            snprintf(err, errlen, "kernel %s: out of memory", path);
            return -1;
        }
        memcpy(seg, b + offset, filesz);
        if (blob_add(s, (uint32_t)(paddr - KERNEL_VBASE), seg, memsz, ram_size, path, err,
                     errlen))
            return -1;
        total += memsz;
    }
    return total;
}

static unsigned aout_magic(const uint8_t *b, size_t len)
{
    if (len < AOUT_HDR_SIZE)
        return 0;
    unsigned magic = ld_be32(b) & 0xffff;
    return magic == OMAGIC || magic == NMAGIC || magic == ZMAGIC || magic == QMAGIC ? magic : 0;
}

/* Copy `len` bytes of the file at `offset` to a new RAM image at `pa`. */
static int blob_from_file(FwCfg *s, uint64_t pa, const uint8_t *b, size_t offset, size_t len,
                          uint64_t ram_size, const char *path, char *err, size_t errlen)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        snprintf(err, errlen, "kernel %s: out of memory", path);
        return -1;
    }
    memcpy(copy, b + offset, len);
    return blob_add(s, pa, copy, len, ram_size, path, err, errlen);
}

/* Text and data at KERNEL_LOAD_ADDR (NMAGIC data from the next page on), as QEMU's
 * load_aout; returns the bytes loaded or -1. */
static int64_t load_aout(FwCfg *s, const char *path, const uint8_t *b, size_t len,
                         uint64_t ram_size, char *err, size_t errlen)
{
    unsigned magic = aout_magic(b, len);
    uint32_t text = ld_be32(b + 4), data = ld_be32(b + 8);
    size_t offset = magic == ZMAGIC ? ZMAGIC_TEXT_OFFSET : magic == QMAGIC ? 0 : AOUT_HDR_SIZE;
    uint64_t data_at = text;
    if (magic == NMAGIC)
        data_at = ((uint64_t)text + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    if (offset > len || (uint64_t)text + data > len - offset) {
        snprintf(err, errlen, "kernel %s: a.out text and data run past the end of the file",
                 path);
        return -1;
    }
    if (blob_from_file(s, KERNEL_LOAD_ADDR, b, offset, text, ram_size, path, err, errlen) ||
        blob_from_file(s, KERNEL_LOAD_ADDR + data_at, b, offset + text, data, ram_size, path,
                       err, errlen))
        return -1;
    return (int64_t)text + data;
}

/* Tell the kernel where its initrd is, in the "HdrS" header (arch/sparc/kernel/head_32.S). */
static void patch_hdrs(FwCfg *s, uint32_t initrd_size)
{
    for (unsigned page = 0; page < HDRS_PAGES; page++) {
        uint64_t pa = KERNEL_LOAD_ADDR + (uint64_t)page * PAGE_SIZE;
        for (unsigned i = 0; i < s->n_blobs; i++) {
            FwCfgBlob *bl = &s->blobs[i];
            if (pa < bl->pa || pa + HDRS_INITRD_SIZE + 4 > bl->pa + bl->len)
                continue;
            uint8_t *h = bl->data + (pa - bl->pa);
            if (ld_be32(h) != HDRS_MAGIC)
                continue;
            st_be32(h + HDRS_INITRD_ADDR, INITRD_LOAD_ADDR);
            st_be32(h + HDRS_INITRD_SIZE, initrd_size);
            return;
        }
    }
}

static int load_kernel(FwCfg *s, const char *kernel, const char *initrd, uint64_t ram_size,
                       uint32_t *kernel_size, uint32_t *initrd_size, char *err, size_t errlen)
{
    uint8_t *b;
    size_t len;
    if (read_whole(kernel, "kernel", ram_size, &b, &len, err, errlen))
        return -1;
    int64_t ksize;
    if (is_elf(b, len)) {
        ksize = load_elf(s, kernel, b, len, ram_size, err, errlen);
        free(b);
    } else if (aout_magic(b, len)) {
        ksize = load_aout(s, kernel, b, len, ram_size, err, errlen);
        free(b);
    } else {
        /* Neither: the raw image QEMU falls back to. */
        ksize = (int64_t)len;
        if (blob_add(s, KERNEL_LOAD_ADDR, b, len, ram_size, kernel, err, errlen))
            return -1;
    }
    if (ksize < 0)
        return -1;
    *kernel_size = (uint32_t)ksize;

    *initrd_size = 0;
    if (!initrd)
        return 0;
    if (read_whole(initrd, "initrd", ram_size, &b, &len, err, errlen) ||
        blob_add(s, INITRD_LOAD_ADDR, b, len, ram_size, initrd, err, errlen))
        return -1;
    *initrd_size = (uint32_t)len;
    if (len)
        patch_hdrs(s, (uint32_t)len);
    return 0;
}

static int load_cmdline(FwCfg *s, const char *append, uint64_t ram_size, char *err,
                        size_t errlen)
{
    size_t n = strlen(append);
    if (n > CMDLINE_MAX - 1)
        n = CMDLINE_MAX - 1;
    uint8_t *copy = calloc(1, n + 1);
    if (!copy) {
        snprintf(err, errlen, "out of memory for the command line");
        return -1;
    }
    memcpy(copy, append, n);
    return blob_add(s, CMDLINE_ADDR, copy, n + 1, ram_size, "command line", err, errlen);
}

/* ---- init ---- */

static int parse_u64(const char *text, uint64_t *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int build_items(FwCfg *s, char *err, size_t errlen)
{
    const TesseraHost *h = s->host;
    uint64_t ram_size, machine_id;
    if (parse_u64(tessera_machine_opt(h, "ram-size"), &ram_size)) {
        snprintf(err, errlen, "machine option ram-size is missing or not a number");
        return -1;
    }
    if (parse_u64(tessera_prop(h, "machine-id"), &machine_id) || machine_id > 0xffff) {
        snprintf(err, errlen, "property machine-id is missing or not a 16-bit number");
        return -1;
    }
    const char *kernel = tessera_machine_opt(h, "kernel");
    const char *initrd = tessera_machine_opt(h, "initrd");
    const char *append = tessera_machine_opt(h, "append");
    const char *nographic = tessera_machine_opt(h, "nographic");
    const char *boot = tessera_machine_opt(h, "boot");

    uint32_t kernel_size = 0, initrd_size = 0;
    if (kernel && load_kernel(s, kernel, initrd, ram_size, &kernel_size, &initrd_size, err,
                              errlen))
        return -1;
    if (append && load_cmdline(s, append, ram_size, err, errlen))
        return -1;

    static const uint8_t uuid[16];
    uint8_t dir[4] = { 0 }; /* FW_CFG_FILE_DIR: a big-endian count of no files */
    uint32_t cmdline_size = append ? (uint32_t)strlen(append) + 1 : 0;
    return item_add(s, FW_CFG_SIGNATURE, "QEMU", 4, err, errlen) ||
           item_le(s, FW_CFG_ID, 1, 4, err, errlen) ||
           item_add(s, FW_CFG_UUID, uuid, sizeof(uuid), err, errlen) ||
           item_le(s, FW_CFG_RAM_SIZE, ram_size, 8, err, errlen) ||
           item_le(s, FW_CFG_NOGRAPHIC, nographic && !strcmp(nographic, "1"), 2, err, errlen) ||
           item_le(s, FW_CFG_NB_CPUS, 1, 2, err, errlen) ||
           item_le(s, FW_CFG_MAX_CPUS, 1, 2, err, errlen) ||
           item_le(s, FW_CFG_MACHINE_ID, machine_id, 2, err, errlen) ||
           item_le(s, FW_CFG_KERNEL_ADDR, KERNEL_LOAD_ADDR, 4, err, errlen) ||
           item_le(s, FW_CFG_KERNEL_SIZE, kernel_size, 4, err, errlen) ||
           item_le(s, FW_CFG_KERNEL_CMDLINE, append ? CMDLINE_ADDR : 0, 4, err, errlen) ||
           item_le(s, FW_CFG_CMDLINE_SIZE, cmdline_size, 4, err, errlen) ||
           (append && item_add(s, FW_CFG_CMDLINE_DATA, append, (uint32_t)strlen(append) + 1,
                               err, errlen)) ||
           item_le(s, FW_CFG_INITRD_ADDR, INITRD_LOAD_ADDR, 4, err, errlen) ||
           item_le(s, FW_CFG_INITRD_SIZE, initrd_size, 4, err, errlen) ||
           item_le(s, FW_CFG_BOOT_DEVICE, boot && *boot ? (uint8_t)boot[0] : 'c', 2, err,
                   errlen) ||
           item_le(s, FW_CFG_BOOT_MENU, 0, 2, err, errlen) ||
           item_add(s, FW_CFG_FILE_DIR, dir, sizeof(dir), err, errlen) ||
           item_le(s, FW_CFG_SUN4M_DEPTH, DISPLAY_DEPTH, 2, err, errlen) ||
           item_le(s, FW_CFG_SUN4M_WIDTH, DISPLAY_WIDTH, 2, err, errlen) ||
           item_le(s, FW_CFG_SUN4M_HEIGHT, DISPLAY_HEIGHT, 2, err, errlen)
               ? -1
               : 0;
}

static void fw_cfg_finalize(void *dev)
{
    FwCfg *s = dev;
    for (unsigned i = 0; i < s->n_items; i++)
        free(s->items[i].data);
    for (unsigned i = 0; i < s->n_blobs; i++)
        free(s->blobs[i].data);
    free(s->items);
    free(s->blobs);
    s->items = NULL;
    s->blobs = NULL;
    s->n_items = s->n_blobs = 0;
}

static int fw_cfg_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    FwCfg *s = dev;
    s->host = host;
    s->items = calloc(MAX_ITEMS, sizeof(*s->items));
    s->blobs = calloc(MAX_BLOBS, sizeof(*s->blobs));
    if (!s->items || !s->blobs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (build_items(s, err, errlen))
        return -1;
    for (unsigned i = 0; i < TESSERA_N_ELEMS(fw_cfg_regions); i++)
        if (tessera_mmio_add(host, &fw_cfg_regions[i], s, err, errlen))
            return -1;
    return 0;
}

/* ---- realize, reset ---- */

static int write_blobs(FwCfg *s, char *err, size_t errlen)
{
    for (unsigned i = 0; i < s->n_blobs; i++) {
        const FwCfgBlob *bl = &s->blobs[i];
        if (tessera_dma_write(s->host, bl->pa, bl->data, bl->len) != TESSERA_BUS_OK) {
            snprintf(err, errlen, "%s: cannot write %zu bytes to RAM at PA 0x%llx", bl->what,
                     bl->len, (unsigned long long)bl->pa);
            return -1;
        }
    }
    return 0;
}

static int fw_cfg_realize(void *dev, char *err, size_t errlen)
{
    return write_blobs(dev, err, errlen);
}

static void fw_cfg_reset(void *dev)
{
    FwCfg *s = dev;
    char err[256];
    s->selector = 0;
    s->offset = 0;
    if (write_blobs(s, err, sizeof(err)))
        tessera_log(s->host, TESSERA_LOG_WARNING, "reset: %s", err);
}

/* ---- state ---- */

static const TesseraField fw_cfg_fields[] = {
    TESSERA_U16(FwCfg, selector),
    TESSERA_U32(FwCfg, offset),
};

static const char *const fw_cfg_unmigrated[] = { "host", "items", "n_items", "blobs", "n_blobs",
                                                 NULL };

static const TesseraStateLayout fw_cfg_layout = {
    .struct_name = "FwCfg",
    .size = sizeof(FwCfg),
    .fields = fw_cfg_fields,
    .n_fields = TESSERA_N_ELEMS(fw_cfg_fields),
    .unmigrated = fw_cfg_unmigrated,
};

static const TesseraStateSchema fw_cfg_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "fw-cfg",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &fw_cfg_layout,
};

static const TesseraDeviceClass fw_cfg_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(FwCfg),
    .state = &fw_cfg_schema,
    .init = fw_cfg_init,
    .realize = fw_cfg_realize,
    .reset = fw_cfg_reset,
    .finalize = fw_cfg_finalize,
};

TESSERA_PLUGIN(.name = "fw-cfg", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "QEMU firmware configuration device (sun4m) and kernel handoff",
               .iface = &fw_cfg_class);
