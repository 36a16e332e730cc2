#!/usr/bin/env python3
"""The server sockets of -qmp and -monitor/-serial unix:PATH,server.

Usage: sockets.py TESSERA TIMER_BIN

- PATH already taken by a regular file, a directory, a symbolic link or a socket
  some server is listening on: refused with one line, exit 1, the file left as
  it was; a stale socket (nobody listening) is replaced and served.
- The socket files are created 0600 even under umask 000.
- A QMP client that sends commands and never reads the replies does not stall
  the emulator: the monitor on its own socket keeps answering while it floods,
  the client is disconnected once its output queue is full (one line on stderr),
  and the next QMP client is served.
"""
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time

import clitest
from clitest import TIMEOUT, Qmp, check, monitor_says, wait_for_path


def start_paused(tessera, prog, args, **kw):
    """tessera with the guest stopped at its first input poll (`stop` typed on the
    shared terminal before it starts), so nothing depends on timing."""
    rfd, wfd = os.pipe()
    os.write(wfd, b"\x01cstop\n")
    p = subprocess.Popen([tessera, "-M", "ss5", "-nographic", "-bios", prog,
                          "-serial", "mon:stdio"] + args,
                         stdin=rfd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    os.close(rfd)
    p.stdin_w = wfd
    return p


def finish(p):
    if p.poll() is None:
        p.kill()
    err = p.communicate()[1].decode(errors="replace")
    os.close(p.stdin_w)
    return err


def run_refused(tessera, prog, args):
    p = subprocess.run(["timeout", "10", tessera, "-M", "ss5", "-nographic", "-bios", prog,
                        "-serial", "null"] + args,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    return p.returncode, (p.stdout + p.stderr).strip().splitlines()


def refusals(tessera, prog, tmp):
    regular = os.path.join(tmp, "precious")
    with open(regular, "w") as f:
        f.write("keep me\n")
    directory = os.path.join(tmp, "dir")
    os.mkdir(directory)
    link = os.path.join(tmp, "link")
    os.symlink(regular, link)
    live = os.path.join(tmp, "live.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(live)
    server.listen(1)
    cases = [
        ("a regular file", regular, "is a regular file, not a socket"),
        ("a directory", directory, "is a directory, not a socket"),
        ("a symbolic link", link, "is a symbolic link, not a socket"),
        ("a live socket", live, "another server is listening on this socket"),
    ]
    try:
        for what, path, needle in cases:
            for opt, spec in (("-qmp", "unix:%s" % path),
                              ("-monitor", "unix:%s,server,nowait" % path),
                              ("-serial", "unix:%s,server,nowait" % path)):
                args = [opt, spec]
                if opt == "-serial":
                    args = ["-serial", spec, "-monitor", "none"]
                rc, lines = run_refused(tessera, prog, args)
                check("%s %s is refused with one line" % (opt, what),
                      rc == 1 and len(lines) == 1 and needle in lines[0] and path in lines[0],
                      "status %s: %r" % (rc, lines))
        with open(regular) as f:
            check("the regular file is untouched", f.read() == "keep me\n")
        check("the directory is still there", os.path.isdir(directory))
        check("the link is still there", os.path.islink(link))
        check("the live socket is still there",
              stat.S_ISSOCK(os.lstat(live).st_mode))
    finally:
        server.close()


def stale_and_mode(tessera, prog, tmp):
    stale = os.path.join(tmp, "stale.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(stale)
    s.close()  # the file stays: a socket nobody listens on
    mon = os.path.join(tmp, "mon0.sock")
    p = start_paused(tessera, prog, ["-qmp", "unix:%s" % stale,
                                     "-monitor", "unix:%s,server,nowait" % mon],
                     preexec_fn=lambda: os.umask(0))
    try:
        ok = wait_for_path(mon, p)
        time.sleep(0.1)
        if not check("tessera starts over a stale socket", ok and p.poll() is None):
            return
        for name, path in (("qmp", stale), ("monitor", mon)):
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            check("the %s socket is 0600 under umask 000" % name, mode == 0o600, oct(mode))
        q = Qmp(stale)
        ok = "QMP" in (q.line() or {})
        check("the replaced stale socket is served",
              ok and q.cmd("qmp_capabilities") == {"return": {}})
        q.send(b'{"execute": "quit"}\n')
        q.line()
        q.close()
        p.wait(TIMEOUT)
    finally:
        finish(p)


HELP = (json.dumps({"execute": "human-monitor-command",
                    "arguments": {"command-line": "help"}}) + "\n").encode()


def slow_reader(tessera, prog, tmp):
    qmp = os.path.join(tmp, "qmp.sock")
    mon = os.path.join(tmp, "mon.sock")
    p = start_paused(tessera, prog, ["-qmp", "unix:%s" % qmp,
                                     "-monitor", "unix:%s,server,nowait" % mon])
    try:
        if not check("slow reader: sockets appear", wait_for_path(qmp, p) and
                     wait_for_path(mon, p)):
            return
        q = Qmp(qmp)
        q.line()
        q.send(b'{"execute": "qmp_capabilities"}\n')
        q.line()
        # Send commands and never read: far more replies than the 1 MiB queue plus
        # the socket buffers hold. Bounded: at most 20000 commands.
        q.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        q.s.settimeout(2)
        sent, cut = 0, False
        try:
            while sent < 20000:
                q.s.sendall(HELP * 10)
                sent += 10
        except OSError:  # disconnected (EPIPE, ECONNRESET) or blocked: tessera stopped reading
            cut = True
        check("slow reader: the monitor answers while a QMP client does not read",
              b"VM status:" in monitor_says(mon, b"info status\n", b"VM status:"))
        # The flooding client is gone: its socket reaches end of stream.
        q.s.settimeout(TIMEOUT)
        gone = False
        try:
            deadline = time.time() + TIMEOUT
            while time.time() < deadline:
                if not q.s.recv(1 << 20):
                    gone = True
                    break
        except OSError:
            gone = True
        q.close()
        check("slow reader: the client that never read is disconnected", gone,
              "sent %d commands, cut=%s" % (sent, cut))
        q2 = Qmp(qmp)
        ok = "QMP" in (q2.line() or {})
        q2.send(b'{"execute": "qmp_capabilities"}\n')
        ok = ok and q2.line() == {"return": {}}
        check("slow reader: the next QMP client is served", ok)
        q2.send(b'{"execute": "quit"}\n')
        q2.line()
        q2.close()
        p.wait(TIMEOUT)
    finally:
        err = finish(p)
    check("slow reader: one line on stderr says why",
          err.count("stopped reading") == 1 and len(err.strip().splitlines()) == 1, repr(err))


def main():
    tessera, prog = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        for group in (refusals, stale_and_mode, slow_reader):
            try:
                group(tessera, prog, tmp)
            except Exception as e:  # noqa: BLE001 - reported, then the next group runs
                check(group.__name__, False, "%s: %s" % (type(e).__name__, e))
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
