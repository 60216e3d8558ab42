// SPDX-License-Identifier: MIT
/* XDP buffer surgery and forwarding decisions: metadata in front of the
 * packet (bpf_xdp_adjust_meta, read back through data_meta), an outer
 * header pushed with bpf_xdp_adjust_head, the tail grown and trimmed with
 * bpf_xdp_adjust_tail, bytes written with bpf_xdp_store_bytes, the frame
 * length from bpf_xdp_get_buff_len, and the forwarding verdicts of
 * bpf_redirect / bpf_redirect_map over a DEVMAP, a CPUMAP and an XSKMAP
 * with the fallback action in the flags (the target slots are empty). */
#include "common.h"

static long (*bpf_xdp_get_buff_len)(struct xdp_md *xdp_md) = (void *)188;
static long (*bpf_xdp_store_bytes)(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len) = (void *)190;

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u32);
} tx_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} cpus SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} xsks SEC(".maps");

struct meta {
    __u32 tag;
    __u16 orig_len;
    __u16 flags;
};

__s64 steps[12];

SEC("xdp")
int xdp_meta_tail(struct xdp_md *ctx)
{
    __u32 orig = ctx->data_end - ctx->data;
    steps[0] = bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct meta));
    void *data = (void *)(long)ctx->data;
    void *meta = (void *)(long)ctx->data_meta;
    void *data_end = (void *)(long)ctx->data_end;
    if (steps[0] == 0) {
        struct meta *m = meta;
        if ((void *)(m + 1) > data)
            return XDP_ABORTED;
        m->tag = 0xfeedf00d;
        m->orig_len = orig;
        m->flags = 1;
    }
    steps[1] = bpf_xdp_adjust_meta(ctx, 64); /* past data: -EINVAL */
    steps[2] = bpf_xdp_adjust_head(ctx, -14);   /* room for an outer MAC header */
    data = (void *)(long)ctx->data;
    data_end = (void *)(long)ctx->data_end;
    meta = (void *)(long)ctx->data_meta;
    steps[3] = (long)(data - meta); /* metadata moved along? */
    if (steps[2] == 0) {
        struct ethhdr *outer = data;
        if ((void *)(outer + 1) > data_end)
            return XDP_ABORTED;
        __builtin_memset(outer->h_dest, 0xaa, ETH_ALEN);
        __builtin_memset(outer->h_source, 0xbb, ETH_ALEN);
        outer->h_proto = bpf_htons(0x88b5);
    }
    steps[4] = bpf_xdp_adjust_tail(ctx, 16);
    steps[5] = bpf_xdp_get_buff_len(ctx);
    __u8 trailer[16] = {'T', 'R', 'A', 'I', 'L', 'E', 'R', 0, 1, 2, 3, 4, 5, 6, 7, 8};
    steps[6] = bpf_xdp_store_bytes(ctx, (__u32)steps[5] - 16, trailer, sizeof(trailer));
    steps[7] = bpf_xdp_adjust_tail(ctx, -8);
    steps[8] = bpf_xdp_adjust_tail(ctx, -4096); /* below ETH_HLEN: -EINVAL */
    steps[9] = bpf_xdp_adjust_tail(ctx, 8192);  /* past the frame: -EINVAL */
    steps[10] = bpf_xdp_store_bytes(ctx, 4000, trailer, 4);
    steps[11] = ctx->data_end - ctx->data;
    return XDP_PASS;
}

SEC("xdp")
int xdp_forward(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_DROP;
    __u8 sel = (data_end - data) & 7;
    __u32 q = ctx->rx_queue_index;
    switch (sel) {
    case 0:
        return bpf_redirect_map(&tx_ports, 1, XDP_PASS);   /* empty slot: the fallback */
    case 1:
        return bpf_redirect_map(&tx_ports, 100, XDP_DROP); /* out of range */
    case 2:
        return bpf_redirect_map(&cpus, 0, XDP_PASS);
    case 3:
        return bpf_redirect_map(&xsks, q, XDP_PASS);
    case 4:
        return bpf_redirect(1, 0); /* loopback */
    case 5:
        return bpf_redirect(1, 1); /* flags must be 0 */
    case 6:
        return bpf_redirect_map(&tx_ports, 2, 0x10 | XDP_PASS); /* unknown flag bits */
    default:
        return XDP_TX;
    }
}

char _license[] SEC("license") = "GPL";
