#!/bin/sh
# Build the .tsnap loader fuzz target with clang (libFuzzer + ASan) straight from the
# sources and run it for a bounded time. Exit 77 (skipped) without a usable clang.
#   run-fuzz.sh SOURCE_ROOT WORK_DIR SECONDS
# A crash leaves the input in WORK_DIR/crash-*; copy it to tests/fuzz/regressions/
# so that the migration-corrupt test replays it forever after.
set -eu
src=$1
work=$2
secs=$3
clang=${CLANG:-clang}
command -v "$clang" >/dev/null 2>&1 || { echo "no clang: skipped"; exit 77; }
mkdir -p "$work/corpus"
mig=$src/plugins/migration
flags=$(pkg-config --cflags glib-2.0 json-glib-1.0 libzstd)
libs=$(pkg-config --libs glib-2.0 json-glib-1.0 libzstd)
exe=$work/fuzz-tsnap-load
# shellcheck disable=SC2086
if ! "$clang" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
        -I"$src/abi" -I"$mig" $flags -o "$exe" "$src/tests/fuzz/fuzz_tsnap_load.c" \
        "$mig/atomic.c" "$mig/compress.c" "$mig/crc32c.c" "$mig/diff.c" "$mig/dump.c" \
        "$mig/format_read.c" "$mig/format_write.c" "$mig/layout.c" "$mig/manifest.c" \
        "$mig/progress.c" "$mig/record.c" "$mig/wire.c" $libs 2>"$work/build.log"; then
    cat "$work/build.log"
    echo "clang cannot build a libFuzzer target here: skipped"
    exit 77
fi
cp "$src"/tests/fuzz/corpus/* "$work/corpus/" 2>/dev/null || true
cd "$work"
exec "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus"
