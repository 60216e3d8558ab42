/* The tests' pseudo-random numbers: tiny generators whose sequence is the
 * same on every machine, so a failing seed reproduces. Each test keeps its
 * own state word (seeded in the file or from BPFRT_SEED) and passes it in;
 * BPFRT_FUZZ_ITERS sizes the sweeps. */
#ifndef BPFRT_TESTS_RNG_H
#define BPFRT_TESTS_RNG_H

#include <stdint.h>
#include <stdlib.h>

/* Marsaglia's xorshift64 (shifts 13, 7, 17); *state must not be 0. */
static inline uint64_t test_xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Vigna's xorshift64* (shifts 12, 25, 27, then a multiply: better low
 * bits, for `% n`); *state must not be 0. */
static inline uint64_t test_xorshift64star(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* How many random cases a fuzz test runs: BPFRT_FUZZ_ITERS when it is a
 * positive number, else 2000. */
static inline long test_fuzz_iters(void)
{
    const char *s = getenv("BPFRT_FUZZ_ITERS");
    long n = s ? atol(s) : 2000;
    return n > 0 ? n : 2000;
}

/* BPFRT_SEED (decimal or 0x hex), when set, replaces *state (made odd so
 * it is never 0). */
static inline void test_seed_from_env(uint64_t *state)
{
    const char *s = getenv("BPFRT_SEED");
    if (s)
        *state = strtoull(s, NULL, 0) | 1;
}

#endif
