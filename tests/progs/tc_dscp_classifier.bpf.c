// SPDX-License-Identifier: MIT
/* tc classifier: classify IPv4 by DSCP into skb->priority / mark; drop
 * packets with the "lower effort" class when the policy says so. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 64); /* DSCP -> priority; 0 = drop */
} dscp_prio SEC(".maps");

SEC("tc")
int classify(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct hdr_cursor nh = {.pos = data};
    struct ethhdr *eth;
    struct iphdr *ip;

    if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    if (parse_iphdr(&nh, data_end, &ip) < 0)
        return TC_ACT_SHOT;
    __u32 dscp = ip->tos >> 2;
    __u32 *prio = bpf_map_lookup_elem(&dscp_prio, &dscp);
    if (!prio)
        return TC_ACT_OK;
    if (*prio == 0)
        return TC_ACT_SHOT;
    skb->priority = *prio;
    skb->mark = 0x100 | dscp;
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
