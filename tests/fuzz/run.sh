#!/usr/bin/env bash
# Runs libFuzzer targets one after the other and prints a summary (make fuzz).
#   tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
# Each target fuzzes for SECONDS from its working corpus (BUILD_DIR/fuzz-corpus/T,
# kept between runs), the seed corpus (BUILD_DIR/fuzz-seeds/T) and the
# regression inputs (tests/fuzz/regressions/T). New inputs go to the working
# corpus; a crash, sanitizer report, leak or timeout leaves its input in
# BUILD_DIR/fuzz-artifacts/T/ and fails the run. Logs: BUILD_DIR/fuzz-logs/T.log.
# FUZZ_ARGS adds libFuzzer flags (e.g. FUZZ_ARGS=-jobs=2).
set -uo pipefail

build=${1:?usage: run.sh BUILD_DIR SECONDS TARGET...}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS TARGET...}
shift 2
src=$(cd "$(dirname "$0")" && pwd)
# The instrumented edges a correctly built target has, at the least (about
# two thirds of what it had when this was written: asm links the assembler,
# disassembler and validator, 2,300; the others most of the library,
# 35,000-38,000). A binary linked against an uninstrumented library has only
# its harness's few hundred (the loader's, for elf: 3,700), and its cov
# says nothing about the library.
min_edges_for() {
    case $1 in
    asm) echo 1500 ;;
    *) echo 20000 ;;
    esac
}
failed=0
rows=()

for t in "$@"; do
    exe=$build/fuzz_$t
    if [ ! -x "$exe" ]; then
        echo "fuzz: $exe is missing (build the fuzz_targets target)" >&2
        exit 1
    fi
    corpus=$build/fuzz-corpus/$t
    artifacts=$build/fuzz-artifacts/$t
    log=$build/fuzz-logs/$t.log
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    dirs=("$corpus")
    for d in "$build/fuzz-seeds/$t" "$src/regressions/$t"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    dict=()
    [ -f "$src/$t.dict" ] && dict=(-dict="$src/$t.dict")
    echo "fuzz: $t for ${seconds}s (log: $log)"
    # -timeout: every run is budgeted, but a verified load may walk the
    # verifier's million-instruction complexity limit, about 10 s under the
    # sanitizers; beyond 30 s an input counts as a hang.
    # -rss_limit_mb: far above what a target needs, below the machine's RAM.
    # shellcheck disable=SC2086
    "$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${dict[@]}" ${FUZZ_ARGS:-} "${dirs[@]}" >"$log" 2>&1
    rc=$?
    # The last status line ("#N DONE cov: C ft: F corp: K/S ... exec/s: E";
    # with -fork: "#N: cov: C ft: F corp: K exec/s E ...", where libFuzzer counts
    # features as cov), and the final stats.
    status=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
    [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$status")
    [ -n "$eps" ] || eps=$(sed -n 's/.* exec\/s:* \([0-9]*\).*/\1/p' <<<"$status")
    # What the binary has instrumented ("Loaded 1 modules (N inline 8-bit
    # counters)"): a binary linked against an uninstrumented library has
    # only its own few hundred, and its cov says nothing about the library.
    edges=$(sed -n 's/.*(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -n1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$status")
    if [ "${edges:-0}" -lt "$(min_edges_for "$t")" ]; then
        result="FAILED (only ${edges:-0} instrumented edges: library not instrumented or binary stale)"
        failed=1
    elif [ $rc -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc)"
        failed=1
        echo "fuzz: $t failed; the end of its log:" >&2
        grep -E 'ERROR|SUMMARY|Test unit written|runtime error|deadly signal|timeout' "$log" | head -n 20 >&2
    fi
    rows+=("$(printf '%-6s %8s %10s %8s %7s %7s %7s %7s  %s' "$t" "${seconds}s" "${runs:-?}" "${eps:-?}" \
        "${cov:-?}" "${edges:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done

echo
printf '%-6s %8s %10s %8s %7s %7s %7s %7s  %s\n' target time runs exec/s cov edges ft corpus result
for r in "${rows[@]}"; do
    echo "$r"
done
exit $failed
