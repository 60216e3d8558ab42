// SPDX-License-Identifier: MIT
/* Tail calls from inside bpf-to-bpf subprograms, as larger datapaths mix
 * them (Linux allows it on x86-64 since 5.10, with a per-frame stack limit
 * of 256 bytes): the tail call replaces only the calling subprogram's
 * frame, so the target's return value comes back to that subprogram's
 * caller, which carries on. A failed tail call (empty slot) simply returns
 * to the subprogram. State the target saw is kept in .bss. */
#include "common.h"

__u32 visits[4];
__u64 seen_len;

int policy_v4(struct __sk_buff *skb);
int policy_other(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int(struct __sk_buff *));
} policies SEC(".maps") = {
    .values = {[0] = (void *)&policy_v4, [1] = (void *)&policy_other},
};

SEC("tc")
int policy_v4(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&visits[0], 1);
    seen_len = skb->len;
    return 40 + (skb->len & 7);
}

SEC("tc")
int policy_other(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&visits[1], 1);
    return 50;
}

static __noinline int run_policy(struct __sk_buff *skb, __u32 slot)
{
    volatile __u32 guard = slot * 3; /* a frame of its own */
    bpf_tail_call(skb, &policies, slot);
    /* only reached when the slot is empty */
    __sync_fetch_and_add(&visits[2], 1);
    return (int)guard + 1;
}

SEC("tc")
int tc_subprog_tail(struct __sk_buff *skb)
{
    __u32 slot = skb->protocol == bpf_htons(ETH_P_IP) ? 0 : skb->protocol == bpf_htons(ETH_P_ARP) ? 1 : 3;
    int r = run_policy(skb, slot);
    __sync_fetch_and_add(&visits[3], 1);
    /* the caller continues after the tail call in its callee */
    return 1000 + r;
}

char _license[] SEC("license") = "GPL";
