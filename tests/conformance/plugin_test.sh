#!/usr/bin/env bash
# Drives bpfrt_conformance_plugin exactly as bpf_conformance_runner does:
# memory as argv[1] ("01  02  "), program bytes as hex on stdin, r0 printed
# with %llx on success, a message and a non-zero exit on failure.
set -u
PLUGIN=${1:?usage: plugin_test.sh PLUGIN}
passed=0
failed=0

# hexprog WORD...: 64-bit little-endian instruction words -> "b7  00  ..." bytes
hexprog() {
    local out="" w i
    for w in "$@"; do
        for i in 0 1 2 3 4 5 6 7; do
            out+=$(printf '%02x  ' $(( (w >> (8 * i)) & 0xff )))
        done
    done
    printf '%s' "$out"
}

# expect NAME WANT_RC WANT_OUTPUT MEM PROGRAM [MATCH=exact|prefix]
expect() {
    local name=$1 want_rc=$2 want=$3 mem=$4 prog=$5 match=${6:-exact} out rc
    if [ -n "$mem" ]; then
        out=$(printf '%s\n' "$prog" | "$PLUGIN" "$mem" 2>&1); rc=$?
    else
        out=$(printf '%s\n' "$prog" | "$PLUGIN" 2>&1); rc=$?
    fi
    local ok=1
    if [ "$want_rc" = 0 ]; then [ "$rc" -eq 0 ] || ok=0; else [ "$rc" -ne 0 ] || ok=0; fi
    if [ "$match" = exact ]; then [ "$out" = "$want" ] || ok=0
    else case "$out" in "$want"*) ;; *) ok=0 ;; esac; fi
    if [ $ok = 1 ]; then passed=$((passed + 1))
    else failed=$((failed + 1)); echo "FAIL $name: rc=$rc output='$out' (want rc $want_rc, '$want')"; fi
}

EXIT=0x0000000000000095
# mov r0, 42; exit
expect mov_imm 0 2a "" "$(hexprog 0x0000002a000000b7 $EXIT)"
# ldxw r0, [r1+0]; exit  over memory 01 02 03 04
expect ldxw_mem 0 4030201 "01  02  03  04  " "$(hexprog 0x0000000000001061 $EXIT)"
# mov r0, r2 (the memory length); exit
expect mem_len 0 5 "aa  bb  cc  dd  ee  " "$(hexprog 0x00000000000020bf $EXIT)"
# mov r0, -1: the full 64-bit r0
expect neg_one 0 ffffffffffffffff "" "$(hexprog 0xffffffff000000b7 $EXIT)"
# lddw r0, 0x123456789abcdef0
expect lddw 0 123456789abcdef0 "" "$(hexprog 0x9abcdef000000018 0x1234567800000000 $EXIT)"
# call 5 (helper 5 must exist and return); mov r0, 2; exit
expect helper5 0 2 "" "$(hexprog 0x0000000500000085 0x00000002000000b7 $EXIT)"
# ja -1: the plugin must bound execution itself (the runner has no timeout)
expect runaway 1 "instruction budget exhausted at insn 0" "" "$(hexprog 0x00000000ffff0005)"
# call of a helper nobody registered
expect unknown_helper 1 "unknown helper 32767 at insn 0" "" "$(hexprog 0x00007fff00000085 $EXIT)"
# ldxw r0, [r1+8] with 4 bytes of memory: checked mode stops it
expect oob_read 1 "invalid memory access at insn 0: read of 4 bytes at 0x" "01  02  03  04  " \
    "$(hexprog 0x0000000000081061 $EXIT)" prefix
# add64 r0, 1 with a non-zero offset: reserved field, rejected at load
out=$(printf '%s\n' "$(hexprog 0x0000000100010007 $EXIT)" | "$PLUGIN" 2>&1); rc=$?
if [ $rc -ne 0 ] && [ -n "$out" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL reserved: rc=$rc '$out'"; fi
# malformed input
expect bad_hex 1 "invalid hex input near 'zz'" "" "zz"
expect partial_insn 1 "program is 4 bytes, not a whole number of instructions" "" "b7  00  00  00  "
# --elf is not supported
out=$(printf '' | "$PLUGIN" --elf 2>&1); rc=$?
if [ $rc -ne 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL elf: rc=$rc"; fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
