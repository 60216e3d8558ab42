/* Scalar bounds: marking, consistency, width changes and printing. Mirrors
 * the bounds-keeping functions of Linux 6.18's kernel/bpf/verifier.c
 * (___mark_reg_known, __update_reg_bounds, __reg_deduce_bounds,
 * __reg_bound_offset, reg_bounds_sync, zext_32_to_64, coerce_reg_to_size,
 * coerce_reg_to_size_sx, coerce_subreg_to_size_sx) and the range printing
 * of kernel/bpf/log.c (print_scalar_ranges), written from their semantics.
 *
 * The invariant every function keeps: for any concrete value v the scalar
 * may hold, v is in var_off and in [smin_value, smax_value] (as s64),
 * [umin_value, umax_value] (as u64), and its low 32 bits in the two 32-bit
 * ranges. Deduction only ever intersects facts implied by that. */
#include "core/verifier/bounds.h"

#include "core/core.h"

#define S32_MIN_ INT32_MIN
#define S32_MAX_ INT32_MAX

static inline int64_t max_s64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t min_s64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline int32_t max_s32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t min_s32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* ---- marking ---- */

void bpfrt_bounds_mark_known(struct bpfrt_bounds *b, uint64_t imm)
{
    b->var_off = bpfrt_tnum_const(imm);
    b->smin_value = b->smax_value = (int64_t)imm;
    b->umin_value = b->umax_value = imm;
    b->s32_min_value = b->s32_max_value = (int32_t)imm;
    b->u32_min_value = b->u32_max_value = (uint32_t)imm;
}

void bpfrt_bounds_mark_known32(struct bpfrt_bounds *b, uint64_t imm)
{
    b->var_off = bpfrt_tnum_const_subreg(b->var_off, (uint32_t)imm);
    b->s32_min_value = b->s32_max_value = (int32_t)imm;
    b->u32_min_value = b->u32_max_value = (uint32_t)imm;
}

void bpfrt_bounds_mark_unbounded64(struct bpfrt_bounds *b)
{
    b->smin_value = INT64_MIN;
    b->smax_value = INT64_MAX;
    b->umin_value = 0;
    b->umax_value = UINT64_MAX;
}

void bpfrt_bounds_mark_unbounded32(struct bpfrt_bounds *b)
{
    b->s32_min_value = S32_MIN_;
    b->s32_max_value = S32_MAX_;
    b->u32_min_value = 0;
    b->u32_max_value = UINT32_MAX;
}

void bpfrt_bounds_mark_unbounded(struct bpfrt_bounds *b)
{
    bpfrt_bounds_mark_unbounded64(b);
    bpfrt_bounds_mark_unbounded32(b);
}

void bpfrt_bounds_mark_unknown(struct bpfrt_bounds *b)
{
    b->var_off = BPFRT_TNUM_UNKNOWN;
    bpfrt_bounds_mark_unbounded(b);
}

struct bpfrt_bounds bpfrt_bounds_known(uint64_t imm)
{
    struct bpfrt_bounds b;
    bpfrt_bounds_mark_known(&b, imm);
    return b;
}

struct bpfrt_bounds bpfrt_bounds_unknown(void)
{
    struct bpfrt_bounds b;
    bpfrt_bounds_mark_unknown(&b);
    return b;
}

/* ---- consistency ---- */

/* The smallest and largest signed values of a tnum: the sign bit set if it
 * may be (resp. clear if it may be), every other unknown bit clear (set). */
static void update32(struct bpfrt_bounds *b)
{
    struct bpfrt_tnum t = bpfrt_tnum_subreg(b->var_off);
    b->s32_min_value = max_s32(b->s32_min_value, (int32_t)(uint32_t)(t.value | (t.mask & 0x80000000u)));
    b->s32_max_value = min_s32(b->s32_max_value, (int32_t)(uint32_t)(t.value | (t.mask & 0x7fffffffu)));
    b->u32_min_value = max_u32(b->u32_min_value, (uint32_t)t.value);
    b->u32_max_value = min_u32(b->u32_max_value, (uint32_t)(t.value | t.mask));
}

static void update64(struct bpfrt_bounds *b)
{
    struct bpfrt_tnum t = b->var_off;
    const uint64_t sign = (uint64_t)1 << 63;
    b->smin_value = max_s64(b->smin_value, (int64_t)(t.value | (t.mask & sign)));
    b->smax_value = min_s64(b->smax_value, (int64_t)(t.value | (t.mask & ~sign)));
    b->umin_value = max_u64(b->umin_value, t.value);
    b->umax_value = min_u64(b->umax_value, t.value | t.mask);
    /* When the u64 range holds a single member of var_off, the value is
     * known: umin itself, var_off's largest member, or the one member
     * between them. */
    uint64_t top = t.value | t.mask, next = bpfrt_tnum_step(t, b->umin_value);
    bool umin_in = bpfrt_tnum_contains(t, b->umin_value);
    if (umin_in && next > b->umax_value)
        bpfrt_bounds_mark_known(b, b->umin_value);
    else if (!umin_in && next == top)
        bpfrt_bounds_mark_known(b, top);
    else if (!umin_in && next <= b->umax_value && bpfrt_tnum_step(t, next) > b->umax_value)
        bpfrt_bounds_mark_known(b, next);
}

void bpfrt_bounds_update(struct bpfrt_bounds *b)
{
    update32(b);
    update64(b);
}

/* Intersects the s32 range with [lo, hi]. */
static void narrow_s32(struct bpfrt_bounds *b, int32_t lo, int32_t hi)
{
    b->s32_min_value = max_s32(b->s32_min_value, lo);
    b->s32_max_value = min_s32(b->s32_max_value, hi);
}

static void narrow_u32(struct bpfrt_bounds *b, uint32_t lo, uint32_t hi)
{
    b->u32_min_value = max_u32(b->u32_min_value, lo);
    b->u32_max_value = min_u32(b->u32_max_value, hi);
}

/* __reg32_deduce_bounds: 32-bit ranges from 64-bit ones, and u32 <-> s32. */
static void deduce32(struct bpfrt_bounds *b)
{
    /* A 64-bit range whose upper halves agree is, in its low halves, an
     * ordinary 32-bit range (unsigned always; signed when it does not wrap). */
    if ((b->umin_value >> 32) == (b->umax_value >> 32)) {
        narrow_u32(b, (uint32_t)b->umin_value, (uint32_t)b->umax_value);
        if ((int32_t)b->umin_value <= (int32_t)b->umax_value)
            narrow_s32(b, (int32_t)b->umin_value, (int32_t)b->umax_value);
    }
    if ((b->smin_value >> 32) == (b->smax_value >> 32)) {
        if ((uint32_t)b->smin_value <= (uint32_t)b->smax_value)
            narrow_u32(b, (uint32_t)b->smin_value, (uint32_t)b->smax_value);
        if ((int32_t)b->smin_value <= (int32_t)b->smax_value)
            narrow_s32(b, (int32_t)b->smin_value, (int32_t)b->smax_value);
    }
    /* Upper halves that are consecutive (mod 2^32) while the low halves go
     * from negative to non-negative: the values run through the s32 wrap
     * point exactly once, so the low halves still form an s32 range. */
    if ((uint32_t)(b->umin_value >> 32) + 1 == (uint32_t)(b->umax_value >> 32) &&
        (int32_t)b->umin_value < 0 && (int32_t)b->umax_value >= 0)
        narrow_s32(b, (int32_t)b->umin_value, (int32_t)b->umax_value);
    if ((uint32_t)((uint64_t)b->smin_value >> 32) + 1 == (uint32_t)((uint64_t)b->smax_value >> 32) &&
        (int32_t)b->smin_value < 0 && (int32_t)b->smax_value >= 0)
        narrow_s32(b, (int32_t)b->smin_value, (int32_t)b->smax_value);
    /* u32 and s32 views agree when the range stays on one side of the sign. */
    if ((int32_t)b->u32_min_value <= (int32_t)b->u32_max_value)
        narrow_s32(b, (int32_t)b->u32_min_value, (int32_t)b->u32_max_value);
    if ((uint32_t)b->s32_min_value <= (uint32_t)b->s32_max_value) {
        narrow_u32(b, (uint32_t)b->s32_min_value, (uint32_t)b->s32_max_value);
    } else if (b->u32_max_value < (uint32_t)b->s32_min_value) {
        /* The s32 range wraps from negative to non-negative; a u32 range
         * below its negative part meets only the non-negative part. */
        b->s32_min_value = (int32_t)b->u32_min_value;
        b->u32_max_value = min_u32(b->u32_max_value, (uint32_t)b->s32_max_value);
    } else if ((uint32_t)b->s32_max_value < b->u32_min_value) {
        /* ... and one above its non-negative part only the negative part. */
        b->s32_max_value = (int32_t)b->u32_max_value;
        b->u32_min_value = max_u32(b->u32_min_value, (uint32_t)b->s32_min_value);
    }
}

/* __reg64_deduce_bounds: u64 <-> s64. */
static void deduce64(struct bpfrt_bounds *b)
{
    if ((int64_t)b->umin_value <= (int64_t)b->umax_value) {
        b->smin_value = max_s64(b->smin_value, (int64_t)b->umin_value);
        b->smax_value = min_s64(b->smax_value, (int64_t)b->umax_value);
    }
    if ((uint64_t)b->smin_value <= (uint64_t)b->smax_value) {
        b->umin_value = max_u64(b->umin_value, (uint64_t)b->smin_value);
        b->umax_value = min_u64(b->umax_value, (uint64_t)b->smax_value);
    } else if (b->umax_value < (uint64_t)b->smin_value) {
        /* The s64 range wraps from negative to non-negative; a u64 range
         * below its negative part meets only the non-negative part. */
        b->smin_value = (int64_t)b->umin_value;
        b->umax_value = min_u64(b->umax_value, (uint64_t)b->smax_value);
    } else if ((uint64_t)b->smax_value < b->umin_value) {
        /* ... and one above its non-negative part only the negative part. */
        b->smax_value = (int64_t)b->umax_value;
        b->umin_value = max_u64(b->umin_value, (uint64_t)b->smin_value);
    }
}

/* __reg_deduce_mixed_bounds: 64-bit ranges from 32-bit ones. */
static void deduce_mixed(struct bpfrt_bounds *b)
{
    /* Replacing the low half of the 64-bit bounds by the 32-bit bounds
     * keeps every value whose low half is within them. */
    const uint64_t hi = ~(uint64_t)0xffffffff;
    b->umin_value = max_u64(b->umin_value, (b->umin_value & hi) | b->u32_min_value);
    b->umax_value = min_u64(b->umax_value, (b->umax_value & hi) | b->u32_max_value);
    b->smin_value = max_s64(b->smin_value, (int64_t)(((uint64_t)b->smin_value & hi) | b->u32_min_value));
    b->smax_value = min_s64(b->smax_value, (int64_t)(((uint64_t)b->smax_value & hi) | b->u32_max_value));
    /* After a sign extension from 32 bits: a value in [S32_MIN, S32_MAX]
     * whose low half is non-negative cannot have all-ones upper bits. */
    if (b->s32_min_value >= 0 && b->smin_value >= S32_MIN_ && b->smax_value <= S32_MAX_) {
        b->smin_value = b->umin_value = (uint64_t)(int64_t)b->s32_min_value;
        b->smax_value = b->umax_value = (uint64_t)(int64_t)b->s32_max_value;
        b->var_off = bpfrt_tnum_intersect(b->var_off, bpfrt_tnum_range((uint64_t)b->smin_value,
                                                                       (uint64_t)b->smax_value));
    }
}

void bpfrt_bounds_deduce(struct bpfrt_bounds *b)
{
    deduce32(b);
    deduce64(b);
    deduce_mixed(b);
}

void bpfrt_bounds_bound_offset(struct bpfrt_bounds *b)
{
    struct bpfrt_tnum t64 = bpfrt_tnum_intersect(b->var_off, bpfrt_tnum_range(b->umin_value, b->umax_value));
    struct bpfrt_tnum t32 = bpfrt_tnum_intersect(bpfrt_tnum_subreg(t64),
                                                 bpfrt_tnum_range(b->u32_min_value, b->u32_max_value));
    b->var_off = bpfrt_tnum_or(bpfrt_tnum_clear_subreg(t64), t32);
}

void bpfrt_bounds_sync(struct bpfrt_bounds *b)
{
    bpfrt_bounds_update(b);      /* ranges from var_off */
    /* each deduction can enable another: Linux runs it three times; a
     * run that changed nothing would leave the next ones nothing either */
    for (int i = 0; i < 3; i++) {
        struct bpfrt_bounds before = *b;
        bpfrt_bounds_deduce(b);
        if (bpfrt_memcmp(&before, b, sizeof(before)) == 0)
            break;
    }
    bpfrt_bounds_bound_offset(b);/* var_off from ranges */
    bpfrt_bounds_update(b);      /* and what the sharper var_off implies */
}

bool bpfrt_bounds_sane(const struct bpfrt_bounds *b, const char **why)
{
    const char *msg = NULL;
    if (b->umin_value > b->umax_value || b->smin_value > b->smax_value || b->u32_min_value > b->u32_max_value ||
        b->s32_min_value > b->s32_max_value) {
        msg = "range bounds violation";
    } else if (bpfrt_tnum_is_const(b->var_off)) {
        uint64_t v = b->var_off.value;
        if (b->umin_value != v || b->umax_value != v || b->smin_value != (int64_t)v || b->smax_value != (int64_t)v)
            msg = "const tnum out of sync with range bounds";
    }
    if (!msg && bpfrt_tnum_subreg_is_const(b->var_off)) {
        uint32_t v = (uint32_t)b->var_off.value;
        if (b->u32_min_value != v || b->u32_max_value != v || b->s32_min_value != (int32_t)v ||
            b->s32_max_value != (int32_t)v)
            msg = "const subreg tnum out of sync with range bounds";
    }
    if (why)
        *why = msg;
    return !msg;
}

bool bpfrt_bounds_check_sanity(struct bpfrt_bounds *b, const char **why)
{
    if (bpfrt_bounds_sane(b, why))
        return true;
    bpfrt_bounds_mark_unbounded(b);
    return false;
}

int bpfrt_bounds_snprint_violation(char *buf, size_t size, const char *ctx, const char *why,
                                   const struct bpfrt_bounds *b)
{
    return bpfrt_snprintf(buf, size,
                          "verifier bug: REG INVARIANTS VIOLATION (%s): %s u64=[0x%llx, 0x%llx] "
                          "s64=[0x%llx, 0x%llx] u32=[0x%x, 0x%x] s32=[0x%x, 0x%x] var_off=(0x%llx, 0x%llx)",
                          ctx, why, (unsigned long long)b->umin_value, (unsigned long long)b->umax_value,
                          (unsigned long long)b->smin_value, (unsigned long long)b->smax_value, b->u32_min_value,
                          b->u32_max_value, (uint32_t)b->s32_min_value, (uint32_t)b->s32_max_value,
                          (unsigned long long)b->var_off.value, (unsigned long long)b->var_off.mask);
}

/* ---- widths ---- */

void bpfrt_bounds_zext_32_to_64(struct bpfrt_bounds *b)
{
    b->var_off = bpfrt_tnum_subreg(b->var_off);
    b->umin_value = b->u32_min_value;
    b->umax_value = b->u32_max_value;
    /* A non-negative s32 range is the s64 range of the zero-extended value;
     * a negative bound zero-extends to a large one, so fall back to all of
     * [0, U32_MAX] and let the sync refine it. */
    if (b->s32_min_value >= 0) {
        b->smin_value = b->s32_min_value;
        b->smax_value = b->s32_max_value;
    } else {
        b->smin_value = 0;
        b->smax_value = UINT32_MAX;
    }
}

void bpfrt_bounds_coerce_to_size(struct bpfrt_bounds *b, int size)
{
    uint64_t keep = ((uint64_t)1 << (size * 8)) - 1;
    b->var_off = bpfrt_tnum_cast(b->var_off, (uint8_t)size);
    if ((b->umin_value & ~keep) == (b->umax_value & ~keep)) {
        b->umin_value &= keep;   /* no wrap in the kept bits */
        b->umax_value &= keep;
    } else {
        b->umin_value = 0;
        b->umax_value = keep;
    }
    b->smin_value = (int64_t)b->umin_value;
    b->smax_value = (int64_t)b->umax_value;
    if (size < 4)
        bpfrt_bounds_mark_unbounded32(b);
    bpfrt_bounds_sync(b);
}

/* The bounds of a sign extension from `size` bytes when nothing better is
 * known (Linux: set_sext64_default_val / set_sext32_default_val). */
static void sext_default(struct bpfrt_bounds *b, int size, bool to64)
{
    int32_t lo = size == 1 ? INT8_MIN : size == 2 ? INT16_MIN : S32_MIN_;
    int32_t hi = size == 1 ? INT8_MAX : size == 2 ? INT16_MAX : S32_MAX_;
    b->s32_min_value = lo;
    b->s32_max_value = hi;
    b->u32_min_value = 0;
    b->u32_max_value = UINT32_MAX;
    if (to64) {
        b->smin_value = lo;
        b->smax_value = hi;
        b->umin_value = 0;
        b->umax_value = UINT64_MAX;
        b->var_off = BPFRT_TNUM_UNKNOWN;
    } else {
        b->var_off = bpfrt_tnum_subreg(BPFRT_TNUM_UNKNOWN);
    }
}

/* v's low `size` bytes, sign-extended. */
static int64_t sext(uint64_t v, int size)
{
    return (int64_t)bpfrt_sign_extend(v, (unsigned)size);
}

void bpfrt_bounds_coerce_to_size_sx(struct bpfrt_bounds *b, int size)
{
    if (bpfrt_tnum_is_const(b->var_off)) {
        bpfrt_bounds_mark_known(b, (uint64_t)sext(b->var_off.value, size));
        return;
    }
    /* When the s64 range does not cross a multiple of 2^(8*size), the low
     * bytes move monotonically with it; the sign-extended ends bound the
     * result if they have the same sign. */
    int bits = size * 8;
    if (((uint64_t)b->smax_value >> bits) == ((uint64_t)b->smin_value >> bits)) {
        int64_t a = sext((uint64_t)b->smin_value, size), c = sext((uint64_t)b->smax_value, size);
        int64_t lo = min_s64(a, c), hi = max_s64(a, c);
        if ((lo >= 0) == (hi >= 0)) {
            b->smin_value = lo;
            b->smax_value = hi;
            b->s32_min_value = (int32_t)lo;
            b->s32_max_value = (int32_t)hi;
            b->umin_value = (uint64_t)lo;
            b->umax_value = (uint64_t)hi;
            b->u32_min_value = (uint32_t)lo;
            b->u32_max_value = (uint32_t)hi;
            b->var_off = bpfrt_tnum_range((uint64_t)lo, (uint64_t)hi);
            return;
        }
    }
    /* Otherwise the low 32 bits still say something: when their s32 range
     * lies within the extended width's range, sign extension leaves them
     * as they are and the s32 range is the result's (always so from 32
     * bits); else only the width's range is known. (Linux 6.18 as it runs
     * here; checked against its log by test_verifier_bounds_kernel.) */
    int32_t lo = size == 1 ? INT8_MIN : size == 2 ? INT16_MIN : S32_MIN_;
    int32_t hi = size == 1 ? INT8_MAX : size == 2 ? INT16_MAX : S32_MAX_;
    if (b->s32_min_value >= lo && b->s32_max_value <= hi) {
        b->smin_value = b->s32_min_value;
        b->smax_value = b->s32_max_value;
        b->umin_value = 0;
        b->umax_value = UINT64_MAX;
        b->var_off = BPFRT_TNUM_UNKNOWN;
    } else {
        sext_default(b, size, true);
    }
    bpfrt_bounds_sync(b);
}

void bpfrt_bounds_coerce_subreg_to_size_sx(struct bpfrt_bounds *b, int size)
{
    if (bpfrt_tnum_is_const(b->var_off)) {
        /* As Linux: the whole var_off becomes the sign-extended constant;
         * the caller's zero extension drops its upper half. */
        int64_t v = sext(b->var_off.value, size);
        b->var_off = bpfrt_tnum_const((uint64_t)v);
        b->s32_min_value = b->s32_max_value = (int32_t)v;
        b->u32_min_value = b->u32_max_value = (uint32_t)v;
        return;
    }
    int bits = size * 8;
    if (((uint32_t)b->s32_max_value >> bits) == ((uint32_t)b->s32_min_value >> bits)) {
        int32_t a = (int32_t)sext((uint32_t)b->s32_min_value, size);
        int32_t c = (int32_t)sext((uint32_t)b->s32_max_value, size);
        int32_t lo = min_s32(a, c), hi = max_s32(a, c);
        if ((lo >= 0) == (hi >= 0)) {
            b->s32_min_value = lo;
            b->s32_max_value = hi;
            b->u32_min_value = (uint32_t)lo;
            b->u32_max_value = (uint32_t)hi;
            b->var_off = bpfrt_tnum_subreg(bpfrt_tnum_range((uint64_t)(int64_t)lo, (uint64_t)(int64_t)hi));
            return;
        }
    }
    sext_default(b, size, false);
}

int bpfrt_bounds_width(const struct bpfrt_bounds *b)
{
    return b->umax_value ? 64 - __builtin_clzll(b->umax_value) : 0;
}

bool bpfrt_bounds_is_const(const struct bpfrt_bounds *b, bool subreg32)
{
    return subreg32 ? bpfrt_tnum_subreg_is_const(b->var_off) : bpfrt_tnum_is_const(b->var_off);
}

uint64_t bpfrt_bounds_const_value(const struct bpfrt_bounds *b, bool subreg32)
{
    return subreg32 ? (uint32_t)b->var_off.value : b->var_off.value;
}

/* ---- printing ---- */

int bpfrt_bounds_snum(char *buf, size_t size, int64_t v)
{
    if (v >= INT16_MIN && v <= INT16_MAX)
        return bpfrt_snprintf(buf, size, "%lld", (long long)v);
    return bpfrt_snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

int bpfrt_bounds_unum(char *buf, size_t size, uint64_t v)
{
    if (v <= UINT16_MAX)
        return bpfrt_snprintf(buf, size, "%llu", (unsigned long long)v);
    return bpfrt_snprintf(buf, size, "0x%llx", (unsigned long long)v);
}

/* A 32-bit signed bound as the log holds it: sign-extended when it prints
 * in decimal, else its 32 bits ("smin32=0x80000008", not 0xffffffff80000008). */
static uint64_t s32_field(int32_t v)
{
    return (v >= INT16_MIN && v <= INT16_MAX) ? (uint64_t)(int64_t)v : (uint32_t)v;
}

int bpfrt_bounds_snprint(char *buf, size_t size, const struct bpfrt_bounds *b)
{
    struct bpfrt_strbuf sb;
    char num[24];
    bpfrt_strbuf_init(&sb, buf, size);
    if (bpfrt_tnum_is_const(b->var_off)) {
        bpfrt_bounds_snum(num, sizeof(num), (int64_t)b->var_off.value);
        bpfrt_strbuf_puts(&sb, num);
        return (int)sb.len;
    }
    /* Signed and unsigned fields alternate, so a field and every later one
     * of the same signedness are two apart; equal values print once under
     * all their names ("smax=umax=smax32=umax32=12"), but a negative signed
     * value never joins a non-negative one. */
    struct field {
        const char *name;
        uint64_t val;
        bool omit;
    } f[8] = {
        { "smin", (uint64_t)b->smin_value, b->smin_value == INT64_MIN },
        { "smax", (uint64_t)b->smax_value, b->smax_value == INT64_MAX },
        { "umin", b->umin_value, b->umin_value == 0 },
        { "umax", b->umax_value, b->umax_value == UINT64_MAX },
        { "smin32", s32_field(b->s32_min_value), b->s32_min_value == S32_MIN_ },
        { "smax32", s32_field(b->s32_max_value), b->s32_max_value == S32_MAX_ },
        { "umin32", b->u32_min_value, b->u32_min_value == 0 },
        { "umax32", b->u32_max_value, b->u32_max_value == UINT32_MAX },
    };
    const char *sep = "";
    for (int i = 0; i < 8; i++) {
        if (f[i].omit)
            continue;
        bool is_signed = f[i].name[0] == 's';
        bool neg = is_signed && (int64_t)f[i].val < 0;
        bpfrt_strbuf_printf(&sb, "%s%s=", sep, f[i].name);
        sep = ",";
        for (int j = i + 2; j < 8; j += 2) {
            bool neg_j = f[j].name[0] == 's' && (int64_t)f[j].val < 0;
            if (f[j].omit || f[j].val != f[i].val || neg_j != neg)
                continue;
            f[j].omit = true;
            bpfrt_strbuf_printf(&sb, "%s=", f[j].name);
        }
        if (is_signed)
            bpfrt_bounds_snum(num, sizeof(num), (int64_t)f[i].val);
        else
            bpfrt_bounds_unum(num, sizeof(num), f[i].val);
        bpfrt_strbuf_puts(&sb, num);
    }
    if (!bpfrt_tnum_is_unknown(b->var_off)) {
        char t[48];
        bpfrt_tnum_strn(t, sizeof(t), b->var_off);
        bpfrt_strbuf_printf(&sb, "%svar_off=%s", sep, t);
    }
    return (int)sb.len;
}
