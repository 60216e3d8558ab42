/* Small utilities the helper families share: which program type is
 * running and how far a pointer may be read in a checked run. (Charging
 * helper work to the run's budget is bpfrt_run_charge, src/core/prog/run.c.) */
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
