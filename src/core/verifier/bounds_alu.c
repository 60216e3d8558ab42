/* Scalar ALU transfer functions: Linux 6.18's adjust_scalar_min_max_vals
 * and the scalar[32]_min_max_* family, scalar_byte_swap and
 * maybe_fork_scalars (kernel/bpf/verifier.c), written from their semantics.
 * Each op has a 64-bit and a 32-bit step that update their own domain; the
 * 32-bit results are then zero-extended and every result synced
 * (bounds.c). The verifier log prints these bounds, so each step computes
 * exactly Linux's answer, including where a sharper one exists. */
#include "core/verifier/bounds.h"

#include "core/core.h"

typedef void (*bounds_step)(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src);

static inline int64_t min_s64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t max_s64(int64_t a, int64_t b) { return a > b ? a : b; }

/* ---- add / sub ---- */

void bpfrt_bounds_add64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    int64_t smin, smax;
    if (__builtin_add_overflow(d->smin_value, s->smin_value, &smin) ||
        __builtin_add_overflow(d->smax_value, s->smax_value, &smax)) {
        d->smin_value = INT64_MIN;
        d->smax_value = INT64_MAX;
    } else {
        d->smin_value = smin;
        d->smax_value = smax;
    }
    /* The sums of the ends wrap together or not at all: the range shifts
     * intact. Only when the top wraps and the bottom does not does it
     * cover the wrap point, which a range cannot describe. */
    bool lo_wraps = __builtin_add_overflow(d->umin_value, s->umin_value, &d->umin_value);
    bool hi_wraps = __builtin_add_overflow(d->umax_value, s->umax_value, &d->umax_value);
    if (!lo_wraps && hi_wraps) {
        d->umin_value = 0;
        d->umax_value = UINT64_MAX;
    }
}

void bpfrt_bounds_add32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    int32_t smin, smax;
    if (__builtin_add_overflow(d->s32_min_value, s->s32_min_value, &smin) ||
        __builtin_add_overflow(d->s32_max_value, s->s32_max_value, &smax)) {
        d->s32_min_value = INT32_MIN;
        d->s32_max_value = INT32_MAX;
    } else {
        d->s32_min_value = smin;
        d->s32_max_value = smax;
    }
    bool lo_wraps = __builtin_add_overflow(d->u32_min_value, s->u32_min_value, &d->u32_min_value);
    bool hi_wraps = __builtin_add_overflow(d->u32_max_value, s->u32_max_value, &d->u32_max_value);
    if (!lo_wraps && hi_wraps) {
        d->u32_min_value = 0;
        d->u32_max_value = UINT32_MAX;
    }
}

void bpfrt_bounds_sub64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    int64_t smin, smax;
    if (__builtin_sub_overflow(d->smin_value, s->smax_value, &smin) ||
        __builtin_sub_overflow(d->smax_value, s->smin_value, &smax)) {
        d->smin_value = INT64_MIN;
        d->smax_value = INT64_MAX;
    } else {
        d->smin_value = smin;
        d->smax_value = smax;
    }
    uint64_t umin_s = s->umin_value, umax_s = s->umax_value;
    bool lo_wraps = __builtin_sub_overflow(d->umin_value, umax_s, &d->umin_value);
    bool hi_wraps = __builtin_sub_overflow(d->umax_value, umin_s, &d->umax_value);
    if (lo_wraps && !hi_wraps) {
        d->umin_value = 0;
        d->umax_value = UINT64_MAX;
    }
}

void bpfrt_bounds_sub32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    int32_t smin, smax;
    if (__builtin_sub_overflow(d->s32_min_value, s->s32_max_value, &smin) ||
        __builtin_sub_overflow(d->s32_max_value, s->s32_min_value, &smax)) {
        d->s32_min_value = INT32_MIN;
        d->s32_max_value = INT32_MAX;
    } else {
        d->s32_min_value = smin;
        d->s32_max_value = smax;
    }
    uint32_t umin_s = s->u32_min_value, umax_s = s->u32_max_value;
    bool lo_wraps = __builtin_sub_overflow(d->u32_min_value, umax_s, &d->u32_min_value);
    bool hi_wraps = __builtin_sub_overflow(d->u32_max_value, umin_s, &d->u32_max_value);
    if (lo_wraps && !hi_wraps) {
        d->u32_min_value = 0;
        d->u32_max_value = UINT32_MAX;
    }
}

/* ---- mul: unsigned from the ends, signed from the four corner products ---- */

void bpfrt_bounds_mul64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    uint64_t umax, umin;
    if (__builtin_mul_overflow(d->umax_value, s->umax_value, &umax) ||
        __builtin_mul_overflow(d->umin_value, s->umin_value, &umin)) {
        d->umin_value = 0;
        d->umax_value = UINT64_MAX;
    } else {
        d->umin_value = umin;
        d->umax_value = umax;
    }
    int64_t p[4];
    if (__builtin_mul_overflow(d->smin_value, s->smin_value, &p[0]) ||
        __builtin_mul_overflow(d->smin_value, s->smax_value, &p[1]) ||
        __builtin_mul_overflow(d->smax_value, s->smin_value, &p[2]) ||
        __builtin_mul_overflow(d->smax_value, s->smax_value, &p[3])) {
        d->smin_value = INT64_MIN;
        d->smax_value = INT64_MAX;
    } else {
        d->smin_value = min_s64(min_s64(p[0], p[1]), min_s64(p[2], p[3]));
        d->smax_value = max_s64(max_s64(p[0], p[1]), max_s64(p[2], p[3]));
    }
}

void bpfrt_bounds_mul32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    uint32_t umax, umin;
    if (__builtin_mul_overflow(d->u32_max_value, s->u32_max_value, &umax) ||
        __builtin_mul_overflow(d->u32_min_value, s->u32_min_value, &umin)) {
        d->u32_min_value = 0;
        d->u32_max_value = UINT32_MAX;
    } else {
        d->u32_min_value = umin;
        d->u32_max_value = umax;
    }
    int32_t p[4];
    if (__builtin_mul_overflow(d->s32_min_value, s->s32_min_value, &p[0]) ||
        __builtin_mul_overflow(d->s32_min_value, s->s32_max_value, &p[1]) ||
        __builtin_mul_overflow(d->s32_max_value, s->s32_min_value, &p[2]) ||
        __builtin_mul_overflow(d->s32_max_value, s->s32_max_value, &p[3])) {
        d->s32_min_value = INT32_MIN;
        d->s32_max_value = INT32_MAX;
    } else {
        d->s32_min_value = (int32_t)min_s64(min_s64(p[0], p[1]), min_s64(p[2], p[3]));
        d->s32_max_value = (int32_t)max_s64(max_s64(p[0], p[1]), max_s64(p[2], p[3]));
    }
}

/* ---- and / or / xor: var_off already holds the result's bits ---- */

/* The s64 range equals the u64 range when that does not cross the sign. */
static void signed_from_unsigned64(struct bpfrt_bounds *d)
{
    if ((int64_t)d->umin_value <= (int64_t)d->umax_value) {
        d->smin_value = (int64_t)d->umin_value;
        d->smax_value = (int64_t)d->umax_value;
    } else {
        d->smin_value = INT64_MIN;
        d->smax_value = INT64_MAX;
    }
}

static void signed_from_unsigned32(struct bpfrt_bounds *d)
{
    if ((int32_t)d->u32_min_value <= (int32_t)d->u32_max_value) {
        d->s32_min_value = (int32_t)d->u32_min_value;
        d->s32_max_value = (int32_t)d->u32_max_value;
    } else {
        d->s32_min_value = INT32_MIN;
        d->s32_max_value = INT32_MAX;
    }
}

static void and64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    if (bpfrt_tnum_is_const(s->var_off) && bpfrt_tnum_is_const(d->var_off)) {
        bpfrt_bounds_mark_known(d, d->var_off.value);
        return;
    }
    /* x & y is at least the bits known set in both, at most either operand. */
    d->umin_value = d->var_off.value;
    d->umax_value = d->umax_value < s->umax_value ? d->umax_value : s->umax_value;
    signed_from_unsigned64(d);
    bpfrt_bounds_update(d);
}

static void and32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    struct bpfrt_tnum t = bpfrt_tnum_subreg(d->var_off);
    if (bpfrt_tnum_subreg_is_const(s->var_off) && bpfrt_tnum_subreg_is_const(d->var_off)) {
        bpfrt_bounds_mark_known32(d, t.value);
        return;
    }
    d->u32_min_value = (uint32_t)t.value;
    d->u32_max_value = d->u32_max_value < s->u32_max_value ? d->u32_max_value : s->u32_max_value;
    signed_from_unsigned32(d);
}

static void or64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    if (bpfrt_tnum_is_const(s->var_off) && bpfrt_tnum_is_const(d->var_off)) {
        bpfrt_bounds_mark_known(d, d->var_off.value);
        return;
    }
    /* x | y is at least either operand, at most every bit that may be set. */
    d->umin_value = d->umin_value > s->umin_value ? d->umin_value : s->umin_value;
    d->umax_value = d->var_off.value | d->var_off.mask;
    signed_from_unsigned64(d);
    bpfrt_bounds_update(d);
}

static void or32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    struct bpfrt_tnum t = bpfrt_tnum_subreg(d->var_off);
    if (bpfrt_tnum_subreg_is_const(s->var_off) && bpfrt_tnum_subreg_is_const(d->var_off)) {
        bpfrt_bounds_mark_known32(d, t.value);
        return;
    }
    d->u32_min_value = d->u32_min_value > s->u32_min_value ? d->u32_min_value : s->u32_min_value;
    d->u32_max_value = (uint32_t)(t.value | t.mask);
    signed_from_unsigned32(d);
}

static void xor64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    if (bpfrt_tnum_is_const(s->var_off) && bpfrt_tnum_is_const(d->var_off)) {
        bpfrt_bounds_mark_known(d, d->var_off.value);
        return;
    }
    d->umin_value = d->var_off.value;
    d->umax_value = d->var_off.value | d->var_off.mask;
    signed_from_unsigned64(d);
    bpfrt_bounds_update(d);
}

static void xor32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    struct bpfrt_tnum t = bpfrt_tnum_subreg(d->var_off);
    if (bpfrt_tnum_subreg_is_const(s->var_off) && bpfrt_tnum_subreg_is_const(d->var_off)) {
        bpfrt_bounds_mark_known32(d, t.value);
        return;
    }
    d->u32_min_value = (uint32_t)t.value;
    d->u32_max_value = (uint32_t)(t.value | t.mask);
    signed_from_unsigned32(d);
}

/* ---- shifts (the amount is a known constant below the width) ---- */

static void lsh32_ranges(struct bpfrt_bounds *d, uint64_t amin, uint64_t amax)
{
    d->s32_min_value = INT32_MIN;    /* the sign bit is lost */
    d->s32_max_value = INT32_MAX;
    if (amax > 31 || d->u32_max_value > (uint64_t)1 << (31 - amax)) {
        d->u32_min_value = 0;        /* the top bit may be shifted out */
        d->u32_max_value = UINT32_MAX;
    } else {
        d->u32_min_value <<= amin;
        d->u32_max_value <<= amax;
    }
}

static void lsh32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    uint32_t amin = s->u32_min_value, amax = s->u32_max_value;
    struct bpfrt_tnum sub = bpfrt_tnum_subreg(d->var_off);
    lsh32_ranges(d, amin, amax);
    d->var_off = bpfrt_tnum_subreg(bpfrt_tnum_lshift(sub, (uint8_t)amin));
    bpfrt_bounds_mark_unbounded64(d);
    bpfrt_bounds_update(d);
}

static void lsh64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    uint64_t amin = s->umin_value, amax = s->umax_value;
    /* "x << 32 s>> 32" sign-extends a subregister: keep the s32 range. */
    if (amin == 32 && amax == 32) {
        d->smax_value = (int64_t)((uint64_t)(int64_t)d->s32_max_value << 32);
        d->smin_value = (int64_t)((uint64_t)(int64_t)d->s32_min_value << 32);
    } else {
        d->smax_value = INT64_MAX;
        d->smin_value = INT64_MIN;
    }
    if (d->umax_value > (uint64_t)1 << (63 - amax)) {
        d->umin_value = 0;
        d->umax_value = UINT64_MAX;
    } else {
        d->umin_value <<= amin;
        d->umax_value <<= amax;
    }
    lsh32_ranges(d, amin, amax);
    d->var_off = bpfrt_tnum_lshift(d->var_off, (uint8_t)amin);
    bpfrt_bounds_update(d);
}

static void rsh32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    uint32_t amin = s->u32_min_value, amax = s->u32_max_value;
    d->s32_min_value = INT32_MIN;    /* learned again from var_off */
    d->s32_max_value = INT32_MAX;
    d->var_off = bpfrt_tnum_rshift(bpfrt_tnum_subreg(d->var_off), (uint8_t)amin);
    d->u32_min_value >>= amax;
    d->u32_max_value >>= amin;
    bpfrt_bounds_mark_unbounded64(d);
    bpfrt_bounds_update(d);
}

static void rsh64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    uint64_t amin = s->umin_value, amax = s->umax_value;
    d->smin_value = INT64_MIN;
    d->smax_value = INT64_MAX;
    d->var_off = bpfrt_tnum_rshift(d->var_off, (uint8_t)amin);
    d->umin_value >>= amax;
    d->umax_value >>= amin;
    bpfrt_bounds_mark_unbounded32(d); /* bits shifted in from above: from var_off */
    bpfrt_bounds_update(d);
}

static void arsh32(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    uint32_t a = s->u32_min_value;  /* == u32_max_value: a known amount */
    d->s32_min_value >>= a;
    d->s32_max_value >>= a;
    d->var_off = bpfrt_tnum_arshift(bpfrt_tnum_subreg(d->var_off), (uint8_t)a, 32);
    d->u32_min_value = 0;
    d->u32_max_value = UINT32_MAX;
    bpfrt_bounds_mark_unbounded64(d);
    bpfrt_bounds_update(d);
}

static void arsh64(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    uint64_t a = s->umin_value;
    d->smin_value >>= a;
    d->smax_value >>= a;
    d->var_off = bpfrt_tnum_arshift(d->var_off, (uint8_t)a, 64);
    d->umin_value = 0;
    d->umax_value = UINT64_MAX;
    bpfrt_bounds_mark_unbounded32(d);
    bpfrt_bounds_update(d);
}

/* ---- dispatch ---- */

static void add_tnum(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    d->var_off = bpfrt_tnum_add(d->var_off, s->var_off);
}
static void sub_tnum(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    d->var_off = bpfrt_tnum_sub(d->var_off, s->var_off);
}
static void mul_tnum(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    d->var_off = bpfrt_tnum_mul(d->var_off, s->var_off);
}
static void and_tnum(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    d->var_off = bpfrt_tnum_and(d->var_off, s->var_off);
}
static void or_tnum(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    d->var_off = bpfrt_tnum_or(d->var_off, s->var_off);
}
static void xor_tnum(struct bpfrt_bounds *d, const struct bpfrt_bounds *s)
{
    d->var_off = bpfrt_tnum_xor(d->var_off, s->var_off);
}

/* Per op, Linux's order of steps: tnum before the ranges where the range
 * steps read the result's bits (and/or/xor) or where Linux computes it first
 * (mul), after them otherwise. Shifts keep only one width's ranges. */
static const struct alu_steps {
    bounds_step before, step32, step64, after;
    bool shift;
} alu_table[] = {
    [BPFRT_ALU_ADD] = { NULL, bpfrt_bounds_add32, bpfrt_bounds_add64, add_tnum, false },
    [BPFRT_ALU_SUB] = { NULL, bpfrt_bounds_sub32, bpfrt_bounds_sub64, sub_tnum, false },
    [BPFRT_ALU_MUL] = { mul_tnum, bpfrt_bounds_mul32, bpfrt_bounds_mul64, NULL, false },
    [BPFRT_ALU_AND] = { and_tnum, and32, and64, NULL, false },
    [BPFRT_ALU_OR] = { or_tnum, or32, or64, NULL, false },
    [BPFRT_ALU_XOR] = { xor_tnum, xor32, xor64, NULL, false },
    [BPFRT_ALU_LSH] = { NULL, lsh32, lsh64, NULL, true },
    [BPFRT_ALU_RSH] = { NULL, rsh32, rsh64, NULL, true },
    [BPFRT_ALU_ARSH] = { NULL, arsh32, arsh64, NULL, true },
};

/* is_safe_to_compute_dst_reg_range: shifts need a constant amount below
 * the width (checked on the full 64-bit umax even for 32-bit ops, as
 * Linux); division and modulo are never tracked in 6.18. */
static bool trackable(uint8_t alu, bool alu32, const struct bpfrt_bounds *s)
{
    if (alu < sizeof(alu_table) / sizeof(alu_table[0]) && alu_table[alu].step64 && !alu_table[alu].shift)
        return true;
    if (alu == BPFRT_ALU_NEG || alu == BPFRT_ALU_LE || alu == BPFRT_ALU_BE || alu == BPFRT_ALU_BSWAP)
        return true;
    if (alu != BPFRT_ALU_LSH && alu != BPFRT_ALU_RSH && alu != BPFRT_ALU_ARSH)
        return false;
    bool known = alu32 ? bpfrt_tnum_subreg_is_const(s->var_off) && s->s32_min_value == s->s32_max_value &&
                             s->u32_min_value == s->u32_max_value
                       : bpfrt_tnum_is_const(s->var_off) && s->smin_value == s->smax_value &&
                             s->umin_value == s->umax_value;
    return known && s->umax_value < (alu32 ? 32u : 64u);
}

/* scalar_byte_swap: swap when asked to (bswap) or when the target byte
 * order is not the host's, then keep the low size bytes. */
static void byte_swap(struct bpfrt_bounds *d, uint8_t alu, uint8_t size)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    const bool host_le = false;
#else
    const bool host_le = true;
#endif
    bool swap = alu == BPFRT_ALU_BSWAP || (alu == BPFRT_ALU_LE) != host_le;
    if (swap) {
        d->var_off = size == 2 ? bpfrt_tnum_bswap16(d->var_off)
                   : size == 4 ? bpfrt_tnum_bswap32(d->var_off)
                               : bpfrt_tnum_bswap64(d->var_off);
        bpfrt_bounds_mark_unbounded(d); /* swapping scrambles the order */
    }
    if (size < 8)
        bpfrt_bounds_coerce_to_size(d, size);
}

/* maybe_fork_scalars: AND/OR by a constant of a value that is -1 or 0 is
 * verified once per value, which keeps masks like "x & -cond" exact. */
static int maybe_fork(struct bpfrt_bounds *d, struct bpfrt_bounds *fork)
{
    bool in32;
    if (d->smin_value == -1 && d->smax_value == 0)
        in32 = false;
    else if (d->s32_min_value == -1 && d->s32_max_value == 0)
        in32 = true;
    else
        return 0;
    *fork = *d;
    if (in32) {
        bpfrt_bounds_mark_known32(fork, 0);
        bpfrt_bounds_mark_known32(d, UINT64_MAX);
    } else {
        bpfrt_bounds_mark_known(fork, 0);
        bpfrt_bounds_mark_known(d, UINT64_MAX);
    }
    return 1;
}

int bpfrt_bounds_alu(struct bpfrt_bounds *dst, const struct bpfrt_bounds *src, uint16_t op,
                     struct bpfrt_bounds *fork)
{
    const struct bpfrt_op_info *info = &bpfrt_op_info[op < BPFRT_OP_COUNT ? op : BPFRT_OP_BAD];
    bool alu32 = info->flags & BPFRT_OPF_32;
    uint8_t alu = info->alu;
    struct bpfrt_bounds s = *src; /* src may alias dst */
    int forked = 0;

    if (info->kind == BPFRT_K_MOVSX) {
        *dst = s;
        if (!alu32) {
            bpfrt_bounds_coerce_to_size_sx(dst, info->size);
            return 0;
        }
        bpfrt_bounds_coerce_subreg_to_size_sx(dst, info->size);
    } else if (info->kind == BPFRT_K_END) {
        byte_swap(dst, alu, info->size);
        bpfrt_bounds_sync(dst);
        return 0;
    } else if (info->kind != BPFRT_K_ALU) {
        bpfrt_bounds_mark_unknown(dst);
        return 0;
    } else if (alu == BPFRT_ALU_MOV) {
        *dst = s;
        if (!alu32)
            return 0;
    } else if (!trackable(alu, alu32, &s)) {
        bpfrt_bounds_mark_unknown(dst);
        return 0;
    } else if (alu == BPFRT_ALU_NEG) {
        struct bpfrt_bounds old = *dst;
        bpfrt_bounds_mark_known(dst, 0);
        bpfrt_bounds_sub32(dst, &old);
        bpfrt_bounds_sub64(dst, &old);
        dst->var_off = bpfrt_tnum_neg(old.var_off);
    } else {
        const struct alu_steps *st = &alu_table[alu];
        if ((alu == BPFRT_ALU_AND || alu == BPFRT_ALU_OR) && fork && bpfrt_tnum_is_const(s.var_off))
            forked = maybe_fork(dst, fork);
        if (st->before)
            st->before(dst, &s);
        if (st->shift) {
            (alu32 ? st->step32 : st->step64)(dst, &s);
        } else {
            st->step32(dst, &s);
            st->step64(dst, &s);
        }
        if (st->after)
            st->after(dst, &s);
    }
    if (alu32)
        bpfrt_bounds_zext_32_to_64(dst);
    bpfrt_bounds_sync(dst);
    return forked;
}
