// SPDX-License-Identifier: MIT
/* IPv6: count packets per next header, drop packets whose hop limit is
 * exhausted, and remember the last source address (.bss array). */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 256);
} nexthdr_count SEC(".maps");

__u8 last_saddr[16];

SEC("xdp")
int xdp_v6(struct xdp_md *ctx)
{
    void *data_end = (void *)(long)ctx->data_end;
    struct hdr_cursor nh = {.pos = (void *)(long)ctx->data};
    struct ethhdr *eth;
    if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IPV6))
        return XDP_PASS;
    struct ipv6hdr *ip6 = nh.pos;
    if ((void *)(ip6 + 1) > data_end)
        return XDP_DROP;
    __u32 nxt = ip6->nexthdr;
    __u64 *c = bpf_map_lookup_elem(&nexthdr_count, &nxt);
    if (c)
        *c += 1;
    __builtin_memcpy(last_saddr, &ip6->saddr, 16);
    if (ip6->hop_limit <= 1)
        return XDP_DROP;
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
