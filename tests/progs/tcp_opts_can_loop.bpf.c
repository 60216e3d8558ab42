// SPDX-License-Identifier: MIT
/* TCP option parsing the modern way: the option walk is an open loop
 * guarded by can_loop (the may_goto instruction, clang 19 and -mcpu=v4;
 * older builds fall back to a bounded #pragma unroll'ed walk), reading the
 * options with bpf_skb_load_bytes. MSS, window scale, SACK-permitted and
 * timestamps are collected into a hash keyed by source port. */
#include "common.h"

#if defined(__BPF_CPU_VERSION__) && __BPF_CPU_VERSION__ >= 4 && __clang_major__ >= 19
#define HAVE_CAN_LOOP 1
#define can_loop                                                                  \
    ({                                                                            \
        __label__ l_break, l_continue;                                            \
        bool ok = true;                                                           \
        asm volatile goto("may_goto %l[l_break]" :::: l_break);                   \
        goto l_continue;                                                          \
    l_break:                                                                      \
        ok = false;                                                               \
    l_continue:;                                                                  \
        ok;                                                                       \
    })
#endif

struct tcp_opts {
    __u16 mss;
    __u8 wscale;
    __u8 sack_ok;
    __u32 tsval;
    __u32 tsecr;
    __u32 n_opts;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 512);
    __type(key, __u16);
    __type(value, struct tcp_opts);
} syn_opts SEC(".maps");

__u64 walks, malformed;

/* one option at `off`; returns the next offset, or 0 to stop */
static __always_inline __u32 one_option(struct __sk_buff *skb, __u32 off, __u32 end, struct tcp_opts *o)
{
    __u8 kind_len[2] = {0, 0};
    if (off >= end || bpf_skb_load_bytes(skb, off, kind_len, 1) < 0)
        return 0;
    if (kind_len[0] == 0) /* end of options */
        return 0;
    if (kind_len[0] == 1) /* NOP */
        return off + 1;
    if (off + 2 > end || bpf_skb_load_bytes(skb, off, kind_len, 2) < 0 || kind_len[1] < 2) {
        malformed++;
        return 0;
    }
    __u8 body[8] = {};
    __u32 blen = kind_len[1] - 2;
    if (blen > 8 || off + kind_len[1] > end) {
        malformed++;
        return 0;
    }
    if (blen && bpf_skb_load_bytes(skb, off + 2, body, blen & 0xf) < 0)
        return 0;
    o->n_opts++;
    switch (kind_len[0]) {
    case 2:
        o->mss = (__u16)(body[0] << 8 | body[1]);
        break;
    case 3:
        o->wscale = body[0];
        break;
    case 4:
        o->sack_ok = 1;
        break;
    case 8:
        o->tsval = (__u32)body[0] << 24 | (__u32)body[1] << 16 | (__u32)body[2] << 8 | body[3];
        o->tsecr = (__u32)body[4] << 24 | (__u32)body[5] << 16 | (__u32)body[6] << 8 | body[7];
        break;
    }
    return off + kind_len[1];
}

SEC("tc")
int tc_tcp_opts(struct __sk_buff *skb)
{
    __u8 vihl, proto;
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return TC_ACT_OK;
    if (bpf_skb_load_bytes(skb, ETH_HLEN, &vihl, 1) < 0 || bpf_skb_load_bytes(skb, ETH_HLEN + 9, &proto, 1) < 0)
        return TC_ACT_SHOT;
    if (proto != IPPROTO_TCP)
        return TC_ACT_OK;
    __u32 th = ETH_HLEN + (vihl & 0xf) * 4;
    __u8 hdr[14];
    if (bpf_skb_load_bytes(skb, th, hdr, sizeof(hdr)) < 0)
        return TC_ACT_SHOT;
    __u32 doff = (hdr[12] >> 4) * 4;
    if (doff < 20)
        return TC_ACT_SHOT;
    struct tcp_opts o = {};
    __u32 off = th + 20, end = th + doff;
    __sync_fetch_and_add(&walks, 1);
#ifdef HAVE_CAN_LOOP
    while (off && can_loop)
        off = one_option(skb, off, end, &o);
#else
    /* A bounded loop (Linux >= 5.3 verifies it without unrolling). */
    for (int i = 0; i < 20; i++) {
        if (!off)
            break;
        off = one_option(skb, off, end, &o);
    }
#endif
    __u16 sport = (__u16)(hdr[0] << 8 | hdr[1]);
    bpf_map_update_elem(&syn_opts, &sport, &o, BPF_ANY);
    return (int)(o.n_opts << 16 | o.mss);
}

char _license[] SEC("license") = "GPL";
