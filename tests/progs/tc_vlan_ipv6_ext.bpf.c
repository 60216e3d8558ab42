// SPDX-License-Identifier: MIT
/* tc classifier that reads the packet only through bpf_skb_load_bytes:
 * up to two VLAN tags (802.1Q / 802.1ad) and up to four IPv6 extension
 * headers (hop-by-hop, routing, destination options, fragment) walked with
 * #pragma unroll loops, then sets skb->mark, skb->priority and
 * skb->tc_classid from what it found and records the verdict per flow. */
#include "common.h"

#define offsetof(type, member) __builtin_offsetof(type, member)
#define ETH_P_8021AD 0x88A8
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60
#define NEXTHDR_NONE 59
#define MAX_VLAN_DEPTH 2
#define MAX_EXT_HDRS 4

struct class_result {
    __u32 mark;
    __u32 priority;
    __u32 classid;
    __u16 l4_off;
    __u8 l4_proto;
    __u8 n_ext;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, __u32); /* vlan id << 16 | l4 proto << 8 | n_ext */
    __type(value, struct class_result);
} seen SEC(".maps");

struct ext_hdr {
    __u8 nexthdr;
    __u8 hdrlen;
};

SEC("tc")
int tc_classify_l2l3(struct __sk_buff *skb)
{
    __be16 proto;
    __u32 off = offsetof(struct ethhdr, h_proto);
    __u16 vlan_id = 0;
    __u8 vlan_depth = 0;

    if (bpf_skb_load_bytes(skb, off, &proto, sizeof(proto)) < 0)
        return TC_ACT_SHOT;
    off += sizeof(proto);

#pragma unroll
    for (int i = 0; i < MAX_VLAN_DEPTH; i++) {
        if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
            break;
        struct vlan_hdr vh;
        if (bpf_skb_load_bytes(skb, off, &vh, sizeof(vh)) < 0)
            return TC_ACT_SHOT;
        vlan_id = bpf_ntohs(vh.h_vlan_TCI) & 0x0fff; /* innermost wins */
        proto = vh.h_vlan_encapsulated_proto;
        off += sizeof(vh);
        vlan_depth++;
    }

    __u8 nexthdr;
    __u8 n_ext = 0;
    __u32 prio = 0;
    if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr ip6;
        if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)) < 0)
            return TC_ACT_SHOT;
        prio = (ip6.priority << 4 | ip6.flow_lbl[0] >> 4) >> 2; /* DSCP */
        nexthdr = ip6.nexthdr;
        off += sizeof(ip6);
#pragma unroll
        for (int i = 0; i < MAX_EXT_HDRS; i++) {
            struct ext_hdr eh;
            if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_ROUTING && nexthdr != NEXTHDR_DEST &&
                nexthdr != NEXTHDR_FRAGMENT)
                break;
            if (bpf_skb_load_bytes(skb, off, &eh, sizeof(eh)) < 0)
                return TC_ACT_SHOT;
            if (nexthdr == NEXTHDR_FRAGMENT)
                off += 8;
            else
                off += (eh.hdrlen + 1) * 8;
            nexthdr = eh.nexthdr;
            n_ext++;
        }
    } else if (proto == bpf_htons(ETH_P_IP)) {
        __u8 vihl_tos[2];
        if (bpf_skb_load_bytes(skb, off, vihl_tos, 2) < 0)
            return TC_ACT_SHOT;
        if (bpf_skb_load_bytes(skb, off + offsetof(struct iphdr, protocol), &nexthdr, 1) < 0)
            return TC_ACT_SHOT;
        prio = vihl_tos[1] >> 2;
        off += (vihl_tos[0] & 0xf) * 4;
    } else {
        skb->mark = 0xdead0000 | bpf_ntohs(proto);
        return TC_ACT_UNSPEC;
    }

    __u16 ports[2] = {0, 0};
    if (nexthdr == IPPROTO_TCP || nexthdr == IPPROTO_UDP) {
        if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)) < 0)
            return TC_ACT_SHOT;
    }
    struct class_result r = {
        .mark = (__u32)vlan_id << 16 | bpf_ntohs(ports[1]),
        .priority = prio,
        .classid = (1u << 16) | (vlan_depth * 16 + n_ext + (nexthdr == IPPROTO_TCP ? 1 : 2)),
        .l4_off = (__u16)off,
        .l4_proto = nexthdr,
        .n_ext = n_ext,
    };
    skb->mark = r.mark;
    skb->priority = r.priority;
    skb->tc_classid = r.classid;
    __u32 key = (__u32)vlan_id << 16 | (__u32)nexthdr << 8 | n_ext;
    bpf_map_update_elem(&seen, &key, &r, BPF_ANY);
    if (nexthdr == NEXTHDR_NONE)
        return TC_ACT_SHOT;
    return (int)(skb->tc_classid & 0xff) == 1 ? TC_ACT_OK : TC_ACT_UNSPEC + (int)n_ext;
}

char _license[] SEC("license") = "GPL";
