/* Emitters for calls: helpers (SysV: r1-r5 are already the argument
 * registers, run goes in r9), bpf-to-bpf calls, callx, and LD_ABS/LD_IND
 * (Linux: emit_call, the BPF_CALL case of do_jit, emit_bpf_tail_call_*).
 *
 * As in the interpreter, r1-r5 read 0 after a helper call (and LD_ABS):
 * nothing is saved around the call, and five xors clear what the C code
 * left (a verified program never reads them: neither). After every helper
 * the run's error and tail-call target are tested. A local call saves r6-r10 on the native
 * stack, lowers r10 by a frame and calls the target; `exit` returns.
 * Which frames a verified program's calls reach, and how much of each it
 * can read, comes from the verifier's facts (bpfrt_jit_plan_frames). */
#include "core/jit/jit.h"

#define BPFRT_HELPER_TAIL_CALL 12
#define REGS_ARGS 0x3eu /* r1-r5 */

/* r0-r5 as a regs[] block on the native stack (6 pushes keep rsp aligned);
 * regs[0] is at rsp. */
static void push_regs_block(struct x86 *x)
{
    for (int r = 5; r >= 0; r--)
        bpfrt_x86_push(x, R((uint8_t)r));
}

/* Drops regs[0] and restores r1-r5 from the block. */
static void pop_regs_block(struct x86 *x)
{
    bpfrt_x86_alu_ri(x, X86_ADD, 8, X86_RSP, 8);
    for (int r = 1; r <= 5; r++)
        bpfrt_x86_pop(x, R((uint8_t)r));
}

/* Pushes the eBPF registers in `mask` (bits 1-5), then r9 when asked, plus
 * a pad that keeps rsp 16-byte aligned; returns how many it pushed. (The
 * mask is the verifier's liveness, empty in practice: an unverified
 * program's r1-r5 are cleared after the call instead.) */
static inline unsigned save_regs(struct x86 *x, unsigned mask, bool with_r9)
{
    unsigned n = with_r9;
    for (int r = 1; r <= 5; r++)
        if (mask >> r & 1) {
            bpfrt_x86_push(x, R((uint8_t)r));
            n++;
        }
    if (with_r9)
        bpfrt_x86_push(x, X86_R9);
    if (n & 1)
        bpfrt_x86_alu_ri(x, X86_SUB, 8, X86_RSP, 8);
    return n;
}

static inline void restore_regs(struct x86 *x, unsigned mask, bool with_r9, unsigned n)
{
    if (n & 1)
        bpfrt_x86_alu_ri(x, X86_ADD, 8, X86_RSP, 8);
    if (with_r9)
        bpfrt_x86_pop(x, X86_R9);
    for (int r = 5; r >= 1; r--)
        if (mask >> r & 1)
            bpfrt_x86_pop(x, R((uint8_t)r));
}

/* Before a call into C that may run callbacks or charge the budget. */
static inline void before_c_call(struct jit_ctx *c, struct x86 *x)
{
    bpfrt_x86_store(x, 8, JIT_EX, JIT_OFF(cur_r10), X86_RBP);
    if (c->mode == JIT_CHECKED)
        bpfrt_x86_store(x, 8, JIT_EX, JIT_OFF(vm.budget), JIT_BUDGET);
}

static inline void after_c_call(struct jit_ctx *c, struct x86 *x)
{
    if (c->mode == JIT_CHECKED)
        bpfrt_x86_load(x, 8, false, JIT_BUDGET, JIT_EX, JIT_OFF(vm.budget));
}

/* r1-r5 as an unverified program finds them after a helper call: 0
 * (xor: a zero idiom the CPU drops at renaming). */
static void clobber_args(const struct jit_ctx *c, struct x86 *x)
{
    if (c->facts)
        return;
    for (uint8_t r = 1; r <= 5; r++)
        bpfrt_x86_alu_rr(x, X86_XOR, 4, R(r), R(r));
}

/* After a helper returned r0, r1-r5 cleared: a failed run unwinds (naming this
 * instruction), a tail call replaces the frame's program. Both are rare:
 * one test of run->error | run->tail_call_target inline, and a call to the
 * helper stub (jit_stubs.c) with the pc in the nop after it (jit.h,
 * JIT_ACCESS_NOP). Clobbers r10 and r11. */
static void after_helper(struct jit_ctx *c)
{
    struct x86 *x = &c->hot;
    clobber_args(c, x); /* (before a tail call too: its target finds r2-r5 0) */
    bpfrt_x86_load(x, 8, false, JIT_T1, JIT_EX, JIT_OFF(run));
    bpfrt_x86_load(x, 4, false, JIT_T2, JIT_T1, (int32_t)__builtin_offsetof(struct bpfrt_run, error));
    bpfrt_x86_alu_rm(x, X86_OR, 8, JIT_T2, JIT_T1, (int32_t)__builtin_offsetof(struct bpfrt_run, tail_call_target));
    bpfrt_x86_jcc_rel8(x, X86_CC_E, X86_CALL32_LEN + JIT_ACCESS_NOP);
    bpfrt_jit_call_label(c, x, JIT_STUB_HELPER);
    bpfrt_x86_nop(x, JIT_ACCESS_NOP);
    uint32_t pc = c->pc;
    bpfrt_memcpy(x->code + x->len - 4, &pc, 4);
}

/* A bpf-to-bpf call to instruction `target`, or (target < 0) to the
 * native address in r11. It saves r10 and those of r6-r9 the callee may
 * change (all for callx), an odd count in all, so that with the return
 * address rsp stays 16-byte aligned in the callee. */
static void local_call(struct jit_ctx *c, int64_t target)
{
    struct x86 *x = &c->hot, *y = &c->cold;
    uint16_t writes = target >= 0 ? c->sub_writes[c->sub_of[target]] : 0x3c0;
    uint8_t saved[5] = { X86_RBP };
    unsigned n = 1;
    for (unsigned r = 6; r <= 9; r++)
        if (writes & (1u << r))
            saved[n++] = jit_reg[r];
    for (unsigned r = 6; r <= 9 && !(n & 1); r++) /* one more, for the alignment */
        if (!(writes & (1u << r)))
            saved[n++] = jit_reg[r];
    for (unsigned i = 0; i < n; i++)
        bpfrt_x86_push(x, saved[i]);
    bpfrt_x86_alu_ri(x, X86_SUB, 8, X86_RBP, BPFRT_STACK_SIZE);
    /* The frame's first entry zeroes it, unless the function never names
     * r10 and nothing else can reach its frame (trusted and verified code
     * read no address they did not derive; a tail call's target zeroes the
     * frame it enters). Then only the depth is tested, on r10's low bits,
     * in registers: the test of the zeroed mark in memory cost fib a sixth
     * of its time. A verified program's depth needs no test. */
    bool reads_frame = target < 0 || c->mode == JIT_CHECKED || (writes & JIT_SUB_NAMES_R10);
    enum { TEST_NONE, TEST_ZEROED, TEST_DEPTH } test = !c->frame_test ? TEST_NONE
                                                     : reads_frame    ? TEST_ZEROED
                                                     : c->jp->frames  ? TEST_NONE
                                                                      : TEST_DEPTH;
    if (test != TEST_NONE) {
        /* Below the zeroed frames or too deep: the slow path, out of line,
         * tells which (bpfrt_jit_slow_frame). */
        uint32_t slow = bpfrt_jit_label_new(c), back = bpfrt_jit_label_new(c);
        if (test == TEST_ZEROED) {
            bpfrt_x86_alu_rm(x, X86_CMP, 8, X86_RBP, JIT_EX, JIT_OFF(zeroed_r10));
            bpfrt_jit_jump_label(c, x, X86_CC_B, slow);
        } else {
            bpfrt_x86_test_ri(x, 4, X86_RBP, JIT_FRAMES_SPAN - 1);
            bpfrt_jit_jump_label(c, x, X86_CC_E, slow);
        }
        bpfrt_jit_label_bind(c, x, back);
        bpfrt_jit_label_bind(c, y, slow);
        bpfrt_x86_mov_r32_imm(y, JIT_T1, c->pc);
        bpfrt_jit_call_label(c, y, JIT_STUB_FRAME);
        bpfrt_jit_jump_label(c, y, -1, back);
    }
    if (c->mode == JIT_CHECKED) {
        uint32_t out = bpfrt_jit_label_new(c);
        bpfrt_x86_alu_ri(x, X86_SUB, 8, JIT_BUDGET, 1);
        bpfrt_jit_jump_label(c, x, X86_CC_L, out);
        bpfrt_jit_label_bind(c, y, out);
        bpfrt_x86_mov_r32_imm(y, JIT_T1, JIT_PACK(JIT_RAISE_BUDGET, c->pc));
        bpfrt_jit_jump_label(c, y, -1, JIT_STUB_RAISE);
    }
    if (c->has_may_goto) {
        bpfrt_x86_load(x, 8, false, JIT_T1, JIT_EX, JIT_OFF(top));
        bpfrt_x86_alu_rr(x, X86_SUB, 8, JIT_T1, X86_RBP);
        bpfrt_x86_shift_ri(x, X86_SHR, 8, JIT_T1, 7);
        bpfrt_x86_store_imm_idx(x, 4, JIT_EX, JIT_T1, JIT_OFF(may_goto), (int32_t)BPFRT_MAY_GOTO_LOOPS);
    }
    if (c->mode == JIT_CHECKED) /* the callee's frame joins the accessible stack */
        bpfrt_x86_alu_mi(x, X86_SUB, 8, JIT_EX, JIT_OFF(stk_lo), BPFRT_STACK_SIZE);
    if (target >= 0)
        bpfrt_jit_call_insn(c, x, (uint32_t)target);
    else
        bpfrt_x86_call_r(x, JIT_T2);
    if (c->mode == JIT_CHECKED)
        bpfrt_x86_alu_mi(x, X86_ADD, 8, JIT_EX, JIT_OFF(stk_lo), BPFRT_STACK_SIZE);
    for (int i = (int)n - 1; i >= 0; i--)
        bpfrt_x86_pop(x, saved[i]);
    if (c->may_tail_call && c->jp->tails) {
        /* the callee's frame may have become another program (not in a
         * verified program without bpf_tail_call) */
        bpfrt_x86_load(x, 8, false, JIT_T1, JIT_EX, JIT_OFF(run));
        bpfrt_x86_movabs(x, JIT_T2, (uint64_t)(uintptr_t)c->prog);
        bpfrt_x86_store(x, 8, JIT_T1, (int32_t)__builtin_offsetof(struct bpfrt_run, prog), JIT_T2);
    }
}

/* Checked mode, after a helper called directly: it may have taken memory
 * away, which resets the run's inline caches; the copies generated code
 * tests follow (bpfrt_jit_sync_hints, inline: r0 must survive). */
static void sync_caches(struct x86 *x)
{
    static const int32_t lo_off[2] = { (int32_t)__builtin_offsetof(struct bpfrt_run, rgn.rd_lo),
                                       (int32_t)__builtin_offsetof(struct bpfrt_run, rgn.wr_lo) };
    static const int32_t span_off[2] = { (int32_t)__builtin_offsetof(struct bpfrt_run, rgn.rd_span),
                                         (int32_t)__builtin_offsetof(struct bpfrt_run, rgn.wr_span) };
    const int32_t my_lo[2] = { JIT_OFF(rd_lo), JIT_OFF(wr_lo) };
    const int32_t my_hi[2] = { JIT_OFF(rd_hi), JIT_OFF(wr_hi) };
    bpfrt_x86_load(x, 8, false, JIT_T1, JIT_EX, JIT_OFF(run));
    for (unsigned k = 0; k < 2; k++) {
        bpfrt_x86_load(x, 8, false, JIT_T2, JIT_T1, lo_off[k]);
        bpfrt_x86_store(x, 8, JIT_EX, my_lo[k], JIT_T2);
        bpfrt_x86_alu_rm(x, X86_ADD, 8, JIT_T2, JIT_T1, span_off[k]);
        for (unsigned i = 0; i < 4; i++) { /* end - 1, - 2, - 4, - 8 */
            bpfrt_x86_alu_ri(x, X86_SUB, 8, JIT_T2, i ? 1 << (i - 1) : 1);
            bpfrt_x86_store(x, 8, JIT_EX, my_hi[k] + 8 * (int32_t)i, JIT_T2);
        }
    }
}

/* A helper known at prepare time, called directly. */
static void helper_direct(struct jit_ctx *c, const struct bpfrt_helper_proto *hp)
{
    struct x86 *x = &c->hot;
    /* unverified: none saved, r1-r5 read 0 after the call; verified: the
     * verifier's liveness says which are read (none: reading one is
     * refused; nor can a tail call's target, verified too, read r2-r5) */
    unsigned mask = c->facts ? bpfrt_facts_live(c->facts, c->pc + 1) & REGS_ARGS : 0;
    unsigned n = save_regs(x, mask, false);
    before_c_call(c, x);
    bpfrt_x86_load(x, 8, false, X86_R9, JIT_EX, JIT_OFF(run));
    bpfrt_jit_call_abs(x, JIT_T1, (const void *)hp->fn);
    after_c_call(c, x);
    if (c->mode == JIT_CHECKED)
        sync_caches(x);
    restore_regs(x, mask, false, n);
    after_helper(c);
}

/* Checked mode's call of a helper whose arguments it checks, shared by
 * every such call (helper_checked, below; emitted with the other stubs,
 * jit_stubs.c): called with r10d = the call's pc, r11 = the helper's
 * prototype. Saves r0-r5 as the regs[] block, calls
 * bpfrt_jit_helper_checked(ex, proto, regs, pc), restores r1-r5 and
 * returns r0. Written out at each call, the saves, set-up and restores
 * made such a call the costliest instruction to compile; the extra call
 * and return cost little beside the argument checks in C. */
void bpfrt_jit_emit_call_checked_stub(struct jit_ctx *c)
{
    struct x86 *x = &c->hot;
    bpfrt_jit_label_bind(c, x, JIT_STUB_CALL_CHECKED);
    push_regs_block(x);
    bpfrt_x86_alu_ri(x, X86_SUB, 8, X86_RSP, 8); /* (entered 8 mod 16, six pushes) */
    before_c_call(c, x);
    bpfrt_x86_lea(x, X86_RDI, JIT_EX, -JIT_EX_BIAS);
    bpfrt_x86_mov_rr(x, 8, X86_RSI, JIT_T2);
    bpfrt_x86_lea(x, X86_RDX, X86_RSP, 8);
    bpfrt_x86_mov_rr(x, 4, X86_RCX, JIT_T1);
    bpfrt_jit_call_abs(x, X86_RAX, (const void *)bpfrt_jit_helper_checked);
    after_c_call(c, x);
    bpfrt_x86_alu_ri(x, X86_ADD, 8, X86_RSP, 8);
    pop_regs_block(x);
    bpfrt_x86_ret(x);
}

/* A helper whose arguments checked mode must check
 * (bpfrt_jit_helper_checked), through the stub every such call shares. */
static void helper_checked(struct jit_ctx *c, const struct bpfrt_helper_proto *hp)
{
    struct x86 *x = &c->hot;
    bpfrt_x86_mov_r32_imm(x, JIT_T1, c->pc);
    bpfrt_x86_movabs(x, JIT_T2, (uint64_t)(uintptr_t)hp);
    bpfrt_jit_call_label(c, x, JIT_STUB_CALL_CHECKED);
    after_helper(c);
}

/* callx, or a helper unknown at prepare time: bpfrt_jit_call_dyn decides at run
 * time (a function handle of this program: a local call). */
static void call_dynamic(struct jit_ctx *c, int value_reg, uint64_t id, bool helper_only)
{
    struct x86 *x = &c->hot;
    push_regs_block(x);
    before_c_call(c, x);
    if (value_reg >= 0)
        bpfrt_x86_mov_rr(x, 8, X86_RSI, value_reg);
    else
        bpfrt_x86_mov_imm(x, X86_RSI, id);
    bpfrt_x86_lea(x, X86_RDI, JIT_EX, -JIT_EX_BIAS);
    bpfrt_x86_mov_rr(x, 8, X86_RDX, X86_RSP);
    bpfrt_x86_mov_r32_imm(x, X86_RCX, c->pc | (helper_only ? JIT_DYN_HELPER_ONLY : 0));
    bpfrt_jit_call_abs(x, JIT_T1, (const void *)bpfrt_jit_call_dyn);
    after_c_call(c, x);
    bpfrt_x86_mov_rr(x, 8, JIT_T2, X86_RDX);
    pop_regs_block(x);
    if (helper_only) {
        after_helper(c);
        return;
    }
    uint32_t local = bpfrt_jit_label_new(c), done = bpfrt_jit_label_new(c);
    bpfrt_x86_test_rr(x, 8, JIT_T2, JIT_T2);
    bpfrt_jit_jump_label(c, x, X86_CC_NE, local);
    after_helper(c);
    bpfrt_jit_jump_label(c, x, -1, done);
    bpfrt_jit_label_bind(c, x, local);
    local_call(c, -1);
    bpfrt_jit_label_bind(c, x, done);
}

void bpfrt_jit_emit_call(struct jit_ctx *c, const struct interp_slot *d)
{
    switch (d->op) {
    case BPFRT_OP_CALL_LOCAL:
        local_call(c, d->off);
        break;
    case BPFRT_OP_CALLX:
        call_dynamic(c, R(d->dst), 0, false);
        break;
    case BPFRT_OP_CALL_HELPER: { /* the slot: imm the prototype, off the id, src "needs checks" */
        const struct bpfrt_helper_proto *hp = (const struct bpfrt_helper_proto *)(uintptr_t)d->imm;
        if (!hp)
            call_dynamic(c, -1, (uint32_t)d->off, true); /* resolved when executed */
        else if (c->mode == JIT_CHECKED && d->src)
            helper_checked(c, hp);
        else
            helper_direct(c, hp);
        break;
    }
    default: /* kfuncs: refused by the interpreter's decoder before we get here */
        bpfrt_x86_mov_r32_imm(&c->hot, JIT_T1, JIT_PACK(JIT_RAISE_BAD_INSN, c->pc));
        bpfrt_jit_jump_label(c, &c->hot, -1, JIT_STUB_RAISE);
        break;
    }
}

/* LD_ABS / LD_IND: r0 = packet bytes (bpfrt_jit_ld_pkt); out of bounds the frame
 * returns 0 (Linux's rewrite: r0 = 0; exit). */
void bpfrt_jit_emit_ld_pkt(struct jit_ctx *c, const struct interp_slot *d)
{
    struct x86 *x = &c->hot, *y = &c->cold;
    /* r1-r5 read 0 after it either way (in bounds, or out of bounds when
     * the frame returns 0); in a verified program the verifier's liveness
     * says which are read (LD_ABS clobbers r1-r5, as a call does) */
    unsigned mask = c->facts ? bpfrt_facts_live(c->facts, c->pc + 1) & REGS_ARGS : 0;
    bool r9 = c->mode == JIT_CHECKED;
    unsigned n = save_regs(x, mask, r9);
    bool ind = !(bpfrt_op_info[d->op].flags & BPFRT_OPF_K);
    if (jit_blinding(c)) {
        bpfrt_jit_load_blinded(c, x, JIT_T1, d->imm);
        if (ind)
            bpfrt_x86_alu_rr(x, X86_ADD, 8, JIT_T1, R(d->src));
        bpfrt_x86_mov_rr(x, 8, X86_RSI, JIT_T1);
    } else if (ind) {
        bpfrt_x86_lea(x, X86_RSI, R(d->src), jit_imm32(d)); /* bpfrt_jit_ld_pkt truncates to 32 bits */
    } else {
        bpfrt_x86_mov_imm(x, X86_RSI, d->imm);
    }
    bpfrt_x86_mov_r32_imm(x, X86_RDX, jit_size(d));
    bpfrt_x86_lea(x, X86_RDI, JIT_EX, -JIT_EX_BIAS);
    bpfrt_jit_call_abs(x, JIT_T1, (const void *)bpfrt_jit_ld_pkt);
    restore_regs(x, mask, r9, n);
    clobber_args(c, x);
    uint32_t out = bpfrt_jit_label_new(c);
    bpfrt_x86_alu_ri(x, X86_CMP, 8, X86_RAX, -1);
    bpfrt_jit_jump_label(c, x, X86_CC_E, out);
    bpfrt_jit_label_bind(c, y, out);
    bpfrt_x86_alu_rr(y, X86_XOR, 4, X86_RAX, X86_RAX);
    bpfrt_jit_emit_exit(c, NULL); /* (into the cold stream) */
}

/* ---- the frames of a verified program ---- */

/* Zeroing callee frames when a run starts costs at most this many bytes
 * (else the first entry of each frame zeroes it, behind a test per call). */
#define UPFRONT_ZERO_MAX 1024

/* The subprogram instruction pc belongs to (subprog_start is sorted). */
static uint32_t sub_index(const struct bpfrt_prog_facts *f, uint32_t pc)
{
    uint32_t lo = 0, hi = f->nr_subprogs;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->subprog_start[mid] <= pc)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ld_imm64 of a function (a callback's reference). */
static bool is_func_ref(const struct bpf_insn *in)
{
    return in->code == (BPF_LD | BPF_DW | BPF_IMM) && in->src_reg == BPF_PSEUDO_FUNC;
}

/* The most frames a chain of calls from the entry reaches, the entry's
 * included, a callback's reference (ld_imm64 of a function) counted as a
 * call, as the verifier's check_max_stack_depth counts them (a callback
 * runs one frame below the helper that calls it). 0 when unknown: callx,
 * a cycle, no memory. Sets *tails when a helper call may be bpf_tail_call
 * (or is resolved only when executed). */
static uint32_t max_frames(struct jit_ctx *c, bool *tails)
{
    const struct bpfrt_prog_facts *f = c->facts;
    const struct interp_slot *sl = c->slots; /* a local call's off: its target */
    const struct bpf_insn *raw = c->prog->insns;
    uint32_t n = f->nr_subprogs, nedges = 0;
    *tails = false;
    for (uint32_t pc = 0; pc < c->len; pc++) {
        if (sl[pc].op == BPFRT_OP_CALLX) { /* (the verifier refuses it) */
            *tails = true;
            return 0;
        }
        if (sl[pc].op == BPFRT_OP_CALL_HELPER) {
            const struct bpfrt_helper_proto *hp = (const struct bpfrt_helper_proto *)(uintptr_t)sl[pc].imm;
            *tails |= !hp || hp->id == BPFRT_HELPER_TAIL_CALL;
        }
        nedges += sl[pc].op == BPFRT_OP_CALL_LOCAL || is_func_ref(&raw[pc]);
    }
    uint32_t *edge = bpfrt_jit_scratch_get(c, (size_t)nedges * 2 * sizeof(uint32_t) + 1, false);
    uint32_t *below = bpfrt_jit_scratch_get(c, (size_t)n * sizeof(uint32_t), true); /* frames under each */
    if (!edge || !below || n == 0)
        return 0;
    uint32_t k = 0;
    for (uint32_t pc = 0; pc < c->len; pc++) {
        int64_t target = sl[pc].op == BPFRT_OP_CALL_LOCAL ? sl[pc].off
                         : is_func_ref(&raw[pc])          ? (int64_t)pc + raw[pc].imm + 1
                                                          : -1;
        if (target < 0)
            continue;
        if (target >= c->len)
            return 0;
        edge[k++] = sub_index(f, pc);
        edge[k++] = sub_index(f, (uint32_t)target);
    }
    /* the longest path over the call graph: at most n - 1 rounds change
     * something unless there is a cycle (which the verifier refuses) */
    for (uint32_t round = 0;; round++) {
        bool changed = false;
        for (uint32_t e = 0; e < k; e += 2)
            if (below[edge[e + 1]] + 1 > below[edge[e]]) {
                below[edge[e]] = below[edge[e + 1]] + 1;
                changed = true;
            }
        if (!changed)
            break;
        if (round >= n)
            return 0;
    }
    return below[0] + 1;
}

void bpfrt_jit_plan_frames(struct jit_ctx *c)
{
    struct jit_prog *jp = c->jp;
    const struct bpfrt_prog_facts *f = c->facts;
    jp->entry_zero = jp->frame_zero = BPFRT_STACK_SIZE;
    jp->frames = 0;
    jp->upfront = false;
    jp->tails = true; /* unless the facts say otherwise */
    c->frame_test = c->has_local_calls;
    if (!f || f->nr_subprogs == 0 || f->len != c->len)
        return;
    bool tails;
    uint32_t frames = max_frames(c, &tails);
    jp->tails = tails;
    /* A frame's first entry zeroes it, as the interpreter does, but only
     * as deep as the functions that can run in it reach (the verifier's
     * stack_depth counts reads too: a privileged program may read what it
     * never wrote, and then reads zeros), unless a tail call may bring
     * another program into the frame. */
    if (!tails && f->stack_depth[0] < BPFRT_STACK_SIZE)
        jp->entry_zero = (uint32_t)bpfrt_round_up(f->stack_depth[0], 8);
    if (!frames || frames > BPFRT_MAX_CALL_FRAMES)
        return; /* the calls keep their test */
    uint32_t z = 0;
    for (uint32_t s = 1; s < f->nr_subprogs; s++)
        if (f->stack_depth[s] > z)
            z = f->stack_depth[s];
    z = tails || z >= BPFRT_STACK_SIZE ? BPFRT_STACK_SIZE : (uint32_t)bpfrt_round_up(z, 8);
    jp->frames = (uint8_t)frames;
    jp->frame_zero = z;
    /* The verifier bounds the frames (8): a call needs no depth test. With
     * little to zero the run zeroes every callee frame when it starts and
     * a call tests nothing; else a call still tests for the first entry. */
    jp->upfront = (frames - 1) * z <= UPFRONT_ZERO_MAX;
    c->frame_test = c->has_local_calls && !jp->upfront;
}
