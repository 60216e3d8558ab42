// SPDX-License-Identifier: MIT
/* A tunnel endpoint's checksum bookkeeping and flow steering: the flow hash
 * from bpf_get_hash_recalc picks a path (it must be stable, symmetric and
 * survive until bpf_set_hash_invalid), bpf_set_hash overrides it, and after
 * making room for an outer header without resetting the checksum state
 * (BPF_F_ADJ_ROOM_NO_CSUM_RESET) bpf_csum_level marks one more verified
 * level; bpf_csum_update has no CHECKSUM_COMPLETE skb to update here. */
#include "common.h"

static __u32 (*bpf_get_hash_recalc)(struct __sk_buff *skb) = (void *)34;
static __s64 (*bpf_csum_update)(struct __sk_buff *skb, __wsum csum) = (void *)40;
static long (*bpf_set_hash_invalid)(struct __sk_buff *skb) = (void *)41;
static long (*bpf_set_hash)(struct __sk_buff *skb, __u32 hash) = (void *)48;
static long (*bpf_skb_adjust_room)(struct __sk_buff *skb, __s32 len_diff, __u32 mode, __u64 flags) = (void *)50;
static long (*bpf_csum_level)(struct __sk_buff *skb, __u64 level) = (void *)135;

#define BPF_ADJ_ROOM_MAC 1
#define BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 (1ULL << 1)
#define BPF_F_ADJ_ROOM_NO_CSUM_RESET (1ULL << 5)
enum { BPF_CSUM_LEVEL_QUERY, BPF_CSUM_LEVEL_INC, BPF_CSUM_LEVEL_DEC, BPF_CSUM_LEVEL_RESET };

__u32 path_hits[4];

/* the last hash, per CPU (its value is not comparable with Linux's) */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} last_hash SEC(".maps");
__s64 levels[8];
__u32 hash_props;

SEC("tc")
int tc_steer(struct __sk_buff *skb)
{
    __u32 h = bpf_get_hash_recalc(skb);
    __u32 props = 0;
    props |= (h != 0) << 0;
    props |= (skb->hash == h) << 1;                /* cached in the skb */
    props |= (bpf_get_hash_recalc(skb) == h) << 2; /* stable */
    bpf_set_hash(skb, 0xfeed);
    props |= (bpf_get_hash_recalc(skb) == 0xfeed) << 3;
    bpf_set_hash(skb, 0);
    props |= (bpf_get_hash_recalc(skb) == 0) << 4; /* a set 0 is still valid */
    bpf_set_hash_invalid(skb);
    props |= (skb->hash == 0) << 5;
    props |= (bpf_get_hash_recalc(skb) == h) << 6; /* recomputed alike */
    hash_props = props;
    __u32 zero = 0;
    __u64 *lh = bpf_map_lookup_elem(&last_hash, &zero);
    if (lh)
        *lh = h;
    /* a real steering program picks path h & 3; what is kept here must not
     * depend on the hash's value (Linux's has a random key): its protocol */
    __sync_fetch_and_add(&path_hits[skb->protocol == bpf_htons(ETH_P_IP) ? 0 : 1], 1);
    return (int)props;
}

SEC("tc")
int tc_encap_levels(struct __sk_buff *skb)
{
    levels[0] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY); /* -EACCES: CHECKSUM_NONE */
    levels[1] = bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);   /* -> UNNECESSARY, level 0 */
    levels[2] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
    bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
    bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
    bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
    bpf_csum_level(skb, BPF_CSUM_LEVEL_INC); /* capped at 3 */
    levels[3] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
    bpf_csum_level(skb, BPF_CSUM_LEVEL_DEC);
    levels[4] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
    levels[5] = bpf_csum_level(skb, 7); /* -EINVAL */
    long room = -1;
    if (skb->protocol == bpf_htons(ETH_P_IP)) {
        /* keeping the state over an encapsulation ... */
        room = bpf_skb_adjust_room(skb, 20, BPF_ADJ_ROOM_MAC,
                                   BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_NO_CSUM_RESET);
        levels[6] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
        /* ... or not */
        bpf_skb_adjust_room(skb, -20, BPF_ADJ_ROOM_MAC, 0);
    } else {
        levels[6] = -1000;
    }
    levels[7] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY) * 1000 + bpf_csum_update(skb, 0x1234);
    return (int)(levels[0] + levels[2] * 10 + levels[3] * 100 + levels[4] * 1000 + room * 10000);
}

char _license[] SEC("license") = "GPL";
