/* BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: values are
 * references to inner maps that must match the template taken at creation
 * (map->inner_meta: type, key/value size, flags; arrays also max_entries
 * unless the template had BPF_F_INNER_MAP), else -EINVAL. User space stores
 * maps with bpfrt_map_update_inner and reads back the inner map's id; a
 * program's lookup returns the inner struct bpfrt_map * itself. A replaced
 * or deleted inner map is put at once; its memory waits for readers through
 * bpfrt_map_put's deferred free. */
#include "core/maps/maps_impl.h"

static bool inner_matches(const struct bpfrt_map *outer, const struct bpfrt_map *inner)
{
    const struct bpfrt_map *meta = outer->inner_meta;
    if (!meta || inner->inner_meta || !inner->ops->meta_equal)
        return false;
    return inner->ops->meta_equal(meta, inner);
}

/* ---- ARRAY_OF_MAPS: a slot array of map pointers ---- */

static void put_inner(struct bpfrt_map *outer, void *inner) { bpfrt_map_put(inner); }

static int aom_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                     struct bpfrt_map *inner, struct bpfrt_map **out)
{
    return bpfrt_slot_array_alloc(rt, attr, &bpfrt_array_of_maps_ops, sizeof(struct bpfrt_slot_array),
                                  sizeof(struct bpfrt_map *), out);
}

static void aom_free(struct bpfrt_map *map)
{
    bpfrt_ptr_slot_clear(map, put_inner);
    bpfrt_slot_array_free(map);
}

static int aom_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_map *inner = bpfrt_ptr_slot_load(map, bpfrt_map_key_index(key));
    if (!inner)
        return -BPFRT_ENOENT;
    bpfrt_memcpy(value, &inner->id, 4);
    return 0;
}

static int aom_sys_delete(struct bpfrt_map *map, const void *key)
{
    return bpfrt_ptr_slot_delete(map, key, put_inner);
}

static void *aom_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    return bpfrt_ptr_slot_load(map, bpfrt_map_key_index(key));
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
    return bpfrt_htab_alloc(rt, attr, &bpfrt_hash_of_maps_ops, sizeof(struct bpfrt_map *), 0, hom_release, out);
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
    if (!bpfrt_map_user_can_write(map))
        return -BPFRT_EPERM;
    if (map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
        if (flags != BPF_ANY)
            return -BPFRT_EINVAL;
        uint32_t index = bpfrt_map_key_index(key);
        if (index >= map->max_entries)
            return -BPFRT_E2BIG;
        if (!inner_matches(map, inner))
            return -BPFRT_EINVAL;
        bpfrt_map_get(inner);
        bpfrt_ptr_slot_replace(map, index, inner, put_inner);
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
    .get_next_key = bpfrt_index_map_get_next_key,
    .lookup_elem = aom_lookup_elem,
    .delete_elem = mim_prog_change,
};

const struct bpfrt_map_ops bpfrt_hash_of_maps_ops = {
    .alloc_check = hom_alloc_check,
    .alloc = hom_alloc,
    .free = bpfrt_htab_free,
    .sys_lookup = hom_sys_lookup,
    .sys_update = mim_sys_update,
    .sys_delete = bpfrt_htab_sys_delete,
    .get_next_key = bpfrt_htab_get_next_key,
    .lookup_elem = hom_lookup_elem,
    .delete_elem = mim_prog_change,
};
