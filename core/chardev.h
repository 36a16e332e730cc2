/* SPDX-License-Identifier: MIT */
/* Character backends: stdio (raw terminal, restored on exit; Ctrl-A x quits), file,
 * unix socket, TCP server, null. Specs as in QEMU: "stdio", "mon:stdio" (the terminal
 * shared with the monitor, Ctrl-A c switching), "file:PATH", "unix:PATH[,server]",
 * "tcp:[HOST]:PORT,server" (HOST defaults to 127.0.0.1), "null".
 * A server's socket file is created 0600 and replaces only a stale socket. Sockets
 * never block the emulator or raise SIGPIPE: output a peer does not read waits in
 * a bounded queue (1 MiB), and a peer that lets it fill is disconnected. */
#ifndef CORE_CHARDEV_H
#define CORE_CHARDEV_H

#include <glib.h>
#include <stdbool.h>
#include <tessera/host.h>

typedef struct TesseraChardev Chardev;

Chardev *chardev_open(const char *spec, GError **error);
void chardev_close(Chardev *chr);
const char *chardev_spec(const Chardev *chr);
/* A unix socket server on PATH that does not wait for its client (QMP's): as
 * "unix:PATH,server,nowait", with errors that name the path only. */
Chardev *chardev_open_server(const char *path, GError **error);
/* There is a peer to write to: not null, and a socket server has a client. */
bool chardev_connected(const Chardev *chr);
/* The monitor's side of a "mon:stdio" backend: it writes to the terminal too, and
 * gets the keys typed after Ctrl-A c (until the next Ctrl-A c). Close it with
 * chardev_close, before or after the backend. */
Chardev *chardev_mux_attach(Chardev *mux, GError **error);
/* Called (with the receiver's opaque) each time Ctrl-A c gives chr the keyboard. */
void chardev_on_focus(Chardev *chr, void (*focused)(void *opaque));

size_t chardev_write(Chardev *chr, const void *buf, size_t len);
void chardev_set_receiver(Chardev *chr, TesseraChrCanRead can_read, TesseraChrRead read,
                          void *opaque);

/* Read what input is available (waiting at most timeout_ms) and deliver as much as
 * the receiver takes; the rest stays buffered. */
void chardev_poll(Chardev *chr, int timeout_ms);
/* The user typed the quit escape (Ctrl-A x) on a stdio backend (or the terminal a
 * mon:stdio monitor shares). */
bool chardev_quit_requested(const Chardev *chr);
/* How many peers have been attached so far: 1 for every backend but a unix server,
 * which counts the clients it accepted (chardev_poll and chardev_write accept), and
 * the monitor's side of mon:stdio, 0 until Ctrl-A c first gives it the keyboard. A
 * change means a new client, who has not seen what was written before it came. */
unsigned chardev_sessions(const Chardev *chr);
/* Input is buffered and not yet delivered, or the source has more. */
bool chardev_has_input(const Chardev *chr);

#endif /* CORE_CHARDEV_H */
