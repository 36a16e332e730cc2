#!/bin/sh
# Run one guest program and judge its serial output.
#
#   run-guest.sh EMULATOR PROGRAM.bin [SOURCE]
#
# EMULATOR is the tessera binary (run as `tessera -M ss5 -nographic -bios PROG`)
# or a qemu-system-sparc (run as `-M SS-5 -nographic -bios PROG -m 32`; the
# oracle).  Fails on a FAIL line, a missing DONE line, a non-zero exit status,
# a timeout, or when the number of PASS lines differs from SOURCE's
# "EXPECT-PASS: N" comment.  The output is kept in $GUEST_OUT (if set).
# Environment: GUEST_TIMEOUT (s, default 60), TESSERA_ICOUNT_LIMIT (default 4e9),
# ACCEL (Tessera only: passed as `-accel $ACCEL`, e.g. interp or jit,check=on;
# unset or empty: Tessera's default accelerator).
set -u
emu=$1
prog=$2
src=${3:-}
tmo=${GUEST_TIMEOUT:-60}
out=${GUEST_OUT:-$(mktemp)}
name=$(basename "$prog")
accel=${ACCEL:-}

case $(basename "$emu") in
qemu-system-sparc*)
	timeout "$tmo" "$emu" -M SS-5 -nographic -bios "$prog" -m 32 \
		-monitor none </dev/null >"$out.raw" 2>"$out.err"
	rc=$? ;;
*)
	[ -n "$accel" ] && name="$name (-accel $accel)"
	timeout "$tmo" "$emu" -M ss5 -nographic -bios "$prog" ${accel:+-accel "$accel"} \
		-icount-limit "${TESSERA_ICOUNT_LIMIT:-4000000000}" \
		</dev/null >"$out.raw" 2>"$out.err"
	rc=$? ;;
esac
tr -d '\r' <"$out.raw" >"$out"
rm -f "$out.raw"

bad=0
complain() { echo "run-guest: $name: $*" >&2; bad=1; }

[ $rc -eq 124 ] && complain "timed out after ${tmo}s"
[ $rc -ne 0 ] && [ $rc -ne 124 ] && complain "exit status $rc"
LC_ALL=C grep -q '[^[:print:][:space:]]' "$out" && complain "non-printable bytes in the output"
grep -q '^FAIL' "$out" && complain "$(grep -c '^FAIL' "$out") FAIL line(s)"
grep -q '^DONE$' "$out" || complain "no DONE line"
npass=$(grep -c '^PASS ' "$out")
if [ -n "$src" ]; then
	want=$(sed -n 's/.*EXPECT-PASS: *\([0-9][0-9]*\).*/\1/p' "$src" | head -n 1)
	if [ -z "$want" ]; then
		complain "no EXPECT-PASS in $src"
	elif [ "$npass" -ne "$want" ]; then
		complain "$npass PASS lines, expected $want"
	fi
fi
cat "$out"
if [ -s "$out.err" ]; then
	echo "--- stderr:"
	cat "$out.err"
fi
rm -f "$out.err"
[ -z "${GUEST_OUT:-}" ] && rm -f "$out"
if [ $bad -ne 0 ]; then
	exit 1
fi
echo "run-guest: $name: ok ($npass PASS)" >&2
exit 0
