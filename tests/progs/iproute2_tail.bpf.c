// SPDX-License-Identifier: MIT
/* iproute2/Cilium style: struct bpf_elf_map definitions with ids and
 * pinning, a PROG_ARRAY with id 1, and programs in "1/0" and "1/1" sections
 * that go into its slots 0 and 1 (their type comes from the caller: tc). */
#include "common.h"

struct bpf_elf_map {
    __u32 type;
    __u32 size_key;
    __u32 size_value;
    __u32 max_elem;
    __u32 flags;
    __u32 id;
    __u32 pinning;
    __u32 inner_id;
    __u32 inner_idx;
};
#define PIN_GLOBAL_NS 2

struct bpf_elf_map SEC("maps") jmp_map = {
    .type = BPF_MAP_TYPE_PROG_ARRAY,
    .size_key = sizeof(__u32),
    .size_value = sizeof(__u32),
    .max_elem = 4,
    .id = 1,
    .pinning = PIN_GLOBAL_NS,
};

struct bpf_elf_map SEC("maps") stage_hits = {
    .type = BPF_MAP_TYPE_ARRAY,
    .size_key = sizeof(__u32),
    .size_value = sizeof(__u32),
    .max_elem = 4,
    .id = 2,
};

static __always_inline void hit(__u32 stage)
{
    __u32 *c = bpf_map_lookup_elem(&stage_hits, &stage);
    if (c)
        __sync_fetch_and_add(c, 1);
}

SEC("1/0")
int stage0(struct __sk_buff *skb)
{
    hit(1);
    bpf_tail_call(skb, &jmp_map, 1);
    return TC_ACT_SHOT;
}

SEC("1/1")
int stage1(struct __sk_buff *skb)
{
    hit(2);
    return skb->len > 64 ? TC_ACT_REDIRECT : TC_ACT_OK;
}

SEC("classifier")
int entry(struct __sk_buff *skb)
{
    hit(0);
    bpf_tail_call(skb, &jmp_map, 0);
    return TC_ACT_UNSPEC;
}

char __license[] SEC("license") = "GPL";
