#!/usr/bin/env bash
# Installs the build into a scratch prefix and uses it the way a user would:
# every public header compiles alone, <bpfrt/bpf.h> beside <linux/bpf.h> in
# either order, the shared library carries its soname, and examples/embed.c
# builds and runs on the XDP firewall three ways - pkg-config (shared),
# find_package(bpfrt) with bpfrt::bpfrt (shared) and bpfrt::bpfrt_static.
# Usage: check.sh BUILD_DIR SOURCE_DIR CC
set -euo pipefail
build=$1 src=$2 cc=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(ls -d "$prefix"/lib*/ | head -n 1)
libdir=${libdir%/}
strict=(-std=c11 -Wall -Wextra -Werror -I"$prefix/include")

for h in "$prefix"/include/bpfrt/*.h; do  # every public header stands alone
    echo "#include <bpfrt/$(basename "$h")>" | "$cc" "${strict[@]}" -x c -c - -o /dev/null
done
if [ -r /usr/include/linux/bpf.h ]; then  # the same attrs work with bpf(2)
    for first in "linux/bpf.h" "bpfrt/bpf.h"; do
        second=$([ "$first" = linux/bpf.h ] && echo bpfrt/bpf.h || echo linux/bpf.h)
        printf '#include <%s>\n#include <%s>\nint f(void);\nint f(void) { union bpf_attr a = {0}; return (int)a.map_type + BPF_MAP_CREATE; }\n' \
            "$first" "$second" | "$cc" "${strict[@]}" -x c -c - -o /dev/null
    done
    echo "headers: <bpfrt/bpf.h> and <linux/bpf.h> together, either order"
fi

soname=$(readelf -d "$libdir/libbpfrt.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libbpfrt.so.0 ] || { echo "libbpfrt.so: soname '$soname', expected libbpfrt.so.0"; exit 1; }
test -f "$libdir/libbpfrt.a"
echo "libraries: libbpfrt.a, libbpfrt.so ($soname)"

export PKG_CONFIG_PATH="$libdir/pkgconfig"
flags=$(pkg-config --cflags --libs bpfrt)
"$cc" "${strict[@]}" "$src/examples/embed.c" $flags -o "$prefix/embed"
LD_LIBRARY_PATH="$libdir" "$prefix/embed" "$build/examples/xdp_firewall.o"

# A CMake user: find_package(bpfrt) and the imported targets.
mkdir -p "$prefix/user"
cat > "$prefix/user/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.20)
project(bpfrt_user C)
find_package(bpfrt 0.1 REQUIRED)
add_executable(embed_shared "$src/examples/embed.c")
target_link_libraries(embed_shared bpfrt::bpfrt)
add_executable(embed_static "$src/examples/embed.c")
target_link_libraries(embed_static bpfrt::bpfrt_static)
EOF
cmake -S "$prefix/user" -B "$prefix/user/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$prefix/user/build" >/dev/null
LD_LIBRARY_PATH="$libdir" "$prefix/user/build/embed_shared" "$build/examples/xdp_firewall.o"
"$prefix/user/build/embed_static" "$build/examples/xdp_firewall.o"
if ldd "$prefix/user/build/embed_static" | grep -q libbpfrt; then
    echo "embed_static: linked against the shared library"; exit 1
fi
echo "find_package(bpfrt): bpfrt::bpfrt and bpfrt::bpfrt_static build and run"
test -x "$prefix/bin/bpfrt" && "$prefix/bin/bpfrt" --version
echo "install check: all passed"
