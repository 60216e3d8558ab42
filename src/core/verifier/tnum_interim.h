/* INTERIM tnum operations for the verifier engine, until the tnum module
 * (src/core/verifier/tnum.{c,h}, branch vtests) lands on main: Linux's
 * tracked numbers (kernel/bpf/tnum.c) - each bit known 0, known 1 or
 * unknown. Everything here is static inline so it cannot clash with the
 * real module at link time; scalar.h is the one place that includes it,
 * and swapping it for "tnum.h" is the whole adaptation. */
#ifndef BPFRT_VERIFIER_TNUM_INTERIM_H
#define BPFRT_VERIFIER_TNUM_INTERIM_H

#include <stdbool.h>
#include <stdint.h>

struct tnum {
    uint64_t value;
    uint64_t mask;
};

#define TNUM(v, m) ((struct tnum){ .value = (v), .mask = (m) })
static const struct tnum tnum_unknown = { 0, ~0ull };

static inline struct tnum tnum_const(uint64_t v)
{
    return TNUM(v, 0);
}

/* The smallest tnum holding every value of [min, max]. */
static inline struct tnum tnum_range(uint64_t min, uint64_t max)
{
    uint64_t chi = min ^ max;
    unsigned bits = chi ? 64 - (unsigned)__builtin_clzll(chi) : 0;
    if (bits > 63)
        return tnum_unknown;
    uint64_t delta = (1ull << bits) - 1;
    return TNUM(min & ~delta, delta);
}

static inline struct tnum tnum_lshift(struct tnum a, uint8_t s)
{
    return TNUM(a.value << s, a.mask << s);
}
static inline struct tnum tnum_rshift(struct tnum a, uint8_t s)
{
    return TNUM(a.value >> s, a.mask >> s);
}
static inline struct tnum tnum_arshift(struct tnum a, uint8_t min_shift, uint8_t insn_bitness)
{
    if (insn_bitness == 32)
        return TNUM((uint32_t)((int32_t)a.value >> min_shift), (uint32_t)((int32_t)a.mask >> min_shift));
    return TNUM((uint64_t)((int64_t)a.value >> min_shift), (uint64_t)((int64_t)a.mask >> min_shift));
}
static inline struct tnum tnum_add(struct tnum a, struct tnum b)
{
    uint64_t sm = a.mask + b.mask, sv = a.value + b.value, sigma = sm + sv, chi = sigma ^ sv;
    uint64_t mu = chi | a.mask | b.mask;
    return TNUM(sv & ~mu, mu);
}
static inline struct tnum tnum_sub(struct tnum a, struct tnum b)
{
    uint64_t dv = a.value - b.value, alpha = dv + a.mask, beta = dv - b.mask, chi = alpha ^ beta;
    uint64_t mu = chi | a.mask | b.mask;
    return TNUM(dv & ~mu, mu);
}
static inline struct tnum tnum_neg(struct tnum a)
{
    return tnum_sub(TNUM(0, 0), a);
}
static inline struct tnum tnum_and(struct tnum a, struct tnum b)
{
    uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;
    return TNUM(v, alpha & beta & ~v);
}
static inline struct tnum tnum_or(struct tnum a, struct tnum b)
{
    uint64_t v = a.value | b.value, mu = a.mask | b.mask;
    return TNUM(v, mu & ~v);
}
static inline struct tnum tnum_xor(struct tnum a, struct tnum b)
{
    uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;
    return TNUM(v & ~mu, mu);
}
static inline struct tnum tnum_mul(struct tnum a, struct tnum b)
{
    uint64_t acc_v = a.value * b.value;
    struct tnum acc_m = TNUM(0, 0);
    while (a.value || a.mask) {
        if (a.value & 1)
            acc_m = tnum_add(acc_m, TNUM(0, b.mask));
        else if (a.mask & 1)
            acc_m = tnum_add(acc_m, TNUM(0, b.value | b.mask));
        a = tnum_rshift(a, 1);
        b = tnum_lshift(b, 1);
    }
    return tnum_add(TNUM(acc_v, 0), acc_m);
}
static inline struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
    uint64_t v = a.value | b.value, mu = a.mask & b.mask;
    return TNUM(v & ~mu, mu);
}
static inline struct tnum tnum_cast(struct tnum a, uint8_t size)
{
    uint64_t m = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
    return TNUM(a.value & m, a.mask & m);
}
static inline bool tnum_is_const(struct tnum a)
{
    return !a.mask;
}
static inline bool tnum_equals_const(struct tnum a, uint64_t b)
{
    return tnum_is_const(a) && a.value == b;
}
static inline bool tnum_is_unknown(struct tnum a)
{
    return !~a.mask;
}
static inline bool tnum_is_aligned(struct tnum a, uint64_t size)
{
    return !size || !((a.value | a.mask) & (size - 1));
}
/* b is a subset of a. */
static inline bool tnum_in(struct tnum a, struct tnum b)
{
    if (b.mask & ~a.mask)
        return false;
    b.value &= ~a.mask;
    return a.value == b.value;
}
static inline struct tnum tnum_subreg(struct tnum a)
{
    return tnum_cast(a, 4);
}
static inline struct tnum tnum_clear_subreg(struct tnum a)
{
    return tnum_lshift(tnum_rshift(a, 32), 32);
}
static inline struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg)
{
    return tnum_or(tnum_clear_subreg(reg), tnum_subreg(subreg));
}
static inline struct tnum tnum_const_subreg(struct tnum a, uint32_t v)
{
    return tnum_with_subreg(a, tnum_const(v));
}
static inline bool tnum_subreg_is_const(struct tnum a)
{
    return !(tnum_subreg(a).mask);
}

#endif
