/* BPF_MAP_TYPE_STACK_TRACE (kernel/bpf/stackmap.c): stack ids to call
 * chains. bpf_get_stackid hashes a chain into one of n_buckets =
 * roundup_pow_of_two(max_entries) buckets and answers the bucket index; at
 * most max_entries chains are stored at once (Linux preallocates that many
 * elements: a new chain, even one replacing another, needs a free one
 * first, else -ENOMEM). A value is value_size / 8 addresses (or 32-byte
 * build-id records with BPF_F_STACK_BUILD_ID), zero-filled after the chain.
 * User space looks ids up, deletes them or takes them out
 * (lookup_and_delete); updates are -EINVAL.
 *
 * Readers load bucket pointers with acquire; a replaced or deleted element
 * waits for readers through defer_free. */
#include "core/maps/map_family.h"

#define STACK_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_STACK_BUILD_ID)
#define BUILD_ID_RECORD 32u /* sizeof(struct bpf_stack_build_id) */

struct stack_bucket {
    struct bpfrt_runtime *rt;
    size_t alloc_size;
    uint32_t hash, nr;           /* nr entries of elem size in data */
    unsigned char data[] __attribute__((aligned(8)));
};

struct stack_map {
    struct bpfrt_map map;        /* must be first */
    uint32_t n_buckets;
    uint32_t elem_size;          /* 8, or 32 with BPF_F_STACK_BUILD_ID */
    uint32_t live;               /* atomic: elements in use (<= max_entries) */
    struct stack_bucket **buckets;
};

static struct stack_map *to_smap(struct bpfrt_map *map) { return (struct stack_map *)map; }

static int stack_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    (void)rt;
    uint32_t vs = attr->value_size;
    if (attr->map_flags & ~STACK_CREATE_FLAG_MASK)
        return -BPFRT_EINVAL;
    if (attr->max_entries == 0 || attr->key_size != 4 || vs < 8 || vs % 8)
        return -BPFRT_EINVAL;
    if (attr->map_flags & BPF_F_STACK_BUILD_ID) {
        if (vs % BUILD_ID_RECORD || vs / BUILD_ID_RECORD > BPFRT_PERF_MAX_STACK)
            return -BPFRT_EINVAL;
    } else if (vs / 8 > BPFRT_PERF_MAX_STACK) {
        return -BPFRT_EINVAL;
    }
    if (attr->max_entries > (1u << 31))
        return -BPFRT_E2BIG;
    return 0;
}

static int stack_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr, struct bpfrt_map *inner,
                       struct bpfrt_map **out)
{
    (void)inner;
    /* Linux allocates the bucket array at once: 2^31 entries are 16 GiB,
     * -ENOMEM there; bpfrt stops at 1 GiB of buckets */
    if (bpfrt_roundup_pow_of_two(attr->max_entries) > (1u << 27))
        return -BPFRT_ENOMEM;
    struct stack_map *s = bpfrt_zalloc(rt, sizeof(*s));
    if (!s)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&s->map, &bpfrt_stack_trace_ops, rt, attr);
    s->n_buckets = (uint32_t)bpfrt_roundup_pow_of_two(attr->max_entries);
    s->elem_size = (attr->map_flags & BPF_F_STACK_BUILD_ID) ? BUILD_ID_RECORD : 8;
    s->buckets = bpfrt_zalloc(rt, (size_t)s->n_buckets * sizeof(*s->buckets));
    if (!s->buckets) {
        bpfrt_free(rt, s, sizeof(*s));
        return -BPFRT_ENOMEM;
    }
    *out = &s->map;
    return 0;
}

static void bucket_free_cb(void *arg)
{
    struct stack_bucket *b = arg;
    bpfrt_free(b->rt, b, b->alloc_size);
}

static void stack_free(struct bpfrt_map *map)
{
    struct stack_map *s = to_smap(map);
    for (uint32_t i = 0; i < s->n_buckets; i++)
        if (s->buckets[i])
            bucket_free_cb(s->buckets[i]);
    bpfrt_free(map->rt, s->buckets, (size_t)s->n_buckets * sizeof(*s->buckets));
    bpfrt_free(map->rt, s, sizeof(*s));
}

/* An element leaves the map: its memory waits for readers; its slot of the
 * max_entries budget is free at once (Linux pushes it back on the freelist). */
static void bucket_retire(struct stack_map *s, struct stack_bucket *b)
{
    __atomic_sub_fetch(&s->live, 1, __ATOMIC_RELAXED);
    bpfrt_map_defer_free(s->map.rt, bucket_free_cb, b);
}

static struct stack_bucket *bucket_load(struct stack_map *s, uint32_t id)
{
    return __atomic_load_n(&s->buckets[id], __ATOMIC_ACQUIRE);
}

/* Takes one of the max_entries elements for a chain of nr entries, filled
 * (build-id maps: struct bpf_stack_build_id {s32 status; u8 build_id[20];
 * u64 ip} records with status BPF_STACK_BUILD_ID_IP, the address alone:
 * there are no binaries to read build ids from). NULL: none free. */
static struct stack_bucket *bucket_new(struct stack_map *s, const uint64_t *ips, uint32_t nr, uint32_t hash)
{
    if (__atomic_add_fetch(&s->live, 1, __ATOMIC_RELAXED) > s->map.max_entries) {
        __atomic_sub_fetch(&s->live, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    size_t bytes = sizeof(struct stack_bucket) + (size_t)nr * s->elem_size;
    struct stack_bucket *nb = bpfrt_zalloc(s->map.rt, bytes);
    if (!nb) {
        __atomic_sub_fetch(&s->live, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    nb->rt = s->map.rt;
    nb->alloc_size = bytes;
    nb->hash = hash;
    nb->nr = nr;
    if (s->elem_size == 8) {
        bpfrt_memcpy(nb->data, ips, (size_t)nr * 8);
        return nb;
    }
    for (uint32_t i = 0; i < nr; i++) {
        int32_t status = 2;
        bpfrt_memcpy(nb->data + i * BUILD_ID_RECORD, &status, 4);
        bpfrt_memcpy(nb->data + i * BUILD_ID_RECORD + 24, &ips[i], 8);
    }
    return nb;
}

static bool bucket_same(const struct stack_bucket *a, const struct stack_bucket *b, uint32_t elem_size)
{
    return a->nr == b->nr && bpfrt_memcmp(a->data, b->data, (size_t)a->nr * elem_size) == 0;
}

long bpfrt_stackmap_get_id(struct bpfrt_map *map, const uint64_t *ips, uint32_t nr, uint64_t flags)
{
    if (map->map_type != BPF_MAP_TYPE_STACK_TRACE)
        return -BPFRT_EINVAL;
    struct stack_map *s = to_smap(map);
    uint32_t hash = bpfrt_map_hash(ips, nr * 8, 0);
    uint32_t id = hash & (s->n_buckets - 1);
    struct stack_bucket *b = bucket_load(s, id);
    bool hash_matches = b && b->hash == hash;
    if (hash_matches && (flags & BPF_F_FAST_STACK_CMP))
        return id;
    struct stack_bucket *nb;
    if (s->elem_size == 8) {
        if (hash_matches && b->nr == nr && bpfrt_memcmp(b->data, ips, (size_t)nr * 8) == 0)
            return id;
        if (b && !(flags & BPF_F_REUSE_STACKID))
            return -BPFRT_EEXIST;
        nb = bucket_new(s, ips, nr, hash);
        if (!nb)
            return -BPFRT_ENOMEM;
    } else {
        /* Linux builds the build-id records before it compares */
        nb = bucket_new(s, ips, nr, hash);
        if (!nb)
            return -BPFRT_ENOMEM;
        if (hash_matches && bucket_same(b, nb, s->elem_size)) {
            bucket_retire(s, nb);
            return id;
        }
        if (b && !(flags & BPF_F_REUSE_STACKID)) {
            bucket_retire(s, nb);
            return -BPFRT_EEXIST;
        }
    }
    struct stack_bucket *old = __atomic_exchange_n(&s->buckets[id], nb, __ATOMIC_ACQ_REL);
    if (old)
        bucket_retire(s, old);
    return id;
}

static int stack_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    (void)flags;
    struct stack_map *s = to_smap(map);
    uint32_t id = bpfrt_map_key_index(key);
    if (id >= s->n_buckets)
        return -BPFRT_ENOENT;
    struct stack_bucket *b = bucket_load(s, id);
    if (!b)
        return -BPFRT_ENOENT;
    uint32_t len = b->nr * s->elem_size;
    bpfrt_memcpy(value, b->data, len);
    bpfrt_memset((char *)value + len, 0, map->value_size - len);
    return 0;
}

/* bpf_stackmap_extract with delete: the chain is taken out, then copied. */
static int stack_sys_lookup_and_delete(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    (void)flags;
    struct stack_map *s = to_smap(map);
    uint32_t id = bpfrt_map_key_index(key);
    if (id >= s->n_buckets)
        return -BPFRT_ENOENT;
    struct stack_bucket *b = __atomic_exchange_n(&s->buckets[id], NULL, __ATOMIC_ACQ_REL);
    if (!b)
        return -BPFRT_ENOENT;
    uint32_t len = b->nr * s->elem_size;
    bpfrt_memcpy(value, b->data, len);
    bpfrt_memset((char *)value + len, 0, map->value_size - len);
    bucket_retire(s, b);
    return 0;
}

static int stack_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    (void)map, (void)key, (void)value, (void)flags;
    return -BPFRT_EINVAL;
}

static long stack_delete_elem(struct bpfrt_map *map, const void *key)
{
    struct stack_map *s = to_smap(map);
    uint32_t id = bpfrt_map_key_index(key);
    if (id >= s->n_buckets)
        return -BPFRT_E2BIG;
    struct stack_bucket *old = __atomic_exchange_n(&s->buckets[id], NULL, __ATOMIC_ACQ_REL);
    if (!old)
        return -BPFRT_ENOENT;
    bucket_retire(s, old);
    return 0;
}

static int stack_sys_delete(struct bpfrt_map *map, const void *key)
{
    return (int)stack_delete_elem(map, key);
}

/* The next id holding a chain after key (no key, or an empty or
 * out-of-range one, starts at 0), as Linux's stack_map_get_next_key. */
static int stack_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    struct stack_map *s = to_smap(map);
    uint32_t id = 0;
    if (key) {
        id = bpfrt_map_key_index(key);
        id = (id >= s->n_buckets || !bucket_load(s, id)) ? 0 : id + 1;
    }
    while (id < s->n_buckets && !bucket_load(s, id))
        id++;
    if (id >= s->n_buckets)
        return -BPFRT_ENOENT;
    bpfrt_memcpy(next_key, &id, 4);
    return 0;
}

const struct bpfrt_map_ops bpfrt_stack_trace_ops = {
    .alloc_check = stack_alloc_check,
    .alloc = stack_alloc,
    .free = stack_free,
    .sys_lookup = stack_sys_lookup,
    .sys_update = stack_sys_update,
    .sys_delete = stack_sys_delete,
    .sys_lookup_and_delete = stack_sys_lookup_and_delete,
    .get_next_key = stack_get_next_key,
    .delete_elem = stack_delete_elem,
};
