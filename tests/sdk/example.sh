#!/bin/sh
# The example out-of-tree plugin (examples/counter) as a device developer meets it:
# built against an installed SDK only (a `meson install --destdir` of this build,
# found through its tessera-plugin.pc; never the source tree's headers), checked by
# the installed tessera-abi, loaded by the installed tessera with -plugin-path,
# driven by its guest program (both releases), and refused, with the reason on
# stderr and a non-zero exit, once its directory is group-writable.
#
#   example.sh BUILD_ROOT SOURCE_ROOT
set -u
build=$1
src=$2
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
npass=0
nfail=0
pass() { echo "PASS $*"; npass=$((npass + 1)); }
fail() { echo "FAIL $*"; nfail=$((nfail + 1)); }
verdict() { echo "$npass passed, $nfail failed"; [ "$nfail" -eq 0 ]; }

root=$tmp/root
meson install -C "$build" --no-rebuild --destdir "$root" --quiet >/dev/null ||
    { fail "meson install --destdir"; verdict; exit 1; }
prefix=$(meson introspect "$build" --buildoptions |
    python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
pc=$(find "$root" -name tessera-plugin.pc | head -n 1)
bin=$root$prefix/bin
plugins=$(dirname "$(find "$root" -path '*/tessera/plugins/cpu-sparc/*' -name '*.so' | head -n 1)")
plugins=${plugins%/cpu-sparc/*}
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$root"

# The SDK's flags point into the installed root, not the source tree.
cflags=$(pkg-config --cflags tessera-plugin)
case "$cflags" in
*"$root"*) pass "pkg-config points into the installed root ($cflags)" ;;
*) fail "pkg-config --cflags: $cflags" ;;
esac

ex=$tmp/example-build
if meson setup "$ex" "$src/examples/counter" >"$tmp/setup.log" 2>&1 &&
    meson compile -C "$ex" >"$tmp/compile.log" 2>&1; then
    pass "the example builds against the installed SDK"
else
    fail "the example does not build:"; tail -n 20 "$tmp/setup.log" "$tmp/compile.log"
    verdict; exit 1
fi
if grep -q -- "-I$src/abi" "$ex/compile_commands.json"; then
    fail "the example compiled against the source tree's headers"
else
    pass "no source-tree include path in the example's build"
fi
for so in "$ex"/example-counter-1.so "$ex"/example-counter-2.so; do
    if [ -x "$bin/tessera-abi" ]; then
        out=$("$bin/tessera-abi" check "$so" 2>&1)
        if [ $? -eq 0 ] && echo "$out" | grep -q 'ok (schema example-counter version'; then
            pass "tessera-abi check $(basename "$so")"
        else
            fail "tessera-abi check $(basename "$so"): $out"
        fi
    else
        echo "SKIP tessera-abi check: not installed (no libdwarf)"
    fi
done

# The SBus DMA and IOMMU interfaces, from the outside: a plugin including the
# installed headers compiles with the SDK's flags only, and loads.
probe=$tmp/probe
mkdir -p "$probe" && chmod 755 "$probe"
# shellcheck disable=SC2046
if cc -shared -fPIC -fvisibility=hidden -Wl,-z,defs -g $(pkg-config --cflags tessera-plugin) \
    -o "$probe/sbus-probe.so" "$src/tests/sdk/sbus-probe.c" 2>"$tmp/probe.log" &&
    TESSERA_PLUGIN_PATH=$plugins "$bin/tessera" -plugin-path "$probe" --list-plugins |
        grep -q '^sbus-probe '; then
    pass "an SBus device built with the installed <tessera/sbus-dma.h> and <tessera/sbus-iommu.h> loads"
else
    fail "SBus probe:"; cat "$tmp/probe.log"
fi

machine=$src/examples/counter/counter.machine
run() { TESSERA_PLUGIN_PATH=$plugins "$bin/tessera" -M "$machine" -plugin-path "$ex" "$@" </dev/null; }
out=$(run --check-machine "$machine" 2>&1)
if echo "$out" | grep -qE "^counter +required +example-counter +>=1 +2\.0\.0 .*$ex/example-counter-2\.so$" &&
    echo "$out" | tail -n 1 | grep -qx complete; then
    pass "--check-machine resolves the counter to release 2.0.0 in the example's build"
else
    fail "--check-machine: $out"
fi
guest=$ex/counter-test.elf
if [ -f "$guest" ]; then
    for pin in "" "example-counter=^1"; do
        out=$(run -bios "$guest" -nographic -icount-limit 100000 ${pin:+-plugin-version "$pin"} 2>&1)
        rc=$?
        if [ $rc -eq 0 ] && echo "$out" | grep -q 'counter: PASS'; then
            pass "the guest program drives the counter${pin:+ ($pin)}"
        else
            fail "guest${pin:+ ($pin)}: status $rc: $out"
        fi
    done
    # The 2->1 converter: a snapshot saved for a 1.x-only installation holds v1.
    TESSERA_PLUGIN_PATH=$plugins "$bin/tessera" -plugin-path "$ex" \
        -plugin-version 'example-counter=^1' --dump-manifest >"$tmp/v1.json"
    for compat in "" "$tmp/v1.json"; do
        rm -f "$tmp/c.tsnap"
        run -bios "$guest" -nographic -savevm-at 5,"$tmp/c.tsnap" ${compat:+-savevm-compat "$compat"} \
            >/dev/null 2>&1
        if [ -n "$compat" ]; then want=v1; else want=v2; fi
        out=$("$bin/tessera-snap" check --manifest "$tmp/v1.json" "$tmp/c.tsnap" 2>&1)
        if echo "$out" | grep -qE "^counter +example-counter +$want "; then
            pass "snapshot ${compat:+for the 1.x manifest }holds counter state $want"
        else
            fail "snapshot ${compat:+(compat) }: $out"
        fi
    done
else
    echo "SKIP guest runs: no sparc64-linux-gnu-gcc, the guest was not built"
fi

# A plugin directory anyone in the group could write to: refused before anything runs.
chmod 775 "$ex"
out=$(run -bios "$machine" -nographic 2>&1)
rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "required device counter (plugin example-counter >=1): not found;.* refused $ex/example-counter-2.so: directory $ex is writable by group (mode 0775)"; then
    pass "refused from a group-writable directory, the reason on stderr"
else
    fail "group-writable directory: status $rc: $out"
fi
chmod 755 "$ex"
verdict
