/* Emitters for ALU, ALU32, sign-extending moves, byte swaps and ld_imm64
 * (Linux: the BPF_ALU/BPF_ALU64 cases of do_jit in
 * arch/x86/net/bpf_jit_comp.c). 32-bit operations use the x86 32-bit form,
 * which zero-extends by itself: an explicit `mov r32, r32` appears only
 * where the operation emits no instruction. Division and modulo are in
 * emit_divmod.c. */
#include "core/jit/jit.h"

/* One operation on D with either the x86 register S or (S < 0) imm. */
typedef void (*alu_fn)(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm);

/* The zero-extension of a 32-bit result, unless the verifier proved no
 * later instruction reads the upper half. */
static void zext32(struct jit_ctx *c, struct x86 *x, unsigned w, int D)
{
    if (w == 4 && !jit_fact(c, BPFRT_FACT_ZEXT_NEEDLESS))
        bpfrt_x86_mov_rr(x, 4, D, D);
}

static const int8_t arith_op[] = {
    [BPFRT_ALU_ADD] = X86_ADD, [BPFRT_ALU_SUB] = X86_SUB, [BPFRT_ALU_OR] = X86_OR,
    [BPFRT_ALU_AND] = X86_AND, [BPFRT_ALU_XOR] = X86_XOR,
};

JIT_INLINE void alu_arith(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
{
    enum x86_alu op = (enum x86_alu)arith_op[alu];
    if (S >= 0) {
        if (S == D && (alu == BPFRT_ALU_XOR || alu == BPFRT_ALU_SUB))
            bpfrt_x86_alu_rr(x, X86_XOR, 4, D, D);
        else
            bpfrt_x86_alu_rr(x, op, w, D, S);
        return;
    }
    if (alu == BPFRT_ALU_AND) {
        if (imm == 0) {
            bpfrt_x86_alu_rr(x, X86_XOR, 4, D, D);
            return;
        }
        if (imm == -1) {
            zext32(c, x, w, D);
            return;
        }
        if (imm == 0xff || imm == 0xffff) { /* movzx is shorter than and with imm32 */
            bpfrt_x86_movzx_rr(x, 4, imm == 0xff ? 1 : 2, D, D);
            return;
        }
    } else if (imm == 0) {
        zext32(c, x, w, D); /* add/sub/or/xor 0 */
        return;
    }
    bpfrt_x86_alu_ri(x, op, w, D, imm);
}

JIT_INLINE void alu_mov(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
{
    if (S >= 0) {
        if (w == 4 || S != D)
            bpfrt_x86_mov_rr(x, w, D, S);
        return;
    }
    bpfrt_x86_mov_imm(x, D, w == 8 ? (uint64_t)(int64_t)imm : (uint32_t)imm);
}

JIT_INLINE void alu_mul(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
{
    if (S >= 0) {
        bpfrt_x86_imul_rr(x, w, D, S);
        return;
    }
    if (imm == 0) {
        bpfrt_x86_alu_rr(x, X86_XOR, 4, D, D);
    } else if (imm == 1) {
        zext32(c, x, w, D);
    } else if (imm == -1) {
        bpfrt_x86_neg(x, w, D);
    } else if (imm > 0 && (imm & (imm - 1)) == 0) {
        bpfrt_x86_shift_ri(x, X86_SHL, w, D, (uint8_t)__builtin_ctz((uint32_t)imm));
    } else {
        bpfrt_x86_imul_rri(x, w, D, D, imm);
    }
}

static const uint8_t shift_op[] = {
    [BPFRT_ALU_LSH] = X86_SHL, [BPFRT_ALU_RSH] = X86_SHR, [BPFRT_ALU_ARSH] = X86_SAR,
};

JIT_INLINE void alu_shift(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
{
    enum x86_shift op = (enum x86_shift)shift_op[alu];
    if (S < 0) {
        uint8_t n = (uint8_t)(imm & (w == 8 ? 63 : 31)); /* RFC 9669: the amount is masked */
        if (n == 0)
            zext32(c, x, w, D);
        else
            bpfrt_x86_shift_ri(x, op, w, D, n);
        return;
    }
    /* x86 masks register shift counts the same way. */
    if (c->bmi2) {
        bpfrt_x86_shiftx(x, op, w, D, D, S);
    } else if (S == X86_RCX) {
        bpfrt_x86_shift_cl(x, op, w, D);
    } else {
        /* the count must be in cl: borrow rcx (r4) */
        bpfrt_x86_mov_rr(x, 8, JIT_T1, X86_RCX);
        bpfrt_x86_mov_rr(x, 8, X86_RCX, S);
        if (D == X86_RCX) {
            bpfrt_x86_shift_cl(x, op, w, JIT_T1);
            bpfrt_x86_mov_rr(x, 8, X86_RCX, JIT_T1);
        } else {
            bpfrt_x86_shift_cl(x, op, w, D);
            bpfrt_x86_mov_rr(x, 8, X86_RCX, JIT_T1);
        }
    }
}

JIT_INLINE void alu_neg(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
{
    bpfrt_x86_neg(x, w, D);
}

/* The common part of an ALU instruction's emitter, inlined into one
 * emitter per op with the op's traits as constants: the compile dispatches
 * once per instruction, on the op, and nothing in the emitter branches on
 * what the op already says (a branch the predictor cannot learn when a
 * program is compiled once costs more than the code it chooses). */
JIT_INLINE void emit_alu(struct jit_ctx *c, const struct interp_slot *d, alu_fn fn, uint8_t alu, unsigned w, bool k)
{
    /* an addition the copy before it already made a lea of */
    bool mergeable = w == 8 && (alu == BPFRT_ALU_ADD || (alu == BPFRT_ALU_SUB && k));
    if (mergeable && c->pc < c->merged_end)
        return;
    int S = k ? -1 : R(d->src);
    bool is_shift = alu == BPFRT_ALU_LSH || alu == BPFRT_ALU_RSH || alu == BPFRT_ALU_ARSH;
    if (k && jit_blinding(c) && alu != BPFRT_ALU_NEG && !is_shift) {
        /* the constant goes through a register so it never appears as is */
        bpfrt_jit_load_blinded(c, &c->hot, JIT_T1, w == 8 ? d->imm : (uint32_t)jit_imm32(d));
        S = JIT_T1;
    }
    fn(c, &c->hot, alu, w, R(d->dst), S, jit_imm32(d));
}

/* One emitter per op of a family (64- and 32-bit, immediate and register),
 * and its row of the op table. */
#define ALU_FAMILY(OP, FN)                                                    \
    JIT_OP_EMITTER(OP##64_K, emit_alu(c, d, alu_##FN, BPFRT_ALU_##OP, 8, true))  \
    JIT_OP_EMITTER(OP##64_X, emit_alu(c, d, alu_##FN, BPFRT_ALU_##OP, 8, false)) \
    JIT_OP_EMITTER(OP##32_K, emit_alu(c, d, alu_##FN, BPFRT_ALU_##OP, 4, true))  \
    JIT_OP_EMITTER(OP##32_X, emit_alu(c, d, alu_##FN, BPFRT_ALU_##OP, 4, false))
#define ALU_ROWS(OP, FN)                                                                          \
    [BPFRT_OP_##OP##64_K] = emit_##OP##64_K, [BPFRT_OP_##OP##64_X] = emit_##OP##64_X,              \
    [BPFRT_OP_##OP##32_K] = emit_##OP##32_K, [BPFRT_OP_##OP##32_X] = emit_##OP##32_X,
#define DIVMOD_ROWS(OP, FN)                                                                       \
    [BPFRT_OP_##OP##64_K] = bpfrt_jit_emit_divmod, [BPFRT_OP_##OP##64_X] = bpfrt_jit_emit_divmod,  \
    [BPFRT_OP_##OP##32_K] = bpfrt_jit_emit_divmod, [BPFRT_OP_##OP##32_X] = bpfrt_jit_emit_divmod,
/* family, emitter */
#define ALU_FAMILIES(X)                                                                         \
    X(ADD, arith) X(SUB, arith) X(OR, arith) X(AND, arith) X(XOR, arith) X(MUL, mul) X(LSH, shift) \
    X(RSH, shift) X(ARSH, shift)
#define DIVMOD_FAMILIES(X) X(DIV, divmod) X(SDIV, divmod) X(MOD, divmod) X(SMOD, divmod)

ALU_FAMILIES(ALU_FAMILY)
ALU_FAMILY(MOV, mov) /* its MOV64_X row is emit_MOV64_X_fused, below */

/* `r = s` followed by `r += imm` (or -=) and/or `r += t`, the pointer arithmetic
 * of nearly every program (r2 = r10; r2 += -8): one lea, as a compiler
 * emits, unless an addition is entered by a jump or a call
 * (JIT_MARK_ENTRY) or its constant must be blinded. The lea sets no flags;
 * no emitter reads flags an earlier instruction set. */
static void emit_MOV64_X_fused(struct jit_ctx *c, const struct interp_slot *d)
{
    int S = R(d->src), index = -1;
    int32_t disp = 0;
    bool has_disp = false;
    uint8_t used = 0;
    for (uint8_t k = 1; k <= 2 && d->src != d->dst; k++) {
        const struct interp_slot *n = d + k; /* (the slots end with a FELL_OFF sentinel) */
        if (n->dst != d->dst || (c->marks[c->pc + k] & JIT_MARK_ENTRY))
            break;
        bool sub_k = n->op == BPFRT_OP_SUB64_K && jit_imm32(n) != INT32_MIN;
        if ((n->op == BPFRT_OP_ADD64_K || sub_k) && !has_disp && !jit_blinding(c)) {
            disp = sub_k ? -jit_imm32(n) : jit_imm32(n);
            has_disp = true;
        } else if (n->op == BPFRT_OP_ADD64_X && index < 0 && (n->src != d->dst || k == 1)) {
            index = n->src == d->dst ? S : R(n->src); /* r += r right after the copy: s + s */
        } else {
            break;
        }
        used = k;
    }
    if (!used) {
        emit_MOV64_X(c, d);
        return;
    }
    if (index < 0)
        bpfrt_x86_lea(&c->hot, R(d->dst), S, disp);
    else
        bpfrt_x86_lea_idx(&c->hot, R(d->dst), S, index, disp);
    c->merged_end = c->pc + used + 1; /* their emitters emit nothing */
}

JIT_OP_EMITTER(NEG64, emit_alu(c, d, alu_neg, BPFRT_ALU_NEG, 8, false))
JIT_OP_EMITTER(NEG32, emit_alu(c, d, alu_neg, BPFRT_ALU_NEG, 4, false))

static const jit_emit_fn alu_emitters[BPFRT_OP_COUNT] = {
    ALU_FAMILIES(ALU_ROWS) DIVMOD_FAMILIES(DIVMOD_ROWS)
    [BPFRT_OP_NEG64] = emit_NEG64, [BPFRT_OP_NEG32] = emit_NEG32,
    [BPFRT_OP_MOV64_K] = emit_MOV64_K, [BPFRT_OP_MOV64_X] = emit_MOV64_X_fused,
    [BPFRT_OP_MOV32_K] = emit_MOV32_K, [BPFRT_OP_MOV32_X] = emit_MOV32_X,
};

jit_emit_fn bpfrt_jit_alu_emitter(uint16_t op)
{
    return op < BPFRT_OP_COUNT ? alu_emitters[op] : NULL;
}

void bpfrt_jit_emit_movsx(struct jit_ctx *c, const struct interp_slot *d)
{
    unsigned w = (bpfrt_op_info[d->op].flags & BPFRT_OPF_32) ? 4 : 8;
    bpfrt_x86_movsx_rr(&c->hot, w, jit_size(d), R(d->dst), R(d->src));
}

void bpfrt_jit_emit_end(struct jit_ctx *c, const struct interp_slot *d)
{
    struct x86 *x = &c->hot;
    int D = R(d->dst);
    bool swap = bpfrt_op_info[d->op].alu != BPFRT_ALU_LE; /* x86 is little-endian */
    switch (jit_size(d)) {
    case 2:
        if (swap)
            bpfrt_x86_shift_ri(x, X86_ROL, 2, D, 8);
        bpfrt_x86_movzx_rr(x, 4, 2, D, D);
        break;
    case 4:
        if (swap)
            bpfrt_x86_bswap(x, 4, D);
        else
            zext32(c, x, 4, D);
        break;
    default:
        if (swap)
            bpfrt_x86_bswap(x, 8, D);
        break;
    }
}

void bpfrt_jit_emit_lddw(struct jit_ctx *c, const struct interp_slot *d)
{
    uint64_t v = d->imm; /* (a BPF_PSEUDO_FUNC handle is the interpreter's: its slot) */
    if (jit_blinding(c))
        bpfrt_jit_load_blinded(c, &c->hot, R(d->dst), v);
    else
        bpfrt_x86_mov_imm(&c->hot, R(d->dst), v);
}

void bpfrt_jit_load_blinded(struct jit_ctx *c, struct x86 *x, int reg, uint64_t value)
{
    uint32_t key = c->keys[c->pc];
    if (x86_is_simm32((int64_t)value)) {
        /* sign extension commutes with xor */
        bpfrt_x86_mov_r64_simm(x, reg, (int32_t)((uint32_t)value ^ key));
        bpfrt_x86_alu_ri(x, X86_XOR, 8, reg, (int32_t)key);
        return;
    }
    uint64_t k64 = (uint64_t)key << 32 | (key ^ 0x5bd1e995u);
    int tmp = reg == JIT_T2 ? JIT_T1 : JIT_T2;
    bpfrt_x86_movabs(x, reg, value ^ k64);
    bpfrt_x86_movabs(x, tmp, k64);
    bpfrt_x86_alu_rr(x, X86_XOR, 8, reg, tmp);
}
