// SPDX-License-Identifier: MIT
/* Atomic operations on map values and globals: add (all CPUs versions),
 * and with -mcpu=v3 and later fetch-add, or, and, xor, xchg and cmpxchg. */
#include "common.h"

struct counters {
    __u64 add;
    __u64 fetched;
    __u64 or_bits;
    __u64 and_bits;
    __u64 xor_bits;
    __u64 xchg_old;
    __u64 cas_old;
    __u32 add32;
    __u32 pad;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct counters);
    __uint(max_entries, 1);
} ctrs SEC(".maps");

__u64 glob = 100;

SEC("xdp")
int xdp_atomics(struct xdp_md *ctx)
{
    __u32 zero = 0;
    struct counters *c = bpf_map_lookup_elem(&ctrs, &zero);
    if (!c)
        return XDP_ABORTED;
    __sync_fetch_and_add(&c->add, 5);
    __sync_fetch_and_add(&c->add32, 3);
    __sync_fetch_and_add(&glob, 1);
/* clang 14 does not define __BPF_CPU_VERSION__: the build passes BPFRT_MCPU */
#define v3 3
#define v4 4
#if (defined(__BPF_CPU_VERSION__) && __BPF_CPU_VERSION__ >= 3) || (defined(BPFRT_MCPU) && BPFRT_MCPU >= 3)
    c->fetched = __sync_fetch_and_add(&glob, 10);     /* old value */
    __sync_fetch_and_or(&c->or_bits, 0x10);
    __sync_fetch_and_and(&c->and_bits, 0xf0);
    __sync_fetch_and_xor(&c->xor_bits, 0xff);
    c->xchg_old = __sync_lock_test_and_set(&glob, 7);
    c->cas_old = __sync_val_compare_and_swap(&glob, 7, 42);
#endif
    return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
