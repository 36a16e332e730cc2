"""What the network tests share: the human monitor on a unix socket."""
import socket
import time


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
