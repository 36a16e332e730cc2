#!/usr/bin/env python3
"""End-to-end: Debian's OpenBIOS on `tessera -M ss5 -nographic`.

Usage: openbios.py TESSERA FIRMWARE REFERENCE_LOG CASE
Environment: ACCEL, when set and not empty, is passed to every Tessera process
as `-accel $ACCEL` (interp, jit, jit,check=on); otherwise the default runs.
Cases:
  prompt     boots to `0 >`, the console transcript up to the prompt equals the
             reference emulator's, Forth lines get their answers, `power-off`
             ends the process with status 0
  reset-all  `reset-all` restarts the machine: the banner and prompt come again
  disk       OpenBIOS reads a raw SCSI disk image given with -drive
  snapshot   a snapshot taken at the prompt (monitor savevm) resumed with -loadvm
             answers the same Forth line the same way
"""
import os
import subprocess
import sys
import tempfile
import time

TIMEOUT = 120  # seconds of wall time for any one wait


class Guest:
    def __init__(self, argv):
        if os.environ.get("ACCEL"):
            argv = argv + ["-accel", os.environ["ACCEL"]]
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        os.set_blocking(self.p.stdout.fileno(), False)
        self.out = b""

    def wait_for(self, text, after=0):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            chunk = self.p.stdout.read()
            if chunk:
                self.out += chunk
            pos = self.out.find(text.encode(), after)
            if pos >= 0:
                return pos + len(text)
            if self.p.poll() is not None and not chunk:
                break
            time.sleep(0.02)
        raise AssertionError("never saw %r; console so far:\n%s" %
                             (text, self.out.decode(errors="replace")))

    def type(self, line):
        self.p.stdin.write(line.encode() + b"\r")
        self.p.stdin.flush()

    def finish(self):
        try:
            rc = self.p.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise AssertionError("the emulator did not exit")
        rest = self.p.stdout.read()
        if rest:
            self.out += rest
        return rc, self.p.stderr.read().decode(errors="replace")


def console(raw):
    return raw.decode(errors="replace").replace("\r", "")


def ask(g, line, answer):
    """Type a Forth line at the prompt and expect `answer` then ` ok`."""
    start = len(g.out)
    g.type(line)
    end = g.wait_for(" ok", start)
    got = console(g.out[start:end])
    if answer not in got:
        raise AssertionError("%r answered %r, expected %r" % (line, got, answer))
    g.wait_for("0 > ", end)


def power_off(g):
    g.type("power-off")
    rc, err = g.finish()
    if rc != 0:
        raise AssertionError("power-off exit status %d: %s" % (rc, err))


def case_prompt(tessera, firmware, reference):
    g = Guest([tessera, "-M", "ss5", "-nographic", "-m", "64", "-bios", firmware])
    g.wait_for("0 > ")
    ours = console(g.out).rstrip()
    want = open(reference, encoding="utf-8").read().replace("\r", "").rstrip()
    if ours != want:
        import difflib
        diff = "\n".join(difflib.unified_diff(want.splitlines(), ours.splitlines(),
                                              "reference", "tessera", lineterm=""))
        raise AssertionError("boot transcript differs from the reference:\n" + diff)
    print("PASS banner-matches-reference")
    ask(g, "3 4 + .", "7 ")
    ask(g, "hex 7fffffff 1 + u.", "80000000 ")
    ask(g, ": sq dup * ; decimal 12 sq .", "144 ")
    print("PASS forth-answers")
    power_off(g)
    print("PASS power-off-exits-0")


def case_reset_all(tessera, firmware, reference):
    g = Guest([tessera, "-M", "ss5", "-nographic", "-m", "64", "-bios", firmware])
    first = g.wait_for("0 > ")
    g.type("reset-all")
    banner = g.wait_for("Welcome to OpenBIOS", first)
    g.wait_for("0 > ", banner)
    print("PASS reset-all-shows-the-banner-again")
    ask(g, "2 3 * .", "6 ")
    power_off(g)
    print("PASS power-off-after-reset")


def case_snapshot(tessera, firmware, reference):
    with tempfile.TemporaryDirectory() as tmp:
        snap = os.path.join(tmp, "prompt.tsnap")
        mon = os.path.join(tmp, "mon.sock")
        g = Guest([tessera, "-M", "ss5", "-nographic", "-m", "64", "-bios", firmware,
                   "-qmp", "unix:" + mon])
        g.wait_for("0 > ")
        # State only the snapshot can carry into the next process.
        ask(g, ": magic 2a 1 + ;", "")
        import json
        import socket
        s = socket.socket(socket.AF_UNIX)
        s.connect(mon)
        f = s.makefile("rw")

        def qmp(cmd, **args):
            msg = {"execute": cmd}
            if args:
                msg["arguments"] = args
            f.write(json.dumps(msg) + "\n")
            f.flush()
            return json.loads(f.readline())

        greeting = json.loads(f.readline())
        assert "QMP" in greeting, greeting
        assert qmp("qmp_capabilities") == {"return": {}}
        assert qmp("stop") == {"return": {}}
        assert qmp("query-status")["return"]["status"] == "paused"
        r = qmp("human-monitor-command", **{"command-line": "savevm " + snap})
        assert r == {"return": ""}, r
        assert qmp("cont") == {"return": {}}
        print("PASS savevm-at-the-prompt-over-qmp")
        ask(g, "5 5 * .", "19 ")  # OpenBIOS starts in hex
        power_off(g)
        s.close()
        r = Guest([tessera, "-loadvm", snap, "-nographic", "-bios", firmware])
        r.type("")
        r.wait_for("0 > ")
        ask(r, "5 5 * .", "19 ")
        ask(r, "magic .", "2b ")
        power_off(r)
        print("PASS loadvm-resumes-at-the-prompt")


def case_disk(tessera, firmware, reference):
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, "disk.img")
        with open(img, "wb") as f:
            f.write(b"\0" * (1 << 20))
        g = Guest([tessera, "-M", "ss5", "-nographic", "-bios", firmware,
                   "-drive", "file=%s,if=scsi,index=0" % img])
        # OpenBIOS reads the disk through ESP, DMA and IOMMU and finds no boot
        # image on it (an empty disk gives no such line: it is never read).
        g.wait_for("Not a bootable ELF image")
        g.wait_for("0 > ")
        print("PASS boot-reads-the-scsi-disk")
        power_off(g)


def main():
    tessera, firmware, reference, case = sys.argv[1:5]
    if not os.path.exists(firmware):
        print("SKIP: %s not installed (Debian package qemu-system-data)" % firmware)
        return 77
    try:
        globals()["case_" + case.replace("-", "_")](tessera, firmware, reference)
    except AssertionError as e:
        accel = os.environ.get("ACCEL")
        print("FAIL %s%s: %s" % (case, " (-accel %s)" % accel if accel else "", e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
