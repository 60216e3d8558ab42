/* BPF_MAP_TYPE_USER_RINGBUF (kernel/bpf/ringbuf.c): a ring buffer user
 * space produces into and programs drain with bpf_user_ringbuf_drain.
 * Records have the ring buffer's 8-byte header {u32 len; u32 pg_off}, BUSY
 * while user space writes, DISCARD when it gives a sample up; records are
 * 8-aligned. The user side here is libbpf's user_ring_buffer__reserve /
 * __submit / __discard as functions (bpfrt_user_ringbuf_*); programs see a
 * sample through a dynptr. As for RINGBUF, the data area is twice the ring
 * so every record is contiguous. Creation checks are the ring buffer's
 * (key 0, value 0, max_entries a power of two and a page multiple, only
 * the NUMA flag); element commands are -ENOTSUPP. */
#include "core/maps/map_family.h"

#define UR_DATA_OFF BPFRT_PAGE_SIZE
#define MAX_USER_RINGBUF_SAMPLES (128u * 1024u)
#define DYNPTR_MAX_SIZE ((1u << 24) - 1)

struct user_ringbuf {
    struct bpfrt_map map;
    uint32_t prod_lock;       /* user-space producers */
    uint32_t busy;            /* a drain in progress (atomic) */
    uint64_t mask;
    uint64_t consumer_pos;    /* atomic */
    uint64_t producer_pos;    /* atomic */
    size_t alloc_size;
};
_Static_assert(sizeof(struct user_ringbuf) <= UR_DATA_OFF, "control block fits a page");

static struct user_ringbuf *to_ur(struct bpfrt_map *map) { return (struct user_ringbuf *)map; }
static unsigned char *ur_data(struct user_ringbuf *ur) { return (unsigned char *)ur + UR_DATA_OFF; }

static int ur_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    (void)rt;
    if (attr->map_flags & ~BPF_F_NUMA_NODE)
        return -BPFRT_EINVAL;
    if (attr->key_size || attr->value_size || !bpfrt_is_power_of_2(attr->max_entries) ||
        (attr->max_entries & (BPFRT_PAGE_SIZE - 1)))
        return -BPFRT_EINVAL;
    return 0;
}

static int ur_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr, struct bpfrt_map *inner,
                    struct bpfrt_map **out)
{
    (void)inner;
    size_t size = UR_DATA_OFF + 2 * (size_t)attr->max_entries;
    struct user_ringbuf *ur = bpfrt_zalloc_aligned(rt, size, BPFRT_PAGE_SIZE);
    if (!ur)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&ur->map, &bpfrt_user_ringbuf_ops, rt, attr);
    ur->mask = attr->max_entries - 1;
    ur->alloc_size = size;
    *out = &ur->map;
    return 0;
}

static void ur_free(struct bpfrt_map *map)
{
    bpfrt_free(map->rt, map, to_ur(map)->alloc_size);
}

static uint32_t *hdr_of(void *sample) { return (uint32_t *)sample - 2; }

int bpfrt_user_ringbuf_reserve(struct bpfrt_map *map, uint32_t size, void **sample)
{
    *sample = NULL;
    if (!map || map->map_type != BPF_MAP_TYPE_USER_RINGBUF)
        return -BPFRT_EINVAL;
    struct user_ringbuf *ur = to_ur(map);
    uint64_t total = bpfrt_round_up((uint64_t)size + BPF_RINGBUF_HDR_SZ, 8);
    if (total > ur->mask + 1 || size > DYNPTR_MAX_SIZE)
        return -BPFRT_E2BIG;
    bpfrt_raw_spin_lock(&ur->prod_lock);
    uint64_t cons = __atomic_load_n(&ur->consumer_pos, __ATOMIC_ACQUIRE);
    uint64_t prod = ur->producer_pos;
    if (ur->mask + 1 - (prod - cons) < total) {
        bpfrt_raw_spin_unlock(&ur->prod_lock);
        return -BPFRT_ENOSPC;
    }
    uint32_t *hdr = (uint32_t *)(void *)(ur_data(ur) + (prod & ur->mask));
    hdr[1] = 0;
    __atomic_store_n(&hdr[0], size | BPF_RINGBUF_BUSY_BIT, __ATOMIC_RELAXED);
    __atomic_store_n(&ur->producer_pos, prod + total, __ATOMIC_RELEASE);
    bpfrt_raw_spin_unlock(&ur->prod_lock);
    *sample = hdr + 2;
    return 0;
}

static void commit(void *sample, bool discard)
{
    if (!sample)
        return;
    uint32_t *hdr = hdr_of(sample);
    uint32_t len = __atomic_load_n(&hdr[0], __ATOMIC_RELAXED) & ~BPF_RINGBUF_BUSY_BIT;
    __atomic_store_n(&hdr[0], discard ? len | BPF_RINGBUF_DISCARD_BIT : len, __ATOMIC_RELEASE);
}

void bpfrt_user_ringbuf_submit(struct bpfrt_map *map, void *sample)
{
    (void)map;
    commit(sample, false);
}

void bpfrt_user_ringbuf_discard(struct bpfrt_map *map, void *sample)
{
    (void)map;
    commit(sample, true);
}

/* Linux's __bpf_user_ringbuf_peek: 0 with the next sample, -ENODATA (none
 * ready), -EAGAIN (a discarded one was skipped), -EINVAL/-E2BIG (a header
 * the producer corrupted). */
static int peek(struct user_ringbuf *ur, void **sample, uint32_t *size, uint64_t *total_out)
{
    uint64_t prod = __atomic_load_n(&ur->producer_pos, __ATOMIC_ACQUIRE);
    if (prod % 8)
        return -BPFRT_EINVAL;
    uint64_t cons = __atomic_load_n(&ur->consumer_pos, __ATOMIC_ACQUIRE);
    if (cons >= prod)
        return -BPFRT_ENODATA;
    uint32_t *hdr = (uint32_t *)(void *)(ur_data(ur) + (cons & ur->mask));
    uint32_t len = __atomic_load_n(&hdr[0], __ATOMIC_ACQUIRE);
    uint32_t flags = len & (BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    uint32_t sample_len = len & ~flags;
    uint64_t total = bpfrt_round_up((uint64_t)sample_len + BPF_RINGBUF_HDR_SZ, 8);
    if (total > prod - cons)
        return -BPFRT_EINVAL;
    if (total > ur->mask + 1 || sample_len > DYNPTR_MAX_SIZE)
        return -BPFRT_E2BIG;
    if (flags & BPF_RINGBUF_DISCARD_BIT) {
        __atomic_store_n(&ur->consumer_pos, cons + total, __ATOMIC_RELEASE);
        return -BPFRT_EAGAIN;
    }
    if (flags & BPF_RINGBUF_BUSY_BIT)
        return -BPFRT_ENODATA;
    *sample = hdr + 2;
    *size = sample_len;
    *total_out = total;
    return 0;
}

long bpfrt_user_ringbuf_drain(struct bpfrt_map *map, int (*cb)(void *arg, void *sample, uint32_t size), void *arg)
{
    if (!map || map->map_type != BPF_MAP_TYPE_USER_RINGBUF)
        return -BPFRT_EINVAL;
    struct user_ringbuf *ur = to_ur(map);
    uint32_t idle = 0;
    if (!__atomic_compare_exchange_n(&ur->busy, &idle, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return -BPFRT_EBUSY;
    long samples = 0, discarded = 0;
    int ret = 0;
    for (; samples < MAX_USER_RINGBUF_SAMPLES && ret == 0; samples++) {
        void *sample;
        uint32_t size;
        uint64_t total;
        int err = peek(ur, &sample, &size, &total);
        if (err == -BPFRT_ENODATA)
            break;
        if (err == -BPFRT_EAGAIN) {
            discarded++;
            continue;
        }
        if (err) {
            __atomic_store_n(&ur->busy, 0, __ATOMIC_RELEASE);
            return err;
        }
        ret = cb(arg, sample, size);
        uint64_t cons = __atomic_load_n(&ur->consumer_pos, __ATOMIC_RELAXED);
        __atomic_store_n(&ur->consumer_pos, cons + total, __ATOMIC_RELEASE);
        if (ret < 0) { /* the callback's run failed: no more samples */
            __atomic_store_n(&ur->busy, 0, __ATOMIC_RELEASE);
            return ret;
        }
    }
    __atomic_store_n(&ur->busy, 0, __ATOMIC_RELEASE);
    return samples - discarded;
}

const struct bpfrt_map_ops bpfrt_user_ringbuf_ops = {
    .alloc_check = ur_alloc_check,
    .alloc = ur_alloc,
    .free = ur_free,
};
