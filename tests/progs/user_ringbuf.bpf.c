// SPDX-License-Identifier: MIT
/* Dynptrs and the user ring buffer (tests/unit/test_map_user_ringbuf.c):
 * drain_samples gives each sample user space submitted to a callback,
 * which reads it through its dynptr (bpf_dynptr_read, bpf_dynptr_data)
 * and stops after `stop_after`; dynptrs over the program's own memory
 * (bpf_dynptr_from_mem, write, out-of-bounds reads) and a ring buffer
 * record reserved as a dynptr and submitted. */
#include "common.h"

struct dynptr {
    __u64 a, b;
} __attribute__((aligned(8)));

struct {
    __uint(type, 31); /* BPF_MAP_TYPE_USER_RINGBUF */
    __uint(max_entries, 4096);
} urb SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} out SEC(".maps");

static long (*user_ringbuf_drain)(void *map, void *cb, void *ctx, __u64 flags) = (void *)209;
static long (*dynptr_from_mem)(void *data, __u32 size, __u64 flags, struct dynptr *ptr) = (void *)197;
static long (*ringbuf_reserve_dynptr)(void *map, __u32 size, __u64 flags, struct dynptr *ptr) = (void *)198;
static void (*ringbuf_submit_dynptr)(struct dynptr *ptr, __u64 flags) = (void *)199;
static long (*dynptr_read)(void *dst, __u32 len, const struct dynptr *src, __u32 offset, __u64 flags) = (void *)201;
static long (*dynptr_write)(const struct dynptr *dst, __u32 offset, void *src, __u32 len, __u64 flags) = (void *)202;
static void *(*dynptr_data)(const struct dynptr *ptr, __u32 offset, __u32 len) = (void *)203;

struct sample {
    __u32 tag, value;
};

__u32 stop_after = 100;
__u64 total, calls, data_ok, read_errors;
__s64 drained, bad_flags, from_mem_rc, write_rc, read_oob, read_ok, write_oob, reserve_rc, from_mem_flags;
__u32 mem_word;
char mem_buf[16]; /* Linux takes map values (not the stack) for bpf_dynptr_from_mem */

static long on_sample(struct dynptr *d, void *ctx)
{
    struct sample s = {};
    if (dynptr_read(&s, sizeof(s), d, 0, 0)) {
        read_errors++;
        return 0;
    }
    total += s.value;
    calls++;
    struct sample *p = dynptr_data(d, 0, sizeof(*p));
    if (p && p->value == s.value)
        data_ok++;
    return calls >= stop_after;
}

SEC("raw_tp/sys_enter")
int drain_samples(void *ctx)
{
    drained = user_ringbuf_drain(&urb, on_sample, NULL, 0);
    bad_flags = user_ringbuf_drain(&urb, on_sample, NULL, 4);
    return 0;
}

SEC("raw_tp/sys_enter")
int dynptr_mem(void *ctx)
{
    __u32 word = 0x11223344, back = 0;
    struct dynptr d;
    from_mem_rc = dynptr_from_mem(mem_buf, sizeof(mem_buf), 0, &d);
    write_rc = dynptr_write(&d, 4, &word, sizeof(word), 0);
    read_ok = dynptr_read(&back, sizeof(back), &d, 4, 0);
    mem_word = back;
    read_oob = dynptr_read(&back, sizeof(back), &d, 14, 0);
    write_oob = dynptr_write(&d, 16, &word, 1, 0);
    struct dynptr r;
    reserve_rc = ringbuf_reserve_dynptr(&out, sizeof(word), 0, &r);
    dynptr_write(&r, 0, &word, sizeof(word), 0);
    ringbuf_submit_dynptr(&r, 0);
    struct dynptr bad;
    from_mem_flags = dynptr_from_mem(mem_buf, sizeof(mem_buf), 1, &bad);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
