#!/usr/bin/env bash
# Installs the build into a scratch prefix and builds examples/embed.c against
# it the way a user would (pkg-config), then runs it on the XDP firewall.
# Usage: check.sh BUILD_DIR SOURCE_DIR CC
set -euo pipefail
build=$1 src=$2 cc=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs bpfrt)
for h in "$prefix"/include/bpfrt/*.h; do  # every public header stands alone
    echo "#include <bpfrt/$(basename "$h")>" | "$cc" -std=c11 -Wall -Wextra -Werror -I"$prefix/include" -x c -c - -o /dev/null
done
"$cc" -std=c11 -Wall -Wextra -Werror "$src/examples/embed.c" $flags -o "$prefix/embed"
"$prefix/embed" "$build/examples/xdp_firewall.o"
test -x "$prefix/bin/bpfrt" && "$prefix/bin/bpfrt" --version
