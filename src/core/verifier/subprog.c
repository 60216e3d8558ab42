/* Subprograms: their boundaries and the checks Linux 6.18 makes on them
 * before the walk (verifier.c add_subprog_and_kfunc, check_subprogs,
 * check_btf_func's return-type rules, check_abnormal_return) and after it
 * (check_max_stack_depth: the combined stack of every call chain and the
 * depth of the call graph). */
#include "bpfrt/btf.h"
#include "core/verifier/verifier.h"

int bpfrt_v_find_subprog(const struct venv *env, uint32_t off)
{
    uint32_t lo = 0, hi = env->subprog_cnt;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (env->subprog[mid].start == off)
            return (int)mid;
        if (env->subprog[mid].start < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -BPFRT_ENOENT;
}

static int add_subprog(struct venv *env, int64_t off)
{
    if (off < 0 || off >= env->len) {
        verbose(env, "call to invalid destination\n");
        return -BPFRT_EINVAL;
    }
    if (bpfrt_v_find_subprog(env, (uint32_t)off) >= 0)
        return 0;
    if (env->subprog_cnt >= BPF_MAX_SUBPROGS) {
        verbose(env, "too many subprograms\n");
        return -BPFRT_E2BIG;
    }
    uint32_t pos = env->subprog_cnt++;
    while (pos > 0 && env->subprog[pos - 1].start > (uint32_t)off) {
        env->subprog[pos] = env->subprog[pos - 1];
        pos--;
    }
    bpfrt_memset(&env->subprog[pos], 0, sizeof(env->subprog[pos]));
    env->subprog[pos].start = (uint32_t)off;
    return 0;
}

/* add_subprog_and_kfunc: the entry, every bpf-to-bpf call target and every
 * BPF_PSEUDO_FUNC target. kfuncs need kernel BTF, which bpfrt has none of. */
int bpfrt_v_add_subprogs(struct venv *env)
{
    int err = add_subprog(env, 0);
    for (uint32_t i = 0; !err && i < env->len; i++) {
        const struct bpfrt_dinsn *d = &env->di[i];
        if (d->op == BPFRT_OP_CALL_KFUNC) {
            /* bpfrt has no kernel BTF: no id names a kernel function */
            verbose(env, "kernel btf_id %u is not a function\n", (uint32_t)d->imm);
            return -BPFRT_EINVAL;
        }
        bool func = d->op == BPFRT_OP_LDDW && d->src == BPF_PSEUDO_FUNC;
        if (d->op == BPFRT_OP_CALL_LOCAL || func) {
            err = bpfrt_v_unpriv_call(env);
            if (!err)
                err = add_subprog(env, (int64_t)i + d->imm + 1);
        }
    }
    if (err)
        return err;
    /* a sentinel: the end of the last subprogram */
    env->subprog[env->subprog_cnt].start = env->len;
    if (log_level(env, BPF_LOG_LEVEL2))
        for (uint32_t i = 0; i < env->subprog_cnt; i++)
            verbose(env, "func#%d @%d\n", i, env->subprog[i].start);
    return 0;
}

void bpfrt_v_mark_insn_subprogs(struct venv *env)
{
    uint32_t cur = 0;
    for (uint32_t i = 0; i < env->len; i++) {
        while (cur + 1 < env->subprog_cnt && i >= env->subprog[cur + 1].start)
            cur++;
        env->aux[i].subprog = cur;
    }
}

/* check_subprogs: jumps stay inside their subprogram; each subprogram ends
 * in exit or an unconditional jump; which subprograms tail-call or use
 * LD_ABS (needed by check_abnormal_return and the stack check). */
int bpfrt_v_check_subprogs(struct venv *env)
{
    uint32_t cur = 0, start = env->subprog[0].start, end = env->subprog[1].start;
    for (uint32_t i = 0; i < env->len; i++) {
        const struct bpfrt_dinsn *d = &env->di[i];
        uint8_t kind = bpfrt_op_kind(d->op);
        if (d->op == BPFRT_OP_CALL_HELPER && d->imm == BPF_FUNC_tail_call) {
            env->subprog[cur].has_tail_call = true;
            env->subprog[cur].tail_call_reachable = true;
        }
        if (kind == BPFRT_K_LD_PKT)
            env->subprog[cur].has_ld_abs = true;
        if (kind == BPFRT_K_JA || kind == BPFRT_K_JCOND || kind == BPFRT_K_MAY_GOTO) {
            int64_t off = d->target;
            if (off < start || off >= end) {
                verbose(env, "jump out of range from insn %d to %lld\n", i, (long long)off);
                return -BPFRT_EINVAL;
            }
        }
        if (i == end - 1) {
            if (d->op != BPFRT_OP_EXIT && d->op != BPFRT_OP_JA) {
                verbose(env, "last insn is not an exit or jmp\n");
                return -BPFRT_EINVAL;
            }
            start = end;
            cur++;
            if (cur < env->subprog_cnt)
                end = env->subprog[cur + 1].start;
        }
    }
    return 0;
}

/* The type a function returns, past typedefs and modifiers; true when it
 * is a plain integer or enum (what LD_ABS and tail calls need). */
static bool btf_func_returns_scalar(const struct bpfrt_btf *btf, uint32_t func_type)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, func_type);
    if (!t || btf_kind(t) != BTF_KIND_FUNC)
        return false;
    t = bpfrt_btf_type_by_id(btf, t->type);
    if (!t || btf_kind(t) != BTF_KIND_FUNC_PROTO)
        return false;
    uint32_t id = t->type;
    for (int guard = 0; guard < 32 && id; guard++) {
        t = bpfrt_btf_type_by_id(btf, id);
        if (!t)
            return false;
        uint32_t k = btf_kind(t);
        if (k == BTF_KIND_INT || k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64)
            return true;
        if (k != BTF_KIND_TYPEDEF && k != BTF_KIND_CONST && k != BTF_KIND_VOLATILE &&
            k != BTF_KIND_RESTRICT && k != BTF_KIND_TYPE_TAG)
            return false;
        id = t->type;
    }
    return false;
}

/* check_btf_func's per-subprogram rules (linkage, return type of
 * subprograms that use LD_ABS or tail calls), or check_abnormal_return
 * when there is no func_info. */
int bpfrt_v_check_btf_func(struct venv *env)
{
    const struct bpfrt_verify_args *a = env->args;
    if (!a->nr_func_info) {
        for (uint32_t i = 1; i < env->subprog_cnt; i++) {
            if (env->subprog[i].has_ld_abs) {
                verbose(env, "LD_ABS is not allowed in subprogs without BTF\n");
                return -BPFRT_EINVAL;
            }
            if (env->subprog[i].has_tail_call) {
                verbose(env, "tail_call is not allowed in subprogs without BTF\n");
                return -BPFRT_EINVAL;
            }
        }
        return 0;
    }
    for (uint32_t i = 0; i < env->subprog_cnt && i < a->nr_func_info; i++) {
        const struct btf_type *t = bpfrt_btf_type_by_id(a->btf, a->func_info[i].type_id);
        env->subprog[i].linkage = t ? btf_vlen(t) : BTF_FUNC_STATIC;
        bool scalar_return = btf_func_returns_scalar(a->btf, a->func_info[i].type_id);
        if (i && !scalar_return && env->subprog[i].has_ld_abs) {
            verbose(env, "LD_ABS is only allowed in functions that return 'int'.\n");
            return -BPFRT_EINVAL;
        }
        if (i && !scalar_return && env->subprog[i].has_tail_call) {
            verbose(env, "tail_call is only allowed in functions that return 'int'.\n");
            return -BPFRT_EINVAL;
        }
    }
    return 0;
}

static uint32_t round_up_stack_depth(uint32_t depth)
{
    /* Linux rounds to 16 when the program is JIT-compiled (x86-64 here) */
    return (uint32_t)bpfrt_round_up(depth, 16);
}

/* check_max_stack_depth_subprog: a depth-first walk of the static call
 * graph from subprogram idx, adding each frame's (rounded) stack. */
static int check_stack_subprog(struct venv *env, uint32_t idx)
{
    struct vsubprog *sp = env->subprog;
    uint32_t depth = 0, frame = 0, i = sp[idx].start;
    uint32_t ret_insn[MAX_CALL_FRAMES], ret_prog[MAX_CALL_FRAMES];
    bool tail_call_reachable = false;

process_func:
    if (idx && sp[idx].has_tail_call && depth >= 256) {
        verbose(env, "tail_calls are not allowed when call stack of previous frames is %d bytes. Too large\n",
                depth);
        return -BPFRT_EACCES;
    }
    depth += round_up_stack_depth(sp[idx].stack_depth);
    if (depth > MAX_BPF_STACK) {
        verbose(env, "combined stack size of %d calls is %d. Too large\n", frame + 1, depth);
        return -BPFRT_EACCES;
    }
continue_func:
    for (; i < sp[idx + 1].start; i++) {
        const struct bpfrt_dinsn *d = &env->di[i];
        bool func = d->op == BPFRT_OP_LDDW && d->src == BPF_PSEUDO_FUNC;
        if (d->op != BPFRT_OP_CALL_LOCAL && !func)
            continue;
        ret_insn[frame] = i + 1;
        ret_prog[frame] = idx;
        uint32_t next = (uint32_t)((int64_t)i + d->imm + 1);
        int sidx = bpfrt_v_find_subprog(env, next);
        if (sidx < 0)
            return -BPFRT_EFAULT;
        i = next;
        idx = (uint32_t)sidx;
        if (sp[idx].has_tail_call)
            tail_call_reachable = true;
        frame++;
        if (frame >= MAX_CALL_FRAMES) {
            verbose(env, "the call stack of %d frames is too deep !\n", frame);
            return -BPFRT_E2BIG;
        }
        goto process_func;
    }
    if (tail_call_reachable)
        for (uint32_t j = 0; j < frame; j++)
            sp[ret_prog[j]].tail_call_reachable = true;
    if (frame == 0)
        return 0;
    depth -= round_up_stack_depth(sp[idx].stack_depth);
    frame--;
    i = ret_insn[frame];
    idx = ret_prog[frame];
    goto continue_func;
}

int bpfrt_v_check_max_stack_depth(struct venv *env)
{
    return check_stack_subprog(env, 0);
}
