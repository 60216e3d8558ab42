#!/usr/bin/env bash
# make bench: builds and runs the CPU benchmarks (native C; the JIT trusted, checked
# and verified; the interpreter; uBPF's JIT and interpreter; the verified
# column over the benchmarks' twins in bench/twins, which the verifier
# accepts; compile times over the benchmark programs and the corpora), then
# the map benchmarks when built,
# then the verifier on a real-world corpus (BPFRT_REAL_CORPUS) beside the kernel.
#   bash bench/run.sh BUILD_DIR SHARED_DIR
# BENCH_MIN_TIME (seconds per measurement, default 0.25) trades time for noise;
# BENCH_UBPF_DIR (default BUILD/ubpf) is a uBPF you built yourself from its
# own sources, measured beside bpfrt when it holds libubpf.a and ubpf.h (the
# project never fetches or builds it); BENCH_UBPF=0 leaves uBPF out; BENCH_CORPUS (default /tmp/ebpf-samples when
# present) is a directory of further objects for the compile-time figure.
set -euo pipefail
BUILD=${1:-build}
SHARED=${2:-../shared}
if [ ! -f "$SHARED/bench/Makefile" ]; then
    echo "bench: $SHARED/bench not found (give the shared/ directory)" >&2
    exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
ubpf=""
if [ "${BENCH_UBPF:-1}" != 0 ]; then
    dir=${BENCH_UBPF_DIR:-$BUILD/ubpf}
    if [ -f "$dir/libubpf.a" ]; then
        ubpf=$(cd "$dir" && pwd)
    else
        echo "bench: no uBPF build in $dir (libubpf.a and ubpf.h; BENCH_UBPF_DIR): its columns stay empty" >&2
    fi
fi
cmake -S "$here/.." -B "$BUILD" -DBPFRT_UBPF_DIR="$ubpf" >/dev/null
cmake --build "$BUILD" --target bench_cpu -- -s
corpus=()
[ -d "$BUILD/progs/v3" ] && corpus+=(--corpus tests/progs "$BUILD/progs/v3" verified)
extra=${BENCH_CORPUS:-/tmp/ebpf-samples}
[ -d "$extra" ] && corpus+=(--corpus "$(basename "$extra")" "$extra" checked)
echo
"$BUILD/bench_cpu" "$BUILD/bench-out" "$SHARED" --min-time "${BENCH_MIN_TIME:-0.25}" "${corpus[@]}"
if [ -x "$BUILD/bench_maps" ]; then
    echo
    "$BUILD/bench_maps"
fi
echo
# The verifier on real-world objects beside the kernel (bench/verifier_corpus.c);
# it skips, saying so, without BPFRT_REAL_CORPUS.
cmake --build "$BUILD" --target bench_verifier -- -s
BPFRT_BUILD="$BUILD" "$BUILD/bench_verifier" || [ $? -eq 77 ]
