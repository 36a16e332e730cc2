"""What the CLI test scripts share: pass/fail counting, waiting for a socket path to
appear, and a small QMP client. Each script imports this module; the counts are
module state, so a script that runs checks from another script's module (mux.py runs
monitor.py's) still prints one total.
"""
import json
import os
import socket
import sys
import time

# Seconds of wall time for any one wait, and for OpenBIOS to reach its prompt. Only
# bounds on waiting (nothing is timed): a slower build (make check-asan) scales them
# with TESSERA_TIMEOUT_SCALE.
_SCALE = float(os.environ.get("TESSERA_TIMEOUT_SCALE", "1"))
TIMEOUT = 20 * _SCALE
BOOT_TIMEOUT = 60 * _SCALE

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS " + name)
    else:
        failed += 1
        print("FAIL %s%s" % (name, ": " + detail if detail else ""))
    sys.stdout.flush()
    return ok


def summary():
    """The closing line; the exit status for sys.exit."""
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def wait_for_path(path, p, timeout=TIMEOUT):
    """True once `path` exists; False when process `p` ends first or time runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline and p.poll() is None:
        if os.path.exists(path):
            return True
        time.sleep(0.02)
    return False


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(path)
    return s


def monitor_says(path, line, want):
    """Connect to the monitor socket at path, send line, and read until `want`
    (bytes) turns up or the stream ends; returns what was read."""
    s = connect(path)
    buf = b""
    s.sendall(line)
    deadline = time.time() + TIMEOUT
    while want not in buf and time.time() < deadline:
        data = s.recv(65536)
        if not data:
            break
        buf += data
    s.close()
    return buf


class Qmp:
    """A QMP client: one JSON reply per line."""

    def __init__(self, path):
        self.s = connect(path)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            data = self.s.recv(65536)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line.decode())

    def send(self, data):
        self.s.sendall(data)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.send(json.dumps(msg).encode() + b"\n")
        return self.line()

    def close(self):
        self.s.close()
