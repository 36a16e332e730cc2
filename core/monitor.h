/* SPDX-License-Identifier: MIT */
/* The human monitor on a character backend (-monitor stdio|unix:PATH), or sharing the
 * terminal with the serial port (-serial mon:stdio). */
#ifndef CORE_MONITOR_H
#define CORE_MONITOR_H

#include "session.h"

typedef struct Monitor Monitor;

Monitor *monitor_new(Session *s, const char *spec, GError **error);
/* The monitor on the terminal that `mux`, a serial backend opened as "mon:stdio",
 * shares: silent until Ctrl-A c gives it the keyboard. */
Monitor *monitor_new_mux(Session *s, struct TesseraChardev *mux, GError **error);
void monitor_free(Monitor *mon);
/* Wait up to timeout_ms for input and run what arrived (used while paused). */
void monitor_poll(Monitor *mon, int timeout_ms);

#endif /* CORE_MONITOR_H */
