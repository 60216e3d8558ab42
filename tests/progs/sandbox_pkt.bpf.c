// SPDX-License-Identifier: MIT
/* Checked-mode sandbox, packets (tests/unit/test_sandbox_pkt.c): helpers
 * that move packet data or headroom must keep the packet inside its
 * buffer, and test-run must not write outside it when it copies out.
 *  - vlan_walk (tc): pops every stacked 802.1Q tag of a long frame (data
 *    walks towards the end of the buffer), then asks for 8 bytes of room
 *    after the IPv6 header the last tag named - a header the short packet
 *    no longer holds.
 *  - push_all_headroom (lwt_xmit): bpf_skb_change_head takes all the
 *    headroom the hook gave it; test-run then adds the MAC header. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

static long (*skb_vlan_pop)(struct __sk_buff *skb) = (void *)19;
static long (*skb_adjust_room)(struct __sk_buff *skb, __s32 len_diff, __u32 mode, __u64 flags) = (void *)50;
static long (*skb_change_head)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)43;

const volatile __u32 head_room = 78;

__u32 pops;      /* tags popped */
long room_rc;    /* bpf_skb_adjust_room's result */
long head_rc;    /* bpf_skb_change_head's result */

SEC("tc")
int vlan_walk(struct __sk_buff *skb)
{
    for (int i = 0; i < 1000; i++) {
        if (skb_vlan_pop(skb))
            break;
        pops++;
    }
    room_rc = skb_adjust_room(skb, 8, 0 /* BPF_ADJ_ROOM_NET */, 0);
    return skb->len;
}

SEC("lwt_xmit")
int push_all_headroom(struct __sk_buff *skb)
{
    head_rc = skb_change_head(skb, head_room, 0);
    return 0; /* BPF_OK */
}

char LICENSE[] SEC("license") = "GPL";
