/* Assembler, disassembler and structural validation, all driven by the one
 * opcode table in src/core/isa/. Freestanding: usable inside a kernel. */
#ifndef BPFRT_ASM_H
#define BPFRT_ASM_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include "bpfrt/insn.h"
#include "bpfrt/platform.h"

enum bpfrt_syntax {
    BPFRT_SYNTAX_KERNEL = 0, /* bpftool prog dump xlated: "if r0 == 0x0 goto pc+4", "call bpf_map_lookup_elem#1" */
    BPFRT_SYNTAX_LLVM,       /* llvm-objdump: "r0 = 1", "if r1 > 5 goto +3", "r1 = 0x1234 ll" */
    BPFRT_SYNTAX_CONF,       /* bpf_conformance: "mov %r0, 1", "ldxw %r0, [%r1+4]" */
    BPFRT_SYNTAX_AUTO,       /* input only: guess from the text */
};

struct bpfrt_asm_error {
    uint32_t line, column;   /* 1-based; 0 when not tied to a position */
    char msg[192];           /* "expected register, got '%r11'" */
};

/* Assembles `len` bytes of source text. On success *out (allocated with
 * plat->alloc, free with plat->free(plat->ctx, *out, *nr_insns * 8)) holds
 * *nr_insns instructions (ld_imm64 counts as 2). Returns 0 or -BPFRT_EINVAL
 * with err filled (line, column, what was expected). */
int bpfrt_asm(const struct bpfrt_platform *plat, const char *src, size_t len,
              enum bpfrt_syntax syntax, struct bpf_insn **out, uint32_t *nr_insns,
              struct bpfrt_asm_error *err);

/* Disassembles one instruction (two for ld_imm64: pass the pair; *used says
 * how many were consumed) into buf, without index or newline. Returns the
 * length written (snprintf-style) or a negative errno for an invalid insn. */
int bpfrt_disasm_insn(const struct bpf_insn *insn, uint32_t avail, uint32_t index,
                      enum bpfrt_syntax syntax, char *buf, size_t size, uint32_t *used);

/* Disassembles a whole program, one instruction per line; kernel syntax
 * prefixes each line with its index ("   0: (b7) r0 = 0"), like bpftool.
 * Returns the length the full text needs (snprintf-style). */
size_t bpfrt_disasm(const struct bpf_insn *insns, uint32_t cnt, enum bpfrt_syntax syntax,
                    char *buf, size_t size);

/* Structural validation as program load does before anything else: empty
 * program, unknown opcode, bad register, reserved fields, truncated or
 * misplaced ld_imm64, jumps out of range or into the middle of ld_imm64.
 * Messages follow Linux's wording ("unknown opcode 8f", "R11 is invalid",
 * "BPF_NEG uses reserved fields", "jump into the middle of ldimm64 insn 0").
 * Returns 0 or -BPFRT_EINVAL with the message (naming the instruction index)
 * in msg; *bad_insn (may be NULL) gets the index. */
int bpfrt_insns_validate(const struct bpf_insn *insns, uint32_t cnt, char *msg, size_t msg_size,
                         uint32_t *bad_insn);

#pragma GCC visibility pop

#endif
