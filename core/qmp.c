/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* accept4 */
#include "qmp.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "json_stream.h"
#include "net.h"

#define QMP_ERROR g_quark_from_static_string("tessera-qmp")
#define QMP_MAX_COMMAND (64 * 1024) /* bytes in one command */
#define QMP_MAX_DEPTH 64            /* objects and arrays within one another */
#define QMP_READ_MAX (256 * 1024)   /* bytes read in one poll, so a flood cannot starve the guest */

struct Qmp {
    Session *session;
    char *path;
    int listen_fd;
    int fd;           /* the connected client, or -1 */
    bool negotiated;  /* qmp_capabilities was received */
    JsonStream *in;   /* splits what the client sends into JSON values */
};

/* The client hung up (or its socket failed): forget it; the next one may connect. */
static void drop_client(Qmp *q)
{
    if (q->fd >= 0)
        close(q->fd);
    q->fd = -1;
    json_stream_reset(q->in);
}

/* Sockets are written with MSG_NOSIGNAL: a client that closes before reading its
 * reply makes send() fail with EPIPE instead of killing the emulator with SIGPIPE. */
static bool send_all(Qmp *q, const char *buf, size_t len)
{
    size_t off = 0;
    while (q->fd >= 0 && off < len) {
        ssize_t n = send(q->fd, buf + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = q->fd, .events = POLLOUT };
            poll(&p, 1, 100);
            continue;
        }
        if (n <= 0) { /* EPIPE, ECONNRESET...: the client is gone */
            drop_client(q);
            return false;
        }
        off += (size_t)n;
    }
    return q->fd >= 0;
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
    json_object_set_string_member(err, "desc", desc);
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
        s->paused = false;
        reply(q, id, NULL);
    } else if (!strcmp(name, "query-status")) {
        JsonObject *st = json_object_new();
        json_object_set_boolean_member(st, "running", !s->paused);
        json_object_set_boolean_member(st, "singlestep", FALSE);
        json_object_set_string_member(st, "status", s->paused ? "paused" : "running");
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
        JsonNode *ret = json_node_init_string(json_node_alloc(), out->str);
        reply(q, id, ret);
        g_string_free(out, TRUE);
    } else if (!strcmp(name, "set_link")) {
        qmp_set_link(q, id, args);
    } else if (!strcmp(name, "quit")) {
        reply(q, id, NULL);
        session_quit(s);
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
    while (q->fd >= 0 && off < len) {
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

/* Everything the client has sent so far (up to QMP_READ_MAX bytes a poll). */
static void read_input(Qmp *q)
{
    char buf[4096];
    size_t total = 0;
    while (q->fd >= 0 && total < QMP_READ_MAX) {
        ssize_t n = recv(q->fd, buf, sizeof(buf), 0);
        if (n > 0) {
            total += (size_t)n;
            feed(q, buf, (size_t)n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            drop_client(q); /* end of input, or the connection failed */
            return;
        }
    }
}

void qmp_poll(Qmp *q, int timeout_ms)
{
    struct pollfd p = { .fd = q->fd >= 0 ? q->fd : q->listen_fd, .events = POLLIN };
    if (poll(&p, 1, timeout_ms) <= 0)
        return;
    if (q->fd < 0) {
        q->fd = accept4(q->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (q->fd < 0)
            return;
        q->negotiated = false;
        json_stream_reset(q->in);
        greet(q);
        /* The new client may have sent its first commands already. */
    }
    read_input(q);
}

static void qmp_poll_hook(void *opaque)
{
    qmp_poll(opaque, 0);
}

Qmp *qmp_new(Session *s, const char *spec, GError **error)
{
    if (!g_str_has_prefix(spec, "unix:")) {
        g_set_error(error, QMP_ERROR, 0, "-qmp %s: only unix:PATH is supported", spec);
        return NULL;
    }
    const char *path = spec + 5;
    char *comma = strchr(path, ',');
    char *p = comma ? g_strndup(path, comma - path) : g_strdup(path);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(p) >= sizeof(addr.sun_path)) {
        g_set_error(error, QMP_ERROR, 0, "-qmp %s: socket path too long", spec);
        g_free(p);
        return NULL;
    }
    strcpy(addr.sun_path, p);
    unlink(p);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 1)) {
        g_set_error(error, QMP_ERROR, 0, "-qmp %s: %s", spec, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        g_free(p);
        return NULL;
    }
    Qmp *q = g_new0(Qmp, 1);
    q->session = s;
    q->path = p;
    q->listen_fd = fd;
    q->fd = -1;
    q->in = json_stream_new(QMP_MAX_COMMAND, QMP_MAX_DEPTH);
    machine_add_poll(s->machine, qmp_poll_hook, q);
    return q;
}

void qmp_free(Qmp *q)
{
    if (!q)
        return;
    if (q->fd >= 0)
        close(q->fd);
    close(q->listen_fd);
    unlink(q->path);
    g_free(q->path);
    json_stream_free(q->in);
    g_free(q);
}
