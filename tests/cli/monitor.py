#!/usr/bin/env python3
"""The human monitor (-monitor stdio, -monitor unix:PATH,server) on real guests.

Usage: monitor.py TESSERA TESSERA_SNAP TIMER_BIN OPENBIOS

-monitor stdio with the serial port left on its default stdio shares the
terminal (mon:stdio; silent until Ctrl-A c, tested in mux.py); with an explicit
-serial stdio it is refused.
On stdio, with the self-checking guest TIMER_BIN (deterministic: the first
commands are in the pipe before tessera starts, so `stop` lands at the first
input poll, long before the program ends):
  info status says running, then paused after `stop`, and the instruction count
  does not move while paused; savevm writes a file tessera-snap verifies; info
  snapshot prints its manifest; bad, truncated, corrupted and missing files make
  loadvm print one error line and change nothing (the run then prints exactly
  what an unmonitored run prints); unknown commands and wrong arguments are
  refused (commit of a drive the machine lacks, too); loadvm of the saved file takes a later run back to the saved
  instruction and it finishes like the original; quit exits 0.
On a terminal (a pty): what is typed is echoed, backspace takes a character
back, Ctrl-A x quits.
On a unix socket, with OpenBIOS at its `0 >` prompt (skipped without it): the
count advances while running and not while stopped, a Forth line typed while
stopped is answered only after cont, loadvm (stopped and running) brings back a
Forth word's old definition, failed loadvm leave the running machine as it was,
every client that connects gets the banner and a prompt, a second client is
served, quit exits 0 and removes the socket. `,server,wait`
holds the guest until a client connects, which then gets the banner.
"""
import json
import os
import pty
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
import tty

import clitest
from clitest import BOOT_TIMEOUT, TIMEOUT, check, wait_for_path

PROMPT = b"(tessera) "
BANNER = "Tessera monitor - type 'help' for more information"
STATUS = re.compile(r"^VM status: (running|paused) \(icount (\d+)\)$", re.M)


class Monitor:
    """One side of a monitor conversation: bytes out to `send`, in from `fd`."""

    def __init__(self, fd, send):
        self.fd = fd
        self.send_bytes = send
        self.buf = b""

    def _read(self, deadline):
        left = deadline - time.time()
        if left <= 0 or not select.select([self.fd], [], [], left)[0]:
            return None
        try:
            return os.read(self.fd, 65536)
        except OSError:  # a terminal whose other side has closed
            return b""

    def reply(self):
        """The text up to the next prompt (None on timeout or end of stream)."""
        deadline = time.time() + TIMEOUT
        while PROMPT not in self.buf:
            chunk = self._read(deadline)
            if not chunk:
                return None
            self.buf += chunk
        text, self.buf = self.buf.split(PROMPT, 1)
        return text.decode(errors="replace")

    def send(self, data):
        try:
            self.send_bytes(data)
        except OSError:  # the emulator is gone: the reply will be missing
            pass

    def cmd(self, line, end=b"\n"):
        self.send(line.encode() + end)
        return self.reply()

    def status(self):
        """(state, icount) from `info status`, or (None, reply)."""
        r = self.cmd("info status")
        m = STATUS.match((r or "").strip())
        return (m.group(1), int(m.group(2))) if m else (None, r)

    def sync(self):
        """Skip whatever came before (a banner, if the client got one)."""
        self.send(b"info status\n")
        deadline = time.time() + TIMEOUT
        while not re.search(rb"VM status: [^\n]*\n(?:CPU: [^\n]*\n)?" + re.escape(PROMPT), self.buf):
            chunk = self._read(deadline)
            if not chunk:
                return False
            self.buf += chunk
        self.buf = b""
        return True

    def rest(self):
        """Everything until the stream ends (after quit)."""
        deadline = time.time() + TIMEOUT
        while True:
            chunk = self._read(deadline)
            if not chunk:
                return self.buf.decode(errors="replace"), chunk is not None
            self.buf += chunk


def finish(p, name):
    """The exit status of p, which must end by itself (killed otherwise)."""
    try:
        rc = p.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        check(name, False, "the emulator did not exit")
        return None
    return rc


def one_error_line(r, path):
    return r is not None and r.count("\n") == 1 and r.startswith("Error: ") and path in r


def start_stdio(tessera, args, first, tmp):
    """tessera with -monitor stdio; `first` is in its stdin before it starts."""
    rfd, wfd = os.pipe()
    os.write(wfd, first.encode())
    err = open(os.path.join(tmp, "stderr"), "w+")
    p = subprocess.Popen([tessera] + args + ["-monitor", "stdio"], stdin=rfd,
                         stdout=subprocess.PIPE, stderr=err)
    os.close(rfd)
    mon = Monitor(p.stdout.fileno(), lambda b: os.write(wfd, b))
    return p, mon, wfd, err


def stopped_at_start(mon, total, prefix=""):
    """`info status` then `stop` were sent before the start: the answers say
    running, then paused before the program's end, and the count stays put while
    paused. Returns that count, or None when it did not pause."""
    r = mon.reply()
    m = STATUS.match((r or "").strip())
    check(prefix + "status-running", m and m.group(1) == "running", repr(r))
    check(prefix + "status-names-the-accelerator",
          re.search(r"^CPU: accel (jit|interp)", r or "", re.M) is not None, repr(r))
    r = mon.reply()
    check(prefix + "stop-is-silent", r == "", repr(r))
    state, n1 = mon.status()
    check(prefix + "status-paused-after-stop", state == "paused" and n1 < total,
          "%s %s (the program takes %d)" % (state, n1, total))
    if state != "paused":
        return None
    time.sleep(0.5)
    check(prefix + "icount-frozen-while-paused", mon.status() == ("paused", n1), str(n1))
    return n1


def counting_then_stopped(mon, prefix):
    """A running guest's count advances; `stop` pauses it. Returns the paused count."""
    state, x1 = mon.status()
    time.sleep(0.3)
    state2, x2 = mon.status()
    check(prefix + "status-running-and-counting",
          state == state2 == "running" and x2 > x1, "%s %s, %s %s" % (state, x1, state2, x2))
    r = mon.cmd("stop")
    state, p1 = mon.status()
    check(prefix + "stop", r == "" and state == "paused", "%r %s" % (r, state))
    return p1


def stderr_of(err):
    err.seek(0)
    return err.read()


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


# ---- stdio, the timer guest ----

def stdio_checks(tessera, snap_tool, prog, tmp):
    guest = ["-M", "ss5", "-nographic", "-bios", prog]
    ref_out = os.path.join(tmp, "ref.out")
    r = subprocess.run([tessera] + guest + ["-serial", "file:" + ref_out, "-report-icount"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True)
    m = re.search(r"^icount: (\d+)$", r.stderr, re.M)
    if not check("reference-run", r.returncode == 0 and m and b"DONE" in read(ref_out),
                 "status %d: %s" % (r.returncode, r.stderr)):
        return None
    total = int(m.group(1))
    ref = read(ref_out)

    r = subprocess.run([tessera] + guest + ["-monitor", "stdio"], stdin=subprocess.DEVNULL,
                       capture_output=True)
    check("stdio-monitor-shares-the-default-serial-silently",
          r.returncode == 0 and r.stdout == ref and r.stderr == b"",
          "status %d, %d bytes of %d: %r" % (r.returncode, len(r.stdout), len(ref), r.stderr))
    r = subprocess.run([tessera] + guest + ["-serial", "stdio", "-monitor", "stdio"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True)
    check("stdio-monitor-and-stdio-serial-is-refused",
          r.returncode == 1 and r.stderr.count("\n") == 1 and "already used" in r.stderr and
          "mon:stdio" in r.stderr, "status %d: %r" % (r.returncode, r.stderr))

    # Run A: stop at the first poll, look around, save, fail to load, go on.
    a_out = os.path.join(tmp, "a.out")
    snap = os.path.join(tmp, "a.tsnap")
    p, mon, wfd, err = start_stdio(tessera, guest + ["-serial", "file:" + a_out],
                                   "info status\nstop\n", tmp)
    try:
        banner = mon.reply()
        check("stdio-banner", banner == BANNER + "\n", repr(banner))
        n1 = stopped_at_start(mon, total)
        if n1 is None:
            return None
        check("guest-output-frozen-while-paused", b"DONE" not in read(a_out))

        r = mon.cmd("savevm " + snap)
        check("savevm-is-silent", r == "", repr(r))
        v = subprocess.run([snap_tool, "verify", snap], capture_output=True, text=True)
        check("savevm-file-verifies", v.returncode == 0, v.stdout + v.stderr)

        r = mon.cmd("info snapshot " + snap)
        try:
            man = json.loads(r)
        except (TypeError, ValueError):
            man = {}
        names = {i.get("name") for i in man.get("instances", [])}
        check("info-snapshot-manifest",
              man.get("machine") == "ss5" and man.get("icount") == n1 and
              {"cpu", "timer", "intctl", "escc-serial"} <= names and
              any(r_.get("name") == "ram" for r_ in man.get("memory", [])), repr(r)[:300])
        r = mon.cmd("info snapshot " + snap + ".missing")
        check("info-snapshot-missing-file", one_error_line(r, snap + ".missing"), repr(r))
        # A reply quoting what was typed (or what a snapshot says) escapes control
        # characters and bytes that are not UTF-8, as tessera's stderr does.
        mon.send(b"info snapshot /nonexistent/\x1b[2J\xfe.tsnap\n")
        r = mon.reply() or ""
        errs = [l for l in r.splitlines() if l.startswith("Error:")]
        check("monitor-reply-escapes", len(errs) == 1 and "\x1b" not in errs[0] and
              "/nonexistent/\\033[2J\\376.tsnap" in errs[0], repr(r))

        data = read(snap)
        bad = {
            "truncated": data[:len(data) // 2],
            "corrupted": data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0x10]) +
                         data[len(data) // 2 + 1:],
            "not-a-snapshot": b"hello\n" * 100,
            "empty": b"",
        }
        for what, content in bad.items():
            path = os.path.join(tmp, what + ".tsnap")
            with open(path, "wb") as f:
                f.write(content)
            r = mon.cmd("loadvm " + path)
            check("loadvm-%s-one-error-line" % what, one_error_line(r, path), repr(r))
        r = mon.cmd("loadvm " + os.path.join(tmp, "none.tsnap"))
        check("loadvm-missing-one-error-line", one_error_line(r, "none.tsnap"), repr(r))
        check("failed-loadvm-changes-nothing", mon.status() == ("paused", n1))

        for line, want in [("bogus", "unknown command or wrong arguments: 'bogus' (try help)\n"),
                           ("savevm", "unknown command or wrong arguments: 'savevm' (try help)\n"),
                           ("loadvm a b", "unknown command or wrong arguments: 'loadvm a b' (try help)\n"),
                           ("stop now", "unknown command or wrong arguments: 'stop now' (try help)\n"),
                           ("info", "usage: info status | info migrate | info snapshot FILE | info network\n"),
                           ("info registers", "usage: info status | info migrate | info snapshot FILE | info network\n"),
                           ("info status now", "usage: info status | info migrate | info snapshot FILE | info network\n"),
                           # No drives here: commit of one is refused, of all is a no-op.
                           ("commit scsi0-hd0", "Error: no drive 'scsi0-hd0' (scsi0-hdN, or all)\n"),
                           ("commit", "unknown command or wrong arguments: 'commit' (try help)\n"),
                           ("commit all", "")]:
            r = mon.cmd(line)
            check("refuses '%s'" % line, r == want, repr(r))
        # The migration commands: nothing started yet, bad input refused in one line.
        r = mon.cmd("info migrate")
        check("info-migrate-before-any", r is not None and "Migration status: none\n" in r, repr(r))
        for line, want in [("migrate_set_parameter speed 1",
                            "Error: unknown migration parameter 'speed' (max-bandwidth, "
                            "downtime-limit)\n"),
                           ("migrate_set_parameter max-bandwidth -5", "Error: '-5' is not a number\n"),
                           ("migrate_set_capability xbzrle on",
                            "Error: unknown migration capability 'xbzrle' (auto-converge)\n"),
                           ("migrate tcp:nohostport",
                            "Error: 'tcp:nohostport' is not a migration address (tcp:HOST:PORT "
                            "or unix:PATH)\n"),
                           ("migrate_incoming unix:/nonexistent/x",
                            "Error: migrate-incoming needs the machine started with -incoming "
                            "defer\n")]:
            r = mon.cmd(line)
            check("refuses '%s'" % line, r == want, repr(r))
        mon.cmd("migrate_set_parameter max-bandwidth 1000000")
        r = mon.cmd("info migrate")
        check("migrate-set-parameter-shows", r is not None and "max-bandwidth: 1000000 " in r,
              repr(r))
        r = mon.cmd("help")
        check("help-lists-every-command",
              r is not None and all(re.search(r"^%s\b" % c, r, re.M) for c in
                                    ["stop", "cont", "savevm", "loadvm", "info status",
                                     "info snapshot", "info migrate", "migrate",
                                     "migrate_cancel", "quit"]), repr(r))
        # A terminal sends CR (or CR LF): one command, one answer.
        r1 = mon.cmd("info status", end=b"\r\n")
        r2 = mon.cmd("help", end=b"\r")
        check("cr-lf-is-one-line", STATUS.match((r1 or "").strip()) and r2 and "savevm" in r2,
              "%r %r" % (r1, r2))

        a_off = len(read(a_out))
        mon.send(b"cont\n")
        rc = finish(p, "cont-runs-to-the-end")
        check("cont-runs-the-program-to-its-end", rc == 0 and read(a_out) == ref,
              "status %s: %s" % (rc, stderr_of(err)))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(wfd)
        err.close()

    # Run B: from a later point (-savevm-at), loadvm takes it back to n1.
    later = os.path.join(tmp, "later.tsnap")
    r = subprocess.run([tessera] + guest + ["-serial", "null", "-savevm-at",
                                            "%d,%s" % (total // 4, later)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if not check("savevm-at-a-later-point", r.returncode == 0, r.stderr):
        return snap
    b_out = os.path.join(tmp, "b.out")
    p, mon, wfd, err = start_stdio(tessera, ["-loadvm", later, "-nographic", "-bios", prog,
                                             "-serial", "file:" + b_out], "stop\n", tmp)
    try:
        mon.reply()
        mon.reply()
        state, m1 = mon.status()
        check("paused-after-a-later-point", state == "paused" and total // 4 <= m1 < total,
              "%s %s" % (state, m1))
        r = mon.cmd("loadvm " + snap)
        check("loadvm-is-silent", r == "", repr(r))
        check("loadvm-goes-back-to-the-saved-icount", mon.status() == ("paused", n1),
              "before %s, saved %d" % (m1, n1))
        b_off = len(read(b_out))
        mon.send(b"cont\n")
        rc = finish(p, "cont-after-loadvm")
        out = read(b_out)
        check("loadvm-resumes-the-saved-program", rc == 0 and out[b_off:] == ref[a_off:],
              "status %s, %d bytes after loading, want %d: %s" %
              (rc, len(out) - b_off, len(ref) - a_off, stderr_of(err)))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(wfd)
        err.close()

    # Run C: quit while paused.
    c_out = os.path.join(tmp, "c.out")
    p, mon, wfd, err = start_stdio(tessera, guest + ["-serial", "file:" + c_out], "stop\n", tmp)
    try:
        mon.reply()
        mon.reply()
        mon.send(b"quit\n")
        rest, _ = mon.rest()
        rc = finish(p, "quit")
        check("quit-exits-0-without-running-on",
              rc == 0 and p.poll() is not None and b"DONE" not in read(c_out) and
              PROMPT.decode() not in rest,
              "status %s, after quit %r: %s" % (rc, rest, stderr_of(err)))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(wfd)
        err.close()
    return snap


# ---- a terminal ----

def terminal_checks(tessera, prog, tmp, mux=False):
    """-monitor stdio on a terminal (with mux: the terminal -nographic shares with
    the serial port, after Ctrl-A c): the banner, what is typed shows, backspace
    takes a character back, Ctrl-A x quits (as Ctrl-A h says)."""
    try:
        master, slave = pty.openpty()
    except OSError as e:
        print("SKIP the monitor on a terminal: no pty (%s)" % e)
        return
    tty.setraw(slave)  # tessera makes it raw too; the line discipline must not echo
    switch = b"\x01c" if mux else b""
    prefix = "terminal-mux-" if mux else "terminal-"
    os.write(master, switch + b"stop\r")  # waits in the terminal for the first input poll
    err = open(os.path.join(tmp, "stderr"), "w+")
    p = subprocess.Popen([tessera, "-M", "ss5", "-nographic", "-bios", prog] +
                         ([] if mux else ["-serial", "null", "-monitor", "stdio"]),
                         stdin=slave, stdout=slave, stderr=err)
    os.close(slave)
    mon = Monitor(master, lambda b: os.write(master, b))
    try:
        r = mon.reply()
        check(prefix + "banner", r is not None and r.endswith(BANNER + "\r\n"), repr(r))
        r = mon.reply()
        check(prefix + "echoes-what-is-typed", r == "stop\r\n", repr(r))
        r = mon.cmd("info statux\x7fs", end=b"\r")
        check(prefix + "backspace-takes-a-character-back",
              r is not None and "info statux\b \bs\r\n" in r and "VM status: paused" in r,
              repr(r))
        mon.send(switch + b"\x01x")
        rc = finish(p, prefix + "ctrl-a-x")
        check(prefix + "ctrl-a-x-quits", rc == 0, "status %s: %s" % (rc, stderr_of(err)))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
        err.close()


# ---- unix sockets ----

def connect(path, name):
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return s, Monitor(s.fileno(), s.sendall)
        except OSError:
            s.close()
            time.sleep(0.05)
    check(name, False, "cannot connect to " + path)
    return None, None


def socket_wait_checks(tessera, prog, tmp):
    """,server,wait: nothing runs until a client connects; the client is greeted."""
    sock = os.path.join(tmp, "wait.sock")
    out = os.path.join(tmp, "wait.out")
    p = subprocess.Popen([tessera, "-M", "ss5", "-nographic", "-bios", prog, "-serial",
                          "file:" + out, "-monitor", "unix:%s,server,wait" % sock],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        s, mon = None, None
        wait_for_path(sock, p)
        time.sleep(0.3)
        check("server-wait-holds-the-guest",
              p.poll() is None and os.path.exists(out) and read(out) == b"")
        s, mon = connect(sock, "server-wait-connect")
        if not s:
            return
        r = mon.reply()
        check("server-wait-client-gets-the-banner", r == BANNER + "\n", repr(r))
        mon.send(b"quit\n")  # the guest may power off first: either way, status 0
        rc = finish(p, "server-wait-quit")
        check("server-wait-exits-0", rc == 0, p.stderr.read().decode(errors="replace"))
    finally:
        if s:
            s.close()
        if p.poll() is None:
            p.kill()
            p.wait()


class Console:
    """OpenBIOS on the serial port (tessera's stdin and stdout)."""

    def __init__(self, p):
        self.p = p
        self.out = b""

    def wait_for(self, text, after, timeout=TIMEOUT):
        deadline = time.time() + timeout
        fd = self.p.stdout.fileno()
        while True:
            pos = self.out.find(text.encode(), after)
            if pos >= 0:
                return pos + len(text)
            left = deadline - time.time()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.out += chunk

    def type(self, line):
        self.p.stdin.write(line.encode() + b"\r")
        self.p.stdin.flush()

    def ask(self, line, answer):
        """Type a Forth line; True when `answer` then ` ok` and the prompt come."""
        start = len(self.out)
        self.type(line)
        end = self.wait_for(" ok", start)
        got = self.out[start:end or len(self.out)].decode(errors="replace")
        return end is not None and answer in got and self.wait_for("0 > ", end) is not None


def openbios_checks(tessera, snap_tool, firmware, timer_snap, tmp):
    sock = os.path.join(tmp, "mon.sock")
    snap = os.path.join(tmp, "prompt.tsnap")
    p = subprocess.Popen([tessera, "-M", "ss5", "-nographic", "-m", "64", "-bios", firmware,
                          "-monitor", "unix:%s,server,nowait" % sock],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    con = Console(p)
    s = None
    try:
        booted = con.wait_for("0 > ", 0, BOOT_TIMEOUT) is not None
        if not check("openbios-boots-to-the-prompt", booted,
                     con.out.decode(errors="replace")[-500:]):
            return
        check("forth-word-defined", con.ask(": magic 11 ;", ""))
        s, mon = connect(sock, "socket-connect")
        if not s:
            return
        r = mon.reply()
        check("late-client-gets-the-banner", r == BANNER + "\n", repr(r))
        check("socket-answers", mon.sync())
        p1 = counting_then_stopped(mon, "socket-")
        start = len(con.out)
        con.type("3 4 + .")
        time.sleep(0.5)
        check("socket-icount-frozen-while-paused", mon.status() == ("paused", p1), str(p1))
        check("guest-does-not-answer-while-paused",
              con.wait_for(" ok", start, 0.2) is None, con.out[start:].decode(errors="replace"))

        r = mon.cmd("savevm " + snap)
        v = subprocess.run([snap_tool, "verify", snap], capture_output=True, text=True)
        check("socket-savevm-verifies", r == "" and v.returncode == 0,
              "%r %s" % (r, v.stdout + v.stderr))
        r = mon.cmd("info snapshot " + snap)
        try:
            man = json.loads(r)
        except (TypeError, ValueError):
            man = {}
        check("socket-info-snapshot",
              man.get("machine") == "ss5" and man.get("icount") == p1 and
              man.get("ram_size") == 64 << 20, repr(r)[:300])

        r = mon.cmd("cont")
        end = con.wait_for(" ok", start)
        check("cont-lets-the-guest-answer",
              r == "" and end is not None and "7 " in con.out[start:end].decode(errors="replace"))
        con.wait_for("0 > ", end or start)
        state, x3 = mon.status()
        check("socket-running-after-cont", state == "running" and x3 > p1, "%s %s" % (state, x3))

        check("forth-word-redefined", con.ask(": magic 22 ;", "") and con.ask("magic .", "22 "))
        data = read(snap)
        trunc = os.path.join(tmp, "prompt-truncated.tsnap")
        with open(trunc, "wb") as f:
            f.write(data[:len(data) - 100])
        r = mon.cmd("loadvm " + trunc)
        check("running-loadvm-truncated-one-error-line", one_error_line(r, trunc), repr(r))
        if timer_snap:
            r = mon.cmd("loadvm " + timer_snap)
            check("loadvm-other-ram-size-one-error-line", one_error_line(r, timer_snap), repr(r))
        state, x4 = mon.status()
        check("failed-loadvm-leaves-it-running",
              state == "running" and x4 > x3 and con.ask("magic .", "22 "), "%s %s" % (state, x4))

        r1 = mon.cmd("stop")
        r2 = mon.cmd("loadvm " + snap)
        check("loadvm-while-paused", r1 == "" and r2 == "" and mon.status() == ("paused", p1),
              repr(r2))
        r = mon.cmd("cont")
        check("loadvm-brings-back-the-old-word", r == "" and con.ask("magic .", "11 "))

        check("forth-word-redefined-again", con.ask(": magic 33 ;", ""))
        r = mon.cmd("loadvm " + snap)
        state, x5 = mon.status()
        check("loadvm-while-running", r == "" and state == "running" and x5 >= p1 and
              con.ask("magic .", "11 "), "%r %s %s" % (r, state, x5))

        s.close()
        s, mon = connect(sock, "socket-reconnect")
        if not s:
            return
        r = mon.reply()
        check("second-client-gets-the-banner", r == BANNER + "\n", repr(r))
        check("second-client-is-served", mon.sync() and mon.status()[0] == "running")
        mon.send(b"quit\n")
        rest, _ = mon.rest()
        rc = finish(p, "socket-quit")
        check("socket-quit-exits-0-and-removes-the-socket",
              rc == 0 and rest == "" and not os.path.exists(sock),
              "status %s, %r, %s" % (rc, rest, p.stderr.read().decode(errors="replace")))
    finally:
        if s:
            s.close()
        if p.poll() is None:
            p.kill()
            p.wait()


def run(checks, *args):
    """A group of checks; an exception in one is a failure, not a crash."""
    try:
        return checks(*args)
    except Exception as e:  # noqa: BLE001 - reported, then the next group runs
        check(checks.__name__, False, "%s: %s" % (type(e).__name__, e))
        return None


def main():
    tessera, snap_tool, prog, firmware = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as tmp:
        timer_snap = run(stdio_checks, tessera, snap_tool, prog, tmp)
        run(terminal_checks, tessera, prog, tmp)
        run(socket_wait_checks, tessera, prog, tmp)
        if os.path.exists(firmware):
            run(openbios_checks, tessera, snap_tool, firmware, timer_snap, tmp)
        else:
            print("SKIP openbios over the socket: %s not installed "
                  "(Debian package qemu-system-data)" % firmware)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
