/* bpf_get_stackid, bpf_get_stack and bpf_get_task_stack
 * (kernel/bpf/stackmap.c). The call chain is the run's: the stacks the hook
 * put in run->kernel_stack / run->user_stack (the probed code's), else, for
 * the kernel stack, the host's own chain from the platform's stack_trace -
 * in a hosted process the runtime is the program's "kernel". As Linux, at most
 * kernel.perf_event_max_stack (127) entries are looked at, `skip` (the low
 * 8 bits of flags) of them are dropped from the top, and a chain with
 * nothing left is -EFAULT. bpfrt knows the stacks of the running task
 * only: bpf_get_task_stack on any other task sees an empty kernel chain and,
 * as Linux for another task's user stack, -EOPNOTSUPP. */
#include "core/helpers/kobj.h"
#include "core/helpers/helpers_internal.h"
#include "core/maps/map_family.h"

#define BUILD_ID_RECORD 32u /* struct bpf_stack_build_id */
#define BPF_STACK_BUILD_ID_IP 2

/* The first `max` entries of the run's chain: a pointer to them and their
 * count (buf holds a captured host chain). */
static uint32_t run_chain(struct bpfrt_run *run, bool user, uint64_t *buf, uint32_t max, const uint64_t **ips)
{
    const uint64_t *src = user ? run->user_stack : run->kernel_stack;
    uint32_t len = user ? run->user_stack_len : run->kernel_stack_len;
    if (src) {
        *ips = src;
        return len < max ? len : max;
    }
    *ips = buf;
    const struct bpfrt_platform *p = run->rt->plat;
    if (user || !p->stack_trace)
        return 0;
    return p->stack_trace(p->ctx, buf, max);
}

static uint32_t max_depth(uint32_t entries, uint32_t skip)
{
    uint32_t d = entries + skip;
    return d > BPFRT_PERF_MAX_STACK ? BPFRT_PERF_MAX_STACK : d;
}

/* bpf_get_stackid(ctx, map, flags): the id of the current chain in a
 * STACK_TRACE map (see stackmap.c for -EEXIST, -ENOMEM). */
BPFRT_HELPER_DEF(get_stackid)
{
    struct bpfrt_map *map = bpfrt_u2p(r2);
    uint64_t flags = r3;
    if (flags & ~(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!map || map->map_type != BPF_MAP_TYPE_STACK_TRACE)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    uint32_t elem = (map->map_flags & BPF_F_STACK_BUILD_ID) ? BUILD_ID_RECORD : 8;
    uint32_t skip = (uint32_t)(flags & BPF_F_SKIP_FIELD_MASK);
    uint64_t buf[BPFRT_PERF_MAX_STACK];
    const uint64_t *ips;
    uint32_t nr = run_chain(run, flags & BPF_F_USER_STACK, buf, max_depth(map->value_size / elem, skip), &ips);
    if (nr <= skip)
        return bpfrt_helper_err(-BPFRT_EFAULT);
    return (uint64_t)bpfrt_stackmap_get_id(map, ips + skip, nr - skip, flags);
}

/* The body of bpf_get_stack and bpf_get_task_stack (Linux's
 * __bpf_get_stack): the chain copied into out (addresses, or build-id
 * records with BPF_F_USER_BUILD_ID, which here carry the address with
 * status BPF_STACK_BUILD_ID_IP); returns the bytes written, the rest of out
 * zeroed; errors zero all of out. crosstask: another task's stack, which
 * bpfrt does not have. */
static uint64_t copy_stack(struct bpfrt_run *run, uint8_t *out, uint32_t size, uint64_t flags, bool crosstask)
{
    bool user = flags & BPF_F_USER_STACK, build_id = flags & BPF_F_USER_BUILD_ID;
    int err = -BPFRT_EINVAL;
    if (flags & ~(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID))
        goto clear;
    if (!user && build_id)
        goto clear;
    uint32_t elem = build_id ? BUILD_ID_RECORD : 8;
    if (size % elem)
        goto clear;
    if (crosstask && user) {
        err = -BPFRT_EOPNOTSUPP;
        goto clear;
    }
    uint32_t num = size / elem, skip = (uint32_t)(flags & BPF_F_SKIP_FIELD_MASK);
    uint64_t buf[BPFRT_PERF_MAX_STACK];
    const uint64_t *ips = buf;
    uint32_t nr = crosstask ? 0 : run_chain(run, user, buf, max_depth(num, skip), &ips);
    if (nr < skip) {
        err = -BPFRT_EFAULT;
        goto clear;
    }
    uint32_t n = nr - skip < num ? nr - skip : num;
    if (build_id) {
        bpfrt_memset(out, 0, (size_t)n * elem);
        for (uint32_t i = 0; i < n; i++) {
            int32_t status = BPF_STACK_BUILD_ID_IP;
            bpfrt_memcpy(out + i * elem, &status, 4);
            bpfrt_memcpy(out + i * elem + 24, &ips[skip + i], 8);
        }
    } else {
        bpfrt_memcpy(out, ips + skip, (size_t)n * 8);
    }
    bpfrt_memset(out + (size_t)n * elem, 0, size - (size_t)n * elem);
    return (uint64_t)n * elem;
clear:
    bpfrt_memset(out, 0, size);
    return bpfrt_helper_err(err);
}

/* bpf_get_stack(ctx, buf, size, flags): the run's chain. */
BPFRT_HELPER_DEF(get_stack)
{
    return copy_stack(run, bpfrt_u2p(r2), (uint32_t)r3, r4, false);
}

/* bpf_get_task_stack(task, buf, size, flags): the chain of task - the
 * run's when task is the current task's object (bpf_get_current_task_btf),
 * else another task's, which bpfrt does not know. */
BPFRT_HELPER_DEF(get_task_stack)
{
    size_t size;
    void *current = bpfrt_kobj_current(run, &size);
    void *task = bpfrt_u2p(r1);
    return copy_stack(run, bpfrt_u2p(r2), (uint32_t)r3, r4, !task || task != current);
}
