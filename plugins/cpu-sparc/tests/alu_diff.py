#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential test of the integer unit against QEMU (the oracle).

Generates blocks of random ALU instructions (every arithmetic, logic, shift,
multiply, divide and tagged op, register and immediate forms), folds the
condition codes and Y after each one into a checksum, prints every register
through the serial console, and requires Tessera's output to equal
qemu-system-sparc's byte for byte.

    alu_diff.py TESSERA GUEST_DIR [SEED...]

Exits 77 (skipped) without the SPARC cross compiler or QEMU.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

OPS = ['add', 'addcc', 'addx', 'addxcc', 'sub', 'subcc', 'subx', 'subxcc', 'and', 'andcc',
       'andn', 'andncc', 'or', 'orcc', 'orn', 'orncc', 'xor', 'xorcc', 'xnor', 'xnorcc',
       'sll', 'srl', 'sra', 'umul', 'smul', 'umulcc', 'smulcc', 'mulscc', 'taddcc',
       'tsubcc', 'udiv', 'sdiv', 'udivcc', 'sdivcc']
DIVS = ('udiv', 'sdiv', 'udivcc', 'sdivcc')
BLOCKS = 40
OPS_PER_BLOCK = 60

# After each op: checksum = rotl(checksum, 3) ^ psr.icc
FOLD_ICC = ('\trd %psr, %o5\n\tsrl %o5, 20, %o5\n\tand %o5, 15, %o5\n'
            '\tsll %o4, 3, %o3\n\tsrl %o4, 29, %o4\n\tor %o4, %o3, %o4\n\txor %o4, %o5, %o4')


def gen_asm(rng):
    regs = ['%%l%d' % i for i in range(8)]
    out = ['\t.text']
    for b in range(BLOCKS):
        # block(uint32_t s[10]): l0-l7 = s[0..7], Y = s[8]; results back, checksum in s[9]
        out.append('\t.globl block%d\nblock%d:\n\tsave %%sp, -96, %%sp' % (b, b))
        out += ['\tld [%%i0+%d], %%l%d' % (4 * i, i) for i in range(8)]
        out.append('\tld [%i0+32], %o1\n\twr %o1, %y\n\tnop\n\tnop\n\tnop\n\tmov 0, %o4')
        for _ in range(OPS_PER_BLOCK):
            op, rd, rs1 = rng.choice(OPS), rng.choice(regs), rng.choice(regs)
            if rng.random() < 0.4:
                imm = rng.choice([rng.randint(-4096, 4095), rng.randint(0, 31), 1, -1, 0])
                if op in DIVS and imm == 0:
                    imm = 3
                out.append('\t%s %s, %d, %s' % (op, rs1, imm, rd))
            else:
                rs2 = rng.choice(regs)
                if op in DIVS:  # never divide by zero
                    out.append('\tor %s, 1, %%o2' % rs2)
                    rs2 = '%o2'
                out.append('\t%s %s, %s, %s' % (op, rs1, rs2, rd))
            if rng.random() < 0.3:
                out.append('\tsethi %%hi(0x%x), %s' % (rng.getrandbits(32), rng.choice(regs)))
            out.append(FOLD_ICC)
            if rng.random() < 0.2:
                out.append('\trd %y, %o5\n\txor %o4, %o5, %o4')
        out += ['\tst %%l%d, [%%i0+%d]' % (i, 4 * i) for i in range(8)]
        out.append('\trd %y, %o1\n\tst %o1, [%i0+32]\n\tst %o4, [%i0+36]\n\tret\n\trestore')
    out.append('\t.section .note.GNU-stack, "", @progbits')
    return '\n'.join(out) + '\n'


def gen_main(seed):
    decls = '\n'.join('void block%d(uint32_t *s);' % b for b in range(BLOCKS))
    table = ', '.join('block%d' % b for b in range(BLOCKS))
    return '''#include "guest.h"
%s
static void (*const blocks[])(uint32_t *) = { %s };
int main(void)
{
    uint32_t s[10], x = %du;
    for (unsigned b = 0; b < %d; b++) {
        for (int i = 0; i < 9; i++) {
            x = x * 1103515245u + 12345u;
            s[i] = x ^ (x << 7) ^ (i == 3 ? 0x80000000u : 0);
        }
        if (b & 1)
            s[2] = 0xfffffffe;
        blocks[b](s);
        puts_("B");
        putdec(b);
        for (int i = 0; i < 10; i++) {
            putch(' ');
            puthex(s[i]);
        }
        putch('\\n');
    }
    puts_("DONE\\n");
    power_off();
}
''' % (decls, table, seed, BLOCKS)


def run(cmd):
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=60)
    return p.stdout.replace(b'\r', b'')


def main():
    tessera, guest = sys.argv[1], sys.argv[2]
    seeds = [int(s) for s in sys.argv[3:]] or [1, 2, 3]
    cc, objcopy = 'sparc64-linux-gnu-gcc', 'sparc64-linux-gnu-objcopy'
    qemu = 'qemu-system-sparc'
    if not all(shutil.which(t) for t in (cc, objcopy, qemu)):
        print('alu_diff: needs %s, %s and %s; skipped' % (cc, objcopy, qemu))
        return 77
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            rng = random.Random(seed)
            with open(os.path.join(tmp, 'rnd.S'), 'w') as f:
                f.write(gen_asm(rng))
            with open(os.path.join(tmp, 'main.c'), 'w') as f:
                f.write(gen_main(seed))
            elf, binf = os.path.join(tmp, 'r.elf'), os.path.join(tmp, 'r.bin')
            subprocess.run([cc, '-m32', '-mcpu=v8', '-fno-pic', '-no-pie', '-ffreestanding',
                            '-nostdlib', '-O2', '-I' + guest, '-Wl,-T,' + guest + '/link.ld',
                            '-Wl,--build-id=none', '-Wl,-n', '-static', '-o', elf,
                            guest + '/crt0.S', guest + '/lib.c', os.path.join(tmp, 'main.c'),
                            os.path.join(tmp, 'rnd.S')], check=True)
            subprocess.run([objcopy, '-O', 'binary', elf, binf], check=True)
            want = run([qemu, '-M', 'SS-5', '-nographic', '-bios', binf, '-m', '32',
                        '-monitor', 'none'])
            got = run([tessera, '-M', 'ss5', '-nographic', '-bios', binf])
            if b'DONE' not in want:
                print('seed %d: QEMU did not finish' % seed)
                failed = 1
            elif got != want:
                print('seed %d: output differs from QEMU' % seed)
                for w, g in zip(want.splitlines(), got.splitlines()):
                    if w != g:
                        print('  qemu:    %s\n  tessera: %s' % (w.decode(errors='replace'),
                                                                g.decode(errors='replace')))
                        break
                failed = 1
            else:
                print('seed %d: %d blocks identical' % (seed, BLOCKS))
    return failed


if __name__ == '__main__':
    sys.exit(main())
