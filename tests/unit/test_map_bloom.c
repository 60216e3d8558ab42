/* BLOOM_FILTER: push adds, peek tests (no false negatives; a false
 * positive rate near the design), map_extra hash counts, and the commands
 * Linux refuses (-EOPNOTSUPP, -ENOTSUPP), also on the kernel when allowed. */
#include "test.h"
#include "test_map_util.h"

static void test_commands(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 100, 0);
    uint64_t v = 0x1234, next;
    dual_cmd(&d, L, NULL, &v, 8, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, NULL, &v, 8, 0, 0, 1);
    dual_cmd(&d, L, NULL, &v, 8, 0, 0, 1);
    dual_cmd(&d, U, NULL, &v, 8, BPF_EXIST, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, NULL, &v, 8, BPF_NOEXIST, -BPFRT_EINVAL, 1);
    dual_cmd(&d, D, NULL, NULL, 0, 0, -BPFRT_EOPNOTSUPP, 1);
    dual_cmd(&d, N, NULL, &next, 8, 0, -BPFRT_EOPNOTSUPP, 1);
    dual_cmd(&d, LD, NULL, &v, 8, 0, -BPFRT_ENOTSUPP, 1);
    dual_cmd(&d, L, &v, &v, 8, 0, -BPFRT_EINVAL, 1); /* no key allowed */
    dual_free(&d);
}

static void test_membership(void)
{
    enum { N_IN = 1000, N_OUT = 10000 };
    uint64_t extras[] = { 0, 1, 3, 15 };
    for (size_t e = 0; e < 4; e++) {
        union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, N_IN, 0);
        a.map_extra = extras[e];
        struct bpfrt_map *m = NULL;
        CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), 0);
        if (!m)
            continue;
        for (uint64_t i = 0; i < N_IN; i++)
            CHECK_EQ(bpfrt_map_push_elem(m, &i, BPF_ANY), 0);
        int misses = 0, fp = 0;
        for (uint64_t i = 0; i < N_IN; i++)
            misses += bpfrt_map_peek_elem(m, &i) != 0;
        for (uint64_t i = N_IN; i < N_IN + N_OUT; i++)
            fp += bpfrt_map_peek_elem(m, &i) == 0;
        CHECK_EQ(misses, 0); /* never a false negative */
        /* k hashes over m = pow2(n*k*7/5) bits: the false positive rate is
         * about (1 - e^(-kn/m))^k (k=1: 0.39, 3: 0.029, 5: 0.020, 15: ~0);
         * allow twice that plus slack. */
        static const double want_rate[] = { 0.020, 0.386, 0.029, 0.0000003 };
        CHECK(fp < 2 * want_rate[e] * N_OUT + 30);
        CHECK_EQ(bpfrt_map_pop_elem(m, &fp), -BPFRT_EOPNOTSUPP);
        CHECK_EQ(bpfrt_map_delete_elem(m, &fp), -BPFRT_EOPNOTSUPP);
        CHECK(bpfrt_map_lookup_elem(m, NULL, 0) == NULL);
        CHECK_EQ(bpfrt_map_push_elem(m, &fp, BPF_EXIST), -BPFRT_EINVAL);
        bpfrt_map_put(m);
    }
}

/* Odd value sizes hash every byte. */
static void test_odd_sizes(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_BLOOM_FILTER, 0, 3, 16, BPF_F_ZERO_SEED);
    if (!m)
        return;
    unsigned char a[3] = { 1, 2, 3 }, b[3] = { 1, 2, 4 };
    CHECK_EQ(bpfrt_map_update(m, NULL, a, 0), 0);
    CHECK_EQ(bpfrt_map_lookup(m, NULL, a, 0), 0);
    CHECK_EQ(bpfrt_map_lookup(m, NULL, b, 0), -BPFRT_ENOENT);
    bpfrt_map_put(m);
}

int main(void)
{
    rt_setup();
    RUN(test_commands);
    RUN(test_membership);
    RUN(test_odd_sizes);
    rt_teardown();
    return test_summary();
}
