/* BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: max_entries fixed
 * slots of value_size bytes (8-aligned), all present from creation, zeroed.
 * Per-CPU arrays keep one copy per CPU, laid out [index][cpu]. Single-slot
 * BPF_F_MMAPABLE arrays carry global data (.data/.bss/.rodata). */
#include "core/maps/maps_impl.h"

struct bpfrt_array {
    struct bpfrt_map map;
    uint32_t elem_size;      /* round_up(value_size, 8) */
    uint32_t ncpus;          /* copies per slot: 1, or ncpus for per-CPU */
    unsigned char *values;
    size_t values_size;
    size_t values_align;
};

#define ARRAY_CREATE_FLAG_MASK \
    (BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_ACCESS_MASK | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP)

static struct bpfrt_array *to_array(struct bpfrt_map *map) { return (struct bpfrt_array *)map; }

/* Linux's array_map_alloc_check, shared with the fd arrays. */
static int array_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    bool percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
    if (attr->max_entries == 0 || attr->key_size != 4 || attr->value_size == 0 ||
        (attr->map_flags & ~ARRAY_CREATE_FLAG_MASK) || !bpfrt_map_flags_access_ok(attr->map_flags) ||
        (percpu && (attr->map_flags & BPF_F_NUMA_NODE)))
        return -BPFRT_EINVAL;
    if (attr->map_type != BPF_MAP_TYPE_ARRAY && (attr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)))
        return -BPFRT_EINVAL;
    if (attr->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY && (attr->map_flags & BPF_F_PRESERVE_ELEMS))
        return -BPFRT_EINVAL;
    if (attr->value_size > INT_MAX)
        return -BPFRT_E2BIG;
    if (percpu && bpfrt_round_up(attr->value_size, 8) > BPFRT_PCPU_MIN_UNIT_SIZE)
        return -BPFRT_E2BIG;
    return 0;
}

static int array_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                       struct bpfrt_map *inner, struct bpfrt_map **out)
{
    bool percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
    struct bpfrt_array *a = bpfrt_zalloc(rt, sizeof(*a));
    if (!a)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&a->map, percpu ? &bpfrt_percpu_array_ops : &bpfrt_array_ops, rt, attr);
    a->elem_size = (uint32_t)bpfrt_round_up(attr->value_size, 8);
    a->ncpus = percpu ? rt->ncpus : 1;
    size_t total;
    if (bpfrt_mul_overflow((size_t)attr->max_entries, (size_t)a->elem_size * a->ncpus, &total) ||
        total > ((size_t)1 << 40)) {
        bpfrt_free(rt, a, sizeof(*a));
        return -BPFRT_ENOMEM;
    }
    a->values_align = 16;
    if (attr->map_flags & BPF_F_MMAPABLE) { /* page granular, like the mmap()ed area */
        total = bpfrt_round_up(total, BPFRT_PAGE_SIZE);
        a->values_align = BPFRT_PAGE_SIZE;
    }
    a->values_size = total;
    a->values = bpfrt_zalloc_aligned(rt, total, a->values_align);
    if (!a->values) {
        bpfrt_free(rt, a, sizeof(*a));
        return -BPFRT_ENOMEM;
    }
    *out = &a->map;
    return 0;
}

static void array_free(struct bpfrt_map *map)
{
    struct bpfrt_array *a = to_array(map);
    bpfrt_free(map->rt, a->values, a->values_size);
    bpfrt_free(map->rt, a, sizeof(*a));
}

static inline unsigned char *slot(struct bpfrt_array *a, uint32_t index, unsigned cpu)
{
    return a->values + ((size_t)index * a->ncpus + cpu) * a->elem_size;
}

static int array_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_array *a = to_array(map);
    uint32_t index = bpfrt_map_key_index(key);
    if (index >= map->max_entries)
        return -BPFRT_ENOENT;
    if (a->ncpus > 1 || map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) {
        for (unsigned c = 0; c < a->ncpus; c++) {
            /* whole 8-byte-rounded slots, padding included, as Linux */
            bpfrt_map_copy_out((unsigned char *)value + (size_t)c * a->elem_size, slot(a, index, c), a->elem_size);
        }
        return 0;
    }
    if (flags & BPF_F_LOCK)
        bpfrt_map_value_copy_out_locked(map, value, slot(a, index, 0));
    else
        bpfrt_map_value_copy_out(map, value, slot(a, index, 0));
    return 0;
}

static int array_check_update(struct bpfrt_map *map, const void *key, uint64_t flags, uint32_t *index)
{
    bool percpu = map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
    uint64_t f = percpu ? flags : flags & ~(uint64_t)BPF_F_LOCK;
    if (f > BPF_EXIST)
        return -BPFRT_EINVAL;
    *index = bpfrt_map_key_index(key);
    if (*index >= map->max_entries)
        return -BPFRT_E2BIG;
    if (flags & BPF_NOEXIST) /* every slot always exists */
        return -BPFRT_EEXIST;
    return 0;
}

static int array_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    struct bpfrt_array *a = to_array(map);
    uint32_t index;
    int err = array_check_update(map, key, flags, &index);
    if (err)
        return err;
    if (map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) {
        for (unsigned c = 0; c < a->ncpus; c++)
            bpfrt_map_copy_in(slot(a, index, c), (const unsigned char *)value + (size_t)c * a->elem_size,
                              a->elem_size);
        return 0;
    }
    if (flags & BPF_F_LOCK)
        bpfrt_map_value_copy_in_locked(map, slot(a, index, 0), value);
    else
        bpfrt_map_value_copy_in(map, slot(a, index, 0), value);
    return 0;
}

static int array_delete(struct bpfrt_map *map, const void *key)
{
    return -BPFRT_EINVAL;
}

static void *array_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    struct bpfrt_array *a = to_array(map);
    uint32_t index = bpfrt_map_key_index(key);
    if (index >= map->max_entries)
        return NULL;
    return slot(a, index, 0);
}

static void *percpu_array_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    struct bpfrt_array *a = to_array(map);
    uint32_t index = bpfrt_map_key_index(key);
    if (index >= map->max_entries || cpu >= a->ncpus)
        return NULL;
    return slot(a, index, cpu);
}

static long array_update_elem(struct bpfrt_map *map, const void *key, const void *value,
                              uint64_t flags, unsigned cpu)
{
    struct bpfrt_array *a = to_array(map);
    uint32_t index;
    int err = array_check_update(map, key, flags, &index);
    if (err)
        return err;
    if (map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) {
        if (cpu >= a->ncpus)
            return -BPFRT_EINVAL;
        bpfrt_map_copy_in(slot(a, index, cpu), value, map->value_size);
        return 0;
    }
    if (flags & BPF_F_LOCK) {
        if (map->spin_lock_off < 0)
            return -BPFRT_EINVAL;
        bpfrt_map_value_copy_in_locked(map, slot(a, index, 0), value);
    } else {
        bpfrt_map_value_copy_in(map, slot(a, index, 0), value);
    }
    return 0;
}

static long array_delete_elem(struct bpfrt_map *map, const void *key)
{
    return -BPFRT_EINVAL;
}

static long array_for_each(struct bpfrt_map *map, bpfrt_map_iter_cb cb, void *cb_ctx, unsigned cpu)
{
    struct bpfrt_array *a = to_array(map);
    long n = 0;
    if (a->ncpus > 1 && cpu >= a->ncpus)
        return -BPFRT_EINVAL;
    for (uint32_t i = 0; i < map->max_entries; i++) {
        uint32_t key = i;
        n++;
        if (cb(map, &key, slot(a, i, a->ncpus > 1 ? cpu : 0), cb_ctx))
            break;
    }
    return n;
}

static int array_direct_value_addr(struct bpfrt_map *map, uint32_t off, uint64_t *addr)
{
    if (map->max_entries != 1)
        return -BPFRT_ENOTSUPP;
    if (off >= map->value_size)
        return -BPFRT_EINVAL;
    *addr = (uint64_t)(uintptr_t)to_array(map)->values;
    return 0;
}

void *bpfrt_map_mmap_addr(struct bpfrt_map *map, size_t *size)
{
    if (map->map_type != BPF_MAP_TYPE_ARRAY || !(map->map_flags & BPF_F_MMAPABLE))
        return NULL;
    if (size)
        *size = to_array(map)->values_size;
    return to_array(map)->values;
}

/* What ARRAY and PERCPU_ARRAY share; they differ in the program-side
 * lookups (per CPU or not) and in direct value access (global data). */
#define ARRAY_COMMON_OPS                          \
    .alloc_check = array_alloc_check,             \
    .alloc = array_alloc,                         \
    .free = array_free,                           \
    .meta_equal = bpfrt_array_meta_equal,         \
    .sys_lookup = array_sys_lookup,               \
    .sys_update = array_sys_update,               \
    .sys_delete = array_delete,                   \
    .get_next_key = bpfrt_index_map_get_next_key, \
    .update_elem = array_update_elem,             \
    .delete_elem = array_delete_elem,             \
    .for_each = array_for_each

const struct bpfrt_map_ops bpfrt_array_ops = {
    ARRAY_COMMON_OPS,
    .lookup_elem = array_lookup_elem,
    .direct_value_addr = array_direct_value_addr,
};

const struct bpfrt_map_ops bpfrt_percpu_array_ops = {
    ARRAY_COMMON_OPS,
    .lookup_elem = percpu_array_lookup_elem,
    .lookup_percpu_elem = percpu_array_lookup_elem,
};

/* The fd arrays (prog array, perf event array, array of maps) share these
 * creation rules: value_size 4, no *_PROG access flags, then the array's. */
int bpfrt_fd_array_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->value_size != 4)
        return -BPFRT_EINVAL;
    if (attr->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))
        return -BPFRT_EINVAL;
    return array_alloc_check(rt, attr);
}
