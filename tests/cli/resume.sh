#!/bin/sh
# A run resumed from a snapshot prints exactly what the uninterrupted run printed
# after that point: the virtual clock follows the instruction count, and the
# snapshot carries every device's state and the clock.
# Usage: resume.sh TESSERA PROGRAM.bin
set -u
tessera=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$tessera" -M ss5 -nographic -bios "$prog" -serial "file:$tmp/full" -report-icount \
    < /dev/null 2> "$tmp/err" || { cat "$tmp/err"; echo "FAIL uninterrupted run"; exit 1; }
total=$(sed -n 's/^icount: //p' "$tmp/err")
[ -n "$total" ] && [ "$total" -gt 1000 ] || { echo "FAIL no instruction count"; exit 1; }
pass=0
fail=0
for frac in 3 2; do
    n=$((total / frac))
    "$tessera" -M ss5 -nographic -bios "$prog" -serial "file:$tmp/prefix" -icount-limit "$n" \
        < /dev/null 2> /dev/null
    "$tessera" -M ss5 -nographic -bios "$prog" -serial "file:$tmp/saving" \
        -savevm-at "$n,$tmp/at.tsnap" < /dev/null 2> "$tmp/err"
    "$tessera" -loadvm "$tmp/at.tsnap" -nographic -bios "$prog" -serial "file:$tmp/resumed" \
        < /dev/null 2>> "$tmp/err"
    cat "$tmp/prefix" "$tmp/resumed" > "$tmp/joined"
    if [ -s "$tmp/prefix" ] && [ -s "$tmp/resumed" ] && cmp -s "$tmp/full" "$tmp/joined" &&
        cmp -s "$tmp/full" "$tmp/saving"; then
        pass=$((pass + 1))
        echo "PASS resume at $n of $total instructions"
    else
        fail=$((fail + 1))
        echo "FAIL resume at $n of $total instructions"
        cat "$tmp/err"
        diff "$tmp/full" "$tmp/joined" | head -n 20
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
