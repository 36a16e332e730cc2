#!/bin/sh
# Build guest programs without meson: build.sh OUTDIR [PROGRAM.c|PROGRAM.S ...]
# (default: every program in tests/guest).  Produces OUTDIR/NAME.elf and
# OUTDIR/NAME.bin (raw PROM image for -bios).  Used by run-qemu.sh and bench/.
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=$1
shift
[ -n "$out" ] || { echo "usage: $0 OUTDIR [sources...]" >&2; exit 2; }
mkdir -p "$out"
CC=${GUEST_CC:-sparc64-linux-gnu-gcc}
OBJCOPY=${GUEST_OBJCOPY:-sparc64-linux-gnu-objcopy}
CFLAGS="-m32 -mcpu=v8 -fno-pic -no-pie -ffreestanding -nostdlib -O2 -Wall -I$here"
LDFLAGS="-Wl,-T,$here/link.ld -Wl,--build-id=none -Wl,-n -static"
if [ $# -eq 0 ]; then
	set -- $(cd "$here" && ls *.c *.S | grep -v -e '^lib\.c$' -e '^crt0\.S$')
	set -- $(for f in "$@"; do echo "$here/$f"; done)
fi
for src in "$@"; do
	[ -f "$src" ] || src=$here/$src
	name=$(basename "$src"); name=${name%.*}
	$CC $CFLAGS $LDFLAGS -o "$out/$name.elf" "$here/crt0.S" "$here/lib.c" "$src"
	$OBJCOPY -O binary "$out/$name.elf" "$out/$name.bin"
done
