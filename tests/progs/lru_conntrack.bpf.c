// SPDX-License-Identifier: MIT
/* A tiny connection tracker in an LRU hash: the first packet of a UDP flow
 * creates an entry, later ones bump its counters. */
#include "common.h"

struct ct_key {
    __u32 saddr, daddr;
    __u16 sport, dport;
};

struct ct_val {
    __u64 packets;
    __u64 bytes;
    __u32 first_len;
    __u32 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __type(key, struct ct_key);
    __type(value, struct ct_val);
    __uint(max_entries, 64);
} conntrack SEC(".maps");

SEC("xdp")
int xdp_ct(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct hdr_cursor nh = {.pos = data};
    struct ethhdr *eth;
    struct iphdr *ip;
    struct udphdr *udp;

    if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    if (parse_iphdr(&nh, data_end, &ip) != IPPROTO_UDP)
        return XDP_PASS;
    if (parse_udphdr(&nh, data_end, &udp) < 0)
        return XDP_DROP;
    struct ct_key k = {ip->saddr, ip->daddr, udp->source, udp->dest};
    __u32 len = data_end - data;
    struct ct_val *v = bpf_map_lookup_elem(&conntrack, &k);
    if (v) {
        v->packets++;
        v->bytes += len;
        return XDP_PASS;
    }
    struct ct_val nv = {.packets = 1, .bytes = len, .first_len = len};
    bpf_map_update_elem(&conntrack, &k, &nv, BPF_NOEXIST);
    return XDP_TX;
}

char _license[] SEC("license") = "GPL";
