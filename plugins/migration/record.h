/* SPDX-License-Identifier: MIT */
/*
 * TesseraRecord: one device's state at one version as an ordered list of named,
 * typed fields. Nested structs are flattened: the field "outer.inner" holds all
 * elements outer-major. Element values are stored little-endian, whatever the host.
 */
#ifndef TSNAP_RECORD_H
#define TSNAP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tessera/state.h>

#define RECORD_NAME_MAX 255
#define RECORD_FIELD_BYTES_MAX (UINT32_C(1) << 30)

typedef struct RecordField {
    char *name;
    uint32_t type;  /* TesseraFieldType, never STRUCT */
    uint32_t count; /* elements (BYTES: bytes) */
    uint8_t *data;  /* count * width bytes */
} RecordField;

TesseraRecord *record_new(uint32_t version);
void record_free(TesseraRecord *rec);
TesseraRecord *record_copy(const TesseraRecord *rec);

uint32_t record_version(const TesseraRecord *rec);
void record_set_version(TesseraRecord *rec, uint32_t version);
unsigned record_n_fields(const TesseraRecord *rec);
const RecordField *record_field(const TesseraRecord *rec, unsigned i);
const RecordField *record_find(const TesseraRecord *rec, const char *name);

/* Append a field; data (count * width little-endian bytes) or NULL for zeros.
 * Fails on a bad name or type, a duplicate name or an oversized field. */
int record_append(TesseraRecord *rec, const char *name, uint32_t type, uint32_t count,
                  const void *data, char *err, size_t errlen);

/* Bytes per element of a scalar or BYTES type; 0 for STRUCT and unknown types. */
unsigned field_type_width(uint32_t type);
bool field_type_signed(uint32_t type);
const char *field_type_name(uint32_t type);
/* [A-Za-z0-9_.]+, no empty dotted component, at most RECORD_NAME_MAX bytes. */
bool record_name_valid(const char *name, size_t len);

/* Element `index` of field f as a 64-bit value (signed types sign-extended). */
uint64_t record_field_get(const RecordField *f, uint32_t index);

/* The ops converters receive. */
extern const TesseraRecordOps record_ops;

#endif /* TSNAP_RECORD_H */
