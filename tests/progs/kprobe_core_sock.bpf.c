// SPDX-License-Identifier: MIT
/* A connection tracer in the libbpf-tools style: BPF_KPROBE/BPF_KRETPROBE
 * wrappers over pt_regs, the probed function's struct sock argument read
 * with BPF_CORE_READ-like chains (bpf_probe_read_kernel through
 * preserve_access_index types), an optional field guarded by
 * bpf_core_field_exists, the entry stashed per thread in a hash keyed by
 * pid_tgid and joined with the return value, events to a ring buffer. */
#include "common.h"

#ifndef BPFRT_NO_DEBUG_INFO

#define bpf_core_field_exists(field) __builtin_preserve_field_info(field, 2)
#define CORE_READ_INTO(dst, src, a) \
    bpf_probe_read_kernel(dst, sizeof(*(dst)), __builtin_preserve_access_index(&(src)->a))

/* BPF_KPROBE-style wrappers: `SEC(...) int BPF_KPROBE1(name, type, arg)`
 * declares the program first (so the section sticks to it), then a typed
 * inline body fed from pt_regs */
#define BPF_KPROBE1(name, t1, a1)                                      \
    name(struct pt_regs *ctx);                                         \
    static __always_inline int ____##name(struct pt_regs *ctx, t1 a1); \
    int name(struct pt_regs *ctx)                                      \
    {                                                                  \
        return ____##name(ctx, (t1)PT_REGS_PARM1(ctx));                \
    }                                                                  \
    static __always_inline int ____##name(struct pt_regs *ctx, t1 a1)
#define BPF_KRETPROBE1(name, t1, a1)                                   \
    name(struct pt_regs *ctx);                                         \
    static __always_inline int ____##name(struct pt_regs *ctx, t1 a1); \
    int name(struct pt_regs *ctx)                                      \
    {                                                                  \
        return ____##name(ctx, (t1)PT_REGS_RC(ctx));                   \
    }                                                                  \
    static __always_inline int ____##name(struct pt_regs *ctx, t1 a1)

struct sock_common {
    union {
        struct {
            __be32 skc_daddr;
            __be32 skc_rcv_saddr;
        };
    };
    union {
        struct {
            __be16 skc_dport;
            __u16 skc_num;
        };
    };
    unsigned short skc_family;
} __attribute__((preserve_access_index));

struct sock {
    struct sock_common __sk_common;
    __u32 sk_mark;
    __u64 sk_cookie_not_in_this_kernel;
} __attribute__((preserve_access_index));

struct conn_event {
    __u32 pid;
    __u32 saddr, daddr;
    __u16 sport, dport;
    __u32 mark;
    __s32 ret;
    __s32 read_rc;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u64);
    __type(value, struct sock *);
} inflight SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} conn_events SEC(".maps");

__u64 entries, returns, orphans;
struct conn_event last_event;
__u64 has_cookie_field;

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE1(trace_connect, struct sock *, sk)
{
    __u64 id = bpf_get_current_pid_tgid();
    bpf_map_update_elem(&inflight, &id, &sk, BPF_ANY);
    __sync_fetch_and_add(&entries, 1);
    return 0;
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE1(trace_connect_ret, long, ret)
{
    __u64 id = bpf_get_current_pid_tgid();
    struct sock **skp = bpf_map_lookup_elem(&inflight, &id);
    __sync_fetch_and_add(&returns, 1);
    if (!skp) {
        __sync_fetch_and_add(&orphans, 1);
        return 0;
    }
    struct sock *sk = *skp;
    bpf_map_delete_elem(&inflight, &id);
    struct conn_event e = {.pid = id >> 32, .ret = (__s32)ret};
    e.read_rc = CORE_READ_INTO(&e.saddr, sk, __sk_common.skc_rcv_saddr);
    CORE_READ_INTO(&e.daddr, sk, __sk_common.skc_daddr);
    CORE_READ_INTO(&e.sport, sk, __sk_common.skc_num);
    __be16 dport = 0;
    CORE_READ_INTO(&dport, sk, __sk_common.skc_dport);
    e.dport = bpf_ntohs(dport);
    CORE_READ_INTO(&e.mark, sk, sk_mark);
    has_cookie_field = bpf_core_field_exists(sk->sk_cookie_not_in_this_kernel);
    last_event = e;
    bpf_ringbuf_output(&conn_events, &e, sizeof(e), 0);
    return 0;
}

#endif

char _license[] SEC("license") = "GPL";
