/* SPDX-License-Identifier: MIT */
/* The migration-tsnap plugin: the .tsnap format behind TesseraMigrationClass. */
#include <tessera/tessera.h>

#include "manifest.h"
#include "snapshot.h"

static const TesseraMigrationClass tsnap_class = {
    .size = sizeof(TesseraMigrationClass),
    .format = "tsnap",
    .save = tsnap_save,
    .load = tsnap_load,
    .manifest = tsnap_manifest_of_file,
    .outgoing_start = tsnap_outgoing_start,
    .outgoing_step = tsnap_outgoing_step,
    .outgoing_set_params = tsnap_outgoing_set_params,
    .outgoing_free = tsnap_outgoing_free,
    .incoming = tsnap_incoming,
};

TESSERA_PLUGIN(.name = "migration-tsnap", .version = "1.1.0", .kind = TESSERA_PLUGIN_MIGRATION,
               .license = "MIT",
               .description = "Self-describing .tsnap snapshots and live migration with per-device version negotiation",
               .iface = &tsnap_class);
