#!/usr/bin/env bash
# Fetches and builds uBPF (github.com/iovisor/ubpf) beside the project for
# `make bench`, which measures its JIT and interpreter on the same programs.
# Never part of the project: it lands in the build tree (DIR/src, DIR/libubpf.a),
# is never committed, and its code is only linked into bench_cpu.
#   bash bench/ubpf.sh DIR
# UBPF_REPO (default: this machine's mirror when present, else GitHub) and
# UBPF_REF (default: the repository's HEAD) choose what is built.
set -euo pipefail
DIR=${1:?usage: ubpf.sh DIR}
if [ -z "${UBPF_REPO:-}" ]; then
    UBPF_REPO=https://github.com/iovisor/ubpf
    for m in /work/.mirror/iovisor+ubpf/repo /work/.mirror/iovisor+ubpf; do
        if [ -d "$m/objects" ] || [ -d "$m/.git" ]; then UBPF_REPO=$m; break; fi
    done
fi
mkdir -p "$DIR"
if [ ! -d "$DIR/src/vm" ]; then
    rm -rf "$DIR/src"
    git clone -q ${UBPF_REF:+--no-checkout} "$UBPF_REPO" "$DIR/src" >&2
    if [ -n "${UBPF_REF:-}" ]; then git -C "$DIR/src" checkout -q "$UBPF_REF"; fi
fi
if [ ! -f "$DIR/libubpf.a" ] || [ "$DIR/src/vm/ubpf_jit_x86_64.c" -nt "$DIR/libubpf.a" ]; then
    # what uBPF's CMake configures on Linux (ubpf_config.h.inc): elf.h is there
    printf '#pragma once\n#define UBPF_HAS_ELF_H\n' >"$DIR/ubpf_config.h"
    objs=()
    for f in ubpf_vm ubpf_jit ubpf_jit_x86_64 ubpf_jit_support ubpf_loader ubpf_instruction_valid ubpf_safe; do
        [ -f "$DIR/src/vm/$f.c" ] || continue
        ${CC:-gcc} -O2 -w -c "$DIR/src/vm/$f.c" -I"$DIR/src/vm" -I"$DIR/src/vm/inc" -I"$DIR" -o "$DIR/$f.o"
        objs+=("$DIR/$f.o")
    done
    rm -f "$DIR/libubpf.a"
    ar rcs "$DIR/libubpf.a" "${objs[@]}"
fi
echo "uBPF $(git -C "$DIR/src" log -1 --format='%h %cs') built in $DIR" >&2
