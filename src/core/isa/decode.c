/* Decoding: raw instruction -> struct bpfrt_dinsn, through the opcode table
 * (each form names its op), and the per-op traits every consumer reads.
 * Mirrors what Linux spreads over BPF_CLASS/BPF_OP tests in verifier.c and
 * the x86 JIT; here it is one lookup. */
#include "core/isa/isa.h"
#include "bpfrt/errno.h"

#define K BPFRT_OPF_K
#define W32 BPFRT_OPF_32

/* ---- per-op traits ---- */
#define INFO(NAME, KIND, ALU, SIZE, FLAGS) [BPFRT_OP_##NAME] = {#NAME, KIND, ALU, SIZE, FLAGS}
#define ALU4(NAME, ALU)                                              \
    INFO(NAME##64_K, BPFRT_K_ALU, ALU, 0, K), INFO(NAME##64_X, BPFRT_K_ALU, ALU, 0, 0), \
    INFO(NAME##32_K, BPFRT_K_ALU, ALU, 0, K | W32), INFO(NAME##32_X, BPFRT_K_ALU, ALU, 0, W32)
#define JMP4(NAME, COND)                                                  \
    INFO(NAME##64_K, BPFRT_K_JCOND, COND, 0, K), INFO(NAME##64_X, BPFRT_K_JCOND, COND, 0, 0), \
    INFO(NAME##32_K, BPFRT_K_JCOND, COND, 0, K | W32), INFO(NAME##32_X, BPFRT_K_JCOND, COND, 0, W32)
#define MEM4(PFX, KIND, FLAGS) \
    INFO(PFX##_B, KIND, 0, 1, FLAGS), INFO(PFX##_H, KIND, 0, 2, FLAGS), \
    INFO(PFX##_W, KIND, 0, 4, FLAGS), INFO(PFX##_DW, KIND, 0, 8, FLAGS)
#define ATOMIC2(NAME, ALU, FLAGS) \
    INFO(NAME##_W, BPFRT_K_ATOMIC, ALU, 4, FLAGS), INFO(NAME##_DW, BPFRT_K_ATOMIC, ALU, 8, FLAGS)

const struct bpfrt_op_info bpfrt_op_info[BPFRT_OP_COUNT] = {
    INFO(BAD, BPFRT_K_BAD, 0, 0, 0),
    ALU4(ADD, BPFRT_ALU_ADD), ALU4(SUB, BPFRT_ALU_SUB), ALU4(MUL, BPFRT_ALU_MUL),
    ALU4(DIV, BPFRT_ALU_DIV), ALU4(SDIV, BPFRT_ALU_SDIV), ALU4(MOD, BPFRT_ALU_MOD),
    ALU4(SMOD, BPFRT_ALU_SMOD), ALU4(OR, BPFRT_ALU_OR), ALU4(AND, BPFRT_ALU_AND),
    ALU4(XOR, BPFRT_ALU_XOR), ALU4(LSH, BPFRT_ALU_LSH), ALU4(RSH, BPFRT_ALU_RSH),
    ALU4(ARSH, BPFRT_ALU_ARSH), ALU4(MOV, BPFRT_ALU_MOV),
    INFO(NEG64, BPFRT_K_ALU, BPFRT_ALU_NEG, 0, 0), INFO(NEG32, BPFRT_K_ALU, BPFRT_ALU_NEG, 0, W32),
    INFO(MOVSX8_64, BPFRT_K_MOVSX, BPFRT_ALU_MOV, 1, 0), INFO(MOVSX16_64, BPFRT_K_MOVSX, BPFRT_ALU_MOV, 2, 0),
    INFO(MOVSX32_64, BPFRT_K_MOVSX, BPFRT_ALU_MOV, 4, 0), INFO(MOVSX8_32, BPFRT_K_MOVSX, BPFRT_ALU_MOV, 1, W32),
    INFO(MOVSX16_32, BPFRT_K_MOVSX, BPFRT_ALU_MOV, 2, W32),
    INFO(LE16, BPFRT_K_END, BPFRT_ALU_LE, 2, 0), INFO(LE32, BPFRT_K_END, BPFRT_ALU_LE, 4, 0),
    INFO(LE64, BPFRT_K_END, BPFRT_ALU_LE, 8, 0), INFO(BE16, BPFRT_K_END, BPFRT_ALU_BE, 2, 0),
    INFO(BE32, BPFRT_K_END, BPFRT_ALU_BE, 4, 0), INFO(BE64, BPFRT_K_END, BPFRT_ALU_BE, 8, 0),
    INFO(BSWAP16, BPFRT_K_END, BPFRT_ALU_BSWAP, 2, 0), INFO(BSWAP32, BPFRT_K_END, BPFRT_ALU_BSWAP, 4, 0),
    INFO(BSWAP64, BPFRT_K_END, BPFRT_ALU_BSWAP, 8, 0),
    INFO(JA, BPFRT_K_JA, 0, 0, 0),
    JMP4(JEQ, BPFRT_JEQ), JMP4(JGT, BPFRT_JGT), JMP4(JGE, BPFRT_JGE), JMP4(JSET, BPFRT_JSET),
    JMP4(JNE, BPFRT_JNE), JMP4(JSGT, BPFRT_JSGT), JMP4(JSGE, BPFRT_JSGE), JMP4(JLT, BPFRT_JLT),
    JMP4(JLE, BPFRT_JLE), JMP4(JSLT, BPFRT_JSLT), JMP4(JSLE, BPFRT_JSLE),
    INFO(CALL_HELPER, BPFRT_K_CALL, 0, 0, 0), INFO(CALL_LOCAL, BPFRT_K_CALL, 0, 0, 0),
    INFO(CALL_KFUNC, BPFRT_K_CALL, 0, 0, 0), INFO(CALLX, BPFRT_K_CALL, 0, 0, 0),
    INFO(EXIT, BPFRT_K_EXIT, 0, 0, 0), INFO(MAY_GOTO, BPFRT_K_MAY_GOTO, 0, 0, 0),
    INFO(LDDW, BPFRT_K_LDDW, 0, 8, 0),
    INFO(LDABS_B, BPFRT_K_LD_PKT, 0, 1, K), INFO(LDABS_H, BPFRT_K_LD_PKT, 0, 2, K),
    INFO(LDABS_W, BPFRT_K_LD_PKT, 0, 4, K), INFO(LDIND_B, BPFRT_K_LD_PKT, 0, 1, 0),
    INFO(LDIND_H, BPFRT_K_LD_PKT, 0, 2, 0), INFO(LDIND_W, BPFRT_K_LD_PKT, 0, 4, 0),
    MEM4(LDX, BPFRT_K_LDX, 0),
    INFO(LDXSX_B, BPFRT_K_LDX, 0, 1, BPFRT_OPF_SIGNED), INFO(LDXSX_H, BPFRT_K_LDX, 0, 2, BPFRT_OPF_SIGNED),
    INFO(LDXSX_W, BPFRT_K_LDX, 0, 4, BPFRT_OPF_SIGNED),
    MEM4(ST, BPFRT_K_ST, K), MEM4(STX, BPFRT_K_STX, 0),
    ATOMIC2(AADD, BPFRT_ALU_ADD, 0), ATOMIC2(AOR, BPFRT_ALU_OR, 0), ATOMIC2(AAND, BPFRT_ALU_AND, 0),
    ATOMIC2(AXOR, BPFRT_ALU_XOR, 0), ATOMIC2(AFADD, BPFRT_ALU_ADD, BPFRT_OPF_FETCH),
    ATOMIC2(AFOR, BPFRT_ALU_OR, BPFRT_OPF_FETCH), ATOMIC2(AFAND, BPFRT_ALU_AND, BPFRT_OPF_FETCH),
    ATOMIC2(AFXOR, BPFRT_ALU_XOR, BPFRT_OPF_FETCH), ATOMIC2(AXCHG, BPFRT_ALU_XCHG, BPFRT_OPF_FETCH),
    ATOMIC2(ACMPXCHG, BPFRT_ALU_CMPXCHG, BPFRT_OPF_FETCH),
    MEM4(LDACQ, BPFRT_K_LDACQ, 0), MEM4(STREL, BPFRT_K_STREL, 0),
};

/* ---- decoding ---- */

int bpfrt_isa_decode(const struct bpf_insn *insns, uint32_t cnt, uint32_t pc, struct bpfrt_dinsn *out)
{
    const struct bpf_insn *insn = &insns[pc];
    const struct isa_opcode *row = &bpfrt_isa_opcodes[insn->code];
    const struct isa_form *form = row->forms ? bpfrt_isa_find_form(row, insn) : NULL;
    uint16_t op = form ? form->op : BPFRT_OP_BAD;
    const struct bpfrt_op_info *info = &bpfrt_op_info[op];

    out->op = op;
    out->dst = insn->dst_reg;
    out->src = insn->src_reg;
    out->size = info->size;
    out->len = 1;
    out->off = insn->off;
    out->imm = insn->imm;
    out->target = 0;
    out->value = (uint64_t)(int64_t)insn->imm;

    switch (info->kind) {
    case BPFRT_K_BAD:
        return -BPFRT_EINVAL;
    case BPFRT_K_JA:
        /* ja32 (class JMP32) carries its offset in imm. */
        out->target = (int32_t)((int64_t)pc + 1 + (form->shape == ISA_SH_JA32 ? insn->imm : insn->off));
        break;
    case BPFRT_K_JCOND:
    case BPFRT_K_MAY_GOTO:
        out->target = (int32_t)((int64_t)pc + 1 + insn->off);
        break;
    case BPFRT_K_CALL:
        if (op == BPFRT_OP_CALL_LOCAL)
            out->target = (int32_t)((int64_t)pc + 1 + insn->imm);
        break;
    case BPFRT_K_LDDW:
        out->len = 2;
        if (pc + 1 >= cnt)
            return -BPFRT_EINVAL;
        out->value = (uint64_t)(uint32_t)insn->imm | (uint64_t)(uint32_t)insns[pc + 1].imm << 32;
        if (insn->src_reg == BPF_PSEUDO_FUNC)
            out->target = (int32_t)((int64_t)pc + 1 + insn->imm);
        break;
    default:
        break;
    }
    return 0;
}
