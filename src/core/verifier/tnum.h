/* Tracked numbers ("tnums"), as Linux's include/linux/tnum.h and
 * kernel/bpf/tnum.c: what the verifier knows about the bits of a 64-bit
 * value. Each bit is known 0 (value 0, mask 0), known 1 (value 1, mask 0)
 * or unknown (value 0, mask 1); a value x is in tnum t when
 * (x & ~t.mask) == t.value. Every operation returns a tnum holding every
 * result of the operation over all members of its operands (soundness);
 * tests/unit/test_verifier_tnum.c checks that over all small tnums.
 *
 * Pure functions on a value type, freestanding. Each function names the
 * Linux function it mirrors; the verifier may alias them to the short
 * Linux names. */
#ifndef BPFRT_VERIFIER_TNUM_H
#define BPFRT_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfrt_tnum {
    uint64_t value; /* the known 1 bits */
    uint64_t mask;  /* the unknown bits (never overlapping value) */
};

#define BPFRT_TNUM(v, m) ((struct bpfrt_tnum){ .value = (v), .mask = (m) })

/* tnum_unknown: nothing known. */
#define BPFRT_TNUM_UNKNOWN BPFRT_TNUM(0, ~(uint64_t)0)

/* tnum_const: exactly `value`. */
static inline struct bpfrt_tnum bpfrt_tnum_const(uint64_t value)
{
    return BPFRT_TNUM(value, 0);
}

/* tnum_is_const: a single value. */
static inline bool bpfrt_tnum_is_const(struct bpfrt_tnum a)
{
    return !a.mask;
}

/* tnum_is_unknown: no bit known. */
static inline bool bpfrt_tnum_is_unknown(struct bpfrt_tnum a)
{
    return !~a.mask;
}

/* tnum_equals_const: exactly the constant b. */
static inline bool bpfrt_tnum_equals_const(struct bpfrt_tnum a, uint64_t b)
{
    return bpfrt_tnum_is_const(a) && a.value == b;
}

/* Whether the concrete value x is a member of a (Linux tests spell it
 * tnum_in(a, tnum_const(x))). */
static inline bool bpfrt_tnum_contains(struct bpfrt_tnum a, uint64_t x)
{
    return (x & ~a.mask) == a.value;
}

/* tnum_range: the smallest tnum holding every value of [min, max]. */
struct bpfrt_tnum bpfrt_tnum_range(uint64_t min, uint64_t max);

/* tnum_lshift, tnum_rshift: shift by a known amount (< 64). */
struct bpfrt_tnum bpfrt_tnum_lshift(struct bpfrt_tnum a, uint8_t shift);
struct bpfrt_tnum bpfrt_tnum_rshift(struct bpfrt_tnum a, uint8_t shift);
/* tnum_arshift: arithmetic shift of the low `bits` (32 or 64) bits; the
 * 32-bit form yields a zero-extended 32-bit result. */
struct bpfrt_tnum bpfrt_tnum_arshift(struct bpfrt_tnum a, uint8_t shift, uint8_t bits);

/* tnum_add, tnum_sub, tnum_neg (0 - a), tnum_mul (long multiplication, the
 * union of both outcomes at each unknown multiplier bit, as 6.18). */
struct bpfrt_tnum bpfrt_tnum_add(struct bpfrt_tnum a, struct bpfrt_tnum b);
struct bpfrt_tnum bpfrt_tnum_sub(struct bpfrt_tnum a, struct bpfrt_tnum b);
struct bpfrt_tnum bpfrt_tnum_neg(struct bpfrt_tnum a);
struct bpfrt_tnum bpfrt_tnum_mul(struct bpfrt_tnum a, struct bpfrt_tnum b);

/* tnum_and, tnum_or, tnum_xor: bitwise operations (optimal). */
struct bpfrt_tnum bpfrt_tnum_and(struct bpfrt_tnum a, struct bpfrt_tnum b);
struct bpfrt_tnum bpfrt_tnum_or(struct bpfrt_tnum a, struct bpfrt_tnum b);
struct bpfrt_tnum bpfrt_tnum_xor(struct bpfrt_tnum a, struct bpfrt_tnum b);

/* tnum_intersect: what is known from both a and b about one value that is
 * in both (a known 1 wins where they disagree: the caller is on a dead path). */
struct bpfrt_tnum bpfrt_tnum_intersect(struct bpfrt_tnum a, struct bpfrt_tnum b);
/* tnum_union: the smallest tnum holding every member of a and of b. */
struct bpfrt_tnum bpfrt_tnum_union(struct bpfrt_tnum a, struct bpfrt_tnum b);
/* tnum_overlap: whether a and b can hold a common value. */
bool bpfrt_tnum_overlap(struct bpfrt_tnum a, struct bpfrt_tnum b);

/* tnum_step: the smallest member of a greater than z; a's largest member
 * when there is none (z at or above it), a's smallest when z is below that. */
uint64_t bpfrt_tnum_step(struct bpfrt_tnum a, uint64_t z);

/* tnum_cast: the low `size` bytes (1..8), zero-extended. */
struct bpfrt_tnum bpfrt_tnum_cast(struct bpfrt_tnum a, uint8_t size);
/* tnum_is_aligned: every member is a multiple of size (a power of two; 0
 * means no requirement). */
bool bpfrt_tnum_is_aligned(struct bpfrt_tnum a, uint64_t size);
/* tnum_in: every member of b is a member of a. */
bool bpfrt_tnum_in(struct bpfrt_tnum a, struct bpfrt_tnum b);

/* tnum_subreg: the low 32 bits; tnum_clear_subreg: the high 32 bits with
 * the low half known 0; tnum_with_subreg: reg's high half, subreg's low
 * half; tnum_const_subreg: reg's high half, low half the constant value. */
struct bpfrt_tnum bpfrt_tnum_subreg(struct bpfrt_tnum a);
struct bpfrt_tnum bpfrt_tnum_clear_subreg(struct bpfrt_tnum a);
struct bpfrt_tnum bpfrt_tnum_with_subreg(struct bpfrt_tnum reg, struct bpfrt_tnum subreg);
struct bpfrt_tnum bpfrt_tnum_const_subreg(struct bpfrt_tnum a, uint32_t value);
/* tnum_subreg_is_const: the low 32 bits are a single value. */
static inline bool bpfrt_tnum_subreg_is_const(struct bpfrt_tnum a)
{
    return !(uint32_t)a.mask;
}

/* tnum_bswap16/32/64: byte swap of the low 2, 4 or 8 bytes (upper bits
 * of the 16- and 32-bit forms known 0). */
struct bpfrt_tnum bpfrt_tnum_bswap16(struct bpfrt_tnum a);
struct bpfrt_tnum bpfrt_tnum_bswap32(struct bpfrt_tnum a);
struct bpfrt_tnum bpfrt_tnum_bswap64(struct bpfrt_tnum a);

/* tnum_strn: "(0x<value>; 0x<mask>)" as the verifier log prints var_off
 * ("var_off=(0x0; 0xc)"). Returns the length the full text needs. */
int bpfrt_tnum_strn(char *str, size_t size, struct bpfrt_tnum a);
/* tnum_sbin: 64 characters '0', '1' or 'x', most significant bit first
 * (at most size - 1 of them, NUL-terminated). Returns 64. */
int bpfrt_tnum_sbin(char *str, size_t size, struct bpfrt_tnum a);

#endif
