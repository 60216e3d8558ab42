#!/bin/bash
# Builds the real-world corpora test_loader_realworld compares with Linux
# (docs/loader.md): bcc's libbpf-tools and libbpf-bootstrap's examples,
# each .bpf.c with clang 14 and clang 19, from checkouts given on the
# command line. Nothing here is committed: the sources are other projects'.
#
#   tools/realworld/build_corpora.sh OUT BCC_DIR BOOTSTRAP_DIR VMLINUX_H
#
# OUT/out14, OUT/out19: libbpf-tools (BCC_DIR/libbpf-tools, its x86 vmlinux.h)
# OUT/libbpf-bootstrap:  NAME.14.bpf.o, NAME.19.bpf.o from BOOTSTRAP_DIR/examples
#                        (VMLINUX_H: libbpf/vmlinux.h's include/x86_64/vmlinux.h;
#                        libbpf's headers from libbpf-dev)
# Then: BPFRT_REAL_CORPUS=OUT/out14 build/test_loader_realworld (and so on).
set -u
out=${1:?OUT} bcc=${2:?BCC_DIR} boot=${3:?BOOTSTRAP_DIR} vmlinux=${4:?VMLINUX_H}
compilers=(14:clang 19:clang-19)
fail=0
build() { # version compiler source object include-dirs...
    local v=$1 cc=$2 src=$3 obj=$4
    shift 4
    "$cc" -g -O2 -target bpf -D__TARGET_ARCH_x86 "$@" -c "$src" -o "$obj" 2>"$obj.err" ||
        { echo "cannot build $src with $cc (see $obj.err)"; fail=1; }
}
for vc in "${compilers[@]}"; do
    v=${vc%%:*} cc=${vc#*:}
    command -v "$cc" >/dev/null || { echo "no $cc: skipping clang $v"; continue; }
    mkdir -p "$out/out$v"
    for f in "$bcc"/libbpf-tools/*.bpf.c; do
        n=$(basename "$f" .bpf.c)
        build "$v" "$cc" "$f" "$out/out$v/$n.bpf.o" -I "$bcc/libbpf-tools/x86" -I "$bcc/libbpf-tools"
    done
done
inc=$(mktemp -d)
cp "$vmlinux" "$inc/vmlinux.h"
mkdir -p "$out/libbpf-bootstrap"
for f in $(find "$boot/examples" -name '*.bpf.c' | sort); do
    n=$(basename "$f" .bpf.c)
    case "$f" in */rust/*) n=rust_$n ;; esac
    for vc in "${compilers[@]}"; do
        v=${vc%%:*} cc=${vc#*:}
        command -v "$cc" >/dev/null || continue
        build "$v" "$cc" "$f" "$out/libbpf-bootstrap/$n.$v.bpf.o" -I "$inc" -I "$(dirname "$f")" \
            -I "/usr/include/$(uname -m)-linux-gnu"
    done
done
rm -rf "$inc"
find "$out" -name '*.err' -empty -delete
exit $fail
