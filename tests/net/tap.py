#!/usr/bin/env python3
"""-netdev tap (suite 'net'), in a network namespace of its own: the script runs
itself again under `unshare -n`, so the tap interface exists only there and
nothing reaches the host's network. Skipped where namespaces or /dev/net/tun
cannot be had.

The SS-5 at the OpenBIOS prompt with its LANCE on tap `ttap0`: frames written to
the interface from the namespace (an AF_PACKET socket) reach the NIC, counted by
`info network`; a tap that cannot be made is one clear error.

  tap.py TESSERA OPENBIOS
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

from netlib import Monitor, check, verdict

tessera, openbios = sys.argv[1:3]
if not os.path.exists(openbios):
    print('no OpenBIOS at %s: skipped' % openbios)
    sys.exit(77)
if os.environ.get('TESSERA_TAP_NS') != '1':
    if not os.path.exists('/dev/net/tun'):
        print('no /dev/net/tun: skipped')
        sys.exit(77)
    env = dict(os.environ, TESSERA_TAP_NS='1')
    try:
        r = subprocess.run(['unshare', '-n', sys.executable, *sys.argv], env=env, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        print('unshare: %s: skipped' % e)
        sys.exit(77)
    sys.exit(r.returncode)

# In the namespace from here on.
DEADLINE = time.monotonic() + 60
tmp = tempfile.mkdtemp(prefix='tessera-tap-')
mon_path = os.path.join(tmp, 'mon')
proc = subprocess.Popen([tessera, '-M', 'ss5', '-nographic', '-serial', 'null', '-monitor',
                         'unix:%s,server' % mon_path, '-netdev', 'tap,id=t0,ifname=ttap0',
                         '-net', 'nic,netdev=t0'], stdin=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
try:
    mon = Monitor(mon_path, proc, DEADLINE)
    check('t0: type=tap nic=lance link=up ifname=ttap0' in mon.cmd('info network'),
          'info network shows the tap')
    # No IPv6 on the tap: the kernel's own solicitations would be counted too.
    try:
        with open('/proc/sys/net/ipv6/conf/ttap0/disable_ipv6', 'w') as f:
            f.write('1')
    except OSError:
        pass
    subprocess.run(['ip', 'link', 'set', 'ttap0', 'up'], check=True)
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind(('ttap0', 0))
    frame = b'\xff' * 6 + b'\x02\x00\x00\x00\x00\x09' + b'\x88\xb5' + bytes(46)
    for _ in range(3):
        raw.send(frame)
    want = re.compile(r'rx: (\d+) frames')
    got = 0
    while time.monotonic() < DEADLINE:
        m = want.search(mon.cmd('info network'))
        got = int(m.group(1)) if m else 0
        if got >= 3:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    m = want.search(mon.cmd('info network'))
    got = int(m.group(1)) if m else 0
    check(got == 3, 'the 3 frames written to the tap reach the NIC', got)
    mon.s.sendall(b'quit\n')
    check(proc.wait(timeout=30) == 0, 'quit exits 0')
finally:
    if proc.poll() is None:
        proc.kill()
r = subprocess.run([tessera, '-M', 'ss5', '-nographic', '-serial', 'null', '-netdev',
                    'tap,id=t0,ifname=' + 'x' * 20, '-net', 'nic,netdev=t0'],
                   stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
check(r.returncode == 2 and 'ifname=NAME (at most 15 characters)' in r.stderr,
      'a tap name too long is refused', r.stderr)
verdict()
