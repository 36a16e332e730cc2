/* SPDX-License-Identifier: MIT */
/* CRC-32C (Castagnoli), the checksum of every .tsnap section. */
#ifndef TSNAP_CRC32C_H
#define TSNAP_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: start with crc = 0; crc32c(crc32c(0, a), b) == crc32c(0, a ++ b). */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);
/* The table-driven version crc32c() falls back to without SSE4.2 (same results). */
uint32_t crc32c_portable(uint32_t crc, const void *buf, size_t len);

#endif /* TSNAP_CRC32C_H */
