// SPDX-License-Identifier: MIT
/* XDP: drop IPv4 packets whose source is inside a blocked prefix (LPM trie);
 * the value is a per-prefix drop counter. */
#include "common.h"

struct ipv4_lpm_key {
    __u32 prefixlen;
    __u32 data;
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __type(key, struct ipv4_lpm_key);
    __type(value, __u64);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, 255);
} blocklist SEC(".maps");

SEC("xdp")
int xdp_blocklist(struct xdp_md *ctx)
{
    void *data_end = (void *)(long)ctx->data_end;
    struct hdr_cursor nh = {.pos = (void *)(long)ctx->data};
    struct ethhdr *eth;
    struct iphdr *ip;

    if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    if (parse_iphdr(&nh, data_end, &ip) < 0)
        return XDP_DROP;
    struct ipv4_lpm_key key = {.prefixlen = 32, .data = ip->saddr};
    __u64 *drops = bpf_map_lookup_elem(&blocklist, &key);
    if (drops) {
        __sync_fetch_and_add(drops, 1);
        return XDP_DROP;
    }
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
