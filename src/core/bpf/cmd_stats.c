/* BPF_ENABLE_STATS (Linux's bpf_enable_stats and bpf_enable_runtime_stats,
 * kernel/bpf/syscall.c): run statistics are counted while at least one
 * stats handle is open; closing the last one turns them off again. */
#include "core/bpf/cmd.h"

/* Linux refuses once the count passes INT_MAX / 2 (it never overflows). */
#define STATS_MAX_ENABLED 0x3fffffffu

long bpfrt_cmd_enable_stats(struct bpfrt_cmd *c)
{
    if (c->attr->enable_stats.type != BPF_STATS_RUN_TIME)
        return -BPFRT_EINVAL;
    struct bpfrt_runtime *rt = c->rt;
    /* The handle's reference is one count (bpfrt_obj_get with
     * BPFRT_OBJ_STATS); the check and the increment are one step. */
    uint32_t n = __atomic_load_n(&rt->stats_enabled, __ATOMIC_RELAXED);
    do {
        if (n > STATS_MAX_ENABLED)
            return -BPFRT_EBUSY;
    } while (!__atomic_compare_exchange_n(&rt->stats_enabled, &n, n + 1, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    int h = bpfrt_objtab_install(rt, BPFRT_OBJ_STATS, rt);
    if (h < 0)
        bpfrt_obj_put(BPFRT_OBJ_STATS, rt);
    return h;
}
