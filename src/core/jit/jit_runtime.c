/* The C side of JIT-compiled code: the engine ops (prepare, run, release),
 * callbacks, and the slow paths generated code calls. The checked-mode
 * decisions are the interpreter's own (src/core/interp/check.c and
 * interp.c, called with the struct vm_exec inside struct jit_exec), so the
 * two engines accept and refuse exactly the same things with the same
 * messages. Mirrors what Linux's JIT leaves to C: __bpf_call_base and the
 * helpers, bpf_tail_call's checks. */
#include "core/jit/jit.h"

static enum jit_mode exec_mode(const struct jit_exec *ex)
{
    const struct jit_prog *jp = ex->run->prog->engine_state;
    return (enum jit_mode)jp->mode;
}

/* ---- region bookkeeping shared with check.c ---- */

void jit_sync_hints(struct jit_exec *ex)
{
    const struct vm_exec *vm = &ex->vm;
    ex->rd_lo = vm->rd_lo;
    ex->wr_lo = vm->wr_lo;
    for (unsigned i = 0; i < 4; i++) {
        ex->rd_lim[i] = vm->rd_span - (1u << i); /* spans are >= 8 */
        ex->wr_lim[i] = vm->wr_span - (1u << i);
    }
}

/* The accessible stack is [r10 - 512, top) for the frame at r10. */
static void set_stack_range(struct jit_exec *ex, uint64_t r10)
{
    ex->stk_lo = r10 - BPFRT_STACK_SIZE;
    for (unsigned i = 0; i < 4; i++)
        ex->stk_lim[i] = ex->top - ex->stk_lo - (1u << i);
}

/* check.c reads the stack region from run->regions; generated code keeps
 * only stk_lo up to date. */
static void sync_stack_region(struct jit_exec *ex)
{
    if (ex->vm.stack_region < BPFRT_RUN_MAX_REGIONS)
        ex->run->regions[ex->vm.stack_region].start = (uintptr_t)ex->stk_lo;
}

/* check.c finds the program's maps and functions in the frame's code. */
static const struct vm_code *current_code(struct jit_exec *ex)
{
    const struct jit_prog *jp = ex->run->prog->engine_state;
    ex->vm.depth = 0;
    ex->vm.frames[0].code = jp->vm;
    return jp->vm;
}

/* ---- slow paths (called through the stubs of jit_stubs.c) ---- */

int jit_slow_access(struct jit_exec *ex, uint64_t addr, uint32_t packed, uint64_t *val, uint64_t r10)
{
    uint32_t pc = packed & 0xffffff, size = 1u << ((packed >> 24) & 3);
    int r;
    sync_stack_region(ex);
    switch (packed >> 26) {
    case JIT_ACC_LOAD:
        r = bpfrt_vm_check_load(&ex->vm, addr, size, val, pc);
        break;
    case JIT_ACC_STORE:
        r = bpfrt_vm_check_store(&ex->vm, addr, size, pc) ? 1 : 0;
        break;
    default:
        r = bpfrt_vm_check_rmw(&ex->vm, addr, size, pc) ? 1 : 0;
        break;
    }
    jit_sync_hints(ex);
    return r;
}

/* Zeroes the frames between the zeroed ones and r10 (first entry). */
static void zero_frames(struct jit_exec *ex, uint64_t r10)
{
    while (ex->zeroed_r10 > r10) {
        ex->zeroed_r10 -= BPFRT_STACK_SIZE;
        bpfrt_memset((void *)(uintptr_t)(ex->zeroed_r10 - BPFRT_STACK_SIZE), 0, BPFRT_STACK_SIZE);
    }
}

/* A local call entering the frame at r10 below every zeroed frame: too
 * deep, or its first entry. */
int jit_slow_frame(struct jit_exec *ex, uint64_t unused, uint32_t pc, uint64_t *val, uint64_t r10)
{
    uint64_t depth = (ex->top - r10) / BPFRT_STACK_SIZE;
    if (depth >= BPFRT_MAX_CALL_FRAMES) {
        bpfrt_vm_fail(&ex->vm, BPFRT_RUN_CALL_DEPTH, pc, 0,
                      "the call stack of %u frames is too deep at insn %u (at most %u)",
                      (unsigned)depth + 1, pc, BPFRT_MAX_CALL_FRAMES);
        return 0;
    }
    zero_frames(ex, r10);
    return 1;
}

/* bpf_tail_call left run->tail_call_target: 2 and *val = the target's first
 * instruction (same frame), 1 = leave it to bpfrt_prog_run (entry frame,
 * target compiled in another mode), 0 = fail. */
int jit_slow_tail(struct jit_exec *ex, uint64_t unused, uint32_t pc, uint64_t *val, uint64_t r10)
{
    struct bpfrt_run *run = ex->run;
    struct bpfrt_prog *tgt = run->tail_call_target;
    const struct jit_prog *tjp = tgt->engine_state;
    if (!jit_ops_is_jit(tgt->engine_ops) || !tjp) {
        bpfrt_vm_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc, 0, "tail call at insn %u into a program of another engine", pc);
        return 0;
    }
    enum jit_mode mode = exec_mode(ex);
    if (tjp->mode != mode) {
        if (r10 == ex->top && ex->cb_nest == 0) {
            ex->handoff = true;
            return 1;
        }
        bpfrt_vm_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc, 0,
                      "tail call at insn %u from a subprogram into a program compiled in another mode", pc);
        return 0;
    }
    run->tail_call_target = NULL;
    run->prog = tgt;
    ex->may_goto[(ex->top - r10) / BPFRT_STACK_SIZE] = BPFRT_MAY_GOTO_LOOPS;
    if (mode == JIT_CHECKED) {
        bpfrt_vm_add_prog_regions(&ex->vm, tgt);
        bpfrt_vm_hint_reset(&ex->vm);
        jit_sync_hints(ex);
        if (--ex->vm.budget < 0) {
            bpfrt_vm_fail(&ex->vm, BPFRT_RUN_BUDGET, pc, 0, "instruction budget exhausted at insn %u", pc);
            return 0;
        }
    }
    *val = (uint64_t)(uintptr_t)(tjp->image + tjp->insn_off[0]);
    return 2;
}

void jit_raise(struct jit_exec *ex, uint32_t packed, uint64_t r10)
{
    uint32_t pc = packed & 0xffffff;
    struct bpfrt_run *run = ex->run;
    switch (packed >> 24) {
    case JIT_RAISE_BUDGET:
        bpfrt_vm_fail(&ex->vm, BPFRT_RUN_BUDGET, pc, 0, "instruction budget exhausted at insn %u", pc);
        break;
    case JIT_RAISE_FELL_OFF:
        bpfrt_vm_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc + 1, 0,
                      "execution fell off the end of the program after insn %u", pc);
        break;
    case JIT_RAISE_HELPER:
        if (run->error_insn == UINT32_MAX)
            run->error_insn = pc;
        break;
    default:
        bpfrt_vm_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc, 0, "invalid instruction at insn %u", pc);
        break;
    }
}

uint64_t jit_helper_checked(struct jit_exec *ex, const struct bpfrt_helper_proto *p, const uint64_t *regs,
                            uint32_t pc)
{
    struct bpfrt_run *run = ex->run;
    uint64_t alloc = 0;
    struct bpfrt_map *map = NULL;
    current_code(ex);
    sync_stack_region(ex);
    if (!bpfrt_vm_check_helper_args(&ex->vm, p, regs, pc, &alloc, &map))
        return 0;
    uint64_t rv = p->fn(regs[1], regs[2], regs[3], regs[4], regs[5], run);
    bpfrt_vm_helper_returned(&ex->vm, p, regs, rv, alloc, map);
    /* the helper (or a callback) may have changed the regions */
    bpfrt_vm_hint_reset(&ex->vm);
    jit_sync_hints(ex);
    return rv;
}

struct jit_dyn_ret jit_call_dyn(struct jit_exec *ex, uint64_t v, const uint64_t *regs, uint32_t pc_flags)
{
    struct jit_dyn_ret r = { 0, 0 };
    uint32_t pc = pc_flags & 0xffffff;
    const struct jit_prog *jp = ex->run->prog->engine_state;
    const struct vm_code *code = jp->vm;
    uintptr_t first = (uintptr_t)code->slots, last = (uintptr_t)(code->slots + code->len);
    /* A BPF_PSEUDO_FUNC handle of this program: a local call (LLVM's
     * meaning of callx); anything else is a helper id (uBPF's). */
    if (!(pc_flags & JIT_DYN_HELPER_ONLY) && v >= first && v < last && (v - first) % sizeof(struct vm_slot) == 0 &&
        bpfrt_vm_code_has_func(code, (uint32_t)((v - first) / sizeof(struct vm_slot)))) {
        r.value = regs[0];
        r.target = (uint64_t)(uintptr_t)(jp->image + jp->insn_off[(v - first) / sizeof(struct vm_slot)]);
        return r;
    }
    const struct bpfrt_helper_proto *hp = bpfrt_vm_callx_resolve(&ex->vm, v, pc);
    if (!hp)
        return r;
    if (jp->mode == JIT_CHECKED && bpfrt_vm_helper_needs_checks(hp))
        r.value = jit_helper_checked(ex, hp, regs, pc);
    else
        r.value = hp->fn(regs[1], regs[2], regs[3], regs[4], regs[5], ex->run);
    return r;
}

uint64_t jit_ld_pkt(struct jit_exec *ex, uint64_t off, uint32_t size)
{
    uint64_t v;
    if (!bpfrt_vm_ld_pkt(&ex->vm, (int64_t)(int32_t)off, size, &v))
        return UINT64_MAX;
    return v;
}

/* ---- callbacks ---- */

/* The target runs in a new frame below the frame of the helper call,
 * through a nested entry stub. */
int bpfrt_jit_callback(struct bpfrt_run *run, uint64_t func, uint64_t r1, uint64_t r2, uint64_t r3,
                       uint64_t r4, uint64_t r5, uint64_t *ret)
{
    *ret = 0;
    struct jit_exec *ex = jit_exec_of(run->engine_priv);
    struct bpfrt_prog *prog = run->prog;
    const struct jit_prog *jp = prog->engine_state;
    const struct vm_code *code = jp->vm;
    uintptr_t first = (uintptr_t)code->slots;
    if (func < first || func >= (uintptr_t)(code->slots + code->len) || (func - first) % sizeof(struct vm_slot) != 0 ||
        !bpfrt_vm_code_has_func(code, (uint32_t)((func - first) / sizeof(struct vm_slot)))) {
        bpfrt_run_fail(run, BPFRT_RUN_BAD_HELPER_ARG, func, "invalid callback function 0x%llx",
                       (unsigned long long)func);
        return -BPFRT_EINVAL;
    }
    uint64_t caller_r10 = ex->cur_r10, r10 = caller_r10 - BPFRT_STACK_SIZE;
    uint64_t depth = (ex->top - r10) / BPFRT_STACK_SIZE;
    if (depth >= BPFRT_MAX_CALL_FRAMES) {
        bpfrt_run_fail(run, BPFRT_RUN_CALL_DEPTH, 0, "the call stack of %u frames is too deep (callback; at most %u)",
                       (unsigned)depth + 1, BPFRT_MAX_CALL_FRAMES);
        return -BPFRT_E2BIG;
    }
    enum jit_mode mode = exec_mode(ex);
    /* Each callback costs budget (a helper like bpf_loop could otherwise
     * run straight-line callbacks without end). */
    if (mode == JIT_CHECKED && --ex->vm.budget < 0) {
        bpfrt_run_fail(run, BPFRT_RUN_BUDGET, 0, "instruction budget exhausted (callback)");
        return -BPFRT_ELOOP;
    }
    ex->may_goto[depth] = BPFRT_MAY_GOTO_LOOPS;
    zero_frames(ex, r10);
    if (mode == JIT_CHECKED) {
        set_stack_range(ex, r10);
        sync_stack_region(ex);
        bpfrt_vm_hint_reset(&ex->vm);
        jit_sync_hints(ex);
    }
    uint64_t regs[11] = { 0, r1, r2, r3, r4, r5, 0, 0, 0, 0, r10 };
    ex->cb_nest++;
    jit_entry_fn entry = (jit_entry_fn)(void *)(jp->image + jp->entry);
    uint64_t r0 = entry(ex, regs, jp->image + jp->insn_off[(func - first) / sizeof(struct vm_slot)]);
    ex->cb_nest--;
    ex->cur_r10 = caller_r10;
    run->prog = prog;
    if (mode == JIT_CHECKED) {
        set_stack_range(ex, caller_r10);
        sync_stack_region(ex);
        bpfrt_vm_hint_reset(&ex->vm);
        jit_sync_hints(ex);
    }
    if (run->error != BPFRT_RUN_OK)
        return bpfrt_vm_errno(run->error);
    *ret = r0;
    return 0;
}

/* ---- engine ops ---- */

static int jit_run(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1, uint64_t r2, uint64_t *ret)
{
    const struct jit_prog *jp = prog->engine_state;
    *ret = 0;
    if (!jp || !jp->image) {
        bpfrt_run_fail(run, BPFRT_RUN_BAD_INSN, 0, "program is not prepared for the JIT");
        return -BPFRT_EINVAL;
    }
    /* All frames' stacks, contiguous, as in the interpreter. */
    uint8_t stack[BPFRT_MAX_CALL_FRAMES * BPFRT_STACK_SIZE] __attribute__((aligned(16)));
    struct jit_exec ex;
    struct vm_exec *vm = &ex.vm;
    uint8_t *top = stack + sizeof(stack);
    ex.run = run;
    ex.top = (uintptr_t)top;
    ex.zeroed_r10 = ex.top;
    ex.cur_r10 = ex.top;
    ex.cb_nest = 0;
    ex.handoff = false;
    ex.unwind_rsp = 0;
    ex.may_goto[0] = BPFRT_MAY_GOTO_LOOPS;
    bpfrt_memset(top - BPFRT_STACK_SIZE, 0, BPFRT_STACK_SIZE);
    vm->depth = 0;
    vm->zeroed = 0;
    vm->nr_fixed = vm->recycle = vm->hint = 0;
    vm->nr_extra_maps = vm->nr_rb_records = vm->nr_values = vm->next_value = 0;
    vm->held_lock = 0;
    vm->run = run;
    vm->loop = NULL;
    vm->stack_base = stack;
    vm->stack_top = top;
    vm->budget = run->insn_budget == 0 || run->insn_budget > (uint64_t)INT64_MAX ? INT64_MAX
                                                                                  : (int64_t)run->insn_budget;
    vm->frames[0].code = jp->vm;
    vm->frames[0].may_goto = BPFRT_MAY_GOTO_LOOPS;
    vm->trace_pc = -1;
    vm->stack_region = UINT32_MAX;

    void *saved_priv = run->engine_priv;
    uint32_t saved_regions = run->nr_regions;
    bool checked = jp->mode == JIT_CHECKED;
    run->engine_priv = vm;
    run->prog = prog;
    run->checked = checked;
    if (!run->ctx)
        run->ctx = (void *)(uintptr_t)r1;
    ex.ctx = (uint64_t)(uintptr_t)run->ctx;
    bpfrt_vm_hint_reset(vm);
    if (checked)
        bpfrt_vm_setup_regions(vm, prog);
    set_stack_range(&ex, ex.top);
    jit_sync_hints(&ex);

    uint64_t regs[11] = { 0, r1, r2, 0, 0, 0, 0, 0, 0, 0, ex.top };
    jit_entry_fn entry = (jit_entry_fn)(void *)(jp->image + jp->entry);
    uint64_t r0 = entry(&ex, regs, jp->image + jp->insn_off[0]);
    int rc = 0;
    if (run->error != BPFRT_RUN_OK)
        rc = bpfrt_vm_errno(run->error);
    else
        *ret = r0;
    if (checked)
        bpfrt_vm_finish_checked(vm, &rc);
    if (rc)
        *ret = 0;
    if (run->insn_budget)
        run->insn_budget = vm->budget > 0 ? (uint64_t)vm->budget : 1;
    run->nr_regions = saved_regions; /* our regions point into this stack frame */
    run->engine_priv = saved_priv;
    return rc;
}

static void jit_release(struct bpfrt_prog *prog)
{
    struct jit_prog *jp = prog->engine_state;
    struct bpfrt_runtime *rt = prog->rt;
    if (!jp)
        return;
    if (jp->image)
        rt->plat->exec_free(rt->plat->ctx, jp->image, jp->image_len);
    bpfrt_free(rt, jp->insn_off, ((size_t)jp->len + 1) * sizeof(uint32_t));
    prog->engine_state = jp->vm;
    if (jp->vm)
        bpfrt_vm_release(prog);
    bpfrt_free(rt, jp, sizeof(*jp));
    prog->engine_state = NULL;
}

/* Compiles prog in `mode`; on any JIT failure the program stays with the
 * interpreter (*jitted = false, a note in the log). Errors only for what
 * the interpreter refuses too. */
static int jit_prepare_mode(struct bpfrt_prog *prog, enum jit_mode mode, bool blind, bool *jitted, char *msg,
                            size_t msg_size)
{
    struct bpfrt_runtime *rt = prog->rt;
    uint64_t t0 = rt->plat->ktime_ns ? rt->plat->ktime_ns(rt->plat->ctx) : 0;
    *jitted = false;
    if (prog->engine_state && prog->engine_ops && prog->engine_ops->release)
        prog->engine_ops->release(prog);
    prog->engine_state = NULL;
    /* the interpreter's decoded form: validation, helper prototypes, handles */
    int err = bpfrt_vm_decode(prog, msg, msg_size);
    if (err)
        return err;
    const char *why = NULL;
    char jmsg[160] = "";
#if !defined(__x86_64__)
    why = "the host is not x86-64";
#endif
    if (!why && (!rt->plat->exec_alloc || !rt->plat->exec_seal || !rt->plat->exec_free))
        why = "the platform has no executable memory";
    struct jit_prog *jp = NULL;
    if (!why) {
        jp = bpfrt_zalloc(rt, sizeof(*jp));
        if (!jp)
            why = "out of memory";
    }
    if (!why) {
        jp->vm = prog->engine_state;
        jp->mode = (uint8_t)mode;
        jp->blind = blind;
        err = jit_compile(prog, jp, jmsg, sizeof(jmsg));
        if (err) {
            bpfrt_free(rt, jp, sizeof(*jp));
            jp = NULL;
            why = jmsg[0] ? jmsg : "compile failed";
        }
    }
    if (why) {
        /* the decoded program is the interpreter's: run there */
        prog->engine_ops = &bpfrt_interp_ops;
        prog->engine = BPFRT_ENGINE_INTERP;
        bpfrt_logf(rt, BPFRT_LOG_INFO, "jit: program %u runs in the interpreter: %s", prog->id, why);
        return 0;
    }
    prog->engine_state = jp;
    prog->engine = BPFRT_ENGINE_JIT;
    jp->compile_ns = rt->plat->ktime_ns ? rt->plat->ktime_ns(rt->plat->ctx) - t0 : 0;
    *jitted = true;
    return 0;
}

/* True when the program type's context has fields that are pointers in
 * disguise (xdp_md.data): reading them needs checked mode's conversion
 * until the verifier rewrites those loads. */
static bool ctx_needs_conversion(const struct bpfrt_prog *prog)
{
    const struct bpfrt_ctx_desc *desc = bpfrt_ctx_desc_for(prog->type, prog->expected_attach_type);
    for (uint32_t i = 0; desc && i < desc->nr_fields; i++)
        if (desc->fields[i].kind != BPFRT_CTX_SCALAR)
            return true;
    return false;
}

static enum jit_mode mode_for(const struct bpfrt_prog *prog, bool trusted)
{
    if (prog->verified)
        return JIT_VERIFIED;
    if (trusted && ctx_needs_conversion(prog)) {
        bpfrt_logf(prog->rt, BPFRT_LOG_INFO,
                   "jit: program %u runs checked: its context needs field conversion, which trusted mode lacks",
                   prog->id);
        return JIT_CHECKED;
    }
    return trusted ? JIT_TRUSTED : JIT_CHECKED;
}

static int prepare_default(struct bpfrt_prog *prog, char *msg, size_t msg_size)
{
    bool jitted;
    prog->engine_ops = &bpfrt_jit_ops;
    return jit_prepare_mode(prog, mode_for(prog, false), false, &jitted, msg, msg_size);
}

static int prepare_trusted(struct bpfrt_prog *prog, char *msg, size_t msg_size)
{
    bool jitted;
    prog->engine_ops = &bpfrt_jit_trusted_ops;
    return jit_prepare_mode(prog, mode_for(prog, true), false, &jitted, msg, msg_size);
}

const struct bpfrt_engine_ops bpfrt_jit_ops = {
    .name = "jit",
    .prepare = prepare_default,
    .run = jit_run,
    .release = jit_release,
};

const struct bpfrt_engine_ops bpfrt_jit_trusted_ops = {
    .name = "jit-trusted",
    .prepare = prepare_trusted,
    .run = jit_run,
    .release = jit_release,
};

bool jit_ops_is_jit(const struct bpfrt_engine_ops *ops)
{
    return ops == &bpfrt_jit_ops || ops == &bpfrt_jit_trusted_ops;
}

int bpfrt_prog_use_jit(struct bpfrt_prog *prog, unsigned flags, bool *jitted, char *msg, size_t msg_size)
{
    bool dummy;
    if (!jitted)
        jitted = &dummy;
    if (msg && msg_size)
        msg[0] = '\0';
    bool trusted = flags & BPFRT_JIT_TRUSTED;
    int err = jit_prepare_mode(prog, mode_for(prog, trusted), flags & BPFRT_JIT_BLIND, jitted, msg, msg_size);
    if (!err && *jitted)
        prog->engine_ops = trusted ? &bpfrt_jit_trusted_ops : &bpfrt_jit_ops;
    return err;
}

bool bpfrt_jit_image(const struct bpfrt_prog *prog, const void **code, uint32_t *len)
{
    if (!prog || !jit_ops_is_jit(prog->engine_ops) || !prog->engine_state)
        return false;
    const struct jit_prog *jp = prog->engine_state;
    *code = jp->image;
    *len = jp->image_len;
    return true;
}

bool bpfrt_jit_get_stats(const struct bpfrt_prog *prog, struct bpfrt_jit_stats *st)
{
    static const char *const names[] = { "verified", "checked", "trusted" };
    if (!prog || !jit_ops_is_jit(prog->engine_ops) || !prog->engine_state)
        return false;
    const struct jit_prog *jp = prog->engine_state;
    st->mode = names[jp->mode];
    st->insns = jp->len;
    st->image_len = jp->image_len;
    st->passes = jp->passes;
    st->compile_ns = jp->compile_ns;
    st->exec_mem_ns = jp->exec_mem_ns;
    return true;
}

uint32_t bpfrt_jit_insn_offset(const struct bpfrt_prog *prog, uint32_t pc)
{
    if (!prog || !jit_ops_is_jit(prog->engine_ops) || !prog->engine_state)
        return UINT32_MAX;
    const struct jit_prog *jp = prog->engine_state;
    return pc <= jp->len ? jp->insn_off[pc] : UINT32_MAX;
}
