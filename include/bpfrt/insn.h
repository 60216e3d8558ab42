/* eBPF instruction encoding (RFC 9669 plus the Linux 6.18 extensions) and the
 * opcode table API. The table itself lives in src/core/isa/opcodes.c; one row
 * per opcode drives decoding, validation, disassembly and assembly. */
#ifndef BPFRT_INSN_H
#define BPFRT_INSN_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/uapi.h"

/* Instruction classes (low 3 bits of the opcode). */
#define BPF_CLASS(code) ((code) & 0x07)
#define BPF_LD    0x00
#define BPF_LDX   0x01
#define BPF_ST    0x02
#define BPF_STX   0x03
#define BPF_ALU   0x04
#define BPF_JMP   0x05
#define BPF_JMP32 0x06
#define BPF_ALU64 0x07

/* Load/store: size and mode. */
#define BPF_SIZE(code) ((code) & 0x18)
#define BPF_W  0x00
#define BPF_H  0x08
#define BPF_B  0x10
#define BPF_DW 0x18
#define BPF_MODE(code) ((code) & 0xe0)
#define BPF_IMM    0x00
#define BPF_ABS    0x20
#define BPF_IND    0x40
#define BPF_MEM    0x60
#define BPF_MEMSX  0x80
#define BPF_ATOMIC 0xc0

/* ALU/JMP: operation and source. */
#define BPF_OP(code)  ((code) & 0xf0)
#define BPF_SRC(code) ((code) & 0x08)
#define BPF_K 0x00
#define BPF_X 0x08
#define BPF_TO_LE 0x00 /* BPF_END in class ALU */
#define BPF_TO_BE 0x08
#define BPF_FROM_LE BPF_TO_LE
#define BPF_FROM_BE BPF_TO_BE

#define BPF_ADD  0x00
#define BPF_SUB  0x10
#define BPF_MUL  0x20
#define BPF_DIV  0x30
#define BPF_OR   0x40
#define BPF_AND  0x50
#define BPF_LSH  0x60
#define BPF_RSH  0x70
#define BPF_NEG  0x80
#define BPF_MOD  0x90
#define BPF_XOR  0xa0
#define BPF_MOV  0xb0
#define BPF_ARSH 0xc0
#define BPF_END  0xd0

#define BPF_JA   0x00
#define BPF_JEQ  0x10
#define BPF_JGT  0x20
#define BPF_JGE  0x30
#define BPF_JSET 0x40
#define BPF_JNE  0x50
#define BPF_JSGT 0x60
#define BPF_JSGE 0x70
#define BPF_CALL 0x80
#define BPF_EXIT 0x90
#define BPF_JLT  0xa0
#define BPF_JLE  0xb0
#define BPF_JSLT 0xc0
#define BPF_JSLE 0xd0
#define BPF_JCOND 0xe0 /* may_goto (src_reg = BPF_MAY_GOTO) */
#define BPF_MAY_GOTO 0

/* Atomic operations (imm field of BPF_STX|BPF_ATOMIC). */
#define BPF_FETCH   0x01
#define BPF_XCHG    (0xe0 | BPF_FETCH)
#define BPF_CMPXCHG (0xf0 | BPF_FETCH)
#define BPF_LOAD_ACQ  0x100
#define BPF_STORE_REL 0x110

/* Registers (declared by <linux/bpf.h> when it came first). */
#ifdef BPFRT_STANDS_FOR_LINUX_BPF_H
enum { BPF_REG_0 = 0, BPF_REG_1, BPF_REG_2, BPF_REG_3, BPF_REG_4, BPF_REG_5,
       BPF_REG_6, BPF_REG_7, BPF_REG_8, BPF_REG_9, BPF_REG_10, MAX_BPF_REG };
#endif

#define BPFRT_MAX_INSNS      (1u << 20) /* Linux's BPF_COMPLEXITY_LIMIT_INSNS */
#define BPFRT_STACK_SIZE     512        /* per frame, and combined for verified programs */
#define BPFRT_MAX_CALL_FRAMES 8         /* including the entry frame */
#define BPFRT_MAX_TAIL_CALLS 33

/* True when insn is the first half of a 16-byte ld_imm64. */
static inline bool bpfrt_insn_is_lddw(const struct bpf_insn *insn)
{
    return insn->code == (BPF_LD | BPF_DW | BPF_IMM);
}

/* True when insn is a call (helper, bpf-to-bpf or kfunc, by src_reg). */
static inline bool bpfrt_insn_is_call(const struct bpf_insn *insn)
{
    return insn->code == (BPF_JMP | BPF_CALL);
}

/* Linux's name for helper id ("bpf_map_lookup_elem" for 1, "bpf_unspec" for
 * 0), or NULL when the id is not a Linux 6.18 helper (above 211). Data in
 * src/core/isa/helper_names.c. */
const char *bpfrt_helper_name(uint32_t id);

/* The operand shape of an opcode, for tools that walk programs without
 * decoding text: whether the byte is a known opcode (Linux 6.18's table plus
 * 0x8d callx) and which fields it reads. */
#define BPFRT_INSN_USES_DST 0x1
#define BPFRT_INSN_USES_SRC 0x2
#define BPFRT_INSN_USES_OFF 0x4
#define BPFRT_INSN_USES_IMM 0x8
/* Returns a mask of BPFRT_INSN_USES_* for a known opcode, -1 for an unknown one. */
int bpfrt_opcode_fields(uint8_t code);

#pragma GCC visibility pop

#endif
