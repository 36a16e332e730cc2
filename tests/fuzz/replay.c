/* SPDX-License-Identifier: MIT */
/*
 * Runs a fuzz target's LLVMFuzzerTestOneInput once on every file in the given
 * directories (the seed corpus and the saved regressions), without libFuzzer: the
 * gcc build and the sanitizer build replay them as ordinary tests. A README is
 * skipped; finding no input at all is a failure, so the test cannot pass empty.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    unsigned n = 0;
    for (int i = 1; i < argc; i++) {
        GError *error = NULL;
        GDir *d = g_dir_open(argv[i], 0, &error);
        if (!d) {
            fprintf(stderr, "replay: %s\n", error->message);
            g_error_free(error);
            return 1;
        }
        const char *name;
        while ((name = g_dir_read_name(d))) {
            if (g_str_equal(name, "README"))
                continue;
            char *path = g_build_filename(argv[i], name, NULL);
            char *data;
            gsize len;
            if (!g_file_get_contents(path, &data, &len, &error)) {
                fprintf(stderr, "replay: %s\n", error->message);
                g_error_free(error);
                g_free(path);
                g_dir_close(d);
                return 1;
            }
            LLVMFuzzerTestOneInput((const uint8_t *)data, len);
            g_free(data);
            g_free(path);
            n++;
        }
        g_dir_close(d);
    }
    printf("replayed %u inputs\n", n);
    return n ? 0 : 1;
}
