#!/usr/bin/env python3
"""-loadvm refuses a snapshot whose memory regions or devices disagree with the
machine in more than their names and sizes: a region at another physical
address, a read-only flag that differs either way, a device of another plugin
kind. Each is one line naming the region or device and both values, exit 1.
An unchanged snapshot rewritten by the same helpers still loads.

Usage: snapshot-mismatch.py TESSERA
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clitest  # noqa: E402
import tsnaplib  # noqa: E402
from clitest import check  # noqa: E402

tessera = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="tessera-mismatch-")


def run(*args):
    return subprocess.run(["timeout", "60", tessera] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True)


loop = os.path.join(tmp, "loop.bin")
with open(loop, "wb") as f:
    f.write(bytes.fromhex("10800000 01000000"))  # ba . ; nop
base = os.path.join(tmp, "base.tsnap")
run("-M", "ss5", "-bios", loop, "-serial", "null", "-savevm-at", "1000," + base,
    "-icount-limit", "1000")
if not check("a snapshot is saved", os.path.exists(base)):
    sys.exit(clitest.summary())
with open(base, "rb") as f:
    good = f.read()


def load(label, data):
    path = os.path.join(tmp, label + ".tsnap")
    with open(path, "wb") as f:
        f.write(data)
    r = run("-loadvm", path, "-bios", loop, "-serial", "null", "-icount-limit", "2000")
    return path, r


_, r = load("same", tsnaplib.set_memory(good, b"ram", pa=0))
check("an unchanged rewrite still loads", r.returncode == 4,
      "status %d, stderr %r" % (r.returncode, r.stderr[:300]))

cases = [
    ("ram-address", tsnaplib.set_memory(good, b"ram", pa=0x1000000),
     "memory 'ram': snapshot has it at 0x1000000, this machine at 0x0"),
    ("prom-address", tsnaplib.set_memory(good, b"prom", pa=0x80000000),
     "memory 'prom': snapshot has it at 0x80000000, this machine at 0x70000000"),
    ("prom-writable", tsnaplib.set_memory(good, b"prom", readonly=0),
     "memory 'prom': snapshot has it writable, this machine read-only"),
    ("ram-read-only", tsnaplib.set_memory(good, b"ram", readonly=1),
     "memory 'ram': snapshot has it read-only, this machine writable"),
    ("timer-kind-cpu", tsnaplib.set_device_kind(good, b"timer", 1),
     "device 'timer' (slavio-timer): snapshot has a device of kind cpu, this machine one of "
     "kind device"),
    ("cpu-kind-device", tsnaplib.set_device_kind(good, b"cpu", 2),
     "device 'cpu' (cpu-sparc): snapshot has a device of kind device, this machine one of "
     "kind cpu"),
    ("timer-kind-unknown", tsnaplib.set_device_kind(good, b"timer", 77),
     "snapshot has a device of kind unknown, this machine one of kind device"),
]
for label, data, needle in cases:
    path, r = load(label, data)
    lines = r.stderr.decode(errors="replace").splitlines()
    check("refuses-" + label,
          r.returncode == 1 and len(lines) == 1 and needle in lines[0] and path in lines[0],
          "status %d, stderr %r" % (r.returncode, lines))

# tessera's error lines quote what the snapshot says with control characters escaped.
path, r = load("escape-in-plugin", tsnaplib.set_device_plugin(good, b"timer",
                                                             b"slavio-timer\x1b[2J\xc2\x9b"))
check("an escape sequence in a plugin name is escaped on stderr",
      r.returncode == 1 and b"\x1b" not in r.stderr and
      b"snapshot has plugin slavio-timer\\033[2J\\302\\233, this machine has slavio-timer" in r.stderr,
      "status %d, stderr %r" % (r.returncode, r.stderr))

sys.exit(clitest.summary())
