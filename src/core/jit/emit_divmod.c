/* Division and modulo with RFC 9669's corner cases, as the interpreter
 * defines them: x / 0 = 0, x % 0 = x (the 32-bit forms zero-extend),
 * INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0 (x86 would trap on both).
 * A register divisor is tested at run time; a constant one is resolved
 * here: 0, 1 and -1 need no division, powers of two become shifts and
 * masks, and other unsigned divisors a multiply and shift (jit_divmagic.c),
 * as gcc compiles `% P`. Linux's x86 JIT always emits div/idiv
 * (do_jit, BPF_DIV/BPF_MOD). rax (r0) and rdx (r3) are borrowed around
 * div/mul and given back. */
#include "core/jit/jit.h"

/* div/idiv of D by JIT_T2 (not 0, not -1 when signed): D = quotient or
 * remainder; rax and rdx keep their eBPF values unless D is one of them. */
static void hw_divide(struct x86 *x, unsigned w, int D, bool is_signed, bool mod)
{
    if (D != X86_RAX)
        bpfrt_x86_mov_rr(x, 8, JIT_T1, X86_RAX);
    if (D != X86_RDX)
        bpfrt_x86_push(x, X86_RDX);
    if (D != X86_RAX)
        bpfrt_x86_mov_rr(x, w, X86_RAX, D);
    if (is_signed)
        bpfrt_x86_cdq(x, w);
    else
        bpfrt_x86_alu_rr(x, X86_XOR, 4, X86_RDX, X86_RDX);
    bpfrt_x86_div_r(x, w, JIT_T2, is_signed);
    int res = mod ? X86_RDX : X86_RAX;
    if (D != res)
        bpfrt_x86_mov_rr(x, w, D, res); /* (a 32-bit div already zero-extended res) */
    if (D != X86_RDX)
        bpfrt_x86_pop(x, X86_RDX);
    if (D != X86_RAX)
        bpfrt_x86_mov_rr(x, 8, X86_RAX, JIT_T1);
}

/* The result for a zero divisor: x / 0 = 0, x % 0 = x. */
static void by_zero(struct x86 *x, unsigned w, int D, bool mod)
{
    if (!mod)
        bpfrt_x86_alu_rr(x, X86_XOR, 4, D, D);
    else if (w == 4)
        bpfrt_x86_mov_rr(x, 4, D, D);
}

/* The result for a divisor of -1 (signed): x / -1 = -x, x % -1 = 0. */
static void by_minus_one(struct x86 *x, unsigned w, int D, bool mod)
{
    if (mod)
        bpfrt_x86_alu_rr(x, X86_XOR, 4, D, D);
    else
        bpfrt_x86_neg(x, w, D);
}

static void divide_reg(struct jit_ctx *c, unsigned w, int D, int S, bool is_signed, bool mod)
{
    struct x86 *x = &c->hot;
    bpfrt_x86_mov_rr(x, w, JIT_T2, S); /* before anything borrows rax/rdx */
    bpfrt_x86_test_rr(x, w, JIT_T2, JIT_T2);
    uint32_t to_zero = bpfrt_jit_fwd8(c, x, X86_CC_E), to_m1 = 0;
    if (is_signed) {
        bpfrt_x86_alu_ri(x, X86_CMP, w, JIT_T2, -1);
        to_m1 = bpfrt_jit_fwd8(c, x, X86_CC_E);
    }
    hw_divide(x, w, D, is_signed, mod);
    uint32_t done = bpfrt_jit_fwd8(c, x, -1), done2 = 0;
    bpfrt_jit_patch8(c, x, to_zero);
    by_zero(x, w, D, mod);
    if (is_signed) {
        done2 = bpfrt_jit_fwd8(c, x, -1);
        bpfrt_jit_patch8(c, x, to_m1);
        by_minus_one(x, w, D, mod);
        bpfrt_jit_patch8(c, x, done2);
    }
    bpfrt_jit_patch8(c, x, done);
}

/* Unsigned division by a constant with a multiplier (bpfrt_jit_magic_u). */
static void divide_magic(struct x86 *x, unsigned w, int D, uint64_t d, const struct jit_magic *mg, bool mod)
{
    if (w == 4) {
        /* 64-bit products of 32-bit values: no rax/rdx needed */
        bpfrt_x86_mov_rr(x, 4, JIT_T1, D);            /* n, zero-extended */
        bpfrt_x86_mov_imm(x, JIT_T2, mg->m);
        bpfrt_x86_imul_rr(x, 8, JIT_T2, JIT_T1);
        if (mg->add) {
            bpfrt_x86_shift_ri(x, X86_SHR, 8, JIT_T2, 32);
            bpfrt_x86_alu_rr(x, X86_ADD, 8, JIT_T2, JIT_T1);
        }
        bpfrt_x86_shift_ri(x, X86_SHR, 8, JIT_T2, (uint8_t)mg->shift);
        if (mod) {
            bpfrt_x86_imul_rri(x, 4, JIT_T2, JIT_T2, (int32_t)(uint32_t)d);
            bpfrt_x86_alu_rr(x, X86_SUB, 4, JIT_T1, JIT_T2);
            bpfrt_x86_mov_rr(x, 4, D, JIT_T1);
        } else {
            bpfrt_x86_mov_rr(x, 4, D, JIT_T2);
        }
        return;
    }
    /* 64-bit: mul gives the high half in rdx */
    if (D != X86_RAX)
        bpfrt_x86_mov_rr(x, 8, JIT_T1, X86_RAX);
    if (D != X86_RDX)
        bpfrt_x86_push(x, X86_RDX);
    bpfrt_x86_mov_rr(x, 8, JIT_T2, D);                /* n */
    bpfrt_x86_mov_imm(x, X86_RAX, mg->m);
    bpfrt_x86_mul_r(x, 8, JIT_T2);                    /* rdx = (n * m) >> 64 */
    if (mg->add) {
        bpfrt_x86_mov_rr(x, 8, X86_RAX, JIT_T2);
        bpfrt_x86_alu_rr(x, X86_SUB, 8, X86_RAX, X86_RDX);
        bpfrt_x86_shift_ri(x, X86_SHR, 8, X86_RAX, 1);
        bpfrt_x86_alu_rr(x, X86_ADD, 8, X86_RDX, X86_RAX); /* hi + ((n - hi) >> 1), no overflow */
        if (mg->shift > 1)
            bpfrt_x86_shift_ri(x, X86_SHR, 8, X86_RDX, (uint8_t)(mg->shift - 1));
    } else if (mg->shift > 64) {
        bpfrt_x86_shift_ri(x, X86_SHR, 8, X86_RDX, (uint8_t)(mg->shift - 64));
    }
    if (mod) {
        /* r = n - q * d */
        if (x86_is_simm32((int64_t)d)) {
            bpfrt_x86_imul_rri(x, 8, X86_RDX, X86_RDX, (int32_t)d);
        } else {
            bpfrt_x86_mov_imm(x, X86_RAX, d);
            bpfrt_x86_imul_rr(x, 8, X86_RDX, X86_RAX);
        }
        bpfrt_x86_alu_rr(x, X86_SUB, 8, JIT_T2, X86_RDX);
        bpfrt_x86_mov_rr(x, 8, D, JIT_T2);
    } else if (D != X86_RDX) {
        bpfrt_x86_mov_rr(x, 8, D, X86_RDX);
    }
    if (D != X86_RDX)
        bpfrt_x86_pop(x, X86_RDX);
    if (D != X86_RAX)
        bpfrt_x86_mov_rr(x, 8, X86_RAX, JIT_T1);
}

static void divide_const(struct jit_ctx *c, unsigned w, int D, int32_t imm, bool is_signed, bool mod)
{
    struct x86 *x = &c->hot;
    /* the divisor as the operation sees it: sign-extended for 64 bits */
    uint64_t d = w == 8 ? (uint64_t)(int64_t)imm : (uint32_t)imm;
    if (d == 0) {
        by_zero(x, w, D, mod);
        return;
    }
    if (is_signed && imm == -1) {
        by_minus_one(x, w, D, mod);
        return;
    }
    if (!is_signed) {
        struct jit_magic mg;
        if (d == 1) {
            if (mod)
                bpfrt_x86_alu_rr(x, X86_XOR, 4, D, D);
            else if (w == 4)
                bpfrt_x86_mov_rr(x, 4, D, D);
            return;
        }
        if ((d & (d - 1)) == 0) {
            unsigned k = (unsigned)__builtin_ctzll(d);
            if (!mod) {
                bpfrt_x86_shift_ri(x, X86_SHR, w, D, (uint8_t)k);
            } else if (k <= 31) {
                bpfrt_x86_alu_ri(x, X86_AND, w, D, (int32_t)(d - 1));
            } else {
                bpfrt_x86_shift_ri(x, X86_SHL, 8, D, (uint8_t)(64 - k));
                bpfrt_x86_shift_ri(x, X86_SHR, 8, D, (uint8_t)(64 - k));
            }
            return;
        }
        if (bpfrt_jit_magic_u(d, w * 8, &mg)) {
            divide_magic(x, w, D, d, &mg, mod);
            return;
        }
    }
    /* signed, or unsigned 64-bit by a divisor >= 2^63: the divide itself */
    bpfrt_x86_mov_imm(x, JIT_T2, w == 8 ? d : (uint64_t)(uint32_t)d);
    hw_divide(x, w, D, is_signed, mod);
}

void bpfrt_jit_emit_divmod(struct jit_ctx *c, const struct interp_slot *d)
{
    const struct bpfrt_op_info *info = &bpfrt_op_info[d->op];
    unsigned w = (info->flags & BPFRT_OPF_32) ? 4 : 8;
    bool is_signed = info->alu == BPFRT_ALU_SDIV || info->alu == BPFRT_ALU_SMOD;
    bool mod = info->alu == BPFRT_ALU_MOD || info->alu == BPFRT_ALU_SMOD;
    int D = R(d->dst);
    if (!(info->flags & BPFRT_OPF_K)) {
        divide_reg(c, w, D, R(d->src), is_signed, mod);
    } else if (jit_blinding(c)) {
        /* no constant in the code: load it blinded and divide at run time */
        bpfrt_jit_load_blinded(c, &c->hot, JIT_T1, w == 8 ? d->imm : (uint32_t)jit_imm32(d));
        divide_reg(c, w, D, JIT_T1, is_signed, mod);
    } else {
        divide_const(c, w, D, jit_imm32(d), is_signed, mod);
    }
}
