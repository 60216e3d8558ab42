// SPDX-License-Identifier: MIT
/* Socket filter: keep only UDP datagrams to or from port 53 (whole packet),
 * drop everything else. The skb data starts at the network header. */
#include "common.h"

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
    __u8 vhl;
    if (bpf_skb_load_bytes(skb, 0, &vhl, 1) < 0)
        return 0;
    if ((vhl >> 4) != 4)
        return 0;
    __u8 proto;
    if (bpf_skb_load_bytes(skb, 9, &proto, 1) < 0 || proto != IPPROTO_UDP)
        return 0;
    __u32 ihl = (vhl & 0xf) * 4;
    __u16 ports[2];
    if (bpf_skb_load_bytes(skb, ihl, ports, sizeof(ports)) < 0)
        return 0;
    if (ports[0] == bpf_htons(53) || ports[1] == bpf_htons(53))
        return skb->len;
    return 0;
}

char _license[] SEC("license") = "GPL";
