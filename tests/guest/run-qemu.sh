#!/bin/sh
# Build every guest program (or the ones named) and run each on QEMU, the
# oracle: every program must print only PASS lines, the expected number of
# them, and DONE.   run-qemu.sh [PROGRAM.c|.S ...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
qemu=${QEMU:-qemu-system-sparc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$here/build.sh" "$out" "$@" || exit 1
status=0
for bin in "$out"/*.bin; do
	name=$(basename "$bin" .bin)
	src=$(ls "$here/$name.c" "$here/$name.S" 2>/dev/null | head -n 1)
	start=$(date +%s.%N)
	if GUEST_OUT=$out/$name.out "$here/run-guest.sh" "$qemu" "$bin" "$src" >/dev/null 2>"$out/$name.log"; then
		r=ok
	else
		r=FAILED
		status=1
	fi
	t=$(echo "$(date +%s.%N) - $start" | bc)
	printf '%-12s %-6s %5.2fs %s\n' "$name" "$r" "$t" "$(grep -c '^PASS' "$out/$name.out") PASS"
	if [ $r = FAILED ]; then
		sed 's/^/    /' "$out/$name.log"
		grep -v '^PASS' "$out/$name.out" | sed 's/^/    | /'
	fi
done
exit $status
