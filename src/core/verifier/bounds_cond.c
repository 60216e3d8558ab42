/* Conditional jumps on scalars: Linux 6.18's is_scalar_branch_taken,
 * flip_opcode, rev_opcode and regs_refine_cond_op (kernel/bpf/verifier.c),
 * written from their semantics. Prediction decides whether a side of a
 * branch is explored at all; refinement narrows both operands on each side
 * that is. The two operands may be the same register (one pointer): the
 * refinement then reads what it just wrote, exactly as Linux's does. */
#include "core/verifier/bounds.h"

#include "core/core.h"

uint8_t bpfrt_cond_reverse(uint8_t cond)
{
    static const uint8_t rev[] = {
        [BPFRT_JEQ] = BPFRT_JNE, [BPFRT_JNE] = BPFRT_JEQ,
        [BPFRT_JSET] = BPFRT_JSET_FALSE, [BPFRT_JSET_FALSE] = BPFRT_JSET,
        [BPFRT_JGE] = BPFRT_JLT, [BPFRT_JGT] = BPFRT_JLE, [BPFRT_JLE] = BPFRT_JGT, [BPFRT_JLT] = BPFRT_JGE,
        [BPFRT_JSGE] = BPFRT_JSLT, [BPFRT_JSGT] = BPFRT_JSLE, [BPFRT_JSLE] = BPFRT_JSGT, [BPFRT_JSLT] = BPFRT_JSGE,
    };
    return cond < sizeof(rev) ? rev[cond] : BPFRT_COND_NONE;
}

uint8_t bpfrt_cond_flip(uint8_t cond)
{
    static const uint8_t flip[] = {
        [BPFRT_JEQ] = BPFRT_JEQ, [BPFRT_JNE] = BPFRT_JNE, [BPFRT_JSET] = BPFRT_JSET,
        [BPFRT_JSET_FALSE] = BPFRT_JSET_FALSE,
        [BPFRT_JGE] = BPFRT_JLE, [BPFRT_JGT] = BPFRT_JLT, [BPFRT_JLE] = BPFRT_JGE, [BPFRT_JLT] = BPFRT_JGT,
        [BPFRT_JSGE] = BPFRT_JSLE, [BPFRT_JSGT] = BPFRT_JSLT, [BPFRT_JSLE] = BPFRT_JSGE, [BPFRT_JSLT] = BPFRT_JSGT,
    };
    return cond < sizeof(flip) ? flip[cond] : BPFRT_COND_NONE;
}

/* One operand in the width being compared. */
struct view {
    struct bpfrt_tnum t;
    uint64_t umin, umax;
    int64_t smin, smax;
};

static struct view view_of(const struct bpfrt_bounds *b, bool jmp32)
{
    if (jmp32)
        return (struct view){ bpfrt_tnum_subreg(b->var_off), b->u32_min_value, b->u32_max_value,
                              b->s32_min_value, b->s32_max_value };
    return (struct view){ b->var_off, b->umin_value, b->umax_value, b->smin_value, b->smax_value };
}

/* Whether a and b can be equal at all: 0 when they cannot, -1 when they may. */
static int may_be_equal(const struct bpfrt_bounds *a, const struct bpfrt_bounds *b, const struct view *x,
                        const struct view *y, bool jmp32)
{
    if (!bpfrt_tnum_overlap(x->t, y->t))
        return 0;
    if (x->umin > y->umax || x->umax < y->umin || x->smin > y->smax || x->smax < y->smin)
        return 0;
    /* 64-bit ranges that overlap may still have disjoint low halves. */
    if (!jmp32 && (a->u32_min_value > b->u32_max_value || a->u32_max_value < b->u32_min_value ||
                   a->s32_min_value > b->s32_max_value || a->s32_max_value < b->s32_min_value))
        return 0;
    return -1;
}

int bpfrt_bounds_branch_taken(const struct bpfrt_bounds *a, const struct bpfrt_bounds *b, uint8_t cond,
                              bool jmp32)
{
    struct view x = view_of(a, jmp32), y = view_of(b, jmp32);
    switch (cond) {
    case BPFRT_JEQ:
    case BPFRT_JNE: {
        int eq;
        if (bpfrt_tnum_is_const(x.t) && bpfrt_tnum_is_const(y.t))
            eq = x.t.value == y.t.value;
        else
            eq = may_be_equal(a, b, &x, &y, jmp32);
        return eq < 0 ? -1 : cond == BPFRT_JEQ ? eq : !eq;
    }
    case BPFRT_JSET:
        /* Needs a constant mask on one side. */
        if (!bpfrt_tnum_is_const(y.t)) {
            struct view t = x;
            x = y;
            y = t;
        }
        if (!bpfrt_tnum_is_const(y.t))
            return -1;
        if (x.t.value & y.t.value)
            return 1;   /* a bit known set in x is in the mask */
        if (!((x.t.value | x.t.mask) & y.t.value))
            return 0;   /* no bit that may be set in x is */
        return -1;
    case BPFRT_JGT:
        return x.umin > y.umax ? 1 : x.umax <= y.umin ? 0 : -1;
    case BPFRT_JGE:
        return x.umin >= y.umax ? 1 : x.umax < y.umin ? 0 : -1;
    case BPFRT_JLT:
        return x.umax < y.umin ? 1 : x.umin >= y.umax ? 0 : -1;
    case BPFRT_JLE:
        return x.umax <= y.umin ? 1 : x.umin > y.umax ? 0 : -1;
    case BPFRT_JSGT:
        return x.smin > y.smax ? 1 : x.smax <= y.smin ? 0 : -1;
    case BPFRT_JSGE:
        return x.smin >= y.smax ? 1 : x.smax < y.smin ? 0 : -1;
    case BPFRT_JSLT:
        return x.smax < y.smin ? 1 : x.smin >= y.smax ? 0 : -1;
    case BPFRT_JSLE:
        return x.smax <= y.smin ? 1 : x.smin > y.smax ? 0 : -1;
    default:
        return -1;
    }
}

static void swap_ptrs(struct bpfrt_bounds **a, struct bpfrt_bounds **b)
{
    struct bpfrt_bounds *t = *a;
    *a = *b;
    *b = t;
}

static inline uint64_t umax_of(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint64_t umin_of(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline int64_t smax_of(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t smin_of(int64_t a, int64_t b) { return a < b ? a : b; }

/* a == b: both get the intersection. */
static void refine_eq(struct bpfrt_bounds *a, struct bpfrt_bounds *b, bool jmp32)
{
    if (jmp32) {
        a->u32_min_value = (uint32_t)umax_of(a->u32_min_value, b->u32_min_value);
        a->u32_max_value = (uint32_t)umin_of(a->u32_max_value, b->u32_max_value);
        a->s32_min_value = (int32_t)smax_of(a->s32_min_value, b->s32_min_value);
        a->s32_max_value = (int32_t)smin_of(a->s32_max_value, b->s32_max_value);
        b->u32_min_value = a->u32_min_value;
        b->u32_max_value = a->u32_max_value;
        b->s32_min_value = a->s32_min_value;
        b->s32_max_value = a->s32_max_value;
        struct bpfrt_tnum t = bpfrt_tnum_intersect(bpfrt_tnum_subreg(a->var_off), bpfrt_tnum_subreg(b->var_off));
        a->var_off = bpfrt_tnum_with_subreg(a->var_off, t);
        b->var_off = bpfrt_tnum_with_subreg(b->var_off, t);
    } else {
        a->umin_value = umax_of(a->umin_value, b->umin_value);
        a->umax_value = umin_of(a->umax_value, b->umax_value);
        a->smin_value = smax_of(a->smin_value, b->smin_value);
        a->smax_value = smin_of(a->smax_value, b->smax_value);
        b->umin_value = a->umin_value;
        b->umax_value = a->umax_value;
        b->smin_value = a->smin_value;
        b->smax_value = a->smax_value;
        a->var_off = bpfrt_tnum_intersect(a->var_off, b->var_off);
        b->var_off = a->var_off;
    }
}

/* a != constant b: only an end of a's ranges equal to b can move. On a
 * branch prediction would have removed an end can wrap (Linux's does, in
 * the kernel's wrapping arithmetic), so the signed steps wrap here too. */
static void refine_ne(struct bpfrt_bounds *a, uint64_t v, bool jmp32)
{
    if (jmp32) {
        if (a->u32_min_value == (uint32_t)v)
            a->u32_min_value++;
        if (a->u32_max_value == (uint32_t)v)
            a->u32_max_value--;
        if (a->s32_min_value == (int32_t)v)
            a->s32_min_value = (int32_t)((uint32_t)a->s32_min_value + 1);
        if (a->s32_max_value == (int32_t)v)
            a->s32_max_value = (int32_t)((uint32_t)a->s32_max_value - 1);
    } else {
        if (a->umin_value == v)
            a->umin_value++;
        if (a->umax_value == v)
            a->umax_value--;
        if (a->smin_value == (int64_t)v)
            a->smin_value = (int64_t)((uint64_t)a->smin_value + 1);
        if (a->smax_value == (int64_t)v)
            a->smax_value = (int64_t)((uint64_t)a->smax_value - 1);
    }
}

/* Narrows var_off's compared bits by f(var_off bits, v). */
static void refine_bits(struct bpfrt_bounds *a, struct bpfrt_tnum (*f)(struct bpfrt_tnum, struct bpfrt_tnum),
                        uint64_t v, bool jmp32)
{
    if (jmp32)
        a->var_off = bpfrt_tnum_with_subreg(a->var_off, f(bpfrt_tnum_subreg(a->var_off), bpfrt_tnum_const(v)));
    else
        a->var_off = f(a->var_off, bpfrt_tnum_const(v));
}

/* a <= b (or a < b when strict), unsigned or signed, in the compared width. */
static void refine_le(struct bpfrt_bounds *a, struct bpfrt_bounds *b, bool strict, bool is_signed, bool jmp32)
{
    uint64_t d = strict;
    if (jmp32 && !is_signed) {
        a->u32_max_value = (uint32_t)umin_of(a->u32_max_value, (uint32_t)(b->u32_max_value - d));
        b->u32_min_value = (uint32_t)umax_of((uint32_t)(a->u32_min_value + d), b->u32_min_value);
    } else if (jmp32) {
        a->s32_max_value = (int32_t)smin_of(a->s32_max_value, (int32_t)((uint32_t)b->s32_max_value - d));
        b->s32_min_value = (int32_t)smax_of((int32_t)((uint32_t)a->s32_min_value + d), b->s32_min_value);
    } else if (!is_signed) {
        a->umax_value = umin_of(a->umax_value, b->umax_value - d);
        b->umin_value = umax_of(a->umin_value + d, b->umin_value);
    } else {
        a->smax_value = smin_of(a->smax_value, (int64_t)((uint64_t)b->smax_value - d));
        b->smin_value = smax_of((int64_t)((uint64_t)a->smin_value + d), b->smin_value);
    }
}

/* regs_refine_cond_op */
static void refine(struct bpfrt_bounds *a, struct bpfrt_bounds *b, uint8_t cond, bool jmp32)
{
    /* "a > b" is "b < a": the greater-than forms reuse the less-than ones. */
    if (cond == BPFRT_JGE || cond == BPFRT_JGT || cond == BPFRT_JSGE || cond == BPFRT_JSGT) {
        cond = bpfrt_cond_flip(cond);
        swap_ptrs(&a, &b);
    }
    switch (cond) {
    case BPFRT_JEQ:
        refine_eq(a, b, jmp32);
        return;
    case BPFRT_JNE:
    case BPFRT_JSET:
    case BPFRT_JSET_FALSE: {
        /* These learn only against a constant, which goes to b. */
        if (!bpfrt_bounds_is_const(b, jmp32))
            swap_ptrs(&a, &b);
        if (!bpfrt_bounds_is_const(b, jmp32))
            return;
        uint64_t v = bpfrt_bounds_const_value(b, jmp32);
        if (cond == BPFRT_JNE) {
            refine_ne(a, v, jmp32);
        } else if (cond == BPFRT_JSET) {
            /* "a & v" is true: only a single-bit mask says which bit is set. */
            if (v && !(v & (v - 1)))
                refine_bits(a, bpfrt_tnum_or, v, jmp32);
        } else {
            /* "a & v" is false: every bit of v is clear. The ranges are
             * forgotten first so a dead path cannot leave them inconsistent
             * with the narrowed bits; the sync recomputes them. */
            bpfrt_bounds_mark_unbounded(a);
            refine_bits(a, bpfrt_tnum_and, ~v, jmp32);
        }
        return;
    }
    case BPFRT_JLE:
        refine_le(a, b, false, false, jmp32);
        return;
    case BPFRT_JLT:
        refine_le(a, b, true, false, jmp32);
        return;
    case BPFRT_JSLE:
        refine_le(a, b, false, true, jmp32);
        return;
    case BPFRT_JSLT:
        refine_le(a, b, true, true, jmp32);
        return;
    default:
        return;
    }
}

void bpfrt_bounds_refine_cond(struct bpfrt_bounds *a, struct bpfrt_bounds *b, uint8_t cond, bool jmp32)
{
    refine(a, b, cond, jmp32);
    bpfrt_bounds_sync(a);
    bpfrt_bounds_sync(b);
}
