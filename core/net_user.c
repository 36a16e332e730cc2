/* SPDX-License-Identifier: MIT */
/*
 * -netdev user: QEMU's user-mode network through libslirp, restricted to the host.
 *
 * The guest is 10.0.2.15 (DHCP), the host 10.0.2.2; a connection to 10.0.2.2:PORT
 * reaches 127.0.0.1:PORT on the host. Nothing else is reachable: before a frame
 * goes to slirp it must be ARP, or IPv4 to 10.0.2.2, or a DHCP request; every
 * other frame is dropped and counted as filtered. slirp's DNS forwarder and IPv6
 * are off. hostfwd=tcp|udp:[HOSTADDR]:PORT-[GUESTADDR]:PORT forwards a host port
 * into the guest; HOSTADDR defaults to 127.0.0.1 (QEMU's default is every
 * address: Tessera only listens on loopback unless told otherwise).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <slirp/libslirp.h>
#include <string.h>

#include "net_backend.h"

#define VNET "10.0.2.0"
#define VHOST "10.0.2.2"
#define VGUEST "10.0.2.15"

typedef struct SlirpTimer {
    SlirpTimerId id;
    void *cb_opaque;
    int64_t expire_ms; /* -1: not armed */
} SlirpTimer;

struct NetBackend {
    Netdev *nd;
    Slirp *slirp;
    GPtrArray *timers; /* SlirpTimer* */
    GPtrArray *rules;  /* char*: the hostfwd rules in force */
    GArray *pfds;      /* where fill() put this backend's descriptors */
    guint first;
};

static ssize_t user_send_packet(const void *buf, size_t len, void *opaque)
{
    NetBackend *be = opaque;
    net_deliver(be->nd, buf, len);
    return (ssize_t)len;
}

static void user_guest_error(const char *msg, void *opaque)
{
    NetBackend *be = opaque;
    g_debug("netdev %s: slirp: %s", be->nd->id, msg);
}

/* slirp's own timers (TCP, ARP) run on host time: the network is not the guest's. */
static int64_t user_clock_ns(void *opaque)
{
    return g_get_monotonic_time() * 1000;
}

static void *user_timer_new(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    NetBackend *be = opaque;
    SlirpTimer *t = g_new0(SlirpTimer, 1);
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->expire_ms = -1;
    g_ptr_array_add(be->timers, t);
    return t;
}

static void user_timer_free(void *timer, void *opaque)
{
    NetBackend *be = opaque;
    g_ptr_array_remove(be->timers, timer);
    g_free(timer);
}

static void user_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    ((SlirpTimer *)timer)->expire_ms = expire_ms;
}

static void user_register_fd(int fd, void *opaque) {}
static void user_unregister_fd(int fd, void *opaque) {}
static void user_notify(void *opaque) {}

static const SlirpCb user_callbacks = {
    .send_packet = user_send_packet,
    .guest_error = user_guest_error,
    .clock_get_ns = user_clock_ns,
    .timer_free = user_timer_free,
    .timer_mod = user_timer_mod,
    .register_poll_fd = user_register_fd,
    .unregister_poll_fd = user_unregister_fd,
    .notify = user_notify,
    .timer_new_opaque = user_timer_new,
};

/* "tcp:[HADDR]:HPORT-[GADDR]:GPORT" */
static bool parse_rule(const char *rule, bool want_guest, int *udp, struct in_addr *haddr,
                       int *hport, struct in_addr *gaddr, int *gport, GError **error)
{
    const char *p = rule;
    if (g_str_has_prefix(p, "tcp:"))
        *udp = 0, p += 4;
    else if (g_str_has_prefix(p, "udp:"))
        *udp = 1, p += 4;
    else if (*p == ':')
        *udp = 0, p += 1;
    else
        goto bad;
    const char *dash = strchr(p, '-');
    if (want_guest != (dash != NULL))
        goto bad;
    char *host = dash ? g_strndup(p, dash - p) : g_strdup(p);
    struct sockaddr_in sin;
    bool ok = net_parse_inet("hostfwd", host, "127.0.0.1", &sin, NULL);
    g_free(host);
    if (!ok)
        goto bad;
    *haddr = sin.sin_addr;
    *hport = ntohs(sin.sin_port);
    if (want_guest) {
        if (!net_parse_inet("hostfwd", dash + 1, VGUEST, &sin, NULL) || !sin.sin_port)
            goto bad;
        *gaddr = sin.sin_addr;
        *gport = ntohs(sin.sin_port);
    }
    return true;
bad:
    g_set_error(error, NET_ERROR, NET_ERROR_SPEC,
                want_guest ? "hostfwd '%s': expected tcp|udp:[HOSTADDR]:PORT-[GUESTADDR]:PORT"
                           : "hostfwd '%s': expected tcp|udp:[HOSTADDR]:PORT",
                rule);
    return false;
}

static bool user_hostfwd(Netdev *nd, const char *rule, bool add, GError **error)
{
    NetBackend *be = nd->be;
    int udp = 0, hport = 0, gport = 0;
    struct in_addr haddr, gaddr;
    if (!parse_rule(rule, add, &udp, &haddr, &hport, &gaddr, &gport, error))
        return false;
    if (add) {
        if (slirp_add_hostfwd(be->slirp, udp, haddr, hport, gaddr, gport) < 0) {
            g_set_error(error, NET_ERROR, 0, "hostfwd '%s': cannot listen on %s:%d", rule,
                        inet_ntoa(haddr), hport);
            return false;
        }
        g_ptr_array_add(be->rules, g_strdup(rule));
        return true;
    }
    if (slirp_remove_hostfwd(be->slirp, udp, haddr, hport) < 0) {
        g_set_error(error, NET_ERROR, 0, "hostfwd '%s': no such forwarding", rule);
        return false;
    }
    /* Forget the rule that listened on this host address and port. */
    for (guint i = 0; i < be->rules->len; i++) {
        int u, hp, gp;
        struct in_addr ha, ga;
        if (parse_rule(be->rules->pdata[i], true, &u, &ha, &hp, &ga, &gp, NULL) && u == udp &&
            hp == hport && ha.s_addr == haddr.s_addr) {
            g_ptr_array_remove_index(be->rules, i);
            break;
        }
    }
    return true;
}

static void user_close(NetBackend *be)
{
    if (be->slirp)
        slirp_cleanup(be->slirp);
    g_ptr_array_free(be->timers, TRUE);
    g_ptr_array_free(be->rules, TRUE);
    g_free(be);
}

static bool user_open(Netdev *nd, GPtrArray *opts, GError **error)
{
    NetBackend *be = g_new0(NetBackend, 1);
    be->nd = nd;
    be->timers = g_ptr_array_new_with_free_func(g_free);
    be->rules = g_ptr_array_new_with_free_func(g_free);
    nd->be = be;
    SlirpConfig cfg = {
        .version = 4,
        .restricted = 0, /* restricted mode would refuse 10.0.2.2 too; send() filters */
        .in_enabled = true,
        .in6_enabled = false,
        .vhostname = "tessera",
        .disable_host_loopback = false, /* 10.0.2.2 is the host's 127.0.0.1 */
        .disable_dns = true,
    };
    inet_pton(AF_INET, VNET, &cfg.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
    inet_pton(AF_INET, VHOST, &cfg.vhost);
    inet_pton(AF_INET, VGUEST, &cfg.vdhcp_start);
    inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
    be->slirp = slirp_new(&cfg, &user_callbacks, be);
    if (!be->slirp) {
        g_set_error(error, NET_ERROR, 0, "libslirp refused the configuration");
        return false;
    }
    for (guint i = 0; i < opts->len; i++) {
        const NetOpt *o = opts->pdata[i];
        if (!strcmp(o->key, "hostfwd") && !user_hostfwd(nd, o->value, true, error))
            return false;
        if (!strcmp(o->key, "restrict") && strcmp(o->value, "on") && strcmp(o->value, "yes")) {
            g_set_error(error, NET_ERROR, NET_ERROR_SPEC,
                        "restrict=%s: a user backend only ever reaches the host (restrict=on)",
                        o->value);
            return false;
        }
    }
    return true;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* ARP, IPv4 to the host, or a DHCP request (UDP to port 67): nothing else leaves. */
static bool allowed(const uint8_t *f, size_t len)
{
    uint16_t type = be16(f + 12);
    if (type == 0x0806)
        return true;
    if (type != 0x0800 || len < 14 + 20 || (f[14] >> 4) != 4)
        return false;
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 0xf) * 4;
    struct in_addr host;
    inet_pton(AF_INET, VHOST, &host);
    if (!memcmp(ip + 16, &host, 4))
        return true;
    static const uint8_t bcast[4] = { 255, 255, 255, 255 };
    return !memcmp(ip + 16, bcast, 4) && ip[9] == 17 && ihl >= 20 && len >= 14 + ihl + 4 &&
           be16(ip + ihl + 2) == 67;
}

static int user_send(Netdev *nd, const uint8_t *frame, size_t len)
{
    if (!allowed(frame, len)) {
        nd->count.tx_filtered++;
        return -1;
    }
    slirp_input(nd->be->slirp, frame, (int)len);
    return 0;
}

static int short_events(int ev)
{
    return (ev & SLIRP_POLL_IN ? POLLIN : 0) | (ev & SLIRP_POLL_OUT ? POLLOUT : 0) |
           (ev & SLIRP_POLL_PRI ? POLLPRI : 0) | (ev & SLIRP_POLL_ERR ? POLLERR : 0) |
           (ev & SLIRP_POLL_HUP ? POLLHUP : 0);
}

static int add_poll(int fd, int events, void *opaque)
{
    NetBackend *be = opaque;
    struct pollfd p = { .fd = fd, .events = (short)short_events(events) };
    g_array_append_val(be->pfds, p);
    return (int)(be->pfds->len - 1 - be->first);
}

static int get_revents(int idx, void *opaque)
{
    NetBackend *be = opaque;
    short r = g_array_index(be->pfds, struct pollfd, be->first + (guint)idx).revents;
    return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
           (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
           (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

/* slirp polls its sockets whatever the queue: a full queue drops what slirp sends
 * and TCP slows down, as with QEMU. */
static void user_fill(Netdev *nd, GArray *pfds, bool may_read, int *timeout_ms)
{
    NetBackend *be = nd->be;
    be->pfds = pfds;
    be->first = pfds->len;
    uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
    slirp_pollfds_fill(be->slirp, &t, add_poll, be);
    int64_t now = g_get_monotonic_time() / 1000;
    for (guint i = 0; i < be->timers->len; i++) {
        SlirpTimer *tm = be->timers->pdata[i];
        if (tm->expire_ms >= 0 && (uint64_t)(tm->expire_ms > now ? tm->expire_ms - now : 0) < t)
            t = (uint32_t)(tm->expire_ms > now ? tm->expire_ms - now : 0);
    }
    *timeout_ms = t == UINT32_MAX ? -1 : (int)t;
}

static void user_dispatch(Netdev *nd, GArray *pfds, guint first)
{
    NetBackend *be = nd->be;
    be->pfds = pfds;
    be->first = first;
    slirp_pollfds_poll(be->slirp, 0, get_revents, be);
    int64_t now = g_get_monotonic_time() / 1000;
    for (guint i = 0; i < be->timers->len; i++) {
        SlirpTimer *tm = be->timers->pdata[i];
        if (tm->expire_ms >= 0 && tm->expire_ms <= now) {
            tm->expire_ms = -1;
            slirp_handle_timer(be->slirp, tm->id, tm->cb_opaque);
        }
    }
}

static void user_info(Netdev *nd, GString *out)
{
    NetBackend *be = nd->be;
    g_string_append(out, "net=10.0.2.0/24 host=10.0.2.2 guest=10.0.2.15 restrict=on");
    for (guint i = 0; i < be->rules->len; i++)
        g_string_append_printf(out, " hostfwd=%s", (const char *)be->rules->pdata[i]);
}

static const char *const user_keys[] = { "hostfwd", "restrict", NULL };

const NetBackendOps net_user_ops = {
    .type = "user",
    .keys = user_keys,
    .open = user_open,
    .close = user_close,
    .send = user_send,
    .fill = user_fill,
    .dispatch = user_dispatch,
    .info = user_info,
    .hostfwd = user_hostfwd,
};
