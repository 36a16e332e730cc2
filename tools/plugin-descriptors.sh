#!/bin/sh
# plugin-descriptors.sh FIELD FILE...: the FIELD (name or version) of every
# TESSERA_PLUGIN(.name = "...", .version = "...", ...) declaration in FILEs, one per
# line, in order. The build reads a plugin's version here, from its source, so that
# it is written once (meson installs each plugin as plugindir/NAME/VERSION/).
set -eu
field=$1
shift
case $field in
name) n=1 ;;
version) n=2 ;;
*) echo "plugin-descriptors.sh: FIELD is name or version, not '$field'" >&2; exit 2 ;;
esac
out=$(sed -n -E "s/^TESSERA_PLUGIN\(\.name = \"([a-z0-9-]+)\", \.version = \"([0-9.]+)\".*/\\$n/p" "$@")
if [ -z "$out" ]; then
    echo "plugin-descriptors.sh: no line 'TESSERA_PLUGIN(.name = \"NAME\", .version = \"X.Y.Z\", ...' in $*" >&2
    exit 1
fi
echo "$out"
