/* SPDX-License-Identifier: MIT */
/* Write-to-temporary, fsync, rename, fsync-directory. */
#include "atomic.h"
#include "file_kind.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <signal.h>
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

int atomic_check_target(const char *path, char *err, size_t errlen)
{
    struct stat st;
    /* stat, not lstat: a symlink counts as what it points to. Neither blocks. */
    if (stat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0; /* absent (or a dangling symlink): created by the rename */
        snprintf(err, errlen, "%s: cannot save here: %s", path, g_strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen,
                 "%s: cannot save here: %s, not a regular file (a snapshot replaces only a "
                 "regular file or goes to a new path)",
                 path, file_kind(st.st_mode));
        return -1;
    }
    return 0;
}

/*
 * The temporary file being written, for the SIGINT/SIGTERM handler to remove: a
 * fixed buffer (no allocation in the handler), set before the handlers are installed
 * and cleared before they are restored. One save at a time is registered; a second
 * concurrent one is still removed on every error path, just not on a signal.
 */
static char pending_tmp[PATH_MAX];
static volatile sig_atomic_t pending_set;
static struct sigaction old_int, old_term;
static const AtomicFile *pending_owner;

static void on_signal(int sig)
{
    int saved = errno;
    if (pending_set)
        unlink(pending_tmp); /* async-signal-safe */
    pending_set = 0;
    /* Re-raise with the disposition there was before (another handler, or death). */
    sigaction(sig, sig == SIGINT ? &old_int : &old_term, NULL);
    errno = saved;
    raise(sig);
}

static void register_tmp(const AtomicFile *f, const char *tmp)
{
    if (pending_owner || strlen(tmp) >= sizeof(pending_tmp))
        return;
    memcpy(pending_tmp, tmp, strlen(tmp) + 1);
    pending_owner = f;
    pending_set = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

static void unregister_tmp(const AtomicFile *f)
{
    if (pending_owner != f)
        return;
    /* Restore the handlers first: a signal from here on finds the old disposition. */
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    pending_set = 0;
    pending_owner = NULL;
}

const char *atomic_pending_tmp(void)
{
    return pending_set ? pending_tmp : NULL;
}

AtomicFile *atomic_open(const char *path, char *err, size_t errlen)
{
    if (atomic_check_target(path, err, errlen) < 0)
        return NULL;
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    AtomicFile *f = g_new0(AtomicFile, 1);
    /* SIGINT and SIGTERM wait until the temporary file is registered with the
     * handler: one arriving in between would leave it behind. */
    sigset_t block, was;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &was);
    int fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        register_tmp(f, tmp);
    int e = errno;
    sigprocmask(SIG_SETMASK, &was, NULL);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file in %s: %s", path, dir,
                 g_strerror(e));
        g_free(tmp);
        g_free(f);
        return NULL;
    }
    /* mkstemp creates 0600; give the snapshot the usual umask-derived mode. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) < 0)
        g_debug("%s: fchmod failed, the snapshot stays private", tmp);
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
    unregister_tmp(f);
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
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
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
    if (!f->err[0] && pending_owner == f)
        pending_set = 0; /* the temporary name is the target's now */
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
