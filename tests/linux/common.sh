# shellcheck shell=sh disable=SC2154
# Sourced by the tests/linux scripts after they set tessera, cpio, src_root,
# build_root and here (this folder): the kernel, one way to run it, the verdicts.

kernel=$("$here/find-kernel.sh" "$src_root" "$build_root") || exit $?
echo "accelerator: ${ACCEL:-the default}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tessera_run OUT OPTION...: serial output to OUT, standard error to OUT.err, a
# fixed clock start (so runs are comparable) and bounded in time; returns the status.
# $ACCEL, when set and not empty, is passed as `-accel $ACCEL` (interp, jit, ...).
tessera_run() {
    out=$1
    shift
    timeout 100 "$tessera" -nographic -rtc base=2026-01-01T00:00:00 -serial "file:$out" \
        ${ACCEL:+-accel "$ACCEL"} "$@" </dev/null 2>"$out.err"
}

# tessera_boot OUT OPTION...: the kernel with the test initramfs, as QEMU boots it.
tessera_boot() {
    out=$1
    shift
    tessera_run "$out" -M ss5 -m 128 -kernel "$kernel" -initrd "$cpio" \
        -append console=ttyS0 "$@"
}

# init_lines FILE: what /init printed, from its first line to DONE, without CRs.
init_lines() {
    tr -d '\r' <"$1" | sed -n '/^linux-init: start$/,/^DONE$/p' |
        grep -E '^(PASS |FAIL |DONE$|linux-init: )'
}

# shellcheck source=tests/linux/verdict.sh
. "$here/verdict.sh"
