/* The JIT's run bracket (src/core/jit/jit_runtime.c, the entry stub of
 * jit_stubs.c, bpfrt_prog_run): what a run starts with whatever the host
 * left in its registers and on its stack - r0 and r6-r9 zero, r1 and r2 the
 * arguments, r3-r5 zero, the entry frame's stack zeroed wherever a program
 * can reach it (the interpreter's results, on a stack left dirty before
 * each run), also for a tail call's target and in local calls of a
 * program that calls nothing else. Expected values are derived
 * by hand; the interpreter runs every program too. */
#include "test.h"
#include "bpf_test_util.h"
#include "bpfrt/jit.h"
#include "core/jit/jit.h"

#define OR64_REG(d, s) ALU64_REG(BPF_OR, d, s)

/* Leaves non-zero bytes where the next run's stack will be, so a frame
 * not zeroed shows. */
static __attribute__((noinline)) void dirty_stack(void)
{
    volatile uint8_t junk[16384];
    memset((void *)junk, 0xa5, sizeof(junk));
    __asm__ volatile("" : : "r"(junk) : "memory");
}

static uint8_t ctx[64];

/* One run with r1 = ctx (plain memory), r2 = `r2`. */
static uint64_t run_prog(struct bpfrt_prog *prog, uint64_t r2, int *rc)
{
    dirty_stack();
    struct bpfrt_run r;
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.ctx_size = sizeof(ctx);
    uint64_t r0 = 0;
    bpfrt_run_begin(&r, prog);
    *rc = bpfrt_prog_run(prog, &r, ptr(ctx), r2, &r0);
    bpfrt_run_end(&r);
    return r0;
}

/* PROG_LOAD, unverified, as a kprobe (its context has no pointer fields,
 * so trusted mode keeps it trusted); the handle. */
static long load_unverified(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                            enum bpfrt_engine_kind kind)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_KPROBE;
    a.insn_cnt = n;
    a.insns = ptr(insns);
    a.license = ptr("GPL");
    a.prog_flags = BPFRT_PROG_F_ENGINE(kind) | BPFRT_PROG_F_NO_VERIFY;
    char log[512] = "";
    a.log_buf = ptr(log);
    a.log_size = sizeof(log);
    a.log_level = 1;
    long h = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(h >= 0);
    if (h < 0)
        fprintf(stderr, "load failed (%ld): %s\n", h, log);
    return h;
}

static struct bpfrt_prog *prog_of(struct bpfrt_runtime *rt, long h)
{
    return h >= 0 ? bpfrt_prog_from_handle(rt, (int)h) : NULL;
}

static const char *mode_of(const struct bpfrt_prog *p)
{
    struct bpfrt_jit_stats st;
    return p && bpfrt_jit_get_stats(p, &st) ? st.mode : "none";
}

/* Loads insns unverified for engine `kind` and runs it `runs` times, on a
 * stack left dirty before each, expecting r0 and rc; the handle (the
 * caller closes it), *out the program or NULL when it did not load. */
static long load_and_run(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                         enum bpfrt_engine_kind kind, uint64_t r0, int rc, int runs, struct bpfrt_prog **out)
{
    long h = load_unverified(rt, insns, n, kind);
    *out = prog_of(rt, h);
    for (int k = 0; *out && k < runs; k++) {
        int got;
        CHECK_EQ(run_prog(*out, 0, &got), r0);
        CHECK_EQ(got, rc);
    }
    return h;
}

/* The JIT's state of a JIT-compiled program. */
static const struct jit_prog *jit_of(const struct bpfrt_prog *p)
{
    return p->engine_state;
}

static const enum bpfrt_engine_kind engines[] = { BPFRT_ENGINE_INTERP, BPFRT_ENGINE_JIT, BPFRT_ENGINE_JIT_TRUSTED };
static const char *const engine_names[] = { "interpreter", "checked", "trusted" };

/* Every register a program may read at entry: r1 = ctx, r2 = the argument,
 * the others 0 (the entry stub no longer loads r0 and r6-r9, it clears
 * them; the host's callee-saved registers must not show through). */
static void test_entry_registers(struct bpfrt_runtime *rt)
{
    const struct bpf_insn insns[] = {
        OR64_REG(0, 3), OR64_REG(0, 4), OR64_REG(0, 5), OR64_REG(0, 6), OR64_REG(0, 7),
        OR64_REG(0, 8), OR64_REG(0, 9), OR64_REG(0, 2), EXIT(),
    };
    for (unsigned e = 0; e < NR(engines); e++) {
        test_current = engine_names[e];
        long h = load_unverified(rt, insns, NR(insns), engines[e]);
        struct bpfrt_prog *p = prog_of(rt, h);
        if (!p)
            continue;
        CHECK_STR(mode_of(p), e == 0 ? "none" : engine_names[e]);
        for (uint64_t arg = 0; arg < 3; arg++) {
            int rc;
            uint64_t want = arg * 0x1234567890ull;
            CHECK_EQ(run_prog(p, want, &rc), want);
            CHECK_EQ(rc, 0);
        }
        bpfrt_close(rt, (int)h);
    }
}

/* The entry frame is zeroed unless nothing can reach it: a program that
 * names r10 nowhere and calls nothing (its trusted and verified runs skip
 * the 512-byte memset); checked runs always zero it. */
static void test_entry_zeroing(struct bpfrt_runtime *rt)
{
    static const struct bpf_insn reads_fp[] = { LDX(BPF_DW, 0, 10, -8), ALU64_IMM(BPF_ADD, 0, 3), EXIT() };
    static const struct bpf_insn copies_fp[] = { MOV64_REG(1, 10), LDX(BPF_DW, 0, 1, -512), ALU64_IMM(BPF_ADD, 0, 3),
                                                 EXIT() };
    static const struct bpf_insn stores_fp[] = { ST(BPF_W, 10, -4, 1), LDX(BPF_DW, 0, 10, -8), EXIT() };
    static const struct bpf_insn no_fp[] = { LDX(BPF_W, 0, 1, 0), ALU64_IMM(BPF_ADD, 0, 3), EXIT() };
    static const struct bpf_insn calls[] = { CALL(HELPER_ktime_get_ns), MOV64_IMM(0, 3), EXIT() };
    static const struct {
        const char *name;
        const struct bpf_insn *insns;
        uint32_t n;
        uint64_t r0;         /* the interpreter's: zeros below r10 */
        bool trusted_zeroes; /* entry_zero of its trusted compile */
    } cases[] = {
        { "reads r10 - 8", reads_fp, NR(reads_fp), 3, true },
        { "reads through a copy of r10", copies_fp, NR(copies_fp), 3, true },
        { "stores below r10, reads the rest", stores_fp, NR(stores_fp), 1ull << 32, true },
        { "never names r10", no_fp, NR(no_fp), 3, false },
        { "calls a helper", calls, NR(calls), 3, true },
    };
    memset(ctx, 0, sizeof(ctx));
    for (unsigned i = 0; i < NR(cases); i++) {
        for (unsigned e = 0; e < NR(engines); e++) {
            char name[96];
            snprintf(name, sizeof(name), "%s (%s)", cases[i].name, engine_names[e]);
            test_current = name;
            struct bpfrt_prog *p;
            long h = load_and_run(rt, cases[i].insns, cases[i].n, engines[e], cases[i].r0, 0, 1, &p);
            if (!p)
                continue;
            const struct jit_prog *jp = e ? jit_of(p) : NULL;
            if (jp) {
                CHECK_EQ(jp->entry_zero, e == 2 && !cases[i].trusted_zeroes ? 0u : (uint32_t)BPFRT_STACK_SIZE);
                CHECK_EQ(jp->calls_out, cases[i].insns == calls);
            }
            bpfrt_close(rt, (int)h);
        }
    }
}

#define CALL_LOCAL(rel) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)

/* Trusted code that calls nothing but its own functions runs without the
 * budget and the state C would need (jit_runtime.c's lean run): its calls
 * still zero their frames (here through r10) and still stop at nine
 * frames, with the interpreter's error. */
static void test_local_calls_only(struct bpfrt_runtime *rt)
{
    static const struct bpf_insn frames[] = {
        CALL_LOCAL(1), EXIT(),
        LDX(BPF_DW, 0, 10, -8), ALU64_IMM(BPF_ADD, 0, 5), EXIT(), /* f: its frame's zeros + 5 */
    };
    static const struct bpf_insn endless[] = { CALL_LOCAL(1), EXIT(), CALL_LOCAL(-1), EXIT() };
    for (unsigned e = 0; e < NR(engines); e++) {
        test_current = engine_names[e];
        struct bpfrt_prog *p;
        long h = load_and_run(rt, frames, NR(frames), engines[e], 5, 0, 1, &p);
        if (p) {
            if (e)
                CHECK(!jit_of(p)->calls_out);
            bpfrt_close(rt, (int)h);
        }
        h = load_and_run(rt, endless, NR(endless), engines[e], 0, -BPFRT_E2BIG, 1, &p);
        if (p) {
            if (e == 2)
                CHECK_EQ(jit_of(p)->entry_zero, 0u);
            bpfrt_close(rt, (int)h);
        }
    }
}

/* A trusted caller that never names r10 tail-calls a target that reads the
 * frame it enters: zeros, as in the interpreter - from the entry frame (the
 * caller's helper call keeps its zeroing) and from a function that never
 * names r10 (whose call leaves the frame as it was: the tail call zeroes
 * it). (Its targets share its engine, the prog array's owner's, so they are
 * trusted or verified: bpfrt_prog_run skipping the regions of a trusted run
 * never leaves a checked run without them.) */
static void test_tail_call_zeroing(struct bpfrt_runtime *rt)
{
    static const struct bpf_insn target[] = { LDX(BPF_DW, 0, 10, -16), ALU64_IMM(BPF_ADD, 0, 2), EXIT() };
    long th = load_unverified(rt, target, NR(target), BPFRT_ENGINE_JIT_TRUSTED);
    long mh = th >= 0 ? prog_array_of(rt, th) : -1;
    CHECK(mh >= 0);
    if (mh < 0)
        return;
    CHECK_STR(mode_of(prog_of(rt, th)), "trusted");
    for (unsigned from_function = 0; from_function < 2; from_function++) {
        test_current = from_function ? "tail call from a function that never names r10"
                                     : "trusted tail-call target reading its frame";
        const struct bpf_insn caller[] = { CALL_LOCAL(1), EXIT(), LD_MAP_FD(2, (int32_t)mh), MOV64_IMM(3, 0),
                                           CALL(HELPER_tail_call), MOV64_IMM(0, 1), EXIT() };
        unsigned skip = from_function ? 0 : 2; /* the entry frame: no call into a function first */
        struct bpfrt_prog *p;
        long ch = load_and_run(rt, caller + skip, NR(caller) - skip, BPFRT_ENGINE_JIT_TRUSTED, 2, 0, 2, &p);
        if (!p)
            continue;
        CHECK_STR(mode_of(p), "trusted");
        CHECK(jit_of(p)->align_top); /* its target may test r10's low bits */
        bpfrt_close(rt, (int)ch);
    }
    bpfrt_close(rt, (int)mh);
    bpfrt_close(rt, (int)th);
}

/* f(n) = n == 0 ? 0 : f(n - 1) + 1, called from main with r1 = n: f never
 * names r10, so a trusted call to it tests only the depth, on r10's low
 * bits (the frames' end aligned: jp->align_top). */
#define RECURSE_PROG(n)                                                                          \
    MOV64_IMM(1, n), CALL_LOCAL(1), EXIT(), JMP_IMM(BPF_JNE, 1, 0, 2), MOV64_IMM(0, 0), EXIT(), \
        ALU64_IMM(BPF_SUB, 1, 1), CALL_LOCAL(-5), ALU64_IMM(BPF_ADD, 0, 1), EXIT()

/* Calls to functions that never read their frame: the depth still stops at
 * nine frames with the interpreter's error, and a deeper function that
 * reads its frame still finds it zeroed (test_tail_call_zeroing: a tail
 * call's target such a function brings into its frame). */
static void test_frames_not_read(struct bpfrt_runtime *rt)
{
    static const struct bpf_insn eight[] = { RECURSE_PROG(6) };
    static const struct bpf_insn nine[] = { RECURSE_PROG(7) };
    static const struct bpf_insn deep_read[] = {
        CALL_LOCAL(1), EXIT(),
        CALL_LOCAL(1), EXIT(),                                    /* f1 */
        CALL_LOCAL(1), EXIT(),                                    /* f2 */
        LDX(BPF_DW, 0, 10, -504), ALU64_IMM(BPF_ADD, 0, 5), EXIT(), /* g: its frame's zeros + 5 */
    };
    for (unsigned e = 0; e < NR(engines); e++) {
        char name[64];
        snprintf(name, sizeof(name), "frames not read (%s)", engine_names[e]);
        test_current = name;
        struct bpfrt_prog *p;
        long h = load_and_run(rt, eight, NR(eight), engines[e], 6, 0, 1, &p);
        if (p) {
            if (e == 2)
                CHECK(jit_of(p)->align_top);
            bpfrt_close(rt, (int)h);
        }
        h = load_unverified(rt, nine, NR(nine), engines[e]);
        if ((p = prog_of(rt, h))) {
            struct bpfrt_run r;
            memset(&r, 0, sizeof(r));
            uint64_t r0 = 1;
            bpfrt_run_begin(&r, p);
            CHECK_EQ(bpfrt_prog_run(p, &r, ptr(ctx), 0, &r0), -BPFRT_E2BIG);
            CHECK_EQ(r.error, BPFRT_RUN_CALL_DEPTH);
            CHECK_EQ(r.error_insn, 7);
            CHECK_STR(r.error_msg, "the call stack of 9 frames is too deep at insn 7 (at most 8)");
            bpfrt_run_end(&r);
            bpfrt_close(rt, (int)h);
        }
        h = load_and_run(rt, deep_read, NR(deep_read), engines[e], 5, 0, 2, &p);
        if (p)
            bpfrt_close(rt, (int)h);
    }
}

int main(void)
{
    struct bpfrt_runtime *rt = new_rt();
    if (!bpfrt_engine_find(rt, BPFRT_ENGINE_JIT)) {
        bpfrt_runtime_destroy(rt);
        TEST_SKIP("no JIT in this build");
    }
    test_entry_registers(rt);
    test_entry_zeroing(rt);
    test_tail_call_zeroing(rt);
    test_local_calls_only(rt);
    test_frames_not_read(rt);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
