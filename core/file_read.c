/* SPDX-License-Identifier: MIT */
#include "file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_kind.h"

__attribute__((format(printf, 4, 5))) static void set_err(GError **error, const char *label,
                                                          const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s%s%s: %s", label ? label : "",
                label ? " " : "", path, why);
    g_free(why);
}

int file_open_regular(const char *label, const char *path, uint64_t limit, uint64_t *size,
                      GError **error)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s%s%s: %s",
                    label ? label : "", label ? " " : "", path, g_strerror(e));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        set_err(error, label, path, "%s", g_strerror(e));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        const char *kind = file_kind(st.st_mode);
        if (kind[0] == 'n')
            set_err(error, label, path, "not a regular file");
        else
            set_err(error, label, path, "not a regular file (%s)", kind);
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > limit) {
        set_err(error, label, path, "%" G_GUINT64_FORMAT " bytes is more than the %" G_GUINT64_FORMAT
                " MiB limit", (uint64_t)st.st_size, limit >> 20);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if (size)
        *size = (uint64_t)st.st_size;
    return fd;
}

bool file_check_regular(const char *label, const char *path, uint64_t limit, GError **error)
{
    int fd = file_open_regular(label, path, limit, NULL, error);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

bool file_read_whole(const char *label, const char *path, uint64_t limit, char **data,
                     gsize *len, GError **error)
{
    uint64_t size;
    int fd = file_open_regular(label, path, limit, &size, error);
    if (fd < 0)
        return false;
    /* One byte more than fstat said, to notice a file that grew. */
    char *buf = g_malloc((gsize)size + 2);
    uint64_t got = 0;
    while (got < size + 1) {
        ssize_t n = read(fd, buf + got, (size_t)(size + 1 - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            set_err(error, label, path, "read failed: %s", g_strerror(e));
            close(fd);
            g_free(buf);
            return false;
        }
        if (n == 0)
            break;
        got += (uint64_t)n;
    }
    close(fd);
    if (got > size) {
        set_err(error, label, path, "the file grew while it was read");
        g_free(buf);
        return false;
    }
    buf[got] = '\0';
    *data = buf;
    *len = (gsize)got;
    return true;
}
