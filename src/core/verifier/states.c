/* Verifier states: copies, and pruning against the states saved at prune
 * points (Linux 6.18 verifier.c copy_verifier_state, free_verifier_state,
 * update_branch_counts, is_state_visited, states_equal, func_states_equal,
 * regsafe, stacksafe, refsafe, check_ids, range_within, clean_live_states,
 * states_maybe_looping). A state is safe to prune when an explored,
 * finished state at the same instruction covers it: every live register
 * and stack slot of the old one admits the current one. Registers are live
 * by the static analysis of cfg.c; stack slots by the reads and writes the
 * walk recorded per call chain (liveness.c, as 6.18's kernel/bpf/liveness.c). */
#include "core/verifier/verifier.h"

enum exact_level { NOT_EXACT, EXACT, RANGE_WITHIN };

#define ID_MAP_SIZE ((MAX_BPF_REG + MAX_STACK_SLOTS) * MAX_CALL_FRAMES)

struct idmap {
    uint32_t tmp_id_gen;
    uint32_t cnt;
    uint32_t fail_frame, fail_idx; /* what told the states apart: 1 + reg, or 1 + MAX_BPF_REG + slot */
    struct { uint32_t old, cur; } map[ID_MAP_SIZE];
};

/* ---- allocation ---- */

/* Frames and stack arrays are copied at every branch and checkpoint and
 * freed as paths end: freed ones are kept per env (stacks by slot count)
 * and handed out again, which spares the allocator most of that traffic.
 * At most CACHE_MAX of each are kept (memory stays proportional to the live
 * states); bpfrt_v_free_explored returns them. */
#define CACHE_MAX 256
/* A frame with no stack whose other fields the caller overwrites. */
static struct vframe *alloc_frame_for_copy(struct venv *env)
{
    struct vframe *f = env->frame_cache;
    if (!f)
        return bpfrt_v_zalloc(env, sizeof(struct vframe));
    env->frame_cache = *(struct vframe **)f;
    env->frame_cache_cnt--;
    f->stack = NULL;
    f->nslots = 0;
    return f;
}

struct vframe *bpfrt_v_alloc_frame(struct venv *env)
{
    struct vframe *f = alloc_frame_for_copy(env);
    if (f)
        bpfrt_memset(f, 0, sizeof(*f));
    return f;
}

static void free_stack(struct venv *env, struct vslot *stack, uint32_t nslots)
{
    if (!stack)
        return;
    if (nslots > MAX_STACK_SLOTS || env->stack_cache_cnt >= CACHE_MAX) {
        bpfrt_v_free(env, stack, (size_t)nslots * sizeof(*stack));
        return;
    }
    *(struct vslot **)(void *)stack = env->stack_cache[nslots];
    env->stack_cache[nslots] = stack;
    env->stack_cache_cnt++;
}

/* An uninitialised array of n slots (the caller fills every one). */
static struct vslot *alloc_stack_for_copy(struct venv *env, uint32_t n)
{
    struct vslot *s = n <= MAX_STACK_SLOTS ? env->stack_cache[n] : NULL;
    if (s) {
        env->stack_cache[n] = *(struct vslot **)(void *)s;
        env->stack_cache_cnt--;
        return s;
    }
    return bpfrt_v_zalloc(env, (size_t)n * sizeof(*s));
}

static void free_caches(struct venv *env)
{
    env->frame_cache_cnt = env->stack_cache_cnt = 0;
    while (env->frame_cache) {
        struct vframe *next = *(struct vframe **)env->frame_cache;
        bpfrt_v_free(env, env->frame_cache, sizeof(struct vframe));
        env->frame_cache = next;
    }
    for (uint32_t n = 1; n <= MAX_STACK_SLOTS; n++)
        while (env->stack_cache[n]) {
            struct vslot *next = *(struct vslot **)(void *)env->stack_cache[n];
            bpfrt_v_free(env, env->stack_cache[n], (size_t)n * sizeof(struct vslot));
            env->stack_cache[n] = next;
        }
}

void bpfrt_v_free_frame(struct venv *env, struct vframe *f)
{
    if (!f)
        return;
    free_stack(env, f->stack, f->nslots);
    if (env->frame_cache_cnt >= CACHE_MAX) {
        bpfrt_v_free(env, f, sizeof(*f));
        return;
    }
    *(struct vframe **)f = env->frame_cache;
    env->frame_cache = f;
    env->frame_cache_cnt++;
}

int bpfrt_v_copy_func_state(struct venv *env, struct vframe *dst, const struct vframe *src)
{
    if (dst->nslots != src->nslots) {
        free_stack(env, dst->stack, dst->nslots);
        dst->stack = NULL;
        dst->nslots = 0;
        if (src->nslots) {
            dst->stack = alloc_stack_for_copy(env, src->nslots);
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
            dst->frame[i] = alloc_frame_for_copy(env);
            if (!dst->frame[i])
                return -BPFRT_ENOMEM;
        }
        int err = bpfrt_v_copy_func_state(env, dst->frame[i], src->frame[i]);
        if (err)
            return err;
    }
    return 0;
}

/* dst becomes src, whose frames and references it takes over (src is left
 * empty): a popped branch needs no copy. */
void bpfrt_v_move_verifier_state(struct venv *env, struct vstate *dst, struct vstate *src)
{
    bpfrt_v_free_verifier_state(env, dst, false);
    *dst = *src;
    bpfrt_memset(src->frame, 0, sizeof(src->frame));
    src->refs = NULL;
    src->refs_cap = src->acquired_refs = 0;
}

/* Linux's peak_states counts explored states plus evicted ones still
 * referenced (env->free_list_size); an evicted state is freed, and leaves
 * that count, when its last child finishes (maybe_free_verifier_state), so
 * memory follows the states that can still prune or be walked back to. */
static void update_peak_states(struct venv *env)
{
    uint32_t n = env->explored_states_size + env->free_list_size;
    if (env->peak_states < n)
        env->peak_states = n;
}

static void free_state_list(struct venv *env, struct vstate_list *sl);

static struct vstate_list *state_list_of(struct vstate *st)
{
    return (struct vstate_list *)(void *)((char *)st - __builtin_offsetof(struct vstate_list, state));
}

static void maybe_free_verifier_state(struct venv *env, struct vstate *st)
{
    if (!st->in_free_list || st->branches || st->used_as_loop_entry)
        return;
    struct vstate_list *sl = state_list_of(st);
    if (sl->free_prev)
        sl->free_prev->next = sl->next;
    else
        env->free_list = sl->next;
    if (sl->next)
        sl->next->free_prev = sl->free_prev;
    env->free_list_size--;
    free_state_list(env, sl);
}

void bpfrt_v_update_branch_counts(struct venv *env, struct vstate *st)
{
    bool listed = false; /* the current state is in no list; its parents are */
    while (st) {
        if (st->branches)
            st->branches--;
        if (st->branches)
            break;
        struct vstate *parent = st->parent;
        if (listed)
            maybe_free_verifier_state(env, st);
        listed = true;
        st = parent;
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
    /* an explored scalar linked to nothing asked nothing of links: the
     * current one may have any (the kernel here, 6.18.44, prunes so; 6.18's
     * source maps a fresh id to cur_id, which then no other old id may
     * take) */
    if (!old_id)
        return true;
    /* a register linked with a delta: its base ids must map too */
    if ((old_id & BPF_ADD_CONST) && !check_ids(old_id & ~BPF_ADD_CONST, cur_id & ~BPF_ADD_CONST, m))
        return false;
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

/* A full 64-bit spilled scalar (is_spilled_scalar_reg64), or a slot of
 * MISC and - for the privileged loader, which reads them as unknown
 * (allow_uninit_stack) - never-written bytes seen as an unknown scalar. A
 * narrower spill is compared byte by byte: its other bytes may hide what a
 * wider fill reads. */
static const struct vreg *scalar_reg_for_stack(const struct vslot *s, struct vreg *tmp, bool allow_uninit)
{
    if (s->slot_type[0] == STACK_SPILL && s->spilled_ptr.type == SCALAR_VALUE)
        return &s->spilled_ptr;
    for (int i = 0; i < BPF_REG_SIZE; i++)
        if (s->slot_type[i] != STACK_MISC && (s->slot_type[i] != STACK_INVALID || !allow_uninit))
            return NULL;
    bpfrt_v_mark_reg_unknown(tmp);
    return tmp;
}

/* A slot holds a register (spilled, or a dynptr's) when a byte says so. */
static bool slot_has_reg(const struct vslot *s)
{
    for (int i = 0; i < BPF_REG_SIZE; i++)
        if (s->slot_type[i] == STACK_SPILL || s->slot_type[i] == STACK_DYNPTR)
            return true;
    return false;
}

/* One slot of stacksafe: the kinds of its bytes, then the spilled register. */
static bool slotsafe(const struct vframe *o, const struct vframe *c, uint32_t spi, struct idmap *m,
                     enum exact_level exact, bool allow_uninit)
{
    const struct vslot *os = &o->stack[spi], *cs = spi < c->nslots ? &c->stack[spi] : NULL;
    /* the same kinds: no byte test below fails, so only a register decides
     * (a full scalar spill on both sides, or the spill or dynptr ending at
     * the top byte) */
    if (cs && bpfrt_memcmp(os->slot_type, cs->slot_type, BPF_REG_SIZE) == 0) {
        uint8_t top = os->slot_type[BPF_REG_SIZE - 1];
        if (!slot_has_reg(os) || (top != STACK_SPILL && top != STACK_DYNPTR))
            return true;
        return regsafe(&os->spilled_ptr, &cs->spilled_ptr, m, exact);
    }
    struct vreg t1, t2;
    const struct vreg *or = NULL, *cr = NULL;
    bool regs_seen = false;
    for (uint32_t im = 0; im < BPF_REG_SIZE; im++) {
        uint8_t ot = os->slot_type[im];
        uint8_t ct = cs ? cs->slot_type[im] : STACK_INVALID;
        if (exact == EXACT && ot != ct)
            return false;
        if (ot == STACK_INVALID)
            continue;
        if (ot == STACK_MISC && exact != EXACT && allow_uninit)
            continue; /* allow_uninit_stack: misc and never-written read the same */
        if (!cs)
            return false;
        if (!regs_seen) { /* what the slots read as: the same for every byte */
            or = scalar_reg_for_stack(os, &t1, allow_uninit);
            cr = scalar_reg_for_stack(cs, &t2, allow_uninit);
            regs_seen = true;
        }
        if (or && cr)
            return regsafe(or, cr, m, exact);
        if (ot == STACK_MISC && ct == STACK_ZERO)
            continue;
        if (ot != ct)
            return false;
        if (im == BPF_REG_SIZE - 1 && (ot == STACK_SPILL || ot == STACK_DYNPTR) &&
            !regsafe(&os->spilled_ptr, &cs->spilled_ptr, m, exact))
            return false;
    }
    return true;
}

/* The slots with a byte of another kind than INVALID or MISC (a spill, a
 * zero, a dynptr): a slot of only INVALID and MISC bytes never blocks a
 * prune that is not exact, so stacksafe visits only these (an explored
 * state keeps the mask of each frame). */
_Static_assert(STACK_INVALID == 0 && STACK_MISC == 2, "note_odd_slots tests the kinds bitwise");

static void note_odd_slots(struct vstate *st)
{
    for (uint32_t i = 0; i <= st->curframe; i++) {
        struct vframe *f = st->frame[i];
        f->odd_slots = 0;
        for (uint32_t spi = 0; spi < f->nslots; spi++) {
            /* all 8 kinds at once: INVALID (0) and MISC (2) bytes leave
             * nothing outside bit 1 of each byte */
            uint64_t kinds;
            bpfrt_memcpy(&kinds, f->stack[spi].slot_type, sizeof(kinds));
            if (kinds & ~(0x0101010101010101ull * STACK_MISC))
                f->odd_slots |= 1ull << spi;
        }
    }
}

/* A dynptr's slots are read by the dynptr checks, which record no stack
 * read (Linux's mark_dynptr_read does): they are never forgotten. */
static bool slot_is_dynptr(const struct vslot *s)
{
    return s->slot_type[0] == STACK_DYNPTR || s->slot_type[BPF_REG_SIZE - 1] == STACK_DYNPTR;
}

/* Unprivileged (no allow_uninit_stack), a MISC slot of the explored state
 * does not cover a never-written one, so every slot is visited, not only
 * the odd ones. */
static bool stacksafe(const struct vframe *o, const struct vframe *c, struct idmap *m, enum exact_level exact,
                      bool allow_uninit)
{
    if (exact == EXACT || !allow_uninit) {
        for (uint32_t spi = 0; spi < o->nslots; spi++)
            if (!slotsafe(o, c, spi, m, exact, allow_uninit)) {
                m->fail_idx = 1 + MAX_BPF_REG + spi;
                return false;
            }
        return true;
    }
    for (uint64_t w = o->odd_slots; w; w &= w - 1) {
        uint32_t spi = (uint32_t)__builtin_ctzll(w);
        uint64_t rest = w & (w - 1);
        if (rest) { /* old states are cold in the cache: fetch the next slot early */
            uint32_t next = (uint32_t)__builtin_ctzll(rest);
            __builtin_prefetch(&o->stack[next]);
            if (next < c->nslots)
                __builtin_prefetch(&c->stack[next]);
        }
        if (!slotsafe(o, c, spi, m, exact, true)) {
            m->fail_idx = 1 + MAX_BPF_REG + spi;
            return false;
        }
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
        if (((1u << i) & live) && !regsafe(&o->regs[i], &c->regs[i], m, exact)) {
            m->fail_idx = 1 + (uint32_t)i;
            return false;
        }
    return stacksafe(o, c, m, exact, !env->unpriv);
}

static bool states_equal(struct venv *env, const struct vstate *o, const struct vstate *c, enum exact_level exact)
{
    if (o->curframe != c->curframe)
        return false;
    /* unprivileged: every scalar is precise, and once a pointer moved by an
     * unknown scalar every state must match exactly (explore_alu_limits),
     * so each path's masking limit is seen */
    if (env->unpriv && env->explore_alu_limits)
        exact = EXACT;
    else if (env->unpriv && exact == NOT_EXACT)
        exact = RANGE_WITHIN;
    if (!env->idmap_scratch) {
        env->idmap_scratch = bpfrt_v_zalloc(env, sizeof(struct idmap));
        if (!env->idmap_scratch)
            return false;
    }
    struct idmap *m = env->idmap_scratch;
    m->cnt = 0;
    m->tmp_id_gen = env->id_gen;
    m->fail_idx = 0;
    bool eq = refsafe(o, c, m);
    for (uint32_t i = 0; eq && i <= o->curframe; i++) {
        m->fail_frame = i;
        if (o->frame[i]->callsite != c->frame[i]->callsite)
            eq = false;
        else
            eq = func_states_equal(env, o->frame[i], c->frame[i], frame_insn_idx(o, i), m, exact);
    }
    return eq;
}

/* The register or slot that told old apart from the last state compared
 * with it usually tells the next one apart too: it is tried alone first
 * (with no ids mapped yet, so it can only pass more often than in the full
 * comparison: a failure here is a failure there). */
static bool quick_miss(struct venv *env, const struct vstate_list *sl, const struct vstate *c,
                       enum exact_level exact)
{
    const struct vstate *o = &sl->state;
    uint32_t fr = sl->hint_frame, idx = sl->hint_idx;
    if (!idx || o->curframe != c->curframe || fr > o->curframe || !env->idmap_scratch)
        return false;
    struct idmap *m = env->idmap_scratch;
    m->cnt = 0;
    m->tmp_id_gen = env->id_gen;
    const struct vframe *of = o->frame[fr], *cf = c->frame[fr];
    if (idx <= MAX_BPF_REG)
        return (env->aux[frame_insn_idx(o, fr)].live_regs_before & (1u << (idx - 1))) &&
               !regsafe(&of->regs[idx - 1], &cf->regs[idx - 1], m, exact);
    uint32_t spi = idx - 1 - MAX_BPF_REG;
    return spi < of->nslots && !slotsafe(of, cf, spi, m, exact, !env->unpriv);
}

static bool states_equal_hinted(struct venv *env, struct vstate_list *sl, const struct vstate *c,
                                enum exact_level exact)
{
    if (quick_miss(env, sl, c, exact))
        return false;
    if (states_equal(env, &sl->state, c, exact))
        return true;
    const struct idmap *m = env->idmap_scratch;
    sl->hint_frame = m ? m->fail_frame : 0;
    sl->hint_idx = m ? m->fail_idx : 0;
    return false;
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

/* clean_verifier_state: registers dead at the state's instruction are
 * forgotten, so comparisons ignore them; so are stack slots no later
 * instruction may read (liveness.c). */
static void clean_live_state(struct venv *env, int32_t insn, const struct vstate *cur, struct vstate *st)
{
    if (st->branches || st->cleaned || st->insn_idx != insn || !bpfrt_v_same_callsites(st, cur) ||
        st->used_as_loop_entry)
        return;
    /* in a loop, marks of the iterations still being walked may be missing:
     * such a state keeps its whole stack */
    bool loop = env->aux[insn].flags & AUX_IN_LOOP;
    if (!loop && bpfrt_v_live_query_init(env, st))
        return;
    st->cleaned = true;
    for (uint32_t f = 0; f <= st->curframe; f++) {
        struct vframe *fr = st->frame[f];
        uint16_t live = env->aux[frame_insn_idx(st, f)].live_regs_before;
        for (int r = 0; r < BPF_REG_FP; r++)
            if (!(live & (1u << r)))
                bpfrt_v_mark_reg_not_init(&fr->regs[r]);
        if (loop)
            continue;
        uint64_t all = fr->nslots >= 64 ? ~0ull : (1ull << fr->nslots) - 1;
        for (uint64_t dead = all & ~bpfrt_v_live_slots(env, f); dead; dead &= dead - 1) {
            uint32_t spi = (uint32_t)__builtin_ctzll(dead);
            if (slot_is_dynptr(&fr->stack[spi]))
                continue;
            bpfrt_v_mark_reg_not_init(&fr->stack[spi].spilled_ptr);
            bpfrt_memset(fr->stack[spi].slot_type, STACK_INVALID, BPF_REG_SIZE);
            fr->odd_slots &= ~(1ull << spi); /* note_odd_slots ran when st was saved */
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
    free_caches(env);
    bpfrt_v_free_liveness(env);
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

    struct vstate_list **pprev = &env->explored[insn_idx], *sl;
    while ((sl = *pprev) != NULL) {
        struct vstate *old = &sl->state;
        states_cnt++;
        clean_live_state(env, insn_idx, cur, old); /* clean_live_states, in the same pass */
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
        if (states_equal_hinted(env, sl, cur,
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
                sl->free_prev = NULL;
                if (env->free_list)
                    env->free_list->free_prev = sl;
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
    nsl->state.cleaned = false;
    note_odd_slots(&nsl->state);
    cur->parent = &nsl->state;
    cur->first_insn_idx = insn_idx;
    cur->dfs_depth = nsl->state.dfs_depth + 1;
    cur->insn_hist_start = cur->insn_hist_end;
    env->cur_hist_ent = NULL;
    nsl->next = env->explored[insn_idx];
    env->explored[insn_idx] = nsl;
    return 0;
}
