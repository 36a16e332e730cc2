#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live migration end to end, on loopback only.

Linux 6.1 boots to the self-checking /init of tests/linux; part-way through, the
source migrates it to a destination started with -incoming. What the source
printed followed by what the destination printed must equal, byte for byte, what
one uninterrupted run prints: the guest continues at the same instruction count.

  tcp, unix        over loopback TCP (port chosen by the kernel) and a unix socket
                   (the latter started with the monitor's `migrate`),
                   early and half-way in the kernel's boot; the source ends in
                   postmigrate
  timer-2-to-1     the destination pinned to the older timer (slavio-timer 1.x)
  timer-1-to-2     the source on the older timer, the destination on the newer
                   (started with -incoming defer, then QMP migrate-incoming)
  paused-source    a source stopped with `stop` before `migrate`
  refusal          a destination whose timer takes only state v9: both sides say
                   which device and both ranges, the destination exits non-zero,
                   the source keeps running (status failed) and its output is
                   what an unmigrated run prints
  kill-destination the destination killed mid-stream: the source resumes
  cancel           migrate_cancel mid-stream: status cancelled, the source resumes,
                   the destination exits non-zero
  truncated        a proxy cuts the stream: the destination says so and exits
                   non-zero, the source resumes
  converge         a guest dirtying memory faster than a 2 MB/s link converges
                   with auto-converge; the figures are printed
  veth             source and destination in two network namespaces the test
                   creates, joined by a veth pair (10.201.0.1 and .2); skipped with
                   the reason when namespaces cannot be made (not root, no `ip`)

Usage: live.py TESSERA FIND_KERNEL INITRAMFS DIRTY_BIN FIXTURE_DIR SOURCE_ROOT BUILD_ROOT
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

RTC = ["-rtc", "base=2026-01-01T00:00:00"]
WAIT = 120  # seconds any one wait may take: nothing here hangs for longer


class Failure(Exception):
    pass


class Vm:
    """One tessera process (or, with qemu=True, a qemu-system-sparc one, for
    bench/migration.py); its serial output goes to OUT, stderr to OUT.err."""

    def __init__(self, tessera, tmp, name, args, qmp=True, qemu=False, prefix=()):
        self.name = name
        self.out = os.path.join(tmp, name + ".out")
        self.err = os.path.join(tmp, name + ".err")
        self.qmp_path = os.path.join(tmp, name + ".qmp") if qmp else None
        cmd = [tessera, "-nographic", "-monitor", "none", "-serial", "file:" + self.out] + RTC
        if qmp:
            cmd += ["-qmp", "unix:" + self.qmp_path + (",server=on,wait=off" if qemu else "")]
        self.proc = subprocess.Popen(list(prefix) + cmd + args, stdin=subprocess.DEVNULL,
                                     stderr=open(self.err, "w"))
        self.f = None
        if qmp:
            self._connect()

    def _connect(self):
        deadline = time.time() + WAIT
        while True:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.qmp_path)
                break
            except OSError:
                s.close()
                if time.time() > deadline or self.proc.poll() is not None:
                    raise Failure("%s: no QMP socket (%s)" % (self.name, self.stderr()))
                time.sleep(0.05)
        self.f = s.makefile("rw")
        self.f.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        try:
            return self._cmd(name, args)
        except OSError as e:
            raise Failure("%s: QMP %s: %s (exit status %s: %s)" % (
                self.name, name, e, self.proc.poll(), self.stderr()))

    def _cmd(self, name, args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                raise Failure("%s: QMP closed during %s" % (self.name, name))
            r = json.loads(line)
            if "error" in r:
                raise Failure("%s: %s: %s" % (self.name, name, r["error"]["desc"]))
            if "return" in r:
                return r["return"]

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})

    def output(self):
        try:
            with open(self.out, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def stderr(self):
        with open(self.err) as f:
            return f.read().strip()

    def wait(self):
        try:
            return self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("%s: still running after %d s" % (self.name, WAIT))

    def quit(self):
        try:
            self.cmd("quit")
        except (Failure, OSError):
            pass
        return self.wait()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for(what, cond):
    deadline = time.time() + WAIT
    while not cond():
        if time.time() > deadline:
            raise Failure("timed out waiting for " + what)
        time.sleep(0.02)


class Tests:
    def __init__(self, argv, tmp):
        (self.tessera, find_kernel, self.cpio, self.dirty, self.fixtures,
         src_root, build_root) = argv
        r = subprocess.run([find_kernel, src_root, build_root], capture_output=True, text=True)
        if r.returncode == 77:
            print("SKIP: no Linux kernel: " + r.stderr.strip())
            sys.exit(77)
        if r.returncode:
            raise Failure("find-kernel.sh: " + r.stderr.strip())
        self.kernel = r.stdout.strip()
        self.tmp = tmp
        self.passed = self.failed = 0
        self.serial = 0
        self.full = None

    def linux(self):
        return ["-M", "ss5", "-m", "128", "-kernel", self.kernel, "-initrd", self.cpio,
                "-append", "console=ttyS0"]

    def vm(self, name, args, qmp=True, prefix=()):
        return Vm(self.tessera, self.tmp, name, args, qmp, prefix=prefix)

    def reference(self):
        if self.full is None:
            ref = self.vm("reference", self.linux(), qmp=False)
            if ref.wait() != 0:
                raise Failure("uninterrupted run: %s" % ref.stderr())
            self.full = ref.output()
            if b"DONE" not in self.full:
                raise Failure("uninterrupted run printed no DONE")
        return self.full

    def incoming(self, name, transport, args):
        """A destination listening; returns (vm, uri for the source)."""
        if transport == "defer":  # -incoming defer, then QMP migrate-incoming
            path = os.path.join(self.tmp, name + ".sock")
            dst = self.vm(name, args + ["-incoming", "defer"])
            st = dst.cmd("query-status")["status"]
            if st != "inmigrate":
                raise Failure("%s: -incoming defer: status %s, want inmigrate" % (name, st))
            dst.cmd("migrate-incoming", uri="unix:" + path)
            return dst, "unix:" + path
        if transport == "unix":
            path = os.path.join(self.tmp, name + ".sock")
            dst = self.vm(name, args + ["-incoming", "unix:" + path])
            return dst, "unix:" + path
        dst = self.vm(name, args + ["-incoming", "tcp:127.0.0.1:0"])
        port = []
        wait_for(name + " to say its port", lambda: port.append(re.search(
            r"incoming migration on tcp:127\.0\.0\.1:(\d+)", dst.stderr())) or port[-1])
        return dst, "tcp:127.0.0.1:" + port[-1].group(1)

    def wait_migration(self, src):
        info = {}

        def done():
            info.update(src.cmd("query-migrate"))
            return info.get("status") not in ("setup", "active")
        wait_for("the migration to end", done)
        return info

    def check_joined(self, label, src, dst):
        joined = src.output() + dst.output()
        full = self.reference()
        if joined != full:
            raise Failure("%s: source (%d bytes) + destination (%d bytes) differs from the "
                          "uninterrupted run (%d bytes)" % (label, len(src.output()),
                                                            len(dst.output()), len(full)))

    def migrate_linux(self, label, transport, marker, src_args=(), dst_args=()):
        self.reference()
        dst, uri = self.incoming(label + "-dst", transport, self.linux() + list(dst_args))
        src = self.vm(label + "-src", self.linux() + list(src_args))
        try:
            wait_for("the source to print %r" % marker, lambda: marker in src.output())
            if transport == "unix":  # the human monitor's spelling, through QMP
                said = src.hmp("migrate " + uri)
                if said:
                    raise Failure("%s: monitor migrate said %r" % (label, said))
            else:
                src.cmd("migrate", uri=uri)
            info = self.wait_migration(src)
            if info["status"] != "completed":
                raise Failure("%s: migration %s: %s" % (label, info["status"],
                                                         info.get("error-desc")))
            status = src.cmd("query-status")["status"]
            if status != "postmigrate":
                raise Failure("%s: the source is %s, not postmigrate" % (label, status))
            progress = [l for l in src.hmp("info migrate").splitlines() if
                        l.startswith("progress:")]
            src.quit()
            rc = dst.wait()
            if rc != 0:
                raise Failure("%s: destination exit status %d: %s" % (label, rc, dst.stderr()))
            self.check_joined(label, src, dst)
            ram = info["ram"]
            return ("%d + %d bytes of output = the uninterrupted run; %d kB sent, %d zero "
                    "pages, downtime %d ms, total %d ms; %s"
                    % (len(src.output()), len(dst.output()), ram["transferred"] // 1024,
                       ram["duplicate"], info["downtime"], info["total-time"],
                       progress[0] if progress else "no progress line"))
        finally:
            src.kill()
            dst.kill()

    def paused_source(self):
        """A source paused with `stop` migrates too (its steps run from the paused
        loop); the destination runs the machine on from there."""
        self.reference()
        dst, uri = self.incoming("paused-dst", "unix", self.linux())
        src = self.vm("paused-src", self.linux())
        try:
            wait_for("the source to print", lambda: b"Linux version" in src.output())
            src.cmd("stop")
            src.cmd("migrate", uri=uri)
            info = self.wait_migration(src)
            if info["status"] != "completed":
                raise Failure("paused: migration %s: %s" % (info["status"],
                                                             info.get("error-desc")))
            src.quit()
            if dst.wait() != 0:
                raise Failure("paused: destination: %s" % dst.stderr())
            self.check_joined("paused", src, dst)
            return "stopped source migrated; joined output = the uninterrupted run"
        finally:
            src.kill()
            dst.kill()

    def source_resumes(self, label, src, dst, want_dst_error):
        """After a failed migration: the source runs on to the end unchanged."""
        info = self.wait_migration(src)
        if info["status"] != "failed":
            raise Failure("%s: migration %s, want failed" % (label, info["status"]))
        st = src.cmd("query-status")["status"]
        if st != "running":
            raise Failure("%s: the source is %s after the failure, want running" % (label, st))
        rc = dst.wait()
        if want_dst_error is not None:
            if rc == 0:
                raise Failure("%s: the destination exited 0" % label)
            if want_dst_error not in dst.stderr():
                raise Failure("%s: destination said %r, want %r" % (label, dst.stderr(),
                                                                   want_dst_error))
        wait_for("the source to power off", lambda: src.proc.poll() is not None)
        if src.proc.returncode != 0:
            raise Failure("%s: the source exit status %d" % (label, src.proc.returncode))
        if src.output() != self.reference():
            raise Failure("%s: the source's output differs from an unmigrated run" % label)
        return info

    def refusal(self):
        self.reference()
        pin = ["-plugin-path", self.fixtures, "-plugin-version", "slavio-timer==9.0.0"]
        dst, uri = self.incoming("refusal-dst", "unix", self.linux() + pin)
        src = self.vm("refusal-src", self.linux())
        try:
            wait_for("the source to print", lambda: b"Linux version" in src.output())
            src.cmd("migrate", uri=uri)
            want = ("device 'timer' (slavio-timer): no common state version: source "
                    "slavio-timer 2.0.0 saves v2-v2, destination slavio-timer 9.0.0 loads v9-v9")
            info = self.source_resumes("refusal", src, dst, want)
            if want not in info.get("error-desc", ""):
                raise Failure("refusal: the source says %r" % info.get("error-desc"))
            if want not in src.stderr():
                raise Failure("refusal: the source printed %r" % src.stderr())
            return "both sides: " + want
        finally:
            src.kill()
            dst.kill()

    def kill_destination(self):
        self.reference()
        dst, uri = self.incoming("kill-dst", "tcp", self.linux())
        src = self.vm("kill-src", self.linux())
        try:
            wait_for("the source to print", lambda: b"Linux version" in src.output())
            src.cmd("migrate-set-parameters", **{"max-bandwidth": 1000000})
            src.cmd("migrate", uri=uri)
            wait_for("bytes on the wire", lambda: src.cmd("query-migrate")["ram"]["transferred"]
                     > 100000)
            info = src.cmd("query-migrate")
            mib = 1048576
            if (info["status"] != "active" or "expected-downtime" not in info or
                    info["ram"]["remaining"] == 0 or
                    info["ram"]["total"] < 128 * mib):  # the RAM, and the PROM
                raise Failure("kill-destination: while active, query-migrate says %r" % info)
            dst.proc.kill()
            info = self.source_resumes("kill-destination", src, dst, None)
            return "the source failed over with %r and ran on" % info.get("error-desc")
        finally:
            src.kill()
            dst.kill()

    def cancel(self):
        self.reference()
        dst, uri = self.incoming("cancel-dst", "unix", self.linux())
        src = self.vm("cancel-src", self.linux())
        try:
            wait_for("the source to print", lambda: b"Linux version" in src.output())
            src.cmd("migrate-set-parameters", **{"max-bandwidth": 1000000})
            src.cmd("migrate", uri=uri)
            wait_for("bytes on the wire", lambda: src.cmd("query-migrate")["ram"]["transferred"]
                     > 100000)
            src.cmd("migrate_cancel")
            info = src.cmd("query-migrate")
            if info["status"] != "cancelled":
                raise Failure("cancel: status %s, want cancelled" % info["status"])
            rc = dst.wait()
            if rc == 0:
                raise Failure("cancel: the destination exited 0")
            wait_for("the source to power off", lambda: src.proc.poll() is not None)
            if src.proc.returncode != 0 or src.output() != self.reference():
                raise Failure("cancel: the source (exit %d) did not run on unchanged"
                              % src.proc.returncode)
            return "cancelled; the destination said %r" % dst.stderr().splitlines()[-1]
        finally:
            src.kill()
            dst.kill()

    def truncated(self):
        self.reference()
        dst, uri = self.incoming("trunc-dst", "unix", self.linux())
        proxy_path = os.path.join(self.tmp, "proxy.sock")
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(proxy_path)
        listener.listen(1)
        cut = 300000

        def proxy():
            a, _ = listener.accept()
            b = socket.socket(socket.AF_UNIX)
            b.connect(uri[5:])

            def back():  # destination -> source, all of it
                try:
                    while True:
                        d = b.recv(65536)
                        if not d:
                            break
                        a.sendall(d)
                except OSError:
                    pass
            threading.Thread(target=back, daemon=True).start()
            sent = 0
            while sent < cut:
                d = a.recv(min(65536, cut - sent))
                if not d:
                    break
                b.sendall(d)
                sent += len(d)
            for s in (a, b):  # shutdown first: the other thread still reads b
                s.shutdown(socket.SHUT_RDWR)
                s.close()
        t = threading.Thread(target=proxy, daemon=True)
        t.start()
        src = self.vm("trunc-src", self.linux())
        try:
            wait_for("the source to print", lambda: b"Linux version" in src.output())
            src.cmd("migrate", uri="unix:" + proxy_path)
            info = self.source_resumes("truncated", src, dst, "the stream is truncated")
            return ("the destination said %r; the source failed over with %r and ran on"
                    % (dst.stderr().splitlines()[-1], info.get("error-desc")))
        finally:
            listener.close()
            src.kill()
            dst.kill()

    def converge(self):
        machine = ["-M", "ss5", "-m", "64", "-bios", self.dirty]
        dst, uri = self.incoming("conv-dst", "unix", machine)
        src = self.vm("conv-src", machine)
        try:
            wait_for("the first rounds", lambda: b"round 2 " in src.output())
            src.cmd("migrate-set-capabilities",
                    capabilities=[{"capability": "auto-converge", "state": True}])
            src.cmd("migrate-set-parameters", **{"max-bandwidth": 2000000,
                                                  "downtime-limit": 100})
            src.cmd("migrate", uri=uri)
            info = self.wait_migration(src)
            if info["status"] != "completed":
                raise Failure("converge: migration %s: %s" % (info["status"],
                                                               info.get("error-desc")))
            ram = info["ram"]
            if info["cpu-throttle-percentage"] == 0 or ram["dirty-sync-count"] < 2:
                raise Failure("converge: completed without throttling (%d passes): the guest "
                              "did not outrun the link" % ram["dirty-sync-count"])
            src.quit()
            # Let the destination run on a little, then stop it and note where.
            n = len(dst.output())
            wait_for("the destination to print", lambda: len(dst.output()) > n + 20)
            dst.cmd("stop")
            icount = int(re.search(r"icount (\d+)", dst.hmp("info status")).group(1))
            dst.quit()
            ref = self.vm("conv-ref", machine + ["-icount-limit", str(icount)], qmp=False)
            ref.wait()
            if src.output() + dst.output() != ref.output():
                raise Failure("converge: source + destination output differs from a run of "
                              "%d instructions" % icount)
            return ("converged after %d passes at throttle %d%%: %d kB sent at a 2 MB/s limit, "
                    "downtime %d ms (limit 100), total %d ms; output = an unmigrated run of "
                    "%d instructions" % (ram["dirty-sync-count"], info["cpu-throttle-percentage"],
                                         ram["transferred"] // 1024, info["downtime"],
                                         info["total-time"], icount))
        finally:
            src.kill()
            dst.kill()

    def veth(self):
        """Two namespaces, a veth pair between them, the machine moves across it."""
        ns = ["tessera-mig-%d-%s" % (os.getpid(), side) for side in "ab"]
        addr = ["10.201.0.1", "10.201.0.2"]

        def ip(*args):
            return subprocess.run(["ip"] + list(args), capture_output=True, text=True,
                                  timeout=30)
        if os.geteuid() != 0 or not shutil.which("ip"):
            return "skipped: making network namespaces needs root and ip(8)"
        try:
            steps = [("netns", "add", ns[0]), ("netns", "add", ns[1]),
                     ("link", "add", "tmig0", "netns", ns[0], "type", "veth", "peer", "name",
                      "tmig1", "netns", ns[1])]
            for i in range(2):
                steps += [("-n", ns[i], "addr", "add", addr[i] + "/30", "dev", "tmig%d" % i),
                          ("-n", ns[i], "link", "set", "tmig%d" % i, "up"),
                          ("-n", ns[i], "link", "set", "lo", "up")]
            for step in steps:
                r = ip(*step)
                if r.returncode:
                    return "skipped: ip %s: %s" % (" ".join(step), r.stderr.strip())
            self.reference()
            dst = self.vm("veth-dst", self.linux() + ["-incoming", "tcp:%s:0" % addr[1]],
                          prefix=["ip", "netns", "exec", ns[1]])
            src = self.vm("veth-src", self.linux(), prefix=["ip", "netns", "exec", ns[0]])
            try:
                said = []
                wait_for("the destination to say its port", lambda: said.append(re.search(
                    r"incoming migration on tcp:[0-9.]+:(\d+)", dst.stderr())) or said[-1])
                port = int(said[-1].group(1))
                wait_for("the source to print", lambda: b"Linux version" in src.output())
                src.cmd("migrate", uri="tcp:%s:%d" % (addr[1], port))
                info = self.wait_migration(src)
                if info["status"] != "completed":
                    raise Failure("veth: migration %s: %s" % (info["status"],
                                                             info.get("error-desc")))
                if src.cmd("query-status")["status"] != "postmigrate":
                    raise Failure("veth: the source is not postmigrate")
                src.quit()
                rc = dst.wait()
                if rc != 0:
                    raise Failure("veth: destination exit status %d: %s" % (rc, dst.stderr()))
                self.check_joined("veth", src, dst)
                return ("%s -> %s over a veth pair: joined output = the uninterrupted run, "
                        "downtime %d ms, total %d ms" % (ns[0], ns[1], info["downtime"],
                                                         info["total-time"]))
            finally:
                src.kill()
                dst.kill()
        finally:
            for n in ns:  # deleting a namespace deletes its end of the pair
                ip("netns", "del", n)

    def run(self, name, fn, *args):
        try:
            detail = fn(*args)
            print("%s %s: %s" % ("SKIP" if detail.startswith("skipped") else "PASS", name,
                                 detail))
            self.passed += 1
        except Failure as e:
            print("FAIL %s: %s" % (name, e))
            self.failed += 1
        sys.stdout.flush()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        t = Tests(sys.argv[1:], tmp)
        t.run("tcp", t.migrate_linux, "tcp", "tcp", b"Linux version")
        t.run("unix", t.migrate_linux, "unix", "unix", b"RPC: Registered tcp NFSv4.1")
        t.run("timer-2-to-1", t.migrate_linux, "v2to1", "tcp", b"NET: Registered PF_INET ", (),
              ("-plugin-version", "slavio-timer=^1"))
        t.run("timer-1-to-2", t.migrate_linux, "v1to2", "defer", b"RPC: Registered tcp NFSv4.1",
              ("-plugin-version", "slavio-timer=^1"), ())
        t.run("paused-source", t.paused_source)
        t.run("refusal", t.refusal)
        t.run("kill-destination", t.kill_destination)
        t.run("cancel", t.cancel)
        t.run("truncated", t.truncated)
        t.run("converge", t.converge)
        t.run("veth", t.veth)
        print("%d passed, %d failed" % (t.passed, t.failed))
        return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
