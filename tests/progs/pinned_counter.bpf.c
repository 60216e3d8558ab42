// SPDX-License-Identifier: MIT
/* Two loaders sharing state through a pinned map (LIBBPF_PIN_BY_NAME): every
 * run adds its frame length to shared_bytes[0] and counts a run in slot 1;
 * local_runs (not pinned) is per object. BPFRT_PIN_MISMATCH builds the same
 * map with a different size, which a loader must refuse to reuse. */
#include "common.h"

#ifndef SHARED_ENTRIES
#define SHARED_ENTRIES 4
#endif

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, SHARED_ENTRIES);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_bytes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} local_runs SEC(".maps");

SEC("xdp")
int xdp_pinned_count(struct xdp_md *ctx)
{
    __u32 k = 0;
    __u64 *bytes = bpf_map_lookup_elem(&shared_bytes, &k);
    if (bytes)
        __sync_fetch_and_add(bytes, ctx->data_end - ctx->data);
    k = 1;
    __u64 *runs = bpf_map_lookup_elem(&shared_bytes, &k);
    if (runs)
        __sync_fetch_and_add(runs, 1);
    k = 0;
    __u64 *mine = bpf_map_lookup_elem(&local_runs, &k);
    if (mine)
        __sync_fetch_and_add(mine, 1);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
