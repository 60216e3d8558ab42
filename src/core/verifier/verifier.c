/* The verifier's entry and pass order (Linux 6.18 verifier.c bpf_check):
 * decode, subprograms and jump ranges before the command layer's BTF and
 * map passes; then the CFG, the walk from the entry, the combined stack of
 * every call chain, and the fix-ups that hand the engines what was proved.
 * See verify.h for the contract and docs/verifier.md for the design. */
#include "bpfrt/btf.h"
#include "bpfrt/bpf.h"
#include "core/isa/isa.h"
#include "core/verifier/verifier.h"

int bpfrt_verify_begin(const struct bpfrt_verify_args *args, struct venv **out)
{
    struct venv *env = bpfrt_zalloc(args->rt, sizeof(*env));
    *out = env;
    if (!env)
        return -BPFRT_ENOMEM;
    env->rt = args->rt;
    env->args = args;
    env->log = args->log;
    env->insns = args->insns;
    env->len = args->len;
    env->prog_type = args->prog_type;
    env->unpriv = args->prog_flags & BPFRT_PROG_F_UNPRIV;
    env->ctx_desc = args->ctx_desc ? args->ctx_desc
                                   : bpfrt_ctx_desc_for(args->prog_type, args->expected_attach_type);
    env->di = bpfrt_v_zalloc(env, (size_t)env->len * sizeof(*env->di));
    env->aux = bpfrt_v_zalloc(env, ((size_t)env->len + 1) * sizeof(*env->aux));
    if (!env->di || !env->aux)
        return -BPFRT_ENOMEM;
    for (uint32_t i = 0; i < env->len; i++) {
        bpfrt_isa_decode(env->insns, env->len, i, &env->di[i]);
        env->aux[i].ctx_field_off = -1;
        /* 0x8d (callx) is the conformance suite's; Linux 6.18 has no such opcode */
        if (env->di[i].op == BPFRT_OP_CALLX)
            env->di[i].op = BPFRT_OP_BAD;
    }
    int err = bpfrt_v_add_subprogs(env);
    if (!err)
        err = bpfrt_v_check_subprogs(env);
    if (!err)
        bpfrt_v_mark_insn_subprogs(env);
    return err;
}

uint32_t bpfrt_verify_subprogs(const struct venv *env, const uint32_t **starts)
{
    static uint32_t none;
    *starts = &none;
    if (!env || !env->subprog_cnt)
        return 0;
    /* the starts live in the subprogram table; hand out a stable copy */
    struct venv *e = (struct venv *)env;
    if (!e->subprog_starts) {
        e->subprog_starts = bpfrt_v_zalloc(e, e->subprog_cnt * sizeof(uint32_t));
        if (!e->subprog_starts)
            return 0;
        for (uint32_t i = 0; i < e->subprog_cnt; i++)
            e->subprog_starts[i] = e->subprog[i].start;
    }
    *starts = e->subprog_starts;
    return e->subprog_cnt;
}

void bpfrt_verify_set_ldimm(struct venv *env, uint32_t idx, const struct bpfrt_map *map, uint32_t off)
{
    if (idx + 1 < env->len) {
        env->aux[idx].map = map;
        env->aux[idx].map_off = off;
        /* the immediate is the map pointer (or value address) now */
        env->di[idx].value = (uint64_t)(uint32_t)env->insns[idx].imm | (uint64_t)(uint32_t)env->insns[idx + 1].imm << 32;
    }
}

/* What resolve_pseudo_ldimm64 checks of every instruction besides maps. */
int bpfrt_verify_check_opcode(struct venv *env, uint32_t idx)
{
    const struct bpf_insn *in = &env->insns[idx];
    const struct bpfrt_dinsn *d = &env->di[idx];
    if (BPF_CLASS(in->code) == BPF_LDX &&
        ((BPF_MODE(in->code) != BPF_MEM && BPF_MODE(in->code) != BPF_MEMSX) || in->imm)) {
        verbose(env, "BPF_LDX uses reserved fields\n");
        return -BPFRT_EINVAL;
    }
    if (d->op == BPFRT_OP_CALLX || !bpfrt_isa_opcodes[in->code].nforms) {
        verbose(env, "unknown opcode %02x\n", in->code);
        return -BPFRT_EINVAL;
    }
    return 0;
}

/* check_map_prog_compatibility, as resolve_pseudo_ldimm64 makes it for each
 * map the program names, before the walk: the program types that may not
 * hold a map whose value has a spin lock. */
int bpfrt_verify_check_map(struct venv *env, const struct bpfrt_map *map)
{
    if (map->spin_lock_off < 0)
        return 0;
    switch (env->prog_type) {
    case BPF_PROG_TYPE_SOCKET_FILTER:
        verbose(env, "socket filter progs cannot use bpf_spin_lock yet\n");
        return -BPFRT_EINVAL;
    case BPF_PROG_TYPE_KPROBE:
    case BPF_PROG_TYPE_TRACEPOINT:
    case BPF_PROG_TYPE_PERF_EVENT:
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
    case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
        verbose(env, "tracing progs cannot use bpf_spin_lock yet\n");
        return -BPFRT_EINVAL;
    default: return 0;
    }
}

int bpfrt_verify_run(struct venv *env, struct bpfrt_verify_result *res)
{
    bpfrt_memset(res, 0, sizeof(*res));
    int err = bpfrt_v_check_btf_func(env);
    if (!err)
        err = bpfrt_v_check_cfg(env);
    if (!err) {
        env->explored = bpfrt_v_zalloc(env, (size_t)env->len * sizeof(*env->explored));
        err = env->explored ? 0 : -BPFRT_ENOMEM;
    }
    if (!err)
        err = bpfrt_v_do_check_common(env, 0);
    if (!err)
        err = bpfrt_v_do_check_subprogs(env);
    if (!err)
        err = bpfrt_v_check_max_stack_depth(env);
    bpfrt_v_free_explored(env);
    if (!err)
        err = bpfrt_v_unpriv_check_tail_calls(env);
    if (!err)
        err = bpfrt_v_fixups(env, res);

    res->insn_processed = env->insn_processed;
    res->max_states_per_insn = env->max_states_per_insn;
    res->total_states = env->total_states;
    res->peak_states = env->peak_states;
    res->nr_subprogs = env->subprog_cnt;
    for (uint32_t i = 0; i < env->subprog_cnt; i++) {
        res->subprog_start[i] = env->subprog[i].start;
        res->stack_depth[i] = env->subprog[i].stack_depth;
    }
    res->prog_stack_depth = env->subprog_cnt ? env->subprog[0].stack_depth : 0;
    res->max_ctx_offset = env->max_ctx_offset;
    return err;
}

void bpfrt_verify_end(struct venv *env)
{
    if (!env)
        return;
    bpfrt_v_free_explored(env);
    bpfrt_v_free(env, env->explored, (size_t)env->len * sizeof(*env->explored));
    bpfrt_v_free(env, env->subprog_starts, env->subprog_cnt * sizeof(uint32_t));
    bpfrt_v_free(env, env->di, (size_t)env->len * sizeof(*env->di));
    bpfrt_v_free(env, env->aux, ((size_t)env->len + 1) * sizeof(*env->aux));
    if (env->platform_btf)
        bpfrt_btf_put(env->platform_btf);
    bpfrt_free(env->rt, env, sizeof(*env));
}
