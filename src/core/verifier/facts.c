/* What the verifier hands the engines (src/core/prog/facts.h), built from
 * its per-instruction and per-subprogram results after the fix-ups - as
 * Linux's JITs read env->insn_aux_data (zext_dst, from
 * opt_subreg_zext_lo32_rnd_hi32), the BPF_PROBE_MEM marks of
 * convert_ctx_accesses and subprog_info[].stack_depth. Only
 * called for a program the verifier accepted. */
#include "core/prog/facts.h"
#include "core/verifier/verifier.h"

/* A 32-bit ALU operation (the kinds x86 and most JITs zero-extend). */
static bool is_alu32(const struct bpfrt_dinsn *d)
{
    const struct bpfrt_op_info *info = &bpfrt_op_info[d->op];
    return (info->kind == BPFRT_K_ALU || info->kind == BPFRT_K_END) && (info->flags & BPFRT_OPF_32);
}

struct bpfrt_prog_facts *bpfrt_verify_facts(struct venv *env)
{
    struct bpfrt_runtime *rt = env->rt;
    struct bpfrt_prog_facts *f = bpfrt_zalloc(rt, sizeof(*f));
    if (!f)
        return NULL;
    uint32_t n = env->subprog_cnt ? env->subprog_cnt : 1;
    f->len = env->len;
    f->nr_subprogs = n;
    f->flags = bpfrt_zalloc(rt, env->len);
    f->live_before = bpfrt_zalloc(rt, (size_t)env->len * sizeof(uint16_t));
    f->subprog_start = bpfrt_zalloc(rt, (size_t)n * sizeof(uint32_t));
    f->stack_depth = bpfrt_zalloc(rt, (size_t)n * sizeof(uint32_t));
    if (!f->flags || !f->live_before || !f->subprog_start || !f->stack_depth) {
        bpfrt_prog_facts_free(rt, f);
        return NULL;
    }
    for (uint32_t i = 0; i < env->subprog_cnt; i++) {
        f->subprog_start[i] = env->subprog[i].start;
        f->stack_depth[i] = env->subprog[i].stack_depth;
    }
    for (uint32_t i = 0; i < env->len; i++) {
        const struct vaux *aux = &env->aux[i];
        f->live_before[i] = aux->live_regs_before;
        if (!aux->seen)
            continue;
        f->flags[i] |= BPFRT_FACT_REACHED;
        if (aux->probe_load) /* on every path through it (memops.c) */
            f->flags[i] |= BPFRT_FACT_PROBE_LOAD;
        /* dead after: not live where the next instruction starts (a
         * 32-bit ALU operation falls through to it alone) */
        const struct bpfrt_dinsn *d = &env->di[i];
        uint32_t next = i + (d->len ? d->len : 1);
        if (is_alu32(d) && next < env->len && !(env->aux[next].live_regs_before & (1u << d->dst)))
            f->flags[i] |= BPFRT_FACT_ZEXT_NEEDLESS;
    }
    return f;
}
