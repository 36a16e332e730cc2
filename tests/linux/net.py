#!/usr/bin/env python3
"""Linux 6.1 on the SS-5's LANCE, on loopback only (suite 'linux'; netinit.c is the
guest's /init).

  user:    -nic user: the guest sends SIZE bytes to a server on 127.0.0.1 (its
           10.0.2.2) and gets SIZE bytes back, both checked byte for byte and by
           checksum; two echo connections from the host into the guest, one by
           -nic user,hostfwd=, one by the monitor's hostfwd_add; hostfwd_remove
           closes the first; info network counts the frames.
  dhcp:    -nic user's DHCP server configures the guest (the kernel's ip=dhcp):
           the kernel says it got 10.0.2.15 from 10.0.2.2, the guest checks its
           address and reaches a server on the host without setting anything.
  socket:  two guests joined by -netdev socket listen=/connect= echo data, and
           two more on one multicast group (mcast= on 127.0.0.1).

  net.py TESSERA INITRAMFS SOURCE_ROOT BUILD_ROOT [SIZE]
"""
import atexit
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'net'))
from netlib import Monitor, check, failures, free_port, verdict  # noqa: E402

tessera, cpio, src_root, build_root = sys.argv[1:5]
size = int(sys.argv[5]) if len(sys.argv) > 5 else 4 << 20
here = os.path.dirname(os.path.abspath(__file__))
found = subprocess.run([os.path.join(here, 'find-kernel.sh'), src_root, build_root],
                       capture_output=True, text=True)
if found.returncode:
    sys.stdout.write(found.stderr)
    sys.exit(found.returncode)
kernel = found.stdout.strip()
tmp = tempfile.mkdtemp(prefix='tessera-net-')
started = []  # every emulator this script started: none outlives it
atexit.register(lambda: [p.kill() for p in started if p.poll() is None])
DEADLINE = time.monotonic() + 500  # every wait below stops here at the latest



PERIOD = 65521


def pattern(seed):
    """netinit.c's pattern: the LCG's top bytes, repeating every PERIOD bytes."""
    x, out = seed, bytearray(PERIOD)
    for i in range(PERIOD):
        x = (x * 1103515245 + 12345) & 0xffffffff
        out[i] = x >> 24
    return bytes(out)


def stream(seed, n):
    p = pattern(seed)
    return (p * (n // PERIOD + 1))[:n]


def fnv(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xffffffff
    return h



def boot(name, append, *opts):
    out = os.path.join(tmp, name)
    cmd = [tessera, '-M', 'ss5', '-m', '128', '-nographic', '-rtc', 'base=2026-01-01T00:00:00',
           '-serial', 'file:' + out, '-kernel', kernel, '-initrd', cpio,
           '-append', 'console=ttyS0 ' + append, *opts]
    err = open(out + '.err', 'w')
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    started.append(proc)
    return proc, out


def wait_line(path, line, proc):
    while time.monotonic() < DEADLINE and proc.poll() is None:
        try:
            with open(path, 'rb') as f:
                if line.encode() in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    return False


def finish(name, proc, out):
    try:
        rc = proc.wait(timeout=max(1, DEADLINE - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(rc == 0, name + ': exit status 0 (powered off)', 'status %d' % rc)
    text = open(out, 'rb').read().decode(errors='replace').replace('\r', '')
    lines = [l for l in text.split('\n') if l.startswith(('PASS ', 'FAIL ', 'DONE'))]
    fails = [l for l in lines if l.startswith('FAIL ')]
    passes = [l for l in lines if l.startswith('PASS ')]
    check(not fails and passes, name + ': the guest checks pass (%d)' % len(passes),
          '; '.join(fails) or 'none ran')
    check('DONE' in lines, name + ': DONE')
    if failures():
        print('--- %s serial (last 30 lines):' % name)
        print('\n'.join(text.split('\n')[-30:]))
        print('--- stderr:')
        print(open(out + '.err').read())
    return text


def echo_through(port, data, name):
    """Connect to a host port forwarded into the guest; data must come back."""
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=300) as c:
            back = bytearray()
            for off in range(0, len(data), 4096):
                c.sendall(data[off:off + 4096])
                while len(back) < off + min(4096, len(data) - off):
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    back += chunk
            c.shutdown(socket.SHUT_WR)
            check(bytes(back) == data and fnv(back) == fnv(data),
                  '%s: %d bytes echoed by the guest' % (name, len(data)),
                  'got %d bytes' % len(back))
    except OSError as e:
        check(False, name, str(e))


def test_user():
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(1)
    server.settimeout(max(1, DEADLINE - time.monotonic()))
    sport = server.getsockname()[1]
    served = {}

    def serve():
        try:
            conn, _ = server.accept()
        except OSError as e:
            served['error'] = str(e)
            return
        with conn:
            conn.settimeout(120)
            got = bytearray()
            try:
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                want = stream(1, size)
                served['ok'] = bytes(got) == want
                served['detail'] = 'got %d bytes, checksum %08x, want %08x' % (
                    len(got), fnv(got), fnv(want))
                conn.sendall(b'GOOD' if served['ok'] else b'BAD!')
                conn.sendall(stream(2, size))
            except OSError as e:
                served['error'] = str(e)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    hp1, hp2 = free_port(), free_port()
    mon_path = os.path.join(tmp, 'mon')
    proc, out = boot('user', 'tnet.role=user tnet.port=%d tnet.size=%d' % (sport, size),
                     '-nic', 'user,model=lance,hostfwd=tcp:127.0.0.1:%d-:7777' % hp1,
                     '-monitor', 'unix:%s,server' % mon_path)
    mon = Monitor(mon_path, proc, DEADLINE)
    info = mon.cmd('info network')
    check('nic0: type=user nic=lance link=up' in info and 'hostfwd=tcp:127.0.0.1:%d-:7777' % hp1
          in info, 'info network names the backend, its NIC and the hostfwd rule', info)
    check(wait_line(out, 'linux-init: echo listening', proc), 'the guest listens for echo')
    # A snapshot in the middle of the transfer, loaded back at once: the LANCE's
    # rings, FIFO and registers come back and the transfer goes on unharmed.
    snap = os.path.join(tmp, 'mid.tsnap')
    while time.monotonic() < DEADLINE and 'rx: 0 frames' in mon.cmd('info network'):
        time.sleep(0.1)
    replies = [mon.cmd(c) for c in ('stop', 'savevm ' + snap, 'loadvm ' + snap, 'cont')]
    check(all(r.strip() == '' for r in replies) and not served,
          'savevm and loadvm mid-transfer', replies)
    check('"lance"' in mon.cmd('info snapshot ' + snap), 'the snapshot holds the lance')
    # The guest serves echo only after its own transfer: this one waits for it.
    echo_through(hp1, os.urandom(256 << 10), 'hostfwd from the command line')
    t.join(max(1, DEADLINE - time.monotonic()))
    check(served.get('ok', False), 'host server: %d bytes from the guest, checked' % size,
          served.get('error', served.get('detail', 'no connection')))
    reply = mon.cmd('hostfwd_add tcp:127.0.0.1:%d-:7777' % hp2)
    check(reply.strip() == '', 'hostfwd_add', reply)
    reply = mon.cmd('hostfwd_remove tcp:127.0.0.1:%d' % hp1)
    check(reply.strip() == '', 'hostfwd_remove', reply)
    try:
        socket.create_connection(('127.0.0.1', hp1), timeout=5).close()
        check(False, 'a removed hostfwd port refuses connections')
    except OSError:
        check(True, 'a removed hostfwd port refuses connections')
    info = mon.cmd('info network')
    try:
        rx = int(info.split('rx: ')[1].split(' ')[0])
        tx = int(info.split('tx: ')[1].split(' ')[0])
    except (IndexError, ValueError):
        rx = tx = 0
    check(rx > size // 1514 and tx > size // 1514, 'info network counts the frames both ways',
          info)
    check('hostfwd=tcp:127.0.0.1:%d-:7777' % hp2 in info and ':%d-' % hp1 not in info,
          'info network shows the rules in force', info)
    echo_through(hp2, os.urandom(64 << 10), 'hostfwd from hostfwd_add')
    finish('user', proc, out)
    server.close()


def test_dhcp():
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(1)
    server.settimeout(max(1, DEADLINE - time.monotonic()))
    got = {}

    def serve():
        try:
            conn, _ = server.accept()
            with conn:
                conn.settimeout(60)
                got['data'] = conn.recv(16)
        except OSError as e:
            got['error'] = str(e)
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    proc, out = boot('dhcp', 'ip=dhcp tnet.role=dhcp tnet.port=%d' % server.getsockname()[1],
                     '-nic', 'user')
    text = finish('dhcp', proc, out)
    check('IP-Config: Got DHCP answer from 10.0.2.2, my address is 10.0.2.15' in text,
          'dhcp: the kernel got its address from -nic user', text[-2000:])
    t.join(max(1, DEADLINE - time.monotonic()))
    check(got.get('data') == b'DHCP', 'dhcp: the DHCP-configured guest reached the host',
          got.get('error', repr(got.get('data'))))
    server.close()


def tcp_listening(port):
    with open('/proc/net/tcp') as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if local == '0100007F:%04X' % port and state == '0A':
                return True
    return False


def test_socket():
    port = free_port()
    a, out_a = boot('peer-a', 'tnet.role=a', '-netdev', 'socket,id=n0,listen=127.0.0.1:%d' % port,
                    '-net', 'nic,netdev=n0,model=lance')
    while not tcp_listening(port) and time.monotonic() < DEADLINE and a.poll() is None:
        time.sleep(0.1)
    b, out_b = boot('peer-b', 'tnet.role=b tnet.size=%d' % (256 << 10),
                    '-netdev', 'socket,id=n0,connect=127.0.0.1:%d' % port,
                    '-net', 'nic,netdev=n0')
    finish('peer-b', b, out_b)
    finish('peer-a', a, out_a)


def test_mcast():
    group = 'mcast=239.255.78.%d:%d,localaddr=127.0.0.1' % (os.getpid() % 250 + 1, free_port())
    a, out_a = boot('mcast-a', 'tnet.role=a', '-netdev', 'socket,id=n0,' + group,
                    '-net', 'nic,netdev=n0')
    b, out_b = boot('mcast-b', 'tnet.role=b tnet.size=%d' % (64 << 10),
                    '-netdev', 'socket,id=n0,' + group, '-net', 'nic,netdev=n0')
    finish('mcast-b', b, out_b)
    finish('mcast-a', a, out_a)


print('kernel:', kernel)
test_user()
test_dhcp()
test_socket()
test_mcast()
verdict()
