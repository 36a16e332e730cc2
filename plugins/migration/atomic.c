/* SPDX-License-Identifier: MIT */
/* Write-to-temporary, fsync, rename, fsync-directory. */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ATOMIC_BUF (1u << 20)

struct AtomicFile {
    int fd;
    char *path;
    char *tmp_path;
    uint8_t *buf;
    size_t used;
    uint64_t offset; /* bytes written so far, buffered included */
    char err[512];
};

AtomicFile *atomic_open(const char *path, char *err, size_t errlen)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    int fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file in %s: %s", path, dir,
                 g_strerror(errno));
        g_free(tmp);
        return NULL;
    }
    /* mkstemp creates 0600; give the snapshot the usual umask-derived mode. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) < 0)
        g_debug("%s: fchmod failed, the snapshot stays private", tmp);
    AtomicFile *f = g_new0(AtomicFile, 1);
    f->fd = fd;
    f->path = g_strdup(path);
    f->tmp_path = tmp;
    f->buf = g_malloc(ATOMIC_BUF);
    return f;
}

static int fail(AtomicFile *f, const char *what, int e)
{
    if (!f->err[0])
        snprintf(f->err, sizeof(f->err), "%s: %s: %s", f->path, what, g_strerror(e));
    return -1;
}

static int write_all(AtomicFile *f, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = write(f->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(f, "write failed", n < 0 ? errno : ENOSPC);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int flush(AtomicFile *f)
{
    if (f->err[0])
        return -1;
    int rc = write_all(f, f->buf, f->used);
    f->used = 0;
    return rc;
}

int atomic_write(AtomicFile *f, const void *buf, size_t len)
{
    if (f->err[0])
        return -1;
    const uint8_t *p = buf;
    f->offset += len;
    if (len >= ATOMIC_BUF) {
        if (flush(f) < 0)
            return -1;
        return write_all(f, p, len);
    }
    if (f->used + len > ATOMIC_BUF && flush(f) < 0)
        return -1;
    memcpy(f->buf + f->used, p, len);
    f->used += len;
    return 0;
}

int atomic_pwrite(AtomicFile *f, uint64_t offset, const void *buf, size_t len)
{
    if (flush(f) < 0)
        return -1;
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(f->fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(f, "write failed", n < 0 ? errno : ENOSPC);
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

uint64_t atomic_offset(const AtomicFile *f)
{
    return f->offset;
}

const char *atomic_error(const AtomicFile *f)
{
    return f->err;
}

static void release(AtomicFile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    g_free(f->buf);
    g_free(f->path);
    g_free(f->tmp_path);
    g_free(f);
}

void atomic_abort(AtomicFile *f)
{
    if (!f)
        return;
    g_unlink(f->tmp_path);
    release(f);
}

int atomic_commit(AtomicFile *f, char *err, size_t errlen)
{
    if (flush(f) == 0 && fsync(f->fd) < 0)
        fail(f, "fsync failed", errno);
    if (!f->err[0] && close(f->fd) < 0)
        fail(f, "close failed", errno);
    else if (f->err[0])
        close(f->fd);
    f->fd = -1;
    if (!f->err[0] && g_rename(f->tmp_path, f->path) < 0)
        fail(f, "rename failed", errno);
    if (f->err[0]) {
        snprintf(err, errlen, "%s", f->err);
        atomic_abort(f);
        return -1;
    }
    /* The rename is durable only once the directory is synced. */
    g_autofree char *dir = g_path_get_dirname(f->path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    release(f);
    return 0;
}
