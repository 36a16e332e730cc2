/* SPDX-License-Identifier: MIT */
/* Between net.c (the hub: queues, checks, counters, NIC side) and the backends
 * (net_user.c, net_socket.c, net_tap.c). */
#ifndef CORE_NET_BACKEND_H
#define CORE_NET_BACKEND_H

#include <glib.h>
#include <poll.h>
#include <stdint.h>

#include "net.h"

#define NET_ERROR g_quark_from_static_string("tessera-net")
/* Frames a backend holds for a NIC that does not take them yet. */
#define NET_QUEUE_MAX 256
/* A backend is busy until this many polls went by without a frame either way. */
#define NET_BUSY_POLLS 256

typedef struct NetBackend NetBackend;

/* One option of a -netdev spec; keys may repeat (hostfwd). */
typedef struct NetOpt {
    char *key, *value;
} NetOpt;

typedef struct NetCounters {
    uint64_t tx_frames, tx_dropped;   /* NIC -> network */
    uint64_t rx_frames, rx_dropped;   /* network -> NIC (bad length, link down, full) */
    uint64_t rx_malformed;            /* of rx_dropped: outside the frame sizes */
    uint64_t tx_filtered;             /* user: to an address other than the host */
} NetCounters;

struct TesseraNetdev {
    NetHub *hub;
    char *id, *type;
    char *nic; /* the attached NIC instance, or NULL */
    TesseraNetClient client;
    bool link_up;
    NetCounters count;
    GQueue queue; /* GBytes*, frames for the NIC */
    unsigned quiet; /* polls since the last frame either way */
    const struct NetBackendOps *ops;
    NetBackend *be;
};
typedef struct TesseraNetdev Netdev;

typedef struct NetBackendOps {
    const char *type;
    /* The option keys this type takes besides id (NULL-terminated); net.c refuses others. */
    const char *const *keys;
    /* Open from opts (keys already checked); sets nd->be. */
    bool (*open)(Netdev *nd, GPtrArray *opts, GError **error);
    void (*close)(NetBackend *be);
    /* A frame from the NIC: 0 taken, -1 dropped. */
    int (*send)(Netdev *nd, const uint8_t *frame, size_t len);
    /* Add descriptors to wait on (with may_read false, none for reading: the
     * queue is full); lower *timeout_ms if the backend has a deadline. */
    void (*fill)(Netdev *nd, GArray *pfds, bool may_read, int *timeout_ms);
    /* After poll(): pfds is the array fill() saw; first is where this backend's start. */
    void (*dispatch)(Netdev *nd, GArray *pfds, guint first);
    /* One line of `info network` details (no newline). */
    void (*info)(Netdev *nd, GString *out);
    /* hostfwd_add/remove; NULL for backends without port forwarding. */
    bool (*hostfwd)(Netdev *nd, const char *rule, bool add, GError **error);
} NetBackendOps;

extern const NetBackendOps net_user_ops, net_socket_ops, net_tap_ops;

/* A backend got a frame from the network: checked, counted, queued for the NIC. */
void net_deliver(Netdev *nd, const uint8_t *frame, size_t len);
/* The queue for the NIC has room. */
bool net_may_read(Netdev *nd);
/* The value of the last `key` option, or NULL. */
const char *net_opt(GPtrArray *opts, const char *key);
/* "HOST:PORT" -> address (HOST empty: def) for IPv4; false with *error. */
bool net_parse_inet(const char *what, const char *s, const char *def, void *sockaddr_in,
                    GError **error);

#endif /* CORE_NET_BACKEND_H */
