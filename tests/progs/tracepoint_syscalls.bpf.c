// SPDX-License-Identifier: MIT
/* Tracepoint on sys_enter: count system calls by id and remember the
 * largest first argument seen for openat (id 257). */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 512);
} syscall_counts SEC(".maps");

__u64 max_openat_arg0;

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscalls(struct trace_event_raw_sys_enter *ctx)
{
    __u32 id = ctx->id;
    __u64 one = 1;
    __u64 *c = bpf_map_lookup_elem(&syscall_counts, &id);
    if (c)
        __sync_fetch_and_add(c, 1);
    else
        bpf_map_update_elem(&syscall_counts, &id, &one, BPF_NOEXIST);
    if (id == 257 && ctx->args[0] > max_openat_arg0)
        max_openat_arg0 = ctx->args[0];
    return 0;
}

char _license[] SEC("license") = "GPL";
