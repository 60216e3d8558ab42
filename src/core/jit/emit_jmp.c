/* Emitters for jumps, conditional jumps, may_goto and exit (Linux: the
 * BPF_JMP/BPF_JMP32 cases of do_jit). In checked mode a taken backward
 * jump charges the instruction budget with the span it jumps over, as the
 * interpreter does (docs/interpreter.md, "Budget"); the budget lives in
 * r9. `exit` is `ret`: every frame, the entry one included, is entered by a
 * native call (jit_stubs.c). */
#include "core/jit/jit.h"

static const uint8_t cc_of[] = {
    [BPFRT_JEQ] = X86_CC_E, [BPFRT_JNE] = X86_CC_NE, [BPFRT_JGT] = X86_CC_A,
    [BPFRT_JGE] = X86_CC_AE, [BPFRT_JLT] = X86_CC_B, [BPFRT_JLE] = X86_CC_BE,
    [BPFRT_JSET] = X86_CC_NE, [BPFRT_JSGT] = X86_CC_G, [BPFRT_JSGE] = X86_CC_GE,
    [BPFRT_JSLT] = X86_CC_L, [BPFRT_JSLE] = X86_CC_LE,
};

/* A cold stub raising `kind` at the current instruction; returns its label. */
static uint32_t cold_raise(struct jit_ctx *c, enum jit_raise_kind kind)
{
    uint32_t l = bpfrt_jit_label_new(c);
    bpfrt_jit_label_bind(c, &c->cold, l);
    bpfrt_x86_mov_r32_imm(&c->cold, JIT_T1, JIT_PACK(kind, c->pc));
    bpfrt_jit_jump_label(c, &c->cold, -1, JIT_STUB_RAISE);
    return l;
}

/* A checked backward jump: the loop closes on the budget's test, one
 * branch taken per iteration. */
static void budget_jump(struct jit_ctx *c, int cc, uint32_t target)
{
    struct x86 *x = &c->hot;
    uint32_t skip = cc >= 0 ? bpfrt_jit_fwd8(c, x, cc ^ 1) : 0; /* x86 pairs each condition with its negation */
    bpfrt_x86_alu_ri(x, X86_SUB, 8, JIT_BUDGET, (int32_t)(c->pc - target + 1));
    bpfrt_jit_jump_insn(c, x, X86_CC_GE, target);
    bpfrt_jit_jump_label(c, x, -1, cold_raise(c, JIT_RAISE_BUDGET));
    if (cc >= 0)
        bpfrt_jit_patch8(c, x, skip);
}

/* A jump (cc < 0: unconditional) to instruction `target`; in checked mode
 * a taken backward one charges the budget. Inlined into each jump's
 * emitter, whose condition is then a constant. */
JIT_INLINE void jump_to(struct jit_ctx *c, int cc, uint32_t target)
{
    if (c->mode != JIT_CHECKED || target > c->pc)
        bpfrt_jit_jump_insn(c, &c->hot, cc, target);
    else
        budget_jump(c, cc, target);
}

void bpfrt_jit_emit_ja(struct jit_ctx *c, const struct interp_slot *d)
{
    if ((uint32_t)d->off != c->pc + 1)
        jump_to(c, -1, (uint32_t)d->off);
}

/* A conditional jump, inlined into one emitter per op with the op's
 * traits (condition, width, immediate or register) as constants. */
JIT_INLINE void emit_jcond(struct jit_ctx *c, const struct interp_slot *d, uint8_t cond, unsigned w, bool k)
{
    struct x86 *x = &c->hot;
    if (cond == BPFRT_JLT && w == 8 && __builtin_expect(c->pc == c->loop.back, 0)) {
        bpfrt_jit_counted_loop_test(c, d); /* a counted loop's (jit_loops.c) */
        return;
    }
    if ((uint32_t)d->off == c->pc + 1)
        return; /* both ways lead to the next instruction */
    bool test = cond == BPFRT_JSET;
    int D = R(d->dst);
    if (!k) {
        if (test)
            bpfrt_x86_test_rr(x, w, D, R(d->src));
        else
            bpfrt_x86_alu_rr(x, X86_CMP, w, D, R(d->src));
    } else if (jit_blinding(c)) {
        bpfrt_jit_load_blinded(c, x, JIT_T1, w == 8 ? d->imm : (uint32_t)jit_imm32(d));
        if (test)
            bpfrt_x86_test_rr(x, w, D, JIT_T1);
        else
            bpfrt_x86_alu_rr(x, X86_CMP, w, D, JIT_T1);
    } else if (test) {
        if (jit_imm32(d) == 0)
            return; /* never taken */
        bpfrt_x86_test_ri(x, w, D, jit_imm32(d));
    } else if (jit_imm32(d) == 0) {
        bpfrt_x86_test_rr(x, w, D, D); /* the same flags as cmp D, 0 */
    } else {
        bpfrt_x86_alu_ri(x, X86_CMP, w, D, jit_imm32(d));
    }
    jump_to(c, cc_of[cond], (uint32_t)d->off);
}

/* One emitter per op of a condition (64- and 32-bit, immediate and
 * register), and its row of the op table. */
#define JCOND(OP)                                                    \
    JIT_OP_EMITTER(OP##64_K, emit_jcond(c, d, BPFRT_##OP, 8, true))  \
    JIT_OP_EMITTER(OP##64_X, emit_jcond(c, d, BPFRT_##OP, 8, false)) \
    JIT_OP_EMITTER(OP##32_K, emit_jcond(c, d, BPFRT_##OP, 4, true))  \
    JIT_OP_EMITTER(OP##32_X, emit_jcond(c, d, BPFRT_##OP, 4, false))
#define JCOND_ROWS(OP)                                                                            \
    [BPFRT_OP_##OP##64_K] = emit_##OP##64_K, [BPFRT_OP_##OP##64_X] = emit_##OP##64_X,              \
    [BPFRT_OP_##OP##32_K] = emit_##OP##32_K, [BPFRT_OP_##OP##32_X] = emit_##OP##32_X,
#define CONDITIONS(X) X(JEQ) X(JGT) X(JGE) X(JSET) X(JNE) X(JSGT) X(JSGE) X(JLT) X(JLE) X(JSLT) X(JSLE)

CONDITIONS(JCOND)

static const jit_emit_fn jcond_emitters[BPFRT_OP_COUNT] = { CONDITIONS(JCOND_ROWS) };

jit_emit_fn bpfrt_jit_jcond_emitter(uint16_t op)
{
    return op < BPFRT_OP_COUNT ? jcond_emitters[op] : NULL;
}

/* The frame's counter is may_goto[depth], depth = (top - r10) / 512. */
void bpfrt_jit_emit_may_goto(struct jit_ctx *c, const struct interp_slot *d)
{
    struct x86 *x = &c->hot;
    bpfrt_x86_load(x, 8, false, JIT_T1, JIT_EX, JIT_OFF(top));
    bpfrt_x86_alu_rr(x, X86_SUB, 8, JIT_T1, X86_RBP);
    bpfrt_x86_shift_ri(x, X86_SHR, 8, JIT_T1, 7); /* depth * 4 */
    bpfrt_x86_alu_mi_idx(x, X86_CMP, 4, JIT_EX, JIT_T1, JIT_OFF(may_goto), 0);
    jump_to(c, X86_CC_E, (uint32_t)d->off);
    bpfrt_x86_alu_mi_idx(x, X86_SUB, 4, JIT_EX, JIT_T1, JIT_OFF(may_goto), 1);
}

/* d == NULL: the exit an out-of-bounds LD_ABS takes, in the cold stream.
 * Checked mode notes which exit ran (an unreleased reference is reported
 * at the entry frame's exit, as the interpreter does). */
void bpfrt_jit_emit_exit(struct jit_ctx *c, const struct interp_slot *d)
{
    struct x86 *x = d ? &c->hot : &c->cold;
    if (c->mode == JIT_CHECKED)
        bpfrt_x86_store_imm(x, 4, JIT_EX, JIT_OFF(exit_pc), (int32_t)c->pc);
    bpfrt_x86_ret(x);
}
