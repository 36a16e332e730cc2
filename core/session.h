/* SPDX-License-Identifier: MIT */
/* One emulator run: the machine, the plugins it came from, and the run state the
 * monitor and QMP change (paused, quit). */
#ifndef CORE_SESSION_H
#define CORE_SESSION_H

#include <stdbool.h>

#include "machine.h"
#include "plugin.h"

typedef struct Session {
    Machine *machine;
    const PluginRegistry *reg;
    bool paused; /* `stop` was given: the CPU does not run until `cont` */
    bool quit;   /* `quit` was given */
} Session;

/* `stop`: pause the guest (the CPU leaves its run loop at once). */
void session_stop(Session *s);
/* `quit`, or Ctrl-A x on a monitor's terminal: end the emulator. */
void session_quit(Session *s);

/* Execute one human monitor command line, appending its output to out (each
 * line ending in \n). Shared by the monitor and QMP's human-monitor-command. */
void session_command(Session *s, const char *line, GString *out);

#endif /* CORE_SESSION_H */
