#!/usr/bin/env bash
# The XDP firewall demo (called by examples/demo.sh): a clang-compiled,
# libbpf-style object loaded and run by bpfrt without root or a kernel.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
bpfrt="$build/bpfrt"
obj="$build/examples/xdp_firewall.o"
if [ ! -f "$obj" ]; then
    mkdir -p "$build/examples"
    if ! clang -O2 -g -target bpf -mcpu=v3 -I "$here/../tests/progs/include" \
        -c "$here/xdp_firewall.bpf.c" -o "$obj" 2>/dev/null; then
        echo "xdp demo: skipped (clang cannot build BPF objects here)"
        exit 0
    fi
fi
. "$here/demo_lib.sh"

# Ethernet + IPv4 + TCP/UDP frames as hex (192.168.1.1 -> 192.168.1.2 unless noted)
eth="02 00 00 00 00 01 02 00 00 00 00 02 08 00"
tcp_ssh="$eth 45 00 00 28 00 00 40 00 40 06 00 00 c0 a8 01 01 c0 a8 01 02 0f a0 00 16 00 00 00 00 00 00 00 00 50 02 00 00 00 00 00 00"
tcp_http="$eth 45 00 00 28 00 00 40 00 40 06 00 00 c0 a8 01 01 c0 a8 01 02 0f a0 00 50 00 00 00 00 00 00 00 00 50 02 00 00 00 00 00 00"
udp_dns_blocked="$eth 45 00 00 1c 00 00 40 00 40 11 00 00 0a 01 02 03 c0 a8 01 02 0f a0 00 35 00 08 00 00"
rules=(--map-set port_rules u8:6,u8:0,u16:22=1            # TCP/22 -> XDP_DROP
       --map-set blocked_nets u32:8,ip:10.0.0.0=1)         # 10.0.0.0/8 blocked

step "What the object holds: bpfrt obj show $obj"
"$bpfrt" obj show "$obj"
step "Disassembly with the C source lines (first 25 lines)"
first 25 "$bpfrt" disasm "$obj"
step "Verify it as Linux 6.18 would (prog load and prog run do this first; the log's last lines)"
"$bpfrt" verify "$obj" | tail -n 2
step "TCP to port 22 (rule: drop) -> expect Return value: 1 (XDP_DROP)"
"$bpfrt" prog run "$obj" --data "$tcp_ssh" "${rules[@]}"
step "TCP to port 80 (no rule) -> expect 2 (XDP_PASS), averaged over 100000 runs"
"$bpfrt" prog run "$obj" --data "$tcp_http" "${rules[@]}" --repeat 100000
step "The same, JIT-compiled (verified: no run-time checks)"
"$bpfrt" prog run "$obj" --data "$tcp_http" "${rules[@]}" --repeat 100000 --jit
step "UDP from 10.1.2.3 (blocked prefix) -> expect 1, then every map's contents"
"$bpfrt" prog run "$obj" --data "$udp_dns_blocked" "${rules[@]}" --dump-maps
step "The same port-80 packet with the .rodata knob default_action set to XDP_DROP before load"
"$bpfrt" prog run "$obj" --data "$tcp_http" --rodata default_action=1
step "JSON output"
"$bpfrt" prog run "$obj" --data "$tcp_ssh" "${rules[@]}" -j
