#!/bin/sh
# Build the .tsnap loader fuzz target with clang (libFuzzer + ASan) straight from the
# sources and run it for a bounded time. Exit 77 (skipped) only when clang cannot
# build a libFuzzer target at all; the target itself failing to build is a failure.
#   run-fuzz.sh SOURCE_ROOT WORK_DIR SECONDS MIGRATION_SOURCES...
# The migration sources are meson's tsnap_sources, so the list cannot drift.
# A crash leaves the input in WORK_DIR/crash-*; copy it to tests/fuzz/regressions/
# so that the migration-corrupt test replays it forever after.
set -eu
src=$1
work=$2
secs=$3
shift 3
clang=${CLANG:-clang}
command -v "$clang" >/dev/null 2>&1 || { echo "no clang: skipped"; exit 77; }
mkdir -p "$work/corpus"
sanitize="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
probe=$work/probe.c
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n); int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$probe"
# shellcheck disable=SC2086
if ! "$clang" $sanitize -o "$work/probe" "$probe" 2>"$work/build.log"; then
    cat "$work/build.log"
    echo "clang cannot build a libFuzzer target here: skipped"
    exit 77
fi
mig=$src/plugins/migration
flags=$(pkg-config --cflags glib-2.0 json-glib-1.0 libzstd)
libs=$(pkg-config --libs glib-2.0 json-glib-1.0 libzstd)
exe=$work/fuzz-tsnap-load
# shellcheck disable=SC2086
"$clang" -std=gnu11 -g -O1 $sanitize -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
    -I"$src/abi" -I"$mig" $flags -o "$exe" "$src/tests/fuzz/fuzz_tsnap_load.c" "$@" $libs
cp "$src"/tests/fuzz/corpus/* "$work/corpus/" 2>/dev/null || true
cd "$work"
exec "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus"
