/* DEVMAP, DEVMAP_HASH, XSKMAP, CPUMAP: update/delete/lookup rules with
 * Linux's errnos (compared with the kernel where the value needs no real
 * device: ifindex 1 is the loopback), program-side lookups and
 * bpfrt_map_redirect_target. */
#include "test.h"
#include "test_map_util.h"

static void test_devmap(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0);
    uint32_t k0 = 0, k1 = 1, k3 = 3, k9 = 9, lo = 1, zero = 0, out, next;
    dual_cmd(&d, L, &k0, &out, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, &k0, &lo, 4, 0, 0, 1);
    dual_cmd(&d, U, &k0, &lo, 4, BPF_NOEXIST, -BPFRT_EEXIST, 1);
    dual_cmd(&d, U, &k0, &lo, 4, 3, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k9, &lo, 4, 0, -BPFRT_E2BIG, 1);
    dual_cmd(&d, L, &k0, &out, 4, 0, 0, 1);
    dual_cmd(&d, L, &k1, &out, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, D, &k1, NULL, 0, 0, 0, 1);          /* empty slot: fine */
    dual_cmd(&d, D, &k9, NULL, 0, 0, -BPFRT_EINVAL, 1);
    dual_cmd(&d, N, &k3, &next, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, N, &k9, &next, 4, 0, 0, 1);
    dual_cmd(&d, U, &k1, &lo, 4, 0, 0, 1);
    dual_cmd(&d, U, &k1, &zero, 4, 0, 0, 1);         /* ifindex 0 empties the slot */
    dual_cmd(&d, L, &k1, &out, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, BPF_MAP_LOOKUP_AND_DELETE_ELEM, &k0, &out, 4, 0, -BPFRT_ENOTSUPP, 1);
    dual_free(&d);

    struct dual d8 = dual_new(BPF_MAP_TYPE_DEVMAP, 4, 8, 2, 0);
    uint32_t v8[2] = { 1, (uint32_t)-1 }, o8[2];
    dual_cmd(&d8, U, &k0, v8, 8, 0, 0, 1);           /* prog fd -1: none */
    v8[1] = 0;
    dual_cmd(&d8, U, &k0, v8, 8, 0, 0, 1);
    dual_cmd(&d8, L, &k0, o8, 8, 0, 0, 1);           /* {ifindex, prog id 0} */
    dual_free(&d8);

    struct bpfrt_map *m = mk(BPF_MAP_TYPE_DEVMAP, 4, 8, 2, 0);
    if (!m)
        return;
    uint32_t val[2] = { 7, 99 }, target = 0;
    CHECK_EQ(bpfrt_map_update(m, &k0, val, 0), -BPFRT_EINVAL); /* programs on entries: not here */
    val[1] = 0;
    CHECK_EQ(bpfrt_map_update(m, &k0, val, 0), 0);
    uint32_t *p = bpfrt_map_lookup_elem(m, &k0, 0);
    CHECK(p && p[0] == 7 && p[1] == 0);
    CHECK(bpfrt_map_lookup_elem(m, &k1, 0) == NULL);
    CHECK_EQ(bpfrt_map_redirect_target(m, 0, &target), 0);
    CHECK_EQ(target, 7);
    CHECK_EQ(bpfrt_map_redirect_target(m, 1, &target), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_redirect_target(m, 5, &target), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_delete_elem(m, &k0), 0);
    CHECK_EQ(bpfrt_map_redirect_target(m, 0, &target), -BPFRT_ENOENT);
    bpfrt_map_put(m);
}

static void test_devmap_hash(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 2, 0);
    uint32_t k1 = 1, k2 = 2, k3 = 3, k5 = 5, lo = 1, zero = 0, out, next;
    dual_cmd(&d, L, &k5, &out, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, D, &k5, NULL, 0, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, N, &k5, &next, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, &k5, &lo, 4, BPF_EXIST, 0, 1);   /* devmap_hash inserts even with BPF_EXIST */
    dual_cmd(&d, U, &k5, &lo, 4, BPF_NOEXIST, -BPFRT_EEXIST, 1);
    dual_cmd(&d, U, &k5, &lo, 4, 3, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k1, &zero, 4, 0, -BPFRT_EINVAL, 1); /* no device 0 */
    dual_cmd(&d, U, &k1, &lo, 4, 0, 0, 1);
    dual_cmd(&d, U, &k2, &lo, 4, 0, -BPFRT_E2BIG, 1);
    dual_cmd(&d, L, &k1, &out, 4, 0, 0, 1);
    dual_cmd(&d, D, &k1, NULL, 0, 0, 0, 1);
    dual_cmd(&d, N, NULL, &next, 4, 0, 0, 1);
    dual_free(&d);

    struct bpfrt_map *m = mk(BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 8, 0);
    if (!m)
        return;
    uint32_t ifx = 42, target = 0;
    CHECK_EQ(bpfrt_map_update(m, &k3, &ifx, 0), 0);
    CHECK_EQ(bpfrt_map_redirect_target(m, 3, &target), 0);
    CHECK_EQ(target, 42);
    CHECK_EQ(bpfrt_map_redirect_target(m, 4, &target), -BPFRT_ENOENT);
    uint32_t *p = bpfrt_map_lookup_elem(m, &k3, 0);
    CHECK(p && *p == 42);
    CHECK_EQ(bpfrt_map_delete_elem(m, &k3), 0);
    CHECK(bpfrt_map_lookup_elem(m, &k3, 0) == NULL);
    bpfrt_map_put(m);
}

static void test_xskmap(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0);
    uint32_t k0 = 0, k9 = 9, out;
    dual_cmd(&d, L, &k0, &out, 4, 0, -BPFRT_EOPNOTSUPP, 1);
    dual_cmd(&d, D, &k0, NULL, 0, 0, 0, 1);
    dual_cmd(&d, D, &k9, NULL, 0, 0, -BPFRT_EINVAL, 1);
    dual_free(&d);

    struct bpfrt_map *m = mk(BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0);
    if (!m)
        return;
    uint32_t q0 = 0, q3 = 3, target = 99;
    CHECK_EQ(bpfrt_map_update(m, &k0, &q3, BPF_EXIST), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_update(m, &k0, &q0, BPF_NOEXIST), 0); /* queue 0 is a real target */
    CHECK_EQ(bpfrt_map_update(m, &k0, &q3, BPF_NOEXIST), -BPFRT_EEXIST);
    CHECK_EQ(bpfrt_map_redirect_target(m, 0, &target), 0);
    CHECK_EQ(target, 0);
    CHECK_EQ(bpfrt_map_update(m, &k0, &q3, BPF_EXIST), 0);
    CHECK_EQ(bpfrt_map_redirect_target(m, 0, &target), 0);
    CHECK_EQ(target, 3);
    CHECK_EQ(bpfrt_map_update(m, &k9, &q3, 0), -BPFRT_E2BIG);
    CHECK(bpfrt_map_lookup_elem(m, &k0, 0) != NULL);
    CHECK_EQ(bpfrt_map_delete(m, &k0), 0);
    CHECK(bpfrt_map_lookup_elem(m, &k0, 0) == NULL);
    bpfrt_map_put(m);
}

static void test_cpumap(void)
{
    unsigned n = rt_ncpus();
    struct dual d = dual_new(BPF_MAP_TYPE_CPUMAP, 4, 4, 4, 0);
    uint32_t k0 = 0, k1 = 1, k9 = 9, q = 128, big = 16385, max = 16384, zero = 0, out;
    dual_cmd(&d, U, &k0, &q, 4, 0, 0, 1);
    dual_cmd(&d, U, &k0, &q, 4, BPF_NOEXIST, -BPFRT_EEXIST, 1);
    dual_cmd(&d, U, &k0, &q, 4, 3, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k9, &q, 4, 0, -BPFRT_E2BIG, 1);
    dual_cmd(&d, U, &k0, &big, 4, 0, -BPFRT_EOVERFLOW, 1);
    dual_cmd(&d, U, &k0, &max, 4, 0, 0, 1);
    dual_cmd(&d, L, &k0, &out, 4, 0, 0, 1);
    dual_cmd(&d, L, &k1, &out, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, &k0, &zero, 4, 0, 0, 1);         /* qsize 0 removes the entry */
    dual_cmd(&d, L, &k0, &out, 4, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, D, &k9, NULL, 0, 0, -BPFRT_EINVAL, 1);
    dual_free(&d);

    struct bpfrt_map *m = mk(BPF_MAP_TYPE_CPUMAP, 4, 4, n + 1, 0);
    if (!m)
        return;
    uint32_t kn = n, target = 0;
    CHECK_EQ(bpfrt_map_update(m, &kn, &q, 0), -BPFRT_ENODEV); /* no such CPU */
    uint32_t last = n - 1;
    CHECK_EQ(bpfrt_map_update(m, &last, &q, 0), 0);
    CHECK_EQ(bpfrt_map_redirect_target(m, last, &target), 0);
    CHECK_EQ(target, last);
    CHECK_EQ(bpfrt_map_redirect_target(m, n, &target), -BPFRT_ENOENT);
    bpfrt_map_put(m);
    struct bpfrt_map *a = mk(BPF_MAP_TYPE_ARRAY, 4, 4, 4, 0);
    if (a) {
        CHECK_EQ(bpfrt_map_redirect_target(a, 0, &target), -BPFRT_EINVAL);
        bpfrt_map_put(a);
    }
}

int main(void)
{
    rt_setup();
    RUN(test_devmap);
    RUN(test_devmap_hash);
    RUN(test_xskmap);
    RUN(test_cpumap);
    rt_teardown();
    return test_summary();
}
