/* Counted loops: a loop whose counter serves only its exit test closes on
 * the counter's own addition (`add; js`, one fused operation) instead of an
 * addition and a compare.
 *
 * clang keeps such a counter beside the pointer it walks (sum32's
 * `r1 += 4; r3 += 1; if r3 < r2 goto`): the loop then does the work of one
 * more operation than gcc's, which compares the pointer. When the counter
 * rc is read by nothing in the loop but its one addition (rc += s) and the
 * test, and the loop is entered only by falling into its head, the register
 * holds t = rc - L instead, L a limit kept in the run's state (struct
 * jit_exec, loop_limit): the addition of s to t is the addition of s to rc,
 * and "t < 0" (the sign flag the addition itself sets) says the loop goes
 * on, as "rc < rb" does, for as long as rc stays below L.
 *
 * Exactly, whatever the values (the counter may wrap): before the head the
 * limit is chosen from the counter as it is - L = rc + E, t = -E, with
 * E = min(rb - rc, 2^62) when rc < rb (every addition before L then keeps
 * rc below rb, without wrapping) and E = 1 otherwise (one pass, then the
 * test below decides). When t is no longer negative the loop falls out:
 * rc = t + L is the counter's exact value, and the original test (rc < rb)
 * decides whether the loop goes on, with a new limit chosen from rc. So the counter
 * holds its own value outside the loop, the body runs as often as the
 * interpreter runs it, and the instructions between the head and the test
 * never see rc. LLVM's IndVarSimplify rewrites such a test the same way
 * (linear function test replacement), when it can prove it never wraps.
 *
 * Trusted and verified code only: checked loops close on the budget's
 * test, and blinding would have to hide the bound. */
#include "core/jit/jit.h"

#define BODY_MAX 32                  /* instructions between the head and the test */
#define STEP_MAX 65536               /* the counter's step s */
#define CHUNK_MAX (1ull << 62)       /* E: t = -E + k * s never overflows */

/* The instruction writes register r. */
static bool writes(const struct interp_slot *d, uint8_t r)
{
    return jit_writes(d) >> r & 1;
}

/* The instruction reads register r. */
static bool reads(const struct interp_slot *d, uint8_t r)
{
    const struct bpfrt_op_info *info = &bpfrt_op_info[d->op];
    switch (info->kind) {
    case BPFRT_K_ALU:
        return (info->alu != BPFRT_ALU_MOV && d->dst == r) ||
               (!(info->flags & BPFRT_OPF_K) && info->alu != BPFRT_ALU_NEG && d->src == r);
    case BPFRT_K_MOVSX: case BPFRT_K_LDX:
        return d->src == r;
    case BPFRT_K_END: case BPFRT_K_ST:
        return d->dst == r;
    case BPFRT_K_STX:
        return d->dst == r || d->src == r;
    default: /* LDDW and its second half (BAD) read nothing */
        return false;
    }
}

/* What a loop's body may hold: straight-line code that cannot leave the
 * loop or call out (a probe load, verified mode's, may call the access
 * stub). */
static bool body_kind(const struct interp_slot *d)
{
    switch (bpfrt_op_kind(d->op)) {
    case BPFRT_K_ALU: case BPFRT_K_MOVSX: case BPFRT_K_END: case BPFRT_K_ST: case BPFRT_K_STX:
    case BPFRT_K_LDDW: case BPFRT_K_BAD:
        return true;
    case BPFRT_K_LDX:
        return d->imm == 0;
    default:
        return false;
    }
}

/* Some jump or call other than the loop's own test at `back`, or a
 * callback, enters `head`. */
static bool entered_elsewhere(const struct jit_ctx *c, uint32_t head, uint32_t back)
{
    if (head == 0)
        return true; /* the program's (or a tail call's) entry */
    for (uint32_t i = 0; i < c->nenter; i++)
        if ((uint32_t)c->slots[c->enters[i]].off == head && c->enters[i] != back)
            return true;
    const struct interp_code *vm = c->jp->vm;
    for (uint32_t i = 0; i < vm->nr_funcs; i++)
        if (vm->funcs[i] == head)
            return true;
    return false;
}

/* The loop at `head` as the rewrite needs it: its test at *back
 * (`if rc < rb goto head`, 64-bit), rc written once in the body by
 * rc += s and read by nothing else there, rb (a register) not written. */
static bool counted(const struct jit_ctx *c, uint32_t head, uint32_t *back)
{
    const struct interp_slot *sl = c->slots;
    const uint8_t *flags = c->facts ? c->facts->flags : NULL;
    uint32_t b = head;
    for (; b < c->len && b - head <= BODY_MAX && body_kind(&sl[b]); b++)
        if ((b > head && (c->marks[b] & JIT_MARK_ENTRY)) || (flags && !(flags[b] & BPFRT_FACT_REACHED)))
            return false;
    if (b >= c->len || (sl[b].op != BPFRT_OP_JLT64_X && sl[b].op != BPFRT_OP_JLT64_K) ||
        (uint32_t)sl[b].off != head || (flags && !(flags[b] & BPFRT_FACT_REACHED)) ||
        (c->marks[b] & JIT_MARK_ENTRY))
        return false;
    uint8_t rc = sl[b].dst;
    bool k = sl[b].op == BPFRT_OP_JLT64_K;
    uint32_t adds = 0;
    for (uint32_t i = head; i < b; i++) {
        const struct interp_slot *d = &sl[i];
        if (!k && writes(d, sl[b].src))
            return false;
        if (writes(d, rc)) {
            if (d->op != BPFRT_OP_ADD64_K || jit_imm32(d) < 1 || jit_imm32(d) > STEP_MAX)
                return false;
            adds++;
        } else if (reads(d, rc)) {
            return false;
        }
    }
    *back = b;
    return adds == 1 && (k || sl[b].src != rc) && !entered_elsewhere(c, head, b);
}

/* The limit from the counter as it is (struct jit_ctx's loop), where the
 * loop is entered and where its test sends it round again. */
static void choose_limit(struct jit_ctx *c)
{
    struct x86 *x = &c->hot;
    const struct interp_slot *t = &c->slots[c->loop.back];
    int rc = R(t->dst);
    if (t->op == BPFRT_OP_JLT64_K)
        bpfrt_x86_mov_imm(x, JIT_T1, t->imm);
    else
        bpfrt_x86_mov_rr(x, 8, JIT_T1, R(t->src));
    bpfrt_x86_alu_rr(x, X86_SUB, 8, JIT_T1, rc); /* rb - rc */
    uint32_t at_or_past = bpfrt_jit_fwd8(c, x, X86_CC_BE);
    bpfrt_x86_movabs(x, JIT_T2, CHUNK_MAX);
    bpfrt_x86_alu_rr(x, X86_CMP, 8, JIT_T1, JIT_T2);
    uint32_t within = bpfrt_jit_fwd8(c, x, X86_CC_BE);
    bpfrt_x86_mov_rr(x, 8, JIT_T1, JIT_T2);
    uint32_t capped = bpfrt_jit_fwd8(c, x, -1);
    bpfrt_jit_patch8(c, x, at_or_past);
    bpfrt_x86_mov_r32_imm(x, JIT_T1, 1);
    bpfrt_jit_patch8(c, x, within);
    bpfrt_jit_patch8(c, x, capped);
    bpfrt_x86_alu_rr(x, X86_ADD, 8, rc, JIT_T1); /* L = rc + E */
    bpfrt_x86_store(x, 8, JIT_EX, JIT_OFF(loop_limit), rc);
    bpfrt_x86_mov_rr(x, 8, rc, JIT_T1);
    bpfrt_x86_neg(x, 8, rc); /* t = -E */
}

void bpfrt_jit_counted_loop_head(struct jit_ctx *c, uint32_t head)
{
    uint32_t back;
    if (c->mode == JIT_CHECKED || jit_blinding(c) || !counted(c, head, &back))
        return;
    c->loop.head = head;
    c->loop.back = back;
    c->loop.again = bpfrt_jit_label_new(c);
    bpfrt_jit_label_bind(c, &c->hot, c->loop.again);
    choose_limit(c);
    c->jp->counted_loops++;
}

void bpfrt_jit_counted_loop_test(struct jit_ctx *c, const struct interp_slot *d)
{
    struct x86 *x = &c->hot;
    int rc = R(d->dst);
    /* the sign of the last addition's result, unless the addition is not
     * the instruction just before */
    const struct interp_slot *prev = d - 1;
    if (prev->op != BPFRT_OP_ADD64_K || prev->dst != d->dst)
        bpfrt_x86_test_rr(x, 8, rc, rc);
    bpfrt_jit_jump_insn(c, x, X86_CC_S, c->loop.head);
    /* out of the limit: the counter's value, then the loop's own test */
    bpfrt_x86_alu_rm(x, X86_ADD, 8, rc, JIT_EX, JIT_OFF(loop_limit));
    if (d->op == BPFRT_OP_JLT64_K)
        bpfrt_x86_alu_ri(x, X86_CMP, 8, rc, jit_imm32(d));
    else
        bpfrt_x86_alu_rr(x, X86_CMP, 8, rc, R(d->src));
    bpfrt_jit_jump_label(c, x, X86_CC_B, c->loop.again);
    c->loop.back = UINT32_MAX;
}
