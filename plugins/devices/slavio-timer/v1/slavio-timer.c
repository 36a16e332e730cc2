/* SPDX-License-Identifier: MIT */
/*
 * slavio-timer 1.x: the counter/timers of the SLAVIO chip (STP2001, also NCR89C105)
 * for a one-CPU sun4m: the system (level-10) counter and CPU 0's (level-14) counter.
 * State version 1. Kept beside 2.x (../v2/), which changed the state layout, so that
 * snapshots move between the two in both directions (docs/state-evolution.md); the
 * counter arithmetic both use is in ../counter.h.
 *
 * One TesseraTimer per counter fires at the next limit match.
 */
#include <stdbool.h>
#include <stdio.h>
#include <tessera/tessera.h>

#include "../counter.h"

enum { SYSTEM = 0, CPU0 = 1, N_COUNTERS = 2 };

typedef struct SlavioCounter {
    uint64_t start_ns;   /* virtual time the current period (user timer: count) began */
    uint64_t user_count; /* user timer: count (register units) at start_ns */
    uint32_t limit;      /* 0 = free-running */
    bool reached;        /* bit 31 of the counter and limit reads */
    bool irq;            /* output level */
    bool run;            /* +0xc: user timer running */
} SlavioCounter;

/* What each region's callbacks and each timer receive: the counter's index. */
typedef struct CounterRef {
    struct SlavioTimer *s;
    unsigned index;
} CounterRef;

typedef struct SlavioTimer {
    SlavioCounter counter[N_COUNTERS]; /* SYSTEM, CPU0 */
    uint32_t user_mode;                /* +0x10 of the system counter */

    /* Host side. */
    const TesseraHost *host;
    TesseraTimer *timer[N_COUNTERS];
    TesseraIrq *out[N_COUNTERS];
    CounterRef refs[N_COUNTERS];
} SlavioTimer;

static bool is_user(const SlavioTimer *s, unsigned index)
{
    return index == CPU0 && (s->user_mode & 1);
}

static uint64_t now_ns(const SlavioTimer *s)
{
    return tessera_clock_ns(s->host);
}

static void set_irq(SlavioTimer *s, unsigned index, bool level)
{
    SlavioCounter *c = &s->counter[index];
    if (c->irq != level) {
        c->irq = level;
        tessera_irq_set(s->host, s->out[index], level);
    }
}

/* Arm the limit-match event, if the counter can have one. */
static void arm(SlavioTimer *s, unsigned index)
{
    SlavioCounter *c = &s->counter[index];
    if (c->limit && !is_user(s, index))
        tessera_timer_mod(s->host, s->timer[index],
                          c->start_ns + slavio_period_ticks(c->limit) * TICK_NS);
    else
        tessera_timer_del(s->host, s->timer[index]);
}

/* Account for every period that ended by `now`: the counter restarts at the last
 * period boundary, and a limit match sets reached and raises the IRQ. */
static void catch_up(SlavioTimer *s, unsigned index, uint64_t now)
{
    SlavioCounter *c = &s->counter[index];
    if (is_user(s, index) || !slavio_catch_up(&c->start_ns, c->limit, now))
        return;
    if (c->limit) {
        c->reached = true;
        set_irq(s, index, true);
    }
}

static uint32_t counter_value(const SlavioTimer *s, unsigned index, uint64_t now)
{
    const SlavioCounter *c = &s->counter[index];
    return slavio_count(c->start_ns, c->limit, now);
}

static uint64_t user_value(const SlavioCounter *c, uint64_t now)
{
    return slavio_user_count(c->user_count, c->run, c->start_ns, now);
}

static void user_load(SlavioCounter *c, uint64_t value, uint64_t now)
{
    c->user_count = value & COUNT_MASK64;
    c->start_ns = now;
    c->reached = false;
}

static void expired(void *opaque, uint64_t now)
{
    CounterRef *ref = opaque;
    catch_up(ref->s, ref->index, now);
    arm(ref->s, ref->index);
}

static uint64_t timer_read(void *opaque, uint64_t offset, unsigned size)
{
    CounterRef *ref = opaque;
    SlavioTimer *s = ref->s;
    unsigned i = ref->index;
    SlavioCounter *c = &s->counter[i];
    uint64_t now = now_ns(s);

    switch (offset) {
    case TIMER_LIMIT:
        if (is_user(s, i))
            return (uint32_t)(user_value(c, now) >> 32) | (c->reached ? REACHED : 0);
        catch_up(s, i, now);
        c->reached = false;
        set_irq(s, i, false);
        return c->limit;
    case TIMER_COUNTER:
        if (is_user(s, i))
            return (uint32_t)user_value(c, now);
        catch_up(s, i, now);
        return counter_value(s, i, now) | (c->reached ? REACHED : 0);
    case TIMER_LIMIT_NORST:
        return 0;
    case TIMER_RUN:
        return i == CPU0 ? c->run : 0;
    case TIMER_USER_MODE:
        if (i == SYSTEM)
            return s->user_mode;
        break;
    }
    tessera_log(s->host, TESSERA_LOG_DEBUG, "counter %u: read of unknown register 0x%llx", i,
                (unsigned long long)offset);
    return 0;
}

static void set_user_mode(SlavioTimer *s, uint32_t value, uint64_t now)
{
    SlavioCounter *c = &s->counter[CPU0];
    uint32_t mode = value & 1; /* one CPU: only bit 0 exists */
    if (mode == s->user_mode)
        return;
    if (mode) {
        /* Counter -> user timer: counts from 0, running as +0xc says, no IRQ. */
        set_irq(s, CPU0, false);
        c->limit = 0;
        user_load(c, 0, now);
    } else {
        /* User timer -> counter: free-running from 0 until a limit is written. */
        c->limit = 0;
        c->start_ns = now;
    }
    s->user_mode = mode;
    arm(s, CPU0);
}

static void timer_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    CounterRef *ref = opaque;
    SlavioTimer *s = ref->s;
    unsigned i = ref->index;
    SlavioCounter *c = &s->counter[i];
    uint64_t now = now_ns(s);
    uint32_t v = (uint32_t)value;

    switch (offset) {
    case TIMER_LIMIT:
        if (is_user(s, i)) {
            uint64_t low = user_value(c, now) & 0xffffffffu;
            user_load(c, ((uint64_t)(v & 0x7fffffffu) << 32) | low, now);
            return;
        }
        set_irq(s, i, false);
        c->limit = v & COUNT_MASK32;
        c->start_ns = now;
        arm(s, i);
        return;
    case TIMER_COUNTER:
        if (is_user(s, i)) {
            uint64_t high = user_value(c, now) & ~UINT64_C(0xffffffff);
            user_load(c, high | (v & COUNT_MASK32), now);
            return;
        }
        break;
    case TIMER_LIMIT_NORST:
        if (is_user(s, i))
            break;
        catch_up(s, i, now);
        c->limit = v & COUNT_MASK32;
        catch_up(s, i, now); /* a limit below the count matches at once */
        arm(s, i);
        return;
    case TIMER_RUN:
        if (i != CPU0)
            break;
        if (is_user(s, i) && c->run != (v & 1)) {
            if (v & 1)
                c->start_ns = now;
            else
                c->user_count = user_value(c, now);
        }
        c->run = v & 1;
        return;
    case TIMER_USER_MODE:
        if (i != SYSTEM)
            break;
        set_user_mode(s, v, now);
        return;
    }
    tessera_log(s->host, TESSERA_LOG_DEBUG, "counter %u: write 0x%08x to register 0x%llx ignored",
                i, v, (unsigned long long)offset);
}

static const TesseraMmioRegion regions[N_COUNTERS] = {
    [SYSTEM] = {
        .size_of = sizeof(TesseraMmioRegion),
        .name = "system",
        .size = SYSTEM_SIZE,
        .widths = TESSERA_WIDTH_4,
        .read = timer_read,
        .write = timer_write,
    },
    [CPU0] = {
        .size_of = sizeof(TesseraMmioRegion),
        .name = "cpu0",
        .size = CPU_SIZE,
        .widths = TESSERA_WIDTH_4,
        .read = timer_read,
        .write = timer_write,
    },
};

static int slavio_timer_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    SlavioTimer *s = dev;
    s->host = host;
    for (unsigned i = 0; i < N_COUNTERS; i++) {
        s->refs[i].s = s;
        s->refs[i].index = i;
        if (tessera_mmio_add(host, &regions[i], &s->refs[i], err, errlen))
            return -1;
        s->out[i] = tessera_irq_out(host, regions[i].name, 0);
        s->timer[i] = tessera_timer_new(host, expired, &s->refs[i]);
        if (!s->timer[i]) {
            snprintf(err, errlen, "cannot create the %s timer", regions[i].name);
            return -1;
        }
    }
    return 0;
}

static void slavio_timer_reset(void *dev)
{
    SlavioTimer *s = dev;
    uint64_t now = now_ns(s);
    s->user_mode = 0;
    for (unsigned i = 0; i < N_COUNTERS; i++) {
        SlavioCounter *c = &s->counter[i];
        c->start_ns = now;
        c->user_count = 0;
        c->limit = 0;
        c->reached = false;
        c->run = true;
        set_irq(s, i, false);
        arm(s, i);
    }
}

static int slavio_timer_post_load(void *dev, char *err, size_t errlen)
{
    SlavioTimer *s = dev;
    for (unsigned i = 0; i < N_COUNTERS; i++) {
        tessera_irq_set(s->host, s->out[i], s->counter[i].irq);
        arm(s, i);
    }
    return 0;
}

static const TesseraField counter_fields[] = {
    TESSERA_U64(SlavioCounter, start_ns), TESSERA_U64(SlavioCounter, user_count),
    TESSERA_U32(SlavioCounter, limit),    TESSERA_BOOL(SlavioCounter, reached),
    TESSERA_BOOL(SlavioCounter, irq),     TESSERA_BOOL(SlavioCounter, run),
};

static const TesseraStateLayout counter_layout = {
    .struct_name = "SlavioCounter",
    .size = sizeof(SlavioCounter),
    .fields = counter_fields,
    .n_fields = TESSERA_N_ELEMS(counter_fields),
};

static const TesseraField slavio_timer_fields[] = {
    TESSERA_STRUCTS(SlavioTimer, counter, counter_layout),
    TESSERA_U32(SlavioTimer, user_mode),
};

static const char *const slavio_timer_unmigrated[] = { "host", "timer", "out", "refs", NULL };

static const TesseraStateLayout slavio_timer_layout = {
    .struct_name = "SlavioTimer",
    .size = sizeof(SlavioTimer),
    .fields = slavio_timer_fields,
    .n_fields = TESSERA_N_ELEMS(slavio_timer_fields),
    .unmigrated = slavio_timer_unmigrated,
};

static const TesseraStateSchema slavio_timer_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "slavio-timer",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &slavio_timer_layout,
    .post_load = slavio_timer_post_load,
};

static const TesseraDeviceClass slavio_timer_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(SlavioTimer),
    .state = &slavio_timer_schema,
    .init = slavio_timer_init,
    .reset = slavio_timer_reset,
};

TESSERA_PLUGIN(.name = "slavio-timer", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "SLAVIO sun4m counter/timers (system level 10, CPU 0 level 14)",
               .iface = &slavio_timer_class);
