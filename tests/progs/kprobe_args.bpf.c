// SPDX-License-Identifier: MIT
/* kprobe and kretprobe: record the first three arguments of a probed call
 * (from pt_regs) and the return value, keyed by the first argument. */
#include "common.h"

struct call_args {
    __u64 a1, a2, a3;
    __u64 ret;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u64);
    __type(value, struct call_args);
    __uint(max_entries, 32);
} calls SEC(".maps");

__u64 last_ret;

SEC("kprobe/do_sys_openat2")
int trace_entry(struct pt_regs *ctx)
{
    struct call_args a = {
        .a1 = PT_REGS_PARM1(ctx), .a2 = PT_REGS_PARM2(ctx), .a3 = PT_REGS_PARM3(ctx),
    };
    __u64 key = a.a1;
    bpf_map_update_elem(&calls, &key, &a, BPF_ANY);
    return 0;
}

SEC("kretprobe/do_sys_openat2")
int trace_exit(struct pt_regs *ctx)
{
    last_ret = PT_REGS_RC(ctx);
    __u64 key = PT_REGS_PARM1(ctx);
    struct call_args *a = bpf_map_lookup_elem(&calls, &key);
    if (a)
        a->ret = last_ret;
    return 0;
}

char _license[] SEC("license") = "GPL";
