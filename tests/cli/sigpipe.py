#!/usr/bin/env python3
"""Clients that hang up before reading their replies must not end tessera.

Usage: sigpipe.py TESSERA TIMER_BIN HELLO_BIN

Tessera runs the timer guest with the serial port and a first monitor on stdin
(-serial mon:stdio: `Ctrl-A c` then `stop`, in the pipe before it starts, so the
machine is paused at the first input poll and stays up), a second monitor on a
unix socket and QMP on another. Writing to a socket whose peer has closed raises
SIGPIPE unless the write says MSG_NOSIGNAL or the signal is ignored; the default
action ends the process with status 141. So each client below sends commands with
long replies and closes at once without reading; afterwards tessera must still be
running and must serve a new client normally:
  QMP: a client that closes before the greeting is read; one that negotiates and
  queues many human-monitor-command `help`; one that hangs up mid-reply.
  monitor socket: a client that queues many `help` lines and closes.
Finally `quit` over QMP ends tessera with status 0.
Then the hello guest, once with its serial port on stdout, a pipe whose reader
has already closed (write() there raises SIGPIPE unless it is ignored), and once
with -serial unix:PATH connected to a server that hangs up at once: both times the
guest runs to its end and tessera exits 0.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from clitest import TIMEOUT, Qmp, check, connect, monitor_says, summary, wait_for_path

def still_alive(p, name):
    time.sleep(0.3)  # let tessera read what was sent and try to answer
    return check(name + ": tessera still running", p.poll() is None,
                 "exited with status %s" % p.returncode)


def qmp_serves(path, name):
    try:
        q = Qmp(path)
        greeting = q.line()
        ok = greeting is not None and "QMP" in greeting
        ok = ok and q.cmd("qmp_capabilities") == {"return": {}}
        st = q.cmd("query-status") if ok else None
        q.close()
        return check(name + ": a new QMP client is served",
                     ok and st is not None and st.get("return", {}).get("status") == "paused",
                     repr(st))
    except OSError as e:
        return check(name + ": a new QMP client is served", False, str(e))


def monitor_serves(path, name):
    try:
        buf = monitor_says(path, b"info status\n", b"VM status: paused")
        return check(name + ": a new monitor client is served", b"VM status: paused" in buf,
                     repr(buf[-200:]))
    except OSError as e:
        return check(name + ": a new monitor client is served", False, str(e))


def hung_up_outputs(tessera, hello, tmp):
    r, w = os.pipe()
    os.close(r)
    try:
        t = subprocess.run([tessera, "-M", "ss5", "-nographic", "-bios", hello,
                            "-serial", "stdio", "-monitor", "none"],
                           stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        check("serial on a pipe nobody reads: exit 0", t.returncode == 0,
              "status %s, stderr %r" % (t.returncode, t.stderr[-300:]))
    except subprocess.TimeoutExpired:
        check("serial on a pipe nobody reads: exit 0", False, "timed out")
    finally:
        os.close(w)

    path = os.path.join(tmp, "serial.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    t = subprocess.Popen([tessera, "-M", "ss5", "-nographic", "-bios", hello,
                          "-serial", "unix:" + path, "-monitor", "none"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    server.settimeout(TIMEOUT)
    try:
        conn, _ = server.accept()
        conn.close()
        _, err = t.communicate(timeout=TIMEOUT)
        check("serial to a unix server that hung up: exit 0", t.returncode == 0,
              "status %s, stderr %r" % (t.returncode, err[-300:]))
    except (OSError, subprocess.TimeoutExpired) as e:
        t.kill()
        t.communicate()
        check("serial to a unix server that hung up: exit 0", False, repr(e))
    finally:
        server.close()


HELP = {"execute": "human-monitor-command", "arguments": {"command-line": "help"}}


def main():
    tessera, prog, hello = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="tessera-sigpipe-")
    qmp_path = os.path.join(tmp, "qmp.sock")
    mon_path = os.path.join(tmp, "mon.sock")
    rfd, wfd = os.pipe()
    os.write(wfd, b"\x01cstop\n")
    out = open(os.path.join(tmp, "stdout"), "wb")
    p = subprocess.Popen([tessera, "-M", "ss5", "-nographic", "-bios", prog,
                          "-serial", "mon:stdio",
                          "-monitor", "unix:%s,server,nowait" % mon_path,
                          "-qmp", "unix:%s,server,nowait" % qmp_path],
                         stdin=rfd, stdout=out, stderr=subprocess.PIPE)
    os.close(rfd)
    try:
        if not check("sockets appear", wait_for_path(qmp_path, p) and wait_for_path(mon_path, p)):
            return
        qmp_serves(qmp_path, "start")

        # Connect and hang up at once: the greeting is written to a closed socket.
        for _ in range(5):
            connect(qmp_path).close()
            time.sleep(0.05)
        if still_alive(p, "QMP greeting unread"):
            qmp_serves(qmp_path, "QMP greeting unread")

        # Many commands with long replies, none of them read.
        s = connect(qmp_path)
        s.sendall(b'{"execute": "qmp_capabilities"}' +
                  (json.dumps(HELP).encode() + b"\n") * 200)
        s.close()
        if still_alive(p, "QMP replies unread"):
            qmp_serves(qmp_path, "QMP replies unread")

        # Read part of a long series of replies, then hang up.
        q = Qmp(qmp_path)
        q.line()
        q.s.sendall(b'{"execute": "qmp_capabilities"}' +
                    (json.dumps(HELP).encode() + b"\n") * 500)
        q.line()
        q.close()
        if still_alive(p, "QMP hang-up mid-reply"):
            qmp_serves(qmp_path, "QMP hang-up mid-reply")

        # The monitor socket: many long replies, none read.
        s = connect(mon_path)
        s.sendall(b"help\n" * 300)
        s.close()
        if still_alive(p, "monitor replies unread"):
            monitor_serves(mon_path, "monitor replies unread")
            qmp_serves(qmp_path, "monitor replies unread")

        if p.poll() is None:
            q = Qmp(qmp_path)
            q.line()
            q.cmd("qmp_capabilities")
            check("quit is answered", q.cmd("quit") == {"return": {}})
            q.close()
            try:
                rc = p.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                rc = None
            check("quit exits 0", rc == 0, "status %s" % rc)
    except (OSError, ValueError) as e:  # tessera died: connections refused, replies cut
        check("talking to tessera", False, repr(e))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(wfd)
        out.close()
        err = p.stderr.read().decode(errors="replace")
        if err.strip():
            print("tessera stderr:\n" + err)
        if p.returncode not in (0, None):
            print("tessera exit status: %s" % p.returncode)
    hung_up_outputs(tessera, hello, tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
