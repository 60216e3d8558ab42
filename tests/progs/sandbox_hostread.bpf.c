// SPDX-License-Identifier: MIT
/* Checked-mode sandbox, host memory through tracing helpers
 * (tests/unit/test_sandbox_hostread.c). What bpf_probe_read_*,
 * bpf_copy_from_user and the printf helpers' %s/%pI4 may read is the
 * runtime's host-read policy.
 *  - leak (tc): bpf_probe_read_kernel of the 24 words above r10 (the
 *    engine's own native frame); returns how many reads succeeded.
 *  - read_arg (raw_tp): reads 8 bytes and a string from the host pointer
 *    in args[0] (bpf_probe_read_kernel, _str, bpf_copy_from_user is not
 *    offered here) and prints it with %s; returns the number read, the
 *    string length into got_str.
 *  - print_ptr (raw_tp): bpf_trace_printk("%s %pI4") of args[0], args[1].
 *  - own_memory (tc): reads and prints its own stack, which is always fine;
 *    returns 1 when the copy arrived.
 *  - leak_tp (raw_tp): leak as a tracing program (the CLI lets those read
 *    the process). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

static long (*probe_read_kernel_str)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)115;
static long (*trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)6;

__u64 got_word;
long got_rc, got_str_rc;
char got_str[32];

SEC("tc")
int leak(struct __sk_buff *skb)
{
    __u64 fp;
    asm volatile("%0 = r10" : "=r"(fp));
    __u64 found = 0;
    for (int i = 0; i < 24; i++) {
        __u64 w = 0;
        if (bpf_probe_read_kernel(&w, 8, (void *)(fp + 8 * i)) == 0 && w)
            found++;
    }
    return found;
}

SEC("raw_tp/sandbox")
int read_arg(__u64 *ctx)
{
    const void *p = (const void *)ctx[0];
    got_rc = bpf_probe_read_kernel(&got_word, 8, p);
    got_str_rc = probe_read_kernel_str(got_str, sizeof(got_str), p);
    return 0;
}

SEC("raw_tp/sandbox")
int print_ptr(__u64 *ctx)
{
    const char fmt[] = "s=%s ip=%pI4";
    return trace_printk(fmt, sizeof(fmt), ctx[0], ctx[1]);
}

SEC("tc")
int own_memory(struct __sk_buff *skb)
{
    char name[8] = "abc";
    __u64 src = 0x1122334455667788ull, copy = 0;
    long rc = bpf_probe_read_kernel(&copy, sizeof(copy), &src);
    bpf_printk("own %s %lx", name, copy);
    return rc == 0 && copy == src;
}

SEC("raw_tp/sandbox")
int leak_tp(__u64 *ctx)
{
    __u64 fp;
    asm volatile("%0 = r10" : "=r"(fp));
    __u64 found = 0;
    for (int i = 0; i < 24; i++) {
        __u64 w = 0;
        if (bpf_probe_read_kernel(&w, 8, (void *)(fp + 8 * i)) == 0 && w)
            found++;
    }
    return found;
}

char LICENSE[] SEC("license") = "GPL";
