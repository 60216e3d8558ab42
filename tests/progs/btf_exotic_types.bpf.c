// SPDX-License-Identifier: MIT
/* Type shapes that real map values and globals have and that BTF must
 * carry: bitfields, a 64-bit enum (ENUM64 from clang 19), nested anonymous
 * unions and structs, typedef chains, const/volatile qualifiers, a
 * flexible array member at the end of a global, an array of structs with
 * an enum member, and __int128. The program fills them from the packet. */
#include "common.h"

typedef __u32 flow_id_t;
typedef flow_id_t ext_flow_id_t;

enum big_flags : unsigned long long {
    BF_NONE = 0,
    BF_HIGH = 1ULL << 40,
    BF_TOP = 1ULL << 63,
};

enum verdict { V_UNKNOWN, V_ALLOW, V_DENY = 7 };

struct flow_state {
    ext_flow_id_t id;
    unsigned int proto : 8;
    unsigned int dir : 1;
    unsigned int seen_syn : 1;
    unsigned int : 6;
    unsigned int ttl : 8;
    union {
        __u32 v4;
        __u8 v6[16];
        struct {
            __u16 lo, hi;
        };
    } addr;
    enum big_flags flags;
    enum verdict verdict;
    volatile __u32 hits;
    __int128 wide;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, flow_id_t);
    __type(value, struct flow_state);
} flows SEC(".maps");

struct ring_hdr {
    __u32 count;
    __u32 cap;
    __u16 slots[];
};

struct ring_hdr recent = {.count = 0, .cap = 4};
struct {
    enum verdict v;
    const char *name;
} verdict_names[3] = {{V_UNKNOWN, 0}, {V_ALLOW, 0}, {V_DENY, 0}};
const volatile enum big_flags default_flags = BF_HIGH;

SEC("xdp")
int xdp_exotic(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    flow_id_t id = ip->saddr ^ ip->daddr;
    struct flow_state *fs = bpf_map_lookup_elem(&flows, &id);
    if (!fs) {
        struct flow_state init = {};
        init.id = id;
        init.proto = ip->protocol;
        init.dir = ip->saddr < ip->daddr;
        init.ttl = ip->ttl;
        init.addr.v4 = ip->saddr;
        init.flags = default_flags | (ip->protocol == IPPROTO_TCP ? BF_TOP : BF_NONE);
        init.verdict = ip->protocol == IPPROTO_ICMP ? V_DENY : V_ALLOW;
        init.wide = (__int128)id << 70 | ip->ttl;
        bpf_map_update_elem(&flows, &id, &init, BPF_NOEXIST);
        fs = bpf_map_lookup_elem(&flows, &id);
        if (!fs)
            return XDP_ABORTED;
    }
    fs->hits++;
    fs->seen_syn |= ip->protocol == IPPROTO_TCP;
    __u32 c = recent.count++;
    verdict_names[fs->verdict == V_DENY ? 2 : 1].v = fs->verdict;
    return fs->verdict == V_DENY ? XDP_DROP : (int)((fs->wide >> 70) & 1) + XDP_PASS + (c & 0);
}

char _license[] SEC("license") = "GPL";
