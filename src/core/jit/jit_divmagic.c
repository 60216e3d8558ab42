/* Multipliers for unsigned division by a constant (Granlund and
 * Montgomery, "Division by invariant integers using multiplication", 1994;
 * the same technique gcc uses for modexp's `% P`). For width-bit n and a
 * divisor d with 2^l < d < 2^(l+1):
 *  - with p = width + l and m = ceil(2^p / d) < 2^width, q = (n * m) >> p
 *    holds for every n when m * d - 2^p <= 2^l (the cheap case);
 *  - with p = width + l + 1, m = ceil(2^p / d) always works but needs
 *    width + 1 bits: m = 2^width + m', and q = (n + ((n * m') >> width))
 *    >> (l + 1).
 * 2^p / d is a 128-by-64-bit division: x86's div, or long division on
 * other hosts (no __int128 division, which would need libgcc). tests/unit/test_jit_divmagic.c checks
 * the multipliers against real division. */
#include "core/jit/jit.h"

#if defined(__x86_64__)
/* (hi:lo) / d with hi < d: x86's div (128 by 64 bits), which cannot overflow then. */
static uint64_t div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
    *rem = r;
    return q;
}

/* floor(2^p / d) as hi:lo and the remainder, for p < 128, d > 0: one
 * hardware divide (a divide costs tens of cycles, a compile a few
 * thousand). */
static void div_pow2(unsigned p, uint64_t d, uint64_t *hi, uint64_t *lo, uint64_t *rem)
{
    if (p < 64) {
        *hi = 0;
        *lo = (1ull << p) / d;
        *rem = (1ull << p) % d;
        return;
    }
    /* 2^p = (h:0) with h = 2^(p-64) */
    uint64_t h = 1ull << (p - 64), hr = h, r;
    *hi = 0;
    if (h >= d) {
        *hi = h / d;
        hr = h % d;
    }
    *lo = div128(hr, 0, d, &r);
    *rem = r;
}
#else
/* floor(2^p / d) as hi:lo and the remainder, for p < 128, d > 0: long
 * division, one bit at a time. */
static void div_pow2(unsigned p, uint64_t d, uint64_t *hi, uint64_t *lo, uint64_t *rem)
{
    uint64_t qh = 0, ql = 0, r = 0;
    for (int bit = (int)p; bit >= 0; bit--) {
        /* bring down bit `bit` of 2^p (only bit p is set) */
        bool carry = r >> 63;
        r = r << 1 | (bit == (int)p);
        qh = qh << 1 | ql >> 63;
        ql <<= 1;
        if (carry || r >= d) {
            r -= d;
            ql |= 1;
        }
    }
    *hi = qh;
    *lo = ql;
    *rem = r;
}
#endif

bool bpfrt_jit_magic_u(uint64_t d, unsigned width, struct jit_magic *out)
{
    if (d < 3 || (d & (d - 1)) == 0 || (width != 32 && width != 64) ||
        (width == 32 && d > UINT32_MAX) || (width == 64 && d >> 63))
        return false;
    unsigned l = 63 - (unsigned)__builtin_clzll(d);
    uint64_t hi, lo, rem;
    /* the cheap case: m = ceil(2^(width + l) / d) */
    div_pow2(width + l, d, &hi, &lo, &rem);
    uint64_t e = rem ? d - rem : 0; /* m * d - 2^p */
    uint64_t m = lo + (rem != 0);
    bool fits = width == 64 ? hi == 0 && m != 0 : m <= UINT32_MAX;
    if (fits && e <= (1ull << l)) {
        *out = (struct jit_magic){ m, width + l, false };
        return true;
    }
    /* the general case: a width + 1 bit multiplier, ceil(2^(p+1) / d)
     * from 2^p / d (twice the quotient, one more where twice the remainder
     * reaches d; rem < d < 2^63, so 2 * rem does not overflow) */
    bool up = 2 * rem >= d;
    lo = lo << 1 | up;
    rem = 2 * rem - (up ? d : 0);
    m = lo + (rem != 0); /* the low width bits; bit `width` is set */
    if (width == 32)
        m &= UINT32_MAX;
    *out = (struct jit_magic){ m, l + 1, true };
    return true;
}
