// SPDX-License-Identifier: MIT
/* Checked-mode sandbox, packets: a program that applies a sequence of
 * packet-moving helpers with arguments the test chooses at random
 * (tests/unit/test_sandbox_pkt.c). ops[0..7] each hold op | arg << 8; the
 * packet's invariants must hold after any sequence, whatever the helpers
 * answer. Returns the packet's length as the program last sees it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

static long (*skb_vlan_push)(struct __sk_buff *skb, __u16 proto, __u16 tci) = (void *)18;
static long (*skb_vlan_pop)(struct __sk_buff *skb) = (void *)19;
static long (*skb_change_proto)(struct __sk_buff *skb, __u16 proto, __u64 flags) = (void *)31;
static long (*skb_change_tail)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)38;
static long (*skb_pull_data)(struct __sk_buff *skb, __u32 len) = (void *)39;
static long (*skb_change_head)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)43;
static long (*skb_adjust_room)(struct __sk_buff *skb, __s32 len_diff, __u32 mode, __u64 flags) = (void *)50;

#define NR_OPS 8

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, NR_OPS);
    __type(key, __u32);
    __type(value, __u32);
} ops SEC(".maps");

static __always_inline __u32 op_at(__u32 i)
{
    __u32 *w = bpf_map_lookup_elem(&ops, &i);
    return w ? *w : 0;
}

/* Touches the first and last byte the program may see. */
static __always_inline void touch(__u8 *d, __u8 *e)
{
    if (d < e) {
        d[0] ^= 1;
        e[-1] ^= 1;
    }
}

SEC("tc")
int tc_ops(struct __sk_buff *skb)
{
    for (__u32 i = 0; i < NR_OPS; i++) {
        __u32 w = op_at(i), arg = w >> 8;
        switch (w & 0xf) {
        case 1: skb_vlan_pop(skb); break;
        case 2: skb_vlan_push(skb, 0x0081, arg & 0xfff); break;
        case 3: skb_adjust_room(skb, (__s32)(__s16)(arg & 0xffff), (arg >> 16) & 1, 0); break;
        case 4: skb_change_head(skb, arg & 0x1ff, 0); break;
        case 5: skb_change_tail(skb, arg & 0x1fff, 0); break;
        case 6: skb_change_proto(skb, (arg & 1) ? 0xdd86 : 0x0008, 0); break;
        case 7: skb_pull_data(skb, arg & 0x1fff); break;
        case 8: touch((__u8 *)(long)skb->data, (__u8 *)(long)skb->data_end); break;
        default: break;
        }
    }
    return skb->len;
}

/* lwt_xmit has change_head and change_tail of these */
SEC("lwt_xmit")
int lwt_ops(struct __sk_buff *skb)
{
    for (__u32 i = 0; i < NR_OPS; i++) {
        __u32 w = op_at(i), arg = w >> 8;
        switch (w & 0xf) {
        case 4: skb_change_head(skb, arg & 0x1ff, 0); break;
        case 5: skb_change_tail(skb, arg & 0x1fff, 0); break;
        case 8: touch((__u8 *)(long)skb->data, (__u8 *)(long)skb->data_end); break;
        default: break;
        }
    }
    return skb->len;
}

SEC("xdp")
int xdp_ops(struct xdp_md *xdp)
{
    for (__u32 i = 0; i < NR_OPS; i++) {
        __u32 w = op_at(i);
        __s32 delta = (__s32)(__s16)((w >> 8) & 0xffff);
        switch (w & 0xf) {
        case 1: bpf_xdp_adjust_head(xdp, delta); break;
        case 2: bpf_xdp_adjust_tail(xdp, delta); break;
        case 3: bpf_xdp_adjust_meta(xdp, delta & ~3); break;
        case 4: touch((__u8 *)(long)xdp->data, (__u8 *)(long)xdp->data_end); break;
        default: break;
        }
    }
    return xdp->data_end - xdp->data;
}

char LICENSE[] SEC("license") = "GPL";
