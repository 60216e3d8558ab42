// SPDX-License-Identifier: MIT
/* Checked-mode sandbox, work a program can drive
 * (tests/unit/test_sandbox_work.c): every wait is bounded and every loop
 * charged to the run's budget.
 *  - lock_forge: stores 1 into the bpf_spin_lock word of a map value, then
 *    (lock_mode 0) takes the lock, or (lock_mode 1) exits leaving the word
 *    set for the host's next BPF_F_LOCK lookup.
 *  - lock_reenter: bpf_map_update_elem(BPF_F_LOCK) of the element whose
 *    lock the program holds.
 *  - format_loop: bpf_loop(loops) whose callback formats three numbers with
 *    a field width of 8388607 each.
 *  - ring_leak: reserves a record and (leak 1) never submits it, then
 *    outputs another record.
 *  - lock_take: takes and releases the lock of locked[0] around cnt++. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct val {
    int cnt;
    struct bpf_spin_lock lock;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct val);
} locked SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} rb SEC(".maps");

const volatile int lock_mode = 0;
const volatile __u32 loops = 16;
const volatile int leak = 0;

SEC("socket")
int lock_forge(struct __sk_buff *skb)
{
    __u32 k = 0;
    struct val *v = bpf_map_lookup_elem(&locked, &k);
    if (!v)
        return 0;
    *(volatile __u32 *)&v->lock = 1;
    if (lock_mode == 0)
        bpf_spin_lock(&v->lock);
    return 1;
}

SEC("socket")
int lock_reenter(struct __sk_buff *skb)
{
    __u32 k = 0;
    struct val *v = bpf_map_lookup_elem(&locked, &k);
    if (!v)
        return 0;
    struct val nv = { .cnt = 7 };
    bpf_spin_lock(&v->lock);
    bpf_map_update_elem(&locked, &k, &nv, BPF_F_LOCK);
    bpf_spin_unlock(&v->lock);
    return 1;
}

static long format_wide(__u32 i, void *ctx)
{
    char out[8];
    __u64 args[3] = { 1, 2, 3 };
    bpf_snprintf(out, sizeof(out), "%8388607d%8388607d%8388607d", args, sizeof(args));
    return 0;
}

SEC("socket")
int format_loop(struct __sk_buff *skb)
{
    return bpf_loop(loops, format_wide, 0, 0);
}

SEC("socket")
int ring_leak(struct __sk_buff *skb)
{
    __u64 *r = bpf_ringbuf_reserve(&rb, 8, 0);
    if (!r)
        return 0;
    *r = 0x1111;
    if (!leak)
        bpf_ringbuf_submit(r, 0);
    __u64 v = 0x2222;
    bpf_ringbuf_output(&rb, &v, sizeof(v), 0);
    return 1;
}

SEC("socket")
int lock_take(struct __sk_buff *skb)
{
    __u32 k = 0;
    struct val *v = bpf_map_lookup_elem(&locked, &k);
    if (!v)
        return 0;
    bpf_spin_lock(&v->lock);
    v->cnt++;
    bpf_spin_unlock(&v->lock);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
