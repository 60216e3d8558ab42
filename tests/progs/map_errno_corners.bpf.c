// SPDX-License-Identifier: MIT
/* What map helpers return at the edges, as defensive programs check it:
 * array updates out of range and with BPF_NOEXIST, deletes on arrays,
 * odd key and value sizes in hashes, BPF_F_NO_PREALLOC hashes filling up,
 * BPF_F_LOCK updates of a spin-locked value, invalid flag combinations,
 * per-CPU lookups by CPU number, LRU with BPF_F_NO_COMMON_LRU, and a
 * hash-of-maps whose inner maps the program updates. Every code is
 * recorded; the verdict is a digest of them. */
#include "common.h"


struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u8[3]);
} odd_array SEC(".maps");

struct key3 {
    __u8 b[3];
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct key3);
    __type(value, __u8);
} odd_hash SEC(".maps");

struct locked_val {
    __u64 a;
    struct bpf_spin_lock lock;
    __u32 b;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, struct locked_val);
} locked SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} pcpu SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 64);
    __uint(map_flags, BPF_F_NO_COMMON_LRU);
    __type(key, __u32);
    __type(value, __u32);
} lru_local SEC(".maps");

struct inner_arr {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
};

struct inner_arr inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner_arr);
} by_proto SEC(".maps") = {
    .values = {[0] = &inner_a, [1] = &inner_b},
};

__s64 rc[24];

SEC("tc")
int tc_map_corners(struct __sk_buff *skb)
{
    __u32 k;
    __u8 v3[3] = {1, 2, 3};
    int i = 0;

    k = 3;
    rc[i++] = bpf_map_update_elem(&odd_array, &k, v3, BPF_ANY);
    k = 4;
    rc[i++] = bpf_map_update_elem(&odd_array, &k, v3, BPF_ANY);     /* -E2BIG */
    k = 1;
    rc[i++] = bpf_map_update_elem(&odd_array, &k, v3, BPF_NOEXIST); /* -EEXIST */
    rc[i++] = bpf_map_update_elem(&odd_array, &k, v3, 7);           /* -EINVAL */
    rc[i++] = bpf_map_delete_elem(&odd_array, &k);                  /* -EINVAL */

    struct key3 hk = {{(__u8)skb->len, 0, 0}};
    __u8 one = 1;
    rc[i++] = bpf_map_update_elem(&odd_hash, &hk, &one, BPF_NOEXIST);
    rc[i++] = bpf_map_update_elem(&odd_hash, &hk, &one, BPF_NOEXIST); /* -EEXIST */
    hk.b[2] = 9;
    rc[i++] = bpf_map_update_elem(&odd_hash, &hk, &one, BPF_EXIST);   /* -ENOENT */
    rc[i++] = bpf_map_delete_elem(&odd_hash, &hk);                    /* -ENOENT */
    hk.b[1] = (__u8)(skb->len >> 3);
    rc[i++] = bpf_map_update_elem(&odd_hash, &hk, &one, BPF_ANY);     /* fills up: -E2BIG */

    __u32 lk = skb->len & 3;
    struct locked_val lv = {.a = skb->len, .b = 7};
    rc[i++] = bpf_map_update_elem(&locked, &lk, &lv, BPF_F_LOCK);          /* new: fine */
    rc[i++] = bpf_map_update_elem(&locked, &lk, &lv, BPF_F_LOCK | BPF_EXIST);
    rc[i++] = bpf_map_update_elem(&odd_array, &k, v3, BPF_F_LOCK);         /* no lock: -EINVAL */
    struct locked_val *lp = bpf_map_lookup_elem(&locked, &lk);
    if (lp) {
        bpf_spin_lock(&lp->lock);
        lp->b += 1;
        bpf_spin_unlock(&lp->lock);
    }

    __u32 pk = 0;
    __u64 *p0 = bpf_map_lookup_percpu_elem(&pcpu, &pk, 0);
    rc[i++] = p0 != 0;
    rc[i++] = bpf_map_lookup_percpu_elem(&pcpu, &pk, 100000) != 0; /* no such CPU */
    pk = 2;
    rc[i++] = bpf_map_lookup_percpu_elem(&pcpu, &pk, 0) != 0;      /* no such key */

    /* 16 keys: Linux's per-CPU LRU lists (max_entries / CPUs each) never
     * evict, so the codes do not depend on its eviction order */
    __u32 lru_k = skb->len & 15;
    rc[i++] = bpf_map_update_elem(&lru_local, &lru_k, &lru_k, BPF_NOEXIST);
    rc[i++] = bpf_map_update_elem(&lru_local, &lru_k, &lru_k, BPF_NOEXIST); /* -EEXIST */

    __u32 outer_k = skb->protocol == bpf_htons(ETH_P_IP) ? 0 : skb->protocol == bpf_htons(ETH_P_ARP) ? 1 : 2;
    void *inner = bpf_map_lookup_elem(&by_proto, &outer_k);
    if (inner) {
        __u32 ik = skb->len & 1;
        __u64 *cnt = bpf_map_lookup_elem(inner, &ik);
        if (cnt)
            __sync_fetch_and_add(cnt, 1);
        ik = 2;
        rc[i++] = bpf_map_update_elem(inner, &ik, &lru_k, BPF_ANY); /* -E2BIG */
    } else {
        rc[i++] = -1000;
    }
    __s64 digest = 0;
    for (int j = 0; j < 24; j++)
        digest = digest * 3 + rc[j];
    return (int)digest;
}

char _license[] SEC("license") = "GPL";
