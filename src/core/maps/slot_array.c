/* The slot arrays: PROG_ARRAY, PERF_EVENT_ARRAY, ARRAY_OF_MAPS (one
 * pointer per slot, what Linux calls its "fd arrays") and DEVMAP, XSKMAP,
 * CPUMAP (a small record per slot). They share allocation, freeing, the
 * u32 index walk of get_next_key and, for the pointer kinds, how a slot's
 * reference is swapped and dropped; what a slot holds and the errnos of
 * update/lookup stay with each family. */
#include "core/maps/maps_impl.h"

int bpfrt_slot_array_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                           const struct bpfrt_map_ops *ops, size_t struct_size,
                           uint32_t slot_size, struct bpfrt_map **out)
{
    struct bpfrt_slot_array *sa = bpfrt_zalloc(rt, struct_size);
    if (!sa)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&sa->map, ops, rt, attr);
    sa->struct_size = struct_size;
    sa->slot_size = slot_size;
    sa->slots = bpfrt_zalloc(rt, (size_t)attr->max_entries * slot_size);
    if (!sa->slots) {
        bpfrt_free(rt, sa, struct_size);
        return -BPFRT_ENOMEM;
    }
    *out = &sa->map;
    return 0;
}

void bpfrt_slot_array_free(struct bpfrt_map *map)
{
    struct bpfrt_slot_array *sa = bpfrt_to_slot_array(map);
    bpfrt_free(map->rt, sa->slots, (size_t)map->max_entries * sa->slot_size);
    bpfrt_free(map->rt, sa, sa->struct_size);
}

int bpfrt_index_map_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    uint32_t next = 0;
    if (key) {
        uint32_t index = bpfrt_map_key_index(key);
        if (index < map->max_entries) {
            if (index == map->max_entries - 1)
                return -BPFRT_ENOENT;
            next = index + 1;
        }
    }
    bpfrt_memcpy(next_key, &next, 4);
    return 0;
}

/* ---- pointer slots ---- */

static void **ptr_slot(struct bpfrt_map *map, uint32_t index)
{
    return (void **)bpfrt_to_slot_array(map)->slots + index;
}

void *bpfrt_ptr_slot_load(struct bpfrt_map *map, uint32_t index)
{
    if (index >= map->max_entries)
        return NULL;
    return __atomic_load_n(ptr_slot(map, index), __ATOMIC_ACQUIRE);
}

void bpfrt_ptr_slot_replace(struct bpfrt_map *map, uint32_t index, void *ptr, bpfrt_slot_put_fn put)
{
    void *old = __atomic_exchange_n(ptr_slot(map, index), ptr, __ATOMIC_ACQ_REL);
    if (old)
        put(map, old);
}

int bpfrt_ptr_slot_delete(struct bpfrt_map *map, const void *key, bpfrt_slot_put_fn put)
{
    uint32_t index = bpfrt_map_key_index(key);
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    void *old = __atomic_exchange_n(ptr_slot(map, index), NULL, __ATOMIC_ACQ_REL);
    if (!old)
        return -BPFRT_ENOENT;
    put(map, old);
    return 0;
}

void bpfrt_ptr_slot_clear(struct bpfrt_map *map, bpfrt_slot_put_fn put)
{
    for (uint32_t i = 0; i < map->max_entries; i++)
        bpfrt_ptr_slot_replace(map, i, NULL, put);
}
