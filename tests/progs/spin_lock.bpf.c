// SPDX-License-Identifier: MIT
/* bpf_spin_lock protecting a two-field update inside a hash map value. */
#include "common.h"

struct account {
    struct bpf_spin_lock lock;
    __u32 pad;
    __u64 balance;
    __u64 ops;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, struct account);
    __uint(max_entries, 8);
} accounts SEC(".maps");

SEC("tc")
int tc_account(struct __sk_buff *skb)
{
    __u32 id = skb->len & 7;
    struct account *a = bpf_map_lookup_elem(&accounts, &id);
    if (!a) {
        struct account fresh = {};
        bpf_map_update_elem(&accounts, &id, &fresh, BPF_NOEXIST);
        a = bpf_map_lookup_elem(&accounts, &id);
        if (!a)
            return TC_ACT_SHOT;
    }
    bpf_spin_lock(&a->lock);
    a->balance += skb->len;
    a->ops++;
    bpf_spin_unlock(&a->lock);
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
