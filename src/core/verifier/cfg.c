/* The control-flow graph before the walk (Linux 6.18 verifier.c check_cfg,
 * visit_insn, push_insn, visit_func_call_insn; compute_live_registers):
 * a depth-first walk from instruction 0 through jumps and calls marks
 * every reachable instruction ("unreachable insn 5" otherwise), finds jumps
 * into the middle of ld_imm64, allows back-edges (a privileged loader gets
 * bounded loops), and places the prune points and checkpoints the walk
 * saves states at. Then the registers live before each instruction, which
 * state comparison uses. */
#include "core/verifier/verifier.h"

enum { DISCOVERED = 0x10, EXPLORED = 0x20, FALLTHROUGH = 1, BRANCH = 2 };
enum { DONE_EXPLORING = 0, KEEP_EXPLORING = 1 };

struct cfg_walk {
    uint32_t *stack;
    uint32_t cur_stack;
    uint32_t *postorder;
    uint32_t cur_postorder;
};

static bool is_sync_callback_calling_helper(int32_t id)
{
    return id == BPF_FUNC_loop || id == BPF_FUNC_for_each_map_elem || id == BPF_FUNC_find_vma ||
           id == BPF_FUNC_user_ringbuf_drain;
}

static void mark_prune_point(struct venv *env, int64_t i)
{
    env->aux[i].flags |= AUX_PRUNE;
}

static void mark_jmp_point(struct venv *env, int64_t i)
{
    env->aux[i].flags |= AUX_JMP_POINT;
}

static int push_insn(struct venv *env, struct cfg_walk *w, uint32_t t, int64_t to, int e)
{
    uint8_t *st_t = &env->aux[t].cfg_state;
    if (e == FALLTHROUGH && *st_t >= (DISCOVERED | FALLTHROUGH))
        return DONE_EXPLORING;
    if (e == BRANCH && *st_t >= (DISCOVERED | BRANCH))
        return DONE_EXPLORING;
    if (to < 0 || to >= env->len) {
        bpfrt_v_verbose_linfo(env, t, NULL);
        verbose(env, "jump out of range from insn %d to %lld\n", t, (long long)to);
        return -BPFRT_EINVAL;
    }
    if (e == BRANCH) {
        mark_prune_point(env, to);
        mark_jmp_point(env, to);
    }
    uint8_t *st_w = &env->aux[to].cfg_state;
    if (*st_w == 0) {
        *st_t = (uint8_t)(DISCOVERED | e);
        *st_w = DISCOVERED;
        if (w->cur_stack >= env->len)
            return -BPFRT_E2BIG;
        w->stack[w->cur_stack++] = (uint32_t)to;
        return KEEP_EXPLORING;
    }
    if ((*st_w & 0xf0) == DISCOVERED) {
        int err = bpfrt_v_unpriv_back_edge(env, t, (uint32_t)to);
        return err ? err : DONE_EXPLORING; /* back-edge: a loop, allowed to a privileged loader */
    }
    if (*st_w == EXPLORED)
        *st_t = (uint8_t)(DISCOVERED | e);
    return DONE_EXPLORING;
}

/* bpf_find_containing_subprog */
static struct vsubprog *containing_subprog(struct venv *env, int64_t t)
{
    uint32_t i = 0;
    while (i + 1 < env->subprog_cnt && env->subprog[i + 1].start <= t)
        i++;
    return &env->subprog[i];
}

static int visit_func_call_insn(struct venv *env, struct cfg_walk *w, uint32_t t, bool visit_callee)
{
    const struct bpfrt_dinsn *d = &env->di[t];
    int ret = push_insn(env, w, t, t + d->len, FALLTHROUGH);
    if (ret)
        return ret;
    mark_prune_point(env, t + d->len);
    mark_jmp_point(env, t + d->len);
    if (visit_callee) {
        int64_t callee = (int64_t)t + d->imm + 1;
        mark_prune_point(env, t);
        /* merge_callee_effects: the DFS reaches this call again once the
         * callee is explored, so its marks are complete by then */
        if (callee >= 0 && callee < env->len)
            containing_subprog(env, t)->changes_pkt_data |= containing_subprog(env, callee)->changes_pkt_data;
        ret = push_insn(env, w, t, callee, BRANCH);
    }
    return ret;
}

static int visit_insn(struct venv *env, struct cfg_walk *w, uint32_t t)
{
    const struct bpfrt_dinsn *d = &env->di[t];
    if (d->op == BPFRT_OP_LDDW && d->src == BPF_PSEUDO_FUNC)
        return visit_func_call_insn(env, w, t, true);
    switch (bpfrt_op_kind(d->op)) {
    case BPFRT_K_EXIT:
        return DONE_EXPLORING;
    case BPFRT_K_CALL:
        if (d->op == BPFRT_OP_CALL_HELPER && bpfrt_v_helper_changes_pkt_data(d->imm))
            containing_subprog(env, t)->changes_pkt_data = true; /* mark_subprog_changes_pkt_data */
        if (d->op == BPFRT_OP_CALL_HELPER && is_sync_callback_calling_helper(d->imm)) {
            env->aux[t].flags |= AUX_CALLS_CALLBACK | AUX_FORCE_CHECKPOINT;
            mark_prune_point(env, t);
            mark_jmp_point(env, t);
        }
        return visit_func_call_insn(env, w, t, d->op == BPFRT_OP_CALL_LOCAL);
    case BPFRT_K_JA: {
        int ret = push_insn(env, w, t, d->target, FALLTHROUGH);
        if (ret)
            return ret;
        mark_prune_point(env, d->target);
        mark_jmp_point(env, d->target);
        return ret;
    }
    case BPFRT_K_JCOND:
    case BPFRT_K_MAY_GOTO: {
        mark_prune_point(env, t);
        if (d->op == BPFRT_OP_MAY_GOTO)
            env->aux[t].flags |= AUX_FORCE_CHECKPOINT;
        int ret = push_insn(env, w, t, t + 1, FALLTHROUGH);
        if (ret)
            return ret;
        return push_insn(env, w, t, d->target, BRANCH);
    }
    default:
        return push_insn(env, w, t, t + d->len, FALLTHROUGH);
    }
}

uint32_t bpfrt_v_insn_successors(const struct venv *env, uint32_t i, uint32_t succ[2])
{
    const struct bpfrt_dinsn *d = &env->di[i];
    switch (bpfrt_op_kind(d->op)) {
    case BPFRT_K_EXIT:
        return 0;
    case BPFRT_K_JA:
        succ[0] = (uint32_t)d->target;
        return 1;
    case BPFRT_K_JCOND:
    case BPFRT_K_MAY_GOTO:
        succ[0] = i + 1;
        succ[1] = (uint32_t)d->target;
        return succ[0] == succ[1] ? 1 : 2;
    default:
        if (i + d->len >= env->len)
            return 0;
        succ[0] = i + d->len;
        return 1;
    }
}

/* Instructions on a cycle of the CFG (Linux's compute_scc: a strongly
 * connected component with more than one instruction or a self-loop) that
 * a may_goto closes, and callback-calling calls, which loop through their
 * callback: states there are compared with every scalar precise, because a
 * path may be pruned against a state still being explored and leave its
 * precision marks incomplete (6.18's incomplete_read_marks). Plain bounded
 * loops never prune that way, and compare as any other state. Iterative
 * Tarjan. */
static int mark_loops(struct venv *env)
{
    uint32_t n = env->len;
    uint32_t *index = bpfrt_v_zalloc(env, n * sizeof(uint32_t)), *low = bpfrt_v_zalloc(env, n * sizeof(uint32_t));
    uint32_t *stack = bpfrt_v_zalloc(env, n * sizeof(uint32_t)), *cs = bpfrt_v_zalloc(env, n * sizeof(uint32_t));
    uint8_t *edge = bpfrt_v_zalloc(env, n), *on = bpfrt_v_zalloc(env, n);
    int err = 0;
    if (!index || !low || !stack || !cs || !edge || !on) {
        err = -BPFRT_ENOMEM;
        goto out;
    }
    uint32_t next = 1, sp = 0, csp = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (index[root])
            continue;
        cs[csp++] = root;
        index[root] = low[root] = next++;
        stack[sp++] = root;
        on[root] = 1;
        while (csp) {
            uint32_t v = cs[csp - 1], succ[2];
            uint32_t ns = bpfrt_v_insn_successors(env, v, succ);
            if (edge[v] < ns) {
                uint32_t w = succ[edge[v]++];
                if (!index[w]) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    on[w] = 1;
                    cs[csp++] = w;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            csp--;
            if (csp && low[v] < low[cs[csp - 1]])
                low[cs[csp - 1]] = low[v];
            if (low[v] != index[v])
                continue;
            uint32_t size = 0, w;
            uint32_t top = sp;
            do {
                w = stack[--sp];
                on[w] = 0;
                size++;
            } while (w != v);
            bool self = false;
            for (uint32_t k = 0; k < ns; k++)
                self |= succ[k] == v;
            /* only loops a may_goto closes: their paths can be pruned
             * against states still being explored (6.18's back-edges),
             * so precision marks there may be incomplete */
            bool may_goto = false;
            for (uint32_t k = sp; k < top; k++)
                may_goto |= env->di[stack[k]].op == BPFRT_OP_MAY_GOTO;
            if ((size > 1 || self) && may_goto)
                for (uint32_t k = sp; k < top; k++)
                    env->aux[stack[k]].flags |= AUX_IN_LOOP;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        if (env->aux[i].flags & AUX_CALLS_CALLBACK)
            env->aux[i].flags |= AUX_IN_LOOP;
out:
    bpfrt_v_free(env, index, n * sizeof(uint32_t));
    bpfrt_v_free(env, low, n * sizeof(uint32_t));
    bpfrt_v_free(env, stack, n * sizeof(uint32_t));
    bpfrt_v_free(env, cs, n * sizeof(uint32_t));
    bpfrt_v_free(env, edge, n);
    bpfrt_v_free(env, on, n);
    return err;
}

int bpfrt_v_check_cfg(struct venv *env)
{
    struct cfg_walk w = { 0 };
    int ret = 0;
    w.stack = bpfrt_v_zalloc(env, (size_t)env->len * sizeof(uint32_t));
    w.postorder = bpfrt_v_zalloc(env, (size_t)env->len * sizeof(uint32_t));
    if (!w.stack || !w.postorder) {
        ret = -BPFRT_ENOMEM;
        goto out;
    }
    env->aux[0].cfg_state = DISCOVERED;
    w.stack[0] = 0;
    w.cur_stack = 1;
    while (w.cur_stack > 0) {
        uint32_t t = w.stack[w.cur_stack - 1];
        ret = visit_insn(env, &w, t);
        if (ret == DONE_EXPLORING) {
            env->aux[t].cfg_state = EXPLORED;
            w.cur_stack--;
            w.postorder[w.cur_postorder++] = t;
        } else if (ret != KEEP_EXPLORING) {
            goto out;
        }
    }
    for (uint32_t i = 0; i < env->len; i++) {
        if (env->aux[i].cfg_state != EXPLORED) {
            verbose(env, "unreachable insn %d\n", i);
            ret = -BPFRT_EINVAL;
            goto out;
        }
        if (env->di[i].op == BPFRT_OP_LDDW) {
            if (env->aux[i + 1].cfg_state != 0) {
                verbose(env, "jump into the middle of ldimm64 insn %d\n", i);
                ret = -BPFRT_EINVAL;
                goto out;
            }
            i++;
        }
    }
    ret = 0;
    /* registers live before each insn: backward dataflow in postorder */
    struct { uint16_t use, def, in, out; } *lv = bpfrt_v_zalloc(env, (size_t)env->len * sizeof(*lv));
    if (!lv) {
        ret = -BPFRT_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < env->len; i++) {
        const struct bpfrt_dinsn *d = &env->di[i];
        const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
        uint16_t src = (uint16_t)(1u << (d->src & 15)), dst = (uint16_t)(1u << (d->dst & 15));
        uint16_t use = 0xffff, def = 0;
        switch (oi->kind) {
        case BPFRT_K_LDDW: def = dst; use = 0; break;
        case BPFRT_K_LDX: case BPFRT_K_LDACQ: def = dst; use = src; break;
        case BPFRT_K_ST: use = dst; break;
        case BPFRT_K_STX: case BPFRT_K_STREL: use = dst | src; break;
        case BPFRT_K_ATOMIC:
            use = dst | src;
            if (oi->alu == BPFRT_ALU_CMPXCHG) {
                use |= 1;
                def = 1;
            } else if (oi->flags & BPFRT_OPF_FETCH) {
                def = src;
            }
            break;
        case BPFRT_K_END: use = def = dst; break;
        case BPFRT_K_MOVSX: def = dst; use = src; break;
        case BPFRT_K_ALU:
            def = dst;
            if (oi->alu == BPFRT_ALU_MOV)
                use = (oi->flags & BPFRT_OPF_K) ? 0 : src;
            else if (oi->alu == BPFRT_ALU_NEG)
                use = dst;
            else
                use = (oi->flags & BPFRT_OPF_K) ? dst : (uint16_t)(dst | src);
            break;
        case BPFRT_K_JA: case BPFRT_K_MAY_GOTO: use = 0; break;
        case BPFRT_K_EXIT: use = 1; break;
        case BPFRT_K_CALL: {
            def = 0x3f; /* r0-r5 */
            use = 0x3e;
            const struct bpfrt_helper_proto *hp =
                d->op == BPFRT_OP_CALL_HELPER && d->imm >= 0 ? bpfrt_helper_find(env->rt, (uint32_t)d->imm) : NULL;
            if (hp) {
                uint32_t n = 0;
                while (n < 5 && hp->arg_type[n] != ARG_DONTCARE)
                    n++;
                use = (uint16_t)(((1u << n) - 1) << 1);
            }
            break;
        }
        case BPFRT_K_JCOND: use = (oi->flags & BPFRT_OPF_K) ? dst : (uint16_t)(dst | src); break;
        default: break; /* LD_ABS/IND and unknown: everything used */
        }
        lv[i].use = use;
        lv[i].def = def;
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (uint32_t k = 0; k < w.cur_postorder; k++) {
            uint32_t i = w.postorder[k], succ[2];
            uint32_t n = bpfrt_v_insn_successors(env, i, succ);
            uint16_t out = 0;
            for (uint32_t s = 0; s < n; s++)
                out |= lv[succ[s]].in;
            uint16_t in = (uint16_t)((out & ~lv[i].def) | lv[i].use);
            if (in != lv[i].in || out != lv[i].out) {
                lv[i].in = in;
                lv[i].out = out;
                changed = true;
            }
        }
    }
    for (uint32_t i = 0; i < env->len; i++)
        env->aux[i].live_regs_before = lv[i].in;
    ret = mark_loops(env);
    if (log_level(env, BPF_LOG_LEVEL2)) {
        verbose(env, "Live regs before insn:\n");
        for (uint32_t i = 0; i < env->len; i++) {
            char regs[11];
            for (int j = 0; j < 10; j++)
                regs[j] = (lv[i].in & (1u << j)) ? (char)('0' + j) : '.';
            regs[10] = 0;
            verbose(env, "    %3d: %s ", i, regs);
            bpfrt_v_verbose_insn(env, i);
            i += env->di[i].len - 1;
        }
    }
    bpfrt_v_free(env, lv, (size_t)env->len * sizeof(*lv));
out:
    bpfrt_v_free(env, w.stack, (size_t)env->len * sizeof(uint32_t));
    bpfrt_v_free(env, w.postorder, (size_t)env->len * sizeof(uint32_t));
    return ret;
}
