/* SPDX-License-Identifier: MIT */
/* The human monitor on a character backend (-monitor stdio|unix:PATH). */
#ifndef CORE_MONITOR_H
#define CORE_MONITOR_H

#include "session.h"

typedef struct Monitor Monitor;

Monitor *monitor_new(Session *s, const char *spec, GError **error);
void monitor_free(Monitor *mon);
/* Wait up to timeout_ms for input and run what arrived (used while paused). */
void monitor_poll(Monitor *mon, int timeout_ms);

#endif /* CORE_MONITOR_H */
