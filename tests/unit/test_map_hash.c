/* HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH: update flags, full maps,
 * iteration (every key once; a missing key restarts from the first), delete
 * and lookup_and_delete, value pointers that outlive replacement, per-CPU
 * layout, BPF_F_LOCK, LRU eviction and a randomized comparison against a
 * simple model. Command errnos also run on the kernel when allowed. */
#include "test.h"
#include "test_map_util.h"

static const struct bpfrt_platform *plat(void) { return bpfrt_runtime_platform(rt); }
static void rlock(void) { plat()->read_lock(plat()->ctx); }
static void runlock(void) { plat()->read_unlock(plat()->ctx); }

static void test_hash_commands(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_HASH, 4, 8, 2, 0);
    uint32_t k1 = 1, k2 = 2, k3 = 3, next;
    uint64_t v = 0xabcdef, out = 0;
    dual_cmd(&d, L, &k1, &out, 8, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, N, NULL, &next, 4, 0, -BPFRT_ENOENT, 1);   /* empty */
    dual_cmd(&d, U, &k1, &v, 8, BPF_EXIST, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, &k1, &v, 8, 3, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k1, &v, 8, BPF_F_LOCK, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k1, &v, 8, BPF_ANY, 0, 1);
    dual_cmd(&d, U, &k1, &v, 8, BPF_NOEXIST, -BPFRT_EEXIST, 1);
    dual_cmd(&d, U, &k1, &v, 8, BPF_EXIST, 0, 1);
    dual_cmd(&d, L, &k1, &out, 8, 0, 0, 1);
    dual_cmd(&d, U, &k2, &v, 8, BPF_NOEXIST, 0, 1);
    dual_cmd(&d, U, &k3, &v, 8, BPF_ANY, -BPFRT_E2BIG, 1);  /* full */
    dual_cmd(&d, U, &k2, &v, 8, BPF_ANY, 0, 1);             /* replacing in a full map works */
    dual_cmd(&d, N, &k3, &next, 4, 0, 0, 0);                /* missing key: first key */
    dual_cmd(&d, D, &k3, NULL, 0, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, D, &k2, NULL, 0, 0, 0, 1);
    dual_cmd(&d, D, &k2, NULL, 0, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, LD, &k2, &out, 8, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, LD, &k1, &out, 8, 8, -BPFRT_EINVAL, 1);
    dual_cmd(&d, LD, &k1, &out, 8, BPF_F_LOCK, -BPFRT_EINVAL, 1);
    dual_cmd(&d, LD, &k1, &out, 8, 0, 0, 1);
    dual_cmd(&d, L, &k1, &out, 8, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, &k1, &v, 8, BPF_ANY, 0, 1);
    dual_cmd(&d, F, NULL, NULL, 0, 0, 0, 1);
    dual_cmd(&d, D, &k1, NULL, 0, 0, -BPFRT_EPERM, 1);
    dual_cmd(&d, LD, &k1, &out, 8, 0, -BPFRT_EPERM, 1);
    dual_cmd(&d, N, NULL, &next, 4, 0, 0, 1);               /* single key: same answer */
    dual_free(&d);

    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
    if (!m)
        return;
    v = 77;
    CHECK_EQ(bpfrt_map_update(m, &k1, &v, 0), 0);
    out = 0;
    CHECK_EQ(bpfrt_map_lookup_and_delete(m, &k1, &out, 0), 0);
    CHECK_EQ(out, 77);
    CHECK_EQ(bpfrt_map_lookup(m, &k1, &out, 0), -BPFRT_ENOENT);
    bpfrt_map_put(m);
}

static void test_iteration(void)
{
    enum { COUNT = 1000 };
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 8, 4, COUNT, 0);
    if (!m)
        return;
    static unsigned char seen[COUNT];
    memset(seen, 0, sizeof(seen));
    for (uint64_t i = 0; i < COUNT; i++) {
        uint32_t v = (uint32_t)i;
        CHECK_EQ(bpfrt_map_update(m, &i, &v, BPF_NOEXIST), 0);
    }
    uint64_t key, next, extra = COUNT;
    uint32_t v = 0;
    CHECK_EQ(bpfrt_map_update(m, &extra, &v, 0), -BPFRT_E2BIG);
    int n = 0, rc = bpfrt_map_get_next_key(m, NULL, &next);
    while (rc == 0) {
        if (next < COUNT)
            seen[next]++;
        n++;
        key = next;
        rc = bpfrt_map_get_next_key(m, &key, &next);
    }
    CHECK_EQ(rc, -BPFRT_ENOENT);
    CHECK_EQ(n, COUNT);
    int all_once = 1;
    for (int i = 0; i < COUNT; i++)
        all_once &= seen[i] == 1;
    CHECK(all_once);
    /* A key not in the map starts the walk over. */
    uint64_t first, missing = 123456789;
    CHECK_EQ(bpfrt_map_get_next_key(m, NULL, &first), 0);
    CHECK_EQ(bpfrt_map_get_next_key(m, &missing, &next), 0);
    CHECK_EQ(next, first);
    /* Deleting while iterating (the usual "delete all" loop) empties it. */
    rc = bpfrt_map_get_next_key(m, NULL, &key);
    while (rc == 0) {
        rc = bpfrt_map_get_next_key(m, &key, &next);
        CHECK_EQ(bpfrt_map_delete(m, &key), 0);
        key = next;
    }
    CHECK_EQ(bpfrt_map_get_next_key(m, NULL, &next), -BPFRT_ENOENT);
    bpfrt_map_put(m);
}

static void test_zero_seed_order(void)
{
    struct bpfrt_map *a = mk(BPF_MAP_TYPE_HASH, 4, 4, 64, BPF_F_ZERO_SEED);
    struct bpfrt_map *b = mk(BPF_MAP_TYPE_HASH, 4, 4, 64, BPF_F_ZERO_SEED | BPF_F_NO_PREALLOC);
    if (!a || !b)
        return;
    for (uint32_t i = 0; i < 40; i++) {
        CHECK_EQ(bpfrt_map_update(a, &i, &i, 0), 0);
        CHECK_EQ(bpfrt_map_update(b, &i, &i, 0), 0);
    }
    uint32_t ka, kb;
    int ra = bpfrt_map_get_next_key(a, NULL, &ka), rb = bpfrt_map_get_next_key(b, NULL, &kb), same = 1;
    while (ra == 0 && rb == 0) {
        same &= ka == kb;
        uint32_t pa = ka, pb = kb;
        ra = bpfrt_map_get_next_key(a, &pa, &ka);
        rb = bpfrt_map_get_next_key(b, &pb, &kb);
    }
    CHECK(same);
    CHECK_EQ(ra, rb);
    bpfrt_map_put(a);
    bpfrt_map_put(b);
}

static void test_program_side(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 4, 16, 4, 0);
    if (!m)
        return;
    uint32_t k = 5;
    uint64_t v1[2] = { 1, 2 }, v2[2] = { 3, 4 };
    rlock();
    CHECK(bpfrt_map_lookup_elem(m, &k, 0) == NULL);
    CHECK_EQ(bpfrt_map_update_elem(m, &k, v1, BPF_ANY, 0), 0);
    uint64_t *p = bpfrt_map_lookup_elem(m, &k, 0);
    CHECK(p && p[0] == 1 && p[1] == 2);
    CHECK_EQ((uintptr_t)p % 8, 0);
    /* Replacing publishes a new element; the old pointer keeps its contents
     * until the run (read-side section) ends, as Linux's hash maps. */
    CHECK_EQ(bpfrt_map_update_elem(m, &k, v2, BPF_EXIST, 0), 0);
    CHECK(p && p[0] == 1);
    uint64_t *q = bpfrt_map_lookup_elem(m, &k, 0);
    CHECK(q && q[0] == 3 && q[1] == 4);
    CHECK_EQ(bpfrt_map_delete_elem(m, &k), 0);
    CHECK_EQ(bpfrt_map_delete_elem(m, &k), -BPFRT_ENOENT);
    CHECK(q && q[1] == 4); /* still readable inside the section */
    CHECK(bpfrt_map_lookup_elem(m, &k, 0) == NULL);
    CHECK_EQ(bpfrt_map_update_elem(m, &k, v1, 7, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_elem(m, &k, v1, BPF_F_LOCK, 0), -BPFRT_EINVAL);
    runlock();
    bpfrt_map_put(m);
}

static uint64_t count_cb(struct bpfrt_map *map, const void *key, void *value, void *ctx)
{
    uint32_t *acc = ctx;
    acc[0] += *(uint32_t *)value;
    return ++acc[1] == acc[2];
}

static void test_for_each(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 4, 4, 16, 0);
    if (!m)
        return;
    for (uint32_t i = 1; i <= 10; i++)
        CHECK_EQ(bpfrt_map_update(m, &i, &i, 0), 0);
    uint32_t acc[3] = { 0, 0, 100 };
    rlock();
    CHECK_EQ(bpfrt_map_for_each(m, count_cb, acc, 0), 10);
    CHECK_EQ(acc[0], 55);
    uint32_t acc2[3] = { 0, 0, 4 };
    CHECK_EQ(bpfrt_map_for_each(m, count_cb, acc2, 0), 4);
    runlock();
    bpfrt_map_put(m);
}

static void test_percpu_hash(void)
{
    unsigned n = rt_ncpus();
    struct dual d = dual_new(BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 2, 0);
    if ((unsigned)sysconf(_SC_NPROCESSORS_CONF) != n && d.kfd >= 0) {
        close(d.kfd);
        d.kfd = -1;
    }
    uint32_t k = 9, in[2 * 256] = { 0 }, out[2 * 256];
    for (unsigned c = 0; c < n && c < 256; c++)
        in[2 * c] = 10 + c, in[2 * c + 1] = 0x5a5a;
    size_t sz = (size_t)8 * n;
    dual_cmd(&d, U, &k, in, sz, BPF_F_LOCK, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k, in, sz, 0, 0, 1);
    dual_cmd(&d, L, &k, in, sz, 0, 0, 1);
    dual_cmd(&d, LD, &k, in, sz, 0, 0, 1);
    dual_cmd(&d, L, &k, in, sz, 0, -BPFRT_ENOENT, 1);
    dual_free(&d);

    struct bpfrt_map *m = mk(BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 2, 0);
    if (!m)
        return;
    /* A program on CPU n-1 creates the element: other CPUs' copies are zero. */
    uint32_t v = 42;
    CHECK_EQ(bpfrt_map_update_elem(m, &k, &v, BPF_ANY, n - 1), 0);
    memset(out, 0xff, sizeof(out));
    CHECK_EQ(bpfrt_map_lookup(m, &k, out, 0), 0);
    CHECK_EQ(out[2 * (n - 1)], 42);
    if (n > 1)
        CHECK_EQ(out[0], 0);
    rlock();
    uint32_t *p0 = bpfrt_map_lookup_elem(m, &k, 0);
    /* Per-CPU values are updated in place (the pointer stays live). */
    CHECK_EQ(bpfrt_map_update(m, &k, in, BPF_EXIST), 0);
    CHECK(p0 && *p0 == 10);
    CHECK(bpfrt_map_lookup_percpu_elem(m, &k, n) == NULL);
    CHECK(bpfrt_map_lookup_percpu_elem(m, &k, 0) == p0);
    runlock();
    bpfrt_map_put(m);
}

struct locked_val {
    struct bpf_spin_lock lock;
    uint32_t x;
    uint64_t y;
};

static void test_spin_lock(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 4, sizeof(struct locked_val), 4, 0);
    struct bpfrt_map *lru = mk(BPF_MAP_TYPE_LRU_HASH, 4, sizeof(struct locked_val), 4, 0);
    if (!m || !lru)
        return;
    CHECK_EQ(bpfrt_map_set_spin_lock_off(lru, 0), -BPFRT_EOPNOTSUPP);
    CHECK_EQ(bpfrt_map_set_spin_lock_off(m, 0), 0);
    uint32_t k = 1;
    struct locked_val in = { { 7 }, 11, 12 }, out;
    CHECK_EQ(bpfrt_map_update(m, &k, &in, BPF_F_LOCK | BPF_EXIST), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_update(m, &k, &in, BPF_F_LOCK), 0); /* inserts */
    rlock();
    struct locked_val *p = bpfrt_map_lookup_elem(m, &k, 0);
    CHECK(p && p->lock.val == 0 && p->x == 11);
    in.x = 21;
    CHECK_EQ(bpfrt_map_update(m, &k, &in, BPF_F_LOCK), 0);
    CHECK(p && p->x == 21); /* BPF_F_LOCK updates in place */
    CHECK(bpfrt_map_lookup_elem(m, &k, 0) == p);
    runlock();
    CHECK_EQ(bpfrt_map_update(m, &k, &in, BPF_F_LOCK | BPF_NOEXIST), -BPFRT_EEXIST);
    memset(&out, 0xff, sizeof(out));
    CHECK_EQ(bpfrt_map_lookup_and_delete(m, &k, &out, BPF_F_LOCK), 0);
    CHECK_EQ(out.x, 21);
    CHECK_EQ(out.lock.val, 0);
    bpfrt_map_put(m);
    bpfrt_map_put(lru);
}

static void test_lru(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, 0);
    uint32_t k = 0;
    uint64_t v = 1;
    dual_cmd(&d, U, &k, &v, 8, BPF_EXIST, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, &k, &v, 8, 0, 0, 1);
    dual_cmd(&d, U, &k, &v, 8, BPF_NOEXIST, -BPFRT_EEXIST, 1);
    dual_cmd(&d, LD, &k, &v, 8, 0, 0, 1);
    dual_free(&d);

    enum { MAX = 64 };
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_LRU_HASH, 4, 8, MAX, 0);
    if (!m)
        return;
    for (uint32_t i = 0; i < MAX; i++)
        CHECK_EQ(bpfrt_map_update(m, &i, &v, 0), 0);
    /* Programs keep touching the first 8 keys. */
    rlock();
    for (uint32_t i = 0; i < 8; i++)
        CHECK(bpfrt_map_lookup_elem(m, &i, 0) != NULL);
    runlock();
    /* A full LRU map never says E2BIG: it evicts. */
    for (uint32_t i = MAX; i < MAX + 32; i++)
        CHECK_EQ(bpfrt_map_update(m, &i, &v, BPF_NOEXIST), 0);
    int present = 0, hot = 0, newest = 0;
    for (uint32_t i = 0; i < MAX + 32; i++) {
        uint64_t out;
        int ok = bpfrt_map_lookup(m, &i, &out, 0) == 0;
        present += ok;
        if (i < 8)
            hot += ok;
        if (i >= MAX)
            newest += ok;
    }
    CHECK_EQ(present, MAX);
    CHECK_EQ(hot, 8);     /* recently used ones survived */
    CHECK_EQ(newest, 32); /* every insert landed */
    bpfrt_map_put(m);

    /* Per-CPU LRU: same policy, per-CPU values. */
    unsigned n = rt_ncpus();
    struct bpfrt_map *pm = mk(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 2, 0);
    if (!pm)
        return;
    uint64_t in[256] = { 0 }, out[256];
    for (unsigned c = 0; c < n && c < 256; c++)
        in[c] = 1000 + c;
    for (uint32_t i = 0; i < 5; i++)
        CHECK_EQ(bpfrt_map_update(pm, &i, in, 0), 0);
    uint32_t last = 4;
    CHECK_EQ(bpfrt_map_lookup(pm, &last, out, 0), 0);
    CHECK_EQ(out[n - 1], 1000 + n - 1);
    int cnt = 0;
    for (uint32_t i = 0; i < 5; i++)
        cnt += bpfrt_map_lookup(pm, &i, out, 0) == 0;
    CHECK_EQ(cnt, 2);
    bpfrt_map_put(pm);
}

/* Random operations against a direct-mapped model. */
static void test_random_model(void)
{
    enum { KEYS = 512, MAX = 256 };
    const char *e = getenv("BPFRT_FUZZ_ITERS");
    long iters = e ? atol(e) * 10 : 20000;
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 4, 4, MAX, 0);
    if (!m)
        return;
    static int model[KEYS];
    static unsigned char has[KEYS];
    memset(has, 0, sizeof(has));
    int count = 0, mismatches = 0;
    unsigned seed = 12345;
    for (long it = 0; it < iters; it++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t k = (seed >> 8) % KEYS, op = (seed >> 20) % 4, fl = (seed >> 24) % 3;
        int v = (int)(seed >> 4), got, want;
        switch (op) {
        case 0:
        case 1: /* update */
            if (fl == BPF_NOEXIST && has[k])
                want = -BPFRT_EEXIST;
            else if (fl == BPF_EXIST && !has[k])
                want = -BPFRT_ENOENT;
            else if (!has[k] && count == MAX)
                want = -BPFRT_E2BIG;
            else
                want = 0;
            got = bpfrt_map_update(m, &k, &v, fl);
            if (got == 0) {
                count += !has[k];
                has[k] = 1;
                model[k] = v;
            }
            break;
        case 2: /* delete */
            want = has[k] ? 0 : -BPFRT_ENOENT;
            got = bpfrt_map_delete(m, &k);
            if (got == 0) {
                has[k] = 0;
                count--;
            }
            break;
        default: { /* lookup */
            int out = 0;
            want = has[k] ? 0 : -BPFRT_ENOENT;
            got = bpfrt_map_lookup(m, &k, &out, 0);
            if (got == 0 && out != model[k])
                mismatches++;
        }
        }
        if (got != want)
            mismatches++;
    }
    CHECK_EQ(mismatches, 0);
    bpfrt_map_put(m);
}

/* Odd key and value sizes: every byte of the key counts, values keep
 * their exact bytes, iteration returns whole keys. */
static void test_sizes(void)
{
    for (uint32_t ks = 1; ks <= 19; ks += 3) {
        for (uint32_t vs = 1; vs <= 21; vs += 5) {
            struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, ks, vs, 64, 0);
            if (!m)
                return;
            unsigned char key[32], val[32], out[32], next[32];
            int bad = 0;
            for (int i = 0; i < 40; i++) {
                memset(key, 0, sizeof(key));
                key[ks - 1] = (unsigned char)i; /* only the last byte differs */
                memset(val, i, vs);
                bad += bpfrt_map_update(m, key, val, BPF_NOEXIST) != 0;
            }
            for (int i = 0; i < 40; i++) {
                memset(key, 0, sizeof(key));
                key[ks - 1] = (unsigned char)i;
                memset(out, 0xee, sizeof(out));
                bad += bpfrt_map_lookup(m, key, out, 0) != 0;
                for (uint32_t j = 0; j < vs; j++)
                    bad += out[j] != (unsigned char)i;
                bad += out[vs] != 0xee; /* nothing past value_size written */
            }
            int n = 0, rc = bpfrt_map_get_next_key(m, NULL, next);
            while (rc == 0) {
                n++;
                memcpy(key, next, ks);
                rc = bpfrt_map_get_next_key(m, key, next);
            }
            bad += n != 40;
            CHECK_EQ(bad, 0);
            bpfrt_map_put(m);
        }
    }
    /* per-CPU with a value that is not a multiple of 8, against the kernel */
    unsigned n = rt_ncpus();
    struct dual d = dual_new(BPF_MAP_TYPE_PERCPU_HASH, 3, 12, 4, 0);
    if ((unsigned)sysconf(_SC_NPROCESSORS_CONF) != n && d.kfd >= 0) {
        close(d.kfd);
        d.kfd = -1;
    }
    unsigned char key[3] = { 1, 2, 3 }, in[16 * 64];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(i * 7);
    dual_cmd(&d, BPF_MAP_UPDATE_ELEM, key, in, (size_t)16 * n, 0, 0, 1);
    dual_cmd(&d, BPF_MAP_LOOKUP_ELEM, key, in, (size_t)16 * n, 0, 0, 1);
    dual_free(&d);
}

int main(void)
{
    rt_setup();
    RUN(test_hash_commands);
    RUN(test_iteration);
    RUN(test_zero_seed_order);
    RUN(test_program_side);
    RUN(test_for_each);
    RUN(test_percpu_hash);
    RUN(test_spin_lock);
    RUN(test_lru);
    RUN(test_random_model);
    RUN(test_sizes);
    rt_teardown();
    return test_summary();
}
