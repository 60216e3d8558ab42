/* The interpreter engine: four instantiations of one loop (checked or not,
 * traced or not), the engine ops, callbacks and the small slow paths the
 * loops share. See docs/interpreter.md. */
#include "core/interp/interp.h"

/* ---- arithmetic with RFC 9669's corner cases ---- */

static inline uint64_t interp_sdiv64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return 0;
    if ((int64_t)b == -1)
        return 0 - a; /* INT64_MIN / -1 = INT64_MIN, without the C overflow */
    return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t interp_smod64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    if ((int64_t)b == -1)
        return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint32_t interp_sdiv32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return 0;
    if ((int32_t)b == -1)
        return 0u - a;
    return (uint32_t)((int32_t)a / (int32_t)b);
}

static inline uint32_t interp_smod32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return a;
    if ((int32_t)b == -1)
        return 0;
    return (uint32_t)((int32_t)a % (int32_t)b);
}

/* ---- byte order ---- */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint64_t interp_le16(uint16_t v) { return __builtin_bswap16(v); }
static inline uint64_t interp_le32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t interp_le64(uint64_t v) { return __builtin_bswap64(v); }
static inline uint64_t interp_be16(uint16_t v) { return v; }
static inline uint64_t interp_be32(uint32_t v) { return v; }
static inline uint64_t interp_be64(uint64_t v) { return v; }
#else
static inline uint64_t interp_le16(uint16_t v) { return v; }
static inline uint64_t interp_le32(uint32_t v) { return v; }
static inline uint64_t interp_le64(uint64_t v) { return v; }
static inline uint64_t interp_be16(uint16_t v) { return __builtin_bswap16(v); }
static inline uint64_t interp_be32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t interp_be64(uint64_t v) { return __builtin_bswap64(v); }
#endif

/* ---- atomics ---- */
enum { INTERP_RMW_ADD, INTERP_RMW_OR, INTERP_RMW_AND, INTERP_RMW_XOR, INTERP_RMW_XCHG };

static inline uint32_t interp_atomic_uint32_t(int kind, uint32_t *p, uint32_t v)
{
    switch (kind) {
    case INTERP_RMW_ADD: return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
    case INTERP_RMW_OR: return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
    case INTERP_RMW_AND: return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);
    case INTERP_RMW_XOR: return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);
    default: return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
    }
}

static inline uint64_t interp_atomic_uint64_t(int kind, uint64_t *p, uint64_t v)
{
    switch (kind) {
    case INTERP_RMW_ADD: return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
    case INTERP_RMW_OR: return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
    case INTERP_RMW_AND: return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);
    case INTERP_RMW_XOR: return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);
    default: return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
    }
}

/* Unaligned atomics cannot be done atomically everywhere (split locks may be
 * fatal); only unverified programs reach this, and they get a plain
 * read-modify-write. */
static __attribute__((noinline)) uint64_t interp_rmw_unaligned(int kind, uint64_t addr, unsigned size, uint64_t v)
{
    uint64_t old = 0, nv;
    __builtin_memcpy(&old, (const void *)(uintptr_t)addr, size);
    switch (kind) {
    case INTERP_RMW_ADD: nv = old + v; break;
    case INTERP_RMW_OR: nv = old | v; break;
    case INTERP_RMW_AND: nv = old & v; break;
    case INTERP_RMW_XOR: nv = old ^ v; break;
    default: nv = v; break;
    }
    __builtin_memcpy((void *)(uintptr_t)addr, &nv, size); /* little-endian low bytes */
    return old;
}

static inline uint64_t interp_cmpxchg32(uint64_t addr, uint32_t expected, uint32_t desired)
{
    if ((addr & 3) == 0) {
        __atomic_compare_exchange_n((uint32_t *)(uintptr_t)addr, &expected, desired, false,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        return expected; /* the old value either way */
    }
    uint32_t old;
    __builtin_memcpy(&old, (const void *)(uintptr_t)addr, 4);
    if (old == expected)
        __builtin_memcpy((void *)(uintptr_t)addr, &desired, 4);
    return old;
}

static inline uint64_t interp_cmpxchg64(uint64_t addr, uint64_t expected, uint64_t desired)
{
    if ((addr & 7) == 0) {
        __atomic_compare_exchange_n((uint64_t *)(uintptr_t)addr, &expected, desired, false,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        return expected;
    }
    uint64_t old;
    __builtin_memcpy(&old, (const void *)(uintptr_t)addr, 8);
    if (old == expected)
        __builtin_memcpy((void *)(uintptr_t)addr, &desired, 8);
    return old;
}

/* ---- the four loops ---- */
#define INTERP_CHECKED 0
#define INTERP_TRACE 0
#define INTERP_LOOP_NAME bpfrt_interp_loop_fast
#include "interp_loop.inc"
#undef INTERP_CHECKED
#undef INTERP_TRACE
#undef INTERP_LOOP_NAME

#define INTERP_CHECKED 1
#define INTERP_TRACE 0
#define INTERP_LOOP_NAME bpfrt_interp_loop_checked
#include "interp_loop.inc"
#undef INTERP_CHECKED
#undef INTERP_TRACE
#undef INTERP_LOOP_NAME

#define INTERP_CHECKED 0
#define INTERP_TRACE 1
#define INTERP_LOOP_NAME bpfrt_interp_loop_fast_trace
#include "interp_loop.inc"
#undef INTERP_CHECKED
#undef INTERP_TRACE
#undef INTERP_LOOP_NAME

#define INTERP_CHECKED 1
#define INTERP_TRACE 1
#define INTERP_LOOP_NAME bpfrt_interp_loop_checked_trace
#include "interp_loop.inc"
#undef INTERP_CHECKED
#undef INTERP_TRACE
#undef INTERP_LOOP_NAME

/* ---- slow paths shared by the loops ---- */

void bpfrt_interp_fail(struct interp_exec *ex, enum bpfrt_run_error err, uint32_t pc, uint64_t addr,
                   const char *fmt, ...)
{
    struct bpfrt_run *run = ex->run;
    if (run->error != BPFRT_RUN_OK)
        return; /* the first error is the one to report */
    run->error = err;
    run->error_insn = pc;
    run->error_addr = addr;
    va_list ap;
    va_start(ap, fmt);
    bpfrt_vsnprintf(run->error_msg, sizeof(run->error_msg), fmt, ap);
    va_end(ap);
}

/* Linux's special negative offsets (SKF_NET_OFF, SKF_LL_OFF): relative to
 * the network and the link-layer (MAC) header. */
#define INTERP_SKF_NET_OFF (-0x100000)
#define INTERP_SKF_LL_OFF (-0x200000)
#define INTERP_ETH_HLEN 14

bool bpfrt_interp_ld_pkt(struct interp_exec *ex, int64_t off, uint32_t size, uint64_t *val)
{
    const struct bpfrt_run *run = ex->run;
    const struct bpfrt_pkt *pkt = run->pkt;
    const uint8_t *p;
    if (pkt) {
        if (!pkt->data || pkt->data_end < pkt->data)
            return false;
        /* Offsets are relative to skb->data (the network header for socket
         * filters, the MAC header for tc); negative ones name a header and
         * may reach into the headroom, as far as the buffer start. */
        const uint8_t *lo = pkt->data;
        const uint8_t *net = pkt->data + pkt->net_off;
        if (off >= 0)
            p = pkt->data + off;
        else if (off >= INTERP_SKF_NET_OFF)
            p = net + (off - INTERP_SKF_NET_OFF), lo = pkt->buf ? pkt->buf : pkt->data;
        else if (off >= INTERP_SKF_LL_OFF)
            p = net - INTERP_ETH_HLEN + (off - INTERP_SKF_LL_OFF), lo = pkt->buf ? pkt->buf : pkt->data;
        else
            return false;
        if (p < lo || p > pkt->data_end || (uint64_t)(pkt->data_end - p) < size)
            return false;
    } else {
        /* No packet (conformance model): the plain context is the packet. */
        if (!run->ctx || off < 0 || (uint64_t)off + size > run->ctx_size)
            return false;
        p = (const uint8_t *)run->ctx + off;
    }
    uint64_t v = 0;
    for (uint32_t i = 0; i < size; i++) /* network byte order */
        v = v << 8 | p[i];
    *val = v;
    return true;
}

void bpfrt_interp_trace_step(struct interp_exec *ex, const uint64_t *regs, int64_t next_pc)
{
    struct bpfrt_run *run = ex->run;
    if (ex->trace_pc >= 0 && run->trace)
        run->trace(run->trace_arg, run, (uint32_t)ex->trace_pc, regs, ex->trace_before);
    bpfrt_memcpy(ex->trace_before, regs, sizeof(ex->trace_before));
    ex->trace_pc = next_pc;
}

const struct bpfrt_helper_proto *bpfrt_interp_callx_resolve(struct interp_exec *ex, uint64_t id, uint32_t pc)
{
    /* The same policy PROG_LOAD applied to the program's direct calls: a
     * helper id in a register must not reach what a call instruction could
     * not (the current program: tail calls change it). */
    const struct bpfrt_prog *prog = ex->run->prog;
    const struct bpfrt_helper_proto *p = NULL;
    char why[128];
    if (id > UINT32_MAX || !bpfrt_helper_find(ex->run->rt, (uint32_t)id)) {
        bpfrt_interp_fail(ex, BPFRT_RUN_UNKNOWN_HELPER, pc, 0, "unknown helper %llu at insn %u",
                      (unsigned long long)id, pc);
        return NULL;
    }
    if (bpfrt_helper_allowed(ex->run->rt, (uint32_t)id, prog->type, prog->gpl_compatible, &p, why, sizeof(why))) {
        bpfrt_interp_fail(ex, BPFRT_RUN_UNKNOWN_HELPER, pc, 0, "helper %llu at insn %u: %s",
                      (unsigned long long)id, pc, why);
        return NULL;
    }
    return p;
}

void bpfrt_interp_zero_frame(struct interp_exec *ex, uint32_t depth)
{
    while (ex->zeroed < depth) {
        ex->zeroed++;
        bpfrt_memset(ex->stack_top - (size_t)(ex->zeroed + 1) * INTERP_FRAME_SIZE, 0, INTERP_FRAME_SIZE);
    }
}

static interp_loop_fn select_loop(const struct bpfrt_run *run)
{
    if (run->trace)
        return run->checked ? bpfrt_interp_loop_checked_trace : bpfrt_interp_loop_fast_trace;
    return run->checked ? bpfrt_interp_loop_checked : bpfrt_interp_loop_fast;
}

/* ---- engine ops ---- */

static int interp_prepare(struct bpfrt_prog *prog, struct bpfrt_diag *diag)
{
    if (prog->engine_state)
        bpfrt_interp_release(prog);
    return bpfrt_interp_decode(prog, diag);
}

static int interp_run(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1, uint64_t r2,
                      uint64_t *ret)
{
    const struct interp_code *code = prog->engine_state;
    *ret = 0;
    if (!code) {
        bpfrt_run_fail(run, BPFRT_RUN_BAD_INSN, 0, "program is not prepared for the interpreter");
        return -BPFRT_EINVAL;
    }
    /* All frames' stacks, contiguous: frame d has [top - (d+1)*512, top - d*512). */
    uint8_t stack[BPFRT_MAX_CALL_FRAMES * INTERP_FRAME_SIZE] __attribute__((aligned(16)));
    /* Only what a run reads is initialised: clearing the whole struct (about
     * 1 KB) would cost more than a short program's run. */
    struct interp_exec ex;
    ex.depth = 0;
    ex.zeroed = 0;
    ex.exit_pc = UINT32_MAX;
    ex.nr_extra_maps = ex.nr_values = ex.next_value = 0;
    ex.held_lock = 0;
    ex.probe_lo = ex.probe_hi = 0;
    ex.run = run;
    ex.stack_base = stack;
    ex.stack_top = stack + sizeof(stack);
    bpfrt_memset(ex.stack_top - INTERP_FRAME_SIZE, 0, INTERP_FRAME_SIZE);
    ex.frames[0].code = code;
    ex.frames[0].may_goto = BPFRT_MAY_GOTO_LOOPS;
    ex.trace_pc = -1;
    ex.stack_region = UINT32_MAX;
    ex.loop = select_loop(run);

    void *saved_priv = run->engine_priv;
    int64_t *saved_budget = bpfrt_run_budget_open(run, &ex.budget);
    uintptr_t saved_lo = run->stack_lo, saved_hi = run->stack_hi;
    run->stack_lo = (uintptr_t)ex.stack_base;
    run->stack_hi = (uintptr_t)ex.stack_top;
    struct bpfrt_run_regions_mark saved_regions = { 0 };
    const bool checked = run->checked;
    run->engine_priv = &ex;
    run->prog = prog;
    if (!run->ctx)
        run->ctx = (void *)(uintptr_t)r1;
    if (checked) {
        bpfrt_run_regions_save(run, &saved_regions);
        bpfrt_interp_setup_regions(&ex);
    }

    uint64_t regs[11] = { 0 };
    regs[BPF_REG_1] = r1;
    regs[BPF_REG_2] = r2;
    regs[BPF_REG_10] = (uint64_t)(uintptr_t)ex.stack_top;
    int rc = ex.loop(&ex, code->slots, regs, ret);
    run->exit_insn = ex.exit_pc;
    if (checked) {
        bpfrt_interp_finish_checked(&ex, &rc);
        bpfrt_run_regions_restore(run, &saved_regions); /* the stack region was this frame's */
    }

    bpfrt_run_budget_close(run, saved_budget);
    run->engine_priv = saved_priv;
    run->stack_lo = saved_lo;
    run->stack_hi = saved_hi;
    return rc;
}

/* The callback op: a new frame on this run's frame stack, entered through
 * the run's loop, which returns when that frame exits. */
static int interp_callback(struct bpfrt_run *run, uint64_t func, const uint64_t args[5], uint64_t *ret)
{
    *ret = 0;
    /* Dispatch through the current program's ops makes engine_priv ours
     * whenever it is set. */
    struct interp_exec *ex = run->engine_priv;
    if (!ex)
        return -BPFRT_EINVAL;
    const struct interp_code *code = ex->frames[ex->depth].code;
    uintptr_t first = (uintptr_t)code->slots;
    if (func < first || func >= (uintptr_t)(code->slots + code->len) ||
        (func - first) % sizeof(struct interp_slot) != 0 ||
        !bpfrt_interp_code_has_func(code, (uint32_t)((func - first) / sizeof(struct interp_slot)))) {
        bpfrt_run_fail(run, BPFRT_RUN_BAD_HELPER_ARG, func, "invalid callback function 0x%llx",
                       (unsigned long long)func);
        return -BPFRT_EINVAL;
    }
    uint32_t d = ex->depth;
    if (d + 1 >= BPFRT_MAX_CALL_FRAMES) {
        bpfrt_run_fail(run, BPFRT_RUN_CALL_DEPTH, 0,
                       "the call stack of %u frames is too deep (callback; at most %u)", d + 2,
                       BPFRT_MAX_CALL_FRAMES);
        return -BPFRT_E2BIG;
    }
    /* Each callback costs budget: a helper like bpf_loop could otherwise
     * run straight-line callbacks (which never charge it) without end. */
    if (--ex->budget < 0) {
        bpfrt_run_fail(run, BPFRT_RUN_BUDGET, 0, "instruction budget exhausted (callback)");
        return -BPFRT_ELOOP;
    }
    ex->frames[d + 1].code = code;
    ex->frames[d + 1].may_goto = BPFRT_MAY_GOTO_LOOPS;
    bpfrt_interp_zero_frame(ex, d + 1);
    uint64_t regs[11] = { 0 };
    for (int i = 0; i < 5; i++)
        regs[i + 1] = args[i];
    regs[10] = (uint64_t)(uintptr_t)ex->stack_top - (uint64_t)(d + 1) * INTERP_FRAME_SIZE;
    ex->depth = d + 1;
    if (ex->stack_region < BPFRT_RUN_MAX_REGIONS)
        run->regions[ex->stack_region].start = (uintptr_t)(ex->stack_top - (size_t)(d + 2) * INTERP_FRAME_SIZE);
    struct bpfrt_prog *saved_prog = run->prog;
    int rc = ex->loop(ex, (const struct interp_slot *)(uintptr_t)func, regs, ret);
    ex->depth = d;
    run->prog = saved_prog;
    if (ex->stack_region < BPFRT_RUN_MAX_REGIONS)
        run->regions[ex->stack_region].start = (uintptr_t)(ex->stack_top - (size_t)(d + 1) * INTERP_FRAME_SIZE);
    return rc;
}

const struct bpfrt_engine_ops bpfrt_interp_ops = {
    .name = "interpreter",
    .prepare = interp_prepare,
    .run = interp_run,
    .release = bpfrt_interp_release,
    .callback = interp_callback,
};

