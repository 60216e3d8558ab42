// SPDX-License-Identifier: MIT
/* XDP ICMP echo responder: turns an echo request into a reply in place
 * (swap MACs and IPs, type 8 -> 0, incremental checksum update) and sends it
 * back with XDP_TX; strips one VLAN tag first with bpf_xdp_adjust_head. */
#include "common.h"

static __always_inline __u16 csum_fold(__u32 csum)
{
    csum = (csum & 0xffff) + (csum >> 16);
    csum = (csum & 0xffff) + (csum >> 16);
    return (__u16)~csum;
}

/* RFC 1624: HC' = ~(~HC + ~m + m') */
static __always_inline __u16 csum_replace2(__u16 check, __u16 old, __u16 new)
{
    __u32 c = (__u16)~check;
    c += (__u16)~old;
    c += new;
    return csum_fold(c);
}

static __always_inline int pop_vlan(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return -1;
    if (eth->h_proto != bpf_htons(ETH_P_8021Q))
        return 0;
    struct vlan_hdr *v = (void *)(eth + 1);
    if ((void *)(v + 1) > data_end)
        return -1;
    struct ethhdr copy;
    __builtin_memcpy(&copy, eth, sizeof(copy));
    copy.h_proto = v->h_vlan_encapsulated_proto;
    if (bpf_xdp_adjust_head(ctx, (int)sizeof(*v)))
        return -1;
    data = (void *)(long)ctx->data;
    data_end = (void *)(long)ctx->data_end;
    eth = data;
    if ((void *)(eth + 1) > data_end)
        return -1;
    __builtin_memcpy(eth, &copy, sizeof(copy));
    return 1;
}

SEC("xdp")
int xdp_echo(struct xdp_md *ctx)
{
    if (pop_vlan(ctx) < 0)
        return XDP_ABORTED;
    void *data_end = (void *)(long)ctx->data_end;
    struct hdr_cursor nh = {.pos = (void *)(long)ctx->data};
    struct ethhdr *eth;
    struct iphdr *ip;
    if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    if (parse_iphdr(&nh, data_end, &ip) != IPPROTO_ICMP)
        return XDP_PASS;
    struct icmphdr *icmp = nh.pos;
    if ((void *)(icmp + 1) > data_end)
        return XDP_DROP;
    if (icmp->type != ICMP_ECHO)
        return XDP_PASS;

    __u8 mac[ETH_ALEN];
    __builtin_memcpy(mac, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
    __be32 a = ip->saddr;
    ip->saddr = ip->daddr;
    ip->daddr = a;
    __u16 old = *(__u16 *)icmp; /* type and code */
    icmp->type = ICMP_ECHOREPLY;
    icmp->checksum = csum_replace2(icmp->checksum, old, *(__u16 *)icmp);
    return XDP_TX;
}

char _license[] SEC("license") = "GPL";
