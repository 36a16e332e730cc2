/* SPDX-License-Identifier: MIT */
/*
 * slavio-timer 1.x: the counter/timers of the SLAVIO chip (STP2001, also NCR89C105)
 * for a one-CPU sun4m: the system (level-10) counter and CPU 0's (level-14) counter.
 * State version 1. Kept beside 2.x (../v2/), which changed the state layout, so that
 * snapshots move between the two in both directions (docs/state-evolution.md); the
 * counter arithmetic both use is in ../counter.h.
 *
 * The registers are counter.c's; this file keeps the counters in the version-1 state
 * layout. One TesseraTimer per counter fires at the next limit match.
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

/* Counter `index` in the register logic's form (counter.h). */
static SlavioCount view(const SlavioTimer *s, unsigned index)
{
    const SlavioCounter *c = &s->counter[index];
    return (SlavioCount){ .start_ns = c->start_ns, .user_count = c->user_count,
                          .limit = c->limit, .reached = c->reached, .irq = c->irq,
                          .run = c->run, .cpu = index == CPU0, .user = is_user(s, index) };
}

static void arm(SlavioTimer *s, unsigned index, const SlavioCount *v)
{
    uint64_t deadline = slavio_count_deadline(v);
    if (deadline == SLAVIO_NO_DEADLINE)
        tessera_timer_del(s->host, s->timer[index]);
    else
        tessera_timer_mod(s->host, s->timer[index], deadline);
}

/* Back into the state; the IRQ line follows the level, the timer the next match. */
static void commit(SlavioTimer *s, unsigned index, const SlavioCount *v)
{
    SlavioCounter *c = &s->counter[index];
    bool irq_changed = c->irq != v->irq;
    *c = (SlavioCounter){ .start_ns = v->start_ns, .user_count = v->user_count,
                          .limit = v->limit, .reached = v->reached, .irq = v->irq,
                          .run = v->run };
    if (irq_changed)
        tessera_irq_set(s->host, s->out[index], c->irq);
    arm(s, index, v);
}

static void expired(void *opaque, uint64_t now)
{
    CounterRef *ref = opaque;
    SlavioCount v = view(ref->s, ref->index);
    slavio_count_catch_up(&v, now);
    commit(ref->s, ref->index, &v);
}

static uint64_t timer_read(void *opaque, uint64_t offset, unsigned size)
{
    CounterRef *ref = opaque;
    SlavioTimer *s = ref->s;
    if (ref->index == SYSTEM && offset == TIMER_USER_MODE)
        return s->user_mode;
    SlavioCount v = view(s, ref->index);
    bool known;
    uint32_t value = slavio_count_read(&v, offset, tessera_clock_ns(s->host), &known);
    commit(s, ref->index, &v);
    if (!known)
        tessera_log(s->host, TESSERA_LOG_DEBUG, "counter %u: read of unknown register 0x%llx",
                    ref->index, (unsigned long long)offset);
    return value;
}

static void timer_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    CounterRef *ref = opaque;
    SlavioTimer *s = ref->s;
    uint64_t now = tessera_clock_ns(s->host);
    if (ref->index == SYSTEM && offset == TIMER_USER_MODE) {
        uint32_t mode = (uint32_t)value & 1; /* one CPU: only bit 0 exists */
        if (mode != s->user_mode) {
            SlavioCount v = view(s, CPU0);
            slavio_count_set_user(&v, mode, now);
            s->user_mode = mode;
            commit(s, CPU0, &v);
        }
        return;
    }
    SlavioCount v = view(s, ref->index);
    bool known = slavio_count_write(&v, offset, (uint32_t)value, now);
    commit(s, ref->index, &v);
    if (!known)
        tessera_log(s->host, TESSERA_LOG_DEBUG,
                    "counter %u: write 0x%08x to register 0x%llx ignored", ref->index,
                    (uint32_t)value, (unsigned long long)offset);
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
    uint64_t now = tessera_clock_ns(s->host);
    s->user_mode = 0;
    for (unsigned i = 0; i < N_COUNTERS; i++) {
        SlavioCount v = view(s, i);
        slavio_count_reset(&v, now);
        commit(s, i, &v);
    }
}

static int slavio_timer_post_load(void *dev, char *err, size_t errlen)
{
    SlavioTimer *s = dev;
    for (unsigned i = 0; i < N_COUNTERS; i++) {
        SlavioCount v = view(s, i);
        tessera_irq_set(s->host, s->out[i], v.irq);
        arm(s, i, &v);
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
