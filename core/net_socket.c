/* SPDX-License-Identifier: MIT */
/*
 * -netdev socket: frames over a TCP connection (listen=[HOST]:PORT waits for one
 * peer at a time, connect=HOST:PORT dials one), each frame preceded by its length
 * as a 4-byte big-endian number, as QEMU's socket backend does, so a Tessera and a
 * QEMU guest can be joined; or over UDP multicast (mcast=GROUP:PORT, one frame a
 * datagram), where every guest on the group sees every frame. HOST defaults to
 * 127.0.0.1 for listen=, and the multicast interface (localaddr=) to 127.0.0.1:
 * unless told otherwise, Tessera's frames stay on this host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_backend.h"

/* The largest length a stream may announce: anything up to it is read (and then
 * dropped if it is no Ethernet frame); beyond it the stream cannot be trusted. */
#define STREAM_FRAME_LIMIT 65536
/* Bytes a stream may hold unsent before frames are dropped. */
#define STREAM_OUT_LIMIT (256 * 1024)

typedef enum { SOCK_LISTEN, SOCK_CONNECT, SOCK_MCAST } SockMode;

struct NetBackend {
    Netdev *nd;
    SockMode mode;
    char *addr;        /* as given, for info */
    int listen_fd;     /* listen= */
    int fd;            /* the stream, or the multicast socket receiving */
    int send_fd;       /* multicast: sending, from its own port */
    struct sockaddr_in group;
    uint16_t send_port;
    uint8_t *in;       /* stream input: 4-byte length then the frame */
    size_t in_have;
    GByteArray *out;   /* stream output not yet written */
    uint64_t peers;    /* connections accepted or made */
};

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void drop_peer(NetBackend *be, const char *why)
{
    if (be->fd < 0)
        return;
    g_message("netdev %s: peer gone (%s)", be->nd->id, why);
    close(be->fd);
    be->fd = -1;
    be->in_have = 0;
    g_byte_array_set_size(be->out, 0);
}

static void sock_close(NetBackend *be)
{
    if (be->fd >= 0)
        close(be->fd);
    if (be->listen_fd >= 0)
        close(be->listen_fd);
    if (be->send_fd >= 0)
        close(be->send_fd);
    g_byte_array_free(be->out, TRUE);
    g_free(be->in);
    g_free(be->addr);
    g_free(be);
}

static bool fail_errno(GError **error, const char *what, const char *addr)
{
    g_set_error(error, NET_ERROR, 0, "%s %s: %s", what, addr, g_strerror(errno));
    return false;
}

static bool open_listen(NetBackend *be, const char *addr, GError **error)
{
    struct sockaddr_in sin;
    if (!net_parse_inet("listen", addr, "127.0.0.1", &sin, error))
        return false;
    be->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    if (be->listen_fd < 0 ||
        setsockopt(be->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(be->listen_fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        listen(be->listen_fd, 1) < 0)
        return fail_errno(error, "listen", addr);
    set_nonblock(be->listen_fd);
    return true;
}

static bool open_connect(NetBackend *be, const char *addr, GError **error)
{
    struct sockaddr_in sin;
    if (!net_parse_inet("connect", addr, "127.0.0.1", &sin, error))
        return false;
    be->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (be->fd < 0 || connect(be->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
        return fail_errno(error, "connect", addr);
    int one = 1;
    setsockopt(be->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    set_nonblock(be->fd);
    be->peers = 1;
    return true;
}

static bool open_mcast(NetBackend *be, const char *addr, const char *local, GError **error)
{
    struct sockaddr_in any, src;
    if (!net_parse_inet("mcast", addr, "", &be->group, error))
        return false;
    if (!IN_MULTICAST(ntohl(be->group.sin_addr.s_addr))) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "mcast %s: not a multicast group (224.0.0.0/4)", addr);
        return false;
    }
    struct in_addr ifaddr;
    if (inet_pton(AF_INET, local ? local : "127.0.0.1", &ifaddr) != 1) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "localaddr %s: not an IPv4 address", local);
        return false;
    }
    be->fd = socket(AF_INET, SOCK_DGRAM, 0);
    int one = 1;
    memset(&any, 0, sizeof(any));
    any.sin_family = AF_INET;
    any.sin_port = be->group.sin_port;
    any.sin_addr = be->group.sin_addr;
    struct ip_mreq mreq = { .imr_multiaddr = be->group.sin_addr, .imr_interface = ifaddr };
    if (be->fd < 0 || setsockopt(be->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(be->fd, (struct sockaddr *)&any, sizeof(any)) < 0 ||
        setsockopt(be->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0)
        return fail_errno(error, "mcast", addr);
    /* A socket of its own to send from: its port tells our frames from the others'. */
    be->send_fd = socket(AF_INET, SOCK_DGRAM, 0);
    unsigned char loop = 1, ttl = 1;
    memset(&src, 0, sizeof(src));
    src.sin_family = AF_INET;
    src.sin_addr = ifaddr;
    socklen_t sl = sizeof(src);
    if (be->send_fd < 0 ||
        setsockopt(be->send_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0 ||
        setsockopt(be->send_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
        setsockopt(be->send_fd, IPPROTO_IP, IP_MULTICAST_IF, &ifaddr, sizeof(ifaddr)) < 0 ||
        bind(be->send_fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
        getsockname(be->send_fd, (struct sockaddr *)&src, &sl) < 0)
        return fail_errno(error, "mcast", addr);
    be->send_port = src.sin_port;
    set_nonblock(be->fd);
    set_nonblock(be->send_fd);
    return true;
}

static bool sock_open(Netdev *nd, GPtrArray *opts, GError **error)
{
    NetBackend *be = g_new0(NetBackend, 1);
    be->nd = nd;
    be->fd = be->listen_fd = be->send_fd = -1;
    be->out = g_byte_array_new();
    be->in = g_malloc(4 + STREAM_FRAME_LIMIT);
    nd->be = be;
    const char *listen_at = net_opt(opts, "listen"), *connect_to = net_opt(opts, "connect"),
               *mcast = net_opt(opts, "mcast");
    if ((listen_at != NULL) + (connect_to != NULL) + (mcast != NULL) != 1) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "exactly one of listen=, connect= and mcast= is needed");
        return false;
    }
    if (net_opt(opts, "localaddr") && !mcast) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "localaddr= goes with mcast= only");
        return false;
    }
    be->mode = listen_at ? SOCK_LISTEN : connect_to ? SOCK_CONNECT : SOCK_MCAST;
    be->addr = g_strdup(listen_at ? listen_at : connect_to ? connect_to : mcast);
    if (listen_at)
        return open_listen(be, listen_at, error);
    if (connect_to)
        return open_connect(be, connect_to, error);
    return open_mcast(be, mcast, net_opt(opts, "localaddr"), error);
}

static void flush_out(NetBackend *be)
{
    while (be->fd >= 0 && be->out->len) {
        ssize_t n = send(be->fd, be->out->data, be->out->len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            drop_peer(be, n < 0 ? g_strerror(errno) : "closed");
            return;
        }
        g_byte_array_remove_range(be->out, 0, (guint)n);
    }
}

static int sock_send(Netdev *nd, const uint8_t *frame, size_t len)
{
    NetBackend *be = nd->be;
    if (be->mode == SOCK_MCAST) {
        ssize_t n = sendto(be->send_fd, frame, len, 0, (struct sockaddr *)&be->group,
                           sizeof(be->group));
        return n == (ssize_t)len ? 0 : -1;
    }
    if (be->fd < 0 || be->out->len + 4 + len > STREAM_OUT_LIMIT)
        return -1;
    uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                       (uint8_t)len };
    g_byte_array_append(be->out, hdr, 4);
    g_byte_array_append(be->out, frame, (guint)len);
    flush_out(be);
    return 0;
}

static void add_fd(GArray *pfds, int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };
    g_array_append_val(pfds, p);
}

static void sock_fill(Netdev *nd, GArray *pfds, bool may_read, int *timeout_ms)
{
    NetBackend *be = nd->be;
    if (be->listen_fd >= 0 && be->fd < 0)
        add_fd(pfds, be->listen_fd, POLLIN);
    if (be->fd >= 0)
        add_fd(pfds, be->fd, (short)((may_read ? POLLIN : 0) | (be->out->len ? POLLOUT : 0)));
}

/* Read what the stream has, frame by frame; bounded by the queue's room. */
static void read_stream(NetBackend *be)
{
    for (int frames = 0; frames < NET_QUEUE_MAX && be->fd >= 0 && net_may_read(be->nd);) {
        size_t want = 4;
        if (be->in_have >= 4) {
            uint32_t len = (uint32_t)be->in[0] << 24 | be->in[1] << 16 | be->in[2] << 8 | be->in[3];
            if (len > STREAM_FRAME_LIMIT) {
                g_warning("netdev %s: the peer announced a %u-byte frame: disconnecting",
                          be->nd->id, len);
                be->nd->count.rx_dropped++;
                be->nd->count.rx_malformed++;
                drop_peer(be, "bad frame length");
                return;
            }
            want = 4 + len;
        }
        if (be->in_have == want) {
            net_deliver(be->nd, be->in + 4, want - 4);
            be->in_have = 0;
            frames++;
            continue;
        }
        ssize_t n = recv(be->fd, be->in + be->in_have, want - be->in_have, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            drop_peer(be, n < 0 ? g_strerror(errno) : "closed");
            return;
        }
        be->in_have += (size_t)n;
    }
}

static void read_mcast(NetBackend *be)
{
    for (int frames = 0; frames < NET_QUEUE_MAX && net_may_read(be->nd); frames++) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(be->fd, be->in, 4 + STREAM_FRAME_LIMIT, MSG_TRUNC,
                             (struct sockaddr *)&from, &fl);
        if (n < 0)
            return;
        if (from.sin_port == be->send_port)
            continue; /* our own frame, looped back */
        net_deliver(be->nd, be->in, n > 4 + STREAM_FRAME_LIMIT ? 4 + STREAM_FRAME_LIMIT + 1
                                                               : (size_t)n);
    }
}

static void sock_dispatch(Netdev *nd, GArray *pfds, guint first)
{
    NetBackend *be = nd->be;
    if (be->mode == SOCK_MCAST) {
        read_mcast(be);
        return;
    }
    if (be->listen_fd >= 0 && be->fd < 0) {
        int fd = accept(be->listen_fd, NULL, NULL);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            set_nonblock(fd);
            be->fd = fd;
            be->peers++;
        }
    }
    flush_out(be);
    read_stream(be);
}

static void sock_info(Netdev *nd, GString *out)
{
    NetBackend *be = nd->be;
    static const char *const modes[] = { "listen", "connect", "mcast" };
    g_string_append_printf(out, "%s=%s %s", modes[be->mode], be->addr,
                           be->mode == SOCK_MCAST ? "group" : be->fd >= 0 ? "connected"
                                                                          : "no peer");
}

static const char *const sock_keys[] = { "listen", "connect", "mcast", "localaddr", NULL };

const NetBackendOps net_socket_ops = {
    .type = "socket",
    .keys = sock_keys,
    .open = sock_open,
    .close = sock_close,
    .send = sock_send,
    .fill = sock_fill,
    .dispatch = sock_dispatch,
    .info = sock_info,
};
