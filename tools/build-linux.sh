#!/bin/sh
# Builds the Linux 6.1 sun4m kernel that tests/linux boots, as
# ../shared/guests/README.md describes: Debian bookworm's linux-source-6.1, its
# unmodified sparc32_defconfig, Debian's sparc64 cross compiler, target zImage.
# 5-20 minutes on two cores, so `make check` never runs it (the tests take
# a prebuilt kernel when there is one; tests/linux/find-kernel.sh).
#
#   tools/build-linux.sh [OUT]            the kernel lands in OUT/zImage (default build/linux)
#   tools/build-linux.sh OUT defconfig    stop after configuring
#
# Missing Debian packages are installed as tools/install-deps.sh does: with apt-get
# as root, otherwise the exact command is printed and the script fails.
# The version string is fixed (KBUILD_BUILD_*), as in the shared prebuilt kernel,
# so the same source gives the same `uname -v`; override them through the environment.
set -eu
out=${1:-build/linux}
stop=${2:-}

sh "$(dirname "$0")/install-deps.sh" linux-source-6.1 gcc-sparc64-linux-gnu flex bison bc gcc make \
    xz-utils

tree=$out/linux-source-6.1
if [ ! -f "$tree/.extracted" ]; then
    echo "build-linux: unpacking /usr/src/linux-source-6.1.tar.xz into $out" >&2
    rm -rf "$tree"
    mkdir -p "$out"
    tar -xf /usr/src/linux-source-6.1.tar.xz -C "$out"
    touch "$tree/.extracted"
fi

export KBUILD_BUILD_USER="${KBUILD_BUILD_USER:-root}"
export KBUILD_BUILD_HOST="${KBUILD_BUILD_HOST:-vm}"
export KBUILD_BUILD_TIMESTAMP="${KBUILD_BUILD_TIMESTAMP:-Sun Nov 22 03:00:00 UTC 2026}"
kmake() { make -C "$tree" ARCH=sparc CROSS_COMPILE=sparc64-linux-gnu- "$@"; }

kmake sparc32_defconfig
[ "$stop" = defconfig ] && exit 0
kmake -j"$(nproc)" zImage
cp "$tree/arch/sparc/boot/zImage" "$out/zImage"
echo "build-linux: $out/zImage" >&2
