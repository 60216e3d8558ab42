/* Clocks, randomness and CPU identity, all from the platform (never
 * stubs): ktime = monotonic, boot = boot-time clock, jiffies at BPFRT_HZ. */
#include "core/helpers/helpers_internal.h"

BPFRT_HELPER_DEF(ktime_get_ns)
{
    const struct bpfrt_platform *p = run->rt->plat;
    return p->ktime_ns(p->ctx);
}

BPFRT_HELPER_DEF(ktime_get_boot_ns)
{
    const struct bpfrt_platform *p = run->rt->plat;
    return p->boot_ns ? p->boot_ns(p->ctx) : p->ktime_ns(p->ctx);
}

/* Linux reads the coarse (tick-granular) monotonic clock; the platform has
 * one monotonic clock, which is at least as fine. */
BPFRT_HELPER_DEF(ktime_get_coarse_ns)
{
    const struct bpfrt_platform *p = run->rt->plat;
    return p->ktime_ns(p->ctx);
}

BPFRT_HELPER_DEF(jiffies64)
{
    const struct bpfrt_platform *p = run->rt->plat;
    if (p->jiffies)
        return p->jiffies(p->ctx);
    return p->ktime_ns(p->ctx) / (1000000000u / BPFRT_HZ);
}

BPFRT_HELPER_DEF(get_prandom_u32)
{
    const struct bpfrt_platform *p = run->rt->plat;
    return p->random_u32(p->ctx);
}

/* The CPU slot the run claimed: per-CPU maps index by the same number. */
BPFRT_HELPER_DEF(get_smp_processor_id)
{
    return run->cpu;
}

/* One memory node. */
BPFRT_HELPER_DEF(get_numa_node_id)
{
    return 0;
}
