/* SPDX-License-Identifier: MIT */
/*
 * -netdev tap,ifname=NAME: frames through a Linux tap interface (/dev/net/tun,
 * IFF_TAP | IFF_NO_PI). The interface must exist or be creatable by this user
 * (CAP_NET_ADMIN, or a persistent tap owned by the user: `ip tuntap add NAME mode
 * tap user USER`); Tessera runs no scripts, so bringing it up and bridging it is
 * the user's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "net_backend.h"

struct NetBackend {
    Netdev *nd;
    int fd;
    char ifname[IFNAMSIZ];
    uint8_t buf[4 + 65536];
};

static bool tap_open(Netdev *nd, GPtrArray *opts, GError **error)
{
    NetBackend *be = g_new0(NetBackend, 1);
    be->nd = nd;
    be->fd = -1;
    nd->be = be;
    const char *ifname = net_opt(opts, "ifname");
    if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "ifname=NAME (at most %d characters) is needed",
                    IFNAMSIZ - 1);
        return false;
    }
    for (const char *const *k = (const char *const[]){ "script", "downscript", NULL }; *k; k++) {
        const char *v = net_opt(opts, *k);
        if (v && strcmp(v, "no")) {
            g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s=%s: Tessera runs no scripts (%s=no)", *k, v, *k);
            return false;
        }
    }
    be->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (be->fd < 0) {
        g_set_error(error, NET_ERROR, 0, "/dev/net/tun: %s", g_strerror(errno));
        return false;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, ifname, strlen(ifname));
    if (ioctl(be->fd, TUNSETIFF, &ifr) < 0) {
        g_set_error(error, NET_ERROR, 0, "tap %s: %s (needs CAP_NET_ADMIN or a tap owned by "
                    "this user)", ifname, g_strerror(errno));
        return false;
    }
    memcpy(be->ifname, ifr.ifr_name, IFNAMSIZ);
    be->ifname[IFNAMSIZ - 1] = 0;
    return true;
}

static void tap_close(NetBackend *be)
{
    if (be->fd >= 0)
        close(be->fd);
    g_free(be);
}

static int tap_send(Netdev *nd, const uint8_t *frame, size_t len)
{
    return write(nd->be->fd, frame, len) == (ssize_t)len ? 0 : -1;
}

static void tap_fill(Netdev *nd, GArray *pfds, bool may_read, int *timeout_ms)
{
    if (!may_read)
        return;
    struct pollfd p = { .fd = nd->be->fd, .events = POLLIN };
    g_array_append_val(pfds, p);
}

static void tap_dispatch(Netdev *nd, GArray *pfds, guint first)
{
    NetBackend *be = nd->be;
    for (int frames = 0; frames < NET_QUEUE_MAX && net_may_read(nd); frames++) {
        ssize_t n = read(be->fd, be->buf, sizeof(be->buf));
        if (n <= 0)
            return;
        net_deliver(nd, be->buf, (size_t)n);
    }
}

static void tap_info(Netdev *nd, GString *out)
{
    g_string_append_printf(out, "ifname=%s", nd->be->ifname);
}

static const char *const tap_keys[] = { "ifname", "script", "downscript", NULL };

const NetBackendOps net_tap_ops = {
    .type = "tap",
    .keys = tap_keys,
    .open = tap_open,
    .close = tap_close,
    .send = tap_send,
    .fill = tap_fill,
    .dispatch = tap_dispatch,
    .info = tap_info,
};
