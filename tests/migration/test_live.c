/* SPDX-License-Identifier: MIT */
/* Live migration between two fake machines over a socket pair: the source's steps
 * on this thread, the destination's incoming() on another, a dirty log the test
 * writes into as a guest would. */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_machine.h"
#include "format.h"
#include "offer.h"
#include "snapshot.h"
#include "stream.h"

#define RAM_SIZE (4u << 20)
#define PAGES (RAM_SIZE / TESSERA_PAGE_SIZE)
#define MAX_STEPS 100000

/* ---- a host whose only services are the dirty log of the fake RAM ---- */

static uint8_t dirty[PAGES];
static bool logging;

static int fake_dirty_start(TesseraInstance *self)
{
    memset(dirty, 0, sizeof(dirty));
    logging = true;
    return 0;
}

static void fake_dirty_stop(TesseraInstance *self, int client)
{
    logging = false;
}

static int64_t fake_dirty_fetch(TesseraInstance *self, int client, uint64_t pa, uint64_t len,
                                uint8_t *bitmap)
{
    int64_t n = 0;
    for (uint64_t p = pa / TESSERA_PAGE_SIZE; p < PAGES && p * TESSERA_PAGE_SIZE < pa + len; p++)
        if (dirty[p]) {
            dirty[p] = 0;
            uint64_t i = p - pa / TESSERA_PAGE_SIZE;
            bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
            n++;
        }
    return n;
}

static const TesseraHostOps fake_ops = {
    .size = sizeof(TesseraHostOps),
    .dirty_start = fake_dirty_start,
    .dirty_stop = fake_dirty_stop,
    .dirty_fetch = fake_dirty_fetch,
};
static const TesseraHost fake_host = {.ops = &fake_ops};

/* A guest store: the page changes and is logged. */
static void guest_write(FakeMachine *fm, uint64_t page, uint32_t value)
{
    memcpy(fm->ram + page * TESSERA_PAGE_SIZE + 8, &value, 4);
    dirty[page] = 1;
}

/* ---- the destination thread ---- */

typedef struct Dest {
    FakeMachine *fm;
    int fd;
    int rc;
    char err[1024];
} Dest;

static gpointer dest_main(gpointer p)
{
    Dest *d = p;
    d->rc = tsnap_incoming(&d->fm->view, d->fd, d->err, sizeof(d->err));
    return NULL;
}

static GThread *dest_start(Dest *d, FakeMachine *fm, int fd)
{
    *d = (Dest){.fm = fm, .fd = fd};
    return g_thread_new("dest", dest_main, d);
}

static char err[1024];

/* Migrate a to b; the guest writes `writes` pages between steps meanwhile.
 * Returns the last step's status; *dest_rc the destination's. */
static int migrate(FakeMachine *a, FakeMachine *b, unsigned writes, int *dest_rc, char *dest_err)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a->view.host = &fake_host;
    Dest d;
    GThread *t = dest_start(&d, b, sv[1]);
    /* 20 MB/s: the passes take a while, so the guest writes behind them. */
    TesseraMigrateParams params = {.size = sizeof(params), .downtime_limit_ms = 50,
                                   .max_bandwidth = 20000000};
    err[0] = '\0';
    TesseraMigration *mig = tsnap_outgoing_start(&a->view, sv[0], &params, err, sizeof(err));
    int rc = TESSERA_MIGRATE_FAILED;
    TesseraMigrateStats st = {.size = sizeof(st)};
    for (unsigned i = 0; mig && i < MAX_STEPS; i++) {
        /* Page 0 goes first in every pass: these writes land behind the pass. */
        if (i < writes)
            guest_write(a, i % 2 ? 0 : (i * 37) % PAGES, 0xc0de0000u + i);
        else if (i == writes)
            guest_write(a, 0, 0xfeedu); /* and once more, late */
        a->run.icount += 1000;
        rc = tsnap_outgoing_step(mig, &st, err, sizeof(err));
        if (rc != TESSERA_MIGRATE_ACTIVE)
            break;
        g_usleep(100);
    }
    tsnap_outgoing_free(mig);
    g_thread_join(t);
    *dest_rc = d.rc;
    if (dest_err)
        strcpy(dest_err, d.err);
    return rc;
}

/* Incompressible RAM: 4 MiB take 200 ms at 20 MB/s, many steps. */
static void fill_random(FakeMachine *fm)
{
    GRand *r = g_rand_new_with_seed(7);
    for (unsigned i = 0; i < RAM_SIZE / 4; i++) {
        uint32_t v = g_rand_int(r);
        memcpy(fm->ram + 4 * i, &v, 4);
    }
    g_rand_free(r);
}

Test(live, migrates_memory_devices_and_icount_while_the_guest_writes)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    fake_machine_fill(a, 1);
    fill_random(a);
    fake_machine_fill(b, 2);
    memset(b->rom, 0, 8192);
    int drc;
    char derr[1024];
    int rc = migrate(a, b, 50, &drc, derr);
    cr_assert_eq(rc, TESSERA_MIGRATE_COMPLETED, "%s", err);
    cr_assert_eq(drc, 0, "%s", derr);
    cr_assert(fake_devices_equal(a, b));
    cr_assert_arr_eq(a->ram, b->ram, RAM_SIZE, "RAM differs after migration");
    cr_assert_arr_eq(a->rom, b->rom, 8192);
    cr_assert_eq(b->run.icount, a->run.icount);
    cr_assert_eq(b->timer[1].post_loads, 1);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(live, converts_between_state_versions)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v1, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v3, RAM_SIZE);
    fake_machine_fill(a, 1);
    int drc;
    cr_assert_eq(migrate(a, b, 0, &drc, NULL), TESSERA_MIGRATE_COMPLETED, "%s", err);
    cr_assert_eq(drc, 0);
    /* v3's converter 1 -> 2 sets ticks to 5 (fake_machine.h). */
    cr_assert_eq(b->timer[0].ticks, 5);
    cr_assert_eq(b->timer[0].limit, a->timer[0].limit);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(live, refuses_at_the_handshake_on_both_sides_with_the_same_line)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v3, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v1, RAM_SIZE);
    fake_machine_fill(a, 1);
    fake_machine_fill(b, 2);
    FakeTimer before = b->timer[0];
    int drc;
    char derr[1024];
    cr_assert_eq(migrate(a, b, 0, &drc, derr), TESSERA_MIGRATE_FAILED);
    const char *want = "refused at the handshake: device 'timer0' (fake-timer): no common state "
                       "version: source fake-timer 1.0.0 saves v3-v3, destination fake-timer "
                       "1.0.0 loads v1-v1";
    cr_assert_str_eq(err, want);
    cr_assert_eq(drc, -1);
    cr_assert_str_eq(derr, want);
    cr_assert_eq(memcmp(&before, &b->timer[0], sizeof(before)), 0, "the destination changed");
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(live, refuses_another_ram_size)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE / 2);
    int drc;
    cr_assert_eq(migrate(a, b, 0, &drc, NULL), TESSERA_MIGRATE_FAILED);
    cr_assert(strstr(err, "memory 'ram': 4194304 bytes at 0x0 on the source, 2097152 bytes"),
              "%s", err);
    cr_assert_eq(drc, -1);
    fake_machine_free(a);
    fake_machine_free(b);
}

/* A hand-made source: the handshake, then one damaged PAGE section. */
Test(live, destination_refuses_a_page_section_for_a_region_that_does_not_exist)
{
    FakeMachine *a = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    FakeMachine *b = fake_machine_new(&fake_schema_v2, RAM_SIZE);
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    Dest d;
    GThread *t = dest_start(&d, b, sv[1]);
    StreamOut out;
    stream_out_init(&out);
    StreamIn in = {.fd = sv[0], .timeout_ms = 5000, .peer = "destination"};
    Offer *mine = NULL, *theirs = NULL;
    cr_assert_eq(offer_exchange(&a->view, &out, &in, sv[0], &mine, &theirs, err, sizeof(err)), 0,
                 "%s", err);
    g_autoptr(GByteArray) page = g_byte_array_new();
    uint8_t sent[TSNAP_BITMAP_BYTES] = {1};
    uint64_t zero = 0, normal = 0;
    tsnap_pages_encode(page, 7, 0, a->ram, RAM_SIZE, sent, NULL, &zero, &normal);
    stream_put_section(&out, TSNAP_SECTION_PAGES, page->data, page->len);
    cr_assert_geq(stream_flush(&out, sv[0], 5000, "destination", err, sizeof(err)), 0);
    g_thread_join(t);
    cr_assert_eq(d.rc, -1);
    cr_assert(strstr(d.err, "PAGE section: malformed header (region 7, chunk 0)"), "%s", d.err);
    close(sv[0]);
    stream_out_free(&out);
    offer_free(mine);
    offer_free(theirs);
    fake_machine_free(a);
    fake_machine_free(b);
}

Test(live, zero_pages_cost_a_bit_and_pages_round_trip)
{
    g_autofree uint8_t *src = g_malloc0(TSNAP_PAGE_SIZE * 256);
    g_autofree uint8_t *dst = g_malloc(TSNAP_PAGE_SIZE * 256);
    memset(dst, 0xaa, TSNAP_PAGE_SIZE * 256);
    src[5 * TSNAP_PAGE_SIZE + 17] = 42;
    uint8_t sent[TSNAP_BITMAP_BYTES];
    memset(sent, 0xff, sizeof(sent));
    sent[1] = 0; /* pages 8-15 not sent: left as they are */
    g_autoptr(GByteArray) b = g_byte_array_new();
    uint64_t zero = 0, normal = 0;
    tsnap_pages_encode(b, 0, 0, src, TSNAP_PAGE_SIZE * 256, sent, NULL, &zero, &normal);
    cr_assert_eq(normal, 1);
    cr_assert_eq(zero, 247);
    cr_assert_lt(b->len, TSNAP_PAGE_SIZE + 128, "%u bytes", b->len);
    uint8_t *hosts[1] = {dst};
    uint64_t lengths[1] = {TSNAP_PAGE_SIZE * 256};
    cr_assert_eq(tsnap_pages_apply(b->data, b->len, hosts, lengths, 1, NULL, err, sizeof(err)), 0,
                 "%s", err);
    cr_assert_eq(dst[5 * TSNAP_PAGE_SIZE + 17], 42);
    cr_assert_eq(dst[0], 0);
    cr_assert_eq(dst[8 * TSNAP_PAGE_SIZE], 0xaa);
    /* A damaged method byte is refused before anything is written. */
    b->data[4 + 8 + 2 * TSNAP_BITMAP_BYTES] = 1;
    memset(dst, 0xaa, TSNAP_PAGE_SIZE * 256);
    cr_assert_eq(tsnap_pages_apply(b->data, b->len, hosts, lengths, 1, NULL, err, sizeof(err)),
                 -1);
    cr_assert_eq(dst[0], 0xaa);
}
