/* SPDX-License-Identifier: MIT */
/* QMP's migration commands: migrate, migrate-incoming, migrate_cancel,
 * query-migrate, migrate-set-parameters, migrate-set-capabilities. */
#ifndef CORE_MIGRATE_QMP_H
#define CORE_MIGRATE_QMP_H

#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "session.h"

/* False when `name` is not one of them. Otherwise *ret is the reply (NULL: an
 * empty object) or *error is set. */
bool migrate_qmp_command(Session *s, const char *name, JsonObject *args, JsonNode **ret,
                         GError **error);

#endif /* CORE_MIGRATE_QMP_H */
