// SPDX-License-Identifier: MIT
/* Ring buffer: one event per packet (reserve/submit), plus a copy with
 * bpf_ringbuf_output for packets longer than 100 bytes; small packets that
 * are ARP are reserved and then discarded. */
#include "common.h"

struct event {
    __u32 len;
    __u16 proto;
    __u8 first_bytes[6];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int xdp_events(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_PASS;
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return XDP_ABORTED;
    e->len = data_end - data;
    e->proto = bpf_ntohs(eth->h_proto);
    __builtin_memcpy(e->first_bytes, eth->h_dest, 6);
    if (e->proto == ETH_P_ARP) {
        bpf_ringbuf_discard(e, 0);
        return XDP_DROP;
    }
    bpf_ringbuf_submit(e, 0);
    if (data_end - data > 100) {
        struct event copy = {.len = 0xffff, .proto = 1};
        bpf_ringbuf_output(&events, &copy, sizeof(copy), 0);
    }
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
