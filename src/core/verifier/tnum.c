/* Tracked numbers: Linux's kernel/bpf/tnum.c, written again from its
 * semantics (see tnum.h). The verifier log prints tnums, so results must be
 * bit-for-bit Linux's, not merely sound: where several sound answers exist
 * (tnum_mul, tnum_intersect on dead paths) this file computes Linux 6.18's. */
#include "core/verifier/tnum.h"

#include "core/core.h"

struct bpfrt_tnum bpfrt_tnum_range(uint64_t min, uint64_t max)
{
    uint64_t differ = min ^ max;
    if (!differ)
        return bpfrt_tnum_const(min);
    /* Below the highest bit where min and max differ, every pattern occurs
     * somewhere in the range; above it, all members agree with min. */
    int top = 63 - __builtin_clzll(differ);
    if (top == 63)
        return BPFRT_TNUM_UNKNOWN;
    uint64_t low = ((uint64_t)1 << (top + 1)) - 1;
    return BPFRT_TNUM(min & ~low, low);
}

struct bpfrt_tnum bpfrt_tnum_lshift(struct bpfrt_tnum a, uint8_t shift)
{
    return BPFRT_TNUM(a.value << shift, a.mask << shift);
}

struct bpfrt_tnum bpfrt_tnum_rshift(struct bpfrt_tnum a, uint8_t shift)
{
    return BPFRT_TNUM(a.value >> shift, a.mask >> shift);
}

struct bpfrt_tnum bpfrt_tnum_arshift(struct bpfrt_tnum a, uint8_t shift, uint8_t bits)
{
    /* An unknown sign bit stays unknown in every copy shifted in (mask
     * shifts arithmetically); a known one is copied as known (value does). */
    if (bits == 32)
        return BPFRT_TNUM((uint32_t)((int32_t)(uint32_t)a.value >> shift),
                          (uint32_t)((int32_t)(uint32_t)a.mask >> shift));
    return BPFRT_TNUM((uint64_t)((int64_t)a.value >> shift), (uint64_t)((int64_t)a.mask >> shift));
}

struct bpfrt_tnum bpfrt_tnum_add(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    /* Add the known parts once with every unknown bit 0 (lo) and once with
     * every unknown bit 1 (hi): the carries that differ between the two sums
     * mark the bits an unknown input can change, besides the unknown inputs
     * themselves. */
    uint64_t lo = a.value + b.value;
    uint64_t hi = lo + a.mask + b.mask;
    uint64_t unknown = (lo ^ hi) | a.mask | b.mask;
    return BPFRT_TNUM(lo & ~unknown, unknown);
}

struct bpfrt_tnum bpfrt_tnum_sub(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    /* The largest difference takes a's unknown bits as 1 and b's as 0, the
     * smallest the opposite; borrows that differ mark unknown bits. */
    uint64_t diff = a.value - b.value;
    uint64_t largest = diff + a.mask;
    uint64_t smallest = diff - b.mask;
    uint64_t unknown = (largest ^ smallest) | a.mask | b.mask;
    return BPFRT_TNUM(diff & ~unknown, unknown);
}

struct bpfrt_tnum bpfrt_tnum_neg(struct bpfrt_tnum a)
{
    return bpfrt_tnum_sub(bpfrt_tnum_const(0), a);
}

struct bpfrt_tnum bpfrt_tnum_and(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    uint64_t ones = a.value & b.value;              /* 1 in both */
    uint64_t maybe = (a.value | a.mask) & (b.value | b.mask);
    return BPFRT_TNUM(ones, maybe & ~ones);
}

struct bpfrt_tnum bpfrt_tnum_or(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    uint64_t ones = a.value | b.value;
    return BPFRT_TNUM(ones, (a.mask | b.mask) & ~ones);
}

struct bpfrt_tnum bpfrt_tnum_xor(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    uint64_t unknown = a.mask | b.mask;
    return BPFRT_TNUM((a.value ^ b.value) & ~unknown, unknown);
}

struct bpfrt_tnum bpfrt_tnum_mul(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    /* Schoolbook multiplication walking a's bits from the bottom, with b
     * shifted along: a known 1 adds b to the partial product, a known 0
     * adds nothing, an unknown bit may do either, so the partial product
     * becomes the union of both outcomes. */
    struct bpfrt_tnum acc = bpfrt_tnum_const(0);
    while (a.value | a.mask) {
        if (a.value & 1)
            acc = bpfrt_tnum_add(acc, b);
        else if (a.mask & 1)
            acc = bpfrt_tnum_union(acc, bpfrt_tnum_add(acc, b));
        a = bpfrt_tnum_rshift(a, 1);
        b = bpfrt_tnum_lshift(b, 1);
    }
    return acc;
}

struct bpfrt_tnum bpfrt_tnum_intersect(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    uint64_t unknown = a.mask & b.mask;
    return BPFRT_TNUM((a.value | b.value) & ~unknown, unknown);
}

struct bpfrt_tnum bpfrt_tnum_union(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    uint64_t unknown = a.mask | b.mask | (a.value ^ b.value);
    return BPFRT_TNUM(a.value & b.value & ~unknown, unknown);
}

bool bpfrt_tnum_overlap(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    /* A common member exists unless a bit known in both disagrees. */
    uint64_t known_in_both = ~a.mask & ~b.mask;
    return ((a.value ^ b.value) & known_in_both) == 0;
}

uint64_t bpfrt_tnum_step(struct bpfrt_tnum a, uint64_t z)
{
    uint64_t top = a.value | a.mask;
    if (z >= top)
        return top;
    if (z < a.value)
        return a.value;
    /* The smallest member >= y = z + 1 (y <= top, so no wrap). Compare y
     * with the known bits from the top: at the highest disagreement, a
     * known 1 over y's 0 makes every member agreeing with y above it larger
     * than y, so take y's bits above it and the least below; a known 0
     * over y's 1 needs a carry into the lowest unknown bit above it where
     * y has 0 (one exists, since some member is >= y). */
    uint64_t y = z + 1;
    uint64_t differ = (y ^ a.value) & ~a.mask;
    if (!differ)
        return y;
    int k = 63 - __builtin_clzll(differ);
    uint64_t above = k == 63 ? 0 : ~(((uint64_t)2 << k) - 1);
    if (a.value & ((uint64_t)1 << k))
        return (y & above & a.mask) | a.value;
    uint64_t free_above = a.mask & ~y & above;
    if (!free_above)
        return top; /* cannot happen for y <= top; kept for safety */
    uint64_t p = free_above & -free_above; /* lowest such unknown bit */
    uint64_t keep = ~((p << 1) - 1);      /* bits above p */
    return (y & keep & a.mask) | p | a.value;
}

struct bpfrt_tnum bpfrt_tnum_cast(struct bpfrt_tnum a, uint8_t size)
{
    if (size >= 8)
        return a;
    uint64_t keep = ((uint64_t)1 << (size * 8)) - 1;
    return BPFRT_TNUM(a.value & keep, a.mask & keep);
}

bool bpfrt_tnum_is_aligned(struct bpfrt_tnum a, uint64_t size)
{
    if (!size)
        return true;
    return !((a.value | a.mask) & (size - 1));
}

bool bpfrt_tnum_in(struct bpfrt_tnum a, struct bpfrt_tnum b)
{
    if (b.mask & ~a.mask)
        return false; /* b leaves open a bit a knows */
    return (b.value & ~a.mask) == a.value;
}

struct bpfrt_tnum bpfrt_tnum_subreg(struct bpfrt_tnum a)
{
    return bpfrt_tnum_cast(a, 4);
}

struct bpfrt_tnum bpfrt_tnum_clear_subreg(struct bpfrt_tnum a)
{
    return bpfrt_tnum_lshift(bpfrt_tnum_rshift(a, 32), 32);
}

struct bpfrt_tnum bpfrt_tnum_with_subreg(struct bpfrt_tnum reg, struct bpfrt_tnum subreg)
{
    return bpfrt_tnum_or(bpfrt_tnum_clear_subreg(reg), bpfrt_tnum_subreg(subreg));
}

struct bpfrt_tnum bpfrt_tnum_const_subreg(struct bpfrt_tnum a, uint32_t value)
{
    return bpfrt_tnum_with_subreg(a, bpfrt_tnum_const(value));
}

struct bpfrt_tnum bpfrt_tnum_bswap16(struct bpfrt_tnum a)
{
    return BPFRT_TNUM(__builtin_bswap16((uint16_t)a.value), __builtin_bswap16((uint16_t)a.mask));
}

struct bpfrt_tnum bpfrt_tnum_bswap32(struct bpfrt_tnum a)
{
    return BPFRT_TNUM(__builtin_bswap32((uint32_t)a.value), __builtin_bswap32((uint32_t)a.mask));
}

struct bpfrt_tnum bpfrt_tnum_bswap64(struct bpfrt_tnum a)
{
    return BPFRT_TNUM(__builtin_bswap64(a.value), __builtin_bswap64(a.mask));
}

int bpfrt_tnum_strn(char *str, size_t size, struct bpfrt_tnum a)
{
    /* Linux's "%#llx" prints 0 as "0x0"; C's prints "0", hence no '#'. */
    return bpfrt_snprintf(str, size, "(0x%llx; 0x%llx)", (unsigned long long)a.value,
                          (unsigned long long)a.mask);
}

int bpfrt_tnum_sbin(char *str, size_t size, struct bpfrt_tnum a)
{
    if (!size)
        return 64;
    size_t n = size - 1 < 64 ? size - 1 : 64;
    for (size_t i = 0; i < n; i++) {
        uint64_t bit = (uint64_t)1 << (63 - i);
        str[i] = (a.mask & bit) ? 'x' : (a.value & bit) ? '1' : '0';
    }
    str[n] = '\0';
    return 64;
}
