#!/usr/bin/env python3
"""A machine's devices are resolved to plugins before anything runs.

- a required device whose plugin is missing stops tessera (status 1) with one line
  naming the machine file and line, the device, plugin, constraint, the search path,
  and each refused candidate with its reason;
- an optional device whose plugin is missing is one warning and the machine runs;
- a constraint no installed version satisfies names the versions present;
- a device linking to a left-out optional device is left out in turn;
- link.X naming no device is a machine-file error; -initrd without -kernel and a
  SCSI target given twice are usage errors (status 2), each one line;
- --check-machine prints the resolution and runs nothing (0 complete, 1 not);
- OpenBIOS reaches its prompt with only the plugins of required devices installed
  (ss5.machine's optional devices really are optional).

Usage: machine-resolve.py TESSERA MACHINE_FILE FIXTURE_DIR [FIRMWARE]"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

tessera, ss5_file, fixtures = sys.argv[1], sys.argv[2], sys.argv[3]
firmware = sys.argv[4] if len(sys.argv) > 4 else "/usr/share/qemu/openbios-sparc32"
tmp = tempfile.mkdtemp(prefix="tessera-resolve-")
os.chmod(tmp, 0o755)
failures = 0
passes = 0
ss5 = open(ss5_file).read()


def run(args, exe=tessera):
    p = subprocess.run(["timeout", "20", exe] + args, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def check(name, ok, detail=""):
    global failures, passes
    print("PASS" if ok else "FAIL", name, "" if ok else detail)
    failures += not ok
    passes += bool(ok)


def machine(name, extra, base=ss5):
    path = os.path.join(tmp, name + ".machine")
    with open(path, "w") as f:
        f.write(base.replace("name = ss5", "name = " + name) + extra)
    return path


def line_of(path, text):
    with open(path) as f:
        for n, row in enumerate(f, 1):
            if row.strip() == text:
                return n
    return -1


# A required device without a plugin: status 1, one line, and no guest ran.
m = machine("needs-widget", "\n[device widget]\nplugin = widget\nversion = ^2\n")
rc, out, err = run(["-M", m, "-nographic", "-icount-limit", "1000"])
lines = [x for x in err.splitlines() if x]
want = "tessera: %s:%d: required device widget (plugin widget ^2): not found; searched " % (
    m, line_of(m, "[device widget]"))
check("missing-required-stops", rc == 1 and len(lines) == 1 and lines[0].startswith(want)
      and "icount-limit" not in err, "rc=%d err=%r" % (rc, err))

# The same device, optional: one warning, and the machine runs (to -icount-limit).
m = machine("wants-widget", "\n[device widget]\nplugin = widget\npresence = optional\n")
rc, out, err = run(["-M", m, "-nographic", "-icount-limit", "1000"])
warn = [x for x in err.splitlines() if "widget" in x]
if os.path.exists(firmware):
    check("missing-optional-warns-once-and-runs",
          rc == 4 and len(warn) == 1 and warn[0].startswith(
              "tessera: warning: %s:%d: optional device widget (plugin widget *) left out: not found"
              % (m, line_of(m, "[device widget]"))), "rc=%d err=%r" % (rc, err))
else:
    print("SKIP missing-optional-warns-once-and-runs: no firmware at", firmware)

# A constraint nothing satisfies: the versions present are named.
m = machine("old-escc", "\n[device escc2]\nplugin = escc\nversion = ^9\nreg.regs = 0x71300000\n")
rc, out, err = run(["-M", m, "-nographic"])
check("unmatched-constraint-names-versions",
      rc == 1 and 'required device escc2 (plugin escc ^9): no version satisfies "^9" (present: 1.'
      in err and len(err.splitlines()) == 1, "rc=%d err=%r" % (rc, err))

# The CPU is always required.
m = machine("no-cpu", "", base=ss5.replace("plugin = cpu-sparc", "plugin = cpu-nosuch"))
rc, out, err = run(["-M", m, "-nographic"])
check("missing-cpu-stops", rc == 1 and err.startswith("tessera: %s:%d: cpu (plugin cpu-nosuch ^1): "
      "not found; searched " % (m, line_of(m, "[cpu]"))) and len(err.splitlines()) == 1,
      "rc=%d err=%r" % (rc, err))

# A version set aside by -plugin-version is named as such.
m = machine("timer2", "", base=ss5.replace("plugin = slavio-timer\nversion = >=1",
                                           "plugin = slavio-timer\nversion = ^2"))
rc, out, err = run(["-M", m, "-nographic", "-plugin-version", "slavio-timer=^1"])
check("set-aside-version-is-named", rc == 1 and
      'required device timer (plugin slavio-timer ^2): no version satisfies "^2" (present: 1.0.0)'
      in err and "set aside by -plugin-version: slavio-timer 2.0.0 (" in err,
      "rc=%d err=%r" % (rc, err))

# A candidate file that was refused is named with its reason.
bad = os.path.join(tmp, "shared-plugins")
os.mkdir(bad)
shutil.copy(os.path.join(fixtures, "loader", "good.so"), os.path.join(bad, "widget.so"))
os.chmod(bad, 0o775)
m = os.path.join(tmp, "needs-widget.machine")
rc, out, err = run(["-M", m, "-nographic", "-plugin-path", bad])
check("refused-candidate-is-named",
      rc == 1 and ("refused %s/widget.so: directory %s is writable by group (mode 0775)" % (bad, bad))
      in err, "rc=%d err=%r" % (rc, err))

# A device linking to a left-out optional device is left out too.
chain = ss5.replace("[device espdma]\nplugin = sparc32-dma",
                    "[device espdma]\nplugin = nosuch-dma\npresence = optional")
chain = chain.replace("[device esp]\nplugin = esp", "[device esp]\nplugin = esp\npresence = optional")
m = machine("dma-chain", "", base=chain)
rc, out, err = run(["--check-machine", m])
check("link-to-left-out-device-cascades",
      rc == 0 and "its link.dma names device espdma, which is left out" in out
      and "starts without 2 optional devices" in out, "rc=%d out=%r err=%r" % (rc, out, err))

# link.X naming no device.
m = machine("bad-link", "\n[device widget]\nplugin = escc\nlink.dma = nowhere\n")
rc, out, err = run(["-M", m])
check("link-to-absent-device", rc == 1 and err.strip() ==
      "tessera: %s:%d: [device widget] link.dma: no device named 'nowhere'"
      % (m, line_of(m, "link.dma = nowhere")), "rc=%d err=%r" % (rc, err))

# Command-line mistakes: one line, status 2.
img = os.path.join(tmp, "disk.img")
open(img, "wb").write(b"\0" * 512)
for name, args, want in [
        ("initrd-without-kernel", ["-M", "ss5", "-initrd", img],
         "tessera: -initrd %s needs -kernel" % img),
        ("drive-index-twice", ["-M", "ss5", "-drive", "file=%s,index=1" % img, "-drive",
                               "file=%s,index=1" % ss5_file],
         "tessera: -drive %s: SCSI target 1 already has %s" % (ss5_file, img)),
        ("cdrom-on-a-drive-target", ["-M", "ss5", "-drive", "file=%s,index=2" % img, "-cdrom", img],
         "tessera: -cdrom %s: SCSI target 2 already has %s" % (img, img))]:
    rc, out, err = run(args)
    check(name, rc == 2 and err.startswith(want) and len(err.splitlines()) == 1,
          "rc=%d err=%r" % (rc, err))

# --check-machine: the resolution, nothing run.
rc, out, err = run(["--check-machine", "ss5"])
rows = out.splitlines()
check("check-machine-complete", rc == 0 and rows[-1] == "complete"
      and any(r.split()[:4] == ["lance", "optional", "lance", "^1"] for r in rows)
      and any(r.startswith("cpu ") and "cpu-sparc" in r and r.endswith(".so") for r in rows),
      "rc=%d out=%r" % (rc, out))
rc, out, err = run(["--check-machine", os.path.join(tmp, "needs-widget.machine")])
check("check-machine-incomplete", rc == 1 and "cannot start: 1 required device missing" in out
      and "not found; searched" in out, "rc=%d out=%r" % (rc, out))

# A copy of tessera outside the build tree sees only -plugin-path: here the plugins
# of ss5's required devices.
bindir = os.path.join(tmp, "bin")
plugdir = os.path.join(tmp, "required-only")
os.mkdir(bindir)
os.mkdir(plugdir)
exe = os.path.join(bindir, "tessera")
shutil.copy(tessera, exe)
build_plugins = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(tessera))),
                             "plugins")
for root, _, files in os.walk(build_plugins):
    for f in files:
        if f.endswith(".so") and f not in ("lance.so", "cs4231.so"):
            shutil.copy(os.path.join(root, f), os.path.join(plugdir, f))
            os.chmod(os.path.join(plugdir, f), 0o644)

# -loadvm of a snapshot taken with every device, into the machine without the
# optional ones: every device that does not fit is named, and the machine file the
# snapshot was taken with. Without a required plugin the machine does not start,
# and -loadvm says which machine file the snapshot recorded.
loop = os.path.join(tmp, "loop.bin")
open(loop, "wb").write(bytes.fromhex("1080000001000000"))  # ba . ; nop
snap = os.path.join(tmp, "full.tsnap")
rc, out, err = run(["-M", ss5_file, "-bios", loop, "-serial", "null", "-savevm-at",
                    "1000," + snap, "-icount-limit", "1000"])
rc, out, err = run(["-M", ss5_file, "-plugin-path", plugdir, "-bios", loop, "-serial", "null",
                    "-loadvm", snap, "-icount-limit", "2000"], exe=exe)
errors = [x for x in err.splitlines() if "warning" not in x]
check("loadvm-names-every-device-and-the-machine-file",
      rc == 1 and len(errors) == 1 and "taken with machine file %s)" % ss5_file in errors[0]
      and "device 'lance' (lance 1.1.0) in the snapshot is not in this machine" in errors[0]
      and "device 'cs4231' (cs4231 1.0.0) in the snapshot is not in this machine" in errors[0],
      "rc=%d err=%r" % (rc, err))
os.unlink(os.path.join(plugdir, "esp.so"))
rc, out, err = run(["-M", ss5_file, "-plugin-path", plugdir, "-bios", loop, "-serial", "null",
                    "-loadvm", snap], exe=exe)
check("loadvm-without-a-required-plugin",
      rc == 1 and "required device esp (plugin esp ^1): not found" in err and
      ("tessera: -loadvm %s: cannot load: machine ss5 cannot start here (the snapshot was taken "
       "with machine file %s)" % (snap, ss5_file)) in err, "rc=%d err=%r" % (rc, err))
shutil.copy(os.path.join(build_plugins, "devices", "esp", "esp.so"), os.path.join(plugdir, "esp.so"))
os.chmod(os.path.join(plugdir, "esp.so"), 0o644)

# OpenBIOS with the plugins of required devices only.
if os.path.exists(firmware):
    p = subprocess.Popen([exe, "-M", ss5_file, "-nographic", "-plugin-path", plugdir],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.set_blocking(p.stdout.fileno(), False)
    seen, deadline = b"", time.time() + 120
    while time.time() < deadline and b"0 >" not in seen and p.poll() is None:
        chunk = p.stdout.read()
        seen += chunk or b""
        time.sleep(0.05)
    p.kill()
    err = p.communicate()[1].decode()
    warns = [x for x in err.splitlines() if "warning" in x]
    check("openbios-prompt-without-optional-plugins",
          b"0 >" in seen and len(warns) == 2 and "optional device lance" in warns[0]
          and "optional device cs4231" in warns[1], "err=%r console tail=%r" % (err, seen[-300:]))
else:
    print("SKIP openbios-prompt-without-optional-plugins: no firmware at", firmware)

shutil.rmtree(tmp, ignore_errors=True)
print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
