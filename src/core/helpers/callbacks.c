/* Helpers that call back into the program: bpf_loop and
 * bpf_for_each_map_elem. The callback is a subprogram handle the engine
 * gave the program (ld_imm64 BPF_PSEUDO_FUNC); bpfrt_run_callback runs it
 * in a new frame. A callback that fails stops the whole run (the engine
 * records why); the helper then returns the error. */
#include "core/helpers/helpers_internal.h"

/* bpf_loop(nr_loops, callback, ctx, flags): callback(index, ctx) for index
 * 0..nr_loops-1 until it returns 1. Returns the number of iterations run
 * (a stopping iteration counts), -E2BIG above 1 << 23 loops, -EINVAL for
 * non-zero flags. */
BPFRT_HELPER_DEF(loop)
{
    uint32_t nr_loops = (uint32_t)r1; /* u32 in Linux */
    uint64_t func = r2, ctx = r3, flags = r4;
    if (flags)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (nr_loops > BPFRT_MAX_LOOPS)
        return bpfrt_helper_err(-BPFRT_E2BIG);
    uint32_t i;
    for (i = 0; i < nr_loops; i++) {
        uint64_t ret = 0;
        int err = bpfrt_run_callback(run, func, i, ctx, 0, 0, 0, &ret);
        if (err)
            return bpfrt_helper_err(err);
        /* the verifier limits the callback's return to [0, 1] */
        if (ret)
            return (uint64_t)i + 1;
    }
    return i;
}

struct for_each_state {
    struct bpfrt_run *run;
    uint64_t func, ctx;
    int err;
};

static uint64_t for_each_cb(struct bpfrt_map *map, const void *key, void *value, void *arg)
{
    struct for_each_state *st = arg;
    struct bpfrt_run *run = st->run;
    /* A checked callback may touch the key (read-only: it lives on this
     * helper's native stack) and the value as the program may (read-only
     * for BPF_F_RDONLY_PROG, never its lock) for the length of its call
     * only: scoped regions, gone when the call returns. */
    uint32_t mark = bpfrt_run_scope_begin(run);
    uint64_t ret = 0;
    int err = bpfrt_run_scope_add(run, key, map->key_size, false);
    struct bpfrt_region parts[2];
    int n = run->checked ? bpfrt_map_value_regions(map, value, parts) : 0;
    for (int k = 0; k < n && !err; k++)
        err = bpfrt_run_scope_add(run, (const void *)parts[k].start, parts[k].end - parts[k].start,
                                  parts[k].writable);
    if (!err)
        err = bpfrt_run_callback(run, st->func, (uint64_t)(uintptr_t)map, (uint64_t)(uintptr_t)key,
                                 (uint64_t)(uintptr_t)value, st->ctx, 0, &ret);
    bpfrt_run_scope_end(run, mark);
    if (err) {
        st->err = err;
        return 1;
    }
    return ret ? 1 : 0;
}

/* bpf_for_each_map_elem(map, callback, ctx, flags): callback(map, key,
 * value, ctx) for each element (this CPU's copy for per-CPU maps) until it
 * returns 1. Returns the number of elements visited, -EINVAL for non-zero
 * flags. */
BPFRT_HELPER_DEF(for_each_map_elem)
{
    struct bpfrt_map *map = bpfrt_u2p(r1);
    if (r4)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    /* the walk visits every slot, used or not; each callback is charged too */
    if (!bpfrt_run_charge(run, map->max_entries / 16))
        return bpfrt_helper_err(-BPFRT_ELOOP);
    struct for_each_state st = { run, r2, r3, 0 };
    long n = bpfrt_map_for_each(map, for_each_cb, &st, run->cpu);
    if (st.err)
        return bpfrt_helper_err(st.err);
    return (uint64_t)n;
}
