#!/bin/sh
# pahole-plugins.sh TESSERA_ABI BUILD_ROOT
# For every in-tree plugin with a state schema: tessera-abi and pahole agree on the
# layout of its state struct. Skipped (77) while no such plugin is built.
set -u
tool=$1
build=$2
here=$(dirname "$0")
plugins=$(find "$build/plugins" -name '*.so' -type f 2>/dev/null | sort)
checked=0
status=0
for so in $plugins; do
    "$tool" dump "$so" 2>/dev/null | grep -q '^schema ' || continue
    sh "$here/pahole-agrees.sh" "$tool" "$so" || status=1
    checked=$((checked + 1))
done
if [ $checked -eq 0 ]; then
    echo "no in-tree plugin with a state schema built yet: skipped"
    exit 77
fi
exit $status
