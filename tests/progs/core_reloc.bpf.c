// SPDX-License-Identifier: MIT
/* CO-RE: field offsets/sizes/existence, type existence/size and enum values
 * relocated against a target BTF (the test supplies one with a different
 * layout); without a target they keep their compiled values. */
#include "common.h"

/* CO-RE needs BTF: the build without -g gets an empty object */
#ifndef BPFRT_NO_DEBUG_INFO

struct core_s {
    int a;
    long b;
    char c[3];
    unsigned int flags : 3;
} __attribute__((preserve_access_index));

struct core_gone {
    int x;
} __attribute__((preserve_access_index));

enum core_e { CORE_X = 1, CORE_Y = 2 };

__u64 off_a, off_b, size_c, exists_c, signed_a, rshift_flags, size_s, has_gone, enum_y, has_y;

SEC("raw_tracepoint/core")
int core_probe(void *ctx)
{
    off_a = __builtin_preserve_field_info(((struct core_s *)0)->a, 0);
    off_b = __builtin_preserve_field_info(((struct core_s *)0)->b, 0);
    size_c = __builtin_preserve_field_info(((struct core_s *)0)->c, 1);
    exists_c = __builtin_preserve_field_info(((struct core_s *)0)->c, 2);
    signed_a = __builtin_preserve_field_info(((struct core_s *)0)->a, 3);
    rshift_flags = __builtin_preserve_field_info(((struct core_s *)0)->flags, 5);
    size_s = __builtin_preserve_type_info(*(struct core_s *)0, 1);
    has_gone = __builtin_preserve_type_info(*(struct core_gone *)0, 0);
    enum_y = __builtin_preserve_enum_value(*(enum core_e *)CORE_Y, 1);
    has_y = __builtin_preserve_enum_value(*(enum core_e *)CORE_Y, 0);
    return 0;
}

/* A newer layout's field, guarded as libbpf's users guard it: against a
 * target without `added` the existence check relocates to 0 and the offset
 * read to libbpf's poisoned call, which the verifier finds dead. */
struct core_s___v2 {
    int a;
    long added;
} __attribute__((preserve_access_index));

SEC("raw_tracepoint/core_guarded")
int core_guarded(void *ctx)
{
    if (__builtin_preserve_field_info(((struct core_s___v2 *)0)->added, 2))
        return (int)__builtin_preserve_field_info(((struct core_s___v2 *)0)->added, 0) + 100;
    return 7;
}

/* A kernel type: with /sys/kernel/btf/vmlinux as the target these become
 * the running kernel's offsets. */
struct task_struct {
    int pid;
    int tgid;
} __attribute__((preserve_access_index));

__u64 pid_off, tgid_off;

SEC("raw_tracepoint/core_task")
int core_task(void *ctx)
{
    pid_off = __builtin_preserve_field_info(((struct task_struct *)0)->pid, 0);
    tgid_off = __builtin_preserve_field_info(((struct task_struct *)0)->tgid, 0);
    return 0;
}

#endif

char _license[] SEC("license") = "GPL";
