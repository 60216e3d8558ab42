// SPDX-License-Identifier: MIT
/* bpf-to-bpf calls three deep (noinline static and global functions in
 * .text), shared by two programs. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} results SEC(".maps");

static __noinline __u64 mix(__u64 a, __u64 b)
{
    return (a * 31) ^ (b + 7);
}

static __noinline __u64 level2(__u64 x)
{
    return mix(x, x >> 3) + 1;
}

__noinline __u64 level1(__u64 x)
{
    __u64 v = level2(x) + level2(x + 1);
    return v;
}

static __noinline int store(__u32 slot, __u64 v)
{
    return bpf_map_update_elem(&results, &slot, &v, BPF_ANY);
}

SEC("xdp")
int xdp_calls_a(struct xdp_md *ctx)
{
    __u64 len = ctx->data_end - ctx->data;
    __u64 r = level1(len);
    store(0, r);
    return r & 3;
}

SEC("tc")
int tc_calls_b(struct __sk_buff *skb)
{
    __u64 r = level2(skb->len);
    store(1, r);
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
