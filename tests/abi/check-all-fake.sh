#!/bin/sh
# check-all-fake.sh TESSERA_ABI PLUGIN.so [--update] [GOLDEN.json...]
# Runs check-all.sh on a throwaway build tree holding only PLUGIN.so and the given
# goldens; with --update, runs update-golden.sh on it first (and stops if that fails).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
so=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
shift 2
update=0
if [ "${1:-}" = "--update" ]; then
    update=1
    shift
fi
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/plugins" "$tree/golden"
cp "$so" "$tree/plugins/"
for g in "$@"; do
    cp "$g" "$tree/golden/"
done
if [ $update -eq 1 ]; then
    sh "$here/update-golden.sh" "$tool" "$tree" "$tree/golden" || exit $?
fi
sh "$here/check-all.sh" "$tool" "$tree" "$tree/golden"
