#!/bin/sh
# Linux 6.1 (sun4m) from reset to power-off, with the tests' initramfs
# (tests/linux/init.c: 27 checks, then reboot(POWER_OFF)): wall time on Tessera
# and on qemu-system-sparc in the same run.  Skipped without a kernel
# (tests/linux/find-kernel.sh says where it looks) or a built initramfs.
#
#   bench/linux.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$1
tessera=${TESSERA:-$build/core/tessera}
qemu=${QEMU:-qemu-system-sparc}
initrd=$build/tests/linux/initramfs.cpio
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

kernel=$(sh "$root/tests/linux/find-kernel.sh" "$root" "$build" 2>"$tmp/why") || {
	echo "linux boot: skipped: $(cat "$tmp/why")"
	exit 0
}
[ -f "$initrd" ] || { echo "linux boot: skipped: no $initrd (build first)"; exit 0; }

now() { date +%s.%N; }
# boot LABEL CMD...: wall seconds to power-off; "failed" unless the init said DONE
boot() {
	label=$1
	shift
	t0=$(now)
	timeout 300 "$@" </dev/null >"$tmp/$label.out" 2>"$tmp/$label.err"
	t1=$(now)
	if tr -d '\r' <"$tmp/$label.out" | grep -q '^DONE$'; then
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s", b - a }'
	else
		echo "failed"
	fi
}

args="-m 128 -nographic -kernel $kernel -initrd $initrd -append console=ttyS0"
# shellcheck disable=SC2086
t=$(boot tessera "$tessera" -M ss5 $args -serial file:/dev/stdout -report-icount)
icount=$(sed -n 's/^icount: //p' "$tmp/tessera.err")
q="absent"
if command -v "$qemu" >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	q=$(boot qemu "$qemu" -M SS-5 $args -monitor none)
fi
printf '%-30s | tessera %-10s (%s guest instructions) | qemu %s\n' \
	"Linux 6.1 boot to power-off" "$t" "${icount:-?}" "$q"
[ "$t" != failed ] && [ "$q" != failed ]
