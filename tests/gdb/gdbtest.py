#!/usr/bin/env python3
"""gdb-multiarch sessions against Tessera's gdb stub.

Usage: gdbtest.py SESSION TESSERA TARGET.elf TARGET.bin   (ACCEL in the environment)

Each session starts `tessera -S -gdb unix:SOCK` on the target program
(tests/gdb/target.c) or on OpenBIOS, runs gdb-multiarch in -batch mode on a
script, and checks gdb's output for the lines the session expects, in order;
the guest must then finish (console DONE, exit status 0) or, for the firmware,
quit when gdb kills it. Prints PASS/FAIL lines; exit status 1 on any FAIL.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT = 120  # seconds for a whole session: a bound, not a measurement

REG_NAMES = (["g%d" % i for i in range(8)] + ["o%d" % i for i in range(6)] + ["sp", "o7"] +
             ["l%d" % i for i in range(8)] + ["i%d" % i for i in range(6)] + ["fp", "i7"] +
             ["y", "psr", "wim", "tbr", "pc", "npc", "fsr", "csr"])

# In add(1, 1): the arguments in the ins, the PC inside add, the trap table crt0 set.
KNOWN_REGS = {
    "i0": r"^i0 +0x1 +1$",
    "i1": r"^i1 +0x1 +1$",
    "tbr": r"^tbr +0x70000000 ",
    "pc": r"^pc +0x[0-9a-f]+ +0x[0-9a-f]+ <add\+\d+>",
    "npc": r"^npc +0x[0-9a-f]+ +0x[0-9a-f]+ <add\+\d+>",
}

# gdb commands, and the patterns its output must show in this order.
SESSIONS = {
    # break in a function, backtrace, locals of an outer frame, finish, next, step
    "basics": (
        """break add
continue
bt
up
info locals
print n
down
finish
next
step
step
info registers
info all-registers f0
print ($psr & 0x1fc0) == 0x1fc0
print/x $tbr
delete
print spin = 0
continue
""", [
            r"Breakpoint 1, add \(a=0, b=1\) at .*target\.c:\d+",
            r"#1 +0x[0-9a-f]+ in compute \(n=5\) at .*target\.c",
            r"#2 +0x[0-9a-f]+ in main \(\) at .*target\.c",
            r"i = 0",
            r"total = 0",
            r"\$1 = 5",
            r"Value returned is \$\d+ = 2",
            r"^24\s+for",
            r"^25\s+total",
            r"add \(a=1, b=1\) at .*target\.c",
        ] + [KNOWN_REGS.get(n, r"^%s +0x[0-9a-f]+ " % n) for n in REG_NAMES] + [
            r"^f0 ",
            r"= 1$",
            r"= 0x70000000",
            r"exited normally",
        ]),
    # a hardware write watchpoint, then a read watchpoint
    "watch": (
        """watch watched
continue
continue
rwatch result
continue
delete
print spin = 0
continue
""", [
            r"Hardware watchpoint 1: watched",
            r"Old value = 0",
            r"New value = 30",
            r"Old value = 30",
            r"New value = 31",
            r"Hardware read watchpoint 2: result",
            r"Value = 30",
            r"exited normally",
        ]),
    # stepi through a branch and its delay slot: one instruction each
    "stepi": (
        """break delay_slot
continue
print/x $pc
stepi
print $npc - $pc
set $target = $npc
stepi
print $pc == $target
stepi
delete
print spin = 0
continue
""", [
            r"Breakpoint 1, delay_slot \(\)",
            r"= 8$",
            r"= 1$",
            r"exited normally",
        ]),
    # Ctrl-C of the running guest (SIGINT to gdb once the guest spins)
    "interrupt": (
        """continue
bt 1
print spin = 0
continue
""", [
            r"Program received signal SIGINT",
            r"#0 .*spin_loop \(\)",
            r"exited normally",
        ]),
    # OpenBIOS: a breakpoint at a PROM address (its prompt's loop), registers, kill
    "firmware": (
        """set endian big
break *0xffd06d48
continue
info registers pc npc psr wim tbr
kill
""", [
            r"Breakpoint 1, 0xffd06d48 in \?\? \(\)",
            r"^pc +0xffd06d48 ",
            r"^npc +0xffd06d4c ",
            r"^psr +0x[0-9a-f]+ ",
            r"^wim +0x[0-9a-f]+ ",
            r"^tbr +0xffd[0-9a-f]{5} ",
            r"\[Inferior 1 \(Remote target\) killed\]",
        ]),
}


def fail(msg):
    print("FAIL gdb: " + msg)
    sys.exit(1)


def wait_for(pred, what, proc=None):
    deadline = time.monotonic() + TIMEOUT
    while not pred():
        if proc is not None and proc.poll() is not None:
            fail("%s: tessera exited (status %d) first" % (what, proc.returncode))
        if time.monotonic() > deadline:
            fail("timed out waiting for " + what)
        time.sleep(0.05)


def check_order(text, patterns, session):
    """Every pattern matches a line, each after the previous one's."""
    lines = text.splitlines()
    pos = 0
    for pat in patterns:
        rx = re.compile(pat)
        for i in range(pos, len(lines)):
            if rx.search(lines[i]):
                pos = i + 1
                break
        else:
            fail("%s: no line matching /%s/ (after line %d) in gdb's output:\n%s"
                 % (session, pat, pos, text))


def main():
    session, tessera, elf, binary = sys.argv[1:5]
    accel = os.environ.get("ACCEL", "")
    script, expect = SESSIONS[session]
    tmp = tempfile.mkdtemp(prefix="tessera-gdb-")
    sock = os.path.join(tmp, "gdb.sock")
    con = os.path.join(tmp, "console.log")
    cmd = [tessera, "-M", "ss5", "-nographic", "-S", "-gdb", "unix:" + sock]
    if session != "firmware":
        cmd += ["-bios", binary]
    if accel:
        cmd += ["-accel", accel]
    with open(con, "wb") as out:
        emu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.PIPE)
    try:
        wait_for(lambda: os.path.exists(sock), "the gdb socket", emu)
        with open(os.path.join(tmp, "s.gdb"), "w") as f:
            f.write("set architecture sparc\nset pagination off\ntarget remote %s\n%s"
                    % (sock, script))
        gdb_cmd = ["gdb-multiarch", "-nx", "-batch", "-x", os.path.join(tmp, "s.gdb")]
        if session != "firmware":
            gdb_cmd.append(elf)
        gdb = subprocess.Popen(gdb_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
        if session == "interrupt":
            wait_for(lambda: b"spinning" in open(con, "rb").read(), "the spin loop", emu)
            gdb.send_signal(signal.SIGINT)
        try:
            text = gdb.communicate(timeout=TIMEOUT)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            gdb.kill()
            fail("%s: gdb did not finish within %d s" % (session, TIMEOUT))
        check_order(text, expect, session)
        try:
            rc = emu.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            fail("%s: tessera did not end after the session" % session)
        err = emu.stderr.read().decode(errors="replace")
        if rc != 0:
            fail("%s: tessera exit status %d: %s" % (session, rc, err))
        console = open(con, "rb").read().decode(errors="replace")
        if session != "firmware" and ("DONE" not in console or "FAIL" in console):
            fail("%s: the guest did not finish cleanly:\n%s" % (session, console))
    finally:
        if emu.poll() is None:
            emu.kill()
            emu.wait()
    print("PASS gdb-%s%s" % (session, " (-accel %s)" % accel if accel else ""))


if __name__ == "__main__":
    main()
