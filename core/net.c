/* SPDX-License-Identifier: MIT */
/*
 * The network hub: the backends the command line asked for, which NIC each one
 * feeds, the frames queued for the NICs, the counters `info network` shows.
 *
 * Frames from a backend are checked (TESSERA_NET_FRAME_MIN..MAX bytes, else
 * dropped and counted as malformed), then queued; net_hub_poll(), called by the
 * run loop between two CPU slices, hands the NIC as many as it takes. So the
 * guest sees network input only at instruction boundaries of the main thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "net_backend.h"

struct NetHub {
    GPtrArray *netdevs;  /* Netdev* */
    GPtrArray *bindings; /* char*: the backend of the 1st, 2nd ... NIC that attaches */
    guint next_nic;
    guint n_nic;         /* -nic options so far, for their ids */
    GArray *pfds;        /* struct pollfd, rebuilt by each poll */
    char *attach_error;  /* the first failed attach, for net_hub_check */
};

static const NetBackendOps *const backends[] = { &net_user_ops, &net_socket_ops, &net_tap_ops };

NetHub *net_hub_new(void)
{
    NetHub *hub = g_new0(NetHub, 1);
    hub->netdevs = g_ptr_array_new();
    hub->bindings = g_ptr_array_new_with_free_func(g_free);
    hub->pfds = g_array_new(FALSE, TRUE, sizeof(struct pollfd));
    return hub;
}

static void netdev_free(Netdev *nd)
{
    if (nd->be)
        nd->ops->close(nd->be);
    g_queue_clear_full(&nd->queue, (GDestroyNotify)g_bytes_unref);
    g_free(nd->id);
    g_free(nd->type);
    g_free(nd->nic);
    g_free(nd);
}

void net_hub_free(NetHub *hub)
{
    if (!hub)
        return;
    for (guint i = 0; i < hub->netdevs->len; i++)
        netdev_free(hub->netdevs->pdata[i]);
    g_ptr_array_free(hub->netdevs, TRUE);
    g_ptr_array_free(hub->bindings, TRUE);
    g_array_free(hub->pfds, TRUE);
    g_free(hub->attach_error);
    g_free(hub);
}

/* ---- options ---- */

static void opt_free(gpointer p)
{
    NetOpt *o = p;
    g_free(o->key);
    g_free(o->value);
    g_free(o);
}

/* "TYPE,key=value,..." -> TYPE (returned) and the options. */
static char *split_spec(const char *what, const char *spec, GPtrArray **opts, GError **error)
{
    char **parts = g_strsplit(spec, ",", -1);
    char *type = NULL;
    *opts = g_ptr_array_new_with_free_func(opt_free);
    if (!parts[0]) /* "" splits into nothing */
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s '': the spec must start with a type", what);
    for (char **p = parts; *p; p++) {
        char *eq = strchr(*p, '=');
        if (p == parts) {
            if (eq || !**p) {
                g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s '%s': the spec must start with a type",
                            what, spec);
                break;
            }
            type = g_strdup(*p);
            continue;
        }
        if (!eq || eq == *p) {
            g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s '%s': '%s' is not KEY=VALUE", what, spec, *p);
            g_clear_pointer(&type, g_free);
            break;
        }
        NetOpt *o = g_new0(NetOpt, 1);
        o->key = g_strndup(*p, eq - *p);
        o->value = g_strdup(eq + 1);
        g_ptr_array_add(*opts, o);
    }
    g_strfreev(parts);
    if (!type)
        g_clear_pointer(opts, g_ptr_array_unref);
    return type;
}

const char *net_opt(GPtrArray *opts, const char *key)
{
    const char *v = NULL;
    for (guint i = 0; i < opts->len; i++) {
        NetOpt *o = opts->pdata[i];
        if (!strcmp(o->key, key))
            v = o->value;
    }
    return v;
}

/* Take option `key` out of opts; its last value (caller frees), or NULL. */
static char *take_opt(GPtrArray *opts, const char *key)
{
    char *v = NULL;
    for (guint i = opts->len; i-- > 0;) {
        NetOpt *o = opts->pdata[i];
        if (strcmp(o->key, key))
            continue;
        if (!v)
            v = g_strdup(o->value);
        g_ptr_array_remove_index(opts, i);
    }
    return v;
}

bool net_parse_inet(const char *what, const char *s, const char *def, void *out,
                    GError **error)
{
    struct sockaddr_in *sin = out;
    const char *colon = strrchr(s, ':');
    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    char *end = NULL;
    unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (!colon || !colon[1] || *end || port > 65535) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s '%s': expected HOST:PORT (IPv4)", what, s);
        return false;
    }
    char *host = colon == s ? g_strdup(def) : g_strndup(s, colon - s);
    int ok = inet_pton(AF_INET, host, &sin->sin_addr);
    if (ok != 1)
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s '%s': '%s' is not an IPv4 address", what, s, host);
    g_free(host);
    sin->sin_port = htons((uint16_t)port);
    return ok == 1;
}

static Netdev *find(const NetHub *hub, const char *id)
{
    for (guint i = 0; i < hub->netdevs->len; i++) {
        Netdev *nd = hub->netdevs->pdata[i];
        if (!strcmp(nd->id, id))
            return nd;
    }
    return NULL;
}

static bool id_valid(const char *id)
{
    if (!g_ascii_isalpha(id[0]))
        return false;
    for (const char *c = id; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '.')
            return false;
    return strlen(id) <= 64;
}

/* A backend of `type` named `id` from opts (which it consumes). */
static bool add(NetHub *hub, const char *what, const char *type, const char *id, GPtrArray *opts,
                GError **error)
{
    const NetBackendOps *ops = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++)
        if (!strcmp(backends[i]->type, type))
            ops = backends[i];
    if (!ops) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s: unknown network backend type '%s' (user, socket, tap)",
                    what, type);
        return false;
    }
    if (!id_valid(id)) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s: id '%s' is not a name ([A-Za-z][A-Za-z0-9._-]*)",
                    what, id);
        return false;
    }
    if (find(hub, id)) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s: a network backend '%s' already exists", what, id);
        return false;
    }
    for (guint i = 0; i < opts->len; i++) {
        const NetOpt *o = opts->pdata[i];
        if (!g_strv_contains((const char *const *)ops->keys, o->key)) {
            char *known = g_strjoinv(", ", (char **)ops->keys);
            g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s %s: unknown option '%s' (known: %s)", what, type,
                        o->key, known);
            g_free(known);
            return false;
        }
    }
    Netdev *nd = g_new0(Netdev, 1);
    nd->hub = hub;
    nd->id = g_strdup(id);
    nd->type = g_strdup(type);
    nd->link_up = true;
    nd->quiet = NET_BUSY_POLLS;
    nd->ops = ops;
    g_queue_init(&nd->queue);
    if (!ops->open(nd, opts, error)) {
        g_prefix_error(error, "%s %s,id=%s: ", what, type, id);
        netdev_free(nd);
        return false;
    }
    g_ptr_array_add(hub->netdevs, nd);
    return true;
}

bool net_hub_option(NetHub *hub, const char *opt, const char *spec, GError **error)
{
    if (!strcmp(opt, "-netdev"))
        return net_hub_add_netdev(hub, spec, error);
    if (!strcmp(opt, "-nic"))
        return net_hub_add_nic(hub, spec, error);
    return net_hub_add_net(hub, spec, error);
}

bool net_hub_add_netdev(NetHub *hub, const char *spec, GError **error)
{
    GPtrArray *opts;
    char *type = split_spec("-netdev", spec, &opts, error);
    if (!type)
        return false;
    char *id = take_opt(opts, "id");
    bool ok = false;
    if (!id)
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "-netdev '%s': missing id=ID", spec);
    else
        ok = add(hub, "-netdev", type, id, opts, error);
    g_free(id);
    g_free(type);
    g_ptr_array_unref(opts);
    return ok;
}

/* model=lance is the only NIC model there is; anything else is refused. */
static bool check_model(const char *what, GPtrArray *opts, GError **error)
{
    char *model = take_opt(opts, "model");
    bool ok = !model || !strcmp(model, "lance");
    if (!ok)
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "%s: unsupported NIC model '%s' (the SS-5 has: lance)",
                    what, model);
    g_free(model);
    return ok;
}

bool net_hub_add_nic(NetHub *hub, const char *spec, GError **error)
{
    GPtrArray *opts;
    char *type = split_spec("-nic", spec, &opts, error);
    if (!type)
        return false;
    char *id = take_opt(opts, "id");
    if (!id)
        id = g_strdup_printf("nic%u", hub->n_nic);
    bool ok = check_model("-nic", opts, error) && add(hub, "-nic", type, id, opts, error);
    if (ok) {
        hub->n_nic++;
        g_ptr_array_add(hub->bindings, g_strdup(id));
    }
    g_free(id);
    g_free(type);
    g_ptr_array_unref(opts);
    return ok;
}

bool net_hub_add_net(NetHub *hub, const char *spec, GError **error)
{
    GPtrArray *opts;
    char *type = split_spec("-net", spec, &opts, error);
    if (!type)
        return false;
    bool ok = false;
    if (strcmp(type, "nic")) {
        g_set_error(error, NET_ERROR, NET_ERROR_SPEC,
                    "-net %s: only '-net nic,netdev=ID' is supported (use -netdev or -nic)", type);
    } else {
        char *netdev = take_opt(opts, "netdev");
        ok = check_model("-net nic", opts, error);
        if (ok && !netdev) {
            g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "-net nic: missing netdev=ID");
            ok = false;
        } else if (ok && opts->len) {
            g_set_error(error, NET_ERROR, NET_ERROR_SPEC, "-net nic: unknown option '%s' (netdev, model)",
                        ((NetOpt *)opts->pdata[0])->key);
            ok = false;
        }
        if (ok)
            g_ptr_array_add(hub->bindings, g_strdup(netdev));
        g_free(netdev);
    }
    g_free(type);
    g_ptr_array_unref(opts);
    return ok;
}

/* ---- NICs ---- */

__attribute__((format(printf, 2, 3))) static void attach_failed(NetHub *hub, const char *fmt, ...)
{
    if (hub->attach_error)
        return;
    va_list ap;
    va_start(ap, fmt);
    hub->attach_error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

TesseraNetdev *net_hub_attach(NetHub *hub, const char *id, const char *nic,
                              const TesseraNetClient *client)
{
    if (!hub)
        return NULL;
    if (!id) {
        if (hub->next_nic >= hub->bindings->len)
            return NULL;
        id = hub->bindings->pdata[hub->next_nic++];
    }
    Netdev *nd = find(hub, id);
    if (!nd) {
        attach_failed(hub, "%s: netdev '%s': no such network backend (-netdev TYPE,id=%s)", nic,
                      id, id);
        return NULL;
    }
    if (nd->nic) {
        attach_failed(hub, "%s: netdev '%s' is already the backend of %s", nic, id, nd->nic);
        return NULL;
    }
    if (!client || client->size_of < sizeof(TesseraNetClient) || !client->can_receive ||
        !client->receive) {
        attach_failed(hub, "%s: netdev '%s': malformed TesseraNetClient", nic, id);
        return NULL;
    }
    nd->client = *client;
    nd->nic = g_strdup(nic);
    return nd;
}

bool net_hub_check(NetHub *hub, GError **error)
{
    if (!hub)
        return true;
    if (hub->attach_error) {
        g_set_error(error, NET_ERROR, 0, "%s", hub->attach_error);
        return false;
    }
    for (guint i = 0; i < hub->netdevs->len; i++) {
        Netdev *nd = hub->netdevs->pdata[i];
        if (!nd->nic) {
            g_set_error(error, NET_ERROR, 0,
                        "network backend '%s' is not connected to any NIC (the machine has "
                        "fewer NICs than -nic/-net nic options, or no -net nic,netdev=%s)",
                        nd->id, nd->id);
            return false;
        }
    }
    return true;
}

int net_send(TesseraNetdev *nd, const void *frame, size_t len)
{
    if (!nd->link_up || len < TESSERA_NET_FRAME_MIN || len > TESSERA_NET_FRAME_MAX ||
        nd->ops->send(nd, frame, len)) {
        nd->count.tx_dropped++;
        return -1;
    }
    nd->count.tx_frames++;
    nd->quiet = 0;
    return 0;
}

bool net_link_up(TesseraNetdev *nd)
{
    return nd->link_up;
}

/* ---- frames from the network ---- */

void net_deliver(Netdev *nd, const uint8_t *frame, size_t len)
{
    if (len < TESSERA_NET_FRAME_MIN || len > TESSERA_NET_FRAME_MAX) {
        nd->count.rx_dropped++;
        nd->count.rx_malformed++;
        return;
    }
    if (!nd->link_up || !nd->nic || g_queue_get_length(&nd->queue) >= NET_QUEUE_MAX) {
        nd->count.rx_dropped++;
        return;
    }
    g_queue_push_tail(&nd->queue, g_bytes_new(frame, len));
    nd->quiet = 0;
}

bool net_may_read(Netdev *nd)
{
    return g_queue_get_length(&nd->queue) < NET_QUEUE_MAX;
}

/* Hand the NIC what it takes now; bounded by the queue length. */
static void flush(Netdev *nd)
{
    for (guint n = g_queue_get_length(&nd->queue); n > 0; n--) {
        if (!nd->client.can_receive(nd->client.opaque))
            return;
        GBytes *b = g_queue_pop_head(&nd->queue);
        gsize len;
        const uint8_t *data = g_bytes_get_data(b, &len);
        nd->count.rx_frames++;
        nd->client.receive(nd->client.opaque, data, len);
        g_bytes_unref(b);
    }
}

void net_hub_poll(NetHub *hub, int timeout_ms)
{
    if (!hub || !hub->netdevs->len)
        return;
    guint n = hub->netdevs->len;
    guint first[n];
    g_array_set_size(hub->pfds, 0);
    for (guint i = 0; i < n; i++) {
        Netdev *nd = hub->netdevs->pdata[i];
        if (nd->quiet < NET_BUSY_POLLS)
            nd->quiet++;
        first[i] = hub->pfds->len;
        nd->ops->fill(nd, hub->pfds, net_may_read(nd), &timeout_ms);
        if (!g_queue_is_empty(&nd->queue))
            timeout_ms = 0;
    }
    int r = poll((struct pollfd *)(void *)hub->pfds->data, hub->pfds->len, timeout_ms);
    if (r < 0 && errno != EINTR)
        g_warning("network poll: %s", g_strerror(errno));
    for (guint i = 0; i < n; i++) {
        Netdev *nd = hub->netdevs->pdata[i];
        if (r < 0)
            for (guint k = first[i]; k < hub->pfds->len; k++)
                g_array_index(hub->pfds, struct pollfd, k).revents = 0;
        nd->ops->dispatch(nd, hub->pfds, first[i]);
        if (nd->nic)
            flush(nd);
    }
}

bool net_hub_busy(const NetHub *hub)
{
    for (guint i = 0; hub && i < hub->netdevs->len; i++) {
        Netdev *nd = hub->netdevs->pdata[i];
        if (!g_queue_is_empty(&nd->queue) || nd->quiet < NET_BUSY_POLLS)
            return true;
    }
    return false;
}

/* ---- monitor ---- */

void net_hub_info(const NetHub *hub, GString *out)
{
    if (!hub || !hub->netdevs->len) {
        g_string_append(out, "no network backends\n");
        return;
    }
    for (guint i = 0; i < hub->netdevs->len; i++) {
        Netdev *nd = hub->netdevs->pdata[i];
        const NetCounters *c = &nd->count;
        g_string_append_printf(out, "%s: type=%s nic=%s link=%s ", nd->id, nd->type,
                               nd->nic ? nd->nic : "-", nd->link_up ? "up" : "down");
        nd->ops->info(nd, out);
        g_string_append_printf(out,
                               "\n  tx: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                               " dropped, %" G_GUINT64_FORMAT " filtered"
                               "\n  rx: %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                               " dropped (%" G_GUINT64_FORMAT " malformed), %u queued\n",
                               c->tx_frames, c->tx_dropped, c->tx_filtered, c->rx_frames,
                               c->rx_dropped, c->rx_malformed, g_queue_get_length(&nd->queue));
    }
}

bool net_hub_set_link(NetHub *hub, const char *id, bool up, GError **error)
{
    Netdev *nd = hub ? find(hub, id) : NULL;
    if (!nd) {
        g_set_error(error, NET_ERROR, 0, "set_link: no network backend '%s'", id);
        return false;
    }
    nd->link_up = up;
    if (!up)
        g_queue_clear_full(&nd->queue, (GDestroyNotify)g_bytes_unref);
    return true;
}

bool net_hub_hostfwd(NetHub *hub, const char *id, const char *rule, bool add_rule,
                     GError **error)
{
    const char *cmd = add_rule ? "hostfwd_add" : "hostfwd_remove";
    Netdev *nd = NULL;
    for (guint i = 0; hub && !id && i < hub->netdevs->len; i++) {
        Netdev *d = hub->netdevs->pdata[i];
        if (d->ops->hostfwd) {
            nd = d;
            break;
        }
    }
    if (id)
        nd = hub ? find(hub, id) : NULL;
    if (!nd) {
        g_set_error(error, NET_ERROR, 0, id ? "%s: no network backend '%s'"
                                            : "%s: no user-mode network backend", cmd, id);
        return false;
    }
    if (!nd->ops->hostfwd) {
        g_set_error(error, NET_ERROR, 0, "%s: backend '%s' is of type %s, not user", cmd, nd->id,
                    nd->type);
        return false;
    }
    if (!nd->ops->hostfwd(nd, rule, add_rule, error)) {
        g_prefix_error(error, "%s %s: ", cmd, nd->id);
        return false;
    }
    return true;
}

bool net_hub_command(NetHub *hub, char **argv, GString *out)
{
    const char *cmd = argv[0];
    guint argc = g_strv_length(argv);
    GError *error = NULL;
    bool ok;
    if (!strcmp(cmd, "set_link")) {
        if (argc != 3 || (strcmp(argv[2], "on") && strcmp(argv[2], "off"))) {
            g_string_append(out, "usage: set_link NAME on|off\n");
            return true;
        }
        ok = net_hub_set_link(hub, argv[1], !strcmp(argv[2], "on"), &error);
    } else if (!strcmp(cmd, "hostfwd_add") || !strcmp(cmd, "hostfwd_remove")) {
        if (argc != 2 && argc != 3) {
            g_string_append_printf(out, "usage: %s [NETDEV] %s\n", cmd,
                                   cmd[8] == 'a' ? "tcp|udp:[HOSTADDR]:PORT-[GUESTADDR]:PORT"
                                                 : "tcp|udp:[HOSTADDR]:PORT");
            return true;
        }
        ok = net_hub_hostfwd(hub, argc == 3 ? argv[1] : NULL, argv[argc - 1], cmd[8] == 'a',
                             &error);
    } else {
        return false;
    }
    if (!ok) {
        g_string_append_printf(out, "Error: %s\n", error->message);
        g_error_free(error);
    }
    return true;
}
