/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: what a QMP client sends, through the real core/qmp.c and
 * core/json_stream.c (splitting, parsing, negotiation, argument checks, dispatch).
 * There is no machine: the chardev and session functions qmp.c calls are stand-ins
 * here that record what happens. The input arrives in chunks of the sizes its first
 * bytes say, as over a socket; every reply must be one line of JSON, an object
 * with "return" or "error" (or the greeting).
 */
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "chardev.h"
#include "machine.h"
#include "migrate_qmp.h"
#include "net.h"
#include "qmp.h"
#include "session.h"

/* ---- stand-ins for the chardev, session and machine ---- */

struct TesseraChardev {
    TesseraChrCanRead can_read;
    TesseraChrRead read;
    void *opaque;
    GString *out;
};

static struct TesseraChardev fake_chr;
static unsigned replies;

Chardev *chardev_open_server(const char *path, GError **error)
{
    fake_chr.out = g_string_new(NULL);
    return &fake_chr;
}

void chardev_close(Chardev *chr)
{
    g_string_free(chr->out, TRUE);
}

void chardev_set_receiver(Chardev *chr, TesseraChrCanRead can_read, TesseraChrRead read,
                          void *opaque)
{
    chr->can_read = can_read;
    chr->read = read;
    chr->opaque = opaque;
}

bool chardev_connected(const Chardev *chr)
{
    return true;
}

unsigned chardev_sessions(const Chardev *chr)
{
    return 1;
}

void chardev_poll(Chardev *chr, int timeout_ms)
{
}

/* Each complete line is one reply: check it. */
size_t chardev_write(Chardev *chr, const void *buf, size_t len)
{
    g_string_append_len(chr->out, buf, (gssize)len);
    char *nl;
    while ((nl = strstr(chr->out->str, "\r\n"))) {
        size_t n = (size_t)(nl - chr->out->str);
        JsonParser *p = json_parser_new();
        if (!json_parser_load_from_data(p, chr->out->str, (gssize)n, NULL))
            abort(); /* a reply that is not JSON */
        JsonNode *root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
            abort();
        JsonObject *o = json_node_get_object(root);
        if (!json_object_has_member(o, "return") && !json_object_has_member(o, "error") &&
            !json_object_has_member(o, "QMP"))
            abort();
        g_object_unref(p);
        g_string_erase(chr->out, 0, (gssize)n + 2);
        replies++;
    }
    return len;
}

void session_stop(Session *s)
{
    s->paused = true;
}

void session_quit(Session *s)
{
    s->quit = true;
}

void session_command(Session *s, const char *line, GString *out)
{
    g_string_append_printf(out, "ran: %s\n", line);
}

const char *session_status(const Session *s)
{
    return s->paused ? "paused" : "running";
}

bool session_cont(Session *s, const char **why)
{
    s->paused = false;
    return true;
}

/* Live migration's commands are not fuzzed here: none of them is known. */
bool migrate_qmp_command(Session *s, const char *name, JsonObject *args, JsonNode **ret,
                         GError **error)
{
    return false;
}

void machine_add_poll(Machine *m, void (*poll)(void *opaque), void *opaque)
{
}

/* No network here: set_link is refused as it is on a machine without NICs. */
NetHub *machine_net(Machine *m)
{
    return NULL;
}

bool net_hub_set_link(NetHub *hub, const char *id, bool up, GError **error)
{
    g_set_error(error, g_quark_from_static_string("fuzz"), 1, "no network device '%s'", id);
    return false;
}

/* No gdb stub here: gdbserver is refused, naming the device. */
bool gdb_serve(Session *s, const char *dev, GError **error)
{
    g_set_error(error, g_quark_from_static_string("fuzz"), 1, "gdb device '%s': not here", dev);
    return false;
}

/* ---- the target ---- */

static void send_bytes(const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t room = fake_chr.can_read(fake_chr.opaque);
        size_t take = n < room ? n : room;
        fake_chr.read(fake_chr.opaque, p, take);
        p += take;
        n -= take;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Session s = { 0 };
    Qmp *q = qmp_new(&s, "unix:/fuzz", NULL);
    if (!q)
        abort();
    unsigned before = replies;
    qmp_poll(q, 0); /* the greeting */
    if (replies != before + 1)
        abort();
    /* The first byte, if any, sets the chunk size (1 to 256 bytes). */
    size_t chunk = size ? (size_t)data[0] + 1 : 1;
    for (size_t off = size ? 1 : 0; off < size; off += chunk)
        send_bytes(data + off, size - off < chunk ? size - off : chunk);
    qmp_free(q);
    return 0;
}
