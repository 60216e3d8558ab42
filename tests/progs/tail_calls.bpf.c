// SPDX-License-Identifier: MIT
/* Tail calls: a dispatcher jumps through a PROG_ARRAY whose slots are set in
 * the map definition (`values`), by IP protocol. */
#include "common.h"

__u32 handled_by;

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
    handled_by = IPPROTO_TCP;
    return XDP_DROP;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
    handled_by = IPPROTO_UDP;
    return XDP_TX;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 32);
    __type(key, __u32);
    __array(values, int(void *));
} jump_table SEC(".maps") = {
    .values = {
        [IPPROTO_TCP] = (void *)&handle_tcp,
        [IPPROTO_UDP] = (void *)&handle_udp,
    },
};

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
    void *data_end = (void *)(long)ctx->data_end;
    struct hdr_cursor nh = {.pos = (void *)(long)ctx->data};
    struct ethhdr *eth;
    struct iphdr *ip;

    handled_by = 0;
    if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    int proto = parse_iphdr(&nh, data_end, &ip);
    if (proto < 0)
        return XDP_ABORTED;
    bpf_tail_call(ctx, &jump_table, proto);
    handled_by = 255; /* no program in that slot */
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
