/* BPF_MAP_TYPE_CGROUP_ARRAY (kernel/bpf/arraymap.c, the cgroup fd array):
 * u32 index -> a cgroup, for bpf_current_task_under_cgroup and
 * bpf_skb_under_cgroup. User space stores a cgroup by an fd of its
 * directory, as in Linux; the platform turns the fd into the cgroup's id
 * (cgroup_id_from_fd: on a Linux host, a cgroup v2 directory's inode), and
 * the slot keeps that id. Update takes BPF_ANY only (-EINVAL), an index
 * below max_entries (-E2BIG) and a cgroup fd (-EBADF); user-side lookups
 * are -ENOTSUPP (Linux has no sys lookup for it); delete: out of range
 * -E2BIG, empty -ENOENT. */
#include "core/maps/map_family.h"

static int cgarr_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr, struct bpfrt_map *inner,
                       struct bpfrt_map **out)
{
    (void)inner;
    return bpfrt_slot_array_alloc(rt, attr, &bpfrt_cgroup_array_ops, sizeof(struct bpfrt_slot_array),
                                  sizeof(uint64_t), out);
}

static uint64_t *cg_slot(struct bpfrt_map *map, uint32_t index)
{
    return (uint64_t *)(void *)bpfrt_to_slot_array(map)->slots + index;
}

static int cgarr_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    uint32_t index = bpfrt_map_key_index(key);
    if (flags != BPF_ANY)
        return -BPFRT_EINVAL;
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    int32_t fd;
    bpfrt_memcpy(&fd, value, 4);
    const struct bpfrt_platform *p = map->rt->plat;
    uint64_t id = 0;
    int err = p->cgroup_id_from_fd ? p->cgroup_id_from_fd(p->ctx, fd, &id) : -BPFRT_EBADF;
    if (err)
        return err;
    if (!id)
        return -BPFRT_EBADF;
    __atomic_store_n(cg_slot(map, index), id, __ATOMIC_RELEASE);
    return 0;
}

static long cgarr_delete_elem(struct bpfrt_map *map, const void *key)
{
    uint32_t index = bpfrt_map_key_index(key);
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    return __atomic_exchange_n(cg_slot(map, index), 0, __ATOMIC_ACQ_REL) ? 0 : -BPFRT_ENOENT;
}

static int cgarr_sys_delete(struct bpfrt_map *map, const void *key)
{
    return (int)cgarr_delete_elem(map, key);
}

int bpfrt_cgroup_array_get(struct bpfrt_map *map, uint32_t index, uint64_t *id)
{
    if (map->map_type != BPF_MAP_TYPE_CGROUP_ARRAY)
        return -BPFRT_EINVAL;
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    *id = __atomic_load_n(cg_slot(map, index), __ATOMIC_ACQUIRE);
    return *id ? 0 : -BPFRT_EAGAIN;
}

int bpfrt_cgroup_array_set(struct bpfrt_map *map, uint32_t index, uint64_t id)
{
    if (!map || map->map_type != BPF_MAP_TYPE_CGROUP_ARRAY || !id)
        return -BPFRT_EINVAL;
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    __atomic_store_n(cg_slot(map, index), id, __ATOMIC_RELEASE);
    return 0;
}

const struct bpfrt_map_ops bpfrt_cgroup_array_ops = {
    .alloc_check = bpfrt_fd_array_alloc_check,
    .alloc = cgarr_alloc,
    .free = bpfrt_slot_array_free,
    .meta_equal = bpfrt_array_meta_equal,
    .sys_update = cgarr_sys_update,
    .sys_delete = cgarr_sys_delete,
    .get_next_key = bpfrt_index_map_get_next_key,
    .delete_elem = cgarr_delete_elem,
};
