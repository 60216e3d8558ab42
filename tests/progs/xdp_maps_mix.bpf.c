// SPDX-License-Identifier: MIT
/* A flow-policy program that leans on many map types at once and keeps the
 * helpers' return codes: per-tenant hashes in an ARRAY_OF_MAPS (inner maps
 * created from the template, one pre-filled slot), a bloom filter of seen
 * sources, an LRU per-CPU hash of flow counters, a small queue that fills
 * up (-E2BIG), a stack drained to empty (-ENOENT), a tiny hash that runs
 * out of room (-E2BIG), BPF_NOEXIST/BPF_EXIST update flags, and a
 * bpf_spin_lock'ed value in a hash. Every return code is folded into the
 * verdict history in .bss. */
#include "common.h"

struct tenant_flows {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
};

struct tenant_flows tenant0 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct tenant_flows);
} tenants SEC(".maps") = {
    .values = {[0] = &tenant0},
};

struct {
    __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
    __uint(max_entries, 65536); /* roomy: false positives would differ */
    __type(value, __u32);
    __uint(map_extra, 3); /* hash functions */
} seen_src SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
    __uint(max_entries, 1024); /* never evicts: 16 keys */
    __type(key, __u32);
    __type(value, __u64);
} flow_pkts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 4);
    __type(value, __u32);
} recent_len SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_STACK);
    __uint(max_entries, 8);
    __type(value, __u16);
} ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u32);
} tiny SEC(".maps");

struct locked_counter {
    struct bpf_spin_lock lock;
    __u32 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, struct locked_counter);
} locked SEC(".maps");

__s64 rcs[16];
__u32 runs;
__u64 bloom_hits;
__u64 queue_full;
__u64 stack_sum;

static __always_inline void note(int i, long rc)
{
    rcs[i & 15] = rcs[i & 15] * 31 + rc;
}

SEC("xdp")
int xdp_maps_mix(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_DROP;
    __u32 len = (__u32)(data_end - data);
    __u32 src = 0, dst = 0;
    __u16 dport = 0;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > data_end)
            return XDP_DROP;
        src = ip->saddr;
        dst = ip->daddr;
        struct udphdr *uh = (void *)(ip + 1);
        if ((ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_TCP) && (void *)(uh + 1) <= data_end)
            dport = bpf_ntohs(uh->dest);
    }
    __sync_fetch_and_add(&runs, 1);

    /* tenant = low two bits of the destination's last byte */
    __u32 tenant = (bpf_ntohl(dst) & 3);
    void *inner = bpf_map_lookup_elem(&tenants, &tenant);
    if (inner) {
        __u64 one = 1;
        long rc = bpf_map_update_elem(inner, &src, &one, BPF_NOEXIST);
        note(0, rc);
        if (rc == -17) {
            __u64 *c = bpf_map_lookup_elem(inner, &src);
            if (c)
                __sync_fetch_and_add(c, 1);
        }
    } else {
        note(1, -2);
    }

    /* bloom filter: peek before push */
    long brc = bpf_map_peek_elem(&seen_src, &src);
    note(2, brc);
    if (brc == 0)
        bloom_hits++;
    note(3, bpf_map_push_elem(&seen_src, &src, 0));

    /* per-CPU LRU counter: the value is per CPU, compare only the return */
    __u64 init = 1;
    __u32 fkey = bpf_ntohl(src) & 15;
    long lrc = bpf_map_update_elem(&flow_pkts, &fkey, &init, BPF_NOEXIST);
    if (lrc) {
        __u64 *v = bpf_map_lookup_elem(&flow_pkts, &fkey);
        if (v)
            *v += 1;
    }
    note(4, lrc);

    /* queue of lengths: full after 4 pushes unless BPF_EXIST overwrites */
    long qrc = bpf_map_push_elem(&recent_len, &len, 0);
    note(5, qrc);
    if (qrc == -7) {
        queue_full++;
        note(6, bpf_map_push_elem(&recent_len, &len, BPF_EXIST));
    }
    __u32 oldest;
    if ((len & 3) == 0) {
        note(7, bpf_map_pop_elem(&recent_len, &oldest));
        note(7, oldest);
    }

    /* stack of ports: pushed, then popped to empty every third run */
    note(8, bpf_map_push_elem(&ports, &dport, 0));
    if (runs % 3 == 0) {
        for (int i = 0; i < 10; i++) {
            __u16 p;
            long prc = bpf_map_pop_elem(&ports, &p);
            note(9, prc);
            if (prc)
                break;
            stack_sum += p;
        }
    }

    /* a hash with three slots */
    __u32 tkey = len;
    long trc = bpf_map_update_elem(&tiny, &tkey, &len, BPF_NOEXIST);
    note(10, trc);
    note(11, bpf_map_update_elem(&tiny, &tkey, &len, BPF_EXIST));
    __u32 missing = 0xffffffff;
    note(11, bpf_map_update_elem(&tiny, &missing, &len, BPF_EXIST));
    note(12, bpf_map_delete_elem(&tiny, &missing));

    /* spin-locked counter keyed by tenant */
    struct locked_counter *lc = bpf_map_lookup_elem(&locked, &tenant);
    if (!lc) {
        struct locked_counter z = {};
        note(13, bpf_map_update_elem(&locked, &tenant, &z, BPF_NOEXIST));
        lc = bpf_map_lookup_elem(&locked, &tenant);
        if (!lc)
            return XDP_ABORTED;
    }
    bpf_spin_lock(&lc->lock);
    lc->packets++;
    lc->bytes += len;
    __u32 pk = lc->packets;
    bpf_spin_unlock(&lc->lock);
    note(14, pk);
    return (trc == 0 ? XDP_PASS : XDP_DROP) + ((qrc != 0) << 4) + (brc == 0 ? 0x100 : 0);
}

char _license[] SEC("license") = "GPL";
