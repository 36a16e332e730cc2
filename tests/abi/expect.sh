#!/bin/sh
# expect.sh STATUS [TEXT...] -- COMMAND [ARG...]
# Runs COMMAND; passes when it exits with STATUS and its output (stdout and stderr)
# contains every TEXT as a whole line's substring (fixed strings).
set -u
want_status=$1
shift
texts_file=$(mktemp)
out_file=$(mktemp)
trap 'rm -f "$texts_file" "$out_file"' EXIT
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    printf '%s\n' "$1" >>"$texts_file"
    shift
done
if [ $# -eq 0 ]; then
    echo "expect.sh: missing -- COMMAND" >&2
    exit 2
fi
shift
"$@" >"$out_file" 2>&1
status=$?
cat "$out_file"
ok=0
if [ "$status" -ne "$want_status" ]; then
    echo "FAIL: exit status $status, expected $want_status" >&2
    ok=1
fi
while IFS= read -r text; do
    if ! grep -qF -- "$text" "$out_file"; then
        echo "FAIL: output lacks: $text" >&2
        ok=1
    fi
done <"$texts_file"
exit $ok
