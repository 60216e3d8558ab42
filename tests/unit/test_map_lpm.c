/* LPM_TRIE: longest-prefix match, update flags and -ENOSPC when full,
 * delete with the prefix length checked, intermediate nodes, and
 * get_next_key's postorder - all run on the kernel too when allowed, with
 * the returned keys compared byte for byte. A random sweep checks lookups
 * against a brute-force longest-prefix search. */
#include "test.h"
#include "test_map_util.h"

struct k4 {
    uint32_t prefixlen;
    uint8_t d[4];
};

static struct k4 K(uint32_t plen, uint8_t a, uint8_t b, uint8_t c, uint8_t e)
{
    struct k4 k = { plen, { a, b, c, e } };
    return k;
}

static void test_commands(void)
{
    struct dual d = dual_new(BPF_MAP_TYPE_LPM_TRIE, 8, 8, 3, BPF_F_NO_PREALLOC);
    struct k4 k = K(33, 1, 2, 3, 4), next;
    uint64_t v = 1;
    dual_cmd(&d, U, &k, &v, 8, 0, -BPFRT_EINVAL, 1);        /* prefix longer than the data */
    dual_cmd(&d, D, &k, NULL, 0, 0, -BPFRT_EINVAL, 1);
    dual_cmd(&d, L, &k, &v, 8, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, N, &k, &next, 8, 0, -BPFRT_ENOENT, 1);     /* empty */
    k = K(16, 192, 168, 0, 0);
    dual_cmd(&d, U, &k, &v, 8, BPF_F_LOCK, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k, &v, 8, 3, -BPFRT_EINVAL, 1);
    dual_cmd(&d, U, &k, &v, 8, BPF_EXIST, -BPFRT_ENOENT, 1);
    dual_cmd(&d, U, &k, &v, 8, 0, 0, 1);
    dual_cmd(&d, U, &k, &v, 8, BPF_NOEXIST, -BPFRT_EEXIST, 1);
    v = 2;
    k = K(24, 192, 168, 1, 0);
    dual_cmd(&d, U, &k, &v, 8, 0, 0, 1);
    v = 3;
    k = K(24, 192, 168, 0, 0);
    dual_cmd(&d, U, &k, &v, 8, 0, 0, 1);
    k = K(24, 192, 168, 128, 0);
    dual_cmd(&d, U, &k, &v, 8, 0, -BPFRT_ENOSPC, 1);        /* full */
    k = K(24, 192, 168, 0, 0);
    dual_cmd(&d, U, &k, &v, 8, 0, 0, 1);                    /* replacing is fine */
    k = K(8, 10, 0, 0, 0);
    dual_cmd(&d, D, &k, NULL, 0, 0, -BPFRT_ENOENT, 1);
    dual_cmd(&d, LD, &k, &v, 8, 0, -BPFRT_ENOTSUPP, 1);
    /* lookups: longest match */
    uint64_t out;
    k = K(32, 192, 168, 1, 77);
    dual_cmd(&d, L, &k, &out, 8, 0, 0, 1);                  /* the /24 (value 2) */
    k = K(32, 192, 168, 7, 1);
    dual_cmd(&d, L, &k, &out, 8, 0, 0, 1);                  /* the /16 */
    k = K(32, 10, 0, 0, 0);
    dual_cmd(&d, L, &k, &out, 8, 0, -BPFRT_ENOENT, 1);
    k = K(20, 192, 168, 1, 0);
    dual_cmd(&d, L, &k, &out, 8, 0, 0, 1);                  /* the key's prefix limits: /16 */
    /* postorder walk */
    dual_cmd(&d, N, NULL, &next, 8, 0, 0, 1);
    k = K(24, 192, 168, 0, 0);
    dual_cmd(&d, N, &k, &next, 8, 0, 0, 1);
    k = K(24, 192, 168, 1, 0);
    dual_cmd(&d, N, &k, &next, 8, 0, 0, 1);
    k = K(16, 192, 168, 0, 0);
    dual_cmd(&d, N, &k, &next, 8, 0, -BPFRT_ENOENT, 1);
    k = K(20, 1, 1, 1, 1);
    dual_cmd(&d, N, &k, &next, 8, 0, 0, 1);                 /* unknown key: first */
    /* delete compares only the prefix bits */
    k = K(24, 192, 168, 1, 77);
    dual_cmd(&d, D, &k, NULL, 0, 0, 0, 1);
    dual_cmd(&d, D, &k, NULL, 0, 0, -BPFRT_ENOENT, 1);
    k = K(24, 192, 168, 0, 0);
    dual_cmd(&d, D, &k, NULL, 0, 0, 0, 1);
    k = K(16, 192, 168, 0, 0);
    dual_cmd(&d, N, NULL, &next, 8, 0, 0, 1);
    dual_cmd(&d, D, &k, NULL, 0, 0, 0, 1);
    dual_cmd(&d, N, NULL, &next, 8, 0, -BPFRT_ENOENT, 1);
    dual_free(&d);

    /* The expected walk, independent of the kernel (Linux's documented
     * example: 192.168.0.0/24, 192.168.1.0/24, 192.168.128.0/24, 192.168.0.0/16). */
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_LPM_TRIE, 8, 8, 8, BPF_F_NO_PREALLOC);
    if (!m)
        return;
    struct k4 ins[] = { K(16, 192, 168, 0, 0), K(24, 192, 168, 0, 0), K(24, 192, 168, 1, 0), K(24, 192, 168, 128, 0) };
    for (int i = 0; i < 4; i++)
        CHECK_EQ(bpfrt_map_update(m, &ins[i], &v, 0), 0);
    struct k4 order[] = { ins[1], ins[2], ins[3], ins[0] };
    int rc = bpfrt_map_get_next_key(m, NULL, &next), i = 0;
    while (rc == 0 && i < 4) {
        CHECK(memcmp(&next, &order[i], sizeof(next)) == 0);
        i++;
        k = next;
        rc = bpfrt_map_get_next_key(m, &k, &next);
    }
    CHECK_EQ(i, 4);
    CHECK_EQ(rc, -BPFRT_ENOENT);
    bpfrt_map_put(m);
}

/* Brute-force longest prefix over a small table. */
struct entry {
    uint32_t plen;
    uint8_t d[4];
    uint64_t v;
    int live;
};

static int bits_match(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (((a[i / 8] >> (7 - i % 8)) & 1) != ((b[i / 8] >> (7 - i % 8)) & 1))
            return 0;
    return 1;
}

static void test_random(void)
{
    enum { SLOTS = 64 };
    const char *e = getenv("BPFRT_FUZZ_ITERS");
    long iters = e ? atol(e) : 2000;
    struct dual d = dual_new(BPF_MAP_TYPE_LPM_TRIE, 8, 8, 10000, BPF_F_NO_PREALLOC);
    if (!d.m)
        return;
    static struct entry tab[SLOTS];
    memset(tab, 0, sizeof(tab));
    unsigned seed = 777;
    int bad = 0, kbad = 0;
    for (long it = 0; it < iters; it++) {
        seed = seed * 1103515245u + 12345u;
        unsigned slot = (seed >> 8) % SLOTS;
        struct entry *en = &tab[slot];
        if (!en->live || ((seed >> 20) & 3) == 0) {
            /* (re)insert a prefix drawn from a small space so they nest */
            uint32_t plen = (seed >> 3) % 33;
            uint8_t a = (uint8_t)(10 + ((seed >> 12) & 1)), b = (uint8_t)((seed >> 14) & 3);
            if (en->live) {
                struct k4 dk = { en->plen, { en->d[0], en->d[1], en->d[2], en->d[3] } };
                bpfrt_map_delete(d.m, &dk);
                if (d.kfd >= 0)
                    kbpf_map_elem(BPF_MAP_DELETE_ELEM, d.kfd, &dk, NULL, 0);
                en->live = 0;
            }
            uint8_t raw[4] = { a, b, (uint8_t)(seed >> 24), (uint8_t)(seed >> 16) };
            /* keep bits beyond plen zero so identical prefixes are identical keys */
            for (uint32_t bit = plen; bit < 32; bit++)
                raw[bit / 8] &= (uint8_t)~(1u << (7 - bit % 8));
            int dup = 0;
            for (int j = 0; j < SLOTS; j++)
                if (tab[j].live && tab[j].plen == plen && memcmp(tab[j].d, raw, 4) == 0)
                    dup = 1;
            if (dup)
                continue;
            struct k4 k = { plen, { raw[0], raw[1], raw[2], raw[3] } };
            uint64_t v = it;
            bad += bpfrt_map_update(d.m, &k, &v, BPF_NOEXIST) != 0;
            if (d.kfd >= 0)
                kbad += kbpf_map_elem(BPF_MAP_UPDATE_ELEM, d.kfd, &k, &v, BPF_NOEXIST) != 0;
            en->plen = plen;
            memcpy(en->d, raw, 4);
            en->v = v;
            en->live = 1;
        } else {
            struct k4 k = { en->plen, { en->d[0], en->d[1], en->d[2], en->d[3] } };
            bad += bpfrt_map_delete(d.m, &k) != 0;
            if (d.kfd >= 0)
                kbad += kbpf_map_elem(BPF_MAP_DELETE_ELEM, d.kfd, &k, NULL, 0) != 0;
            en->live = 0;
        }
        /* probe a random address */
        uint8_t addr[4] = { (uint8_t)(10 + (seed & 1)), (uint8_t)((seed >> 1) & 3), (uint8_t)(seed >> 5), (uint8_t)(seed >> 13) };
        int best = -1;
        for (int j = 0; j < SLOTS; j++)
            if (tab[j].live && bits_match(tab[j].d, addr, tab[j].plen) &&
                (best < 0 || tab[j].plen > tab[best].plen))
                best = j;
        struct k4 q = { 32, { addr[0], addr[1], addr[2], addr[3] } };
        uint64_t out = 0;
        int rc = bpfrt_map_lookup(d.m, &q, &out, 0);
        if (best < 0)
            bad += rc != -BPFRT_ENOENT;
        else
            bad += rc != 0 || out != tab[best].v;
        if (d.kfd >= 0) {
            uint64_t kout = 0;
            long krc = kbpf_map_elem(BPF_MAP_LOOKUP_ELEM, d.kfd, &q, &kout, 0);
            kbad += krc != rc || (rc == 0 && kout != out);
        }
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(kbad, 0);
    /* The full walk matches the kernel's key for key. */
    if (d.kfd >= 0) {
        struct k4 a, b = {0}, ka, kb; /* b: filled through a const void * clang cannot follow */
        int ra = bpfrt_map_get_next_key(d.m, NULL, &a);
        long rk = kbpf_map_elem(BPF_MAP_GET_NEXT_KEY, d.kfd, NULL, &b, 0);
        int steps = 0, diff = 0;
        while (ra == 0 && rk == 0 && steps < 1000) {
            diff += memcmp(&a, &b, sizeof(a)) != 0;
            ka = a;
            kb = b;
            ra = bpfrt_map_get_next_key(d.m, &ka, &a);
            rk = kbpf_map_elem(BPF_MAP_GET_NEXT_KEY, d.kfd, &kb, &b, 0);
            steps++;
        }
        CHECK_EQ(diff, 0);
        CHECK_EQ(ra, rk);
    }
    dual_free(&d);
}

static void test_program_side(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, BPF_F_NO_PREALLOC);
    if (!m)
        return;
    struct k4 k = K(8, 10, 0, 0, 0), q = K(32, 10, 1, 2, 3), bad = K(40, 10, 0, 0, 0);
    uint32_t v = 5;
    CHECK_EQ(bpfrt_map_update_elem(m, &k, &v, BPF_ANY, 0), 0);
    const struct bpfrt_platform *p = bpfrt_runtime_platform(rt);
    p->read_lock(p->ctx);
    uint32_t *pv = bpfrt_map_lookup_elem(m, &q, 0);
    CHECK(pv && *pv == 5);
    CHECK(bpfrt_map_lookup_elem(m, &bad, 0) == NULL);
    v = 6;
    CHECK_EQ(bpfrt_map_update_elem(m, &k, &v, BPF_EXIST, 0), 0);
    CHECK(pv && *pv == 5); /* replaced node stays readable until the run ends */
    CHECK_EQ(bpfrt_map_delete_elem(m, &k), 0);
    CHECK(bpfrt_map_lookup_elem(m, &q, 0) == NULL);
    p->read_unlock(p->ctx);
    bpfrt_map_put(m);
}

/* Longest keys: 256 data bytes, 2048-bit prefixes. */
static void test_wide_keys(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_LPM_TRIE, 260, 4, 16, BPF_F_NO_PREALLOC);
    if (!m)
        return;
    unsigned char key[260] = { 0 }, next[260];
    uint32_t plen = 2048, v = 1;
    memcpy(key, &plen, 4);
    memset(key + 4, 0xab, 256);
    CHECK_EQ(bpfrt_map_update(m, key, &v, 0), 0);
    plen = 1000;
    memcpy(key, &plen, 4);
    v = 2;
    CHECK_EQ(bpfrt_map_update(m, key, &v, 0), 0);
    plen = 2048;
    memcpy(key, &plen, 4);
    key[259] ^= 1; /* differs only in the very last bit */
    uint32_t out = 0;
    CHECK_EQ(bpfrt_map_lookup(m, key, &out, 0), 0);
    CHECK_EQ(out, 2);
    key[259] ^= 1;
    CHECK_EQ(bpfrt_map_lookup(m, key, &out, 0), 0);
    CHECK_EQ(out, 1);
    CHECK_EQ(bpfrt_map_get_next_key(m, NULL, next), 0);
    CHECK(memcmp(next, key, 260) == 0); /* the /2048 comes first in postorder */
    bpfrt_map_put(m);
}

int main(void)
{
    rt_setup();
    RUN(test_commands);
    RUN(test_random);
    RUN(test_program_side);
    RUN(test_wide_keys);
    rt_teardown();
    return test_summary();
}
