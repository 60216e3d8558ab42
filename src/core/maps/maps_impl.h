/* Internal to the map families: the per-type operations table, the common
 * pieces every family shares (creation checks, spin locks, word-atomic value
 * copies, the key hash) and the hash table that HASH, PERCPU_HASH, LRU_*,
 * HASH_OF_MAPS and DEVMAP_HASH are built on. Freestanding like all of core. */
#ifndef BPFRT_MAPS_IMPL_H
#define BPFRT_MAPS_IMPL_H

#include <limits.h>

#include "bpfrt/map.h"
#include "core/core.h"

/* Linux's limits that decide E2BIG at creation. */
#define BPFRT_KMALLOC_MAX_SIZE  (4u << 20)      /* x86-64: 4 MiB */
#define BPFRT_PCPU_MIN_UNIT_SIZE (32u << 10)    /* per-CPU value cap */
#define BPFRT_HTAB_ELEM_OVERHEAD 48u           /* sizeof(struct htab_elem) in Linux */
#define BPFRT_NR_CPUS 256u                     /* CPUMAP size limit (kernel config NR_CPUS here) */
#define BPFRT_PAGE_SIZE 4096u

#define BPF_F_ACCESS_MASK (BPF_F_RDONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY | BPF_F_WRONLY_PROG)

/* One map type's implementation. A NULL entry means the command is not
 * supported; map.c then answers with the errno Linux gives for that case. */
struct bpfrt_map_ops {
    /* Creation: attribute checks (EINVAL/E2BIG/ENOTSUPP as Linux), then
     * allocation. alloc calls bpfrt_map_init_common on its struct. */
    int (*alloc_check)(struct bpfrt_runtime *rt, const union bpf_attr *attr);
    int (*alloc)(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                 struct bpfrt_map *inner, struct bpfrt_map **out);
    /* Releases everything; no reader can see the map any more. */
    void (*free)(struct bpfrt_map *map);
    /* Clears entries that would keep reference cycles alive (prog arrays). */
    void (*release_uref)(struct bpfrt_map *map);
    /* Checks the BTF key/value types beyond their sizes (Linux's
     * map_check_btf op), after alloc; NULL: nothing more to check. */
    int (*check_btf)(struct bpfrt_map *map, const struct bpfrt_btf *btf, uint32_t key_id, uint32_t value_id);
    /* Map-in-map: may an inner map of this type replace the template? NULL:
     * this type cannot be an inner map (-ENOTSUPP at outer creation). */
    bool (*meta_equal)(const struct bpfrt_map *meta, const struct bpfrt_map *inner);

    /* User side; values in user layout (per-CPU: round_up(vs, 8) * ncpus). */
    int (*sys_lookup)(struct bpfrt_map *map, const void *key, void *value, uint64_t flags);
    int (*sys_update)(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags);
    int (*sys_delete)(struct bpfrt_map *map, const void *key);
    int (*get_next_key)(struct bpfrt_map *map, const void *key, void *next_key);
    int (*sys_lookup_and_delete)(struct bpfrt_map *map, const void *key, void *value, uint64_t flags);

    /* Program side. */
    void *(*lookup_elem)(struct bpfrt_map *map, const void *key, unsigned cpu);
    long (*update_elem)(struct bpfrt_map *map, const void *key, const void *value,
                        uint64_t flags, unsigned cpu);
    long (*delete_elem)(struct bpfrt_map *map, const void *key);
    long (*push_elem)(struct bpfrt_map *map, const void *value, uint64_t flags);
    long (*pop_elem)(struct bpfrt_map *map, void *value);
    long (*peek_elem)(struct bpfrt_map *map, void *value);
    void *(*lookup_percpu_elem)(struct bpfrt_map *map, const void *key, uint32_t cpu);
    long (*for_each)(struct bpfrt_map *map, bpfrt_map_iter_cb cb, void *cb_ctx, unsigned cpu);
    int (*direct_value_addr)(struct bpfrt_map *map, uint32_t off, uint64_t *addr);
};

/* Fills the fields every map has from attr (ops, rt, type, sizes, flags,
 * name, spin_lock_off = -1). Families call it from alloc. */
void bpfrt_map_init_common(struct bpfrt_map *map, const struct bpfrt_map_ops *ops,
                           struct bpfrt_runtime *rt, const union bpf_attr *attr);

/* True unless both RDONLY_PROG and WRONLY_PROG are set (Linux's
 * bpf_map_flags_access_ok). */
static inline bool bpfrt_map_flags_access_ok(uint32_t flags)
{
    return (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !=
           (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}

/* May user space change the map's entries: not created BPF_F_RDONLY and
 * not frozen (else -EPERM, as Linux). */
static inline bool bpfrt_map_user_can_write(const struct bpfrt_map *map)
{
    return !(map->map_flags & BPF_F_RDONLY) && !__atomic_load_n(&map->frozen, __ATOMIC_ACQUIRE);
}

static inline bool bpfrt_is_power_of_2(uint64_t x) { return x && !(x & (x - 1)); }

static inline uint64_t bpfrt_roundup_pow_of_two(uint64_t x)
{
    return x <= 1 ? 1 : 1ull << (64 - __builtin_clzll(x - 1));
}

/* Simple test-and-set spin lock on a u32 (0 free, 1 held). */
static inline void bpfrt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}
static inline void bpfrt_raw_spin_lock(uint32_t *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(l, __ATOMIC_RELAXED))
            bpfrt_cpu_relax();
}
static inline bool bpfrt_raw_spin_trylock(uint32_t *l)
{
    return !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}
static inline void bpfrt_raw_spin_unlock(uint32_t *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* Value copies between map memory and a caller buffer. Map memory is
 * accessed with relaxed atomic words (programs may touch it concurrently;
 * this keeps ThreadSanitizer runs meaningful); the caller side is plain. */
void bpfrt_map_copy_out(void *dst, const void *map_mem, uint32_t size);
void bpfrt_map_copy_in(void *map_mem, const void *src, uint32_t size);
void bpfrt_map_zero(void *map_mem, uint32_t size);

/* Copies a whole value into/out of map memory leaving the bpf_spin_lock
 * field (map->spin_lock_off, if any) untouched; copy_out zeroes it in dst
 * (Linux never shows the lock word). */
void bpfrt_map_value_copy_in(const struct bpfrt_map *map, void *map_mem, const void *src);
void bpfrt_map_value_copy_out(const struct bpfrt_map *map, void *dst, const void *map_mem);
/* BPF_F_LOCK: the same copies under the value's own spin lock. */
void bpfrt_map_value_copy_in_locked(const struct bpfrt_map *map, void *map_mem, const void *src);
void bpfrt_map_value_copy_out_locked(const struct bpfrt_map *map, void *dst, void *map_mem);

/* Per-CPU user layout helpers. */
static inline uint32_t bpfrt_percpu_stride(const struct bpfrt_map *map)
{
    return (uint32_t)bpfrt_round_up(map->value_size, 8);
}

/* Key hash (seeded; BPF_F_ZERO_SEED uses 0). */
uint32_t bpfrt_map_hash(const void *key, uint32_t len, uint32_t seed);
/* The seed a new map uses: 0 with BPF_F_ZERO_SEED, else a random one. */
uint32_t bpfrt_map_seed(struct bpfrt_runtime *rt, uint32_t map_flags);

/* Read-side section around user-side work. */
static inline void bpfrt_map_read_lock(struct bpfrt_runtime *rt) { rt->plat->read_lock(rt->plat->ctx); }
static inline void bpfrt_map_read_unlock(struct bpfrt_runtime *rt) { rt->plat->read_unlock(rt->plat->ctx); }
static inline void bpfrt_map_defer_free(struct bpfrt_runtime *rt, void (*fn)(void *), void *arg)
{
    rt->plat->defer_free(rt->plat->ctx, fn, arg);
}

/* ---- the hash table (hashtab.c) ----
 * Buckets of singly linked elements; readers walk them inside a read-side
 * section with acquire loads, writers hold the bucket's spin lock. Updates
 * of an existing key (non-per-CPU) publish a new element in place of the old
 * one, which is freed through defer_free, so a value pointer a program holds
 * stays valid until its run ends. */
struct bpfrt_htab_elem {
    struct bpfrt_htab_elem *next;            /* bucket chain (atomic) */
    struct bpfrt_runtime *rt;                /* for the deferred free */
    struct bpfrt_htab_elem *lru_prev, *lru_next; /* LRU list (lru lock) */
    uint32_t hash;
    uint32_t alloc_size;
    uint8_t referenced;                      /* LRU: looked up since last scan (atomic) */
    uint8_t linked;                          /* in its bucket (bucket lock) */
    uint8_t on_lru;                          /* in the LRU list (lru lock) */
    uint8_t lru_type;                        /* per-CPU LRU: BPFRT_LRU_ACTIVE/INACTIVE (its CPU's lock) */
    uint32_t lru_cpu;                        /* per-CPU LRU: whose list and share it is on */
    /* key at data[0], value at data[value_off]. A zero-length array, not
     * a flexible one: LRU list sentinels are elements embedded in other
     * structs, which ISO C does not allow for a struct with a flexible
     * array member (clang: -Wgnu-variable-sized-type-not-at-end). */
    unsigned char data[0] __attribute__((aligned(8)));
};

struct bpfrt_htab_bucket {
    struct bpfrt_htab_elem *head;            /* atomic */
    uint32_t lock;
    uint32_t pad;
};

/* The LRU sentinels below embed an element whose data[] they never use: a
 * GNU extension gcc accepts silently and clang names. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wgnu-variable-sized-type-not-at-end"
#endif

/* BPF_F_NO_COMMON_LRU: one LRU list per CPU, as Linux's bpf_lru_list percpu
 * mode. Each CPU owns max_entries / ncpus slots (`nfree` of them unused);
 * its in-use elements sit on an active and an inactive list. */
enum { BPFRT_LRU_ACTIVE = 0, BPFRT_LRU_INACTIVE = 1 };
struct bpfrt_htab_lru_cpu {
    uint32_t lock;                           /* taken before a bucket lock, never after */
    uint32_t nfree;                          /* this CPU's unused slots */
    uint32_t counts[2];                      /* elements on lists[BPFRT_LRU_*] */
    struct bpfrt_htab_elem *next_inactive_rotation;
    struct bpfrt_htab_elem active;           /* list sentinels */
    struct bpfrt_htab_elem inactive;
};

#define BPFRT_HTAB_PERCPU 1u
#define BPFRT_HTAB_LRU    2u
#define BPFRT_HTAB_EXIST_INSERTS 4u  /* BPF_EXIST on a missing key inserts (devmap_hash) */

struct bpfrt_htab {
    struct bpfrt_map map;                    /* must be first */
    struct bpfrt_htab_bucket *buckets;
    uint32_t n_buckets;                      /* power of two */
    uint32_t kind;                           /* BPFRT_HTAB_* */
    uint32_t stored_value_size;              /* bytes of value the element holds */
    uint32_t value_off;                      /* round_up(key_size, 8) */
    uint32_t elem_size;
    uint32_t seed;
    uint32_t count;                          /* atomic: elements linked */
    uint32_t ncpus;
    uint32_t lru_lock;
    struct bpfrt_htab_elem lru_head;         /* sentinel of the LRU list */
    /* Unlinked elements waiting to be handed to defer_free in one batch
     * (chained through lru_prev, which an unlinked element no longer uses):
     * one deferred call per batch keeps the platform's queue short. */
    uint32_t pending_lock;
    uint32_t npending;
    struct bpfrt_htab_elem *pending;
    /* Called when an element leaves the table (delete, replace, free), for
     * values that hold references (map-in-map). May be NULL. */
    void (*value_release)(struct bpfrt_htab *h, void *value);
    /* BPF_F_NO_COMMON_LRU: ncpus per-CPU LRU lists (NULL otherwise; then
     * lru_lock/lru_head above are the map-wide list). */
    struct bpfrt_htab_lru_cpu *lru_cpus;
};

/* Creates a hash-table map with ops for max_entries elements of
 * stored_value_size bytes (kind: BPFRT_HTAB_*; value_release may be NULL).
 * Returns 0, -E2BIG or -ENOMEM. */
int bpfrt_htab_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr, const struct bpfrt_map_ops *ops,
                     uint32_t stored_value_size, uint32_t kind,
                     void (*value_release)(struct bpfrt_htab *h, void *value), struct bpfrt_map **out);
/* The ops' free of every hash-table map: releases values and elements. */
void bpfrt_htab_free(struct bpfrt_map *map);
/* Element with `key`, or NULL (caller inside a read-side section). */
struct bpfrt_htab_elem *bpfrt_htab_find(struct bpfrt_htab *h, const void *key);
static inline void *bpfrt_htab_value(struct bpfrt_htab *h, struct bpfrt_htab_elem *e)
{
    return e->data + h->value_off;
}
/* Inserts or replaces key. `fill(h, value_mem, old_value_mem_or_NULL, arg)`
 * writes the new element's value (old: the value being replaced, so per-CPU
 * copies for other CPUs can be carried over). flags: BPF_ANY/NOEXIST/EXIST
 * (already validated). Returns 0, -EEXIST, -ENOENT, -E2BIG or -ENOMEM. */
typedef void (*bpfrt_htab_fill_fn)(struct bpfrt_htab *h, void *value, const void *old, const void *arg);
int bpfrt_htab_upsert(struct bpfrt_htab *h, const void *key, uint64_t flags,
                      bpfrt_htab_fill_fn fill, const void *arg);
/* Removes key; if out != NULL copies the value first via copy_out(h, out, value).
 * Returns 0 or -ENOENT. */
int bpfrt_htab_remove(struct bpfrt_htab *h, const void *key,
                      void (*copy_out)(struct bpfrt_htab *h, void *out, const void *value), void *out);
/* Map ops every hash-table map shares (h is the map): get_next_key, and
 * delete for user space and for programs. */
int bpfrt_htab_get_next_key(struct bpfrt_map *map, const void *key, void *next_key);
int bpfrt_htab_sys_delete(struct bpfrt_map *map, const void *key);
long bpfrt_htab_delete_elem(struct bpfrt_map *map, const void *key);
long bpfrt_htab_for_each(struct bpfrt_htab *h, bpfrt_map_iter_cb cb, void *cb_ctx, unsigned cpu);

/* ---- the slot arrays (slot_array.c) ----
 * Maps of max_entries slots keyed by a u32 index whose slots hold something
 * other than plain values: PROG_ARRAY, PERF_EVENT_ARRAY and ARRAY_OF_MAPS
 * (a pointer per slot, Linux's "fd arrays") and DEVMAP, XSKMAP, CPUMAP (a
 * small record per slot). A family's struct starts with this one. */
struct bpfrt_slot_array {
    struct bpfrt_map map;       /* must be first */
    size_t struct_size;         /* the family's whole struct, for free */
    uint32_t slot_size;
    unsigned char *slots;       /* max_entries * slot_size, zeroed */
};

static inline struct bpfrt_slot_array *bpfrt_to_slot_array(struct bpfrt_map *map)
{
    return (struct bpfrt_slot_array *)map;
}

/* The u32 index a key of an index-keyed map names. */
static inline uint32_t bpfrt_map_key_index(const void *key)
{
    uint32_t index;
    bpfrt_memcpy(&index, key, 4);
    return index;
}

/* Allocates the family's struct (struct_size bytes, starting with struct
 * bpfrt_slot_array) and max_entries zeroed slots of slot_size bytes.
 * Returns 0 or -ENOMEM. */
int bpfrt_slot_array_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                           const struct bpfrt_map_ops *ops, size_t struct_size,
                           uint32_t slot_size, struct bpfrt_map **out);
/* Frees the slots and the struct; what the slots refer to is the family's. */
void bpfrt_slot_array_free(struct bpfrt_map *map);
/* get_next_key of every u32-indexed array (ARRAY too): no key or one out of
 * range starts at 0; the last index answers -ENOENT. */
int bpfrt_index_map_get_next_key(struct bpfrt_map *map, const void *key, void *next_key);

/* Pointer slots. `put` drops the reference a slot held. */
typedef void (*bpfrt_slot_put_fn)(struct bpfrt_map *map, void *ptr);
/* The pointer in slot index (acquire); NULL when empty or out of range. */
void *bpfrt_ptr_slot_load(struct bpfrt_map *map, uint32_t index);
/* Stores ptr (the caller's reference) in slot index (< max_entries) and
 * puts what it held. */
void bpfrt_ptr_slot_replace(struct bpfrt_map *map, uint32_t index, void *ptr, bpfrt_slot_put_fn put);
/* Empties the slot key names: -E2BIG out of range, -ENOENT already empty. */
int bpfrt_ptr_slot_delete(struct bpfrt_map *map, const void *key, bpfrt_slot_put_fn put);
/* Empties every slot. */
void bpfrt_ptr_slot_clear(struct bpfrt_map *map, bpfrt_slot_put_fn put);

/* ---- ops tables, one per type ---- */
extern const struct bpfrt_map_ops bpfrt_array_ops, bpfrt_percpu_array_ops;
extern const struct bpfrt_map_ops bpfrt_htab_ops, bpfrt_percpu_htab_ops;
extern const struct bpfrt_map_ops bpfrt_lru_htab_ops, bpfrt_lru_percpu_htab_ops;
extern const struct bpfrt_map_ops bpfrt_queue_ops, bpfrt_stack_ops;
extern const struct bpfrt_map_ops bpfrt_ringbuf_ops;
extern const struct bpfrt_map_ops bpfrt_perf_event_array_ops;
extern const struct bpfrt_map_ops bpfrt_prog_array_ops;
extern const struct bpfrt_map_ops bpfrt_lpm_trie_ops;
extern const struct bpfrt_map_ops bpfrt_array_of_maps_ops, bpfrt_hash_of_maps_ops;
extern const struct bpfrt_map_ops bpfrt_bloom_filter_ops;
extern const struct bpfrt_map_ops bpfrt_devmap_ops, bpfrt_devmap_hash_ops;
extern const struct bpfrt_map_ops bpfrt_xskmap_ops, bpfrt_cpumap_ops;

/* Generic array-style meta_equal (max_entries must match unless
 * BPF_F_INNER_MAP) and the plain one (type, sizes, flags). */
bool bpfrt_map_meta_equal(const struct bpfrt_map *meta, const struct bpfrt_map *inner);
bool bpfrt_array_meta_equal(const struct bpfrt_map *meta, const struct bpfrt_map *inner);

/* Linux's htab_map_alloc_check (hashtab.c), also for HASH_OF_MAPS. */
int bpfrt_htab_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr);
/* Creation rules shared by the fd arrays (array.c). */
int bpfrt_fd_array_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr);

/* Redirect maps: target of key (ifindex, queue id or cpu). */
int bpfrt_redirect_target_impl(struct bpfrt_map *map, uint32_t key, uint32_t *target);

#endif
