/* SPDX-License-Identifier: MIT */
/*
 * Output that quotes strings read from a snapshot or manifest (device, plugin and
 * machine names, versions, paths) must not let an escape sequence in one reach
 * the terminal. escape_stdio() puts a filter on stderr (and stdout) that writes
 * every control character but newline and tab, DEL, the C1 controls (U+0080-U+009F
 * in UTF-8, and raw bytes 0x80-0x9F) and any byte that is not part of well-formed
 * UTF-8 as \ooo octal, as g_strescape does. Other bytes pass unchanged, so UTF-8
 * text and JSON (whose control characters json-glib already writes as \u00XX) stay
 * as they were.
 */
#ifndef TSNAP_ESCAPE_STREAM_H
#define TSNAP_ESCAPE_STREAM_H

#include <stdbool.h>
#include <stddef.h>

/* stderr, and stdout too when `also_stdout`, become escaping streams writing to
 * the same descriptors (stderr unbuffered, stdout as buffered as before). */
void escape_stdio(bool also_stdout);

/* The same escaping of len bytes of text into a new string (g_free it): for text
 * that goes elsewhere than the standard streams, such as monitor and QMP replies.
 * A sequence cut off at the end of the text is escaped too. */
char *escape_text(const char *text, size_t len);

#endif /* TSNAP_ESCAPE_STREAM_H */
