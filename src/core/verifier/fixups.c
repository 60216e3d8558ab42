/* After verification (Linux 6.18 verifier.c convert_ctx_accesses,
 * opt_hard_wire_dead_code_branches, sanitize_dead_code): loads of context
 * fields that are pointers in disguise read the runtime's 64-bit copy at
 * the field's kern_off; a conditional jump the walk only ever saw go one
 * way becomes an unconditional jump (or a no-op); instructions no path
 * reached become "goto -1" traps. Nothing is removed, so instruction
 * indexes, line info and error positions stay valid. */
#include "core/verifier/verifier.h"

static void convert_ctx_access(struct venv *env, uint32_t i)
{
    struct bpf_insn *in = &env->args->insns[i];
    const struct vaux *aux = &env->aux[i];
    if (aux->ctx_field_off < 0 || !aux->ptr_type_set || aux->ptr_type != PTR_TO_CTX)
        return;
    if (bpfrt_op_kind(env->di[i].op) != BPFRT_K_LDX)
        return;
    const struct bpfrt_ctx_field *f =
        bpfrt_ctx_field_find(env->ctx_desc, (uint32_t)aux->ctx_field_off, aux->ctx_field_size);
    if (!f || f->kind == BPFRT_CTX_SCALAR || f->kern_off == f->off)
        return;
    /* r = *(u32 *)(ctx + off)  ->  r = *(u64 *)(ctx + kern_off) */
    in->code = BPF_LDX | BPF_MEM | BPF_DW;
    in->off = (int16_t)f->kern_off;
}

static void hard_wire_dead_branches(struct venv *env, uint32_t i)
{
    struct bpf_insn *in = &env->args->insns[i];
    const struct vaux *aux = &env->aux[i];
    if (bpfrt_op_kind(env->di[i].op) != BPFRT_K_JCOND || !aux->seen)
        return;
    if (aux->branch_taken_set[0] && aux->branch_taken_set[1])
        return;
    int16_t off = aux->branch_taken_set[1] ? in->off : 0;
    *in = (struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = off };
}

/* Loads through BTF-typed kernel pointers (Linux makes them BPF_PROBE_MEM):
 * the engines run them as probes (BPFRT_FACT_PROBE_LOAD, facts.c). */
static uint32_t count_probe_loads(const struct venv *env)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < env->len; i++)
        n += env->aux[i].seen && env->aux[i].probe_load;
    return n;
}

int bpfrt_v_fixups(struct venv *env, struct bpfrt_verify_result *res)
{
    res->probe_loads = count_probe_loads(env);
    for (uint32_t i = 0; i < env->len; i++) {
        if (!env->aux[i].seen) {
            env->args->insns[i] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = -1 };
            continue;
        }
        convert_ctx_access(env, i);
        hard_wire_dead_branches(env, i);
    }
    return 0;
}
