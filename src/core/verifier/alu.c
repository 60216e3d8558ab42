/* ALU instructions (Linux 6.18 verifier.c check_alu_op,
 * adjust_reg_min_max_vals, adjust_ptr_min_max_vals, check_reg_sane_offset,
 * adjust_scalar_min_max_vals and the scalar(32)_min_max_<op> helpers): moves
 * copy register states (linking scalar copies by id), pointer arithmetic
 * keeps the pointer's kind with a fixed and a variable offset, scalar
 * arithmetic tracks the tnum and all eight bounds. */
#include "core/verifier/verifier.h"

#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX

/* bpf_alu_string, indexed by enum bpfrt_alu */
static const char *const alu_str[] = {
    [BPFRT_ALU_ADD] = "+=", [BPFRT_ALU_SUB] = "-=", [BPFRT_ALU_MUL] = "*=", [BPFRT_ALU_DIV] = "/=",
    [BPFRT_ALU_SDIV] = "/=", [BPFRT_ALU_OR] = "|=", [BPFRT_ALU_AND] = "&=", [BPFRT_ALU_LSH] = "<<=",
    [BPFRT_ALU_RSH] = ">>=", [BPFRT_ALU_NEG] = "neg", [BPFRT_ALU_MOD] = "%=", [BPFRT_ALU_SMOD] = "%=",
    [BPFRT_ALU_XOR] = "^=", [BPFRT_ALU_MOV] = "=", [BPFRT_ALU_ARSH] = "s>>=",
};

static int reg_width(const struct vreg *r)
{
    return bpfrt_bounds_width(&r->s);
}

void bpfrt_v_assign_scalar_id_before_mov(struct venv *env, struct vreg *src)
{
    if (src->type != SCALAR_VALUE)
        return;
    if (src->id & BPF_ADD_CONST) {
        src->id = 0;
        src->off = 0;
    }
    if (!src->id && !bpfrt_tnum_is_const(src->s.var_off))
        src->id = bpfrt_v_new_id(env);
}

/* adjust_scalar_min_max_vals through the bounds module. An AND/OR by a
 * constant of a value that is -1 or 0 is explored once per value
 * (maybe_fork_scalars): the other value's path re-runs this instruction. */
static int scalar_alu(struct venv *env, struct vreg *dst, const struct bpfrt_bounds *src, uint16_t op)
{
    struct vreg before = *dst;
    struct bpfrt_bounds fork;
    if (!bpfrt_bounds_alu(&dst->s, src, op, &fork))
        return 0;
    struct vstate *br = bpfrt_v_push_stack(env, env->insn_idx, env->insn_idx);
    if (!br)
        return env->err_alloc ? env->err_alloc : -BPFRT_EFAULT;
    uint32_t regno = (uint32_t)(dst - cur_regs(env));
    before.s = fork;
    br->frame[br->curframe]->regs[regno] = before;
    return 0;
}

/* ---- pointers ---- */

/* check_reg_sane_offset_ptr (the 6.18.y kernel here): the pointer's known
 * variable offset, its fixed offset and its variable minimum each stay
 * within BPF_MAX_VAR_OFF - apart, not summed (the kernel here takes a fixed
 * 2^29-1 on a variable minimum of 2^29-1 and refuses the access after). */
static bool check_ptr_sane_offset(struct venv *env, const struct vreg *reg, uint8_t ptype, uint8_t pflags)
{
    const int64_t parts[3] = { bpfrt_tnum_is_const(reg->s.var_off) ? (int64_t)reg->s.var_off.value : 0, reg->off,
                               reg->s.smin_value };
    for (int i = 0; i < 3; i++)
        if (parts[i] >= BPF_MAX_VAR_OFF || parts[i] <= -BPF_MAX_VAR_OFF) {
            verbose(env, "%s pointer offset %lld is not allowed\n", bpfrt_v_reg_type_str(env, ptype, pflags),
                    (long long)parts[i]);
            return false;
        }
    return true;
}

/* check_reg_sane_offset_scalar: the scalar added to a pointer. */
static bool check_reg_sane_offset(struct venv *env, const struct vreg *reg, uint8_t ptype, uint8_t pflags)
{
    bool known = bpfrt_tnum_is_const(reg->s.var_off);
    int64_t val = (int64_t)reg->s.var_off.value, smin = reg->s.smin_value;
    const char *t = bpfrt_v_reg_type_str(env, ptype, pflags);
    if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
        verbose(env, "math between %s pointer and %lld is not allowed\n", t, (long long)val);
        return false;
    }
    if (smin == S64_MIN) {
        verbose(env, "math between %s pointer and register with unbounded min value is not allowed\n", t);
        return false;
    }
    if (smin >= BPF_MAX_VAR_OFF || smin <= -BPF_MAX_VAR_OFF) {
        verbose(env, "value %lld makes %s pointer be out of bounds\n", (long long)smin, t);
        return false;
    }
    return true;
}

static int adjust_ptr_min_max_vals(struct venv *env, const struct bpfrt_dinsn *d, uint8_t alu, bool alu32,
                                   const struct vreg *ptr_in, const struct vreg *off_in)
{
    uint32_t dst_regno = d->dst;
    struct vreg *dst = &cur_regs(env)[dst_regno];
    const struct vreg ptr = *ptr_in, off = *off_in;
    bool known = bpfrt_tnum_is_const(off.s.var_off);
    int64_t smin_val = off.s.smin_value, smax_val = off.s.smax_value;
    uint64_t umin_val = off.s.umin_value, umax_val = off.s.umax_value;

    if ((known && (smin_val != smax_val || umin_val != umax_val)) || smin_val > smax_val || umin_val > umax_val) {
        bpfrt_v_mark_reg_unknown(dst); /* bounds from a dead branch */
        return 0;
    }
    if (alu32) {
        if (alu == BPFRT_ALU_SUB && !env->unpriv) {
            bpfrt_v_mark_reg_unknown(dst);
            return 0;
        }
        verbose(env, "R%d 32-bit pointer arithmetic prohibited\n", dst_regno);
        return -BPFRT_EACCES;
    }
    if (ptr.flags & PTR_MAYBE_NULL) {
        verbose(env, "R%d pointer arithmetic on %s prohibited, null-check it first\n", dst_regno,
                bpfrt_v_reg_type_str(env, ptr.type, ptr.flags));
        return -BPFRT_EACCES;
    }
    switch (ptr.type) {
    case PTR_TO_CTX: case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY: case PTR_TO_STACK:
    case PTR_TO_PACKET_META: case PTR_TO_PACKET: case PTR_TO_TP_BUFFER: case PTR_TO_BTF_ID:
    case PTR_TO_MEM: case PTR_TO_BUF: case PTR_TO_FUNC:
        break;
    case PTR_TO_FLOW_KEYS:
        if (known)
            break;
        /* fallthrough */
    case CONST_PTR_TO_MAP:
        if (known && smin_val == 0 && alu == BPFRT_ALU_ADD)
            break;
        /* fallthrough */
    default:
        verbose(env, "R%d pointer arithmetic on %s prohibited\n", dst_regno,
                bpfrt_v_reg_type_str(env, ptr.type, ptr.flags));
        return -BPFRT_EACCES;
    }
    dst->type = ptr.type;
    dst->flags = ptr.flags;
    dst->id = ptr.id;
    if (!check_reg_sane_offset(env, &off, ptr.type, ptr.flags) || !check_ptr_sane_offset(env, &ptr, ptr.type, ptr.flags))
        return -BPFRT_EINVAL;
    bpfrt_bounds_mark_unbounded32(&dst->s);
    struct vsanitize info = { 0, 0, false };
    bool ptr_is_dst = ptr_in == dst;
    int err = bpfrt_v_unpriv_ptr_alu(env, d, &ptr, &off, ptr_is_dst, &info, false);
    if (err)
        return err;

    /* what the pointer points to travels with it whatever the operation */
    dst->aux = ptr.aux;
    dst->map = ptr.map;
    dst->frameno = ptr.frameno;
    dst->ref_obj_id = ptr.ref_obj_id;
    switch (alu) {
    case BPFRT_ALU_ADD:
        if (known && (int64_t)ptr.off + smin_val == (int64_t)(int32_t)(ptr.off + smin_val)) {
            dst->s.smin_value = ptr.s.smin_value;
            dst->s.smax_value = ptr.s.smax_value;
            dst->s.umin_value = ptr.s.umin_value;
            dst->s.umax_value = ptr.s.umax_value;
            dst->s.var_off = ptr.s.var_off;
            dst->off = (int32_t)(ptr.off + smin_val);
            break;
        }
        if (__builtin_add_overflow(ptr.s.smin_value, smin_val, &dst->s.smin_value) ||
            __builtin_add_overflow(ptr.s.smax_value, smax_val, &dst->s.smax_value)) {
            dst->s.smin_value = S64_MIN;
            dst->s.smax_value = S64_MAX;
        }
        if (__builtin_add_overflow(ptr.s.umin_value, umin_val, &dst->s.umin_value) ||
            __builtin_add_overflow(ptr.s.umax_value, umax_val, &dst->s.umax_value)) {
            dst->s.umin_value = 0;
            dst->s.umax_value = UINT64_MAX;
        }
        dst->s.var_off = bpfrt_tnum_add(ptr.s.var_off, off.s.var_off);
        dst->off = ptr.off;
        if (type_is_pkt_pointer(ptr.type)) {
            dst->id = bpfrt_v_new_id(env);
            dst->aux = 0; /* something was added: no range yet */
        }
        break;
    case BPFRT_ALU_SUB:
        if (off_in == dst) {
            verbose(env, "R%d tried to subtract pointer from scalar\n", dst_regno);
            return -BPFRT_EACCES;
        }
        if (ptr.type == PTR_TO_STACK) {
            verbose(env, "R%d subtraction from stack pointer prohibited\n", dst_regno);
            return -BPFRT_EACCES;
        }
        if (known && (int64_t)ptr.off - smin_val == (int64_t)(int32_t)(ptr.off - smin_val)) {
            dst->s.smin_value = ptr.s.smin_value;
            dst->s.smax_value = ptr.s.smax_value;
            dst->s.umin_value = ptr.s.umin_value;
            dst->s.umax_value = ptr.s.umax_value;
            dst->s.var_off = ptr.s.var_off;
            dst->off = (int32_t)(ptr.off - smin_val);
            break;
        }
        if (__builtin_sub_overflow(ptr.s.smin_value, smax_val, &dst->s.smin_value) ||
            __builtin_sub_overflow(ptr.s.smax_value, smin_val, &dst->s.smax_value)) {
            dst->s.smin_value = S64_MIN;
            dst->s.smax_value = S64_MAX;
        }
        if (ptr.s.umin_value < umax_val) {
            dst->s.umin_value = 0;
            dst->s.umax_value = UINT64_MAX;
        } else {
            dst->s.umin_value = ptr.s.umin_value - umax_val;
            dst->s.umax_value = ptr.s.umax_value - umin_val;
        }
        dst->s.var_off = bpfrt_tnum_sub(ptr.s.var_off, off.s.var_off);
        dst->off = ptr.off;
        if (type_is_pkt_pointer(ptr.type)) {
            dst->id = bpfrt_v_new_id(env);
            if (smin_val < 0)
                dst->aux = 0;
        }
        break;
    case BPFRT_ALU_AND:
    case BPFRT_ALU_OR:
    case BPFRT_ALU_XOR:
        verbose(env, "R%d bitwise operator %s on pointer prohibited\n", dst_regno, alu_str[alu]);
        return -BPFRT_EACCES;
    default:
        verbose(env, "R%d pointer arithmetic with %s operator prohibited\n", dst_regno, alu_str[alu]);
        return -BPFRT_EACCES;
    }
    if (!check_ptr_sane_offset(env, dst, ptr.type, ptr.flags))
        return -BPFRT_EINVAL;
    bpfrt_bounds_sync(&dst->s);
    err = bpfrt_v_unpriv_check_bounds(env, dst_regno);
    return err ? err : bpfrt_v_unpriv_ptr_alu(env, d, dst, &off, ptr_is_dst, &info, true);
}

static int adjust_reg_min_max_vals(struct venv *env, const struct bpfrt_dinsn *d)
{
    struct vreg *regs = cur_regs(env);
    struct vreg *dst = &regs[d->dst];
    const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
    uint8_t alu = oi->alu;
    bool alu32 = oi->flags & BPFRT_OPF_32;
    bool is_k = oi->flags & BPFRT_OPF_K;
    struct vreg off_reg;

    if (!is_k) {
        struct vreg *src = &regs[d->src];
        if (src->type != SCALAR_VALUE) {
            if (dst->type != SCALAR_VALUE) {
                if (alu == BPFRT_ALU_SUB && !env->unpriv) { /* pointer - pointer: allow_ptr_leaks */
                    bpfrt_v_mark_reg_unknown(dst);
                    return 0;
                }
                verbose(env, "R%d pointer %s pointer prohibited\n", d->dst, alu_str[alu]);
                return -BPFRT_EACCES;
            }
            /* scalar += pointer */
            int err = bpfrt_v_mark_chain_precision(env, (int)d->dst);
            return err ? err : adjust_ptr_min_max_vals(env, d, alu, alu32, src, dst);
        }
        if (dst->type != SCALAR_VALUE) {
            int err = bpfrt_v_mark_chain_precision(env, (int)d->src);
            return err ? err : adjust_ptr_min_max_vals(env, d, alu, alu32, dst, src);
        }
        if (dst->precise) {
            int err = bpfrt_v_mark_chain_precision(env, (int)d->src);
            if (err)
                return err;
        }
        off_reg = *src;
    } else {
        bpfrt_memset(&off_reg, 0, sizeof(off_reg));
        off_reg.type = SCALAR_VALUE;
        bpfrt_v_mark_reg_known(&off_reg, d->value);
        if (dst->type != SCALAR_VALUE)
            return adjust_ptr_min_max_vals(env, d, alu, alu32, dst, &off_reg);
    }
    uint64_t dst_umax = dst->s.umax_value; /* an alu32 link needs the upper half zero before */
    int err = bpfrt_v_unpriv_val_alu(env, d);
    if (!err)
        err = scalar_alu(env, dst, &off_reg.s, d->op);
    if (err)
        return err;
    /* r1 = r2; r1 += K (or -= K, 64- or 32-bit) keeps r1 linked to r2 with
     * a constant delta (6.18.y: negative deltas, sub and alu32 too) */
    bool is_const = alu32 ? bpfrt_tnum_is_const(bpfrt_tnum_subreg(off_reg.s.var_off))
                          : bpfrt_tnum_is_const(off_reg.s.var_off);
    if (!env->unpriv && (alu == BPFRT_ALU_ADD || alu == BPFRT_ALU_SUB) && dst->id && is_const &&
        (is_k || d->src != d->dst)) {
        uint64_t val = alu32 ? (uint32_t)off_reg.s.var_off.value : off_reg.s.var_off.value;
        int64_t off = (int32_t)val;
        bool ok = !(dst->id & BPF_ADD_CONST) && (alu32 ? dst_umax <= UINT32_MAX : (int64_t)val == off) &&
                  !(alu == BPFRT_ALU_SUB && off == S32_MIN);
        if (ok) {
            dst->id |= alu32 ? BPF_ADD_CONST32 : BPF_ADD_CONST64;
            dst->off = (int32_t)(alu == BPFRT_ALU_SUB ? -off : off);
        } else {
            dst->off = 0;
            dst->id = 0;
        }
    } else {
        /* the delta only means something while linked (BPF_ADD_CONST); the
         * kernel takes `rX += 0x7fffffff; rX &= 31; ptr += rX` */
        dst->id = 0;
        dst->off = 0;
    }
    return 0;
}

static int check_mov(struct venv *env, const struct bpfrt_dinsn *d)
{
    struct vreg *regs = cur_regs(env);
    const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
    bool alu32 = oi->flags & BPFRT_OPF_32;
    int err;
    if (!(oi->flags & BPFRT_OPF_K)) {
        err = bpfrt_v_check_reg_arg(env, d->src, SRC_OP);
        if (err)
            return err;
    }
    err = bpfrt_v_check_reg_arg(env, d->dst, DST_OP_NO_MARK);
    if (!err)
        err = bpfrt_v_unpriv_alu(env, d);
    if (err)
        return err;
    struct vreg *dst = &regs[d->dst];
    if (oi->flags & BPFRT_OPF_K) {
        bpfrt_v_mark_reg_unknown(dst);
        bpfrt_v_mark_reg_known(dst, alu32 ? (uint32_t)d->imm : d->value);
        return 0;
    }
    struct vreg *src = &regs[d->src];
    int sx = oi->kind == BPFRT_K_MOVSX ? oi->size : 0;
    if (!alu32) {
        if (!sx) {
            bpfrt_v_assign_scalar_id_before_mov(env, src);
            *dst = *src;
        } else if (src->type == SCALAR_VALUE) {
            bool no_sext = src->s.umax_value < (1ull << (sx * 8 - 1));
            if (no_sext)
                bpfrt_v_assign_scalar_id_before_mov(env, src);
            *dst = *src;
            if (!no_sext)
                dst->id = 0;
            bpfrt_bounds_coerce_to_size_sx(&dst->s, sx);
        } else {
            bpfrt_v_mark_reg_unknown(dst);
        }
        return 0;
    }
    if (src->type == SCALAR_VALUE) {
        if (!sx) {
            bool is_u32 = reg_width(src) <= 32;
            if (is_u32)
                bpfrt_v_assign_scalar_id_before_mov(env, src);
            *dst = *src;
            if (!is_u32)
                dst->id = 0;
        } else {
            bool no_sext = src->s.umax_value < (1ull << (sx * 8 - 1));
            if (no_sext)
                bpfrt_v_assign_scalar_id_before_mov(env, src);
            *dst = *src;
            if (!no_sext)
                dst->id = 0;
            bpfrt_bounds_coerce_subreg_to_size_sx(&dst->s, sx);
        }
    } else {
        bpfrt_v_mark_reg_unknown(dst); /* a 32-bit copy of a pointer is a number */
    }
    bpfrt_bounds_zext_32_to_64(&dst->s);
    bpfrt_bounds_sync(&dst->s);
    return 0;
}

/* check_alu_op (reserved fields were checked by the caller). */
int bpfrt_v_check_alu_op(struct venv *env, const struct bpfrt_dinsn *d)
{
    const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
    struct vreg *regs = cur_regs(env);
    int err;

    if (oi->kind == BPFRT_K_END || oi->alu == BPFRT_ALU_NEG) {
        err = bpfrt_v_check_reg_arg(env, d->dst, SRC_OP);
        if (!err)
            err = bpfrt_v_unpriv_alu(env, d);
        if (err)
            return err;
        if (regs[d->dst].type == SCALAR_VALUE) {
            err = bpfrt_v_check_reg_arg(env, d->dst, DST_OP_NO_MARK);
            if (err)
                return err;
            struct vreg *dst = &regs[d->dst];
            /* a byte swap or truncation breaks the link to copies; le64 here is a no-op */
            if (oi->kind == BPFRT_K_END && !(oi->alu == BPFRT_ALU_LE && oi->size == 8))
                dst->id = 0;
            if (oi->alu == BPFRT_ALU_NEG)
                dst->id = 0;
            bpfrt_bounds_alu(&dst->s, &dst->s, d->op, NULL);
            bpfrt_v_reg_bounds_sanity_check(env, dst, "alu");
            return 0;
        }
        return bpfrt_v_check_reg_arg(env, d->dst, DST_OP);
    }
    if (oi->alu == BPFRT_ALU_MOV)
        return check_mov(env, d);

    bool is_k = oi->flags & BPFRT_OPF_K;
    if (!is_k) {
        err = bpfrt_v_check_reg_arg(env, d->src, SRC_OP);
        if (err)
            return err;
    }
    err = bpfrt_v_check_reg_arg(env, d->dst, SRC_OP);
    if (err)
        return err;
    uint8_t alu = oi->alu;
    bool div = alu == BPFRT_ALU_DIV || alu == BPFRT_ALU_SDIV || alu == BPFRT_ALU_MOD || alu == BPFRT_ALU_SMOD;
    if (div && is_k && d->imm == 0) {
        verbose(env, "div by zero\n");
        return -BPFRT_EINVAL;
    }
    if ((alu == BPFRT_ALU_LSH || alu == BPFRT_ALU_RSH || alu == BPFRT_ALU_ARSH) && is_k) {
        int size = (oi->flags & BPFRT_OPF_32) ? 32 : 64;
        if (d->imm < 0 || d->imm >= size) {
            verbose(env, "invalid shift %d\n", d->imm);
            return -BPFRT_EINVAL;
        }
    }
    err = bpfrt_v_check_reg_arg(env, d->dst, DST_OP_NO_MARK);
    if (!err)
        err = adjust_reg_min_max_vals(env, d);
    if (!err)
        bpfrt_v_reg_bounds_sanity_check(env, &regs[d->dst], "alu");
    return err;
}
