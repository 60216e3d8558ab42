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
 * chance (CLOCK). Linux's common LRU is approximate too; this one
 * approximates least-recently-used map-wide. Lock order: bucket -> LRU list;
 * eviction never holds both at once.
 *
 * BPF_F_NO_COMMON_LRU follows Linux's per-CPU LRU lists exactly (see the
 * "per-CPU LRU lists" section below and docs/maps.md): each CPU owns
 * max_entries / ncpus slots and evicts only its own elements. There the lock
 * order is the other way round, CPU list -> bucket, and no bucket lock is
 * held while a CPU's list lock is taken. */
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
    if (!h->buckets)
        return -BPFRT_ENOMEM;
    if ((kind & BPFRT_HTAB_LRU) && (h->map.map_flags & BPF_F_NO_COMMON_LRU)) {
        /* Linux's bpf_lru_populate: max_entries / ncpus free slots each. */
        h->lru_cpus = bpfrt_zalloc(rt, (size_t)h->ncpus * sizeof(*h->lru_cpus));
        if (!h->lru_cpus)
            return -BPFRT_ENOMEM;
        for (uint32_t c = 0; c < h->ncpus; c++) {
            struct bpfrt_htab_lru_cpu *l = &h->lru_cpus[c];
            l->active.lru_next = l->active.lru_prev = &l->active;
            l->inactive.lru_next = l->inactive.lru_prev = &l->inactive;
            l->next_inactive_rotation = &l->inactive;
            l->nfree = h->map.max_entries / h->ncpus;
        }
    }
    return 0;
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
    /* no readers or writers remain: the count is the elements linked, and
     * an empty map's buckets (a big map's many pages) need no walk */
    for (uint32_t i = 0; h->count && i < h->n_buckets; i++) {
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
    if (h->lru_cpus)
        bpfrt_free(h->map.rt, h->lru_cpus, (size_t)h->ncpus * sizeof(*h->lru_cpus));
    h->lru_cpus = NULL;
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
        htab_teardown(h);
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

/* ---- per-CPU LRU lists (BPF_F_NO_COMMON_LRU), Linux's percpu bpf_lru ----
 * Each CPU owns max_entries / ncpus slots. An insert on CPU c takes one of
 * CPU c's free slots; when it has none it first rotates CPU c's lists and
 * then evicts up to LRU_PCPU_FREE_TARGET unreferenced elements from the tail
 * of CPU c's inactive list (or, failing that, any one element of CPU c),
 * whatever the other CPUs hold. A freed slot goes back to the CPU whose
 * element it was. Lock order: a CPU's lock, then a bucket lock (an eviction
 * unlinks under both); an update takes its slot before the bucket lock and
 * gives back unused slots after dropping it, so no bucket lock is ever held
 * while a CPU's lock is taken. */

#define LRU_PCPU_FREE_TARGET 4u /* Linux's PERCPU_FREE_TARGET, also its nr_scans */
#define BPFRT_LRU_USER_CPU 0u   /* whose list user-space updates use */

static struct bpfrt_htab_elem *pcpu_list(struct bpfrt_htab_lru_cpu *l, unsigned type)
{
    return type == BPFRT_LRU_ACTIVE ? &l->active : &l->inactive;
}

static void pcpu_list_add(struct bpfrt_htab_elem *head, struct bpfrt_htab_elem *e)
{
    e->lru_next = head->lru_next;
    e->lru_prev = head;
    head->lru_next->lru_prev = e;
    head->lru_next = e;
}

/* Moves e to the head of list `type`, clearing its referenced bit. */
static void pcpu_move(struct bpfrt_htab_lru_cpu *l, struct bpfrt_htab_elem *e, unsigned type)
{
    if (e->lru_type != type) {
        l->counts[e->lru_type]--;
        l->counts[type]++;
        e->lru_type = (uint8_t)type;
    }
    __atomic_store_n(&e->referenced, 0, __ATOMIC_RELAXED);
    if (e == l->next_inactive_rotation)
        l->next_inactive_rotation = e->lru_prev;
    lru_unlink(e);
    pcpu_list_add(pcpu_list(l, type), e);
    e->on_lru = 1;
}

/* Takes e off its CPU's lists and gives its slot back. */
static void pcpu_move_to_free(struct bpfrt_htab_lru_cpu *l, struct bpfrt_htab_elem *e)
{
    if (e == l->next_inactive_rotation)
        l->next_inactive_rotation = e->lru_prev;
    l->counts[e->lru_type]--;
    lru_unlink(e);
    l->nfree++;
}

static bool elem_is_ref(struct bpfrt_htab_elem *e)
{
    return __atomic_load_n(&e->referenced, __ATOMIC_RELAXED) != 0;
}

/* Active tail: referenced elements go back to the active head, the others
 * down to the inactive list; at most LRU_PCPU_FREE_TARGET of them. */
static void pcpu_rotate_active(struct bpfrt_htab_lru_cpu *l)
{
    struct bpfrt_htab_elem *first = l->active.lru_next;
    unsigned i = 0;
    for (struct bpfrt_htab_elem *e = l->active.lru_prev, *prev; e != &l->active; e = prev) {
        prev = e->lru_prev;
        pcpu_move(l, e, elem_is_ref(e) ? BPFRT_LRU_ACTIVE : BPFRT_LRU_INACTIVE);
        if (++i == LRU_PCPU_FREE_TARGET || e == first)
            break;
    }
}

/* Inactive list from the rotation cursor towards the head: referenced
 * elements move to the active list, the others stay put. */
static void pcpu_rotate_inactive(struct bpfrt_htab_lru_cpu *l)
{
    struct bpfrt_htab_elem *head = &l->inactive;
    if (head->lru_next == head)
        return;
    struct bpfrt_htab_elem *last = l->next_inactive_rotation->lru_next;
    if (last == head)
        last = last->lru_next;
    struct bpfrt_htab_elem *cur = l->next_inactive_rotation, *next = cur;
    unsigned i = 0;
    while (i < LRU_PCPU_FREE_TARGET) {
        if (cur == head) {
            cur = cur->lru_prev;
            continue;
        }
        next = cur->lru_prev;
        if (elem_is_ref(cur))
            pcpu_move(l, cur, BPFRT_LRU_ACTIVE);
        if (cur == last)
            break;
        cur = next;
        i++;
    }
    l->next_inactive_rotation = next;
}

/* Linux's htab_lru_map_delete_node: unlinks e from the table if it is still
 * there (an element still being inserted, or already deleted, is not). */
static bool pcpu_del_from_table(struct bpfrt_htab *h, struct bpfrt_htab_elem *e)
{
    struct bpfrt_htab_bucket *b = bucket_of(h, e->hash);
    bool unlinked = false;
    bpfrt_raw_spin_lock(&b->lock);
    if (e->linked) {
        publish(link_to(b, e), e->next);
        e->linked = 0;
        __atomic_sub_fetch(&h->count, 1, __ATOMIC_RELAXED);
        unlinked = true;
    }
    bpfrt_raw_spin_unlock(&b->lock);
    return unlinked;
}

/* Evicts into CPU l's free slots (CPU lock held); victims are chained on
 * *victims through lru_next for retiring once the lock is dropped. */
static void pcpu_evict(struct bpfrt_htab *h, struct bpfrt_htab_lru_cpu *l, struct bpfrt_htab_elem **victims)
{
    unsigned evicted = 0, scanned = 0;
    for (struct bpfrt_htab_elem *e = l->inactive.lru_prev, *prev; e != &l->inactive; e = prev) {
        prev = e->lru_prev;
        if (elem_is_ref(e)) {
            pcpu_move(l, e, BPFRT_LRU_ACTIVE);
        } else if (pcpu_del_from_table(h, e)) {
            pcpu_move_to_free(l, e);
            e->lru_next = *victims;
            *victims = e;
            if (++evicted == LRU_PCPU_FREE_TARGET)
                break;
        }
        if (++scanned == LRU_PCPU_FREE_TARGET)
            break;
    }
    if (evicted)
        return;
    /* Nothing unreferenced near the tail: take one element regardless of its
     * referenced bit, from the inactive list if it has any. */
    struct bpfrt_htab_elem *list = l->inactive.lru_next != &l->inactive ? &l->inactive : &l->active;
    for (struct bpfrt_htab_elem *e = list->lru_prev, *prev; e != list; e = prev) {
        prev = e->lru_prev;
        if (pcpu_del_from_table(h, e)) {
            pcpu_move_to_free(l, e);
            e->lru_next = *victims;
            *victims = e;
            return;
        }
    }
}

static void retire_victims(struct bpfrt_htab *h, struct bpfrt_htab_elem *victims)
{
    for (struct bpfrt_htab_elem *e = victims, *next; e; e = next) {
        next = e->lru_next;
        if (h->value_release)
            h->value_release(h, bpfrt_htab_value(h, e));
        elem_retire(h, e);
    }
}

/* Linux's bpf_percpu_lru_pop_free: takes one of CPU cpu's slots for e (not
 * yet in the table), evicting from CPU cpu's lists when it has none free,
 * and puts e at the head of CPU cpu's inactive list. False when CPU cpu
 * could free nothing (every element of its share is being inserted or
 * removed right now). */
static bool pcpu_take_slot(struct bpfrt_htab *h, unsigned cpu, struct bpfrt_htab_elem *e)
{
    struct bpfrt_htab_lru_cpu *l = &h->lru_cpus[cpu];
    struct bpfrt_htab_elem *victims = NULL;
    bool ok = false;
    bpfrt_raw_spin_lock(&l->lock);
    if (l->counts[BPFRT_LRU_INACTIVE] < l->counts[BPFRT_LRU_ACTIVE])
        pcpu_rotate_active(l);
    pcpu_rotate_inactive(l);
    if (l->nfree == 0)
        pcpu_evict(h, l, &victims);
    if (l->nfree > 0) {
        l->nfree--;
        e->lru_cpu = cpu;
        e->lru_type = BPFRT_LRU_INACTIVE;
        __atomic_store_n(&e->referenced, 0, __ATOMIC_RELAXED);
        l->counts[BPFRT_LRU_INACTIVE]++;
        pcpu_list_add(&l->inactive, e);
        e->on_lru = 1;
        ok = true;
    }
    bpfrt_raw_spin_unlock(&l->lock);
    retire_victims(h, victims);
    return ok;
}

/* Gives e's slot back to its CPU (e is out of the table, or never got in).
 * Called with no bucket lock held. */
static void pcpu_give_slot(struct bpfrt_htab *h, struct bpfrt_htab_elem *e)
{
    struct bpfrt_htab_lru_cpu *l = &h->lru_cpus[e->lru_cpu];
    bpfrt_raw_spin_lock(&l->lock);
    pcpu_move_to_free(l, e);
    bpfrt_raw_spin_unlock(&l->lock);
}

/* Linux's htab_lru_map_update_elem / __htab_lru_percpu_map_update_elem in
 * per-CPU LRU mode: the slot (and with it any eviction) comes first, from
 * CPU cpu, before the flags are checked against the table, so even an
 * update that then fails with -EEXIST may have evicted CPU cpu's oldest
 * elements, possibly the key itself. Per-CPU values of an existing key are
 * updated in place (no slot needed with BPF_EXIST); otherwise a replacement
 * is a new element on CPU cpu and the old one's slot returns to its CPU. */
static int pcpu_lru_upsert(struct bpfrt_htab *h, const void *key, uint64_t flags,
                           bpfrt_htab_fill_fn fill, const void *arg, unsigned cpu)
{
    uint32_t hash = bpfrt_map_hash(key, h->map.key_size, h->seed);
    struct bpfrt_htab_bucket *b = bucket_of(h, hash);
    bool in_place = h->kind & BPFRT_HTAB_PERCPU;
    struct bpfrt_htab_elem *new_e = NULL, *old = NULL;
    bool used_new = false;
    int err = 0;

    if (cpu >= h->ncpus)
        return -BPFRT_EINVAL;
    if (!in_place || flags != BPF_EXIST) {
        new_e = elem_alloc(h, key, hash);
        if (!new_e)
            return -BPFRT_ENOMEM;
        if (!pcpu_take_slot(h, cpu, new_e)) {
            elem_free_now(new_e);
            return -BPFRT_ENOMEM;
        }
    }
    bpfrt_raw_spin_lock(&b->lock);
    old = find_in(h, b, key, hash);
    if (old && flags == BPF_NOEXIST) {
        err = -BPFRT_EEXIST;
    } else if (!old && flags == BPF_EXIST) {
        err = -BPFRT_ENOENT;
    } else if (old && in_place) {
        fill(h, bpfrt_htab_value(h, old), bpfrt_htab_value(h, old), arg);
        __atomic_store_n(&old->referenced, 1, __ATOMIC_RELAXED);
        old = NULL; /* stays in the table */
    } else {
        fill(h, bpfrt_htab_value(h, new_e), old ? bpfrt_htab_value(h, old) : NULL, arg);
        new_e->linked = 1;
        if (old) {
            __atomic_store_n(&new_e->referenced, 1, __ATOMIC_RELAXED);
            new_e->next = old->next;
            publish(link_to(b, old), new_e);
            old->linked = 0;
        } else {
            new_e->next = b->head;
            publish(&b->head, new_e);
            __atomic_add_fetch(&h->count, 1, __ATOMIC_RELAXED);
        }
        used_new = true;
    }
    bpfrt_raw_spin_unlock(&b->lock);
    if (new_e && !used_new) {
        pcpu_give_slot(h, new_e);
        elem_free_now(new_e); /* never published */
    }
    if (err == 0 && old) {
        pcpu_give_slot(h, old);
        if (h->value_release)
            h->value_release(h, bpfrt_htab_value(h, old));
        elem_retire(h, old);
    }
    return err;
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
    if ((h->kind & BPFRT_HTAB_LRU) && !h->lru_cpus) {
        bpfrt_raw_spin_lock(&h->lru_lock);
        if (e->on_lru)
            lru_unlink(e);
        bpfrt_raw_spin_unlock(&h->lru_lock);
    }
    bpfrt_raw_spin_unlock(&b->lock);
    if (h->lru_cpus)
        pcpu_give_slot(h, e); /* after the bucket lock: a CPU's lock comes first */
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

/* Inserts or replaces; a per-CPU LRU map (BPF_F_NO_COMMON_LRU) takes the
 * slot from CPU cpu's share. */
static int htab_upsert_on(struct bpfrt_htab *h, const void *key, uint64_t flags,
                          bpfrt_htab_fill_fn fill, const void *arg, unsigned cpu)
{
    if (h->lru_cpus)
        return pcpu_lru_upsert(h, key, flags, fill, arg, cpu);
    return bpfrt_htab_upsert(h, key, flags, fill, arg);
}

/* all_cpus: a user-space update (every CPU's value of a per-CPU map). cpu:
 * a program's CPU slot; user-space updates pass 0, so they use CPU 0's LRU
 * list and share (Linux uses the CPU the syscall happens to run on). */
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
        return htab_upsert_on(h, key, flags, fill_plain, value, cpu);
    if (all_cpus)
        return htab_upsert_on(h, key, flags, fill_percpu_all, value, cpu);
    if (cpu >= h->ncpus)
        return -BPFRT_EINVAL;
    struct percpu_one one = { value, cpu };
    return htab_upsert_on(h, key, flags, fill_percpu_one, &one, cpu);
}

static int htab_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    return htab_update_common(map, key, value, flags, true, BPFRT_LRU_USER_CPU);
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
