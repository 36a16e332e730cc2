#!/usr/bin/env python3
"""Write the initramfs for the Linux tests: a newc ("070701") cpio archive with
/dev/console, /proc and the given program as /init.  Every field is fixed
(inode numbers, owner, mtime 0), so the same program always gives the same bytes.

    mkcpio.py OUT.cpio INIT
"""
import sys

S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


def entry(ino, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 2 if mode & S_IFDIR else 1, 0, len(data),
              0, 0, rdev[0], rdev[1], len(name_b), 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + name_b
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkcpio.py OUT.cpio INIT")
    out, init = sys.argv[1:]
    with open(init, "rb") as f:
        program = f.read()
    archive = b"".join([
        entry(1, "dev", S_IFDIR | 0o755),
        entry(2, "dev/console", S_IFCHR | 0o600, rdev=(5, 1)),
        entry(3, "proc", S_IFDIR | 0o555),
        entry(4, "init", S_IFREG | 0o755, program),
        entry(0, "TRAILER!!!", 0),
    ])
    archive += b"\0" * (-len(archive) % 512)
    with open(out, "wb") as f:
        f.write(archive)


if __name__ == "__main__":
    main()
