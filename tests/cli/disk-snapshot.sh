#!/bin/sh
# Disks in snapshots, on the real command line (docs/snapshots.md, Disks): a snapshot
# of a machine with a writable image is refused, in one line naming the target and
# the image, once the image changed, and loads with -loadvm-force-disk; one taken
# under -snapshot is refused without it; the -snapshot image is never written.
# (The guest writing a block and getting it back is test-device-esp's.)
# Usage: disk-snapshot.sh TESSERA PROGRAM.bin
set -u
tessera=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$tmp/err" ] && cat "$tmp/err"; }

head -c 1048576 /dev/zero > "$tmp/disk.img"
run() { "$tessera" -M ss5 -nographic -bios "$prog" -serial "file:$tmp/out" "$@" < /dev/null 2> "$tmp/err"; }

# A writable image: saved, changed, refused; forced, loaded.
if run -drive "file=$tmp/disk.img,if=scsi,index=0" -savevm-at "2000,$tmp/w.tsnap"; then
    ok "save with a writable image"
else
    bad "save with a writable image"
fi
run -loadvm "$tmp/w.tsnap" -drive "file=$tmp/disk.img,if=scsi,index=0" &&
    ok "unchanged image loads" || bad "unchanged image loads"
printf 'X' | dd of="$tmp/disk.img" bs=1 seek=4096 conv=notrunc status=none
if run -loadvm "$tmp/w.tsnap" -drive "file=$tmp/disk.img,if=scsi,index=0"; then
    bad "changed image refused"
elif [ "$(grep -c . "$tmp/err")" -eq 1 ] && grep -q "target 0 ($tmp/disk.img): the image changed since the snapshot: its content differs" "$tmp/err"; then
    ok "changed image refused in one line naming it"
else
    bad "changed image refused in one line naming it"
fi
run -loadvm "$tmp/w.tsnap" -loadvm-force-disk -drive "file=$tmp/disk.img,if=scsi,index=0" &&
    ok "-loadvm-force-disk loads it" || bad "-loadvm-force-disk loads it"

# Under -snapshot: the image stays, and the snapshot needs -snapshot to load.
sum=$(cksum < "$tmp/disk.img")
run -drive "file=$tmp/disk.img,if=scsi,index=0,snapshot=on" -savevm-at "2000,$tmp/s.tsnap" &&
    ok "save under snapshot=on" || bad "save under snapshot=on"
run -loadvm "$tmp/s.tsnap" -snapshot -drive "file=$tmp/disk.img,if=scsi,index=0" &&
    ok "loads under -snapshot" || bad "loads under -snapshot"
if run -loadvm "$tmp/s.tsnap" -drive "file=$tmp/disk.img,if=scsi,index=0"; then
    bad "refused without -snapshot"
elif grep -q "the snapshot was taken with -snapshot, this machine runs without it" "$tmp/err"; then
    ok "refused without -snapshot"
else
    bad "refused without -snapshot"
fi
[ "$(cksum < "$tmp/disk.img")" = "$sum" ] && ok "-snapshot image unchanged" ||
    bad "-snapshot image unchanged"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
