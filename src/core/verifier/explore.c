/* The walk (Linux 6.18 verifier.c do_check, do_check_insn, push_stack,
 * pop_stack, do_check_common): one path at a time from the entry,
 * instruction by instruction, dispatching on the decoded op through a table
 * of check functions; the other side of each undecided branch is queued
 * with the log position it was queued at, so a level-1 log is rewound to
 * the branch when the next path starts. Every path must reach an exit or
 * meet an explored state that covers it (a prune). Limits: 1,000,000
 * processed instructions, 8,192 queued branches. */
#include "core/isa/isa.h"
#include "core/verifier/verifier.h"

enum { INSN_NEXT = 0, INSN_DONE = 1, PATH_EXIT = 2 };

struct vstate *bpfrt_v_push_stack(struct venv *env, int32_t insn_idx, int32_t prev_insn_idx)
{
    struct vstack_elem *elem = bpfrt_v_zalloc(env, sizeof(*elem));
    if (!elem)
        return NULL;
    elem->insn_idx = insn_idx;
    elem->prev_insn_idx = prev_insn_idx;
    elem->next = env->head;
    elem->log_pos = bpfrt_vlog_pos(env->log);
    env->head = elem;
    env->stack_size++;
    if (bpfrt_v_copy_verifier_state(env, &elem->st, env->cur_state)) {
        env->err_alloc = -BPFRT_ENOMEM;
        return NULL;
    }
    if (env->stack_size > BPF_COMPLEXITY_LIMIT_JMP_SEQ) {
        verbose(env, "The sequence of %d jumps is too complex.\n", env->stack_size);
        env->err_alloc = -BPFRT_E2BIG;
        return NULL;
    }
    if (elem->st.parent)
        elem->st.parent->branches++;
    return &elem->st;
}

static int pop_stack(struct venv *env, int32_t *prev_insn_idx, int32_t *insn_idx, bool pop_log)
{
    struct vstack_elem *head = env->head;
    if (!head)
        return -BPFRT_ENOENT;
    bpfrt_v_move_verifier_state(env, env->cur_state, &head->st);
    if (pop_log)
        bpfrt_vlog_reset(env->log, head->log_pos);
    *insn_idx = head->insn_idx;
    *prev_insn_idx = head->prev_insn_idx;
    env->head = head->next;
    bpfrt_v_free_verifier_state(env, &head->st, false);
    bpfrt_v_free(env, head, sizeof(*head));
    env->stack_size--;
    return 0;
}

/* Reserved-field errors, with Linux's message, from the opcode table.
 * Register numbers and the frame pointer are left to check_reg_arg, which
 * reports them where Linux does. */
static int check_reserved_fields(struct venv *env)
{
    char msg[96];
    const struct bpf_insn *in = &env->insns[env->insn_idx];
    uint8_t *flags = &env->aux[env->insn_idx].flags;
    if (*flags & AUX_FIELDS_OK) /* they depend on the instruction alone */
        return 0;
    if (!bpfrt_isa_check_insn(in, env->len - (uint32_t)env->insn_idx, NULL, msg, sizeof(msg))) {
        *flags |= AUX_FIELDS_OK;
        return 0;
    }
    if (bpfrt_strcmp(msg, "frame pointer is read only") == 0 ||
        (msg[0] == 'R' && bpfrt_strncmp(msg + bpfrt_strlen(msg) - 11, " is invalid", 11) == 0))
        return 0;
    verbose(env, "%s\n", msg);
    return -BPFRT_EINVAL;
}

/* The JSON log's step, called only when a JSON log is asked for (twice
 * per processed instruction otherwise). */
static inline void json_step(struct venv *env, uint32_t idx, int32_t from, enum bpfrt_v_json_kind kind)
{
    if (env->args->json)
        bpfrt_v_json_step(env, idx, from, kind);
}

typedef int (*insn_check_fn)(struct venv *env, const struct bpfrt_dinsn *d, bool *do_print_state);

static int do_alu(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)dps;
    int err = check_reserved_fields(env);
    return err ? err : bpfrt_v_check_alu_op(env, d);
}

static int do_mem(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)dps;
    int err = check_reserved_fields(env);
    return err ? err : bpfrt_v_check_load_store(env, d);
}

static int do_ld_pkt(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)dps;
    return bpfrt_v_check_ld_abs(env, d);
}

static int do_ldimm(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)dps;
    int err = 0;
    /* the pair and its pseudo kind were checked with the map references */
    if (d->off) {
        verbose(env, "BPF_LD_IMM64 uses reserved fields\n");
        err = -BPFRT_EINVAL;
    }
    if (!err)
        err = bpfrt_v_check_ld_imm(env, d);
    if (!err) {
        env->insn_idx++; /* the second half */
        env->aux[env->insn_idx].seen = true;
    }
    return err;
}

static int do_ja(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)dps;
    int err = check_reserved_fields(env);
    if (err)
        return err;
    env->insn_idx = d->target;
    return INSN_DONE;
}

static int do_cond(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)dps;
    if (d->op == BPFRT_OP_MAY_GOTO) {
        int err = check_reserved_fields(env);
        if (err)
            return err;
    }
    return bpfrt_v_check_cond_jmp_op(env, d, &env->insn_idx);
}

static int do_call(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)dps;
    int err = check_reserved_fields(env);
    if (err)
        return err;
    if (env->cur_state->active_locks && d->op == BPFRT_OP_CALL_HELPER && d->imm != BPF_FUNC_spin_unlock) {
        verbose(env, "function calls are not allowed while holding a lock\n");
        return -BPFRT_EINVAL;
    }
    if (d->op == BPFRT_OP_CALL_LOCAL)
        err = bpfrt_v_check_func_call(env, d, &env->insn_idx);
    else if (d->op == BPFRT_OP_CALL_HELPER)
        err = bpfrt_v_check_helper_call(env, d, &env->insn_idx);
    else
        return -BPFRT_EINVAL;
    if (!err)
        bpfrt_v_mark_reg_scratched(env, BPF_REG_0);
    return err;
}

static int do_exit(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)d;
    int err = check_reserved_fields(env);
    if (err)
        return err;
    bool exit_path = false;
    err = bpfrt_v_process_exit(env, dps, &exit_path);
    if (err)
        return err;
    return exit_path ? PATH_EXIT : INSN_DONE;
}

static int do_bad(struct venv *env, const struct bpfrt_dinsn *d, bool *dps)
{
    (void)d;
    (void)dps;
    int err = check_reserved_fields(env);
    if (!err) {
        verbose(env, "unknown opcode %02x\n", env->insns[env->insn_idx].code);
        err = -BPFRT_EINVAL;
    }
    return err;
}

static const insn_check_fn insn_checks[] = {
    [BPFRT_K_BAD] = do_bad,
    [BPFRT_K_ALU] = do_alu,
    [BPFRT_K_MOVSX] = do_alu,
    [BPFRT_K_END] = do_alu,
    [BPFRT_K_JA] = do_ja,
    [BPFRT_K_JCOND] = do_cond,
    [BPFRT_K_CALL] = do_call,
    [BPFRT_K_EXIT] = do_exit,
    [BPFRT_K_MAY_GOTO] = do_cond,
    [BPFRT_K_LDDW] = do_ldimm,
    [BPFRT_K_LD_PKT] = do_ld_pkt,
    [BPFRT_K_LDX] = do_mem,
    [BPFRT_K_ST] = do_mem,
    [BPFRT_K_STX] = do_mem,
    [BPFRT_K_ATOMIC] = do_mem,
    [BPFRT_K_LDACQ] = do_mem,
    [BPFRT_K_STREL] = do_mem,
};

/* One instruction: INSN_NEXT (go to insn_idx + 1), INSN_DONE (insn_idx
 * already set), PATH_EXIT (the path ended), or a negative error. */
static int do_check_insn(struct venv *env, bool *do_print_state)
{
    const struct bpfrt_dinsn *d = &env->di[env->insn_idx];
    uint8_t kind = bpfrt_op_kind(d->op);
    if (kind == BPFRT_K_JA || kind == BPFRT_K_JCOND || kind == BPFRT_K_CALL || kind == BPFRT_K_EXIT ||
        kind == BPFRT_K_MAY_GOTO)
        env->jmps_processed++;
    return insn_checks[kind](env, d, do_print_state);
}

static int do_check(struct venv *env)
{
    bool pop_log = !log_level(env, BPF_LOG_LEVEL2);
    bool do_print_state = false;
    int32_t prev_insn_idx = -1;
    struct vstate *st = env->cur_state;

    for (;;) {
        env->cur_hist_ent = NULL;
        env->prev_insn_idx = prev_insn_idx;
        if (env->insn_idx < 0 || (uint32_t)env->insn_idx >= env->len) {
            verbose(env, "invalid insn idx %d insn_cnt %d\n", env->insn_idx, env->len);
            return -BPFRT_EFAULT;
        }
        if (++env->insn_processed > BPF_COMPLEXITY_LIMIT_INSNS) {
            verbose(env, "BPF program is too large. Processed %d insn\n", env->insn_processed);
            return -BPFRT_E2BIG;
        }
        st->last_insn_idx = env->prev_insn_idx;
        st->insn_idx = env->insn_idx;
        int err;
        if (env->aux[env->insn_idx].flags & AUX_PRUNE) {
            err = bpfrt_v_is_state_visited(env, env->insn_idx);
            if (err < 0)
                return err;
            if (err == 1) {
                json_step(env, (uint32_t)env->insn_idx, 0, VJSON_SAFE);
                if (log_level(env, BPF_LOG_LEVEL)) {
                    if (do_print_state)
                        verbose(env, "\nfrom %d to %d: safe\n", env->prev_insn_idx, env->insn_idx);
                    else
                        verbose(env, "%d: safe\n", env->insn_idx);
                }
                goto process_bpf_exit;
            }
        }
        if (env->aux[env->insn_idx].flags & AUX_JMP_POINT) {
            err = bpfrt_v_push_insn_history(env, st, 0, 0);
            if (err)
                return err;
        }
        if (log_level(env, BPF_LOG_LEVEL2) && do_print_state) {
            verbose(env, "\nfrom %d to %d:", env->prev_insn_idx, env->insn_idx);
            bpfrt_v_print_verifier_state(env, st, st->curframe, true);
            do_print_state = false;
        }
        if (log_level(env, BPF_LOG_LEVEL)) {
            if (bpfrt_v_state_scratched(env))
                bpfrt_v_print_insn_state(env, st, st->curframe);
            bpfrt_v_verbose_linfo(env, (uint32_t)env->insn_idx, "; ");
            env->prev_log_pos = bpfrt_vlog_pos(env->log);
            verbose(env, "%d: ", env->insn_idx);
            bpfrt_v_verbose_insn(env, (uint32_t)env->insn_idx);
            env->prev_insn_print_pos = bpfrt_vlog_pos(env->log) - env->prev_log_pos;
            env->prev_log_pos = bpfrt_vlog_pos(env->log);
        }
        env->aux[env->insn_idx].seen = true;
        prev_insn_idx = env->insn_idx;
        /* stack liveness: a subprogram's exit settles its chain before the
         * frame goes; writes are recorded per instruction */
        uint32_t frames = st->curframe;
        if (frames && bpfrt_op_kind(env->di[env->insn_idx].op) == BPFRT_K_EXIT)
            bpfrt_v_update_live_stack(env);
        bpfrt_v_live_insn_begin(env);
        err = do_check_insn(env, &do_print_state);
        if (err >= 0)
            bpfrt_v_live_insn_commit(env, st->curframe != frames);
        json_step(env, (uint32_t)prev_insn_idx, 0, err < 0 ? VJSON_REFUSED : VJSON_INSN);
        if (err < 0)
            return err;
        if (env->err_alloc)
            return env->err_alloc;
        if (err == INSN_NEXT) {
            env->insn_idx++;
            continue;
        }
        if (err == INSN_DONE)
            continue;
process_bpf_exit:
        bpfrt_v_mark_state_scratched(env);
        bpfrt_v_update_branch_counts(env, env->cur_state);
        bpfrt_v_update_live_stack(env);
        if (env->err_alloc)
            return env->err_alloc;
        err = pop_stack(env, &prev_insn_idx, &env->insn_idx, pop_log);
        if (err == -BPFRT_ENOENT)
            break;
        if (err)
            return err;
        env->json_path++;
        json_step(env, (uint32_t)env->insn_idx, prev_insn_idx, VJSON_PATH);
        do_print_state = true;
    }
    return 0;
}

/* do_check_common: the entry function (r1 the context) or a global
 * function on its own (arguments from its prototype); r10 the frame. */
int bpfrt_v_do_check_common(struct venv *env, uint32_t subprog)
{
    bool pop_log = !log_level(env, BPF_LOG_LEVEL2);
    struct vstate *st = bpfrt_v_zalloc(env, sizeof(*st));
    if (!st)
        return -BPFRT_ENOMEM;
    st->branches = 1;
    st->frame[0] = bpfrt_v_alloc_frame(env);
    if (!st->frame[0]) {
        bpfrt_v_free(env, st, sizeof(*st));
        return -BPFRT_ENOMEM;
    }
    env->cur_state = st;
    bpfrt_v_init_func_state(env, st->frame[0], BPF_MAIN_FUNC, 0, subprog);
    st->first_insn_idx = (int32_t)env->subprog[subprog].start;
    st->last_insn_idx = -1;
    env->insn_idx = st->first_insn_idx;
    env->prev_linfo = NULL;
    env->prev_log_pos = 0;
    int ret = 0;
    if (subprog) {
        ret = bpfrt_v_init_global_args(env, subprog, st->frame[0]->regs);
    } else {
        struct vreg *r1 = &st->frame[0]->regs[BPF_REG_1];
        r1->type = PTR_TO_CTX;
        bpfrt_v_mark_reg_known_zero(r1);
    }
    if (!ret) {
        if (env->json_path || subprog) /* a global function verified on its own: a new path */
            env->json_path++;
        json_step(env, (uint32_t)env->insn_idx, -1, VJSON_PATH);
        ret = do_check(env);
    }
    if (!ret && pop_log)
        bpfrt_vlog_reset(env->log, 0);
    /* free whatever is left: the current state and queued branches */
    while (env->head) {
        struct vstack_elem *next = env->head->next;
        bpfrt_v_free_verifier_state(env, &env->head->st, false);
        bpfrt_v_free(env, env->head, sizeof(*env->head));
        env->head = next;
    }
    bpfrt_v_free_verifier_state(env, env->cur_state, true);
    env->cur_state = NULL;
    bpfrt_v_free_explored(env); /* free_states: each pass prunes against its own */
    bpfrt_v_free(env, env->insn_hist, (size_t)env->insn_hist_cap * sizeof(*env->insn_hist));
    env->insn_hist = NULL;
    env->insn_hist_cap = 0;
    return ret;
}
