/* The shared code at the start of every image: the entry stub (C calls it
 * to run code at a given address with given registers; Linux's prologue
 * and epilogue in emit_prologue / the exit path of do_jit), the unwind
 * paths a failing run takes back to it, and the out-of-line stubs that call
 * the C slow paths (jit_runtime.c) with every eBPF register preserved.
 *
 * Native stack discipline: in the code of an eBPF frame rsp is 16-byte
 * aligned, so helpers are called directly; a local call pushes an odd
 * number of registers (emit_call.c, local_call) and a return address, so
 * the callee's frame is aligned too, and `exit` is a plain `ret` in every
 * frame. */
#include "core/jit/jit.h"

static const uint8_t callee_saved[] = { X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15 };
/* The registers generated code may have live when it calls a slow stub:
 * every eBPF register the SysV ABI does not preserve, the budget, and the
 * checked address. */
static const uint8_t slow_saved[] = { X86_RAX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_R8, X86_R9, X86_R11 };
#define NSLOW (sizeof(slow_saved) / sizeof(slow_saved[0]))

/* What the stubs' code depends on, and all it may depend on: the key of
 * its template (below). */
enum { STUB_CALLS = 16, STUB_CHECKED = 8, STUB_ACCESS = 4, STUB_FRAME = 2, STUB_TAIL = 1 };
#define STUB_VARIANTS 32

static void stub_entry(struct jit_ctx *c, bool checked)
{
    struct x86 *x = &c->hot;
    /* rdi = struct jit_exec *, rsi = args[6] (r1-r5, r10), rdx = target; rsp = 8 mod 16 */
    for (unsigned i = 0; i < sizeof(callee_saved); i++)
        bpfrt_x86_push(x, callee_saved[i]);
    bpfrt_x86_lea(x, JIT_EX, X86_RDI, JIT_EX_BIAS);
    /* Save the outer unwind point (nested entries: callbacks). */
    bpfrt_x86_push_m(x, JIT_EX, JIT_OFF(unwind_rsp));
    bpfrt_x86_alu_ri(x, X86_SUB, 8, X86_RSP, 8);
    bpfrt_x86_store(x, 8, JIT_EX, JIT_OFF(unwind_rsp), X86_RSP);
    if (checked)
        bpfrt_x86_load(x, 8, false, JIT_BUDGET, JIT_EX, JIT_OFF(vm.budget));
    /* r1-r5 and r10 from args[6]; r0 and r6-r9 start as 0, as in the
     * interpreter (a load each would cost a store by the caller too) */
    static const uint8_t from_args[6] = { 1, 2, 3, 4, 5, 10 };
    bpfrt_x86_mov_rr(x, 8, JIT_T2, X86_RDX);
    bpfrt_x86_mov_rr(x, 8, JIT_T1, X86_RSI);
    for (unsigned i = 0; i < sizeof(from_args); i++)
        bpfrt_x86_load(x, 8, false, jit_reg[from_args[i]], JIT_T1, (int32_t)i * 8);
    static const uint8_t zeroed[] = { 0, 6, 7, 8, 9 };
    for (unsigned i = 0; i < sizeof(zeroed); i++)
        bpfrt_x86_alu_rr(x, X86_XOR, 4, jit_reg[zeroed[i]], jit_reg[zeroed[i]]);
    bpfrt_x86_call_r(x, JIT_T2);
    bpfrt_jit_label_bind(c, x, JIT_STUB_EXIT_STORE);
    if (checked)
        bpfrt_x86_store(x, 8, JIT_EX, JIT_OFF(vm.budget), JIT_BUDGET);
    bpfrt_jit_label_bind(c, x, JIT_STUB_EPILOGUE);
    bpfrt_x86_alu_ri(x, X86_ADD, 8, X86_RSP, 8);
    bpfrt_x86_pop_m(x, JIT_EX, JIT_OFF(unwind_rsp));
    for (int i = (int)sizeof(callee_saved) - 1; i >= 0; i--)
        bpfrt_x86_pop(x, callee_saved[i]);
    bpfrt_x86_ret(x);
    /* A fault: back to the innermost entry with r0 = 0 (run->error says
     * why). A hand-off (tail call left for bpfrt_prog_run): the same with
     * r0 kept. */
    bpfrt_jit_label_bind(c, x, JIT_STUB_UNWIND);
    bpfrt_x86_alu_rr(x, X86_XOR, 4, X86_RAX, X86_RAX);
    bpfrt_jit_label_bind(c, x, JIT_STUB_LEAVE);
    bpfrt_x86_load(x, 8, false, X86_RSP, JIT_EX, JIT_OFF(unwind_rsp));
    bpfrt_jit_jump_back(c, x, -1, JIT_STUB_EXIT_STORE);
}

/* Reached by jmp with r10d = JIT_PACK(kind, pc): records the error, unwinds. */
static void stub_raise(struct jit_ctx *c, bool checked)
{
    struct x86 *x = &c->hot;
    bpfrt_jit_label_bind(c, x, JIT_STUB_RAISE);
    if (checked)
        bpfrt_x86_store(x, 8, JIT_EX, JIT_OFF(vm.budget), JIT_BUDGET);
    bpfrt_x86_lea(x, X86_RDI, JIT_EX, -JIT_EX_BIAS);
    bpfrt_x86_mov_rr(x, 4, X86_RSI, JIT_T1);
    bpfrt_x86_mov_rr(x, 8, X86_RDX, X86_RBP);
    bpfrt_x86_alu_ri(x, X86_AND, 8, X86_RSP, -16);
    bpfrt_jit_call_abs(x, X86_RAX, (const void *)bpfrt_jit_raise);
    if (checked)
        bpfrt_x86_load(x, 8, false, JIT_BUDGET, JIT_EX, JIT_OFF(vm.budget));
    bpfrt_jit_jump_back(c, x, -1, JIT_STUB_UNWIND);
}

/* Called with r11 = a, r10d = b: calls fn(ex, a, b, &val, r10) with every
 * register preserved, returns r10 = val and the flags of `cmp eax, 1`
 * (equal: continue; above: val is a result); 0 unwinds (error recorded).
 * `pad` realigns rsp for fn: 8 where callers have rsp 16-byte aligned (the
 * code of a frame), 16 where it is 8 mod 16 (a local call, between its
 * pushes and its call). */
static void stub_slow(struct jit_ctx *c, enum jit_stub which, const void *fn, int pad)
{
    struct x86 *x = &c->hot;
    bpfrt_jit_label_bind(c, x, which);
    for (unsigned i = 0; i < NSLOW; i++)
        bpfrt_x86_push(x, slow_saved[i]);
    bpfrt_x86_alu_ri(x, X86_SUB, 8, X86_RSP, pad); /* val at [rsp] */
    bpfrt_x86_lea(x, X86_RDI, JIT_EX, -JIT_EX_BIAS);
    bpfrt_x86_mov_rr(x, 8, X86_RSI, JIT_T2);
    bpfrt_x86_mov_rr(x, 4, X86_RDX, JIT_T1);
    bpfrt_x86_mov_rr(x, 8, X86_RCX, X86_RSP);
    bpfrt_x86_mov_rr(x, 8, X86_R8, X86_RBP);
    bpfrt_jit_call_abs(x, X86_RAX, fn);
    bpfrt_x86_load(x, 8, false, JIT_T1, X86_RSP, 0);
    bpfrt_x86_alu_ri(x, X86_ADD, 8, X86_RSP, pad);
    bpfrt_x86_alu_ri(x, X86_CMP, 4, X86_RAX, 1);
    for (int i = (int)NSLOW - 1; i >= 0; i--)
        bpfrt_x86_pop(x, slow_saved[i]);
    bpfrt_jit_jump_back(c, x, X86_CC_B, JIT_STUB_UNWIND);
    bpfrt_x86_ret(x);
}

/* The access stub: called from a checked access whose inline test
 * failed, the access's description in the nop after the call (jit.h,
 * JIT_ACCESS_NOP). Saves every register a load may write, then calls
 * bpfrt_jit_slow_access(ex, r11, saved, r10), which may rewrite a saved
 * register and the return address; 0 unwinds. */
static void stub_access(struct jit_ctx *c)
{
    struct x86 *x = &c->hot;
    bpfrt_jit_label_bind(c, x, JIT_STUB_ACCESS);
    for (unsigned i = 0; i < JIT_ACCESS_SAVED; i++)
        bpfrt_x86_push(x, jit_access_saved[i]);
    /* entered with rsp 8 mod 16 (a frame's code calls it), 12 pushes */
    bpfrt_x86_alu_ri(x, X86_SUB, 8, X86_RSP, 8);
    bpfrt_x86_lea(x, X86_RDI, JIT_EX, -JIT_EX_BIAS);
    bpfrt_x86_mov_rr(x, 8, X86_RSI, JIT_T2);
    bpfrt_x86_lea(x, X86_RDX, X86_RSP, 8);
    bpfrt_x86_mov_rr(x, 8, X86_RCX, X86_RBP);
    bpfrt_jit_call_abs(x, X86_RAX, (const void *)bpfrt_jit_slow_access);
    bpfrt_x86_alu_ri(x, X86_ADD, 8, X86_RSP, 8);
    bpfrt_x86_test_rr(x, 4, X86_RAX, X86_RAX);
    for (int i = JIT_ACCESS_SAVED - 1; i >= 0; i--)
        bpfrt_x86_pop(x, jit_access_saved[i]);
    bpfrt_jit_jump_back(c, x, X86_CC_E, JIT_STUB_UNWIND);
    bpfrt_x86_ret(x);
}

/* A call to a stub emitted before (the stubs' calls): its final rel32. */
static void call_back(struct jit_ctx *c, struct x86 *x, enum jit_stub which)
{
    struct jit_label to = c->labels[which];
    bpfrt_x86_call_rel32(x, (int32_t)((int64_t)to.pos - (x->len + X86_CALL32_LEN)));
}

/* The helper stub: called after a helper call that failed the run or set
 * a tail-call target, the helper call's pc in the nop after the call
 * (emit_call.c's after_helper). A failure raises (naming that pc); a tail
 * call goes through the tail stub: handed off to bpfrt_prog_run (LEAVE),
 * or into the target's first instruction in this frame with r1 = the
 * context and every other register as it was. */
static void stub_helper(struct jit_ctx *c, bool checked)
{
    struct x86 *x = &c->hot;
    bpfrt_jit_label_bind(c, x, JIT_STUB_HELPER);
    bpfrt_x86_load(x, 8, false, JIT_T1, X86_RSP, 0);
    bpfrt_x86_load(x, 4, false, JIT_T1, JIT_T1, 3); /* the nop's displacement: the pc */
    bpfrt_x86_load(x, 8, false, JIT_T2, JIT_EX, JIT_OFF(run));
    bpfrt_x86_alu_mi(x, X86_CMP, 4, JIT_T2, (int32_t)__builtin_offsetof(struct bpfrt_run, error), 0);
    bpfrt_x86_jcc_rel8(x, X86_CC_E, 0);
    uint32_t to_tail = x->len;
    bpfrt_x86_alu_ri(x, X86_OR, 4, JIT_T1, (int32_t)JIT_PACK(JIT_RAISE_HELPER, 0));
    bpfrt_jit_jump_back(c, x, -1, JIT_STUB_RAISE); /* (it realigns rsp) */
    x->code[to_tail - 1] = (uint8_t)(x->len - to_tail);
    bpfrt_x86_alu_ri(x, X86_ADD, 8, X86_RSP, 8); /* no return: the frame's code continues elsewhere */
    call_back(c, x, JIT_STUB_TAIL);
    bpfrt_jit_jump_back(c, x, X86_CC_E, JIT_STUB_LEAVE); /* left to bpfrt_prog_run */
    if (checked)
        bpfrt_x86_load(x, 8, false, JIT_BUDGET, JIT_EX, JIT_OFF(vm.budget));
    bpfrt_x86_load(x, 8, false, jit_reg[1], JIT_EX, JIT_OFF(ctx));
    bpfrt_x86_jmp_r(x, JIT_T1); /* the target's first instruction, same frame */
}

/* The stubs of variant v (STUB_*), from v alone. */
static void emit_stubs(struct jit_ctx *c, unsigned v)
{
    stub_entry(c, v & STUB_CHECKED);
    stub_raise(c, v & STUB_CHECKED);
    /* the slow stubs only where something can call them */
    if (v & STUB_ACCESS)
        stub_access(c);
    if (v & STUB_FRAME)
        stub_slow(c, JIT_STUB_FRAME, (const void *)bpfrt_jit_slow_frame, 16);
    if (v & STUB_TAIL)
        stub_slow(c, JIT_STUB_TAIL, (const void *)bpfrt_jit_slow_tail, 8);
    if (v & STUB_TAIL) /* (every helper call may tail-call) */
        stub_helper(c, v & STUB_CHECKED);
    if (v & STUB_CALLS)
        bpfrt_jit_emit_call_checked_stub(c);
}

/* The stubs' code depends only on five things (checked mode; the access
 * stub: checked accesses or verified probes; the frame stub: local calls
 * that test their frame; tail calls; checked calls out), so each variant is emitted once per
 * process and copied into every later compile: its code and its labels
 * (bound in the hot stream before any of the program's code). Its jumps
 * all go back to a stub emitted before them, at their final size
 * (bpfrt_jit_jump_back): the stubs leave the relaxation nothing to do.
 * Emitting them took about 0.1 us a compile, a third of a small program's
 * emission. A template is published once (jit_once_*). The code holds
 * the slow paths' absolute addresses: the same for the whole process. */
#define STUB_CODE_MAX 640 /* (the largest variant: 534 bytes) */
static struct stub_template {
    uint32_t len;
    struct jit_label labels[JIT_STUB_COUNT];
    uint8_t code[STUB_CODE_MAX];
} templates[STUB_VARIANTS];
static int template_state[STUB_VARIANTS];

void bpfrt_jit_emit_stubs(struct jit_ctx *c)
{
    unsigned v = (c->mode == JIT_CHECKED ? STUB_CHECKED : 0) | (bpfrt_jit_needs_access_stub(c) ? STUB_ACCESS : 0) |
                 (c->frame_test ? STUB_FRAME : 0) | (c->may_tail_call ? STUB_TAIL : 0) |
                 (c->mode == JIT_CHECKED && c->jp->calls_out ? STUB_CALLS : 0);
    struct stub_template *t = &templates[v];
    if (jit_once_ready(&template_state[v]) && c->hot.len == 0 && c->nadj[0] == 0 && c->nlabels == JIT_STUB_COUNT) {
        bpfrt_memcpy(c->hot.code, t->code, t->len);
        c->hot.len = t->len;
        bpfrt_memcpy(c->labels, t->labels, sizeof(t->labels));
        return;
    }
    emit_stubs(c, v);
    /* the first compile of a variant keeps what it emitted, if it is
     * the whole hot stream so far, recorded nothing and fits */
    if (c->err || c->hot.len > STUB_CODE_MAX || c->nadj[0] || c->nfix[0] || c->nfix[1] || c->nadj[1] ||
        c->cold.len || c->nlabels != JIT_STUB_COUNT || !jit_once_claim(&template_state[v]))
        return;
    t->len = c->hot.len;
    bpfrt_memcpy(t->code, c->hot.code, t->len);
    bpfrt_memcpy(t->labels, c->labels, sizeof(t->labels));
    jit_once_publish(&template_state[v]);
}

/* After the last instruction: only an unvalidated program gets here. */
void bpfrt_jit_emit_fell_off(struct jit_ctx *c)
{
    bpfrt_x86_mov_r32_imm(&c->hot, JIT_T1, JIT_PACK(JIT_RAISE_FELL_OFF, c->len - 1));
    bpfrt_jit_jump_label(c, &c->hot, -1, JIT_STUB_RAISE);
}
