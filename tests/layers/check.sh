#!/usr/bin/env bash
# Layers inside the core: which src/core folders call (or take the address
# of) which, from the symbols the compiled objects define and use. Prints
# every cross-folder edge with the symbols behind it, then fails when the
# folders form a cycle - except the ownership cycle Linux has too: prog
# arrays (maps) hold programs while programs hold maps, so maps -> prog is
# allowed. Usage: check.sh OBJECT... (the bpfrt_core objects; a file's folder
# is the directory below src/core/, "core" for src/core/*.c).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 OBJECT..." >&2; exit 2; }
allowed="maps prog"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nm -A "$@" | awk '
    {
        i = index($0, ":"); path = substr($0, 1, i - 1); n = split(substr($0, i + 1), w, " ")
        rel = path; sub(/.*src\/core\//, "", rel)
        f = index(rel, "/") ? substr(rel, 1, index(rel, "/") - 1) : "core"
        if (n == 2 && w[1] == "U") print "use", f, w[2]
        else if (n == 3 && w[2] ~ /^[TDBRC]$/) print "def", f, w[3]
    }' > "$work/syms"
awk '$1 == "def" { def[$3] = $2 }
     $1 == "use" { use[++n] = $2 " " $3 }
     END {
         for (i = 1; i <= n; i++) {
             split(use[i], u, " ")
             if ((u[2] in def) && def[u[2]] != u[1])
                 print u[1], def[u[2]], u[2]
         }
     }' "$work/syms" | sort -u > "$work/edges"
echo "cross-folder references in src/core (from -> to: symbols):"
awk '{ k = $1 " -> " $2; s[k] = (k in s) ? s[k] " " $3 : $3 }
     END { for (k in s) print "  " k ": " s[k] }' "$work/edges" | sort
# tsort reports a loop among the remaining edges.
awk -v a="$allowed" 'BEGIN { split(a, p, " ") }
     !($1 == p[1] && $2 == p[2]) { print $1, $2 }' "$work/edges" | sort -u > "$work/graph"
if ! tsort "$work/graph" > "$work/order" 2> "$work/loops"; then
    echo "FAIL: the folders form a call cycle (beyond $allowed: prog arrays hold programs):"
    sed 's/^/    /' "$work/loops"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "layers, lowest first: $(tac "$work/order" | tr '\n' ' ')"
echo "1 passed, 0 failed"
