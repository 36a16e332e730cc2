#!/bin/sh
# `meson install --destdir` produces the headers, the pkg-config file, the plugins
# and the machine files. Usage: install.sh BUILD_ROOT
set -eu
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" --quiet > /dev/null
pass=0
fail=0
check() {
    if [ -n "$(find "$dest" -path "*$2" -print -quit)" ]; then
        pass=$((pass + 1)); echo "PASS $1"
    else
        fail=$((fail + 1)); echo "FAIL $1: nothing matches *$2 under the destdir"
    fi
}
check header-plugin /include/tessera/plugin.h
check header-state /include/tessera/state.h
check header-sbus-dma /include/tessera/sbus-dma.h
check header-sbus-iommu /include/tessera/sbus-iommu.h
check pkgconfig /pkgconfig/tessera-plugin.pc
check cpu-plugin /tessera/plugins/cpu-sparc.so
check device-plugin /tessera/plugins/escc.so
check machine-file /tessera/machines/ss5.machine
check binary /bin/tessera
pc=$(find "$dest" -name tessera-plugin.pc | head -n 1)
if [ -n "$pc" ] && grep -q '^plugindir=${libdir}/tessera/plugins' "$pc"; then
    pass=$((pass + 1)); echo "PASS pkgconfig-plugindir"
else
    fail=$((fail + 1)); echo "FAIL pkgconfig-plugindir"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
