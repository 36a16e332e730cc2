/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a machine file (-M FILE) through core/machine_file.c: the
 * bounded read, GLib's key file parser, the line index for errors, every group and
 * key with its range checks. The input is put in a memfd, a regular file, and
 * loaded by its /proc/self/fd path as tessera loads any machine file.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.machine", MFD_CLOEXEC);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    GError *error = NULL;
    MachineSpec *s = machine_file_load(path, &error);
    if (s) {
        machine_spec_free(s);
    } else {
        if (!error || !error->message[0] || strchr(error->message, '\n'))
            abort(); /* a refusal is one line */
        g_error_free(error);
    }
    close(fd);
    return 0;
}
