// SPDX-License-Identifier: MIT
/* Iteration helpers as monitoring code uses them: bpf_loop with a context
 * struct (checksumming the payload copied onto the stack, stopping at a
 * terminator), bpf_loop's limits, and bpf_for_each_map_elem over a hash
 * that the program fills itself: the callback sums, finds the maximum,
 * rewrites values and deletes expired entries while iterating. Only
 * results that do not depend on the hash's iteration order are kept. */
#include "common.h"

#define PAYLOAD 64

static long (*bpf_xdp_load_bytes)(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len) = (void *)189;

struct scan_ctx {
    __u8 buf[PAYLOAD];
    __u32 len;
    __u32 sum;
    __u32 words;
    __u32 stopped_at;
};

struct age_ctx {
    __u64 now;
    __u64 total;
    __u64 max;
    __u32 visited;
    __u32 expired;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 32);
    __type(key, __u32);
    __type(value, __u64);
} ages SEC(".maps");

__u64 generation;
__u64 results[8];

static int scan_word(__u32 i, struct scan_ctx *c)
{
    if (i >= PAYLOAD / 2)
        return 1;
    __u32 off = (i & (PAYLOAD / 2 - 1)) * 2;
    if (off + 1 >= c->len)
        return 1;
    __u16 w = (__u16)c->buf[off] << 8 | c->buf[off + 1];
    if (w == 0xffff) {
        c->stopped_at = i;
        return 1;
    }
    c->sum += w;
    c->words++;
    return 0;
}

static long age_entry(void *map, __u32 *key, __u64 *val, struct age_ctx *c)
{
    c->visited++;
    if (*val + 4 <= c->now) {
        c->expired++;
        bpf_map_delete_elem(map, key);
        return 0;
    }
    c->total += *val;
    if (*val > c->max)
        c->max = *val;
    *val += 1000; /* writes through the value pointer persist */
    return 0;
}

static long never_called(__u32 i, void *c)
{
    return 0;
}

SEC("xdp")
int xdp_loops(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct scan_ctx sc = {};
    __u32 len = (__u32)(data_end - data);
    __u32 n_copy = len >= PAYLOAD ? PAYLOAD : (len & (PAYLOAD - 1));
    if (n_copy < ETH_HLEN)
        return XDP_DROP;
    if (bpf_xdp_load_bytes(ctx, 0, sc.buf, n_copy) < 0)
        return XDP_DROP;
    sc.len = n_copy;
    sc.stopped_at = 0xffffffff;
    long n = bpf_loop(PAYLOAD, scan_word, &sc, 0);
    results[0] = n;
    results[1] = sc.sum;
    results[2] = sc.words;
    results[3] = sc.stopped_at;
    /* -E2BIG; kept as an int: Linux's inlined bpf_loop (flags 0) sets only
     * the low 32 bits of r0 here, its helper all 64 */
    results[4] = (__s32)bpf_loop(1 << 24, never_called, NULL, 0);
    results[5] = bpf_loop(3, never_called, NULL, 1);       /* -EINVAL: flags */

    /* record this packet's bucket with the current generation */
    __u64 gen = ++generation;
    __u32 bucket = sc.sum % 24;
    bpf_map_update_elem(&ages, &bucket, &gen, BPF_ANY);

    struct age_ctx ac = {.now = gen};
    long visited = bpf_for_each_map_elem(&ages, age_entry, &ac, 0);
    results[6] = (__u64)visited << 32 | ac.expired;
    results[7] = ac.total ^ ac.max << 20;
    return (int)(ac.visited == visited) + ((sc.words & 0x3f) << 1);
}

char _license[] SEC("license") = "GPL";
