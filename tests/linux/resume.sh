#!/bin/sh
# Linux resumed from a snapshot prints, byte for byte, what the uninterrupted boot
# printed after that point: the snapshot carries every device and the virtual clock
# the kernel's time comes from.  Two points: halfway through the boot (the kernel
# setting up memory) and 2M instructions before the end (/init in its 20 ms sleep,
# a timer armed).  Each also across plugin versions: saved by the 1.x timer
# (state v1), loaded by the default 2.x (converts v1 -> v2).
#
#   resume.sh TESSERA TESSERA-SNAP INITRAMFS SOURCE_ROOT BUILD_ROOT
set -u
tessera=$1
tessera_snap=$2
cpio=$3
src_root=$4
build_root=$5
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/linux/common.sh
. "$here/common.sh"

tessera_boot "$tmp/full" -icount-limit 4000000000 -report-icount
rc=$?
total=$(sed -n 's/^icount: //p' "$tmp/full.err")
if [ $rc -ne 0 ] || [ -z "$total" ]; then
    cat "$tmp/full.err"
    fail "uninterrupted boot: exit status $rc"
    verdict
    exit 1
fi
echo "uninterrupted boot: $total instructions"

# resume_case NAME N SAVE-OPTION...: save at N (the run stops there: its output is
# the prefix), load with the default plugins, compare prefix + rest with the full run.
resume_case() {
    name=$1
    n=$2
    shift 2
    tessera_boot "$tmp/prefix" -savevm-at "$n,$tmp/$name.tsnap" -icount-limit "$n" "$@"
    src=$?
    tessera_run "$tmp/rest" -loadvm "$tmp/$name.tsnap"
    lrc=$?
    cat "$tmp/prefix" "$tmp/rest" >"$tmp/joined"
    if [ $src -ne 4 ]; then
        fail "$name: saving run: exit status $src, want 4 (icount limit)"
        cat "$tmp/prefix.err"
    elif [ $lrc -ne 0 ]; then
        fail "$name: resumed run: exit status $lrc, want 0"
        cat "$tmp/rest.err"
    elif ! [ -s "$tmp/prefix" ] || ! [ -s "$tmp/rest" ]; then
        fail "$name: empty prefix or rest"
    elif cmp -s "$tmp/full" "$tmp/joined"; then
        pass "$name: at $n: prefix ($(wc -c <"$tmp/prefix") bytes) + resumed run ($(wc -c <"$tmp/rest") bytes) = uninterrupted run"
    else
        fail "$name: joined output differs from the uninterrupted run"
        diff "$tmp/full" "$tmp/joined" | head -n 20
    fi
}

half=$((total / 2))
late=$((total - 2000000))
resume_case half "$half"
resume_case late "$late"
if tr -d '\r' <"$tmp/prefix" | grep -q '^linux-init: start$' && ! grep -q '^DONE' "$tmp/prefix"; then
    pass "late: the snapshot was taken while /init ran"
else
    fail "late: the snapshot at $late was not taken while /init ran"
fi
resume_case half-timer-v1-to-v2 "$half" -plugin-version slavio-timer=^1
resume_case late-timer-v1-to-v2 "$late" -plugin-version slavio-timer=^1
if "$tessera_snap" info "$tmp/late-timer-v1-to-v2.tsnap" | grep -q 'slavio-timer 1\..*schema slavio-timer v1,'; then
    pass "late-timer-v1-to-v2: the snapshot holds the 1.x timer's state v1"
else
    fail "late-timer-v1-to-v2: the snapshot does not hold slavio-timer 1.x state v1"
    "$tessera_snap" info "$tmp/late-timer-v1-to-v2.tsnap"
fi
verdict
