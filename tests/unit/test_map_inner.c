/* ARRAY_OF_MAPS and HASH_OF_MAPS: inner maps must match the template
 * (type, sizes, flags; arrays also max_entries unless BPF_F_INNER_MAP),
 * user lookups give the inner map's id, program lookups the map itself, and
 * references follow replace/delete. The same updates run on the kernel. */
#include "test.h"
#include "test_map_util.h"

static struct bpfrt_map *mk_outer(uint32_t type, struct bpfrt_map *tmpl, uint32_t max)
{
    union bpf_attr a = kbpf_map_attr(type, 4, 4, max, 0);
    struct bpfrt_map *m = NULL;
    CHECK_EQ(bpfrt_map_create(rt, &a, tmpl, NULL, &m), 0);
    return m;
}

static long kmk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags, int inner)
{
    union bpf_attr a = kbpf_map_attr(type, ks, vs, max, flags);
    a.inner_map_fd = (uint32_t)inner;
    return kbpf(BPF_MAP_CREATE, &a);
}

/* Kernel: the same update results for the same template/inner pairs. */
static void test_kernel_rules(void)
{
    if (!kbpf_available())
        return;
    long hin = kmk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0);
    long aom = kmk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, (int)hin);
    long h_more = kmk(BPF_MAP_TYPE_HASH, 4, 8, 8, 0, 0);
    long h_vs = kmk(BPF_MAP_TYPE_HASH, 4, 16, 4, 0, 0);
    long h_flags = kmk(BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_PREALLOC, 0);
    uint32_t k = 0, k9 = 9, v;
    v = (uint32_t)h_more;
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)aom, &k, &v, 0), 0);  /* hash: max_entries may differ */
    v = (uint32_t)h_vs;
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)aom, &k, &v, 0), -EINVAL);
    v = (uint32_t)h_flags;
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)aom, &k, &v, 0), -EINVAL);
    v = (uint32_t)hin;
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)aom, &k, &v, BPF_NOEXIST), -EINVAL);
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)aom, &k9, &v, 0), -E2BIG);
    CHECK_EQ(kbpf_map_elem(BPF_MAP_DELETE_ELEM, (int)aom, &k9, NULL, 0), -E2BIG);
    long ain = kmk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0);
    long aoa = kmk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, (int)ain);
    long a5 = kmk(BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0, 0);
    v = (uint32_t)a5;
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)aoa, &k, &v, 0), -EINVAL); /* arrays: max_entries too */
    long ain_im = kmk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, 0);
    long aoa_im = kmk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, (int)ain_im);
    long a5_im = kmk(BPF_MAP_TYPE_ARRAY, 4, 8, 5, BPF_F_INNER_MAP, 0);
    v = (uint32_t)a5_im;
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)aoa_im, &k, &v, 0), 0);
    long hom = kmk(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, (int)hin);
    v = (uint32_t)hin;
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)hom, &k, &v, BPF_EXIST), -ENOENT);
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)hom, &k, &v, 0), 0);
    CHECK_EQ(kbpf_map_elem(BPF_MAP_UPDATE_ELEM, (int)hom, &k, &v, BPF_NOEXIST), -EEXIST);
    CHECK_EQ(kbpf_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, (int)hom, &k, &v, 0), -BPFRT_ENOTSUPP);
    CHECK_EQ(kbpf_map_elem(BPF_MAP_DELETE_ELEM, (int)hom, &k, NULL, 0), 0);
    CHECK_EQ(kbpf_map_elem(BPF_MAP_DELETE_ELEM, (int)hom, &k, NULL, 0), -ENOENT);
    long fds[] = { hin, aom, h_more, h_vs, h_flags, ain, aoa, a5, ain_im, aoa_im, a5_im, hom };
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        close((int)fds[i]);
}

static void test_array_of_maps(void)
{
    struct bpfrt_map *tmpl = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
    struct bpfrt_map *more = mk(BPF_MAP_TYPE_HASH, 4, 8, 8, 0);
    struct bpfrt_map *vs = mk(BPF_MAP_TYPE_HASH, 4, 16, 4, 0);
    struct bpfrt_map *fl = mk(BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_PREALLOC);
    struct bpfrt_map *arr = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
    if (!tmpl || !more || !vs || !fl || !arr)
        return;
    struct bpfrt_map *aom = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, tmpl, 4);
    if (!aom)
        return;
    uint32_t k = 0, k9 = 9, id = 0, next;
    CHECK_EQ(bpfrt_map_update_inner(aom, &k, more, 0), 0);
    CHECK_EQ(bpfrt_map_update_inner(aom, &k, vs, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_inner(aom, &k, fl, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_inner(aom, &k, arr, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_inner(aom, &k, tmpl, BPF_NOEXIST), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_inner(aom, &k9, tmpl, 0), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_map_update_inner(aom, &k, aom, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_inner(tmpl, &k, more, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update(aom, &k, &id, 0), -BPFRT_EINVAL);
    CHECK_EQ(more->refcnt, 2);
    CHECK_EQ(bpfrt_map_lookup(aom, &k, &id, 0), 0);
    CHECK_EQ(id, more->id);
    uint32_t k1 = 1;
    CHECK_EQ(bpfrt_map_lookup(aom, &k1, &id, 0), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_lookup(aom, &k9, &id, 0), -BPFRT_ENOENT);
    CHECK(bpfrt_map_lookup_elem(aom, &k, 0) == more);
    CHECK(bpfrt_map_lookup_elem(aom, &k1, 0) == NULL);
    CHECK(bpfrt_map_lookup_elem(aom, &k9, 0) == NULL);
    /* The program then uses the inner map through the usual helpers. */
    struct bpfrt_map *inner = bpfrt_map_lookup_elem(aom, &k, 0);
    uint64_t v = 5;
    CHECK(inner && bpfrt_map_update_elem(inner, &k, &v, 0, 0) == 0);
    CHECK_EQ(bpfrt_map_get_next_key(aom, &k, &next), 0);
    CHECK_EQ(next, 1);
    CHECK_EQ(bpfrt_map_update_elem(aom, &k, &id, 0, 0), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_lookup_and_delete(aom, &k, &id, 0), -BPFRT_ENOTSUPP);
    /* Replace and delete move the references. */
    CHECK_EQ(bpfrt_map_update_inner(aom, &k, tmpl, 0), 0);
    CHECK_EQ(more->refcnt, 1);
    CHECK_EQ(tmpl->refcnt, 2);
    CHECK_EQ(bpfrt_map_delete(aom, &k), 0);
    CHECK_EQ(bpfrt_map_delete(aom, &k), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_delete(aom, &k9), -BPFRT_E2BIG);
    CHECK_EQ(tmpl->refcnt, 1);
    /* An outer map put while holding inner maps releases them. */
    CHECK_EQ(bpfrt_map_update_inner(aom, &k1, more, 0), 0);
    CHECK_EQ(more->refcnt, 2);
    bpfrt_map_put(aom);
    bpfrt_hosted_quiesce();
    CHECK_EQ(more->refcnt, 1);

    /* Array templates: max_entries must match unless BPF_F_INNER_MAP. */
    struct bpfrt_map *a4 = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0), *a5 = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);
    struct bpfrt_map *i4 = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP);
    struct bpfrt_map *i5 = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 5, BPF_F_INNER_MAP);
    struct bpfrt_map *aoa = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, a4, 2);
    struct bpfrt_map *aoi = mk_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, i4, 2);
    if (a4 && a5 && i4 && i5 && aoa && aoi) {
        CHECK_EQ(bpfrt_map_update_inner(aoa, &k, a5, 0), -BPFRT_EINVAL);
        CHECK_EQ(bpfrt_map_update_inner(aoa, &k, a4, 0), 0);
        CHECK_EQ(bpfrt_map_update_inner(aoi, &k, i5, 0), 0);
        CHECK_EQ(bpfrt_map_update_inner(aoi, &k, a4, 0), -BPFRT_EINVAL); /* flags differ */
    }
    bpfrt_map_put(aoa);
    bpfrt_map_put(aoi);
    bpfrt_map_put(a4);
    bpfrt_map_put(a5);
    bpfrt_map_put(i4);
    bpfrt_map_put(i5);
    bpfrt_map_put(tmpl);
    bpfrt_map_put(more);
    bpfrt_map_put(vs);
    bpfrt_map_put(fl);
    bpfrt_map_put(arr);
}

static void test_hash_of_maps(void)
{
    struct bpfrt_map *tmpl = mk(BPF_MAP_TYPE_ARRAY, 4, 4, 2, 0);
    struct bpfrt_map *other = mk(BPF_MAP_TYPE_ARRAY, 4, 4, 2, 0);
    if (!tmpl || !other)
        return;
    struct bpfrt_map *hom = mk_outer(BPF_MAP_TYPE_HASH_OF_MAPS, tmpl, 2);
    if (!hom)
        return;
    uint32_t k = 100, k2 = 200, k3 = 300, id = 0;
    CHECK_EQ(bpfrt_map_update_inner(hom, &k, tmpl, BPF_EXIST), -BPFRT_ENOENT);
    CHECK_EQ(bpfrt_map_update_inner(hom, &k, tmpl, 3), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_map_update_inner(hom, &k, tmpl, BPF_NOEXIST), 0);
    CHECK_EQ(bpfrt_map_update_inner(hom, &k, tmpl, BPF_NOEXIST), -BPFRT_EEXIST);
    CHECK_EQ(bpfrt_map_update_inner(hom, &k2, other, 0), 0);
    CHECK_EQ(bpfrt_map_update_inner(hom, &k3, other, 0), -BPFRT_E2BIG);
    CHECK_EQ(tmpl->refcnt, 2);
    CHECK_EQ(other->refcnt, 2);
    CHECK_EQ(bpfrt_map_lookup(hom, &k, &id, 0), 0);
    CHECK_EQ(id, tmpl->id);
    CHECK(bpfrt_map_lookup_elem(hom, &k2, 0) == other);
    CHECK(bpfrt_map_lookup_elem(hom, &k3, 0) == NULL);
    CHECK_EQ(bpfrt_map_update_inner(hom, &k, other, BPF_EXIST), 0); /* replace */
    CHECK_EQ(tmpl->refcnt, 1);
    CHECK_EQ(other->refcnt, 3);
    CHECK_EQ(bpfrt_map_lookup_and_delete(hom, &k, &id, 0), -BPFRT_ENOTSUPP);
    CHECK_EQ(bpfrt_map_delete(hom, &k), 0);
    CHECK_EQ(bpfrt_map_delete(hom, &k), -BPFRT_ENOENT);
    CHECK_EQ(other->refcnt, 2);
    uint32_t next;
    CHECK_EQ(bpfrt_map_get_next_key(hom, NULL, &next), 0);
    CHECK_EQ(next, k2);
    bpfrt_map_put(hom); /* releases the inner map it still holds */
    bpfrt_hosted_quiesce();
    CHECK_EQ(other->refcnt, 1);
    bpfrt_map_put(tmpl);
    bpfrt_map_put(other);
}

int main(void)
{
    rt_setup();
    RUN(test_kernel_rules);
    RUN(test_array_of_maps);
    RUN(test_hash_of_maps);
    rt_teardown();
    return test_summary();
}
