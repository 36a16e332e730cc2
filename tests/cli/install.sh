#!/bin/sh
# `meson install --destdir` produces the headers, the pkg-config file, the plugins
# (each in plugindir/NAME/VERSION/, two slavio-timer versions side by side) and the
# machine files; `--tags` installs a subset; -Dskip_devices leaves plugins out of
# the install plan. Usage: install.sh BUILD_ROOT [SOURCE_ROOT]
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
check cpu-plugin /tessera/plugins/cpu-sparc/1.0.0/cpu-sparc.so
check device-plugin /tessera/plugins/escc/1.0.0/escc.so
check side-by-side-v1 /tessera/plugins/slavio-timer/1.0.0/slavio-timer-1.so
check side-by-side-v2 /tessera/plugins/slavio-timer/2.0.0/slavio-timer-2.so
check machine-file /tessera/machines/ss5.machine
check binary /bin/tessera
pc=$(find "$dest" -name tessera-plugin.pc | head -n 1)
if [ -n "$pc" ] && grep -q '^plugindir=${libdir}/tessera/plugins' "$pc"; then
    pass=$((pass + 1)); echo "PASS pkgconfig-plugindir"
else
    fail=$((fail + 1)); echo "FAIL pkgconfig-plugindir"
fi

# Install tags: each installs its part and nothing else.
tagged() { # TAG: the files `meson install --tags TAG` puts in a fresh destdir
    rm -rf "$dest/tag" && meson install -C "$build" --no-rebuild --tags "$1" \
        --destdir "$dest/tag" --quiet > /dev/null && (cd "$dest/tag" && find . -type f | sort)
}
expect_tag() { # NAME TAG GREP-PATTERN WANT-COUNT
    n=$(tagged "$2" | grep -c -E "$3" || true)
    if [ "$n" -eq "$4" ]; then pass=$((pass + 1)); echo "PASS $1"
    else fail=$((fail + 1)); echo "FAIL $1: $n files match $3 under --tags $2, want $4"; fi
}
expect_tag tag-core-has-the-binaries core '/bin/tessera(-snap)?$' 2
expect_tag tag-core-has-cpu-and-migration core '/plugins/(cpu-sparc|migration-tsnap)/' 2
expect_tag tag-core-has-no-device core '/plugins/(escc|esp)/' 0
expect_tag tag-machine-ss5-has-its-devices machine-ss5 '/plugins/(escc|esp|lance|slavio-timer)/' 5
expect_tag tag-machine-ss5-has-its-file machine-ss5 '/machines/ss5\.machine$' 1
expect_tag tag-machine-ss5-has-no-binary machine-ss5 '/bin/' 0
expect_tag tag-devel-has-headers-and-pc devel '(/include/tessera/.*\.h|tessera-plugin\.pc)$' 12

# -Dskip_devices: a configured (not built) tree's install plan leaves them out.
if [ -n "${2:-}" ]; then
    sub=$dest/subset
    if meson setup "$sub" "$2" -Dskip_devices=lance,cs4231 -Dguest_tests=disabled \
        -Dfuzz=disabled > "$dest/setup.log" 2>&1; then
        plan=$(meson introspect "$sub" --install-plan)
        for want in esp/1.1.0/esp.so:1 lance/1.0.0/lance.so:0 cs4231/1.0.0/cs4231.so:0; do
            n=$(printf '%s' "$plan" | grep -c "plugins/${want%%:*}" || true)
            if [ "$n" -eq "${want##*:}" ]; then pass=$((pass + 1)); echo "PASS skip-devices ${want%%:*}"
            else fail=$((fail + 1)); echo "FAIL skip-devices ${want%%:*}: in the plan $n times"; fi
        done
    else
        fail=$((fail + 1)); echo "FAIL skip-devices: meson setup failed"; tail -5 "$dest/setup.log"
    fi
    # A misspelt device is a configure error naming it, not a silent no-op.
    if meson setup "$dest/typo" "$2" -Dskip_devices=lanse > "$dest/typo.log" 2>&1; then
        fail=$((fail + 1)); echo "FAIL skip-devices-typo: meson setup accepted 'lanse'"
    elif grep -q 'no device plugin named "lanse"' "$dest/typo.log"; then
        pass=$((pass + 1)); echo "PASS skip-devices-typo"
    else
        fail=$((fail + 1)); echo "FAIL skip-devices-typo:"; tail -5 "$dest/typo.log"
    fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
