#!/bin/sh
# Prints the Linux 6.1 sun4m kernel (zImage) the tests boot, first found of:
#   $TESSERA_LINUX_KERNEL (must exist when set)
#   BUILD_ROOT/linux/zImage, SOURCE_ROOT/build/linux/zImage  (make linux-kernel)
#   SOURCE_ROOT/../shared/guests/linux-6.1-sun4m.zImage      (the shared prebuilt)
#   ORIGIN/../shared/guests/linux-6.1-sun4m.zImage           (a clone of a local
#       checkout, as CI makes: ORIGIN is the directory its `origin` remote names)
# Without one it exits 77, meson's "skipped", naming where it looked.
#
#   find-kernel.sh SOURCE_ROOT BUILD_ROOT
set -u
src_root=$1
build_root=$2

if [ -n "${TESSERA_LINUX_KERNEL:-}" ]; then
    if [ -f "$TESSERA_LINUX_KERNEL" ]; then
        echo "$TESSERA_LINUX_KERNEL"
        exit 0
    fi
    echo "find-kernel: TESSERA_LINUX_KERNEL=$TESSERA_LINUX_KERNEL: no such file" >&2
    exit 1
fi
origin=$(git -C "$src_root" remote get-url origin 2>/dev/null || true)
case $origin in
    /*) origin_kernel="$origin/../shared/guests/linux-6.1-sun4m.zImage" ;;
    *) origin_kernel= ;;
esac
for k in "$build_root/linux/zImage" "$src_root/build/linux/zImage" \
         "$src_root/../shared/guests/linux-6.1-sun4m.zImage" $origin_kernel; do
    if [ -f "$k" ]; then
        echo "$k"
        exit 0
    fi
done
echo "SKIP no Linux kernel: TESSERA_LINUX_KERNEL is unset and none of" \
     "$build_root/linux/zImage, $src_root/build/linux/zImage," \
     "$src_root/../shared/guests/linux-6.1-sun4m.zImage${origin_kernel:+, $origin_kernel}" \
     "exists (make linux-kernel builds one)" >&2
exit 77
