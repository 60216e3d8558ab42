/* BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): key-less maps of
 * max_entries values in a ring of max_entries + 1 slots, under one spin
 * lock. push with BPF_EXIST overwrites the oldest value when full (else
 * -E2BIG); pop/peek on empty give -ENOENT. From user space, UPDATE pushes,
 * LOOKUP peeks and LOOKUP_AND_DELETE pops, as Linux. */
#include "core/maps/maps_impl.h"

#define QUEUE_STACK_CREATE_FLAG_MASK (BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK)

struct bpfrt_qs {
    struct bpfrt_map map;
    uint32_t lock;
    uint32_t head, tail;   /* push at head; queue pops at tail, stack at head-1 */
    uint32_t size;         /* max_entries + 1 */
    unsigned char *elems;
};

static struct bpfrt_qs *to_qs(struct bpfrt_map *map) { return (struct bpfrt_qs *)map; }

static int qs_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->max_entries == 0 || attr->key_size != 0 || attr->value_size == 0 ||
        (attr->map_flags & ~QUEUE_STACK_CREATE_FLAG_MASK) || !bpfrt_map_flags_access_ok(attr->map_flags))
        return -BPFRT_EINVAL;
    if (attr->value_size > BPFRT_KMALLOC_MAX_SIZE)
        return -BPFRT_E2BIG;
    return 0;
}

static int qs_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                    struct bpfrt_map *inner, struct bpfrt_map **out)
{
    struct bpfrt_qs *q = bpfrt_zalloc(rt, sizeof(*q));
    if (!q)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&q->map, attr->map_type == BPF_MAP_TYPE_QUEUE ? &bpfrt_queue_ops : &bpfrt_stack_ops,
                          rt, attr);
    q->size = attr->max_entries + 1;
    size_t bytes;
    if (q->size == 0 || bpfrt_mul_overflow((size_t)q->size, (size_t)attr->value_size, &bytes) ||
        !(q->elems = bpfrt_zalloc(rt, bytes))) {
        bpfrt_free(rt, q, sizeof(*q));
        return -BPFRT_ENOMEM;
    }
    *out = &q->map;
    return 0;
}

static void qs_free(struct bpfrt_map *map)
{
    struct bpfrt_qs *q = to_qs(map);
    bpfrt_free(map->rt, q->elems, (size_t)q->size * map->value_size);
    bpfrt_free(map->rt, q, sizeof(*q));
}

static bool qs_empty(struct bpfrt_qs *q) { return q->head == q->tail; }
static bool qs_full(struct bpfrt_qs *q) { return (q->head + 1) % q->size == q->tail; }
static unsigned char *qs_at(struct bpfrt_qs *q, uint32_t i) { return q->elems + (size_t)i * q->map.value_size; }

static long qs_push(struct bpfrt_map *map, const void *value, uint64_t flags)
{
    struct bpfrt_qs *q = to_qs(map);
    if ((flags & BPF_NOEXIST) || flags > BPF_EXIST)
        return -BPFRT_EINVAL;
    bpfrt_raw_spin_lock(&q->lock);
    if (qs_full(q)) {
        if (!(flags & BPF_EXIST)) {
            bpfrt_raw_spin_unlock(&q->lock);
            return -BPFRT_E2BIG;
        }
        q->tail = (q->tail + 1) % q->size; /* drop the oldest */
    }
    bpfrt_memcpy(qs_at(q, q->head), value, map->value_size);
    q->head = (q->head + 1) % q->size;
    bpfrt_raw_spin_unlock(&q->lock);
    return 0;
}

static long qs_take(struct bpfrt_map *map, void *value, bool remove)
{
    struct bpfrt_qs *q = to_qs(map);
    bool stack = map->map_type == BPF_MAP_TYPE_STACK;
    bpfrt_raw_spin_lock(&q->lock);
    if (qs_empty(q)) {
        bpfrt_raw_spin_unlock(&q->lock);
        return -BPFRT_ENOENT;
    }
    uint32_t idx = stack ? (q->head + q->size - 1) % q->size : q->tail;
    bpfrt_memcpy(value, qs_at(q, idx), map->value_size);
    if (remove) {
        if (stack)
            q->head = idx;
        else
            q->tail = (q->tail + 1) % q->size;
    }
    bpfrt_raw_spin_unlock(&q->lock);
    return 0;
}

static long qs_pop(struct bpfrt_map *map, void *value) { return qs_take(map, value, true); }
static long qs_peek(struct bpfrt_map *map, void *value) { return qs_take(map, value, false); }

static int qs_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    return (int)qs_peek(map, value);
}
static int qs_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    return (int)qs_push(map, value, flags);
}
static int qs_sys_lookup_and_delete(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    return (int)qs_pop(map, value);
}
static int qs_sys_delete(struct bpfrt_map *map, const void *key) { return -BPFRT_EINVAL; }
static int qs_get_next_key(struct bpfrt_map *map, const void *key, void *next) { return -BPFRT_EINVAL; }
static long qs_delete_elem(struct bpfrt_map *map, const void *key) { return -BPFRT_EINVAL; }

#define QS_OPS                                        \
    .alloc_check = qs_alloc_check,                    \
    .alloc = qs_alloc,                                \
    .free = qs_free,                                  \
    .meta_equal = bpfrt_map_meta_equal,               \
    .sys_lookup = qs_sys_lookup,                      \
    .sys_update = qs_sys_update,                      \
    .sys_delete = qs_sys_delete,                      \
    .get_next_key = qs_get_next_key,                  \
    .sys_lookup_and_delete = qs_sys_lookup_and_delete, \
    .delete_elem = qs_delete_elem,                    \
    .push_elem = qs_push,                             \
    .pop_elem = qs_pop,                               \
    .peek_elem = qs_peek

const struct bpfrt_map_ops bpfrt_queue_ops = { QS_OPS };
const struct bpfrt_map_ops bpfrt_stack_ops = { QS_OPS };
