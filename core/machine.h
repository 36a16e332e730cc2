/* SPDX-License-Identifier: MIT */
/* A machine instance: built from a machine file and the plugin registry, then run. */
#ifndef CORE_MACHINE_H
#define CORE_MACHINE_H

#include <glib.h>
#include <stdio.h>
#include <tessera/migration.h>

#include "machine_file.h"
#include "plugin.h"
#include "resolve.h"

typedef struct Machine Machine;

typedef struct MachineOptions {
    uint64_t ram_size;   /* bytes; 0 = the machine's default */
    const char *bios;    /* NULL = the machine's firmware */
    const char *kernel;  /* -kernel, -initrd, -append: passed to devices as machine options */
    const char *initrd;
    const char *append;
    bool nographic;
    const char *serial;  /* chardev spec of serial0; NULL = "stdio" */
    uint64_t icount_limit; /* 0 = none */
    GHashTable *extra;   /* further machine options (nvram, rtc-base): name -> value */
    struct NetHub *net;  /* network backends for the NICs (net.h); NULL = none; not owned */
} MachineOptions;

typedef enum MachineExit {
    MACHINE_EXIT_POWEROFF = 0,    /* the guest powered off */
    MACHINE_EXIT_QUIT = 1,        /* the user quit (Ctrl-A x, monitor quit) */
    MACHINE_EXIT_ERROR_MODE = 2,  /* the CPU entered error mode */
    MACHINE_EXIT_ICOUNT_LIMIT = 3,/* -icount-limit reached */
    MACHINE_EXIT_STOPPED = 4,     /* machine_stop() was called (monitor) */
    MACHINE_EXIT_HUNG = 5,        /* halted with nothing that could wake it */
    MACHINE_EXIT_BREAK = 6,       /* the icount given to machine_break_at() was reached */
    MACHINE_EXIT_DEBUG = 7,       /* a debug point was hit or a step ended (machine_debug.h) */
} MachineExit;

/* Build the machine from a resolution of its machine file (resolve.h): devices
 * resolved to no plugin are optional ones left out. A resolution with a required
 * device missing is refused, naming the devices. */
Machine *machine_new(const MachineResolution *res, const PluginRegistry *reg,
                     const MachineOptions *opts, GError **error);
void machine_free(Machine *m);

/* Reset every instance (RAM keeps its contents, as on the real machine). */
void machine_reset(Machine *m);
/* Run until the guest powers off, the user quits, the CPU stops, or machine_stop(). */
MachineExit machine_run(Machine *m);
/* Ask machine_run() to return MACHINE_EXIT_STOPPED at the next instruction boundary. */
void machine_stop(Machine *m);

uint64_t machine_icount(const Machine *m);
/* The CPU's own line on how it runs (TesseraCpuClass.describe); false if it has none. */
bool machine_describe_cpu(const Machine *m, char *buf, size_t len);
const MachineSpec *machine_spec(const Machine *m);
/* Human-readable CPU state. */
void machine_dump_cpu(Machine *m, FILE *out);
/* The stopped machine as the migration plugin sees it; valid until machine_free. */
const TesseraMachineView *machine_view(Machine *m);
/* The monitor's `commit DRIVE|all`, asked of every device with a commit hook: false with
 * `error` when a device failed or no device has that drive. */
bool machine_commit(Machine *m, const char *drive, GError **error);
/* After a snapshot was loaded into the instances: forget run-time requests and
 * let the CPU re-read its interrupt level. */
void machine_loaded(Machine *m);
/* A function the run loop calls whenever it looks at character input (about
 * every 10 ms of virtual time, and while idle): the monitor and QMP. */
void machine_add_poll(Machine *m, void (*poll)(void *opaque), void *opaque);
/* Make machine_run() return MACHINE_EXIT_BREAK when icount reaches n (0 = never). */
void machine_break_at(Machine *m, uint64_t icount);

/* The network backends the machine was built with (may be NULL). */
struct NetHub *machine_net(Machine *m);

/* The serial backend (for the monitor to share stdio), may be NULL. */
struct TesseraChardev *machine_serial(Machine *m);

#endif /* CORE_MACHINE_H */
