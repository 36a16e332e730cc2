/* SPDX-License-Identifier: MIT */
#include "qmp.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "config.h"
#include "chardev.h"
#include "escape_stream.h"
#include "gdbstub.h"
#include "json_stream.h"
#include "migrate_qmp.h"
#include "net.h"

#define QMP_ERROR g_quark_from_static_string("tessera-qmp")
#define QMP_MAX_COMMAND (64 * 1024) /* bytes in one command */
#define QMP_MAX_DEPTH 64            /* objects and arrays within one another */

struct Qmp {
    Session *session;
    Chardev *chr;       /* unix:PATH,server,nowait */
    unsigned sessions;  /* clients greeted so far (chardev_sessions) */
    bool negotiated;    /* qmp_capabilities was received */
    JsonStream *in;     /* splits what the client sends into JSON values */
};

/* Output goes through the chardev: never SIGPIPE, never blocking; a client that
 * stops reading is disconnected once its queue is full. Returns false when there
 * is no client to write to. */
static bool send_all(Qmp *q, const char *buf, size_t len)
{
    if (!chardev_connected(q->chr))
        return false;
    chardev_write(q->chr, buf, len);
    return true;
}

static void send_text(Qmp *q, const char *text)
{
    if (send_all(q, text, strlen(text)))
        send_all(q, "\r\n", 2);
}

static void send_node(Qmp *q, JsonNode *node)
{
    char *text = json_to_string(node, FALSE);
    send_text(q, text);
    g_free(text);
}

static void reply(Qmp *q, JsonNode *id, JsonNode *ret)
{
    JsonObject *o = json_object_new();
    json_object_set_member(o, "return", ret ? ret : json_node_init_object(json_node_alloc(), json_object_new()));
    if (id)
        json_object_set_member(o, "id", json_node_copy(id));
    JsonNode *n = json_node_init_object(json_node_alloc(), o);
    send_node(q, n);
    json_node_unref(n);
    json_object_unref(o);
}

static void reply_error(Qmp *q, JsonNode *id, const char *klass, const char *desc)
{
    JsonObject *err = json_object_new();
    json_object_set_string_member(err, "class", klass);
    /* JSON strings must be UTF-8: names and paths from outside are escaped. */
    char *safe = escape_text(desc, strlen(desc));
    json_object_set_string_member(err, "desc", safe);
    g_free(safe);
    JsonObject *o = json_object_new();
    json_object_set_object_member(o, "error", err);
    if (id)
        json_object_set_member(o, "id", json_node_copy(id));
    JsonNode *n = json_node_init_object(json_node_alloc(), o);
    send_node(q, n);
    json_node_unref(n);
    json_object_unref(o);
}

static void greet(Qmp *q)
{
    char *text = g_strdup_printf(
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 0}, "
        "\"package\": \"tessera %s\"}, \"capabilities\": []}}",
        TESSERA_VERSION);
    send_text(q, text);
    g_free(text);
}

/* Member `name` of `o` when it is a string; NULL when absent. *bad: present but not
 * a string. */
static const char *string_member(JsonObject *o, const char *name, bool *bad)
{
    JsonNode *n = o ? json_object_get_member(o, name) : NULL;
    *bad = false;
    if (!n)
        return NULL;
    if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
        return json_node_get_string(n);
    *bad = true;
    return NULL;
}

/* set_link {"name": ID, "up": BOOL}, as QEMU's. */
static void qmp_set_link(Qmp *q, JsonNode *id, JsonObject *args)
{
    bool bad;
    const char *name = string_member(args, "name", &bad);
    JsonNode *up = args ? json_object_get_member(args, "up") : NULL;
    if (!name || bad || !up || !JSON_NODE_HOLDS_VALUE(up) ||
        json_node_get_value_type(up) != G_TYPE_BOOLEAN) {
        reply_error(q, id, "GenericError", "set_link needs 'name' (string) and 'up' (boolean)");
        return;
    }
    GError *error = NULL;
    if (!net_hub_set_link(machine_net(q->session->machine), name, json_node_get_boolean(up),
                          &error)) {
        reply_error(q, id, "DeviceNotFound", error->message);
        g_error_free(error);
        return;
    }
    reply(q, id, NULL);
}

/* gdbserver {"device": DEV}: the monitor's gdbserver (tcp::PORT, unix:PATH, none). */
static void qmp_gdbserver(Qmp *q, JsonNode *id, JsonObject *args)
{
    bool bad;
    const char *dev = string_member(args, "device", &bad);
    if (!dev || bad) {
        reply_error(q, id, "GenericError", "gdbserver needs 'device' (string)");
        return;
    }
    GError *error = NULL;
    if (!gdb_serve(q->session, dev, &error)) {
        reply_error(q, id, "GenericError", error->message);
        g_error_free(error);
        return;
    }
    reply(q, id, NULL);
}

static void execute(Qmp *q, JsonObject *cmd)
{
    JsonNode *id = json_object_get_member(cmd, "id");
    bool bad;
    const char *name = string_member(cmd, "execute", &bad);
    if (bad) {
        reply_error(q, id, "GenericError", "QMP input member 'execute' must be a string");
        return;
    }
    JsonNode *args_node = json_object_get_member(cmd, "arguments");
    if (args_node && !JSON_NODE_HOLDS_OBJECT(args_node)) {
        reply_error(q, id, "GenericError", "QMP input member 'arguments' must be an object");
        return;
    }
    JsonObject *args = args_node ? json_node_get_object(args_node) : NULL;
    Session *s = q->session;
    JsonNode *ret = NULL;
    GError *error = NULL;
    if (!name) {
        reply_error(q, id, "GenericError", "QMP input lacks member 'execute'");
    } else if (!strcmp(name, "qmp_capabilities")) {
        q->negotiated = true;
        reply(q, id, NULL);
    } else if (!q->negotiated) {
        reply_error(q, id, "CommandNotFound",
                    "Expecting capabilities negotiation with 'qmp_capabilities'");
    } else if (!strcmp(name, "stop")) {
        session_stop(s);
        reply(q, id, NULL);
    } else if (!strcmp(name, "cont")) {
        const char *why;
        if (session_cont(s, &why))
            reply(q, id, NULL);
        else
            reply_error(q, id, "GenericError", why);
    } else if (!strcmp(name, "query-status")) {
        JsonObject *st = json_object_new();
        json_object_set_boolean_member(st, "running", !s->paused);
        json_object_set_boolean_member(st, "singlestep", FALSE);
        json_object_set_string_member(st, "status", session_status(s));
        reply(q, id, json_node_init_object(json_node_alloc(), st));
        json_object_unref(st);
    } else if (!strcmp(name, "human-monitor-command")) {
        const char *line = string_member(args, "command-line", &bad);
        if (bad) {
            reply_error(q, id, "GenericError",
                        "Parameter 'command-line' expects a string");
            return;
        }
        if (!line) {
            reply_error(q, id, "GenericError", "Parameter 'command-line' is missing");
            return;
        }
        GString *out = g_string_new(NULL);
        session_command(s, line, out);
        char *safe = escape_text(out->str, out->len);
        reply(q, id, json_node_init_string(json_node_alloc(), safe));
        g_free(safe);
        g_string_free(out, TRUE);
    } else if (!strcmp(name, "set_link")) {
        qmp_set_link(q, id, args);
    } else if (!strcmp(name, "gdbserver")) {
        qmp_gdbserver(q, id, args);
    } else if (!strcmp(name, "quit")) {
        reply(q, id, NULL);
        session_quit(s);
    } else if (migrate_qmp_command(s, name, args, &ret, &error)) {
        if (error) {
            reply_error(q, id, "GenericError", error->message);
            g_error_free(error);
        } else {
            reply(q, id, ret);
        }
    } else {
        char *desc = g_strdup_printf("The command %s has not been found", name);
        reply_error(q, id, "CommandNotFound", desc);
        g_free(desc);
    }
}

/* One complete top-level value from the client: a command if it is an object. */
static void handle(Qmp *q, const char *text, size_t len)
{
    JsonParser *parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_data(parser, text, (gssize)len, &error)) {
        char *desc = g_strdup_printf("QMP input is not valid JSON: %s", error->message);
        reply_error(q, NULL, "GenericError", desc);
        g_free(desc);
        g_error_free(error);
    } else {
        JsonNode *root = json_parser_get_root(parser);
        if (root && JSON_NODE_HOLDS_OBJECT(root))
            execute(q, json_node_get_object(root));
        else
            reply_error(q, NULL, "GenericError", "QMP input must be a JSON object");
    }
    g_object_unref(parser);
}

/* Split what arrived into values and answer each in turn; malformed input gets an
 * error reply and the splitter carries on with what follows it. A client that goes
 * away meanwhile takes the rest of its input with it. */
static void feed(Qmp *q, const char *buf, size_t len)
{
    size_t off = 0;
    unsigned client = q->sessions;
    while (chardev_connected(q->chr) && chardev_sessions(q->chr) == client && off < len) {
        size_t used;
        JsonStreamEvent ev = json_stream_next(q->in, buf + off, len - off, &used);
        off += used;
        if (ev == JSON_STREAM_VALUE) {
            size_t n;
            const char *text = json_stream_value(q->in, &n);
            handle(q, text, n);
        } else if (ev == JSON_STREAM_ERROR) {
            reply_error(q, NULL, "GenericError", json_stream_error(q->in));
        } else {
            break;
        }
    }
}

/* A client that connected since the last look gets the greeting, and negotiates
 * afresh. */
static void new_client(Qmp *q)
{
    unsigned n = chardev_sessions(q->chr);
    if (n == q->sessions || !chardev_connected(q->chr))
        return;
    q->sessions = n;
    q->negotiated = false;
    json_stream_reset(q->in);
    greet(q);
}

static size_t qmp_can_read(void *opaque)
{
    return 4096;
}

static void qmp_read(void *opaque, const uint8_t *buf, size_t len)
{
    Qmp *q = opaque;
    new_client(q); /* its first commands may arrive with the connection */
    feed(q, (const char *)buf, len);
}

void qmp_poll(Qmp *q, int timeout_ms)
{
    chardev_poll(q->chr, timeout_ms);
    new_client(q);
}

static void qmp_poll_hook(void *opaque)
{
    qmp_poll(opaque, 0);
}

/* -qmp unix:PATH[,server][,nowait]: always a server that does not wait, whatever
 * the options say (as before: QMP clients connect when they like). */
Qmp *qmp_new(Session *s, const char *spec, GError **error)
{
    if (!g_str_has_prefix(spec, "unix:")) {
        g_set_error(error, QMP_ERROR, 0, "-qmp %s: only unix:PATH is supported", spec);
        return NULL;
    }
    const char *path = spec + 5;
    const char *comma = strchr(path, ',');
    char *p = comma ? g_strndup(path, (gsize)(comma - path)) : g_strdup(path);
    Chardev *chr = chardev_open_server(p, error);
    g_free(p);
    if (!chr) {
        g_prefix_error(error, "-qmp %s: ", spec);
        return NULL;
    }
    Qmp *q = g_new0(Qmp, 1);
    q->session = s;
    q->chr = chr;
    q->in = json_stream_new(QMP_MAX_COMMAND, QMP_MAX_DEPTH);
    chardev_set_receiver(chr, qmp_can_read, qmp_read, q);
    machine_add_poll(s->machine, qmp_poll_hook, q);
    return q;
}

void qmp_free(Qmp *q)
{
    if (!q)
        return;
    chardev_close(q->chr);
    json_stream_free(q->in);
    g_free(q);
}
