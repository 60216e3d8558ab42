// SPDX-License-Identifier: MIT
/* Queue and stack maps: push the packet length to both, then pop from the
 * queue (oldest) and peek the stack (newest); results land in .bss. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __type(value, __u32);
    __uint(max_entries, 8);
} fifo SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_STACK);
    __type(value, __u32);
    __uint(max_entries, 8);
} lifo SEC(".maps");

__u32 popped, peeked;
__s32 pop_rc;

SEC("xdp")
int xdp_qs(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    bpf_map_push_elem(&fifo, &len, 0);
    bpf_map_push_elem(&lifo, &len, 0);
    __u32 v = 0;
    pop_rc = bpf_map_pop_elem(&fifo, &v);
    popped = v;
    v = 0;
    bpf_map_peek_elem(&lifo, &v);
    peeked = v;
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
