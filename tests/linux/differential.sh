#!/bin/sh
# The same kernel and /init on QEMU (the reference) and on Tessera: the init's
# lines, from its first line to DONE, are identical, and both power off.
#
#   differential.sh TESSERA QEMU INITRAMFS SOURCE_ROOT BUILD_ROOT
set -u
tessera=$1
qemu=$2
cpio=$3
src_root=$4
build_root=$5
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/linux/common.sh
. "$here/common.sh"

timeout 250 "$qemu" -M SS-5 -m 128 -nographic -monitor none -serial "file:$tmp/qemu" \
    -kernel "$kernel" -initrd "$cpio" -append console=ttyS0 </dev/null 2>"$tmp/qemu.err"
qrc=$?
tessera_boot "$tmp/tessera" -icount-limit 4000000000
trc=$?
init_lines "$tmp/qemu" >"$tmp/qemu.init"
init_lines "$tmp/tessera" >"$tmp/tessera.init"

if [ $qrc -eq 0 ]; then pass "qemu: exit status 0"; else fail "qemu: exit status $qrc"; fi
if [ $trc -eq 0 ]; then pass "tessera: exit status 0"; else fail "tessera: exit status $trc"; fi
# The init's checks must hold on the reference too, or they are not facts of an SS-5.
if grep -q '^DONE$' "$tmp/qemu.init" && ! grep -q '^FAIL' "$tmp/qemu.init"; then
    pass "qemu: the init passes ($(grep -c '^PASS ' "$tmp/qemu.init") PASS lines, DONE)"
else
    fail "qemu: the init fails or does not reach DONE"
    tail -n 20 "$tmp/qemu"
fi
if diff -u --label qemu --label tessera "$tmp/qemu.init" "$tmp/tessera.init"; then
    pass "identical init output ($(wc -l <"$tmp/qemu.init") lines)"
else
    fail "init output differs"
    cat "$tmp/tessera.err"
fi
verdict
