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
 * added minus what the short jumps saved. The relaxation loop only does
 * that arithmetic over the resizable records: it computes the shifts,
 * makes short each jump whose distance fits rel8, and repeats until no
 * jump changes. Distances only shrink as jumps become short, so a short
 * jump stays valid and the loop converges. Linking copies the emitted
 * bytes into the image and re-encodes every recorded jump and call with
 * its final offset. */
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

void bpfrt_jit_call_abs(struct x86 *x, int reg, const void *fn)
{
    bpfrt_x86_movabs(x, reg, (uint64_t)(uintptr_t)fn);
    bpfrt_x86_call_r(x, reg);
}

/* ---- the relaxation ---- */

/* Bytes a record's instruction takes in the emitted code, and what a
 * pass-sized jump saves as rel8, by kind. */
static const uint8_t emitted_len[8] = {
    [JIT_EV_JMP] = X86_JMP32_LEN, [JIT_EV_JCC] = X86_JCC32_LEN, [JIT_EV_J8] = 2, [JIT_EV_CALL] = 5,
};
static const uint8_t saving[8] = { [JIT_EV_JMP] = X86_JMP32_LEN - 2, [JIT_EV_JCC] = X86_JCC32_LEN - 2 };

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

/* A position and a record index in the emitted code of both streams, the
 * cold after the hot. */
static inline uint32_t global_pos(const struct jit_ctx *c, unsigned st, uint32_t pos)
{
    return pos + (st ? c->hot.len : 0);
}

static inline uint32_t global_adj(const struct jit_ctx *c, unsigned st, uint32_t adj)
{
    return adj + (st ? c->nadj[0] : 0);
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

/* The shifts with every jump long and the loop heads' padding, hot code
 * first, then cold; in the same sweep, the jumps too far ever to be short
 * are marked. */
static void place(struct jit_ctx *c)
{
    uint32_t base = 0;
    for (unsigned st = 0; st < 2; st++) {
        int32_t shift = 0, *out = c->shift[st];
        struct jit_fix *a = c->adj[st];
        for (uint32_t e = 0, n = c->nadj[st]; e < n; e++) {
            out[e] = shift;
            uint8_t k = a[e].kind;
            if (__builtin_expect(JIT_EV_KIND(k) == JIT_EV_ALIGN, 0)) {
                shift += (int32_t)pad_at(base + a[e].pos + (uint32_t)shift);
                continue;
            }
            struct jit_label l = target_of(c, a[e].target);
            unsigned tst = l.adj >> 31;
            a[e].far = too_far(global_pos(c, st, a[e].pos), global_adj(c, st, e), global_pos(c, tst, l.pos),
                               global_adj(c, tst, l.adj & ~JIT_LABEL_COLD));
        }
        out[c->nadj[st]] = shift;
        if (st == 0)
            c->cold_base = base = (uint32_t)(c->hot.len + shift);
        else
            c->image_len = base + (uint32_t)(c->cold.len + shift);
    }
}

/* Whether the pass-sized jump a[e] of stream st fits rel8 in the current
 * layout, as it is (near) or if made short. */
static inline bool fits_short(const struct jit_ctx *c, unsigned st, uint32_t e, bool near)
{
    const struct jit_fix *f = &c->adj[st][e];
    unsigned save = saving[JIT_EV_KIND(f->kind)];
    /* where it would end if long; a short jump ends `save` bytes before */
    uint32_t end = (st ? c->cold_base : 0) + f->pos + (uint32_t)c->shift[st][e];
    int64_t rel = (int64_t)target_pos(c, f->target) - (near ? end - save : end);
    if (!near && rel < 0) /* backward: making it short brings its end closer */
        rel += save;
    return x86_is_imm8(rel);
}

/* One pass with loop padding (Linux's: Jacobi): flips the pass-sized
 * jumps that are long (near = false) and fit short, or that are short
 * (near = true) and no longer fit, all against the last pass's layout,
 * while laying out the result in next[], which then becomes the layout.
 * Making jumps short, it also tells in *misfit whether a short jump no
 * longer fits the last layout: when nothing changed, that layout is the
 * final one, and the passes that would take such jumps back to long have
 * nothing to do unless *misfit. */
static bool pass(struct jit_ctx *c, bool near, int32_t *next[2], bool *misfit)
{
    bool changed = false, bad = false;
    uint32_t base = 0;
    for (unsigned st = 0; st < 2; st++) {
        int32_t shift = 0, *out = next[st];
        struct jit_fix *a = c->adj[st];
        for (uint32_t e = 0, n = c->nadj[st]; e < n; e++) {
            out[e] = shift;
            uint8_t k = a[e].kind;
            if (__builtin_expect(JIT_EV_KIND(k) == JIT_EV_ALIGN, 0)) {
                shift += (int32_t)pad_at(base + a[e].pos + (uint32_t)shift);
                continue;
            }
            if (!a[e].far && !(k & JIT_EV_NEAR) == !near && fits_short(c, st, e, near) == !near) {
                a[e].kind = k ^= JIT_EV_NEAR;
                changed = true;
            } else if (!near && (k & JIT_EV_NEAR)) {
                bad |= !fits_short(c, st, e, true);
            }
            if (k & JIT_EV_NEAR)
                shift -= saving[JIT_EV_KIND(k)];
        }
        out[c->nadj[st]] = shift;
        if (st == 0)
            base = (uint32_t)(c->hot.len + shift);
        else
            c->image_len = base + (uint32_t)(c->cold.len + shift);
    }
    for (unsigned st = 0; st < 2; st++) {
        int32_t *t = c->shift[st];
        c->shift[st] = next[st];
        next[st] = t;
    }
    c->cold_base = base;
    *misfit = near ? changed : bad; /* (taking jumps back: until nothing changes) */
    return changed;
}

/* Without loop padding: one sweep places and decides at once (Gauss-Seidel
 * where the passes above are Jacobi). Deciding jump e of stream st, the
 * shifts before it are this sweep's; a target after it in its stream (or
 * in the cold stream, from the hot one) has the last sweep's shift plus
 * what this sweep has saved so far before e (delta): exact in its stream,
 * since nothing between e and the target has been decided again yet, and
 * an overstatement of a forward distance into the cold stream (the hot
 * jumps after e can only save more), which never makes short a jump that
 * does not fit. A sweep that changes nothing saw exact positions
 * throughout, so the loop ends where the passes do: where every jump that
 * fits is short (the least such set, whatever the order of decisions).
 * Only a forward jump that stayed long can see its distance change later
 * in the sweep: a sweep where nothing became short after the first of
 * those ends the loop too (returns false). The first sweep also marks the
 * jumps too far ever to be short. */
static bool sweep(struct jit_ctx *c, bool first)
{
    bool pending = false, unsettled = false;
    uint32_t base = 0;
    for (unsigned st = 0; st < 2; st++) {
        int32_t shift = 0, *out = c->shift[st];
        struct jit_fix *f = c->adj[st];
        for (uint32_t e = 0, n = c->nadj[st]; e < n; e++) {
            int32_t delta = shift - out[e];
            out[e] = shift;
            uint8_t k = f[e].kind;
            if (!(k & JIT_EV_NEAR)) {
                if (f[e].far)
                    continue;
                struct jit_label l = target_of(c, f[e].target);
                unsigned tst = l.adj >> 31;
                uint32_t a = l.adj & ~JIT_LABEL_COLD, ga = global_adj(c, tst, a), ge = global_adj(c, st, e);
                if (first && (f[e].far = too_far(global_pos(c, st, f[e].pos), ge, global_pos(c, tst, l.pos), ga)))
                    continue;
                int32_t sh = c->shift[tst][a] + (ga > ge ? delta : 0); /* after e: not yet placed in this sweep */
                int64_t rel = (int64_t)(tst ? c->cold_base : 0) + l.pos + sh - (base + f[e].pos + (uint32_t)shift);
                if (rel < 0) /* backward: making it short brings its end closer */
                    rel += saving[JIT_EV_KIND(k)];
                if (!x86_is_imm8(rel)) {
                    pending |= rel > 0;
                    continue;
                }
                f[e].kind = k |= JIT_EV_NEAR;
                unsettled |= pending;
            }
            shift -= saving[JIT_EV_KIND(k)];
        }
        out[c->nadj[st]] = shift;
        if (st == 0)
            c->cold_base = base = (uint32_t)(c->hot.len + shift);
        else
            c->image_len = base + (uint32_t)(c->cold.len + shift);
    }
    return unsettled;
}

int bpfrt_jit_relax(struct jit_ctx *c)
{
    c->shift[0] = bpfrt_jit_scratch_get(c, ((size_t)c->nadj[0] + 1) * sizeof(int32_t), true);
    c->shift[1] = bpfrt_jit_scratch_get(c, ((size_t)c->nadj[1] + 1) * sizeof(int32_t), true);
    if (!c->shift[0] || !c->shift[1])
        return -BPFRT_ENOMEM;
    /* make short what fits, until nothing changes */
    bool changed = true;
    c->cold_base = c->hot.len; /* every jump long */
    for (bool first = true; changed && !c->aligned; c->passes++, first = false)
        changed = sweep(c, first);
    if (c->aligned) {
        int32_t *next[2] = { bpfrt_jit_scratch_get(c, ((size_t)c->nadj[0] + 1) * sizeof(int32_t), false),
                             bpfrt_jit_scratch_get(c, ((size_t)c->nadj[1] + 1) * sizeof(int32_t), false) };
        if (!next[0] || !next[1])
            return -BPFRT_ENOMEM;
        place(c);
        bool misfit = false;
        for (changed = true; changed; c->passes++)
            changed = pass(c, false, next, &misfit);
        /* Padding can grow as code before a loop head shrinks, which may
         * push a short jump out of reach: those go back to long until every
         * short one fits (nothing goes short again, so this ends). */
        while (misfit && pass(c, true, next, &misfit))
            c->passes++;
    }
    /* every instruction's address (for callbacks, callx, dumps) */
    for (uint32_t pc = 0; pc <= c->len; pc++)
        c->addr[pc] = (uint32_t)(c->insn_start[pc].pos + c->shift[0][c->insn_start[pc].adj]);
    return 0;
}

/* ---- linking ---- */

/* Copies the emitted code into the image a stream at a time, the stretches
 * between the records whose size changed (short jumps, loop padding) in
 * one copy each, then writes every jump's and call's offset in place. */
int bpfrt_jit_link(struct jit_ctx *c, uint8_t *image)
{
    for (unsigned st = 0; st < 2 && !c->err; st++) {
        const struct x86 *in = st ? &c->cold : &c->hot;
        uint32_t base = st ? c->cold_base : 0;
        struct x86 out = { image + base, 0, base, 0 };
        uint32_t src = 0; /* emitted bytes copied so far */
        const int32_t *shift = c->shift[st];
        const struct jit_fix *a = c->adj[st];
        for (uint32_t e = 0, n = c->nadj[st]; e < n; e++) {
            uint8_t k = a[e].kind, kind = JIT_EV_KIND(k);
            if (kind != JIT_EV_ALIGN && !(k & JIT_EV_NEAR)) {
                /* long: copied with what surrounds it; its rel32 below */
                int64_t rel = (int64_t)target_pos(c, a[e].target) - (base + a[e].pos + shift[e]);
                uint32_t r = (uint32_t)(int32_t)rel;
                bpfrt_memcpy(in->code + a[e].pos - 4, &r, 4);
                continue;
            }
            uint32_t from = a[e].pos - emitted_len[kind];
            bpfrt_memcpy(out.code + out.len, in->code + src, from - src);
            out.len += from - src;
            src = a[e].pos;
            if (kind == JIT_EV_ALIGN) {
                /* executed once, on entering the loop */
                for (uint32_t pad = pad_at(x86_pos(&out)); pad; pad -= pad > 9 ? 9 : pad)
                    bpfrt_x86_nop(&out, pad > 9 ? 9 : pad);
                continue;
            }
            int64_t rel = (int64_t)target_pos(c, a[e].target) - (x86_pos(&out) + 2);
            if (!x86_is_imm8(rel)) {
                c->err = -BPFRT_EFAULT;
                break;
            }
            if (kind == JIT_EV_JMP)
                bpfrt_x86_jmp_rel8(&out, (int8_t)rel);
            else
                bpfrt_x86_jcc_rel8(&out, (enum x86_cc)JIT_EV_CC(k), (int8_t)rel);
        }
        bpfrt_memcpy(out.code + out.len, in->code + src, in->len - src);
        out.len += in->len - src;
        if (x86_pos(&out) != (st ? c->image_len : c->cold_base))
            c->err = -BPFRT_EFAULT;
        /* the fixed-size records: rel8 or rel32 at their end, in the image */
        const struct jit_fix *f = c->fix[st];
        for (uint32_t i = 0, n = c->nfix[st]; i < n && !c->err; i++) {
            uint32_t end = base + f[i].pos + (uint32_t)shift[f[i].adj];
            int64_t rel = (int64_t)target_pos(c, f[i].target) - end;
            if (JIT_EV_KIND(f[i].kind) >= JIT_EV_CALL) { /* a call or a cold jump: rel32 */
                uint32_t r = (uint32_t)(int32_t)rel;
                bpfrt_memcpy(image + end - 4, &r, 4);
            } else if (x86_is_imm8(rel)) {
                image[end - 1] = (uint8_t)(int8_t)rel;
            } else {
                c->err = -BPFRT_EFAULT;
            }
        }
    }
    return c->err;
}
