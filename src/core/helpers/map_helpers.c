/* Map helpers: thin calls into the map layer's program-side API, with the
 * run's CPU slot for per-CPU maps. The verifier (or, for unverified
 * programs, the checked interpreter) has already matched key/value
 * pointers to the map's key_size/value_size. */
#include "core/helpers/helpers_internal.h"

BPFRT_HELPER_DEF(map_lookup_elem)
{
    return (uint64_t)(uintptr_t)bpfrt_map_lookup_elem(bpfrt_u2p(r1), bpfrt_u2p(r2), run->cpu);
}

BPFRT_HELPER_DEF(map_update_elem)
{
    return (uint64_t)bpfrt_map_update_elem(bpfrt_u2p(r1), bpfrt_u2p(r2), bpfrt_u2p(r3), r4, run->cpu);
}

BPFRT_HELPER_DEF(map_delete_elem)
{
    return (uint64_t)bpfrt_map_delete_elem(bpfrt_u2p(r1), bpfrt_u2p(r2));
}

BPFRT_HELPER_DEF(map_push_elem)
{
    return (uint64_t)bpfrt_map_push_elem(bpfrt_u2p(r1), bpfrt_u2p(r2), r3);
}

BPFRT_HELPER_DEF(map_pop_elem)
{
    return (uint64_t)bpfrt_map_pop_elem(bpfrt_u2p(r1), bpfrt_u2p(r2));
}

BPFRT_HELPER_DEF(map_peek_elem)
{
    return (uint64_t)bpfrt_map_peek_elem(bpfrt_u2p(r1), bpfrt_u2p(r2));
}

/* cpu is a u32 in Linux; out of range gives NULL. */
BPFRT_HELPER_DEF(map_lookup_percpu_elem)
{
    uint32_t cpu = (uint32_t)r3;
    if (cpu >= run->rt->ncpus)
        return 0;
    return (uint64_t)(uintptr_t)bpfrt_map_lookup_percpu_elem(bpfrt_u2p(r1), bpfrt_u2p(r2), cpu);
}

/* Budget units one spin of bpf_spin_lock costs: a pause instruction takes
 * 50-200 ns, a budget unit is about a nanosecond. */
#define SPIN_UNITS 256

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* struct bpf_spin_lock inside a map value; RET_VOID helpers return 0. The
 * wait is bounded: a verified program holds a lock only over a few
 * instructions and no call (Linux's verifier sees to it), and in a checked
 * run every spin is charged to the budget, so a lock another run holds
 * too long ends this run instead of hanging it (the lock is then not
 * taken, and the engine stops the run). */
BPFRT_HELPER_DEF(spin_lock)
{
    struct bpf_spin_lock *lock = bpfrt_u2p(r1);
    while (__atomic_exchange_n(&lock->val, 1, __ATOMIC_ACQUIRE))
        do {
            if (!bpfrt_run_charge(run, SPIN_UNITS))
                return 0;
            cpu_relax();
        } while (__atomic_load_n(&lock->val, __ATOMIC_RELAXED));
    return 0;
}

BPFRT_HELPER_DEF(spin_unlock)
{
    bpfrt_spin_unlock(bpfrt_u2p(r1));
    return 0;
}
