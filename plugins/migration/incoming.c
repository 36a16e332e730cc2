/* SPDX-License-Identifier: MIT */
/*
 * Live migration, the destination side (docs/migration.md): our offer goes out,
 * the source's comes in, both are negotiated (a refusal ends it here, before a
 * byte of RAM moves); then PAGE sections are written into guest memory as they
 * come, MANI and the DEVS sections are collected, and at the footer the device
 * states are loaded as a snapshot's are (transactionally, with converters). The
 * verdict goes back in a DONE section. The machine does not run meanwhile; a
 * failed migration leaves it for the core to throw away.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zstd.h>

#include "format.h"
#include "offer.h"
#include "snapshot.h"
#include "stream.h"
#include "wire.h"

#define SILENCE_MS 60000           /* the longest pause of the source accepted */
#define MAX_PAGES (TSNAP_PAGE_SIZE * TSNAP_CHUNK_PAGES + 4096u)
#define MAX_DEVICE (64u << 20)
#define RECEIVE_BUFFER (256 * 1024)

typedef struct Incoming {
    const TesseraMachineView *m;
    int fd;
    StreamOut out;
    StreamIn in;
    Offer *src, *dst;
    uint8_t **hosts;   /* the regions in the source's offer order */
    uint64_t *lengths;
    TsnapFile *f;
    ZSTD_DCtx *dctx;
} Incoming;

static int handshake(Incoming *c, char *err, size_t errlen)
{
    if (offer_exchange(c->m, &c->out, &c->in, c->fd, &c->dst, &c->src, err, errlen) < 0)
        return -1;
    g_autofree uint32_t *versions = g_new0(uint32_t, c->src->n_devices ? c->src->n_devices : 1);
    char why[512];
    if (offer_negotiate(c->src, c->dst, versions, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "refused at the handshake: %s", why);
        return -1;
    }
    /* The negotiation proved every region of the source exists here, same size. */
    c->hosts = g_new0(uint8_t *, c->src->n_memory ? c->src->n_memory : 1);
    c->lengths = g_new0(uint64_t, c->src->n_memory ? c->src->n_memory : 1);
    for (uint32_t i = 0; i < c->src->n_memory; i++)
        for (uint32_t j = 0; j < c->m->n_memory; j++)
            if (!strcmp(c->m->memory[j].name, c->src->memory[i].name)) {
                c->hosts[i] = c->m->memory[j].host;
                c->lengths[i] = c->m->memory[j].length;
            }
    for (uint32_t i = 0; i < c->src->n_memory; i++)
        if (!c->hosts[i] && c->lengths[i]) {
            snprintf(err, errlen, "memory '%s' has no host backing", c->src->memory[i].name);
            return -1;
        }
    return 0;
}

/* PAGE sections, then MANI and the DEVS sections, then the footer. */
static int receive(Incoming *c, char *err, size_t errlen)
{
    g_autoptr(GByteArray) payload = g_byte_array_new();
    uint32_t n_dev = 0, n_mem = 0, got_dev = 0;
    bool manifest = false;
    for (;;) {
        uint32_t type = 0;
        uint64_t at = c->in.total;
        int rc = stream_read_section(&c->in, &type, payload, manifest ? MAX_DEVICE : MAX_PAGES,
                                     err, errlen);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        char why[512];
        if (type == TSNAP_SECTION_PAGES && !manifest) {
            if (tsnap_pages_apply(payload->data, payload->len, c->hosts, c->lengths,
                                  c->src->n_memory, c->dctx, why, sizeof(why)) < 0) {
                snprintf(err, errlen, "offset %llu: %s", (unsigned long long)at, why);
                return -1;
            }
        } else if (type == TSNAP_SECTION_MANIFEST && !manifest) {
            if (tsnap_parse_manifest(c->f, payload->data, payload->len, &n_dev, &n_mem, err,
                                     errlen) < 0)
                return -1;
            manifest = true;
            if (n_mem) {
                snprintf(err, errlen, "the manifest lists %u memory regions; a migration "
                         "stream sends memory as pages", n_mem);
                return -1;
            }
        } else if (type == TSNAP_SECTION_DEVICE && manifest && got_dev < n_dev) {
            if (tsnap_parse_device(c->f, payload->data, payload->len, at, err, errlen) < 0)
                return -1;
            got_dev++;
        } else {
            snprintf(err, errlen, "offset %llu: a %s section is out of place in a migration "
                     "stream", (unsigned long long)at, tsnap_section_name(type));
            return -1;
        }
    }
    if (!manifest || got_dev != n_dev) {
        snprintf(err, errlen, "the stream ended without the manifest and its %u device states",
                 n_dev);
        return -1;
    }
    return 0;
}

static void send_verdict(Incoming *c, uint32_t status, const char *why)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    char ignored[256];
    wire_put_u32(b, status);
    wire_put_str(b, why);
    stream_put_section(&c->out, TSNAP_SECTION_ACK, b->data, b->len);
    stream_put_footer(&c->out);
    stream_flush(&c->out, c->fd, 5000, "source", ignored, sizeof(ignored));
}

int tsnap_incoming(const TesseraMachineView *m, int fd, char *err, size_t errlen)
{
    Incoming c = {.m = m, .fd = fd, .in = {.fd = fd, .timeout_ms = SILENCE_MS, .peer = "source"}};
    /* As on the source (live.c): what waits in buffers when the source stops the
     * guest is downtime, so little may wait. */
    int rcvbuf = RECEIVE_BUFFER;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    stream_out_init(&c.out);
    c.f = tsnap_file_new("migration stream");
    c.dctx = ZSTD_createDCtx();
    int rc = -1;
    if (handshake(&c, err, errlen) < 0 || receive(&c, err, errlen) < 0)
        goto out;
    if (tsnap_load_file(m, c.f, false, err, errlen) < 0) {
        send_verdict(&c, 1, err);
        goto out;
    }
    send_verdict(&c, 0, "");
    rc = 0;
out:
    close(fd);
    ZSTD_freeDCtx(c.dctx);
    tsnap_close(c.f);
    stream_out_free(&c.out);
    offer_free(c.src);
    offer_free(c.dst);
    g_free(c.hosts);
    g_free(c.lengths);
    return rc;
}
