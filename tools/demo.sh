#!/bin/sh
# make demo: run the default machine (the SPARCstation 5).
# With every SS-5 device plugin present it boots OpenBIOS on the terminal
# (Ctrl-A x quits). While the machine is still incomplete it runs the bare-metal
# demo program from tests/guest instead, and says what the firmware boot lacks.
set -eu
build=${1:-build}
tessera="$build/core/tessera"

if "$tessera" --list-machines | grep -A1 '^ss5 ' | grep -q 'complete$'; then
    echo "Booting OpenBIOS on the SPARCstation 5 (Ctrl-A c: monitor, Ctrl-A x: quit)."
    exec "$tessera" -M ss5 -nographic
fi

echo "The ss5 machine is not complete yet:"
"$tessera" --list-machines | grep -A1 '^ss5 ' | tail -n 1
hello="$build/tests/guest/hello.elf"
if [ ! -f "$hello" ]; then
    echo "and the guest demo program was not built (needs sparc64-linux-gnu-gcc)." >&2
    exit 1
fi
echo "Running the bare-metal demo program instead: $tessera -M ss5 -nographic -bios $hello"
exec "$tessera" -M ss5 -nographic -bios "$hello"
