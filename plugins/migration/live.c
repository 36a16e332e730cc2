/* SPDX-License-Identifier: MIT */
/*
 * Live migration, the source side (docs/migration.md).
 *
 *   start:  the stream header and our offer (HELO) go out, the destination's
 *           offer comes back, both sides negotiate one state version per device;
 *           the dirty log starts and every page of every region is to be sent.
 *   step:   called by the core between two CPU slices; sends PAGE sections for up
 *           to STEP_US of wall time (and the bandwidth limit), then returns so the
 *           guest runs again. At the end of a pass the dirty log says what the
 *           guest wrote meanwhile: the next pass. Once what is left fits the
 *           downtime limit at the measured bandwidth, the same step sends the
 *           rest, MANI and the DEVS sections (the guest is stopped: it is between
 *           slices) and waits for the destination's DONE.
 *
 * Determinism: the guest's clock is its instruction count, and steps run only at
 * slice boundaries and never write guest state, so what the guest computes does
 * not depend on when or how fast the migration runs. Throttling (auto-converge)
 * sleeps in the step: it slows the guest in wall time only, and the guest sees no
 * difference at all. RAM is read on the thread that runs the CPU, while it does not.
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

#define STEP_US 20000           /* wall time one step may send for */
#define HANDSHAKE_MS 10000      /* the destination answers the offer within this */
#define FINISH_MS 30000         /* and loads the machine within this */
#define THROTTLE_FIRST 20       /* auto-converge: first throttle, percent */
#define THROTTLE_STEP 10
#define THROTTLE_MAX 99
#define MAX_THROTTLE_SLEEP_US 200000
/* Bytes the kernel may hold for the destination: what is in flight when the last
 * pass ends is downtime the source cannot measure, so it is kept small. */
#define SEND_BUFFER (256 * 1024)

typedef struct Region {
    const TesseraMemoryInfo *info;
    uint64_t pages;
    uint8_t *todo; /* one bit per page still to send in this pass */
} Region;

struct TesseraMigration {
    const TesseraMachineView *m;
    int fd;
    int client; /* dirty-log client, -1 when none */
    TesseraMigrateParams p;
    TesseraMigrateStats st;
    StreamOut out;
    StreamIn in;
    Offer *src, *dst;
    uint32_t *versions;
    Region *regions;
    uint32_t region; /* where the pass is: region and chunk */
    uint64_t chunk;
    uint64_t todo_pages;
    ZSTD_CCtx *cctx;
    gint64 start_us, pass_start_us, last_step_us, tokens_us;
    uint64_t pass_written;
    double tokens; /* bytes the bandwidth limit allows now */
};

static void set_params(TesseraMigration *g, const TesseraMigrateParams *p)
{
    TesseraMigrateParams q = {.size = sizeof(q), .downtime_limit_ms = 300};
    if (p && TESSERA_HAS_MEMBER(p, TesseraMigrateParams, downtime_limit_ms))
        q = *p;
    g->p = q;
    /* The link is the bottleneck when it is limited: compressing then pays. */
    if (q.max_bandwidth && !g->cctx)
        g->cctx = ZSTD_createCCtx();
}

void tsnap_outgoing_set_params(TesseraMigration *g, const TesseraMigrateParams *p)
{
    set_params(g, p);
    if (!p->auto_converge)
        g->st.throttle_pct = 0;
}

void tsnap_outgoing_free(TesseraMigration *g)
{
    if (!g)
        return;
    if (g->client >= 0)
        tessera_dirty_stop(g->m->host, g->client);
    if (g->fd >= 0)
        close(g->fd);
    for (uint32_t i = 0; g->regions && i < g->m->n_memory; i++)
        g_free(g->regions[i].todo);
    g_free(g->regions);
    g_free(g->versions);
    offer_free(g->src);
    offer_free(g->dst);
    stream_out_free(&g->out);
    ZSTD_freeCCtx(g->cctx);
    g_free(g);
}

/* Offers out and in; negotiation. */
static int handshake(TesseraMigration *g, char *err, size_t errlen)
{
    g->in = (StreamIn){.fd = g->fd, .timeout_ms = HANDSHAKE_MS, .peer = "destination"};
    if (offer_exchange(g->m, &g->out, &g->in, g->fd, &g->src, &g->dst, err, errlen) < 0)
        return -1;
    g->versions = g_new0(uint32_t, g->src->n_devices ? g->src->n_devices : 1);
    char why[512];
    if (offer_negotiate(g->src, g->dst, g->versions, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "refused at the handshake: %s", why);
        return -1;
    }
    return 0;
}

/* Every page of every region, for the first pass. */
static void plan_everything(TesseraMigration *g)
{
    g->todo_pages = 0;
    for (uint32_t i = 0; i < g->m->n_memory; i++) {
        Region *r = &g->regions[i];
        memset(r->todo, 0xff, (r->pages + 7) / 8);
        if (r->pages % 8)
            r->todo[r->pages / 8] = (uint8_t)((1u << (r->pages % 8)) - 1);
        g->todo_pages += r->pages;
    }
    g->region = 0;
    g->chunk = 0;
}

/* What the guest wrote since the last fetch joins what is left to send: the next
 * pass. ROM is never dirty. */
static void plan_dirty(TesseraMigration *g)
{
    g->todo_pages = 0;
    for (uint32_t i = 0; i < g->m->n_memory; i++) {
        Region *r = &g->regions[i];
        tessera_dirty_fetch(g->m->host, g->client, r->info->pa, r->info->length, r->todo);
        for (uint64_t b = 0; b < (r->pages + 7) / 8; b++)
            g->todo_pages += (uint64_t)__builtin_popcount(r->todo[b]);
    }
    g->region = 0;
    g->chunk = 0;
}

TesseraMigration *tsnap_outgoing_start(const TesseraMachineView *m, int fd,
                                       const TesseraMigrateParams *params, char *err,
                                       size_t errlen)
{
    TesseraMigration *g = g_new0(TesseraMigration, 1);
    g->m = m;
    g->fd = fd;
    g->client = -1;
    g->st.size = sizeof(g->st);
    stream_out_init(&g->out);
    set_params(g, params);
    g->start_us = g_get_monotonic_time();
    int sndbuf = SEND_BUFFER;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    if (!m->host || !TESSERA_HAS_MEMBER(m, TesseraMachineView, host)) {
        snprintf(err, errlen, "this host offers no dirty log to migrate with");
        goto fail;
    }
    if (handshake(g, err, errlen) < 0)
        goto fail;
    for (uint32_t i = 0; i < m->n_instances; i++)
        if (tsnap_check_instance("migration", &m->instances[i], err, errlen) < 0)
            goto fail;
    if ((g->client = tessera_dirty_start(m->host)) < 0) {
        snprintf(err, errlen, "no dirty-log client is free (at most %d)", TESSERA_DIRTY_CLIENTS);
        goto fail;
    }
    g->regions = g_new0(Region, m->n_memory ? m->n_memory : 1);
    for (uint32_t i = 0; i < m->n_memory; i++) {
        Region *r = &g->regions[i];
        r->info = &m->memory[i];
        r->pages = (r->info->length + TSNAP_PAGE_SIZE - 1) / TSNAP_PAGE_SIZE;
        r->todo = g_malloc0((r->pages + 7) / 8 + 1);
        g->st.total_ram += r->info->length;
    }
    plan_everything(g);
    g->pass_start_us = g->last_step_us = g->tokens_us = g_get_monotonic_time();
    g->st.remaining = g->todo_pages * TSNAP_PAGE_SIZE;
    return g;
fail:
    tsnap_outgoing_free(g);
    return NULL;
}

/* The next chunk with pages to send, as one PAGE section; false when the pass is over. */
static bool send_next_chunk(TesseraMigration *g)
{
    while (g->region < g->m->n_memory) {
        Region *r = &g->regions[g->region];
        uint64_t chunks = (r->pages + TSNAP_CHUNK_PAGES - 1) / TSNAP_CHUNK_PAGES;
        for (; g->chunk < chunks; g->chunk++) {
            uint8_t *bits = r->todo + g->chunk * TSNAP_BITMAP_BYTES;
            uint8_t sent[TSNAP_BITMAP_BYTES] = {0};
            uint64_t have = (r->pages + 7) / 8 - g->chunk * TSNAP_BITMAP_BYTES;
            memcpy(sent, bits, have < TSNAP_BITMAP_BYTES ? have : TSNAP_BITMAP_BYTES);
            unsigned n = 0;
            for (unsigned b = 0; b < TSNAP_BITMAP_BYTES; b++)
                n += (unsigned)__builtin_popcount(sent[b]);
            if (!n)
                continue;
            memset(bits, 0, have < TSNAP_BITMAP_BYTES ? have : TSNAP_BITMAP_BYTES);
            g_autoptr(GByteArray) b = g_byte_array_new();
            tsnap_pages_encode(b, g->region, g->chunk, r->info->host, r->info->length, sent,
                               g->cctx, &g->st.zero_pages, &g->st.normal_pages);
            stream_put_section(&g->out, TSNAP_SECTION_PAGES, b->data, b->len);
            g->tokens -= (double)b->len + TSNAP_SECTION_HEADER_SIZE;
            g->todo_pages -= n;
            g->chunk++;
            return true;
        }
        g->region++;
        g->chunk = 0;
    }
    return false;
}

static int flush(TesseraMigration *g, int timeout_ms, char *err, size_t errlen)
{
    int64_t n = stream_flush(&g->out, g->fd, timeout_ms, "destination", err, errlen);
    if (n < 0)
        return -1;
    g->st.transferred += (uint64_t)n;
    g->pass_written += (uint64_t)n;
    return 0;
}

/* A pass is over: measure it, plan the next one, throttle if it does not converge.
 * Returns true when what is left fits the downtime limit. */
static bool end_pass(TesseraMigration *g, gint64 now)
{
    double secs = (double)(now - g->pass_start_us) / 1e6;
    if (secs < 1e-6)
        secs = 1e-6;
    plan_dirty(g);
    uint64_t dirty_bytes = g->todo_pages * TSNAP_PAGE_SIZE;
    g->st.iterations++;
    g->st.bandwidth = (uint64_t)((double)g->pass_written / secs);
    g->st.dirty_rate = (uint64_t)((double)dirty_bytes / secs);
    uint64_t bw = g->st.bandwidth ? g->st.bandwidth : 1;
    g->st.expected_downtime_ms = dirty_bytes * 1000 / bw;
    g->pass_start_us = now;
    g->pass_written = 0;
    bool converged = g->todo_pages == 0 || g->st.expected_downtime_ms <= g->p.downtime_limit_ms;
    /* QEMU's rule: the guest dirtied more than half of what the link carried. */
    if (!converged && g->p.auto_converge && g->st.iterations >= 2 &&
        g->st.dirty_rate > g->st.bandwidth / 2)
        g->st.throttle_pct = g->st.throttle_pct ? MIN(g->st.throttle_pct + THROTTLE_STEP,
                                                      THROTTLE_MAX)
                                                : THROTTLE_FIRST;
    return converged;
}

/* Stop-and-copy: the guest is between slices and stays stopped. */
static int complete(TesseraMigration *g, char *err, size_t errlen)
{
    gint64 t0 = g_get_monotonic_time();
    const TesseraMachineView *m = g->m;
    plan_dirty(g);
    while (send_next_chunk(g))
        if (stream_pending(&g->out) > (8u << 20) && flush(g, FINISH_MS, err, errlen) < 0)
            return -1;
    for (uint32_t i = 0; i < m->n_instances; i++) {
        const TesseraInstanceInfo *inst = &m->instances[i];
        if (inst->schema->pre_save && inst->schema->pre_save(inst->state) != 0) {
            snprintf(err, errlen, "device '%s' (%s): pre_save failed", inst->name, inst->plugin);
            return -1;
        }
    }
    g_autoptr(GByteArray) mani = g_byte_array_new();
    tsnap_encode_manifest(mani, m->machine, m->machine_file, m->run ? m->run->icount : 0,
                          m->n_instances, 0);
    stream_put_section(&g->out, TSNAP_SECTION_MANIFEST, mani->data, mani->len);
    for (uint32_t i = 0; i < m->n_instances; i++) {
        const TesseraInstanceInfo *inst = &m->instances[i];
        TesseraRecord *rec = tsnap_build_record("migration", inst, g->versions[i], err, errlen);
        if (!rec)
            return -1;
        TsnapDeviceOut d = {.name = inst->name, .plugin = inst->plugin,
                            .plugin_version = inst->plugin_version, .kind = inst->kind,
                            .schema = inst->schema->name, .rec = rec};
        g_autoptr(GByteArray) b = g_byte_array_new();
        tsnap_encode_device(b, &d);
        record_free(rec);
        stream_put_section(&g->out, TSNAP_SECTION_DEVICE, b->data, b->len);
    }
    stream_put_footer(&g->out);
    if (flush(g, FINISH_MS, err, errlen) < 0)
        return -1;
    /* The destination's verdict: DONE with status 0, or its reason. */
    g_autoptr(GByteArray) ack = g_byte_array_new();
    uint32_t type = 0;
    g->in.timeout_ms = FINISH_MS;
    if (stream_read_section(&g->in, &type, ack, 4096 + 8, err, errlen) != 1)
        return -1;
    WireReader r;
    wire_reader_init(&r, ack->data, ack->len);
    uint32_t status = 1;
    wire_u32(&r, &status);
    g_autofree char *why = wire_str(&r);
    if (type != TSNAP_SECTION_ACK || r.bad) {
        snprintf(err, errlen, "the destination sent a %s section instead of its verdict",
                 tsnap_section_name(type));
        return -1;
    }
    if (status != 0) {
        snprintf(err, errlen, "the destination could not load the machine: %s", why);
        return -1;
    }
    g->st.remaining = 0;
    g->st.downtime_ms = (uint64_t)(g_get_monotonic_time() - t0) / 1000;
    return 0;
}

static void throttle(TesseraMigration *g, gint64 now)
{
    if (!g->st.throttle_pct || !g->p.auto_converge)
        return;
    /* The guest ran (now - last_step_us); hold it back pct percent of the time. */
    gint64 ran = now - g->last_step_us;
    gint64 sleep_us = ran * g->st.throttle_pct / (100 - g->st.throttle_pct);
    g_usleep((gulong)MIN(sleep_us, MAX_THROTTLE_SLEEP_US));
}

int tsnap_outgoing_step(TesseraMigration *g, TesseraMigrateStats *stats, char *err,
                        size_t errlen)
{
    int rc = TESSERA_MIGRATE_ACTIVE;
    gint64 now = g_get_monotonic_time();
    throttle(g, now);
    now = g_get_monotonic_time();
    if (g->p.max_bandwidth) {
        g->tokens += (double)(now - g->tokens_us) * (double)g->p.max_bandwidth / 1e6;
        /* At most a tenth of a second's worth at once. */
        g->tokens = MIN(g->tokens, (double)g->p.max_bandwidth / 10);
    }
    g->tokens_us = now;
    gint64 deadline = now + STEP_US;
    for (;;) {
        if (flush(g, 0, err, errlen) < 0) {
            rc = TESSERA_MIGRATE_FAILED;
            break;
        }
        if (stream_pending(&g->out) || (g->p.max_bandwidth && g->tokens <= 0))
            break;
        if (!g->todo_pages || !send_next_chunk(g)) {
            if (end_pass(g, g_get_monotonic_time())) {
                rc = complete(g, err, errlen) < 0 ? TESSERA_MIGRATE_FAILED
                                                  : TESSERA_MIGRATE_COMPLETED;
            }
            break;
        }
        if (g_get_monotonic_time() >= deadline)
            break;
    }
    g->st.remaining = rc == TESSERA_MIGRATE_COMPLETED ? 0 : g->todo_pages * TSNAP_PAGE_SIZE;
    g->last_step_us = g_get_monotonic_time();
    if (stats && TESSERA_HAS_MEMBER(stats, TesseraMigrateStats, normal_pages))
        *stats = g->st;
    return rc;
}
