#!/bin/sh
# Linux 6.1 (sun4m) from reset to power-off, with the tests' initramfs
# (tests/linux/init.c: 27 checks, then reboot(POWER_OFF)): wall time on Tessera
# under -accel jit, under -accel interp and on qemu-system-sparc in the same run,
# the guest instruction count (the same under both accelerators), and "qemu/jit",
# how many times faster the JIT powers off than QEMU.  Skipped without a kernel
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
	if grep -q 'unknown accelerator' "$tmp/$label.err"; then
		echo "absent"
	elif tr -d '\r' <"$tmp/$label.out" | grep -q '^DONE$'; then
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s", b - a }'
	else
		echo "failed"
	fi
}

args="-m 128 -nographic -kernel $kernel -initrd $initrd -append console=ttyS0"
secs_of() { case $1 in *" s") echo "${1% s}" ;; *) echo "" ;; esac; }
# shellcheck disable=SC2086
j=$(boot jit "$tessera" -M ss5 $args -accel jit -serial file:/dev/stdout -report-icount)
# shellcheck disable=SC2086
i=$(boot interp "$tessera" -M ss5 $args -accel interp -serial file:/dev/stdout -report-icount)
icount=$(sed -n 's/^icount: //p' "$tmp/interp.err")
q="absent"
if command -v "$qemu" >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	q=$(boot qemu "$qemu" -M SS-5 $args -monitor none)
fi
ratio=$(awk -v j="$(secs_of "$j")" -v q="$(secs_of "$q")" \
	'BEGIN { if (j > 0 && q > 0) printf "%.2fx", q / j; else print "-" }')
printf '%-27s | jit %8s | interp %8s | qemu %8s | qemu/jit %s (%s guest instructions)\n' \
	"Linux 6.1 boot to power-off" "$j" "$i" "$q" "$ratio" "${icount:-?}"
[ "$j" != failed ] && [ "$i" != failed ] && [ "$q" != failed ]
