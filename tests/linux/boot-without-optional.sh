#!/bin/sh
# Linux 6.1 boots to its /init with only the plugins of ss5.machine's required
# devices installed: lance and cs4231 are optional because this passes (and
# tests/cli/machine-resolve.py shows OpenBIOS reaching its prompt without them).
# A copy of tessera outside the build tree sees only the plugins it is given.
#
#   boot-without-optional.sh TESSERA INITRAMFS INIT.c SOURCE_ROOT BUILD_ROOT
set -u
tessera=$1
src_root=$4
build_root=$5
here=$(cd "$(dirname "$0")" && pwd)
"$here/find-kernel.sh" "$src_root" "$build_root" >/dev/null || exit $?
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
mkdir -m 755 "$dir/bin" "$dir/plugins"
cp "$tessera" "$dir/bin/tessera"
find "$build_root/plugins" -name '*.so' ! -name lance.so ! -name cs4231.so \
    -exec cp {} "$dir/plugins/" \;
chmod 644 "$dir/plugins/"*.so
export TESSERA_PLUGIN_PATH="$dir/plugins" TESSERA_MACHINE_PATH="$src_root/machines"
verdict=$("$dir/bin/tessera" --check-machine ss5 | tail -n 1)
if [ "$verdict" != "starts without 2 optional devices" ]; then
    echo "FAIL --check-machine ss5 without lance and cs4231 says: $verdict"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "PASS --check-machine: $verdict"
shift
exec "$here/boot.sh" "$dir/bin/tessera" "$@"
