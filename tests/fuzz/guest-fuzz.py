#!/usr/bin/env python3
"""The guest fuzzer: random SPARC V8 programs, from reset, for a fixed budget.

Usage: guest-fuzz.py TESSERA MACHINE_FILE [PROGRAMS [BUDGET [SEED]]]

Each program is a PROM image made from a seeded generator (so a failure is
reproduced from its number and the seed): a prologue that clears WIM, points TBR
at a trap table whose every entry returns past the trapping instruction
(jmpl %l2; rett %l2 + 4), and enables traps; then a body that mixes random
32-bit words (any instruction, legal or not) with stores of random values and
widths to random registers of every device in the machine file (st/sth/stb to
the register's physical address, and sta through the MMU-bypass ASI 0x20).
Traps therefore do not end the run in error mode at once: the program wanders
on through traps, faults, random control transfers and device writes.

Each program runs with -icount-limit BUDGET, on every accelerator tessera
offers (-accel, when it has one; the interpreter otherwise). It passes when
tessera ends by itself with one of its guest statuses (0 power-off, 3 CPU error
mode, 4 the budget reached, 5 halted) within the wall-clock bound, prints no
sanitizer report, GLib critical or warning, and writes no file (it runs in an
empty directory, which must stay empty).
"""
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

tessera, machine_file = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
programs = int(sys.argv[3]) if len(sys.argv) > 3 else 40
budget = int(sys.argv[4]) if len(sys.argv) > 4 else 200000
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 20261203
WALL = 120  # seconds: far above what any budget here takes, even under ASan
GUEST_STATUSES = (0, 3, 4, 5)
NOISE = (b"ERROR: AddressSanitizer", b"runtime error:", b"LeakSanitizer", b"CRITICAL",
         b"GLib-WARNING", b"** (process")

NOP = 0x01000000
G1, G2, L2 = 1, 2, 18


def fmt3(op3, rd, rs1, simm=None, rs2=0, asi=0, op=2):
    if simm is None:
        return (op << 30) | (rd << 25) | (op3 << 19) | (rs1 << 14) | (asi << 5) | rs2
    return (op << 30) | (rd << 25) | (op3 << 19) | (rs1 << 14) | (1 << 13) | (simm & 0x1fff)


def sethi(rd, value):
    return (rd << 25) | (4 << 22) | ((value >> 10) & 0x3fffff)


def ba(from_pc, to_pc):
    return (8 << 25) | (2 << 22) | (((to_pc - from_pc) >> 2) & 0x3fffff)


def set32(rd, value):
    return [sethi(rd, value), fmt3(0x02, rd, rd, value & 0x3ff)]  # or rd, %lo, rd


TRAP_TABLE = 0x1000
BODY = 0x2000


def prologue():
    words = [
        fmt3(0x32, 0, 0, 0),            # wr %g0, 0, %wim
        sethi(G1, TRAP_TABLE),
        fmt3(0x33, 0, G1, 0),           # wr %g1, 0, %tbr
        fmt3(0x29, G2, 0, rs2=0),       # rd %psr, %g2
        fmt3(0x02, G2, G2, 0x20),       # or %g2, PSR_ET, %g2
        fmt3(0x31, 0, G2, 0),           # wr %g2, 0, %psr
        NOP, NOP, NOP,
    ]
    words.append(ba(4 * len(words), BODY))
    words.append(NOP)
    return words


def trap_table():
    entry = [fmt3(0x38, 0, L2, 0),      # jmpl %l2, %g0
             fmt3(0x39, 0, L2, 4),      # rett %l2 + 4
             NOP, NOP]
    return entry * 256


def device_registers(path):
    regs = []
    for line in open(path):
        m = re.match(r"\s*reg\.[\w-]+\s*=\s*(0x[0-9a-fA-F]+|\d+)", line)
        if m:
            base = int(m.group(1), 0)
            if base < 1 << 32:  # reachable with a 32-bit address, MMU off
                regs.append(base)
    return regs


def body(rng, regs, n_words):
    words = []
    while len(words) < n_words:
        if regs and rng.random() < 0.35:
            addr = rng.choice(regs) + rng.randrange(0, 0x100, 4)
            value = rng.getrandbits(32)
            words += set32(G1, addr) + set32(G2, value)
            kind = rng.randrange(4)
            if kind == 3:
                words.append(fmt3(0x14, G2, G1, rs2=0, asi=0x20, op=3))  # sta %g2, [%g1] 0x20
            else:
                words.append(fmt3((0x04, 0x06, 0x05)[kind], G2, G1, 0, op=3))  # st/sth/stb
        else:
            words.append(rng.getrandbits(32))
    return words[:n_words]


def image(rng, regs):
    img = [0] * (BODY // 4)
    for i, w in enumerate(prologue()):
        img[i] = w
    for i, w in enumerate(trap_table()):
        img[TRAP_TABLE // 4 + i] = w
    img += body(rng, regs, 2048)
    return struct.pack(">%dI" % len(img), *img)


def accelerators():
    """Each accelerator `tessera --help` lists as `-accel NAME`, or [None] (tessera's
    only one) when it has no -accel."""
    helptext = subprocess.run([tessera, "--help"], capture_output=True, text=True).stdout
    names = []
    for name in re.findall(r"^\s*-accel\s+([a-z0-9_-]+)", helptext, re.M):
        if name not in names:
            names.append(name)
    return names or [None]


def main():
    regs = device_registers(machine_file)
    accels = accelerators()
    failures = 0
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.path.join(tmp, "cwd")
        os.mkdir(cwd)
        for n in range(programs):
            rng = random.Random(seed * 1000003 + n)
            prog = os.path.join(tmp, "prog.bin")
            with open(prog, "wb") as f:
                f.write(image(rng, regs))
            for accel in accels:
                args = [tessera, "-M", machine_file, "-bios", prog, "-serial", "null",
                        "-monitor", "none", "-icount-limit", str(budget)]
                if accel:
                    args += ["-accel", accel]
                runs += 1
                try:
                    p = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL,
                                       capture_output=True, timeout=WALL)
                except subprocess.TimeoutExpired:
                    failures += 1
                    print("FAIL program %d (seed %d, accel %s): still running after %d s" %
                          (n, seed, accel or "default", WALL))
                    continue
                if accel and p.returncode == 2:  # this tessera does not take that -accel
                    runs -= 1
                    continue
                bad = [x for x in NOISE if x in p.stderr]
                left = os.listdir(cwd)
                if p.returncode not in GUEST_STATUSES or bad or left:
                    failures += 1
                    print("FAIL program %d (seed %d, accel %s): status %d, files %r, stderr %r"
                          % (n, seed, accel or "default", p.returncode, left, p.stderr[-600:]))
    print("%d programs x %d accelerators, %d instructions each, %d runs" %
          (programs, len(accels), budget, runs))
    print("%d passed, %d failed" % (runs - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
