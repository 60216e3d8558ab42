/* Code layout: which jumps get rel8 (Linux's x86 JIT pass loop in
 * bpf_int_jit_compile, without re-emitting the code each pass).
 *
 * The emitters run once, writing every pass-sized jump in its long form.
 * Per stream (hot or cold) and in emission order, they record the
 * resizable things (pass-sized jumps; loop heads, padded with nops) apart
 * from the fixed-size ones (calls, short jumps inside one instruction's
 * code), each with where it ends in the emitted code; a label, and each
 * instruction's start, notes its emitted position and how many resizable
 * records come before it. A position in the image is then the emitted
 * position plus its stream's shift before it: what the loop heads' padding
 * added minus what the short jumps saved. The relaxation only does that
 * arithmetic over the resizable records (only the hot stream has them):
 * sweeps that compute the shifts and make short each jump whose distance
 * fits rel8, until no decision can have changed. Without loop padding
 * distances only shrink as jumps become short, so a short jump stays valid
 * and the sweeps converge; padding can grow, and the jumps it pushes out of
 * reach go back to long afterwards. Linking copies the emitted bytes into
 * the image and re-encodes every recorded jump and call with its final
 * offset. */
#include "core/jit/jit.h"

bool bpfrt_jit_grow_records(struct jit_ctx *c, void **array, uint32_t n, uint32_t *cap, size_t elem)
{
    uint32_t ncap = *cap ? *cap * 2 : 256;
    void *p = bpfrt_jit_scratch_get(c, (size_t)ncap * elem, false);
    if (!p) {
        c->err = -BPFRT_ENOMEM;
        return false;
    }
    if (n)
        bpfrt_memcpy(p, *array, (size_t)n * elem);
    *array = p;
    *cap = ncap;
    return true;
}

/* Nops before position p to the next loop alignment. */
static uint32_t pad_at(uint32_t p)
{
    return (JIT_LOOP_ALIGN - (p & (JIT_LOOP_ALIGN - 1))) & (JIT_LOOP_ALIGN - 1);
}

/* ---- the relaxation ---- */

/* Bytes a record's instruction takes in the emitted code, and what a
 * pass-sized jump saves as rel8, by kind. */
static const uint8_t emitted_len[8] = {
    [JIT_EV_JMP] = X86_JMP32_LEN, [JIT_EV_JCC] = X86_JCC32_LEN, [JIT_EV_J8] = 2, [JIT_EV_CALL] = 5,
};
static const uint8_t saving[8] = { [JIT_EV_JMP] = X86_JMP32_LEN - 2, [JIT_EV_JCC] = X86_JCC32_LEN - 2 };
/* What a record saves by its kind byte's low bits (kind and JIT_EV_NEAR). */
static const uint8_t near_saving[16] = {
    [JIT_EV_NEAR | JIT_EV_JMP] = X86_JMP32_LEN - 2, [JIT_EV_NEAR | JIT_EV_JCC] = X86_JCC32_LEN - 2
};

/* Where a target (a label, or an instruction's start) is in the emitted
 * code; an unknown one: the start. */
static inline struct jit_label target_of(const struct jit_ctx *c, uint32_t target)
{
    bool insn = target & JIT_TGT_INSN;
    uint32_t i = target & ~JIT_TGT_INSN, n = insn ? c->len + 1 : c->nlabels;
    const struct jit_label *l = insn ? c->insn_start : c->labels;
    return i < n ? l[i] : (struct jit_label){ 0, 0 };
}

static inline uint32_t target_pos(const struct jit_ctx *c, uint32_t target)
{
    struct jit_label l = target_of(c, target);
    unsigned st = l.adj >> 31;
    return (uint32_t)((st ? c->cold_base : 0) + l.pos + c->shift[st][l.adj & ~JIT_LABEL_COLD]);
}

/* Whether a pass-sized jump ending at emitted position pos (global) after
 * adj records (global) can never be short, its target at tpos after tadj:
 * padding only lengthens a distance, and each record between a jump and
 * its target shortens it by at most 4 bytes. In checked code most jumps go
 * between the hot and the cold code, far apart; the passes skip them. */
static inline bool too_far(uint32_t pos, uint32_t adj, uint32_t tpos, uint32_t tadj)
{
    uint64_t dist = tpos > pos ? tpos - pos : pos - tpos;
    uint64_t recs = tadj > adj ? tadj - adj : adj - tadj;
    return dist > 128 + 4 * (recs + 1);
}

/* Jump e's target as the sweeps read it, noted in tgt[e] by the first:
 * its position in the emitted code of both streams (the cold after the
 * hot) and the records before it (the cold stream has none: all n). */
static inline struct jit_label note_target(const struct jit_ctx *c, uint32_t e, struct jit_label *tgt)
{
    struct jit_label l = target_of(c, c->adj[0][e].target);
    bool cold = l.adj >> 31;
    return tgt[e] = (struct jit_label){ (cold ? c->hot.len : 0) + l.pos, cold ? c->nadj[0] : l.adj };
}

#define NO_HEAD 0xffffffffu

/* The layout with every jump long: the shifts are the loop heads' padding.
 * The loop heads' record indices go to heads[], in order, ended by nadj
 * (after the last record); heads[-1] is NO_HEAD. */
static void place_long(struct jit_ctx *c, uint32_t *heads)
{
    int32_t shift = 0, *out = c->shift[0];
    const struct jit_fix *a = c->adj[0];
    uint32_t n = c->nadj[0];
    for (uint32_t e = 0; e < n; e++) {
        out[e] = shift;
        if (__builtin_expect(JIT_EV_KIND(a[e].kind) == JIT_EV_ALIGN, 0)) {
            *heads++ = e;
            shift += (int32_t)pad_at(a[e].pos + (uint32_t)shift);
        }
    }
    out[n] = shift;
    *heads = n;
    c->cold_base = c->hot.len + (uint32_t)shift;
}

/* One sweep places and decides at once (Gauss-Seidel; Linux's passes are
 * Jacobi): deciding jump e, the shifts before it are this sweep's, and a
 * target after it is where the last sweep's layout puts it once moved by
 * what this sweep has changed before e (e made short included) - and, when
 * a loop head lies between, by what that moves the head's padding: past
 * the first such head every position keeps its alignment, so later heads'
 * padding stays as it was. That is the exact layout of the decisions made
 * so far with the last sweep's for the rest (the last sweep's layout is
 * exact for its own decisions, and the first sweep's is every jump long).
 * A long jump becomes short when it fits there; nothing goes back to long
 * here. A decision stays right for the sweep's final layout unless a jump
 * between it and its target changes later in the sweep: of a forward jump
 * that stayed long (it may now fit), or of a short forward one with a loop
 * head before its target (the padding may grow); when nothing became short
 * between one of those and its target, the sweep is the last (returns
 * false), and *misfit tells whether a short jump does not fit its final
 * layout. The first sweep notes each jump's target (its emitted position,
 * records before it) in tgt[], where the others read it.
 * Without loop padding distances only shrink, the loop ends where Linux's
 * passes do - every jump that fits is short, the least such set, whatever
 * the order of decisions - and nothing misfits.
 * The sweeps skip the jumps marked settled (struct jit_fix's far): those
 * too far ever to be short, marked by the first sweep, and the short ones
 * no loop head separates from their target (their distance only shrinks). */
JIT_INLINE bool sweep(struct jit_ctx *c, bool first, const uint32_t *heads,
                      struct jit_label *tgt, bool *misfit, bool padded)
{
    bool unsettled = false, bad = false;
    uint32_t pending = 0; /* the furthest target of a decision a later change could undo */
    int32_t shift = 0, *out = c->shift[0];
    struct jit_fix *f = c->adj[0];
    uint32_t n = c->nadj[0], hot_len = c->hot.len;
    for (uint32_t e = 0; e < n; e++) {
        int32_t delta = shift - out[e];
        out[e] = shift;
        uint8_t k = f[e].kind, kind = JIT_EV_KIND(k);
        if (__builtin_expect(kind == JIT_EV_ALIGN, 0)) {
            heads++; /* (now the first loop head after e) */
            shift += (int32_t)pad_at(f[e].pos + (uint32_t)shift);
            continue;
        }
        if (f[e].far) {
            shift -= near_saving[k & 15];
            continue;
        }
        int32_t save = saving[kind];
        /* the target (note_target): looked up by the first sweep, kept
         * for the others in tgt[] */
        uint32_t ta, tpos;
        if (first) {
            struct jit_label t = note_target(c, e, tgt);
            tpos = t.pos;
            ta = t.adj;
            if ((f[e].far = too_far(f[e].pos, e, tpos, ta)))
                continue;
        } else {
            tpos = tgt[e].pos;
            ta = tgt[e].adj;
        }
        bool near = k & JIT_EV_NEAR, fwd = ta > e;
        /* a loop head between e and the target; after e: the first one */
        bool head = padded && (fwd ? *heads < ta : (heads[-1] != NO_HEAD) & (heads[-1] >= ta));
        int32_t d = near ? delta : delta - save; /* the code after e moved by this, e short */
        int64_t at = (int64_t)tpos + out[ta] + (fwd ? d : 0); /* (at or before e: placed in this sweep) */
        if (__builtin_expect(fwd && head, 0)) {
            uint32_t h = f[*heads].pos + (uint32_t)out[*heads];
            at += (int32_t)pad_at(h + (uint32_t)d) - (int32_t)pad_at(h);
        }
        bool fits = x86_is_imm8(at - ((int64_t)f[e].pos + shift - save)); /* from its end as short */
        if (!near && !fits) {
            pending = fwd && ta > pending ? ta : pending;
            continue;
        }
        if (!near) {
            f[e].kind = k | JIT_EV_NEAR;
            f[e].far = !head;
            unsettled |= e < pending;
        } else {
            bad |= !fits;
            pending = fwd && ta > pending ? ta : pending;
        }
        shift -= save;
    }
    out[n] = shift;
    c->cold_base = hot_len + (uint32_t)shift;
    c->image_len = c->cold_base + c->cold.len;
    *misfit = bad;
    return unsettled;
}

/* Without loop heads, the first decisions in one sweep from the last
 * record to the first: the records between a forward jump and its target
 * come after it, so they are decided when it is, and what the sweep makes
 * short later (before it) moves its end and its target alike - a forward
 * jump's decision is final unless a backward jump it spans changes after.
 * A backward jump is decided against the records before it as they are,
 * all long: that only overestimates its distance, so a short one stays
 * short; one left long that might fit is the forward sweeps' (returns
 * true). On the way out[i] holds what records i.. save (the records after
 * a forward jump, read at its target's index), at the end the shifts.
 * The forward sweeps decide a forward jump against a layout in which the
 * jumps it spans are still the last sweep's: a chain of jumps nested in
 * one another took them a sweep per level (4 on the generated program of
 * `make bench`). */
static bool sweep_back(struct jit_ctx *c, struct jit_label *tgt)
{
    struct jit_fix *f = c->adj[0];
    int32_t *out = c->shift[0], saved = 0;
    uint32_t n = c->nadj[0], hot_len = c->hot.len;
    bool undecided = false;
    out[n] = 0;
    for (uint32_t e = n; e-- > 0;) {
        struct jit_label t = note_target(c, e, tgt);
        uint32_t ta = t.adj, tpos = t.pos;
        uint8_t k = f[e].kind;
        int32_t save = saving[JIT_EV_KIND(k)];
        bool fwd = ta > e;
        if (!(f[e].far = too_far(f[e].pos, e, tpos, ta))) {
            /* from its end as short */
            int64_t rel = (int64_t)tpos - f[e].pos + (fwd ? out[ta] - saved : save);
            bool fits = x86_is_imm8(rel);
            f[e].kind = (uint8_t)(k | (fits ? JIT_EV_NEAR : 0));
            f[e].far = fits; /* settled: distances only shrink */
            saved += fits ? save : 0;
            undecided |= !fits & !fwd;
        }
        out[e] = saved;
    }
    for (uint32_t e = 0; e <= n; e++)
        out[e] -= saved; /* what the records before e save, negated */
    c->cold_base = hot_len - (uint32_t)saved;
    c->image_len = c->cold_base + c->cold.len;
    return undecided;
}

/* Whether the short jump a[e] fits rel8 in the current layout. */
static inline bool fits_near(const struct jit_ctx *c, uint32_t e)
{
    const struct jit_fix *f = &c->adj[0][e];
    uint32_t end = f->pos + (uint32_t)c->shift[0][e] - saving[JIT_EV_KIND(f->kind)];
    return x86_is_imm8((int64_t)target_pos(c, f->target) - end);
}

/* One pass taking back to long the short jumps that do not fit the last
 * layout (Jacobi), laying out the result in next, which then becomes the
 * layout. Only with loop padding, after the sweeps found such a jump:
 * padding can grow as code before a loop head shrinks. Nothing goes short
 * again, so the passes end, where every short jump fits. */
static bool pass_back(struct jit_ctx *c, int32_t **next)
{
    bool changed = false;
    int32_t shift = 0, *out = *next;
    struct jit_fix *a = c->adj[0];
    for (uint32_t e = 0, n = c->nadj[0]; e < n; e++) {
        out[e] = shift;
        uint8_t k = a[e].kind;
        if (JIT_EV_KIND(k) == JIT_EV_ALIGN) {
            shift += (int32_t)pad_at(a[e].pos + (uint32_t)shift);
        } else if ((k & JIT_EV_NEAR) && !fits_near(c, e)) {
            a[e].kind = k & ~JIT_EV_NEAR;
            changed = true;
        } else if (k & JIT_EV_NEAR) {
            shift -= saving[JIT_EV_KIND(k)];
        }
    }
    out[c->nadj[0]] = shift;
    *next = c->shift[0];
    c->shift[0] = out;
    c->cold_base = c->hot.len + (uint32_t)shift;
    c->image_len = c->cold_base + c->cold.len;
    return changed;
}

int bpfrt_jit_relax(struct jit_ctx *c)
{
    uint32_t n = c->nadj[0], none[2] = { NO_HEAD, n }, *heads = none + 1;
    if (c->nadj[1]) /* the cold stream's jumps are rel32 (JIT_EV_J32): none resizable */
        return -BPFRT_EFAULT;
    c->shift[0] = bpfrt_jit_scratch_get(c, ((size_t)n + 1) * sizeof(int32_t), false);
    c->shift[1] = bpfrt_jit_scratch_get(c, sizeof(int32_t), true);
    if (c->aligned)
        heads = bpfrt_jit_scratch_get(c, ((size_t)n + 2) * sizeof(uint32_t), false);
    if (heads && c->aligned)
        *heads++ = NO_HEAD;
    struct jit_label *tgt = bpfrt_jit_scratch_get(c, (size_t)n * sizeof(*tgt), false);
    if (!c->shift[0] || !c->shift[1] || !heads || !tgt)
        return -BPFRT_ENOMEM;
    /* make short what fits, until nothing changes */
    bool misfit = false;
    if (c->aligned) {
        place_long(c, heads);
        for (bool first = true, more = true; more; first = false, c->passes++)
            more = sweep(c, first, heads, tgt, &misfit, true);
    } else {
        for (bool more = sweep_back(c, tgt); c->passes++, more;)
            more = sweep(c, false, heads, tgt, &misfit, false);
    }
    if (misfit) {
        int32_t *next = bpfrt_jit_scratch_get(c, ((size_t)n + 1) * sizeof(int32_t), false);
        if (!next)
            return -BPFRT_ENOMEM;
        while (pass_back(c, &next))
            c->passes++;
    }
    /* every instruction's address (for callbacks, callx, dumps) */
    const struct jit_label *start = c->insn_start;
    const int32_t *shift = c->shift[0];
    uint32_t *addr = c->addr;
#pragma GCC unroll 4 /* (a third faster: the loop is a few loads and a store) */
    for (uint32_t pc = 0, len = c->len; pc <= len; pc++)
        addr[pc] = start[pc].pos + (uint32_t)shift[start[pc].adj];
    return 0;
}

/* ---- linking ---- */

/* Where targets are in the image: the labels' places (computed once) and
 * the instructions' starts (c->addr), indexed by the target's instruction
 * bit rather than branching on it (calls and jumps to either come in no
 * order a predictor follows); held in locals, which the image's stores
 * cannot change. An unknown target: the start. */
struct finals {
    const uint32_t *at[2];  /* labels, instructions */
    uint32_t n[2];
};

static inline uint32_t final_pos(const struct finals *t, uint32_t target)
{
    unsigned insn = target >> 31;
    uint32_t i = target & ~JIT_TGT_INSN;
    return i < t->n[insn] ? t->at[insn][i] : 0;
}

/* Copies n emitted bytes into the image: a stretch of up to 64 bytes as
 * 64 without a call or a branch on its size when both buffers have the
 * room past it (`room`; what it writes past the stretch, the code copied
 * next overwrites), others with memcpy. Most stretches between resized
 * records are short, and a call each cost more than the copy. */
static inline void copy_code(uint8_t *dst, const uint8_t *src, uint32_t n, bool room)
{
    if (n <= 64 && room) {
        uint8_t b[64];
        bpfrt_memcpy(b, src, 64);
        bpfrt_memcpy(dst, b, 64);
    } else {
        bpfrt_memcpy(dst, src, n);
    }
}

/* Writes the fixed-size records' offsets (rel32 of calls and cold jumps,
 * rel8 of short jumps inside an instruction) at their end in the image;
 * the cold stream's positions do not move (`hot` false: no shift). */
JIT_INLINE int patch_fixed(uint8_t *image, const struct jit_fix *f, uint32_t n,
                           uint32_t base, const int32_t *shift,
                           const struct finals *t, bool hot)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t end = base + f[i].pos + (hot ? (uint32_t)shift[f[i].adj] : 0);
        int64_t rel = (int64_t)final_pos(t, f[i].target) - end;
        if (JIT_EV_KIND(f[i].kind) >= JIT_EV_CALL) {
            uint32_t r = (uint32_t)(int32_t)rel;
            bpfrt_memcpy(image + end - 4, &r, 4);
        } else if (x86_is_imm8(rel)) {
            image[end - 1] = (uint8_t)(int8_t)rel;
        } else {
            return -BPFRT_EFAULT;
        }
    }
    return 0;
}

/* Copies the emitted code into the image a stream at a time, the stretches
 * between the records whose size changed (short jumps, loop padding) in
 * one copy each, then writes every jump's and call's offset in place. */
int bpfrt_jit_link(struct jit_ctx *c, uint8_t *image)
{
    uint32_t image_len = c->image_len, cold_base = c->cold_base, nlabels = c->nlabels;
    uint32_t *label = bpfrt_jit_scratch_get(c, (size_t)nlabels * sizeof(uint32_t), false);
    if (!label)
        return c->err = -BPFRT_ENOMEM;
    const int32_t *hot_shift = c->shift[0];
#pragma GCC unroll 4
    for (uint32_t i = 0; i < nlabels; i++) { /* (a cold label's adj: 0 | JIT_LABEL_COLD) */
        struct jit_label l = c->labels[i];
        uint32_t sh = (uint32_t)hot_shift[l.adj & ~JIT_LABEL_COLD], cold = 0u - (l.adj >> 31);
        label[i] = l.pos + ((cold_base & cold) | (sh & ~cold));
    }
    const struct finals t = { { label, c->addr }, { nlabels, c->len + 1 } };
    int err = 0;
    for (unsigned st = 0; st < 2 && !err; st++) {
        const struct x86 *in = st ? &c->cold : &c->hot;
        uint8_t *code = in->code;
        uint32_t base = st ? cold_base : 0, len = in->len, cap = in->cap;
        struct x86 out = { image + base, 0, base, 0 };
        uint32_t src = 0; /* emitted bytes copied so far */
        const int32_t *shift = c->shift[st];
        const struct jit_fix *a = c->adj[st];
        for (uint32_t e = 0, n = c->nadj[st]; e < n; e++) {
            uint8_t k = a[e].kind, kind = JIT_EV_KIND(k);
            if (kind != JIT_EV_ALIGN && !(k & JIT_EV_NEAR)) {
                /* long: copied with what surrounds it; its rel32 below */
                uint32_t r = final_pos(&t, a[e].target) - (base + a[e].pos + (uint32_t)shift[e]);
                bpfrt_memcpy(code + a[e].pos - 4, &r, 4);
                continue;
            }
            uint32_t from = a[e].pos - emitted_len[kind];
            copy_code(out.code + out.len, code + src, from - src, base + out.len + 64 <= image_len && src + 64 <= cap);
            out.len += from - src;
            src = a[e].pos;
            if (kind == JIT_EV_ALIGN) {
                /* executed once, on entering the loop */
                for (uint32_t pad = pad_at(x86_pos(&out)); pad; pad -= pad > 9 ? 9 : pad)
                    bpfrt_x86_nop(&out, pad > 9 ? 9 : pad);
                continue;
            }
            int64_t rel = (int64_t)final_pos(&t, a[e].target) - (x86_pos(&out) + 2);
            if (!x86_is_imm8(rel)) {
                err = -BPFRT_EFAULT;
                break;
            }
            if (kind == JIT_EV_JMP)
                bpfrt_x86_jmp_rel8(&out, (int8_t)rel);
            else
                bpfrt_x86_jcc_rel8(&out, (enum x86_cc)JIT_EV_CC(k), (int8_t)rel);
        }
        bpfrt_memcpy(out.code + out.len, code + src, len - src);
        out.len += len - src;
        if (x86_pos(&out) != (st ? image_len : cold_base))
            err = -BPFRT_EFAULT;
        if (!err)
            err = st ? patch_fixed(image, c->fix[1], c->nfix[1], base, shift, &t, false)
                     : patch_fixed(image, c->fix[0], c->nfix[0], base, shift, &t, true);
    }
    return c->err = err;
}
