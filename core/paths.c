/* SPDX-License-Identifier: MIT */
#include "paths.h"

#include <glib.h>
#include <stdlib.h>

#include "config.h"

bool paths_uninstalled(void)
{
    static int cached = -1;
    if (cached < 0) {
        char *exe = g_file_read_link("/proc/self/exe", NULL);
        char *root = realpath(TESSERA_BUILD_ROOT, NULL);
        cached = exe && root && g_str_has_prefix(exe, root) && exe[strlen(root)] == '/';
        free(root);
        g_free(exe);
    }
    return cached;
}
