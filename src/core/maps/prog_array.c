/* BPF_MAP_TYPE_PROG_ARRAY: slots holding program references for
 * bpf_tail_call. User space stores programs with bpfrt_map_update_prog (the
 * command layer resolves the fd); a user-side lookup returns the program's
 * id. As Linux, the first program that goes into (or uses) the array fixes
 * its program type, and here also its engine: others get -EINVAL. */
#include "core/maps/maps_impl.h"
#include "bpfrt/prog.h"

struct bpfrt_prog_array {
    struct bpfrt_map map;
    uint32_t lock;              /* owner fields */
    uint32_t owner_type;
    bool owner_set;
    struct bpfrt_prog **progs;  /* atomic pointers */
};

static struct bpfrt_prog_array *to_pa(struct bpfrt_map *map) { return (struct bpfrt_prog_array *)map; }

/* A program leaving a slot may be running right now as a tail-call target
 * on another CPU; bpfrt_prog_put frees it only past every such run. */

static int prog_array_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                            struct bpfrt_map *inner, struct bpfrt_map **out)
{
    struct bpfrt_prog_array *pa = bpfrt_zalloc(rt, sizeof(*pa));
    if (!pa)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&pa->map, &bpfrt_prog_array_ops, rt, attr);
    pa->progs = bpfrt_zalloc(rt, (size_t)attr->max_entries * sizeof(*pa->progs));
    if (!pa->progs) {
        bpfrt_free(rt, pa, sizeof(*pa));
        return -BPFRT_ENOMEM;
    }
    *out = &pa->map;
    return 0;
}

static void prog_array_clear(struct bpfrt_map *map)
{
    struct bpfrt_prog_array *pa = to_pa(map);
    for (uint32_t i = 0; i < map->max_entries; i++) {
        struct bpfrt_prog *old = __atomic_exchange_n(&pa->progs[i], NULL, __ATOMIC_ACQ_REL);
        if (old)
            bpfrt_prog_put(old);
    }
}

static void prog_array_free(struct bpfrt_map *map)
{
    prog_array_clear(map);
    bpfrt_free(map->rt, to_pa(map)->progs, (size_t)map->max_entries * sizeof(struct bpfrt_prog *));
    bpfrt_free(map->rt, map, sizeof(struct bpfrt_prog_array));
}

int bpfrt_map_prog_array_compatible(struct bpfrt_map *map, const struct bpfrt_prog *prog)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PROG_ARRAY || !prog)
        return -BPFRT_EINVAL;
    struct bpfrt_prog_array *pa = to_pa(map);
    int err = 0;
    bpfrt_raw_spin_lock(&pa->lock);
    if (!pa->owner_set) {
        pa->owner_set = true;
        pa->owner_type = prog->type;
        map->prog_array_engine = (uint32_t)prog->engine;
        __atomic_store_n(&map->prog_array_engine_set, true, __ATOMIC_RELEASE);
    } else if (pa->owner_type != prog->type || map->prog_array_engine != (uint32_t)prog->engine) {
        err = -BPFRT_EINVAL;
    }
    bpfrt_raw_spin_unlock(&pa->lock);
    return err;
}

int bpfrt_map_update_prog(struct bpfrt_map *map, const void *key, struct bpfrt_prog *prog, uint64_t flags)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PROG_ARRAY || !prog)
        return -BPFRT_EINVAL;
    if ((map->map_flags & BPF_F_RDONLY) || __atomic_load_n(&map->frozen, __ATOMIC_ACQUIRE))
        return -BPFRT_EPERM;
    if (flags != BPF_ANY)
        return -BPFRT_EINVAL;
    uint32_t index;
    bpfrt_memcpy(&index, key, 4);
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    int err = bpfrt_map_prog_array_compatible(map, prog);
    if (err)
        return err;
    bpfrt_prog_get(prog);
    struct bpfrt_prog *old = __atomic_exchange_n(&to_pa(map)->progs[index], prog, __ATOMIC_ACQ_REL);
    if (old)
        bpfrt_prog_put(old);
    return 0;
}

struct bpfrt_prog *bpfrt_map_prog_array_get(struct bpfrt_map *map, uint32_t index)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PROG_ARRAY || index >= map->max_entries)
        return NULL;
    return __atomic_load_n(&to_pa(map)->progs[index], __ATOMIC_ACQUIRE);
}

static int prog_array_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    uint32_t index;
    bpfrt_memcpy(&index, key, 4);
    struct bpfrt_prog *p = bpfrt_map_prog_array_get(map, index);
    if (!p)
        return -BPFRT_ENOENT;
    bpfrt_memcpy(value, &p->id, 4);
    return 0;
}

static int prog_array_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    return -BPFRT_EINVAL; /* the command layer resolves the fd and calls bpfrt_map_update_prog */
}

static int prog_array_sys_delete(struct bpfrt_map *map, const void *key)
{
    uint32_t index;
    bpfrt_memcpy(&index, key, 4);
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    struct bpfrt_prog *old = __atomic_exchange_n(&to_pa(map)->progs[index], NULL, __ATOMIC_ACQ_REL);
    if (!old)
        return -BPFRT_ENOENT;
    bpfrt_prog_put(old);
    return 0;
}

static int prog_array_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
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

static long prog_array_delete_elem(struct bpfrt_map *map, const void *key)
{
    return prog_array_sys_delete(map, key);
}

const struct bpfrt_map_ops bpfrt_prog_array_ops = {
    .alloc_check = bpfrt_fd_array_alloc_check,
    .alloc = prog_array_alloc,
    .free = prog_array_free,
    .release_uref = prog_array_clear,
    .sys_lookup = prog_array_sys_lookup,
    .sys_update = prog_array_sys_update,
    .sys_delete = prog_array_sys_delete,
    .get_next_key = prog_array_get_next_key,
    .delete_elem = prog_array_delete_elem,
};
