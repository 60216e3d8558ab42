/* The hash table behind HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH
 * (this file) and HASH_OF_MAPS / DEVMAP_HASH (which reuse bpfrt_htab_*).
 *
 * Concurrency, as Linux's hashtab gives it:
 *  - lookups take no lock: they walk a bucket chain with acquire loads inside
 *    the caller's read-side section (a program run, or map.c's wrapper);
 *  - writers serialise per bucket on a spin lock in the bucket;
 *  - an update of an existing key publishes a new element in place of the
 *    old one and hands the old one to defer_free, so a value pointer a
 *    program holds stays valid (with the old contents) until its run ends;
 *    per-CPU maps update the value in place, as Linux does;
 *  - the element count is an atomic, so a full map (-E2BIG) is exact.
 *
 * LRU: one list per map under its own lock, most recent at the head. A
 * program-side lookup only sets the element's `referenced` bit; when the map
 * is full an insert evicts from the tail, giving referenced elements a second
 * chance (CLOCK). Linux's LRU is per-CPU and approximate too; this one
 * approximates least-recently-used map-wide. Lock order: bucket -> LRU list;
 * eviction never holds both at once. */
#include "core/maps/maps_impl.h"

#define HTAB_CREATE_FLAG_MASK \
    (BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F_ZERO_SEED)

static struct bpfrt_htab *to_htab(struct bpfrt_map *map) { return (struct bpfrt_htab *)map; }

static inline struct bpfrt_htab_elem *load_next(struct bpfrt_htab_elem *const *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void publish(struct bpfrt_htab_elem **p, struct bpfrt_htab_elem *e)
{
    __atomic_store_n(p, e, __ATOMIC_RELEASE);
}

static int htab_setup(struct bpfrt_htab *h, uint32_t stored_value_size, uint32_t kind)
{
    struct bpfrt_runtime *rt = h->map.rt;
    uint64_t nb = bpfrt_roundup_pow_of_two(h->map.max_entries);
    if (nb > (1u << 31))
        return -BPFRT_E2BIG;
    h->n_buckets = (uint32_t)nb;
    h->kind = kind;
    h->stored_value_size = stored_value_size;
    h->value_off = (uint32_t)bpfrt_round_up(h->map.key_size, 8);
    h->elem_size = (uint32_t)(sizeof(struct bpfrt_htab_elem) + h->value_off +
                              bpfrt_round_up(stored_value_size, 8));
    h->seed = bpfrt_map_seed(rt, h->map.map_flags);
    h->ncpus = rt->ncpus;
    h->lru_head.lru_next = h->lru_head.lru_prev = &h->lru_head;
    h->buckets = bpfrt_zalloc(rt, (size_t)h->n_buckets * sizeof(*h->buckets));
    return h->buckets ? 0 : -BPFRT_ENOMEM;
}

static void elem_free_now(struct bpfrt_htab_elem *e)
{
    bpfrt_free(e->rt, e, e->alloc_size);
}

#define HTAB_FREE_BATCH 64

/* Frees a batch chained through lru_prev. */
static void batch_free_cb(void *arg)
{
    for (struct bpfrt_htab_elem *e = arg, *next; e; e = next) {
        next = e->lru_prev;
        elem_free_now(e);
    }
}

/* Retires an element nobody can reach any more (readers may still hold it):
 * it is freed through defer_free with a batch of others. */
static void elem_retire(struct bpfrt_htab *h, struct bpfrt_htab_elem *e)
{
    struct bpfrt_htab_elem *batch = NULL;
    bpfrt_raw_spin_lock(&h->pending_lock);
    e->lru_prev = h->pending;
    h->pending = e;
    if (++h->npending >= HTAB_FREE_BATCH) {
        batch = h->pending;
        h->pending = NULL;
        h->npending = 0;
    }
    bpfrt_raw_spin_unlock(&h->pending_lock);
    if (batch)
        bpfrt_map_defer_free(h->map.rt, batch_free_cb, batch);
}

static void htab_teardown(struct bpfrt_htab *h)
{
    batch_free_cb(h->pending); /* no readers remain */
    h->pending = NULL;
    if (!h->buckets)
        return;
    for (uint32_t i = 0; i < h->n_buckets; i++) {
        struct bpfrt_htab_elem *e = h->buckets[i].head;
        while (e) {
            struct bpfrt_htab_elem *next = e->next;
            if (h->value_release)
                h->value_release(h, bpfrt_htab_value(h, e));
            elem_free_now(e);
            e = next;
        }
    }
    bpfrt_free(h->map.rt, h->buckets, (size_t)h->n_buckets * sizeof(*h->buckets));
    h->buckets = NULL;
}

int bpfrt_htab_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr, const struct bpfrt_map_ops *ops,
                     uint32_t stored_value_size, uint32_t kind,
                     void (*value_release)(struct bpfrt_htab *h, void *value), struct bpfrt_map **out)
{
    struct bpfrt_htab *h = bpfrt_zalloc(rt, sizeof(*h));
    if (!h)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&h->map, ops, rt, attr);
    h->value_release = value_release;
    if (attr->map_flags & BPF_F_NO_COMMON_LRU) {
        /* Linux gives each CPU's LRU list the same share: max_entries is
         * rounded up to a multiple of the CPU count (down on overflow). */
        uint32_t n = rt->ncpus ? rt->ncpus : 1;
        uint64_t up = (uint64_t)attr->max_entries + (n - attr->max_entries % n) % n;
        h->map.max_entries = up > UINT32_MAX ? attr->max_entries / n * n : (uint32_t)up;
    }
    int err = htab_setup(h, stored_value_size, kind);
    if (err) {
        bpfrt_free(rt, h, sizeof(*h));
        return err;
    }
    *out = &h->map;
    return 0;
}

void bpfrt_htab_free(struct bpfrt_map *map)
{
    htab_teardown((struct bpfrt_htab *)map);
    bpfrt_free(map->rt, map, sizeof(struct bpfrt_htab));
}

static inline struct bpfrt_htab_bucket *bucket_of(struct bpfrt_htab *h, uint32_t hash)
{
    return &h->buckets[hash & (h->n_buckets - 1)];
}

static struct bpfrt_htab_elem *find_in(struct bpfrt_htab *h, struct bpfrt_htab_bucket *b,
                                       const void *key, uint32_t hash)
{
    for (struct bpfrt_htab_elem *e = load_next(&b->head); e; e = load_next(&e->next))
        if (e->hash == hash && bpfrt_memcmp(e->data, key, h->map.key_size) == 0)
            return e;
    return NULL;
}

struct bpfrt_htab_elem *bpfrt_htab_find(struct bpfrt_htab *h, const void *key)
{
    uint32_t hash = bpfrt_map_hash(key, h->map.key_size, h->seed);
    return find_in(h, bucket_of(h, hash), key, hash);
}

/* Link pointing at e in its bucket (bucket lock held), or NULL. */
static struct bpfrt_htab_elem **link_to(struct bpfrt_htab_bucket *b, struct bpfrt_htab_elem *e)
{
    for (struct bpfrt_htab_elem **p = &b->head; *p; p = &(*p)->next)
        if (*p == e)
            return p;
    return NULL;
}

/* ---- LRU list (lru_lock held) ---- */
static void lru_unlink(struct bpfrt_htab_elem *e)
{
    e->lru_prev->lru_next = e->lru_next;
    e->lru_next->lru_prev = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
    e->on_lru = 0;
}
static void lru_push_head(struct bpfrt_htab *h, struct bpfrt_htab_elem *e)
{
    e->lru_next = h->lru_head.lru_next;
    e->lru_prev = &h->lru_head;
    h->lru_head.lru_next->lru_prev = e;
    h->lru_head.lru_next = e;
    e->on_lru = 1;
}

/* Removes one element chosen by CLOCK from the LRU tail. Called without any
 * bucket lock. Returns false when nothing could be evicted. */
static bool lru_evict_one(struct bpfrt_htab *h)
{
    struct bpfrt_htab_elem *victim = NULL;
    bpfrt_raw_spin_lock(&h->lru_lock);
    /* Two sweeps at most: the first clears referenced bits. */
    uint64_t budget = 2ull * h->map.max_entries + 2;
    while (budget-- && h->lru_head.lru_prev != &h->lru_head) {
        struct bpfrt_htab_elem *e = h->lru_head.lru_prev;
        if (__atomic_load_n(&e->referenced, __ATOMIC_RELAXED)) {
            __atomic_store_n(&e->referenced, 0, __ATOMIC_RELAXED);
            lru_unlink(e);
            lru_push_head(h, e);
            continue;
        }
        victim = e;
        lru_unlink(e);
        break;
    }
    bpfrt_raw_spin_unlock(&h->lru_lock);
    if (!victim)
        return false;
    /* We are inside a read-side section, so the victim's memory stays valid
     * even if a concurrent delete unlinks and frees it first. */
    struct bpfrt_htab_bucket *b = bucket_of(h, victim->hash);
    bool unlinked = false;
    bpfrt_raw_spin_lock(&b->lock);
    if (victim->linked) {
        struct bpfrt_htab_elem **p = link_to(b, victim);
        publish(p, victim->next);
        victim->linked = 0;
        __atomic_sub_fetch(&h->count, 1, __ATOMIC_RELAXED);
        unlinked = true;
    }
    bpfrt_raw_spin_unlock(&b->lock);
    if (unlinked) {
        if (h->value_release)
            h->value_release(h, bpfrt_htab_value(h, victim));
        elem_retire(h, victim);
    }
    return true;
}

/* Takes one slot of max_entries; false when the map is full. */
static bool reserve_slot(struct bpfrt_htab *h)
{
    uint32_t c = __atomic_load_n(&h->count, __ATOMIC_RELAXED);
    while (c < h->map.max_entries)
        if (__atomic_compare_exchange_n(&h->count, &c, c + 1, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return true;
    return false;
}

static struct bpfrt_htab_elem *elem_alloc(struct bpfrt_htab *h, const void *key, uint32_t hash)
{
    struct bpfrt_htab_elem *e = bpfrt_zalloc(h->map.rt, h->elem_size);
    if (!e)
        return NULL;
    e->rt = h->map.rt;
    e->alloc_size = h->elem_size;
    e->hash = hash;
    bpfrt_memcpy(e->data, key, h->map.key_size);
    return e;
}

int bpfrt_htab_upsert(struct bpfrt_htab *h, const void *key, uint64_t flags,
                      bpfrt_htab_fill_fn fill, const void *arg)
{
    uint32_t hash = bpfrt_map_hash(key, h->map.key_size, h->seed);
    struct bpfrt_htab_bucket *b = bucket_of(h, hash);
    bool in_place = h->kind & BPFRT_HTAB_PERCPU;
    bool lru = h->kind & BPFRT_HTAB_LRU;
    struct bpfrt_htab_elem *new_e = NULL;
    int err = 0, evict_failures = 0;

    if (!in_place) {
        new_e = elem_alloc(h, key, hash);
        if (!new_e)
            return -BPFRT_ENOMEM;
    }
    for (;;) {
        bpfrt_raw_spin_lock(&b->lock);
        struct bpfrt_htab_elem *old = find_in(h, b, key, hash);
        if (old && flags == BPF_NOEXIST) {
            err = -BPFRT_EEXIST;
            break;
        }
        if (!old && flags == BPF_EXIST && !(h->kind & BPFRT_HTAB_EXIST_INSERTS)) {
            err = -BPFRT_ENOENT;
            break;
        }
        if (old && in_place) {
            fill(h, bpfrt_htab_value(h, old), bpfrt_htab_value(h, old), arg);
            if (lru)
                __atomic_store_n(&old->referenced, 1, __ATOMIC_RELAXED);
            break;
        }
        if (!new_e) {
            bpfrt_raw_spin_unlock(&b->lock);
            new_e = elem_alloc(h, key, hash);
            if (!new_e)
                return -BPFRT_ENOMEM;
            continue;
        }
        if (!old && !reserve_slot(h)) {
            if (!lru) {
                err = -BPFRT_E2BIG;
                break;
            }
            bpfrt_raw_spin_unlock(&b->lock);
            /* An element being inserted elsewhere may hold a slot before it
             * reaches the LRU list: give such a race a few rounds. */
            if (!lru_evict_one(h)) {
                if (++evict_failures > 1000) {
                    elem_free_now(new_e);
                    return -BPFRT_E2BIG;
                }
                bpfrt_cpu_relax();
            }
            continue; /* look again: the key may have appeared meanwhile */
        }
        fill(h, bpfrt_htab_value(h, new_e), old ? bpfrt_htab_value(h, old) : NULL, arg);
        new_e->linked = 1;
        if (old) {
            struct bpfrt_htab_elem **p = link_to(b, old);
            new_e->next = old->next;
            publish(p, new_e);
            old->linked = 0;
        } else {
            new_e->next = b->head;
            publish(&b->head, new_e);
        }
        if (lru) {
            bpfrt_raw_spin_lock(&h->lru_lock);
            lru_push_head(h, new_e);
            if (old && old->on_lru)
                lru_unlink(old);
            bpfrt_raw_spin_unlock(&h->lru_lock);
        }
        bpfrt_raw_spin_unlock(&b->lock);
        if (old) {
            if (h->value_release)
                h->value_release(h, bpfrt_htab_value(h, old));
            elem_retire(h, old);
        }
        return 0;
    }
    bpfrt_raw_spin_unlock(&b->lock);
    if (new_e)
        elem_free_now(new_e); /* never published */
    return err;
}

int bpfrt_htab_remove(struct bpfrt_htab *h, const void *key,
                      void (*copy_out)(struct bpfrt_htab *h, void *out, const void *value), void *out)
{
    uint32_t hash = bpfrt_map_hash(key, h->map.key_size, h->seed);
    struct bpfrt_htab_bucket *b = bucket_of(h, hash);
    bpfrt_raw_spin_lock(&b->lock);
    struct bpfrt_htab_elem *e = find_in(h, b, key, hash);
    if (!e) {
        bpfrt_raw_spin_unlock(&b->lock);
        return -BPFRT_ENOENT;
    }
    if (copy_out)
        copy_out(h, out, bpfrt_htab_value(h, e));
    publish(link_to(b, e), e->next);
    e->linked = 0;
    __atomic_sub_fetch(&h->count, 1, __ATOMIC_RELAXED);
    if (h->kind & BPFRT_HTAB_LRU) {
        bpfrt_raw_spin_lock(&h->lru_lock);
        if (e->on_lru)
            lru_unlink(e);
        bpfrt_raw_spin_unlock(&h->lru_lock);
    }
    bpfrt_raw_spin_unlock(&b->lock);
    if (h->value_release)
        h->value_release(h, bpfrt_htab_value(h, e));
    elem_retire(h, e);
    return 0;
}

int bpfrt_htab_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    struct bpfrt_htab *h = to_htab(map);
    uint32_t idx = 0;
    if (key) {
        uint32_t hash = bpfrt_map_hash(key, h->map.key_size, h->seed);
        struct bpfrt_htab_elem *e = find_in(h, bucket_of(h, hash), key, hash);
        if (e) {
            struct bpfrt_htab_elem *next = load_next(&e->next);
            if (next) {
                bpfrt_memcpy(next_key, next->data, h->map.key_size);
                return 0;
            }
            idx = (hash & (h->n_buckets - 1)) + 1;
        }
        /* not found: start over from the first key, as Linux */
    }
    for (; idx < h->n_buckets; idx++) {
        struct bpfrt_htab_elem *e = load_next(&h->buckets[idx].head);
        if (e) {
            bpfrt_memcpy(next_key, e->data, h->map.key_size);
            return 0;
        }
    }
    return -BPFRT_ENOENT;
}

long bpfrt_htab_for_each(struct bpfrt_htab *h, bpfrt_map_iter_cb cb, void *cb_ctx, unsigned cpu)
{
    bool percpu = h->kind & BPFRT_HTAB_PERCPU;
    uint32_t stride = bpfrt_percpu_stride(&h->map);
    long n = 0;
    if (percpu && cpu >= h->ncpus)
        return -BPFRT_EINVAL;
    for (uint32_t i = 0; i < h->n_buckets; i++) {
        for (struct bpfrt_htab_elem *e = load_next(&h->buckets[i].head); e; e = load_next(&e->next)) {
            unsigned char *v = bpfrt_htab_value(h, e);
            if (percpu)
                v += (size_t)cpu * stride;
            n++;
            if (cb(&h->map, e->data, v, cb_ctx))
                return n;
        }
    }
    return n;
}

/* ---- HASH / PERCPU_HASH / LRU_HASH / LRU_PERCPU_HASH ---- */

static bool type_is_percpu(uint32_t t)
{
    return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}
static bool type_is_lru(uint32_t t)
{
    return t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Linux's htab_map_alloc_check. */
int bpfrt_htab_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    bool percpu = type_is_percpu(attr->map_type), lru = type_is_lru(attr->map_type);
    bool prealloc = !(attr->map_flags & BPF_F_NO_PREALLOC);
    bool percpu_lru = attr->map_flags & BPF_F_NO_COMMON_LRU;
    bool numa = attr->map_flags & BPF_F_NUMA_NODE;

    if ((attr->map_flags & ~HTAB_CREATE_FLAG_MASK) || !bpfrt_map_flags_access_ok(attr->map_flags))
        return -BPFRT_EINVAL;
    if (!lru && percpu_lru)
        return -BPFRT_EINVAL;
    if (lru && !prealloc)
        return -BPFRT_ENOTSUPP;
    if (numa && (percpu || percpu_lru))
        return -BPFRT_EINVAL;
    if (attr->max_entries == 0 || attr->key_size == 0 || attr->value_size == 0)
        return -BPFRT_EINVAL;
    if ((uint64_t)attr->key_size + attr->value_size >= BPFRT_KMALLOC_MAX_SIZE - BPFRT_HTAB_ELEM_OVERHEAD)
        return -BPFRT_E2BIG;
    if (percpu && bpfrt_round_up(attr->value_size, 8) > BPFRT_PCPU_MIN_UNIT_SIZE)
        return -BPFRT_E2BIG;
    return 0;
}

static const struct bpfrt_map_ops *htab_ops_for(uint32_t type)
{
    switch (type) {
    case BPF_MAP_TYPE_PERCPU_HASH: return &bpfrt_percpu_htab_ops;
    case BPF_MAP_TYPE_LRU_HASH: return &bpfrt_lru_htab_ops;
    case BPF_MAP_TYPE_LRU_PERCPU_HASH: return &bpfrt_lru_percpu_htab_ops;
    default: return &bpfrt_htab_ops;
    }
}

static int htab_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                      struct bpfrt_map *inner, struct bpfrt_map **out)
{
    bool percpu = type_is_percpu(attr->map_type);
    uint32_t kind = (percpu ? BPFRT_HTAB_PERCPU : 0) | (type_is_lru(attr->map_type) ? BPFRT_HTAB_LRU : 0);
    uint32_t stored = percpu ? (uint32_t)bpfrt_round_up(attr->value_size, 8) * rt->ncpus : attr->value_size;
    return bpfrt_htab_alloc(rt, attr, htab_ops_for(attr->map_type), stored, kind, NULL, out);
}

/* Value fillers. */
static void fill_plain(struct bpfrt_htab *h, void *value, const void *old, const void *arg)
{
    bpfrt_map_value_copy_in(&h->map, value, arg);
}
/* Per-CPU from user space: every CPU's copy from the round_up(vs, 8) stride
 * (whole strides, padding included, as Linux's copy_map_value_long). */
static void fill_percpu_all(struct bpfrt_htab *h, void *value, const void *old, const void *arg)
{
    uint32_t stride = bpfrt_percpu_stride(&h->map);
    for (uint32_t c = 0; c < h->ncpus; c++)
        bpfrt_map_copy_in((char *)value + (size_t)c * stride, (const char *)arg + (size_t)c * stride, stride);
}
/* Per-CPU from a program: this CPU's copy; a new element's others are zero. */
struct percpu_one { const void *src; unsigned cpu; };
static void fill_percpu_one(struct bpfrt_htab *h, void *value, const void *old, const void *arg)
{
    const struct percpu_one *p = arg;
    uint32_t stride = bpfrt_percpu_stride(&h->map);
    bpfrt_map_copy_in((char *)value + (size_t)p->cpu * stride, p->src, h->map.value_size);
}

static void copy_out_plain(struct bpfrt_htab *h, void *out, const void *value)
{
    bpfrt_map_value_copy_out(&h->map, out, value);
}
static void copy_out_locked(struct bpfrt_htab *h, void *out, const void *value)
{
    bpfrt_map_value_copy_out_locked(&h->map, out, (void *)value);
}
static void copy_out_percpu(struct bpfrt_htab *h, void *out, const void *value)
{
    uint32_t stride = bpfrt_percpu_stride(&h->map);
    for (uint32_t c = 0; c < h->ncpus; c++) {
        bpfrt_map_copy_out((char *)out + (size_t)c * stride, (const char *)value + (size_t)c * stride, stride);
    }
}

static int htab_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_htab *h = to_htab(map);
    struct bpfrt_htab_elem *e = bpfrt_htab_find(h, key);
    if (!e)
        return -BPFRT_ENOENT;
    if (h->kind & BPFRT_HTAB_PERCPU)
        copy_out_percpu(h, value, bpfrt_htab_value(h, e));
    else if (flags & BPF_F_LOCK)
        copy_out_locked(h, value, bpfrt_htab_value(h, e));
    else
        copy_out_plain(h, value, bpfrt_htab_value(h, e));
    return 0;
}

static int check_update_flags(struct bpfrt_htab *h, uint64_t flags)
{
    uint64_t f = (h->kind & BPFRT_HTAB_PERCPU) ? flags : flags & ~(uint64_t)BPF_F_LOCK;
    return f > BPF_EXIST ? -BPFRT_EINVAL : 0;
}

/* BPF_F_LOCK on an existing element: copy under its lock, no new element.
 * Returns 1 when the caller must insert normally. */
static int update_locked_in_place(struct bpfrt_htab *h, const void *key, const void *value, uint64_t flags)
{
    struct bpfrt_htab_elem *e = bpfrt_htab_find(h, key);
    uint64_t f = flags & ~(uint64_t)BPF_F_LOCK;
    if (e && f == BPF_NOEXIST)
        return -BPFRT_EEXIST;
    if (!e && f == BPF_EXIST)
        return -BPFRT_ENOENT;
    if (!e)
        return 1;
    bpfrt_map_value_copy_in_locked(&h->map, bpfrt_htab_value(h, e), value);
    return 0;
}

static int htab_update_common(struct bpfrt_map *map, const void *key, const void *value,
                              uint64_t flags, bool all_cpus, unsigned cpu)
{
    struct bpfrt_htab *h = to_htab(map);
    int err = check_update_flags(h, flags);
    if (err)
        return err;
    if (flags & BPF_F_LOCK) {
        if (map->spin_lock_off < 0)
            return -BPFRT_EINVAL;
        err = update_locked_in_place(h, key, value, flags);
        if (err <= 0)
            return err;
        flags &= ~(uint64_t)BPF_F_LOCK;
    }
    if (!(h->kind & BPFRT_HTAB_PERCPU))
        return bpfrt_htab_upsert(h, key, flags, fill_plain, value);
    if (all_cpus)
        return bpfrt_htab_upsert(h, key, flags, fill_percpu_all, value);
    if (cpu >= h->ncpus)
        return -BPFRT_EINVAL;
    struct percpu_one one = { value, cpu };
    return bpfrt_htab_upsert(h, key, flags, fill_percpu_one, &one);
}

static int htab_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    return htab_update_common(map, key, value, flags, true, 0);
}

int bpfrt_htab_sys_delete(struct bpfrt_map *map, const void *key)
{
    return bpfrt_htab_remove(to_htab(map), key, NULL, NULL);
}

static int htab_sys_lookup_and_delete(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_htab *h = to_htab(map);
    if (h->kind & BPFRT_HTAB_PERCPU)
        return bpfrt_htab_remove(h, key, copy_out_percpu, value);
    return bpfrt_htab_remove(h, key, (flags & BPF_F_LOCK) ? copy_out_locked : copy_out_plain, value);
}

static void *htab_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    struct bpfrt_htab *h = to_htab(map);
    struct bpfrt_htab_elem *e = bpfrt_htab_find(h, key);
    if (!e)
        return NULL;
    if ((h->kind & BPFRT_HTAB_LRU) && !__atomic_load_n(&e->referenced, __ATOMIC_RELAXED))
        __atomic_store_n(&e->referenced, 1, __ATOMIC_RELAXED);
    unsigned char *v = bpfrt_htab_value(h, e);
    if (h->kind & BPFRT_HTAB_PERCPU) {
        if (cpu >= h->ncpus)
            return NULL;
        v += (size_t)cpu * bpfrt_percpu_stride(map);
    }
    return v;
}

static void *htab_lookup_percpu_elem(struct bpfrt_map *map, const void *key, uint32_t cpu)
{
    return htab_lookup_elem(map, key, cpu);
}

static long htab_update_elem(struct bpfrt_map *map, const void *key, const void *value,
                             uint64_t flags, unsigned cpu)
{
    return htab_update_common(map, key, value, flags, false, cpu);
}

long bpfrt_htab_delete_elem(struct bpfrt_map *map, const void *key)
{
    return bpfrt_htab_remove(to_htab(map), key, NULL, NULL);
}

static long htab_for_each(struct bpfrt_map *map, bpfrt_map_iter_cb cb, void *cb_ctx, unsigned cpu)
{
    return bpfrt_htab_for_each(to_htab(map), cb, cb_ctx, cpu);
}

#define HTAB_OPS_COMMON                                  \
    .alloc_check = bpfrt_htab_alloc_check,               \
    .alloc = htab_alloc,                                 \
    .free = bpfrt_htab_free,                             \
    .meta_equal = bpfrt_map_meta_equal,                  \
    .sys_lookup = htab_sys_lookup,                       \
    .sys_update = htab_sys_update,                       \
    .sys_delete = bpfrt_htab_sys_delete,                 \
    .get_next_key = bpfrt_htab_get_next_key,             \
    .sys_lookup_and_delete = htab_sys_lookup_and_delete, \
    .lookup_elem = htab_lookup_elem,                     \
    .update_elem = htab_update_elem,                     \
    .delete_elem = bpfrt_htab_delete_elem,               \
    .for_each = htab_for_each

const struct bpfrt_map_ops bpfrt_htab_ops = { HTAB_OPS_COMMON };
const struct bpfrt_map_ops bpfrt_lru_htab_ops = { HTAB_OPS_COMMON };
const struct bpfrt_map_ops bpfrt_percpu_htab_ops = {
    HTAB_OPS_COMMON,
    .lookup_percpu_elem = htab_lookup_percpu_elem,
};
const struct bpfrt_map_ops bpfrt_lru_percpu_htab_ops = {
    HTAB_OPS_COMMON,
    .lookup_percpu_elem = htab_lookup_percpu_elem,
};
