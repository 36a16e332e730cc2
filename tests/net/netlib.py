"""What the network tests share: PASS/FAIL lines, free loopback ports, the human
monitor on a unix socket."""
import socket
import sys
import time

_results = {'pass': 0, 'fail': 0}


def check(ok, name, detail=''):
    """One PASS or FAIL line (FAIL with detail)."""
    _results['pass' if ok else 'fail'] += 1
    print(('PASS ' if ok else 'FAIL ') + name + ('' if ok or detail == '' else ': ' + str(detail)),
          flush=True)


def failures():
    return _results['fail']


def verdict():
    """The closing 'N passed, N failed' line, and the exit status."""
    print('%d passed, %d failed' % (_results['pass'], _results['fail']))
    sys.exit(1 if _results['fail'] else 0)


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on just now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def connect_unix(path, proc, deadline):
    """Connect to a socket the emulator proc is about to create (until deadline)."""
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(path)
            s.settimeout(30)
            return s
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.05)


class Monitor:
    """-monitor unix:PATH,server: cmd() returns a command's output, prompt removed."""

    def __init__(self, path, proc, deadline):
        self.s = connect_unix(path, proc, deadline)
        self.read()

    def read(self):
        data = b''
        while not data.endswith(b'(tessera) '):
            chunk = self.s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.decode(errors='replace').replace('(tessera) ', '')

    def cmd(self, line):
        self.s.sendall(line.encode() + b'\n')
        return self.read()
