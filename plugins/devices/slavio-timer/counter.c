/* SPDX-License-Identifier: MIT */
/* The registers of one SLAVIO counter (counter.h), for every version of the plugin,
 * and their wiring to the host. */
#include "counter.h"

#include <stdio.h>

/* Ticks of one period: the counter wraps to 0 after this many. */
static uint64_t period_ticks(uint32_t limit)
{
    uint64_t ticks = (uint64_t)((limit ? limit : COUNT_MASK32) >> TICK_SHIFT);
    return ticks > 1 ? ticks - 1 : 1;
}

void slavio_count_catch_up(SlavioCount *c, uint64_t now)
{
    if (c->user)
        return;
    uint64_t period_ns = period_ticks(c->limit) * TICK_NS;
    if (now < c->start_ns + period_ns)
        return;
    c->start_ns += (now - c->start_ns) / period_ns * period_ns;
    if (c->limit) {
        c->reached = true;
        c->irq = true;
    }
}

uint64_t slavio_count_deadline(const SlavioCount *c)
{
    if (!c->limit || c->user)
        return SLAVIO_NO_DEADLINE;
    return c->start_ns + period_ticks(c->limit) * TICK_NS;
}

static uint32_t count_value(const SlavioCount *c, uint64_t now)
{
    uint64_t ticks = (now - c->start_ns) / TICK_NS % period_ticks(c->limit);
    return (uint32_t)(ticks << TICK_SHIFT) & COUNT_MASK32;
}

static uint64_t user_value(const SlavioCount *c, uint64_t now)
{
    uint64_t v = c->user_count;
    if (c->run)
        v += ((now - c->start_ns) / TICK_NS) << TICK_SHIFT;
    return v & COUNT_MASK64;
}

static void user_load(SlavioCount *c, uint64_t value, uint64_t now)
{
    c->user_count = value & COUNT_MASK64;
    c->start_ns = now;
    c->reached = false;
}

uint32_t slavio_count_read(SlavioCount *c, uint64_t offset, uint64_t now, bool *known)
{
    *known = true;
    switch (offset) {
    case TIMER_LIMIT:
        if (c->user)
            return (uint32_t)(user_value(c, now) >> 32) | (c->reached ? REACHED : 0);
        slavio_count_catch_up(c, now);
        c->reached = false;
        c->irq = false;
        return c->limit;
    case TIMER_COUNTER:
        if (c->user)
            return (uint32_t)user_value(c, now);
        slavio_count_catch_up(c, now);
        return count_value(c, now) | (c->reached ? REACHED : 0);
    case TIMER_LIMIT_NORST:
        return 0;
    case TIMER_RUN:
        return c->cpu && c->run;
    }
    *known = false;
    return 0;
}

bool slavio_count_write(SlavioCount *c, uint64_t offset, uint32_t v, uint64_t now)
{
    switch (offset) {
    case TIMER_LIMIT:
        if (c->user) {
            uint64_t low = user_value(c, now) & 0xffffffffu;
            user_load(c, ((uint64_t)(v & 0x7fffffffu) << 32) | low, now);
        } else {
            c->irq = false;
            c->limit = v & COUNT_MASK32;
            c->start_ns = now;
        }
        return true;
    case TIMER_COUNTER:
        if (!c->user)
            return false;
        user_load(c, (user_value(c, now) & ~UINT64_C(0xffffffff)) | (v & COUNT_MASK32), now);
        return true;
    case TIMER_LIMIT_NORST:
        if (c->user)
            return false;
        slavio_count_catch_up(c, now);
        c->limit = v & COUNT_MASK32;
        slavio_count_catch_up(c, now); /* a limit below the count matches at once */
        return true;
    case TIMER_RUN:
        if (!c->cpu)
            return false;
        if (c->user && c->run != (v & 1)) {
            if (v & 1)
                c->start_ns = now;
            else
                c->user_count = user_value(c, now);
        }
        c->run = v & 1;
        return true;
    }
    return false;
}

void slavio_count_set_user(SlavioCount *c, bool user, uint64_t now)
{
    c->limit = 0;
    if (user) {
        /* Counter -> user timer: counts from 0, running as +0xc says, no IRQ. */
        c->irq = false;
        user_load(c, 0, now);
    } else {
        /* User timer -> counter: free-running from 0 until a limit is written. */
        c->start_ns = now;
    }
    c->user = user;
}

void slavio_count_reset(SlavioCount *c, uint64_t now)
{
    c->start_ns = now;
    c->user_count = 0;
    c->limit = 0;
    c->reached = false;
    c->irq = false;
    c->run = true;
    c->user = false;
}

/* ---- the host side ---- */

/* Set the timer for c's next limit match, unless it is set for it already (most
 * register accesses leave the deadline alone). */
static void arm(SlavioPort *p, const SlavioCount *c)
{
    uint64_t deadline = slavio_count_deadline(c);
    if (deadline == p->armed)
        return;
    if (deadline == SLAVIO_NO_DEADLINE)
        tessera_timer_del(p->host, p->timer);
    else
        tessera_timer_mod(p->host, p->timer, deadline);
    p->armed = deadline;
}

void slavio_port_commit(SlavioPort *p, const SlavioCount *c)
{
    bool irq_before = p->load(p->dev, p->index).irq;
    p->store(p->dev, p->index, c);
    if (irq_before != c->irq)
        tessera_irq_set(p->host, p->out, c->irq);
    arm(p, c);
}

void slavio_port_restore(SlavioPort *p)
{
    SlavioCount c = p->load(p->dev, p->index);
    tessera_irq_set(p->host, p->out, c.irq);
    p->armed = 0; /* unknown: no deadline is 0 (a period is at least one tick) */
    arm(p, &c);
}

static void port_expired(void *opaque, uint64_t now)
{
    SlavioPort *p = opaque;
    p->armed = SLAVIO_NO_DEADLINE; /* it fired */
    SlavioCount c = p->load(p->dev, p->index);
    slavio_count_catch_up(&c, now);
    slavio_port_commit(p, &c);
}

static uint64_t port_read(void *opaque, uint64_t offset, unsigned size)
{
    SlavioPort *p = opaque;
    if (p->user_mode_read && offset == TIMER_USER_MODE)
        return p->user_mode_read(p->dev);
    SlavioCount c = p->load(p->dev, p->index);
    bool known;
    uint32_t value = slavio_count_read(&c, offset, tessera_clock_ns(p->host), &known);
    slavio_port_commit(p, &c);
    if (!known)
        tessera_log(p->host, TESSERA_LOG_DEBUG, "%s counter: read of unknown register 0x%llx",
                    p->name, (unsigned long long)offset);
    return value;
}

static void port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    SlavioPort *p = opaque;
    uint64_t now = tessera_clock_ns(p->host);
    if (p->user_mode_write && offset == TIMER_USER_MODE) {
        p->user_mode_write(p->dev, (uint32_t)value, now);
        return;
    }
    SlavioCount c = p->load(p->dev, p->index);
    bool known = slavio_count_write(&c, offset, (uint32_t)value, now);
    slavio_port_commit(p, &c);
    if (!known)
        tessera_log(p->host, TESSERA_LOG_DEBUG,
                    "%s counter: write 0x%08x to register 0x%llx ignored", p->name,
                    (uint32_t)value, (unsigned long long)offset);
}

int slavio_port_init(SlavioPort *p, char *err, size_t errlen)
{
    TesseraMmioRegion region = {
        .size_of = sizeof(TesseraMmioRegion),
        .name = p->name,
        .size = p->user_mode_read ? SYSTEM_SIZE : CPU_SIZE,
        .widths = TESSERA_WIDTH_4,
        .read = port_read,
        .write = port_write,
    };
    if (tessera_mmio_add(p->host, &region, p, err, errlen))
        return -1;
    p->out = tessera_irq_out(p->host, p->name, 0);
    p->timer = tessera_timer_new(p->host, port_expired, p);
    p->armed = SLAVIO_NO_DEADLINE;
    if (!p->timer) {
        snprintf(err, errlen, "cannot create the %s timer", p->name);
        return -1;
    }
    return 0;
}
