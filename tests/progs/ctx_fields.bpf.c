// SPDX-License-Identifier: MIT
/* Context introspection as debugging tools do it: every readable
 * __sk_buff / xdp_md field is copied into .bss for tc, socket filter,
 * cgroup_skb and XDP programs (bytes, halves and words where Linux allows
 * narrow loads), writable fields are written and read back, and cb[] is
 * used as scratch. */
#include "common.h"

struct skb_snapshot {
    __u32 len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto;
    __u32 priority, ingress_ifindex, ifindex, tc_index, cb[5], hash, tc_classid, napi_id;
    __u32 family, data_len, data_meta_len, wire_len, gso_segs, gso_size;
    __u64 tstamp;
    __u32 len_lo8, len_hi16, proto_b0, mark_after, prio_after, tcidx_after, cb_after;
    __u32 tstamp_type;
    __u64 hwtstamp;
};

struct skb_snapshot tc_snap, sock_snap, cg_snap;

struct xdp_snapshot {
    __u32 len, meta_len, ingress_ifindex, rx_queue_index;
};
struct xdp_snapshot xdp_snap;

static __always_inline void snap_common(struct __sk_buff *skb, struct skb_snapshot *s)
{
    s->len = skb->len;
    s->pkt_type = skb->pkt_type;
    s->mark = skb->mark;
    s->queue_mapping = skb->queue_mapping;
    s->protocol = skb->protocol;
    s->vlan_present = skb->vlan_present;
    s->vlan_tci = skb->vlan_tci;
    s->vlan_proto = skb->vlan_proto;
    s->priority = skb->priority;
    s->ingress_ifindex = skb->ingress_ifindex;
    s->ifindex = skb->ifindex;
    s->hash = skb->hash;
    for (int i = 0; i < 5; i++)
        s->cb[i] = skb->cb[i];
    s->len_lo8 = *(volatile __u8 *)&skb->len;
    s->len_hi16 = *(volatile __u16 *)((char *)&skb->len + 2);
    s->proto_b0 = *(volatile __u8 *)&skb->protocol;
}

SEC("tc")
int tc_snapshot(struct __sk_buff *skb)
{
    struct skb_snapshot *s = &tc_snap;
    snap_common(skb, s);
    s->data_len = skb->data_end - skb->data;
    s->tc_index = skb->tc_index;
    s->tc_classid = skb->tc_classid;
    s->napi_id = skb->napi_id;
    s->wire_len = skb->wire_len;
    s->gso_segs = skb->gso_segs;
    s->gso_size = skb->gso_size;
    s->tstamp = skb->tstamp;
    s->tstamp_type = skb->tstamp_type;
    s->hwtstamp = skb->hwtstamp;
    s->data_meta_len = skb->data - skb->data_meta;
    skb->mark = 0x1234 + skb->len;
    skb->priority = 7;
    skb->tc_index = 3;
    skb->cb[2] = 0xabcdef;
    s->mark_after = skb->mark;
    s->prio_after = skb->priority;
    s->tcidx_after = skb->tc_index;
    s->cb_after = skb->cb[2];
    return (int)(skb->len ^ skb->protocol);
}

SEC("socket")
int sock_snapshot(struct __sk_buff *skb)
{
    struct skb_snapshot *s = &sock_snap;
    snap_common(skb, s);
    skb->cb[2] = 0x5a5a;
    s->cb_after = skb->cb[2];
    return (int)skb->len;
}

SEC("cgroup_skb/egress")
int cg_snapshot(struct __sk_buff *skb)
{
    struct skb_snapshot *s = &cg_snap;
    snap_common(skb, s);
    s->data_len = skb->data_end - skb->data;
    s->family = skb->family;
    s->tstamp = skb->tstamp;
    s->napi_id = skb->napi_id;
    skb->mark = 0x77;
    s->mark_after = skb->mark;
    return 1;
}

SEC("xdp")
int xdp_snapshot(struct xdp_md *ctx)
{
    struct xdp_snapshot *s = &xdp_snap;
    s->len = ctx->data_end - ctx->data;
    s->meta_len = ctx->data - ctx->data_meta;
    s->ingress_ifindex = ctx->ingress_ifindex;
    s->rx_queue_index = ctx->rx_queue_index;
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
