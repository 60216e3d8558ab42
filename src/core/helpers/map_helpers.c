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

/* struct bpf_spin_lock inside a map value; RET_VOID helpers return 0. */
BPFRT_HELPER_DEF(spin_lock)
{
    bpfrt_spin_lock(bpfrt_u2p(r1));
    return 0;
}

BPFRT_HELPER_DEF(spin_unlock)
{
    bpfrt_spin_unlock(bpfrt_u2p(r1));
    return 0;
}
