// SPDX-License-Identifier: MIT
/* A raw tracepoint in the tracing-tool style: arguments read as pointers
 * with a BPF_CORE_READ-like chain of bpf_probe_read_kernel calls over
 * preserve_access_index structs, a field guarded by bpf_core_field_exists,
 * a user-space read that must fail on a kernel-ish address, time deltas
 * from bpf_ktime_get_ns / bpf_ktime_get_boot_ns and random sampling whose
 * outcome does not depend on the random value. */
#include "common.h"

#ifndef BPFRT_NO_DEBUG_INFO

#define bpf_core_field_exists(field) __builtin_preserve_field_info(field, 2)
#define bpf_core_field_size(field) __builtin_preserve_field_info(field, 1)
#define bpf_core_field_offset(field) __builtin_preserve_field_info(field, 0)

/* one level of a BPF_CORE_READ chain */
#define core_read_into(dst, src, field)                                                   \
    bpf_probe_read_kernel(dst, sizeof(*(dst)), __builtin_preserve_access_index(&(src)->field))

struct my_file;

struct my_inode {
    __u64 i_ino;
    __u32 i_mode;
    __u32 i_nlink;
} __attribute__((preserve_access_index));

struct my_file {
    __u32 f_flags;
    __u32 f_mode;
    struct my_inode *f_inode;
    __u64 f_pos;
} __attribute__((preserve_access_index));

struct my_file___old {
    __u32 f_flags;
    struct my_inode *f_inode;
} __attribute__((preserve_access_index));

__s64 rc_flags, rc_inode, rc_ino, rc_user, rc_str;
__u64 got_flags, got_ino, inode_ptr;
__u64 has_pos, old_has_pos, pos_off, pos_size;
__u64 time_ok, samples_taken, events;
char name_copy[16];

SEC("raw_tp/sys_enter")
int trace_file_op(struct bpf_raw_tracepoint_args *ctx)
{
    struct my_file *f = (struct my_file *)ctx->args[0];
    __u64 t0 = bpf_ktime_get_ns();
    __u64 b0 = bpf_ktime_get_boot_ns();

    __u32 flags = 0xffffffff;
    rc_flags = core_read_into(&flags, f, f_flags);
    got_flags = flags;
    struct my_inode *ino = (void *)1;
    rc_inode = core_read_into(&ino, f, f_inode);
    inode_ptr = (__u64)(long)ino;
    __u64 inum = 7;
    rc_ino = core_read_into(&inum, ino, i_ino);
    got_ino = inum;
    has_pos = bpf_core_field_exists(f->f_pos);
    old_has_pos = bpf_core_field_exists(((struct my_file___old *)f)->f_flags);
    pos_off = bpf_core_field_offset(f->f_pos);
    pos_size = bpf_core_field_size(f->f_pos);

    __u64 u = 0x55;
    rc_user = bpf_probe_read_user(&u, sizeof(u), (void *)ctx->args[1]);
    rc_str = bpf_probe_read_kernel_str(name_copy, sizeof(name_copy), (void *)ctx->args[2]);

    /* 1-in-1 sampling: always taken whatever the random value is */
    if (bpf_get_prandom_u32() % 1 == 0)
        samples_taken++;
    events++;
    __u64 t1 = bpf_ktime_get_ns();
    __u64 b1 = bpf_ktime_get_boot_ns();
    time_ok = (t1 >= t0) + (b1 >= b0) * 2 + (b0 >= t0) * 4;
    return (int)(rc_flags + rc_inode * 3 + rc_ino * 5 + rc_user * 7 + (u == 0) * 100 + (flags == 0) * 1000 +
                 (rc_str < 0) * 10000);
}

#endif

char _license[] SEC("license") = "GPL";
