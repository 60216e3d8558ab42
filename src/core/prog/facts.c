/* The verifier's facts for engines (facts.h): freeing them with the
 * program. Built by src/core/verifier/facts.c. */
#include "core/core.h"
#include "core/prog/facts.h"

void bpfrt_prog_facts_free(struct bpfrt_runtime *rt, struct bpfrt_prog_facts *f)
{
    if (!f)
        return;
    bpfrt_free(rt, f->flags, f->len);
    bpfrt_free(rt, f->live_before, (size_t)f->len * sizeof(uint16_t));
    bpfrt_free(rt, f->subprog_start, (size_t)f->nr_subprogs * sizeof(uint32_t));
    bpfrt_free(rt, f->stack_depth, (size_t)f->nr_subprogs * sizeof(uint32_t));
    bpfrt_free(rt, f, sizeof(*f));
}
