/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the .tsnap reader and everything a load does with untrusted
 * bytes before touching a machine (structure, checksums, records, memory chunks,
 * applying records to a layout, the JSON views).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "format.h"
#include "layout.h"

typedef struct Probe {
    uint32_t limit;
    uint16_t ctrl;
    uint8_t nvram[16];
    uint64_t ticks;
} Probe;

static const TesseraField probe_fields[] = {
    TESSERA_U32(Probe, limit),
    TESSERA_U16(Probe, ctrl),
    TESSERA_BYTES(Probe, nvram),
    {.name = "ticks", .member = "ticks", .type = TESSERA_FIELD_U64,
     .offset = offsetof(Probe, ticks), .count = 1, .since = 2, .dflt = 7},
};
static const TesseraStateLayout probe_layout = {
    .struct_name = "Probe", .size = sizeof(Probe), .fields = probe_fields, .n_fields = 4,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    TsnapFile *f = tsnap_open_buffer(data, size, "fuzz.tsnap", err, sizeof(err));
    if (!f)
        return 0;
    for (unsigned i = 0; i < f->devices->len; i++) {
        const TsnapDevice *d = f->devices->pdata[i];
        Probe p = {0};
        layout_apply(&probe_layout, d->rec, &p, err, sizeof(err));
    }
    for (unsigned i = 0; i < f->memory->len; i++) {
        const TsnapMemory *m = f->memory->pdata[i];
        /* Decode for real when small enough; larger regions are only checked. */
        uint8_t *buf = m->length <= (1u << 22) ? malloc(m->length ? m->length : 1) : NULL;
        tsnap_memory_decode(m, buf, err, sizeof(err));
        free(buf);
    }
    free(tsnap_dump_json(f));
    GString *out = g_string_new(NULL);
    tsnap_diff(f, f, out);
    g_string_free(out, TRUE);
    tsnap_close(f);
    return 0;
}
