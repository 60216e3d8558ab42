/* Stack slot liveness for pruning, as Linux 6.18 computes it
 * (kernel/bpf/liveness.c: bpf_mark_stack_read, bpf_mark_stack_write,
 * bpf_update_live_stack, bpf_stack_slot_alive; used by verifier.c's
 * clean_func_state).
 *
 * The walk records, per call chain and instruction, which slots an
 * instruction may read (a union over every visit) and which it surely
 * writes (an intersection). A backward dataflow over the subprogram's
 * control-flow graph turns them into the slots live before each
 * instruction; a callee's result at its entry flows to its call site in
 * the caller's chain. states.c forgets, in a finished explored state, every
 * slot not live at its instruction, so it never blocks a prune. Unlike the
 * read marks along explored paths (Linux up to 6.17), a read anywhere
 * after the instruction in the graph keeps the slot, whichever path made
 * it. */
#include "core/verifier/verifier.h"

/* The slots of one frame's stack, per instruction of the chain's
 * subprogram (struct per_frame_masks). */
struct live_masks {
    uint64_t may_read;       /* read by this instruction, on some visit */
    uint64_t must_write;     /* written whole by it, on every visit */
    uint64_t must_write_acc; /* written by it or on every path after it (within the subprogram) */
    uint64_t live_before;    /* may be read by it or after it */
};

/* One call chain (struct func_instance): the call instructions leading to
 * the frame, and the masks of each frame of the chain for the frame's
 * subprogram. */
struct live_inst {
    struct live_inst *next; /* hash chain */
    int32_t callsites[MAX_CALL_FRAMES]; /* [i < curframe]: the call in frame i; [curframe]: subprogram start */
    uint32_t sp_starts[MAX_CALL_FRAMES]; /* each frame's subprogram start */
    uint32_t curframe;
    uint32_t start, cnt;    /* the subprogram's instructions */
    bool updated;           /* marks changed since the last dataflow */
    bool must_write_dropped;
    struct live_masks *frames[MAX_CALL_FRAMES]; /* allocated on first mark */
    uint8_t *flags;         /* per instruction: IF_* */
    uint32_t *work, nwork;  /* instructions whose masks must be recomputed */
};

enum {
    IF_MUST_WRITE_SET = 1, /* must_write recorded once */
    IF_QUEUED = 2,         /* on the work list */
};

#define LIVE_BUCKETS 64

struct vliveness {
    struct live_inst *bucket[LIVE_BUCKETS];
    struct live_inst *cur;  /* the current state's chain (NULL: look it up) */
    uint64_t write_acc[MAX_CALL_FRAMES]; /* whole-slot writes of the instruction being checked */
    int32_t write_idx;
    uint32_t *pred_off, *preds; /* each instruction's predecessors: preds[pred_off[i] .. pred_off[i + 1]) */
    struct live_inst *query[MAX_CALL_FRAMES]; /* bpfrt_v_live_query_init's state */
    uint32_t query_curframe;
    int32_t query_insn;
};

static void set_chain(const struct venv *env, const struct vstate *st, uint32_t frameno, struct live_inst *key)
{
    bpfrt_memset(key, 0, sizeof(*key));
    for (uint32_t i = 0; i <= frameno; i++) {
        key->sp_starts[i] = env->subprog[st->frame[i]->subprogno].start;
        if (i < frameno)
            key->callsites[i] = st->frame[i + 1]->callsite;
    }
    key->start = key->sp_starts[frameno];
    key->callsites[frameno] = (int32_t)key->start;
    key->curframe = frameno;
}

static uint32_t chain_hash(const struct live_inst *k)
{
    uint32_t h = k->curframe * 0x9e3779b1u;
    for (uint32_t i = 0; i <= k->curframe; i++)
        h = (h ^ (uint32_t)k->callsites[i]) * 0x01000193u;
    return h % LIVE_BUCKETS;
}

static bool same_chain(const struct live_inst *a, const struct live_inst *b)
{
    if (a->curframe != b->curframe)
        return false;
    for (uint32_t i = 0; i <= a->curframe; i++)
        if (a->callsites[i] != b->callsites[i])
            return false;
    return true;
}

static struct vliveness *liveness(struct venv *env)
{
    if (!env->live) {
        env->live = bpfrt_v_zalloc(env, sizeof(struct vliveness));
        if (!env->live)
            env->err_alloc = -BPFRT_ENOMEM;
    }
    return env->live;
}

/* The instance of key's chain, made on first use (instances live until the
 * pass ends, bpfrt_v_free_liveness). */
static struct live_inst *find_inst(struct venv *env, const struct live_inst *key)
{
    struct vliveness *lv = liveness(env);
    if (!lv)
        return NULL;
    uint32_t h = chain_hash(key);
    for (struct live_inst *in = lv->bucket[h]; in; in = in->next)
        if (same_chain(in, key))
            return in;
    int sub = bpfrt_v_find_subprog(env, key->start);
    struct live_inst *in = bpfrt_v_zalloc(env, sizeof(*in));
    if (in && sub >= 0) {
        bpfrt_memcpy(in->callsites, key->callsites, sizeof(in->callsites));
        bpfrt_memcpy(in->sp_starts, key->sp_starts, sizeof(in->sp_starts));
        in->curframe = key->curframe;
        in->start = key->start;
        in->cnt = env->subprog[sub + 1].start - key->start;
        in->flags = bpfrt_v_zalloc(env, in->cnt);
        in->work = bpfrt_v_zalloc(env, (size_t)in->cnt * sizeof(*in->work));
    }
    if (!in || sub < 0 || !in->flags || !in->work) {
        if (in) {
            bpfrt_v_free(env, in->flags, in->cnt);
            bpfrt_v_free(env, in->work, (size_t)in->cnt * sizeof(*in->work));
            bpfrt_v_free(env, in, sizeof(*in));
        }
        env->err_alloc = -BPFRT_ENOMEM;
        return NULL;
    }
    in->next = lv->bucket[h];
    lv->bucket[h] = in;
    return in;
}

static struct live_inst *lookup_inst(struct venv *env, const struct vstate *st, uint32_t frameno)
{
    struct live_inst key;
    set_chain(env, st, frameno, &key);
    return find_inst(env, &key);
}

static struct live_masks *masks_at(struct live_inst *in, uint32_t frame, int32_t insn)
{
    return in->frames[frame] ? &in->frames[frame][insn - (int32_t)in->start] : NULL;
}

static struct live_masks *alloc_masks(struct venv *env, struct live_inst *in, uint32_t frame, int32_t insn)
{
    if (!in->frames[frame]) {
        in->frames[frame] = bpfrt_v_zalloc(env, (size_t)in->cnt * sizeof(struct live_masks));
        if (!in->frames[frame]) {
            env->err_alloc = -BPFRT_ENOMEM;
            return NULL;
        }
    }
    return masks_at(in, frame, insn);
}

static struct live_inst *cur_inst(struct venv *env)
{
    struct vliveness *lv = liveness(env);
    if (lv && !lv->cur)
        lv->cur = lookup_inst(env, env->cur_state, env->cur_state->curframe);
    return lv ? lv->cur : NULL;
}

/* The masks of insn changed: the dataflow recomputes it (and, as it
 * changes, what comes before it). */
static void queue_insn(struct live_inst *in, int32_t insn)
{
    uint32_t i = (uint32_t)(insn - (int32_t)in->start);
    if (!(in->flags[i] & IF_QUEUED)) {
        in->flags[i] |= IF_QUEUED;
        in->work[in->nwork++] = i;
    }
    in->updated = true;
}

static void add_read(struct venv *env, struct live_inst *in, uint32_t frame, int32_t insn, uint64_t mask)
{
    struct live_masks *m = alloc_masks(env, in, frame, insn);
    if (!m)
        return;
    uint64_t r = m->may_read | mask;
    if (r != m->may_read && (r | m->live_before) != m->live_before)
        queue_insn(in, insn);
    m->may_read = r;
}

/* Bytes [min_off, max_off) below the frame pointer of frame frameno are
 * read by the instruction being checked: the slots they fall in. */
void bpfrt_v_mark_stack_read(struct venv *env, uint32_t frameno, int64_t min_off, int64_t max_off)
{
    /* the access checks refused anything outside the stack; clamp anyway,
     * a read left unmarked would let a prune ignore a slot that matters */
    max_off = max_off > 0 ? 0 : max_off;
    min_off = min_off < -MAX_BPF_STACK ? -MAX_BPF_STACK : min_off;
    if (min_off >= max_off)
        return;
    uint32_t lo = (uint32_t)((-max_off) / BPF_REG_SIZE), hi = (uint32_t)((-min_off - 1) / BPF_REG_SIZE);
    uint64_t mask = (hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
    struct live_inst *in = cur_inst(env);
    if (in)
        add_read(env, in, frameno, env->insn_idx, mask);
}

/* A fixed-offset write of size bytes at off in frame frameno's stack: only
 * a whole slot counts as written (a partial write leaves the rest of the
 * slot as it was, which a later read may see). */
void bpfrt_v_mark_stack_written(struct venv *env, uint32_t frameno, int32_t off, int size)
{
    uint32_t spi = (uint32_t)(-off - 1) / BPF_REG_SIZE;
    if (size == BPF_REG_SIZE && !(off % BPF_REG_SIZE) && spi < MAX_STACK_SLOTS && env->live)
        env->live->write_acc[frameno] |= 1ull << spi;
}

static void reset_writes(struct vliveness *lv, int32_t insn)
{
    lv->write_idx = insn;
    bpfrt_memset(lv->write_acc, 0, sizeof(lv->write_acc));
}

/* Before an instruction is checked: its writes are collected from here. */
void bpfrt_v_live_insn_begin(struct venv *env)
{
    if (cur_inst(env))
        reset_writes(env->live, env->insn_idx);
}

/* The collected writes meet what earlier visits of the instruction wrote:
 * the first visit sets must_write, later ones keep what they all wrote. */
static void commit_writes(struct venv *env, struct live_inst *in)
{
    struct vliveness *lv = env->live;
    uint32_t idx = (uint32_t)(lv->write_idx - (int32_t)in->start);
    for (uint32_t f = 0; f <= in->curframe; f++) {
        uint64_t mask = lv->write_acc[f];
        if (!mask && !(in->flags[idx] & IF_MUST_WRITE_SET))
            continue; /* nothing to record: no masks to allocate */
        struct live_masks *m = alloc_masks(env, in, f, lv->write_idx);
        if (!m)
            return;
        if (in->flags[idx] & IF_MUST_WRITE_SET)
            mask &= m->must_write;
        if (m->must_write != mask) {
            if (m->must_write & ~mask)
                in->must_write_dropped = true;
            m->must_write = mask;
            queue_insn(in, lv->write_idx);
        }
    }
    in->flags[idx] |= IF_MUST_WRITE_SET;
}

/* After an instruction passed its checks in the same frame. A call that
 * entered a subprogram or an exit that left one (the current chain
 * changed) records no writes, as in Linux, where the chain is reset inside
 * the call's checks. */
void bpfrt_v_live_insn_commit(struct venv *env, bool chain_changed)
{
    struct vliveness *lv = env->live;
    if (!lv)
        return;
    if (chain_changed)
        lv->cur = NULL;
    else if (lv->cur)
        commit_writes(env, lv->cur);
}

/* One step of the dataflow at insn for one frame's masks:
 *   live_before    = (U live_before of successors) - must_write + may_read
 *   must_write_acc = (^ must_write_acc of successors) + must_write */
static bool update_insn(const struct venv *env, struct live_inst *in, struct live_masks *fm, uint32_t insn)
{
    uint32_t succ[2], n = bpfrt_v_insn_successors(env, insn, succ);
    if (!n)
        return false;
    struct live_masks *m = &fm[insn - in->start];
    uint64_t after = 0, acc = ~0ull;
    for (uint32_t s = 0; s < n; s++) {
        if (succ[s] < in->start || succ[s] >= in->start + in->cnt) {
            acc = 0; /* leaves the subprogram: nothing known written */
            continue;
        }
        after |= fm[succ[s] - in->start].live_before;
        acc &= fm[succ[s] - in->start].must_write_acc;
    }
    acc |= m->must_write;
    uint64_t before = (after & ~m->must_write) | m->may_read;
    bool changed = before != m->live_before || acc != m->must_write_acc;
    m->live_before = before;
    m->must_write_acc = acc;
    return changed;
}

/* A callee's chain tells its caller's: what the callee (and its callees)
 * may read of the outer frames is read at the call, what it surely writes
 * is written by the call (intersected over every return). */
static void propagate_to_caller(struct venv *env, struct live_inst *in)
{
    struct live_inst key = *in;
    key.callsites[key.curframe] = 0;
    key.sp_starts[key.curframe] = 0;
    key.curframe--;
    int32_t callsite = in->callsites[key.curframe];
    key.start = key.sp_starts[key.curframe];
    key.callsites[key.curframe] = (int32_t)key.start;
    struct live_inst *out = find_inst(env, &key);
    if (!out)
        return;
    struct vliveness *lv = env->live;
    reset_writes(lv, callsite);
    for (uint32_t f = 0; f < in->curframe; f++) {
        struct live_masks *m = masks_at(in, f, (int32_t)in->start);
        if (!m)
            continue;
        lv->write_acc[f] |= m->must_write_acc;
        add_read(env, out, f, callsite, m->live_before);
    }
    commit_writes(env, out);
}

/* Each instruction's predecessors, once per pass (the graph is fixed). */
static bool build_preds(struct venv *env, struct vliveness *lv)
{
    if (lv->pred_off)
        return true;
    uint32_t n = env->len, succ[2], total = 0;
    lv->pred_off = bpfrt_v_zalloc(env, ((size_t)n + 1) * sizeof(uint32_t));
    if (!lv->pred_off)
        return false;
    for (uint32_t i = 0; i < n; i += env->di[i].len ? env->di[i].len : 1)
        for (uint32_t k = bpfrt_v_insn_successors(env, i, succ); k-- > 0;)
            if (succ[k] < n) {
                lv->pred_off[succ[k] + 1]++;
                total++;
            }
    for (uint32_t i = 0; i < n; i++)
        lv->pred_off[i + 1] += lv->pred_off[i];
    lv->preds = bpfrt_v_zalloc(env, ((size_t)total + 1) * sizeof(uint32_t));
    uint32_t *fill = bpfrt_v_zalloc(env, ((size_t)n + 1) * sizeof(uint32_t));
    if (!lv->preds || !fill) {
        bpfrt_v_free(env, fill, ((size_t)n + 1) * sizeof(uint32_t));
        bpfrt_v_free(env, lv->preds, ((size_t)total + 1) * sizeof(uint32_t));
        bpfrt_v_free(env, lv->pred_off, ((size_t)n + 1) * sizeof(uint32_t));
        lv->preds = lv->pred_off = NULL;
        return false;
    }
    for (uint32_t i = 0; i < n; i += env->di[i].len ? env->di[i].len : 1)
        for (uint32_t k = bpfrt_v_insn_successors(env, i, succ); k-- > 0;)
            if (succ[k] < n)
                lv->preds[lv->pred_off[succ[k]] + fill[succ[k]]++] = i;
    bpfrt_v_free(env, fill, ((size_t)n + 1) * sizeof(uint32_t));
    return true;
}

/* The dataflow for one chain to its fixed point, then on to its caller.
 * Only the instructions whose marks changed are recomputed, and then those
 * before them whose result changed with them (a work list); after a
 * must_write shrank, every intersection is recomputed from scratch. */
static void update_inst(struct venv *env, struct live_inst *in)
{
    struct vliveness *lv = env->live;
    if (!build_preds(env, lv)) {
        env->err_alloc = -BPFRT_ENOMEM;
        return;
    }
    if (in->must_write_dropped) {
        for (uint32_t f = 0; f <= in->curframe; f++)
            for (uint32_t i = 0; in->frames[f] && i < in->cnt; i++)
                in->frames[f][i].must_write_acc = 0;
        for (uint32_t i = 0; i < in->cnt; i++)
            queue_insn(in, (int32_t)(in->start + i));
    }
    while (in->nwork) {
        uint32_t i = in->work[--in->nwork], insn = in->start + i;
        in->flags[i] &= (uint8_t)~IF_QUEUED;
        bool changed = false;
        for (uint32_t f = 0; f <= in->curframe; f++)
            if (in->frames[f])
                changed |= update_insn(env, in, in->frames[f], insn);
        if (!changed)
            continue;
        for (uint32_t p = lv->pred_off[insn]; p < lv->pred_off[insn + 1]; p++)
            if (lv->preds[p] >= in->start && lv->preds[p] < in->start + in->cnt)
                queue_insn(in, (int32_t)lv->preds[p]);
    }
    if (in->curframe > 0)
        propagate_to_caller(env, in);
}

/* bpf_update_live_stack: brings every chain of the current state up to
 * date, innermost first (a callee's result reaches its caller before the
 * caller's own dataflow). Called when a path ends and before a subprogram
 * returns, so a finished explored state's slots are settled before
 * clean_live_states asks. */
void bpfrt_v_update_live_stack(struct venv *env)
{
    struct vliveness *lv = liveness(env);
    if (!lv)
        return;
    lv->cur = NULL;
    for (uint32_t f = env->cur_state->curframe + 1; f-- > 0;) {
        struct live_inst *in = lookup_inst(env, env->cur_state, f);
        if (!in)
            return;
        if (in->updated) {
            update_inst(env, in);
            in->updated = false;
            in->must_write_dropped = false;
        }
    }
}

/* Prepares bpfrt_v_live_slots for the slots of st. */
int bpfrt_v_live_query_init(struct venv *env, const struct vstate *st)
{
    struct vliveness *lv = liveness(env);
    if (!lv)
        return -BPFRT_ENOMEM;
    for (uint32_t f = 0; f <= st->curframe; f++) {
        lv->query[f] = lookup_inst(env, st, f);
        if (!lv->query[f])
            return -BPFRT_ENOMEM;
    }
    lv->query_curframe = st->curframe;
    lv->query_insn = st->insn_idx;
    return 0;
}

static uint64_t live_before(struct live_inst *in, int32_t insn, uint32_t frameno)
{
    if (insn < (int32_t)in->start || insn >= (int32_t)(in->start + in->cnt))
        return 0;
    const struct live_masks *m = masks_at(in, frameno, insn);
    return m ? m->live_before : 0;
}

/* The slots of frame frameno that may still be read (bpf_stack_slot_alive
 * for all of them): after the state's instruction in its own frame, or -
 * for an outer frame - after the call that left it (before it, when the
 * call runs a callback that may come back to read). */
uint64_t bpfrt_v_live_slots(struct venv *env, uint32_t frameno)
{
    const struct vliveness *lv = env->live;
    struct live_inst *top = lv->query[lv->query_curframe];
    uint64_t live = live_before(top, lv->query_insn, frameno);
    for (uint32_t i = frameno; i < lv->query_curframe; i++) {
        int32_t callsite = top->callsites[i];
        bool cb = env->aux[callsite].flags & AUX_CALLS_CALLBACK;
        live |= live_before(lv->query[i], cb ? callsite : callsite + 1, frameno);
    }
    return live;
}

/* Frees every chain's masks (at the end of a pass). */
void bpfrt_v_free_liveness(struct venv *env)
{
    struct vliveness *lv = env->live;
    if (!lv)
        return;
    for (uint32_t b = 0; b < LIVE_BUCKETS; b++)
        while (lv->bucket[b]) {
            struct live_inst *in = lv->bucket[b];
            lv->bucket[b] = in->next;
            for (uint32_t f = 0; f < MAX_CALL_FRAMES; f++)
                bpfrt_v_free(env, in->frames[f], (size_t)in->cnt * sizeof(struct live_masks));
            bpfrt_v_free(env, in->flags, in->cnt);
            bpfrt_v_free(env, in->work, (size_t)in->cnt * sizeof(*in->work));
            bpfrt_v_free(env, in, sizeof(*in));
        }
    if (lv->pred_off) {
        bpfrt_v_free(env, lv->preds, ((size_t)lv->pred_off[env->len] + 1) * sizeof(uint32_t));
        bpfrt_v_free(env, lv->pred_off, ((size_t)env->len + 1) * sizeof(uint32_t));
    }
    bpfrt_v_free(env, lv, sizeof(*lv));
    env->live = NULL;
}
