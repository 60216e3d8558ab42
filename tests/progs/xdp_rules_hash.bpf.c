// SPDX-License-Identifier: MIT
/* XDP: 5-tuple rules in a hash map decide the verdict; unmatched flows use
 * the rule for their protocol alone, then XDP_PASS. Hit counts per rule. */
#include "common.h"

struct flow_key {
    __u32 saddr;
    __u32 daddr;
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 pad[3];
};

struct rule {
    __u32 action;
    __u32 hits;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct flow_key);
    __type(value, struct rule);
    __uint(max_entries, 128);
} rules SEC(".maps");

SEC("xdp")
int xdp_rules(struct xdp_md *ctx)
{
    void *data_end = (void *)(long)ctx->data_end;
    struct hdr_cursor nh = {.pos = (void *)(long)ctx->data};
    struct ethhdr *eth;
    struct iphdr *ip;

    if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    int proto = parse_iphdr(&nh, data_end, &ip);
    if (proto < 0)
        return XDP_ABORTED;

    struct flow_key k = {.saddr = ip->saddr, .daddr = ip->daddr, .proto = (__u8)proto};
    if (proto == IPPROTO_UDP) {
        struct udphdr *udp;
        if (parse_udphdr(&nh, data_end, &udp) < 0)
            return XDP_DROP;
        k.sport = bpf_ntohs(udp->source);
        k.dport = bpf_ntohs(udp->dest);
    } else if (proto == IPPROTO_TCP) {
        struct tcphdr *tcp;
        if (parse_tcphdr(&nh, data_end, &tcp) < 0)
            return XDP_DROP;
        k.sport = bpf_ntohs(tcp->source);
        k.dport = bpf_ntohs(tcp->dest);
    }
    struct rule *r = bpf_map_lookup_elem(&rules, &k);
    if (!r) {
        struct flow_key any = {.proto = (__u8)proto};
        r = bpf_map_lookup_elem(&rules, &any);
    }
    if (!r)
        return XDP_PASS;
    __sync_fetch_and_add(&r->hits, 1);
    return r->action;
}

char _license[] SEC("license") = "GPL";
