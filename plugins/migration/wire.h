/* SPDX-License-Identifier: MIT */
/* Little-endian encoding helpers: a growable writer and a bounded reader. */
#ifndef TSNAP_WIRE_H
#define TSNAP_WIRE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_STRING_MAX 4096

void wire_put_u8(GByteArray *b, uint8_t v);
void wire_put_u32(GByteArray *b, uint32_t v);
void wire_put_u64(GByteArray *b, uint64_t v);
/* u32 length, then the bytes (no terminator). */
void wire_put_str(GByteArray *b, const char *s);

/* The low w bytes of v (w <= 8), and back, zero-extended. */
void wire_store_le(uint8_t *p, unsigned w, uint64_t v);
uint64_t wire_load_le(const uint8_t *p, unsigned w);
void wire_store_u32(uint8_t *p, uint32_t v);
void wire_store_u64(uint8_t *p, uint64_t v);
uint32_t wire_load_u32(const uint8_t *p);
uint64_t wire_load_u64(const uint8_t *p);

/* Reads never run past `len`; the first failure sets `bad` and later reads fail. */
typedef struct WireReader {
    const uint8_t *p;
    size_t len;
    size_t pos;
    bool bad;
} WireReader;

void wire_reader_init(WireReader *r, const void *p, size_t len);
bool wire_u8(WireReader *r, uint8_t *v);
bool wire_u32(WireReader *r, uint32_t *v);
bool wire_u64(WireReader *r, uint64_t *v);
/* Pointer to the next n bytes, or NULL when fewer remain. */
const uint8_t *wire_bytes(WireReader *r, uint64_t n);
/* A string of at most WIRE_STRING_MAX valid UTF-8 bytes without NUL; g_free it. */
char *wire_str(WireReader *r);
size_t wire_remaining(const WireReader *r);

#endif /* TSNAP_WIRE_H */
