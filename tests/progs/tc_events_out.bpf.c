// SPDX-License-Identifier: MIT
/* Event export from tc: a ring buffer record per packet (reserve, fill,
 * submit, or discard), bpf_ringbuf_output for a variable-size copy,
 * bpf_ringbuf_query for the backlog, and perf event samples with the skb
 * payload appended through the upper 32 bits of the flags (as packet
 * samplers do). The helpers' return codes are part of the verdict. */
#include "common.h"

#define BPF_F_INDEX_MASK 0xffffffffULL
#define BPF_F_CTXLEN_MASK (0xfffffULL << 32)
#define BPF_RB_AVAIL_DATA 0
#define BPF_RB_RING_SIZE 1
#define BPF_RB_CONS_POS 2
#define BPF_RB_PROD_POS 3

struct pkt_event {
    __u32 len;
    __u32 mark;
    __u16 proto;
    __u8 head[14];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} samples SEC(".maps");

__s64 rb_rcs[4];
__u64 ring_size, prod_pos, backlog;
__u64 dropped;

SEC("tc")
int tc_export(struct __sk_buff *skb)
{
    struct pkt_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        dropped++;
    } else {
        e->len = skb->len;
        e->mark = skb->mark;
        e->proto = bpf_ntohs(skb->protocol);
        if (bpf_skb_load_bytes(skb, 0, e->head, sizeof(e->head)) < 0) {
            bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
            rb_rcs[0]++;
        } else {
            bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
        }
    }
    __u8 copy[40] = {};
    __u32 n = skb->len < sizeof(copy) ? skb->len : sizeof(copy);
    if (n > 0 && bpf_skb_load_bytes(skb, 0, copy, n) == 0) {
        rb_rcs[1] = rb_rcs[1] * 7 + bpf_ringbuf_output(&events, copy, sizeof(copy), BPF_RB_NO_WAKEUP);
    }
    ring_size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
    prod_pos = bpf_ringbuf_query(&events, BPF_RB_PROD_POS);
    backlog = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
    rb_rcs[2] = bpf_ringbuf_query(&events, 99); /* unknown: 0 */

    /* perf samples: nobody listens in a test run, so Linux says -ENOENT */
    struct {
        __u32 len;
        __u32 hash;
    } s = {skb->len, skb->protocol};
    long p1 = bpf_perf_event_output(skb, &samples, BPF_F_CURRENT_CPU, &s, sizeof(s));
    long p2 = bpf_perf_event_output(skb, &samples, BPF_F_CURRENT_CPU | ((__u64)skb->len << 32), &s, sizeof(s));
    long p3 = bpf_perf_event_output(skb, &samples, BPF_F_CURRENT_CPU | ((__u64)(skb->len + 1) << 32), &s, sizeof(s));
    long p4 = bpf_perf_event_output(skb, &samples, 1ULL << 31, &s, sizeof(s)); /* index out of range */
    long p5 = bpf_perf_event_output(skb, &samples, 1ULL << 60, &s, sizeof(s)); /* unknown flag bits */
    rb_rcs[3] = p1 + p2 * 100 + p3 * 10000 + p4 * 1000000 + p5 * 100000000;
    return (int)(p1 + p2 * 3 + p3 * 5 + p4 * 7 + p5 * 11 + (backlog > 0) * 1000);
}

char _license[] SEC("license") = "GPL";
