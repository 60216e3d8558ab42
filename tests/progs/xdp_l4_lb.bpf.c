// SPDX-License-Identifier: MIT
/* XDP layer-4 load balancer (Katran-like, hand-rolled): packets to a VIP
 * (hash of VIP:port:proto) are steered to a backend picked by a hash of the
 * 5-tuple; the destination MAC/IP are rewritten, the IP checksum fixed with
 * bpf_csum_diff and the L4 checksum with hand-written one's-complement math,
 * and the frame is bounced with XDP_TX. Per-VIP stats live in an array of
 * structs in .bss, bumped with __sync_fetch_and_add. */
#include "common.h"

struct vip_key {
    __be32 addr;
    __be16 port;
    __u8 proto;
    __u8 pad;
};

struct vip_meta {
    __u32 vip_num;   /* index into the stats array */
    __u32 n_backends;
};

struct backend {
    __be32 addr;
    __u8 mac[ETH_ALEN];
    __u16 weight;
};

struct vip_stats {
    __u64 packets;
    __u64 bytes;
    __u32 last_backend;
    __u32 csum_fixups;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct vip_key);
    __type(value, struct vip_meta);
} vips SEC(".maps");

/* backends of VIP n are slots n*8 .. n*8+7 */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, struct backend);
} backends SEC(".maps");

struct vip_stats stats[8];
__u64 not_vip;
__u32 hash_seed = 0x9e3779b9;

static __always_inline __u32 rol32(__u32 w, unsigned s)
{
    return (w << s) | (w >> (32 - s));
}

/* a small mixing hash over the flow (Jenkins-style final mix) */
static __always_inline __u32 flow_hash(__u32 a, __u32 b, __u32 c)
{
    a += hash_seed;
    c ^= b; c -= rol32(b, 14);
    a ^= c; a -= rol32(c, 11);
    b ^= a; b -= rol32(a, 25);
    c ^= b; c -= rol32(b, 16);
    a ^= c; a -= rol32(c, 4);
    b ^= a; b -= rol32(a, 14);
    c ^= b; c -= rol32(b, 24);
    return c;
}

static __always_inline __u16 csum_fold(__u64 s)
{
    s = (s & 0xffffffff) + (s >> 32);
    s = (s & 0xffffffff) + (s >> 32);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (__u16)~s;
}

/* RFC 1624: HC' = ~(~HC + ~m + m') for a 32-bit field */
static __always_inline __u16 csum_replace4(__u16 check, __be32 from, __be32 to)
{
    __u64 s = (__u16)~check;
    s += (__u16)~(from & 0xffff);
    s += (__u16)~(from >> 16);
    s += to & 0xffff;
    s += to >> 16;
    return csum_fold(s);
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end)
        return XDP_DROP;
    if (ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)))
        return XDP_PASS; /* options or fragments: the slow path */

    struct vip_key vk = {.addr = ip->daddr, .proto = ip->protocol};
    __be16 *sport_p, *dport_p;
    __sum16 *l4check;
    void *l4 = (void *)(ip + 1);
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > data_end)
            return XDP_DROP;
        sport_p = &tcp->source;
        dport_p = &tcp->dest;
        l4check = &tcp->check;
    } else if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > data_end)
            return XDP_DROP;
        sport_p = &udp->source;
        dport_p = &udp->dest;
        l4check = &udp->check;
    } else {
        return XDP_PASS;
    }
    vk.port = *dport_p;
    struct vip_meta *vm = bpf_map_lookup_elem(&vips, &vk);
    if (!vm) {
        __sync_fetch_and_add(&not_vip, 1);
        return XDP_PASS;
    }
    __u32 n = vm->n_backends;
    __u32 vnum = vm->vip_num;
    if (n == 0 || n > 8 || vnum >= 8)
        return XDP_DROP;
    __u32 h = flow_hash(bpf_ntohl(ip->saddr), ((__u32)bpf_ntohs(*sport_p) << 16) | bpf_ntohs(*dport_p),
                        ip->protocol);
    __u32 slot = vnum * 8 + h % n;
    struct backend *be = bpf_map_lookup_elem(&backends, &slot);
    if (!be || !be->addr)
        return XDP_DROP;

    /* IP header: the whole-word diff from bpf_csum_diff, folded by hand */
    __be32 old_daddr = ip->daddr;
    __be32 new_daddr = be->addr;
    __s64 d = bpf_csum_diff(&old_daddr, 4, &new_daddr, 4, (__u16)~ip->check);
    if (d < 0)
        return XDP_ABORTED;
    ip->daddr = new_daddr;
    ip->check = csum_fold((__u64)d);
    /* UDP with no checksum stays without one */
    if (ip->protocol == IPPROTO_TCP || *l4check) {
        *l4check = csum_replace4(*l4check, old_daddr, new_daddr);
        __sync_fetch_and_add(&stats[vnum].csum_fixups, 1);
    }
    __builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);

    __sync_fetch_and_add(&stats[vnum].packets, 1);
    __sync_fetch_and_add(&stats[vnum].bytes, (__u64)(data_end - data));
    stats[vnum].last_backend = slot;
    return XDP_TX;
}

char _license[] SEC("license") = "GPL";
