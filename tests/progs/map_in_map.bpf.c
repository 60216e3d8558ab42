// SPDX-License-Identifier: MIT
/* Map-in-map: an ARRAY_OF_MAPS whose slots are set in its definition
 * (`values`); the program picks the inner map by packet length parity. */
#include "common.h"

struct inner_array {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 2);
};

struct inner_array even_lens SEC(".maps");
struct inner_array odd_lens SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner_array);
} by_parity SEC(".maps") = {
    .values = {&even_lens, &odd_lens},
};

SEC("xdp")
int xdp_mim(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    __u32 parity = len & 1;
    void *inner = bpf_map_lookup_elem(&by_parity, &parity);
    if (!inner)
        return XDP_ABORTED;
    __u32 k0 = 0, k1 = 1;
    __u64 *cnt = bpf_map_lookup_elem(inner, &k0);
    __u64 *sum = bpf_map_lookup_elem(inner, &k1);
    if (!cnt || !sum)
        return XDP_ABORTED;
    *cnt += 1;
    *sum += len;
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
