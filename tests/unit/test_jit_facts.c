/* The verifier's facts (src/core/prog/facts.h) and the JIT's verified mode
 * that uses them: programs loaded through PROG_LOAD carry them; the facts
 * say what was derived by hand below (reachability after the dead-branch
 * fix-up, a needless zero-extension, the stack depth); the code the JIT
 * makes with them is smaller where they allow (no code for unreached
 * instructions, no needless zero-extension, no r1-r5 saved around a
 * helper) and computes the same results as the interpreter and as the JIT
 * without them. Programs with bpf-to-bpf calls: the frames their calls
 * reach (no call tests its depth), each callee frame zeroed only as deep
 * as its functions read (stale bytes of an earlier call and zeros where
 * nothing was written, as in the interpreter), a tail call from a
 * subprogram into a program whose calls would go past the eighth frame,
 * and the frames a tail-call target's calls entered. */
#include "test.h"
#include "bpf_test_util.h"
#include "bpfrt/btf.h"
#include "bpfrt/jit.h"
#include "core/jit/jit.h"
#include "core/prog/facts.h"

#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define HELPER_get_prandom_u32 7

/* Leaves non-zero bytes where the next run's stack will be, so a frame
 * not zeroed shows. */
static __attribute__((noinline)) void dirty_stack(void)
{
    volatile uint8_t junk[16384];
    memset((void *)junk, 0xa5, sizeof(junk));
    __asm__ volatile("" : : "r"(junk) : "memory");
}

static uint64_t run(struct bpfrt_prog *prog, int *rc)
{
    dirty_stack();
    struct bpfrt_run r;
    uint8_t skb[256] = { 0 };
    memset(&r, 0, sizeof(r));
    r.ctx = skb;
    r.ctx_size = sizeof(skb);
    uint64_t r0 = 0;
    bpfrt_run_begin(&r, prog);
    *rc = bpfrt_prog_run(prog, &r, ptr(skb), 0, &r0);
    bpfrt_run_end(&r);
    return r0;
}

/* PROG_LOAD through the verifier (a socket filter) in engine `kind`; the
 * handle, or the error with the verifier's log in `vlog`. */
static char vlog[8192];
static long load_handle_btf(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                            enum bpfrt_engine_kind kind, long btf, const struct bpf_func_info *fi, uint32_t nfi)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = n;
    a.insns = ptr(insns);
    a.license = ptr("GPL");
    a.log_buf = ptr(vlog);
    a.log_size = sizeof(vlog);
    a.log_level = 1;
    a.prog_flags = BPFRT_PROG_F_ENGINE(kind);
    if (fi) {
        a.prog_btf_fd = (uint32_t)btf;
        a.func_info = ptr(fi);
        a.func_info_cnt = nfi;
        a.func_info_rec_size = sizeof(*fi);
    }
    vlog[0] = 0;
    return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static long load_handle(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                        enum bpfrt_engine_kind kind)
{
    return load_handle_btf(rt, insns, n, kind, -1, NULL, 0);
}

/* The program a load returned handle h for (h < 0: the load failed, NULL),
 * with a reference of its own; the handle is closed. */
static struct bpfrt_prog *take_prog(struct bpfrt_runtime *rt, long h)
{
    CHECK(h >= 0);
    if (h < 0)
        return NULL;
    struct bpfrt_prog *p = bpfrt_prog_from_handle(rt, (int)h);
    bpfrt_prog_get(p);
    bpfrt_close(rt, (int)h);
    return p;
}

static struct bpfrt_prog *load(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                               enum bpfrt_engine_kind kind)
{
    long h = load_handle(rt, insns, n, kind);
    if (h < 0)
        fprintf(stderr, "load failed (%ld):\n%s\n", h, vlog);
    return take_prog(rt, h);
}

/* The image length of p compiled in verified mode without its facts. */
static uint32_t image_without_facts(struct bpfrt_prog *p, uint64_t *r0)
{
    struct bpfrt_prog_facts *f = p->facts;
    struct bpfrt_jit_stats st;
    char msg[256];
    p->facts = NULL;
    CHECK_EQ(bpfrt_prog_use_jit(p, BPFRT_ENGINE_JIT, NULL, msg, sizeof(msg)), 0);
    CHECK(bpfrt_jit_get_stats(p, &st) && !st.facts && strcmp(st.mode, "verified") == 0);
    int rc;
    *r0 = run(p, &rc);
    CHECK_EQ(rc, 0);
    p->facts = f;
    CHECK_EQ(bpfrt_prog_use_jit(p, BPFRT_ENGINE_JIT, NULL, msg, sizeof(msg)), 0);
    return st.image_len;
}

struct facts_case {
    const char *name;
    struct bpf_insn insns[12];
    uint32_t n;
    uint64_t r0;                 /* hand-derived */
    int unreached[2];            /* instructions the verifier finds no path to (-1: none) */
    int zext_needless;           /* the instruction whose zero-extension is needless, or -1 */
    int zext_needed;             /* one whose zero-extension is needed, or -1 */
    uint32_t stack_depth;
    bool smaller;                /* the facts save code */
};

static const struct facts_case cases[] = {
    /* w0 += 0 must clear r0's upper half: r0 is read by exit */
    { "zext needed", { LD_IMM64_SRC(0, 0, 5, 1), ALU32_IMM(BPF_ADD, 0, 0), EXIT() }, 4, 5, { -1, -1 }, -1, 2, 0,
      false },
    /* w2 &= -1 is only a zero-extension, and r2 is dead after it */
    { "zext needless",
      { LD_IMM64_SRC(2, 0, -1, -1), ALU32_IMM(BPF_AND, 2, -1), MOV64_IMM(0, 3), EXIT() }, 5, 3, { -1, -1 }, 2, -1,
      0, true },
    /* r0 == 1 always: the fall-through (insns 2-3) is dead */
    { "dead branch",
      { MOV64_IMM(0, 1), JMP_IMM(BPF_JEQ, 0, 1, 2), MOV64_IMM(0, 2), ALU64_IMM(BPF_ADD, 0, 5), EXIT() }, 5, 1,
      { 2, 3 }, -1, -1, 0, true },
    /* after a helper r1-r5 are dead: none saved (without the facts, the
     * JIT clears them: test_args_after_call) */
    { "helper",
      { MOV64_IMM(1, 4), CALL(HELPER_get_prandom_u32), MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, 1),
        JMP_IMM(BPF_JLT, 0, 10, -2), EXIT() }, 6, 10, { -1, -1 }, -1, -1, 0, false },
    /* the entry frame's stack depth: one 8-byte slot */
    { "stack",
      { MOV64_IMM(1, 77), STX(BPF_DW, 10, 1, -8), LDX(BPF_DW, 0, 10, -8), EXIT() }, 4, 77, { -1, -1 }, -1, -1, 8,
      false },
};

static void test_case(struct bpfrt_runtime *rt, const struct facts_case *tc)
{
    test_current = tc->name;
    struct bpfrt_prog *jit = load(rt, tc->insns, tc->n, BPFRT_ENGINE_JIT);
    struct bpfrt_prog *interp = load(rt, tc->insns, tc->n, BPFRT_ENGINE_INTERP);
    if (!jit || !interp)
        goto out;
    const struct bpfrt_prog_facts *f = jit->facts;
    CHECK(f && f->len == tc->n);
    if (!f)
        goto out;
    for (uint32_t i = 0; i < tc->n; i++) {
        bool unreached = (int)i == tc->unreached[0] || (int)i == tc->unreached[1];
        bool second_half = i > 0 && tc->insns[i - 1].code == (BPF_LD | BPF_DW | BPF_IMM);
        if (!second_half)
            CHECK_EQ(!(f->flags[i] & BPFRT_FACT_REACHED), unreached);
    }
    if (tc->zext_needless >= 0)
        CHECK(f->flags[tc->zext_needless] & BPFRT_FACT_ZEXT_NEEDLESS);
    if (tc->zext_needed >= 0)
        CHECK(!(f->flags[tc->zext_needed] & BPFRT_FACT_ZEXT_NEEDLESS));
    CHECK_EQ(f->nr_subprogs, 1);
    CHECK_EQ(f->stack_depth[0], tc->stack_depth);
    /* after a call r1-r5 are not live */
    if (tc->insns[1].code == (BPF_JMP | BPF_CALL))
        CHECK_EQ(f->live_before[2] & 0x3e, 0);

    struct bpfrt_jit_stats st;
    CHECK(bpfrt_jit_get_stats(jit, &st) && st.facts);
    CHECK_STR(st.mode, "verified");
    int rc;
    CHECK_EQ(run(jit, &rc), tc->r0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(run(interp, &rc), tc->r0);
    CHECK_EQ(rc, 0);
    uint64_t r0 = 0;
    uint32_t without = image_without_facts(jit, &r0);
    CHECK_EQ(r0, tc->r0);
    if (tc->smaller)
        CHECK(st.image_len < without);
    else
        CHECK(st.image_len <= without);
    /* a program created through the public API has no facts */
    struct bpfrt_prog *plain = NULL;
    char msg[256];
    CHECK_EQ(bpfrt_prog_create(rt, tc->insns, tc->n, BPF_PROG_TYPE_SOCKET_FILTER, msg, sizeof(msg), &plain), 0);
    CHECK(plain && plain->facts == NULL);
    bpfrt_prog_put(plain);
out:
    bpfrt_prog_put(jit);
    bpfrt_prog_put(interp);
}

/* An unverified program with a plain context (the 256 bytes run() passes,
 * also the packet of LD_ABS) run to `want` in the interpreter and the JIT,
 * checked and trusted. */
static void runs_unverified(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n, uint64_t want)
{
    static const enum bpfrt_engine_kind kinds[] = { BPFRT_ENGINE_INTERP, BPFRT_ENGINE_JIT, BPFRT_ENGINE_JIT_TRUSTED };
    static const char *const modes[] = { NULL, "checked", "trusted" };
    for (unsigned k = 0; k < 3; k++) {
        struct bpfrt_prog *p = NULL;
        struct bpfrt_prog_create_opts o = { .prog_type = BPF_PROG_TYPE_UNSPEC, .engine = kinds[k] };
        char msg[256];
        struct bpfrt_jit_stats st;
        int rc = -1;
        CHECK_EQ(bpfrt_prog_create_opts(rt, insns, n, &o, msg, sizeof(msg), &p), 0);
        if (!p) {
            fprintf(stderr, "%s\n", msg);
            continue;
        }
        CHECK(!modes[k] || (bpfrt_jit_get_stats(p, &st) && strcmp(st.mode, modes[k]) == 0));
        CHECK_EQ(run(p, &rc), want);
        CHECK_EQ(rc, 0);
        bpfrt_prog_put(p);
    }
}

#define CALL_LOCAL(rel) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)
#define LD_ABS_B(off) INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, off)
/* r1-r5 = 1, 2, 4, 8, 16 */
#define SET_ARGS MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 4), MOV64_IMM(4, 8), MOV64_IMM(5, 16)
/* r0 |= r1 | ... | r5 */
#define OR_ARGS                                                                                          \
    ALU64_REG(BPF_OR, 0, 1), ALU64_REG(BPF_OR, 0, 2), ALU64_REG(BPF_OR, 0, 3), ALU64_REG(BPF_OR, 0, 4), \
        ALU64_REG(BPF_OR, 0, 5)

/* Without the verifier, r1-r5 read 0 after a helper call and after
 * LD_ABS/LD_IND (docs/interpreter.md), in the interpreter and the JIT
 * alike: nothing is saved around the call, nothing the C code left in the
 * argument registers shows. The values are hand-derived; each would differ
 * if the registers kept what they held (31, 0x788, 5, 31, 31). */
static void test_args_after_call(struct bpfrt_runtime *rt)
{
    test_current = "r1-r5 after a call";
    const struct bpf_insn or_after_helper[] = { SET_ARGS, CALL(HELPER_get_prandom_u32), MOV64_IMM(0, 0), OR_ARGS,
                                                EXIT() };
    runs_unverified(rt, or_after_helper, 13, 0);
    /* r2 read at a loop's head, set to 8 before the call: r8 = 7, 0x70,
     * 0x700 */
    const struct bpf_insn loop[] = {
        MOV64_IMM(2, 7), MOV64_IMM(6, 3), MOV64_IMM(8, 0),
        /* (3) */ ALU64_IMM(BPF_LSH, 8, 4), ALU64_REG(BPF_OR, 8, 2), MOV64_IMM(1, 0), MOV64_IMM(2, 8),
        MOV64_IMM(3, 0), MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL(HELPER_get_prandom_u32), ALU64_IMM(BPF_SUB, 6, 1),
        JMP_IMM(BPF_JNE, 6, 0, -10), MOV64_REG(0, 8), EXIT(),
    };
    runs_unverified(rt, loop, sizeof(loop) / sizeof(loop[0]), 0x700);
    /* read past a ja */
    const struct bpf_insn ja[] = { MOV64_IMM(3, 5), CALL(HELPER_get_prandom_u32), INSN(BPF_JMP | BPF_JA, 0, 0, 1, 0),
                                   MOV64_IMM(0, 9), MOV64_REG(0, 3), EXIT() };
    runs_unverified(rt, ja, 6, 0);
    /* LD_ABS in bounds (the context's byte 0: 0) */
    const struct bpf_insn ld_abs[] = { SET_ARGS, LD_ABS_B(0), OR_ARGS, EXIT() };
    runs_unverified(rt, ld_abs, 12, 0);
    /* out of bounds in a function: its frame returns 0, and its caller
     * finds r1-r5 0 */
    const struct bpf_insn ld_abs_out[] = { SET_ARGS, CALL_LOCAL(6), OR_ARGS, EXIT(),
                                           /* (12) */ LD_ABS_B(100000), MOV64_IMM(0, 1), EXIT() };
    runs_unverified(rt, ld_abs_out, 15, 0);
}

/* Loaded unverified, a program carries no facts and compiles checked. */
static void test_unverified(struct bpfrt_runtime *rt)
{
    test_current = "unverified";
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = cases[0].n;
    a.insns = ptr(cases[0].insns);
    a.license = ptr("GPL");
    a.prog_flags = BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT) | BPFRT_PROG_F_NO_VERIFY;
    long h = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(h >= 0);
    struct bpfrt_prog *p = h >= 0 ? bpfrt_prog_from_handle(rt, (int)h) : NULL;
    struct bpfrt_jit_stats st;
    CHECK(p && !p->facts && bpfrt_jit_get_stats(p, &st) && !st.facts && strcmp(st.mode, "checked") == 0);
    if (h >= 0)
        bpfrt_close(rt, (int)h);
}


/* ---- bpf-to-bpf calls: frames, their zeroing, no depth test ---- */


static const struct jit_prog *jit_of(const struct bpfrt_prog *p)
{
    return p->engine_state;
}

struct calls_case {
    const char *name;
    struct bpf_insn insns[32];
    uint32_t n;
    uint64_t r0;             /* hand-derived */
    uint32_t frames;         /* the most frames its calls reach */
    uint32_t frame_zero;     /* bytes of each callee frame zeroed: the deepest callee's stack */
    bool upfront;            /* (frames - 1) * frame_zero <= 1024: zeroed when the run starts */
};

static const struct calls_case call_cases[] = {
    /* A and B both run in frame 1: B reads A's stale -8 (0x1234) and -16,
     * which nothing wrote (0: the frame's first entry zeroed it); B's 16
     * bytes are what each callee frame needs zeroed, not A's 8 */
    { "frame reuse",
      { CALL_LOCAL(2), CALL_LOCAL(4), EXIT(),
        /* A (3) */ ST(BPF_DW, 10, -8, 0x1234), MOV64_IMM(0, 0), EXIT(),
        /* B (6) */ LDX(BPF_DW, 0, 10, -8), LDX(BPF_DW, 1, 10, -16), ALU64_REG(BPF_ADD, 0, 1), EXIT() },
      10, 0x1234, 2, 16, true },
    /* main -> f1 -> ... -> f7: eight frames, the most the verifier allows;
     * f_k returns f_{k+1}() + k, f7 returns 7: r0 = 1 + 2 + ... + 7 = 28 */
    { "eight frames",
      { CALL_LOCAL(1), EXIT(),
        /* f1 (2) */ CALL_LOCAL(2), ALU64_IMM(BPF_ADD, 0, 1), EXIT(),
        /* f2 (5) */ CALL_LOCAL(2), ALU64_IMM(BPF_ADD, 0, 2), EXIT(),
        /* f3 (8) */ CALL_LOCAL(2), ALU64_IMM(BPF_ADD, 0, 3), EXIT(),
        /* f4 (11) */ CALL_LOCAL(2), ALU64_IMM(BPF_ADD, 0, 4), EXIT(),
        /* f5 (14) */ CALL_LOCAL(2), ALU64_IMM(BPF_ADD, 0, 5), EXIT(),
        /* f6 (17) */ CALL_LOCAL(2), ALU64_IMM(BPF_ADD, 0, 6), EXIT(),
        /* f7 (20) */ MOV64_IMM(0, 7), EXIT() },
      22, 28, 8, 0, true },
    /* D (400 bytes) and A in frame 1, A -> B -> C below: 3 x 400 bytes to
     * zero is more than a run start zeroes, so each call tests for its
     * frame's first entry. A reads D's stale -400 (7) and -8 (5); B and C
     * read bytes of frames entered first (0); C returns 11:
     * r0 = 100 + (11 + 0 + 7 + 5) = 123 */
    { "first entry",
      { CALL_LOCAL(4), MOV64_REG(6, 0), CALL_LOCAL(6), ALU64_REG(BPF_ADD, 0, 6), EXIT(),
        /* D (5) */ ST(BPF_DW, 10, -400, 7), ST(BPF_DW, 10, -8, 5), MOV64_IMM(0, 100), EXIT(),
        /* A (9) */ LDX(BPF_DW, 6, 10, -400), LDX(BPF_DW, 7, 10, -8), CALL_LOCAL(3), ALU64_REG(BPF_ADD, 0, 6),
        ALU64_REG(BPF_ADD, 0, 7), EXIT(),
        /* B (15) */ LDX(BPF_DW, 6, 10, -8), CALL_LOCAL(2), ALU64_REG(BPF_ADD, 0, 6), EXIT(),
        /* C (19) */ LDX(BPF_DW, 0, 10, -16), ALU64_IMM(BPF_ADD, 0, 11), EXIT() },
      22, 123, 4, 400, false },
};

static void test_calls_case(struct bpfrt_runtime *rt, const struct calls_case *tc)
{
    test_current = tc->name;
    struct bpfrt_prog *jit = load(rt, tc->insns, tc->n, BPFRT_ENGINE_JIT);
    struct bpfrt_prog *interp = load(rt, tc->insns, tc->n, BPFRT_ENGINE_INTERP);
    if (!jit || !interp)
        goto out;
    struct bpfrt_jit_stats st;
    CHECK(bpfrt_jit_get_stats(jit, &st) && st.facts);
    const struct jit_prog *jp = jit_of(jit);
    CHECK_EQ(jp->frames, tc->frames);
    CHECK_EQ(jp->frame_zero, tc->frame_zero);
    CHECK_EQ(jp->upfront, tc->upfront);
    int rc;
    for (int k = 0; k < 2; k++) { /* the second run finds the stack dirty again */
        CHECK_EQ(run(jit, &rc), tc->r0);
        CHECK_EQ(rc, 0);
    }
    CHECK_EQ(run(interp, &rc), tc->r0);
    CHECK_EQ(rc, 0);
    /* without the facts: every call tests its frame, frames are zeroed whole */
    uint64_t r0 = 0;
    uint32_t without = image_without_facts(jit, &r0);
    CHECK_EQ(r0, tc->r0);
    CHECK(tc->upfront ? st.image_len < without : st.image_len <= without);
out:
    bpfrt_prog_put(jit);
    bpfrt_prog_put(interp);
}

/* Nine frames: the verifier refuses the program (Linux: "the call stack of
 * 9 frames is too deep"), so a call never needs the test. */
static void test_nine_frames(struct bpfrt_runtime *rt)
{
    test_current = "nine frames";
    struct bpf_insn p[32];
    uint32_t n = 0;
    /* main and f1-f7 (at 2k): call the next; exit - f8 returns 0 */
    for (int k = 0; k < 8; k++)
        p[n++] = CALL_LOCAL(1), p[n++] = EXIT();
    p[n++] = MOV64_IMM(0, 0);
    p[n++] = EXIT();
    CHECK(load_handle(rt, p, n, BPFRT_ENGINE_JIT) < 0);
    CHECK_CONTAINS(vlog, "too deep");
}

/* BTF of n static functions f0.. `int f(void)` (a subprogram may tail-call
 * only when its BTF says it returns int); its handle. */
static long funcs_btf(struct bpfrt_runtime *rt, uint32_t n)
{
    uint32_t types[3 + 3 + 3 * 8];
    char strs[64] = "\0int";
    uint32_t nt = 0, slen = 5;
    uint32_t t[] = { 1, BTF_INFO_ENC(BTF_KIND_INT, 0, 0), 4, 1u << 24 | 32, /* [1] int */
                     0, BTF_INFO_ENC(BTF_KIND_FUNC_PROTO, 0, 0), 1 };    /* [2] int (void) */
    memcpy(types, t, sizeof(t));
    nt = NR(t);
    for (uint32_t i = 0; i < n && i < 8; i++) {
        types[nt++] = slen;
        types[nt++] = BTF_INFO_ENC(BTF_KIND_FUNC, 0, BTF_FUNC_STATIC);
        types[nt++] = 2;
        slen += (uint32_t)snprintf(strs + slen, sizeof(strs) - slen, "f%u", i) + 1;
    }
    static uint8_t blob[512];
    struct btf_header h = { BTF_MAGIC, BTF_VERSION, 0, sizeof(h), 0, nt * 4, nt * 4, slen };
    memcpy(blob, &h, sizeof(h));
    memcpy(blob + sizeof(h), types, nt * 4);
    memcpy(blob + sizeof(h) + nt * 4, strs, slen);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.btf = ptr(blob);
    a.btf_size = (uint32_t)sizeof(h) + nt * 4 + slen;
    return bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a));
}

/* A tail call replaces the frame it is made from: from a subprogram in
 * frame d into a program whose calls reach F frames, d + F may pass the
 * eighth frame, which the target's calls (verified from its own entry)
 * do not test. The JIT refuses such a tail call (run->error
 * BPFRT_RUN_CALL_DEPTH, -E2BIG); the interpreter fails the same way at the
 * call that goes too deep. Within the bound the results agree. */
static void test_tail_from_subprog(struct bpfrt_runtime *rt)
{
    test_current = "tail call from a subprogram";
    /* the target: 7 frames (main -> g1 -> ... -> g6), r0 = 6 + 40 */
    struct bpf_insn t[32];
    uint32_t n = 0;
    for (int k = 0; k < 6; k++)
        t[n++] = CALL_LOCAL(1), t[n++] = EXIT();
    /* g_k (k = 1..6) at 2k: call g_{k+1}; exit - g6 at 12 returns 46 */
    n = 12;
    t[n++] = MOV64_IMM(0, 46);
    t[n++] = EXIT();
    for (int e = 0; e < 2; e++) {
        enum bpfrt_engine_kind kind = e ? BPFRT_ENGINE_INTERP : BPFRT_ENGINE_JIT;
        long th = load_handle(rt, t, n, kind);
        CHECK(th >= 0);
        if (th < 0) {
            fprintf(stderr, "%s\n", vlog);
            return;
        }
        if (e == 0)
            CHECK_EQ(jit_of(bpfrt_prog_from_handle(rt, (int)th))->frames, 7);
        long mh = prog_array_of(rt, th);
        CHECK(mh >= 0);
        /* the caller: main -> s1 (frame 1) tail-calls; with `deep`, main ->
         * s0 -> s1 (frame 2). s1 returns 1 when the slot is empty. Linux
         * lets a subprogram tail-call when its BTF says it returns int. */
        for (int deep = 0; deep < 2; deep++) {
            struct bpf_insn c[12] = { CALL_LOCAL(1), EXIT(), /* s0 (2) */ CALL_LOCAL(1), EXIT() };
            uint32_t cn = deep ? 4 : 2;
            struct bpf_insn s1[] = { LD_MAP_FD(2, (int32_t)mh), MOV64_IMM(3, 0), CALL(HELPER_tail_call),
                                     MOV64_IMM(0, 1), EXIT() };
            CHECK(cn + NR(s1) <= NR(c));
            memcpy(c + cn, s1, sizeof(s1));
            cn += NR(s1);
            long btf = funcs_btf(rt, 3);
            CHECK(btf >= 0);
            const struct bpf_func_info fi[] = { { 0, 3 }, { 2, 4 }, { 4, 5 } }, fi1[] = { { 0, 3 }, { 2, 4 } };
            long ch = load_handle_btf(rt, c, cn, kind, btf, deep ? fi : fi1, deep ? 3 : 2);
            bpfrt_close(rt, (int)btf);
            CHECK(ch >= 0);
            if (ch < 0) {
                fprintf(stderr, "%s\n", vlog);
                continue;
            }
            struct bpfrt_prog *cp = bpfrt_prog_from_handle(rt, (int)ch);
            int rc;
            uint64_t r0 = run(cp, &rc);
            if (deep) { /* 2 + 7 frames */
                CHECK_EQ(rc, -BPFRT_E2BIG);
                CHECK_EQ(r0, 0);
            } else {
                CHECK_EQ(rc, 0);
                CHECK_EQ(r0, 46);
            }
            bpfrt_close(rt, (int)ch);
        }
        bpfrt_close(rt, (int)mh);
        bpfrt_close(rt, (int)th);
    }
}


/* The frames a tail-call target's calls enter are zeroed whole at the tail
 * call: the caller's functions run there again after the target returned
 * and see what the interpreter shows them. P: main -> s1 tail-calls T in
 * frame 1; T's t1 writes 77 at frame 2's -8 and returns 5; then main -> s2
 * -> s3, which reads frame 2's -8 (77, t1's stale bytes) -> s4 (0).
 * r0 = 5 + 77 = 82. P's calls reach 4 frames of 512 bytes (it may tail
 * call): each call tests for its frame's first entry; T's test nothing. */
static void test_tail_target_frames(struct bpfrt_runtime *rt)
{
    test_current = "frames a tail-call target entered";
    const struct bpf_insn t[] = { CALL_LOCAL(1), EXIT(), /* t1 (2) */ ST(BPF_DW, 10, -8, 77), MOV64_IMM(0, 5), EXIT() };
    for (int e = 0; e < 2; e++) {
        enum bpfrt_engine_kind kind = e ? BPFRT_ENGINE_INTERP : BPFRT_ENGINE_JIT;
        long th = load_handle(rt, t, NR(t), kind);
        CHECK(th >= 0);
        long mh = prog_array_of(rt, th);
        CHECK(mh >= 0);
        const struct bpf_insn c[] = {
            CALL_LOCAL(4), MOV64_REG(6, 0), CALL_LOCAL(8), ALU64_REG(BPF_ADD, 0, 6), EXIT(),
            /* s1 (5) */ LD_MAP_FD(2, (int32_t)mh), MOV64_IMM(3, 0), CALL(HELPER_tail_call), MOV64_IMM(0, 1), EXIT(),
            /* s2 (11) */ CALL_LOCAL(1), EXIT(),
            /* s3 (13) */ LDX(BPF_DW, 6, 10, -8), CALL_LOCAL(2), ALU64_REG(BPF_ADD, 0, 6), EXIT(),
            /* s4 (17) */ MOV64_IMM(0, 0), EXIT(),
        };
        long btf = funcs_btf(rt, 5);
        const struct bpf_func_info fi[] = { { 0, 3 }, { 5, 4 }, { 11, 5 }, { 13, 6 }, { 17, 7 } };
        long ch = load_handle_btf(rt, c, NR(c), kind, btf, fi, NR(fi));
        bpfrt_close(rt, (int)btf);
        CHECK(th >= 0 && ch >= 0);
        if (ch >= 0) {
            struct bpfrt_prog *cp = bpfrt_prog_from_handle(rt, (int)ch);
            if (e == 0) {
                CHECK_EQ(jit_of(cp)->frames, 4);
                CHECK(!jit_of(cp)->upfront);
                CHECK(jit_of(bpfrt_prog_from_handle(rt, (int)th))->upfront);
            }
            int rc;
            CHECK_EQ(run(cp, &rc), 82);
            CHECK_EQ(rc, 0);
            bpfrt_close(rt, (int)ch);
        } else {
            fprintf(stderr, "%s\n", vlog);
        }
        bpfrt_close(rt, (int)mh);
        bpfrt_close(rt, (int)th);
    }
}

int main(void)
{
    struct bpfrt_runtime *rt = new_rt();
    if (!bpfrt_engine_find(rt, BPFRT_ENGINE_JIT)) {
        bpfrt_runtime_destroy(rt);
        TEST_SKIP("no JIT in this build");
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        test_case(rt, &cases[i]);
    test_unverified(rt);
    test_args_after_call(rt);
    for (size_t i = 0; i < sizeof(call_cases) / sizeof(call_cases[0]); i++)
        test_calls_case(rt, &call_cases[i]);
    test_nine_frames(rt);
    test_tail_from_subprog(rt);
    test_tail_target_frames(rt);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
