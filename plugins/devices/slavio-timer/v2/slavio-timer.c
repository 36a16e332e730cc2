/* SPDX-License-Identifier: MIT */
/*
 * slavio-timer 2.x: the counter/timers of the SLAVIO chip (STP2001, also NCR89C105):
 * the system (level-10) counter and one (level-14) counter per CPU, for up to four
 * CPUs (property `cpus`, default 1: the SPARCstation 5 has one).
 *
 * State version 2 changes the layout of version 1 (../v1/, kept in the tree):
 *   - the counters are `system` and `cpu[4]` instead of `counter[2]`, so that a
 *     multiprocessor machine's counters have a place;
 *   - `start_ns` is called `epoch_ns`;
 *   - the three booleans reached/irq/run are one `flags` word (COUNTER_*);
 *   - `cpus` records how many CPU counters the machine had.
 * Converters go both ways: version 1 snapshots load here, and this plugin saves
 * version 1 for a 1.x peer as long as only CPU 0's counter exists.
 * The registers and their wiring are ../counter.c's, shared with 1.x; this file keeps
 * the counters in the version-2 state layout.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <tessera/tessera.h>

#include "../counter.h"

#define MAX_CPUS 4
#define N_TIMERS (1 + MAX_CPUS) /* counters: the system's, then the CPUs' */

#define COUNTER_REACHED 0x1u /* bit 31 of the counter and limit reads */
#define COUNTER_IRQ 0x2u     /* output level */
#define COUNTER_RUN 0x4u     /* +0xc: user timer running */
#define COUNTER_FLAGS (COUNTER_REACHED | COUNTER_IRQ | COUNTER_RUN)

typedef struct SlavioCounter {
    uint64_t epoch_ns;   /* virtual time the current period (user timer: count) began */
    uint64_t user_count; /* user timer: count (register units) at epoch_ns */
    uint32_t limit;      /* 0 = free-running */
    uint32_t flags;      /* COUNTER_* */
} SlavioCounter;

typedef struct SlavioTimer {
    SlavioCounter system;
    SlavioCounter cpu[MAX_CPUS];
    uint32_t user_mode; /* +0x10 of the system counter: bit n for CPU n */
    uint32_t cpus;      /* CPU counters present */

    /* Host side. */
    const TesseraHost *host;
    uint32_t configured_cpus; /* the `cpus` property; a loaded state must agree */
    SlavioPort port[N_TIMERS]; /* the system counter, then the CPUs' */
} SlavioTimer;

static const char *const port_names[N_TIMERS] = { "system", "cpu0", "cpu1", "cpu2", "cpu3" };

/* Ports and counters by index: -1 the system counter, n CPU n's. */
static SlavioCounter *counter_of(SlavioTimer *s, int cpu)
{
    return cpu < 0 ? &s->system : &s->cpu[cpu];
}

static SlavioPort *port_of(SlavioTimer *s, int cpu)
{
    return &s->port[cpu + 1];
}

/* A counter in the register logic's form (counter.h), and back. */
static SlavioCount load(void *dev, int cpu)
{
    SlavioTimer *s = dev;
    const SlavioCounter *c = counter_of(s, cpu);
    return (SlavioCount){ .start_ns = c->epoch_ns, .user_count = c->user_count,
                          .limit = c->limit, .reached = c->flags & COUNTER_REACHED,
                          .irq = c->flags & COUNTER_IRQ, .run = c->flags & COUNTER_RUN,
                          .cpu = cpu >= 0, .user = cpu >= 0 && (s->user_mode >> cpu & 1) };
}

static void store(void *dev, int cpu, const SlavioCount *v)
{
    *counter_of(dev, cpu) = (SlavioCounter){
        .epoch_ns = v->start_ns, .user_count = v->user_count, .limit = v->limit,
        .flags = (v->reached ? COUNTER_REACHED : 0) | (v->irq ? COUNTER_IRQ : 0) |
                 (v->run ? COUNTER_RUN : 0) };
}

static uint32_t user_mode_read(void *dev)
{
    const SlavioTimer *s = dev;
    return s->user_mode;
}

/* A user-mode bit per CPU present. */
static void user_mode_write(void *dev, uint32_t value, uint64_t now)
{
    SlavioTimer *s = dev;
    uint32_t mode = value & ((1u << s->cpus) - 1);
    uint32_t changed = mode ^ s->user_mode;
    for (int cpu = 0; cpu < (int)s->cpus; cpu++) {
        if (changed >> cpu & 1) {
            SlavioCount v = load(s, cpu);
            slavio_count_set_user(&v, mode >> cpu & 1, now);
            slavio_port_commit(port_of(s, cpu), &v);
        }
    }
    s->user_mode = mode;
}

static int parse_cpus(const TesseraHost *host, uint32_t *cpus, char *err, size_t errlen)
{
    const char *text = tessera_prop(host, "cpus");
    char *end = NULL;
    unsigned long n = text ? strtoul(text, &end, 0) : 1;
    if (text && (*text == '\0' || *end != '\0' || n < 1 || n > MAX_CPUS)) {
        snprintf(err, errlen, "property cpus: '%s' is not a CPU count from 1 to %d", text,
                 MAX_CPUS);
        return -1;
    }
    *cpus = (uint32_t)n;
    return 0;
}

static int slavio_timer_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    SlavioTimer *s = dev;
    s->host = host;
    if (parse_cpus(host, &s->configured_cpus, err, errlen))
        return -1;
    s->cpus = s->configured_cpus;
    for (int cpu = -1; cpu < (int)s->cpus; cpu++) {
        SlavioPort *p = port_of(s, cpu);
        *p = (SlavioPort){ .dev = s, .index = cpu, .name = port_names[cpu + 1], .host = host,
                           .load = load, .store = store };
        if (cpu < 0) {
            p->user_mode_read = user_mode_read;
            p->user_mode_write = user_mode_write;
        }
        if (slavio_port_init(p, err, errlen))
            return -1;
    }
    return 0;
}

static void slavio_timer_reset(void *dev)
{
    SlavioTimer *s = dev;
    uint64_t now = tessera_clock_ns(s->host);
    s->user_mode = 0;
    for (int cpu = -1; cpu < MAX_CPUS; cpu++) {
        SlavioCount v = load(s, cpu);
        slavio_count_reset(&v, now);
        if (cpu < (int)s->cpus)
            slavio_port_commit(port_of(s, cpu), &v);
        else
            store(s, cpu, &v); /* absent: only the state, as a reset leaves it */
    }
}

static int slavio_timer_post_load(void *dev, char *err, size_t errlen)
{
    SlavioTimer *s = dev;
    if (s->cpus != s->configured_cpus) {
        snprintf(err, errlen, "the snapshot has %" PRIu32 " CPU counters, this machine %" PRIu32,
                 s->cpus, s->configured_cpus);
        return -1;
    }
    if (s->user_mode >> s->cpus) {
        snprintf(err, errlen, "user_mode 0x%" PRIx32 " names CPUs beyond the %" PRIu32 " present",
                 s->user_mode, s->cpus);
        return -1;
    }
    for (int cpu = -1; cpu < (int)s->cpus; cpu++) {
        uint32_t flags = counter_of(s, cpu)->flags;
        if (flags & ~COUNTER_FLAGS) {
            snprintf(err, errlen, "counter flags 0x%" PRIx32 ": unknown bits", flags);
            return -1;
        }
    }
    for (int cpu = -1; cpu < (int)s->cpus; cpu++)
        slavio_port_restore(port_of(s, cpu));
    return 0;
}

/* ---- versions ---- */

/* One counter between the converters' reading and writing: epoch (v1 start_ns),
 * user count, limit, flags. Version 1's counter[2] is (system, CPU 0). */
enum { W_EPOCH, W_USER, W_LIMIT, W_FLAGS, W_N };
static const char *const v2_names[W_N] = { "epoch_ns", "user_count", "limit", "flags" };
static const uint32_t v2_types[W_N] = { TESSERA_FIELD_U64, TESSERA_FIELD_U64, TESSERA_FIELD_U32,
                                        TESSERA_FIELD_U32 };

static const char *const v1_fields[] = { "counter.start_ns", "counter.user_count",
                                         "counter.limit",    "counter.reached",
                                         "counter.irq",      "counter.run" };

static int convert_error(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "slavio-timer: %s", what);
    return -1;
}

/* Version 1 -> 2: counter[0] becomes `system`, counter[1] `cpu[0]`; the other CPU
 * counters take their reset values; the booleans become flags; one CPU. */
static int slavio_timer_v1_to_v2(TesseraRecord *rec, const TesseraRecordOps *ops, char *err,
                                 size_t errlen)
{
    uint64_t w[2][W_N];
    for (uint32_t i = 0; i < 2; i++) {
        uint64_t v[6];
        for (unsigned f = 0; f < 6; f++)
            if (ops->get(rec, v1_fields[f], i, &v[f]) < 0)
                return convert_error(err, errlen, "a version 1 record lacks a counter field");
        w[i][W_EPOCH] = v[0];
        w[i][W_USER] = v[1];
        w[i][W_LIMIT] = v[2];
        w[i][W_FLAGS] = (v[3] ? COUNTER_REACHED : 0) | (v[4] ? COUNTER_IRQ : 0) |
                        (v[5] ? COUNTER_RUN : 0);
    }
    for (unsigned f = 0; f < 6; f++)
        ops->remove(rec, v1_fields[f]);
    for (unsigned f = 0; f < W_N; f++) {
        char sys[32], cpu[32];
        snprintf(sys, sizeof(sys), "system.%s", v2_names[f]);
        snprintf(cpu, sizeof(cpu), "cpu.%s", v2_names[f]);
        if (ops->add(rec, sys, v2_types[f], 1) < 0 || ops->add(rec, cpu, v2_types[f], MAX_CPUS) < 0)
            return convert_error(err, errlen, "cannot add the version 2 counter fields");
        ops->set(rec, sys, 0, w[0][f]);
        ops->set(rec, cpu, 0, w[1][f]);
        for (uint32_t n = 1; n < MAX_CPUS; n++)
            ops->set(rec, cpu, n, f == W_FLAGS ? COUNTER_RUN : 0); /* reset: running, all 0 */
    }
    if (ops->add(rec, "cpus", TESSERA_FIELD_U32, 1) < 0 || ops->set(rec, "cpus", 0, 1) < 0)
        return convert_error(err, errlen, "cannot add field cpus");
    return 0;
}

/* Version 2 -> 1: only a one-CPU timer fits version 1's two counters. */
static int slavio_timer_v2_to_v1(TesseraRecord *rec, const TesseraRecordOps *ops, char *err,
                                 size_t errlen)
{
    uint64_t cpus;
    if (ops->get(rec, "cpus", 0, &cpus) < 0)
        return convert_error(err, errlen, "a version 2 record lacks field cpus");
    if (cpus != 1) {
        snprintf(err, errlen,
                 "slavio-timer: %" PRIu64 " CPU counters; state version 1 holds CPU 0's only",
                 cpus);
        return -1;
    }
    uint64_t w[2][W_N];
    for (unsigned f = 0; f < W_N; f++) {
        char sys[32], cpu[32];
        snprintf(sys, sizeof(sys), "system.%s", v2_names[f]);
        snprintf(cpu, sizeof(cpu), "cpu.%s", v2_names[f]);
        if (ops->get(rec, sys, 0, &w[0][f]) < 0 || ops->get(rec, cpu, 0, &w[1][f]) < 0)
            return convert_error(err, errlen, "a version 2 record lacks a counter field");
        ops->remove(rec, sys);
        ops->remove(rec, cpu);
    }
    ops->remove(rec, "cpus");
    static const uint32_t v1_types[] = { TESSERA_FIELD_U64,  TESSERA_FIELD_U64,
                                         TESSERA_FIELD_U32,  TESSERA_FIELD_BOOL,
                                         TESSERA_FIELD_BOOL, TESSERA_FIELD_BOOL };
    static const uint32_t v1_flags[] = { COUNTER_REACHED, COUNTER_IRQ, COUNTER_RUN };
    for (unsigned f = 0; f < 6; f++) {
        if (ops->add(rec, v1_fields[f], v1_types[f], 2) < 0)
            return convert_error(err, errlen, "cannot add the version 1 counter fields");
        for (uint32_t i = 0; i < 2; i++) {
            uint64_t v = f < 3 ? w[i][f] : (w[i][W_FLAGS] & v1_flags[f - 3]) != 0;
            if (ops->set(rec, v1_fields[f], i, v) < 0)
                return convert_error(err, errlen, "a counter value does not fit version 1");
        }
    }
    return 0;
}

static const TesseraConverter slavio_timer_converters[] = {
    { .from = 1, .to = 2, .convert = slavio_timer_v1_to_v2 },
    { .from = 2, .to = 1, .convert = slavio_timer_v2_to_v1 },
};

static const TesseraField counter_fields[] = {
    TESSERA_FIELD_DECL(SlavioCounter, epoch_ns, TESSERA_FIELD_U64, 1, 2),
    TESSERA_FIELD_DECL(SlavioCounter, user_count, TESSERA_FIELD_U64, 1, 2),
    TESSERA_FIELD_DECL(SlavioCounter, limit, TESSERA_FIELD_U32, 1, 2),
    TESSERA_FIELD_DECL(SlavioCounter, flags, TESSERA_FIELD_U32, 1, 2),
};

static const TesseraStateLayout counter_layout = {
    .struct_name = "SlavioCounter",
    .size = sizeof(SlavioCounter),
    .fields = counter_fields,
    .n_fields = TESSERA_N_ELEMS(counter_fields),
};

static const TesseraField slavio_timer_fields[] = {
    { .name = "system", .member = "system", .type = TESSERA_FIELD_STRUCT,
      .offset = offsetof(SlavioTimer, system), .count = 1, .since = 2,
      .layout = &counter_layout },
    { .name = "cpu", .member = "cpu", .type = TESSERA_FIELD_STRUCT,
      .offset = offsetof(SlavioTimer, cpu), .count = MAX_CPUS, .since = 2,
      .layout = &counter_layout },
    TESSERA_U32(SlavioTimer, user_mode),
    TESSERA_FIELD_DECL(SlavioTimer, cpus, TESSERA_FIELD_U32, 1, 2),
};

static const char *const slavio_timer_unmigrated[] = { "host", "configured_cpus", "port", NULL };

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
    .version = 2,
    .load_min = 2, /* version 1 loads through the upgrade converter */
    .save_min = 2, /* version 1 is saved through the downgrade converter */
    .layout = &slavio_timer_layout,
    .converters = slavio_timer_converters,
    .n_converters = TESSERA_N_ELEMS(slavio_timer_converters),
    .post_load = slavio_timer_post_load,
};

static const TesseraDeviceClass slavio_timer_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(SlavioTimer),
    .state = &slavio_timer_schema,
    .init = slavio_timer_init,
    .reset = slavio_timer_reset,
};

TESSERA_PLUGIN(.name = "slavio-timer", .version = "2.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "SLAVIO sun4m counter/timers (system level 10, up to 4 CPUs level 14)",
               .iface = &slavio_timer_class);
