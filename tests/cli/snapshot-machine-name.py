# SPDX-License-Identifier: MIT
"""-loadvm takes the machine from the snapshot, but the snapshot is untrusted: its
machine name must be a name ([a-z0-9._-]+, not . or ..) looked up in the machine
directories, never a path. A snapshot naming /etc/passwd, ../x or a name with an
escape character is refused with one line that quotes no file's content.
-M FILE given by the user is still used as it is.
Usage: snapshot-machine-name.py TESSERA TESSERA_SNAP"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tsnaplib  # noqa: E402

tessera, snap_tool = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
ss5 = os.path.join(here, "..", "..", "machines", "ss5.machine")
tmp = tempfile.mkdtemp()
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures += 1


def run(*args):
    return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)


loop = os.path.join(tmp, "loop.bin")
with open(loop, "wb") as f:
    f.write(bytes.fromhex("10800000 01000000"))  # ba . ; nop
base = os.path.join(tmp, "base.tsnap")
r = run(tessera, "-M", "ss5", "-bios", loop, "-serial", "null", "-savevm-at", "1000," + base,
        "-icount-limit", "1000")
if not os.path.exists(base):
    print("FAIL could not save a snapshot:", r.stderr.decode(errors="replace"))
    sys.exit(1)
with open(base, "rb") as f:
    good = f.read()

# The helper itself: an unchanged name gives a snapshot that still verifies.
same = os.path.join(tmp, "same.tsnap")
with open(same, "wb") as f:
    f.write(tsnaplib.set_machine_name(good, b"ss5"))
r = run(snap_tool, "verify", same)
check("rewritten-snapshot-verifies", r.returncode == 0, r.stderr.decode(errors="replace"))

passwd_lines = []
try:
    with open("/etc/passwd", "rb") as f:
        passwd_lines = [l for l in f.read().split(b"\n") if len(l) > 3]
except OSError:
    pass

cases = [
    ("etc-passwd", b"/etc/passwd", b'"/etc/passwd"'),
    ("dot-dot-slash", b"../x", b'"../x"'),
    ("dot-dot", b"..", b'".."'),
    ("escape-character", b"ss5\x1b[2J", b'"ss5\\033[2J"'),
    ("upper-case", b"SS5", b'"SS5"'),
]
for label, name, quoted in cases:
    path = os.path.join(tmp, label + ".tsnap")
    with open(path, "wb") as f:
        f.write(tsnaplib.set_machine_name(good, name))
    r = run(tessera, "-loadvm", path, "-bios", loop, "-serial", "null", "-icount-limit", "2000")
    err = r.stderr
    want = b"tessera: snapshot " + path.encode() + b": machine name " + quoted + \
        b" is not a valid machine name\n"
    check("refuses-" + label, r.returncode == 1 and err == want and not r.stdout,
          "status %d, stderr %r (want %r)" % (r.returncode, err, want))
    check("no-escape-on-stderr-" + label, b"\x1b" not in err, repr(err))
    leaked = [l for l in passwd_lines if l in err]
    check("no-passwd-content-" + label, not leaked, repr(leaked[:1]))

# -M FILE from the user is used as it is; the file's machine must still be the
# snapshot's, and the message quotes an invalid snapshot name escaped.
path = os.path.join(tmp, "escape-character.tsnap")
r = run(tessera, "-loadvm", path, "-M", ss5, "-bios", loop, "-serial", "null")
want = b"tessera: -loadvm " + path.encode() + b': the snapshot is of machine "ss5\\033[2J", not ss5\n'
check("explicit-machine-file-compares-names", r.returncode == 1 and r.stderr == want,
      "status %d, stderr %r" % (r.returncode, r.stderr))
r = run(tessera, "-loadvm", base, "-M", ss5, "-bios", loop, "-serial", "null",
        "-icount-limit", "2000")
check("explicit-machine-file-still-loads", r.returncode == 4, "status %d, stderr %r" %
      (r.returncode, r.stderr))
# A valid name is looked up in the machine directories as before.
r = run(tessera, "-loadvm", same, "-bios", loop, "-serial", "null", "-icount-limit", "2000")
check("valid-name-loads", r.returncode == 4, "status %d, stderr %r" % (r.returncode, r.stderr))
nosuch = os.path.join(tmp, "nosuch.tsnap")
with open(nosuch, "wb") as f:
    f.write(tsnaplib.set_machine_name(good, b"no-such-machine"))
r = run(tessera, "-loadvm", nosuch, "-bios", loop, "-serial", "null")
check("unknown-valid-name", r.returncode == 1 and b"unknown machine 'no-such-machine'" in r.stderr,
      "status %d, stderr %r" % (r.returncode, r.stderr))

# tessera-snap prints what the snapshot says with its control characters escaped:
# ESC, DEL, a C1 control in UTF-8 (U+009B, CSI) and a bell never reach the output.
hostile = os.path.join(tmp, "hostile.tsnap")
with open(hostile, "wb") as f:
    f.write(tsnaplib.set_machine_name(good, b"ss5\x1b[2J\x7f\xc2\x9b31m\x07-caf\xc3\xa9"))
r = run(snap_tool, "info", hostile)
check("snap-info-escapes-the-machine-name",
      r.returncode == 0 and b"machine:      ss5\\033[2J\\177\\302\\23331m\\007-caf\xc3\xa9 (" in r.stdout,
      "status %d, stdout %r" % (r.returncode, r.stdout[:300]))
for args in (["info", hostile], ["verify", hostile], ["check", hostile], ["dump", hostile],
             ["diff", base, hostile]):
    r = run(snap_tool, *args)
    out = r.stdout + r.stderr
    bad = [c for c in (b"\x1b", b"\x7f", b"\x07", b"\xc2\x9b") if c in out]
    check("snap-%s-prints-no-control-characters" % args[0], not bad and len(out) > 0,
          "found %r in %r" % (bad, out[:300]))
r = run(snap_tool, "dump", hostile)
check("snap-dump-stays-json", r.returncode == 0 and
      json.loads(r.stdout.decode())["machine"] == "ss5\x1b[2J\x7f\x9b31m\x07-caf\xe9", repr(r.stdout[:200]))

print("%d failed" % failures)
sys.exit(1 if failures else 0)
