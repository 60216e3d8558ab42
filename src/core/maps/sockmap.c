/* BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH (net/core/sock_map.c):
 * sockets by u32 index or by key, for the redirect helpers of sk_skb and
 * sk_msg programs and bpf_sock_map/hash_update of sock_ops programs. The
 * sockets are those the embedder registered (bpfrt_sock_add); user space
 * stores one by its number where Linux takes a socket fd (value 4 or 8
 * bytes), and reads back its cookie (8-byte values only: -ENOSPC
 * otherwise). A slot holds a reference; a socket the embedder removes
 * leaves every map (sock_map_close).
 *
 * Creation as sock_map_alloc / sock_hash_alloc: value 4 or 8, flags only
 * NUMA and the access flags, max_entries > 0; SOCKMAP key 4, SOCKHASH key
 * 1..512 (-E2BIG above). Update: flags > BPF_EXIST -EINVAL, a TCP socket
 * must be established or listening (-EOPNOTSUPP); SOCKMAP index >= max
 * -E2BIG, NOEXIST/EXIST -EEXIST/-ENOENT, delete of an empty or
 * out-of-range slot -EINVAL; SOCKHASH full -E2BIG, delete of a missing key
 * -ENOENT. Programs' lookups are not provided (NULL).
 *
 * BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (kernel/bpf/reuseport_array.c) is a
 * SOCKMAP for bpf_sk_select_reuseport alone: user space stores only
 * sockets in a reuseport group (registered with reuseport: a TCP listener,
 * a bound unconnected UDP socket; else -EINVAL, after the NOEXIST/EXIST
 * answers), deletes give -E2BIG past the end and -ENOENT for an empty
 * slot; programs neither look up nor update it. */
#include "core/maps/map_family.h"

#define SOCK_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)
#define MAX_BPF_STACK 512u
#define SHASH_BUCKETS_MAX (UINT32_MAX / 16u) /* U32_MAX / sizeof(struct bpf_shtab_bucket) */
#define TCP_ESTABLISHED 1
#define TCP_LISTEN 10
#define PROTO_TCP 6

struct shash_elem {
    struct shash_elem *next;     /* atomic */
    struct bpfrt_runtime *rt;
    struct bpfrt_sock *sk;       /* a reference */
    size_t alloc_size;
    unsigned char key[] __attribute__((aligned(8)));
};

struct sock_map {
    struct bpfrt_map map;        /* must be first */
    struct bpfrt_host_map hm;
    uint32_t lock;               /* writers */
    uint32_t count;              /* sockhash elements */
    uint32_t n_buckets;          /* sockhash */
    uint32_t seed;
    struct bpfrt_sock **slots;   /* sockmap: max_entries (atomic pointers) */
    struct shash_elem **buckets; /* sockhash: n_buckets chains (atomic heads) */
};

static struct sock_map *to_sm(struct bpfrt_map *map) { return (struct sock_map *)map; }
static bool is_hash(const struct bpfrt_map *map) { return map->map_type == BPF_MAP_TYPE_SOCKHASH; }

bool bpfrt_is_sockmap(const struct bpfrt_map *map)
{
    return map->map_type == BPF_MAP_TYPE_SOCKMAP || map->map_type == BPF_MAP_TYPE_SOCKHASH;
}

static bool is_reuseport(const struct bpfrt_map *map) { return map->map_type == BPF_MAP_TYPE_REUSEPORT_SOCKARRAY; }

static int sm_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    (void)rt;
    bool hash = attr->map_type == BPF_MAP_TYPE_SOCKHASH;
    if (attr->max_entries == 0 || (hash ? attr->key_size == 0 : attr->key_size != 4) ||
        (attr->value_size != 4 && attr->value_size != 8) || (attr->map_flags & ~SOCK_CREATE_FLAG_MASK))
        return -BPFRT_EINVAL;
    if (hash && attr->key_size > MAX_BPF_STACK)
        return -BPFRT_E2BIG;
    if (hash && bpfrt_roundup_pow_of_two(attr->max_entries) > SHASH_BUCKETS_MAX)
        return -BPFRT_EINVAL;
    return 0;
}

static void elem_free_cb(void *arg)
{
    struct shash_elem *e = arg;
    bpfrt_free(e->rt, e, e->alloc_size);
}

/* A socket leaves a slot or element: the reference goes; an element's
 * memory waits for readers. */
static void drop_elem(struct sock_map *m, struct shash_elem *e)
{
    bpfrt_sock_put(e->sk);
    bpfrt_map_defer_free(m->map.rt, elem_free_cb, e);
}

static void sm_forget(struct bpfrt_host_map *hm, const void *obj)
{
    struct sock_map *m = (struct sock_map *)((char *)hm - __builtin_offsetof(struct sock_map, hm));
    bpfrt_raw_spin_lock(&m->lock);
    if (!is_hash(&m->map)) {
        for (uint32_t i = 0; i < m->map.max_entries; i++)
            if (m->slots[i] == obj) {
                __atomic_store_n(&m->slots[i], NULL, __ATOMIC_RELEASE);
                bpfrt_sock_put((struct bpfrt_sock *)obj);
            }
    } else {
        for (uint32_t b = 0; b < m->n_buckets; b++)
            for (struct shash_elem **p = &m->buckets[b]; *p;) {
                struct shash_elem *e = *p;
                if (e->sk != obj) {
                    p = &e->next;
                    continue;
                }
                __atomic_store_n(p, e->next, __ATOMIC_RELEASE);
                m->count--;
                drop_elem(m, e);
            }
    }
    bpfrt_raw_spin_unlock(&m->lock);
}

static int sm_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr, struct bpfrt_map *inner,
                    struct bpfrt_map **out)
{
    (void)inner;
    bool hash = attr->map_type == BPF_MAP_TYPE_SOCKHASH;
    if (!bpfrt_host_objs(rt))
        return -BPFRT_ENOMEM;
    struct sock_map *m = bpfrt_zalloc(rt, sizeof(*m));
    if (!m)
        return -BPFRT_ENOMEM;
    const struct bpfrt_map_ops *ops = hash ? &bpfrt_sockhash_ops : &bpfrt_sockmap_ops;
    if (attr->map_type == BPF_MAP_TYPE_REUSEPORT_SOCKARRAY)
        ops = &bpfrt_reuseport_array_ops;
    bpfrt_map_init_common(&m->map, ops, rt, attr);
    if (hash) {
        m->n_buckets = (uint32_t)bpfrt_roundup_pow_of_two(attr->max_entries);
        m->seed = bpfrt_map_seed(rt, 0);
        m->buckets = bpfrt_zalloc(rt, (size_t)m->n_buckets * sizeof(*m->buckets));
    } else {
        m->slots = bpfrt_zalloc(rt, (size_t)attr->max_entries * sizeof(*m->slots));
    }
    if (hash ? !m->buckets : !m->slots) {
        bpfrt_free(rt, m, sizeof(*m));
        return -BPFRT_ENOMEM;
    }
    m->hm.forget = sm_forget;
    bpfrt_host_map_register(rt, &m->hm);
    *out = &m->map;
    return 0;
}

static void sm_free(struct bpfrt_map *map)
{
    struct sock_map *m = to_sm(map);
    bpfrt_host_map_unregister(map->rt, &m->hm);
    if (is_hash(map)) {
        for (uint32_t b = 0; b < m->n_buckets; b++)
            while (m->buckets[b]) {
                struct shash_elem *e = m->buckets[b];
                m->buckets[b] = e->next;
                bpfrt_sock_put(e->sk);
                elem_free_cb(e);
            }
        bpfrt_free(map->rt, m->buckets, (size_t)m->n_buckets * sizeof(*m->buckets));
    } else {
        for (uint32_t i = 0; i < map->max_entries; i++)
            bpfrt_sock_put(m->slots[i]);
        bpfrt_free(map->rt, m->slots, (size_t)map->max_entries * sizeof(*m->slots));
    }
    bpfrt_free(map->rt, m, sizeof(*m));
}

/* sock_map_sk_state_allowed: TCP sockets must be established or listening. */
static bool state_allowed(const struct bpfrt_sock *sk)
{
    if (sk->desc.protocol != PROTO_TCP)
        return true;
    return sk->desc.state == TCP_ESTABLISHED || sk->desc.state == TCP_LISTEN;
}

static uint32_t bucket_index(struct sock_map *m, const void *key)
{
    return bpfrt_map_hash(key, m->map.key_size, m->seed) & (m->n_buckets - 1);
}

static struct shash_elem *shash_find(struct sock_map *m, const void *key)
{
    for (struct shash_elem *e = __atomic_load_n(&m->buckets[bucket_index(m, key)], __ATOMIC_ACQUIRE); e;
         e = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE))
        if (bpfrt_memcmp(e->key, key, m->map.key_size) == 0)
            return e;
    return NULL;
}

/* Stores sk (the caller's reference, consumed on success) at key. */
static long sm_store(struct sock_map *m, const void *key, struct bpfrt_sock *sk, uint64_t flags)
{
    struct bpfrt_map *map = &m->map;
    if (flags > BPF_EXIST)
        return -BPFRT_EINVAL;
    if (!is_hash(map)) {
        uint32_t idx = bpfrt_map_key_index(key);
        if (idx >= map->max_entries)
            return -BPFRT_E2BIG;
        bpfrt_raw_spin_lock(&m->lock);
        struct bpfrt_sock *old = m->slots[idx];
        if ((old && flags == BPF_NOEXIST) || (!old && flags == BPF_EXIST)) {
            bpfrt_raw_spin_unlock(&m->lock);
            return old ? -BPFRT_EEXIST : -BPFRT_ENOENT;
        }
        __atomic_store_n(&m->slots[idx], sk, __ATOMIC_RELEASE);
        bpfrt_raw_spin_unlock(&m->lock);
        bpfrt_sock_put(old);
        return 0;
    }
    size_t bytes = sizeof(struct shash_elem) + bpfrt_round_up(map->key_size, 8);
    struct shash_elem *ne = bpfrt_zalloc(map->rt, bytes);
    if (!ne)
        return -BPFRT_ENOMEM;
    ne->rt = map->rt;
    ne->sk = sk;
    ne->alloc_size = bytes;
    bpfrt_memcpy(ne->key, key, map->key_size);
    struct shash_elem **head = &m->buckets[bucket_index(m, key)];
    bpfrt_raw_spin_lock(&m->lock);
    struct shash_elem **link = head;
    while (*link && bpfrt_memcmp((*link)->key, key, map->key_size) != 0)
        link = &(*link)->next;
    struct shash_elem *old = *link;
    long err = 0;
    if ((old && flags == BPF_NOEXIST) || (!old && flags == BPF_EXIST))
        err = old ? -BPFRT_EEXIST : -BPFRT_ENOENT;
    else if (!old && m->count >= map->max_entries)
        err = -BPFRT_E2BIG;
    if (err) {
        bpfrt_raw_spin_unlock(&m->lock);
        bpfrt_free(map->rt, ne, bytes);
        return err;
    }
    if (old) {
        ne->next = old->next;
        __atomic_store_n(link, ne, __ATOMIC_RELEASE);
    } else {
        ne->next = *head;
        __atomic_store_n(head, ne, __ATOMIC_RELEASE);
        m->count++;
    }
    bpfrt_raw_spin_unlock(&m->lock);
    if (old)
        drop_elem(m, old);
    return 0;
}

long bpfrt_sockmap_update_sock(struct bpfrt_map *map, const void *key, struct bpfrt_sock *sk, uint64_t flags)
{
    if (!bpfrt_is_sockmap(map) || !sk)
        return -BPFRT_EINVAL;
    if (!state_allowed(sk))
        return -BPFRT_EOPNOTSUPP;
    bpfrt_sock_get(sk);
    long err = sm_store(to_sm(map), key, sk, flags);
    if (err)
        bpfrt_sock_put(sk);
    return err;
}

struct bpfrt_sock *bpfrt_sockmap_lookup(struct bpfrt_map *map, const void *key)
{
    struct sock_map *m = to_sm(map);
    if (!bpfrt_is_sockmap(map) && !is_reuseport(map))
        return NULL;
    if (is_hash(map)) {
        struct shash_elem *e = shash_find(m, key);
        return e ? e->sk : NULL;
    }
    uint32_t idx = bpfrt_map_key_index(key);
    return idx < map->max_entries ? __atomic_load_n(&m->slots[idx], __ATOMIC_ACQUIRE) : NULL;
}

/* ---- user side ---- */

static int sm_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    uint64_t fd = 0;
    bpfrt_memcpy(&fd, value, map->value_size);
    if (fd > INT32_MAX)
        return -BPFRT_EINVAL;
    struct bpfrt_sock *sk = bpfrt_sock_by_fd(map->rt, (int)fd);
    if (!sk)
        return -BPFRT_EBADF;
    long err = state_allowed(sk) ? sm_store(to_sm(map), key, sk, flags) : -BPFRT_EOPNOTSUPP;
    if (err)
        bpfrt_sock_put(sk);
    return (int)err;
}

/* reuseport_array_update_check: the NOEXIST/EXIST answers first, then the
 * socket must be in a reuseport group and hashed (listening TCP, bound UDP). */
static int ra_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    uint32_t idx = bpfrt_map_key_index(key);
    if (flags > BPF_EXIST)
        return -BPFRT_EINVAL;
    if (idx >= map->max_entries)
        return -BPFRT_E2BIG;
    uint64_t fd = 0;
    bpfrt_memcpy(&fd, value, map->value_size);
    struct bpfrt_sock *sk = fd > INT32_MAX ? NULL : bpfrt_sock_by_fd(map->rt, (int)fd);
    if (!sk)
        return -BPFRT_EBADF;
    bool old = __atomic_load_n(&to_sm(map)->slots[idx], __ATOMIC_ACQUIRE) != NULL;
    const struct bpfrt_sock_desc *d = &sk->desc;
    long err = old && flags == BPF_NOEXIST ? -BPFRT_EEXIST : !old && flags == BPF_EXIST ? -BPFRT_ENOENT : 0;
    bool hashed = d->protocol == PROTO_TCP ? d->state == TCP_LISTEN : d->local_port && !d->remote_port;
    if (!err && (!d->reuseport || !hashed))
        err = -BPFRT_EINVAL;
    if (!err)
        err = sm_store(to_sm(map), key, sk, flags);
    if (err)
        bpfrt_sock_put(sk);
    return (int)err;
}

static int sm_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    (void)flags;
    if (map->value_size != 8)
        return -BPFRT_ENOSPC;
    struct bpfrt_sock *sk = bpfrt_sockmap_lookup(map, key);
    if (!sk)
        return -BPFRT_ENOENT;
    bpfrt_memcpy(value, &sk->cookie, 8);
    return 0;
}

static long sm_delete_elem(struct bpfrt_map *map, const void *key)
{
    struct sock_map *m = to_sm(map);
    bpfrt_raw_spin_lock(&m->lock);
    if (!is_hash(map)) {
        uint32_t idx = bpfrt_map_key_index(key);
        struct bpfrt_sock *old = idx < map->max_entries ? m->slots[idx] : NULL;
        if (old)
            __atomic_store_n(&m->slots[idx], NULL, __ATOMIC_RELEASE);
        bpfrt_raw_spin_unlock(&m->lock);
        if (!old && is_reuseport(map))
            return idx < map->max_entries ? -BPFRT_ENOENT : -BPFRT_E2BIG;
        if (!old)
            return -BPFRT_EINVAL;
        bpfrt_sock_put(old);
        return 0;
    }
    struct shash_elem **link = &m->buckets[bucket_index(m, key)];
    while (*link && bpfrt_memcmp((*link)->key, key, map->key_size) != 0)
        link = &(*link)->next;
    struct shash_elem *old = *link;
    if (old) {
        __atomic_store_n(link, old->next, __ATOMIC_RELEASE);
        m->count--;
    }
    bpfrt_raw_spin_unlock(&m->lock);
    if (!old)
        return -BPFRT_ENOENT;
    drop_elem(m, old);
    return 0;
}

static int sm_sys_delete(struct bpfrt_map *map, const void *key)
{
    return (int)sm_delete_elem(map, key);
}

/* Programs store a socket they hold (bpf_map_update_elem's value is the
 * socket itself for these maps); anything else is refused. */
static long sm_update_elem(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags, unsigned cpu)
{
    (void)cpu;
    if (!bpfrt_sock_known(map->rt, value))
        return -BPFRT_EINVAL;
    return bpfrt_sockmap_update_sock(map, key, (struct bpfrt_sock *)value, flags);
}

/* Linux's sock_map_get_next_key: array order. */
static int sockmap_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    uint32_t i = key ? bpfrt_map_key_index(key) : UINT32_MAX;
    if (i == map->max_entries - 1)
        return -BPFRT_ENOENT;
    uint32_t next = i >= map->max_entries ? 0 : i + 1;
    bpfrt_memcpy(next_key, &next, 4);
    return 0;
}

/* Hash order: the element after key in its chain, else the first of the
 * next non-empty bucket; a missing key starts over. */
static int sockhash_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    struct sock_map *m = to_sm(map);
    uint32_t b = 0;
    if (key) {
        struct shash_elem *e = shash_find(m, key);
        if (e) {
            struct shash_elem *n = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE);
            if (n) {
                bpfrt_memcpy(next_key, n->key, map->key_size);
                return 0;
            }
            b = bucket_index(m, key) + 1;
        }
    }
    for (; b < m->n_buckets; b++) {
        struct shash_elem *e = __atomic_load_n(&m->buckets[b], __ATOMIC_ACQUIRE);
        if (e) {
            bpfrt_memcpy(next_key, e->key, map->key_size);
            return 0;
        }
    }
    return -BPFRT_ENOENT;
}

#define SOCK_MAP_OPS(name, next, sys_update_fn) \
    const struct bpfrt_map_ops name = {         \
        .alloc_check = sm_alloc_check,          \
        .alloc = sm_alloc,                      \
        .free = sm_free,                        \
        .sys_lookup = sm_sys_lookup,            \
        .sys_update = sys_update_fn,            \
        .sys_delete = sm_sys_delete,            \
        .get_next_key = next,                   \
        .update_elem = sm_update_elem,          \
        .delete_elem = sm_delete_elem,          \
    }

SOCK_MAP_OPS(bpfrt_sockmap_ops, sockmap_get_next_key, sm_sys_update);
SOCK_MAP_OPS(bpfrt_sockhash_ops, sockhash_get_next_key, sm_sys_update);
SOCK_MAP_OPS(bpfrt_reuseport_array_ops, sockmap_get_next_key, ra_sys_update);
