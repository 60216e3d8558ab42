#!/usr/bin/env bash
# Installs the Debian packages bpfrt needs to build and test. As root it runs
# apt-get; otherwise it prints the exact command and fails if something is missing.
# With the argument "fuzz" (make fuzz) it also makes sure clang can link
# libFuzzer (-fsanitize=fuzzer).
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }

have_cmd cmake        || need+=(cmake)
have_cmd make         || need+=(make)
have_cmd gcc          || need+=(gcc)
have_cmd clang        || need+=(clang)  # clang 14: compiles the BPF corpus (-mcpu=v1..v3)
have_cmd llvm-objcopy || need+=(llvm)   # bench: raw .text of the benchmark objects

# libFuzzer's runtime ships apart from clang on Debian: libclang-rt-N-dev
# (Debian 12 and later), libclang-common-N-dev before. Probed by linking.
want_fuzz=0
fuzz_links() {
    local dir; dir=$(mktemp -d)
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' >"$dir/f.c"
    clang -fsanitize=fuzzer,address,undefined "$dir/f.c" -o "$dir/f" >/dev/null 2>&1
    local rc=$?
    rm -rf "$dir"
    return $rc
}
if [ "${1:-}" = fuzz ] && { ! have_cmd clang || ! fuzz_links; }; then
    want_fuzz=1
fi
# Whether the package sources offer package $1. The answer is read whole
# before it is matched, with no pipeline: under pipefail `apt-cache ... |
# grep -q` fails whenever grep exits early and apt-cache dies of SIGPIPE.
offered() {
    local policy
    policy=$(apt-cache policy "$1" 2>/dev/null || true)
    [[ $policy == *"Candidate: "[0-9]* ]]
}
fuzz_packages() {
    local version major=14
    version=$(clang --version 2>/dev/null || true)
    [[ $version =~ clang\ version\ ([0-9]+) ]] && major=${BASH_REMATCH[1]}
    for p in "libclang-rt-$major-dev" "libclang-common-$major-dev"; do
        if offered "$p"; then
            echo "$p"
            return
        fi
    done
    echo "libclang-rt-$major-dev"
}

# clang-19 compiles the corpus with -mcpu=v4 (clang 14 has no v4). Installed
# when the package sources offer it; without it the v4 builds are skipped.
want_clang19=0
have_cmd clang-19 || want_clang19=1

[ ${#need[@]} -eq 0 ] && [ $want_clang19 -eq 0 ] && [ $want_fuzz -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    [ $want_fuzz -eq 1 ] && need+=("$(fuzz_packages)")
    [ $want_clang19 -eq 1 ] && need+=(clang-19)
    echo "install-deps: missing packages: ${need[*]}"
    echo "run: sudo apt-get update && sudo apt-get install -y ${need[*]}"
    [ ${#need[@]} -eq 1 ] && [ "${need[0]}" = clang-19 ] && exit 0 # optional on its own
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true   # package lists may be stale or absent on a new machine
if [ $want_clang19 -eq 1 ]; then
    if offered clang-19; then
        need+=(clang-19)
    else
        echo "install-deps: WARNING: clang-19 is not offered by the package sources;" \
             "the -mcpu=v4 corpus builds and their tests will be SKIPPED" >&2
    fi
fi
[ $want_fuzz -eq 1 ] && need+=("$(fuzz_packages)")
[ ${#need[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${need[*]}"
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
