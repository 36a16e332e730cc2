/* SPDX-License-Identifier: MIT */
/* "saving ram: 42%" on stderr, for big regions and only when stderr is a terminal. */
#ifndef TSNAP_PROGRESS_H
#define TSNAP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Progress {
    bool active;
    const char *label;
    uint64_t total;
    unsigned last_percent;
} Progress;

void progress_begin(Progress *p, const char *label, uint64_t total);
void progress_update(Progress *p, uint64_t done);
void progress_end(Progress *p);

#endif /* TSNAP_PROGRESS_H */
