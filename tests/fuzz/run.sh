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
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$status")
    if [ $rc -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc)"
        failed=1
        echo "fuzz: $t failed; the end of its log:" >&2
        grep -E 'ERROR|SUMMARY|Test unit written|runtime error|deadly signal|timeout' "$log" | head -n 20 >&2
    fi
    rows+=("$(printf '%-6s %8s %10s %8s %7s %7s %7s  %s' "$t" "${seconds}s" "${runs:-?}" "${eps:-?}" \
        "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done

echo
printf '%-6s %8s %10s %8s %7s %7s %7s  %s\n' target time runs exec/s cov ft corpus result
for r in "${rows[@]}"; do
    echo "$r"
done
exit $failed
