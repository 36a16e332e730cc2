/* SPDX-License-Identifier: MIT */
/*
 * Tessera plugin ABI: network backends, as a NIC plugin sees them (ABI 1.3).
 *
 * The core owns the backends (user-mode networking, sockets, tap; docs/networking.md).
 * A NIC attaches to one with tessera_net_attach() from init() or realize(): the
 * backend is the one its `netdev` property names, or the one `-net nic` / `-nic`
 * gave the machine's first NIC. Frames are Ethernet frames without the FCS.
 *
 * Determinism: frames from the network are a nondeterministic input. The core
 * hands them to receive() only from its main loop, between two guest instructions
 * (never from another thread, never inside an MMIO access), and only while
 * can_receive() says yes; it drops and counts frames outside
 * [TESSERA_NET_FRAME_MIN, TESSERA_NET_FRAME_MAX] before any NIC sees them.
 */
#ifndef TESSERA_NET_H
#define TESSERA_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"

#define TESSERA_NET_FRAME_MIN 14   /* an Ethernet header: destination, source, type */
#define TESSERA_NET_FRAME_MAX 1514 /* the header and 1500 bytes of payload */

typedef struct TesseraNetdev TesseraNetdev; /* the core's handle for one attachment */

/* What the NIC gives the core when it attaches. */
typedef struct TesseraNetClient {
    uint32_t size_of; /* sizeof(TesseraNetClient) as the plugin saw it */
    void *opaque;
    /* Whether the NIC takes one more frame now. The core keeps frames the NIC
     * does not take yet in the backend's bounded queue and asks again later. */
    bool (*can_receive)(void *opaque);
    /* One frame of TESSERA_NET_FRAME_MIN..TESSERA_NET_FRAME_MAX bytes. */
    void (*receive)(void *opaque, const uint8_t *frame, size_t len);
} TesseraNetClient;

/* The service, reached through TesseraHostOps.net. */
typedef struct TesseraNetOps {
    uint32_t size; /* sizeof(TesseraNetOps) as the core saw it */
    /* The backend for this instance, or NULL when the machine gives it none.
     * One attachment per backend; client is copied. */
    TesseraNetdev *(*attach)(TesseraInstance *self, const TesseraNetClient *client);
    /* Send one frame: 0 when the backend took it, -1 when it was dropped (link
     * down, bad length, backend full). Never blocks. */
    int (*send)(TesseraNetdev *nd, const void *frame, size_t len);
    /* The link state `set_link` sets (up unless the user said otherwise). */
    bool (*link_up)(TesseraNetdev *nd);
} TesseraNetOps;

/* The backend for this instance; NULL when there is none or the host predates
 * ABI 1.3 (a NIC then behaves as one with no cable). */
static inline TesseraNetdev *tessera_net_attach(const TesseraHost *h, const TesseraNetClient *c)
{
    if (!TESSERA_HOST_HAS(h, net) || !h->ops->net ||
        !TESSERA_HAS_MEMBER(h->ops->net, TesseraNetOps, link_up))
        return NULL;
    return h->ops->net->attach(h->self, c);
}

static inline int tessera_net_send(const TesseraHost *h, TesseraNetdev *nd, const void *frame,
                                   size_t len)
{
    return nd ? h->ops->net->send(nd, frame, len) : -1;
}

static inline bool tessera_net_link_up(const TesseraHost *h, TesseraNetdev *nd)
{
    return nd && h->ops->net->link_up(nd);
}

#endif /* TESSERA_NET_H */
