/* BPF_MAP_TYPE_BLOOM_FILTER: a bit array sized as Linux sizes it
 * (max_entries * nr_hash * 7/5 bits, a power of two, at least 64), with
 * nr_hash = map_extra & 0xf (0 means 5) seeded hashes of the value. push
 * (UPDATE from user space) sets the bits, peek (LOOKUP) tests them: 0 when
 * all are set, -ENOENT otherwise. There is no delete and no iteration. */
#include "core/maps/maps_impl.h"

#define BLOOM_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | BPF_F_ACCESS_MASK)

struct bpfrt_bloom {
    struct bpfrt_map map;
    uint32_t nr_hash;
    uint32_t bit_mask;
    uint32_t seed;
    size_t bytes;
    uint64_t *bits;     /* atomic words */
};

static struct bpfrt_bloom *to_bloom(struct bpfrt_map *map) { return (struct bpfrt_bloom *)map; }

static int bloom_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->key_size != 0 || attr->value_size == 0 || attr->max_entries == 0 ||
        (attr->map_flags & ~BLOOM_CREATE_FLAG_MASK) || !bpfrt_map_flags_access_ok(attr->map_flags) ||
        (attr->map_extra & ~0xfull))
        return -BPFRT_EINVAL;
    if (attr->value_size > BPFRT_KMALLOC_MAX_SIZE)
        return -BPFRT_E2BIG;
    return 0;
}

static int bloom_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                       struct bpfrt_map *inner, struct bpfrt_map **out)
{
    struct bpfrt_bloom *b = bpfrt_zalloc(rt, sizeof(*b));
    if (!b)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&b->map, &bpfrt_bloom_filter_ops, rt, attr);
    b->nr_hash = (uint32_t)(attr->map_extra & 0xf);
    if (!b->nr_hash)
        b->nr_hash = 5;
    /* n * k / ln 2 bits, with 7/5 for 1/ln 2, as Linux */
    uint64_t nr_bits = (uint64_t)attr->max_entries * b->nr_hash;
    nr_bits = nr_bits / 5 * 7;
    uint64_t bytes;
    if (nr_bits > (1ull << 31)) {
        b->bit_mask = UINT32_MAX;
        bytes = (1ull << 32) / 8;
    } else {
        nr_bits = nr_bits <= 64 ? 64 : bpfrt_roundup_pow_of_two(nr_bits);
        b->bit_mask = (uint32_t)(nr_bits - 1);
        bytes = nr_bits / 8;
    }
    b->bytes = (size_t)bytes;
    b->seed = bpfrt_map_seed(rt, attr->map_flags);
    b->bits = bpfrt_zalloc(rt, b->bytes);
    if (!b->bits) {
        bpfrt_free(rt, b, sizeof(*b));
        return -BPFRT_ENOMEM;
    }
    *out = &b->map;
    return 0;
}

static void bloom_free(struct bpfrt_map *map)
{
    struct bpfrt_bloom *b = to_bloom(map);
    bpfrt_free(map->rt, b->bits, b->bytes);
    bpfrt_free(map->rt, b, sizeof(*b));
}

static uint32_t bloom_bit(struct bpfrt_bloom *b, const void *value, uint32_t i)
{
    return bpfrt_map_hash(value, b->map.value_size, b->seed + i) & b->bit_mask;
}

static long bloom_push(struct bpfrt_map *map, const void *value, uint64_t flags)
{
    struct bpfrt_bloom *b = to_bloom(map);
    if (flags != BPF_ANY)
        return -BPFRT_EINVAL;
    for (uint32_t i = 0; i < b->nr_hash; i++) {
        uint32_t bit = bloom_bit(b, value, i);
        __atomic_or_fetch(&b->bits[bit / 64], 1ull << (bit % 64), __ATOMIC_RELAXED);
    }
    return 0;
}

static long bloom_peek(struct bpfrt_map *map, void *value)
{
    struct bpfrt_bloom *b = to_bloom(map);
    for (uint32_t i = 0; i < b->nr_hash; i++) {
        uint32_t bit = bloom_bit(b, value, i);
        if (!(__atomic_load_n(&b->bits[bit / 64], __ATOMIC_RELAXED) & (1ull << (bit % 64))))
            return -BPFRT_ENOENT;
    }
    return 0;
}

static long bloom_pop(struct bpfrt_map *map, void *value) { return -BPFRT_EOPNOTSUPP; }

static int bloom_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    return (int)bloom_peek(map, value); /* the user's value is the one tested */
}
static int bloom_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    return (int)bloom_push(map, value, flags);
}
static int bloom_sys_delete(struct bpfrt_map *map, const void *key) { return -BPFRT_EOPNOTSUPP; }
static int bloom_get_next_key(struct bpfrt_map *map, const void *key, void *next) { return -BPFRT_EOPNOTSUPP; }
static long bloom_delete_elem(struct bpfrt_map *map, const void *key) { return -BPFRT_EOPNOTSUPP; }

const struct bpfrt_map_ops bpfrt_bloom_filter_ops = {
    .alloc_check = bloom_alloc_check,
    .alloc = bloom_alloc,
    .free = bloom_free,
    .meta_equal = bpfrt_map_meta_equal,
    .sys_lookup = bloom_sys_lookup,
    .sys_update = bloom_sys_update,
    .sys_delete = bloom_sys_delete,
    .get_next_key = bloom_get_next_key,
    .delete_elem = bloom_delete_elem,
    .push_elem = bloom_push,
    .pop_elem = bloom_pop,
    .peek_elem = bloom_peek,
};
