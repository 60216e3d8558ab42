/* Labels and jumps whose size the pass loop decides (Linux's x86 JIT pass
 * loop in bpf_int_jit_compile / do_jit). Every jump reads both its own end
 * and its target from the previous pass: those distances can only shrink
 * from one pass to the next (nothing grows), so a jump that fitted rel8
 * once fits it for good and the layout converges; the final pass, made with
 * the converged layout, then has exact offsets. Labels and jumps are
 * numbered in emission order, which every pass repeats. */
#include "core/jit/jit.h"

/* Position of the next byte, tagged JIT_COLD in the cold stream. */
static uint32_t here(const struct jit_ctx *c, const struct x86 *x)
{
    return x == &c->cold ? (x86_pos(x) | JIT_COLD) : x86_pos(x);
}

/* A tagged position of the previous pass as an image offset. */
static uint32_t resolve_prev(const struct jit_ctx *c, uint32_t v)
{
    return (v & JIT_COLD) ? c->cold_base_prev + (v & ~JIT_COLD) : v;
}

/* Image offset of the next byte in this (final) pass. */
static uint32_t image_pos(const struct jit_ctx *c, const struct x86 *x)
{
    return x == &c->cold ? c->cold_base_prev + x86_pos(x) : x86_pos(x);
}

/* Grows a pair of arrays (this pass, previous pass) in the first pass. */
static bool grow(struct jit_ctx *c, uint32_t **cur, uint32_t **prev, uint32_t *cap)
{
    struct bpfrt_runtime *rt = c->prog->rt;
    uint32_t ncap = *cap ? *cap * 2 : 256;
    uint32_t *a = bpfrt_zalloc(rt, (size_t)ncap * sizeof(*a));
    uint32_t *b = bpfrt_zalloc(rt, (size_t)ncap * sizeof(*b));
    if (!a || !b) {
        bpfrt_free(rt, a, (size_t)ncap * sizeof(*a));
        bpfrt_free(rt, b, (size_t)ncap * sizeof(*b));
        c->err = -BPFRT_ENOMEM;
        return false;
    }
    if (*cap) {
        bpfrt_memcpy(a, *cur, (size_t)*cap * sizeof(*a));
        bpfrt_memcpy(b, *prev, (size_t)*cap * sizeof(*b));
    }
    bpfrt_free(rt, *cur, (size_t)*cap * sizeof(**cur));
    bpfrt_free(rt, *prev, (size_t)*cap * sizeof(**prev));
    *cur = a;
    *prev = b;
    *cap = ncap;
    return true;
}

/* Next id in a numbered array; every pass after the first must ask for the
 * same count. Returns UINT32_MAX (c->err set) when it cannot. */
static uint32_t next_id(struct jit_ctx *c, uint32_t *n, uint32_t **cur, uint32_t **prev, uint32_t *cap)
{
    if (*n >= *cap) {
        if (!c->first) {
            c->err = -BPFRT_EFAULT; /* the emitters must be deterministic */
            return UINT32_MAX;
        }
        if (!grow(c, cur, prev, cap))
            return UINT32_MAX;
    }
    return (*n)++;
}

uint32_t bpfrt_jit_label_new(struct jit_ctx *c)
{
    return next_id(c, &c->nlabels, &c->label, &c->label_prev, &c->cap_labels);
}

void bpfrt_jit_label_bind(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    if (label < c->cap_labels)
        c->label[label] = here(c, x);
}

/* Jump or jcc to the image offset `target` (previous pass). */
static void jump_to(struct jit_ctx *c, struct x86 *x, int cc, uint32_t target)
{
    uint32_t id = next_id(c, &c->nsites, &c->site, &c->site_prev, &c->cap_sites);
    if (id == UINT32_MAX)
        return;
    bool near = false;
    if (!c->first)
        near = x86_is_imm8((int64_t)target - resolve_prev(c, c->site_prev[id]));
    int64_t rel = 0;
    if (c->final) {
        unsigned n = near ? 2 : cc < 0 ? X86_JMP32_LEN : X86_JCC32_LEN;
        rel = (int64_t)target - (image_pos(c, x) + n);
        if (near && !x86_is_imm8(rel))
            c->err = -BPFRT_EFAULT; /* the layout did not converge */
    }
    if (near && cc < 0)
        bpfrt_x86_jmp_rel8(x, (int8_t)rel);
    else if (near)
        bpfrt_x86_jcc_rel8(x, (enum x86_cc)cc, (int8_t)rel);
    else if (cc < 0)
        bpfrt_x86_jmp_rel32(x, (int32_t)rel);
    else
        bpfrt_x86_jcc_rel32(x, (enum x86_cc)cc, (int32_t)rel);
    c->site[id] = here(c, x);
}

void bpfrt_jit_jump_label(struct jit_ctx *c, struct x86 *x, int cc, uint32_t label)
{
    jump_to(c, x, cc, label < c->cap_labels ? resolve_prev(c, c->label_prev[label]) : 0);
}

void bpfrt_jit_jump_insn(struct jit_ctx *c, struct x86 *x, int cc, uint32_t pc)
{
    jump_to(c, x, cc, c->addr_prev[pc]);
}

static void call_to(struct jit_ctx *c, struct x86 *x, uint32_t target)
{
    int64_t rel = c->final ? (int64_t)target - (image_pos(c, x) + 5) : 0;
    bpfrt_x86_call_rel32(x, (int32_t)rel);
}

void bpfrt_jit_call_label(struct jit_ctx *c, struct x86 *x, uint32_t label)
{
    call_to(c, x, label < c->cap_labels ? resolve_prev(c, c->label_prev[label]) : 0);
}

void bpfrt_jit_call_insn(struct jit_ctx *c, struct x86 *x, uint32_t pc)
{
    call_to(c, x, c->addr_prev[pc]);
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
