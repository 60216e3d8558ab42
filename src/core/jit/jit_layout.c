/* Code layout: which jumps get rel8 (Linux's x86 JIT pass loop in
 * bpf_int_jit_compile, without re-emitting the code each pass).
 *
 * The first emission writes every jump long and records, in emission
 * order, each jump and each label: its chunk (the stubs, one instruction,
 * or the tail), its stream (hot or cold) and its offset inside the chunk.
 * The relaxation loop then only does arithmetic: from the jumps already
 * short it computes every chunk's start, every label's and every jump's
 * position, and makes short each jump whose distance fits rel8; it repeats
 * until no jump changes. Distances only shrink as jumps become short, so a
 * short jump stays valid and the loop converges. The final emission writes
 * the image with those sizes and exact offsets. */
#include "core/jit/jit.h"

#define JIT_TGT_INSN 0x80000000u /* a jump target that is an instruction, not a label */

enum { EV_LABEL, EV_JMP, EV_JCC };

static bool is_cold(const struct jit_ctx *c, const struct x86 *x)
{
    return x == &c->cold;
}

/* Image offset of the next byte (final emission). */
static uint32_t image_pos(const struct jit_ctx *c, const struct x86 *x)
{
    return is_cold(c, x) ? c->cold_base + x86_pos(x) : x86_pos(x);
}

static bool record(struct jit_ctx *c, const struct x86 *x, uint8_t kind, uint32_t target)
{
    if (c->nev == c->cap_ev) {
        struct bpfrt_runtime *rt = c->prog->rt;
        uint32_t ncap = c->cap_ev ? c->cap_ev * 2 : 1024;
        struct jit_event *n = bpfrt_zalloc(rt, (size_t)ncap * sizeof(*n));
        if (!n) {
            c->err = -BPFRT_ENOMEM;
            return false;
        }
        if (c->nev)
            bpfrt_memcpy(n, c->ev, (size_t)c->nev * sizeof(*n));
        bpfrt_free(rt, c->ev, (size_t)c->cap_ev * sizeof(*n));
        c->ev = n;
        c->cap_ev = ncap;
    }
    c->ev[c->nev++] = (struct jit_event){ c->chunk, (uint16_t)x->len, is_cold(c, x), kind, target };
    return true;
}

uint32_t bpfrt_jit_label_new(struct jit_ctx *c)
{
    return c->nlabels++;
}

void bpfrt_jit_label_bind(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    if (!c->final)
        record(c, x, EV_LABEL, label);
    else if (label >= c->nlabels_total || c->label_pos[label] != image_pos(c, x))
        c->err = -BPFRT_EFAULT; /* the emitters must repeat themselves exactly */
}

/* Where a jump target is in the final layout. */
static uint32_t target_pos(const struct jit_ctx *c, uint32_t target)
{
    if (target & JIT_TGT_INSN)
        return c->hot_start[(target & ~JIT_TGT_INSN) + 1];
    return target < c->nlabels_total ? c->label_pos[target] : 0;
}

static void jump(struct jit_ctx *c, struct x86 *x, int cc, uint32_t target)
{
    uint32_t site = c->nsites++;
    if (!c->final) {
        if (cc < 0)
            bpfrt_x86_jmp_rel32(x, 0);
        else
            bpfrt_x86_jcc_rel32(x, (enum x86_cc)cc, 0);
        record(c, x, cc < 0 ? EV_JMP : EV_JCC, target);
        return;
    }
    bool near = site < c->nsites_total && c->near[site];
    unsigned n = near ? 2 : cc < 0 ? X86_JMP32_LEN : X86_JCC32_LEN;
    int64_t rel = (int64_t)target_pos(c, target) - (image_pos(c, x) + n);
    if (near && !x86_is_imm8(rel))
        c->err = -BPFRT_EFAULT;
    if (near && cc < 0)
        bpfrt_x86_jmp_rel8(x, (int8_t)rel);
    else if (near)
        bpfrt_x86_jcc_rel8(x, (enum x86_cc)cc, (int8_t)rel);
    else if (cc < 0)
        bpfrt_x86_jmp_rel32(x, (int32_t)rel);
    else
        bpfrt_x86_jcc_rel32(x, (enum x86_cc)cc, (int32_t)rel);
}

void bpfrt_jit_jump_label(struct jit_ctx *c, struct x86 *x, int cc, uint32_t label)
{
    jump(c, x, cc, label);
}

void bpfrt_jit_jump_insn(struct jit_ctx *c, struct x86 *x, int cc, uint32_t pc)
{
    jump(c, x, cc, pc | JIT_TGT_INSN);
}

static void call_to(struct jit_ctx *c, struct x86 *x, uint32_t target)
{
    int64_t rel = c->final ? (int64_t)target_pos(c, target) - (image_pos(c, x) + 5) : 0;
    bpfrt_x86_call_rel32(x, (int32_t)rel);
}

void bpfrt_jit_call_label(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    call_to(c, x, label);
}

void bpfrt_jit_call_insn(struct jit_ctx *c, struct x86 *x, uint32_t pc)
{
    call_to(c, x, pc | JIT_TGT_INSN);
}

uint32_t bpfrt_jit_fwd8(struct x86 *x, int cc)
{
    if (cc < 0)
        bpfrt_x86_jmp_rel8(x, 0);
    else
        bpfrt_x86_jcc_rel8(x, (enum x86_cc)cc, 0);
    return x->len - 1;
}

void bpfrt_jit_patch8(struct jit_ctx *c, struct x86 *x, uint32_t fix)
{
    uint32_t rel = x->len - (fix + 1);
    if (rel > 127)
        c->err = -BPFRT_EFAULT; /* an emitter skipped more than rel8 reaches */
    x->code[fix] = (uint8_t)rel;
}

void bpfrt_jit_call_abs(struct x86 *x, int reg, const void *fn)
{
    bpfrt_x86_movabs(x, reg, (uint64_t)(uintptr_t)fn);
    bpfrt_x86_call_r(x, reg);
}

/* ---- the relaxation ---- */

static unsigned saving(uint8_t kind)
{
    return kind == EV_JMP ? X86_JMP32_LEN - 2 : X86_JCC32_LEN - 2;
}

/* Chunk starts and event positions for the current choice of short jumps.
 * site_end[s] is where jump s ends. */
static void place(struct jit_ctx *c, uint32_t *site_end)
{
    uint32_t nchunks = c->len + 2;
    /* chunk sizes: the long sizes minus what the short jumps save */
    for (uint32_t k = 0; k < nchunks; k++) {
        c->hot_start[k] = c->hot_len[k];
        c->cold_start[k] = c->cold_len[k];
    }
    for (uint32_t e = 0, s = 0; e < c->nev; e++) {
        const struct jit_event *ev = &c->ev[e];
        if (ev->kind == EV_LABEL)
            continue;
        if (c->near[s++])
            (ev->cold ? c->cold_start : c->hot_start)[ev->chunk] -= saving(ev->kind);
    }
    uint32_t pos = 0;
    for (uint32_t k = 0; k < nchunks; k++) { /* sizes -> starts */
        uint32_t size = c->hot_start[k];
        c->hot_start[k] = pos;
        pos += size;
    }
    c->cold_base = pos;
    for (uint32_t k = 0; k < nchunks; k++) {
        uint32_t size = c->cold_start[k];
        c->cold_start[k] = pos;
        pos += size;
    }
    c->image_len = pos;
    /* positions inside the chunks */
    uint32_t chunk = UINT32_MAX, run[2] = { 0, 0 };
    for (uint32_t e = 0, s = 0; e < c->nev; e++) {
        const struct jit_event *ev = &c->ev[e];
        if (ev->chunk != chunk) {
            chunk = ev->chunk;
            run[0] = run[1] = 0;
        }
        uint32_t p = (ev->cold ? c->cold_start : c->hot_start)[ev->chunk] + ev->rel - run[ev->cold];
        if (ev->kind == EV_LABEL) {
            c->label_pos[ev->target] = p;
            continue;
        }
        if (c->near[s]) {
            p -= saving(ev->kind);
            run[ev->cold] += saving(ev->kind);
        }
        site_end[s++] = p;
    }
}

int bpfrt_jit_relax(struct jit_ctx *c)
{
    struct bpfrt_runtime *rt = c->prog->rt;
    uint32_t *site_end = bpfrt_zalloc(rt, ((size_t)c->nsites_total + 1) * sizeof(*site_end));
    if (!site_end)
        return -BPFRT_ENOMEM;
    for (bool changed = true; changed; c->passes++) {
        changed = false;
        place(c, site_end);
        for (uint32_t e = 0, s = 0; e < c->nev; e++) {
            const struct jit_event *ev = &c->ev[e];
            if (ev->kind == EV_LABEL)
                continue;
            if (!c->near[s]) {
                int64_t rel = (int64_t)target_pos(c, ev->target) - site_end[s];
                if (rel < 0) /* backward: making it short brings its end closer */
                    rel += saving(ev->kind);
                if (x86_is_imm8(rel)) {
                    c->near[s] = 1;
                    changed = true;
                }
            }
            s++;
        }
    }
    bpfrt_free(rt, site_end, ((size_t)c->nsites_total + 1) * sizeof(*site_end));
    /* instruction addresses for the final emission and the image */
    for (uint32_t pc = 0; pc <= c->len; pc++)
        c->addr[pc] = c->hot_start[pc + 1];
    return 0;
}
