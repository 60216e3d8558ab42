/* ARRAY and PERCPU_ARRAY: every user command and its errnos (also run on
 * the kernel when allowed), program-side access, per-CPU layout, spin-lock
 * copies, access flags, freezing, global data (MMAPABLE, direct value
 * address) and for_each. */
#include "test.h"
#include "test_map_util.h"

static void test_array_commands(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
    uint32_t k0 = 0, k3 = 3, k4 = 4, big = 1000;
    uint64_t v = 0x1122334455667788ull, zero = 0;
    dual_cmd(&d, L, &k0, &zero, 8, 0, 0, 1);               /* present and zeroed */
    dual_cmd(&d, L, &k4, &zero, 8, 0, -BPFRT_ENOENT, 1);   /* out of range */
    dual_cmd(&d, U, &k0, &v, 8, 0, 0, 1);
    dual_cmd(&d, L, &k0, &zero, 8, 0, 0, 1);
    dual_cmd(&d, U, &k0, &v, 8, BPF_EXIST, 0, 1);
    dual_cmd(&d, U, &k0, &v, 8, BPF_NOEXIST, -BPFRT_EEXIST, 1); /* slots always exist */
    dual_cmd(&d, U, &k0, &v, 8, 3, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k0, &v, 8, 8, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k4, &v, 8, 0, -BPFRT_E2BIG, 1);
    dual_cmd(&d, U, &k0, &v, 8, BPF_F_LOCK, -BPFRT_EINVAL, 1); /* no spin lock in the value */
    dual_cmd(&d, L, &k0, &zero, 8, BPF_F_LOCK, -BPFRT_EINVAL, 1);
    dual_cmd(&d, L, &k0, &zero, 8, 8, -BPFRT_EINVAL, 1);
    dual_cmd(&d, D, &k0, NULL, 0, 0, -BPFRT_EINVAL, 1);
    dual_cmd(&d, LD, &k0, &zero, 8, 0, -BPFRT_ENOTSUPP, 1);
    uint32_t next = 99;
    dual_cmd(&d, N, NULL, &next, 4, 0, 0, 1);   /* NULL key: first index */
    dual_cmd(&d, N, &k0, &next, 4, 0, 0, 1);
    dual_cmd(&d, N, &k3, &next, 4, 0, -BPFRT_ENOENT, 1); /* last */
    dual_cmd(&d, N, &big, &next, 4, 0, 0, 1);   /* out of range: back to 0 */
    dual_cmd(&d, F, NULL, NULL, 0, 0, 0, 1);
    dual_cmd(&d, F, NULL, NULL, 0, 0, -BPFRT_EPERM, 1);  /* frozen = no longer writable */
    dual_cmd(&d, U, &k0, &v, 8, 0, -BPFRT_EPERM, 1);
    dual_cmd(&d, L, &k0, &zero, 8, 0, 0, 1);             /* reads still work */
    dual_free(&d);

    /* Expected values of the calls above, independent of the kernel. */
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
    if (!m)
        return;
    uint64_t out = 1;
    CHECK_EQ(bpfrt_map_update(m, &k3, &v, 0), 0);
    CHECK_EQ(bpfrt_map_lookup(m, &k3, &out, 0), 0);
    CHECK_EQ(out, v);
    CHECK_EQ(bpfrt_map_get_next_key(m, NULL, &next), 0);
    CHECK_EQ(next, 0);
    CHECK_EQ(bpfrt_map_get_next_key(m, &k0, &next), 0);
    CHECK_EQ(next, 1);
    CHECK_EQ(bpfrt_map_get_next_key(m, &big, &next), 0);
    CHECK_EQ(next, 0);
    bpfrt_map_put(m);
}

static void test_access_flags(void)
{
    uint32_t k = 0, next;
    uint64_t v = 5;
    struct dual ro = dual_new(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY);
    dual_cmd(&ro, U, &k, &v, 8, 0, -BPFRT_EPERM, 1);
    dual_cmd(&ro, L, &k, &v, 8, 0, 0, 1);
    dual_cmd(&ro, F, NULL, NULL, 0, 0, -BPFRT_EPERM, 1);
    dual_free(&ro);
    struct dual wo = dual_new(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_WRONLY);
    dual_cmd(&wo, L, &k, &v, 8, 0, -BPFRT_EPERM, 1);
    dual_cmd(&wo, N, &k, &next, 4, 0, -BPFRT_EPERM, 1);
    dual_cmd(&wo, U, &k, &v, 8, 0, 0, 1);
    dual_free(&wo);
    struct dual rop = dual_new(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY_PROG);
    dual_cmd(&rop, U, &k, &v, 8, 0, 0, 1);   /* user space may still write */
    dual_cmd(&rop, F, NULL, NULL, 0, 0, 0, 1);
    /* Program-side writes are the verifier's to refuse; a checked run gets -EPERM. */
    if (rop.m) {
        CHECK_EQ(bpfrt_map_update_elem(rop.m, &k, &v, 0, 0), -BPFRT_EPERM);
        CHECK(bpfrt_map_lookup_elem(rop.m, &k, 0) != NULL);
    }
    dual_free(&rop);
}

static void test_program_side(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_ARRAY, 4, 12, 3, 0);
    if (!m)
        return;
    uint32_t k = 1, k3 = 3;
    unsigned char val[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, out[12];
    bpfrt_runtime_platform(rt)->read_lock(bpfrt_runtime_platform(rt)->ctx);
    unsigned char *p = bpfrt_map_lookup_elem(m, &k, 0);
    CHECK(p != NULL);
    CHECK_EQ((uintptr_t)p % 8, 0); /* values are 8-aligned */
    CHECK(bpfrt_map_lookup_elem(m, &k3, 0) == NULL);
    CHECK_EQ(bpfrt_map_update_elem(m, &k, val, BPF_ANY, 0), 0);
    CHECK(p && memcmp(p, val, 12) == 0);
    if (p)
        p[0] = 0xaa; /* a program's store is what user space reads */
    CHECK_EQ(bpfrt_map_update_elem(m, &k3, val, BPF_ANY, 0), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_map_update_elem(m, &k, val, BPF_NOEXIST, 0), -BPFRT_EEXIST);
    CHECK_EQ(bpfrt_map_delete_elem(m, &k), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_push_elem(m, val, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_pop_elem(m, out), -BPFRT_EINVAL);
    CHECK(bpfrt_map_lookup_percpu_elem(m, &k, 0) == NULL); /* not a per-CPU map */
    bpfrt_runtime_platform(rt)->read_unlock(bpfrt_runtime_platform(rt)->ctx);
    CHECK_EQ(bpfrt_map_lookup(m, &k, out, 0), 0);
    CHECK_EQ(out[0], 0xaa);
    CHECK_EQ(out[11], 12);
    bpfrt_map_put(m);
}

static uint64_t sum_cb(struct bpfrt_map *map, const void *key, void *value, void *ctx)
{
    uint64_t *acc = ctx;
    uint32_t k;
    memcpy(&k, key, 4);
    acc[0] += *(uint64_t *)value;
    acc[1]++;
    return k == acc[2]; /* stop at this key */
}

static void test_for_each(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);
    if (!m)
        return;
    for (uint32_t i = 0; i < 5; i++) {
        uint64_t v = i * 10;
        CHECK_EQ(bpfrt_map_update(m, &i, &v, 0), 0);
    }
    uint64_t acc[3] = { 0, 0, 99 };
    CHECK_EQ(bpfrt_map_for_each(m, sum_cb, acc, 0), 5);
    CHECK_EQ(acc[0], 100);
    uint64_t acc2[3] = { 0, 0, 2 };
    CHECK_EQ(bpfrt_map_for_each(m, sum_cb, acc2, 0), 3); /* stopped after key 2, counted */
    CHECK_EQ(acc2[0], 30);
    bpfrt_map_put(m);
}

static void test_percpu(void)
{
    unsigned n = rt_ncpus();
    struct dual d = dual_new(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0);
    uint32_t k = 1, k2 = 2;
    uint32_t in[2 * 256] = { 0 };
    for (unsigned c = 0; c < n && c < 256; c++)
        in[2 * c] = 100 + c, in[2 * c + 1] = 0xdeadbeef; /* padding is stored too */
    size_t sz = (size_t)8 * n;
    int kernel_cpus_match = (unsigned)sysconf(_SC_NPROCESSORS_CONF) == n;
    if (!kernel_cpus_match && d.kfd >= 0) {
        close(d.kfd);
        d.kfd = -1;
    }
    dual_cmd(&d, U, &k, in, sz, 0, 0, 1);
    dual_cmd(&d, L, &k, in, sz, 0, 0, 1);
    dual_cmd(&d, U, &k, in, sz, BPF_F_LOCK, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k, in, sz, BPF_NOEXIST, -BPFRT_EEXIST, 1);
    dual_cmd(&d, U, &k2, in, sz, 0, -BPFRT_E2BIG, 1);
    dual_cmd(&d, D, &k, NULL, 0, 0, -BPFRT_EINVAL, 1);
    if (d.m) {
        uint32_t out[2 * 256];
        memset(out, 0xff, sizeof(out));
        CHECK_EQ(bpfrt_map_lookup(d.m, &k, out, 0), 0);
        for (unsigned c = 0; c < n && c < 256; c++) {
            CHECK_EQ(out[2 * c], 100 + c);
            CHECK_EQ(out[2 * c + 1], 0xdeadbeef); /* whole 8-byte slots are copied, as Linux */
        }
        /* Programs see their CPU's copy. */
        for (unsigned c = 0; c < n; c++) {
            uint32_t *p = bpfrt_map_lookup_elem(d.m, &k, c);
            CHECK(p && *p == 100 + c);
            CHECK(bpfrt_map_lookup_percpu_elem(d.m, &k, c) == p);
        }
        CHECK(bpfrt_map_lookup_percpu_elem(d.m, &k, n) == NULL);
        uint32_t v = 7;
        CHECK_EQ(bpfrt_map_update_elem(d.m, &k, &v, 0, n - 1), 0);
        CHECK_EQ(bpfrt_map_lookup(d.m, &k, out, 0), 0);
        CHECK_EQ(out[2 * (n - 1)], 7);
        if (n > 1)
            CHECK_EQ(out[0], 100);
    }
    dual_free(&d);
}

struct locked_val {
    uint64_t a;
    struct bpf_spin_lock lock;
    uint32_t b;
};

static void test_spin_lock(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct locked_val), 2, 0);
    struct bpfrt_map *pc = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 2, 0);
    if (!m || !pc)
        return;
    CHECK_EQ(bpfrt_map_set_spin_lock_off(m, 9), -BPFRT_EINVAL);   /* misaligned */
    CHECK_EQ(bpfrt_map_set_spin_lock_off(m, 16), -BPFRT_EINVAL);  /* outside the value */
    CHECK_EQ(bpfrt_map_set_spin_lock_off(pc, 8), -BPFRT_EOPNOTSUPP);
    CHECK_EQ(bpfrt_map_set_spin_lock_off(m, 8), 0);
    uint32_t k = 1;
    struct locked_val in = { 0x1111, { 0x5555 }, 0x2222 }, out;
    CHECK_EQ(bpfrt_map_update(m, &k, &in, BPF_F_LOCK), 0);
    struct locked_val *p = bpfrt_map_lookup_elem(m, &k, 0);
    CHECK(p && p->a == 0x1111 && p->b == 0x2222);
    CHECK(p && p->lock.val == 0); /* the lock word is never copied in */
    memset(&out, 0xff, sizeof(out));
    CHECK_EQ(bpfrt_map_lookup(m, &k, &out, BPF_F_LOCK), 0);
    CHECK_EQ(out.a, 0x1111);
    CHECK_EQ(out.lock.val, 0);   /* nor shown */
    CHECK_EQ(out.b, 0x2222);
    CHECK_EQ(bpfrt_map_update(m, &k, &in, BPF_F_LOCK | BPF_NOEXIST), -BPFRT_EEXIST);
    CHECK_EQ(bpfrt_map_update(m, &k, &in, BPF_F_LOCK | BPF_EXIST), 0);
    CHECK_EQ(bpfrt_map_freeze(m), -BPFRT_ENOTSUPP); /* maps with a lock cannot be frozen */
    if (p) {
        bpfrt_spin_lock(&p->lock);
        CHECK_EQ(p->lock.val, 1);
        bpfrt_spin_unlock(&p->lock);
        CHECK_EQ(p->lock.val, 0);
    }
    bpfrt_map_put(m);
    bpfrt_map_put(pc);
}

static void test_global_data(void)
{
    struct bpfrt_map *data = mk(BPF_MAP_TYPE_ARRAY, 4, 20, 1, BPF_F_MMAPABLE);
    struct bpfrt_map *rodata = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
    struct bpfrt_map *two = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0);
    struct bpfrt_map *hash = mk(BPF_MAP_TYPE_HASH, 4, 8, 2, 0);
    if (!data || !rodata || !two || !hash)
        return;
    uint64_t addr = 0;
    CHECK_EQ(bpfrt_map_direct_value_addr(data, 0, &addr), 0);
    uint32_t k = 0;
    CHECK(addr != 0 && (void *)(uintptr_t)addr == bpfrt_map_lookup_elem(data, &k, 0));
    CHECK_EQ(bpfrt_map_direct_value_addr(data, 19, &addr), 0);
    CHECK_EQ(bpfrt_map_direct_value_addr(data, 20, &addr), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_direct_value_addr(two, 0, &addr), -BPFRT_ENOTSUPP);
    CHECK_EQ(bpfrt_map_direct_value_addr(hash, 0, &addr), -BPFRT_EINVAL);
    size_t sz = 0;
    void *mm = bpfrt_map_mmap_addr(data, &sz);
    CHECK(mm != NULL && ((uintptr_t)mm & 4095) == 0);
    CHECK_EQ(sz, 4096);
    CHECK(bpfrt_map_mmap_addr(two, &sz) == NULL);
    /* .rodata: the loader writes the initial value, then freezes. */
    uint64_t init = 0x0123456789abcdefull, out = 0;
    CHECK_EQ(bpfrt_map_update(rodata, &k, &init, 0), 0);
    CHECK_EQ(bpfrt_map_freeze(rodata), 0);
    CHECK(__atomic_load_n(&rodata->frozen, __ATOMIC_RELAXED));
    CHECK_EQ(bpfrt_map_update(rodata, &k, &out, 0), -BPFRT_EPERM);
    CHECK_EQ(bpfrt_map_update_elem(rodata, &k, &out, 0, 0), -BPFRT_EPERM);
    CHECK_EQ(bpfrt_map_lookup(rodata, &k, &out, 0), 0);
    CHECK_EQ(out, init);
    bpfrt_map_put(data);
    bpfrt_map_put(rodata);
    bpfrt_map_put(two);
    bpfrt_map_put(hash);
}

/* A big array: the last slot is reachable and zeroed. */
static void test_large(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_ARRAY, 4, 4, 1u << 20, 0);
    if (!m)
        return;
    uint32_t k = (1u << 20) - 1, v = 0xabc, out = 1;
    CHECK_EQ(bpfrt_map_lookup(m, &k, &out, 0), 0);
    CHECK_EQ(out, 0);
    CHECK_EQ(bpfrt_map_update(m, &k, &v, 0), 0);
    CHECK_EQ(bpfrt_map_lookup(m, &k, &out, 0), 0);
    CHECK_EQ(out, 0xabc);
    bpfrt_map_put(m);
}

int main(void)
{
    rt_setup();
    RUN(test_array_commands);
    RUN(test_access_flags);
    RUN(test_program_side);
    RUN(test_for_each);
    RUN(test_percpu);
    RUN(test_spin_lock);
    RUN(test_global_data);
    RUN(test_large);
    rt_teardown();
    return test_summary();
}
