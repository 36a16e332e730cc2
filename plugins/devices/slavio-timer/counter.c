/* SPDX-License-Identifier: MIT */
/* The registers of one SLAVIO counter (counter.h), for every version of the plugin. */
#include "counter.h"

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
