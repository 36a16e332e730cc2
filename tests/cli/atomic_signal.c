/* SPDX-License-Identifier: MIT */
/*
 * atomic.c and signals: SIGTERM or SIGINT while a temporary file is open removes it
 * and still ends the process by that signal; commit and abort restore the handlers
 * there were; a save target that is not a regular file is refused before any
 * temporary file exists.
 */
#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic.h"

static int failures;

#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (cond) {                                                                               \
            printf("PASS %s\n", #cond);                                                           \
        } else {                                                                                  \
            failures++;                                                                           \
            printf("FAIL %s: ", #cond);                                                           \
            printf(__VA_ARGS__);                                                                  \
            printf("\n");                                                                         \
        }                                                                                         \
    } while (0)

/* Entries of dir whose name starts with a dot (the temporary files). */
static int hidden_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    if (d)
        closedir(d);
    return n;
}

/* In a child: open a save, write to it, then take `sig`. */
static int die_during_save(const char *dir, int sig, bool chain)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (chain)
            signal(sig, SIG_IGN); /* the previous disposition: the child survives */
        g_autofree char *path = g_build_filename(dir, "out.tsnap", NULL);
        char err[512];
        AtomicFile *f = atomic_open(path, err, sizeof(err));
        if (!f)
            _exit(10);
        static uint8_t block[1 << 16];
        for (int i = 0; i < 64; i++)
            atomic_write(f, block, sizeof(block));
        const char *tmp = atomic_pending_tmp();
        if (!tmp || access(tmp, F_OK) != 0)
            _exit(11);
        raise(sig);
        /* Only with an ignored previous disposition do we get here. */
        _exit(atomic_pending_tmp() == NULL ? 20 : 21);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

int main(void)
{
    char tmpl[] = "/tmp/atomic-signal-XXXXXX";
    const char *dir = g_mkdtemp(tmpl);
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }
    g_autofree char *out = g_build_filename(dir, "out.tsnap", NULL);

    int st = die_during_save(dir, SIGTERM, false);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status 0x%x", st);
    CHECK(hidden_entries(dir) == 0, "%d temporary files left after SIGTERM", hidden_entries(dir));
    CHECK(access(out, F_OK) != 0, "the target exists");

    st = die_during_save(dir, SIGINT, false);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "status 0x%x", st);
    CHECK(hidden_entries(dir) == 0, "%d temporary files left after SIGINT", hidden_entries(dir));

    /* The previous disposition (here SIG_IGN) is what the re-raised signal meets. */
    st = die_during_save(dir, SIGTERM, true);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 20, "status 0x%x", st);
    CHECK(hidden_entries(dir) == 0, "%d temporary files left", hidden_entries(dir));

    /* Commit and abort give the handlers back. */
    char err[512];
    AtomicFile *f = atomic_open(out, err, sizeof(err));
    CHECK(f != NULL, "%s", err);
    struct sigaction sa;
    sigaction(SIGTERM, NULL, &sa);
    CHECK(sa.sa_handler != SIG_DFL, "no handler while a save is open");
    atomic_write(f, "x", 1);
    CHECK(atomic_commit(f, err, sizeof(err)) == 0, "%s", err);
    sigaction(SIGTERM, NULL, &sa);
    CHECK(sa.sa_handler == SIG_DFL, "handler left after commit");
    CHECK(atomic_pending_tmp() == NULL, "still registered after commit");
    CHECK(hidden_entries(dir) == 0, "temporary file left after commit");
    f = atomic_open(out, err, sizeof(err));
    atomic_abort(f);
    sigaction(SIGINT, NULL, &sa);
    CHECK(sa.sa_handler == SIG_DFL, "handler left after abort");
    CHECK(hidden_entries(dir) == 0, "temporary file left after abort");

    /* Targets that are not regular files: refused, no temporary file, untouched. */
    g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
    g_autofree char *sub = g_build_filename(dir, "sub", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);
    mkfifo(fifo, 0600);
    mkdir(sub, 0700);
    if (symlink(fifo, link) < 0)
        perror("symlink");
    /* A character device of our own (a copy of /dev/null; mknod needs root), never a
     * node in /dev: a build without the check would rename a file over it. */
    g_autofree char *node = g_build_filename(dir, "null", NULL);
    bool have_node = mknod(node, S_IFCHR | 0600, makedev(1, 3)) == 0;
    const char *bad[] = {fifo, sub, link, have_node ? node : fifo};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        err[0] = '\0';
        f = atomic_open(bad[i], err, sizeof(err));
        CHECK(f == NULL && strstr(err, "not a regular file"), "%s: %s", bad[i], err);
        if (f)
            atomic_abort(f);
        CHECK(atomic_check_target(bad[i], err, sizeof(err)) < 0, "%s accepted", bad[i]);
    }
    struct stat sb;
    CHECK(lstat(fifo, &sb) == 0 && S_ISFIFO(sb.st_mode), "the FIFO was replaced");
    CHECK(lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode), "the symlink was replaced");
    if (have_node)
        CHECK(lstat(node, &sb) == 0 && S_ISCHR(sb.st_mode), "the device node was replaced");
    CHECK(hidden_entries(dir) == 0, "temporary files left after refusals");
    CHECK(atomic_check_target(out, err, sizeof(err)) == 0, "a regular file refused: %s", err);
    g_autofree char *absent = g_build_filename(dir, "absent", NULL);
    CHECK(atomic_check_target(absent, err, sizeof(err)) == 0, "an absent file refused: %s", err);

    unlink(link);
    unlink(node);
    unlink(fifo);
    rmdir(sub);
    unlink(out);
    rmdir(dir);
    printf("%d failed\n", failures);
    return failures ? 1 : 0;
}
