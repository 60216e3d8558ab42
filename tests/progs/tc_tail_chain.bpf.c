// SPDX-License-Identifier: MIT
/* A tc pipeline split into stages chained with bpf_tail_call through a
 * PROG_ARRAY filled in its BTF definition. State travels between stages in
 * skb->cb[] (which survives tail calls), a "retry" stage tail-calls itself
 * until the kernel's limit of 33 tail calls stops it, and a jump to an empty
 * slot falls through to the caller's next instruction. */
#include "common.h"

enum { STAGE_PARSE = 0, STAGE_POLICY = 1, STAGE_RETRY = 2, STAGE_EMPTY = 3, STAGE_ACCOUNT = 4 };

__u32 stage_hits[8];
__u32 retry_depth_max;
__u32 fallthrough;

int stage_parse(struct __sk_buff *skb);
int stage_policy(struct __sk_buff *skb);
int stage_retry(struct __sk_buff *skb);
int stage_account(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __array(values, int(struct __sk_buff *));
} stages SEC(".maps") = {
    .values = {
        [STAGE_PARSE] = (void *)&stage_parse,
        [STAGE_POLICY] = (void *)&stage_policy,
        [STAGE_RETRY] = (void *)&stage_retry,
        [STAGE_ACCOUNT] = (void *)&stage_account,
    },
};

SEC("tc")
int stage_account(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&stage_hits[STAGE_ACCOUNT], 1);
    skb->mark = skb->cb[0] << 24 | skb->cb[1] << 16 | (skb->cb[2] & 0xffff);
    return (int)(skb->cb[0] + skb->cb[1] * 10 + skb->cb[2] * 100);
}

SEC("tc")
int stage_retry(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&stage_hits[STAGE_RETRY], 1);
    skb->cb[2]++;
    if (skb->cb[2] > retry_depth_max)
        retry_depth_max = skb->cb[2];
    if (skb->cb[2] < skb->cb[3])
        bpf_tail_call(skb, &stages, STAGE_RETRY); /* the limit ends this */
    bpf_tail_call(skb, &stages, STAGE_ACCOUNT);
    return 1000 + (int)skb->cb[2]; /* only when the limit was hit */
}

SEC("tc")
int stage_policy(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&stage_hits[STAGE_POLICY], 1);
    skb->cb[1] = skb->protocol == bpf_htons(ETH_P_IP) ? 1 : 2;
    /* the retry budget comes from the packet's last byte */
    __u8 last = 0;
    if (skb->len > 0)
        bpf_skb_load_bytes(skb, skb->len - 1, &last, 1);
    skb->cb[3] = last % 48;
    bpf_tail_call(skb, &stages, STAGE_EMPTY);
    __sync_fetch_and_add(&fallthrough, 1);
    bpf_tail_call(skb, &stages, skb->cb[3] ? STAGE_RETRY : STAGE_ACCOUNT);
    return -2;
}

SEC("tc")
int stage_parse(struct __sk_buff *skb)
{
    for (int i = 0; i < 5; i++)
        skb->cb[i] = 0;
    __sync_fetch_and_add(&stage_hits[STAGE_PARSE], 1);
    skb->cb[0] = skb->len & 0xff;
    __u32 idx = skb->len < 40 ? 7 : STAGE_POLICY; /* 7 is out of the filled range */
    bpf_tail_call(skb, &stages, idx);
    return TC_ACT_SHOT;
}

SEC("tc")
int tc_entry(struct __sk_buff *skb)
{
    bpf_tail_call(skb, &stages, STAGE_PARSE);
    return TC_ACT_UNSPEC;
}

char _license[] SEC("license") = "GPL";
