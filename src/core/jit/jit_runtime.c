/* The C side of JIT-compiled code: the slow paths generated code calls and
 * the callback operation. The checked-mode
 * decisions are the interpreter's own (src/core/interp/check.c and
 * interp.c, called with the struct interp_exec inside struct jit_exec), so the
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

/* A range generated code tests, [start, end) (at least 8 bytes): its start,
 * and for access sizes 1, 2, 4 and 8 the last address an access may start
 * at (emit_mem.c, range_test). */
static void set_range(uint64_t *lo, uint64_t hi[4], uint64_t start, uint64_t end)
{
    *lo = start;
    for (unsigned i = 0; i < 4; i++)
        hi[i] = end - (1u << i);
}

void bpfrt_jit_sync_hints(struct jit_exec *ex)
{
    const struct bpfrt_run_regions *g = &ex->run->rgn; /* (spans are >= 8) */
    set_range(&ex->rd_lo, ex->rd_hi, g->rd_lo, g->rd_lo + g->rd_span);
    set_range(&ex->wr_lo, ex->wr_hi, g->wr_lo, g->wr_lo + g->wr_span);
}

/* The accessible stack is [r10 - 512, top) for the frame at r10: a call
 * moves only its bottom (emit_call.c). */
static void set_stack_range(struct jit_exec *ex, uint64_t r10)
{
    set_range(&ex->stk_lo, ex->stk_hi, r10 - BPFRT_STACK_SIZE, ex->top);
}

/* check.c reads the stack region from run->regions; generated code keeps
 * only stk_lo up to date. */
static void sync_stack_region(struct jit_exec *ex)
{
    if (ex->vm.stack_region < BPFRT_RUN_MAX_REGIONS)
        ex->run->regions[ex->vm.stack_region].start = (uintptr_t)ex->stk_lo;
}

/* check.c finds the program's maps and functions in the frame's code. */
static const struct interp_code *current_code(struct jit_exec *ex)
{
    const struct jit_prog *jp = ex->run->prog->engine_state;
    ex->vm.depth = 0;
    ex->vm.frames[0].code = jp->vm;
    return jp->vm;
}

/* Verified code's probes test the load cache first: the entry frame's
 * stack at the start, then the kernel object the last probe found, which
 * stays readable for the whole run (check.c's probe cache). */
static void probe_home(struct jit_exec *ex)
{
    set_range(&ex->rd_lo, ex->rd_hi, ex->stk_lo, ex->top);
}

static void probe_hint(struct jit_exec *ex)
{
    if (ex->vm.probe_hi - ex->vm.probe_lo < 8)
        return; /* the limits need 8 bytes */
    set_range(&ex->rd_lo, ex->rd_hi, ex->vm.probe_lo, ex->vm.probe_hi);
}

/* ---- slow paths (called through the stubs of jit_stubs.c) ---- */

/* The saved slot of x86 register reg (jit.h, jit_access_saved). */
static uint64_t *saved_slot(uint64_t *saved, int reg)
{
    for (unsigned i = 0; i < JIT_ACCESS_SAVED; i++)
        if (jit_access_saved[i] == reg)
            return &saved[JIT_ACCESS_SAVED - 1 - i];
    return NULL;
}

int bpfrt_jit_slow_access(struct jit_exec *ex, uint64_t addr, uint64_t *saved, uint64_t r10)
{
    (void)r10;
    uint64_t ret = saved[JIT_ACCESS_SAVED]; /* the nop after the stub's call */
    uint32_t info;
    bpfrt_memcpy(&info, (const void *)(uintptr_t)(ret + 3), 4);
    uint32_t pc = JIT_ACCESS_PC(info), si = JIT_ACCESS_SI(info), size = 1u << si, kind = JIT_ACCESS_KIND(info);
    bool sign = JIT_ACCESS_SIGN(info);
    uint64_t val = 0;
    int r;
    saved[JIT_ACCESS_SAVED] = ret + JIT_ACCESS_NOP; /* on to the access */
    if (kind >= JIT_ACC_PROBE) { /* verified code: a load through a kernel pointer */
        sign = kind == JIT_ACC_PROBE_SX;
        val = bpfrt_interp_probe_load(&ex->vm, addr, size, sign);
        probe_hint(ex);
        r = 2;
    } else {
        sync_stack_region(ex);
        switch (kind) {
        case JIT_ACC_LOAD:
            r = bpfrt_interp_check_load(&ex->vm, addr, size, &val, pc);
            if (r == 2 && sign) /* the interpreter's LDXSX of such a value */
                val = bpfrt_sign_extend(val, size);
            break;
        case JIT_ACC_STORE:
            r = bpfrt_interp_check_store(&ex->vm, addr, size, pc) ? 1 : 0;
            break;
        default:
            r = bpfrt_interp_check_rmw(&ex->vm, addr, size, pc) ? 1 : 0;
            break;
        }
        bpfrt_jit_sync_hints(ex);
    }
    if (r == 2) {
        /* the value is the load's: into its register, past the load
         * (emit_mem.c emits it as bpfrt_x86_load(size, sign, dst, r11, 0)) */
        int dst = jit_reg[JIT_ACCESS_DST(info)];
        uint64_t *slot = saved_slot(saved, dst);
        uint8_t buf[X86_MAX_INSN];
        struct x86 load = { buf, 0, 0, sizeof(buf) };
        bpfrt_x86_load(&load, size, sign, dst, JIT_T2, 0);
        if (!slot) { /* (every eBPF register a load may write is saved) */
            bpfrt_interp_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc, 0, "jit: load at insn %u into an unsaved register", pc);
            return 0;
        }
        *slot = val;
        saved[JIT_ACCESS_SAVED] += load.len;
        return 1;
    }
    return r;
}

/* Zeroes the frames between the zeroed ones and r10 (first entry), the
 * `size` bytes below each frame's r10: all 512, or of a verified program
 * what its functions can reach (jp->frame_zero). */
static void zero_frames(struct jit_exec *ex, uint64_t r10, uint32_t size)
{
    while (ex->zeroed_r10 > r10) {
        ex->zeroed_r10 -= BPFRT_STACK_SIZE;
        bpfrt_memset((void *)(uintptr_t)(ex->zeroed_r10 - size), 0, size);
    }
}

/* A local call entering the frame at r10 below every zeroed frame: too
 * deep, or its first entry. */
int bpfrt_jit_slow_frame(struct jit_exec *ex, uint64_t unused, uint32_t pc, uint64_t *val, uint64_t r10)
{
    const struct jit_prog *jp = ex->run->prog->engine_state;
    uint64_t depth = (ex->top - r10) / BPFRT_STACK_SIZE;
    if (depth >= BPFRT_MAX_CALL_FRAMES) {
        bpfrt_interp_fail(&ex->vm, BPFRT_RUN_CALL_DEPTH, pc, 0,
                      "the call stack of %u frames is too deep at insn %u (at most %u)",
                      (unsigned)depth + 1, pc, BPFRT_MAX_CALL_FRAMES);
        return 0;
    }
    zero_frames(ex, r10, jp->frame_zero);
    return 1;
}

/* bpf_tail_call left run->tail_call_target: 2 and *val = the target's first
 * instruction (same frame), 1 = leave it to bpfrt_prog_run (entry frame,
 * target compiled in another mode), 0 = fail. */
int bpfrt_jit_slow_tail(struct jit_exec *ex, uint64_t unused, uint32_t pc, uint64_t *val, uint64_t r10)
{
    struct bpfrt_run *run = ex->run;
    struct bpfrt_prog *tgt = run->tail_call_target;
    const struct jit_prog *tjp = tgt->engine_state;
    if (!bpfrt_jit_ops_is_jit(tgt->engine_ops) || !tjp) {
        bpfrt_interp_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc, 0, "tail call at insn %u into a program of another engine", pc);
        return 0;
    }
    enum jit_mode mode = exec_mode(ex);
    const struct jit_prog *cur = run->prog->engine_state;
    uint64_t depth = (ex->top - r10) / BPFRT_STACK_SIZE;
    if (cur->facts && !cur->tails) { /* its frames were zeroed only as deep as its own functions reach */
        bpfrt_interp_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc, 0,
                      "tail call at insn %u from a verified program by a helper other than bpf_tail_call", pc);
        return 0;
    }
    if (tjp->mode == mode && tjp->frames && depth + tjp->frames > BPFRT_MAX_CALL_FRAMES) {
        /* its calls test no depth: the verifier bounded them from its own
         * entry frame, not from this one */
        bpfrt_interp_fail(&ex->vm, BPFRT_RUN_CALL_DEPTH, pc, 0,
                      "tail call at insn %u from frame %u into a program whose calls reach %u frames (at most %u in all)",
                      pc, (unsigned)depth + 1, (unsigned)tjp->frames, BPFRT_MAX_CALL_FRAMES);
        return 0;
    }
    if (tjp->mode != mode) {
        if (r10 == ex->top && ex->cb_nest == 0) {
            ex->handoff = true;
            return 1;
        }
        bpfrt_interp_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc, 0,
                      "tail call at insn %u from a subprogram into a program compiled in another mode", pc);
        return 0;
    }
    run->tail_call_target = NULL;
    run->prog = tgt;
    ex->may_goto[depth] = BPFRT_MAY_GOTO_LOOPS;
    /* the frame it enters: a call into a function that never names r10
     * left it as it was (emit_call.c, local_call) */
    zero_frames(ex, r10, BPFRT_STACK_SIZE);
    /* the frames its calls reach, whole: its own zeroing (when the run
     * starts, or on first entry) stays within its own functions' reach,
     * and what it zeroes its caller's functions may read after it returned */
    if (tjp->frames)
        zero_frames(ex, r10 - (uint64_t)(tjp->frames - 1) * BPFRT_STACK_SIZE, BPFRT_STACK_SIZE);
    if (mode == JIT_CHECKED) {
        bpfrt_run_add_prog_regions(run, tgt);
        bpfrt_jit_sync_hints(ex);
        if (--ex->vm.budget < 0) {
            bpfrt_interp_fail(&ex->vm, BPFRT_RUN_BUDGET, pc, 0, "instruction budget exhausted at insn %u", pc);
            return 0;
        }
    }
    *val = (uint64_t)(uintptr_t)(tjp->image + tjp->insn_off[0]);
    return 2;
}

void bpfrt_jit_raise(struct jit_exec *ex, uint32_t packed, uint64_t r10)
{
    uint32_t pc = packed & 0xffffff;
    struct bpfrt_run *run = ex->run;
    switch (packed >> 24) {
    case JIT_RAISE_BUDGET:
        bpfrt_interp_fail(&ex->vm, BPFRT_RUN_BUDGET, pc, 0, "instruction budget exhausted at insn %u", pc);
        break;
    case JIT_RAISE_FELL_OFF:
        bpfrt_interp_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc + 1, 0,
                      "execution fell off the end of the program after insn %u", pc);
        break;
    case JIT_RAISE_HELPER:
        if (run->error_insn == UINT32_MAX)
            run->error_insn = pc;
        break;
    default:
        bpfrt_interp_fail(&ex->vm, BPFRT_RUN_BAD_INSN, pc, 0, "invalid instruction at insn %u", pc);
        break;
    }
}

uint64_t bpfrt_jit_helper_checked(struct jit_exec *ex, const struct bpfrt_helper_proto *p, const uint64_t *regs,
                            uint32_t pc)
{
    struct bpfrt_run *run = ex->run;
    uint64_t alloc = 0;
    struct bpfrt_map *map = NULL;
    current_code(ex);
    sync_stack_region(ex);
    if (!bpfrt_interp_check_helper_args(&ex->vm, p, regs, pc, &alloc, &map))
        return 0;
    uint64_t rv = p->fn(regs[1], regs[2], regs[3], regs[4], regs[5], run);
    bpfrt_interp_helper_returned(&ex->vm, p, regs, rv, alloc, map);
    /* the helper (or a callback) may have taken memory away, which resets
     * the run's caches: the copies follow */
    bpfrt_jit_sync_hints(ex);
    return rv;
}

struct jit_dyn_ret bpfrt_jit_call_dyn(struct jit_exec *ex, uint64_t v, const uint64_t *regs, uint32_t pc_flags)
{
    struct jit_dyn_ret r = { 0, 0 };
    uint32_t pc = pc_flags & 0xffffff;
    const struct jit_prog *jp = ex->run->prog->engine_state;
    const struct interp_code *code = jp->vm;
    uintptr_t first = (uintptr_t)code->slots, last = (uintptr_t)(code->slots + code->len);
    /* A BPF_PSEUDO_FUNC handle of this program: a local call (LLVM's
     * meaning of callx); anything else is a helper id (uBPF's). */
    if (!(pc_flags & JIT_DYN_HELPER_ONLY) && v >= first && v < last && (v - first) % sizeof(struct interp_slot) == 0 &&
        bpfrt_interp_code_has_func(code, (uint32_t)((v - first) / sizeof(struct interp_slot)))) {
        r.value = regs[0];
        r.target = (uint64_t)(uintptr_t)(jp->image + jp->insn_off[(v - first) / sizeof(struct interp_slot)]);
        return r;
    }
    const struct bpfrt_helper_proto *hp = bpfrt_interp_callx_resolve(&ex->vm, v, pc);
    if (!hp)
        return r;
    if (jp->mode == JIT_CHECKED && bpfrt_interp_helper_needs_checks(hp))
        r.value = bpfrt_jit_helper_checked(ex, hp, regs, pc);
    else
        r.value = hp->fn(regs[1], regs[2], regs[3], regs[4], regs[5], ex->run);
    return r;
}

uint64_t bpfrt_jit_ld_pkt(struct jit_exec *ex, uint64_t off, uint32_t size)
{
    uint64_t v;
    if (!bpfrt_interp_ld_pkt(&ex->vm, (int64_t)(int32_t)off, size, &v))
        return UINT64_MAX;
    return v;
}

/* ---- callbacks ---- */

/* The target runs in a new frame below the frame of the helper call,
 * through a nested entry stub. */
int bpfrt_jit_callback(struct bpfrt_run *run, uint64_t func, const uint64_t args[5], uint64_t *ret)
{
    *ret = 0;
    struct jit_exec *ex = jit_exec_of(run->engine_priv);
    struct bpfrt_prog *prog = run->prog;
    const struct jit_prog *jp = prog->engine_state;
    const struct interp_code *code = jp->vm;
    uintptr_t first = (uintptr_t)code->slots;
    if (func < first || func >= (uintptr_t)(code->slots + code->len) || (func - first) % sizeof(struct interp_slot) != 0 ||
        !bpfrt_interp_code_has_func(code, (uint32_t)((func - first) / sizeof(struct interp_slot)))) {
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
    zero_frames(ex, r10, BPFRT_STACK_SIZE);
    if (mode == JIT_CHECKED) {
        set_stack_range(ex, r10);
        sync_stack_region(ex);
    }
    const uint64_t regs[6] = { args[0], args[1], args[2], args[3], args[4], r10 };
    ex->cb_nest++;
    jit_entry_fn entry = (jit_entry_fn)(void *)(jp->image + jp->entry);
    uint64_t r0 = entry(ex, regs, jp->image + jp->insn_off[(func - first) / sizeof(struct interp_slot)]);
    ex->cb_nest--;
    ex->cur_r10 = caller_r10;
    run->prog = prog;
    if (mode == JIT_CHECKED) {
        set_stack_range(ex, caller_r10);
        sync_stack_region(ex);
        bpfrt_jit_sync_hints(ex);
    }
    if (run->error != BPFRT_RUN_OK)
        return bpfrt_run_errno(run->error);
    *ret = r0;
    return 0;
}

/* ---- the run ---- */

/* The interpreter's run state that check.c reads: all of it for a checked
 * run; an unchecked one (trusted, verified) reaches only the run, the
 * budget, the depth (bpfrt_interp_fail, _callx_resolve, _ld_pkt) and in
 * verified code the probe cache (_probe_load), so it sets only those: a
 * run's fixed cost is mostly stores, and cache lines the program's own
 * work (sum32's 64 KiB) evicted between runs. */
static void vm_init(struct interp_exec *vm, struct bpfrt_run *run, const struct jit_prog *jp, uint8_t *stack,
                    uint8_t *top)
{
    vm->run = run;
    vm->depth = 0;
    if (jp->mode == JIT_VERIFIED)
        vm->probe_lo = vm->probe_hi = 0;
    if (jp->mode != JIT_CHECKED)
        return;
    vm->exit_pc = UINT32_MAX;
    vm->stack_region = UINT32_MAX;
    vm->probe_lo = vm->probe_hi = 0;
    vm->zeroed = 0;
    vm->nr_extra_maps = vm->nr_values = vm->next_value = 0;
    vm->held_lock = 0;
    vm->loop = NULL;
    vm->stack_base = stack;
    vm->stack_top = top;
    vm->frames[0].code = jp->vm;
    vm->frames[0].may_goto = BPFRT_MAY_GOTO_LOOPS;
    vm->trace_pc = -1;
}

/* Runs the program from its first instruction in the entry frame: 0 and
 * *ret = r0, or the run's error. What it reads after the program (whose
 * data may have evicted the run state) is one line of run: only checked
 * code notes its exit. */
static int enter(struct bpfrt_run *run, struct jit_exec *ex, const struct jit_prog *jp, uint64_t r1, uint64_t r2,
                 uint64_t *ret)
{
    const uint64_t regs[6] = { r1, r2, 0, 0, 0, ex->top };
    jit_entry_fn entry = (jit_entry_fn)(void *)(jp->image + jp->entry);
    uint64_t r0 = entry(ex, regs, jp->image + jp->insn_off[0]);
    if (jp->mode == JIT_CHECKED)
        run->exit_insn = ex->exit_pc;
    if (run->error != BPFRT_RUN_OK)
        return bpfrt_run_errno(run->error);
    *ret = r0;
    return 0;
}

/* A run on `stack`, all frames' stacks (JIT_FRAMES_SPAN bytes), contiguous
 * as in the interpreter. */
static __attribute__((noinline)) int run_on(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1,
                                            uint64_t r2, uint64_t *ret, uint8_t *stack)
{
    const struct jit_prog *jp = prog->engine_state;
    struct jit_exec ex;
    struct interp_exec *vm = &ex.vm;
    uint8_t *top = stack + JIT_FRAMES_SPAN;
    bool checked = jp->mode == JIT_CHECKED;
    ex.run = run;
    ex.top = (uintptr_t)top;
    ex.zeroed_r10 = ex.top;
    ex.cur_r10 = ex.top;
    ex.cb_nest = 0;
    ex.handoff = false;
    ex.unwind_rsp = 0;
    ex.may_goto[0] = BPFRT_MAY_GOTO_LOOPS;
    ex.exit_pc = UINT32_MAX;
    /* 0 for an unchecked program that cannot reach its stack (jit_engine.c) */
    if (jp->entry_zero)
        bpfrt_memset(top - jp->entry_zero, 0, jp->entry_zero);
    /* a verified program whose calls test nothing: every frame they reach
     * now, as far as its functions read (bpfrt_jit_plan_frames) */
    if (jp->upfront)
        zero_frames(&ex, ex.top - (uint64_t)(jp->frames - 1) * BPFRT_STACK_SIZE, jp->frame_zero);
    vm_init(vm, run, jp, stack, top);

    /* The budget, the state callbacks find and the run's own memory for
     * host reads (%s), for whatever C the program reaches: none for trusted
     * code that calls nothing (sum32), whose run then touches none of it. */
    bool lean = jp->mode == JIT_TRUSTED && !jp->calls_out;
    void *saved_priv = NULL;
    uintptr_t saved_lo = 0, saved_hi = 0;
    int64_t *saved_budget = NULL;
    if (!lean) {
        saved_priv = run->engine_priv;
        saved_lo = run->stack_lo;
        saved_hi = run->stack_hi;
        saved_budget = bpfrt_run_budget_open(run, &vm->budget);
        run->stack_lo = (uintptr_t)stack;
        run->stack_hi = (uintptr_t)top;
        run->engine_priv = vm;
    }
    run->prog = prog;
    run->checked = checked;
    run->exit_insn = UINT32_MAX;
    if (!run->ctx)
        run->ctx = (void *)(uintptr_t)r1;
    ex.ctx = (uint64_t)(uintptr_t)run->ctx;
    int rc;
    if (checked) {
        struct bpfrt_run_regions_mark saved_regions;
        bpfrt_run_regions_save(run, &saved_regions);
        bpfrt_interp_setup_regions(vm); /* the stack, and the caches' home */
        set_stack_range(&ex, ex.top);
        bpfrt_jit_sync_hints(&ex);
        rc = enter(run, &ex, jp, r1, r2, ret);
        vm->exit_pc = ex.exit_pc;
        bpfrt_interp_finish_checked(vm, &rc);
        bpfrt_run_regions_restore(run, &saved_regions); /* the stack region was this frame's */
    } else {
        /* verified code's probes test the stack and the probe cache;
         * trusted code tests nothing */
        if (jp->mode == JIT_VERIFIED) {
            set_stack_range(&ex, ex.top);
            probe_home(&ex);
        }
        rc = enter(run, &ex, jp, r1, r2, ret);
    }
    if (rc)
        *ret = 0;
    if (!lean) {
        bpfrt_run_budget_close(run, saved_budget);
        run->engine_priv = saved_priv;
        run->stack_lo = saved_lo;
        run->stack_hi = saved_hi;
    }
    return rc;
}

/* The frames' stack on the C stack; aligned to its size where the code
 * tests the call depth on r10's low bits (jp->align_top), which costs up to
 * JIT_FRAMES_SPAN more of the C stack. */
static __attribute__((noinline)) int run_aligned(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1,
                                                 uint64_t r2, uint64_t *ret)
{
    uint8_t stack[JIT_FRAMES_SPAN] __attribute__((aligned(JIT_FRAMES_SPAN)));
    return run_on(prog, run, r1, r2, ret, stack);
}

static __attribute__((noinline)) int run_plain(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1,
                                               uint64_t r2, uint64_t *ret)
{
    uint8_t stack[JIT_FRAMES_SPAN] __attribute__((aligned(16)));
    return run_on(prog, run, r1, r2, ret, stack);
}

int bpfrt_jit_run(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1, uint64_t r2, uint64_t *ret)
{
    const struct jit_prog *jp = prog->engine_state;
    *ret = 0;
    if (!jp || !jp->image) {
        bpfrt_run_fail(run, BPFRT_RUN_BAD_INSN, 0, "program is not prepared for the JIT");
        return -BPFRT_EINVAL;
    }
    return jp->align_top ? run_aligned(prog, run, r1, r2, ret) : run_plain(prog, run, r1, r2, ret);
}
