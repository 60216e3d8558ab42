/* BPF_MAP_TYPE_RINGBUF: Linux's multi-producer, single-consumer ring of
 * variable-length records. Layout as Linux: each record starts with an
 * 8-byte header {u32 len; u32 pg_off}, len carrying BPF_RINGBUF_BUSY_BIT
 * while the producer owns it and BPF_RINGBUF_DISCARD_BIT when discarded;
 * records are 8-aligned; the producer may never run more than size - 1
 * bytes ahead of the consumer, so a full ring makes reserve return NULL.
 *
 * Linux maps the data pages twice so a record that wraps is contiguous in
 * memory; a freestanding core cannot, so the data area is allocated at twice
 * the ring size and a record that would wrap simply continues into the
 * second half (producer and consumer both address it from pos & mask, so
 * they agree). pg_off locates the ring from a sample, as in Linux: the
 * control block is page-aligned and the data follows it. */
#include "core/maps/maps_impl.h"

#define RINGBUF_CREATE_FLAG_MASK BPF_F_NUMA_NODE
#define RINGBUF_MAX_RECORD_SZ (UINT32_MAX / 4)
#define RB_DATA_OFF BPFRT_PAGE_SIZE

struct bpfrt_ringbuf {
    struct bpfrt_map map;
    uint32_t lock;            /* producers */
    uint32_t cons_lock;       /* the consumer */
    uint64_t mask;
    uint64_t consumer_pos;    /* atomic */
    uint64_t producer_pos;    /* atomic */
    size_t alloc_size;
};
_Static_assert(sizeof(struct bpfrt_ringbuf) <= RB_DATA_OFF, "ring control block fits a page");

struct rb_hdr {
    uint32_t len;
    uint32_t pg_off;
};

static struct bpfrt_ringbuf *to_rb(struct bpfrt_map *map) { return (struct bpfrt_ringbuf *)map; }
static unsigned char *rb_data(struct bpfrt_ringbuf *rb) { return (unsigned char *)rb + RB_DATA_OFF; }

static int rb_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->map_flags & ~RINGBUF_CREATE_FLAG_MASK)
        return -BPFRT_EINVAL;
    if (attr->key_size || attr->value_size || !bpfrt_is_power_of_2(attr->max_entries) ||
        (attr->max_entries & (BPFRT_PAGE_SIZE - 1)))
        return -BPFRT_EINVAL;
    return 0;
}

static int rb_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                    struct bpfrt_map *inner, struct bpfrt_map **out)
{
    size_t size = RB_DATA_OFF + 2 * (size_t)attr->max_entries;
    struct bpfrt_ringbuf *rb = bpfrt_zalloc_aligned(rt, size, BPFRT_PAGE_SIZE);
    if (!rb)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&rb->map, &bpfrt_ringbuf_ops, rt, attr);
    rb->mask = attr->max_entries - 1;
    rb->alloc_size = size;
    *out = &rb->map;
    return 0;
}

static void rb_free(struct bpfrt_map *map)
{
    bpfrt_free(map->rt, map, to_rb(map)->alloc_size);
}

void *bpfrt_ringbuf_reserve(struct bpfrt_map *map, uint64_t size, uint64_t flags)
{
    if (!map || map->map_type != BPF_MAP_TYPE_RINGBUF || flags || size > RINGBUF_MAX_RECORD_SZ)
        return NULL;
    struct bpfrt_ringbuf *rb = to_rb(map);
    uint64_t len = bpfrt_round_up(size + BPF_RINGBUF_HDR_SZ, 8);
    if (len > rb->mask + 1)
        return NULL;
    uint64_t cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
    bpfrt_raw_spin_lock(&rb->lock);
    uint64_t prod = rb->producer_pos;
    if (prod + len - cons > rb->mask) { /* never more than size - 1 ahead */
        bpfrt_raw_spin_unlock(&rb->lock);
        return NULL;
    }
    struct rb_hdr *hdr = (struct rb_hdr *)(void *)(rb_data(rb) + (prod & rb->mask));
    hdr->pg_off = (uint32_t)((((uintptr_t)hdr & ~(uintptr_t)(BPFRT_PAGE_SIZE - 1)) - (uintptr_t)rb) /
                             BPFRT_PAGE_SIZE);
    __atomic_store_n(&hdr->len, (uint32_t)size | BPF_RINGBUF_BUSY_BIT, __ATOMIC_RELAXED);
    __atomic_store_n(&rb->producer_pos, prod + len, __ATOMIC_RELEASE);
    bpfrt_raw_spin_unlock(&rb->lock);
    return hdr + 1;
}

static void rb_commit(void *sample, bool discard)
{
    if (!sample)
        return;
    struct rb_hdr *hdr = (struct rb_hdr *)sample - 1;
    uint32_t len = __atomic_load_n(&hdr->len, __ATOMIC_RELAXED);
    uint32_t new_len = len & ~BPF_RINGBUF_BUSY_BIT;
    if (discard)
        new_len |= BPF_RINGBUF_DISCARD_BIT;
    __atomic_exchange_n(&hdr->len, new_len, __ATOMIC_ACQ_REL);
}

void bpfrt_ringbuf_submit(void *sample, uint64_t flags)
{
    rb_commit(sample, false);
}

void bpfrt_ringbuf_discard(void *sample, uint64_t flags)
{
    rb_commit(sample, true);
}

long bpfrt_ringbuf_output(struct bpfrt_map *map, const void *data, uint64_t size, uint64_t flags)
{
    if (flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
        return -BPFRT_EINVAL;
    void *rec = bpfrt_ringbuf_reserve(map, size, 0);
    if (!rec)
        return -BPFRT_EAGAIN;
    bpfrt_memcpy(rec, data, size);
    bpfrt_ringbuf_submit(rec, flags);
    return 0;
}

uint64_t bpfrt_ringbuf_query(struct bpfrt_map *map, uint64_t flags)
{
    if (!map || map->map_type != BPF_MAP_TYPE_RINGBUF)
        return 0;
    struct bpfrt_ringbuf *rb = to_rb(map);
    uint64_t cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
    uint64_t prod = __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
    switch (flags) {
    case BPF_RB_AVAIL_DATA: return prod - cons;
    case BPF_RB_RING_SIZE: return rb->mask + 1;
    case BPF_RB_CONS_POS: return cons;
    case BPF_RB_PROD_POS: return prod;
    default: return 0;
    }
}

long bpfrt_ringbuf_consume(struct bpfrt_map *map, bpfrt_record_cb cb, void *arg)
{
    if (!map || map->map_type != BPF_MAP_TYPE_RINGBUF || !cb)
        return -BPFRT_EINVAL;
    struct bpfrt_ringbuf *rb = to_rb(map);
    if (!bpfrt_raw_spin_trylock(&rb->cons_lock))
        return -BPFRT_EBUSY; /* one consumer at a time */
    uint64_t cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_RELAXED);
    long n = 0;
    for (;;) {
        uint64_t prod = __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
        if (cons >= prod)
            break;
        struct rb_hdr *hdr = (struct rb_hdr *)(void *)(rb_data(rb) + (cons & rb->mask));
        uint32_t len = __atomic_load_n(&hdr->len, __ATOMIC_ACQUIRE);
        if (len & BPF_RINGBUF_BUSY_BIT)
            break; /* not committed yet: later records wait behind it */
        uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
        int ret = 0;
        if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
            ret = cb(arg, hdr + 1, size);
            n++;
        }
        cons += bpfrt_round_up((uint64_t)size + BPF_RINGBUF_HDR_SZ, 8);
        __atomic_store_n(&rb->consumer_pos, cons, __ATOMIC_RELEASE);
        if (ret) {
            bpfrt_raw_spin_unlock(&rb->cons_lock);
            return ret;
        }
    }
    bpfrt_raw_spin_unlock(&rb->cons_lock);
    return n;
}

const struct bpfrt_map_ops bpfrt_ringbuf_ops = {
    .alloc_check = rb_alloc_check,
    .alloc = rb_alloc,
    .free = rb_free,
    .meta_equal = bpfrt_map_meta_equal,
};
