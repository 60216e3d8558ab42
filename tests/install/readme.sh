#!/usr/bin/env bash
# The README's examples, pasted: every "$ " command of its ```sh blocks (with
# its "> " and "\" continuation lines) runs, in order and in one shell, from
# a scratch directory that sees the repository's examples/ and tests/ and
# the build as build/. Each must succeed and print the lines the README
# shows under it; lines with "..." stand for output not shown, and a
# duration may differ.
# Usage: readme.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$(cd "$build" && pwd)" "$work/build"
ln -s "$src/examples" "$work/examples"
ln -s "$src/tests" "$work/tests"
mkdir "$work/.readme"

# README -> .readme/cmd.N (the command) and .readme/exp.N (what it prints)
n=$(awk -v d="$work/.readme" '
    /^```sh/ { sh = 1; next }
    /^```/   { sh = 0; cont = 0; next }
    !sh      { next }
    /^\$ /   { n++; line = substr($0, 3); print line > (d "/cmd." n); cont = (line ~ /\\$/) ? 2 : 1; next }
    cont && /^> / { print substr($0, 3) >> (d "/cmd." n); next }
    cont == 2 { print $0 >> (d "/cmd." n); cont = ($0 ~ /\\$/) ? 2 : 1; next }
    n        { cont = 0; print $0 >> (d "/exp." n) }
    END      { print n + 0 }' "$src/README.md")
[ "$n" -gt 0 ] || { echo "no \$ commands in README.md"; exit 1; }

cd "$work"
fail=0
for i in $(seq 1 "$n"); do
    cmd=$(cat ".readme/cmd.$i")
    if ! eval "$cmd" > ".readme/out.$i" 2>&1; then
        echo "README command failed: $cmd"; cat ".readme/out.$i"; fail=1; continue
    fi
    [ -f ".readme/exp.$i" ] || continue
    while IFS= read -r want; do
        [ -z "${want// }" ] && continue
        case $want in *...*) continue ;; esac
        if [[ $want =~ ^(.*duration[^:]*: )[0-9]+ns ]]; then want=${BASH_REMATCH[1]}; fi
        if ! grep -qF -- "$want" ".readme/out.$i"; then
            echo "README command: $cmd"; echo "  shows:   $want"; echo "  printed:"; sed 's/^/    /' ".readme/out.$i"
            fail=1
        fi
    done < ".readme/exp.$i"
done
[ $fail -eq 0 ] && echo "README: $n commands ran as shown"
exit $fail
