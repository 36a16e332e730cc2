#!/bin/sh
# Tessera vs QEMU on the guest workloads in bench/, side by side.
#
#   bench/run.sh [BUILD_DIR]      (default: build; tessera = BUILD_DIR/core/tessera)
#
# Each workload (crc32: integer kernel, fib: call-heavy with window traps,
# memwalk: loads/stores through 2048 MMU-mapped pages) prints
# "BENCH name insns=N": N is the number of instructions its kernel executes,
# known by construction (see each file's header; setup and console output
# are not counted, well under 1%).  MIPS = N / wall seconds of the whole
# emulator run, startup included, for both emulators: same program, same N.
# If tessera reports "icount: N" on stderr (-report-icount), that total is
# shown as well.  The QEMU columns are skipped when qemu-system-sparc is
# absent.  Exits 1 if a workload fails its own check on either emulator.
# Environment: BENCH_TIMEOUT (s, default 300), QEMU, TESSERA.
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

printf '%-9s %12s | %9s %8s %6s | %9s %8s %6s\n' workload insns \
	"tessera s" MIPS status "qemu s" MIPS status
printf '%s\n' "----------------------------------------------------------------------------------"
notes=""
status=0
for w in $workloads; do
	bin=$work/$w.bin
	insns=""
	t_s="-"; t_m="-"; t_st="absent"
	q_s="-"; q_m="-"; q_st="absent"
	if [ $have_qemu -eq 1 ]; then
		run_one "$work/$w.qemu" "$qemu" -M SS-5 -nographic -bios "$bin" -m 32 -monitor none
		q_st=$(judge "$work/$w.qemu")
		q_s=$secs
		insns=$(sed -n 's/^BENCH [a-z0-9]* insns=\([0-9]*\)$/\1/p' "$work/$w.qemu")
	fi
	if [ $have_tessera -eq 1 ]; then
		run_one "$work/$w.tessera" "$tessera" -M ss5 -nographic -bios "$bin" -report-icount
		if grep -qi -e 'unknown option' -e 'unrecognized option' -e 'report-icount' "$work/$w.tessera.err" &&
		   ! grep -q '^DONE$' "$work/$w.tessera"; then
			run_one "$work/$w.tessera" "$tessera" -M ss5 -nographic -bios "$bin"
		fi
		t_st=$(judge "$work/$w.tessera")
		t_s=$secs
		ti=$(sed -n 's/.*BENCH [a-z0-9]* insns=\([0-9]*\)$/\1/p' "$work/$w.tessera")
		[ -n "$insns" ] || insns=$ti
		total=$(sed -n 's/^icount: *\([0-9]*\).*/\1/p' "$work/$w.tessera.err" | tail -n 1)
		[ -n "$total" ] && notes="$notes
  $w: tessera -report-icount total $total (kernel $insns)"
		[ "$t_st" = ok ] || notes="$notes
  $w: tessera output: $(grep -v '^PASS' "$work/$w.tessera" | head -n 3 | tr '\n' ' ') $(head -n 3 "$work/$w.tessera.err" | tr '\n' ' ')"
	fi
	[ -n "$insns" ] || insns=0
	case "$t_st$q_st" in *FAIL*|*no-DONE*) status=1 ;; esac
	[ "$t_st" = ok ] && t_m=$(mips "$insns" "$t_s")
	[ "$q_st" = ok ] && q_m=$(mips "$insns" "$q_s")
	printf '%-9s %12s | %9s %8s %6s | %9s %8s %6s\n' "$w" "$insns" \
		"$t_s" "$t_m" "$t_st" "$q_s" "$q_m" "$q_st"
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
	python3 "$here/net.py" "$build" || status=1
fi
exit $status
