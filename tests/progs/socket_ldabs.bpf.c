// SPDX-License-Identifier: MIT
/* Socket filters in the classic samples/bpf style: LD_ABS/LD_IND packet
 * loads through the load_byte/load_half/load_word builtins (offsets from the
 * network header, the link layer reached with SKF_LL_OFF), and the same
 * policy written with bpf_skb_load_bytes. Both accept TCP/UDP to a port
 * range (truncating to a snap length) and count what they saw. */
#include "common.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

#define SKF_LL_OFF (-0x200000)
#define SNAPLEN 64

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
    __u64 *v = bpf_map_lookup_elem(&counters, &idx);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("socket")
int sock_ldabs(struct __sk_buff *skb)
{
    /* the Ethernet type from the link-layer header */
    __u32 ethertype = load_half(skb, SKF_LL_OFF + 12);
    if (ethertype != ETH_P_IP) {
        count(0);
        return 0;
    }
    __u32 vihl = load_byte(skb, 0);
    if ((vihl >> 4) != 4)
        return 0;
    __u32 proto = load_byte(skb, 9);
    __u32 frag = load_half(skb, 6);
    if (frag & 0x1fff) {
        count(1);
        return 0;
    }
    __u32 hlen = (vihl & 0xf) << 2;
    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
        count(2);
        return proto == IPPROTO_ICMP ? -1 : 0;
    }
    /* LD_IND: the ports at a variable offset */
    __u32 ports = load_word(skb, hlen);
    __u32 dport = ports & 0xffff;
    __u32 saddr = load_word(skb, 12);
    count(proto == IPPROTO_TCP ? 3 : 4);
    if ((saddr >> 24) == 127)
        return 0;
    if (dport >= 20 && dport < 1024)
        return SNAPLEN;
    return skb->len;
}

SEC("socket")
int sock_load_bytes(struct __sk_buff *skb)
{
    struct iphdr ip;
    if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0) {
        count(5);
        return 0;
    }
    if (ip.version != 4)
        return 0;
    if (ip.frag_off & bpf_htons(0x1fff))
        return 0;
    if (ip.protocol != IPPROTO_TCP && ip.protocol != IPPROTO_UDP)
        return ip.protocol == IPPROTO_ICMP ? -1 : 0;
    __be16 ports[2];
    if (bpf_skb_load_bytes(skb, ip.ihl * 4, ports, sizeof(ports)) < 0) {
        count(6);
        return 0;
    }
    __u16 dport = bpf_ntohs(ports[1]);
    if ((bpf_ntohl(ip.saddr) >> 24) == 127)
        return 0;
    if (dport >= 20 && dport < 1024)
        return SNAPLEN;
    return skb->len;
}

#define SKF_NET_OFF (-0x100000)
#define SKF_AD_OFF (-0x1000)

/* negative offsets: SKF_NET_OFF counts from the network header, SKF_LL_OFF
 * from the MAC header; classic BPF's ancillary-data offsets (SKF_AD_OFF)
 * mean nothing to eBPF: such a load ends the program with 0 */
SEC("socket")
int sock_negative_offsets(struct __sk_buff *skb)
{
    __u32 proto = load_byte(skb, SKF_NET_OFF + 9);
    __u32 dst_mac_lo = load_byte(skb, SKF_LL_OFF + 5);
    __u32 len_field = load_half(skb, SKF_NET_OFF + 2);
    count(7);
    if (proto == IPPROTO_ICMP)
        return (int)load_half(skb, SKF_AD_OFF + 0); /* never returns a value */
    /* past the end: also ends the program */
    if (proto == IPPROTO_TCP)
        return (int)load_word(skb, skb->len + 100);
    return (int)(proto << 24 | dst_mac_lo << 16 | len_field);
}

char _license[] SEC("license") = "GPL";
