#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live migration of a 256 MiB Linux 6.1 guest over loopback TCP, on Tessera and on
qemu-system-sparc in the same run: total time and downtime as each reports them
(query-migrate), and the bytes sent. The guest is migrated as soon as the kernel
prints "Linux version"; both use their default parameters (no bandwidth limit,
300 ms downtime limit). Skipped without a kernel or an initramfs.

    bench/migration.py BUILD_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
sys.path.insert(0, os.path.join(root, "tests", "migration", "live"))
import live  # noqa: E402  (Vm, wait_for: one QMP client for the tests and the bench)


def migrate(program, tmp, label, base, qemu):
    dst = live.Vm(program, tmp, label + "-dst", base + ["-incoming", "tcp:127.0.0.1:%d" %
                                                         (47000 + len(label))], qemu=qemu)
    src = live.Vm(program, tmp, label + "-src", base, qemu=qemu)
    try:
        live.wait_for("the kernel to start", lambda: b"Linux version" in src.output())
        src.cmd("migrate", uri="tcp:127.0.0.1:%d" % (47000 + len(label)))
        info = {}

        def done():
            info.update(src.cmd("query-migrate"))
            return info.get("status") not in ("setup", "active", "device", "pre-switchover")
        live.wait_for("the migration to end", done)
        if info.get("status") != "completed":
            return "failed (%s)" % info.get("error-desc", info.get("status"))
        return ("total %5d ms, downtime %4d ms, %6.1f MiB sent"
                % (info["total-time"], info["downtime"], info["ram"]["transferred"] / 1048576))
    except live.Failure as e:
        return "failed (%s)" % e
    finally:
        src.kill()
        dst.kill()


def main():
    build = sys.argv[1]
    r = subprocess.run(["sh", os.path.join(root, "tests/linux/find-kernel.sh"), root, build],
                       capture_output=True, text=True)
    cpio = os.path.join(build, "tests/linux/initramfs.cpio")
    if r.returncode or not os.path.exists(cpio):
        print("live migration: skipped: %s" % (r.stderr.strip() or "no " + cpio))
        return 0
    linux = ["-m", "256", "-kernel", r.stdout.strip(), "-initrd", cpio, "-append",
             "console=ttyS0"]
    with tempfile.TemporaryDirectory() as tmp:
        t = migrate(os.path.join(build, "core/tessera"), tmp, "tessera", ["-M", "ss5"] + linux,
                    False)
        qemu = shutil.which(os.environ.get("QEMU", "qemu-system-sparc"))
        q = migrate(qemu, tmp, "qemu", ["-M", "SS-5"] + linux, True) if qemu else "absent"
    print("%-30s | tessera %s | qemu %s" % ("Linux 256 MiB live migration", t, q))
    return 1 if "failed" in t + q else 0


if __name__ == "__main__":
    sys.exit(main())
