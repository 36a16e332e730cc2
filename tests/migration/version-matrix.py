#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The version-compatibility matrix over the real in-tree plugins.

For every plugin that has more than one version in the tree, a guest program that
uses the device runs on the ss5 machine with each version in turn (selected with
-plugin-version NAME==VERSION). A snapshot is taken part-way through with every
version, and each is loaded with every version:

  - native:  the saver writes its own state version;
  - compat:  the saver writes for the loader's --dump-manifest (-savevm-compat);
  - convert: `tessera-snap convert` rewrites the native snapshot for the loader's
             manifest, with the converters of the saver's version.

What a cell must show follows from the ranges the two versions declare (the
STATE column of --list-plugins): where the loader can load the state version the
file holds (directly or through its converters), the load succeeds, `tessera-snap
check` agrees, the resumed guest prints exactly what the uninterrupted run printed
after that point, and saving again at once for the saver's installation gives back
the same device states (`tessera-snap diff`); where it cannot, the load is refused
with one line naming the device and both ranges, before the guest runs at all.

Usage: version-matrix.py TESSERA TESSERA_SNAP GUEST_DIR SOURCE_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

# Guest program that exercises each multi-version plugin (built in GUEST_DIR).
GUESTS = {
    "slavio-timer": "timer-trace.bin",
}
MACHINE = "ss5"
SPLITS = (0.35, 0.7)
SOURCE_ROOT = "."  # where in the uninterrupted run the snapshots are taken


class Failure(Exception):
    pass


def run(cmd, **kw):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=300, **kw)


def list_plugins(tessera):
    """{name: [(version, load_lo, load_hi, save_lo, save_hi)]} from --list-plugins."""
    out = run([tessera, "--list-plugins"]).stdout
    plugins = {}
    for line in out.splitlines():
        m = re.match(r"(\S+)\s+(\d+\.\d+\.\d+)\s+device\s+load v(\d+)-v(\d+) save v(\d+)-v(\d+)",
                     line)
        if m:
            plugins.setdefault(m.group(1), []).append(
                (m.group(2),) + tuple(int(g) for g in m.groups()[2:]))
    return plugins


def version_key(v):
    return tuple(int(x) for x in v.split("."))


class Matrix:
    def __init__(self, tessera, snap, guest_dir, tmp, name, versions):
        self.tessera, self.snap, self.tmp, self.name = tessera, snap, tmp, name
        self.versions = sorted(versions, key=lambda v: version_key(v[0]))
        self.guest = os.path.join(guest_dir, GUESTS[name])
        self.rows = []  # (label, {loader: text})
        self.passed = self.failed = 0

    def pin(self, version):
        return ["-plugin-version", "%s==%s" % (self.name, version)]

    def machine(self, version, *extra, serial):
        return [self.tessera, "-M", MACHINE, "-nographic", "-bios", self.guest,
                "-serial", "file:" + serial] + self.pin(version) + list(extra)

    def path(self, *parts):
        return os.path.join(self.tmp, "-".join(parts))

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s%s" % (self.name, what, ("\n" + detail) if detail else ""))
        return ok

    # ---- the uninterrupted runs ----

    def reference(self):
        outputs = {}
        for v in self.versions:
            out = self.path("full", v[0])
            r = run(self.machine(v[0], "-report-icount", serial=out))
            m = re.search(r"^icount: (\d+)$", r.stderr, re.M)
            if r.returncode != 0 or not m:
                raise Failure("%s %s: the uninterrupted run failed: %s" % (
                    self.name, v[0], r.stderr.strip()))
            outputs[v[0]] = (open(out, "rb").read(), int(m.group(1)))
        first = self.versions[0][0]
        for v, (text, count) in outputs.items():
            if (text, count) != outputs[first]:
                raise Failure("%s: version %s and %s differ in what the guest sees" % (
                    self.name, first, v))
        self.full, self.total = outputs[first]

    # ---- one split point ----

    def manifest(self, version):
        path = self.path("manifest", version + ".json")
        if not os.path.exists(path):
            r = run([self.tessera, "--dump-manifest"] + self.pin(version))
            if r.returncode != 0:
                raise Failure("--dump-manifest %s: %s" % (version, r.stderr.strip()))
            with open(path, "w") as f:
                f.write(r.stdout)
        return path

    def state_version(self, snapshot):
        r = run([self.snap, "info", snapshot])
        m = re.search(r"^\s+\S+\s+%s \S+ \(\w+\), schema \S+ v(\d+)," % re.escape(self.name),
                      r.stdout, re.M)
        if m:
            return int(m.group(1))
        raise Failure("tessera-snap info %s: no %s device\n%s" % (snapshot, self.name, r.stdout))

    def save(self, saver, at, kind, loader=None):
        """A snapshot by `saver` at instruction `at`: native, compat or convert."""
        base = self.path("snap", str(at), saver, kind, loader or "")
        native = self.path("snap", str(at), saver, "native.tsnap")
        if kind == "native" or not os.path.exists(native):
            r = run(self.machine(saver, "-savevm-at", "%d,%s" % (at, native),
                                 serial=self.path("saving", saver)))
            if r.returncode != 0 or not os.path.exists(native):
                raise Failure("%s %s: -savevm-at failed: %s" % (self.name, saver, r.stderr))
            if kind == "native":
                return native, None
        out = base + ".tsnap"
        if kind == "compat":
            r = run(self.machine(saver, "-savevm-at", "%d,%s" % (at, out),
                                 "-savevm-compat", self.manifest(loader),
                                 serial=self.path("saving", saver)))
        else:
            r = run([self.snap, "convert", native, "--to", self.manifest(loader), "-o", out] +
                    ["--plugin-version", "%s==%s" % (self.name, saver)])
        if r.returncode != 0:
            return None, (r.stderr.strip().splitlines() or ["(no message)"])[-1]
        return out, None

    def loadable(self, loader, state):
        lo, hi = loader[1], loader[2]
        return lo <= state <= hi

    def common_version(self, saver, loader):
        s_lo, s_hi, l_lo, l_hi = saver[3], saver[4], loader[1], loader[2]
        return max(s_lo, l_lo) <= min(s_hi, l_hi)

    def cell(self, at, saver, kind, loader):
        """Load one snapshot with `loader`; returns the matrix text."""
        snapshot, refused = (self.save(saver[0], at, kind, loader[0]) if kind != "native"
                             else self.save(saver[0], at, "native"))
        where = "%s save %s by %s, load by %s" % (kind, at, saver[0], loader[0])
        if snapshot is None:
            self.check(not self.common_version(saver, loader),
                       where + ": the save was refused although the ranges overlap", refused)
            self.check(self.name in refused or "timer" in refused,
                       where + ": the refusal does not name the device", refused)
            return "save refused"
        state = self.state_version(snapshot)
        expect = self.loadable(loader, state)
        chk = run([self.snap, "check", snapshot] + ["--plugin-version",
                                                     "%s==%s" % (self.name, loader[0])])
        resumed = self.path("resumed", str(at), saver[0], kind, loader[0])
        if os.path.exists(resumed):
            os.unlink(resumed)
        r = run(self.machine(loader[0], "-loadvm", snapshot, serial=resumed))
        if not expect:
            msg = r.stderr.strip()
            self.check(r.returncode != 0, where + ": loaded, but v%d is outside the loader's "
                       "range v%d-v%d" % (state, loader[1], loader[2]), msg)
            self.check(len(msg.splitlines()) == 1 and "device" in msg and self.name in msg and
                       ("v%d" % state) in msg and ("v%d-v%d" % (loader[1], loader[2])) in msg,
                       where + ": the refusal is not one line naming the device and ranges",
                       msg)
            self.check(not os.path.exists(resumed) or os.path.getsize(resumed) == 0,
                       where + ": the guest ran after a refused load")
            self.check(chk.returncode == 1 and "refused" in chk.stdout,
                       where + ": tessera-snap check does not say refused", chk.stdout)
            return "refused v%d" % state
        prefix = self.path("prefix", str(at))
        if not os.path.exists(prefix):
            run(self.machine(self.versions[0][0], "-icount-limit", str(at), serial=prefix))
        joined = open(prefix, "rb").read() + (open(resumed, "rb").read()
                                              if os.path.exists(resumed) else b"")
        ok = self.check(r.returncode == 0 and joined == self.full,
                        where + ": the resumed run differs from the uninterrupted one",
                        r.stderr.strip())
        line = [l for l in chk.stdout.splitlines() if l.split()[1:2] == [self.name]]
        verdict = " ".join(line[0].split()[3:]) if line else "(no line for the device)"
        self.check(chk.returncode == 0 and verdict.startswith("loads"),
                   where + ": tessera-snap check does not say it loads", chk.stdout)
        m = re.search(r"converting v\d+->v(\d+)", verdict)
        converted = ("->v" + m.group(1)) if m else ""
        # Back again, at once: the saver's installation gets the same device states.
        again = self.path("again", str(at), saver[0], kind, loader[0] + ".tsnap")
        r2 = run(self.machine(loader[0], "-loadvm", snapshot, "-savevm-at",
                              "%d,%s" % (at, again), "-savevm-compat", self.manifest(saver[0]),
                              "-icount-limit", str(at + 1), serial=self.path("again-out")))
        d = run([self.snap, "diff", snapshot, again])
        self.check(os.path.exists(again) and d.returncode == 0,
                   where + ": saved back for %s, the device states differ" % saver[0],
                   r2.stderr.strip() + d.stdout)
        text = "ok v%d%s" % (state, converted)
        return text if ok else text + " WRONG OUTPUT"

    def split(self, at):
        for saver in self.versions:
            for kind in ("native", "compat", "convert"):
                row = {}
                for loader in self.versions:
                    if kind != "native" and loader[0] == saver[0]:
                        row[loader[0]] = "-"
                        continue
                    row[loader[0]] = self.cell(at, saver, kind, loader)
                label = saver[0] + (" native" if kind == "native" else " " + kind)
                self.rows.append(("%-9d %s" % (at, label), row))

    def print(self):
        names = [v[0] for v in self.versions]
        print("\n%s (%s, %d instructions): saved by (row) and loaded by (column)" % (
            self.name, GUESTS[self.name], self.total))
        print("%-26s" % "at  saved by" + "".join("%-22s" % n for n in names))
        for label, row in self.rows:
            print("%-26s" % label + "".join("%-22s" % row[n] for n in names))
        print("ranges: " + ", ".join("%s loads v%d-v%d saves v%d-v%d" % v
                                     for v in self.versions))


def slavio_timer_refusals(m):
    """A converter's own refusal: 2.x with two CPU counters cannot be written as
    state version 1, which holds CPU 0's only; -savevm-compat and tessera-snap
    convert both refuse, naming the device and why."""
    newest, oldest = m.versions[-1][0], m.versions[0][0]
    src = open(os.path.join(SOURCE_ROOT, "machines", MACHINE + ".machine")).read()
    two = src.replace("reg.cpu0 = 0x71d00000\n",
                      "reg.cpu0 = 0x71d00000\nreg.cpu1 = 0x71d01000\nprop.cpus = 2\n")
    if not m.check(two != src, "cannot find the timer's cpu0 region in %s.machine" % MACHINE):
        return
    machine = m.path("two-cpus.machine")
    with open(machine, "w") as f:
        f.write(two)
    at = m.total // 3
    native, compat = m.path("two-cpus.tsnap"), m.path("two-cpus-for-1.tsnap")
    cmd = m.machine(newest, serial=m.path("two-cpus-out"))
    cmd[cmd.index(MACHINE)] = machine
    r = run(cmd + ["-savevm-at", "%d,%s" % (at, native)])
    m.check(r.returncode == 0 and os.path.exists(native),
            "two CPU counters: the native save failed", r.stderr)
    want = "2 CPU counters; state version 1 holds CPU 0's only"
    r = run(cmd + ["-savevm-at", "%d,%s" % (at, compat), "-savevm-compat", m.manifest(oldest)])
    m.check(r.returncode != 0 and want in r.stderr and "'timer'" in r.stderr and
            not os.path.exists(compat),
            "two CPU counters: -savevm-compat for %s did not refuse" % oldest, r.stderr)
    r = run([m.snap, "convert", native, "--to", m.manifest(oldest), "-o", compat])
    m.check(r.returncode == 1 and want in r.stderr and not os.path.exists(compat),
            "two CPU counters: tessera-snap convert for %s did not refuse" % oldest, r.stderr)
    # Loaded into the stock one-CPU machine, 2.x's post_load refuses and the load is
    # rolled back; with the machine file it was saved on, it resumes.
    r = run(m.machine(newest, "-loadvm", native, serial=m.path("two-cpus-wrong")))
    m.check(r.returncode == 1 and "the snapshot has 2 CPU counters, this machine 1" in r.stderr
            and "rolled back" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
            "two CPU counters: loading into one CPU was not refused in one line", r.stderr)
    r = run(cmd + ["-loadvm", native])
    m.check(r.returncode == 0, "two CPU counters: -loadvm -M %s failed" % machine, r.stderr)
    m.rows.append(("%-9d %s" % (at, newest + " 2 CPUs"),
                   {oldest: "save refused", newest: "-"}))


# Checks beyond the matrix, per plugin.
EXTRA = {
    "slavio-timer": slavio_timer_refusals,
}


def main():
    global SOURCE_ROOT
    tessera, snap, guest_dir, SOURCE_ROOT = sys.argv[1:5]
    plugins = {n: v for n, v in list_plugins(tessera).items() if len(v) > 1}
    if not plugins:
        print("FAIL no plugin has two versions in the tree")
        return 1
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, versions in sorted(plugins.items()):
            if name not in GUESTS:
                print("FAIL %s: no guest program exercises it: add one to GUESTS in %s" % (
                    name, sys.argv[0]))
                failed += 1
                continue
            m = Matrix(tessera, snap, guest_dir, tmp, name, versions)
            try:
                m.reference()
                for frac in SPLITS:
                    m.split(int(m.total * frac))
                if name in EXTRA:
                    EXTRA[name](m)
            except (Failure, subprocess.TimeoutExpired) as e:
                m.check(False, str(e))
            m.print()
            passed += m.passed
            failed += m.failed
    print("\n%d checks passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
