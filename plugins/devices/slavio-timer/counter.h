/* SPDX-License-Identifier: MIT */
/*
 * The SLAVIO counter arithmetic, shared by every version of the slavio-timer plugin
 * (v1/ and v2/ differ in their state layout, not in what the guest sees): the
 * register logic is in counter.c.
 * Facts: shared/reference/ss5.md, "Timers (slavio)".
 *
 * A counter advances every 500 ns in bits 30:9 (so bits 30:10 count microseconds);
 * bit 31 says the limit was reached. With a non-zero limit L the counter runs
 * 0 .. L over (L >> 9) - 1 ticks, then starts again at 0, sets bit 31 and raises
 * its IRQ; reading the limit register clears both. Limit 0 free-runs through the
 * whole 31-bit range without an IRQ. Nothing ticks: a counter is the virtual time
 * elapsed since the start of its period, computed when read.
 *
 * A CPU's counter can instead be a 54-bit "user timer" (system register +0x10 bit n
 * for CPU n): +0 and +4 are its high and low words, +0xc starts and stops it, no IRQ.
 */
#ifndef SLAVIO_COUNTER_H
#define SLAVIO_COUNTER_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/tessera.h>

/* Registers of each counter: region "system" (0x14 bytes), regions "cpuN" (0x10). */
#define TIMER_LIMIT 0x00       /* counter: limit, read clears reached+IRQ; user: count 62:32 */
#define TIMER_COUNTER 0x04     /* counter: count | reached; user: count 31:9 */
#define TIMER_LIMIT_NORST 0x08 /* limit without restarting the count */
#define TIMER_RUN 0x0c         /* CPU counter: user timer start (1) / stop (0) */
#define TIMER_USER_MODE 0x10   /* system only: bit n = CPU n's counter is a user timer */
#define SYSTEM_SIZE 0x14
#define CPU_SIZE 0x10

#define COUNT_MASK32 0x7ffffe00u                   /* limit and counter bits */
#define COUNT_MASK64 UINT64_C(0x7ffffffffffffe00) /* user timer bits */
#define REACHED 0x80000000u
#define TICK_NS 500 /* one step of bit 9 */
#define TICK_SHIFT 9

/* One counter as the register logic sees it. Each plugin version keeps its counters
 * in its own state layout and hands them over in this form (counter.c). */
typedef struct SlavioCount {
    uint64_t start_ns;   /* virtual time the current period (user timer: count) began */
    uint64_t user_count; /* user timer: count (register units) at start_ns */
    uint32_t limit;      /* 0 = free-running */
    bool reached;        /* bit 31 of the counter and limit reads */
    bool irq;            /* output level */
    bool run;            /* +0xc: user timer running */
    bool cpu;            /* a CPU's counter (has +0xc and a user mode), not the system's */
    bool user;           /* a CPU's counter in user-timer mode */
} SlavioCount;

#define SLAVIO_NO_DEADLINE UINT64_MAX

/* A register read or write at `now`; *known (read) or the result (write) is false for
 * a register the counter does not have (the access is then ignored, reads give 0).
 * The system counter's +0x10 (user mode bits) belongs to the plugin. */
uint32_t slavio_count_read(SlavioCount *c, uint64_t offset, uint64_t now, bool *known);
bool slavio_count_write(SlavioCount *c, uint64_t offset, uint32_t value, uint64_t now);
/* Every period that ended by `now` (the host timer fired). */
void slavio_count_catch_up(SlavioCount *c, uint64_t now);
/* When the next limit match is due, or SLAVIO_NO_DEADLINE. */
uint64_t slavio_count_deadline(const SlavioCount *c);
/* A CPU's counter enters (or leaves) user-timer mode at `now`. */
void slavio_count_set_user(SlavioCount *c, bool user, uint64_t now);
/* After reset: free-running from `now`, no limit, running, IRQ low. */
void slavio_count_reset(SlavioCount *c, uint64_t now);

/*
 * One counter wired to the host: its region's MMIO callbacks and its timer's callback
 * take the port as their opaque pointer. The plugin version supplies `load` and
 * `store`, which move the counter between its own state layout and SlavioCount, and,
 * for the system counter, the user-mode register (+0x10).
 */
typedef struct SlavioPort SlavioPort;
struct SlavioPort {
    void *dev; /* the plugin instance */
    int index; /* the version's name for this counter */
    const char *name;
    const TesseraHost *host;
    TesseraTimer *timer;
    TesseraIrq *out;
    uint64_t armed; /* the deadline the timer is set for, SLAVIO_NO_DEADLINE if none */
    SlavioCount (*load)(void *dev, int index);
    void (*store)(void *dev, int index, const SlavioCount *c);
    uint32_t (*user_mode_read)(void *dev);                          /* system only */
    void (*user_mode_write)(void *dev, uint32_t value, uint64_t now); /* system only */
};

/* Registers the port's region (size SYSTEM_SIZE with user_mode_read, else CPU_SIZE),
 * its IRQ output and its timer, all named `name`. */
int slavio_port_init(SlavioPort *p, char *err, size_t errlen);
/* Stores c through the port; the IRQ line follows its level (when it changed), the
 * timer its next limit match. */
void slavio_port_commit(SlavioPort *p, const SlavioCount *c);
/* After a load: drive the IRQ line and arm the timer from the stored state. */
void slavio_port_restore(SlavioPort *p);

#endif /* SLAVIO_COUNTER_H */
