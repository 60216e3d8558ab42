/* Loads, stores and the other memory instructions (Linux 6.18 verifier.c
 * check_load_mem, check_store_reg, the BPF_ST path of do_check_insn,
 * check_atomic_rmw, check_atomic_load/store, save_aux_ptr_type,
 * check_ld_abs, check_ld_imm). */
#include "bpfrt/btf.h"
#include "core/verifier/verifier.h"

/* An instruction must touch the same kind of pointer on every path when
 * one of them is the context or a socket (it gets rewritten). */
static bool reg_type_mismatch_ok(uint8_t t)
{
    switch (t) {
    case PTR_TO_CTX:
    case PTR_TO_SOCKET:
    case PTR_TO_SOCK_COMMON:
    case PTR_TO_TCP_SOCK:
    case PTR_TO_XDP_SOCK:
    case PTR_TO_BTF_ID:
    case PTR_TO_ARENA:
        return false;
    default:
        return true;
    }
}

static int save_aux_ptr_type(struct venv *env, uint8_t type)
{
    struct vaux *aux = &env->aux[env->insn_idx];
    if (!aux->ptr_type_set) {
        aux->ptr_type_set = true;
        aux->ptr_type = type;
    } else if (type != aux->ptr_type && (!reg_type_mismatch_ok(type) || !reg_type_mismatch_ok(aux->ptr_type))) {
        verbose(env, "same insn cannot be used with different pointers\n");
        return -BPFRT_EINVAL;
    }
    return 0;
}

/* A load is a probe (through a kernel pointer: BPF_PROBE_MEM) on every path
 * or on none. The kernel here (6.18.44) refuses untrusted read-only memory
 * sharing a load with another pointer kind, as save_aux_ptr_type does for
 * the kinds it rewrites; PTR_TO_BTF_ID is one of those already. */
static int save_probe_load(struct venv *env, bool probe)
{
    struct vaux *aux = &env->aux[env->insn_idx];
    if (probe ? aux->plain_load : aux->probe_load) {
        verbose(env, "same insn cannot be used with different pointers\n");
        return -BPFRT_EINVAL;
    }
    if (probe)
        aux->probe_load = true;
    else
        aux->plain_load = true;
    return 0;
}

static int check_load_mem(struct venv *env, const struct bpfrt_dinsn *d, bool strict, bool is_ldsx)
{
    int err = bpfrt_v_check_reg_arg(env, d->src, SRC_OP);
    if (!err)
        err = bpfrt_v_check_reg_arg(env, d->dst, DST_OP_NO_MARK);
    if (err)
        return err;
    uint8_t src_type = cur_regs(env)[d->src].type;
    bool probe = bpfrt_v_probe_ptr(&cur_regs(env)[d->src]); /* before dst (maybe src) changes */
    err = bpfrt_v_check_mem_access(env, env->insn_idx, d->src, d->off, d->size, false, d->dst, strict, is_ldsx);
    if (!err)
        err = save_aux_ptr_type(env, src_type);
    if (!err)
        err = save_probe_load(env, probe);
    if (!err)
        bpfrt_v_reg_bounds_sanity_check(env, &cur_regs(env)[d->dst], "ldx");
    return err;
}

static int check_store_reg(struct venv *env, const struct bpfrt_dinsn *d, bool strict)
{
    int err = bpfrt_v_check_reg_arg(env, d->src, SRC_OP);
    if (!err)
        err = bpfrt_v_check_reg_arg(env, d->dst, SRC_OP);
    if (err)
        return err;
    uint8_t dst_type = cur_regs(env)[d->dst].type;
    err = bpfrt_v_check_mem_access(env, env->insn_idx, d->dst, d->off, d->size, true, d->src, strict, false);
    return err ? err : save_aux_ptr_type(env, dst_type);
}

static bool atomic_ptr_type_ok(const struct vreg *r)
{
    return r->type != PTR_TO_CTX && !type_is_pkt_pointer(r->type) && r->type != PTR_TO_FLOW_KEYS &&
           !type_is_sk_pointer(r->type);
}

int bpfrt_v_check_atomic(struct venv *env, const struct bpfrt_dinsn *d)
{
    const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
    int err;
    if (oi->kind == BPFRT_K_LDACQ) {
        err = check_load_mem(env, d, true, false);
        if (err)
            return err;
        const struct vreg *r = &cur_regs(env)[d->src];
        if (!atomic_ptr_type_ok(r)) {
            verbose(env, "BPF_ATOMIC loads from R%d %s is not allowed\n", d->src,
                    bpfrt_v_reg_type_str(env, r->type, r->flags));
            return -BPFRT_EACCES;
        }
        return 0;
    }
    if (oi->kind == BPFRT_K_STREL) {
        err = check_store_reg(env, d, true);
        if (err)
            return err;
        const struct vreg *r = &cur_regs(env)[d->dst];
        if (!atomic_ptr_type_ok(r)) {
            verbose(env, "BPF_ATOMIC stores into R%d %s is not allowed\n", d->dst,
                    bpfrt_v_reg_type_str(env, r->type, r->flags));
            return -BPFRT_EACCES;
        }
        return 0;
    }
    /* read-modify-write */
    err = bpfrt_v_check_reg_arg(env, d->src, SRC_OP);
    if (!err)
        err = bpfrt_v_check_reg_arg(env, d->dst, SRC_OP);
    if (!err && oi->alu == BPFRT_ALU_CMPXCHG)
        err = bpfrt_v_check_reg_arg(env, BPF_REG_0, SRC_OP);
    if (!err && oi->alu == BPFRT_ALU_CMPXCHG)
        err = bpfrt_v_unpriv_leak(env, BPF_REG_0, "into mem");
    if (!err)
        err = bpfrt_v_unpriv_leak(env, d->src, "into mem");
    if (err)
        return err;
    const struct vreg *dr = &cur_regs(env)[d->dst];
    if (!atomic_ptr_type_ok(dr)) {
        verbose(env, "BPF_ATOMIC stores into R%d %s is not allowed\n", d->dst,
                bpfrt_v_reg_type_str(env, dr->type, dr->flags));
        return -BPFRT_EACCES;
    }
    int load_reg = -1;
    if (oi->flags & BPFRT_OPF_FETCH) {
        load_reg = oi->alu == BPFRT_ALU_CMPXCHG ? BPF_REG_0 : d->src;
        err = bpfrt_v_check_reg_arg(env, (uint32_t)load_reg, DST_OP);
        if (err)
            return err;
    }
    err = bpfrt_v_check_mem_access(env, env->insn_idx, d->dst, d->off, d->size, false, -1, true, false);
    if (!err && load_reg >= 0)
        err = bpfrt_v_check_mem_access(env, env->insn_idx, d->dst, d->off, d->size, false, load_reg, true, false);
    if (!err)
        err = bpfrt_v_check_mem_access(env, env->insn_idx, d->dst, d->off, d->size, true, -1, true, false);
    return err;
}

int bpfrt_v_check_load_store(struct venv *env, const struct bpfrt_dinsn *d)
{
    switch (bpfrt_op_kind(d->op)) {
    case BPFRT_K_LDX:
        return check_load_mem(env, d, false, bpfrt_op_info[d->op].flags & BPFRT_OPF_SIGNED);
    case BPFRT_K_STX:
        return check_store_reg(env, d, false);
    case BPFRT_K_ST: {
        int err = bpfrt_v_check_reg_arg(env, d->dst, SRC_OP);
        if (err)
            return err;
        uint8_t dst_type = cur_regs(env)[d->dst].type;
        err = bpfrt_v_check_mem_access(env, env->insn_idx, d->dst, d->off, d->size, true, -1, false, false);
        return err ? err : save_aux_ptr_type(env, dst_type);
    }
    default:
        return bpfrt_v_check_atomic(env, d);
    }
}

/* LD_ABS / LD_IND: socket filters and tc only; r6 the context; r1-r5
 * clobbered, r0 the loaded bytes. */
int bpfrt_v_check_ld_abs(struct venv *env, const struct bpfrt_dinsn *d)
{
    uint32_t t = env->prog_type;
    if (t != BPF_PROG_TYPE_SOCKET_FILTER && t != BPF_PROG_TYPE_SCHED_CLS && t != BPF_PROG_TYPE_SCHED_ACT) {
        verbose(env, "BPF_LD_[ABS|IND] instructions not allowed for this program type\n");
        return -BPFRT_EINVAL;
    }
    const struct bpf_insn *in = &env->insns[env->insn_idx];
    bool abs = bpfrt_op_info[d->op].flags & BPFRT_OPF_K;
    if (in->dst_reg || in->off || (abs && in->src_reg)) {
        verbose(env, "BPF_LD_[ABS|IND] uses reserved fields\n");
        return -BPFRT_EINVAL;
    }
    int err = bpfrt_v_check_reg_arg(env, BPF_REG_6, SRC_OP);
    if (err)
        return err;
    err = bpfrt_v_check_resource_leak(env, false, true, "BPF_LD_[ABS|IND]");
    if (err)
        return err;
    struct vreg *regs = cur_regs(env);
    if (regs[BPF_REG_6].type != PTR_TO_CTX) {
        verbose(env, "at the time of BPF_LD_ABS|IND R6 != pointer to skb\n");
        return -BPFRT_EINVAL;
    }
    if (!abs) {
        err = bpfrt_v_check_reg_arg(env, d->src, SRC_OP);
        if (err)
            return err;
    }
    const struct vreg *r6 = &regs[BPF_REG_6];
    if (r6->off < 0) {
        verbose(env, "negative offset ctx ptr R6 off=%d disallowed\n", r6->off);
        return -BPFRT_EACCES;
    }
    if (r6->off) {
        verbose(env, "dereference of modified ctx ptr R6 off=%d disallowed\n", r6->off);
        return -BPFRT_EACCES;
    }
    for (uint32_t i = 0; i < CALLER_SAVED_REGS; i++) {
        bpfrt_v_mark_reg_not_init(&regs[i]);
        bpfrt_v_mark_reg_scratched(env, i);
    }
    bpfrt_v_mark_reg_unknown(&regs[BPF_REG_0]);
    return 0;
}

/* ld_imm64: a constant, a map, a map value or a callback. */
int bpfrt_v_check_ld_imm(struct venv *env, const struct bpfrt_dinsn *d)
{
    int err = bpfrt_v_check_reg_arg(env, d->dst, DST_OP);
    if (err)
        return err;
    struct vreg *dst = &cur_regs(env)[d->dst];
    if (d->src == 0) {
        dst->type = SCALAR_VALUE;
        bpfrt_v_mark_reg_known(dst, d->value);
        return 0;
    }
    bpfrt_v_mark_reg_known_zero(dst);
    const struct vaux *aux = &env->aux[env->insn_idx];
    if (d->src == BPF_PSEUDO_FUNC) {
        int sub = bpfrt_v_find_subprog(env, (uint32_t)((int64_t)env->insn_idx + d->imm + 1));
        if (!env->args->nr_func_info) {
            verbose(env, "missing btf func_info\n");
            return -BPFRT_EINVAL;
        }
        if (sub < 0 || env->subprog[sub].linkage != BTF_FUNC_STATIC) {
            verbose(env, "callback function not static\n");
            return -BPFRT_EINVAL;
        }
        dst->type = PTR_TO_FUNC;
        dst->reg_subprogno = sub;
        return 0;
    }
    dst->map = aux->map;
    if (!aux->map) {
        verbose(env, "bpf verifier is misconfigured\n");
        return -BPFRT_EINVAL;
    }
    if (d->src == BPF_PSEUDO_MAP_VALUE || d->src == BPF_PSEUDO_MAP_IDX_VALUE) {
        dst->type = PTR_TO_MAP_VALUE;
        dst->off = (int32_t)aux->map_off;
    } else {
        dst->type = CONST_PTR_TO_MAP;
    }
    return 0;
}
