#!/usr/bin/env bash
# Symbols: every global the library defines starts with bpfrt_, and a shared
# object linked from it exports only names the public headers declare (the
# library is built -fvisibility=hidden; include/bpfrt/*.h mark the API
# default). Usage: check.sh SOURCE_DIR LIBBPFRT_A WORK_DIR [CC]
set -euo pipefail
src=$1 lib=$2 work=$3 cc=${4:-cc}
rm -rf "$work" && mkdir -p "$work"
passed=0 failed=0
bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | grep -v '^bpfrt_' | sort -u || true)
if [ -n "$bad" ]; then
    echo "FAIL: globals without the bpfrt_ prefix:"; echo "$bad" | sed 's/^/    /'
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
"$cc" -shared -o "$work/libprobe.so" -Wl,--whole-archive "$lib" -Wl,--no-whole-archive -lpthread
nm -D --defined-only "$work/libprobe.so" | awk 'NF == 3 && $2 ~ /[TDBR]/ { print $3 }' | sort -u > "$work/exported"
cat "$src"/include/bpfrt/*.h | grep -o '\bbpfrt_[A-Za-z0-9_]*' | sort -u > "$work/declared"
extra=$(comm -23 "$work/exported" "$work/declared")
if [ -n "$extra" ]; then
    echo "FAIL: exported but not declared in include/bpfrt/:"; echo "$extra" | sed 's/^/    /'
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
# Internal helpers must stay hidden (a sample the core uses everywhere).
for sym in bpfrt_zalloc bpfrt_free bpfrt_snprintf bpfrt_isa_decode; do
    if grep -qx "$sym" "$work/exported"; then
        echo "FAIL: internal $sym is exported"; failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "$(wc -l < "$work/exported") symbols exported"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
