/* Small utilities the helper families share: which program type is
 * running, how far a pointer may be read in a checked run, and charging
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
    return bpfrt_run_region_span(run, p);
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
