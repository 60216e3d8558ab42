// SPDX-License-Identifier: MIT
/* The spellings of program sections real projects use (tc/ingress,
 * tcx/egress, classifier, action, socket/NAME, xdp.frags, xdp/devmap,
 * cgroup/skb), and constant data in the places clang puts it: lookup tables
 * in .rodata, 16- and 32-byte literal arrays (.rodata.cst16/.rodata.cst32
 * when clang merges them), string literals in .rodata.str1.1 and a
 * const volatile knob. */
#include "common.h"

static const __u8 dscp_to_prio[64] = {
    [0] = 0, [8] = 1, [10] = 2, [18] = 3, [26] = 4, [34] = 5, [46] = 6, [48] = 7, [56] = 7,
};
const volatile __u32 knob_offset = 5;
static const char tag_str[] = "sections-and-constants";

static __always_inline __u32 fnv_mix(const __u8 *p, int n, __u32 h)
{
    for (int i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static __always_inline __u32 table_digest(__u8 first)
{
    const __u8 key16[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
                            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    const __u32 key32[8] = {0xdeadbeef, 0xcafebabe, 0x8badf00d, 0xfeedface,
                            0x0badc0de, 0xabad1dea, 0xfee1dead, 0x1337c0de};
    __u32 h = 2166136261u;
    h = fnv_mix(key16, 16, h);
    h ^= key32[first & 7];
    h = fnv_mix((const __u8 *)tag_str, sizeof(tag_str) - 1, h);
    return h + knob_offset;
}

SEC("tc/ingress")
int tc_ingress_prio(struct __sk_buff *skb)
{
    __u8 tos = 0;
    if (skb->protocol == bpf_htons(ETH_P_IP))
        bpf_skb_load_bytes(skb, ETH_HLEN + 1, &tos, 1);
    skb->priority = dscp_to_prio[tos >> 2];
    return (int)(table_digest(tos) ^ skb->priority);
}

SEC("tcx/egress")
int tcx_egress(struct __sk_buff *skb)
{
    return skb->len > 64 ? 2 /* TCX_DROP */ : 0 /* TCX_NEXT? pass */;
}

SEC("classifier")
int cls_legacy(struct __sk_buff *skb)
{
    return (int)table_digest((__u8)skb->len);
}

SEC("action")
int act_legacy(struct __sk_buff *skb)
{
    skb->mark = dscp_to_prio[(skb->len >> 1) & 63];
    return TC_ACT_OK;
}

SEC("socket/named_filter")
int sock_named(struct __sk_buff *skb)
{
    return skb->len > 40 ? 40 : 0;
}

SEC("xdp.frags")
int xdp_with_frags(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    return len + knob_offset > 64 ? XDP_PASS : XDP_DROP;
}

SEC("xdp/devmap")
int xdp_devmap_prog(struct xdp_md *ctx)
{
    return ctx->egress_ifindex == 0 ? XDP_PASS : XDP_DROP;
}

SEC("cgroup/skb")
int cg_skb_legacy(struct __sk_buff *skb)
{
    return skb->len & 1;
}

char _license[] SEC("license") = "GPL";
