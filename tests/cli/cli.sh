#!/bin/sh
# The tessera command line: exit statuses, one-line errors, listings, raw PROM
# images, -icount-limit and error mode. Usage: cli.sh TESSERA BUILD_ROOT
set -u
tessera=$1
build=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# expect NAME STATUS PATTERN -- COMMAND...: the command exits with STATUS and its
# combined output matches the grep -E PATTERN.
expect() {
    name=$1 want=$2 pattern=$3
    shift 4
    "$@" > "$tmp/out" 2>&1 < /dev/null
    got=$?
    if [ "$got" -eq "$want" ] && grep -Eq -- "$pattern" "$tmp/out"; then
        pass=$((pass + 1))
        echo "PASS $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name: status $got (want $want), output:"
        sed 's/^/    /' "$tmp/out" | head -n 20
    fi
}

# Raw PROM images, big-endian instruction words.
words() { for w in "$@"; do printf "\\$(printf %03o $((w >> 24 & 255)))\\$(printf %03o $((w >> 16 & 255)))\\$(printf %03o $((w >> 8 & 255)))\\$(printf %03o $((w & 255)))"; done; }
words 0x10800000 0x01000000 > "$tmp/loop.bin"        # ba . ; nop
words 0x00000000 > "$tmp/unimp.bin"                   # unimp: a trap with ET=0
words 0x01000000 0x01000000 0x01000000 0x01000000 0x10800000 0x01000000 > "$tmp/nops.bin"
head -c 2000000 /dev/zero > "$tmp/big.bin"
printf '\177ELF\001\001\001' > "$tmp/le.elf"; head -c 60 /dev/zero >> "$tmp/le.elf"

expect help 0 '^Usage: tessera -M MACHINE' -- "$tessera" --help
expect version 0 '^tessera [0-9]+\.[0-9]+\.[0-9]+ \(plugin ABI 1\.6\)' -- "$tessera" -version
expect unknown-option 2 "unknown option '-frobnicate'" -- "$tessera" -frobnicate
expect missing-argument 2 '-m needs an argument' -- "$tessera" -M ss5 -m
expect bad-ram-size 2 "-m: 'lots' is not a RAM size" -- "$tessera" -M ss5 -m lots
expect no-machine 2 'no machine given' -- "$tessera"
expect unknown-machine 1 "unknown machine 'nosuch'" -- "$tessera" -M nosuch
expect ram-out-of-range 1 'machine ss5: -m 8 is out of range \(32-256 MiB\)' -- "$tessera" -M ss5 -m 8 -bios "$tmp/loop.bin" -serial null
expect missing-bios 1 '/nonexistent/prom.bin' -- "$tessera" -M ss5 -bios /nonexistent/prom.bin -serial null
expect oversized-raw-bios 1 'do not fit the 1024 KiB PROM' -- "$tessera" -M ss5 -bios "$tmp/big.bin" -serial null
expect little-endian-elf 1 'not a 32-bit big-endian ELF' -- "$tessera" -M ss5 -bios "$tmp/le.elf" -serial null
expect bad-serial 1 "chardev 'bogus:x'" -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial bogus:x
expect list-plugins 0 '^cpu-sparc +[0-9.]+ +cpu +load v1-v1' -- "$tessera" --list-plugins
expect list-machines 0 '^ss5 +SPARCstation 5' -- "$tessera" --list-machines
expect dump-manifest 0 '"name" : "cpu-sparc"' -- "$tessera" --dump-manifest
expect icount-limit 4 'icount-limit reached after 1000 instructions' -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -icount-limit 1000
expect icount-limit-dumps-registers 4 'psr' -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -icount-limit 1000
expect error-mode 3 'error mode' -- "$tessera" -M ss5 -bios "$tmp/unimp.bin" -serial null
expect report-icount 4 '^icount: 5000$' -- "$tessera" -M ss5 -bios "$tmp/nops.bin" -serial null -icount-limit 5000 -report-icount
# Accelerators: both stop at the same count; bad -accel/-d values are one line.
expect icount-limit-interp 4 'icount-limit reached after 1000 instructions' -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -icount-limit 1000 -accel interp
expect icount-limit-jit 4 'icount-limit reached after 1000 instructions' -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -icount-limit 1000 -accel jit
expect report-icount-jit 4 '^icount: 5000$' -- "$tessera" -M ss5 -bios "$tmp/nops.bin" -serial null -icount-limit 5000 -report-icount -accel jit
expect accel-unknown 1 '-accel bogus: unknown accelerator \(have: jit, interp\)' -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -accel bogus
expect accel-bad-cache 1 '-accel jit: cache=0: expected MiB of code cache' -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -accel jit,cache=0
expect accel-bad-option 1 "-accel jit: unknown option 'speed'" -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -accel jit,speed=max
expect log-needs-jit 1 '-d in_asm: the logs are the JIT' -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -accel interp -d in_asm
expect log-unknown-item 1 "-d: unknown log item 'foo'" -- "$tessera" -M ss5 -bios "$tmp/loop.bin" -serial null -d foo
expect log-file 4 'icount-limit reached' -- "$tessera" -M ss5 -bios "$tmp/nops.bin" -serial null -icount-limit 5000 -d in_asm,out_asm,exec -D "$tmp/jit.log"
for what in '^IN: block 0x' '^OUT: block 0x' '^EXEC: block 0x' '^  0x[0-9a-f]+:  (nop|mov|add|jmp)'; do
    if grep -Eq -- "$what" "$tmp/jit.log"; then pass=$((pass + 1)); else
        echo "FAIL log-file-content: no line matching '$what' in the -D log"; fail=$((fail + 1)); fi
done

expect savevm-at-the-icount-limit 0 '^saved$' -- sh -c "'$tessera' -M ss5 -bios '$tmp/loop.bin' -serial null -savevm-at 1000,'$tmp/at.tsnap' -icount-limit 1000 2>/dev/null; test -s '$tmp/at.tsnap' && echo saved"
"$tessera" --dump-manifest > "$tmp/manifest.json"
expect savevm-compat-reads-dump-manifest 0 '^saved$' -- sh -c "'$tessera' -M ss5 -bios '$tmp/loop.bin' -serial null -savevm-at 1000,'$tmp/compat.tsnap' -savevm-compat '$tmp/manifest.json' -icount-limit 1000 && true; test -s '$tmp/compat.tsnap' && echo saved"
expect loadvm-of-a-missing-file 1 "$tmp/none.tsnap" -- "$tessera" -loadvm "$tmp/none.tsnap" -serial null
# -loadvm with -M: the machine file may be any file, as long as it builds the
# machine the snapshot was taken of.
sed 's/^name = ss5$/name = ss5-renamed/' "$here/../../machines/ss5.machine" > "$tmp/renamed.machine"
expect loadvm-names-the-machine-file-s-machine 1 "the snapshot is of machine ss5, not ss5-renamed" -- "$tessera" -loadvm "$tmp/at.tsnap" -M "$tmp/renamed.machine" -serial null
expect loadvm-with-its-own-machine-file 4 'icount-limit reached' -- "$tessera" -loadvm "$tmp/at.tsnap" -M "$here/../../machines/ss5.machine" -bios "$tmp/loop.bin" -serial null -icount-limit 2000

# -plugin-version: several versions of slavio-timer are in the tree; a pin keeps one.
expect plugin-version-keeps-one 0 '^slavio-timer +1\.[0-9.]+ +device +load v1-v1' -- "$tessera" -plugin-version 'slavio-timer=^1' --list-plugins
expect plugin-version-lists-the-rest-aside 0 '^  slavio-timer 2\.[0-9.]+: ' -- "$tessera" -plugin-version 'slavio-timer=^1' --list-plugins
expect manifest-lists-both-timers 0 '^1\.[0-9.]+ 2\.[0-9.]+$' -- sh -c "'$tessera' --dump-manifest | '$here/plugin-versions.py' slavio-timer"
expect plugin-version-shapes-the-manifest 0 '^1\.[0-9.]+$' -- sh -c "'$tessera' -plugin-version 'slavio-timer=^1' --dump-manifest | '$here/plugin-versions.py' slavio-timer"
expect plugin-version-no-match 1 '^tessera: -plugin-version slavio-timer=\^9: no version of plugin "slavio-timer" satisfies "\^9" \(present: ' -- "$tessera" -plugin-version 'slavio-timer=^9' -M ss5
expect plugin-version-unknown-plugin 1 'no plugin "nosuch"' -- "$tessera" -plugin-version nosuch=1 -M ss5
expect plugin-version-malformed 1 'expected NAME=CONSTRAINT, got .slavio-timer.' -- "$tessera" -plugin-version slavio-timer -M ss5
expect plugin-version-bad-constraint 1 '^tessera: -plugin-version slavio-timer=~~1: ' -- "$tessera" -plugin-version 'slavio-timer=~~1' -M ss5

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
