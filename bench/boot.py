#!/usr/bin/env python3
"""Boot-to-prompt: wall time from start until OpenBIOS prints `0 > `, for Tessera
under -accel jit, Tessera under -accel interp and qemu-system-sparc, in the same
run; "qemu/jit" is how many times faster the JIT gets there than QEMU. A column
is "absent" when its emulator (or, for jit, the JIT) is not there, "failed" when
no prompt came. Usage: boot.py TESSERA [QEMU]"""
import os
import subprocess
import sys
import time

FIRMWARE = "/usr/share/qemu/openbios-sparc32"


def boot(argv):
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    os.set_blocking(p.stdout.fileno(), False)
    out = b""
    secs = None
    while time.monotonic() - t0 < 120:
        chunk = p.stdout.read()
        if chunk:
            out += chunk
        if b"0 > " in out:
            secs = time.monotonic() - t0
            break
        if p.poll() is not None:
            break
        time.sleep(0.005)
    try:
        p.stdin.write(b"power-off\r")
        p.stdin.flush()
        p.wait(20)
    except Exception:
        p.kill()
    if secs is None and b"unknown accelerator" in p.stderr.read():
        return "absent"
    return secs


def main():
    tessera = sys.argv[1]
    qemu = sys.argv[2] if len(sys.argv) > 2 else None
    if not os.path.exists(FIRMWARE):
        print("boot-to-prompt: %s missing (qemu-system-data)" % FIRMWARE)
        return 0
    base = [tessera, "-M", "ss5", "-nographic", "-m", "32"]
    j = boot(base + ["-accel", "jit"])
    i = boot(base + ["-accel", "interp"])
    q = boot([qemu, "-M", "SS-5", "-nographic", "-m", "32", "-monitor", "none"]) if qemu else "absent"
    fmt = lambda s: "%.2f s" % s if isinstance(s, float) else (s or "failed")
    ratio = "%.2fx" % (q / j) if isinstance(q, float) and isinstance(j, float) else "-"
    print("%-27s | jit %8s | interp %8s | qemu %8s | qemu/jit %s" %
          ("OpenBIOS to `0 >`", fmt(j), fmt(i), fmt(q), ratio))
    return 0 if None not in (j, i, q) else 1

if __name__ == "__main__":
    sys.exit(main())
