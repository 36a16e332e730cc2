/* SPDX-License-Identifier: MIT */
/* One emulator run: the machine, the plugins it came from, and the run state the
 * monitor and QMP change (paused, quit). */
#ifndef CORE_SESSION_H
#define CORE_SESSION_H

#include <stdbool.h>

#include "machine.h"
#include "plugin.h"

typedef struct Migrate Migrate;

typedef struct Session {
    Machine *machine;
    const PluginRegistry *reg;
    bool paused; /* `stop` was given: the CPU does not run until `cont` */
    bool quit;   /* `quit` was given */
    /* Live migration (migrate.h): the destination waits for a machine
     * (inmigrate); the source has handed its machine over (postmigrate). */
    bool inmigrate, postmigrate;
    bool failed; /* an incoming migration failed: the process ends with status 1 */
    Migrate *migrate;
    struct GdbStub *gdb; /* -gdb or `gdbserver`: the gdb stub (gdbstub.h), or NULL */
} Session;

/* QEMU's run state: running, paused, inmigrate or postmigrate. */
const char *session_status(const Session *s);
/* `cont`: false (with why) when the machine cannot run (it migrated away, or
 * waits for an incoming migration). */
bool session_cont(Session *s, const char **why);

/* `stop`: pause the guest (the CPU leaves its run loop at once). */
void session_stop(Session *s);
/* `quit`, or Ctrl-A x on a monitor's terminal: end the emulator. */
void session_quit(Session *s);

/* Execute one human monitor command line, appending its output to out (each
 * line ending in \n). Shared by the monitor and QMP's human-monitor-command. */
void session_command(Session *s, const char *line, GString *out);

#endif /* CORE_SESSION_H */
