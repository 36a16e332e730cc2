#!/usr/bin/env python3
"""Frames from a network backend that are no Ethernet frames, the link switch, and
the command line's refusals (suite 'net'; loopback only).

The SS-5 sits at the OpenBIOS prompt with its LANCE on -netdev socket,listen=
(this script is the peer) and, in a second run, on -netdev socket,mcast= (this
script sends to the group from 127.0.0.1). Through the monitor's `info network`:
a 4000-byte and a 5-byte frame are dropped and counted as malformed while a
60-byte one reaches the NIC; with `set_link n0 off` (monitor) a good frame is
dropped too, and after QMP's set_link up again it arrives; a length header
beyond 64 KiB ends the connection (counted), the emulator runs on and takes the
next peer. A machine file's `prop.netdev` attaches the LANCE without -net nic.
A guest that sends nothing on -nic user runs instruction for instruction as one
with no network. Then every refusal of -netdev/-nic/-net names what is wrong.

  frames.py TESSERA OPENBIOS
"""
import atexit
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

from netlib import Monitor, check, connect_unix, free_port, verdict

tessera, openbios = sys.argv[1:3]
if not os.path.exists(openbios):
    print('no OpenBIOS at %s: skipped' % openbios)
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix='tessera-frames-')
DEADLINE = time.monotonic() + 100
started = []  # every emulator this script started: none outlives it
atexit.register(lambda: [p.kill() for p in started if p.poll() is None])




class Qmp:
    def __init__(self, path, proc):
        self.s = connect_unix(path, proc, DEADLINE)
        self.f = self.s.makefile('rb')
        self.f.readline()  # greeting
        self.cmd('qmp_capabilities')

    def cmd(self, command, **args):
        msg = {'execute': command}
        if args:
            msg['arguments'] = args
        self.s.sendall(json.dumps(msg).encode() + b'\n')
        return json.loads(self.f.readline())


def counters(mon):
    info = mon.cmd('info network')
    m = re.search(r'rx: (\d+) frames, (\d+) dropped \((\d+) malformed\)', info)
    return tuple(int(x) for x in m.groups()) if m else None, info


def wait_counters(mon, want):
    got, info = counters(mon)
    while got != want and time.monotonic() < DEADLINE:
        time.sleep(0.05)
        got, info = counters(mon)
    return got == want, info


def frame(n):
    return b'\xff' * 6 + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00' + bytes(n - 14)


def start(netdev, machine='ss5', net=('-net', 'nic,netdev=n0')):
    mon, qmp = os.path.join(tmp, 'mon'), os.path.join(tmp, 'qmp')
    for p in (mon, qmp):
        if os.path.exists(p):
            os.unlink(p)
    proc = subprocess.Popen([tessera, '-M', machine, '-nographic', '-serial', 'null',
                             '-monitor', 'unix:%s,server' % mon, '-qmp', 'unix:%s' % qmp,
                             '-netdev', netdev, *net],
                            stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started.append(proc)
    return proc, Monitor(mon, proc, DEADLINE), Qmp(qmp, proc)


def stop(proc, mon, name):
    mon.cmd('info status')
    check(proc.poll() is None, name + ': the emulator runs on')
    mon.s.sendall(b'quit\n')
    try:
        rc = proc.wait(timeout=max(1, DEADLINE - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(rc == 0, name + ': quit exits 0', rc)


def test_stream():
    port = free_port()
    proc, mon, qmp = start('socket,id=n0,listen=127.0.0.1:%d' % port)
    peer = socket.create_connection(('127.0.0.1', port), timeout=20)
    for f in (frame(4000), b'\x01\x02\x03\x04\x05', frame(60)):
        peer.sendall(struct.pack('>I', len(f)) + f)
    ok, info = wait_counters(mon, (1, 2, 2))
    check(ok, 'oversized and runt frames dropped as malformed, a good one delivered', info)
    check(mon.cmd('set_link n0 off') == '', 'set_link n0 off')
    check('link=down' in mon.cmd('info network'), 'info network shows link=down')
    peer.sendall(struct.pack('>I', 60) + frame(60))
    ok, info = wait_counters(mon, (1, 3, 2))
    check(ok, 'with the link down a good frame is dropped (not malformed)', info)
    reply = qmp.cmd('set_link', name='n0', up=True)
    check(reply.get('return') == {}, 'QMP set_link up', reply)
    reply = qmp.cmd('set_link', name='nope', up=True)
    check(reply.get('error', {}).get('class') == 'DeviceNotFound', 'QMP set_link of no backend',
          reply)
    peer.sendall(struct.pack('>I', 60) + frame(60))
    ok, info = wait_counters(mon, (2, 3, 2))
    check(ok, 'with the link up again the frame arrives', info)
    peer.sendall(struct.pack('>I', 1 << 20))
    ok, info = wait_counters(mon, (2, 4, 3))
    check(ok, 'a length beyond 64 KiB is counted and ends the connection', info)
    peer.settimeout(20)
    try:
        closed = peer.recv(1) == b''
    except OSError:
        closed = True
    check(closed, 'the peer with the bad length is disconnected')
    peer.close()
    peer = socket.create_connection(('127.0.0.1', port), timeout=20)
    peer.sendall(struct.pack('>I', 60) + frame(60))
    ok, info = wait_counters(mon, (3, 4, 3))
    check(ok, 'the next peer is taken and its frame arrives', info)
    check('listen=127.0.0.1:%d connected' % port in info, 'info network shows the peer', info)
    reply = mon.cmd('hostfwd_add tcp::5555-:22')
    check(reply.startswith('Error: hostfwd_add: no user-mode network backend'),
          'hostfwd_add without a user backend is refused', reply)
    reply = mon.cmd('set_link n0 sideways')
    check(reply.startswith('usage: set_link'), 'set_link with a bad state is refused', reply)
    stop(proc, mon, 'socket listen')
    peer.close()


def test_mcast():
    group, port = '239.255.77.%d' % (os.getpid() % 250 + 1), free_port()
    proc, mon, qmp = start('socket,id=n0,mcast=%s:%d,localaddr=127.0.0.1' % (group, port))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('127.0.0.1'))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)
    for f in (frame(60), frame(3000), frame(1514)):
        s.sendto(f, (group, port))
    ok, info = wait_counters(mon, (2, 1, 1))
    check(ok, 'mcast: datagrams are frames, an oversized one is dropped as malformed', info)
    stop(proc, mon, 'socket mcast')


def test_machine_file_property():
    """prop.netdev in the machine file's [device lance], no -net nic."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'machines',
                       'ss5.machine')
    text = open(src).read()
    text = text.replace('[device lance]\n', '[device lance]\nprop.netdev = n0\n', 1)
    machine = os.path.join(tmp, 'ss5-net.machine')
    with open(machine, 'w') as f:
        f.write(text)
    port = free_port()
    proc, mon, qmp = start('socket,id=n0,listen=127.0.0.1:%d' % port, machine, ())
    check('n0: type=socket nic=lance' in mon.cmd('info network'),
          'prop.netdev attaches the LANCE to backend n0')
    stop(proc, mon, 'machine file netdev')
    r = subprocess.run([tessera, '-M', machine, '-nographic', '-serial', 'null'],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "lance: netdev 'n0': no such network backend" in r.stderr,
          'prop.netdev naming no backend is refused', r.stderr)


def test_quiet_network_changes_nothing():
    """A machine on -nic user whose guest sends nothing runs exactly as one without."""
    def run(*net):
        r = subprocess.run([tessera, '-M', 'ss5', '-nographic', '-serial', 'null', '-rtc',
                            'base=2026-01-01T00:00:00', '-icount-limit', '30000000', *net],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        return r.returncode, r.stderr
    plain, user = run(), run('-nic', 'user')
    check(plain[0] == 4 and plain == user,
          'the same registers at the same count with and without -nic user', (plain, user))


def refused(args, pattern, name, status=2):
    """status 2: a malformed spec is a bad command line; 1: a machine it cannot build."""
    r = subprocess.run([tessera, '-M', 'ss5', '-nographic', '-serial', 'null', *args],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    lines = r.stderr.strip().split('\n')
    check(r.returncode == status and len(lines) == 1 and re.search(pattern, lines[0]),
          'refused: ' + name, '%d %r' % (r.returncode, r.stderr))


def test_refusals():
    refused(['-netdev', 'bogus,id=n0'], r"unknown network backend type 'bogus'", 'unknown type')
    refused(['-netdev', 'user'], r'missing id=ID', 'no id')
    refused(['-netdev', 'user,id=9x', '-net', 'nic,netdev=9x'], r"id '9x' is not a name",
            'bad id')
    refused(['-netdev', 'user,id=n0,dns=1.1.1.1', '-net', 'nic,netdev=n0'],
            r"unknown option 'dns'", 'unknown option')
    refused(['-netdev', 'user,id=n0,restrict=off', '-net', 'nic,netdev=n0'], r'restrict=off',
            'restrict=off')
    refused(['-netdev', 'user,id=n0'], r"'n0' is not connected to any NIC", 'a backend no NIC takes', status=1)
    refused(['-net', 'nic,netdev=n9'], r"netdev 'n9': no such network backend", 'unknown netdev', status=1)
    refused(['-nic', 'user,model=e1000'], r"unsupported NIC model 'e1000'", 'another NIC model')
    refused(['-nic', 'user', '-nic', 'user'], r"'nic1' is not connected to any NIC",
            'more -nic than NICs', status=1)
    refused(['-nic', 'user,hostfwd=tcp::x-:22'], r"hostfwd 'tcp::x-:22'", 'bad hostfwd rule')
    refused(['-netdev', 'socket,id=n0'], r'exactly one of listen=, connect= and mcast=',
            'socket with no mode')
    refused(['-netdev', 'socket,id=n0,connect=127.0.0.1:%d' % free_port(), '-net',
             'nic,netdev=n0'], r'connect 127\.0\.0\.1:\d+: Connection refused', 'connect refused', status=1)
    refused(['-netdev', 'socket,id=n0,mcast=10.0.0.1:5000', '-net', 'nic,netdev=n0'],
            r'not a multicast group', 'mcast to a unicast address')
    refused(['-netdev', 'tap,id=n0,ifname=t0,script=/etc/qemu-ifup', '-net', 'nic,netdev=n0'],
            r'runs no scripts', 'tap script')
    refused(['-net', 'user'], r"only '-net nic,netdev=ID'", 'legacy -net user')


test_stream()
test_mcast()
test_machine_file_property()
test_quiet_network_changes_nothing()
test_refusals()
verdict()
