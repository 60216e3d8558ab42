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
    return r->s.umax_value ? 64 - __builtin_clzll(r->s.umax_value) : 0;
}

static void assign_scalar_id_before_mov(struct venv *env, struct vreg *src)
{
    if (src->type != SCALAR_VALUE)
        return;
    if (src->id & BPF_ADD_CONST) {
        src->id = 0;
        src->off = 0;
    }
    if (!src->id && !tnum_is_const(src->s.var_off))
        src->id = bpfrt_v_new_id(env);
}

/* ---- scalar operations on bounds ---- */

static void min_max_sub(struct vscalar *d, const struct vscalar *s)
{
    int32_t smin32, smax32;
    uint32_t umin32, umax32;
    if (__builtin_sub_overflow(d->s32_min_value, s->s32_max_value, &smin32) ||
        __builtin_sub_overflow(d->s32_max_value, s->s32_min_value, &smax32)) {
        d->s32_min_value = S32_MIN;
        d->s32_max_value = S32_MAX;
    } else {
        d->s32_min_value = smin32;
        d->s32_max_value = smax32;
    }
    bool min_uf = __builtin_sub_overflow(d->u32_min_value, s->u32_max_value, &umin32);
    bool max_uf = __builtin_sub_overflow(d->u32_max_value, s->u32_min_value, &umax32);
    d->u32_min_value = umin32;
    d->u32_max_value = umax32;
    if (min_uf && !max_uf) {
        d->u32_min_value = 0;
        d->u32_max_value = UINT32_MAX;
    }

    int64_t smin, smax;
    uint64_t umin, umax;
    if (__builtin_sub_overflow(d->smin_value, s->smax_value, &smin) ||
        __builtin_sub_overflow(d->smax_value, s->smin_value, &smax)) {
        d->smin_value = S64_MIN;
        d->smax_value = S64_MAX;
    } else {
        d->smin_value = smin;
        d->smax_value = smax;
    }
    min_uf = __builtin_sub_overflow(d->umin_value, s->umax_value, &umin);
    max_uf = __builtin_sub_overflow(d->umax_value, s->umin_value, &umax);
    d->umin_value = umin;
    d->umax_value = umax;
    if (min_uf && !max_uf) {
        d->umin_value = 0;
        d->umax_value = UINT64_MAX;
    }
}

static void min_max_mul(struct vscalar *d, const struct vscalar *s)
{
    uint32_t u32a, u32b;
    if (__builtin_mul_overflow(d->u32_max_value, s->u32_max_value, &u32a) ||
        __builtin_mul_overflow(d->u32_min_value, s->u32_min_value, &u32b)) {
        d->u32_min_value = 0;
        d->u32_max_value = UINT32_MAX;
    } else {
        d->u32_max_value = u32a;
        d->u32_min_value = u32b;
    }
    int32_t p32[4];
    if (__builtin_mul_overflow(d->s32_min_value, s->s32_min_value, &p32[0]) ||
        __builtin_mul_overflow(d->s32_min_value, s->s32_max_value, &p32[1]) ||
        __builtin_mul_overflow(d->s32_max_value, s->s32_min_value, &p32[2]) ||
        __builtin_mul_overflow(d->s32_max_value, s->s32_max_value, &p32[3])) {
        d->s32_min_value = S32_MIN;
        d->s32_max_value = S32_MAX;
    } else {
        int32_t mn = p32[0], mx = p32[0];
        for (int i = 1; i < 4; i++) {
            mn = p32[i] < mn ? p32[i] : mn;
            mx = p32[i] > mx ? p32[i] : mx;
        }
        d->s32_min_value = mn;
        d->s32_max_value = mx;
    }
    uint64_t ua, ub;
    if (__builtin_mul_overflow(d->umax_value, s->umax_value, &ua) ||
        __builtin_mul_overflow(d->umin_value, s->umin_value, &ub)) {
        d->umin_value = 0;
        d->umax_value = UINT64_MAX;
    } else {
        d->umax_value = ua;
        d->umin_value = ub;
    }
    int64_t p[4];
    if (__builtin_mul_overflow(d->smin_value, s->smin_value, &p[0]) ||
        __builtin_mul_overflow(d->smin_value, s->smax_value, &p[1]) ||
        __builtin_mul_overflow(d->smax_value, s->smin_value, &p[2]) ||
        __builtin_mul_overflow(d->smax_value, s->smax_value, &p[3])) {
        d->smin_value = S64_MIN;
        d->smax_value = S64_MAX;
    } else {
        int64_t mn = p[0], mx = p[0];
        for (int i = 1; i < 4; i++) {
            mn = p[i] < mn ? p[i] : mn;
            mx = p[i] > mx ? p[i] : mx;
        }
        d->smin_value = mn;
        d->smax_value = mx;
    }
}

/* and/or/xor: the result's bounds come from its tnum (already computed)
 * and, for and/or, the operands' extremes. */
static void min_max_bitwise(struct vscalar *d, const struct vscalar *s, uint8_t alu, bool src_known64,
                            bool dst_known64, bool src_known32, bool dst_known32)
{
    struct tnum v32 = tnum_subreg(d->var_off);
    if (src_known32 && dst_known32) {
        bpfrt_scalar_mark32_known(d, v32.value);
    } else {
        if (alu == BPFRT_ALU_AND) {
            d->u32_min_value = (uint32_t)v32.value;
            d->u32_max_value = d->u32_max_value < s->u32_max_value ? d->u32_max_value : s->u32_max_value;
        } else if (alu == BPFRT_ALU_OR) {
            d->u32_min_value = d->u32_min_value > s->u32_min_value ? d->u32_min_value : s->u32_min_value;
            d->u32_max_value = (uint32_t)(v32.value | v32.mask);
        } else {
            d->u32_min_value = (uint32_t)v32.value;
            d->u32_max_value = (uint32_t)(v32.value | v32.mask);
        }
        if ((int32_t)d->u32_min_value <= (int32_t)d->u32_max_value) {
            d->s32_min_value = (int32_t)d->u32_min_value;
            d->s32_max_value = (int32_t)d->u32_max_value;
        } else {
            d->s32_min_value = S32_MIN;
            d->s32_max_value = S32_MAX;
        }
    }
    if (src_known64 && dst_known64) {
        bpfrt_scalar_mark_known(d, d->var_off.value);
        return;
    }
    if (alu == BPFRT_ALU_AND) {
        d->umin_value = d->var_off.value;
        d->umax_value = d->umax_value < s->umax_value ? d->umax_value : s->umax_value;
    } else if (alu == BPFRT_ALU_OR) {
        d->umin_value = d->umin_value > s->umin_value ? d->umin_value : s->umin_value;
        d->umax_value = d->var_off.value | d->var_off.mask;
    } else {
        d->umin_value = d->var_off.value;
        d->umax_value = d->var_off.value | d->var_off.mask;
    }
    if ((int64_t)d->umin_value <= (int64_t)d->umax_value) {
        d->smin_value = (int64_t)d->umin_value;
        d->smax_value = (int64_t)d->umax_value;
    } else {
        d->smin_value = S64_MIN;
        d->smax_value = S64_MAX;
    }
    bpfrt_scalar_update_bounds(d);
}

static void lsh32(struct vscalar *d, uint64_t umin, uint64_t umax)
{
    d->s32_min_value = S32_MIN;
    d->s32_max_value = S32_MAX;
    if (umax > 31 || d->u32_max_value > (1ull << (31 - umax))) {
        d->u32_min_value = 0;
        d->u32_max_value = UINT32_MAX;
    } else {
        d->u32_min_value <<= umin;
        d->u32_max_value <<= umax;
    }
}

static void lsh64(struct vscalar *d, uint64_t umin, uint64_t umax)
{
    if (umin == 32 && umax == 32 && d->s32_max_value >= 0)
        d->smax_value = (int64_t)d->s32_max_value << 32;
    else
        d->smax_value = S64_MAX;
    if (umin == 32 && umax == 32 && d->s32_min_value >= 0)
        d->smin_value = (int64_t)d->s32_min_value << 32;
    else
        d->smin_value = S64_MIN;
    if (d->umax_value > (1ull << (63 - umax))) {
        d->umin_value = 0;
        d->umax_value = UINT64_MAX;
    } else {
        d->umin_value <<= umin;
        d->umax_value <<= umax;
    }
}

static void min_max_shift(struct vscalar *d, const struct vscalar *s, uint8_t alu, bool alu32)
{
    if (alu32) {
        uint32_t umin = s->u32_min_value, umax = s->u32_max_value;
        struct tnum sub = tnum_subreg(d->var_off);
        if (alu == BPFRT_ALU_LSH) {
            lsh32(d, umin, umax);
            d->var_off = tnum_subreg(tnum_lshift(sub, (uint8_t)umin));
        } else if (alu == BPFRT_ALU_RSH) {
            d->s32_min_value = S32_MIN;
            d->s32_max_value = S32_MAX;
            d->var_off = tnum_rshift(sub, (uint8_t)umin);
            d->u32_min_value >>= umax;
            d->u32_max_value >>= umin;
        } else {
            d->s32_min_value = (int32_t)((uint32_t)(d->s32_min_value >> umin));
            d->s32_max_value = (int32_t)((uint32_t)(d->s32_max_value >> umin));
            d->var_off = tnum_arshift(sub, (uint8_t)umin, 32);
            d->u32_min_value = 0;
            d->u32_max_value = UINT32_MAX;
        }
        bpfrt_scalar_mark64_unbounded(d);
        bpfrt_scalar_update_bounds(d);
        return;
    }
    uint64_t umin = s->umin_value, umax = s->umax_value;
    if (alu == BPFRT_ALU_LSH) {
        lsh64(d, umin, umax);
        lsh32(d, umin, umax);
        d->var_off = tnum_lshift(d->var_off, (uint8_t)umin);
    } else if (alu == BPFRT_ALU_RSH) {
        d->smin_value = S64_MIN;
        d->smax_value = S64_MAX;
        d->var_off = tnum_rshift(d->var_off, (uint8_t)umin);
        d->umin_value >>= umax;
        d->umax_value >>= umin;
        bpfrt_scalar_mark32_unbounded(d);
    } else {
        d->smin_value >>= umin;
        d->smax_value >>= umin;
        d->var_off = tnum_arshift(d->var_off, (uint8_t)umin, 64);
        d->umin_value = 0;
        d->umax_value = UINT64_MAX;
        bpfrt_scalar_mark32_unbounded(d);
    }
    bpfrt_scalar_update_bounds(d);
}

static uint64_t bswap(uint64_t v, int bytes)
{
    switch (bytes) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    default: return __builtin_bswap64(v);
    }
}

/* BPF_END on a scalar: a byte swap moves the tnum's bytes (bounds follow
 * from it); le on this little-endian host only truncates. */
static void scalar_byte_swap(struct vreg *dst, const struct bpfrt_dinsn *d)
{
    const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
    int bytes = oi->size;
    bool swap = oi->alu != BPFRT_ALU_LE;
    if (!swap && bytes == 8)
        return;
    dst->id = 0;
    if (swap) {
        dst->s.var_off = TNUM(bswap(dst->s.var_off.value, bytes), bswap(dst->s.var_off.mask, bytes));
        bpfrt_scalar_mark_unbounded(&dst->s);
    }
    if (bytes < 8)
        bpfrt_scalar_coerce_to_size(&dst->s, bytes);
    else
        bpfrt_scalar_bounds_sync(&dst->s);
}

static bool is_safe_to_compute_dst_reg_range(uint8_t alu, const struct vscalar *src, bool alu32)
{
    bool src_const = alu32 ? (tnum_subreg_is_const(src->var_off) && src->s32_min_value == src->s32_max_value &&
                              src->u32_min_value == src->u32_max_value)
                           : (tnum_is_const(src->var_off) && src->smin_value == src->smax_value &&
                              src->umin_value == src->umax_value);
    switch (alu) {
    case BPFRT_ALU_ADD: case BPFRT_ALU_SUB: case BPFRT_ALU_NEG: case BPFRT_ALU_AND:
    case BPFRT_ALU_XOR: case BPFRT_ALU_OR: case BPFRT_ALU_MUL:
        return true;
    case BPFRT_ALU_LSH: case BPFRT_ALU_RSH: case BPFRT_ALU_ARSH:
        return src_const && src->umax_value < (alu32 ? 32u : 64u);
    default:
        return false;
    }
}

static void adjust_scalar_min_max_vals(struct vreg *dst, struct vscalar src, uint8_t alu, bool alu32)
{
    struct vscalar *d = &dst->s;
    if (!is_safe_to_compute_dst_reg_range(alu, &src, alu32)) {
        bpfrt_v_mark_reg_unknown(dst);
        return;
    }
    bool sk64 = tnum_is_const(src.var_off), dk64 = tnum_is_const(d->var_off);
    bool sk32 = tnum_subreg_is_const(src.var_off), dk32 = tnum_subreg_is_const(d->var_off);
    switch (alu) {
    case BPFRT_ALU_ADD:
        bpfrt_scalar32_add(d, &src);
        bpfrt_scalar_add(d, &src);
        d->var_off = tnum_add(d->var_off, src.var_off);
        break;
    case BPFRT_ALU_SUB:
        min_max_sub(d, &src);
        d->var_off = tnum_sub(d->var_off, src.var_off);
        break;
    case BPFRT_ALU_NEG: {
        struct vscalar old = *d;
        bpfrt_v_mark_reg_known(dst, 0);
        min_max_sub(d, &old);
        d->var_off = tnum_neg(old.var_off);
        break;
    }
    case BPFRT_ALU_MUL:
        d->var_off = tnum_mul(d->var_off, src.var_off);
        min_max_mul(d, &src);
        break;
    case BPFRT_ALU_AND:
        d->var_off = tnum_and(d->var_off, src.var_off);
        min_max_bitwise(d, &src, alu, sk64, dk64, sk32, dk32);
        break;
    case BPFRT_ALU_OR:
        d->var_off = tnum_or(d->var_off, src.var_off);
        min_max_bitwise(d, &src, alu, sk64, dk64, sk32, dk32);
        break;
    case BPFRT_ALU_XOR:
        d->var_off = tnum_xor(d->var_off, src.var_off);
        min_max_bitwise(d, &src, alu, sk64, dk64, sk32, dk32);
        break;
    case BPFRT_ALU_LSH:
    case BPFRT_ALU_RSH:
    case BPFRT_ALU_ARSH:
        min_max_shift(d, &src, alu, alu32);
        break;
    default:
        break;
    }
    if (alu32)
        bpfrt_scalar_zext_32_to_64(d);
    bpfrt_scalar_bounds_sync(d);
}

/* ---- pointers ---- */

static bool check_reg_sane_offset(struct venv *env, const struct vreg *reg, uint8_t ptype, uint8_t pflags)
{
    bool known = tnum_is_const(reg->s.var_off);
    int64_t val = (int64_t)reg->s.var_off.value, smin = reg->s.smin_value;
    const char *t = bpfrt_v_reg_type_str(env, ptype, pflags);
    if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
        verbose(env, "math between %s pointer and %lld is not allowed\n", t, (long long)val);
        return false;
    }
    if (reg->off >= BPF_MAX_VAR_OFF || reg->off <= -BPF_MAX_VAR_OFF) {
        verbose(env, "%s pointer offset %d is not allowed\n", t, reg->off);
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

static int adjust_ptr_min_max_vals(struct venv *env, uint32_t dst_regno, uint8_t alu, bool alu32,
                                   const struct vreg *ptr_in, const struct vreg *off_in)
{
    struct vreg *dst = &cur_regs(env)[dst_regno];
    const struct vreg ptr = *ptr_in, off = *off_in;
    bool known = tnum_is_const(off.s.var_off);
    int64_t smin_val = off.s.smin_value, smax_val = off.s.smax_value;
    uint64_t umin_val = off.s.umin_value, umax_val = off.s.umax_value;

    if ((known && (smin_val != smax_val || umin_val != umax_val)) || smin_val > smax_val || umin_val > umax_val) {
        bpfrt_v_mark_reg_unknown(dst); /* bounds from a dead branch */
        return 0;
    }
    if (alu32) {
        if (alu == BPFRT_ALU_SUB) {
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
    if (!check_reg_sane_offset(env, &off, ptr.type, ptr.flags) ||
        !check_reg_sane_offset(env, &ptr, ptr.type, ptr.flags))
        return -BPFRT_EINVAL;
    bpfrt_scalar_mark32_unbounded(&dst->s);

    switch (alu) {
    case BPFRT_ALU_ADD:
        if (known && (int64_t)ptr.off + smin_val == (int64_t)(int32_t)(ptr.off + smin_val)) {
            dst->s.smin_value = ptr.s.smin_value;
            dst->s.smax_value = ptr.s.smax_value;
            dst->s.umin_value = ptr.s.umin_value;
            dst->s.umax_value = ptr.s.umax_value;
            dst->s.var_off = ptr.s.var_off;
            dst->off = (int32_t)(ptr.off + smin_val);
            dst->aux = ptr.aux;
            dst->map = ptr.map;
            dst->frameno = ptr.frameno;
            dst->ref_obj_id = ptr.ref_obj_id;
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
        dst->s.var_off = tnum_add(ptr.s.var_off, off.s.var_off);
        dst->off = ptr.off;
        dst->aux = ptr.aux;
        dst->map = ptr.map;
        dst->frameno = ptr.frameno;
        dst->ref_obj_id = ptr.ref_obj_id;
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
            dst->id = ptr.id;
            dst->off = (int32_t)(ptr.off - smin_val);
            dst->aux = ptr.aux;
            dst->map = ptr.map;
            dst->frameno = ptr.frameno;
            dst->ref_obj_id = ptr.ref_obj_id;
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
        dst->s.var_off = tnum_sub(ptr.s.var_off, off.s.var_off);
        dst->off = ptr.off;
        dst->aux = ptr.aux;
        dst->map = ptr.map;
        dst->frameno = ptr.frameno;
        dst->ref_obj_id = ptr.ref_obj_id;
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
    if (!check_reg_sane_offset(env, dst, ptr.type, ptr.flags))
        return -BPFRT_EINVAL;
    bpfrt_scalar_bounds_sync(&dst->s);
    return 0;
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
                if (alu == BPFRT_ALU_SUB) { /* pointer - pointer: allow_ptr_leaks */
                    bpfrt_v_mark_reg_unknown(dst);
                    return 0;
                }
                verbose(env, "R%d pointer %s pointer prohibited\n", d->dst, alu_str[alu]);
                return -BPFRT_EACCES;
            }
            /* scalar += pointer */
            int err = bpfrt_v_mark_chain_precision(env, (int)d->dst);
            return err ? err : adjust_ptr_min_max_vals(env, d->dst, alu, alu32, src, dst);
        }
        if (dst->type != SCALAR_VALUE) {
            int err = bpfrt_v_mark_chain_precision(env, (int)d->src);
            return err ? err : adjust_ptr_min_max_vals(env, d->dst, alu, alu32, dst, src);
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
            return adjust_ptr_min_max_vals(env, d->dst, alu, alu32, dst, &off_reg);
    }
    adjust_scalar_min_max_vals(dst, off_reg.s, alu, alu32);
    /* r1 = r2; r1 += K keeps r1 linked to r2 with a constant delta */
    uint64_t val;
    if (alu == BPFRT_ALU_ADD && !alu32 && dst->id && bpfrt_v_reg_is_const_scalar(&off_reg, &val)) {
        if ((dst->id & BPF_ADD_CONST) || val > (uint32_t)S32_MAX) {
            dst->off = 0;
            dst->id = 0;
        } else {
            dst->id |= BPF_ADD_CONST;
            dst->off = (int32_t)val;
        }
    } else {
        dst->id = 0;
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
            assign_scalar_id_before_mov(env, src);
            *dst = *src;
        } else if (src->type == SCALAR_VALUE) {
            bool no_sext = src->s.umax_value < (1ull << (sx * 8 - 1));
            if (no_sext)
                assign_scalar_id_before_mov(env, src);
            *dst = *src;
            if (!no_sext)
                dst->id = 0;
            bpfrt_scalar_coerce_to_size_sx(&dst->s, sx);
        } else {
            bpfrt_v_mark_reg_unknown(dst);
        }
        return 0;
    }
    if (src->type == SCALAR_VALUE) {
        if (!sx) {
            bool is_u32 = reg_width(src) <= 32;
            if (is_u32)
                assign_scalar_id_before_mov(env, src);
            *dst = *src;
            if (!is_u32)
                dst->id = 0;
        } else {
            bool no_sext = src->s.umax_value < (1ull << (sx * 8 - 1));
            if (no_sext)
                assign_scalar_id_before_mov(env, src);
            *dst = *src;
            if (!no_sext)
                dst->id = 0;
            bpfrt_scalar_coerce_subreg_to_size_sx(&dst->s, sx);
        }
    } else {
        bpfrt_v_mark_reg_unknown(dst); /* a 32-bit copy of a pointer is a number */
    }
    bpfrt_scalar_zext_32_to_64(&dst->s);
    bpfrt_scalar_bounds_sync(&dst->s);
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
        if (err)
            return err;
        if (regs[d->dst].type == SCALAR_VALUE) {
            err = bpfrt_v_check_reg_arg(env, d->dst, DST_OP_NO_MARK);
            if (err)
                return err;
            if (oi->kind == BPFRT_K_END)
                scalar_byte_swap(&regs[d->dst], d);
            else
                adjust_scalar_min_max_vals(&regs[d->dst], regs[d->dst].s, BPFRT_ALU_NEG, oi->flags & BPFRT_OPF_32);
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
    return err;
}
