/* Small utilities the helper families share: which program type is
 * running, and how far a pointer may be read in a checked run. */
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
