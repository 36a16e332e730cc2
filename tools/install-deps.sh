#!/bin/sh
# Installs the Debian packages Tessera needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
#   tools/install-deps.sh [PACKAGE...]   (default: the list below)
set -eu

# Build: compiler, meson, GLib/GModule, json-glib (manifests), zstd (snapshots),
# libdwarf + libelf (tessera-abi), criterion (unit tests), libslirp (-netdev user).
# Tests: gdb-multiarch (suite gdb), the SPARC cross compiler and the kernel headers (guest programs, the Linux /init), OpenBIOS (qemu-system-data),
# qemu-system-sparc (the reference emulator), pahole (tessera-abi cross-check),
# clang + its runtime (libFuzzer), Capstone (the JIT's disassembly for -d logs and
# the emitter tests); help2man (man pages); dpkg-dev, debhelper and lintian
# (`make deb` and its test in tests/sdk).
PACKAGES="gcc make pkg-config meson ninja-build libglib2.0-dev libjson-glib-dev libzstd-dev
libdwarf-dev libelf-dev zlib1g-dev libcriterion-dev libslirp-dev gcc-sparc64-linux-gnu linux-libc-dev-sparc64-cross qemu-system-data
qemu-system-sparc gdb-multiarch dwarves clang libclang-rt-14-dev libcapstone-dev help2man dpkg-dev debhelper lintian"
[ $# -eq 0 ] || PACKAGES="$*"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "tessera: missing Debian packages:$missing" >&2
    echo "run: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "tessera: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
