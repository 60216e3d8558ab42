/* Verifier states: copies, and pruning against the states saved at prune
 * points (Linux 6.18 verifier.c copy_verifier_state, free_verifier_state,
 * update_branch_counts, is_state_visited, states_equal, func_states_equal,
 * regsafe, stacksafe, refsafe, check_ids, range_within, clean_live_states,
 * states_maybe_looping). A state is safe to prune when an explored,
 * finished state at the same instruction covers it: every live register
 * and stack slot of the old one admits the current one. bpfrt does not yet
 * track precision, so old scalars count as precise (sound, prunes less). */
#include "core/verifier/verifier.h"

enum exact_level { NOT_EXACT, EXACT, RANGE_WITHIN };

#define ID_MAP_SIZE ((MAX_BPF_REG + MAX_STACK_SLOTS) * MAX_CALL_FRAMES)

struct idmap {
    uint32_t tmp_id_gen;
    uint32_t cnt;
    struct { uint32_t old, cur; } map[ID_MAP_SIZE];
};

/* ---- allocation ---- */

struct vframe *bpfrt_v_alloc_frame(struct venv *env)
{
    return bpfrt_v_zalloc(env, sizeof(struct vframe));
}

void bpfrt_v_free_frame(struct venv *env, struct vframe *f)
{
    if (!f)
        return;
    bpfrt_v_free(env, f->stack, (size_t)f->nslots * sizeof(*f->stack));
    bpfrt_v_free(env, f, sizeof(*f));
}

int bpfrt_v_copy_func_state(struct venv *env, struct vframe *dst, const struct vframe *src)
{
    if (dst->nslots != src->nslots) {
        bpfrt_v_free(env, dst->stack, (size_t)dst->nslots * sizeof(*dst->stack));
        dst->stack = NULL;
        dst->nslots = 0;
        if (src->nslots) {
            dst->stack = bpfrt_v_zalloc(env, (size_t)src->nslots * sizeof(*dst->stack));
            if (!dst->stack)
                return -BPFRT_ENOMEM;
        }
    }
    struct vslot *stack = dst->stack;
    *dst = *src;
    dst->stack = stack;
    if (src->nslots)
        bpfrt_memcpy(dst->stack, src->stack, (size_t)src->nslots * sizeof(*dst->stack));
    return 0;
}

void bpfrt_v_free_verifier_state(struct venv *env, struct vstate *st, bool free_self)
{
    for (uint32_t i = 0; i < MAX_CALL_FRAMES; i++) {
        bpfrt_v_free_frame(env, st->frame[i]);
        st->frame[i] = NULL;
    }
    bpfrt_v_free(env, st->refs, st->refs_cap * sizeof(*st->refs));
    st->refs = NULL;
    st->refs_cap = st->acquired_refs = 0;
    if (free_self)
        bpfrt_v_free(env, st, sizeof(*st));
}

int bpfrt_v_copy_verifier_state(struct venv *env, struct vstate *dst, const struct vstate *src)
{
    /* frames beyond the source's depth go */
    for (uint32_t i = src->curframe + 1; i < MAX_CALL_FRAMES; i++) {
        bpfrt_v_free_frame(env, dst->frame[i]);
        dst->frame[i] = NULL;
    }
    if (dst->refs_cap < src->acquired_refs) {
        bpfrt_v_free(env, dst->refs, dst->refs_cap * sizeof(*dst->refs));
        dst->refs = bpfrt_v_zalloc(env, src->refs_cap * sizeof(*dst->refs));
        dst->refs_cap = dst->refs ? src->refs_cap : 0;
        if (!dst->refs)
            return -BPFRT_ENOMEM;
    }
    if (src->acquired_refs)
        bpfrt_memcpy(dst->refs, src->refs, src->acquired_refs * sizeof(*dst->refs));
    dst->acquired_refs = src->acquired_refs;
    dst->curframe = src->curframe;
    dst->active_locks = src->active_locks;
    dst->active_lock_id = src->active_lock_id;
    dst->active_lock_ptr = src->active_lock_ptr;
    dst->parent = src->parent;
    dst->branches = src->branches;
    dst->insn_idx = src->insn_idx;
    dst->first_insn_idx = src->first_insn_idx;
    dst->last_insn_idx = src->last_insn_idx;
    dst->may_goto_depth = src->may_goto_depth;
    dst->callback_unroll_depth = src->callback_unroll_depth;
    dst->dfs_depth = src->dfs_depth;
    dst->insn_hist_start = src->insn_hist_start;
    dst->insn_hist_end = src->insn_hist_end;
    dst->used_as_loop_entry = src->used_as_loop_entry;
    for (uint32_t i = 0; i <= src->curframe; i++) {
        if (!dst->frame[i]) {
            dst->frame[i] = bpfrt_v_alloc_frame(env);
            if (!dst->frame[i])
                return -BPFRT_ENOMEM;
        }
        int err = bpfrt_v_copy_func_state(env, dst->frame[i], src->frame[i]);
        if (err)
            return err;
    }
    return 0;
}

/* Linux's peak_states counts explored states plus evicted ones still
 * referenced (env->free_list_size); an evicted state leaves that count
 * when its last child finishes (maybe_free_verifier_state). The memory
 * itself is freed with the rest at the end. */
static void update_peak_states(struct venv *env)
{
    uint32_t n = env->explored_states_size + env->free_list_size;
    if (env->peak_states < n)
        env->peak_states = n;
}

static void maybe_free_verifier_state(struct venv *env, struct vstate *st)
{
    if (!st->in_free_list || st->branches || st->used_as_loop_entry)
        return;
    st->in_free_list = false;
    env->free_list_size--;
}

void bpfrt_v_update_branch_counts(struct venv *env, struct vstate *st)
{
    bool listed = false; /* the current state is in no list; its parents are */
    while (st) {
        if (st->branches)
            st->branches--;
        if (st->branches)
            break;
        if (listed)
            maybe_free_verifier_state(env, st);
        listed = true;
        st = st->parent;
    }
}

/* ---- equivalence ---- */

static bool check_ids(uint32_t old_id, uint32_t cur_id, struct idmap *m)
{
    if (!!old_id != !!cur_id)
        return false;
    if (!old_id)
        return true;
    for (uint32_t i = 0; i < m->cnt; i++) {
        if (m->map[i].old == old_id)
            return m->map[i].cur == cur_id;
        if (m->map[i].cur == cur_id)
            return false;
    }
    if (m->cnt >= ID_MAP_SIZE)
        return false;
    m->map[m->cnt].old = old_id;
    m->map[m->cnt].cur = cur_id;
    m->cnt++;
    return true;
}

static bool check_scalar_ids(uint32_t old_id, uint32_t cur_id, struct idmap *m)
{
    old_id = old_id ? old_id : ++m->tmp_id_gen;
    cur_id = cur_id ? cur_id : ++m->tmp_id_gen;
    return check_ids(old_id, cur_id, m);
}

static bool range_within(const struct bpfrt_bounds *o, const struct bpfrt_bounds *c)
{
    return o->umin_value <= c->umin_value && o->umax_value >= c->umax_value && o->smin_value <= c->smin_value &&
           o->smax_value >= c->smax_value && o->u32_min_value <= c->u32_min_value &&
           o->u32_max_value >= c->u32_max_value && o->s32_min_value <= c->s32_min_value &&
           o->s32_max_value >= c->s32_max_value;
}

/* Everything Linux's memcmp up to 'id' compares: type, offsets, the
 * type-specific field, tnum and bounds. */
static bool same_reg_body(const struct vreg *a, const struct vreg *b)
{
    return a->type == b->type && a->flags == b->flags && a->off == b->off && a->aux == b->aux &&
           a->map == b->map && a->map_anon == b->map_anon && bpfrt_memcmp(&a->s, &b->s, sizeof(a->s)) == 0;
}

static bool regs_exact(const struct vreg *o, const struct vreg *c, struct idmap *m)
{
    return same_reg_body(o, c) && check_ids(o->id, c->id, m) && check_ids(o->ref_obj_id, c->ref_obj_id, m);
}

static bool regsafe(const struct vreg *o, const struct vreg *c, struct idmap *m, enum exact_level exact)
{
    if (exact == EXACT)
        return regs_exact(o, c, m);
    if (o->type == NOT_INIT && (exact == NOT_EXACT || c->type == NOT_INIT))
        return true;
    if (o->type != c->type || o->flags != c->flags)
        return false;
    switch (o->type) {
    case SCALAR_VALUE:
        if (!o->precise && exact == NOT_EXACT)
            return true;
        if ((o->id & BPF_ADD_CONST) != (c->id & BPF_ADD_CONST))
            return false;
        if ((o->id & BPF_ADD_CONST) && o->off != c->off)
            return false;
        return range_within(&o->s, &c->s) && bpfrt_tnum_in(o->s.var_off, c->s.var_off) &&
               check_scalar_ids(o->id, c->id, m);
    case PTR_TO_MAP_KEY:
    case PTR_TO_MAP_VALUE:
    case PTR_TO_MEM:
    case PTR_TO_BUF:
    case PTR_TO_TP_BUFFER:
        return o->off == c->off && o->aux == c->aux && o->map == c->map && range_within(&o->s, &c->s) &&
               bpfrt_tnum_in(o->s.var_off, c->s.var_off) && check_ids(o->id, c->id, m) &&
               check_ids(o->ref_obj_id, c->ref_obj_id, m);
    case PTR_TO_PACKET_META:
    case PTR_TO_PACKET:
        if (o->reg_range < 0 || c->reg_range < 0) {
            if (o->reg_range != c->reg_range)
                return false;
        } else if (o->reg_range > c->reg_range) {
            return false;
        }
        if (o->off != c->off || !check_ids(o->id, c->id, m))
            return false;
        return range_within(&o->s, &c->s) && bpfrt_tnum_in(o->s.var_off, c->s.var_off);
    case PTR_TO_STACK:
        return regs_exact(o, c, m) && o->frameno == c->frameno;
    default:
        return regs_exact(o, c, m);
    }
}

/* A spilled scalar, or a slot of all-MISC bytes seen as an unknown scalar. */
static const struct vreg *scalar_reg_for_stack(const struct vslot *s, struct vreg *tmp)
{
    if (bpfrt_v_is_spilled_scalar_reg(s))
        return &s->spilled_ptr;
    for (int i = 0; i < BPF_REG_SIZE; i++)
        if (s->slot_type[i] != STACK_MISC)
            return NULL;
    bpfrt_v_mark_reg_unknown(tmp);
    return tmp;
}

static bool stacksafe(const struct vframe *o, const struct vframe *c, struct idmap *m, enum exact_level exact)
{
    for (uint32_t i = 0; i < o->nslots * BPF_REG_SIZE; i++) {
        uint32_t spi = i / BPF_REG_SIZE, im = i % BPF_REG_SIZE;
        uint8_t ot = o->stack[spi].slot_type[im];
        uint8_t ct = spi < c->nslots ? c->stack[spi].slot_type[im] : STACK_INVALID;
        if (exact == EXACT && ot != ct)
            return false;
        if (ot == STACK_INVALID)
            continue;
        if (ot == STACK_MISC && exact != EXACT)
            continue; /* allow_uninit_stack: misc and never-written read the same */
        if (spi >= c->nslots)
            return false;
        struct vreg t1, t2;
        const struct vreg *or = scalar_reg_for_stack(&o->stack[spi], &t1);
        const struct vreg *cr = scalar_reg_for_stack(&c->stack[spi], &t2);
        if (or && cr) {
            if (!regsafe(or, cr, m, exact))
                return false;
            i += BPF_REG_SIZE - 1 - im;
            continue;
        }
        if (ot == STACK_MISC && ct == STACK_ZERO)
            continue;
        if (ot != ct)
            return false;
        if (im != BPF_REG_SIZE - 1)
            continue;
        if ((ot == STACK_SPILL || ot == STACK_DYNPTR) &&
            !regsafe(&o->stack[spi].spilled_ptr, &c->stack[spi].spilled_ptr, m, exact))
            return false;
    }
    return true;
}

static bool refsafe(const struct vstate *o, const struct vstate *c, struct idmap *m)
{
    if (o->acquired_refs != c->acquired_refs || o->active_locks != c->active_locks)
        return false;
    if (!check_ids(o->active_lock_id, c->active_lock_id, m) || o->active_lock_ptr != c->active_lock_ptr)
        return false;
    for (uint32_t i = 0; i < o->acquired_refs; i++) {
        if (!check_ids(o->refs[i].id, c->refs[i].id, m) || o->refs[i].type != c->refs[i].type)
            return false;
        if (o->refs[i].type == REF_TYPE_LOCK && o->refs[i].ptr != c->refs[i].ptr)
            return false;
    }
    return true;
}

static int32_t frame_insn_idx(const struct vstate *st, uint32_t frame)
{
    return frame == st->curframe ? st->insn_idx : st->frame[frame + 1]->callsite;
}

static bool func_states_equal(struct venv *env, const struct vframe *o, const struct vframe *c, int32_t insn_idx,
                              struct idmap *m, enum exact_level exact)
{
    uint16_t live = env->aux[insn_idx].live_regs_before;
    if (o->callback_depth > c->callback_depth)
        return false;
    for (int i = 0; i < MAX_BPF_REG; i++)
        if (((1u << i) & live) && !regsafe(&o->regs[i], &c->regs[i], m, exact))
            return false;
    return stacksafe(o, c, m, exact);
}

static bool states_equal(struct venv *env, const struct vstate *o, const struct vstate *c, enum exact_level exact)
{
    if (o->curframe != c->curframe)
        return false;
    if (!env->idmap_scratch) {
        env->idmap_scratch = bpfrt_v_zalloc(env, sizeof(struct idmap));
        if (!env->idmap_scratch)
            return false;
    }
    struct idmap *m = env->idmap_scratch;
    m->cnt = 0;
    m->tmp_id_gen = env->id_gen;
    bool eq = refsafe(o, c, m);
    for (uint32_t i = 0; eq && i <= o->curframe; i++) {
        if (o->frame[i]->callsite != c->frame[i]->callsite)
            eq = false;
        else
            eq = func_states_equal(env, o->frame[i], c->frame[i], frame_insn_idx(o, i), m, exact);
    }
    return eq;
}

static bool states_maybe_looping(const struct vstate *o, const struct vstate *c)
{
    uint32_t fr = c->curframe;
    if (o->curframe != fr)
        return false;
    for (int i = 0; i < MAX_BPF_REG; i++) {
        const struct vreg *a = &o->frame[fr]->regs[i], *b = &c->frame[fr]->regs[i];
        if (!same_reg_body(a, b) || a->id != b->id || a->ref_obj_id != b->ref_obj_id)
            return false;
    }
    return true;
}

bool bpfrt_v_same_callsites(const struct vstate *a, const struct vstate *b)
{
    if (a->curframe != b->curframe)
        return false;
    for (uint32_t i = 0; i <= a->curframe; i++)
        if (a->frame[i]->callsite != b->frame[i]->callsite)
            return false;
    return true;
}

/* Linux 6.18 also forgets the stack slots its stack-liveness analysis
 * (kernel/bpf/liveness.c) proves no later instruction reads. bpfrt's
 * coarser rule, for single-frame states: when no path from the state's
 * instruction uses r10 and no live register points into the stack, no slot
 * can be read again, so all of them are forgotten. */
static void clean_dead_stack(struct vframe *f, uint16_t live)
{
    if (live & (1u << BPF_REG_FP))
        return;
    for (int r = 0; r < BPF_REG_FP; r++)
        if ((live & (1u << r)) && f->regs[r].type == PTR_TO_STACK)
            return;
    for (uint32_t i = 0; i < f->nslots; i++) {
        bpfrt_v_mark_reg_not_init(&f->stack[i].spilled_ptr);
        bpfrt_memset(f->stack[i].slot_type, STACK_INVALID, sizeof(f->stack[i].slot_type));
    }
}

/* clean_verifier_state: registers dead at the state's instruction are
 * forgotten, so comparisons ignore them; so is a stack nothing reads again. */
static void clean_live_states(struct venv *env, int32_t insn, const struct vstate *cur)
{
    for (struct vstate_list *sl = env->explored[insn]; sl; sl = sl->next) {
        struct vstate *st = &sl->state;
        if (st->branches || st->insn_idx != insn || !bpfrt_v_same_callsites(st, cur) || st->used_as_loop_entry)
            continue;
        for (uint32_t f = 0; f <= st->curframe; f++) {
            uint16_t live = env->aux[frame_insn_idx(st, f)].live_regs_before;
            for (int r = 0; r < BPF_REG_FP; r++)
                if (!(live & (1u << r)))
                    bpfrt_v_mark_reg_not_init(&st->frame[f]->regs[r]);
            if (st->curframe == 0)
                clean_dead_stack(st->frame[0], live);
        }
    }
}

static void free_state_list(struct venv *env, struct vstate_list *sl)
{
    bpfrt_v_free_verifier_state(env, &sl->state, false);
    bpfrt_v_free(env, sl, sizeof(*sl));
}

void bpfrt_v_free_explored(struct venv *env)
{
    bpfrt_v_free(env, env->idmap_scratch, sizeof(struct idmap));
    env->idmap_scratch = NULL;
    if (env->explored) {
        for (uint32_t i = 0; i < env->len; i++) {
            struct vstate_list *sl = env->explored[i];
            env->explored[i] = NULL;
            while (sl) {
                struct vstate_list *next = sl->next;
                free_state_list(env, sl);
                sl = next;
            }
        }
    }
    while (env->free_list) {
        struct vstate_list *next = env->free_list->next;
        free_state_list(env, env->free_list);
        env->free_list = next;
    }
}

/* 1: the current state is covered by an explored one (prune), 0: go on. */
int bpfrt_v_is_state_visited(struct venv *env, int32_t insn_idx)
{
    struct vstate *cur = env->cur_state;
    /* a checkpoint, or one to keep the jump history short */
    bool force = (env->aux[insn_idx].flags & AUX_FORCE_CHECKPOINT) || cur->insn_hist_end - cur->insn_hist_start > 40;
    bool add_new_state = force;
    uint32_t states_cnt = 0;

    if (env->jmps_processed - env->prev_jmps_processed >= 2 && env->insn_processed - env->prev_insn_processed >= 8)
        add_new_state = true;
    clean_live_states(env, insn_idx, cur);

    struct vstate_list **pprev = &env->explored[insn_idx], *sl;
    while ((sl = *pprev) != NULL) {
        struct vstate *old = &sl->state;
        states_cnt++;
        if (old->branches) {
            if ((env->aux[insn_idx].flags & AUX_CALLS_CALLBACK)) {
                if (states_equal(env, old, cur, RANGE_WITHIN))
                    goto hit;
                goto skip_inf_loop_check;
            }
            if (env->di[insn_idx].op == BPFRT_OP_MAY_GOTO && old->may_goto_depth != cur->may_goto_depth &&
                states_equal(env, old, cur, RANGE_WITHIN))
                goto hit;
            if (states_maybe_looping(old, cur) && states_equal(env, old, cur, EXACT) &&
                old->may_goto_depth == cur->may_goto_depth &&
                old->callback_unroll_depth == cur->callback_unroll_depth) {
                bpfrt_v_verbose_linfo(env, (uint32_t)insn_idx, "; ");
                verbose(env, "infinite loop detected at insn %d\n", insn_idx);
                verbose(env, "cur state:");
                bpfrt_v_print_verifier_state(env, cur, cur->curframe, true);
                verbose(env, "old state:");
                bpfrt_v_print_verifier_state(env, old, cur->curframe, true);
                return -BPFRT_EINVAL;
            }
skip_inf_loop_check:
            if (!force && env->jmps_processed - env->prev_jmps_processed < 20 &&
                env->insn_processed - env->prev_insn_processed < 100)
                add_new_state = false;
            goto miss;
        }
        /* inside a loop precision marks may still be incomplete: compare
         * every scalar (Linux: incomplete_read_marks) */
        if (states_equal(env, old, cur,
                         (env->aux[insn_idx].flags & AUX_IN_LOOP) ? RANGE_WITHIN : NOT_EXACT)) {
hit:
            sl->hit_cnt++;
            if (env->aux[insn_idx].flags & AUX_JMP_POINT) {
                int err = bpfrt_v_push_insn_history(env, cur, 0, 0);
                if (err)
                    return err;
            }
            int err = bpfrt_v_propagate_precision(env, old);
            return err ? err : 1;
        }
miss:
        if (add_new_state)
            sl->miss_cnt++;
        uint32_t n = ((env->aux[insn_idx].flags & AUX_FORCE_CHECKPOINT) && old->branches > 0) ? 64 : 3;
        if (sl->miss_cnt > sl->hit_cnt * n + n) {
            /* unlikely to help: drop it (keep its memory if a path may
             * still walk its parent chain) */
            *pprev = sl->next;
            env->explored_states_size--;
            if (old->branches == 0 && !old->used_as_loop_entry) {
                free_state_list(env, sl);
            } else {
                sl->next = env->free_list;
                env->free_list = sl;
                old->in_free_list = true;
                env->free_list_size++;
            }
            continue;
        }
        pprev = &sl->next;
    }
    if (env->max_states_per_insn < states_cnt)
        env->max_states_per_insn = states_cnt;
    if (!add_new_state)
        return 0;

    struct vstate_list *nsl = bpfrt_v_zalloc(env, sizeof(*nsl));
    if (!nsl)
        return -BPFRT_ENOMEM;
    env->total_states++;
    env->explored_states_size++;
    update_peak_states(env);
    env->prev_jmps_processed = env->jmps_processed;
    env->prev_insn_processed = env->insn_processed;
    /* forget inherited precision: children will mark what they need */
    bpfrt_v_mark_all_scalars_imprecise(cur);
    int err = bpfrt_v_copy_verifier_state(env, &nsl->state, cur);
    if (err) {
        free_state_list(env, nsl);
        return err;
    }
    nsl->state.insn_idx = insn_idx;
    nsl->state.branches = 1;
    cur->parent = &nsl->state;
    cur->first_insn_idx = insn_idx;
    cur->dfs_depth = nsl->state.dfs_depth + 1;
    cur->insn_hist_start = cur->insn_hist_end;
    env->cur_hist_ent = NULL;
    nsl->next = env->explored[insn_idx];
    env->explored[insn_idx] = nsl;
    return 0;
}
