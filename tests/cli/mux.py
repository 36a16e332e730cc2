#!/usr/bin/env python3
"""The terminal shared by the serial port and the monitor (-serial mon:stdio, the
default under -nographic), driven through pipes (bytes, as a script sends them)
and a pty.

Usage: mux.py TESSERA TIMER_BIN OPENBIOS

With the self-checking guest TIMER_BIN (it never reads the serial port; input
prepared before tessera starts is all read at the first poll, so `stop` lands
long before the program ends):
  nothing typed: the output is exactly the guest's, as with -serial file:;
  Ctrl-A c shows the banner and a prompt after the guest's output so far;
  `info status` says running, `stop` pauses and the count stays put; keys typed
  after the next Ctrl-A c go to the guest, not the monitor; the Ctrl-A c after
  that shows a prompt only; Ctrl-A Ctrl-A gives the monitor a Ctrl-A (and x after
  it is not the quit key); after `cont` the guest prints the rest of its output,
  and all it printed equals the unmonitored run; Ctrl-A c then `quit` exits 0
  before the program ends, so does Ctrl-A x; Ctrl-A h lists Ctrl-A c;
  -monitor stdio (default serial) and -serial mon:stdio without -nographic mux
  the same way; with -monitor none, Ctrl-A c and the text after it change nothing
  (no monitor appears, the output is the guest's, Ctrl-A h does not offer c);
  mon: with anything but stdio is refused.
On a terminal (a pty): the monitor echoes what is typed and backspace takes a
character back; Ctrl-A x quits.
With OpenBIOS at its `0 >` prompt (skipped without it): the count advances while
running; after `stop`, a Forth line typed on the serial side (Ctrl-A c back) is
not answered, the count does not move, and the answer comes after Ctrl-A c and
`cont` (printed while the monitor has the keyboard, as QEMU does); the serial
side then answers again; Ctrl-A c then `quit` exits 0. With -monitor none,
Ctrl-A c leaves the keys with OpenBIOS.
"""
import os
import select
import subprocess
import sys
import tempfile

import clitest
from clitest import BOOT_TIMEOUT, TIMEOUT, check
from monitor import (BANNER, PROMPT, STATUS, Console, Monitor, counting_then_stopped, finish,
                     read, stopped_at_start)
import monitor

HELP = b"\nC-a h    print this help\nC-a x    exit emulator\n"
HELP_C = b"C-a c    switch between console and monitor\n"
HELP_END = b"C-a C-a  sends C-a\n"


def start(tessera, args, first):
    """tessera with `first` in its stdin (a pipe) before it starts."""
    rfd, wfd = os.pipe()
    os.write(wfd, first)
    p = subprocess.Popen([tessera] + args, stdin=rfd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    os.close(rfd)
    return p, Monitor(p.stdout.fileno(), lambda b: os.write(wfd, b)), wfd


def stop_process(p, wfd=None):
    if p.poll() is None:
        p.kill()
        p.wait()
    if wfd is not None:
        os.close(wfd)


def run_with(tessera, args, data):
    """Run to the end with `data` as all of stdin: (status, stdout, stderr)."""
    r = subprocess.run([tessera] + args, input=data, capture_output=True, timeout=TIMEOUT * 3)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def quiet(mon, seconds):
    """Nothing more arrives on mon's stream for `seconds`."""
    if mon.buf:
        return False
    return not select.select([mon.fd], [], [], seconds)[0]


# ---- the timer guest ----

def timer_checks(tessera, prog, tmp):
    guest = ["-M", "ss5", "-nographic", "-bios", prog]
    ref_out = os.path.join(tmp, "ref.out")
    r = subprocess.run([tessera] + guest + ["-serial", "file:" + ref_out, "-report-icount"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True)
    total = int(r.stderr.split("icount: ")[-1]) if "icount: " in r.stderr else 0
    ref = read(ref_out)
    if not check("reference-run", r.returncode == 0 and b"DONE" in ref and total > 0, r.stderr):
        return

    rc, out, err = run_with(tessera, guest, b"")
    check("default-nographic-output-is-the-guests", rc == 0 and out == ref and err == "",
          "status %d, %d bytes of %d: %s" % (rc, len(out), len(ref), err))

    p, mon, wfd = start(tessera, guest, b"\x01cinfo status\nstop\n")
    try:
        r = mon.reply()
        check("ctrl-a-c-shows-the-banner-and-prompt",
              r is not None and (r == BANNER + "\n" or r.endswith("\n" + BANNER + "\n")),
              repr(r))
        # The guest's output so far, and a newline if it stopped mid-line.
        raw = (r or "").encode()[:-len(BANNER) - 1]
        before = raw if ref.startswith(raw) else raw[:-1]
        check("output-before-the-switch-is-the-guests",
              ref.startswith(before) and (raw == before or raw.endswith(b"\n")),
              repr(raw[-200:]))
        n1 = stopped_at_start(mon, total, "mux-")
        if n1 is None:
            return
        check("mux-guest-silent-while-paused", quiet(mon, 0.3), repr(mon.buf))

        mon.send(b"\x01cinfo status\n")
        got = b""
        while select.select([mon.fd], [], [], 0.5)[0]:
            chunk = os.read(mon.fd, 65536)
            if not chunk:
                break
            got += chunk
        check("serial-side-keys-do-not-reach-the-monitor", got == b"\n", repr(got))
        r = mon.cmd("", end=b"\x01c")
        check("second-ctrl-a-c-shows-only-the-prompt", r == "", repr(r))
        check("still-paused-at-the-same-count", mon.status() == ("paused", n1))
        r = mon.cmd("\x01\x01x")
        # The monitor got the Ctrl-A; its reply quotes it escaped.
        check("ctrl-a-ctrl-a-sends-ctrl-a-to-the-monitor",
              r == "unknown command or wrong arguments: '\\001x' (try help)\n", repr(r))
        mon.send(b"cont\n")
        rest, _ = mon.rest()
        rc = finish(p, "mux-cont")
        tail = rest.encode()
        check("cont-prints-the-rest-of-the-guests-output",
              rc == 0 and tail.startswith(PROMPT) and before + tail[len(PROMPT):] == ref,
              "status %s, %r" % (rc, tail[:200]))
    finally:
        stop_process(p, wfd)

    for name, extra, keys in [("ctrl-a-c-quit-exits-0", [], b"\x01cquit\n"),
                              ("ctrl-a-x-quits", [], b"\x01x"),
                              ("monitor-stdio-muxes-the-default-serial",
                               ["-monitor", "stdio"], b"\x01cquit\n")]:
        rc, out, err = run_with(tessera, guest + extra, keys)
        want_banner = keys != b"\x01x"
        check(name, rc == 0 and b"DONE" not in out and
              (BANNER.encode() in out) == want_banner and out.count(PROMPT) == want_banner,
              "status %d: %r %s" % (rc, out[-300:], err))

    rc, out, err = run_with(tessera, ["-M", "ss5", "-bios", prog, "-serial", "mon:stdio"],
                            b"\x01cinfo status\nquit\n")
    check("serial-mon-stdio-without-nographic",
          rc == 0 and b"VM status: running" in out and b"DONE" not in out,
          "status %d: %r %s" % (rc, out[-300:], err))

    rc, out, err = run_with(tessera, guest, b"\x01h")
    help_text = HELP + HELP_C + HELP_END
    check("ctrl-a-h-lists-ctrl-a-c", rc == 0 and out.replace(help_text, b"", 1) == ref,
          "status %d: %r" % (rc, out[:300]))

    rc, out, err = run_with(tessera, guest + ["-monitor", "none"],
                            b"\x01cinfo status\nquit\n\x01h")
    check("monitor-none-ctrl-a-c-changes-nothing",
          rc == 0 and out.replace(HELP + HELP_END, b"", 1) == ref and err == "",
          "status %d: %r %s" % (rc, out[:300], err))

    rc, out, err = run_with(tessera, guest + ["-serial", "mon:file:" + ref_out], b"")
    check("mon-prefix-only-for-stdio",
          rc == 1 and err.count("\n") == 1 and "mon:file:" in err and "mon:stdio" in err,
          "status %d: %r" % (rc, err))


# ---- OpenBIOS ----

class Terminal(Console):
    """OpenBIOS and the monitor on one stdin and stdout."""

    def keys(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def until_prompt(self, data):
        """Send data; what comes before the monitor's next prompt (None if none comes)."""
        start = len(self.out)
        self.keys(data)
        end = self.wait_for(PROMPT.decode(), start)
        return None if end is None else self.out[start:end - len(PROMPT)].decode(errors="replace")

    def switch(self):
        """Ctrl-A c to the monitor."""
        return self.until_prompt(b"\x01c")

    def cmd(self, line):
        return self.until_prompt(line.encode() + b"\r")

    def status(self):
        m = STATUS.match((self.cmd("info status") or "").strip())
        return (m.group(1), int(m.group(2))) if m else (None, None)


def boot(tessera, firmware, extra):
    p = subprocess.Popen([tessera, "-M", "ss5", "-nographic", "-m", "64", "-bios", firmware] +
                         extra, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    t = Terminal(p)
    if not check("openbios-boots-to-the-prompt" + ("-monitor-none" if extra else ""),
                 t.wait_for("0 > ", 0, BOOT_TIMEOUT) is not None,
                 t.out.decode(errors="replace")[-500:]):
        stop_process(p)
        return None
    return t


def openbios_checks(tessera, firmware):
    t = boot(tessera, firmware, [])
    if not t:
        return
    p = t.p
    try:
        r = t.switch()
        check("openbios-ctrl-a-c-shows-the-monitor", r is not None and BANNER in r, repr(r))
        p1 = counting_then_stopped(t, "openbios-mux-")

        t.keys(b"\x01c")
        start = len(t.out)
        t.type("3 4 + .")
        check("paused-guest-does-not-answer-forth",
              t.wait_for(" ok", start, 0.5) is None, t.out[start:].decode(errors="replace"))
        r = t.switch()
        check("openbios-second-ctrl-a-c-prompt-only", r is not None and BANNER not in r and
              r.strip() == "", repr(r))
        check("openbios-icount-frozen-while-paused", t.status() == ("paused", p1), str(p1))
        check("still-no-answer-before-cont",
              t.wait_for(" ok", start, 0.2) is None, t.out[start:].decode(errors="replace"))
        r = t.cmd("cont")
        end = t.wait_for(" ok", start)
        check("forth-typed-while-paused-is-answered-after-cont",
              r == "" and end is not None and "7 " in t.out[start:end].decode(errors="replace"),
              "%r %r" % (r, t.out[start:].decode(errors="replace")))
        t.wait_for("0 > ", end or start)
        state, x3 = t.status()
        check("openbios-running-after-cont", state == "running" and x3 > p1, "%s %s" % (state, x3))

        t.keys(b"\x01c")
        check("serial-side-answers-again", t.ask("2 3 + .", "5 "))
        r = t.switch()
        t.type("quit")
        rc = finish(p, "openbios-mux-quit")
        check("openbios-ctrl-a-c-quit-exits-0", r is not None and rc == 0,
              "status %s: %s" % (rc, p.stderr.read().decode(errors="replace")))
    finally:
        stop_process(p)

    t = boot(tessera, firmware, ["-monitor", "none"])
    if not t:
        return
    p = t.p
    try:
        t.keys(b"\x01c")
        check("monitor-none-ctrl-a-c-leaves-the-keys-with-openbios",
              t.ask("3 4 + .", "7 ") and PROMPT not in t.out and BANNER.encode() not in t.out,
              t.out[-300:].decode(errors="replace"))
        t.keys(b"\x01x")
        rc = finish(p, "monitor-none-ctrl-a-x")
        check("monitor-none-ctrl-a-x-quits", rc == 0, "status %s" % rc)
    finally:
        stop_process(p)


def main():
    tessera, prog, firmware = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        monitor.run(timer_checks, tessera, prog, tmp)
        monitor.run(monitor.terminal_checks, tessera, prog, tmp, True)
        if os.path.exists(firmware):
            monitor.run(openbios_checks, tessera, firmware)
        else:
            print("SKIP OpenBIOS on the shared terminal: %s not installed "
                  "(Debian package qemu-system-data)" % firmware)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
