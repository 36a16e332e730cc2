/* SPDX-License-Identifier: MIT */
#include "paths.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

bool paths_uninstalled(void)
{
    static int cached = -1;
    if (cached < 0) {
        char *exe = realpath("/proc/self/exe", NULL);
        char *root = realpath(TESSERA_BUILD_ROOT, NULL);
        size_t n = root ? strlen(root) : 0;
        cached = exe && root && strncmp(exe, root, n) == 0 &&
                 (exe[n] == '/' || root[n - 1] == '/');
        free(root);
        free(exe);
    }
    return cached;
}
