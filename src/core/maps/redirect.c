/* Redirect maps for bpf_redirect_map: DEVMAP (array of {ifindex, prog}),
 * DEVMAP_HASH (the same values by key), XSKMAP (array of AF_XDP queue ids)
 * and CPUMAP (array of {qsize, prog} indexed by CPU). bpfrt has no network
 * devices or sockets, so values are stored as given: any non-zero ifindex is
 * accepted (Linux checks the device exists), an XSKMAP value is the queue id
 * a socket would be bound to, and attaching programs to devmap/cpumap
 * entries (a prog fd > 0 in the 8-byte value) is refused with -EINVAL. A
 * program's lookup returns a pointer to the stored value; the redirect
 * target is the ifindex, the queue id, or the CPU (the key) respectively. */
#include "core/maps/maps_impl.h"

#define DEV_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
#define CPUMAP_MAX_QSIZE 16384u

/* One slot: val[0] = ifindex / queue id / qsize, val[1] = prog id (0). */
struct redir_slot {
    uint32_t present;   /* atomic */
    uint32_t val[2];    /* atomic words */
};

/* The array kinds are slot arrays of struct redir_slot. */
static struct redir_slot *redir_slot(struct bpfrt_map *map, uint32_t index)
{
    return (struct redir_slot *)bpfrt_to_slot_array(map)->slots + index;
}

/* ---- creation ---- */

static int dev_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->max_entries == 0 || attr->key_size != 4 || (attr->value_size != 4 && attr->value_size != 8) ||
        (attr->map_flags & ~DEV_CREATE_FLAG_MASK))
        return -BPFRT_EINVAL;
    return 0;
}

static int xsk_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->max_entries == 0 || attr->key_size != 4 || attr->value_size != 4 ||
        (attr->map_flags & ~DEV_CREATE_FLAG_MASK))
        return -BPFRT_EINVAL;
    return 0;
}

static int cpumap_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->max_entries == 0 || attr->key_size != 4 || (attr->value_size != 4 && attr->value_size != 8) ||
        (attr->map_flags & ~BPF_F_NUMA_NODE))
        return -BPFRT_EINVAL;
    uint32_t nr_cpus = rt->ncpus > BPFRT_NR_CPUS ? rt->ncpus : BPFRT_NR_CPUS;
    if (attr->max_entries > nr_cpus)
        return -BPFRT_E2BIG;
    return 0;
}

static const struct bpfrt_map_ops *redir_ops(uint32_t type)
{
    switch (type) {
    case BPF_MAP_TYPE_XSKMAP: return &bpfrt_xskmap_ops;
    case BPF_MAP_TYPE_CPUMAP: return &bpfrt_cpumap_ops;
    default: return &bpfrt_devmap_ops;
    }
}

static int redir_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                       struct bpfrt_map *inner, struct bpfrt_map **out)
{
    return bpfrt_slot_array_alloc(rt, attr, redir_ops(attr->map_type), sizeof(struct bpfrt_slot_array),
                                  sizeof(struct redir_slot), out);
}

/* ---- the array kinds ---- */

static void slot_set(struct redir_slot *s, uint32_t v0)
{
    __atomic_store_n(&s->val[0], v0, __ATOMIC_RELAXED);
    __atomic_store_n(&s->val[1], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&s->present, 1, __ATOMIC_RELEASE);
}

static int redir_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    uint32_t i = bpfrt_map_key_index(key), v[2] = { 0, 0 };
    bpfrt_memcpy(v, value, map->value_size);
    if (flags > BPF_EXIST)
        return -BPFRT_EINVAL;
    if (i >= map->max_entries)
        return -BPFRT_E2BIG;
    struct redir_slot *s = redir_slot(map, i);
    bool present = __atomic_load_n(&s->present, __ATOMIC_ACQUIRE);
    switch (map->map_type) {
    case BPF_MAP_TYPE_XSKMAP:
        if (present && flags == BPF_NOEXIST)
            return -BPFRT_EEXIST;
        if (!present && flags == BPF_EXIST)
            return -BPFRT_ENOENT;
        slot_set(s, v[0]);
        return 0;
    case BPF_MAP_TYPE_CPUMAP:
        if (flags == BPF_NOEXIST)
            return -BPFRT_EEXIST;
        if (i >= map->rt->ncpus)
            return -BPFRT_ENODEV;
        if (v[0] > CPUMAP_MAX_QSIZE)
            return -BPFRT_EOVERFLOW;
        break;
    default: /* DEVMAP */
        if (flags == BPF_NOEXIST)
            return -BPFRT_EEXIST;
        break;
    }
    if (map->value_size == 8 && (int32_t)v[1] > 0)
        return -BPFRT_EINVAL; /* no programs on redirect entries here */
    if (v[0] == 0) /* ifindex 0 / qsize 0: an empty slot */
        __atomic_store_n(&s->present, 0, __ATOMIC_RELEASE);
    else
        slot_set(s, v[0]);
    return 0;
}

static int redir_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    if (map->map_type == BPF_MAP_TYPE_XSKMAP)
        return -BPFRT_EOPNOTSUPP; /* sockets cannot be read back, as Linux */
    uint32_t i = bpfrt_map_key_index(key);
    if (i >= map->max_entries)
        return -BPFRT_ENOENT;
    struct redir_slot *s = redir_slot(map, i);
    if (!__atomic_load_n(&s->present, __ATOMIC_ACQUIRE))
        return -BPFRT_ENOENT;
    uint32_t v[2] = { __atomic_load_n(&s->val[0], __ATOMIC_RELAXED), __atomic_load_n(&s->val[1], __ATOMIC_RELAXED) };
    bpfrt_memcpy(value, v, map->value_size);
    return 0;
}

static int redir_sys_delete(struct bpfrt_map *map, const void *key)
{
    uint32_t i = bpfrt_map_key_index(key);
    if (i >= map->max_entries)
        return -BPFRT_EINVAL;
    __atomic_store_n(&redir_slot(map, i)->present, 0, __ATOMIC_RELEASE);
    return 0;
}

static void *redir_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    uint32_t i = bpfrt_map_key_index(key);
    if (i >= map->max_entries)
        return NULL;
    struct redir_slot *s = redir_slot(map, i);
    return __atomic_load_n(&s->present, __ATOMIC_ACQUIRE) ? s->val : NULL;
}

static long redir_delete_elem(struct bpfrt_map *map, const void *key)
{
    return redir_sys_delete(map, key);
}

/* ---- DEVMAP_HASH: the hash table with devmap values ---- */

static int dh_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                    struct bpfrt_map *inner, struct bpfrt_map **out)
{
    return bpfrt_htab_alloc(rt, attr, &bpfrt_devmap_hash_ops, 8, BPFRT_HTAB_EXIST_INSERTS, NULL, out);
}

static void dh_fill(struct bpfrt_htab *h, void *value, const void *old, const void *arg)
{
    const uint32_t *v = arg;
    __atomic_store_n((uint32_t *)value, v[0], __ATOMIC_RELAXED);
    __atomic_store_n((uint32_t *)value + 1, 0, __ATOMIC_RELAXED);
}

static int dh_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    uint32_t v[2] = { 0, 0 };
    bpfrt_memcpy(v, value, map->value_size);
    if (flags > BPF_EXIST)
        return -BPFRT_EINVAL;
    if (v[0] == 0 || (map->value_size == 8 && (int32_t)v[1] > 0))
        return -BPFRT_EINVAL; /* no such device / no programs on entries */
    return bpfrt_htab_upsert((struct bpfrt_htab *)map, key, flags, dh_fill, v);
}

static int dh_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_htab *h = (struct bpfrt_htab *)map;
    struct bpfrt_htab_elem *e = bpfrt_htab_find(h, key);
    if (!e)
        return -BPFRT_ENOENT;
    bpfrt_map_copy_out(value, bpfrt_htab_value(h, e), map->value_size);
    return 0;
}

static void *dh_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    struct bpfrt_htab *h = (struct bpfrt_htab *)map;
    struct bpfrt_htab_elem *e = bpfrt_htab_find(h, key);
    return e ? bpfrt_htab_value(h, e) : NULL;
}

int bpfrt_redirect_target_impl(struct bpfrt_map *map, uint32_t key, uint32_t *target)
{
    bpfrt_map_read_lock(map->rt);
    const uint32_t *v = map->ops->lookup_elem(map, &key, 0);
    int err = -BPFRT_ENOENT;
    if (v) {
        *target = map->map_type == BPF_MAP_TYPE_CPUMAP ? key : __atomic_load_n(v, __ATOMIC_RELAXED);
        err = 0;
    }
    bpfrt_map_read_unlock(map->rt);
    return err;
}

#define REDIR_ARRAY_OPS                           \
    .alloc = redir_alloc,                         \
    .free = bpfrt_slot_array_free,                \
    .sys_lookup = redir_sys_lookup,               \
    .sys_update = redir_sys_update,               \
    .sys_delete = redir_sys_delete,               \
    .get_next_key = bpfrt_index_map_get_next_key, \
    .lookup_elem = redir_lookup_elem,             \
    .delete_elem = redir_delete_elem

const struct bpfrt_map_ops bpfrt_devmap_ops = {
    REDIR_ARRAY_OPS,
    .alloc_check = dev_alloc_check,
    .meta_equal = bpfrt_map_meta_equal,
};
const struct bpfrt_map_ops bpfrt_xskmap_ops = {
    REDIR_ARRAY_OPS,
    .alloc_check = xsk_alloc_check,
    .meta_equal = bpfrt_array_meta_equal,
};
const struct bpfrt_map_ops bpfrt_cpumap_ops = {
    REDIR_ARRAY_OPS,
    .alloc_check = cpumap_alloc_check,
    .meta_equal = bpfrt_map_meta_equal,
};
const struct bpfrt_map_ops bpfrt_devmap_hash_ops = {
    .alloc_check = dev_alloc_check,
    .alloc = dh_alloc,
    .free = bpfrt_htab_free,
    .meta_equal = bpfrt_map_meta_equal,
    .sys_lookup = dh_sys_lookup,
    .sys_update = dh_sys_update,
    .sys_delete = bpfrt_htab_sys_delete,
    .get_next_key = bpfrt_htab_get_next_key,
    .lookup_elem = dh_lookup_elem,
    .delete_elem = bpfrt_htab_delete_elem,
};
