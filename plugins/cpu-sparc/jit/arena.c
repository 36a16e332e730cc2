/* SPDX-License-Identifier: MIT */
/* The JIT's bump allocator: blocks, pages and decoded copies live until the
 * next flush, which frees them all at once (block.h). */
#include <stdlib.h>
#include <string.h>

#include "block.h"

#define CHUNK_BYTES (1u << 20)

void *jit_arena_alloc(JitArena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size > a->left) {
        size_t chunk = size + sizeof(JitChunk) > CHUNK_BYTES ? size + sizeof(JitChunk) : CHUNK_BYTES;
        JitChunk *c = malloc(chunk);
        if (!c)
            abort();
        c->next = a->chunks;
        a->chunks = c;
        a->next = (uint8_t *)(c + 1);
        a->left = chunk - sizeof(JitChunk);
    }
    void *p = a->next;
    a->next += size;
    a->left -= size;
    return p;
}

void jit_arena_free(JitArena *a)
{
    JitChunk *c = a->chunks;
    while (c) {
        JitChunk *n = c->next;
        free(c);
        c = n;
    }
    memset(a, 0, sizeof(*a));
}
