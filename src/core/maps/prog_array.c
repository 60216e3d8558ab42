/* BPF_MAP_TYPE_PROG_ARRAY: slots holding program references for
 * bpf_tail_call. User space stores programs with bpfrt_map_update_prog (the
 * command layer resolves the fd); a user-side lookup returns the program's
 * id. As Linux, the first program that goes into (or uses) the array fixes
 * its program type, and here also its engine: others get -EINVAL. */
#include "core/maps/maps_impl.h"
#include "bpfrt/prog.h"

struct bpfrt_prog_array {
    struct bpfrt_slot_array sa; /* slots: struct bpfrt_prog * */
    uint32_t lock;              /* owner fields */
    uint32_t owner_type;
    bool owner_set;
};

static struct bpfrt_prog_array *to_pa(struct bpfrt_map *map) { return (struct bpfrt_prog_array *)map; }

/* A program leaving a slot may be running right now as a tail-call target
 * on another CPU; bpfrt_prog_put frees it only past every such run. */
static void put_prog(struct bpfrt_map *map, void *prog) { bpfrt_prog_put(prog); }

static int prog_array_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                            struct bpfrt_map *inner, struct bpfrt_map **out)
{
    return bpfrt_slot_array_alloc(rt, attr, &bpfrt_prog_array_ops, sizeof(struct bpfrt_prog_array),
                                  sizeof(struct bpfrt_prog *), out);
}

static void prog_array_clear(struct bpfrt_map *map)
{
    bpfrt_ptr_slot_clear(map, put_prog);
}

static void prog_array_free(struct bpfrt_map *map)
{
    prog_array_clear(map);
    bpfrt_slot_array_free(map);
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
    if (!bpfrt_map_user_can_write(map))
        return -BPFRT_EPERM;
    if (flags != BPF_ANY)
        return -BPFRT_EINVAL;
    uint32_t index = bpfrt_map_key_index(key);
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    int err = bpfrt_map_prog_array_compatible(map, prog);
    if (err)
        return err;
    bpfrt_prog_get(prog);
    bpfrt_ptr_slot_replace(map, index, prog, put_prog);
    return 0;
}

struct bpfrt_prog *bpfrt_map_prog_array_get(struct bpfrt_map *map, uint32_t index)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PROG_ARRAY)
        return NULL;
    return bpfrt_ptr_slot_load(map, index);
}

static int prog_array_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_prog *p = bpfrt_map_prog_array_get(map, bpfrt_map_key_index(key));
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
    return bpfrt_ptr_slot_delete(map, key, put_prog);
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
    .get_next_key = bpfrt_index_map_get_next_key,
    .delete_elem = prog_array_delete_elem,
};
