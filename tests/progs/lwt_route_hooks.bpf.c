// SPDX-License-Identifier: MIT
/* Lightweight-tunnel route hooks (ip route ... encap bpf in/out/xmit obj):
 * the packet starts at the IP header (no MAC header), lwt_in/lwt_out may
 * only read it, lwt_xmit may also rewrite it and push an outer header.
 * Counters per hook and per protocol live in .bss; the DSCP decides the
 * verdict (BPF_OK 0, BPF_DROP 2, BPF_REDIRECT 7). */
#include "common.h"

static long (*bpf_skb_change_head)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)43;
static __u32 (*bpf_get_hash_recalc)(struct __sk_buff *skb) = (void *)34;

#define BPF_OK 0
#define BPF_DROP 2

__u64 hook_hits[3];
__u64 proto_hits[256];
__s64 xmit_rc[3];

static __always_inline int classify(struct __sk_buff *skb, int hook)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct iphdr *ip = data;
    __sync_fetch_and_add(&hook_hits[hook], 1);
    if ((void *)(ip + 1) > data_end)
        return BPF_DROP;
    if (ip->version != 4)
        return BPF_OK;
    __sync_fetch_and_add(&proto_hits[ip->protocol], 1);
    return (ip->tos >> 2) == 8 ? BPF_DROP : BPF_OK; /* CS1: dropped */
}

SEC("lwt_in")
int lwt_in_prog(struct __sk_buff *skb)
{
    return classify(skb, 0);
}

SEC("lwt_out")
int lwt_out_prog(struct __sk_buff *skb)
{
    return classify(skb, 1);
}

SEC("lwt_xmit")
int lwt_xmit_prog(struct __sk_buff *skb)
{
    int v = classify(skb, 2);
    if (v != BPF_OK)
        return v;
    xmit_rc[0] = skb->len;
    xmit_rc[1] = bpf_get_hash_recalc(skb) != 0;
    /* push a (dummy) 4-byte shim in front, as a simple encapsulation */
    xmit_rc[2] = bpf_skb_change_head(skb, 4, 0);
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    if (data + 4 <= data_end) {
        __u8 *shim = data;
        shim[0] = 0xc0, shim[1] = 0xff, shim[2] = 0xee, shim[3] = (__u8)skb->len;
    }
    return BPF_OK;
}

char _license[] SEC("license") = "GPL";
