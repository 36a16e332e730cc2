#!/bin/sh
# Linux 6.1 boots on Tessera's SS-5 to its /init (init.c), every check of the init
# passes, and the init powers the machine off (exit status 0).
#
#   boot.sh TESSERA INITRAMFS INIT.c SOURCE_ROOT BUILD_ROOT
set -u
tessera=$1
cpio=$2
init_src=$3
src_root=$4
build_root=$5
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/linux/common.sh
. "$here/common.sh"

echo "kernel: $kernel"
tessera_boot "$tmp/out" -icount-limit 4000000000 -report-icount
rc=$?
log=$tmp/log
tr -d '\r' <"$tmp/out" >"$log"

if [ $rc -eq 0 ]; then pass "exit status 0 (powered off)"; else fail "exit status $rc, want 0"; fi

# The kernel's own milestones, in boot order.
for line in 'Linux version 6.1.' 'Kernel command line: console=ttyS0' \
    'printk: console [ttyS0] enabled' 'Trying to unpack rootfs image as initramfs' \
    'Run /init as init process' 'reboot: Power down'; do
    if grep -qF "$line" "$log"; then pass "kernel log: $line"; else fail "kernel log lacks: $line"; fi
done
for bad in 'Kernel panic' 'Oops' 'BUG:' 'WARNING:' 'Unable to handle kernel' \
    'Initramfs unpacking failed'; do
    if grep -qF "$bad" "$log"; then fail "kernel log has: $(grep -m 1 -F "$bad" "$log")"; fi
done

init_lines "$log" >"$tmp/init"
want=$(sed -n 's/.*EXPECT-PASS: *\([0-9][0-9]*\).*/\1/p' "$init_src" | head -n 1)
got=$(grep -c '^PASS ' "$tmp/init")
if [ "$got" -eq "$want" ]; then pass "init: $got PASS lines"; else fail "init: $got PASS lines, want $want"; fi
if grep -q '^FAIL ' "$tmp/init"; then
    fail "init: $(grep -c '^FAIL ' "$tmp/init") FAIL line(s):"
    grep '^FAIL ' "$tmp/init"
else
    pass "init: no FAIL line"
fi
if grep -q '^DONE$' "$tmp/init"; then pass "init: DONE"; else fail "init: no DONE line"; fi

if [ "$nfail" -ne 0 ]; then
    echo "--- serial output (last 40 lines):"
    tail -n 40 "$log"
    echo "--- stderr:"
    cat "$tmp/out.err"
fi
echo "$(sed -n 's/^icount: //p' "$tmp/out.err") guest instructions"
verdict
