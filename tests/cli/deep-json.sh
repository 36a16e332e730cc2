#!/bin/sh
# JSON from outside nested 300000 deep is refused with one line (exit 2, the
# usage/I-O status) instead of overflowing json-glib's recursive parser.
# Usage: deep-json.sh TESSERA_SNAP
set -u
snap=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c 'import sys; sys.stdout.write("[" * 300000 + "]" * 300000)' > "$tmp/deep.json" ||
    { echo "FAIL no python3 to write deep.json"; exit 1; }
fail=0
for cmd in "check --manifest $tmp/deep.json $tmp/none.tsnap" \
           "convert --to $tmp/deep.json -o $tmp/out.tsnap $tmp/none.tsnap"; do
    # shellcheck disable=SC2086
    "$snap" $cmd > "$tmp/out" 2> "$tmp/err" < /dev/null
    rc=$?
    want="tessera-snap: $tmp/deep.json: JSON nested deeper than 64 levels (the limit for JSON input)"
    if [ "$rc" -eq 1 ] && [ "$(cat "$tmp/err")" = "$want" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; then
        echo "PASS tessera-snap ${cmd%% *}"
    else
        echo "FAIL tessera-snap ${cmd%% *}: status $rc, stderr:"; head -c 500 "$tmp/err"
        fail=1
    fi
done
exit $fail
