/* Internal to src/core/isa: the opcode table that drives decoding,
 * validation, disassembly and assembly.
 *
 * Shape of the data:
 *   - bpfrt_isa_opcodes[256]: one row per opcode byte. A row says which of the
 *     dst/src/off/imm fields the opcode uses (the others are reserved and must
 *     be zero), which field (if any) selects among several forms, and the
 *     Linux message for reserved fields. A zeroed row is an unknown opcode.
 *   - each row points at its forms: one form per meaning of the opcode
 *     (e.g. BPF_ALU64|BPF_DIV|BPF_X has "div" at off 0 and "sdiv" at off 1;
 *     BPF_STX|BPF_ATOMIC|BPF_DW has one form per atomic operation in imm).
 *     A form names its operand shape and mnemonic texts; parse-only aliases
 *     (conformance "swap16" for "bswap16") are forms flagged ISA_ALIAS.
 *   - bpfrt_isa_shapes[]: per operand shape, one text template per syntax. The
 *     disassembler prints a template, the assembler matches input against
 *     the same templates, which is why the round trip holds by construction.
 *
 * Template language ('$' introduces a placeholder; a space matches any run
 * of blanks, including none; '{...}' is an optional group printed only when
 * the placeholder inside is non-zero and parsed as 0 when absent):
 *   $d $s   dst / src register, printed with the row's register letter
 *           ('r' or 'w'; "%r" in conformance syntax)
 *   $D $S   dst / src register, always printed 'r' (addresses, kernel style)
 *   $R      the row's register letter itself
 *   $i      imm, signed decimal        $x  imm, hex ("0x%x")
 *   $o      off as "+8"/"-8"           $O  off as "+ 8"/"- 8" (LLVM)
 *   $j      jump target from off       $J  jump target from imm
 *   $F      call target from imm (local call)
 *   $h      helper id (kernel syntax prints "name#id")
 *   $L      64-bit immediate of ld_imm64 (kernel syntax: hex only, as bpftool)
 *   $Q      64-bit immediate of ld_imm64, any notation
 *   $k      imm of the second ld_imm64 half, with sign ("+8")
 *   $N      imm of the second ld_imm64 half, decimal
 *   $n      off as plain decimal (kfunc call's btf fd index)
 *   $I      imm as "+ 4"/"- 4" (packet loads)
 *   $m      form's conformance mnemonic    $c  form's C text
 *   $z      row's memory type ("u32")      $K  row's kernel atomic prefix ("atomic64")
 *   $$      a literal '$'
 */
#ifndef BPFRT_ISA_INTERNAL_H
#define BPFRT_ISA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/asm.h"
#include "bpfrt/insn.h"
#include "core/isa/decode.h"

/* Instruction fields, as bits of isa_opcode.used. */
enum {
    ISA_F_DST = 1 << 0,
    ISA_F_SRC = 1 << 1,
    ISA_F_OFF = 1 << 2,
    ISA_F_IMM = 1 << 3,
};

/* Which field selects the form. */
enum isa_key { ISA_KEY_NONE = 0, ISA_KEY_OFF, ISA_KEY_IMM, ISA_KEY_SRC };

/* Operand shapes; each has a template per syntax in bpfrt_isa_shapes[]. */
enum isa_shape {
    ISA_SH_NONE = 0,
    ISA_SH_ALU_K,
    ISA_SH_ALU_X,
    ISA_SH_NEG,
    ISA_SH_MOVSX,
    ISA_SH_END,
    ISA_SH_LDDW,
    ISA_SH_LDDW_MAP_FD,
    ISA_SH_LDDW_MAP_VALUE,
    ISA_SH_LDDW_BTF_ID,
    ISA_SH_LDDW_FUNC,
    ISA_SH_LDDW_MAP_IDX,
    ISA_SH_LDDW_MAP_IDX_VALUE,
    ISA_SH_LDDW_LL,           /* alias: "r1 = 0x1 ll" in kernel syntax */
    ISA_SH_LD_ABS,
    ISA_SH_LD_IND,
    ISA_SH_LDX,
    ISA_SH_ST,
    ISA_SH_STX,
    ISA_SH_ATOMIC,
    ISA_SH_ATOMIC_FETCH,
    ISA_SH_ATOMIC_XCHG,
    ISA_SH_ATOMIC_CMPXCHG,
    ISA_SH_LOAD_ACQ,
    ISA_SH_STORE_REL,
    ISA_SH_JA,
    ISA_SH_JA32,
    ISA_SH_JMP_K,
    ISA_SH_JMP_X,
    ISA_SH_CALL,
    ISA_SH_CALL_LOCAL,
    ISA_SH_CALL_LOCAL_ALIAS,  /* alias: "call local f" in C-like syntax */
    ISA_SH_CALL_LOCAL_BARE,   /* alias: "call f" / "call +2" in LLVM syntax */
    ISA_SH_CALL_KFUNC,
    ISA_SH_CALLX,
    ISA_SH_CALLX_ALIAS,       /* alias: conformance "call %r2" */
    ISA_SH_EXIT,
    ISA_SH_MAY_GOTO,
    ISA_SH_COUNT
};

/* Form flags. */
enum {
    ISA_ALIAS = 1 << 0,        /* accepted by the assembler, never printed */
    ISA_WRITES_DST = 1 << 1,   /* dst register is written (r10 forbidden) */
    ISA_WRITES_SRC = 1 << 2,   /* src register is written (atomic fetch) */
    ISA_WRITES_R0 = 1 << 3,    /* r0 is written (cmpxchg) */
    ISA_UNSUPPORTED = 1 << 4,  /* recognised but rejected: msg in c */
    ISA_READS_DST = 1 << 5,
    ISA_READS_SRC = 1 << 6,
    ISA_USES_OFF = 1 << 7,     /* off is an operand of this form (kfunc btf fd index) */
};

struct isa_form {
    int32_t key;        /* value of the key field selecting this form */
    uint8_t shape;      /* enum isa_shape */
    uint8_t flags;
    const char *conf;   /* conformance mnemonic ("add32", "ldxw", "lock fetch add") */
    const char *c;      /* C text: operator ("+="), atomic op ("add"), type ("s8") */
    uint16_t op;        /* enum bpfrt_op the form decodes to (BAD for unsupported forms) */
};

struct isa_opcode {
    uint8_t used;            /* ISA_F_* fields the opcode reads; others are reserved */
    uint8_t key;             /* enum isa_key */
    uint8_t nforms;
    char reg;                /* 'r' or 'w' in C-like syntax */
    const char *size;        /* memory type "u8".."u64" (or "s8".. for BPF_MEMSX) */
    const char *katomic;     /* kernel atomic name prefix */
    const char *reserved_msg;/* Linux's message for non-zero reserved fields */
    const char *badkey_fmt;  /* message when the key matches no form (one %d/%x of the key) */
    const struct isa_form *forms;
};

extern const struct isa_opcode bpfrt_isa_opcodes[256];

struct isa_shape_text {
    const char *text[3]; /* indexed by enum bpfrt_syntax (KERNEL, LLVM, CONF) */
};
extern const struct isa_shape_text bpfrt_isa_shapes[ISA_SH_COUNT];

/* Returns the field value selected by key. */
int32_t bpfrt_isa_key_value(const struct bpf_insn *insn, uint8_t key);

/* Finds the printable form of insn (NULL when the key matches none). */
const struct isa_form *bpfrt_isa_find_form(const struct isa_opcode *op, const struct bpf_insn *insn);

/* Sets the key field of insn to value. */
void bpfrt_isa_set_key(struct bpf_insn *insn, uint8_t key, int32_t value);

/* Checks one instruction (and the second half of ld_imm64; avail counts the
 * instructions from insn to the end) in isolation. Returns 0 with *form set,
 * or -BPFRT_EINVAL with Linux's message in msg (src/core/isa/validate.c). */
int bpfrt_isa_check_insn(const struct bpf_insn *insn, uint32_t avail, const struct isa_form **form,
                   char *msg, size_t size);

struct bpfrt_diag;
/* Structural validation (validate.c): Linux's checks before and while it
 * walks a program, in Linux's order, with its messages (no instruction
 * index in the text: the diagnostics carry it). Returns 0 or -errno. */
int bpfrt_isa_validate(const struct bpf_insn *insns, uint32_t cnt, struct bpfrt_diag *diag);

/* Looks a helper name up (with or without "bpf_" prefix); -1 when unknown. */
int32_t bpfrt_isa_helper_id(const char *name, size_t len);

#endif
