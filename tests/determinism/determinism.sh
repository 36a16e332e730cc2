#!/bin/sh
# Determinism across accelerators: the machine reaches the same state at every
# instruction count under -accel jit as under -accel interp.  Guest time is the
# instruction count, so at count N both must hold the same registers, device
# state, clock and memory: `tessera-snap diff` of the two snapshots taken at N
# must be empty (exit status 0, no output).
#
#   determinism.sh TESSERA TESSERA-SNAP linux INITRAMFS SOURCE_ROOT BUILD_ROOT
#   determinism.sh TESSERA TESSERA-SNAP openbios FIRMWARE
#   determinism.sh TESSERA TESSERA-SNAP guest PROGRAM.bin
#
# First one whole run under each accelerator (Linux and the guest programs to
# power-off, OpenBIOS to a fixed count past its `0 >` prompt): the same exit
# status, the same instruction count, byte-identical serial output.  Then, for
# each count N of a set spread over that run (COUNTS of them, plus count 1), a
# fresh run under each accelerator saves a snapshot at N and stops there
# (-savevm-at N,FILE -icount-limit N: one snapshot per run); the pair must not
# differ, and neither may the serial output up to N.  Every run starts from
# reset, so nothing a snapshot load resets (code cache, TLBs) hides a JIT bug.
# A difference is reported with the count and tessera-snap's field list (device,
# field, element, value under interp -> value under jit).  A sanity check shows
# that the comparison can fail: the snapshots at two different counts differ.
# Environment: COUNTS (default 12), RUN_TIMEOUT (s per run, default 300).
set -u
tessera=$1
tsnap=$2
kind=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ncounts=${COUNTS:-12}
rtmo=${RUN_TIMEOUT:-300}
rtc="-rtc base=2026-01-01T00:00:00"

case $kind in
linux)
	cpio=$1
	kernel=$("$here/../linux/find-kernel.sh" "$2" "$3") || exit $?
	echo "kernel: $kernel"
	set -- -M ss5 -m 128 -kernel "$kernel" -initrd "$cpio" -append console=ttyS0
	limit=4000000000   # bound only: the boot powers off after 1.3e9
	end=poweroff ;;
openbios)
	if ! [ -f "$1" ]; then
		echo "SKIP: $1 not installed (Debian package qemu-system-data)"
		exit 77
	fi
	set -- -M ss5 -m 64 -bios "$1"
	limit=800000000    # the prompt comes after about 5e8; then it waits for input
	end=limit ;;
guest)
	set -- -M ss5 -bios "$1"
	limit=4000000000
	end=poweroff ;;
*)
	echo "determinism: unknown kind '$kind' (linux, openbios, guest)" >&2
	exit 2 ;;
esac

# shellcheck source=tests/linux/verdict.sh
. "$here/../linux/verdict.sh"

# run ACCEL OUT OPTION...: serial output to OUT (CRs kept), stderr to OUT.err
run() {
	accel=$1
	out=$2
	shift 2
	# shellcheck disable=SC2086
	timeout "$rtmo" "$tessera" -nographic $rtc -serial "file:$out" -accel "$accel" \
		"$@" </dev/null 2>"$out.err"
}

# The whole run, under each accelerator.
for a in interp jit; do
	run "$a" "$tmp/full-$a" "$@" -icount-limit "$limit" -report-icount
	echo $? >"$tmp/full-$a.rc"
	sed -n 's/^icount: //p' "$tmp/full-$a.err" >"$tmp/full-$a.icount"
done
rc_i=$(cat "$tmp/full-interp.rc")
total=$(cat "$tmp/full-interp.icount")
case $end in
poweroff) want_rc=0 ;;
limit) want_rc=4 ;;
esac
if [ "$rc_i" -ne "$want_rc" ] || [ -z "$total" ]; then
	fail "interp: whole run: exit status $rc_i, want $want_rc"
	tail -n 20 "$tmp/full-interp.err"
	verdict
	exit 1
fi
if [ "$kind" = openbios ] && ! grep -q '0 > ' "$tmp/full-interp"; then
	fail "interp: no \`0 >\` prompt within $limit instructions"
	verdict
	exit 1
fi
echo "whole run under interp: $total instructions, exit status $rc_i"
if [ "$(cat "$tmp/full-jit.rc")" = "$rc_i" ] && [ "$(cat "$tmp/full-jit.icount")" = "$total" ]; then
	pass "jit: whole run: exit status $rc_i after $total instructions, as interp"
else
	fail "jit: whole run: exit status $(cat "$tmp/full-jit.rc") after $(cat "$tmp/full-jit.icount") instructions; interp: $rc_i after $total"
	tail -n 20 "$tmp/full-jit.err"
fi
if cmp -s "$tmp/full-interp" "$tmp/full-jit"; then
	pass "jit: whole run: serial output identical ($(wc -c <"$tmp/full-interp") bytes)"
else
	fail "jit: whole run: serial output differs"
	diff "$tmp/full-interp" "$tmp/full-jit" | head -n 20
fi

# Count 1, then COUNTS counts evenly spread over the run (each offset by its index
# so they do not all fall on round numbers), all below the run's end.
counts=$(awk -v t="$total" -v n="$ncounts" 'BEGIN {
	print 1
	for (k = 1; k <= n; k++) {
		c = int(t * k / (n + 1)) + k
		if (c > prev && c < t) { print c; prev = c }
	}
}')

i=0
prev_snap=
for n in $counts; do
	i=$((i + 1))
	for a in interp jit; do
		run "$a" "$tmp/at-$a" "$@" -savevm-at "$n,$tmp/$i-$a.tsnap" -icount-limit "$n"
		echo $? >"$tmp/at-$a.rc"
	done
	rci=$(cat "$tmp/at-interp.rc")
	rcj=$(cat "$tmp/at-jit.rc")
	if [ "$rci" -ne 4 ] || [ "$rcj" -ne 4 ] || ! [ -f "$tmp/$i-interp.tsnap" ] ||
	   ! [ -f "$tmp/$i-jit.tsnap" ]; then
		fail "count $n: saving runs: exit status interp $rci, jit $rcj (want 4, a snapshot each)"
		tail -n 5 "$tmp/at-interp.err" "$tmp/at-jit.err"
		continue
	fi
	"$tsnap" diff "$tmp/$i-interp.tsnap" "$tmp/$i-jit.tsnap" >"$tmp/diff" 2>&1
	drc=$?
	if [ $drc -eq 0 ] && ! [ -s "$tmp/diff" ]; then
		pass "count $n: tessera-snap diff interp jit: empty"
	else
		fail "count $n: tessera-snap diff interp jit: exit status $drc, $(wc -l <"$tmp/diff") line(s):"
		sed 's/^/    /' "$tmp/diff" | head -n 40
	fi
	if ! cmp -s "$tmp/at-interp" "$tmp/at-jit"; then
		fail "count $n: serial output up to the count differs"
		diff "$tmp/at-interp" "$tmp/at-jit" | head -n 10
	fi
	# The comparison can fail: this count's state is not the previous count's.
	if [ -n "$prev_snap" ]; then
		"$tsnap" diff "$prev_snap" "$tmp/$i-interp.tsnap" >"$tmp/sanity" 2>&1
		if [ $? -ne 1 ] || [ "$(grep -vc '^icount:' "$tmp/sanity")" -eq 0 ]; then
			fail "sanity: the snapshots at counts $prev_n and $n do not differ beyond icount"
		fi
		rm -f "$prev_snap" "$tmp/$((i - 1))-jit.tsnap"
	fi
	prev_snap=$tmp/$i-interp.tsnap
	prev_n=$n
done
verdict
