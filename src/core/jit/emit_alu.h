/* The ALU and ALU32 emitters (Linux: the BPF_ALU/BPF_ALU64 cases of do_jit
 * in arch/x86/net/bpf_jit_comp.c), inline: the compile loop
 * (jit_compile.c) expands bpfrt_jit_emit_alu in place, since ALU
 * instructions are about half of a program and a call per instruction
 * cost about a third of their emission. 32-bit operations use the x86
 * 32-bit form, which zero-extends by itself: an explicit `mov r32, r32`
 * appears only where the operation emits no instruction. The rest of the
 * family (sign-extending moves, byte swaps, ld_imm64, blinded constants)
 * is in emit_alu.c, division and modulo in emit_divmod.c. */
#ifndef BPFRT_JIT_EMIT_ALU_H
#define BPFRT_JIT_EMIT_ALU_H

#include "core/jit/jit.h"

/* One operation on D with either the x86 register S or (S < 0) imm. */
typedef void (*alu_fn)(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm);

/* The zero-extension of a 32-bit result, unless the verifier proved no
 * later instruction reads the upper half. */
static inline void zext32(struct jit_ctx *c, struct x86 *x, unsigned w, int D)
{
    if (w == 4 && !jit_fact(c, BPFRT_FACT_ZEXT_NEEDLESS))
        bpfrt_x86_mov_rr(x, 4, D, D);
}

static const int8_t arith_op[] = {
    [BPFRT_ALU_ADD] = X86_ADD, [BPFRT_ALU_SUB] = X86_SUB, [BPFRT_ALU_OR] = X86_OR,
    [BPFRT_ALU_AND] = X86_AND, [BPFRT_ALU_XOR] = X86_XOR,
};

static inline void alu_arith(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
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

static inline void alu_mov(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
{
    if (S >= 0) {
        if (w == 4 || S != D)
            bpfrt_x86_mov_rr(x, w, D, S);
        return;
    }
    bpfrt_x86_mov_imm(x, D, w == 8 ? (uint64_t)(int64_t)imm : (uint32_t)imm);
}

static inline void alu_mul(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
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

static inline void alu_shift(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
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

static inline void alu_neg(struct jit_ctx *c, struct x86 *x, uint8_t alu, unsigned w, int D, int S, int32_t imm)
{
    bpfrt_x86_neg(x, w, D);
}

/* The common part of an ALU instruction's emitter, inlined into each
 * operation's case of bpfrt_jit_emit_alu. */
static inline __attribute__((always_inline)) void emit_alu(struct jit_ctx *c, const struct interp_slot *d,
                                                           alu_fn fn)
{
    const struct bpfrt_op_info *info = &bpfrt_op_info[d->op];
    uint8_t alu = info->alu;
    unsigned w = (info->flags & BPFRT_OPF_32) ? 4 : 8;
    int S = (info->flags & BPFRT_OPF_K) ? -1 : R(d->src);
    bool is_shift = alu == BPFRT_ALU_LSH || alu == BPFRT_ALU_RSH || alu == BPFRT_ALU_ARSH;
    if (S < 0 && jit_blinding(c) && alu != BPFRT_ALU_NEG && !is_shift) {
        /* the constant goes through a register so it never appears as is */
        bpfrt_jit_load_blinded(c, &c->hot, JIT_T1, w == 8 ? d->imm : (uint32_t)jit_imm32(d));
        S = JIT_T1;
    }
    fn(c, &c->hot, alu, w, R(d->dst), S, jit_imm32(d));
}

/* An ALU or ALU32 instruction, by its operation. */
static inline __attribute__((always_inline)) void bpfrt_jit_emit_alu(struct jit_ctx *c, const struct interp_slot *d,
                                                                     uint8_t alu)
{
    switch (alu) {
    case BPFRT_ALU_MOV:
        emit_alu(c, d, alu_mov);
        break;
    case BPFRT_ALU_ADD: case BPFRT_ALU_SUB: case BPFRT_ALU_OR: case BPFRT_ALU_AND: case BPFRT_ALU_XOR:
        emit_alu(c, d, alu_arith);
        break;
    case BPFRT_ALU_MUL:
        emit_alu(c, d, alu_mul);
        break;
    case BPFRT_ALU_LSH: case BPFRT_ALU_RSH: case BPFRT_ALU_ARSH:
        emit_alu(c, d, alu_shift);
        break;
    case BPFRT_ALU_NEG:
        emit_alu(c, d, alu_neg);
        break;
    default: /* DIV, MOD, SDIV, SMOD */
        bpfrt_jit_emit_divmod(c, d);
        break;
    }
}

#endif
