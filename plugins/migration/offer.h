/* SPDX-License-Identifier: MIT */
/*
 * The handshake of a live migration: each side's offer (machine, memory regions,
 * and per device its plugin, schema and the versions it loads and saves, with its
 * converters) in a HELO section, and the negotiation both sides run on the two
 * offers. Both sides reach the same verdict from the same two offers.
 */
#ifndef TSNAP_OFFER_H
#define TSNAP_OFFER_H

#include <glib.h>
#include <tessera/migration.h>

#include "negotiate.h"

typedef struct OfferDevice {
    char *name;
    char *plugin;
    char *plugin_version;
    uint32_t kind;
    char *blocker;        /* non-NULL: cannot migrate (no schema) */
    char *schema_name;
    SchemaInfo schema;    /* converters have no convert function */
    TesseraConverter *converters;
} OfferDevice;

typedef struct OfferMemory {
    char *name;
    uint64_t pa;
    uint64_t length;
    uint32_t readonly;
} OfferMemory;

typedef struct Offer {
    char *machine;
    uint32_t n_devices;
    OfferDevice *devices;
    uint32_t n_memory;
    OfferMemory *memory;
} Offer;

void offer_encode(GByteArray *b, const TesseraMachineView *m);

struct StreamOut;
struct StreamIn;
/* The handshake, the same on both sides: our stream header and offer out, the
 * peer's header and offer in; both decoded (*mine, *theirs). */
int offer_exchange(const TesseraMachineView *m, struct StreamOut *out, struct StreamIn *in,
                   int fd, Offer **mine, Offer **theirs, char *err, size_t errlen);
Offer *offer_decode(const uint8_t *p, size_t len, char *err, size_t errlen);
void offer_free(Offer *o);

/* One state version for each source device (versions[i] for src->devices[i]), or
 * -1 and one line naming what cannot be agreed: the machine, a memory region, or a
 * device with both sides' plugin and version ranges. */
int offer_negotiate(const Offer *src, const Offer *dst, uint32_t *versions, char *err,
                    size_t errlen);

#endif /* TSNAP_OFFER_H */
