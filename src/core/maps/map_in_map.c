/* BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: values are
 * references to inner maps that must match the template taken at creation
 * (map->inner_meta: type, key/value size, flags; arrays also max_entries
 * unless the template had BPF_F_INNER_MAP), else -EINVAL. User space stores
 * maps with bpfrt_map_update_inner and reads back the inner map's id; a
 * program's lookup returns the inner struct bpfrt_map * itself. A replaced
 * or deleted inner map is put at once; its memory waits for readers through
 * bpfrt_map_put's deferred free. */
#include "core/maps/maps_impl.h"

struct bpfrt_map_array {
    struct bpfrt_map map;
    struct bpfrt_map **slots;   /* atomic pointers */
};

static struct bpfrt_map_array *to_ma(struct bpfrt_map *map) { return (struct bpfrt_map_array *)map; }

static bool inner_matches(const struct bpfrt_map *outer, const struct bpfrt_map *inner)
{
    const struct bpfrt_map *meta = outer->inner_meta;
    if (!meta || inner->inner_meta || !inner->ops->meta_equal)
        return false;
    return inner->ops->meta_equal(meta, inner);
}

/* ---- ARRAY_OF_MAPS ---- */

static int aom_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                     struct bpfrt_map *inner, struct bpfrt_map **out)
{
    struct bpfrt_map_array *ma = bpfrt_zalloc(rt, sizeof(*ma));
    if (!ma)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&ma->map, &bpfrt_array_of_maps_ops, rt, attr);
    ma->slots = bpfrt_zalloc(rt, (size_t)attr->max_entries * sizeof(*ma->slots));
    if (!ma->slots) {
        bpfrt_free(rt, ma, sizeof(*ma));
        return -BPFRT_ENOMEM;
    }
    *out = &ma->map;
    return 0;
}

static void aom_free(struct bpfrt_map *map)
{
    struct bpfrt_map_array *ma = to_ma(map);
    for (uint32_t i = 0; i < map->max_entries; i++)
        if (ma->slots[i])
            bpfrt_map_put(ma->slots[i]);
    bpfrt_free(map->rt, ma->slots, (size_t)map->max_entries * sizeof(*ma->slots));
    bpfrt_free(map->rt, ma, sizeof(*ma));
}

static int aom_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    uint32_t index;
    bpfrt_memcpy(&index, key, 4);
    if (index >= map->max_entries)
        return -BPFRT_ENOENT;
    struct bpfrt_map *inner = __atomic_load_n(&to_ma(map)->slots[index], __ATOMIC_ACQUIRE);
    if (!inner)
        return -BPFRT_ENOENT;
    bpfrt_memcpy(value, &inner->id, 4);
    return 0;
}

static int aom_sys_delete(struct bpfrt_map *map, const void *key)
{
    uint32_t index;
    bpfrt_memcpy(&index, key, 4);
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    struct bpfrt_map *old = __atomic_exchange_n(&to_ma(map)->slots[index], NULL, __ATOMIC_ACQ_REL);
    if (!old)
        return -BPFRT_ENOENT;
    bpfrt_map_put(old);
    return 0;
}

static int aom_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    uint32_t index = 0, next = 0;
    if (key)
        bpfrt_memcpy(&index, key, 4);
    if (key && index < map->max_entries) {
        if (index == map->max_entries - 1)
            return -BPFRT_ENOENT;
        next = index + 1;
    }
    bpfrt_memcpy(next_key, &next, 4);
    return 0;
}

static void *aom_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    uint32_t index;
    bpfrt_memcpy(&index, key, 4);
    if (index >= map->max_entries)
        return NULL;
    return __atomic_load_n(&to_ma(map)->slots[index], __ATOMIC_ACQUIRE);
}

/* ---- HASH_OF_MAPS: the hash table storing one map pointer per key ---- */

static int hom_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->value_size != 4)
        return -BPFRT_EINVAL;
    return bpfrt_htab_alloc_check(rt, attr);
}

static void hom_release(struct bpfrt_htab *h, void *value)
{
    struct bpfrt_map *inner;
    bpfrt_memcpy(&inner, value, sizeof(inner));
    bpfrt_map_put(inner);
}

static int hom_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                     struct bpfrt_map *inner, struct bpfrt_map **out)
{
    struct bpfrt_htab *h = bpfrt_zalloc(rt, sizeof(*h));
    if (!h)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&h->map, &bpfrt_hash_of_maps_ops, rt, attr);
    h->value_release = hom_release;
    int err = bpfrt_htab_setup(h, sizeof(struct bpfrt_map *), 0);
    if (err) {
        bpfrt_free(rt, h, sizeof(*h));
        return err;
    }
    *out = &h->map;
    return 0;
}

static void hom_free(struct bpfrt_map *map)
{
    bpfrt_htab_teardown((struct bpfrt_htab *)map);
    bpfrt_free(map->rt, map, sizeof(struct bpfrt_htab));
}

static struct bpfrt_map *hom_get(struct bpfrt_htab *h, const void *key)
{
    struct bpfrt_htab_elem *e = bpfrt_htab_find(h, key);
    if (!e)
        return NULL;
    return __atomic_load_n((struct bpfrt_map **)bpfrt_htab_value(h, e), __ATOMIC_ACQUIRE);
}

static int hom_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_map *inner = hom_get((struct bpfrt_htab *)map, key);
    if (!inner)
        return -BPFRT_ENOENT;
    bpfrt_memcpy(value, &inner->id, 4);
    return 0;
}

static int hom_sys_delete(struct bpfrt_map *map, const void *key)
{
    return bpfrt_htab_remove((struct bpfrt_htab *)map, key, NULL, NULL);
}

static int hom_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    return bpfrt_htab_get_next_key((struct bpfrt_htab *)map, key, next_key);
}

static void *hom_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    return hom_get((struct bpfrt_htab *)map, key);
}

static void hom_fill(struct bpfrt_htab *h, void *value, const void *old, const void *arg)
{
    __atomic_store_n((struct bpfrt_map **)value, (struct bpfrt_map *)arg, __ATOMIC_RELEASE);
}

/* ---- the update both share ---- */

int bpfrt_map_update_inner(struct bpfrt_map *map, const void *key, struct bpfrt_map *inner, uint64_t flags)
{
    if (!map || !inner ||
        (map->map_type != BPF_MAP_TYPE_ARRAY_OF_MAPS && map->map_type != BPF_MAP_TYPE_HASH_OF_MAPS))
        return -BPFRT_EINVAL;
    if ((map->map_flags & BPF_F_RDONLY) || __atomic_load_n(&map->frozen, __ATOMIC_ACQUIRE))
        return -BPFRT_EPERM;
    if (map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
        if (flags != BPF_ANY)
            return -BPFRT_EINVAL;
        uint32_t index;
        bpfrt_memcpy(&index, key, 4);
        if (index >= map->max_entries)
            return -BPFRT_E2BIG;
        if (!inner_matches(map, inner))
            return -BPFRT_EINVAL;
        bpfrt_map_get(inner);
        struct bpfrt_map *old = __atomic_exchange_n(&to_ma(map)->slots[index], inner, __ATOMIC_ACQ_REL);
        if (old)
            bpfrt_map_put(old);
        return 0;
    }
    if (flags > BPF_EXIST)
        return -BPFRT_EINVAL;
    if (!inner_matches(map, inner))
        return -BPFRT_EINVAL;
    bpfrt_map_get(inner);
    bpfrt_map_read_lock(map->rt);
    int err = bpfrt_htab_upsert((struct bpfrt_htab *)map, key, flags, hom_fill, inner);
    bpfrt_map_read_unlock(map->rt);
    if (err)
        bpfrt_map_put(inner);
    return err;
}

static int mim_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    return -BPFRT_EINVAL; /* the command layer resolves the fd and calls bpfrt_map_update_inner */
}

static long mim_prog_change(struct bpfrt_map *map, const void *key) { return -BPFRT_EINVAL; }

const struct bpfrt_map_ops bpfrt_array_of_maps_ops = {
    .alloc_check = bpfrt_fd_array_alloc_check,
    .alloc = aom_alloc,
    .free = aom_free,
    .sys_lookup = aom_sys_lookup,
    .sys_update = mim_sys_update,
    .sys_delete = aom_sys_delete,
    .get_next_key = aom_get_next_key,
    .lookup_elem = aom_lookup_elem,
    .delete_elem = mim_prog_change,
};

const struct bpfrt_map_ops bpfrt_hash_of_maps_ops = {
    .alloc_check = hom_alloc_check,
    .alloc = hom_alloc,
    .free = hom_free,
    .sys_lookup = hom_sys_lookup,
    .sys_update = mim_sys_update,
    .sys_delete = hom_sys_delete,
    .get_next_key = hom_get_next_key,
    .lookup_elem = hom_lookup_elem,
    .delete_elem = mim_prog_change,
};
