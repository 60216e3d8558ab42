// SPDX-License-Identifier: MIT
/* What a tracing tool learns about the current task: the bpf_get_current_*
 * helpers, its cgroup and ancestors, its pid in its own pid namespace, and
 * the task_struct bpf_get_current_task gives, read through a CO-RE chain
 * of bpf_probe_read_kernel calls (pid, tgid, comm, the parent's tgid and
 * comm, the group leader, credentials, cgroup id and level). Run as a
 * raw tracepoint in bpfrt and in the kernel by the same thread, every
 * value must agree (tests/unit/test_helpers_task.c). */
#include "common.h"

#ifndef BPFRT_NO_DEBUG_INFO

/* helpers the corpus's bpf_helpers.h does not declare */
static __u64 (*current_cgroup_id)(void) = (void *)80;
static __u64 (*current_ancestor_cgroup_id)(int level) = (void *)123;
static long (*ns_current_pid_tgid)(__u64 dev, __u64 ino, void *nsdata, __u32 size) = (void *)120;
static __u64 (*current_task)(void) = (void *)35;

typedef struct {
    __u32 val;
} my_kuid_t;

struct cred {
    my_kuid_t uid;
    my_kuid_t euid;
} __attribute__((preserve_access_index));

struct kernfs_node {
    __u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
    int level;
    struct kernfs_node *kn;
} __attribute__((preserve_access_index));

struct css_set {
    struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

struct task_struct {
    int pid;
    int tgid;
    char comm[16];
    struct task_struct *real_parent;
    struct task_struct *group_leader;
    const struct cred *cred;
    struct css_set *cgroups;
} __attribute__((preserve_access_index));

struct pidns_info {
    __u32 pid, tgid;
};

#define read_field(dst, src, field) \
    bpf_probe_read_kernel(&(dst), sizeof(dst), __builtin_preserve_access_index(&(src)->field))

const volatile __u64 pidns_dev, pidns_ino;

__u64 pid_tgid, uid_gid, cgroup_id, ancestor0, ancestor_deep, task_nonzero;
__s64 ns_rc, ns_wrong_rc, reads_failed;
__u32 ns_pid, ns_tgid;
int task_pid, task_tgid, parent_tgid, leader_pid, cgrp_level;
__u32 cred_uid, cred_euid;
__u64 kn_id;
char comm[16], task_comm[16], parent_comm[16];

SEC("raw_tp/sys_enter")
int task_info(void *ctx)
{
    pid_tgid = bpf_get_current_pid_tgid();
    uid_gid = bpf_get_current_uid_gid();
    bpf_get_current_comm(comm, sizeof(comm));
    cgroup_id = current_cgroup_id();
    ancestor0 = current_ancestor_cgroup_id(0);
    ancestor_deep = current_ancestor_cgroup_id(100);

    struct pidns_info ns = {};
    ns_rc = ns_current_pid_tgid(pidns_dev, pidns_ino, (void *)&ns, sizeof(ns));
    ns_pid = ns.pid;
    ns_tgid = ns.tgid;
    struct pidns_info other = {};
    ns_wrong_rc = ns_current_pid_tgid(pidns_dev, pidns_ino + 1, (void *)&other, sizeof(other));

    struct task_struct *t = (struct task_struct *)current_task();
    task_nonzero = t != 0;
    struct task_struct *parent = 0, *leader = 0;
    const struct cred *cred = 0;
    struct css_set *cs = 0;
    struct cgroup *cg = 0;
    struct kernfs_node *kn = 0;
    long bad = 0;
    bad |= read_field(task_pid, t, pid);
    bad |= read_field(task_tgid, t, tgid);
    bad |= bpf_probe_read_kernel_str(task_comm, sizeof(task_comm), __builtin_preserve_access_index(&t->comm)) < 0;
    bad |= read_field(parent, t, real_parent);
    bad |= read_field(parent_tgid, parent, tgid);
    bad |= bpf_probe_read_kernel_str(parent_comm, sizeof(parent_comm),
                                     __builtin_preserve_access_index(&parent->comm)) < 0;
    bad |= read_field(leader, t, group_leader);
    bad |= read_field(leader_pid, leader, pid);
    bad |= read_field(cred, t, cred);
    bad |= read_field(cred_uid, cred, uid.val);
    bad |= read_field(cred_euid, cred, euid.val);
    bad |= read_field(cs, t, cgroups);
    bad |= read_field(cg, cs, dfl_cgrp);
    bad |= read_field(cgrp_level, cg, level);
    bad |= read_field(kn, cg, kn);
    bad |= read_field(kn_id, kn, id);
    reads_failed = bad;
    return 0;
}

#endif /* BPFRT_NO_DEBUG_INFO */

char LICENSE[] SEC("license") = "GPL";
