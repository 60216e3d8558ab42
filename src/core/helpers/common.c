/* Small utilities the helper families share: which program type is
 * running, how far a pointer may be read in a checked run, how a map value
 * becomes a checked run's memory, and charging
 * helper work to the run's budget (Linux needs no such charge: its verifier
 * bounds what a program can make a helper do; a checked run has only the
 * budget). */
#include "core/helpers/helpers_internal.h"

uint32_t bpfrt_helper_prog_type(const struct bpfrt_run *run)
{
    if (run->prog)
        return run->prog->type;
    if (run->ctx_desc)
        return run->ctx_desc->prog_type;
    return BPF_PROG_TYPE_UNSPEC;
}

size_t bpfrt_helper_span(const struct bpfrt_run *run, const void *p)
{
    if (!run->checked)
        return SIZE_MAX;
    uintptr_t a = (uintptr_t)p;
    size_t best = 0;
    for (uint32_t i = 0; i < run->nr_regions; i++) {
        const struct bpfrt_region *r = &run->regions[i];
        if (a >= r->start && a < r->end && r->end - a > best)
            best = r->end - a;
    }
    return best;
}

bool bpfrt_run_charge(struct bpfrt_run *run, uint64_t units)
{
    if (!run->insn_budget)
        return true; /* unlimited: the verifier bounded the program */
    if (units < run->insn_budget) {
        run->insn_budget -= units;
        return true;
    }
    run->insn_budget = 1;
    bpfrt_run_fail(run, BPFRT_RUN_BUDGET, 0, "instruction budget exhausted (helper work)");
    return false;
}

int bpfrt_run_add_map_value(struct bpfrt_run *run, const struct bpfrt_map *map, void *value)
{
    bool writable = !(map->map_flags & BPF_F_RDONLY_PROG);
    int32_t lock = map->spin_lock_off;
    if (lock < 0 || (uint32_t)lock >= map->value_size)
        return bpfrt_run_add_region(run, value, map->value_size, writable);
    /* The bpf_spin_lock word belongs to the lock helpers: a program that
     * could store to it could forge "held" and make every taker spin. */
    uint32_t after = (uint32_t)lock + (uint32_t)sizeof(struct bpf_spin_lock);
    int err = bpfrt_run_add_region(run, value, (uint64_t)lock, writable);
    if (!err && after < map->value_size)
        err = bpfrt_run_add_region(run, (uint8_t *)value + after, map->value_size - after, writable);
    return err;
}
