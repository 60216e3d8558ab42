/* The task family (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c): the
 * task the platform says is running the program (the calling thread in a
 * hosted process, the current task in a kernel) - its ids, comm, the
 * task_struct bpfrt fabricates for it (kobj.c), its cgroup v2 ancestry and
 * pid namespace - and signals sent to it. */
#include "core/helpers/kobj.h"
#include "core/maps/map_family.h"

BPFRT_HELPER_DEF(get_current_pid_tgid)
{
    const struct bpfrt_platform *p = run->rt->plat;
    if (!p->current_pid_tgid)
        return bpfrt_helper_err(-BPFRT_EINVAL); /* Linux: no current task */
    return p->current_pid_tgid(p->ctx);
}

BPFRT_HELPER_DEF(get_current_uid_gid)
{
    const struct bpfrt_platform *p = run->rt->plat;
    if (!p->current_uid_gid)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    return p->current_uid_gid(p->ctx);
}

/* Copies the 16-byte comm into buf[size] like strscpy_pad: at most size-1
 * characters, NUL, then zero padding to size. */
BPFRT_HELPER_DEF(get_current_comm)
{
    const struct bpfrt_platform *p = run->rt->plat;
    char *buf = bpfrt_u2p(r1);
    uint32_t size = (uint32_t)r2;
    if (!size)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!p->current_comm) {
        bpfrt_memset(buf, 0, size);
        return bpfrt_helper_err(-BPFRT_EINVAL);
    }
    char comm[16];
    bpfrt_memset(comm, 0, sizeof(comm));
    p->current_comm(p->ctx, comm);
    size_t n = bpfrt_strnlen(comm, sizeof(comm));
    if (n > size - 1)
        n = size - 1;
    bpfrt_memcpy(buf, comm, n);
    bpfrt_memset(buf + n, 0, size - n);
    return 0;
}

/* bpf_get_current_task: the task_struct's address as an integer (programs
 * read it with bpf_probe_read_kernel, CO-RE relocated); never 0 unless
 * memory ran out. */
BPFRT_HELPER_DEF(get_current_task)
{
    size_t size;
    return (uint64_t)(uintptr_t)bpfrt_kobj_current(run, &size);
}

/* bpf_get_current_task_btf: the same object as a trusted pointer, which
 * programs may load from directly: in a checked run the fabricated objects
 * become read-only memory of the run. */
BPFRT_HELPER_DEF(get_current_task_btf)
{
    size_t size;
    void *task = bpfrt_kobj_current(run, &size);
    if (task)
        bpfrt_run_add_region(run, task, size, false);
    return (uint64_t)(uintptr_t)task;
}

#define MAX_CGROUP_LEVELS 64

/* The current task's cgroup v2 ancestry, root first; the count of levels
 * (0 when the platform cannot tell). */
static int cgroup_ancestry(struct bpfrt_run *run, uint64_t ids[MAX_CGROUP_LEVELS])
{
    const struct bpfrt_platform *p = run->rt->plat;
    int n = p->current_cgroup ? p->current_cgroup(p->ctx, ids, MAX_CGROUP_LEVELS) : 0;
    return n < 0 ? 0 : n > MAX_CGROUP_LEVELS ? MAX_CGROUP_LEVELS : n;
}

/* bpf_get_current_cgroup_id: the id of the task's cgroup (0: unknown). */
BPFRT_HELPER_DEF(get_current_cgroup_id)
{
    uint64_t ids[MAX_CGROUP_LEVELS];
    int n = cgroup_ancestry(run, ids);
    return n ? ids[n - 1] : 0;
}

/* bpf_get_current_ancestor_cgroup_id(level): the ancestor at that level
 * (0 is the root), or 0 past the task's own level. */
BPFRT_HELPER_DEF(get_current_ancestor_cgroup_id)
{
    int level = (int)r1;
    uint64_t ids[MAX_CGROUP_LEVELS];
    int n = cgroup_ancestry(run, ids);
    return level >= 0 && level < n ? ids[level] : 0;
}

/* bpf_current_task_under_cgroup(map, index): 1 when the cgroup at index of
 * a CGROUP_ARRAY is the task's cgroup or one of its ancestors, else 0;
 * -E2BIG (index out of range), -EAGAIN (empty slot). */
BPFRT_HELPER_DEF(current_task_under_cgroup)
{
    uint64_t want;
    int err = bpfrt_cgroup_array_get(bpfrt_u2p(r1), (uint32_t)r2, &want);
    if (err)
        return bpfrt_helper_err(err);
    uint64_t ids[MAX_CGROUP_LEVELS];
    int n = cgroup_ancestry(run, ids);
    for (int i = 0; i < n; i++)
        if (ids[i] == want)
            return 1;
    return 0;
}

/* bpf_skb_under_cgroup(skb, map, index) asks about the skb's socket; a
 * packet under test has none (Linux: -ENOENT before the map is read). */
BPFRT_HELPER_DEF(skb_under_cgroup)
{
    return bpfrt_helper_err(-BPFRT_ENOENT);
}

struct bpf_pidns_info {
    uint32_t pid, tgid;
};

/* bpf_get_ns_current_pid_tgid(dev, ino, nsdata, size): the task's pid and
 * tgid as seen in the pid namespace (dev, ino) names - which must be the
 * task's own (-EINVAL otherwise, as for a size other than 8 or a dev that
 * does not fit 32 bits); nsdata is zeroed on error. */
BPFRT_HELPER_DEF(get_ns_current_pid_tgid)
{
    uint64_t dev = r1, ino = r2;
    struct bpf_pidns_info *out = bpfrt_u2p(r3);
    uint32_t size = (uint32_t)r4;
    int err = -BPFRT_EINVAL;
    struct kobj_facts f;
    if (size != sizeof(*out) || dev > UINT32_MAX)
        goto clear;
    if (bpfrt_kobj_facts(run->rt, &f) != 0 || !f.task.pidns_ino) {
        err = -BPFRT_ENOENT;
        goto clear;
    }
    if (f.task.pidns_dev != dev || f.task.pidns_ino != ino)
        goto clear;
    out->pid = f.task.ns_pid;
    out->tgid = f.task.ns_tgid;
    return 0;
clear:
    bpfrt_memset(out, 0, size);
    return bpfrt_helper_err(err);
}

#define MAX_SIGNAL 64 /* _NSIG */

static uint64_t send_signal(struct bpfrt_run *run, uint32_t sig, bool thread)
{
    const struct bpfrt_platform *p = run->rt->plat;
    struct kobj_facts f;
    bpfrt_kobj_facts(run->rt, &f);
    if (f.task.tgid == 1 || !p->send_signal) /* never to init; no task to signal */
        return bpfrt_helper_err(-BPFRT_EPERM);
    if (sig > MAX_SIGNAL)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    return bpfrt_helper_err(p->send_signal(p->ctx, sig, thread));
}

/* bpf_send_signal(sig): to the current process; bpf_send_signal_thread:
 * to the current thread only. Delivered through the platform (a hosted
 * process signals itself). */
BPFRT_HELPER_DEF(send_signal)
{
    return send_signal(run, (uint32_t)r1, false);
}

BPFRT_HELPER_DEF(send_signal_thread)
{
    return send_signal(run, (uint32_t)r1, true);
}

/* bpf_get_func_ip(ctx): the address of the probed function. A kprobe's
 * context is the probed code's registers: its instruction pointer, as the
 * hook filled it (Linux reports the kprobe's address, which is where rip
 * points at function entry). Other program types' contexts carry no
 * address here: 0, Linux's answer when the probe is not at an entry. */
BPFRT_HELPER_DEF(get_func_ip)
{
    if (bpfrt_helper_prog_type(run) != BPF_PROG_TYPE_KPROBE || !run->ctx)
        return 0;
    const struct bpfrt_pt_regs *regs = run->ctx;
    return regs->rip;
}
