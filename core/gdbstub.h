/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote serial protocol stub (-gdb DEV, -s, monitor/QMP gdbserver): a
 * front end like the monitor, on a socket chardev (tcp:[HOST]:PORT or
 * unix:PATH), one client at a time. docs/debugging.md describes what it does.
 */
#ifndef CORE_GDBSTUB_H
#define CORE_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/cpu.h>

#include "session.h"

typedef struct GdbStub GdbStub;

/* Start the session's gdb server on DEV (QEMU's spellings: "tcp::PORT",
 * "tcp:HOST:PORT", "unix:PATH"; "none" stops it), or move a running one there.
 * false with *error naming DEV when it cannot listen (the old server, if any,
 * goes on). */
bool gdb_serve(Session *s, const char *dev, GError **error);
void gdb_free(GdbStub *g);
/* While the guest is paused: wait up to timeout_ms for the client and serve it. */
void gdb_poll(GdbStub *g, int timeout_ms);
/* machine_run() returned: MACHINE_EXIT_DEBUG pauses the guest and tells the
 * client why; an end of the run (power-off, error mode) tells it the guest is
 * gone. Other exits are not the client's business. */
void gdb_machine_exit(GdbStub *g, MachineExit why);

/*
 * Reverse execution (bs, bc; qSupported ReverseStep+;ReverseContinue+), given by
 * whoever can move the machine backwards: the -record/-replay code installs the
 * hooks with gdb_set_reverse(); without them the stub answers E for bs and bc and
 * does not offer them. Both run with the guest paused and return with the machine
 * at the state to report.
 */
typedef enum GdbReverseStop {
    GDB_REVERSE_STEPPED,  /* one instruction back (step) */
    GDB_REVERSE_HIT,      /* *hit was filled: the latest debug point hit before now */
    GDB_REVERSE_AT_START, /* nothing earlier: at the start of the recording */
    GDB_REVERSE_FAILED,   /* the machine is unchanged */
} GdbReverseStop;

typedef struct GdbReverseOps {
    /* The state one instruction before now. */
    GdbReverseStop (*step)(void *opaque, Machine *m);
    /* The state at the latest hit, before now, of the points (breakpoints before
     * the instruction at their PC runs, watchpoints after the access). */
    GdbReverseStop (*cont)(void *opaque, Machine *m, const TesseraDebugPoint *points,
                           unsigned n, TesseraDebugHit *hit);
} GdbReverseOps;

/* ops NULL: no reverse execution (the default). */
void gdb_set_reverse(GdbStub *g, const GdbReverseOps *ops, void *opaque);

#endif /* CORE_GDBSTUB_H */
