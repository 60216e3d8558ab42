// SPDX-License-Identifier: MIT
/* XDP: per-CPU packet and byte counters indexed by IP protocol. */
#include "common.h"

struct datarec {
    __u64 rx_packets;
    __u64 rx_bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, struct datarec);
    __uint(max_entries, 256);
} proto_stats SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct hdr_cursor nh = {.pos = data};
    struct ethhdr *eth;
    struct iphdr *ip;
    __u32 key = 0; /* 0 collects non-IP frames */

    if (parse_ethhdr(&nh, data_end, &eth) == bpf_htons(ETH_P_IP)) {
        int p = parse_iphdr(&nh, data_end, &ip);
        if (p >= 0)
            key = p;
    }
    struct datarec *rec = bpf_map_lookup_elem(&proto_stats, &key);
    if (!rec)
        return XDP_ABORTED;
    rec->rx_packets++;
    rec->rx_bytes += data_end - data;
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
