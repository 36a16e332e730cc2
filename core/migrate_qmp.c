/* SPDX-License-Identifier: MIT */
/* The QMP commands of live migration, with QEMU's names and members. */
#include "migrate_qmp.h"

#include <string.h>

#include "escape_stream.h"
#include "migrate.h"

#define QMP_MIGRATE_ERROR g_quark_from_static_string("tessera-qmp-migrate")

static JsonNode *object_node(JsonObject *o)
{
    JsonNode *n = json_node_init_object(json_node_alloc(), o);
    json_object_unref(o);
    return n;
}

static const char *uri_argument(JsonObject *args, GError **error)
{
    JsonNode *n = args ? json_object_get_member(args, "uri") : NULL;
    if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
        g_set_error(error, QMP_MIGRATE_ERROR, 0, "Parameter 'uri' is missing or not a string");
        return NULL;
    }
    return json_node_get_string(n);
}

static JsonNode *query_migrate(Session *s)
{
    MigrateInfo i;
    migrate_info(s, &i);
    const TesseraMigrateStats *st = &i.stats;
    JsonObject *o = json_object_new();
    if (i.status == MIGRATE_NONE)
        return object_node(o);
    json_object_set_string_member(o, "status", i.status_name);
    json_object_set_int_member(o, "total-time", (gint64)i.total_time_ms);
    if (i.status == MIGRATE_COMPLETED)
        json_object_set_int_member(o, "downtime", (gint64)st->downtime_ms);
    else
        json_object_set_int_member(o, "expected-downtime", (gint64)st->expected_downtime_ms);
    if (i.error) {
        char *safe = escape_text(i.error, strlen(i.error)); /* the peer's words */
        json_object_set_string_member(o, "error-desc", safe);
        g_free(safe);
    }
    json_object_set_int_member(o, "cpu-throttle-percentage", st->throttle_pct);
    JsonObject *ram = json_object_new();
    json_object_set_int_member(ram, "transferred", (gint64)st->transferred);
    json_object_set_int_member(ram, "remaining", (gint64)st->remaining);
    json_object_set_int_member(ram, "total", (gint64)st->total_ram);
    json_object_set_int_member(ram, "duplicate", (gint64)st->zero_pages);
    json_object_set_int_member(ram, "normal", (gint64)st->normal_pages);
    json_object_set_int_member(ram, "dirty-pages-rate", (gint64)(st->dirty_rate / 4096));
    json_object_set_int_member(ram, "dirty-sync-count", (gint64)st->iterations);
    json_object_set_double_member(ram, "mbps", (double)st->bandwidth * 8 / 1e6);
    json_object_set_int_member(ram, "page-size", 4096);
    json_object_set_object_member(o, "ram", ram);
    return object_node(o);
}

static bool set_parameters(Session *s, JsonObject *args, GError **error)
{
    static const char *const names[] = {"max-bandwidth", "downtime-limit"};
    GList *members = args ? json_object_get_members(args) : NULL;
    bool ok = true;
    for (GList *l = members; l && ok; l = l->next) {
        JsonNode *n = json_object_get_member(args, l->data);
        bool known = !strcmp(l->data, names[0]) || !strcmp(l->data, names[1]);
        if (known && (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
                      json_node_get_int(n) < 0)) {
            g_set_error(error, QMP_MIGRATE_ERROR, 0, "Parameter '%s' expects a number >= 0",
                        (const char *)l->data);
            ok = false;
        } else {
            ok = migrate_set_parameter(s, l->data, known ? (uint64_t)json_node_get_int(n) : 0,
                                       error);
        }
    }
    g_list_free(members);
    return ok;
}

/* {"capabilities": [{"capability": "auto-converge", "state": true}]} */
static bool set_capabilities(Session *s, JsonObject *args, GError **error)
{
    JsonNode *caps = args ? json_object_get_member(args, "capabilities") : NULL;
    if (!caps || !JSON_NODE_HOLDS_ARRAY(caps)) {
        g_set_error(error, QMP_MIGRATE_ERROR, 0, "Parameter 'capabilities' expects an array");
        return false;
    }
    JsonArray *a = json_node_get_array(caps);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonNode *e = json_array_get_element(a, i);
        JsonObject *c = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
        JsonNode *name = c ? json_object_get_member(c, "capability") : NULL;
        JsonNode *state = c ? json_object_get_member(c, "state") : NULL;
        if (!name || !state || !JSON_NODE_HOLDS_VALUE(name) || !JSON_NODE_HOLDS_VALUE(state) ||
            json_node_get_value_type(name) != G_TYPE_STRING ||
            json_node_get_value_type(state) != G_TYPE_BOOLEAN) {
            g_set_error(error, QMP_MIGRATE_ERROR, 0,
                        "capabilities[%u] needs 'capability' (a string) and 'state' (a boolean)",
                        i);
            return false;
        }
        if (!migrate_set_capability(s, json_node_get_string(name), json_node_get_boolean(state),
                                    error))
            return false;
    }
    return true;
}

bool migrate_qmp_command(Session *s, const char *name, JsonObject *args, JsonNode **ret,
                         GError **error)
{
    const char *uri;
    *ret = NULL;
    if (!strcmp(name, "migrate")) {
        if ((uri = uri_argument(args, error)))
            migrate_start(s, uri, error);
    } else if (!strcmp(name, "migrate-incoming")) {
        if ((uri = uri_argument(args, error)))
            migrate_incoming(s, uri, true, error);
    } else if (!strcmp(name, "migrate_cancel") || !strcmp(name, "migrate-cancel")) {
        migrate_cancel(s);
    } else if (!strcmp(name, "query-migrate")) {
        *ret = query_migrate(s);
    } else if (!strcmp(name, "migrate-set-parameters")) {
        set_parameters(s, args, error);
    } else if (!strcmp(name, "migrate-set-capabilities")) {
        set_capabilities(s, args, error);
    } else {
        return false;
    }
    return true;
}
