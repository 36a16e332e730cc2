/* SPDX-License-Identifier: MIT */
/* Live migration's glue in the core (migrate.h). */
#define _GNU_SOURCE /* accept4 */
#include "migrate.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "machine.h"
#include "snapshot.h"

#define MIGRATE_ERROR g_quark_from_static_string("tessera-migrate")
#define DEFAULT_DOWNTIME_MS 300 /* QEMU's default downtime-limit */

struct Migrate {
    MigrateStatus status;
    char *error;
    const TesseraMigrationClass *cls;
    TesseraMigration *mig;
    TesseraMigrateParams params;
    TesseraMigrateStats stats;
    gint64 start_us, end_us;
    bool hooked;      /* the run loop's poll hook is installed */
    bool deferred;    /* -incoming defer: waiting for migrate-incoming */
    int listen_fd;    /* incoming: -1 when not listening */
    char *unix_path;  /* incoming on a unix socket: removed at the end */
};

static const char *const status_names[] = {
    [MIGRATE_NONE] = "none",           [MIGRATE_SETUP] = "setup",
    [MIGRATE_ACTIVE] = "active",       [MIGRATE_COMPLETED] = "completed",
    [MIGRATE_FAILED] = "failed",       [MIGRATE_CANCELLED] = "cancelled",
};

static Migrate *get(Session *s)
{
    if (!s->migrate) {
        Migrate *g = g_new0(Migrate, 1);
        g->listen_fd = -1;
        g->params = (TesseraMigrateParams){.size = sizeof(g->params),
                                           .downtime_limit_ms = DEFAULT_DOWNTIME_MS};
        g->stats.size = sizeof(g->stats);
        s->migrate = g;
    }
    return s->migrate;
}

/* The migration plugin, if it can migrate live. */
static const TesseraMigrationClass *live_backend(Session *s, GError **error)
{
    const TesseraMigrationClass *cls = snapshot_backend(s->reg, error);
    if (cls && !TESSERA_HAS_MEMBER(cls, TesseraMigrationClass, incoming)) {
        g_set_error(error, MIGRATE_ERROR, 0, "the migration plugin cannot migrate live "
                    "(it was built for plugin ABI 1.1 or older)");
        return NULL;
    }
    return cls;
}

/* ---- addresses ---- */

typedef struct Address {
    bool is_unix;
    char *host, *port; /* tcp */
    char *path;        /* unix */
} Address;

static void address_clear(Address *a)
{
    g_free(a->host);
    g_free(a->port);
    g_free(a->path);
}

/* "tcp:HOST:PORT" ([v6] accepted in brackets) or "unix:PATH". */
static bool parse_uri(const char *uri, Address *a, GError **error)
{
    *a = (Address){0};
    if (g_str_has_prefix(uri, "unix:") && uri[5]) {
        a->is_unix = true;
        a->path = g_strdup(uri + 5);
        if (strlen(a->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
            g_set_error(error, MIGRATE_ERROR, 0, "%s: the socket path is too long", uri);
            return false;
        }
        return true;
    }
    if (g_str_has_prefix(uri, "tcp:")) {
        const char *hp = uri + 4;
        const char *colon = strrchr(hp, ':');
        if (colon && colon > hp && colon[1]) {
            const char *h = hp, *he = colon;
            if (*h == '[' && he[-1] == ']')
                h++, he--;
            a->host = g_strndup(h, (gsize)(he - h));
            a->port = g_strdup(colon + 1);
            return true;
        }
    }
    g_set_error(error, MIGRATE_ERROR, 0,
                "'%s' is not a migration address (tcp:HOST:PORT or unix:PATH)", uri);
    return false;
}

static int tcp_socket(const Address *a, bool listening, GError **error)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = listening ? AI_PASSIVE : 0};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(a->host[0] ? a->host : NULL, a->port, &hints, &res);
    if (rc) {
        g_set_error(error, MIGRATE_ERROR, 0, "tcp:%s:%s: %s", a->host, a->port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        if (listening)
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        else
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        bool ok = listening ? bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0
                            : connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
        if (!ok) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        g_set_error(error, MIGRATE_ERROR, 0, "tcp:%s:%s: %s", a->host, a->port, g_strerror(err));
    return fd;
}

static int unix_socket(const Address *a, bool listening, GError **error)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, a->path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct stat st;
    /* A stale socket of an earlier run is replaced; any other file never is. */
    if (listening && lstat(a->path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(a->path);
    bool ok = fd >= 0 && (listening ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
                                          listen(fd, 1) == 0
                                    : connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    if (!ok) {
        g_set_error(error, MIGRATE_ERROR, 0, "unix:%s: %s", a->path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int open_socket(const char *uri, bool listening, char **unix_path, GError **error)
{
    Address a;
    if (!parse_uri(uri, &a, error)) {
        address_clear(&a);
        return -1;
    }
    int fd = a.is_unix ? unix_socket(&a, listening, error) : tcp_socket(&a, listening, error);
    if (fd >= 0 && listening && a.is_unix && unix_path)
        *unix_path = g_strdup(a.path);
    if (fd >= 0 && listening && !a.is_unix && !strcmp(a.port, "0")) {
        /* Port 0: the kernel chose one; say which, for scripts. */
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        char port[16] = "?";
        if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
            getnameinfo((struct sockaddr *)&ss, len, NULL, 0, port, sizeof(port),
                        NI_NUMERICSERV);
        fprintf(stderr, "tessera: incoming migration on tcp:%s:%s\n", a.host, port);
    }
    address_clear(&a);
    return fd;
}

/* ---- the source ---- */

static void set_failed(Migrate *g, MigrateStatus status, const char *why)
{
    g->status = status;
    g_free(g->error);
    g->error = why ? g_strdup(why) : NULL;
    g->end_us = g_get_monotonic_time();
    if (g->mig)
        g->cls->outgoing_free(g->mig);
    g->mig = NULL;
    if (why)
        fprintf(stderr, "tessera: migration failed: %s\n", why);
}

/* One step of the outgoing migration, between two CPU slices. */
static void step(Session *s)
{
    Migrate *g = s->migrate;
    char err[512] = "";
    int rc = g->cls->outgoing_step(g->mig, &g->stats, err, sizeof(err));
    if (rc == TESSERA_MIGRATE_ACTIVE)
        return;
    if (rc == TESSERA_MIGRATE_FAILED) {
        set_failed(g, MIGRATE_FAILED, err[0] ? err : "no reason given");
        return;
    }
    /* The machine runs on the destination now: stop here for good. */
    g->status = MIGRATE_COMPLETED;
    g->end_us = g_get_monotonic_time();
    g->cls->outgoing_free(g->mig);
    g->mig = NULL;
    s->postmigrate = true;
    session_stop(s);
}

static void poll_hook(void *opaque)
{
    Session *s = opaque;
    if (s->migrate && s->migrate->mig && !s->paused)
        step(s);
}

bool migrate_start(Session *s, const char *uri, GError **error)
{
    Migrate *g = get(s);
    if (g->mig) {
        g_set_error(error, MIGRATE_ERROR, 0, "a migration is in progress already");
        return false;
    }
    if (s->inmigrate || s->postmigrate) {
        g_set_error(error, MIGRATE_ERROR, 0, "the machine is %s",
                    s->inmigrate ? "waiting for an incoming migration" : "migrated already");
        return false;
    }
    const TesseraMigrationClass *cls = live_backend(s, error);
    if (!cls)
        return false;
    int fd = open_socket(uri, false, NULL, error);
    if (fd < 0)
        return false;
    if (!g->hooked) {
        machine_add_poll(s->machine, poll_hook, s);
        g->hooked = true;
    }
    g->cls = cls;
    g->status = MIGRATE_SETUP;
    g->stats = (TesseraMigrateStats){.size = sizeof(g->stats)};
    g_clear_pointer(&g->error, g_free);
    g->start_us = g_get_monotonic_time();
    g->end_us = 0;
    char err[512] = "";
    g->mig = cls->outgoing_start(machine_view(s->machine), fd, &g->params, err, sizeof(err));
    if (!g->mig)
        set_failed(g, MIGRATE_FAILED, err[0] ? err : "no reason given");
    else
        g->status = MIGRATE_ACTIVE;
    return true;
}

void migrate_cancel(Session *s)
{
    Migrate *g = s->migrate;
    if (g && g->mig) {
        set_failed(g, MIGRATE_CANCELLED, NULL);
        fprintf(stderr, "tessera: migration cancelled\n");
    }
}

bool migrate_set_parameter(Session *s, const char *name, uint64_t value, GError **error)
{
    Migrate *g = get(s);
    if (!strcmp(name, "max-bandwidth")) {
        g->params.max_bandwidth = value;
    } else if (!strcmp(name, "downtime-limit")) {
        if (value > 2000000) {
            g_set_error(error, MIGRATE_ERROR, 0, "downtime-limit %" G_GUINT64_FORMAT
                        " ms is more than 2000 s", value);
            return false;
        }
        g->params.downtime_limit_ms = value;
    } else {
        g_set_error(error, MIGRATE_ERROR, 0, "unknown migration parameter '%s' (max-bandwidth, "
                    "downtime-limit)", name);
        return false;
    }
    if (g->mig)
        g->cls->outgoing_set_params(g->mig, &g->params);
    return true;
}

bool migrate_set_capability(Session *s, const char *name, bool on, GError **error)
{
    Migrate *g = get(s);
    if (strcmp(name, "auto-converge")) {
        g_set_error(error, MIGRATE_ERROR, 0, "unknown migration capability '%s' (auto-converge)",
                    name);
        return false;
    }
    g->params.auto_converge = on;
    if (g->mig)
        g->cls->outgoing_set_params(g->mig, &g->params);
    return true;
}

void migrate_info(Session *s, MigrateInfo *out)
{
    Migrate *g = get(s);
    gint64 end = g->end_us ? g->end_us : g_get_monotonic_time();
    *out = (MigrateInfo){
        .status = g->status,
        .status_name = status_names[g->status],
        .error = g->error,
        .total_time_ms = g->start_us ? (uint64_t)(end - g->start_us) / 1000 : 0,
        .auto_converge = g->params.auto_converge,
        .max_bandwidth = g->params.max_bandwidth,
        .downtime_limit_ms = g->params.downtime_limit_ms,
        .stats = g->stats,
    };
}

char *migrate_progress_line(const MigrateInfo *i)
{
    const TesseraMigrateStats *st = &i->stats;
    uint64_t total = st->total_ram ? st->total_ram : 1;
    uint64_t done = st->total_ram > st->remaining ? st->total_ram - st->remaining : 0;
    return g_strdup_printf("progress: %s, pass %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                           "%% of RAM clean, %.1f MiB sent at %.1f MiB/s, guest dirtying "
                           "%.1f MiB/s, throttle %u%%",
                           i->status_name, st->iterations + (i->status == MIGRATE_ACTIVE),
                           done * 100 / total, st->transferred / 1048576.0,
                           st->bandwidth / 1048576.0, st->dirty_rate / 1048576.0,
                           st->throttle_pct);
}

/* ---- the destination ---- */

bool migrate_incoming(Session *s, const char *uri, bool command, GError **error)
{
    Migrate *g = get(s);
    if (!live_backend(s, error))
        return false;
    if (command && !g->deferred) {
        g_set_error(error, MIGRATE_ERROR, 0, "%s",
                    s->inmigrate ? "an incoming migration is set up already"
                                 : "migrate-incoming needs the machine started with -incoming defer");
        return false;
    }
    if (!strcmp(uri, "defer")) {
        if (command) {
            g_set_error(error, MIGRATE_ERROR, 0, "migrate-incoming needs an address, not defer");
            return false;
        }
        g->deferred = true;
    } else {
        if ((g->listen_fd = open_socket(uri, true, &g->unix_path, error)) < 0)
            return false;
        g->deferred = false;
    }
    s->inmigrate = true;
    s->paused = true;
    return true;
}

/* A source connected: receive the machine, then run it; or end with status 1. */
static void receive(Session *s)
{
    Migrate *g = s->migrate;
    int fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails harmlessly on unix */
    close(g->listen_fd);
    g->listen_fd = -1;
    if (g->unix_path)
        unlink(g->unix_path);
    g_clear_pointer(&g->unix_path, g_free);
    GError *error = NULL;
    const TesseraMigrationClass *cls = live_backend(s, &error);
    char err[512] = "";
    if (!cls) {
        snprintf(err, sizeof(err), "%s", error->message);
        g_error_free(error);
        close(fd);
    } else if (cls->incoming(machine_view(s->machine), fd, err, sizeof(err)) == 0) {
        machine_loaded(s->machine);
        s->inmigrate = false;
        s->paused = false;
        return;
    }
    fprintf(stderr, "tessera: incoming migration failed: %s\n", err[0] ? err : "no reason given");
    s->failed = true;
    session_quit(s);
}

bool migrate_poll(Session *s, int timeout_ms)
{
    Migrate *g = s->migrate;
    if (!g)
        return false;
    if (g->listen_fd >= 0) {
        struct pollfd p = {.fd = g->listen_fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) > 0)
            receive(s);
        return true;
    }
    if (g->mig) {
        step(s);
        return true;
    }
    return g->deferred;
}

void migrate_free(Session *s)
{
    Migrate *g = s->migrate;
    if (!g)
        return;
    if (g->mig)
        g->cls->outgoing_free(g->mig);
    if (g->listen_fd >= 0)
        close(g->listen_fd);
    if (g->unix_path)
        unlink(g->unix_path);
    g_free(g->unix_path);
    g_free(g->error);
    g_free(g);
    s->migrate = NULL;
}
