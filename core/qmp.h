/* SPDX-License-Identifier: MIT */
/* A QMP-compatible JSON endpoint (-qmp unix:PATH): greeting, qmp_capabilities, stop,
 * cont, query-status, human-monitor-command, set_link, gdbserver, quit; enough for
 * existing QMP clients. */
#ifndef CORE_QMP_H
#define CORE_QMP_H

#include "session.h"

typedef struct Qmp Qmp;

Qmp *qmp_new(Session *s, const char *spec, GError **error);
void qmp_free(Qmp *q);
/* Wait up to timeout_ms for a client or a command and handle it. */
void qmp_poll(Qmp *q, int timeout_ms);

#endif /* CORE_QMP_H */
