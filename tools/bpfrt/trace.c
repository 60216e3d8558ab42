/* `--trace` of `bpfrt run` and `bpfrt prog run`: one line per executed
 * instruction in the kernel syntax (bpftool's "xlated" text without its
 * opcode prefix), with the registers it changed and the memory a store
 * left. The interpreter calls it through struct bpfrt_run's trace hook;
 * its argument is the FILE to print to (NULL: stdout). */
#include <stdio.h>
#include <string.h>

#include "bpfrt/asm.h"
#include "bpfrt/prog.h"
#include "cli.h"

void cli_trace_insn(void *arg, const struct bpfrt_run *run, uint32_t pc, const uint64_t regs[11],
                    const uint64_t before[11])
{
    FILE *out = arg ? arg : stdout;
    const struct bpfrt_prog *prog = run->prog;
    char text[128] = "?";
    uint32_t used = 0;
    const struct bpf_insn *insn = prog && pc < prog->len ? &prog->insns[pc] : NULL;
    if (insn && bpfrt_disasm_insn(insn, prog->len - pc, pc, BPFRT_SYNTAX_KERNEL, text, sizeof(text), &used) < 0)
        snprintf(text, sizeof(text), "(code %02x)", insn->code);
    /* bpftool's "(0f) " opcode prefix: noise in a trace */
    const char *shown = text;
    if (shown[0] == '(' && strlen(shown) > 5 && shown[3] == ')' && shown[4] == ' ')
        shown += 5;
    char changes[400] = "";
    size_t n = 0;
    /* Stores (and atomics): the memory they left, read back after the
     * instruction completed (so the address is valid). */
    if (insn && (BPF_CLASS(insn->code) == BPF_ST || BPF_CLASS(insn->code) == BPF_STX) &&
        (BPF_MODE(insn->code) == BPF_MEM || BPF_MODE(insn->code) == BPF_ATOMIC) &&
        !(BPF_MODE(insn->code) == BPF_ATOMIC && insn->imm == BPF_LOAD_ACQ)) {
        static const unsigned sizes[4] = { 4, 2, 1, 8 };
        unsigned size = sizes[BPF_SIZE(insn->code) >> 3];
        uint64_t addr = before[insn->dst_reg] + (uint64_t)(int64_t)insn->off, v = 0;
        memcpy(&v, (const void *)(uintptr_t)addr, size);
        n += (size_t)snprintf(changes, sizeof(changes), "[0x%llx] = 0x%llx", (unsigned long long)addr,
                              (unsigned long long)v);
    }
    for (int r = 0; r < 11; r++) {
        if (regs[r] == before[r] || n >= sizeof(changes) - 48)
            continue;
        n += (size_t)snprintf(changes + n, sizeof(changes) - n, "%sr%d = 0x%llx", n ? ", " : "", r,
                              (unsigned long long)regs[r]);
    }
    if (n)
        fprintf(out, "%5u: %-28s ; %s\n", pc, shown, changes);
    else
        fprintf(out, "%5u: %s\n", pc, shown);
}
