/* Stack slot liveness for pruning (Linux up to 6.17 verifier.c
 * mark_reg_read, propagate_liveness and the
 * REG_LIVE_READ / REG_LIVE_WRITTEN marks; 6.18 derives the same facts in
 * kernel/bpf/liveness.c). states.c forgets the slots of a finished state
 * that carry no READ mark (clean_live_state). */
#include "core/verifier/verifier.h"

/* Linux before 6.18 (mark_reg_read, propagate_liveness, clean_func_state):
 * a read of a stack slot marks it READ in the explored states the path
 * descends from, up to the one whose span wrote it; an explored state that
 * can no longer change (no branch in progress) forgets the slots nobody
 * read, so they never block a prune. 6.18 computes the same from
 * recorded accesses (kernel/bpf/liveness.c). The marks follow one frame
 * instance (uid): a frame created after a checkpoint has no counterpart
 * there. */

static void mark_slot_read(struct venv *env, uint32_t frameno, uint32_t spi)
{
    const struct vstate *st = env->cur_state;
    const struct vframe *f = st->frame[frameno];
    if (spi >= f->nslots || (f->stack[spi].live & VLIVE_WRITTEN))
        return;
    for (struct vstate *p = st->parent; p; p = p->parent) {
        struct vframe *pf = frameno <= p->curframe ? p->frame[frameno] : NULL;
        if (!pf || pf->uid != f->uid || spi >= pf->nslots)
            return;
        struct vslot *s = &pf->stack[spi];
        if (s->live & VLIVE_READ)
            return; /* marked before, with its ancestors */
        s->live |= VLIVE_READ;
        if (s->live & VLIVE_WRITTEN)
            return;
    }
}

/* Bytes [min_off, max_off) below the frame pointer of frame frameno are
 * read (the slots they fall in may matter to what follows). */
void bpfrt_v_mark_stack_read(struct venv *env, uint32_t frameno, int64_t min_off, int64_t max_off)
{
    /* the access checks refused anything outside the stack; clamp anyway,
     * a read left unmarked would let a prune ignore a slot that matters */
    max_off = max_off > 0 ? 0 : max_off;
    min_off = min_off < -MAX_BPF_STACK ? -MAX_BPF_STACK : min_off;
    if (min_off >= max_off)
        return;
    uint32_t lo = (uint32_t)((-max_off) / BPF_REG_SIZE), hi = (uint32_t)((-min_off - 1) / BPF_REG_SIZE);
    for (uint32_t spi = lo; spi <= hi; spi++)
        mark_slot_read(env, frameno, spi);
}

/* A fixed-offset write of size bytes at off: a whole slot screens the
 * read marks of earlier states. */
void bpfrt_v_mark_stack_written(struct vframe *f, int32_t off, int size)
{
    uint32_t spi = (uint32_t)(-off - 1) / BPF_REG_SIZE;
    if (size == BPF_REG_SIZE && !(off % BPF_REG_SIZE) && spi < f->nslots)
        f->stack[spi].live |= VLIVE_WRITTEN;
}

/* propagate_liveness: the current path is pruned against old, so what
 * old's descendants read, the current path reads too. old with a branch in
 * progress (a loop or callback being walked) has incomplete marks: every
 * slot counts as read. A slot old never had was never-written there, so its
 * descendants' safety did not depend on it (and no mark reaches past a
 * state that lacks the slot). */
void bpfrt_v_propagate_liveness(struct venv *env, const struct vstate *old)
{
    const struct vstate *cur = env->cur_state;
    for (uint32_t i = 0; i <= cur->curframe; i++) {
        const struct vframe *o = i <= old->curframe ? old->frame[i] : NULL;
        for (uint32_t spi = 0; spi < cur->frame[i]->nslots; spi++)
            if (old->branches || (o && spi < o->nslots && (o->stack[spi].live & VLIVE_READ)))
                mark_slot_read(env, i, spi);
    }
}

/* A new checkpoint (saved, a copy of cur) starts a span: it keeps the
 * WRITTEN marks of the span that ends at it and has no READ yet; cur
 * starts with none. */
void bpfrt_v_start_live_span(struct vstate *saved, struct vstate *cur)
{
    for (uint32_t i = 0; i <= cur->curframe; i++)
        for (uint32_t spi = 0; spi < cur->frame[i]->nslots; spi++) {
            saved->frame[i]->stack[spi].live &= VLIVE_WRITTEN;
            cur->frame[i]->stack[spi].live = 0;
        }
}
