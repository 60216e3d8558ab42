/* Compiling a program: the instructions come from the interpreter's
 * decoded slots; each instruction's emitter (found through a table indexed
 * by its kind, an ALU instruction's by its operation) writes its code
 * once, every jump long; the relaxation (jit_layout.c: the pass loop of
 * Linux's x86 JIT over instruction addresses) chooses the shortest jumps;
 * linking copies the code into executable memory written through a
 * read-write mapping, then sealed read+execute.
 *
 * Image layout: [stubs][hot code, instruction by instruction][cold code:
 * slow paths, out of the straight line]. */
#include "core/jit/jit.h"

/* (sized for every kind: the ones an op table claims stay NULL here) */
static const jit_emit_fn emit_kind[BPFRT_K_STREL + 1] = {
    [BPFRT_K_MOVSX] = bpfrt_jit_emit_movsx,
    [BPFRT_K_END] = bpfrt_jit_emit_end,
    [BPFRT_K_JA] = bpfrt_jit_emit_ja,
    [BPFRT_K_CALL] = bpfrt_jit_emit_call,
    [BPFRT_K_EXIT] = bpfrt_jit_emit_exit,
    [BPFRT_K_MAY_GOTO] = bpfrt_jit_emit_may_goto,
    [BPFRT_K_LDDW] = bpfrt_jit_emit_lddw,
    [BPFRT_K_LD_PKT] = bpfrt_jit_emit_ld_pkt,
    [BPFRT_K_ATOMIC] = bpfrt_jit_emit_atomic,
};

#define MAX_INSN_CODE 2048 /* bytes one chunk may take (the longest is a few hundred) */

#define TARGET_KINDS (1u << BPFRT_K_JA | 1u << BPFRT_K_JCOND | 1u << BPFRT_K_MAY_GOTO)

/* What the compile needs of each op, one row per op (ops(), below, says
 * what each field holds). */
struct op_row {
    jit_emit_fn emit;
    uint8_t scan;        /* SCAN_* */
};
static const struct op_row *ops(void);

/* ---- what a bpf-to-bpf call may change ---- */

/* The r6-r9 (bits 6-9) an instruction writes; all of them for one after
 * which the frame may run other code (a helper: it may tail-call, and the
 * target's frame returns to our caller; callx). */
static uint16_t writes_callee_saved(const struct interp_slot *d)
{
    bool calls_out = bpfrt_op_kind(d->op) == BPFRT_K_CALL && d->op != BPFRT_OP_CALL_LOCAL;
    return (calls_out ? 0x3c0 : jit_writes(d)) & 0x3c0;
}

/* ---- the emission ---- */

/* The code buffers' room is checked once per batch of instructions, not
 * per instruction: each may take MAX_INSN_CODE bytes, so a batch needs
 * BATCH_ROOM free; an instruction past its bound shows as a batch past
 * BATCH_ROOM before the buffer can overflow. */
#define BATCH 16
#define BATCH_ROOM (BATCH * MAX_INSN_CODE)

/* Room for one more batch (the buffers grow by doubling). */
static bool grow(struct jit_ctx *c, struct x86 *x, unsigned s)
{
    uint32_t ncap = c->cap[s] * 2 + BATCH_ROOM;
    uint8_t *n = bpfrt_jit_scratch_get(c, ncap, false);
    if (!n) {
        c->err = -BPFRT_ENOMEM;
        return false;
    }
    bpfrt_memcpy(n, x->code, x->len);
    x->code = n;
    x->cap = c->cap[s] = ncap;
    return true;
}

/* Before a batch: the last one stayed within BATCH_ROOM (it started at
 * `at`, hot and cold), and there is room for the next. */
static bool batch_room(struct jit_ctx *c, const uint32_t at[2])
{
    if (c->hot.len - at[0] > BATCH_ROOM || c->cold.len - at[1] > BATCH_ROOM) {
        c->err = -BPFRT_EFAULT;
        return false;
    }
    if (c->hot.len + BATCH_ROOM > c->cap[0] && !grow(c, &c->hot, 0))
        return false;
    if (c->cold.len + BATCH_ROOM > c->cap[1] && !grow(c, &c->cold, 1))
        return false;
    return true;
}

/* Starts instruction pc's code (pc == len: the tail). */
JIT_INLINE void start_insn(struct jit_ctx *c, uint32_t pc)
{
    if (c->marks[pc] & JIT_MARK_LOOP) {
        bpfrt_jit_counted_loop_head(c, pc); /* (before the padding: run once, on entering) */
        bpfrt_jit_align_loop(c);
    }
    c->insn_start[pc] = (struct jit_label){ c->hot.len, c->nadj[0] };
}

/* What the compile needs of each op, one row per op, built once per process
 * from bpfrt_op_info (the same rows whoever builds them): its emitter - the
 * compile dispatches once per instruction; ALU, conditional jump, load and
 * store ops have one of their own; BAD, the second half of an ld_imm64,
 * emits nothing - and what the scan before the emission looks for. */
enum {
    SCAN_TARGET = 1, SCAN_LOCAL_CALL = 2, SCAN_TAIL_CALL = 4, SCAN_MAY_GOTO = 8,
    SCAN_CALLS_OUT = 16, /* a call into C: a helper (maybe bpf_tail_call), a kfunc, callx */
    SCAN_ENTERS = 64,    /* its target (off) is entered other than by falling through: JIT_MARK_ENTRY */
};

static struct op_row op_rows[INTERP_OP_COUNT]; /* (the interpreter's FELL_OFF, its slots' sentinel, last) */
static int op_rows_ready;

static void emit_nothing(struct jit_ctx *c, const struct interp_slot *d)
{
    (void)c, (void)d;
}

/* An op no emitter claims (none should): it stops the run, never runs as
 * nothing. */
static void emit_unclaimed(struct jit_ctx *c, const struct interp_slot *d)
{
    (void)d;
    bpfrt_x86_mov_r32_imm(&c->hot, JIT_T1, JIT_PACK(JIT_RAISE_BAD_INSN, c->pc));
    bpfrt_jit_jump_label(c, &c->hot, -1, JIT_STUB_RAISE);
}

static const struct op_row *ops(void)
{
    if (__atomic_load_n(&op_rows_ready, __ATOMIC_ACQUIRE))
        return op_rows;
    for (unsigned op = 0; op < BPFRT_OP_COUNT; op++) {
        uint8_t kind = bpfrt_op_kind((uint16_t)op), f = 0;
        jit_emit_fn fn = kind == BPFRT_K_ALU     ? bpfrt_jit_alu_emitter((uint16_t)op)
                         : kind == BPFRT_K_JCOND ? bpfrt_jit_jcond_emitter((uint16_t)op)
                                                 : emit_kind[kind];
        if (!fn)
            fn = bpfrt_jit_mem_emitter((uint16_t)op);
        f |= TARGET_KINDS >> kind & 1 ? SCAN_TARGET | SCAN_ENTERS : 0;
        f |= op == BPFRT_OP_CALL_LOCAL ? SCAN_ENTERS : 0;
        f |= op == BPFRT_OP_CALL_LOCAL || op == BPFRT_OP_CALLX ? SCAN_LOCAL_CALL : 0;
        f |= op == BPFRT_OP_CALL_HELPER || op == BPFRT_OP_CALLX ? SCAN_TAIL_CALL : 0;
        f |= kind == BPFRT_K_MAY_GOTO ? SCAN_MAY_GOTO : 0;
        f |= kind == BPFRT_K_CALL && op != BPFRT_OP_CALL_LOCAL ? SCAN_CALLS_OUT : 0;
        __atomic_store_n(&op_rows[op].emit, fn ? fn : kind == BPFRT_K_BAD ? emit_nothing : emit_unclaimed,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&op_rows[op].scan, f, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&op_rows[INTERP_OP_FELL_OFF].emit, emit_unclaimed, __ATOMIC_RELAXED);
    __atomic_store_n(&op_rows_ready, 1, __ATOMIC_RELEASE);
    return op_rows;
}

/* The instruction names r10 (as dst or src). A src that is not a register
 * (an ld_imm64's pseudo kind, a call's kind or flag) is never 10, and
 * where it were, the answer would only zero more. */
static inline bool names_r10(const struct interp_slot *d)
{
    return (d->dst == BPF_REG_10) | (d->src == BPF_REG_10);
}

/* Some instruction names r10. Asked apart from the scan, and only where
 * the answer matters: most programs name it within their first few
 * instructions, and a test per instruction in the scan cost about a cycle
 * an instruction. */
static bool any_names_r10(const struct interp_slot *slots, uint32_t len)
{
    for (uint32_t pc = 0; pc < len; pc++)
        if (names_r10(&slots[pc]))
            return true;
    return false;
}

/* The functions (the entry and every local call's target: Linux's
 * subprograms, contiguous) and what a call to each may change, its callees
 * included: a call site saves only those of r6-r9 (callee-saved in eBPF).
 * Also whether each names r10 itself (JIT_SUB_NAMES_R10): only then can
 * its frame be read, and a call to it zero the frame on first entry.
 * Returns false when out of memory. */
static bool find_callee_writes(struct jit_ctx *c)
{
    uint8_t *start = bpfrt_jit_scratch_get(c, (size_t)c->len + 1, true);
    c->sub_of = bpfrt_jit_scratch_get(c, ((size_t)c->len + 1) * sizeof(uint32_t), false);
    if (!start || !c->sub_of)
        return false;
    const struct interp_slot *sl = c->slots; /* a local call's off: its target */
    start[0] = 1;
    for (uint32_t pc = 0; pc < c->len; pc++)
        if (sl[pc].op == BPFRT_OP_CALL_LOCAL && (uint32_t)sl[pc].off < c->len)
            start[sl[pc].off] = 1;
    uint32_t n = 0;
    for (uint32_t pc = 0; pc < c->len; pc++) {
        n += start[pc];
        c->sub_of[pc] = n - 1;
    }
    c->sub_writes = bpfrt_jit_scratch_get(c, (size_t)n * sizeof(uint16_t), true);
    if (!c->sub_writes)
        return false;
    for (uint32_t pc = 0; pc < c->len; pc++) {
        if (sl[pc].op != BPFRT_OP_BAD)
            c->sub_writes[c->sub_of[pc]] |= writes_callee_saved(&sl[pc]) |
                                            (names_r10(&sl[pc]) ? JIT_SUB_NAMES_R10 : 0);
    }
    /* and what their callees write, until nothing changes (recursion); a
     * function's own frame is its own: naming r10 does not propagate */
    for (bool changed = true; changed;) {
        changed = false;
        for (uint32_t pc = 0; pc < c->len; pc++) {
            if (sl[pc].op != BPFRT_OP_CALL_LOCAL || (uint32_t)sl[pc].off >= c->len)
                continue;
            uint16_t *w = &c->sub_writes[c->sub_of[pc]];
            uint16_t add = c->sub_writes[c->sub_of[sl[pc].off]] & (uint16_t)~JIT_SUB_NAMES_R10;
            if ((*w | add) != *w) {
                *w |= add;
                changed = true;
            }
        }
    }
    return true;
}

static int emit_all(struct jit_ctx *c)
{
    /* the stubs' labels are the first, numbered as enum jit_stub (the
     * context's labels hold at least 32) */
    _Static_assert(JIT_STUB_COUNT <= 32, "the stubs' labels fit the first records");
    bpfrt_memset(c->labels, 0, JIT_STUB_COUNT * sizeof(*c->labels));
    c->nlabels = JIT_STUB_COUNT;
    bpfrt_jit_emit_stubs(c);
    /* locals, not c's fields: those are reloaded after every emitter */
    const struct interp_slot *slots = c->slots;
    const uint8_t *flags = c->facts ? c->facts->flags : NULL;
    const struct op_row *row = ops();
    uint32_t len = c->len, at[2] = { c->hot.len, c->cold.len }, batch_end = 0;
    /* The next instruction's emitter is loaded before this one's runs: the
     * indirect call is mispredicted about once per instruction, and with
     * its target already in a register the mispredict is found as soon as
     * the call issues, not two dependent loads later (slots has a sentinel
     * at len, whose row is the table's last). */
    jit_emit_fn next = row[slots[0].op].emit;
    for (uint32_t pc = 0; pc < len && !c->err; pc++) {
        jit_emit_fn fn = next;
        next = row[slots[pc + 1].op].emit;
        if (pc >= batch_end) {
            if (!batch_room(c, at))
                break;
            at[0] = c->hot.len;
            at[1] = c->cold.len;
            batch_end = pc + BATCH;
        }
        start_insn(c, pc);
        c->pc = pc;
        /* BAD: the second half of an ld_imm64; an instruction the verifier
         * found no path to (its `goto -1` trap) gets no code, as Linux's
         * opt_remove_dead_code drops it */
        if (!flags || (flags[pc] & BPFRT_FACT_REACHED))
            fn(c, &slots[pc]);
    }
    if (!c->err && batch_room(c, at)) {
        start_insn(c, len);
        c->pc = len;
        bpfrt_jit_emit_fell_off(c);
    }
    return c->err;
}

/* True when the CPU has BMI2 (shlx/shrx/sarx). Asked once per runtime:
 * cpuid traps to the hypervisor in a VM (about 25 us here). */
static bool cpu_has_bmi2(struct bpfrt_runtime *rt)
{
    int8_t known = __atomic_load_n(&rt->jit_bmi2, __ATOMIC_RELAXED);
    if (known >= 0)
        return known;
    bool has = false;
#if defined(__x86_64__)
    uint32_t max, b, cx, d;
    __asm__ volatile("cpuid" : "=a"(max), "=b"(b), "=c"(cx), "=d"(d) : "a"(0), "c"(0));
    if (max >= 7) {
        uint32_t a = 7;
        cx = 0; /* leaf 7, subleaf 0: EBX bit 8 is BMI2 */
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(cx), "=d"(d));
        has = (b >> 8) & 1;
    }
#endif
    __atomic_store_n(&rt->jit_bmi2, (int8_t)has, __ATOMIC_RELAXED);
    return has;
}

/* Clears the context but its scratch bookkeeping, 16 bytes a store: gcc
 * makes a memset of this size a `rep stos`, whose start-up (tens of
 * cycles) is most of the clearing. */
static void zero_head(struct jit_ctx *c)
{
    typedef uint64_t v2 __attribute__((vector_size(16)));
    enum { N = __builtin_offsetof(struct jit_ctx, scratch) / 16 };
    v2 *p = (v2 *)(void *)c;
#pragma GCC unroll 32
    for (unsigned i = 0; i < N; i++)
        p[i] = (v2){ 0, 0 };
    bpfrt_memset((uint8_t *)c + 16 * N, 0, __builtin_offsetof(struct jit_ctx, scratch) % 16);
}

static uint64_t now_ns(const struct bpfrt_platform *plat)
{
    return plat->ktime_ns ? plat->ktime_ns(plat->ctx) : 0;
}

int bpfrt_jit_compile(struct bpfrt_prog *prog, struct jit_prog *jp, char *msg, size_t msg_size)
{
    struct bpfrt_runtime *rt = prog->rt;
    const struct bpfrt_platform *plat = rt->plat;
    uint64_t t_start = now_ns(plat);
    uint32_t len = prog->len;
    struct jit_ctx c;
    zero_head(&c);
    c.loop.back = UINT32_MAX;
    c.prog = prog;
    c.jp = jp;
    c.len = len;
    c.mode = jp->mode;
    c.bmi2 = cpu_has_bmi2(rt);
    c.facts = jp->mode == JIT_VERIFIED ? prog->facts : NULL;
    bpfrt_jit_scratch_begin(&c);
    uint32_t *keys = jp->blind ? bpfrt_jit_scratch_get(&c, (size_t)len * sizeof(*keys), false) : NULL;
    c.addr = jp->insn_off; /* (kept with the program) */
    c.insn_start = bpfrt_jit_scratch_get(&c, ((size_t)len + 1) * sizeof(*c.insn_start), false);
    c.marks = bpfrt_jit_scratch_get(&c, (size_t)len + 2, true);
    uint32_t *enters = bpfrt_jit_scratch_get(&c, ((size_t)len + 1) * sizeof(uint32_t), false);
    bool checked = jp->mode == JIT_CHECKED; /* typical code sizes; grow() adds */
    c.cap[0] = len * (checked ? 24 : 12) + BATCH_ROOM + 2 * MAX_INSN_CODE;
    c.cap[1] = len * (checked ? 12 : 2) + BATCH_ROOM + 2 * MAX_INSN_CODE;
    c.hot.code = bpfrt_jit_scratch_get(&c, c.cap[0], false);
    c.cold.code = bpfrt_jit_scratch_get(&c, c.cap[1], false);
    c.hot.cap = c.cap[0];
    c.cold.cap = c.cap[1];
    /* the records at sizes that usually suffice (they grow by doubling):
     * no grow on a small program's first records; a large one's grow as
     * they fill (an estimate could overshoot by megabytes), except the hot
     * stream's sized ones, one per jump (counted below) and a few more */
    uint32_t est = len < 4096 ? len : 4096;
    c.cap_labels = (checked ? 2 * est : est / 2) + 32;
    c.cap_adj[1] = c.cap_fix[0] = (checked ? est : 0) + 32;
    c.cap_fix[1] = (checked ? est / 2 : 0) + 32;
    c.labels = bpfrt_jit_scratch_get(&c, c.cap_labels * sizeof(*c.labels), false);
    c.adj[1] = bpfrt_jit_scratch_get(&c, c.cap_adj[1] * sizeof(struct jit_fix), false);
    for (int st = 0; st < 2; st++)
        c.fix[st] = bpfrt_jit_scratch_get(&c, c.cap_fix[st] * sizeof(struct jit_fix), false);
    int err = -BPFRT_ENOMEM;
    if ((jp->blind && !keys) || !c.addr || !c.insn_start || !c.marks || !enters || !c.hot.code ||
        !c.cold.code || !c.labels || !c.adj[1] || !c.fix[0] || !c.fix[1])
        goto out;

    /* What the emission needs to know beforehand: the stubs a program
     * needs, the loop heads (targets of backward jumps), what is entered
     * other than by falling through; and what the run needs (below).
     * Without branches, and without skipping an ld_imm64's second half (a
     * BAD slot, registers 0): the next pc would then wait for two loads.
     * The instructions that enter their target (jumps, local calls) are
     * listed first and marked after: marking as it goes, every instruction
     * would read and write the marks (a branch on jumps in random order
     * mispredicts), each such store waiting for the one before. */
    const struct interp_slot *slots = c.slots = jp->vm->slots;
    const struct op_row *row = ops();
    uint32_t seen = 0, nenter = 0;
    for (uint32_t pc = 0; pc < len; pc++) {
        uint8_t f = row[slots[pc].op].scan;
        seen |= f;
        enters[nenter] = pc;
        nenter += (f & SCAN_ENTERS) != 0;
    }
    /* (grown as the emission fills them, the records of a program with
     * thousands of jumps were copied several times: a fifth of a jump's
     * emission) */
    c.enters = enters;
    c.nenter = nenter;
    c.cap_adj[0] = nenter + (checked ? est : est / 2) + 32;
    c.adj[0] = bpfrt_jit_scratch_get(&c, c.cap_adj[0] * sizeof(struct jit_fix), false);
    if (!c.adj[0])
        goto out;
    for (uint32_t i = 0; i < nenter; i++) {
        uint32_t pc = enters[i], t = (uint32_t)slots[pc].off; /* its target, absolute */
        uint8_t f = row[slots[pc].op].scan;
        c.marks[t] |= (uint8_t)(JIT_MARK_ENTRY | JIT_MARK_LOOP * (((f & SCAN_TARGET) != 0) & (t <= pc)));
    }
    for (uint32_t i = 0; i < jp->vm->nr_funcs; i++) /* callbacks' entries */
        if (jp->vm->funcs[i] < len)
            c.marks[jp->vm->funcs[i]] |= JIT_MARK_ENTRY;
    bool local_calls = seen & SCAN_LOCAL_CALL, tail_calls = seen & SCAN_TAIL_CALL;
    for (uint32_t pc = 0; keys && pc < len; pc++) {
        keys[pc] = plat->random_u32 ? plat->random_u32(plat->ctx) : 0x9e3779b9u * (pc + 1);
        pc += slots[pc].op == BPFRT_OP_LDDW; /* its second half needs none */
    }
    c.has_local_calls = local_calls;
    c.may_tail_call = tail_calls;
    c.has_may_goto = seen & SCAN_MAY_GOTO;
    c.keys = keys;

    /* The code with every jump long, then the layout with the shortest. */
    err = c.has_local_calls && !find_callee_writes(&c) ? -BPFRT_ENOMEM : 0;
    bpfrt_jit_plan_frames(&c);
    /* What the run needs: whether the program calls out, which is all that
     * can reach the run's budget and its state through C, and whether it
     * can reach its entry frame's stack - not when no instruction names r10
     * and it calls nothing but its own functions (a tail call's target
     * would enter the frame). Then an unchecked run need not zero it
     * (sum32's loop; the interpreter's zeroing cannot be observed); local
     * calls' frames are zeroed on their own. Checked runs always zero it:
     * an address guessed into the stack passes their test. */
    jp->calls_out = seen & SCAN_CALLS_OUT;
    /* Unchecked calls whose depth only r10 tests need the frames' end
     * aligned (emit_call.c, local_call); so do the runs of a program that
     * may tail-call one (its target runs on the caller's stack). */
    jp->align_top = c.mode != JIT_CHECKED && ((c.frame_test && !jp->frames) || c.may_tail_call);
    if (c.mode != JIT_CHECKED && !jp->calls_out && !any_names_r10(slots, len))
        jp->entry_zero = 0;
    if (!err)
        err = emit_all(&c);
    if (!err)
        err = bpfrt_jit_relax(&c);
    if (err) {
        bpfrt_snprintf(msg, msg_size, "jit: cannot compile insn %u (%d)", c.pc, err);
        goto out;
    }
    jp->passes = c.passes;
    jp->facts = c.facts != NULL;

    /* The image: linked in the compile's memory, then copied into
     * executable memory, which is sealed read+execute (never writable and
     * executable at once). Linux's bpf_prog_pack does the same: its JIT
     * writes a read-write buffer that is then copied into the pack. */
    uint32_t size = c.image_len;
    uint8_t *rw = bpfrt_jit_scratch_get(&c, size, false);
    err = rw ? bpfrt_jit_link(&c, rw) : -BPFRT_ENOMEM;
    if (err) {
        bpfrt_snprintf(msg, msg_size, "jit: linking the image failed (%d)", err);
        goto out;
    }
    uint64_t t_exec = now_ns(plat);
    uint8_t *image = plat->exec_alloc(plat->ctx, size);
    if (!image) {
        bpfrt_snprintf(msg, msg_size, "jit: no executable memory for %u bytes", size);
        err = -BPFRT_ENOMEM;
        goto out;
    }
    bpfrt_memcpy(image, rw, size);
    err = plat->exec_seal(plat->ctx, image, size);
    if (err) {
        bpfrt_snprintf(msg, msg_size, "jit: sealing the image failed (%d)", err);
        plat->exec_free(plat->ctx, image, size);
        goto out;
    }
    /* the times: three clock reads in all (each costs tens of ns, a tenth
     * of a small program's compile) */
    uint64_t t_end = now_ns(plat);
    jp->compile_ns = t_end - t_start;
    jp->exec_mem_ns = t_end - t_exec;
    jp->image = image;
    jp->image_len = size;
    jp->entry = 0;
    jp->len = len;
    err = 0;
out:
    bpfrt_jit_scratch_end(&c);
    return err;
}
