#!/usr/bin/env bash
# End-to-end tests of the CLI's JIT flags: `bpfrt run --jit/--trusted/
# --dump-jited`, `bpfrt prog run/load --jit/--trusted`, `bpfrt prog dump
# jited`, against the interpreter's answers for the same programs.
set -u
BPFRT=${1:?usage: cli_jit_test.sh BPFRT BUILD_DIR}
BUILD=${2:?usage: cli_jit_test.sh BPFRT BUILD_DIR}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0

# expect NAME WANT_RC NEEDLE -- CMD...: exit status and a substring of stdout+stderr
expect() {
    local name=$1 want_rc=$2 needle=$3
    shift 4
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq "$want_rc" ] && [[ "$out" == *"$needle"* ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name: rc=$rc (want $want_rc), output:"
        echo "$out" | head -20
        echo "  (want it to contain '$needle')"
    fi
}

fact=$SRC/examples/asm/factorial.s
want=$("$BPFRT" run "$fact" | grep '^r0 = ')
expect run_jit 0 "$want" -- "$BPFRT" run "$fact" --jit
expect run_trusted 0 "$want" -- "$BPFRT" run "$fact" --trusted
expect run_trace_jit 2 "--trace is an interpreter feature" -- "$BPFRT" run "$fact" --jit --trace
expect dump_header 0 "6 eBPF instructions ->" -- "$BPFRT" run "$fact" --dump-jited
expect dump_insn 0 "; 4: (b5) if r1 <= 0x14 goto pc-3" -- "$BPFRT" run "$fact" --dump-jited
if command -v objdump >/dev/null 2>&1; then
    # r0 = 1 is mov eax, 1 (no 64-bit immediate needed)
    expect dump_objdump 0 "mov    eax,0x1" -- "$BPFRT" run "$fact" --trusted --dump-jited
else
    echo "note: objdump not found: the raw-bytes dump is checked instead"
    expect dump_raw 0 "objdump not found" -- "$BPFRT" run "$fact" --dump-jited
fi
# a bad access stops the JIT-compiled program with the interpreter's message
bad=$(mktemp)
trap 'rm -f "$bad"' EXIT
printf 'mov %%r0, 0\nldxw %%r0, [%%r0+8]\nexit\n' > "$bad"
msg=$("$BPFRT" run "$bad" --syntax conf 2>&1 | grep '^error')
expect run_jit_fault 1 "$msg" -- "$BPFRT" run "$bad" --syntax conf --jit

obj=$BUILD/examples/xdp_firewall.o
if [ -f "$obj" ]; then
    pkt="02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 28 00 01 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02 10 00 00 16 00 00 00 00 00 00 00 00 50 02 20 00 00 00 00 00"
    want=$("$BPFRT" prog run "$obj" --data "$pkt" --map-set port_rules u8:6,u8:0,u16:22=1 | grep '^Return value' | cut -d, -f1)
    expect prog_run_jit 0 "$want" -- "$BPFRT" prog run "$obj" --data "$pkt" --map-set port_rules u8:6,u8:0,u16:22=1 --jit
    # verified at load: the JIT compiles verified code (no run-time checks)
    expect prog_load_jit 0 "JIT-compiled (verified mode)" -- "$BPFRT" prog load "$obj" --jit
    expect prog_load_trusted 0 "JIT-compiled (verified mode)" -- "$BPFRT" prog load "$obj" --trusted
    # unverified: checked code, and trusted cannot skip the context conversion
    expect prog_load_jit_unverified 0 "JIT-compiled (checked mode)" -- "$BPFRT" prog load "$obj" --jit --no-verify
    expect prog_load_trusted_unverified 0 "needs field conversion" -- "$BPFRT" prog load "$obj" --trusted --no-verify
    expect prog_dump_jited 0 "; 0: " -- "$BPFRT" prog dump jited "$obj"
    expect prog_dump_jited_verified 0 "(verified mode)" -- "$BPFRT" prog dump jited "$obj"
    # unverified: the checked-mode image (each access tested), and --trusted
    # cannot skip the context conversion there either
    expect prog_dump_jited_unverified 0 "(checked mode)" -- "$BPFRT" prog dump jited "$obj" --no-verify
    expect prog_dump_trusted_unverified 0 "needs field conversion" -- "$BPFRT" prog dump jited "$obj" --trusted --no-verify
    verified_len=$("$BPFRT" prog dump jited "$obj" | sed -n 's/.*-> \([0-9]*\) bytes.*/\1/p')
    checked_len=$("$BPFRT" prog dump jited "$obj" --no-verify | sed -n 's/.*-> \([0-9]*\) bytes.*/\1/p')
    if [ -n "$verified_len" ] && [ -n "$checked_len" ] && [ "$checked_len" -gt "$verified_len" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL prog_dump_jited_sizes: checked image ($checked_len bytes) not larger than verified ($verified_len)"
    fi
    expect prog_dump_usage 2 "dump what?" -- "$BPFRT" prog dump "$obj"
    expect prog_dump_noprog 1 "no program named nope" -- "$BPFRT" prog dump jited "$obj" --prog nope
    expect prog_trace_jit 2 "--trace is an interpreter feature" -- "$BPFRT" prog run "$obj" --data "$pkt" --jit --trace
else
    echo "note: $obj not built (no BPF clang): prog tests skipped"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
