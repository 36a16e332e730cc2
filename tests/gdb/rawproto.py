#!/usr/bin/env python3
"""The gdb stub against a hostile client, on the raw socket.

Usage: rawproto.py TESSERA TARGET.elf TARGET.bin NM   (ACCEL in the environment)

A bad checksum gets '-', an oversized packet E01, malformed m/M/Z/p packets
E16, an unknown packet the empty reply, an unmapped address an error; a client
that vanishes mid-packet is a detach. A second client is then served: it reads
the target's `spin` flag, clears it with M and detaches, and the guest runs to
its end (console DONE, exit status 0).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60


def fail(msg):
    print("FAIL gdb-raw: " + msg)
    sys.exit(1)


def packet(data):
    return b"$" + data + b"#" + b"%02x" % (sum(data) & 0xff)


class Client:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(TIMEOUT)
        self.s.connect(path)
        self.buf = b""

    def reply(self):
        """The next $...#xx the stub sends (acks before it are dropped)."""
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                data = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                return data
            chunk = self.s.recv(65536)
            if not chunk:
                fail("the stub closed the connection")
            self.buf += chunk

    def ask(self, data, raw=None):
        self.s.sendall(raw if raw is not None else packet(data))
        return self.reply()

    def expect(self, what, data, want, raw=None):
        got = self.ask(data, raw)
        ok = got.startswith(want) if want else got == b""
        if not ok:
            fail("%s: got %r, want %r" % (what, got, want))
        print("PASS gdb-raw.%s" % what)


def symbol(nm, elf, name):
    out = subprocess.run([nm, elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    fail("no symbol %s in %s" % (name, elf))


def main():
    tessera, elf, binary, nm = sys.argv[1:5]
    accel = os.environ.get("ACCEL", "")
    spin = symbol(nm, elf, "spin")
    tmp = tempfile.mkdtemp(prefix="tessera-gdbraw-")
    sock = os.path.join(tmp, "gdb.sock")
    con = os.path.join(tmp, "console.log")
    cmd = [tessera, "-M", "ss5", "-nographic", "-S", "-gdb", "unix:" + sock, "-bios", binary]
    if accel:
        cmd += ["-accel", accel]
    with open(con, "wb") as out:
        emu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(sock):
            if emu.poll() is not None or time.monotonic() > deadline:
                fail("no gdb socket")
            time.sleep(0.05)
        c = Client(sock)
        c.s.sendall(b"$?#00")  # wrong checksum
        ack = c.s.recv(1)
        if ack != b"-":
            fail("bad checksum: got %r, want '-'" % ack)
        print("PASS gdb-raw.bad-checksum")
        c.expect("stop-reason", b"?", b"T05")
        c.expect("huge-packet", None, b"E01", raw=packet(b"m" + b"0" * 100000))
        c.expect("m-garbage", b"mzz,4", b"E16")
        c.expect("m-no-length", b"m1000", b"E16")
        c.expect("m-too-long", b"m0,ffffffff", b"E16")
        c.expect("M-short-data", b"M10000,4:00", b"E16")
        c.expect("Z-bad-type", b"Z9,0,4", b"E16")
        c.expect("p-out-of-range", b"p999", b"E16")
        c.expect("unknown-packet", b"qNoSuchThing", b"")
        c.expect("unmapped", b"m90000000,4", b"E")
        c.expect("binary-noise", None, b"T05", raw=b"\x00\xff+++\x7f" + packet(b"?"))
        # Vanish in the middle of a packet: a detach, the guest resumes.
        c.s.sendall(b"$m10000,")
        c.s.close()
        # A second client is served; it ends the spin loop and detaches.
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                c = Client(sock)
                c.expect("reconnect", b"?", b"T05")
                break
            except OSError:
                if time.monotonic() > deadline:
                    fail("could not reconnect")
                time.sleep(0.05)
        c.expect("read-spin", b"m%x,4" % spin, b"00000001")
        c.expect("write-spin", b"M%x,4:00000000" % spin, b"OK")
        c.expect("detach", b"D", b"OK")
        c.s.close()
        try:
            rc = emu.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            fail("the guest did not finish after the detach")
        console = open(con, "rb").read().decode(errors="replace")
        if rc != 0 or "DONE" not in console:
            fail("exit status %d, console:\n%s\n%s" % (rc, console,
                                                    emu.stderr.read().decode(errors="replace")))
        print("PASS gdb-raw.guest-finished")
    finally:
        if emu.poll() is None:
            emu.kill()
            emu.wait()


if __name__ == "__main__":
    main()
