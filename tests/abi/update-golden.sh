#!/bin/sh
# update-golden.sh TESSERA_ABI BUILD_ROOT GOLDEN_DIR
#
# Writes GOLDEN_DIR/PLUGIN-VERSION.json for every plugin under BUILD_ROOT/plugins/
# that has a state schema and passes `tessera-abi check`. Run through
# `meson compile -C BUILD update-abi-golden` after building the plugins.
#
# It never deletes older versions' goldens (they are the history `check-all.sh`
# diffs against) and refuses to overwrite a golden with an incompatible change:
# that needs a version bump, not a new golden (docs/state-evolution.md).
set -u
tool=$1
build=$2
golden=$3

plugins=$(find "$build/plugins" -name '*.so' -type f 2>/dev/null | sort)
if [ -z "$plugins" ]; then
    echo "no plugins under $build/plugins: build first (meson compile -C $build)"
    exit 1
fi
mkdir -p "$golden"
status=0
for so in $plugins; do
    if ! "$tool" check "$so" >/dev/null; then
        echo "$so: tessera-abi check fails; fix the schema first:"
        "$tool" check "$so"
        status=1
        continue
    fi
    dump=$("$tool" dump "$so") || { status=1; continue; }
    name=$(printf '%s\n' "$dump" | awk '$1 == "plugin" { print $2; exit }')
    version=$(printf '%s\n' "$dump" | sed -n 's/^schema .*, version \([0-9]*\),.*/\1/p' | head -n 1)
    if [ -z "$version" ]; then
        continue
    fi
    file="$golden/$name-$version.json"
    new=$(mktemp)
    "$tool" dump --json "$so" >"$new" || { rm -f "$new"; status=1; continue; }
    if [ -f "$file" ]; then
        if "$tool" diff --strict "$file" "$new" >/dev/null; then
            rm -f "$new"
            echo "$file: unchanged"
            continue
        fi
        if ! "$tool" diff "$file" "$new"; then
            echo "$file: NOT updated: the change is incompatible and state version $version"
            echo "  already has a golden. Bump the schema version (docs/state-evolution.md);"
            echo "  if version $version never shipped, delete $file and run this again."
            rm -f "$new"
            status=1
            continue
        fi
    fi
    mv "$new" "$file"
    echo "$file: written"
done
exit $status
