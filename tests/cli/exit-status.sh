#!/bin/sh
# tessera, tessera-snap and tessera-abi share exit statuses and the message prefix
# (docs/tessera.md, EXIT STATUS and MESSAGES): 0 yes, 1 refused/failed, 2 usage;
# each error one line on stderr starting "PROGRAM: ".
#
#   exit-status.sh TESSERA TESSERA_SNAP [TESSERA_ABI]
set -u
tessera=$1
snap=$2
abi=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npass=0
nfail=0

# expect NAME STATUS PREFIX -- COMMAND...: status, and stderr one line with PREFIX
# (or, for status 0, nothing on stderr).
expect() {
    name=$1 want=$2 prefix=$3
    shift 4
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$want" -eq 0 ]; then
        ok=$([ "$rc" -eq 0 ] && [ "$lines" -eq 0 ] && echo y)
    else
        ok=$([ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] &&
             grep -q "^$prefix: " "$tmp/err" && echo y)
    fi
    if [ "$ok" = y ]; then
        echo "PASS $name"; npass=$((npass + 1))
    else
        echo "FAIL $name: status $rc (want $want), stderr:"; cat "$tmp/err"; nfail=$((nfail + 1))
    fi
}

printf 'not a snapshot' >"$tmp/junk"
expect tessera-usage 2 tessera -- "$tessera" -frobnicate
expect tessera-missing-file 1 tessera -- "$tessera" -loadvm "$tmp/none.tsnap"
expect tessera-ok 0 tessera -- "$tessera" --version
expect snap-usage 2 tessera-snap -- "$snap" frobnicate
expect snap-usage-args 2 tessera-snap -- "$snap" info
expect snap-missing-file 1 tessera-snap -- "$snap" info "$tmp/none.tsnap"
expect snap-not-a-snapshot 1 tessera-snap -- "$snap" diff "$tmp/junk" "$tmp/junk"
expect snap-unreadable-manifest 1 tessera-snap -- "$snap" check --manifest "$tmp/none.json" "$tmp/junk"
expect snap-ok 0 tessera-snap -- "$snap" --help
if [ -n "$abi" ]; then
    expect abi-usage 2 tessera-abi -- "$abi" frobnicate
    expect abi-usage-args 2 tessera-abi -- "$abi" diff "$tmp/junk"
    expect abi-missing-file 1 tessera-abi -- "$abi" check "$tmp/none.so"
    expect abi-unreadable-dump 1 tessera-abi -- "$abi" dump "$tmp/junk"
    expect abi-ok 0 tessera-abi -- "$abi" --help
else
    echo "SKIP tessera-abi: not built (no libdwarf)"
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
