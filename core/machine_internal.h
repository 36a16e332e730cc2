/* SPDX-License-Identifier: MIT */
/* Shared between machine.c (building, running) and host.c (services to plugins). */
#ifndef CORE_MACHINE_INTERNAL_H
#define CORE_MACHINE_INTERNAL_H

#include "bus.h"
#include "chardev.h"
#include "clock.h"
#include "irq.h"
#include "machine.h"

struct TesseraInstance {
    Machine *machine;
    char *name;
    const Plugin *plugin;
    const DeviceSpec *spec;
    void *mem;            /* instance_size bytes, owned */
    TesseraHost host;
    GHashTable *outputs;  /* "name[index]" -> TesseraIrq* */
    GHashTable *inputs;   /* name -> IrqInput* */
    GHashTable *provided; /* interface name -> pointer */
    GPtrArray *timers;    /* TesseraTimer* */
};

typedef struct PollHook {
    void (*poll)(void *opaque);
    void *opaque;
} PollHook;

/* A watched range's physical piece, for DMA (machine_debug.c). */
typedef struct MachineDmaWatch {
    uint64_t va, pa, len;
    uint32_t kind; /* TesseraDebugKind */
} MachineDmaWatch;
#define MACHINE_DMA_WATCH_MAX 128

struct Machine {
    const MachineSpec *spec;
    const MachineResolution *res;
    const PluginRegistry *reg;
    GHashTable *opts; /* machine options: name -> value */
    uint64_t icount_limit;
    Bus *bus;
    Clock *clock;
    TesseraRunState rs;
    uint8_t *ram;
    uint64_t ram_size;
    uint8_t *prom;
    GPtrArray *instances; /* TesseraInstance*, the CPU first */
    TesseraInstance *cpu;
    const TesseraCpuClass *cpu_class;
    IrqInput *cpu_irl;
    unsigned irl;
    Chardev *serial[2];
    GArray *polls; /* PollHook: the monitor, QMP */
    struct NetHub *net; /* network backends, not owned */
    uint64_t break_at;
    int request;  /* pending TesseraRequest, 0 = none */
    bool halted;
    bool stop;
    TesseraDebugHit debug_hit; /* what stopped a MACHINE_EXIT_DEBUG (machine_debug.c) */
    bool debug_dma_hit;        /* a bus write hit a watched page */
    unsigned n_dma_watch;
    MachineDmaWatch dma_watch[MACHINE_DMA_WATCH_MAX];
    GArray *memory; /* TesseraMemoryInfo, for the migration view */
    GArray *view_instances;
    TesseraMachineView view;
};

extern const TesseraHostOps host_ops;

/* Called by host.c when a device asks for power-off, reset or halt. */
void machine_request(Machine *m, TesseraRequest req);
/* The instance named `name` in the machine file, or NULL (its plugin is missing). */
TesseraInstance *machine_instance_find(Machine *m, const char *name);

#endif /* CORE_MACHINE_INTERNAL_H */
