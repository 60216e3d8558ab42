/* The decoded instruction: the one form in which the interpreter, the
 * verifier, the JIT, validation and the disassembler see an instruction.
 * Only src/core/isa/ looks at raw opcode bits; everyone else switches on
 * struct bpfrt_dinsn.op and reads the operation's traits from
 * bpfrt_op_info[]. The op list plays the part of Linux's BPF_INSN_MAP
 * (kernel/bpf/core.c): one list, from which the interpreter's jump table
 * and every per-op table derive. */
#ifndef BPFRT_ISA_DECODE_H
#define BPFRT_ISA_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/insn.h"

/* X(name) for each operation. 64 and 32 are the operand widths (ALU64/ALU
 * and JMP/JMP32); _K takes the immediate, _X the source register. */
#define BPFRT_ALU_OPS(X, W) \
    X(ADD##W##_K) X(ADD##W##_X) X(SUB##W##_K) X(SUB##W##_X) X(MUL##W##_K) X(MUL##W##_X) \
    X(DIV##W##_K) X(DIV##W##_X) X(SDIV##W##_K) X(SDIV##W##_X) X(MOD##W##_K) X(MOD##W##_X) \
    X(SMOD##W##_K) X(SMOD##W##_X) X(OR##W##_K) X(OR##W##_X) X(AND##W##_K) X(AND##W##_X) \
    X(XOR##W##_K) X(XOR##W##_X) X(LSH##W##_K) X(LSH##W##_X) X(RSH##W##_K) X(RSH##W##_X) \
    X(ARSH##W##_K) X(ARSH##W##_X) X(MOV##W##_K) X(MOV##W##_X) X(NEG##W)

#define BPFRT_JMP_OPS(X, W) \
    X(JEQ##W##_K) X(JEQ##W##_X) X(JGT##W##_K) X(JGT##W##_X) X(JGE##W##_K) X(JGE##W##_X) \
    X(JSET##W##_K) X(JSET##W##_X) X(JNE##W##_K) X(JNE##W##_X) X(JSGT##W##_K) X(JSGT##W##_X) \
    X(JSGE##W##_K) X(JSGE##W##_X) X(JLT##W##_K) X(JLT##W##_X) X(JLE##W##_K) X(JLE##W##_X) \
    X(JSLT##W##_K) X(JSLT##W##_X) X(JSLE##W##_K) X(JSLE##W##_X)

#define BPFRT_ISA_OPS(X) \
    X(BAD) \
    BPFRT_ALU_OPS(X, 64) BPFRT_ALU_OPS(X, 32) \
    X(MOVSX8_64) X(MOVSX16_64) X(MOVSX32_64) X(MOVSX8_32) X(MOVSX16_32) \
    X(LE16) X(LE32) X(LE64) X(BE16) X(BE32) X(BE64) X(BSWAP16) X(BSWAP32) X(BSWAP64) \
    X(JA) BPFRT_JMP_OPS(X, 64) BPFRT_JMP_OPS(X, 32) \
    X(CALL_HELPER) X(CALL_LOCAL) X(CALL_KFUNC) X(CALLX) X(EXIT) X(MAY_GOTO) \
    X(LDDW) X(LDABS_B) X(LDABS_H) X(LDABS_W) X(LDIND_B) X(LDIND_H) X(LDIND_W) \
    X(LDX_B) X(LDX_H) X(LDX_W) X(LDX_DW) X(LDXSX_B) X(LDXSX_H) X(LDXSX_W) \
    X(ST_B) X(ST_H) X(ST_W) X(ST_DW) X(STX_B) X(STX_H) X(STX_W) X(STX_DW) \
    X(AADD_W) X(AADD_DW) X(AOR_W) X(AOR_DW) X(AAND_W) X(AAND_DW) X(AXOR_W) X(AXOR_DW) \
    X(AFADD_W) X(AFADD_DW) X(AFOR_W) X(AFOR_DW) X(AFAND_W) X(AFAND_DW) X(AFXOR_W) X(AFXOR_DW) \
    X(AXCHG_W) X(AXCHG_DW) X(ACMPXCHG_W) X(ACMPXCHG_DW) \
    X(LDACQ_B) X(LDACQ_H) X(LDACQ_W) X(LDACQ_DW) X(STREL_B) X(STREL_H) X(STREL_W) X(STREL_DW)

#define BPFRT_OP_ENUM_(name) BPFRT_OP_##name,
enum bpfrt_op { BPFRT_ISA_OPS(BPFRT_OP_ENUM_) BPFRT_OP_COUNT };
#undef BPFRT_OP_ENUM_

/* What kind of instruction an op is (bpfrt_op_info[op].kind). */
enum bpfrt_op_kind {
    BPFRT_K_BAD = 0,
    BPFRT_K_ALU,       /* dst = dst <alu> operand (MOV: dst = operand; NEG: dst = -dst) */
    BPFRT_K_MOVSX,     /* dst = sign-extend(src, size bytes) */
    BPFRT_K_END,       /* byte swap of dst's low size bytes: to little/big endian, or bswap */
    BPFRT_K_JA,        /* goto target */
    BPFRT_K_JCOND,     /* if dst <cond> operand goto target */
    BPFRT_K_CALL,      /* CALL_HELPER (imm = id), CALL_LOCAL (target), CALL_KFUNC (imm, off), CALLX (dst) */
    BPFRT_K_EXIT,
    BPFRT_K_MAY_GOTO,  /* goto target once the per-frame loop count runs out */
    BPFRT_K_LDDW,      /* dst = value (src: 0 or the BPF_PSEUDO_* kind) */
    BPFRT_K_LD_PKT,    /* r0 = packet bytes at imm (LD_ABS) or src + imm (LD_IND), big endian */
    BPFRT_K_LDX,       /* dst = *(size *)(src + off), zero- or sign-extended */
    BPFRT_K_ST,        /* *(size *)(dst + off) = imm */
    BPFRT_K_STX,       /* *(size *)(dst + off) = src */
    BPFRT_K_ATOMIC,    /* read-modify-write of *(size *)(dst + off) with src (fetch forms write src; cmpxchg r0) */
    BPFRT_K_LDACQ,     /* dst = load-acquire *(size *)(src + off) */
    BPFRT_K_STREL,     /* store-release *(size *)(dst + off) = src */
};

/* The arithmetic or comparison an ALU, JCOND or ATOMIC op performs. */
enum bpfrt_alu {
    BPFRT_ALU_NONE = 0,
    BPFRT_ALU_ADD, BPFRT_ALU_SUB, BPFRT_ALU_MUL, BPFRT_ALU_DIV, BPFRT_ALU_SDIV, BPFRT_ALU_MOD,
    BPFRT_ALU_SMOD, BPFRT_ALU_OR, BPFRT_ALU_AND, BPFRT_ALU_XOR, BPFRT_ALU_LSH, BPFRT_ALU_RSH,
    BPFRT_ALU_ARSH, BPFRT_ALU_MOV, BPFRT_ALU_NEG,
    BPFRT_ALU_XCHG, BPFRT_ALU_CMPXCHG,                  /* atomics only */
    BPFRT_ALU_LE, BPFRT_ALU_BE, BPFRT_ALU_BSWAP,        /* END only */
};
enum bpfrt_cond {
    BPFRT_COND_NONE = 0,
    BPFRT_JEQ, BPFRT_JNE, BPFRT_JGT, BPFRT_JGE, BPFRT_JLT, BPFRT_JLE, BPFRT_JSET,
    BPFRT_JSGT, BPFRT_JSGE, BPFRT_JSLT, BPFRT_JSLE,
};

/* Traits of an op (bpfrt_op_info[op].flags). */
enum {
    BPFRT_OPF_32 = 1 << 0,      /* 32-bit operation (ALU, JMP32): result zero-extended / compare low halves */
    BPFRT_OPF_K = 1 << 1,       /* the operand is the immediate (value), not src */
    BPFRT_OPF_SIGNED = 1 << 2,  /* LDXSX: sign-extending load */
    BPFRT_OPF_FETCH = 1 << 3,   /* atomic returns the old value (in src, or r0 for cmpxchg) */
};

struct bpfrt_op_info {
    const char *name;    /* "ADD64_K" */
    uint8_t kind;        /* enum bpfrt_op_kind */
    uint8_t alu;         /* enum bpfrt_alu (ALU, END, ATOMIC) or enum bpfrt_cond (JCOND) */
    uint8_t size;        /* memory ops: bytes accessed; END: width in bytes; MOVSX: source bytes */
    uint8_t flags;       /* BPFRT_OPF_* */
};
extern const struct bpfrt_op_info bpfrt_op_info[BPFRT_OP_COUNT];

/* One decoded instruction. */
struct bpfrt_dinsn {
    uint16_t op;        /* enum bpfrt_op (BAD: unknown opcode or form) */
    uint8_t dst, src;   /* registers as encoded; for ld_imm64 and call, src is the pseudo kind */
    uint8_t size;       /* bpfrt_op_info[op].size, repeated for convenience */
    uint8_t len;        /* instructions this one occupies: 1, or 2 for ld_imm64 */
    int16_t off;        /* as encoded (memory offset; kfunc btf fd index) */
    int32_t imm;        /* as encoded (helper id, kfunc btf id, LD_ABS offset, low half of ld_imm64) */
    int32_t target;     /* JA, JCOND, MAY_GOTO, CALL_LOCAL, LDDW func: pc + 1 + relative offset
                         * (not range-checked: validation does that) */
    uint64_t value;     /* K ops: imm sign-extended to 64 bits; LDDW: the 64-bit immediate */
};

/* Decodes the instruction at insns[pc] (cnt instructions in all). Always
 * fills *out; returns 0, or -BPFRT_EINVAL when the opcode or its selecting
 * field names no instruction (op = BAD), or an ld_imm64 lacks its second
 * half (op = LDDW, len = 2). Reserved fields are not checked here:
 * validation (bpfrt_insns_validate) does that, with Linux's messages. */
int bpfrt_isa_decode(const struct bpf_insn *insns, uint32_t cnt, uint32_t pc, struct bpfrt_dinsn *out);

static inline uint8_t bpfrt_op_kind(uint16_t op)
{
    return bpfrt_op_info[op].kind;
}

/* True for ops that read or write memory through a register (LDX, ST, STX,
 * atomics, load-acquire, store-release). */
static inline bool bpfrt_op_is_mem(uint16_t op)
{
    uint8_t k = bpfrt_op_info[op].kind;
    return k == BPFRT_K_LDX || k == BPFRT_K_ST || k == BPFRT_K_STX || k == BPFRT_K_ATOMIC ||
           k == BPFRT_K_LDACQ || k == BPFRT_K_STREL;
}

#endif
