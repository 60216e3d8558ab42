// SPDX-License-Identifier: MIT
/* Stack ids as profilers take them (tests/unit/test_map_stack.c runs this
 * in bpfrt and in the kernel): bpf_get_stackid from one call site twice
 * gives one id, whose chain user space can read; bpf_get_stack fills whole
 * 8-byte entries; skipping past the chain and unknown flags fail the same
 * way in both. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, 127 * sizeof(__u64));
    __uint(max_entries, 64);
} stacks SEC(".maps");

static long (*get_stackid)(void *ctx, void *map, __u64 flags) = (void *)27;
static long (*get_stack)(void *ctx, void *buf, __u32 size, __u64 flags) = (void *)67;

__s64 ids[2], n_stack, skip_all, bad_flags, bad_size;
int rounds = 2; /* not a constant: the loop stays a loop, one call site */
__u64 buf[16];

SEC("raw_tp/sys_enter")
int stack_ids(void *ctx)
{
#pragma clang loop unroll(disable)
    for (int i = 0; i < rounds && i < 2; i++)
        ids[i & 1] = get_stackid(ctx, &stacks, 0);
    n_stack = get_stack(ctx, buf, sizeof(buf), 0);
    skip_all = get_stackid(ctx, &stacks, 255);
    bad_flags = get_stackid(ctx, &stacks, 1ULL << 20);
    bad_size = get_stack(ctx, buf, 12, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
