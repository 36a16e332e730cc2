#!/bin/sh
# Snapshot save and load time and file size for a 256 MiB SS-5, mostly-zero RAM
# (a guest that just booted its PROM program) and mostly non-zero RAM (a guest
# that fills its RAM with pseudo-random words first).  Usage: snapshot.sh BUILD
set -eu
build=$1
tessera=$build/core/tessera
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
sec() { date +%s.%N; }
row() {
    label=$1 prog=$2 at=$3
    t0=$(sec)
    "$tessera" -M ss5 -m 256 -nographic -serial null -bios "$prog" -savevm-at "$at,$tmp/s.tsnap" \
        -icount-limit "$at" > /dev/null 2>&1 || true
    t1=$(sec)
    # the same run without saving, to subtract the time to get there
    "$tessera" -M ss5 -m 256 -nographic -serial null -bios "$prog" -icount-limit "$at" \
        > /dev/null 2>&1 || true
    t2=$(sec)
    "$tessera" -loadvm "$tmp/s.tsnap" -nographic -serial null -bios "$prog" -icount-limit "$at" \
        > /dev/null 2>&1 || true
    t3=$(sec)
    size=$(stat -c %s "$tmp/s.tsnap")
    awk -v l="$label" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v s="$size" 'BEGIN {
        save = (b - a) - (c - b); if (save < 0) save = 0;
        load = (d - c) - 0; printf "%-22s | save %6.3f s | load+start %6.3f s | %9.1f MiB\n",
        l, save, load, s / 1048576 }'
}
zero=$tmp/zero.bin
printf '\020\200\000\000\001\000\000\000' > "$zero"   # ba . ; nop: RAM stays zero
row "256 MiB, mostly zero" "$zero" 100000
if command -v sparc64-linux-gnu-gcc > /dev/null; then
    sparc64-linux-gnu-gcc -m32 -mcpu=v8 -nostdlib -static -Wl,-Ttext=0x70000000 \
        -Wl,--build-id=none -o "$tmp/fill.elf" "$here/fill.S"
    sparc64-linux-gnu-objcopy -O binary "$tmp/fill.elf" "$tmp/fill.bin"
    row "256 MiB, mostly random" "$tmp/fill.bin" 468000000
fi
