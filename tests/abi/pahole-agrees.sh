#!/bin/sh
# pahole-agrees.sh TESSERA_ABI PLUGIN.so [STRUCT [PAHOLE_SO]]
# tessera-abi's member offsets and sizes (from libdwarf) must equal pahole's for
# STRUCT (default: the plugin's state struct). Bit-fields are left out on both sides.
# PAHOLE_SO (default PLUGIN.so) lets a test prove a difference is caught.
set -u
tool=$1
so=$2
struct=${3:-}
pahole_so=${4:-$so}
if ! command -v pahole >/dev/null 2>&1; then
    echo "pahole not installed (package dwarves): skipped"
    exit 77
fi
ours=$(mktemp)
theirs=$(mktemp)
trap 'rm -f "$ours" "$theirs"' EXIT

if [ -n "$struct" ]; then
    "$tool" layout "$so" "$struct" >"$ours" || exit 1
else
    "$tool" layout "$so" >"$ours" || exit 1
fi
struct=$(awk 'NR == 1 { print $2 }' "$ours")
size=$(awk 'NR == 1 { print $4 }' "$ours")

pahole -C "$struct" "$pahole_so" >"$theirs.raw" 2>&1
trap 'rm -f "$ours" "$theirs" "$theirs.raw"' EXIT
if ! grep -q '{' "$theirs.raw"; then
    echo "FAIL: pahole -C $struct $pahole_so printed no struct:"
    cat "$theirs.raw"
    exit 1
fi

# Members one brace level deep with a "/* offset size */" comment; anonymous
# struct/union bodies (deeper levels) and bit-fields ("offset: bit size") are skipped.
awk '
/\{[ \t]*$/ { depth++; next }
/^[ \t]*\}/ { depth--; next }
depth == 1 && match($0, /\/\*[ \t]*[0-9]+[ \t]+[0-9]+[ \t]*\*\/[ \t]*$/) {
    comment = substr($0, RSTART + 2, RLENGTH - 4)
    split(comment, nums, " ")
    decl = substr($0, 1, RSTART - 1)
    sub(/;[ \t]*$/, "", decl)
    if (match(decl, /\(\*[A-Za-z_][A-Za-z0-9_]*\)/)) {
        name = substr(decl, RSTART + 2, RLENGTH - 3)
    } else {
        sub(/(\[[0-9]*\])+[ \t]*$/, "", decl)
        n = split(decl, toks, /[ \t*]+/)
        name = toks[n]
    }
    print name, nums[1], nums[2]
}
/\/\* size: / { s = $0; sub(/.*size: /, "", s); sub(/,.*/, "", s); print "SIZE", s }
' "$theirs.raw" >"$theirs"

pahole_size=$(awk '$1 == "SIZE" { print $2 }' "$theirs")
status=0
if [ "$size" != "$pahole_size" ]; then
    echo "FAIL: struct $struct: tessera-abi says size $size, pahole says size $pahole_size"
    status=1
fi
awk 'NR > 1 && $2 != "bitfield" { print $1, $2, $3 }' "$ours" >"$ours.cmp"
grep -v '^SIZE ' "$theirs" >"$theirs.cmp"
trap 'rm -f "$ours" "$theirs" "$theirs.raw" "$ours.cmp" "$theirs.cmp"' EXIT
if ! diff -u "$theirs.cmp" "$ours.cmp"; then
    echo "FAIL: struct $struct in $so: member offsets/sizes differ (- pahole, + tessera-abi)"
    status=1
fi
if [ ! -s "$ours.cmp" ]; then
    echo "FAIL: struct $struct: no members compared"
    status=1
fi
[ $status -eq 0 ] && echo "struct $struct in $so: $(wc -l <"$ours.cmp") members agree with pahole (size $size)"
exit $status
