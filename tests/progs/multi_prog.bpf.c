// SPDX-License-Identifier: MIT
/* Several programs in one section and in one object, sharing a global
 * subprogram and a map; one program lives in a custom "xdp/..." section. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 3);
} which SEC(".maps");

__noinline int note(__u32 slot)
{
    __u32 *v = bpf_map_lookup_elem(&which, &slot);
    if (!v)
        return -1;
    *v += 1;
    return *v;
}

SEC("xdp")
int prog_first(struct xdp_md *ctx)
{
    return note(0) > 0 ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int prog_second(struct xdp_md *ctx)
{
    return note(1) > 0 ? XDP_DROP : XDP_ABORTED;
}

SEC("xdp.frags")
int prog_frags(struct xdp_md *ctx)
{
    note(2);
    return XDP_TX;
}

char _license[] SEC("license") = "Dual MIT/GPL";
