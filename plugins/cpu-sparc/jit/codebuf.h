/* SPDX-License-Identifier: MIT */
/*
 * The JIT's code memory: one memfd mapped twice, read-write for the emitter and
 * read-execute for running, so no page is writable and executable at the same
 * time (W^X). Filled front to back; when full the whole cache is dropped at once
 * (jit_flush), never while generated code runs.
 */
#ifndef SPARC_JIT_CODEBUF_H
#define SPARC_JIT_CODEBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct CodeBuf {
    uint8_t *rw;   /* the writable view */
    uint8_t *rx;   /* the executable view of the same bytes */
    size_t size;
    size_t used;
} CodeBuf;

/* 0, or -1 with a reason in err. */
int codebuf_init(CodeBuf *cb, size_t size, char *err, size_t errlen);
void codebuf_free(CodeBuf *cb);

#endif /* SPARC_JIT_CODEBUF_H */
