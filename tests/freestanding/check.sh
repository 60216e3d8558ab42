#!/usr/bin/env bash
# Freestanding check: the core must build with only the compiler's own
# headers (-nostdinc, so no libc header can sneak in), -ffreestanding
# -nostdlib, and link into one relocatable object whose only undefined
# symbols are memcpy/memmove/memset/memcmp (which compilers may emit and
# every kernel provides). Usage: check.sh SOURCE_DIR WORK_DIR [CC]
set -euo pipefail
src=$1
work=$2
cc=${3:-cc}
rm -rf "$work" && mkdir -p "$work"
compiler_inc=$("$cc" -print-file-name=include)
# GCC's own limits.h chains to libc's through include_next unless
# _LIBC_LIMITS_H_ says there is none; it defines every macro itself.
flags=(-D_LIBC_LIMITS_H_ -std=gnu11 -O2 -ffreestanding -nostdlib -nostdinc -isystem "$compiler_inc"
       -fno-stack-protector -fno-pic -mno-red-zone -Wall -Wextra -Werror -Wno-unused-parameter
       -I"$src/include" -I"$src/src")
n=0
fail=0
while IFS= read -r -d '' f; do
    obj="$work/$(echo "${f#$src/}" | tr '/' '_').o"
    if ! "$cc" "${flags[@]}" -c "$f" -o "$obj" 2>"$work/err.txt"; then
        echo "FAIL: $f does not build freestanding:"
        sed 's/^/    /' "$work/err.txt" | head -20
        fail=$((fail + 1))
    fi
    n=$((n + 1))
done < <(find "$src/src/core" -name '*.c' -print0 | sort -z)
if [ "$fail" -ne 0 ]; then
    echo "0 passed, $fail failed"
    exit 1
fi
ld -r -o "$work/core.o" "$work"/*.o
undef=$(nm -u "$work/core.o" | awk '{print $2}' | grep -v -x -E 'memcpy|memmove|memset|memcmp' || true)
if [ -n "$undef" ]; then
    echo "FAIL: the core references symbols outside itself and the platform interface:"
    echo "$undef" | sed 's/^/    /'
    echo "0 passed, 1 failed"
    exit 1
fi
echo "freestanding: $n core files build with -ffreestanding -nostdlib -nostdinc; no foreign symbols"
echo "1 passed, 0 failed"
