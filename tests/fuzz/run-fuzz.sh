#!/bin/sh
# Build one libFuzzer target with clang (libFuzzer + ASan + UBSan) straight from
# its sources and run it for a bounded time on a copy of its seed corpus. Exit 77
# (skipped) only when clang cannot build a libFuzzer target at all; the target
# itself failing to build, or any finding, is a failure.
#   run-fuzz.sh WORK_DIR SECONDS CORPUS_DIR [LIBFUZZER_OPTION...] -- CLANG_ARGS...
# CLANG_ARGS are the target's sources (meson's lists, so they cannot drift), -I
# and -D flags. A finding leaves the input in WORK_DIR/crash-* (timeout-*, oom-*,
# leak-*): copy it to the target's regressions directory, where the replay test
# of the ordinary build runs it for ever after.
set -eu
work=$1
secs=$2
corpus=$3
shift 3
opts=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    opts="$opts $1"
    shift
done
[ $# -gt 0 ] && shift
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
flags=$(pkg-config --cflags glib-2.0 gmodule-2.0 json-glib-1.0 libzstd slirp)
libs=$(pkg-config --libs glib-2.0 gmodule-2.0 json-glib-1.0 libzstd slirp)
exe=$work/fuzz
# shellcheck disable=SC2086
"$clang" -std=gnu11 -g -O1 $sanitize -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
    $flags -o "$exe" "$@" $libs -ldl
cp "$corpus"/* "$work/corpus/"
rm -f "$work/corpus/README"
cd "$work"
# shellcheck disable=SC2086
exec "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/" $opts "$work/corpus"
