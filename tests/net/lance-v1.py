#!/usr/bin/env python3
"""LANCE state version 1 snapshots still load (suite 'net' and 'snapshot').

The SS-5 at the OpenBIOS prompt, with its LANCE on a socket backend, is saved
for an installation whose lance plugin stops at state version 1 (-savevm-compat
with this installation's manifest edited so): the snapshot holds lance version 1
(its downgrade converter ran), and a fresh run loads it (the upgrade converter)
and goes on to the instruction limit. The same run saved without -savevm-compat
holds version 2.

  lance-v1.py TESSERA TESSERA_SNAP OPENBIOS
"""
import json
import os
import socket
import subprocess
import sys
import tempfile

from netlib import check, free_port, verdict

tessera, snap, openbios = sys.argv[1:4]
if not os.path.exists(openbios):
    print('no OpenBIOS at %s: skipped' % openbios)
    sys.exit(77)
tmp = tempfile.mkdtemp(prefix='tessera-lance-v1-')




def run(*args):
    port = free_port()
    return subprocess.run([tessera, '-M', 'ss5', '-nographic', '-serial', 'null', '-netdev',
                           'socket,id=n0,listen=127.0.0.1:%d' % port, '-net', 'nic,netdev=n0',
                           *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)


def lance_version(path):
    """The lance schema version `tessera-snap info` shows ("schema lance vN")."""
    r = subprocess.run([snap, 'info', path], capture_output=True, text=True, timeout=60)
    for line in r.stdout.split('\n'):
        words = line.split()
        if words[:1] == ['lance'] and 'schema' in words:
            return int(words[words.index('schema') + 2].lstrip('v').rstrip(','))
    return r.stdout + r.stderr


manifest = json.loads(subprocess.run([tessera, '--dump-manifest'], capture_output=True,
                                     text=True, timeout=60).stdout)
for p in manifest['plugins']:
    if p['name'] == 'lance':
        p['version'] = '1.0.0'
        p['schema'].update(version=1, load_min=1, save_min=1, converters=[])
old = os.path.join(tmp, 'lance-1.0.json')
with open(old, 'w') as f:
    json.dump(manifest, f)

v1, v2 = os.path.join(tmp, 'v1.tsnap'), os.path.join(tmp, 'v2.tsnap')
r = run('-savevm-at', '3000000,' + v1, '-savevm-compat', old, '-icount-limit', '3000001')
check(r.returncode == 4 and os.path.exists(v1), 'saved for lance 1.0', r.stderr)
check(lance_version(v1) == 1, 'the snapshot holds lance state version 1', lance_version(v1))
r = run('-savevm-at', '3000000,' + v2, '-icount-limit', '3000001')
check(r.returncode == 4 and lance_version(v2) == 2, 'saved by default: version 2',
      lance_version(v2))
r = run('-loadvm', v1, '-icount-limit', '4000000', '-report-icount')
check(r.returncode == 4 and 'icount: 4000000' in r.stderr,
      'the version 1 snapshot loads and runs on', r.stderr)
verdict()
