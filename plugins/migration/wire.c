/* SPDX-License-Identifier: MIT */
/* Little-endian encoding helpers. */
#include "wire.h"

#include <string.h>

void wire_store_le(uint8_t *p, unsigned w, uint64_t v)
{
    for (unsigned i = 0; i < w; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t wire_load_le(const uint8_t *p, unsigned w)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < w; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void wire_store_u32(uint8_t *p, uint32_t v)
{
    wire_store_le(p, 4, v);
}

void wire_store_u64(uint8_t *p, uint64_t v)
{
    wire_store_le(p, 8, v);
}

uint32_t wire_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t wire_load_u64(const uint8_t *p)
{
    return (uint64_t)wire_load_u32(p) | (uint64_t)wire_load_u32(p + 4) << 32;
}

void wire_put_u8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

void wire_put_u32(GByteArray *b, uint32_t v)
{
    uint8_t t[4];
    wire_store_u32(t, v);
    g_byte_array_append(b, t, 4);
}

void wire_put_u64(GByteArray *b, uint64_t v)
{
    uint8_t t[8];
    wire_store_u64(t, v);
    g_byte_array_append(b, t, 8);
}

void wire_put_str(GByteArray *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    wire_put_u32(b, (uint32_t)n);
    if (n)
        g_byte_array_append(b, (const guint8 *)s, (guint)n);
}

void wire_reader_init(WireReader *r, const void *p, size_t len)
{
    *r = (WireReader){.p = p, .len = len};
}

size_t wire_remaining(const WireReader *r)
{
    return r->bad ? 0 : r->len - r->pos;
}

const uint8_t *wire_bytes(WireReader *r, uint64_t n)
{
    if (r->bad || n > r->len - r->pos) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += (size_t)n;
    return p;
}

bool wire_u8(WireReader *r, uint8_t *v)
{
    const uint8_t *p = wire_bytes(r, 1);
    if (p)
        *v = *p;
    return p != NULL;
}

bool wire_u32(WireReader *r, uint32_t *v)
{
    const uint8_t *p = wire_bytes(r, 4);
    if (p)
        *v = wire_load_u32(p);
    return p != NULL;
}

bool wire_u64(WireReader *r, uint64_t *v)
{
    const uint8_t *p = wire_bytes(r, 8);
    if (p)
        *v = wire_load_u64(p);
    return p != NULL;
}

char *wire_str(WireReader *r)
{
    uint32_t n;
    if (!wire_u32(r, &n))
        return NULL;
    if (n > WIRE_STRING_MAX) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = wire_bytes(r, n);
    if (!p)
        return NULL;
    if (memchr(p, 0, n) || !g_utf8_validate((const char *)p, n, NULL)) {
        r->bad = true;
        return NULL;
    }
    return g_strndup((const char *)p, n);
}
