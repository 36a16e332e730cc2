/* SPDX-License-Identifier: MIT */
/* Where Tessera finds its own files: the build tree when run uninstalled, the
 * installed prefix otherwise. */
#ifndef CORE_PATHS_H
#define CORE_PATHS_H

#include <stdbool.h>

/* True when the running executable lies inside the build tree it was built in. */
bool paths_uninstalled(void);

#endif /* CORE_PATHS_H */
