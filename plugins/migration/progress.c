/* SPDX-License-Identifier: MIT */
/* Progress lines for long saves and loads. */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

/* Regions smaller than this take well under a second: no progress for them. */
#define PROGRESS_MIN_BYTES (UINT64_C(64) << 20)

void progress_begin(Progress *p, const char *label, uint64_t total)
{
    *p = (Progress){.label = label, .total = total, .last_percent = 101};
    p->active = total >= PROGRESS_MIN_BYTES && isatty(STDERR_FILENO);
    progress_update(p, 0);
}

void progress_update(Progress *p, uint64_t done)
{
    if (!p->active)
        return;
    unsigned percent = (unsigned)(done * 100 / p->total);
    if (percent == p->last_percent)
        return;
    p->last_percent = percent;
    fprintf(stderr, "\r%s: %3u%%", p->label, percent);
    fflush(stderr);
}

void progress_end(Progress *p)
{
    if (!p->active)
        return;
    fprintf(stderr, "\r%s: 100%%\n", p->label);
    p->active = false;
}
