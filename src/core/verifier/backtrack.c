/* Precision tracking (Linux 6.18 verifier.c push_insn_history,
 * get_prev_insn_idx, backtrack_insn, __mark_chain_precision,
 * mark_all_scalars_precise/imprecise, propagate_precision,
 * widen_imprecise_scalars, find_prev_entry).
 *
 * Scalars in saved states start imprecise: pruning ignores their values.
 * When a value matters (a decided branch, a pointer offset, a size passed
 * to a helper, a return value checked against a range), the walk goes back
 * along the current path's instruction history, through the parent
 * states, and marks every register and stack slot the value came from as
 * precise in those states, so later prunes compare them. */
#include "core/verifier/verifier.h"

#define REGMASK_ARGS 0x3eu /* r1-r5 */

struct bt {
    uint32_t frame;
    uint32_t reg_masks[MAX_CALL_FRAMES];
    uint64_t stack_masks[MAX_CALL_FRAMES];
};

static bool bt_empty(const struct bt *bt)
{
    uint64_t m = 0;
    for (uint32_t i = 0; i <= bt->frame; i++)
        m |= bt->reg_masks[i] | bt->stack_masks[i];
    return m == 0;
}
#define BT_REG(bt) ((bt)->reg_masks[(bt)->frame])
#define BT_STACK(bt) ((bt)->stack_masks[(bt)->frame])
static bool bt_is_reg_set(const struct bt *bt, uint32_t r) { return BT_REG(bt) & (1u << r); }
static void bt_set_reg(struct bt *bt, uint32_t r) { BT_REG(bt) |= 1u << r; }
static void bt_clear_reg(struct bt *bt, uint32_t r) { BT_REG(bt) &= ~(1u << r); }

/* ---- instruction history ---- */

int bpfrt_v_push_insn_history(struct venv *env, struct vstate *cur, uint32_t flags, uint64_t linked_regs)
{
    if (env->cur_hist_ent) {
        env->cur_hist_ent->flags |= flags;
        if (linked_regs)
            env->cur_hist_ent->linked_regs = linked_regs;
        return 0;
    }
    if (cur->insn_hist_end + 1 > env->insn_hist_cap) {
        uint32_t cap = env->insn_hist_cap ? env->insn_hist_cap * 2 : 256;
        while (cap < cur->insn_hist_end + 1)
            cap *= 2;
        struct vhist *h = bpfrt_v_zalloc(env, (size_t)cap * sizeof(*h));
        if (!h)
            return -BPFRT_ENOMEM;
        if (env->insn_hist_cap)
            bpfrt_memcpy(h, env->insn_hist, (size_t)env->insn_hist_cap * sizeof(*h));
        bpfrt_v_free(env, env->insn_hist, (size_t)env->insn_hist_cap * sizeof(*h));
        env->insn_hist = h;
        env->insn_hist_cap = cap;
    }
    struct vhist *p = &env->insn_hist[cur->insn_hist_end++];
    p->idx = env->insn_idx;
    p->prev_idx = env->prev_insn_idx;
    p->flags = flags;
    p->linked_regs = linked_regs;
    env->cur_hist_ent = p;
    return 0;
}

static struct vhist *hist_entry(struct venv *env, uint32_t start, uint32_t end, int32_t idx)
{
    if (end > start && env->insn_hist[end - 1].idx == idx)
        return &env->insn_hist[end - 1];
    return NULL;
}

static int32_t get_prev_insn_idx(struct venv *env, const struct vstate *st, int32_t idx, uint32_t start,
                                 uint32_t *endp)
{
    uint32_t end = *endp, cnt = end - start;
    if (idx == st->first_insn_idx) {
        if (cnt == 0)
            return -1;
        if (cnt == 1 && env->insn_hist[start].idx == idx)
            return -1;
    }
    if (cnt && env->insn_hist[end - 1].idx == idx) {
        (*endp)--;
        return env->insn_hist[end - 1].prev_idx;
    }
    return idx - 1;
}

/* linked registers packed as Linux does: 6 entries of frameno:3 spi:6 is_reg:1 */
static void bt_sync_linked_regs(struct bt *bt, const struct vhist *h)
{
    if (!h || !h->linked_regs)
        return;
    uint64_t v = h->linked_regs;
    uint32_t cnt = v & 0xf, fr[6], spi[6];
    bool is_reg[6], some = false;
    v >>= 4;
    for (uint32_t i = 0; i < cnt && i < 6; i++) {
        fr[i] = v & 7;
        spi[i] = (v >> 3) & 63;
        is_reg[i] = (v >> 9) & 1;
        v >>= 10;
        some |= is_reg[i] ? (bt->reg_masks[fr[i]] >> spi[i]) & 1 : (bt->stack_masks[fr[i]] >> spi[i]) & 1;
    }
    if (!some)
        return;
    for (uint32_t i = 0; i < cnt && i < 6; i++) {
        if (is_reg[i])
            bt->reg_masks[fr[i]] |= 1u << spi[i];
        else
            bt->stack_masks[fr[i]] |= 1ull << spi[i];
    }
}

static bool is_local_call(const struct bpfrt_dinsn *d)
{
    return d->op == BPFRT_OP_CALL_LOCAL;
}

/* What precision of the tracked set before instruction idx needs (the
 * instruction's inputs for each tracked output). -ENOTSUPP: give up and
 * mark everything precise. */
/* fmt_reg_mask / bpf_fmt_stack_mask: "r1,r3" and "-8,-24" for the
 * level-2 mark_precise lines. */
static const char *fmt_reg_mask(char *buf, size_t size, uint32_t mask)
{
    struct bpfrt_strbuf sb;
    bpfrt_strbuf_init(&sb, buf, size);
    buf[0] = '\0';
    for (int r = 0; r < 32; r++)
        if (mask & (1u << r))
            bpfrt_strbuf_printf(&sb, "%sr%d", sb.len ? "," : "", r);
    return buf;
}

static const char *fmt_stack_mask(char *buf, size_t size, uint64_t mask)
{
    struct bpfrt_strbuf sb;
    bpfrt_strbuf_init(&sb, buf, size);
    buf[0] = '\0';
    for (int i = 0; i < 64; i++)
        if (mask & (1ull << i))
            bpfrt_strbuf_printf(&sb, "%s%d", sb.len ? "," : "", -(i + 1) * 8);
    return buf;
}

static int backtrack_insn(struct venv *env, int32_t idx, int32_t subseq_idx, const struct vhist *h, struct bt *bt)
{
    const struct bpfrt_dinsn *d = &env->di[idx];
    const struct bpfrt_op_info *oi = &bpfrt_op_info[d->op];
    uint32_t dreg = d->dst, sreg = d->src;
    bool is_k = oi->flags & BPFRT_OPF_K;

    if (d->op == BPFRT_OP_BAD) /* the second half of ld_imm64 */
        return 0;
    if (log_level(env, BPF_LOG_LEVEL2)) {
        char rm[160], sm[400];
        bpfrt_v_verbose(env, "mark_precise: frame%u: regs=%s stack=%s before %d: ", bt->frame,
                        fmt_reg_mask(rm, sizeof(rm), BT_REG(bt)), fmt_stack_mask(sm, sizeof(sm), BT_STACK(bt)),
                        idx);
        bpfrt_v_verbose_insn(env, (uint32_t)idx);
    }
    bt_sync_linked_regs(bt, h);
    switch (oi->kind) {
    case BPFRT_K_ALU:
    case BPFRT_K_MOVSX:
    case BPFRT_K_END:
        if (!bt_is_reg_set(bt, dreg))
            return 0;
        if (oi->kind == BPFRT_K_END || oi->alu == BPFRT_ALU_NEG)
            return 0;
        if (oi->alu == BPFRT_ALU_MOV || oi->kind == BPFRT_K_MOVSX) {
            bt_clear_reg(bt, dreg);
            if (!is_k && sreg != BPF_REG_FP)
                bt_set_reg(bt, sreg);
        } else if (!is_k && sreg != BPF_REG_FP) {
            bt_set_reg(bt, sreg);
        }
        break;
    case BPFRT_K_LDX:
    case BPFRT_K_LDACQ:
        if (!bt_is_reg_set(bt, dreg))
            return 0;
        bt_clear_reg(bt, dreg);
        if (!h || !(h->flags & INSN_F_STACK_ACCESS))
            return 0;
        bt->stack_masks[h->flags & INSN_F_FRAMENO_MASK] |= 1ull << ((h->flags >> INSN_F_SPI_SHIFT) & 63);
        break;
    case BPFRT_K_ST:
    case BPFRT_K_STX:
    case BPFRT_K_STREL:
    case BPFRT_K_ATOMIC: {
        if (bt_is_reg_set(bt, dreg))
            return -BPFRT_ENOTSUPP;
        if (oi->kind == BPFRT_K_ATOMIC && (oi->flags & BPFRT_OPF_FETCH)) {
            uint32_t load = oi->alu == BPFRT_ALU_CMPXCHG ? BPF_REG_0 : sreg;
            if (bt_is_reg_set(bt, load))
                return -BPFRT_ENOTSUPP;
        }
        if (!h || !(h->flags & INSN_F_STACK_ACCESS))
            return 0;
        uint32_t fr = h->flags & INSN_F_FRAMENO_MASK, spi = (h->flags >> INSN_F_SPI_SHIFT) & 63;
        if (!(bt->stack_masks[fr] & (1ull << spi)))
            return 0;
        bt->stack_masks[fr] &= ~(1ull << spi);
        if (oi->kind == BPFRT_K_STX || oi->kind == BPFRT_K_STREL)
            bt_set_reg(bt, sreg);
        else if (oi->kind == BPFRT_K_ATOMIC)
            return -BPFRT_ENOTSUPP;
        break;
    }
    case BPFRT_K_CALL:
        if (is_local_call(d)) {
            /* leaving the callee backwards: only its arguments can remain */
            if ((BT_REG(bt) & ~REGMASK_ARGS) || BT_STACK(bt))
                return -BPFRT_EFAULT;
            for (uint32_t i = BPF_REG_1; i <= BPF_REG_5; i++) {
                if (bt_is_reg_set(bt, i)) {
                    bt_clear_reg(bt, i);
                    bt->reg_masks[bt->frame - 1] |= 1u << i;
                }
            }
            if (bt->frame == 0)
                return -BPFRT_EFAULT;
            bt->frame--;
            return 0;
        }
        if ((env->aux[idx].flags & AUX_CALLS_CALLBACK) && idx != subseq_idx - 1) {
            /* exit from a callback back to the helper that called it */
            if ((BT_REG(bt) & ~REGMASK_ARGS) || BT_STACK(bt))
                return -BPFRT_EFAULT;
            BT_REG(bt) &= ~REGMASK_ARGS;
            if (bt->frame == 0)
                return -BPFRT_EFAULT;
            bt->frame--;
            return 0;
        }
        bt_clear_reg(bt, BPF_REG_0);
        if (BT_REG(bt) & REGMASK_ARGS)
            return -BPFRT_EFAULT;
        break;
    case BPFRT_K_EXIT: {
        if (subseq_idx >= 0 && (env->aux[subseq_idx].flags & AUX_CALLS_CALLBACK))
            BT_REG(bt) &= ~REGMASK_ARGS;
        if (BT_REG(bt) & REGMASK_ARGS)
            return -BPFRT_EFAULT;
        bool r0_precise = subseq_idx - 1 >= 0 && is_local_call(&env->di[subseq_idx - 1]) &&
                          bt_is_reg_set(bt, BPF_REG_0);
        bt_clear_reg(bt, BPF_REG_0);
        if (bt->frame == MAX_CALL_FRAMES - 1)
            return -BPFRT_EFAULT;
        bt->frame++;
        if (r0_precise)
            bt_set_reg(bt, BPF_REG_0);
        return 0;
    }
    case BPFRT_K_JCOND:
        if (!is_k) {
            if (!bt_is_reg_set(bt, dreg) && !bt_is_reg_set(bt, sreg))
                return 0;
            bt_set_reg(bt, dreg);
            bt_set_reg(bt, sreg);
        }
        break;
    case BPFRT_K_LDDW:
        if (!bt_is_reg_set(bt, dreg))
            return 0;
        bt_clear_reg(bt, dreg);
        break;
    case BPFRT_K_LD_PKT:
        if (!bt_is_reg_set(bt, BPF_REG_0))
            return 0;
        return -BPFRT_ENOTSUPP;
    default:
        break;
    }
    bt_sync_linked_regs(bt, h);
    return 0;
}

/* A register spilled whole or in part (is_spilled_reg), here inline: the
 * loops below visit every slot of every state. */
static inline bool spilled(const struct vslot *s)
{
    return s->slot_type[BPF_REG_SIZE - 1] == STACK_SPILL;
}

static void mark_all_scalars_precise(struct venv *env, struct vstate *cur)
{
    if (log_level(env, BPF_LOG_LEVEL2))
        bpfrt_v_verbose(env, "mark_precise: frame%u: falling back to forcing all scalars precise\n", cur->curframe);
    for (struct vstate *st = cur->parent; st; st = st->parent) {
        for (uint32_t i = 0; i <= st->curframe; i++) {
            struct vframe *f = st->frame[i];
            for (int j = 0; j < BPF_REG_FP; j++)
                if (f->regs[j].type == SCALAR_VALUE)
                    f->regs[j].precise = true;
            for (uint32_t j = 0; j < f->nslots; j++)
                if (spilled(&f->stack[j]) && f->stack[j].spilled_ptr.type == SCALAR_VALUE)
                    f->stack[j].spilled_ptr.precise = true;
        }
    }
}

void bpfrt_v_mark_all_scalars_imprecise(struct vstate *st)
{
    for (uint32_t i = 0; i <= st->curframe; i++) {
        struct vframe *f = st->frame[i];
        for (int j = 0; j < BPF_REG_FP; j++)
            if (f->regs[j].type == SCALAR_VALUE)
                f->regs[j].precise = false;
        for (uint32_t j = 0; j < f->nslots; j++)
            if (spilled(&f->stack[j]) && f->stack[j].spilled_ptr.type == SCALAR_VALUE)
                f->stack[j].spilled_ptr.precise = false;
    }
}

/* __mark_chain_precision over the tracked set bt, from the current state. */
static int mark_chain_precision_bt(struct venv *env, struct vstate *st, struct bt *bt)
{
    int32_t first_idx = st->first_insn_idx, last_idx = env->insn_idx, subseq_idx = -1;
    bool skip_first = true;
    if (bt_empty(bt))
        return 0;
    for (;;) {
        uint32_t hist_start = st->insn_hist_start, hist_end = st->insn_hist_end;
        if (log_level(env, BPF_LOG_LEVEL2))
            bpfrt_v_verbose(env, "mark_precise: frame%u: last_idx %d first_idx %d subseq_idx %d \n", bt->frame,
                            last_idx, first_idx, subseq_idx);
        if (last_idx < 0)
            return -BPFRT_EFAULT;
        for (int32_t i = last_idx;;) {
            int err = 0;
            if (skip_first)
                skip_first = false;
            else
                err = backtrack_insn(env, i, subseq_idx, hist_entry(env, hist_start, hist_end, i), bt);
            if (err == -BPFRT_ENOTSUPP || err == -BPFRT_EFAULT) {
                mark_all_scalars_precise(env, env->cur_state);
                return 0;
            }
            if (bt_empty(bt))
                return 0;
            subseq_idx = i;
            i = get_prev_insn_idx(env, st, i, hist_start, &hist_end);
            if (i < 0)
                break;
            if ((uint32_t)i >= env->len) {
                mark_all_scalars_precise(env, env->cur_state);
                return 0;
            }
        }
        st = st->parent;
        if (!st)
            break;
        for (int fr = (int)bt->frame; fr >= 0; fr--) {
            struct vframe *f = st->frame[fr];
            for (uint32_t w = bt->reg_masks[fr]; w; w &= w - 1) { /* the set bits only */
                int r = __builtin_ctz(w);
                struct vreg *reg = &f->regs[r];
                if (reg->type != SCALAR_VALUE || reg->precise)
                    bt->reg_masks[fr] &= ~(1u << r);
                else
                    reg->precise = true;
            }
            for (uint64_t w = bt->stack_masks[fr]; w; w &= w - 1) {
                int s = __builtin_ctzll(w);
                if ((uint32_t)s >= f->nslots || !bpfrt_v_is_spilled_scalar_reg(&f->stack[s])) {
                    bt->stack_masks[fr] &= ~(1ull << s);
                    continue;
                }
                struct vreg *reg = &f->stack[s].spilled_ptr;
                if (reg->precise)
                    bt->stack_masks[fr] &= ~(1ull << s);
                else
                    reg->precise = true;
            }
            if (log_level(env, BPF_LOG_LEVEL2)) {
                char rm[160], sm[400];
                bpfrt_v_verbose(env, "mark_precise: frame%d: parent state regs=%s stack=%s: ", fr,
                                fmt_reg_mask(rm, sizeof(rm), bt->reg_masks[fr]),
                                fmt_stack_mask(sm, sizeof(sm), bt->stack_masks[fr]));
                bpfrt_v_print_verifier_state(env, st, (uint32_t)fr, true);
            }
        }
        if (bt_empty(bt))
            return 0;
        subseq_idx = first_idx;
        last_idx = st->last_insn_idx;
        first_idx = st->first_insn_idx;
    }
    if (!bt_empty(bt))
        mark_all_scalars_precise(env, env->cur_state);
    return 0;
}

int bpfrt_v_mark_chain_precision(struct venv *env, int regno)
{
    struct bt bt;
    bpfrt_memset(&bt, 0, sizeof(bt));
    bt.frame = env->cur_state->curframe;
    if (regno >= 0) {
        if (cur_regs(env)[regno].type != SCALAR_VALUE)
            return 0;
        bt.reg_masks[bt.frame] |= 1u << regno;
    }
    return mark_chain_precision_bt(env, env->cur_state, &bt);
}

int bpfrt_v_mark_stack_slot_precise(struct venv *env, uint32_t frameno, uint32_t spi)
{
    struct bt bt;
    bpfrt_memset(&bt, 0, sizeof(bt));
    bt.frame = env->cur_state->curframe;
    bt.stack_masks[frameno] |= 1ull << spi;
    return mark_chain_precision_bt(env, env->cur_state, &bt);
}

/* propagate_precision: a pruned path needs what the old state it matched
 * needed. */
int bpfrt_v_propagate_precision(struct venv *env, const struct vstate *old)
{
    struct bt bt;
    bpfrt_memset(&bt, 0, sizeof(bt));
    bt.frame = env->cur_state->curframe;
    for (int fr = (int)old->curframe; fr >= 0; fr--) {
        const struct vframe *f = old->frame[fr];
        for (int i = 0; i < BPF_REG_FP; i++)
            if (f->regs[i].type == SCALAR_VALUE && f->regs[i].precise)
                bt.reg_masks[fr] |= 1u << i;
        for (uint32_t i = 0; i < f->nslots && i < 64; i++)
            if (spilled(&f->stack[i]) && f->stack[i].spilled_ptr.type == SCALAR_VALUE &&
                f->stack[i].spilled_ptr.precise)
                bt.stack_masks[fr] |= 1ull << i;
    }
    return mark_chain_precision_bt(env, env->cur_state, &bt);
}

/* find_prev_entry: a state of the current DFS path at insn_idx (a loop). */
const struct vstate *bpfrt_v_find_prev_entry(struct venv *env, const struct vstate *cur, int32_t insn_idx)
{
    for (const struct vstate_list *sl = env->explored[insn_idx]; sl; sl = sl->next) {
        const struct vstate *st = &sl->state;
        if (st->insn_idx == insn_idx && st->branches && bpfrt_v_same_callsites(st, cur) && st->dfs_depth < cur->dfs_depth)
            return st;
    }
    return NULL;
}

static void maybe_widen_reg(const struct vreg *o, struct vreg *c)
{
    if (o->type != SCALAR_VALUE || c->type != SCALAR_VALUE || o->precise || c->precise)
        return;
    if (bpfrt_memcmp(&o->s, &c->s, sizeof(o->s)) == 0 && o->off == c->off && o->id == c->id)
        return;
    bpfrt_v_mark_reg_unknown(c);
}

/* widen_imprecise_scalars: imprecise scalars that changed since the
 * previous iteration become unknown, so loops and callbacks converge. */
void bpfrt_v_widen_imprecise_scalars(const struct vstate *old, struct vstate *cur)
{
    for (int fr = (int)old->curframe; fr >= 0; fr--) {
        const struct vframe *fo = old->frame[fr];
        struct vframe *fc = cur->frame[fr];
        for (int i = 0; i < MAX_BPF_REG; i++)
            maybe_widen_reg(&fo->regs[i], &fc->regs[i]);
        uint32_t n = fo->nslots < fc->nslots ? fo->nslots : fc->nslots;
        for (uint32_t i = 0; i < n; i++)
            if (spilled(&fo->stack[i]) && spilled(&fc->stack[i]))
                maybe_widen_reg(&fo->stack[i].spilled_ptr, &fc->stack[i].spilled_ptr);
    }
}
