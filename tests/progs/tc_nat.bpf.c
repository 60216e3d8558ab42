// SPDX-License-Identifier: MIT
/* tc destination NAT: UDP to a virtual IP is rewritten to the backend from
 * a hash map, with the IP and UDP checksums fixed up by
 * bpf_l3_csum_replace / bpf_l4_csum_replace, as load balancers do. */
#include "common.h"

#define IP_CSUM_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, check))
#define IP_DST_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, daddr))
#define UDP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + __builtin_offsetof(struct udphdr, check))
#define BPF_F_PSEUDO_HDR (1ULL << 4)

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);   /* virtual IP, network order */
    __type(value, __u32); /* backend IP, network order */
    __uint(max_entries, 16);
} vip_backends SEC(".maps");

__u32 rewritten;

SEC("tc")
int tc_dnat(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    if (ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
        return TC_ACT_OK;
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > data_end)
        return TC_ACT_SHOT;
    __u32 old = ip->daddr;
    __u32 *backend = bpf_map_lookup_elem(&vip_backends, &old);
    if (!backend)
        return TC_ACT_OK;
    __u32 new = *backend;
    if (udp->check)
        bpf_l4_csum_replace(skb, UDP_CSUM_OFF, old, new, BPF_F_PSEUDO_HDR | sizeof(new));
    bpf_l3_csum_replace(skb, IP_CSUM_OFF, old, new, sizeof(new));
    bpf_skb_store_bytes(skb, IP_DST_OFF, &new, sizeof(new), 0);
    rewritten++;
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
