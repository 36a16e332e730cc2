/* SPDX-License-Identifier: MIT */
/* W^X code memory: two views of one memfd (codebuf.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "codebuf.h"

int codebuf_init(CodeBuf *cb, size_t size, char *err, size_t errlen)
{
    memset(cb, 0, sizeof(*cb));
    int fd = memfd_create("tessera-jit", MFD_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "jit: memfd_create: %s", strerror(errno));
        return -1;
    }
    if (ftruncate(fd, (off_t)size) != 0) {
        snprintf(err, errlen, "jit: cannot size the %zu-byte code cache: %s", size,
                 strerror(errno));
        close(fd);
        return -1;
    }
    void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *rx = rw == MAP_FAILED ? MAP_FAILED : mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    int saved = errno;
    close(fd);
    if (rx == MAP_FAILED) {
        if (rw != MAP_FAILED)
            munmap(rw, size);
        snprintf(err, errlen, "jit: cannot map the code cache (read-write and read-execute "
                              "views of one memfd): %s", strerror(saved));
        return -1;
    }
    cb->rw = rw;
    cb->rx = rx;
    cb->size = size;
    return 0;
}

void codebuf_free(CodeBuf *cb)
{
    if (cb->rw)
        munmap(cb->rw, cb->size);
    if (cb->rx)
        munmap(cb->rx, cb->size);
    memset(cb, 0, sizeof(*cb));
}
