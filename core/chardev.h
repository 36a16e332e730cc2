/* SPDX-License-Identifier: MIT */
/* Character backends: stdio (raw terminal, restored on exit; Ctrl-A x quits), file,
 * unix socket, null. Specs as in QEMU: "stdio", "file:PATH", "unix:PATH[,server]",
 * "null". */
#ifndef CORE_CHARDEV_H
#define CORE_CHARDEV_H

#include <glib.h>
#include <stdbool.h>
#include <tessera/host.h>

typedef struct TesseraChardev Chardev;

Chardev *chardev_open(const char *spec, GError **error);
void chardev_close(Chardev *chr);
const char *chardev_spec(const Chardev *chr);

size_t chardev_write(Chardev *chr, const void *buf, size_t len);
void chardev_set_receiver(Chardev *chr, TesseraChrCanRead can_read, TesseraChrRead read,
                          void *opaque);

/* Read what input is available (waiting at most timeout_ms) and deliver as much as
 * the receiver takes; the rest stays buffered. */
void chardev_poll(Chardev *chr, int timeout_ms);
/* The user typed the quit escape (Ctrl-A x) on a stdio backend. */
bool chardev_quit_requested(const Chardev *chr);
/* How many peers have been attached so far: 1 for every backend but a unix server,
 * which counts the clients it accepted (chardev_poll and chardev_write accept). A
 * change means a new client, who has not seen what was written before it came. */
unsigned chardev_sessions(const Chardev *chr);
/* Input is buffered and not yet delivered, or the source has more. */
bool chardev_has_input(const Chardev *chr);

#endif /* CORE_CHARDEV_H */
