#!/bin/sh
# `make deb` where the Debian tools exist: the three packages build and pass
# lintian (tools/make-deb.sh), their control fields carry the plugin ABI as the
# tessera-abi-MAJOR virtual package, and the packaged tessera, extracted to a
# temporary root, resolves the SS-5 and boots it to OpenBIOS's `0 >` prompt.
# Skipped (status 77) with the reason when dpkg-buildpackage, dh or lintian is absent.
#
#   deb.sh SOURCE_ROOT BUILD_ROOT [FIRMWARE]
set -u
src=$1
build=$2
firmware=${3:-/usr/share/qemu/openbios-sparc32}
for tool in dpkg-buildpackage dh lintian; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found (tools/install-deps.sh installs dpkg-dev, debhelper, lintian)"
        exit 77
    fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npass=0
nfail=0
pass() { echo "PASS $*"; npass=$((npass + 1)); }
fail() { echo "FAIL $*"; nfail=$((nfail + 1)); }
verdict() { echo "$npass passed, $nfail failed"; [ "$nfail" -eq 0 ]; }

if "$src/tools/make-deb.sh" "$build/deb" >"$tmp/make-deb.log" 2>&1; then
    pass "make deb: three packages, lintian clean"
else
    fail "make deb:"; tail -n 30 "$tmp/make-deb.log"; verdict; exit 1
fi
debs=$(grep '\.deb$' "$tmp/make-deb.log")

major=$(sed -n -E 's/^#define TESSERA_ABI_MAJOR ([0-9]+)$/\1/p' "$src/abi/tessera/plugin.h")
minor=$(sed -n -E 's/^#define TESSERA_ABI_MINOR ([0-9]+)$/\1/p' "$src/abi/tessera/plugin.h")
for deb in $debs; do
    case $(basename "$deb") in
    tessera_*) field=Provides want="tessera-abi-$major (= $major.$minor)" ;;
    tessera-machine-ss5_*) field=Depends want="tessera-abi-$major (>= $major.$minor)" ;;
    *) field= ;;
    esac
    if [ -n "$field" ]; then
        got=$(dpkg-deb -f "$deb" "$field")
        case "$got" in
        *"$want"*) pass "$(basename "$deb") $field: $want" ;;
        *) fail "$(basename "$deb") $field is '$got', want '$want'" ;;
        esac
    fi
    dpkg-deb -x "$deb" "$tmp/root"
done

root=$tmp/root
plugins=$(find "$root" -type d -path '*/tessera/plugins' | head -n 1)
export TESSERA_PLUGIN_PATH="$plugins" TESSERA_MACHINE_PATH="$root/usr/share/tessera/machines"
out=$("$root/usr/bin/tessera" --check-machine ss5 2>&1)
rc=$?
rows=$(echo "$out" | sed '1,2d;$d')
if [ $rc -eq 0 ] && echo "$out" | tail -n 1 | grep -qx complete && [ -n "$rows" ] &&
    [ "$(echo "$rows" | grep -vc " $root/")" -eq 0 ]; then
    pass "the packaged tessera resolves every SS-5 device to a packaged file"
else
    fail "--check-machine ss5 from the packages: $out"
fi

# The example from the tessera-dev package, built against the packaged SDK only.
example=$(find "$root" -type d -path '*/examples/counter' | head -n 1)
if [ -n "$example" ] && PKG_CONFIG_SYSROOT_DIR=$root \
    PKG_CONFIG_PATH=$(dirname "$(find "$root" -name tessera-plugin.pc | head -n 1)") \
    meson setup "$tmp/example" "$example" -Dguest=disabled >"$tmp/example.log" 2>&1 &&
    meson compile -C "$tmp/example" >>"$tmp/example.log" 2>&1 &&
    [ "$("$root/usr/bin/tessera" -plugin-path "$tmp/example" --list-plugins |
        grep -c '^example-counter ')" -eq 2 ]; then
    pass "tessera-dev's example builds against the packaged SDK and both releases load"
else
    fail "the packaged example:"; tail -n 20 "$tmp/example.log"
fi

if [ ! -f "$firmware" ]; then
    echo "SKIP boot: no OpenBIOS at $firmware"
    verdict
    exit $?
fi
# tests/firmware/openbios.py's prompt case, with the packaged tessera: the console up
# to `0 >` equals the reference transcript, Forth answers, `power-off` exits 0.
if python3 "$src/tests/firmware/openbios.py" "$root/usr/bin/tessera" "$firmware" \
    "$src/tests/firmware/reference-ss5-nographic.log" prompt >"$tmp/boot.log" 2>&1; then
    pass "the packaged machine boots OpenBIOS to 0 > and powers off"
else
    fail "boot from the packages:"; tail -n 20 "$tmp/boot.log"
fi
verdict
