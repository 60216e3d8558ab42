// SPDX-License-Identifier: MIT
/* An older-style object: map definitions as struct bpf_map_def in
 * SEC("maps") (no BTF needed), a "version" section, socket filter and XDP
 * programs; loads with and without -g. */
#include "common.h"

struct bpf_map_def {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

struct bpf_map_def SEC("maps") pkt_count = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 4,
};

struct bpf_map_def SEC("maps") len_hist = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 64,
};

SEC("xdp")
int xdp_legacy(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    __u32 slot = len < 64 ? 0 : len < 128 ? 1 : len < 512 ? 2 : 3;
    __u64 *c = bpf_map_lookup_elem(&pkt_count, &slot);
    if (c)
        __sync_fetch_and_add(c, 1);
    __u32 bucket = len / 16;
    __u64 one = 1, *h = bpf_map_lookup_elem(&len_hist, &bucket);
    if (h)
        __sync_fetch_and_add(h, 1);
    else
        bpf_map_update_elem(&len_hist, &bucket, &one, BPF_ANY);
    return XDP_PASS;
}

SEC("socket")
int sock_len(struct __sk_buff *skb)
{
    __u32 slot = 3;
    __u64 *c = bpf_map_lookup_elem(&pkt_count, &slot);
    if (c)
        __sync_fetch_and_add(c, 1);
    return skb->len > 100 ? 100 : skb->len;
}

char _license[] SEC("license") = "Dual BSD/GPL";
__u32 _version SEC("version") = 0x060000;
