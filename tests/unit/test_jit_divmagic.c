/* The JIT's multipliers for division by a constant (jit_divmagic.c)
 * against real division: every divisor up to 20000 and random ones of both
 * widths (near powers of two, near 2^63, the benchmark's 4294967291), each
 * over the edge numerators (0, 1, d - 1, d, d + 1, multiples, the largest
 * values) and random ones. The formulas applied here are the ones the
 * emitted code computes (emit_divmod.c), written with 128-bit arithmetic. */
#include "core/jit/jit.h"
#include "test.h"
#include "test_rng.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t apply(uint64_t n, unsigned width, const struct jit_magic *m)
{
    if (!m->add)
        return (uint64_t)(((unsigned __int128)n * m->m) >> m->shift);
    if (width == 32) {
        uint64_t t = n + ((n * m->m) >> 32); /* n * m < 2^64 for 32-bit n and m */
        return t >> m->shift;
    }
    uint64_t hi = (uint64_t)(((unsigned __int128)n * m->m) >> 64);
    return (hi + ((n - hi) >> 1)) >> (m->shift - 1);
}

static long checked;

static void check_div(uint64_t d, unsigned width)
{
    struct jit_magic m;
    bool ok = bpfrt_jit_magic_u(d, width, &m);
    bool expect = d >= 3 && (d & (d - 1)) != 0 && !(width == 64 && d >> 63) && !(width == 32 && d > UINT32_MAX);
    CHECK_EQ(ok, expect);
    if (!ok)
        return;
    if (width == 32)
        CHECK(m.m <= UINT32_MAX);
    uint64_t max = width == 32 ? UINT32_MAX : UINT64_MAX;
    uint64_t ns[32];
    unsigned k = 0;
    ns[k++] = 0;
    ns[k++] = 1;
    ns[k++] = d - 1;
    ns[k++] = d;
    ns[k++] = d + 1;
    ns[k++] = max;
    ns[k++] = max - 1;
    ns[k++] = max / d * d;
    ns[k++] = max / d * d - 1;
    ns[k++] = (max / 2 / d) * d;
    while (k < 32) {
        uint64_t r = test_xorshift64star(&rng);
        ns[k++] = width == 32 ? (uint32_t)r : r >> (r & 31);
    }
    for (unsigned i = 0; i < k; i++) {
        uint64_t n = ns[i] & max;
        uint64_t q = apply(n, width, &m);
        checked++;
        if (q != n / d) {
            test_failed++;
            fprintf(stderr, "width %u: %llu / %llu = %llu, magic (m 0x%llx shift %u add %d) gives %llu\n", width,
                    (unsigned long long)n, (unsigned long long)d, (unsigned long long)(n / d),
                    (unsigned long long)m.m, m.shift, m.add, (unsigned long long)q);
            return;
        }
    }
    test_passed++;
}

int main(void)
{
    test_seed_from_env(&rng);
    for (uint64_t d = 0; d < 20000; d++) {
        check_div(d, 32);
        check_div(d, 64);
    }
    static const uint64_t special[] = { 4294967291ull, 0xffffffffull, 0xfffffffeull, 0x80000001ull, 0x7fffffffull,
                                        0x100000001ull, 0x7fffffffffffffffull, 0x7ffffffffffffffeull,
                                        0x8000000000000000ull, 0xffffffffffffffffull, 1000000007ull, 10, 100, 7 };
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
        check_div(special[i], 32);
        check_div(special[i], 64);
    }
    for (unsigned b = 2; b < 64; b++) {
        check_div((1ull << b) - 1, 64);
        check_div((1ull << b) + 1, 64);
        if (b < 32) {
            check_div((1ull << b) - 1, 32);
            check_div((1ull << b) + 1, 32);
        }
    }
    long iters = test_fuzz_iters() * 20;
    for (long i = 0; i < iters; i++) {
        uint64_t r = test_xorshift64star(&rng);
        check_div((uint32_t)(r >> (r & 31)), 32);
        check_div(r >> (r & 63), 64);
    }
    printf("%ld quotients compared\n", checked);
    return test_summary();
}
