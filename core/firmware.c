/* SPDX-License-Identifier: MIT */
#include "firmware.h"

#include <string.h>

#include "file_read.h"

/* ELF32, big-endian (SPARC): just the fields the loader needs. */
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFDATA2MSB 2
#define EM_SPARC 2
#define EM_SPARC32PLUS 18
#define PT_LOAD 1

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static bool load_elf(const char *path, const uint8_t *img, gsize len, uint8_t *prom,
                     uint64_t prom_base, uint64_t prom_size, uint64_t prom_vaddr, GError **error)
{
    if (len < 52 || img[EI_CLASS] != ELFCLASS32 || img[EI_DATA] != ELFDATA2MSB) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: not a 32-bit big-endian ELF file (SPARC V8 expected)", path);
        return false;
    }
    uint16_t machine = be16(img + 18);
    if (machine != EM_SPARC && machine != EM_SPARC32PLUS) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: ELF for machine %u, not SPARC", path, machine);
        return false;
    }
    uint32_t phoff = be32(img + 28);
    uint16_t phentsize = be16(img + 42), phnum = be16(img + 44);
    if (phentsize < 32 || phoff > len || (uint64_t)phnum * phentsize > len - phoff) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: truncated ELF program headers", path);
        return false;
    }
    unsigned loaded = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (size_t)i * phentsize;
        if (be32(ph) != PT_LOAD)
            continue;
        uint32_t offset = be32(ph + 4), vaddr = be32(ph + 8), paddr = be32(ph + 12),
                 filesz = be32(ph + 16), memsz = be32(ph + 20);
        if (memsz == 0)
            continue;
        /* Place by the load (physical) address: a program linked for the PROM window
         * keeps it; one linked at prom_vaddr (OpenBIOS) moves to prom_base. A
         * segment whose run address differs (.data copied to RAM at start) brings
         * only its file bytes; the program clears its own .bss. */
        uint64_t pa;
        if (paddr >= prom_base && paddr < prom_base + prom_size)
            pa = paddr;
        else if (paddr >= prom_vaddr)
            pa = (uint64_t)paddr - prom_vaddr + prom_base;
        else {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: segment loaded at 0x%08x is outside the PROM (link at 0x%08" G_GINT64_MODIFIER
                        "x or 0x%08" G_GINT64_MODIFIER "x)",
                        path, paddr, prom_vaddr, prom_base);
            return false;
        }
        uint32_t span = paddr == vaddr ? memsz : filesz;
        if (filesz > memsz || offset > len || filesz > len - offset ||
            pa - prom_base + span > prom_size) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: segment at 0x%08x (%u bytes) does not fit the %" G_GUINT64_FORMAT
                        " KiB PROM or the file",
                        path, paddr, span, prom_size >> 10);
            return false;
        }
        memcpy(prom + (pa - prom_base), img + offset, filesz);
        memset(prom + (pa - prom_base) + filesz, 0, span - filesz);
        loaded++;
    }
    if (!loaded) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: ELF has no loadable segment",
                    path);
        return false;
    }
    return true;
}

bool firmware_prom_size_ok(const char *machine, uint64_t prom_size, GError **error)
{
    if (prom_size <= FIRMWARE_PROM_MAX)
        return true;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "machine %s: prom-size 0x%" G_GINT64_MODIFIER "x is out of range (0 to 0x%"
                G_GINT64_MODIFIER "x, %u MiB)",
                machine, prom_size, (uint64_t)FIRMWARE_PROM_MAX, (unsigned)(FIRMWARE_PROM_MAX >> 20));
    return false;
}

bool firmware_load(const char *path, uint8_t *prom, uint64_t prom_base, uint64_t prom_size,
                   uint64_t prom_vaddr, GError **error)
{
    char *img = NULL;
    gsize len = 0;
    GError *err = NULL;
    /* Never a FIFO or a device (they would block or never end), never more than
     * FILE_READ_LIMIT bytes. */
    if (!file_read_whole(NULL, path, FILE_READ_LIMIT, &img, &len, &err)) {
        g_set_error(error, G_FILE_ERROR, err->code, "%s", err->message);
        g_error_free(err);
        return false;
    }
    bool ok;
    if (len >= 4 && !memcmp(img, "\x7f" "ELF", 4)) {
        ok = load_elf(path, (const uint8_t *)img, len, prom, prom_base, prom_size, prom_vaddr,
                      error);
    } else if (len == 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: empty PROM image", path);
        ok = false;
    } else if (len > prom_size) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: %" G_GSIZE_FORMAT " bytes do not fit the %" G_GUINT64_FORMAT
                    " KiB PROM (raw image; an ELF file must start with \\x7fELF)",
                    path, len, prom_size >> 10);
        ok = false;
    } else {
        memcpy(prom, img, len);
        ok = true;
    }
    g_free(img);
    return ok;
}
