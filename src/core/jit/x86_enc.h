/* The x86-64 encoder's definitions (included by x86.h; see there):
 * prefixes, REX, ModRM/SIB and immediates.
 * Mirrors the emit_* helpers of Linux's arch/x86/net/bpf_jit_comp.c, with
 * one generic operand encoder instead of one function per addressing case.
 * Encodings follow what GNU as emits for the same Intel-syntax instruction
 * (tests/unit/test_jit_x86.c checks that byte for byte). */
#ifndef BPFRT_JIT_X86_ENC_H
#define BPFRT_JIT_X86_ENC_H

/* Every encoder is inlined where it is called. */
#define X86_INLINE static inline __attribute__((always_inline))

/* An instruction's bytes go straight to the stream through a local
 * pointer: the stream's fields are read once before and written once after
 * (a byte store through x->code could alias x itself, which would make the
 * compiler reload them after every byte), the new length computed from the
 * length read before, so that consecutive instructions pass it in a
 * register, not through a store and a reload. Built in a local buffer and
 * copied out with one wide load instead, an instruction stalls: a load
 * that spans several smaller stores cannot be forwarded from them. */
struct x86_ib {
    uint8_t *b;
    unsigned n;
};

X86_INLINE void x86_b1(struct x86_ib *x, uint8_t v)
{
    x->b[x->n++] = v;
}

X86_INLINE void x86_b2(struct x86_ib *x, uint16_t v)
{
    x86_b1(x, (uint8_t)v);
    x86_b1(x, (uint8_t)(v >> 8));
}

X86_INLINE void x86_b4(struct x86_ib *x, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        x86_b1(x, (uint8_t)(v >> (8 * i)));
}

/* The public function of an encoding. */
#define WRAP(name, params, args)                                               \
    X86_INLINE void bpfrt_x86_##name params  \
    {                                                                          \
        uint32_t x86_len = x->len;                                             \
        struct x86_ib x86_ib = { x->code + x86_len, 0 };                       \
        x86_enc_##name args;                                                   \
        x->len = x86_len + x86_ib.n;                                           \
    }

/* An r/m operand: a register, or [base + index + disp] (index < 0: none;
 * the scale is always 1). */
struct x86_rm {
    bool is_reg;
    int8_t reg;     /* the register, or the base */
    int8_t index;
    int32_t disp;
};

static inline struct x86_rm x86_R(int reg)
{
    return (struct x86_rm){ true, (int8_t)reg, -1, 0 };
}

static inline struct x86_rm x86_M(int base, int32_t disp)
{
    return (struct x86_rm){ false, (int8_t)base, -1, disp };
}

/* Byte registers 4-7 are spl/bpl/sil/dil only with a REX prefix. */
static inline bool x86_needs_rex8(int reg)
{
    return reg >= 4 && reg < 8;
}

/* [66] [REX] opcode ModRM [SIB] [disp]: `r` is the ModRM.reg field (a
 * register or a /digit), `m` the r/m operand. size selects the operand-size
 * prefix (2) or REX.W (8); byte_r / byte_m say that r / a register m are
 * byte registers. */
X86_INLINE void x86_op_rm(struct x86_ib *x, unsigned size, bool byte_r, bool byte_m, const uint8_t *op, unsigned oplen,
                  int r, struct x86_rm m)
{
    if (size == 2)
        x86_b1(x, 0x66);
    uint8_t rex = 0x40 | (size == 8 ? 8 : 0) | ((r & 8) ? 4 : 0) | ((m.reg & 8) ? 1 : 0);
    if (!m.is_reg && m.index >= 0 && (m.index & 8))
        rex |= 2;
    bool force = (byte_r && x86_needs_rex8(r)) || (byte_m && m.is_reg && x86_needs_rex8(m.reg));
    if (rex != 0x40 || force)
        x86_b1(x, rex);
    for (unsigned i = 0; i < oplen; i++)
        x86_b1(x, op[i]);
    uint8_t reg3 = (uint8_t)((r & 7) << 3);
    if (m.is_reg) {
        x86_b1(x, 0xc0 | reg3 | (m.reg & 7));
        return;
    }
    int base = m.reg & 7;
    bool sib = base == 4 || m.index >= 0;
    /* mod: no displacement unless the base is rbp/r13 (whose mod-0 form
     * means something else), disp8 when it fits, else disp32. */
    uint8_t mod = m.disp == 0 && base != 5 ? 0 : x86_is_imm8(m.disp) ? 1 : 2;
    x86_b1(x, (uint8_t)(mod << 6) | reg3 | (sib ? 4 : base));
    if (sib)
        x86_b1(x, (uint8_t)(((m.index >= 0 ? m.index & 7 : 4) << 3) | base));
    if (mod == 1)
        x86_b1(x, (uint8_t)(int8_t)m.disp);
    else if (mod == 2)
        x86_b4(x, (uint32_t)m.disp);
}

X86_INLINE void x86_op1(struct x86_ib *x, unsigned size, bool byte_r, bool byte_m, uint8_t op, int r, struct x86_rm m)
{
    x86_op_rm(x, size, byte_r, byte_m, &op, 1, r, m);
}

X86_INLINE void x86_op2(struct x86_ib *x, unsigned size, bool byte_r, bool byte_m, uint8_t op0, uint8_t opc, int r,
                        struct x86_rm m)
{
    uint8_t op[2] = { op0, opc };
    x86_op_rm(x, size, byte_r, byte_m, op, 2, r, m);
}

X86_INLINE void x86_imm_sized(struct x86_ib *x, unsigned size, int32_t imm)
{
    if (size == 1)
        x86_b1(x, (uint8_t)imm);
    else if (size == 2)
        x86_b2(x, (uint16_t)imm);
    else
        x86_b4(x, (uint32_t)imm);
}

/* ---- register and immediate operations ---- */

X86_INLINE void x86_enc_alu_rr(struct x86_ib *x, enum x86_alu op, unsigned size, int dst, int src)
{
    bool b = size == 1;
    x86_op1(x, size, b, b, (uint8_t)(op * 8 + (b ? 0 : 1)), src, x86_R(dst));
}

WRAP(alu_rr, (struct x86 *x, enum x86_alu op, unsigned size, int dst, int src), (&x86_ib, op, size, dst, src))

/* 80 /op x86_ib, 83 /op x86_ib or 81 /op id on an r/m operand. */
X86_INLINE void x86_alu_imm(struct x86_ib *x, enum x86_alu op, unsigned size, struct x86_rm m, int32_t imm)
{
    if (size == 1) {
        x86_op1(x, 1, false, true, 0x80, op, m);
        x86_b1(x, (uint8_t)imm);
    } else if (x86_is_imm8(imm)) {
        x86_op1(x, size, false, false, 0x83, op, m);
        x86_b1(x, (uint8_t)imm);
    } else {
        x86_op1(x, size, false, false, 0x81, op, m);
        x86_imm_sized(x, size, imm);
    }
}

X86_INLINE void x86_enc_alu_ri(struct x86_ib *x, enum x86_alu op, unsigned size, int dst, int32_t imm)
{
    /* The accumulator has a form without ModRM (04/05 + op*8), one byte
     * shorter when the immediate needs more than 8 bits. */
    if (dst == X86_RAX && (size == 1 || !x86_is_imm8(imm))) {
        if (size == 2)
            x86_b1(x, 0x66);
        else if (size == 8)
            x86_b1(x, 0x48);
        x86_b1(x, (uint8_t)(op * 8 + (size == 1 ? 4 : 5)));
        x86_imm_sized(x, size, imm);
        return;
    }
    x86_alu_imm(x, op, size, x86_R(dst), imm);
}

WRAP(alu_ri, (struct x86 *x, enum x86_alu op, unsigned size, int dst, int32_t imm), (&x86_ib, op, size, dst, imm))

X86_INLINE void x86_enc_mov_rr(struct x86_ib *x, unsigned size, int dst, int src)
{
    bool b = size == 1;
    x86_op1(x, size, b, b, b ? 0x88 : 0x89, src, x86_R(dst));
}

WRAP(mov_rr, (struct x86 *x, unsigned size, int dst, int src), (&x86_ib, size, dst, src))

X86_INLINE void x86_enc_mov_r32_imm(struct x86_ib *x, int dst, uint32_t imm)
{
    if (dst & 8)
        x86_b1(x, 0x41);
    x86_b1(x, (uint8_t)(0xb8 + (dst & 7)));
    x86_b4(x, imm);
}

WRAP(mov_r32_imm, (struct x86 *x, int dst, uint32_t imm), (&x86_ib, dst, imm))

X86_INLINE void x86_enc_mov_r64_simm(struct x86_ib *x, int dst, int32_t imm)
{
    x86_op1(x, 8, false, false, 0xc7, 0, x86_R(dst));
    x86_b4(x, (uint32_t)imm);
}

WRAP(mov_r64_simm, (struct x86 *x, int dst, int32_t imm), (&x86_ib, dst, imm))

X86_INLINE void x86_enc_movabs(struct x86_ib *x, int dst, uint64_t imm)
{
    x86_b1(x, (uint8_t)(0x48 | ((dst & 8) ? 1 : 0)));
    x86_b1(x, (uint8_t)(0xb8 + (dst & 7)));
    x86_b4(x, (uint32_t)imm);
    x86_b4(x, (uint32_t)(imm >> 32));
}

WRAP(movabs, (struct x86 *x, int dst, uint64_t imm), (&x86_ib, dst, imm))

X86_INLINE void x86_enc_mov_imm(struct x86_ib *x, int dst, uint64_t imm)
{
    if (imm == 0)
        x86_enc_alu_rr(x, X86_XOR, 4, dst, dst);
    else if (imm <= UINT32_MAX)
        x86_enc_mov_r32_imm(x, dst, (uint32_t)imm);
    else if (x86_is_simm32((int64_t)imm))
        x86_enc_mov_r64_simm(x, dst, (int32_t)imm);
    else
        x86_enc_movabs(x, dst, imm);
}

WRAP(mov_imm, (struct x86 *x, int dst, uint64_t imm), (&x86_ib, dst, imm))

X86_INLINE void x86_enc_test_rr(struct x86_ib *x, unsigned size, int a, int b)
{
    bool by = size == 1;
    x86_op1(x, size, by, by, by ? 0x84 : 0x85, b, x86_R(a));
}

WRAP(test_rr, (struct x86 *x, unsigned size, int a, int b), (&x86_ib, size, a, b))

X86_INLINE void x86_enc_test_ri(struct x86_ib *x, unsigned size, int a, int32_t imm)
{
    if (a == X86_RAX) {
        if (size == 2)
            x86_b1(x, 0x66);
        else if (size == 8)
            x86_b1(x, 0x48);
        x86_b1(x, size == 1 ? 0xa8 : 0xa9);
    } else {
        x86_op1(x, size, false, size == 1, size == 1 ? 0xf6 : 0xf7, 0, x86_R(a));
    }
    x86_imm_sized(x, size, imm);
}

WRAP(test_ri, (struct x86 *x, unsigned size, int a, int32_t imm), (&x86_ib, size, a, imm))

X86_INLINE void x86_enc_shift_ri(struct x86_ib *x, enum x86_shift op, unsigned size, int dst, uint8_t imm)
{
    bool b = size == 1;
    if (imm == 1) {
        x86_op1(x, size, false, b, b ? 0xd0 : 0xd1, op, x86_R(dst));
        return;
    }
    x86_op1(x, size, false, b, b ? 0xc0 : 0xc1, op, x86_R(dst));
    x86_b1(x, imm);
}

WRAP(shift_ri, (struct x86 *x, enum x86_shift op, unsigned size, int dst, uint8_t imm), (&x86_ib, op, size, dst, imm))

X86_INLINE void x86_enc_shift_cl(struct x86_ib *x, enum x86_shift op, unsigned size, int dst)
{
    bool b = size == 1;
    x86_op1(x, size, false, b, b ? 0xd2 : 0xd3, op, x86_R(dst));
}

WRAP(shift_cl, (struct x86 *x, enum x86_shift op, unsigned size, int dst), (&x86_ib, op, size, dst))

X86_INLINE void x86_enc_shiftx(struct x86_ib *x, enum x86_shift op, unsigned size, int dst, int src, int count)
{
    /* VEX.LZ.{66,F3,F2}.0F38.W F7 /r: 3-byte VEX, inverted x86_R/X/B and vvvv. */
    uint8_t pp = op == X86_SHL ? 1 : op == X86_SAR ? 2 : 3;
    x86_b1(x, 0xc4);
    x86_b1(x, (uint8_t)(((dst & 8) ? 0 : 0x80) | 0x40 | ((src & 8) ? 0 : 0x20) | 0x02));
    x86_b1(x, (uint8_t)((size == 8 ? 0x80 : 0) | ((~count & 15) << 3) | pp));
    x86_b1(x, 0xf7);
    x86_b1(x, (uint8_t)(0xc0 | ((dst & 7) << 3) | (src & 7)));
}

WRAP(shiftx, (struct x86 *x, enum x86_shift op, unsigned size, int dst, int src, int count),
     (&x86_ib, op, size, dst, src, count))

X86_INLINE void x86_enc_imul_rr(struct x86_ib *x, unsigned size, int dst, int src)
{
    x86_op2(x, size, false, false, 0x0f, 0xaf, dst, x86_R(src));
}

WRAP(imul_rr, (struct x86 *x, unsigned size, int dst, int src), (&x86_ib, size, dst, src))

X86_INLINE void x86_enc_imul_rri(struct x86_ib *x, unsigned size, int dst, int src, int32_t imm)
{
    if (x86_is_imm8(imm)) {
        x86_op1(x, size, false, false, 0x6b, dst, x86_R(src));
        x86_b1(x, (uint8_t)imm);
    } else {
        x86_op1(x, size, false, false, 0x69, dst, x86_R(src));
        x86_imm_sized(x, size, imm);
    }
}

WRAP(imul_rri, (struct x86 *x, unsigned size, int dst, int src, int32_t imm), (&x86_ib, size, dst, src, imm))

X86_INLINE void x86_enc_mul_r(struct x86_ib *x, unsigned size, int src)
{
    x86_op1(x, size, false, false, 0xf7, 4, x86_R(src));
}

WRAP(mul_r, (struct x86 *x, unsigned size, int src), (&x86_ib, size, src))

X86_INLINE void x86_enc_div_r(struct x86_ib *x, unsigned size, int src, bool is_signed)
{
    x86_op1(x, size, false, false, 0xf7, is_signed ? 7 : 6, x86_R(src));
}

WRAP(div_r, (struct x86 *x, unsigned size, int src, bool is_signed), (&x86_ib, size, src, is_signed))

X86_INLINE void x86_enc_neg(struct x86_ib *x, unsigned size, int dst)
{
    x86_op1(x, size, false, size == 1, size == 1 ? 0xf6 : 0xf7, 3, x86_R(dst));
}

WRAP(neg, (struct x86 *x, unsigned size, int dst), (&x86_ib, size, dst))

X86_INLINE void x86_enc_cdq(struct x86_ib *x, unsigned size)
{
    if (size == 8)
        x86_b1(x, 0x48);
    x86_b1(x, 0x99);
}

WRAP(cdq, (struct x86 *x, unsigned size), (&x86_ib, size))

X86_INLINE void x86_enc_bswap(struct x86_ib *x, unsigned size, int reg)
{
    if (size == 8 || (reg & 8))
        x86_b1(x, (uint8_t)(0x40 | (size == 8 ? 8 : 0) | ((reg & 8) ? 1 : 0)));
    x86_b1(x, 0x0f);
    x86_b1(x, (uint8_t)(0xc8 + (reg & 7)));
}

WRAP(bswap, (struct x86 *x, unsigned size, int reg), (&x86_ib, size, reg))

X86_INLINE void x86_enc_movzx_rr(struct x86_ib *x, unsigned dst_size, unsigned src_size, int dst, int src)
{
    x86_op2(x, dst_size, false, src_size == 1, 0x0f, src_size == 1 ? 0xb6 : 0xb7, dst, x86_R(src));
}

WRAP(movzx_rr, (struct x86 *x, unsigned dst_size, unsigned src_size, int dst, int src),
     (&x86_ib, dst_size, src_size, dst, src))

X86_INLINE void x86_enc_movsx_rr(struct x86_ib *x, unsigned dst_size, unsigned src_size, int dst, int src)
{
    if (src_size == 4)
        x86_op1(x, 8, false, false, 0x63, dst, x86_R(src));
    else
        x86_op2(x, dst_size, false, src_size == 1, 0x0f, src_size == 1 ? 0xbe : 0xbf, dst, x86_R(src));
}

WRAP(movsx_rr, (struct x86 *x, unsigned dst_size, unsigned src_size, int dst, int src),
     (&x86_ib, dst_size, src_size, dst, src))

X86_INLINE void x86_enc_push(struct x86_ib *x, int reg)
{
    if (reg & 8)
        x86_b1(x, 0x41);
    x86_b1(x, (uint8_t)(0x50 + (reg & 7)));
}

WRAP(push, (struct x86 *x, int reg), (&x86_ib, reg))

X86_INLINE void x86_enc_pop(struct x86_ib *x, int reg)
{
    if (reg & 8)
        x86_b1(x, 0x41);
    x86_b1(x, (uint8_t)(0x58 + (reg & 7)));
}

WRAP(pop, (struct x86 *x, int reg), (&x86_ib, reg))

X86_INLINE void x86_enc_push_m(struct x86_ib *x, int base, int32_t disp)
{
    x86_op1(x, 4, false, false, 0xff, 6, x86_M(base, disp));
}

WRAP(push_m, (struct x86 *x, int base, int32_t disp), (&x86_ib, base, disp))

X86_INLINE void x86_enc_pop_m(struct x86_ib *x, int base, int32_t disp)
{
    x86_op1(x, 4, false, false, 0x8f, 0, x86_M(base, disp));
}

WRAP(pop_m, (struct x86 *x, int base, int32_t disp), (&x86_ib, base, disp))

/* ---- memory ---- */

X86_INLINE void x86_enc_load(struct x86_ib *x, unsigned size, bool sign, int dst, int base, int32_t disp)
{
    struct x86_rm m = x86_M(base, disp);
    switch (size) {
    case 1:
        x86_op2(x, sign ? 8 : 4, false, false, 0x0f, sign ? 0xbe : 0xb6, dst, m);
        break;
    case 2:
        x86_op2(x, sign ? 8 : 4, false, false, 0x0f, sign ? 0xbf : 0xb7, dst, m);
        break;
    case 4:
        x86_op1(x, sign ? 8 : 4, false, false, sign ? 0x63 : 0x8b, dst, m);
        break;
    default:
        x86_op1(x, 8, false, false, 0x8b, dst, m);
        break;
    }
}

WRAP(load, (struct x86 *x, unsigned size, bool sign, int dst, int base, int32_t disp),
     (&x86_ib, size, sign, dst, base, disp))

X86_INLINE void x86_enc_store(struct x86_ib *x, unsigned size, int base, int32_t disp, int src)
{
    x86_op1(x, size, size == 1, false, size == 1 ? 0x88 : 0x89, src, x86_M(base, disp));
}

WRAP(store, (struct x86 *x, unsigned size, int base, int32_t disp, int src), (&x86_ib, size, base, disp, src))

X86_INLINE void x86_enc_store_imm(struct x86_ib *x, unsigned size, int base, int32_t disp, int32_t imm)
{
    x86_op1(x, size, false, false, size == 1 ? 0xc6 : 0xc7, 0, x86_M(base, disp));
    x86_imm_sized(x, size == 8 ? 4 : size, imm);
}

WRAP(store_imm, (struct x86 *x, unsigned size, int base, int32_t disp, int32_t imm), (&x86_ib, size, base, disp, imm))

X86_INLINE void x86_enc_lea(struct x86_ib *x, int dst, int base, int32_t disp)
{
    x86_op1(x, 8, false, false, 0x8d, dst, x86_M(base, disp));
}

WRAP(lea, (struct x86 *x, int dst, int base, int32_t disp), (&x86_ib, dst, base, disp))

X86_INLINE void x86_enc_lea_idx(struct x86_ib *x, int dst, int base, int index, int32_t disp)
{
    x86_op1(x, 8, false, false, 0x8d, dst, (struct x86_rm){ false, (int8_t)base, (int8_t)index, disp });
}

WRAP(lea_idx, (struct x86 *x, int dst, int base, int index, int32_t disp), (&x86_ib, dst, base, index, disp))

X86_INLINE void x86_enc_alu_rm(struct x86_ib *x, enum x86_alu op, unsigned size, int reg, int base, int32_t disp)
{
    x86_op1(x, size, size == 1, false, (uint8_t)(op * 8 + (size == 1 ? 2 : 3)), reg, x86_M(base, disp));
}

WRAP(alu_rm, (struct x86 *x, enum x86_alu op, unsigned size, int reg, int base, int32_t disp),
     (&x86_ib, op, size, reg, base, disp))

X86_INLINE void x86_enc_alu_mr(struct x86_ib *x, enum x86_alu op, unsigned size, int base, int32_t disp, int reg)
{
    x86_op1(x, size, size == 1, false, (uint8_t)(op * 8 + (size == 1 ? 0 : 1)), reg, x86_M(base, disp));
}

WRAP(alu_mr, (struct x86 *x, enum x86_alu op, unsigned size, int base, int32_t disp, int reg),
     (&x86_ib, op, size, base, disp, reg))

X86_INLINE void x86_enc_alu_mi(struct x86_ib *x, enum x86_alu op, unsigned size, int base, int32_t disp, int32_t imm)
{
    x86_alu_imm(x, op, size, x86_M(base, disp), imm);
}

WRAP(alu_mi, (struct x86 *x, enum x86_alu op, unsigned size, int base, int32_t disp, int32_t imm),
     (&x86_ib, op, size, base, disp, imm))

X86_INLINE void x86_enc_alu_mi_idx(struct x86_ib *x, enum x86_alu op, unsigned size, int base, int index, int32_t disp,
                    int32_t imm)
{
    x86_alu_imm(x, op, size, (struct x86_rm){ false, (int8_t)base, (int8_t)index, disp }, imm);
}

WRAP(alu_mi_idx, (struct x86 *x, enum x86_alu op, unsigned size, int base, int index, int32_t disp,
                    int32_t imm), (&x86_ib, op, size, base, index, disp, imm))

X86_INLINE void x86_enc_store_imm_idx(struct x86_ib *x, unsigned size, int base, int index, int32_t disp, int32_t imm)
{
    x86_op1(x, size, false, false, size == 1 ? 0xc6 : 0xc7, 0,
            (struct x86_rm){ false, (int8_t)base, (int8_t)index, disp });
    x86_imm_sized(x, size == 8 ? 4 : size, imm);
}

WRAP(store_imm_idx, (struct x86 *x, unsigned size, int base, int index, int32_t disp, int32_t imm),
     (&x86_ib, size, base, index, disp, imm))

X86_INLINE void x86_enc_lock(struct x86_ib *x)
{
    x86_b1(x, 0xf0);
}

WRAP(lock, (struct x86 *x), (&x86_ib))

X86_INLINE void x86_enc_xadd_m(struct x86_ib *x, unsigned size, int base, int32_t disp, int reg)
{
    x86_op2(x, size, size == 1, false, 0x0f, size == 1 ? 0xc0 : 0xc1, reg, x86_M(base, disp));
}

WRAP(xadd_m, (struct x86 *x, unsigned size, int base, int32_t disp, int reg), (&x86_ib, size, base, disp, reg))

X86_INLINE void x86_enc_xchg_m(struct x86_ib *x, unsigned size, int base, int32_t disp, int reg)
{
    x86_op1(x, size, size == 1, false, size == 1 ? 0x86 : 0x87, reg, x86_M(base, disp));
}

WRAP(xchg_m, (struct x86 *x, unsigned size, int base, int32_t disp, int reg), (&x86_ib, size, base, disp, reg))

X86_INLINE void x86_enc_cmpxchg_m(struct x86_ib *x, unsigned size, int base, int32_t disp, int reg)
{
    x86_op2(x, size, size == 1, false, 0x0f, size == 1 ? 0xb0 : 0xb1, reg, x86_M(base, disp));
}

WRAP(cmpxchg_m, (struct x86 *x, unsigned size, int base, int32_t disp, int reg), (&x86_ib, size, base, disp, reg))

X86_INLINE void x86_enc_mfence(struct x86_ib *x)
{
    x86_b1(x, 0x0f);
    x86_b1(x, 0xae);
    x86_b1(x, 0xf0);
}

WRAP(mfence, (struct x86 *x), (&x86_ib))

/* ---- control flow ---- */

X86_INLINE void x86_enc_jcc_rel8(struct x86_ib *x, enum x86_cc cc, int8_t rel)
{
    x86_b1(x, (uint8_t)(0x70 + cc));
    x86_b1(x, (uint8_t)rel);
}

WRAP(jcc_rel8, (struct x86 *x, enum x86_cc cc, int8_t rel), (&x86_ib, cc, rel))

X86_INLINE void x86_enc_jcc_rel32(struct x86_ib *x, enum x86_cc cc, int32_t rel)
{
    x86_b1(x, 0x0f);
    x86_b1(x, (uint8_t)(0x80 + cc));
    x86_b4(x, (uint32_t)rel);
}

WRAP(jcc_rel32, (struct x86 *x, enum x86_cc cc, int32_t rel), (&x86_ib, cc, rel))

X86_INLINE void x86_enc_jmp_rel8(struct x86_ib *x, int8_t rel)
{
    x86_b1(x, 0xeb);
    x86_b1(x, (uint8_t)rel);
}

WRAP(jmp_rel8, (struct x86 *x, int8_t rel), (&x86_ib, rel))

X86_INLINE void x86_enc_jmp_rel32(struct x86_ib *x, int32_t rel)
{
    x86_b1(x, 0xe9);
    x86_b4(x, (uint32_t)rel);
}

WRAP(jmp_rel32, (struct x86 *x, int32_t rel), (&x86_ib, rel))

X86_INLINE void x86_enc_call_rel32(struct x86_ib *x, int32_t rel)
{
    x86_b1(x, 0xe8);
    x86_b4(x, (uint32_t)rel);
}

WRAP(call_rel32, (struct x86 *x, int32_t rel), (&x86_ib, rel))

X86_INLINE void x86_enc_call_r(struct x86_ib *x, int reg)
{
    x86_op1(x, 4, false, false, 0xff, 2, x86_R(reg));
}

WRAP(call_r, (struct x86 *x, int reg), (&x86_ib, reg))

X86_INLINE void x86_enc_jmp_r(struct x86_ib *x, int reg)
{
    x86_op1(x, 4, false, false, 0xff, 4, x86_R(reg));
}

WRAP(jmp_r, (struct x86 *x, int reg), (&x86_ib, reg))

X86_INLINE void x86_enc_ret(struct x86_ib *x)
{
    x86_b1(x, 0xc3);
}

WRAP(ret, (struct x86 *x), (&x86_ib))

X86_INLINE void x86_enc_int3(struct x86_ib *x)
{
    x86_b1(x, 0xcc);
}

WRAP(int3, (struct x86 *x), (&x86_ib))

X86_INLINE void x86_enc_nop(struct x86_ib *x, unsigned n)
{
    /* nop, xchg ax,ax, then nop [rax(+rax*1)] with disp8/disp32 (0x66 for 6 and 9) */
    static const uint8_t forms[10][9] = {
        { 0 }, { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 }, { 0x0f, 0x1f, 0x40, 0x00 },
        { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 }, { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
        { 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
    };
    if (n > 9)
        n = 9;
#pragma GCC unroll 9 /* (a constant n: its bytes stored as constants) */
    for (unsigned i = 0; i < n; i++)
        x86_b1(x, forms[n][i]);
}

WRAP(nop, (struct x86 *x, unsigned n), (&x86_ib, n))

#undef WRAP
#undef X86_INLINE

#endif
