#!/bin/sh
# Tessera under its JIT, Tessera under its interpreter, and QEMU, side by side
# in the same run, on the guest workloads in bench/.
#
#   bench/run.sh [BUILD_DIR]      (default: build; tessera = BUILD_DIR/core/tessera)
#
# Each workload (crc32: integer kernel, fib: call-heavy with window traps,
# memwalk: loads/stores through 2048 MMU-mapped pages) prints
# "BENCH name insns=N": N is the number of instructions its kernel executes,
# known by construction (see each file's header; setup and console output
# are not counted, well under 1%).  MIPS = N / wall seconds of the whole
# emulator run, startup included, for every column: same program, same N.
# Columns: wall seconds and MIPS for `tessera -accel jit`, `tessera -accel
# interp` and qemu-system-sparc (TCG); a column whose emulator is absent (QEMU
# not installed, Tessera built without the JIT) says "absent", a failed run
# "FAIL" or "no-DONE"; "jit/qemu" is the JIT's MIPS over QEMU's.  Then
# boot.py (OpenBIOS to `0 >`), linux.sh (Linux boot to power-off), both with
# the same three columns, and snapshot.sh.  Exits 1 if a workload fails its
# own check on any emulator.  Environment: BENCH_TIMEOUT (s, default 300),
# QEMU, TESSERA.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
tessera=${TESSERA:-$build/core/tessera}
qemu=${QEMU:-qemu-system-sparc}
tmo=${BENCH_TIMEOUT:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

workloads="crc32 fib memwalk"
srcs=""
for w in $workloads; do srcs="$srcs $here/$w.c"; done
if ! "$root/tests/guest/build.sh" "$work" $srcs 2>"$work/build.log"; then
	cat "$work/build.log" >&2
	echo "bench: building the workloads failed" >&2
	exit 1
fi

have_qemu=1
command -v "$qemu" >/dev/null 2>&1 || have_qemu=0
have_tessera=1
[ -x "$tessera" ] || have_tessera=0

now() { date +%s.%N; }

# run_one LABEL OUTFILE CMD...: sets $secs; output (CRs dropped) in OUTFILE
run_one() {
	out=$1
	shift
	t0=$(now)
	timeout "$tmo" "$@" </dev/null >"$out.raw" 2>"$out.err"
	rc=$?
	t1=$(now)
	tr -d '\r' <"$out.raw" >"$out"
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	return $rc
}

# judge OUTFILE: "ok" if the guest checked out, else why not
judge() {
	if grep -q '^FAIL' "$1"; then echo "FAIL"
	elif ! grep -q '^DONE$' "$1"; then echo "no-DONE"
	else echo "ok"; fi
}

mips() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s / 1e6; else print "-" }'; }

# cell SECONDS STATUS INSNS: "seconds MIPS", or the status when not ok
cell() {
	if [ "$2" = ok ]; then printf '%7s %6s' "$1" "$(mips "$3" "$1")"
	else printf '%7s %6s' - "$2"; fi
}

# run_tessera ACCEL BIN OUT: sets $secs and $tst, the status ("absent" when this
# build has no such accelerator), and $ti, the kernel's instruction count
run_tessera() {
	run_one "$3" "$tessera" -M ss5 -nographic -bios "$2" -accel "$1" -report-icount
	if grep -q 'unknown accelerator' "$3.err"; then tst=absent
	else tst=$(judge "$3"); fi
	ti=$(sed -n 's/.*BENCH [a-z0-9]* insns=\([0-9]*\)$/\1/p' "$3")
	[ "$tst" = ok ] || [ "$tst" = absent ] || notes="$notes
  $w: tessera -accel $1 output: $(grep -v '^PASS' "$3" | head -n 3 | tr '\n' ' ') $(head -n 3 "$3.err" | tr '\n' ' ')"
}

printf '%-8s %11s | %-14s | %-14s | %-14s | %s\n' workload insns \
	"jit: s   MIPS" "interp: s MIPS" "qemu: s  MIPS" "jit/qemu"
printf '%s\n' "-----------------------------------------------------------------------------------"
notes=""
status=0
for w in $workloads; do
	bin=$work/$w.bin
	insns=""
	j_s="-"; j_st="absent"
	i_s="-"; i_st="absent"
	q_s="-"; q_st="absent"
	if [ $have_qemu -eq 1 ]; then
		run_one "$work/$w.qemu" "$qemu" -M SS-5 -nographic -bios "$bin" -m 32 -monitor none
		q_st=$(judge "$work/$w.qemu")
		q_s=$secs
		insns=$(sed -n 's/^BENCH [a-z0-9]* insns=\([0-9]*\)$/\1/p' "$work/$w.qemu")
	fi
	if [ $have_tessera -eq 1 ]; then
		run_tessera jit "$bin" "$work/$w.jit"
		j_s=$secs; j_st=$tst
		[ -n "$insns" ] || insns=$ti
		run_tessera interp "$bin" "$work/$w.interp"
		i_s=$secs; i_st=$tst
		[ -n "$insns" ] || insns=$ti
		total=$(sed -n 's/^icount: *\([0-9]*\).*/\1/p' "$work/$w.interp.err" | tail -n 1)
		[ -n "$total" ] && notes="$notes
  $w: tessera -report-icount total $total (kernel $insns)"
	fi
	[ -n "$insns" ] || insns=0
	case "$j_st$i_st$q_st" in *FAIL*|*no-DONE*) status=1 ;; esac
	ratio=-
	if [ "$j_st" = ok ] && [ "$q_st" = ok ]; then
		ratio=$(awk -v j="$j_s" -v q="$q_s" 'BEGIN { if (j > 0) printf "%.2fx", q / j; else print "-" }')
	fi
	printf '%-8s %11s | %s | %s | %s | %s\n' "$w" "$insns" \
		"$(cell "$j_s" "$j_st" "$insns")" "$(cell "$i_s" "$i_st" "$insns")" \
		"$(cell "$q_s" "$q_st" "$insns")" "$ratio"
done
[ $have_tessera -eq 1 ] || notes="$notes
  tessera not found at $tessera (build it first: meson compile -C $build)"
[ $have_qemu -eq 1 ] || notes="$notes
  qemu-system-sparc not found: QEMU columns skipped"
[ -n "$notes" ] && printf 'notes:%s\n' "$notes"

echo
if [ $have_tessera -eq 1 ]; then
	if [ $have_qemu -eq 1 ]; then
		python3 "$here/boot.py" "$tessera" "$qemu" || status=1
	else
		python3 "$here/boot.py" "$tessera" || status=1
	fi
	echo
	sh "$here/linux.sh" "$build" || status=1
	echo
	sh "$here/snapshot.sh" "$build" || status=1
	echo
	python3 "$here/migration.py" "$build" || status=1
	python3 "$here/net.py" "$build" || status=1
fi
exit $status
