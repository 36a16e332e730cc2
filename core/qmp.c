/* SPDX-License-Identifier: MIT */
#include "qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"

#define QMP_ERROR g_quark_from_static_string("tessera-qmp")
#define QMP_MAX_COMMAND (64 * 1024)

struct Qmp {
    Session *session;
    char *path;
    int listen_fd;
    int fd;           /* the connected client, or -1 */
    bool negotiated;  /* qmp_capabilities was received */
    GString *in;      /* bytes of the command being received */
    /* Where the scan of `in` stands: brace depth, inside a string, after a backslash. */
    int depth;
    bool in_str, esc;
};

static void send_text(Qmp *q, const char *text)
{
    size_t len = strlen(text), off = 0;
    while (q->fd >= 0 && off < len) {
        ssize_t n = write(q->fd, text + off, len - off);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd p = { .fd = q->fd, .events = POLLOUT };
            poll(&p, 1, 100);
            continue;
        }
        if (n <= 0) {
            close(q->fd);
            q->fd = -1;
            return;
        }
        off += (size_t)n;
    }
    if (q->fd >= 0 && write(q->fd, "\r\n", 2) < 0) {
        close(q->fd);
        q->fd = -1;
    }
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

static void execute(Qmp *q, JsonObject *cmd)
{
    JsonNode *id = json_object_get_member(cmd, "id");
    const char *name = json_object_has_member(cmd, "execute")
                           ? json_object_get_string_member(cmd, "execute")
                           : NULL;
    JsonObject *args = json_object_has_member(cmd, "arguments")
                           ? json_object_get_object_member(cmd, "arguments")
                           : NULL;
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
        const char *line = args && json_object_has_member(args, "command-line")
                               ? json_object_get_string_member(args, "command-line")
                               : NULL;
        if (!line) {
            reply_error(q, id, "GenericError", "Parameter 'command-line' is missing");
            return;
        }
        GString *out = g_string_new(NULL);
        session_command(s, line, out);
        JsonNode *ret = json_node_init_string(json_node_alloc(), out->str);
        reply(q, id, ret);
        g_string_free(out, TRUE);
    } else if (!strcmp(name, "quit")) {
        reply(q, id, NULL);
        session_quit(s);
    } else {
        char *desc = g_strdup_printf("The command %s has not been found", name);
        reply_error(q, id, "CommandNotFound", desc);
        g_free(desc);
    }
}

static void handle(Qmp *q, const char *text)
{
    JsonParser *parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_data(parser, text, -1, &error)) {
        reply_error(q, NULL, "GenericError", error->message);
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

static void scan_reset(Qmp *q)
{
    g_string_truncate(q->in, 0);
    q->depth = 0;
    q->in_str = q->esc = false;
}

/* Split the byte stream into top-level JSON objects by brace depth, scanning each
 * byte once as it arrives. */
static void feed(Qmp *q, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        g_string_append_c(q->in, c);
        if (q->in_str) {
            if (q->esc)
                q->esc = false;
            else if (c == '\\')
                q->esc = true;
            else if (c == '"')
                q->in_str = false;
        } else if (c == '"') {
            q->in_str = true;
        } else if (c == '{') {
            q->depth++;
        } else if (c == '}') {
            q->depth--;
        }
        if (c == '}' && q->depth == 0 && !q->in_str) {
            handle(q, q->in->str);
            scan_reset(q);
        } else if (q->in->len > QMP_MAX_COMMAND) {
            reply_error(q, NULL, "GenericError", "command too long");
            scan_reset(q);
        } else if (q->depth == 0 && !q->in_str && g_ascii_isspace(q->in->str[0])) {
            g_string_erase(q->in, 0, 1); /* blank between commands: scan state unchanged */
        }
    }
}

void qmp_poll(Qmp *q, int timeout_ms)
{
    struct pollfd p = { .fd = q->fd >= 0 ? q->fd : q->listen_fd, .events = POLLIN };
    if (poll(&p, 1, timeout_ms) <= 0)
        return;
    if (q->fd < 0) {
        q->fd = accept(q->listen_fd, NULL, NULL);
        if (q->fd >= 0) {
            fcntl(q->fd, F_SETFL, fcntl(q->fd, F_GETFL) | O_NONBLOCK);
            q->negotiated = false;
            scan_reset(q);
            greet(q);
        }
        return;
    }
    char buf[4096];
    ssize_t n = read(q->fd, buf, sizeof(buf));
    if (n > 0) {
        feed(q, buf, (size_t)n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(q->fd);
        q->fd = -1;
    }
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
    q->in = g_string_new(NULL);
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
    g_string_free(q->in, TRUE);
    g_free(q);
}
