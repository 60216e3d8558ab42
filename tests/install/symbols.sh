#!/usr/bin/env bash
# Every symbol a bpfrt library defines for others starts with bpfrt_ (the
# ELF loader once exported elf_parse, obj_load, ...): the static archive's
# global symbols and the shared library's dynamic ones (less the _init/_fini
# every shared object has).
# Usage: symbols.sh libbpfrt.a [libbpfrt.so]
set -euo pipefail
bad=$(nm -g --defined-only "$1" | awk 'NF == 3 && $3 !~ /^bpfrt_/ {print $3}' | sort -u)
if [ $# -ge 2 ]; then
    bad+=$(nm -D --defined-only "$2" | awk 'NF == 3 && $3 !~ /^(bpfrt_|_init$|_fini$)/ {print " " $3}' | sort -u)
fi
if [ -n "$bad" ]; then
    echo "symbols without the bpfrt_ prefix:" $bad
    exit 1
fi
echo "exported symbols: all start with bpfrt_"
