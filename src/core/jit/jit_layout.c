/* Code layout: which jumps get rel8 (Linux's x86 JIT pass loop in
 * bpf_int_jit_compile, without re-emitting the code each pass).
 *
 * The emitters run once, writing every pass-sized jump in its long form
 * and recording, per stream (hot or cold) and in emission order, each jump,
 * call and label with where it ends in the emitted code, and the start of
 * every instruction something jumps to. The relaxation loop then only does
 * arithmetic: a position in the image is the emitted position minus what
 * the short jumps before it save; it places everything, makes short each
 * jump whose distance fits rel8, and repeats until no jump changes.
 * Distances only shrink as jumps become short, so a short jump stays valid
 * and the loop converges. Linking copies the emitted bytes into the image
 * and re-encodes every recorded jump and call with its final offset. */
#include "core/jit/jit.h"

#define JIT_TGT_INSN 0x80000000u /* a target that is an instruction, not a label */

/* An event's kind byte: the kind in bits 0-2, for EV_J8 bit 3 = a jcc (not
 * a jmp), a jcc's condition in bits 4-7. */
enum {
    EV_LABEL,
    EV_INSN, /* the start of instruction `target` (a jump target) */
    EV_JMP,  /* pass-sized jmp */
    EV_JCC,  /* pass-sized jcc */
    EV_J8,   /* jmp/jcc rel8 inside one instruction's code (always short) */
    EV_CALL, /* call rel32 */
    EV_ALIGN, /* a loop head: padded with nops to JIT_LOOP_ALIGN */
};
#define EV_KIND(k) ((k) & 7)
#define EV_J8_JCC 0x08
#define EV_CC(k) ((k) >> 4)

static void record(struct jit_ctx *c, const struct x86 *x, uint8_t kind, uint32_t target)
{
    unsigned st = x == &c->cold;
    if (c->nev[st] == c->cap_ev[st]) {
        uint32_t ncap = c->cap_ev[st] ? c->cap_ev[st] * 2 : 1024;
        struct jit_event *n = bpfrt_jit_scratch_get(c, (size_t)ncap * sizeof(*n), false);
        if (!n) {
            c->err = -BPFRT_ENOMEM;
            return;
        }
        if (c->nev[st])
            bpfrt_memcpy(n, c->ev[st], (size_t)c->nev[st] * sizeof(*n));
        c->ev[st] = n;
        c->cap_ev[st] = ncap;
    }
    c->ev[st][c->nev[st]++] = (struct jit_event){ x->len, target, kind };
}

uint32_t bpfrt_jit_label_new(struct jit_ctx *c)
{
    return c->nlabels++;
}

void bpfrt_jit_label_bind(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    record(c, x, EV_LABEL, label);
}

void bpfrt_jit_insn_start(struct jit_ctx *c, uint32_t pc)
{
    record(c, &c->hot, EV_INSN, pc);
}

void bpfrt_jit_align_loop(struct jit_ctx *c)
{
    record(c, &c->hot, EV_ALIGN, 0);
    c->aligned = true;
}

/* Nops before position p to the next loop alignment. */
static uint32_t pad_at(uint32_t p)
{
    return (JIT_LOOP_ALIGN - (p & (JIT_LOOP_ALIGN - 1))) & (JIT_LOOP_ALIGN - 1);
}

/* A jump to an instruction not emitted yet marks it, so its start is
 * recorded (backward targets are marked before the emission). */
static uint32_t insn_target(struct jit_ctx *c, uint32_t pc)
{
    if (pc <= c->len && !c->is_target[pc])
        c->is_target[pc] = 1;
    return pc | JIT_TGT_INSN;
}

static void jump(struct jit_ctx *c, struct x86 *x, int cc, uint32_t target)
{
    if (cc < 0)
        bpfrt_x86_jmp_rel32(x, 0);
    else
        bpfrt_x86_jcc_rel32(x, (enum x86_cc)cc, 0);
    record(c, x, cc < 0 ? EV_JMP : (uint8_t)(EV_JCC | cc << 4), target);
}

void bpfrt_jit_jump_label(struct jit_ctx *c, struct x86 *x, int cc, uint32_t label)
{
    jump(c, x, cc, label);
}

void bpfrt_jit_jump_insn(struct jit_ctx *c, struct x86 *x, int cc, uint32_t pc)
{
    jump(c, x, cc, insn_target(c, pc));
}

void bpfrt_jit_call_label(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    bpfrt_x86_call_rel32(x, 0);
    record(c, x, EV_CALL, label);
}

void bpfrt_jit_call_insn(struct jit_ctx *c, struct x86 *x, uint32_t pc)
{
    bpfrt_x86_call_rel32(x, 0);
    record(c, x, EV_CALL, insn_target(c, pc));
}

uint32_t bpfrt_jit_fwd8(struct jit_ctx *c, struct x86 *x, int cc)
{
    uint32_t label = bpfrt_jit_label_new(c);
    if (cc < 0)
        bpfrt_x86_jmp_rel8(x, 0);
    else
        bpfrt_x86_jcc_rel8(x, (enum x86_cc)cc, 0);
    record(c, x, cc < 0 ? EV_J8 : (uint8_t)(EV_J8 | EV_J8_JCC | cc << 4), label);
    return label;
}

void bpfrt_jit_patch8(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    bpfrt_jit_label_bind(c, x, label);
}

void bpfrt_jit_call_abs(struct x86 *x, int reg, const void *fn)
{
    bpfrt_x86_movabs(x, reg, (uint64_t)(uintptr_t)fn);
    bpfrt_x86_call_r(x, reg);
}

/* ---- the relaxation ---- */

/* Bytes an event's instruction takes in the emitted code. */
static unsigned emitted_len(uint8_t kind)
{
    switch (EV_KIND(kind)) {
    case EV_JMP: return X86_JMP32_LEN;
    case EV_JCC: return X86_JCC32_LEN;
    case EV_J8: return 2;
    case EV_CALL: return 5;
    default: return 0;
    }
}

static unsigned saving(uint8_t kind)
{
    return EV_KIND(kind) == EV_JMP ? X86_JMP32_LEN - 2 : X86_JCC32_LEN - 2;
}

static bool sized(uint8_t kind)
{
    return EV_KIND(kind) == EV_JMP || EV_KIND(kind) == EV_JCC;
}

static uint32_t target_pos(const struct jit_ctx *c, uint32_t target)
{
    if (target & JIT_TGT_INSN)
        return c->addr[target & ~JIT_TGT_INSN];
    return target < c->nlabels ? c->label_pos[target] : 0;
}

/* Places labels, jump targets and jumps (at[]: where each jump would end
 * if long) with the short jumps chosen so far and the loop heads' padding:
 * hot code first, then cold. */
static void place(struct jit_ctx *c, uint32_t *at[2])
{
    uint32_t base = 0;
    for (unsigned st = 0; st < 2; st++) {
        int64_t shift = 0; /* bytes added (padding) minus bytes saved (short jumps) so far */
        for (uint32_t e = 0; e < c->nev[st]; e++) {
            const struct jit_event *ev = &c->ev[st][e];
            uint32_t p = (uint32_t)(base + ev->pos + shift);
            switch (EV_KIND(ev->kind)) {
            case EV_LABEL:
                c->label_pos[ev->target] = p;
                break;
            case EV_INSN:
                c->addr[ev->target] = p;
                break;
            case EV_JMP:
            case EV_JCC:
                at[st][e] = p;
                if (c->near[st][e])
                    shift -= saving(ev->kind);
                break;
            case EV_ALIGN:
                shift += pad_at(p);
                break;
            default:
                break;
            }
        }
        if (st == 0)
            c->cold_base = base = (uint32_t)(c->hot.len + shift);
        else
            c->image_len = (uint32_t)(base + c->cold.len + shift);
    }
}

/* Where a jump is, if it is made short (rel8) given the layout at[]. */
static bool fits_short(const struct jit_ctx *c, const struct jit_event *ev, uint32_t end_long, bool near)
{
    /* a short jump ends `saving` bytes before where the long one would */
    uint32_t end = near ? end_long - saving(ev->kind) : end_long;
    int64_t rel = (int64_t)target_pos(c, ev->target) - end;
    if (!near && rel < 0) /* backward: making it short brings its end closer */
        rel += saving(ev->kind);
    return x86_is_imm8(rel);
}

int bpfrt_jit_relax(struct jit_ctx *c)
{
    uint32_t *at[2] = { bpfrt_jit_scratch_get(c, ((size_t)c->nev[0] + 1) * sizeof(uint32_t), false),
                        bpfrt_jit_scratch_get(c, ((size_t)c->nev[1] + 1) * sizeof(uint32_t), false) };
    int err = at[0] && at[1] ? 0 : -BPFRT_ENOMEM;
    /* make short what fits, until nothing changes */
    for (bool changed = !err; changed; c->passes++) {
        changed = false;
        place(c, at);
        for (unsigned st = 0; st < 2; st++)
            for (uint32_t e = 0; e < c->nev[st]; e++) {
                const struct jit_event *ev = &c->ev[st][e];
                if (sized(ev->kind) && !c->near[st][e] && fits_short(c, ev, at[st][e], false)) {
                    c->near[st][e] = 1;
                    changed = true;
                }
            }
    }
    /* Padding can grow as code before a loop head shrinks, which may push
     * a short jump out of reach: those go back to long until every short
     * one fits (nothing goes short again, so this ends). The last pass
     * above changed nothing, so its layout is current. */
    for (bool changed = !err && c->aligned, first = true; changed; first = false) {
        changed = false;
        if (!first) {
            place(c, at);
            c->passes++;
        }
        for (unsigned st = 0; st < 2; st++)
            for (uint32_t e = 0; e < c->nev[st]; e++) {
                const struct jit_event *ev = &c->ev[st][e];
                if (sized(ev->kind) && c->near[st][e] && !fits_short(c, ev, at[st][e], true)) {
                    c->near[st][e] = 0;
                    changed = true;
                }
            }
    }
    if (err)
        return err;
    /* every instruction's address (for callbacks, callx, dumps): its
     * emitted start, moved by the short jumps and padding before it (a
     * loop head's padding, recorded at its start, comes before it) */
    int64_t shift = 0;
    for (uint32_t pc = 0, e = 0; pc <= c->len; pc++) {
        for (; e < c->nev[0] && c->ev[0][e].pos <= c->emitted_at[pc]; e++) {
            const struct jit_event *ev = &c->ev[0][e];
            if (sized(ev->kind) && c->near[0][e])
                shift -= saving(ev->kind);
            else if (EV_KIND(ev->kind) == EV_ALIGN)
                shift += pad_at((uint32_t)(ev->pos + shift));
        }
        c->addr[pc] = (uint32_t)(c->emitted_at[pc] + shift);
    }
    return 0;
}

/* ---- linking ---- */

/* An event's jump or call, re-encoded in `out`. */
static void encode(struct jit_ctx *c, struct x86 *out, uint8_t kind, bool near, uint32_t target)
{
    uint8_t k = EV_KIND(kind);
    unsigned n = k == EV_CALL ? 5 : (near || k == EV_J8) ? 2 : k == EV_JMP ? X86_JMP32_LEN : X86_JCC32_LEN;
    int64_t rel = (int64_t)target_pos(c, target) - (x86_pos(out) + n);
    if (n == 2 && !x86_is_imm8(rel)) {
        c->err = -BPFRT_EFAULT;
        return;
    }
    bool is_jmp = k == EV_JMP || (k == EV_J8 && !(kind & EV_J8_JCC));
    if (k == EV_CALL)
        bpfrt_x86_call_rel32(out, (int32_t)rel);
    else if (n == 2 && is_jmp)
        bpfrt_x86_jmp_rel8(out, (int8_t)rel);
    else if (n == 2)
        bpfrt_x86_jcc_rel8(out, (enum x86_cc)EV_CC(kind), (int8_t)rel);
    else if (is_jmp)
        bpfrt_x86_jmp_rel32(out, (int32_t)rel);
    else
        bpfrt_x86_jcc_rel32(out, (enum x86_cc)EV_CC(kind), (int32_t)rel);
}

int bpfrt_jit_link(struct jit_ctx *c, uint8_t *image)
{
    for (unsigned st = 0; st < 2 && !c->err; st++) {
        const struct x86 *in = st ? &c->cold : &c->hot;
        struct x86 out = { image + (st ? c->cold_base : 0), 0, st ? c->cold_base : 0, 0 };
        uint32_t src = 0; /* emitted bytes copied so far */
        for (uint32_t e = 0; e < c->nev[st] && !c->err; e++) {
            const struct jit_event *ev = &c->ev[st][e];
            uint32_t from = ev->pos - emitted_len(ev->kind);
            if (from - src <= 16 && x86_pos(&out) + 16 <= c->image_len) {
                /* most segments are short: one 16-byte copy (what lies
                 * past the segment is overwritten next; the emitted code
                 * has room past its end) */
                bpfrt_memcpy(out.code + out.len, in->code + src, 16);
            } else {
                bpfrt_memcpy(out.code + out.len, in->code + src, from - src);
            }
            out.len += from - src;
            src = ev->pos;
            if (EV_KIND(ev->kind) == EV_ALIGN) {
                /* executed once, on entering the loop */
                for (uint32_t pad = pad_at(x86_pos(&out)); pad; pad -= pad > 9 ? 9 : pad)
                    bpfrt_x86_nop(&out, pad > 9 ? 9 : pad);
            } else if (EV_KIND(ev->kind) >= EV_JMP) {
                encode(c, &out, ev->kind, c->near[st][e], ev->target);
            }
        }
        bpfrt_memcpy(out.code + out.len, in->code + src, in->len - src);
        out.len += in->len - src;
        if (x86_pos(&out) != (st ? c->image_len : c->cold_base))
            c->err = -BPFRT_EFAULT;
    }
    return c->err;
}
