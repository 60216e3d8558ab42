// SPDX-License-Identifier: MIT
/* Checked-mode sandbox, helper pointer arguments
 * (tests/unit/test_sandbox_args.c): each argument is checked for what the
 * helper does with it.
 *  - snprintf_rodata: bpf_snprintf's output is written, so it must be
 *    writable; here it is the frozen, read-only .rodata.
 *  - foreach_rdonly: bpf_for_each_map_elem hands out the values of a
 *    BPF_F_RDONLY_PROG map; the callback stores through one (mode 1), then
 *    the program stores through a looked-up value. Returns 1 when a store
 *    went through.
 *  - snprintf_overlap: the output buffer is the format string itself, in a
 *    writable map value with no NUL after the format's own.
 *  - null_mem: NULL with a non-zero size for ARG_PTR_TO_MEM_OR_NULL
 *    (which 0: bpf_csum_diff reads it, which 1: bpf_snprintf writes it). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile char banner[16] = "read-only!";
const volatile int mode = 0;
const volatile int which = 0;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __uint(map_flags, BPF_F_RDONLY_PROG);
    __type(key, __u32);
    __type(value, __u64);
} ro SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, char[16]);
} text SEC(".maps");

SEC("socket")
int snprintf_rodata(struct __sk_buff *skb)
{
    __u64 args[1] = { 0x1337 };
    bpf_snprintf((char *)banner, sizeof(banner), "owned %x", args, sizeof(args));
    return banner[0];
}

static long store_value(void *map, __u32 *key, __u64 *val, void *ctx)
{
    *val = 0x1111;
    return 0;
}

SEC("socket")
int foreach_rdonly(struct __sk_buff *skb)
{
    __u32 k = 0;
    if (mode)
        bpf_for_each_map_elem(&ro, store_value, 0, 0);
    __u64 *v = bpf_map_lookup_elem(&ro, &k);
    if (!v)
        return 0;
    *v = 0xdeadbeef;
    return 1;
}

SEC("socket")
int snprintf_overlap(struct __sk_buff *skb)
{
    __u32 k = 0;
    char *v = bpf_map_lookup_elem(&text, &k);
    if (!v)
        return 0;
    v[0] = '%';
    v[1] = 'd';
    v[2] = 0;
    for (int i = 3; i < 16; i++)
        v[i] = 'X';
    __u64 args[1] = { 1234567 };
    return bpf_snprintf(v, 16, v, args, sizeof(args));
}

SEC("tc")
int null_mem(struct __sk_buff *skb)
{
    if (which == 0)
        return bpf_csum_diff(0, 64, 0, 0, 0);
    __u64 args[1] = { 1 };
    return bpf_snprintf(0, 4096, "%d", args, sizeof(args));
}

char LICENSE[] SEC("license") = "GPL";
