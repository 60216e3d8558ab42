/* Calls between functions of the program, callbacks, exits, references
 * and locks (Linux 6.18 verifier.c check_func_call, setup_func_entry,
 * set_callee_state, push_callback_call, set_loop_callback_state,
 * map_set_for_each_callback_args, prepare_func_exit, process_bpf_exit_full,
 * check_return_code, acquire_reference, release_reference,
 * check_resource_leak / check_reference_leak, process_spin_lock). */
#include "core/verifier/verifier.h"

/* ---- references (ring buffer records) and locks ---- */

static int grow_refs(struct venv *env, struct vstate *st)
{
    if (st->acquired_refs < st->refs_cap)
        return 0;
    uint32_t cap = st->refs_cap ? st->refs_cap * 2 : 4;
    struct vref *r = bpfrt_v_zalloc(env, cap * sizeof(*r));
    if (!r)
        return -BPFRT_ENOMEM;
    if (st->acquired_refs)
        bpfrt_memcpy(r, st->refs, st->acquired_refs * sizeof(*r));
    bpfrt_v_free(env, st->refs, st->refs_cap * sizeof(*r));
    st->refs = r;
    st->refs_cap = cap;
    return 0;
}

int bpfrt_v_acquire_reference(struct venv *env, uint32_t insn_idx)
{
    struct vstate *st = env->cur_state;
    int err = grow_refs(env, st);
    if (err)
        return err;
    struct vref *r = &st->refs[st->acquired_refs++];
    r->id = bpfrt_v_new_id(env);
    r->insn_idx = insn_idx;
    r->type = REF_TYPE_PTR;
    r->ptr = NULL;
    return (int)r->id;
}

/* release_reference_state: keeps the order (IRQ-state style memmove). */
static void remove_ref(struct vstate *st, uint32_t idx)
{
    uint32_t last = st->acquired_refs - 1;
    if (idx != last)
        bpfrt_memmove(&st->refs[idx], &st->refs[idx + 1], (last - idx) * sizeof(*st->refs));
    bpfrt_memset(&st->refs[last], 0, sizeof(*st->refs));
    st->acquired_refs--;
}

static void invalidate_ref(struct venv *env, struct vreg *reg, void *arg)
{
    if (reg->ref_obj_id == *(uint32_t *)arg)
        bpfrt_v_invalidate_reg(env, reg);
}

int bpfrt_v_release_reference(struct venv *env, uint32_t ref_obj_id)
{
    struct vstate *st = env->cur_state;
    for (uint32_t i = 0; i < st->acquired_refs; i++) {
        if (st->refs[i].type == REF_TYPE_PTR && st->refs[i].id == ref_obj_id) {
            remove_ref(st, i);
            bpfrt_v_for_each_reg(env, st, invalidate_ref, &ref_obj_id);
            return 0;
        }
    }
    return -BPFRT_EINVAL;
}

int bpfrt_v_check_resource_leak(struct venv *env, bool exception_exit, bool check_lock, const char *prefix)
{
    struct vstate *st = env->cur_state;
    if (check_lock && st->active_locks) {
        verbose(env, "%s cannot be used inside bpf_spin_lock-ed region\n", prefix);
        return -BPFRT_EINVAL;
    }
    if (!exception_exit && cur_func(env)->frameno)
        return 0;
    bool lingering = false;
    for (uint32_t i = 0; i < st->acquired_refs; i++) {
        if (st->refs[i].type != REF_TYPE_PTR)
            continue;
        verbose(env, "Unreleased reference id=%d alloc_insn=%d\n", st->refs[i].id, st->refs[i].insn_idx);
        lingering = true;
    }
    if (lingering) {
        verbose(env, "%s would lead to reference leak\n", prefix);
        return -BPFRT_EINVAL;
    }
    return 0;
}

/* process_spin_lock: bpf_spin_lock/unlock on the lock of a map value. */
int bpfrt_v_process_spin_lock(struct venv *env, uint32_t regno, bool is_lock)
{
    struct vstate *st = env->cur_state;
    const struct vreg *reg = &cur_regs(env)[regno];
    if (!bpfrt_tnum_is_const(reg->s.var_off)) {
        verbose(env, "R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset\n", regno);
        return -BPFRT_EINVAL;
    }
    const struct bpfrt_map *map = reg->map;
    if (!map->btf) {
        verbose(env, "map '%s' has to have BTF in order to use bpf_spin_lock\n", map->name);
        return -BPFRT_EINVAL;
    }
    if (map->spin_lock_off < 0) {
        verbose(env, "map '%s' has no valid bpf_spin_lock\n", map->name);
        return -BPFRT_EINVAL;
    }
    int64_t at = (int64_t)reg->s.var_off.value + reg->off;
    if (at != map->spin_lock_off) {
        verbose(env, "off %lld doesn't point to 'struct bpf_spin_lock' that is at %d\n", (long long)at,
                map->spin_lock_off);
        return -BPFRT_EINVAL;
    }
    if (is_lock) {
        if (st->active_locks) {
            verbose(env, "Locking two bpf_spin_locks are not allowed\n");
            return -BPFRT_EINVAL;
        }
        int err = grow_refs(env, st);
        if (err)
            return err;
        struct vref *r = &st->refs[st->acquired_refs++];
        r->id = reg->id;
        r->insn_idx = (uint32_t)env->insn_idx;
        r->type = REF_TYPE_LOCK;
        r->ptr = map;
        st->active_locks++;
        st->active_lock_id = reg->id;
        st->active_lock_ptr = map;
        return 0;
    }
    if (!st->active_locks) {
        verbose(env, "bpf_spin_unlock without taking a lock\n");
        return -BPFRT_EINVAL;
    }
    for (uint32_t i = 0; i < st->acquired_refs; i++) {
        struct vref *r = &st->refs[i];
        if (r->type == REF_TYPE_LOCK && r->id == reg->id && r->ptr == map) {
            remove_ref(st, i);
            st->active_locks--;
            st->active_lock_id = 0;
            st->active_lock_ptr = NULL;
            return 0;
        }
    }
    verbose(env, "bpf_spin_unlock of different lock\n");
    return -BPFRT_EINVAL;
}

/* ---- calls ---- */

static int setup_func_entry(struct venv *env, struct vstate *st, uint32_t subprog, int32_t callsite)
{
    if (st->curframe + 1 >= MAX_CALL_FRAMES) {
        verbose(env, "the call stack of %d frames is too deep\n", st->curframe + 2);
        return -BPFRT_E2BIG;
    }
    struct vframe *callee = bpfrt_v_alloc_frame(env);
    if (!callee)
        return -BPFRT_ENOMEM;
    bpfrt_v_init_func_state(env, callee, callsite, st->curframe + 1, subprog);
    st->frame[st->curframe + 1] = callee;
    return 0;
}

static void clear_caller_saved_regs(struct venv *env, struct vreg *regs)
{
    for (uint32_t i = 0; i < CALLER_SAVED_REGS; i++) {
        bpfrt_v_mark_reg_not_init(&regs[i]);
        bpfrt_v_mark_reg_scratched(env, i);
    }
}

int bpfrt_v_check_func_call(struct venv *env, const struct bpfrt_dinsn *d, int32_t *insn_idx)
{
    struct vstate *st = env->cur_state;
    int sub = bpfrt_v_find_subprog(env, (uint32_t)d->target);
    if (sub < 0)
        return -BPFRT_EFAULT;
    if (bpfrt_v_subprog_is_global(env, (uint32_t)sub))
        return bpfrt_v_call_global(env, (uint32_t)sub);
    struct vframe *caller = st->frame[st->curframe];
    int err = setup_func_entry(env, st, (uint32_t)sub, *insn_idx);
    if (err)
        return err;
    struct vframe *callee = st->frame[st->curframe + 1];
    for (int i = BPF_REG_1; i <= BPF_REG_5; i++)
        callee->regs[i] = caller->regs[i];
    st->curframe++;
    clear_caller_saved_regs(env, caller->regs);
    *insn_idx = (int32_t)env->subprog[sub].start - 1;
    if (log_level(env, BPF_LOG_LEVEL)) {
        verbose(env, "caller:\n");
        bpfrt_v_print_verifier_state(env, st, caller->frameno, true);
        verbose(env, "callee:\n");
        bpfrt_v_print_verifier_state(env, st, st->curframe, true);
    }
    return 0;
}

static bool map_has_for_each(const struct bpfrt_map *m)
{
    switch (m->map_type) {
    case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_ARRAY: case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_LRU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
        return true;
    default:
        return false;
    }
}

/* The callback body is queued as its own path, in a new frame, starting
 * from the state at the call; the current path continues after the call. */
int bpfrt_v_push_callback_call(struct venv *env, uint32_t insn_idx, uint32_t subprog, uint32_t func_id)
{
    struct vframe *caller = cur_func(env);
    env->subprog[subprog].is_cb = true;
    if (func_id == BPF_FUNC_for_each_map_elem) {
        const struct bpfrt_map *map = caller->regs[BPF_REG_1].map;
        if (!map || !map_has_for_each(map)) {
            verbose(env, "callback function not allowed for map\n");
            return -BPFRT_ENOTSUPP;
        }
    }
    struct vstate *cb = bpfrt_v_push_stack(env, (int32_t)env->subprog[subprog].start, (int32_t)insn_idx);
    if (!cb)
        return env->err_alloc ? env->err_alloc : -BPFRT_EFAULT;
    int err = setup_func_entry(env, cb, subprog, (int32_t)insn_idx);
    if (err)
        return err;
    struct vframe *cbcaller = cb->frame[cb->curframe], *callee = cb->frame[cb->curframe + 1];
    if (func_id == BPF_FUNC_loop) {
        callee->regs[BPF_REG_1].type = SCALAR_VALUE;
        callee->regs[BPF_REG_2] = cbcaller->regs[BPF_REG_3];
    } else if (func_id == BPF_FUNC_user_ringbuf_drain) {
        /* set_user_ringbuf_callback_state: a local dynptr over the sample */
        bpfrt_v_mark_dynptr_cb_reg(env, &callee->regs[BPF_REG_1], BPF_DYNPTR_TYPE_LOCAL);
        callee->regs[BPF_REG_2] = cbcaller->regs[BPF_REG_3];
    } else {
        const struct bpfrt_map *map = cbcaller->regs[BPF_REG_1].map;
        callee->regs[BPF_REG_1] = cbcaller->regs[BPF_REG_1];
        callee->regs[BPF_REG_2].type = PTR_TO_MAP_KEY;
        bpfrt_v_mark_reg_known_zero(&callee->regs[BPF_REG_2]);
        callee->regs[BPF_REG_2].map = map;
        callee->regs[BPF_REG_3].type = PTR_TO_MAP_VALUE;
        bpfrt_v_mark_reg_known_zero(&callee->regs[BPF_REG_3]);
        callee->regs[BPF_REG_3].map = map;
        callee->regs[BPF_REG_4] = cbcaller->regs[BPF_REG_3];
    }
    callee->in_callback_fn = true;
    callee->cb_ret_min = 0;
    callee->cb_ret_max = 1;
    cb->curframe++;
    cb->callback_unroll_depth++;
    cb->frame[cb->curframe - 1]->callback_depth++;
    caller->callback_depth = 0;
    return 0;
}

static void verbose_invalid_scalar(struct venv *env, const struct vreg *reg, int32_t min, int32_t max,
                                   const char *ctx, const char *reg_name)
{
    bool unknown = true;
    verbose(env, "%s the register %s has", ctx, reg_name);
    if (reg->s.smin_value > INT64_MIN) {
        verbose(env, " smin=%lld", (long long)reg->s.smin_value);
        unknown = false;
    }
    if (reg->s.smax_value < INT64_MAX) {
        verbose(env, " smax=%lld", (long long)reg->s.smax_value);
        unknown = false;
    }
    if (unknown)
        verbose(env, " unknown scalar value");
    verbose(env, " should have been in [%d, %d]\n", min, max);
}

static int prepare_func_exit(struct venv *env, int32_t *insn_idx)
{
    struct vstate *st = env->cur_state;
    struct vframe *callee = st->frame[st->curframe], *caller = st->frame[st->curframe - 1];
    struct vreg *r0 = &callee->regs[BPF_REG_0];
    if (r0->type == PTR_TO_STACK) {
        verbose(env, "cannot return stack pointer to the caller\n");
        return -BPFRT_EINVAL;
    }
    bool in_cb = callee->in_callback_fn;
    if (in_cb) {
        if (r0->type != SCALAR_VALUE) {
            verbose(env, "R0 not a scalar value\n");
            return -BPFRT_EACCES;
        }
        int err = bpfrt_v_mark_chain_precision(env, BPF_REG_0);
        if (err)
            return err;
        if (r0->s.smin_value < callee->cb_ret_min || r0->s.smax_value > callee->cb_ret_max) {
            verbose_invalid_scalar(env, r0, callee->cb_ret_min, callee->cb_ret_max, "At callback return", "R0");
            return -BPFRT_EINVAL;
        }
        *insn_idx = callee->callsite;
    } else {
        caller->regs[BPF_REG_0] = *r0;
        *insn_idx = callee->callsite + 1;
    }
    if (log_level(env, BPF_LOG_LEVEL)) {
        verbose(env, "returning from callee:\n");
        bpfrt_v_print_verifier_state(env, st, callee->frameno, true);
        verbose(env, "to caller at %d:\n", *insn_idx);
        bpfrt_v_print_verifier_state(env, st, caller->frameno, true);
    }
    bpfrt_v_free_frame(env, callee);
    st->frame[st->curframe--] = NULL;
    if (in_cb) {
        /* so callbacks that count iterations converge */
        const struct vstate *prev = bpfrt_v_find_prev_entry(env, st, *insn_idx);
        if (prev)
            bpfrt_v_widen_imprecise_scalars(prev, st);
    }
    return 0;
}

/* check_return_code for the entry function: R0 readable, and in the
 * range the program type's row gives (most types take any value). */
static int check_return_code(struct venv *env)
{
    int err = bpfrt_v_check_reg_arg(env, BPF_REG_0, SRC_OP);
    if (!err)
        err = bpfrt_v_unpriv_leak(env, BPF_REG_0, "as return value");
    if (err)
        return err;
    if (cur_func(env)->subprogno) { /* a global function verified alone */
        const struct vreg *r0 = &cur_regs(env)[BPF_REG_0];
        if (r0->type != SCALAR_VALUE) {
            verbose(env, "At subprogram exit the register R0 is not a scalar value (%s)\n",
                    bpfrt_v_reg_type_str(env, r0->type, r0->flags));
            return -BPFRT_EINVAL;
        }
        return 0;
    }
    struct bpfrt_retval rv = bpfrt_prog_type_retval(env->prog_type, env->args->expected_attach_type);
    if (rv.kind != BPFRT_RETVAL_RANGE)
        return 0;
    const struct vreg *reg = &cur_regs(env)[BPF_REG_0];
    if (reg->type != SCALAR_VALUE) {
        verbose(env, "At program exit the register R0 is not a known value (%s)\n",
                bpfrt_v_reg_type_str(env, reg->type, reg->flags));
        return -BPFRT_EINVAL;
    }
    err = bpfrt_v_mark_chain_precision(env, BPF_REG_0);
    if (err)
        return err;
    if (reg->s.smin_value < rv.min || reg->s.smax_value > rv.max) {
        verbose_invalid_scalar(env, reg, rv.min, rv.max, "At program exit", "R0");
        return -BPFRT_EINVAL;
    }
    return 0;
}

/* bpf_tail_call in a subprogram (6.18's check_helper_call): a successful
 * call never comes back but returns the target's r0 to the subprogram's
 * caller, so the walk goes on there with r0 unknown and packet pointers the
 * target may have moved cleared; the failed call goes on after the
 * instruction, queued with everything intact. */
int bpfrt_v_tail_call_return(struct venv *env, int32_t *insn_idx)
{
    if (!bpfrt_v_push_stack(env, *insn_idx + 1, *insn_idx))
        return env->err_alloc ? env->err_alloc : -BPFRT_EFAULT;
    bpfrt_v_clear_all_pkt_pointers(env);
    bpfrt_v_mark_reg_unknown(&cur_regs(env)[BPF_REG_0]);
    bpfrt_v_update_live_stack(env);
    int err = prepare_func_exit(env, insn_idx);
    if (err)
        return err;
    (*insn_idx)--; /* the walk steps to the instruction after the call site */
    return 0;
}

/* process_bpf_exit_full: 1 when the path ended, 0 when it returned to a caller. */
int bpfrt_v_process_exit(struct venv *env, bool *do_print_state, bool *exit_path)
{
    struct vstate *st = env->cur_state;
    int err = bpfrt_v_check_resource_leak(env, false, !st->curframe, "BPF_EXIT instruction in main prog");
    if (err)
        return err;
    if (st->curframe) {
        err = prepare_func_exit(env, &env->insn_idx);
        if (err)
            return err;
        *do_print_state = true;
        *exit_path = false;
        return 0;
    }
    err = check_return_code(env);
    if (err)
        return err;
    *exit_path = true;
    return 0;
}
