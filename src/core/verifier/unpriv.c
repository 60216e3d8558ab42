/* The rules for a loader without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN
 * (prog_flags BPFRT_PROG_F_UNPRIV): Linux 6.18 verifier.c with
 * env->bpf_capable, allow_ptr_leaks, allow_uninit_stack, bypass_spec_v1 and
 * bypass_spec_v4 all false, and syscall.c bpf_prog_load's checks for such a
 * loader. Pointers may not leak - not stored into maps, the context,
 * packets or memory, not passed to helpers as numbers, not returned, not
 * compared except for NULL checks and packet ranges, not truncated
 * (__is_pointer_value and its callers); pointer arithmetic must stay
 * within what Spectre v1 masking can bound (retrieve_ptr_limit,
 * sanitize_ptr_alu, sanitize_val_alu, sanitize_check_bounds,
 * check_stack_access_for_ptr_arithmetic, sanitize_err); no back-edges
 * (check_cfg's visit), no bpf-to-bpf calls or callbacks
 * (add_subprog_and_kfunc), no helpers past bpf_base_func_proto's
 * unprivileged group; programs of at most 4,096 instructions and only
 * socket filters and cgroup skb programs. The checks at the call sites
 * in alu.c, branch.c, mem.c, memops.c, stack.c, call.c, cfg.c,
 * subprog.c and subcall.c call in here; the walk of speculative paths
 * Linux adds is not modelled (since 6.17 an error on such a path only
 * inserts a barrier, so it does not change verdicts). */
#include "core/verifier/verifier.h"

#define BPF_MAXINSNS 4096

/* bpf_alu_sanitation state bits (Linux's BPF_ALU_*) */
enum {
    ALU_SANITIZE_SRC = 1u << 0,
    ALU_SANITIZE_DST = 1u << 1,
    ALU_NEG_VALUE = 1u << 2,
    ALU_NON_POINTER = 1u << 3,
    ALU_IMMEDIATE = 1u << 4,
};

/* sanitize_err's reasons */
enum { REASON_BOUNDS = -1, REASON_TYPE = -2, REASON_PATHS = -3, REASON_LIMIT = -4 };

int bpfrt_verify_unpriv_load_check(uint32_t prog_type, uint32_t insn_cnt)
{
    if (insn_cnt == 0 || insn_cnt > BPF_MAXINSNS)
        return -BPFRT_E2BIG;
    if (prog_type != BPF_PROG_TYPE_SOCKET_FILTER && prog_type != BPF_PROG_TYPE_CGROUP_SKB)
        return -BPFRT_EPERM;
    return 0;
}

int bpfrt_v_unpriv_leak(struct venv *env, int regno, const char *how)
{
    if (regno < 0 || !bpfrt_v_is_pointer_value(env, (uint32_t)regno))
        return 0;
    verbose(env, "R%d leaks addr %s\n", regno, how);
    return -BPFRT_EACCES;
}

/* check_mem_access: a store of a pointer anywhere but the stack leaks it. */
int bpfrt_v_unpriv_store(struct venv *env, const struct vreg *ptr, bool write, int value_regno)
{
    if (!env->unpriv || !write || value_regno < 0)
        return 0;
    const char *into;
    switch (ptr->type) {
    case PTR_TO_MAP_VALUE: into = "into map"; break;
    case PTR_TO_MEM: into = "into mem"; break;
    case PTR_TO_CTX: into = "into ctx"; break;
    case PTR_TO_PACKET: case PTR_TO_PACKET_META: into = "into packet"; break;
    case PTR_TO_FLOW_KEYS: into = "into flow keys"; break;
    default: return 0;
    }
    return bpfrt_v_unpriv_leak(env, value_regno, into);
}

/* check_alu_op's pointer checks before the operation: byte swaps and
 * negation of pointers, 32-bit and sign-extending copies of them. */
int bpfrt_v_unpriv_alu(struct venv *env, const struct bpfrt_dinsn *d)
{
    if (!env->unpriv)
        return 0;
    const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
    bool is_k = oi->flags & BPFRT_OPF_K;
    if (oi->kind == BPFRT_K_END || oi->alu == BPFRT_ALU_NEG) {
        if (bpfrt_v_is_pointer_value(env, d->dst)) {
            verbose(env, "R%d pointer arithmetic prohibited\n", d->dst);
            return -BPFRT_EACCES;
        }
        return 0;
    }
    if (oi->alu == BPFRT_ALU_MOV) {
        if (is_k || !bpfrt_v_is_pointer_value(env, d->src))
            return 0;
        if (oi->flags & BPFRT_OPF_32) {
            verbose(env, "R%d partial copy of pointer\n", d->src);
            return -BPFRT_EACCES;
        }
        if (oi->kind == BPFRT_K_MOVSX) {
            verbose(env, "R%d sign-extension part of pointer\n", d->src);
            return -BPFRT_EACCES;
        }
        return 0;
    }
    return 0;
}

/* sanitize_err */
static int sanitize_err(struct venv *env, const struct bpfrt_dinsn *d, int reason, bool off_is_dst)
{
    static const char *const tail = "pointer arithmetic with it prohibited for !root";
    const char *op = bpfrt_op_info[d->op].alu == BPFRT_ALU_ADD ? "add" : "sub";
    switch (reason) {
    case REASON_BOUNDS:
        verbose(env, "R%d has unknown scalar with mixed signed bounds, %s\n", off_is_dst ? d->dst : d->src, tail);
        break;
    case REASON_TYPE:
        verbose(env, "R%d has pointer with unsupported alu operation, %s\n", off_is_dst ? d->src : d->dst, tail);
        break;
    case REASON_PATHS:
        verbose(env, "R%d tried to %s from different maps, paths or scalars, %s\n", d->dst, op, tail);
        break;
    default:
        verbose(env, "R%d tried to %s beyond pointer bounds, %s\n", d->dst, op, tail);
        break;
    }
    return -BPFRT_EACCES;
}

/* update_alu_sanitation_state: one instruction masks one way on every
 * path, or it cannot be masked at all. */
static int update_alu_state(struct vaux *aux, uint8_t state, uint32_t limit)
{
    if (aux->alu_state && (aux->alu_state != state || aux->alu_limit != limit))
        return REASON_PATHS;
    aux->alu_state = state;
    aux->alu_limit = limit;
    return 0;
}

static bool sanitize_needed(const struct bpfrt_dinsn *d)
{
    uint8_t alu = bpfrt_op_info[d->op].alu;
    return (alu == BPFRT_ALU_ADD || alu == BPFRT_ALU_SUB) && !(bpfrt_op_info[d->op].flags & BPFRT_OPF_K);
}

/* sanitize_val_alu: scalar add/sub of two registers. */
int bpfrt_v_unpriv_val_alu(struct venv *env, const struct bpfrt_dinsn *d)
{
    if (!env->unpriv || !sanitize_needed(d))
        return 0;
    int r = update_alu_state(&env->aux[env->insn_idx], ALU_NON_POINTER, 0);
    return r ? sanitize_err(env, d, r, false) : 0;
}

/* retrieve_ptr_limit: how far the pointer may move the way the mask
 * points. Unsigned 32-bit, as Linux computes it: a limit that went
 * negative is past any maximum. */
static int retrieve_ptr_limit(const struct vreg *ptr, uint32_t *limit, bool mask_to_left)
{
    uint32_t max, ptr_limit;
    switch (ptr->type) {
    case PTR_TO_STACK:
        max = MAX_BPF_STACK + mask_to_left;
        ptr_limit = (uint32_t) - (ptr->s.var_off.value + (uint64_t)(int64_t)ptr->off);
        break;
    case PTR_TO_MAP_VALUE:
        max = ptr->map ? ptr->map->value_size : 0;
        ptr_limit = (uint32_t)((mask_to_left ? (uint64_t)ptr->s.smin_value : ptr->s.umax_value) +
                               (uint64_t)(int64_t)ptr->off);
        break;
    default:
        return REASON_TYPE;
    }
    if (ptr_limit >= max)
        return REASON_LIMIT;
    *limit = ptr_limit;
    return 0;
}

/* sanitize_ptr_alu, both phases: before the operation (commit false) the
 * offset must have one sign and the pointer a masking limit; after it
 * (commit true) the instruction's record must agree with every other
 * path's. */
int bpfrt_v_unpriv_ptr_alu(struct venv *env, const struct bpfrt_dinsn *d, const struct vreg *ptr,
                           const struct vreg *off, bool ptr_is_dst, struct vsanitize *info, bool commit)
{
    if (!env->unpriv || !sanitize_needed(d))
        return 0;
    bool off_is_imm = bpfrt_tnum_is_const(off->s.var_off), off_is_neg = off->s.smin_value < 0;
    bool add = bpfrt_op_info[d->op].alu == BPFRT_ALU_ADD;
    if (!commit) {
        if (!off_is_imm && (off->s.smin_value < 0) != (off->s.smax_value < 0))
            return sanitize_err(env, d, REASON_BOUNDS, !ptr_is_dst);
        info->mask_to_left = (add && off_is_neg) || (!add && !off_is_neg);
    }
    uint32_t limit = 0;
    int r = retrieve_ptr_limit(ptr, &limit, info->mask_to_left);
    if (r)
        return sanitize_err(env, d, r, !ptr_is_dst);
    if (commit) {
        int64_t diff = (int64_t)info->alu_limit - (int64_t)limit;
        r = update_alu_state(&env->aux[env->insn_idx], info->alu_state, (uint32_t)(diff < 0 ? -diff : diff));
        return r ? sanitize_err(env, d, r, !ptr_is_dst) : 0;
    }
    info->alu_state = (uint8_t)((off_is_neg ? ALU_NEG_VALUE : 0) | (off_is_imm ? ALU_IMMEDIATE : 0) |
                                (ptr_is_dst ? ALU_SANITIZE_SRC : ALU_SANITIZE_DST));
    if (!off_is_imm)
        env->explore_alu_limits = true; /* other paths' masks must be compared, not pruned */
    info->alu_limit = limit;
    return 0;
}

/* sanitize_check_bounds: after any arithmetic on a stack or map value
 * pointer, the result must be in bounds (so later accesses can be
 * masked). */
int bpfrt_v_unpriv_check_bounds(struct venv *env, uint32_t regno)
{
    if (!env->unpriv)
        return 0;
    const struct vreg *dst = &cur_regs(env)[regno];
    if (dst->type == PTR_TO_STACK) {
        int64_t off = dst->off + (int64_t)dst->s.var_off.value;
        if (!bpfrt_tnum_is_const(dst->s.var_off)) {
            char tn[48];
            bpfrt_tnum_strn(tn, sizeof(tn), dst->s.var_off);
            verbose(env, "R%d variable stack access prohibited for !root, var_off=%s off=%lld\n", regno, tn,
                    (long long)off);
            return -BPFRT_EACCES;
        }
        if (off >= 0 || off < -MAX_BPF_STACK) {
            verbose(env, "R%d stack pointer arithmetic goes out of range, prohibited for !root; off=%lld\n", regno,
                    (long long)off);
            return -BPFRT_EACCES;
        }
    } else if (dst->type == PTR_TO_MAP_VALUE) {
        if (bpfrt_v_check_map_access(env, regno, dst->off, 1, false, true)) {
            verbose(env, "R%d pointer arithmetic of map value goes out of range, prohibited for !root\n", regno);
            return -BPFRT_EACCES;
        }
    }
    return 0;
}

/* check_cond_jmp_op: pointers may only be compared with each other as
 * packet pointers, or with 0 as a NULL check. */
int bpfrt_v_unpriv_cmp(struct venv *env, uint32_t regno)
{
    if (!bpfrt_v_is_pointer_value(env, regno))
        return 0;
    verbose(env, "R%d pointer comparison prohibited\n", regno);
    return -BPFRT_EACCES;
}

/* check_cfg: a loop needs CAP_BPF. */
int bpfrt_v_unpriv_back_edge(struct venv *env, uint32_t from, uint32_t to)
{
    if (!env->unpriv)
        return 0;
    bpfrt_v_verbose_linfo(env, from, NULL);
    bpfrt_v_verbose_linfo(env, to, NULL);
    verbose(env, "back-edge from insn %u to %u\n", from, to);
    return -BPFRT_EINVAL;
}

/* add_subprog_and_kfunc: calls and callbacks need CAP_BPF. */
int bpfrt_v_unpriv_call(struct venv *env)
{
    if (!env->unpriv)
        return 0;
    verbose(env, "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN\n");
    return -BPFRT_EPERM;
}

/* do_misc_fixups: an unprivileged tail call must index one prog array on
 * every path (its index is masked against that array's size). bpfrt's
 * maps count as created by the same loader. */
int bpfrt_v_unpriv_check_tail_calls(struct venv *env)
{
    for (uint32_t i = 0; env->unpriv && i < env->len; i++)
        if (env->aux[i].seen && env->di[i].op == BPFRT_OP_CALL_HELPER && env->di[i].imm == BPF_FUNC_tail_call &&
            env->aux[i].map_poisoned) {
            verbose(env, "tail_call abusing map_ptr\n");
            return -BPFRT_EINVAL;
        }
    return 0;
}

/* bpf_base_func_proto past its unprivileged group: the helpers that need
 * CAP_BPF, then those that need CAP_PERFMON (the ones bpfrt provides for
 * the two program types an unprivileged loader may use). */
static const int32_t capable_helpers[] = {
    BPF_FUNC_spin_lock, BPF_FUNC_spin_unlock, BPF_FUNC_jiffies64, BPF_FUNC_per_cpu_ptr, BPF_FUNC_this_cpu_ptr,
    BPF_FUNC_timer_init, BPF_FUNC_timer_set_callback, BPF_FUNC_timer_start, BPF_FUNC_timer_cancel,
    BPF_FUNC_kptr_xchg, BPF_FUNC_for_each_map_elem, BPF_FUNC_loop, BPF_FUNC_user_ringbuf_drain,
    BPF_FUNC_ringbuf_reserve_dynptr, BPF_FUNC_ringbuf_submit_dynptr, BPF_FUNC_ringbuf_discard_dynptr,
    BPF_FUNC_dynptr_from_mem, BPF_FUNC_dynptr_read, BPF_FUNC_dynptr_write, BPF_FUNC_dynptr_data,
    BPF_FUNC_cgrp_storage_get, BPF_FUNC_cgrp_storage_delete, BPF_FUNC_get_current_cgroup_id,
    BPF_FUNC_get_current_ancestor_cgroup_id, BPF_FUNC_current_task_under_cgroup, BPF_FUNC_task_storage_get,
    BPF_FUNC_task_storage_delete,
    /* CAP_PERFMON */
    BPF_FUNC_trace_printk, BPF_FUNC_get_current_task, BPF_FUNC_get_current_task_btf, BPF_FUNC_get_current_comm,
    BPF_FUNC_probe_read_user, BPF_FUNC_probe_read_kernel, BPF_FUNC_probe_read_user_str,
    BPF_FUNC_probe_read_kernel_str, BPF_FUNC_copy_from_user, BPF_FUNC_copy_from_user_task, BPF_FUNC_snprintf_btf,
    BPF_FUNC_snprintf, BPF_FUNC_task_pt_regs, BPF_FUNC_trace_vprintk, BPF_FUNC_perf_event_read_value,
    BPF_FUNC_perf_event_read, BPF_FUNC_send_signal, BPF_FUNC_send_signal_thread, BPF_FUNC_get_task_stack,
    BPF_FUNC_get_branch_snapshot,
};

bool bpfrt_v_unpriv_helper_denied(const struct venv *env, int32_t id)
{
    if (!env->unpriv)
        return false;
    for (size_t i = 0; i < sizeof(capable_helpers) / sizeof(capable_helpers[0]); i++)
        if (capable_helpers[i] == id)
            return true;
    return false;
}
