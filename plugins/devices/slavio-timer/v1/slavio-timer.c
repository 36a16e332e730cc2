/* SPDX-License-Identifier: MIT */
/*
 * slavio-timer 1.x: the counter/timers of the SLAVIO chip (STP2001, also NCR89C105)
 * for a one-CPU sun4m: the system (level-10) counter and CPU 0's (level-14) counter.
 * State version 1. Kept beside 2.x (../v2/), which changed the state layout, so that
 * snapshots move between the two in both directions (docs/state-evolution.md); the
 * counter arithmetic both use is in ../counter.h.
 *
 * The registers and their wiring are counter.c's; this file keeps the counters in the
 * version-1 state layout.
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

typedef struct SlavioTimer {
    SlavioCounter counter[N_COUNTERS]; /* SYSTEM, CPU0 */
    uint32_t user_mode;                /* +0x10 of the system counter */

    /* Host side. */
    const TesseraHost *host;
    SlavioPort port[N_COUNTERS];
} SlavioTimer;

/* Counter `index` in the register logic's form (counter.h), and back. */
static SlavioCount load(void *dev, int index)
{
    const SlavioTimer *s = dev;
    const SlavioCounter *c = &s->counter[index];
    return (SlavioCount){ .start_ns = c->start_ns, .user_count = c->user_count,
                          .limit = c->limit, .reached = c->reached, .irq = c->irq,
                          .run = c->run, .cpu = index == CPU0,
                          .user = index == CPU0 && (s->user_mode & 1) };
}

static void store(void *dev, int index, const SlavioCount *v)
{
    SlavioTimer *s = dev;
    s->counter[index] = (SlavioCounter){ .start_ns = v->start_ns, .user_count = v->user_count,
                                         .limit = v->limit, .reached = v->reached,
                                         .irq = v->irq, .run = v->run };
}

static uint32_t user_mode_read(void *dev)
{
    const SlavioTimer *s = dev;
    return s->user_mode;
}

static void user_mode_write(void *dev, uint32_t value, uint64_t now)
{
    SlavioTimer *s = dev;
    uint32_t mode = value & 1; /* one CPU: only bit 0 exists */
    if (mode == s->user_mode)
        return;
    SlavioCount v = load(s, CPU0);
    slavio_count_set_user(&v, mode, now);
    s->user_mode = mode;
    slavio_port_commit(&s->port[CPU0], &v);
}

static int slavio_timer_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    SlavioTimer *s = dev;
    s->host = host;
    for (int i = 0; i < N_COUNTERS; i++) {
        s->port[i] = (SlavioPort){ .dev = s, .index = i, .name = i == SYSTEM ? "system" : "cpu0",
                                   .host = host, .load = load, .store = store };
        if (i == SYSTEM) {
            s->port[i].user_mode_read = user_mode_read;
            s->port[i].user_mode_write = user_mode_write;
        }
        if (slavio_port_init(&s->port[i], err, errlen))
            return -1;
    }
    return 0;
}

static void slavio_timer_reset(void *dev)
{
    SlavioTimer *s = dev;
    uint64_t now = tessera_clock_ns(s->host);
    s->user_mode = 0;
    for (int i = 0; i < N_COUNTERS; i++) {
        SlavioCount v = load(s, i);
        slavio_count_reset(&v, now);
        slavio_port_commit(&s->port[i], &v);
    }
}

static int slavio_timer_post_load(void *dev, char *err, size_t errlen)
{
    SlavioTimer *s = dev;
    for (int i = 0; i < N_COUNTERS; i++)
        slavio_port_restore(&s->port[i]);
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

static const char *const slavio_timer_unmigrated[] = { "host", "port", NULL };

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
