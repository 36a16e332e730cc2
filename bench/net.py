#!/usr/bin/env python3
"""TCP throughput through -nic user, guest to host and host to guest: Linux 6.1
with tests/linux/netinit.c (tnet.role=bench) on Tessera and on qemu-system-sparc
(-nic user,model=lance), the same kernel and initramfs in the same run. The host
times both directions itself: from the first byte to the end of the guest's
stream, and from its first byte to the guest's "D" after the last. Loopback only.

  bench/net.py BUILD_DIR [SIZE]
Skipped without a kernel (tests/linux/find-kernel.sh) or a built initramfs.
"""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

build = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 8 << 20
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
tessera = os.environ.get('TESSERA', os.path.join(build, 'core', 'tessera'))
qemu = os.environ.get('QEMU', 'qemu-system-sparc')
cpio = os.path.join(build, 'tests', 'linux', 'initramfs-net.cpio')
found = subprocess.run(['sh', os.path.join(root, 'tests', 'linux', 'find-kernel.sh'), root, build],
                       capture_output=True, text=True)
if found.returncode or not os.path.exists(cpio):
    print('network throughput: skipped: %s' % (found.stderr.strip() or 'no ' + cpio))
    sys.exit(0)
kernel = found.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def measure(cmd_for):
    """(guest->host MB/s, host->guest MB/s) or a reason it failed."""
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(1)
    server.settimeout(300)
    fwd = free_port()
    proc = subprocess.Popen(cmd_for(server.getsockname()[1], fwd), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn, _ = server.accept()
        conn.settimeout(300)
        got, t0 = 0, None
        while True:
            chunk = conn.recv(1 << 16)
            if not chunk:
                break
            t0 = t0 or time.monotonic()
            got += len(chunk)
        up = size / (time.monotonic() - t0) / 1e6 if got == size else None
        conn.close()
        down = None
        for _ in range(100):  # the guest listens already; slirp needs its turn
            try:
                c = socket.create_connection(('127.0.0.1', fwd), timeout=300)
                break
            except OSError:
                time.sleep(0.1)
        t1 = time.monotonic()
        data = bytes(1 << 16)
        for off in range(0, size, len(data)):
            c.sendall(data[:min(len(data), size - off)])
        c.shutdown(socket.SHUT_WR)
        if c.recv(1) == b'D':
            down = size / (time.monotonic() - t1) / 1e6
        c.close()
        proc.wait(timeout=120)
        return up, down
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e), None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.close()


append = 'console=ttyS0 tnet.role=bench tnet.size=%d tnet.port=%%d' % size
common = ['-m', '128', '-nographic', '-kernel', kernel, '-initrd', cpio]


def tessera_cmd(port, fwd):
    return [tessera, '-M', 'ss5', *common, '-append', append % port, '-serial', 'null',
            '-nic', 'user,hostfwd=tcp:127.0.0.1:%d-:7777' % fwd]


def qemu_cmd(port, fwd):
    return [qemu, '-M', 'SS-5', *common, '-append', append % port, '-serial', 'null',
            '-monitor', 'none', '-nic', 'user,model=lance,hostfwd=tcp:127.0.0.1:%d-:7777' % fwd]


def show(r):
    return '%6.2f MB/s' % r if isinstance(r, float) else 'failed'


rows = [('tessera', measure(tessera_cmd))]
if shutil.which(qemu):
    rows.append(('qemu', measure(qemu_cmd)))
mib = size >> 20
print('%-30s | %s' % ('TCP through -nic user (%d MiB)' % mib, ' | '.join(
    '%s guest->host %s host->guest %s' % (n, show(u), show(d)) for n, (u, d) in rows)))
sys.exit(0 if all(isinstance(u, float) and isinstance(d, float) for _, (u, d) in rows) else 1)
