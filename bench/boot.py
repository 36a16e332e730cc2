#!/usr/bin/env python3
"""Boot-to-prompt: wall time from start until OpenBIOS prints `0 > `, for Tessera
and for qemu-system-sparc in the same run. Usage: boot.py TESSERA [QEMU]"""
import os
import subprocess
import sys
import time

FIRMWARE = "/usr/share/qemu/openbios-sparc32"


def boot(argv):
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
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
    return secs


def main():
    tessera = sys.argv[1]
    qemu = sys.argv[2] if len(sys.argv) > 2 else None
    if not os.path.exists(FIRMWARE):
        print("boot-to-prompt: %s missing (qemu-system-data)" % FIRMWARE)
        return 0
    t = boot([tessera, "-M", "ss5", "-nographic", "-m", "32"])
    q = boot([qemu, "-M", "SS-5", "-nographic", "-m", "32", "-monitor", "none"]) if qemu else None
    fmt = lambda s: "%.2f s" % s if s is not None else "-"
    print("%-22s | tessera %9s | qemu %9s" % ("OpenBIOS to `0 >`", fmt(t), fmt(q)))
    return 0 if t is not None else 1


if __name__ == "__main__":
    sys.exit(main())
