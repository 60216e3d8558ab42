/* Emitters for the rest of the ALU family: sign-extending moves, byte
 * swaps, ld_imm64 and blinded constants (Linux: the BPF_ALU/BPF_ALU64 and
 * BPF_LD cases of do_jit). The ALU operations themselves are inline, in
 * emit_alu.h. */
#include "core/jit/emit_alu.h"

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
