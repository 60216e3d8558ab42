#!/usr/bin/env bash
# End-to-end tests of `bpfrt run`: .data files, assembly, raw bytecode,
# input memory, trace output, repeat timing, errors and usage.
set -u
BPFRT=${1:?usage: cli_run_test.sh BPFRT}
SHARED=${BPFRT_SHARED:-../shared}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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

# words -> raw little-endian bytes in a file
raw() {
    local f=$1 w i
    shift
    : > "$f"
    for w in "$@"; do
        for i in 0 1 2 3 4 5 6 7; do
            printf "\\x$(printf %02x $(( (w >> (8 * i)) & 0xff )))" >> "$f"
        done
    done
}

if [ -d "$SHARED/conformance/tests" ]; then
    expect data_file 0 "r0 = 0x1 (1)" -- "$BPFRT" run "$SHARED/conformance/tests/call_local.data"
    expect data_match 0 "matches the file's -- result" -- "$BPFRT" run "$SHARED/conformance/tests/lddw.data"
    expect data_mem 0 "r0 = 0x8 (8)" -- "$BPFRT" run "$SHARED/conformance/tests/mem-len.data"
    expect data_override_mem 0 "r0 = 0x3 (3)" -- "$BPFRT" run "$SHARED/conformance/tests/mem-len.data" --mem "01 02 03"
    expect data_raw 0 "matches the file's -- result" -- "$BPFRT" run "$SHARED/bench/data/bench_fib.data"
    expect repeat 0 "ns/run over 3 runs" -- "$BPFRT" run "$SHARED/conformance/tests/exit.data" --repeat 3
    expect negative_data 1 "MISMATCH: the file expects r0 = 0x8977665544332211" -- \
        "$BPFRT" run "$SHARED/conformance/negative/incorrect_return_value_high_bits.data"
fi

# assembly in conformance syntax, detected automatically
printf 'mov %%r0, 7\nadd %%r0, %%r1\nexit\n' > "$tmp/prog.s"
expect asm_auto 0 "r0 = 0x7 (7)" -- "$BPFRT" run "$tmp/prog.s"
expect asm_conf 0 "r0 = 0x7 (7)" -- "$BPFRT" run "$tmp/prog.s" --syntax conf

# raw bytecode: ldxw r0, [r1+0]; exit
raw "$tmp/ldxw.bin" 0x0000000000001061 0x0000000000000095
expect raw_mem 0 "r0 = 0x4030201 (67305985)" -- "$BPFRT" run "$tmp/ldxw.bin" --mem "01 02 03 04"
expect raw_mem_compact 0 "r0 = 0x4030201" -- "$BPFRT" run "$tmp/ldxw.bin" --mem 01020304
printf '\x01\x02\x03\x04' > "$tmp/mem.bin"
expect raw_mem_file 0 "r0 = 0x4030201" -- "$BPFRT" run "$tmp/ldxw.bin" --mem-file "$tmp/mem.bin"
# the same load without memory: checked mode reports the bad access, exit 1
expect raw_oob 1 "error: invalid memory access at insn 0: read of 4 bytes at 0x0" -- "$BPFRT" run "$tmp/ldxw.bin"

# trace: "  idx: insn ; changed registers"
raw "$tmp/add.bin" 0x00000005000000b7 0x00000025000001b7 0x000000000000100f 0x0000000000000095
expect trace_line 0 "2: r0 += r1" -- "$BPFRT" run "$tmp/add.bin" --trace
expect trace_regs 0 "; r0 = 0x2a" -- "$BPFRT" run "$tmp/add.bin" --trace
expect trace_result 0 "r0 = 0x2a (42)" -- "$BPFRT" run "$tmp/add.bin" --trace
# stores show the memory they wrote: *(u32 *)(r10 -4) = 0x2a
raw "$tmp/store.bin" 0x0000002afffc0a62 0x0000000000000095
expect trace_store 0 "] = 0x2a" -- "$BPFRT" run "$tmp/store.bin" --trace
# a failing instruction is reported as the error, not traced as executed
expect trace_fault 1 "error: invalid memory access at insn 0" -- "$BPFRT" run "$tmp/ldxw.bin" --trace

# runaway loop: ja -1 stops at the budget
raw "$tmp/loop.bin" 0x00000000ffff0005
expect budget 1 "instruction budget exhausted at insn 0" -- "$BPFRT" run "$tmp/loop.bin" --budget 1000

# untrusted bytecode cannot name a map: ld_imm64 r1, BPF_PSEUDO_MAP_FD 0x1234
raw "$tmp/map.bin" 0x0000123400001118 0x0000000000000000 0x0000000000000095
expect map_ref 1 "map references are not supported here" -- "$BPFRT" run "$tmp/map.bin"
# a .data file whose -- error names the failure
printf -- '-- asm\nldxw %%r0, [%%r1+8]\nexit\n-- error\ninvalid memory access at insn 0: read of 4 bytes at 0x8\n' > "$tmp/err.data"
expect data_error_match 0 "matches the file's -- error" -- "$BPFRT" run "$tmp/err.data"
printf -- '-- asm\nmov %%r0, 1\nexit\n-- error\nsomething else\n' > "$tmp/err2.data"
expect data_error_mismatch 1 "MISMATCH: the file expects the error" -- "$BPFRT" run "$tmp/err2.data"

# malformed inputs
printf '\x07\x00\x00' > "$tmp/short.bin"
expect short_bin 1 "not a whole number of 8-byte instructions" -- "$BPFRT" run "$tmp/short.bin"
printf 'mov %%r0, %%r99\nexit\n' > "$tmp/bad.s"
expect bad_asm 1 "error" -- "$BPFRT" run "$tmp/bad.s" --syntax conf
expect missing_file 1 "cannot open" -- "$BPFRT" run "$tmp/nonexistent.bin"
printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$tmp/obj.o"
expect elf_hint 1 "is an ELF object; 'bpfrt prog run'" -- "$BPFRT" run "$tmp/obj.o"

# usage
expect help 0 "usage: bpfrt run FILE" -- "$BPFRT" run --help
expect no_file 2 "usage: bpfrt run FILE" -- "$BPFRT" run
expect bad_option 2 "unknown option '--bogus'" -- "$BPFRT" run "$tmp/add.bin" --bogus
expect bad_repeat 2 "invalid value 'x'" -- "$BPFRT" run "$tmp/add.bin" --repeat x
expect bad_mem 2 "invalid hex bytes" -- "$BPFRT" run "$tmp/add.bin" --mem zz

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
