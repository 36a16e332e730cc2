#!/bin/sh
# Differential test: run a guest program on Tessera and on QEMU (the oracle)
# and require byte-identical serial output (after dropping CRs).
#
#   run-diff.sh TESSERA QEMU PROGRAM.bin
#
# Environment: ACCEL, Tessera's accelerator (run-guest.sh passes it as -accel;
# QEMU ignores it).
set -u
tessera=$1
qemu=$2
prog=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GUEST_OUT=$tmp/qemu "$here/run-guest.sh" "$qemu" "$prog" >/dev/null 2>"$tmp/qemu.log"
qrc=$?
GUEST_OUT=$tmp/tessera "$here/run-guest.sh" "$tessera" "$prog" >/dev/null 2>"$tmp/tessera.log"
if [ $qrc -ne 0 ]; then
	echo "run-diff: the program does not pass on QEMU itself:" >&2
	cat "$tmp/qemu.log" >&2
	exit 1
fi
if ! diff -u --label qemu --label tessera "$tmp/qemu" "$tmp/tessera"; then
	cat "$tmp/tessera.log" >&2
	exit 1
fi
echo "run-diff: $(basename "$prog")${ACCEL:+ (-accel $ACCEL)}: identical output ($(wc -l <"$tmp/qemu") lines)"
