#!/bin/sh
# check-all.sh TESSERA_ABI BUILD_ROOT GOLDEN_DIR
#
# Every plugin built under BUILD_ROOT/plugins/:
#   1. `tessera-abi check`: state schema against the struct's DWARF, core ABI structs;
#   2. its state schema equals tests/abi/golden/PLUGIN-VERSION.json exactly
#      (`tessera-abi diff --strict`);
#   3. every older golden of the plugin (PLUGIN-N.json, N < VERSION) still loads
#      (`tessera-abi diff`: version bumps need converters or a low enough load_min).
# Any failure fails the test; every failure says what to do.
set -u
tool=$1
build=$2
golden=$3
update_hint="meson compile -C $build update-abi-golden"

if [ ! -d "$build/plugins" ]; then
    echo "no $build/plugins directory: nothing to check"
    exit 77
fi
plugins=$(find "$build/plugins" -name '*.so' -type f | sort)
if [ -z "$plugins" ]; then
    echo "no plugins built under $build/plugins yet: nothing to check"
    exit 77
fi

failed=0
fail() {
    echo "FAIL: $*"
    failed=1
}

for so in $plugins; do
    echo "== $so"
    if ! "$tool" check "$so"; then
        fail "$so: tessera-abi check found problems (above)"
        continue
    fi
    dump=$("$tool" dump "$so") || { fail "$so: tessera-abi dump failed"; continue; }
    name=$(printf '%s\n' "$dump" | awk '$1 == "plugin" { print $2; exit }')
    version=$(printf '%s\n' "$dump" | sed -n 's/^schema .*, version \([0-9]*\),.*/\1/p' | head -n 1)
    if [ -z "$version" ]; then
        latest=
        latest_version=0
        for g in "$golden/$name"-[0-9]*.json; do
            [ -f "$g" ] || continue
            v=${g##*/$name-}
            v=${v%.json}
            case $v in *[!0-9]*) continue ;; esac
            if [ "$v" -gt "$latest_version" ]; then
                latest_version=$v
                latest=$g
            fi
        done
        if [ -n "$latest" ]; then
            # It had a schema once: dropping it strands every saved snapshot.
            "$tool" diff "$latest" "$so" ||
                fail "$name: has golden dumps but no state schema any more"
        else
            echo "$name: no state schema (blocked or migration plugin): no golden dump needed"
        fi
        continue
    fi
    file="$golden/$name-$version.json"
    if [ ! -f "$file" ]; then
        fail "$name: no golden dump tests/abi/golden/$name-$version.json for state version $version." \
             "Create it with \`$update_hint\` (after building), review it and commit it;" \
             "see docs/state-evolution.md"
        continue
    fi
    if ! "$tool" diff --strict "$file" "$so"; then
        fail "$name: state version $version differs from tests/abi/golden/$name-$version.json." \
             "A shipped state version must not change: bump the version (docs/state-evolution.md)." \
             "If only offsets moved, regenerate with \`$update_hint\`; if version $version never" \
             "shipped, delete that golden and regenerate"
        continue
    fi
    for old in "$golden/$name"-[0-9]*.json; do
        [ -f "$old" ] || continue
        old_version=${old##*/$name-}
        old_version=${old_version%.json}
        case $old_version in *[!0-9]*) continue ;; esac
        [ "$old_version" -lt "$version" ] || continue
        if ! "$tool" diff "$old" "$so"; then
            fail "$name: state version $version cannot take over from version $old_version" \
                 "(tests/abi/golden/$name-$old_version.json): add converters or lower load_min"
        fi
    done
done
exit $failed
