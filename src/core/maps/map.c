/* Map creation, reference counting and the dispatch of every map command to
 * the family that implements it. The checks Linux's bpf() syscall makes
 * before it reaches a map type (access flags, frozen maps, BPF_F_LOCK
 * without a lock, keys for key-less maps) live here, so each family only
 * implements its own rules. */
#include "core/maps/map_family.h"
#include "bpfrt/btf.h"
#include "bpfrt/prog.h"

static const struct bpfrt_map_ops *const ops_by_type[__MAX_BPF_MAP_TYPE] = {
    [BPF_MAP_TYPE_HASH] = &bpfrt_htab_ops,
    [BPF_MAP_TYPE_ARRAY] = &bpfrt_array_ops,
    [BPF_MAP_TYPE_PROG_ARRAY] = &bpfrt_prog_array_ops,
    [BPF_MAP_TYPE_PERF_EVENT_ARRAY] = &bpfrt_perf_event_array_ops,
    [BPF_MAP_TYPE_PERCPU_HASH] = &bpfrt_percpu_htab_ops,
    [BPF_MAP_TYPE_PERCPU_ARRAY] = &bpfrt_percpu_array_ops,
    [BPF_MAP_TYPE_LRU_HASH] = &bpfrt_lru_htab_ops,
    [BPF_MAP_TYPE_LRU_PERCPU_HASH] = &bpfrt_lru_percpu_htab_ops,
    [BPF_MAP_TYPE_LPM_TRIE] = &bpfrt_lpm_trie_ops,
    [BPF_MAP_TYPE_ARRAY_OF_MAPS] = &bpfrt_array_of_maps_ops,
    [BPF_MAP_TYPE_HASH_OF_MAPS] = &bpfrt_hash_of_maps_ops,
    [BPF_MAP_TYPE_DEVMAP] = &bpfrt_devmap_ops,
    [BPF_MAP_TYPE_CPUMAP] = &bpfrt_cpumap_ops,
    [BPF_MAP_TYPE_XSKMAP] = &bpfrt_xskmap_ops,
    [BPF_MAP_TYPE_QUEUE] = &bpfrt_queue_ops,
    [BPF_MAP_TYPE_STACK] = &bpfrt_stack_ops,
    [BPF_MAP_TYPE_DEVMAP_HASH] = &bpfrt_devmap_hash_ops,
    [BPF_MAP_TYPE_RINGBUF] = &bpfrt_ringbuf_ops,
    [BPF_MAP_TYPE_BLOOM_FILTER] = &bpfrt_bloom_filter_ops,
    [BPF_MAP_TYPE_STACK_TRACE] = &bpfrt_stack_trace_ops,
    [BPF_MAP_TYPE_CGROUP_ARRAY] = &bpfrt_cgroup_array_ops,
    [BPF_MAP_TYPE_TASK_STORAGE] = &bpfrt_task_storage_ops,
    [BPF_MAP_TYPE_INODE_STORAGE] = &bpfrt_inode_storage_ops,
    [BPF_MAP_TYPE_SK_STORAGE] = &bpfrt_sk_storage_ops,
    [BPF_MAP_TYPE_CGRP_STORAGE] = &bpfrt_cgrp_storage_ops,
    [BPF_MAP_TYPE_SOCKMAP] = &bpfrt_sockmap_ops,
    [BPF_MAP_TYPE_SOCKHASH] = &bpfrt_sockhash_ops,
    [BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = &bpfrt_reuseport_array_ops,
    [BPF_MAP_TYPE_USER_RINGBUF] = &bpfrt_user_ringbuf_ops,
};

static const struct bpfrt_map_ops *map_ops(uint32_t type)
{
    return type < __MAX_BPF_MAP_TYPE ? ops_by_type[type] : NULL;
}

bool bpfrt_map_type_supported(uint32_t map_type)
{
    return map_ops(map_type) != NULL;
}

/* Linux's bpf_obj_name_cpy: alphanumerics, '_' and '.', NUL within 16 bytes. */
static int check_name(const char *name)
{
    for (unsigned i = 0; i < BPF_OBJ_NAME_LEN; i++) {
        char c = name[i];
        if (c == '\0')
            return 0;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_' || c == '.';
        if (!ok)
            return -BPFRT_EINVAL;
    }
    return -BPFRT_EINVAL;
}

void bpfrt_map_init_common(struct bpfrt_map *map, const struct bpfrt_map_ops *ops,
                           struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    map->ops = ops;
    map->rt = rt;
    map->map_type = attr->map_type;
    map->key_size = attr->key_size;
    map->value_size = attr->value_size;
    map->max_entries = attr->max_entries;
    map->map_flags = attr->map_flags;
    map->map_extra = attr->map_extra;
    map->spin_lock_off = -1;
    bpfrt_memcpy(map->name, attr->map_name, BPF_OBJ_NAME_LEN);
    map->name[BPF_OBJ_NAME_LEN - 1] = '\0';
}

/* The template a map-in-map keeps of its inner map: the fields the inner
 * maps must match, and no operations. */
static const struct bpfrt_map_ops meta_ops;

static int make_inner_meta(struct bpfrt_runtime *rt, struct bpfrt_map *inner, struct bpfrt_map **out)
{
    if (!inner)
        return -BPFRT_EBADF;
    if (inner->inner_meta) /* no map-in-map-in-map, as Linux */
        return -BPFRT_EINVAL;
    if (!inner->ops->meta_equal)
        return -BPFRT_ENOTSUPP;
    struct bpfrt_map *meta = bpfrt_zalloc(rt, sizeof(*meta));
    if (!meta)
        return -BPFRT_ENOMEM;
    meta->ops = &meta_ops;
    meta->rt = rt;
    meta->map_type = inner->map_type;
    meta->key_size = inner->key_size;
    meta->value_size = inner->value_size;
    meta->max_entries = inner->max_entries;
    meta->map_flags = inner->map_flags;
    meta->map_extra = inner->map_extra;
    meta->spin_lock_off = inner->spin_lock_off;
    bpfrt_memcpy(meta->name, inner->name, BPF_OBJ_NAME_LEN);
    *out = meta;
    return 0;
}

static void map_free_deferred(void *arg);

int bpfrt_map_create(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                     struct bpfrt_map *inner_template, struct bpfrt_btf *btf,
                     struct bpfrt_map **out)
{
    const struct bpfrt_map_ops *ops = map_ops(attr->map_type);
    *out = NULL;
    if (!ops)
        return -BPFRT_EINVAL;
    /* map_extra only means something to bloom filters (and arenas). */
    if (attr->map_type != BPF_MAP_TYPE_BLOOM_FILTER && attr->map_extra)
        return -BPFRT_EINVAL;
    if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
        return -BPFRT_EINVAL;
    /* One NUMA node here. */
    if ((attr->map_flags & BPF_F_NUMA_NODE) && attr->numa_node != 0)
        return -BPFRT_EINVAL;
    if (attr->btf_vmlinux_value_type_id)
        return -BPFRT_EINVAL; /* struct_ops maps only */
    if (attr->btf_key_type_id && !attr->btf_value_type_id)
        return -BPFRT_EINVAL;
    int err = check_name(attr->map_name);
    if (err)
        return err;
    err = ops->alloc_check ? ops->alloc_check(rt, attr) : 0;
    if (err)
        return err;

    struct bpfrt_map *meta = NULL;
    if (attr->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS || attr->map_type == BPF_MAP_TYPE_HASH_OF_MAPS) {
        err = make_inner_meta(rt, inner_template, &meta);
        if (err)
            return err;
    }

    struct bpfrt_map *map = NULL;
    err = ops->alloc(rt, attr, meta, &map);
    if (err) {
        bpfrt_free(rt, meta, sizeof(*meta));
        return err;
    }
    map->inner_meta = meta;
    map->refcnt = 1;
    if (ops->check_btf && attr->btf_value_type_id) {
        err = btf ? ops->check_btf(map, btf, attr->btf_key_type_id, attr->btf_value_type_id) : -BPFRT_EINVAL;
        if (err) {
            map_free_deferred(map);
            return err;
        }
    }
    map->id = __atomic_add_fetch(&rt->next_map_id, 1, __ATOMIC_SEQ_CST);
    if (btf) {
        bpfrt_btf_get(btf);
        map->btf = btf;
        map->btf_key_type_id = attr->btf_key_type_id;
        map->btf_value_type_id = attr->btf_value_type_id;
    }
    *out = map;
    return 0;
}

void bpfrt_map_get(struct bpfrt_map *map)
{
    __atomic_add_fetch(&map->refcnt, 1, __ATOMIC_RELAXED);
}

static void map_free_deferred(void *arg)
{
    struct bpfrt_map *map = arg;
    struct bpfrt_runtime *rt = map->rt;
    struct bpfrt_btf *btf = map->btf;
    struct bpfrt_map *meta = map->inner_meta;
    map->ops->free(map);
    if (btf)
        bpfrt_btf_put(btf);
    bpfrt_free(rt, meta, sizeof(*meta));
}

void bpfrt_map_put(struct bpfrt_map *map)
{
    if (!map)
        return;
    if (__atomic_sub_fetch(&map->refcnt, 1, __ATOMIC_ACQ_REL) == 0) {
        /* Fd-holding maps drop their references now (Linux clears them when
         * the last user reference goes); memory waits for readers. */
        if (map->ops->release_uref)
            map->ops->release_uref(map);
        bpfrt_map_defer_free(map->rt, map_free_deferred, map);
    }
}

void bpfrt_map_release_uref(struct bpfrt_map *map)
{
    if (map->ops->release_uref)
        map->ops->release_uref(map);
}

static bool is_percpu_type(uint32_t type)
{
    return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
           type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool holds_fds(uint32_t type)
{
    return type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
           type == BPF_MAP_TYPE_HASH_OF_MAPS || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

uint32_t bpfrt_map_user_value_size(const struct bpfrt_map *map)
{
    if (is_percpu_type(map->map_type))
        return bpfrt_percpu_stride(map) * map->rt->ncpus;
    if (holds_fds(map->map_type))
        return 4;
    return map->value_size;
}

int bpfrt_map_set_spin_lock_off(struct bpfrt_map *map, int32_t off)
{
    if (off < 0) {
        map->spin_lock_off = -1;
        return 0;
    }
    if (map->map_type != BPF_MAP_TYPE_HASH && map->map_type != BPF_MAP_TYPE_ARRAY && !bpfrt_is_local_storage(map))
        return -BPFRT_EOPNOTSUPP;
    if ((off & 3) || (uint64_t)off + sizeof(struct bpf_spin_lock) > map->value_size)
        return -BPFRT_EINVAL;
    map->spin_lock_off = off;
    return 0;
}

/* ---- user side ---- */

static bool user_can_read(const struct bpfrt_map *map) { return !(map->map_flags & BPF_F_WRONLY); }
/* Maps without keys take a NULL key pointer (Linux: -EINVAL otherwise). */
static bool key_ok(const struct bpfrt_map *map, const void *key)
{
    return map->key_size || !key;
}

int bpfrt_map_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    if (flags & ~(uint64_t)BPF_F_LOCK)
        return -BPFRT_EINVAL;
    if (!user_can_read(map))
        return -BPFRT_EPERM;
    if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
        return -BPFRT_EINVAL;
    if (!key_ok(map, key))
        return -BPFRT_EINVAL;
    if (!map->ops->sys_lookup)
        return -BPFRT_ENOTSUPP;
    bpfrt_map_read_lock(map->rt);
    int err = map->ops->sys_lookup(map, key, value, flags);
    bpfrt_map_read_unlock(map->rt);
    return err;
}

int bpfrt_map_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    if (!bpfrt_map_user_can_write(map))
        return -BPFRT_EPERM;
    if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
        return -BPFRT_EINVAL;
    if (!key_ok(map, key))
        return -BPFRT_EINVAL;
    if (!map->ops->sys_update)
        return -BPFRT_ENOTSUPP;
    bpfrt_map_read_lock(map->rt);
    int err = map->ops->sys_update(map, key, value, flags);
    bpfrt_map_read_unlock(map->rt);
    return err;
}

int bpfrt_map_delete(struct bpfrt_map *map, const void *key)
{
    if (!bpfrt_map_user_can_write(map))
        return -BPFRT_EPERM;
    if (!key_ok(map, key))
        return -BPFRT_EINVAL;
    if (!map->ops->sys_delete)
        return -BPFRT_ENOTSUPP;
    bpfrt_map_read_lock(map->rt);
    int err = map->ops->sys_delete(map, key);
    bpfrt_map_read_unlock(map->rt);
    return err;
}

int bpfrt_map_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    if (!user_can_read(map))
        return -BPFRT_EPERM;
    if (!key_ok(map, key))
        return -BPFRT_EINVAL;
    if (!map->ops->get_next_key)
        return -BPFRT_ENOTSUPP;
    bpfrt_map_read_lock(map->rt);
    int err = map->ops->get_next_key(map, key, next_key);
    bpfrt_map_read_unlock(map->rt);
    return err;
}

int bpfrt_map_lookup_and_delete(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    if (flags & ~(uint64_t)BPF_F_LOCK)
        return -BPFRT_EINVAL;
    if (flags && (map->map_type == BPF_MAP_TYPE_QUEUE || map->map_type == BPF_MAP_TYPE_STACK))
        return -BPFRT_EINVAL;
    if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
        return -BPFRT_EINVAL;
    if (!user_can_read(map) || !bpfrt_map_user_can_write(map))
        return -BPFRT_EPERM;
    if (!key_ok(map, key))
        return -BPFRT_EINVAL;
    if (!map->ops->sys_lookup_and_delete)
        return -BPFRT_ENOTSUPP;
    bpfrt_map_read_lock(map->rt);
    int err = map->ops->sys_lookup_and_delete(map, key, value, flags);
    bpfrt_map_read_unlock(map->rt);
    return err;
}

int bpfrt_map_freeze(struct bpfrt_map *map)
{
    /* Linux refuses maps with special fields (a spin lock) and, since a
     * frozen map is no longer writable, a second freeze gets -EPERM. */
    if (map->spin_lock_off >= 0)
        return -BPFRT_ENOTSUPP;
    if (!bpfrt_map_user_can_write(map))
        return -BPFRT_EPERM;
    bool expected = false;
    if (!__atomic_compare_exchange_n(&map->frozen, &expected, true, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return -BPFRT_EPERM;
    return 0;
}

/* ---- program side ---- */

void *bpfrt_map_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    return map->ops->lookup_elem ? map->ops->lookup_elem(map, key, cpu) : NULL;
}

long bpfrt_map_update_elem(struct bpfrt_map *map, const void *key, const void *value,
                           uint64_t flags, unsigned cpu)
{
    if (map->map_flags & BPF_F_RDONLY_PROG)
        return -BPFRT_EPERM; /* the verifier rejects this; checked runs land here */
    /* Queue, stack and bloom filter: -EINVAL here too, programs push. */
    return map->ops->update_elem ? map->ops->update_elem(map, key, value, flags, cpu) : -BPFRT_EINVAL;
}

long bpfrt_map_delete_elem(struct bpfrt_map *map, const void *key)
{
    if (map->map_flags & BPF_F_RDONLY_PROG)
        return -BPFRT_EPERM;
    return map->ops->delete_elem ? map->ops->delete_elem(map, key) : -BPFRT_EINVAL;
}

long bpfrt_map_push_elem(struct bpfrt_map *map, const void *value, uint64_t flags)
{
    if (map->map_flags & BPF_F_RDONLY_PROG)
        return -BPFRT_EPERM;
    return map->ops->push_elem ? map->ops->push_elem(map, value, flags) : -BPFRT_EINVAL;
}

long bpfrt_map_pop_elem(struct bpfrt_map *map, void *value)
{
    return map->ops->pop_elem ? map->ops->pop_elem(map, value) : -BPFRT_EINVAL;
}

long bpfrt_map_peek_elem(struct bpfrt_map *map, void *value)
{
    return map->ops->peek_elem ? map->ops->peek_elem(map, value) : -BPFRT_EINVAL;
}

void *bpfrt_map_lookup_percpu_elem(struct bpfrt_map *map, const void *key, uint32_t cpu)
{
    if (!map->ops->lookup_percpu_elem || cpu >= map->rt->ncpus)
        return NULL;
    return map->ops->lookup_percpu_elem(map, key, cpu);
}

long bpfrt_map_for_each(struct bpfrt_map *map, bpfrt_map_iter_cb cb, void *cb_ctx, unsigned cpu)
{
    return map->ops->for_each ? map->ops->for_each(map, cb, cb_ctx, cpu) : -BPFRT_EINVAL;
}

int bpfrt_map_direct_value_addr(struct bpfrt_map *map, uint32_t off, uint64_t *addr)
{
    return map->ops->direct_value_addr ? map->ops->direct_value_addr(map, off, addr) : -BPFRT_EINVAL;
}

int bpfrt_map_redirect_target(struct bpfrt_map *map, uint32_t key, uint32_t *target)
{
    switch (map->map_type) {
    case BPF_MAP_TYPE_DEVMAP:
    case BPF_MAP_TYPE_DEVMAP_HASH:
    case BPF_MAP_TYPE_XSKMAP:
    case BPF_MAP_TYPE_CPUMAP:
        return bpfrt_redirect_target_impl(map, key, target);
    default:
        return -BPFRT_EINVAL;
    }
}

/* ---- meta comparisons for map-in-map ---- */

bool bpfrt_map_meta_equal(const struct bpfrt_map *meta, const struct bpfrt_map *inner)
{
    return meta->map_type == inner->map_type && meta->key_size == inner->key_size &&
           meta->value_size == inner->value_size && meta->map_flags == inner->map_flags &&
           meta->spin_lock_off == inner->spin_lock_off;
}

bool bpfrt_array_meta_equal(const struct bpfrt_map *meta, const struct bpfrt_map *inner)
{
    if (!bpfrt_map_meta_equal(meta, inner))
        return false;
    return (meta->map_flags & BPF_F_INNER_MAP) || meta->max_entries == inner->max_entries;
}

/* ---- shared helpers ---- */

void bpfrt_map_copy_out(void *dst, const void *map_mem, uint32_t size)
{
    unsigned char *d = dst;
    const unsigned char *s = map_mem;
    while (size && ((uintptr_t)s & 7)) {
        *d++ = __atomic_load_n(s++, __ATOMIC_RELAXED);
        size--;
    }
    for (; size >= 8; size -= 8, s += 8, d += 8) {
        uint64_t w = __atomic_load_n((const uint64_t *)(const void *)s, __ATOMIC_RELAXED);
        bpfrt_memcpy(d, &w, 8);
    }
    while (size--)
        *d++ = __atomic_load_n(s++, __ATOMIC_RELAXED);
}

void bpfrt_map_copy_in(void *map_mem, const void *src, uint32_t size)
{
    unsigned char *d = map_mem;
    const unsigned char *s = src;
    while (size && ((uintptr_t)d & 7)) {
        __atomic_store_n(d++, *s++, __ATOMIC_RELAXED);
        size--;
    }
    for (; size >= 8; size -= 8, s += 8, d += 8) {
        uint64_t w;
        bpfrt_memcpy(&w, s, 8);
        __atomic_store_n((uint64_t *)(void *)d, w, __ATOMIC_RELAXED);
    }
    while (size--)
        __atomic_store_n(d++, *s++, __ATOMIC_RELAXED);
}

void bpfrt_map_zero(void *map_mem, uint32_t size)
{
    unsigned char *d = map_mem;
    while (size && ((uintptr_t)d & 7)) {
        __atomic_store_n(d++, 0, __ATOMIC_RELAXED);
        size--;
    }
    for (; size >= 8; size -= 8, d += 8)
        __atomic_store_n((uint64_t *)(void *)d, 0, __ATOMIC_RELAXED);
    while (size--)
        __atomic_store_n(d++, 0, __ATOMIC_RELAXED);
}

void bpfrt_map_value_copy_in(const struct bpfrt_map *map, void *map_mem, const void *src)
{
    int32_t off = map->spin_lock_off;
    if (off < 0) {
        bpfrt_map_copy_in(map_mem, src, map->value_size);
        return;
    }
    uint32_t after = (uint32_t)off + sizeof(struct bpf_spin_lock);
    bpfrt_map_copy_in(map_mem, src, (uint32_t)off);
    bpfrt_map_copy_in((char *)map_mem + after, (const char *)src + after, map->value_size - after);
}

void bpfrt_map_value_copy_out(const struct bpfrt_map *map, void *dst, const void *map_mem)
{
    int32_t off = map->spin_lock_off;
    bpfrt_map_copy_out(dst, map_mem, map->value_size);
    if (off >= 0)
        bpfrt_memset((char *)dst + off, 0, sizeof(struct bpf_spin_lock));
}

void bpfrt_map_value_copy_in_locked(const struct bpfrt_map *map, void *map_mem, const void *src)
{
    struct bpf_spin_lock *lock = (void *)((char *)map_mem + map->spin_lock_off);
    bpfrt_spin_lock(lock);
    bpfrt_map_value_copy_in(map, map_mem, src);
    bpfrt_spin_unlock(lock);
}

void bpfrt_map_value_copy_out_locked(const struct bpfrt_map *map, void *dst, void *map_mem)
{
    struct bpf_spin_lock *lock = (void *)((char *)map_mem + map->spin_lock_off);
    bpfrt_spin_lock(lock);
    bpfrt_map_value_copy_out(map, dst, map_mem);
    bpfrt_spin_unlock(lock);
}

void bpfrt_spin_lock(struct bpf_spin_lock *lock)
{
    bpfrt_raw_spin_lock(&lock->val);
}

void bpfrt_spin_unlock(struct bpf_spin_lock *lock)
{
    bpfrt_raw_spin_unlock(&lock->val);
}

/* A word-at-a-time multiply-xorshift hash (not Linux's jhash: bucket order
 * is not part of the ABI). */
uint32_t bpfrt_map_hash(const void *key, uint32_t len, uint32_t seed)
{
    const unsigned char *p = key;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 32 | len);
    while (len >= 8) {
        uint64_t w;
        bpfrt_memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        bpfrt_memcpy(&w, p, len);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 29;
    return (uint32_t)h;
}

uint32_t bpfrt_map_seed(struct bpfrt_runtime *rt, uint32_t map_flags)
{
    if (map_flags & BPF_F_ZERO_SEED)
        return 0;
    return rt->plat->random_u32(rt->plat->ctx) ^ rt->hash_seed;
}
