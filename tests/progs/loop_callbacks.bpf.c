// SPDX-License-Identifier: MIT
/* bpf_loop with a callback (a function pointer the loader relocates) and
 * bpf_for_each_map_elem over a hash map. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 16);
} weights SEC(".maps");

struct loop_ctx {
    __u64 acc;
    __u32 n;
};

static int square_step(__u32 i, struct loop_ctx *c)
{
    c->acc += (__u64)i * i;
    return 0;
}

static __u64 sum_cb(void *map, __u32 *key, __u64 *val, struct loop_ctx *c)
{
    c->acc += *key * *val;
    c->n++;
    return 0;
}

__u64 loop_result;
__u64 each_result;
__u32 each_count;

SEC("xdp")
int xdp_loop(struct xdp_md *ctx)
{
    struct loop_ctx c = {0};
    long n = bpf_loop(10, square_step, &c, 0); /* 0^2 + ... + 9^2 = 285 */
    loop_result = c.acc;
    return n == 10 ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int xdp_each(struct xdp_md *ctx)
{
    struct loop_ctx c = {0};
    long n = bpf_for_each_map_elem(&weights, sum_cb, &c, 0);
    each_result = c.acc;
    each_count = c.n;
    return n;
}

char _license[] SEC("license") = "GPL";
