/* INTERIM scalar bounds for the verifier engine, until the bounds module
 * (src/core/verifier/bounds.{c,h}, branch vtests) lands on main. Mirrors
 * Linux 6.18 kernel/bpf/verifier.c: __mark_reg_known/unbounded,
 * __update_reg_bounds, __reg32/64_deduce_bounds, __reg_deduce_mixed_bounds,
 * __reg_bound_offset, reg_bounds_sync, __reg_assign_32_into_64,
 * zext_32_to_64, coerce_reg_to_size(_sx), is_scalar_branch_taken,
 * regs_refine_cond_op and scalar(32)_min_max_add. Reached only through
 * scalar.h. */
#include "core/verifier/scalar.h"

#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX
#define U64_MAX UINT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define U32_MAX UINT32_MAX

#define MAX_T(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define MIN_T(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))

void bpfrt_scalar_mark_known(struct vscalar *s, uint64_t imm)
{
    s->var_off = tnum_const(imm);
    s->smin_value = s->smax_value = (int64_t)imm;
    s->umin_value = s->umax_value = imm;
    s->s32_min_value = s->s32_max_value = (int32_t)imm;
    s->u32_min_value = s->u32_max_value = (uint32_t)imm;
}

void bpfrt_scalar_mark32_known(struct vscalar *s, uint64_t imm)
{
    s->var_off = tnum_const_subreg(s->var_off, (uint32_t)imm);
    s->s32_min_value = s->s32_max_value = (int32_t)imm;
    s->u32_min_value = s->u32_max_value = (uint32_t)imm;
}

void bpfrt_scalar_mark64_unbounded(struct vscalar *s)
{
    s->smin_value = S64_MIN;
    s->smax_value = S64_MAX;
    s->umin_value = 0;
    s->umax_value = U64_MAX;
}

void bpfrt_scalar_mark32_unbounded(struct vscalar *s)
{
    s->s32_min_value = S32_MIN;
    s->s32_max_value = S32_MAX;
    s->u32_min_value = 0;
    s->u32_max_value = U32_MAX;
}

void bpfrt_scalar_mark_unbounded(struct vscalar *s)
{
    bpfrt_scalar_mark64_unbounded(s);
    bpfrt_scalar_mark32_unbounded(s);
}

void bpfrt_scalar_mark_unknown(struct vscalar *s)
{
    s->var_off = tnum_unknown;
    bpfrt_scalar_mark_unbounded(s);
}

static void update_reg32_bounds(struct vscalar *s)
{
    struct tnum v = tnum_subreg(s->var_off);
    s->s32_min_value = MAX_T(int32_t, s->s32_min_value, (int32_t)(v.value | (v.mask & (uint32_t)S32_MIN)));
    s->s32_max_value = MIN_T(int32_t, s->s32_max_value, (int32_t)(v.value | (v.mask & S32_MAX)));
    s->u32_min_value = MAX_T(uint32_t, s->u32_min_value, (uint32_t)v.value);
    s->u32_max_value = MIN_T(uint32_t, s->u32_max_value, (uint32_t)(v.value | v.mask));
}

static void update_reg64_bounds(struct vscalar *s)
{
    struct tnum v = s->var_off;
    s->smin_value = MAX_T(int64_t, s->smin_value, (int64_t)(v.value | (v.mask & (uint64_t)S64_MIN)));
    s->smax_value = MIN_T(int64_t, s->smax_value, (int64_t)(v.value | (v.mask & S64_MAX)));
    s->umin_value = MAX_T(uint64_t, s->umin_value, v.value);
    s->umax_value = MIN_T(uint64_t, s->umax_value, v.value | v.mask);
}

void bpfrt_scalar_update_bounds(struct vscalar *s)
{
    update_reg32_bounds(s);
    update_reg64_bounds(s);
}

static void reg32_deduce_bounds(struct vscalar *s)
{
    if ((s->umin_value >> 32) == (s->umax_value >> 32)) {
        s->u32_min_value = MAX_T(uint32_t, s->u32_min_value, (uint32_t)s->umin_value);
        s->u32_max_value = MIN_T(uint32_t, s->u32_max_value, (uint32_t)s->umax_value);
        if ((int32_t)s->umin_value <= (int32_t)s->umax_value) {
            s->s32_min_value = MAX_T(int32_t, s->s32_min_value, (int32_t)s->umin_value);
            s->s32_max_value = MIN_T(int32_t, s->s32_max_value, (int32_t)s->umax_value);
        }
    }
    if ((s->smin_value >> 32) == (s->smax_value >> 32)) {
        if ((uint32_t)s->smin_value <= (uint32_t)s->smax_value) {
            s->u32_min_value = MAX_T(uint32_t, s->u32_min_value, (uint32_t)s->smin_value);
            s->u32_max_value = MIN_T(uint32_t, s->u32_max_value, (uint32_t)s->smax_value);
        }
        if ((int32_t)s->smin_value <= (int32_t)s->smax_value) {
            s->s32_min_value = MAX_T(int32_t, s->s32_min_value, (int32_t)s->smin_value);
            s->s32_max_value = MIN_T(int32_t, s->s32_max_value, (int32_t)s->smax_value);
        }
    }
    /* upper halves two consecutive numbers, low halves crossing 0 as s32 */
    if ((uint32_t)(s->umin_value >> 32) + 1 == (uint32_t)(s->umax_value >> 32) &&
        (int32_t)s->umin_value < 0 && (int32_t)s->umax_value >= 0) {
        s->s32_min_value = MAX_T(int32_t, s->s32_min_value, (int32_t)s->umin_value);
        s->s32_max_value = MIN_T(int32_t, s->s32_max_value, (int32_t)s->umax_value);
    }
    if ((uint32_t)((uint64_t)s->smin_value >> 32) + 1 == (uint32_t)((uint64_t)s->smax_value >> 32) &&
        (int32_t)s->smin_value < 0 && (int32_t)s->smax_value >= 0) {
        s->s32_min_value = MAX_T(int32_t, s->s32_min_value, (int32_t)s->smin_value);
        s->s32_max_value = MIN_T(int32_t, s->s32_max_value, (int32_t)s->smax_value);
    }
    if ((int32_t)s->u32_min_value <= (int32_t)s->u32_max_value) {
        s->s32_min_value = MAX_T(int32_t, s->s32_min_value, (int32_t)s->u32_min_value);
        s->s32_max_value = MIN_T(int32_t, s->s32_max_value, (int32_t)s->u32_max_value);
    }
    if ((uint32_t)s->s32_min_value <= (uint32_t)s->s32_max_value) {
        s->u32_min_value = MAX_T(uint32_t, (uint32_t)s->s32_min_value, s->u32_min_value);
        s->u32_max_value = MIN_T(uint32_t, (uint32_t)s->s32_max_value, s->u32_max_value);
    }
}

static void reg64_deduce_bounds(struct vscalar *s)
{
    if ((int64_t)s->umin_value <= (int64_t)s->umax_value) {
        s->smin_value = MAX_T(int64_t, s->smin_value, (int64_t)s->umin_value);
        s->smax_value = MIN_T(int64_t, s->smax_value, (int64_t)s->umax_value);
    }
    if ((uint64_t)s->smin_value <= (uint64_t)s->smax_value) {
        s->umin_value = MAX_T(uint64_t, (uint64_t)s->smin_value, s->umin_value);
        s->umax_value = MIN_T(uint64_t, (uint64_t)s->smax_value, s->umax_value);
    }
}

static void reg_deduce_mixed_bounds(struct vscalar *s)
{
    uint64_t new_umin, new_umax;
    int64_t new_smin, new_smax;

    new_umin = (s->umin_value & ~0xffffffffull) | s->u32_min_value;
    new_umax = (s->umax_value & ~0xffffffffull) | s->u32_max_value;
    s->umin_value = MAX_T(uint64_t, s->umin_value, new_umin);
    s->umax_value = MIN_T(uint64_t, s->umax_value, new_umax);
    new_smin = (int64_t)(((uint64_t)s->smin_value & ~0xffffffffull) | s->u32_min_value);
    new_smax = (int64_t)(((uint64_t)s->smax_value & ~0xffffffffull) | s->u32_max_value);
    s->smin_value = MAX_T(int64_t, s->smin_value, new_smin);
    s->smax_value = MIN_T(int64_t, s->smax_value, new_smax);

    if ((uint32_t)s->s32_min_value <= (uint32_t)s->s32_max_value) {
        new_umin = (s->umin_value & ~0xffffffffull) | (uint32_t)s->s32_min_value;
        new_umax = (s->umax_value & ~0xffffffffull) | (uint32_t)s->s32_max_value;
        s->umin_value = MAX_T(uint64_t, s->umin_value, new_umin);
        s->umax_value = MIN_T(uint64_t, s->umax_value, new_umax);
        new_smin = (int64_t)(((uint64_t)s->smin_value & ~0xffffffffull) | (uint32_t)s->s32_min_value);
        new_smax = (int64_t)(((uint64_t)s->smax_value & ~0xffffffffull) | (uint32_t)s->s32_max_value);
        s->smin_value = MAX_T(int64_t, s->smin_value, new_smin);
        s->smax_value = MIN_T(int64_t, s->smax_value, new_smax);
    }

    /* sign-extended loads: upper bits all 0s or all 1s, low half non-negative */
    if (s->s32_min_value >= 0 && s->smin_value >= S32_MIN && s->smax_value <= S32_MAX) {
        s->smin_value = s->s32_min_value;
        s->smax_value = s->s32_max_value;
        s->umin_value = (uint64_t)(int64_t)s->s32_min_value;
        s->umax_value = (uint64_t)(int64_t)s->s32_max_value;
        s->var_off = tnum_intersect(s->var_off,
                                    tnum_range((uint64_t)s->smin_value, (uint64_t)s->smax_value));
    }
}

static void reg_bound_offset(struct vscalar *s)
{
    struct tnum var64 = tnum_intersect(s->var_off, tnum_range(s->umin_value, s->umax_value));
    struct tnum var32 = tnum_intersect(tnum_subreg(var64), tnum_range(s->u32_min_value, s->u32_max_value));
    s->var_off = tnum_or(tnum_clear_subreg(var64), var32);
}

void bpfrt_scalar_bounds_sync(struct vscalar *s)
{
    bpfrt_scalar_update_bounds(s);
    for (int i = 0; i < 2; i++) {
        reg32_deduce_bounds(s);
        reg64_deduce_bounds(s);
        reg_deduce_mixed_bounds(s);
    }
    reg_bound_offset(s);
    bpfrt_scalar_update_bounds(s);
}

bool bpfrt_scalar_bounds_invalid(const struct vscalar *s)
{
    return s->umin_value > s->umax_value || s->smin_value > s->smax_value ||
           s->u32_min_value > s->u32_max_value || s->s32_min_value > s->s32_max_value;
}

void bpfrt_scalar_assign_32_into_64(struct vscalar *s)
{
    s->umin_value = s->u32_min_value;
    s->umax_value = s->u32_max_value;
    if (s->s32_min_value >= 0 && s->s32_max_value >= 0) {
        s->smin_value = s->s32_min_value;
        s->smax_value = s->s32_max_value;
    } else {
        s->smin_value = 0;
        s->smax_value = U32_MAX;
    }
}

void bpfrt_scalar_zext_32_to_64(struct vscalar *s)
{
    s->var_off = tnum_subreg(s->var_off);
    bpfrt_scalar_assign_32_into_64(s);
}

static void set_sext64_default_val(struct vscalar *s, int size)
{
    if (size == 1) {
        s->smin_value = s->s32_min_value = INT8_MIN;
        s->smax_value = s->s32_max_value = INT8_MAX;
    } else if (size == 2) {
        s->smin_value = s->s32_min_value = INT16_MIN;
        s->smax_value = s->s32_max_value = INT16_MAX;
    } else {
        s->smin_value = s->s32_min_value = S32_MIN;
        s->smax_value = s->s32_max_value = S32_MAX;
    }
    s->umin_value = s->u32_min_value = 0;
    s->umax_value = U64_MAX;
    s->u32_max_value = U32_MAX;
    s->var_off = tnum_unknown;
}

void bpfrt_scalar_coerce_to_size(struct vscalar *s, int size)
{
    uint64_t mask = (1ull << (size * 8)) - 1;
    s->var_off = tnum_cast(s->var_off, (uint8_t)size);
    if ((s->umin_value & ~mask) == (s->umax_value & ~mask)) {
        s->umin_value &= mask;
        s->umax_value &= mask;
    } else {
        s->umin_value = 0;
        s->umax_value = mask;
    }
    s->smin_value = (int64_t)s->umin_value;
    s->smax_value = (int64_t)s->umax_value;
    if (size < 4)
        bpfrt_scalar_mark32_unbounded(s);
    bpfrt_scalar_bounds_sync(s);
}

static int64_t sext(uint64_t v, int size)
{
    switch (size) {
    case 1: return (int8_t)v;
    case 2: return (int16_t)v;
    default: return (int32_t)v;
    }
}

void bpfrt_scalar_coerce_to_size_sx(struct vscalar *s, int size)
{
    int64_t init_s64_max, init_s64_min, s64_max, s64_min, u64_cval;
    uint64_t top_smax_value, top_smin_value;
    uint64_t num_bits = (uint64_t)size * 8;

    if (tnum_is_const(s->var_off)) {
        u64_cval = sext(s->var_off.value, size);
        bpfrt_scalar_mark_known(s, (uint64_t)u64_cval);
        return;
    }
    top_smax_value = ((uint64_t)s->smax_value >> num_bits) << num_bits;
    top_smin_value = ((uint64_t)s->smin_value >> num_bits) << num_bits;
    if (top_smax_value != top_smin_value)
        goto out;
    init_s64_max = sext((uint64_t)s->smax_value, size);
    init_s64_min = sext((uint64_t)s->smin_value, size);
    s64_max = init_s64_max > init_s64_min ? init_s64_max : init_s64_min;
    s64_min = init_s64_max < init_s64_min ? init_s64_max : init_s64_min;
    if ((s64_max >= 0) != (s64_min >= 0))
        goto out;
    s->smin_value = s64_min;
    s->smax_value = s64_max;
    s->s32_min_value = (int32_t)s64_min;
    s->s32_max_value = (int32_t)s64_max;
    s->umin_value = (uint64_t)s64_min;
    s->umax_value = (uint64_t)s64_max;
    s->u32_min_value = (uint32_t)s64_min;
    s->u32_max_value = (uint32_t)s64_max;
    s->var_off = tnum_range((uint64_t)s64_min, (uint64_t)s64_max);
    return;
out:
    set_sext64_default_val(s, size);
}

static void set_sext32_default_val(struct vscalar *s, int size)
{
    if (size == 1) {
        s->s32_min_value = INT8_MIN;
        s->s32_max_value = INT8_MAX;
    } else {
        s->s32_min_value = INT16_MIN;
        s->s32_max_value = INT16_MAX;
    }
    s->u32_min_value = 0;
    s->u32_max_value = U32_MAX;
    s->var_off = tnum_subreg(tnum_unknown);
}

void bpfrt_scalar_coerce_subreg_to_size_sx(struct vscalar *s, int size)
{
    int32_t init_s32_max, init_s32_min, s32_max, s32_min, u32_val;
    uint32_t top_smax_value, top_smin_value;
    uint32_t num_bits = (uint32_t)size * 8;

    if (tnum_is_const(s->var_off)) {
        u32_val = (int32_t)sext(s->var_off.value, size);
        s->var_off = tnum_const((uint32_t)u32_val);
        s->s32_min_value = s->s32_max_value = u32_val;
        s->u32_min_value = s->u32_max_value = (uint32_t)u32_val;
        return;
    }
    top_smax_value = ((uint32_t)s->s32_max_value >> num_bits) << num_bits;
    top_smin_value = ((uint32_t)s->s32_min_value >> num_bits) << num_bits;
    if (top_smax_value != top_smin_value)
        goto out;
    init_s32_max = (int32_t)sext((uint32_t)s->s32_max_value, size);
    init_s32_min = (int32_t)sext((uint32_t)s->s32_min_value, size);
    s32_max = init_s32_max > init_s32_min ? init_s32_max : init_s32_min;
    s32_min = init_s32_max < init_s32_min ? init_s32_max : init_s32_min;
    if ((s32_min >= 0) == (s32_max >= 0)) {
        s->s32_min_value = s32_min;
        s->s32_max_value = s32_max;
        s->u32_min_value = (uint32_t)s32_min;
        s->u32_max_value = (uint32_t)s32_max;
        s->var_off = tnum_subreg(tnum_range((uint32_t)s32_min, (uint32_t)s32_max));
        return;
    }
out:
    set_sext32_default_val(s, size);
}

/* ---- branches ---- */

int bpfrt_vcond_flip(int c)
{
    switch (c) {
    case VCOND_JGE: return VCOND_JLE;
    case VCOND_JGT: return VCOND_JLT;
    case VCOND_JLE: return VCOND_JGE;
    case VCOND_JLT: return VCOND_JGT;
    case VCOND_JSGE: return VCOND_JSLE;
    case VCOND_JSGT: return VCOND_JSLT;
    case VCOND_JSLE: return VCOND_JSGE;
    case VCOND_JSLT: return VCOND_JSGT;
    default: return c; /* JEQ, JNE, JSET */
    }
}

int bpfrt_vcond_rev(int c)
{
    switch (c) {
    case VCOND_JEQ: return VCOND_JNE;
    case VCOND_JNE: return VCOND_JEQ;
    case VCOND_JSET: return VCOND_JSET_NOT;
    case VCOND_JSET_NOT: return VCOND_JSET;
    case VCOND_JGE: return VCOND_JLT;
    case VCOND_JGT: return VCOND_JLE;
    case VCOND_JLE: return VCOND_JGT;
    case VCOND_JLT: return VCOND_JGE;
    case VCOND_JSGE: return VCOND_JSLT;
    case VCOND_JSGT: return VCOND_JSLE;
    case VCOND_JSLE: return VCOND_JSGT;
    case VCOND_JSLT: return VCOND_JSGE;
    default: return 0;
    }
}

int bpfrt_scalar_branch_taken(const struct vscalar *r1, const struct vscalar *r2, int cond, bool is32)
{
    struct tnum t1 = is32 ? tnum_subreg(r1->var_off) : r1->var_off;
    struct tnum t2 = is32 ? tnum_subreg(r2->var_off) : r2->var_off;
    uint64_t umin1 = is32 ? r1->u32_min_value : r1->umin_value;
    uint64_t umax1 = is32 ? r1->u32_max_value : r1->umax_value;
    int64_t smin1 = is32 ? r1->s32_min_value : r1->smin_value;
    int64_t smax1 = is32 ? r1->s32_max_value : r1->smax_value;
    uint64_t umin2 = is32 ? r2->u32_min_value : r2->umin_value;
    uint64_t umax2 = is32 ? r2->u32_max_value : r2->umax_value;
    int64_t smin2 = is32 ? r2->s32_min_value : r2->smin_value;
    int64_t smax2 = is32 ? r2->s32_max_value : r2->smax_value;

    switch (cond) {
    case VCOND_JEQ:
    case VCOND_JNE: {
        int eq = cond == VCOND_JEQ;
        if (tnum_is_const(t1) && tnum_is_const(t2))
            return (t1.value == t2.value) == eq;
        if (umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2)
            return !eq;
        if (!is32 && (r1->u32_min_value > r2->u32_max_value || r1->u32_max_value < r2->u32_min_value ||
                      r1->s32_min_value > r2->s32_max_value || r1->s32_max_value < r2->s32_min_value))
            return !eq;
        break;
    }
    case VCOND_JSET:
        if (!bpfrt_scalar_is_const(r2, is32)) {
            const struct vscalar *tr = r1;
            r1 = r2;
            r2 = tr;
            struct tnum tt = t1;
            t1 = t2;
            t2 = tt;
        }
        if (!bpfrt_scalar_is_const(r2, is32))
            return -1;
        if ((~t1.mask & t1.value) & t2.value)
            return 1;
        if (!((t1.mask | t1.value) & t2.value))
            return 0;
        break;
    case VCOND_JGT:
        if (umin1 > umax2) return 1;
        if (umax1 <= umin2) return 0;
        break;
    case VCOND_JSGT:
        if (smin1 > smax2) return 1;
        if (smax1 <= smin2) return 0;
        break;
    case VCOND_JLT:
        if (umax1 < umin2) return 1;
        if (umin1 >= umax2) return 0;
        break;
    case VCOND_JSLT:
        if (smax1 < smin2) return 1;
        if (smin1 >= smax2) return 0;
        break;
    case VCOND_JGE:
        if (umin1 >= umax2) return 1;
        if (umax1 < umin2) return 0;
        break;
    case VCOND_JSGE:
        if (smin1 >= smax2) return 1;
        if (smax1 < smin2) return 0;
        break;
    case VCOND_JLE:
        if (umax1 <= umin2) return 1;
        if (umin1 > umax2) return 0;
        break;
    case VCOND_JSLE:
        if (smax1 <= smin2) return 1;
        if (smin1 > smax2) return 0;
        break;
    }
    return -1;
}

#define SWAP(a, b) do { struct vscalar *t_ = (a); (a) = (b); (b) = t_; } while (0)

void bpfrt_scalar_refine_cond(struct vscalar *r1, struct vscalar *r2, int cond, bool is32)
{
    struct tnum t;
    uint64_t val;

    if (cond == VCOND_JGE || cond == VCOND_JGT || cond == VCOND_JSGE || cond == VCOND_JSGT) {
        cond = bpfrt_vcond_flip(cond);
        SWAP(r1, r2);
    }
    switch (cond) {
    case VCOND_JEQ:
        if (is32) {
            r1->u32_min_value = MAX_T(uint32_t, r1->u32_min_value, r2->u32_min_value);
            r1->u32_max_value = MIN_T(uint32_t, r1->u32_max_value, r2->u32_max_value);
            r1->s32_min_value = MAX_T(int32_t, r1->s32_min_value, r2->s32_min_value);
            r1->s32_max_value = MIN_T(int32_t, r1->s32_max_value, r2->s32_max_value);
            r2->u32_min_value = r1->u32_min_value;
            r2->u32_max_value = r1->u32_max_value;
            r2->s32_min_value = r1->s32_min_value;
            r2->s32_max_value = r1->s32_max_value;
            t = tnum_intersect(tnum_subreg(r1->var_off), tnum_subreg(r2->var_off));
            r1->var_off = tnum_with_subreg(r1->var_off, t);
            r2->var_off = tnum_with_subreg(r2->var_off, t);
        } else {
            r1->umin_value = MAX_T(uint64_t, r1->umin_value, r2->umin_value);
            r1->umax_value = MIN_T(uint64_t, r1->umax_value, r2->umax_value);
            r1->smin_value = MAX_T(int64_t, r1->smin_value, r2->smin_value);
            r1->smax_value = MIN_T(int64_t, r1->smax_value, r2->smax_value);
            r2->umin_value = r1->umin_value;
            r2->umax_value = r1->umax_value;
            r2->smin_value = r1->smin_value;
            r2->smax_value = r1->smax_value;
            r1->var_off = tnum_intersect(r1->var_off, r2->var_off);
            r2->var_off = r1->var_off;
        }
        break;
    case VCOND_JNE:
        if (!bpfrt_scalar_is_const(r2, is32))
            SWAP(r1, r2);
        if (!bpfrt_scalar_is_const(r2, is32))
            break;
        val = bpfrt_scalar_const(r2, is32);
        if (is32) {
            if (r1->u32_min_value == (uint32_t)val) r1->u32_min_value++;
            if (r1->u32_max_value == (uint32_t)val) r1->u32_max_value--;
            if (r1->s32_min_value == (int32_t)val) r1->s32_min_value++;
            if (r1->s32_max_value == (int32_t)val) r1->s32_max_value--;
        } else {
            if (r1->umin_value == val) r1->umin_value++;
            if (r1->umax_value == val) r1->umax_value--;
            if (r1->smin_value == (int64_t)val) r1->smin_value++;
            if (r1->smax_value == (int64_t)val) r1->smax_value--;
        }
        break;
    case VCOND_JSET:
        if (!bpfrt_scalar_is_const(r2, is32))
            SWAP(r1, r2);
        if (!bpfrt_scalar_is_const(r2, is32))
            break;
        val = bpfrt_scalar_const(r2, is32);
        if (!val || (val & (val - 1)))
            break; /* only a single bit tells which bit is set */
        if (is32) {
            t = tnum_or(tnum_subreg(r1->var_off), tnum_const(val));
            r1->var_off = tnum_with_subreg(r1->var_off, t);
        } else {
            r1->var_off = tnum_or(r1->var_off, tnum_const(val));
        }
        break;
    case VCOND_JSET_NOT:
        if (!bpfrt_scalar_is_const(r2, is32))
            SWAP(r1, r2);
        if (!bpfrt_scalar_is_const(r2, is32))
            break;
        val = bpfrt_scalar_const(r2, is32);
        if (is32) {
            t = tnum_and(tnum_subreg(r1->var_off), tnum_const(~val));
            r1->var_off = tnum_with_subreg(r1->var_off, t);
        } else {
            r1->var_off = tnum_and(r1->var_off, tnum_const(~val));
        }
        break;
    case VCOND_JLE:
        if (is32) {
            r1->u32_max_value = MIN_T(uint32_t, r1->u32_max_value, r2->u32_max_value);
            r2->u32_min_value = MAX_T(uint32_t, r1->u32_min_value, r2->u32_min_value);
        } else {
            r1->umax_value = MIN_T(uint64_t, r1->umax_value, r2->umax_value);
            r2->umin_value = MAX_T(uint64_t, r1->umin_value, r2->umin_value);
        }
        break;
    case VCOND_JLT:
        if (is32) {
            r1->u32_max_value = MIN_T(uint32_t, r1->u32_max_value, r2->u32_max_value - 1);
            r2->u32_min_value = MAX_T(uint32_t, r1->u32_min_value + 1, r2->u32_min_value);
        } else {
            r1->umax_value = MIN_T(uint64_t, r1->umax_value, r2->umax_value - 1);
            r2->umin_value = MAX_T(uint64_t, r1->umin_value + 1, r2->umin_value);
        }
        break;
    case VCOND_JSLE:
        if (is32) {
            r1->s32_max_value = MIN_T(int32_t, r1->s32_max_value, r2->s32_max_value);
            r2->s32_min_value = MAX_T(int32_t, r1->s32_min_value, r2->s32_min_value);
        } else {
            r1->smax_value = MIN_T(int64_t, r1->smax_value, r2->smax_value);
            r2->smin_value = MAX_T(int64_t, r1->smin_value, r2->smin_value);
        }
        break;
    case VCOND_JSLT:
        if (is32) {
            r1->s32_max_value = MIN_T(int32_t, r1->s32_max_value, r2->s32_max_value - 1);
            r2->s32_min_value = MAX_T(int32_t, r1->s32_min_value + 1, r2->s32_min_value);
        } else {
            r1->smax_value = MIN_T(int64_t, r1->smax_value, r2->smax_value - 1);
            r2->smin_value = MAX_T(int64_t, r1->smin_value + 1, r2->smin_value);
        }
        break;
    default:
        break;
    }
}

/* ---- addition (also used to re-derive linked registers) ---- */

void bpfrt_scalar32_add(struct vscalar *d, const struct vscalar *s)
{
    int32_t smin, smax;
    uint32_t umin, umax;
    if (__builtin_add_overflow(d->s32_min_value, s->s32_min_value, &smin) ||
        __builtin_add_overflow(d->s32_max_value, s->s32_max_value, &smax)) {
        d->s32_min_value = S32_MIN;
        d->s32_max_value = S32_MAX;
    } else {
        d->s32_min_value = smin;
        d->s32_max_value = smax;
    }
    bool min_ovf = __builtin_add_overflow(d->u32_min_value, s->u32_min_value, &umin);
    bool max_ovf = __builtin_add_overflow(d->u32_max_value, s->u32_max_value, &umax);
    d->u32_min_value = umin;
    d->u32_max_value = umax;
    if (!min_ovf && max_ovf) {
        d->u32_min_value = 0;
        d->u32_max_value = U32_MAX;
    }
}

void bpfrt_scalar_add(struct vscalar *d, const struct vscalar *s)
{
    int64_t smin, smax;
    uint64_t umin, umax;
    if (__builtin_add_overflow(d->smin_value, s->smin_value, &smin) ||
        __builtin_add_overflow(d->smax_value, s->smax_value, &smax)) {
        d->smin_value = S64_MIN;
        d->smax_value = S64_MAX;
    } else {
        d->smin_value = smin;
        d->smax_value = smax;
    }
    bool min_ovf = __builtin_add_overflow(d->umin_value, s->umin_value, &umin);
    bool max_ovf = __builtin_add_overflow(d->umax_value, s->umax_value, &umax);
    d->umin_value = umin;
    d->umax_value = umax;
    if (!min_ovf && max_ovf) {
        d->umin_value = 0;
        d->umax_value = U64_MAX;
    }
}
