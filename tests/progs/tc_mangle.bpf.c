// SPDX-License-Identifier: MIT
/* tc packet surgery with the skb helpers, one program per job as a
 * datapath splits them: VLAN tags pushed and popped (the first tag lives
 * out of band, as a hardware-accelerated tag), room made and removed at
 * the network and MAC layers for an IPIP-style encapsulation, the tail
 * grown and trimmed, a header prepended, bytes rewritten with
 * bpf_skb_store_bytes and the checksums fixed with l3/l4_csum_replace
 * (pseudo-header and "mangled 0" flags) and bpf_csum_diff. Every helper's
 * return code goes into the verdict; the output packet is compared. */
#include "common.h"

static long (*bpf_skb_vlan_push)(struct __sk_buff *skb, __be16 vlan_proto, __u16 vlan_tci) = (void *)18;
static long (*bpf_skb_vlan_pop)(struct __sk_buff *skb) = (void *)19;
static long (*bpf_skb_change_proto)(struct __sk_buff *skb, __be16 proto, __u64 flags) = (void *)31;
static long (*bpf_skb_change_tail)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)38;
static long (*bpf_skb_pull_data)(struct __sk_buff *skb, __u32 len) = (void *)39;
static long (*bpf_skb_change_head)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)43;
static long (*bpf_skb_adjust_room)(struct __sk_buff *skb, __s32 len_diff, __u32 mode, __u64 flags) = (void *)50;

#define BPF_F_RECOMPUTE_CSUM (1ULL << 0)
#define BPF_F_PSEUDO_HDR (1ULL << 4)
#define BPF_F_MARK_MANGLED_0 (1ULL << 5)
#define BPF_F_HDR_FIELD_MASK 0xfULL
#define BPF_ADJ_ROOM_NET 0
#define BPF_ADJ_ROOM_MAC 1
#define BPF_F_ADJ_ROOM_FIXED_GSO (1ULL << 0)
#define BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 (1ULL << 1)
#define BPF_F_ADJ_ROOM_ENCAP_L4_UDP (1ULL << 4)
#define IP_CSUM_OFF (ETH_HLEN + 10)
#define IP_TTL_OFF (ETH_HLEN + 8)
#define IP_SRC_OFF (ETH_HLEN + 12)

__s64 codes[8];

static __always_inline int fold(long a, long b, long c, long d)
{
    /* error codes are small negatives: keep each in a byte */
    return (int)(((a & 0xff) << 24) | ((b & 0xff) << 16) | ((c & 0xff) << 8) | (d & 0xff));
}

SEC("tc")
int tc_vlan_tags(struct __sk_buff *skb)
{
    long a = bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 100 | (3 << 13));
    __u32 present = skb->vlan_present, tci = skb->vlan_tci, vproto = skb->vlan_proto;
    /* a second tag pushes the first into the packet data */
    long b = bpf_skb_vlan_push(skb, bpf_htons(0x88a8), 200);
    long c = bpf_skb_vlan_push(skb, bpf_htons(0x1234), 1); /* unknown proto */
    codes[0] = (__s64)present << 32 | tci;
    codes[1] = (__s64)vproto << 32 | skb->vlan_tci;
    codes[2] = skb->len;
    long d = bpf_skb_vlan_pop(skb);
    codes[3] = (__s64)skb->vlan_present << 32 | skb->len;
    if (skb->len & 1)
        d = d * 16 + bpf_skb_vlan_pop(skb);
    return fold(a, b, c, d);
}

SEC("tc")
int tc_ipip_room(struct __sk_buff *skb)
{
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return fold(-1, 0, 0, 0);
    /* make room for an outer IPv4 header after the MAC header */
    long a = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    long b = 0;
    if (a == 0) {
        struct iphdr *outer = data + ETH_HLEN;
        struct iphdr *inner = (void *)(outer + 1);
        if ((void *)(inner + 1) > data_end)
            return fold(a, -2, 0, 0);
        outer->version = 4;
        outer->ihl = 5;
        outer->tos = 0;
        outer->tot_len = bpf_htons(bpf_ntohs(inner->tot_len) + 20);
        outer->id = 0;
        outer->frag_off = 0;
        outer->ttl = 64;
        outer->protocol = 4; /* IPIP */
        outer->check = 0;
        outer->saddr = bpf_htonl(0xc0a80001);
        outer->daddr = bpf_htonl(0xc0a80002);
        __s64 cs = bpf_csum_diff(NULL, 0, (__be32 *)outer, sizeof(*outer), 0);
        codes[4] = cs;
        b = bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, cs, 0);
    }
    /* net-layer room: grow by 8, then shrink back, both with fixed GSO */
    long c = bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, BPF_F_ADJ_ROOM_FIXED_GSO);
    long d = bpf_skb_adjust_room(skb, -8, BPF_ADJ_ROOM_NET, BPF_F_ADJ_ROOM_FIXED_GSO);
    /* shrinking below the headers must fail */
    long e = bpf_skb_adjust_room(skb, -(__s32)skb->len, BPF_ADJ_ROOM_NET, 0);
    codes[5] = e;
    return fold(a, b, c, d);
}

SEC("tc")
int tc_tail_head(struct __sk_buff *skb)
{
    __u32 len = skb->len;
    long a = bpf_skb_change_tail(skb, len + 20, 0);
    long b = bpf_skb_change_tail(skb, len - 6, 0);
    long c = bpf_skb_change_tail(skb, 10, 0); /* below the MAC header */
    long d = bpf_skb_change_head(skb, 14, 0);
    if (d == 0) {
        /* a fresh outer Ethernet header, then the room is pulled in */
        bpf_skb_pull_data(skb, 28);
        void *data = (void *)(long)skb->data;
        void *data_end = (void *)(long)skb->data_end;
        struct ethhdr *eth = data;
        if ((void *)(eth + 1) <= data_end) {
            __builtin_memset(eth->h_dest, 0xee, ETH_ALEN);
            __builtin_memset(eth->h_source, 0x11, ETH_ALEN);
            eth->h_proto = bpf_htons(0x88b5); /* local experimental */
        }
    }
    codes[6] = (__s64)skb->len << 32 | (__u32)(skb->data_end - skb->data);
    return fold(a, b, c, d);
}

SEC("tc")
int tc_rewrite_csum(struct __sk_buff *skb)
{
    __u8 ttl;
    __be32 old_src, new_src = bpf_htonl(0x0a0a0a0a);
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return fold(-1, 0, 0, 0);
    if (bpf_skb_load_bytes(skb, IP_TTL_OFF, &ttl, 1) || bpf_skb_load_bytes(skb, IP_SRC_OFF, &old_src, 4))
        return fold(-2, 0, 0, 0);
    __u8 proto;
    bpf_skb_load_bytes(skb, ETH_HLEN + 9, &proto, 1);
    /* TTL - 1: the 16-bit word holding TTL and protocol changes */
    __u16 old_w = (__u16)ttl << 8 | proto;
    __u8 new_ttl = ttl - 1;
    __u16 new_w = (__u16)new_ttl << 8 | proto;
    long a = bpf_skb_store_bytes(skb, IP_TTL_OFF, &new_ttl, 1, BPF_F_RECOMPUTE_CSUM);
    long b = bpf_l3_csum_replace(skb, IP_CSUM_OFF, bpf_htons(old_w), bpf_htons(new_w), 2);
    /* source NAT: the L4 checksum covers the address via the pseudo header */
    __u32 l4_csum_off = ETH_HLEN + 20 + (proto == IPPROTO_TCP ? 16 : 6);
    long c = 0;
    if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
        c = bpf_l4_csum_replace(skb, l4_csum_off, old_src, new_src,
                                BPF_F_PSEUDO_HDR | sizeof(new_src) | (proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0));
    long d = bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_src, new_src, sizeof(new_src));
    bpf_skb_store_bytes(skb, IP_SRC_OFF, &new_src, 4, 0);
    /* bad inputs: a size of 3, an offset past the end */
    long e = bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, 1, 3);
    long f = bpf_skb_store_bytes(skb, skb->len, &new_src, 4, 0);
    codes[7] = e * 1000 + f;
    return fold(a, b, c, d) ^ (int)(e * 7 + f);
}

SEC("tc")
int tc_to_ipv6(struct __sk_buff *skb)
{
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return fold(bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0), 0, 0, 0);
    long a = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0);
    long b = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 1); /* flags must be 0 */
    __u32 len_after = skb->len;
    __u32 proto_after = skb->protocol;
    long c = bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0); /* and back */
    return fold(a, b, c, 0) ^ (int)(len_after << 8) ^ (int)proto_after;
}

char _license[] SEC("license") = "GPL";
