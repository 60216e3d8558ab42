#!/usr/bin/env bash
# make bench: builds and runs the CPU benchmarks (JIT trusted and checked, interpreter, beside native C; JIT compile time),
# then the map benchmarks when they are built, then the verifier on a real-world corpus (BPFRT_REAL_CORPUS).
#   bash bench/run.sh BUILD_DIR SHARED_DIR
# BENCH_MIN_TIME (seconds per measurement, default 0.25) trades time for noise.
set -euo pipefail
BUILD=${1:-build}
SHARED=${2:-../shared}
if [ ! -f "$SHARED/bench/Makefile" ]; then
    echo "bench: $SHARED/bench not found (give the shared/ directory)" >&2
    exit 1
fi
cmake --build "$BUILD" --target bench_cpu -- -s
echo
"$BUILD/bench_cpu" "$BUILD/bench-out" "$SHARED" --min-time "${BENCH_MIN_TIME:-0.25}"
if [ -x "$BUILD/bench_maps" ]; then
    echo
    "$BUILD/bench_maps"
fi
echo
# The verifier on real-world objects beside the kernel (bench/verifier_corpus.c);
# it skips, saying so, without BPFRT_REAL_CORPUS.
cmake --build "$BUILD" --target bench_verifier -- -s
BPFRT_BUILD="$BUILD" "$BUILD/bench_verifier" || [ $? -eq 77 ]
