// SPDX-License-Identifier: MIT
/* An XDP firewall, written the way libbpf users write them:
 *   - blocked_nets: LPM trie of IPv4 source prefixes -> drop
 *   - port_rules:   hash of {protocol, destination port} -> XDP action
 *   - stats:        per-CPU packet/byte counters per verdict
 *   - knobs in .rodata (set before load, like a skeleton's const volatile)
 * Build: clang -O2 -g -target bpf -I tests/progs/include -c xdp_firewall.bpf.c
 * Run:   bpfrt prog run xdp_firewall.o --data-file pkt.bin --dump-maps */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct lpm_v4_key {
    __u32 prefixlen;
    __u32 addr; /* network byte order */
};

struct port_rule_key {
    __u8 protocol;
    __u8 pad;
    __u16 dport; /* host byte order */
};

struct counters {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct lpm_v4_key);
    __type(value, __u32);
    __uint(max_entries, 1024);
} blocked_nets SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct port_rule_key);
    __type(value, __u32);
    __uint(max_entries, 256);
} port_rules SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, struct counters);
    __uint(max_entries, 5); /* one slot per XDP action */
} stats SEC(".maps");

/* Knobs: the loader may change them before load (bpfrt: --rodata / object API). */
const volatile __u32 default_action = XDP_PASS;
const volatile __u8 drop_fragments = 1;

static __always_inline __u32 count(__u32 action, __u64 bytes)
{
    struct counters *c = bpf_map_lookup_elem(&stats, &action);
    if (c) {
        c->packets += 1;
        c->bytes += bytes;
    }
    return action;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u64 len = data_end - data;
    struct ethhdr *eth = data;

    if ((void *)(eth + 1) > data_end)
        return count(XDP_DROP, len);
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return count(default_action, len);

    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end)
        return count(XDP_DROP, len);
    if (ip->ihl < 5)
        return count(XDP_DROP, len);

    struct lpm_v4_key lk = {.prefixlen = 32, .addr = ip->saddr};
    if (bpf_map_lookup_elem(&blocked_nets, &lk))
        return count(XDP_DROP, len);

    if (drop_fragments && (ip->frag_off & bpf_htons(0x3fff)))
        return count(XDP_DROP, len);

    void *l4 = (void *)ip + ip->ihl * 4;
    struct port_rule_key rk = {.protocol = ip->protocol};
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > data_end)
            return count(XDP_DROP, len);
        rk.dport = bpf_ntohs(tcp->dest);
    } else if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > data_end)
            return count(XDP_DROP, len);
        rk.dport = bpf_ntohs(udp->dest);
    } else {
        return count(default_action, len);
    }

    __u32 *verdict = bpf_map_lookup_elem(&port_rules, &rk);
    if (verdict && *verdict <= XDP_REDIRECT)
        return count(*verdict, len);
    return count(default_action, len);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
