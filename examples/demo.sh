#!/usr/bin/env bash
# make demo: the main job on bundled examples. Assembles and runs small
# programs in the interpreter and the JIT, shows the verifier refusing an
# unsafe one, then loads a clang-compiled XDP firewall, verifies it and runs
# it over a few packets.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
bpfrt="$build/bpfrt"
[ -x "$bpfrt" ] || { echo "demo: $bpfrt not built (run make)"; exit 1; }

. "$here/demo_lib.sh"

step "Assemble LLVM-syntax assembly to bytecode: examples/asm/factorial.s"
"$bpfrt" asm "$here/asm/factorial.s"
step "Disassemble it back, bpftool style"
"$bpfrt" asm "$here/asm/factorial.s" -o "$build/factorial.bin"
"$bpfrt" disasm "$build/factorial.bin"
step "Run it in the interpreter: 20! (expect 2432902008176640000)"
"$bpfrt" run "$here/asm/factorial.s"
step "bpf-to-bpf calls: Fibonacci(25) (expect 75025)"
"$bpfrt" run "$here/asm/fib_calls.s"
step "Trace the first instructions of a run"
first 20 "$bpfrt" run "$here/asm/count_bytes.conf" --mem "2a 00 2a 01" --trace
step "Conformance syntax over input memory: count 0x2a bytes (expect 3)"
"$bpfrt" run "$here/asm/count_bytes.conf" --mem "2a 00 2a 01 02 2a ff"
step "Internet checksum of an IPv4 header with a valid checksum (expect 0)"
"$bpfrt" run "$here/asm/ipv4_checksum.s" --mem "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7"
step "Timing: 100000 runs in-process, interpreted"
"$bpfrt" run "$here/asm/factorial.s" --repeat 100000
step "The same, JIT-compiled to x86-64"
"$bpfrt" run "$here/asm/factorial.s" --repeat 100000 --jit
step "The verifier refuses an XDP program that reads the packet unchecked (Linux's log)"
"$bpfrt" verify "$here/asm/unsafe_packet_read.s" --type xdp || true

if [ -x "$here/xdp_demo.sh" ]; then
    bash "$here/xdp_demo.sh" "$build"
fi
