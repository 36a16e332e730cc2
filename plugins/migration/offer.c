/* SPDX-License-Identifier: MIT */
/* The migration handshake's offers and their negotiation (offer.h). */
#include "offer.h"

#include <stdio.h>
#include <string.h>

#include "format.h"
#include "stream.h"
#include "wire.h"

/* Bounds on what a peer may offer, so a hostile HELO cannot make us allocate much. */
#define OFFER_MAX_DEVICES 1024u
#define OFFER_MAX_MEMORY 64u
#define OFFER_MAX_CONVERTERS 64u
#define OFFER_MAX_BYTES (1u << 20)

void offer_encode(GByteArray *b, const TesseraMachineView *m)
{
    wire_put_str(b, m->machine ? m->machine : "");
    wire_put_u32(b, m->n_instances);
    for (uint32_t i = 0; i < m->n_instances; i++) {
        const TesseraInstanceInfo *inst = &m->instances[i];
        const TesseraStateSchema *s = inst->migration_blocker ? NULL : inst->schema;
        wire_put_str(b, inst->name);
        wire_put_str(b, inst->plugin);
        wire_put_str(b, inst->plugin_version);
        wire_put_u32(b, inst->kind);
        wire_put_u32(b, s ? 1 : 0);
        if (!s) {
            wire_put_str(b, inst->migration_blocker ? inst->migration_blocker : "no state schema");
            continue;
        }
        uint32_t n = s->converters ? s->n_converters : 0;
        wire_put_str(b, s->name);
        wire_put_u32(b, s->version);
        wire_put_u32(b, s->load_min);
        wire_put_u32(b, s->save_min);
        wire_put_u32(b, n);
        for (uint32_t c = 0; c < n; c++) {
            wire_put_u32(b, s->converters[c].from);
            wire_put_u32(b, s->converters[c].to);
        }
    }
    wire_put_u32(b, m->n_memory);
    for (uint32_t i = 0; i < m->n_memory; i++) {
        wire_put_str(b, m->memory[i].name);
        wire_put_u64(b, m->memory[i].pa);
        wire_put_u64(b, m->memory[i].length);
        wire_put_u32(b, m->memory[i].readonly);
    }
}

void offer_free(Offer *o)
{
    if (!o)
        return;
    for (uint32_t i = 0; i < o->n_devices; i++) {
        OfferDevice *d = &o->devices[i];
        g_free(d->name);
        g_free(d->plugin);
        g_free(d->plugin_version);
        g_free(d->blocker);
        g_free(d->schema_name);
        g_free(d->converters);
    }
    for (uint32_t i = 0; i < o->n_memory; i++)
        g_free(o->memory[i].name);
    g_free(o->devices);
    g_free(o->memory);
    g_free(o->machine);
    g_free(o);
}

static bool decode_device(WireReader *r, OfferDevice *d)
{
    uint32_t has_schema = 0;
    d->name = wire_str(r);
    d->plugin = wire_str(r);
    d->plugin_version = wire_str(r);
    wire_u32(r, &d->kind);
    wire_u32(r, &has_schema);
    if (!has_schema) {
        d->blocker = wire_str(r);
        return !r->bad;
    }
    uint32_t n = 0;
    d->schema_name = wire_str(r);
    wire_u32(r, &d->schema.version);
    wire_u32(r, &d->schema.load_min);
    wire_u32(r, &d->schema.save_min);
    wire_u32(r, &n);
    if (r->bad || n > OFFER_MAX_CONVERTERS || d->schema.version == 0 ||
        d->schema.load_min == 0 || d->schema.save_min == 0 ||
        d->schema.load_min > d->schema.version || d->schema.save_min > d->schema.version)
        return false;
    d->converters = g_new0(TesseraConverter, n ? n : 1);
    for (uint32_t c = 0; c < n; c++) {
        wire_u32(r, &d->converters[c].from);
        wire_u32(r, &d->converters[c].to);
    }
    d->schema.name = d->schema_name;
    d->schema.converters = d->converters;
    d->schema.n_converters = n;
    return !r->bad;
}

Offer *offer_decode(const uint8_t *p, size_t len, char *err, size_t errlen)
{
    WireReader r;
    wire_reader_init(&r, p, len);
    Offer *o = g_new0(Offer, 1);
    uint32_t n = 0;
    o->machine = wire_str(&r);
    wire_u32(&r, &n);
    if (r.bad || n > OFFER_MAX_DEVICES)
        goto bad;
    o->devices = g_new0(OfferDevice, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        o->n_devices = i + 1;
        if (!decode_device(&r, &o->devices[i]))
            goto bad;
    }
    wire_u32(&r, &n);
    if (r.bad || n > OFFER_MAX_MEMORY)
        goto bad;
    o->memory = g_new0(OfferMemory, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        OfferMemory *m = &o->memory[i];
        o->n_memory = i + 1;
        m->name = wire_str(&r);
        wire_u64(&r, &m->pa);
        wire_u64(&r, &m->length);
        wire_u32(&r, &m->readonly);
    }
    if (r.bad || wire_remaining(&r))
        goto bad;
    return o;
bad:
    snprintf(err, errlen, "the handshake's offer (HELO section) is malformed");
    offer_free(o);
    return NULL;
}

static const OfferDevice *find_device(const Offer *o, const char *name)
{
    for (uint32_t i = 0; i < o->n_devices; i++)
        if (!strcmp(o->devices[i].name, name))
            return &o->devices[i];
    return NULL;
}

static const OfferMemory *find_memory(const Offer *o, const char *name)
{
    for (uint32_t i = 0; i < o->n_memory; i++)
        if (!strcmp(o->memory[i].name, name))
            return &o->memory[i];
    return NULL;
}

static int negotiate_device(const OfferDevice *s, const OfferDevice *d, uint32_t *out, char *err,
                            size_t errlen)
{
    if (strcmp(s->plugin, d->plugin)) {
        snprintf(err, errlen, "device '%s': plugin %s on the source, %s on the destination",
                 s->name, s->plugin, d->plugin);
        return -1;
    }
    const OfferDevice *blocked = s->blocker ? s : d->blocker ? d : NULL;
    if (blocked) {
        snprintf(err, errlen, "device '%s' (%s): migration blocked on the %s (%s %s): %s",
                 s->name, s->plugin, blocked == s ? "source" : "destination", blocked->plugin,
                 blocked->plugin_version, blocked->blocker);
        return -1;
    }
    if (strcmp(s->schema_name, d->schema_name)) {
        snprintf(err, errlen, "device '%s' (%s): schema %s on the source, %s on the destination",
                 s->name, s->plugin, s->schema_name, d->schema_name);
        return -1;
    }
    if (!negotiate_save(&s->schema, &d->schema, out)) {
        snprintf(err, errlen,
                 "device '%s' (%s): no common state version: source %s %s saves v%u-v%u, "
                 "destination %s %s loads v%u-v%u",
                 s->name, s->plugin, s->plugin, s->plugin_version, s->schema.save_min,
                 s->schema.version, d->plugin, d->plugin_version, d->schema.load_min,
                 d->schema.version);
        return -1;
    }
    return 0;
}

int offer_negotiate(const Offer *src, const Offer *dst, uint32_t *versions, char *err,
                    size_t errlen)
{
    if (strcmp(src->machine, dst->machine)) {
        snprintf(err, errlen, "machine %s on the source, %s on the destination", src->machine,
                 dst->machine);
        return -1;
    }
    for (uint32_t i = 0; i < src->n_memory; i++) {
        const OfferMemory *s = &src->memory[i], *d = find_memory(dst, s->name);
        if (!d) {
            snprintf(err, errlen, "memory '%s' of the source is not on the destination", s->name);
            return -1;
        }
        if (d->length != s->length || d->pa != s->pa) {
            snprintf(err, errlen, "memory '%s': %llu bytes at 0x%llx on the source, %llu bytes "
                     "at 0x%llx on the destination (start the destination with the same -m)",
                     s->name, (unsigned long long)s->length, (unsigned long long)s->pa,
                     (unsigned long long)d->length, (unsigned long long)d->pa);
            return -1;
        }
    }
    for (uint32_t i = 0; i < dst->n_memory; i++)
        if (!find_memory(src, dst->memory[i].name)) {
            snprintf(err, errlen, "memory '%s' of the destination is not on the source",
                     dst->memory[i].name);
            return -1;
        }
    for (uint32_t i = 0; i < src->n_devices; i++) {
        const OfferDevice *s = &src->devices[i], *d = find_device(dst, s->name);
        if (!d) {
            snprintf(err, errlen, "device '%s' (%s) of the source is not on the destination",
                     s->name, s->plugin);
            return -1;
        }
        if (negotiate_device(s, d, &versions[i], err, errlen) < 0)
            return -1;
    }
    for (uint32_t i = 0; i < dst->n_devices; i++)
        if (!find_device(src, dst->devices[i].name)) {
            snprintf(err, errlen, "device '%s' (%s) of the destination is not on the source",
                     dst->devices[i].name, dst->devices[i].plugin);
            return -1;
        }
    return 0;
}

int offer_exchange(const TesseraMachineView *m, StreamOut *out, StreamIn *in, int fd,
                   Offer **mine, Offer **theirs, char *err, size_t errlen)
{
    g_autoptr(GByteArray) ours = g_byte_array_new();
    g_autoptr(GByteArray) peer = g_byte_array_new();
    offer_encode(ours, m);
    stream_put_header(out);
    stream_put_section(out, TSNAP_SECTION_OFFER, ours->data, ours->len);
    if (stream_flush(out, fd, in->timeout_ms, in->peer, err, errlen) < 0)
        return -1;
    uint32_t type = 0;
    if (stream_read_header(in, err, errlen) < 0 ||
        stream_read_section(in, &type, peer, OFFER_MAX_BYTES, err, errlen) != 1)
        return -1;
    if (type != TSNAP_SECTION_OFFER) {
        snprintf(err, errlen, "the %s began with a %s section, not its offer", in->peer,
                 tsnap_section_name(type));
        return -1;
    }
    if (!(*mine = offer_decode(ours->data, ours->len, err, errlen)))
        return -1;
    return (*theirs = offer_decode(peer->data, peer->len, err, errlen)) ? 0 : -1;
}
