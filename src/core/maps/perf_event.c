/* BPF_MAP_TYPE_PERF_EVENT_ARRAY: one record buffer per slot (per CPU in
 * practice). In Linux user space opens a perf event per CPU and stores its fd
 * at that key; here it calls bpfrt_perf_event_open_buffer(map, slot, size).
 * bpf_perf_event_output appends {u32 size; u32 pad; data, 8-aligned} to the
 * slot's buffer; when it does not fit the record is dropped, counted as lost
 * and -ENOSPC returned (perf_output_begin's error). Slot out of range:
 * -E2BIG; no buffer opened there: -ENOENT. Producers of one slot serialise
 * on its spin lock; one consumer drains all slots in order. Like the ring
 * buffer, the data area is twice the (power-of-two) capacity so a record is
 * always contiguous.
 *
 * A slot may instead hold a counter (bpfrt_perf_event_open_counter: the
 * embedder's function that reads it), what bpf_perf_event_read(_value)
 * read - Linux's counting perf events. */
#include "core/maps/maps_impl.h"

struct perf_buf {
    struct bpfrt_runtime *rt;
    size_t alloc_size;
    uint32_t lock, cons_lock;
    uint64_t cap;             /* power of two */
    uint64_t head, tail;      /* atomic */
    uint64_t lost;            /* atomic, not yet reported */
    uint64_t lost_total;      /* atomic */
    bpfrt_perf_counter_fn read; /* a counter slot (no record buffer), else NULL */
    void *read_arg;
    unsigned char data[] __attribute__((aligned(8)));
};

/* The map is a slot array of struct perf_buf pointers. */

static int perf_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                      struct bpfrt_map *inner, struct bpfrt_map **out)
{
    return bpfrt_slot_array_alloc(rt, attr, &bpfrt_perf_event_array_ops, sizeof(struct bpfrt_slot_array),
                                  sizeof(struct perf_buf *), out);
}

static void buf_free_cb(void *arg)
{
    struct perf_buf *b = arg;
    bpfrt_free(b->rt, b, b->alloc_size);
}

/* A buffer taken out of a live map may have a producer or the consumer in
 * it, so its memory waits for readers; when the map itself is freed no
 * reader is left. */
static void put_buf_deferred(struct bpfrt_map *map, void *b) { bpfrt_map_defer_free(map->rt, buf_free_cb, b); }
static void put_buf_now(struct bpfrt_map *map, void *b) { buf_free_cb(b); }

static void perf_free(struct bpfrt_map *map)
{
    bpfrt_ptr_slot_clear(map, put_buf_now);
    bpfrt_slot_array_free(map);
}

/* Linux drops the events when the map's creator closes it, unless
 * BPF_F_PRESERVE_ELEMS. */
static void perf_release_uref(struct bpfrt_map *map)
{
    if (map->map_flags & BPF_F_PRESERVE_ELEMS)
        return;
    bpfrt_ptr_slot_clear(map, put_buf_deferred);
}

static struct perf_buf **buf_slots(struct bpfrt_map *map)
{
    return (struct perf_buf **)bpfrt_to_slot_array(map)->slots;
}

int bpfrt_perf_event_open_buffer(struct bpfrt_map *map, uint32_t slot, uint32_t size)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || size == 0)
        return -BPFRT_EINVAL;
    if (slot >= map->max_entries)
        return -BPFRT_E2BIG;
    if (size > (1u << 30))
        return -BPFRT_E2BIG;
    uint64_t cap = bpfrt_roundup_pow_of_two(size < 64 ? 64 : size);
    size_t bytes = sizeof(struct perf_buf) + 2 * cap;
    struct perf_buf *b = bpfrt_zalloc(map->rt, bytes);
    if (!b)
        return -BPFRT_ENOMEM;
    b->rt = map->rt;
    b->alloc_size = bytes;
    b->cap = cap;
    struct perf_buf *expected = NULL;
    if (!__atomic_compare_exchange_n(&buf_slots(map)[slot], &expected, b, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        buf_free_cb(b);
        return -BPFRT_EEXIST;
    }
    return 0;
}

int bpfrt_perf_event_open_counter(struct bpfrt_map *map, uint32_t slot, bpfrt_perf_counter_fn read, void *arg)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || !read)
        return -BPFRT_EINVAL;
    if (slot >= map->max_entries)
        return -BPFRT_E2BIG;
    struct perf_buf *b = bpfrt_zalloc(map->rt, sizeof(*b));
    if (!b)
        return -BPFRT_ENOMEM;
    b->rt = map->rt;
    b->alloc_size = sizeof(*b);
    b->read = read;
    b->read_arg = arg;
    struct perf_buf *expected = NULL;
    if (!__atomic_compare_exchange_n(&buf_slots(map)[slot], &expected, b, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        buf_free_cb(b);
        return -BPFRT_EEXIST;
    }
    return 0;
}

/* Linux's get_map_perf_counter: the index (BPF_F_CURRENT_CPU: this CPU)
 * must be in range (-E2BIG) and hold an event (-ENOENT). */
int bpfrt_perf_event_read_counter(struct bpfrt_map *map, uint64_t index, unsigned cpu,
                                  struct bpfrt_perf_counter_value *out)
{
    bpfrt_memset(out, 0, sizeof(*out));
    if (!map || map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
        return -BPFRT_EINVAL;
    if (index == BPF_F_CURRENT_CPU)
        index = cpu;
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    struct perf_buf *b = bpfrt_ptr_slot_load(map, (uint32_t)index);
    if (!b)
        return -BPFRT_ENOENT;
    if (!b->read)
        return -BPFRT_EINVAL; /* a record buffer counts nothing */
    int err = b->read(b->read_arg, out);
    if (err)
        bpfrt_memset(out, 0, sizeof(*out));
    return err;
}

uint64_t bpfrt_perf_event_lost(struct bpfrt_map *map, uint32_t slot)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || slot >= map->max_entries)
        return 0;
    bpfrt_map_read_lock(map->rt);
    struct perf_buf *b = bpfrt_ptr_slot_load(map, slot);
    uint64_t n = b ? __atomic_load_n(&b->lost_total, __ATOMIC_RELAXED) : 0;
    bpfrt_map_read_unlock(map->rt);
    return n;
}

long bpfrt_perf_event_output(struct bpfrt_map *map, uint64_t flags, const void *data,
                             uint64_t size, unsigned cpu)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || (flags & ~BPF_F_INDEX_MASK))
        return -BPFRT_EINVAL;
    uint64_t index = flags & BPF_F_INDEX_MASK;
    if (index == BPF_F_CURRENT_CPU)
        index = cpu;
    if (index >= map->max_entries)
        return -BPFRT_E2BIG;
    struct perf_buf *b = bpfrt_ptr_slot_load(map, (uint32_t)index);
    if (!b)
        return -BPFRT_ENOENT;
    if (b->read)
        return -BPFRT_EINVAL; /* a counter has no ring to write to */
    uint64_t len = bpfrt_round_up(size + 8, 8);
    bpfrt_raw_spin_lock(&b->lock);
    uint64_t head = b->head;
    uint64_t tail = __atomic_load_n(&b->tail, __ATOMIC_ACQUIRE);
    if (size > UINT32_MAX || head + len - tail > b->cap) {
        bpfrt_raw_spin_unlock(&b->lock);
        __atomic_add_fetch(&b->lost, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&b->lost_total, 1, __ATOMIC_RELAXED);
        return -BPFRT_ENOSPC;
    }
    unsigned char *rec = b->data + (head & (b->cap - 1));
    uint32_t hdr[2] = { (uint32_t)size, 0 };
    bpfrt_memcpy(rec, hdr, 8);
    bpfrt_memcpy(rec + 8, data, size);
    __atomic_store_n(&b->head, head + len, __ATOMIC_RELEASE);
    bpfrt_raw_spin_unlock(&b->lock);
    return 0;
}

long bpfrt_perf_event_consume(struct bpfrt_map *map, bpfrt_record_cb cb, bpfrt_lost_cb lost_cb, void *arg)
{
    if (!map || map->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || !cb)
        return -BPFRT_EINVAL;
    long n = 0;
    bpfrt_map_read_lock(map->rt);
    for (uint32_t slot = 0; slot < map->max_entries; slot++) {
        struct perf_buf *b = bpfrt_ptr_slot_load(map, slot);
        if (!b || b->read || !bpfrt_raw_spin_trylock(&b->cons_lock))
            continue;
        uint64_t lost = __atomic_exchange_n(&b->lost, 0, __ATOMIC_RELAXED);
        if (lost && lost_cb)
            lost_cb(arg, slot, lost);
        uint64_t tail = b->tail;
        uint64_t head = __atomic_load_n(&b->head, __ATOMIC_ACQUIRE);
        while (tail < head) {
            unsigned char *rec = b->data + (tail & (b->cap - 1));
            uint32_t size;
            bpfrt_memcpy(&size, rec, 4);
            int ret = cb(arg, rec + 8, size);
            n++;
            tail += bpfrt_round_up((uint64_t)size + 8, 8);
            __atomic_store_n(&b->tail, tail, __ATOMIC_RELEASE);
            if (ret) {
                bpfrt_raw_spin_unlock(&b->cons_lock);
                bpfrt_map_read_unlock(map->rt);
                return ret;
            }
        }
        bpfrt_raw_spin_unlock(&b->cons_lock);
    }
    bpfrt_map_read_unlock(map->rt);
    return n;
}

static int perf_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    return -BPFRT_EINVAL; /* no perf event fds here: use bpfrt_perf_event_open_buffer */
}

static int perf_sys_delete(struct bpfrt_map *map, const void *key)
{
    return bpfrt_ptr_slot_delete(map, key, put_buf_deferred);
}

static long perf_delete_elem(struct bpfrt_map *map, const void *key) { return -BPFRT_EINVAL; }

const struct bpfrt_map_ops bpfrt_perf_event_array_ops = {
    .alloc_check = bpfrt_fd_array_alloc_check,
    .alloc = perf_alloc,
    .free = perf_free,
    .release_uref = perf_release_uref,
    .meta_equal = bpfrt_array_meta_equal,
    .sys_update = perf_sys_update,
    .sys_delete = perf_sys_delete,
    .get_next_key = bpfrt_index_map_get_next_key,
    .delete_elem = perf_delete_elem,
};
