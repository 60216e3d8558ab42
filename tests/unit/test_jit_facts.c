/* The verifier's facts (src/core/prog/facts.h) and the JIT's verified mode
 * that uses them: programs loaded through PROG_LOAD carry them; the facts
 * say what was derived by hand below (reachability after the dead-branch
 * fix-up, a needless zero-extension, the stack depth); the code the JIT
 * makes with them is smaller where they allow (no code for unreached
 * instructions, no needless zero-extension, no r1-r5 saved around a
 * helper) and computes the same results as the interpreter and as the JIT
 * without them. */
#include "test.h"
#include "bpf_test_util.h"
#include "bpfrt/jit.h"
#include "core/prog/facts.h"

#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define HELPER_get_prandom_u32 7

static uint64_t run(struct bpfrt_prog *prog, int *rc)
{
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

/* PROG_LOAD through the verifier (a socket filter) in engine `kind`. */
static struct bpfrt_prog *load(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                               enum bpfrt_engine_kind kind)
{
    union bpf_attr a;
    static char log[4096];
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = n;
    a.insns = ptr(insns);
    a.license = ptr("GPL");
    a.log_buf = ptr(log);
    a.log_size = sizeof(log);
    a.log_level = 1;
    a.prog_flags = BPFRT_PROG_F_ENGINE(kind);
    long h = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(h >= 0);
    if (h < 0) {
        fprintf(stderr, "load failed (%ld):\n%s\n", h, log);
        return NULL;
    }
    struct bpfrt_prog *p = bpfrt_prog_from_handle(rt, (int)h);
    bpfrt_prog_get(p);
    bpfrt_close(rt, (int)h);
    return p;
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
    /* after a helper r1-r5 are dead: none saved (the JIT's own bounded
     * scan cannot tell past the loop and saves them all) */
    { "helper",
      { MOV64_IMM(1, 4), CALL(HELPER_get_prandom_u32), MOV64_IMM(0, 0), ALU64_IMM(BPF_ADD, 0, 1),
        JMP_IMM(BPF_JLT, 0, 10, -2), EXIT() }, 6, 10, { -1, -1 }, -1, -1, 0, true },
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
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
