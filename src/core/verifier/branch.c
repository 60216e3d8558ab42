/* Conditional jumps (Linux 6.18 verifier.c check_cond_jmp_op,
 * is_branch_taken, is_pkt_ptr_branch_taken, reg_set_min_max,
 * mark_ptr_or_null_regs, try_match_pkt_pointers, find_good_pkt_pointers,
 * mark_pkt_end, collect_linked_regs, sync_linked_regs): a branch whose
 * outcome the state decides is followed alone; otherwise the other side is
 * queued and both sides get the bounds the comparison implies, null checks
 * turn every copy of a pointer non-NULL (or 0), and a comparison with
 * pkt_end gives every packet pointer of that id its safe range. */
#include "core/verifier/verifier.h"

#define AT_PKT_END (-1)
#define BEYOND_PKT_END (-2)
#define MAX_PACKET_OFF 0xffff
#define LINKED_REGS_MAX 6

static bool is_reg_const(const struct vreg *r, bool is32)
{
    return r->type == SCALAR_VALUE && bpfrt_bounds_is_const(&r->s, is32);
}

static bool reg_not_null(const struct vreg *r)
{
    if (type_may_be_null(r->flags))
        return false;
    switch (r->type) {
    case PTR_TO_SOCKET: case PTR_TO_TCP_SOCK: case PTR_TO_MAP_VALUE: case PTR_TO_MAP_KEY:
    case PTR_TO_SOCK_COMMON: case PTR_TO_MEM: case CONST_PTR_TO_MAP:
        return true;
    default:
        return false;
    }
}

static int is_pkt_ptr_branch_taken(const struct vreg *dst, const struct vreg *src, int cond)
{
    const struct vreg *pkt;
    if (src->type == PTR_TO_PACKET_END) {
        pkt = dst;
    } else if (dst->type == PTR_TO_PACKET_END) {
        pkt = src;
        cond = bpfrt_cond_flip((uint8_t)cond);
    } else {
        return -1;
    }
    if (pkt->reg_range >= 0)
        return -1;
    switch (cond) {
    case VCOND_JLE:
    case VCOND_JGT:
        if (pkt->reg_range == BEYOND_PKT_END)
            return cond == VCOND_JGT;
        break;
    case VCOND_JLT:
    case VCOND_JGE:
        if (pkt->reg_range == BEYOND_PKT_END || pkt->reg_range == AT_PKT_END)
            return cond == VCOND_JGE;
        break;
    }
    return -1;
}

static int is_branch_taken(const struct vreg *r1, const struct vreg *r2, int cond, bool is32)
{
    if (reg_is_pkt_pointer_any(r1) && reg_is_pkt_pointer_any(r2) && !is32)
        return is_pkt_ptr_branch_taken(r1, r2, cond);
    if (r1->type != SCALAR_VALUE || r2->type != SCALAR_VALUE) {
        if (!is_reg_const(r2, is32)) {
            cond = bpfrt_cond_flip((uint8_t)cond);
            const struct vreg *t = r1;
            r1 = r2;
            r2 = t;
        }
        if (!is_reg_const(r2, is32) || !reg_not_null(r1))
            return -1;
        if (bpfrt_bounds_const_value(&r2->s, is32) != 0)
            return -1;
        return cond == VCOND_JEQ ? 0 : cond == VCOND_JNE ? 1 : -1;
    }
    return bpfrt_bounds_branch_taken(&r1->s, &r2->s, (uint8_t)cond, is32);
}

static void reg_set_min_max(struct venv *env, struct vreg *true1, struct vreg *true2, struct vreg *false1,
                            struct vreg *false2, int cond, bool is32)
{
    if (false1->type != SCALAR_VALUE || false2->type != SCALAR_VALUE)
        return;
    bpfrt_bounds_refine_cond(&false1->s, &false2->s, bpfrt_cond_reverse((uint8_t)cond), is32);
    bpfrt_bounds_refine_cond(&true1->s, &true2->s, (uint8_t)cond, is32);
    bpfrt_v_reg_bounds_sanity_check(env, true1, "true_reg1");
    bpfrt_v_reg_bounds_sanity_check(env, true2, "true_reg2");
    bpfrt_v_reg_bounds_sanity_check(env, false1, "false_reg1");
    bpfrt_v_reg_bounds_sanity_check(env, false2, "false_reg2");
}

/* ---- null checks ---- */

struct null_mark {
    uint32_t id;
    bool is_null;
};

static void mark_ptr_or_null_reg(struct venv *env, struct vreg *reg, void *arg)
{
    const struct null_mark *m = arg;
    (void)env;
    if (!type_may_be_null(reg->flags) || reg->id != m->id)
        return;
    if (m->is_null) {
        reg->type = SCALAR_VALUE;
        reg->flags = 0;
        reg->id = 0;
        reg->ref_obj_id = 0;
        reg->map = NULL;
        reg->aux = 0;
        return;
    }
    bool spin_lock = reg->type == PTR_TO_MAP_VALUE && reg->map && reg->map->spin_lock_off >= 0;
    bpfrt_v_mark_ptr_not_null_reg(reg);
    if (!spin_lock)
        reg->id = 0;
}

static void mark_ptr_or_null_regs(struct venv *env, struct vstate *st, uint32_t regno, bool is_null)
{
    struct vreg *regs = st->frame[st->curframe]->regs;
    uint32_t ref_obj_id = regs[regno].ref_obj_id, id = regs[regno].id;
    if (ref_obj_id && ref_obj_id == id && is_null) {
        /* the NULL side holds no reference */
        for (uint32_t i = 0; i < st->acquired_refs; i++) {
            if (st->refs[i].id == id && st->refs[i].type == REF_TYPE_PTR) {
                st->refs[i] = st->refs[--st->acquired_refs];
                break;
            }
        }
    }
    struct null_mark m = { id, is_null };
    bpfrt_v_for_each_reg(env, st, mark_ptr_or_null_reg, &m);
}

/* ---- packet ranges ---- */

struct pkt_mark {
    uint8_t type;
    uint32_t id;
    int32_t range;
};

static void set_pkt_range(struct venv *env, struct vreg *reg, void *arg)
{
    const struct pkt_mark *m = arg;
    (void)env;
    if (reg->type == m->type && reg->id == m->id && reg->reg_range < m->range)
        reg->reg_range = m->range;
}

static void find_good_pkt_pointers(struct venv *env, struct vstate *st, const struct vreg *dst, uint8_t type,
                                   bool range_right_open)
{
    if (dst->off < 0 || (dst->off == 0 && range_right_open))
        return;
    if (dst->s.umax_value > MAX_PACKET_OFF || dst->s.umax_value + (uint64_t)dst->off > MAX_PACKET_OFF)
        return;
    struct pkt_mark m = { type, dst->id, dst->off + (range_right_open ? 1 : 0) };
    bpfrt_v_for_each_reg(env, st, set_pkt_range, &m);
}

static void mark_pkt_end(struct vstate *st, uint32_t regno, bool range_open)
{
    struct vreg *reg = &st->frame[st->curframe]->regs[regno];
    if (reg->type != PTR_TO_PACKET)
        return;
    reg->reg_range = range_open ? BEYOND_PKT_END : AT_PKT_END;
}

/* try_match_pkt_pointers: "pkt' <op> pkt_end" (or pkt_meta' against
 * pkt): the side where pkt' <= pkt_end gets the range, the other side
 * learns pkt' is at or beyond pkt_end. this_branch falls through, other
 * is the jump target. */
static bool try_match_pkt_pointers(struct venv *env, const struct bpfrt_dinsn *d, int cond, struct vreg *dst,
                                   struct vreg *src, struct vstate *this_branch, struct vstate *other)
{
    if (bpfrt_op_info[d->op].flags & (BPFRT_OPF_K | BPFRT_OPF_32))
        return false;
    bool dst_lhs = (dst->type == PTR_TO_PACKET && src->type == PTR_TO_PACKET_END) ||
                   (dst->type == PTR_TO_PACKET_META && bpfrt_v_reg_is_init_pkt_pointer(src, PTR_TO_PACKET));
    bool src_lhs = (dst->type == PTR_TO_PACKET_END && src->type == PTR_TO_PACKET) ||
                   (bpfrt_v_reg_is_init_pkt_pointer(dst, PTR_TO_PACKET) && src->type == PTR_TO_PACKET_META);
    if (!dst_lhs && !src_lhs)
        return false;
    /* per condition: is the good side the fall-through, and is it open */
    bool good_this, open;
    switch (cond) {
    case VCOND_JGT: good_this = dst_lhs; open = !dst_lhs; break;
    case VCOND_JLT: good_this = !dst_lhs; open = dst_lhs; break;
    case VCOND_JGE: good_this = dst_lhs; open = dst_lhs; break;
    case VCOND_JLE: good_this = !dst_lhs; open = !dst_lhs; break;
    default: return false;
    }
    const struct vreg *pkt = dst_lhs ? dst : src;
    uint32_t regno = dst_lhs ? d->dst : d->src;
    find_good_pkt_pointers(env, good_this ? this_branch : other, pkt, pkt->type, open);
    mark_pkt_end(good_this ? other : this_branch, regno, !open);
    return true;
}

/* ---- linked scalars ---- */

struct linked_reg {
    uint8_t frameno, idx;
    bool is_reg;
};
struct linked_regs {
    struct linked_reg e[LINKED_REGS_MAX];
    uint32_t cnt;
};

static struct vreg *linked_reg_of(struct vstate *st, const struct linked_reg *e)
{
    struct vframe *f = st->frame[e->frameno];
    return e->is_reg ? &f->regs[e->idx] : &f->stack[e->idx].spilled_ptr;
}

static void collect_one(struct linked_regs *lr, struct vreg *reg, uint32_t id, uint32_t fr, uint32_t idx, bool is_reg)
{
    if (reg->type != SCALAR_VALUE || (reg->id & ~BPF_ADD_CONST) != id)
        return;
    for (uint32_t i = 0; i < lr->cnt; i++)
        if (lr->e[i].frameno == fr && lr->e[i].idx == idx && lr->e[i].is_reg == is_reg)
            return;
    if (lr->cnt < LINKED_REGS_MAX)
        lr->e[lr->cnt++] = (struct linked_reg){ (uint8_t)fr, (uint8_t)idx, is_reg };
    else
        reg->id = 0;
}

/* Registers dead at this point are left out, as 6.18 does. */
static void collect_linked_regs(struct venv *env, struct vstate *st, uint32_t id, struct linked_regs *lr)
{
    id &= ~BPF_ADD_CONST;
    for (int i = (int)st->curframe; i >= 0; i--) {
        struct vframe *f = st->frame[i];
        int32_t at = (uint32_t)i == st->curframe ? st->insn_idx : st->frame[i + 1]->callsite;
        uint16_t live = env->aux[at].live_regs_before;
        for (uint32_t r = 0; r < BPF_REG_FP; r++)
            if (live & (1u << r))
                collect_one(lr, &f->regs[r], id, (uint32_t)i, r, true);
        for (uint32_t s = 0; s < f->nslots; s++)
            if (bpfrt_v_is_spilled_reg(&f->stack[s]))
                collect_one(lr, &f->stack[s].spilled_ptr, id, (uint32_t)i, s, false);
    }
}

/* linked_regs_pack: the history entry backtracking reads them from. */
static uint64_t linked_regs_pack(const struct linked_regs *lr)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < lr->cnt; i++) {
        const struct linked_reg *e = &lr->e[i];
        v = (v << 10) | e->frameno | (uint64_t)e->idx << 3 | (uint64_t)(e->is_reg ? 1 : 0) << 9;
    }
    return (v << 4) | lr->cnt;
}

static void sync_linked_regs(struct vstate *st, const struct vreg *known, const struct linked_regs *lr)
{
    for (uint32_t i = 0; i < lr->cnt; i++) {
        struct vreg *reg = linked_reg_of(st, &lr->e[i]);
        if (reg->type != SCALAR_VALUE || reg == known)
            continue;
        if ((reg->id & ~BPF_ADD_CONST) != (known->id & ~BPF_ADD_CONST))
            continue;
        /* the delta of a register without the flag is 0 (its off may be
         * stale); a 32-bit and a 64-bit delta have no sound relation */
        uint32_t rf = reg->id & BPF_ADD_CONST, kf = known->id & BPF_ADD_CONST;
        if (rf && kf && rf != kf)
            continue;
        int32_t roff = rf ? reg->off : 0, koff = kf ? known->off : 0;
        if (roff == koff && rf == kf) {
            uint32_t saved_id = reg->id;
            *reg = *known;
            reg->id = saved_id;
        } else {
            int32_t saved_off = reg->off;
            uint32_t saved_id = reg->id;
            struct bpfrt_bounds delta;
            bpfrt_bounds_mark_known(&delta, (uint64_t)((int64_t)roff - (int64_t)koff));
            *reg = *known;
            reg->off = saved_off;
            reg->id = saved_id;
            bpfrt_bounds_add32(&reg->s, &delta);
            bpfrt_bounds_add64(&reg->s, &delta);
            reg->s.var_off = bpfrt_tnum_add(reg->s.var_off, delta.var_off);
            if ((known->id | saved_id) & BPF_ADD_CONST32)
                bpfrt_bounds_zext_32_to_64(&reg->s);
            bpfrt_bounds_sync(&reg->s);
        }
    }
}

/* ---- may_goto ---- */

static int check_may_goto(struct venv *env, const struct bpfrt_dinsn *d, int32_t *insn_idx)
{
    const struct bpf_insn *in = &env->insns[*insn_idx];
    if (in->dst_reg || in->imm) {
        verbose(env, "invalid may_goto imm %d\n", in->imm);
        return -BPFRT_EINVAL;
    }
    /* the previous iteration's checkpoint here (not the one just made) */
    const struct vstate *prev =
        env->cur_state->parent ? bpfrt_v_find_prev_entry(env, env->cur_state->parent, *insn_idx) : NULL;
    struct vstate *queued = bpfrt_v_push_stack(env, *insn_idx + 1, *insn_idx);
    if (!queued)
        return env->err_alloc ? env->err_alloc : -BPFRT_EFAULT;
    queued->may_goto_depth++;
    if (prev)
        bpfrt_v_widen_imprecise_scalars(prev, queued);
    *insn_idx = d->target - 1;
    return 0;
}

int bpfrt_v_check_cond_jmp_op(struct venv *env, const struct bpfrt_dinsn *d, int32_t *insn_idx)
{
    if (d->op == BPFRT_OP_MAY_GOTO)
        return check_may_goto(env, d, insn_idx);
    struct vstate *this_branch = env->cur_state;
    struct vreg *regs = this_branch->frame[this_branch->curframe]->regs;
    const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
    const struct bpf_insn *in = &env->insns[*insn_idx];
    bool is32 = oi->flags & BPFRT_OPF_32, is_k = oi->flags & BPFRT_OPF_K;
    int cond = oi->alu;
    struct vreg fake[2];

    int err = bpfrt_v_check_reg_arg(env, d->dst, SRC_OP);
    if (err)
        return err;
    struct vreg *dst = &regs[d->dst], *src;
    if (!is_k) {
        if (in->imm) {
            verbose(env, "BPF_JMP/JMP32 uses reserved fields\n");
            return -BPFRT_EINVAL;
        }
        err = bpfrt_v_check_reg_arg(env, d->src, SRC_OP);
        if (err)
            return err;
        src = &regs[d->src];
        if (!(reg_is_pkt_pointer_any(dst) && reg_is_pkt_pointer_any(src)) && (err = bpfrt_v_unpriv_cmp(env, d->src)))
            return err;
    } else {
        if (in->src_reg) {
            verbose(env, "BPF_JMP/JMP32 uses reserved fields\n");
            return -BPFRT_EINVAL;
        }
        bpfrt_memset(&fake[0], 0, sizeof(fake[0]));
        fake[0].type = SCALAR_VALUE;
        bpfrt_v_mark_reg_known(&fake[0], d->value);
        src = &fake[0];
    }

    int pred = is_branch_taken(dst, src, cond, is32);
    struct vaux *aux = &env->aux[*insn_idx];
    if (pred >= 0) {
        /* the decision rests on these values */
        if (dst->type == SCALAR_VALUE)
            err = bpfrt_v_mark_chain_precision(env, (int)d->dst);
        if (!is_k && !err && src->type == SCALAR_VALUE)
            err = bpfrt_v_mark_chain_precision(env, (int)d->src);
        if (err)
            return err;
    }
    if (pred == 1) {
        aux->branch_taken_set[1] = true;
        if (log_level(env, BPF_LOG_LEVEL))
            bpfrt_v_print_insn_state(env, this_branch, this_branch->curframe);
        *insn_idx = d->target - 1;
        return 0;
    }
    if (pred == 0) {
        aux->branch_taken_set[0] = true;
        if (log_level(env, BPF_LOG_LEVEL))
            bpfrt_v_print_insn_state(env, this_branch, this_branch->curframe);
        return 0;
    }
    aux->branch_taken_set[0] = aux->branch_taken_set[1] = true;

    struct linked_regs lr = { .cnt = 0 };
    if (!is_k && src->type == SCALAR_VALUE && src->id)
        collect_linked_regs(env, this_branch, src->id, &lr);
    if (dst->type == SCALAR_VALUE && dst->id)
        collect_linked_regs(env, this_branch, dst->id, &lr);
    if (lr.cnt > 1) {
        err = bpfrt_v_push_insn_history(env, this_branch, 0, linked_regs_pack(&lr));
        if (err)
            return err;
    }

    struct vstate *other = bpfrt_v_push_stack(env, d->target, *insn_idx);
    if (!other)
        return env->err_alloc ? env->err_alloc : -BPFRT_EFAULT;
    struct vreg *oregs = other->frame[other->curframe]->regs;
    if (!is_k) {
        reg_set_min_max(env, &oregs[d->dst], &oregs[d->src], dst, src, cond, is32);
    } else {
        fake[1] = fake[0];
        reg_set_min_max(env, &oregs[d->dst], &fake[0], dst, &fake[1], cond, is32);
    }
    if (!is_k && src->type == SCALAR_VALUE && src->id) {
        sync_linked_regs(this_branch, src, &lr);
        sync_linked_regs(other, &oregs[d->src], &lr);
    }
    if (dst->type == SCALAR_VALUE && dst->id) {
        sync_linked_regs(this_branch, dst, &lr);
        sync_linked_regs(other, &oregs[d->dst], &lr);
    }
    /* pointer vs pointer where one may be NULL: equality proves non-NULL */
    if (!is32 && !is_k && src->type != SCALAR_VALUE && dst->type != SCALAR_VALUE &&
        type_may_be_null(src->flags) != type_may_be_null(dst->flags)) {
        struct vreg *eq = cond == VCOND_JEQ ? oregs : cond == VCOND_JNE ? regs : NULL;
        if (eq)
            bpfrt_v_mark_ptr_not_null_reg(type_may_be_null(src->flags) ? &eq[d->src] : &eq[d->dst]);
    }
    if (!is32 && is_k && d->imm == 0 && (cond == VCOND_JEQ || cond == VCOND_JNE) &&
        type_may_be_null(dst->flags)) {
        mark_ptr_or_null_regs(env, this_branch, d->dst, cond == VCOND_JNE);
        mark_ptr_or_null_regs(env, other, d->dst, cond == VCOND_JEQ);
    } else if (!(!is_k && try_match_pkt_pointers(env, d, cond, dst, &regs[d->src], this_branch, other)) &&
               (err = bpfrt_v_unpriv_cmp(env, d->dst)) != 0) {
        return err;
    }
    if (log_level(env, BPF_LOG_LEVEL))
        bpfrt_v_print_insn_state(env, this_branch, this_branch->curframe);
    return 0;
}
