/* The local storage maps (kernel/bpf/bpf_local_storage.c and the task,
 * inode, sk and cgroup users of it): one value per owner object - a task,
 * an inode, a socket, a cgroup - that programs reach with
 * bpf_*_storage_get(map, owner, init, flags) and bpf_*_storage_delete.
 * Linux hangs the values off the owner; here each map is a table keyed by
 * the owner's address, and an owner that goes away (a socket removed, a
 * fabricated task evicted, bpfrt_local_storage_owner_gone) loses its value
 * in every map (host_objs.c).
 *
 * Creation as Linux's bpf_local_storage_map_alloc_check: BPF_F_NO_PREALLOC
 * required, BPF_F_CLONE the only other flag, max_entries 0, key 4 bytes
 * (an int in BTF: map_check_btf), value > 0 and at most
 * BPF_LOCAL_STORAGE_MAX_VALUE_SIZE (-E2BIG), BTF key and value types.
 * User space names an owner by fd as Linux does; only sockets have fds in
 * bpfrt (their bpfrt_sock_add number), so task, inode and cgroup storage
 * answer -EBADF to user-space element commands. get_next_key -ENOTSUPP.
 *
 * Readers walk bucket chains with acquire loads; writers hold the bucket's
 * spin lock; removed values wait for readers (defer_free). */
#include "bpfrt/btf.h"
#include "core/maps/map_family.h"

#define LS_BUCKETS 256u
/* Linux 6.18, x86-64: U16_MAX - sizeof(struct bpf_local_storage_elem) */
#define LS_MAX_VALUE_SIZE (65535u - 128u)
#define LS_CREATE_FLAGS (BPF_F_NO_PREALLOC | BPF_F_CLONE)

struct ls_elem {
    struct ls_elem *next;        /* bucket chain (atomic) */
    struct bpfrt_runtime *rt;
    const void *owner;
    size_t alloc_size;
    unsigned char value[] __attribute__((aligned(8)));
};

struct ls_bucket {
    struct ls_elem *head;        /* atomic */
    uint32_t lock;
};

struct ls_map {
    struct bpfrt_map map;        /* must be first */
    struct bpfrt_host_map hm;
    uint32_t seed;
    struct ls_bucket buckets[LS_BUCKETS];
};

static struct ls_map *to_ls(struct bpfrt_map *map) { return (struct ls_map *)map; }
static struct ls_map *hm_to_ls(struct bpfrt_host_map *hm)
{
    return (struct ls_map *)((char *)hm - __builtin_offsetof(struct ls_map, hm));
}

bool bpfrt_is_local_storage(const struct bpfrt_map *map)
{
    uint32_t t = map->map_type;
    return t == BPF_MAP_TYPE_TASK_STORAGE || t == BPF_MAP_TYPE_INODE_STORAGE ||
           t == BPF_MAP_TYPE_SK_STORAGE || t == BPF_MAP_TYPE_CGRP_STORAGE;
}

static int ls_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    (void)rt;
    if ((attr->map_flags & ~LS_CREATE_FLAGS) || !(attr->map_flags & BPF_F_NO_PREALLOC) || attr->max_entries ||
        attr->key_size != 4 || !attr->value_size || !attr->btf_key_type_id || !attr->btf_value_type_id)
        return -BPFRT_EINVAL;
    if (attr->value_size > LS_MAX_VALUE_SIZE)
        return -BPFRT_E2BIG;
    return 0;
}

static struct ls_bucket *bucket_of(struct ls_map *m, const void *owner)
{
    uint64_t key = (uint64_t)(uintptr_t)owner;
    return &m->buckets[bpfrt_map_hash(&key, 8, m->seed) & (LS_BUCKETS - 1)];
}

static struct ls_elem *find_in(struct ls_bucket *b, const void *owner)
{
    for (struct ls_elem *e = __atomic_load_n(&b->head, __ATOMIC_ACQUIRE); e;
         e = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE))
        if (e->owner == owner)
            return e;
    return NULL;
}

static void elem_free_cb(void *arg)
{
    struct ls_elem *e = arg;
    bpfrt_free(e->rt, e, e->alloc_size);
}

/* Unlinks owner's element (bucket lock held); NULL when there is none. */
static struct ls_elem *unlink_owner(struct ls_bucket *b, const void *owner)
{
    for (struct ls_elem **p = &b->head; *p; p = &(*p)->next)
        if ((*p)->owner == owner) {
            struct ls_elem *e = *p;
            __atomic_store_n(p, e->next, __ATOMIC_RELEASE);
            return e;
        }
    return NULL;
}

static long ls_remove(struct ls_map *m, const void *owner)
{
    struct ls_bucket *b = bucket_of(m, owner);
    bpfrt_raw_spin_lock(&b->lock);
    struct ls_elem *e = unlink_owner(b, owner);
    bpfrt_raw_spin_unlock(&b->lock);
    if (!e)
        return -BPFRT_ENOENT;
    bpfrt_map_defer_free(m->map.rt, elem_free_cb, e);
    return 0;
}

static void ls_forget(struct bpfrt_host_map *hm, const void *owner)
{
    ls_remove(hm_to_ls(hm), owner);
}

static int ls_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr, struct bpfrt_map *inner,
                    struct bpfrt_map **out)
{
    (void)inner;
    static const struct bpfrt_map_ops *const ops_of[] = {
        [BPF_MAP_TYPE_TASK_STORAGE] = &bpfrt_task_storage_ops,
        [BPF_MAP_TYPE_INODE_STORAGE] = &bpfrt_inode_storage_ops,
        [BPF_MAP_TYPE_SK_STORAGE] = &bpfrt_sk_storage_ops,
        [BPF_MAP_TYPE_CGRP_STORAGE] = &bpfrt_cgrp_storage_ops,
    };
    if (!bpfrt_host_objs(rt))
        return -BPFRT_ENOMEM;
    struct ls_map *m = bpfrt_zalloc(rt, sizeof(*m));
    if (!m)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&m->map, ops_of[attr->map_type], rt, attr);
    m->seed = bpfrt_map_seed(rt, 0);
    m->hm.forget = ls_forget;
    bpfrt_host_map_register(rt, &m->hm);
    *out = &m->map;
    return 0;
}

static void ls_free(struct bpfrt_map *map)
{
    struct ls_map *m = to_ls(map);
    bpfrt_host_map_unregister(map->rt, &m->hm);
    for (uint32_t i = 0; i < LS_BUCKETS; i++)
        while (m->buckets[i].head) {
            struct ls_elem *e = m->buckets[i].head;
            m->buckets[i].head = e->next;
            elem_free_cb(e);
        }
    bpfrt_free(map->rt, m, sizeof(*m));
}

/* The key type must be a 32-bit int (bpf_local_storage_map_check_btf). */
static int ls_check_btf(struct bpfrt_map *map, const struct bpfrt_btf *btf, uint32_t key_id, uint32_t value_id)
{
    (void)map, (void)value_id;
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, key_id);
    if (!t || btf_kind(t) != BTF_KIND_INT || t->size != 4)
        return -BPFRT_EINVAL;
    uint32_t enc = *(const uint32_t *)btf_type_extra(t);
    return BTF_INT_BITS(enc) == 32 && BTF_INT_OFFSET(enc) == 0 ? 0 : -BPFRT_EINVAL;
}

/* Inserts or replaces owner's value (value NULL: zeroes) under flags
 * BPF_ANY / NOEXIST / EXIST, optionally | BPF_F_LOCK (then an existing
 * value is updated in place under its lock). Returns the element's value
 * or NULL with *err. */
static void *ls_update(struct ls_map *m, const void *owner, const void *value, uint64_t flags, int *err)
{
    uint64_t op = flags & ~(uint64_t)BPF_F_LOCK;
    struct bpfrt_map *map = &m->map;
    struct ls_bucket *b = bucket_of(m, owner);
    bpfrt_raw_spin_lock(&b->lock);
    struct ls_elem *old = find_in(b, owner);
    if ((op == BPF_NOEXIST && old) || (op == BPF_EXIST && !old)) {
        bpfrt_raw_spin_unlock(&b->lock);
        *err = old ? -BPFRT_EEXIST : -BPFRT_ENOENT;
        return NULL;
    }
    if (old && (flags & BPF_F_LOCK)) {
        bpfrt_raw_spin_unlock(&b->lock);
        bpfrt_map_value_copy_in_locked(map, old->value, value);
        return old->value;
    }
    size_t bytes = sizeof(struct ls_elem) + bpfrt_round_up(map->value_size, 8);
    struct ls_elem *e = bpfrt_zalloc(map->rt, bytes);
    if (!e) {
        bpfrt_raw_spin_unlock(&b->lock);
        *err = -BPFRT_ENOMEM;
        return NULL;
    }
    e->rt = map->rt;
    e->owner = owner;
    e->alloc_size = bytes;
    if (value)
        bpfrt_map_value_copy_in(map, e->value, value);
    /* the new element replaces the old one in place: readers see either */
    struct ls_elem **link = &b->head;
    if (old) {
        while (*link != old)
            link = &(*link)->next;
        e->next = old->next;
    } else {
        e->next = b->head;
    }
    __atomic_store_n(link, e, __ATOMIC_RELEASE);
    bpfrt_raw_spin_unlock(&b->lock);
    if (old)
        bpfrt_map_defer_free(map->rt, elem_free_cb, old);
    return e->value;
}

void *bpfrt_local_storage_get(struct bpfrt_map *map, const void *owner, const void *init, uint64_t flags)
{
    if (!bpfrt_is_local_storage(map) || !owner || (flags & ~BPF_LOCAL_STORAGE_GET_F_CREATE))
        return NULL;
    struct ls_map *m = to_ls(map);
    struct ls_elem *e = find_in(bucket_of(m, owner), owner);
    if (e)
        return e->value;
    if (!(flags & BPF_LOCAL_STORAGE_GET_F_CREATE) || (map->map_flags & BPF_F_RDONLY_PROG))
        return NULL;
    int err;
    return ls_update(m, owner, init, BPF_NOEXIST, &err); /* a racing creator wins: NULL, as Linux */
}

long bpfrt_local_storage_delete(struct bpfrt_map *map, const void *owner)
{
    if (!bpfrt_is_local_storage(map) || !owner)
        return -BPFRT_EINVAL;
    if (map->map_flags & BPF_F_RDONLY_PROG)
        return -BPFRT_EPERM;
    return ls_remove(to_ls(map), owner);
}

/* ---- user side: the key is an fd naming the owner ---- */

/* The owner user space names (a reference to drop with owner_put), or
 * -EBADF. */
static int owner_from_fd(struct bpfrt_map *map, const void *key, struct bpfrt_sock **sk)
{
    int32_t fd;
    bpfrt_memcpy(&fd, key, 4);
    *sk = map->map_type == BPF_MAP_TYPE_SK_STORAGE ? bpfrt_sock_by_fd(map->rt, fd) : NULL;
    return *sk ? 0 : -BPFRT_EBADF;
}

static int ls_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_sock *sk;
    int err = owner_from_fd(map, key, &sk);
    if (err)
        return err;
    struct ls_elem *e = find_in(bucket_of(to_ls(map), sk), sk);
    if (!e)
        err = -BPFRT_ENOENT;
    else if (flags & BPF_F_LOCK)
        bpfrt_map_value_copy_out_locked(map, value, e->value);
    else
        bpfrt_map_value_copy_out(map, value, e->value);
    bpfrt_sock_put(sk);
    return err;
}

static int ls_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
        return -BPFRT_EINVAL;
    struct bpfrt_sock *sk;
    int err = owner_from_fd(map, key, &sk);
    if (err)
        return err;
    ls_update(to_ls(map), sk, value, flags, &err); /* err is set only on failure */
    bpfrt_sock_put(sk);
    return err;
}

static int ls_sys_delete(struct bpfrt_map *map, const void *key)
{
    struct bpfrt_sock *sk;
    int err = owner_from_fd(map, key, &sk);
    if (err)
        return err;
    err = (int)ls_remove(to_ls(map), sk);
    bpfrt_sock_put(sk);
    return err;
}

#define LOCAL_STORAGE_OPS(name)               \
    const struct bpfrt_map_ops name = {       \
        .alloc_check = ls_alloc_check,        \
        .alloc = ls_alloc,                    \
        .free = ls_free,                      \
        .check_btf = ls_check_btf,            \
        .sys_lookup = ls_sys_lookup,          \
        .sys_update = ls_sys_update,          \
        .sys_delete = ls_sys_delete,          \
    }

LOCAL_STORAGE_OPS(bpfrt_task_storage_ops);
LOCAL_STORAGE_OPS(bpfrt_inode_storage_ops);
LOCAL_STORAGE_OPS(bpfrt_sk_storage_ops);
LOCAL_STORAGE_OPS(bpfrt_cgrp_storage_ops);
