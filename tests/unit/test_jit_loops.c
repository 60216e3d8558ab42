/* Counted loops (src/core/jit/jit_loops.c): a loop whose counter serves
 * only its exit test closes on the counter's addition. Which loops
 * qualify (counted_loops in the compiled program: a loop that reads its
 * counter, writes its bound or is entered in the middle does not), and
 * that the rewritten loop runs exactly as the interpreter runs the
 * original, counter included, where the counter starts at or past the
 * bound, wraps past 2^64, steps past the bound: hand-derived values,
 * trusted and verified mode. Then random counted loops (BPFRT_FUZZ_ITERS
 * / 2 drawn, edge values for the counter and the bound; those of at most
 * 500 passes run) and as many random bodies round the counter's addition,
 * interpreter against JIT. */
#include <signal.h>
#include <unistd.h>

#include "test.h"
#include "bpfrt/bpf.h"
#include "test_jit_util.h"
#include "test_rng.h"
#include "core/jit/jit.h"

#define ADD64_IMM(d, i) ALU64_IMM(BPF_ADD, d, i)

static uint32_t words[64];

/* The program for engine e (JT_INTERP, or JT_JIT_TRUSTED: unverified code
 * with a plain context stays trusted). */
static struct bpfrt_prog *load(const struct bpf_insn *insns, uint32_t n, enum jt_engine e)
{
    struct bpfrt_prog *p = NULL;
    char msg[256];
    CHECK_EQ(jt_create(insns, n, e, &p, msg, sizeof(msg)), 0);
    if (!p)
        fprintf(stderr, "%s\n", msg);
    return p;
}

/* r1 = words; r0, or ~0 when the run failed. A wrong limit would run a
 * trusted loop for 2^62 passes: an alarm makes that a failure, not a hang. */
static uint64_t run(struct bpfrt_prog *p)
{
    alarm(30);
    struct vt_result res = jt_run_prog(p, words, sizeof(words));
    alarm(0);
    return res.rc ? ~0ull : res.r0;
}

static uint32_t counted_loops(const struct bpfrt_prog *p)
{
    return ((const struct jit_prog *)p->engine_state)->counted_loops;
}

/* The program runs to `want` in the interpreter and in trusted mode,
 * which rewrote `rewritten` loops. */
static void expect(const char *name, const struct bpf_insn *insns, uint32_t n, uint64_t want, uint32_t rewritten)
{
    test_current = name;
    struct bpfrt_prog *interp = load(insns, n, JT_INTERP);
    struct bpfrt_prog *jit = load(insns, n, JT_JIT_TRUSTED);
    if (interp && jit) {
        struct bpfrt_jit_stats st;
        CHECK(bpfrt_jit_get_stats(jit, &st) && strcmp(st.mode, "trusted") == 0);
        CHECK_EQ(counted_loops(jit), rewritten);
        CHECK_EQ(run(interp), want);
        CHECK_EQ(run(jit), want);
    }
    bpfrt_prog_put(interp);
    bpfrt_prog_put(jit);
}

/* sum32's loop: r0 = the sum of the words r1 walks, the counter r3 from
 * `start` by `step` below the bound r2; r0 = sum << 16 | final counter. */
#define SUM_LOOP(start, step, bound)                                                                      \
    MOV64_IMM(0, 0), LD_IMM64(3, start), LD_IMM64(2, bound),                                              \
        /* (5) */ LDX(BPF_W, 4, 1, 0), ALU64_REG(BPF_ADD, 0, 4), ADD64_IMM(1, 4), ADD64_IMM(3, step), \
        JMP_REG(BPF_JLT, 3, 2, -5), ALU64_IMM(BPF_LSH, 0, 16), ALU64_REG(BPF_OR, 0, 3), EXIT()
#define SUM_LEN 13

static void test_qualifying(void)
{
    for (uint32_t i = 0; i < 64; i++)
        words[i] = i + 1;
    /* 1 + ... + 16 = 136, the counter ends at 16 */
    const struct bpf_insn sum[] = { SUM_LOOP(0, 1, 16) };
    expect("sum of 16", sum, SUM_LEN, 136 << 16 | 16, 1);
    /* at the bound already: one pass (word 1), the counter 1 */
    const struct bpf_insn at[] = { SUM_LOOP(0, 1, 0) };
    expect("at the bound", at, SUM_LEN, 1 << 16 | 1, 1);
    /* past it, wrapping: 2^64 - 1 + 2 = 1, 3, 5: three passes (1 + 2 + 3) */
    const struct bpf_insn wrap[] = { SUM_LOOP(~0ull, 2, 5) };
    expect("wraps", wrap, SUM_LEN, 6 << 16 | 5, 1);
    /* at 2^64 - 1 with bound 0: one pass, the counter wraps to 0 */
    const struct bpf_insn wrap0[] = { SUM_LOOP(~0ull, 1, 0) };
    expect("wraps to 0", wrap0, SUM_LEN, 1 << 16 | 0, 1);
    /* steps of 3 past 10: 3, 6, 9, 12 - four passes */
    const struct bpf_insn step3[] = { SUM_LOOP(0, 3, 10) };
    expect("steps past", step3, SUM_LEN, 10 << 16 | 12, 1);
    /* high values without wrapping: 2^63 + 2^62 - 3 up to 2^63 + 2^62 */
    const struct bpf_insn high[] = { SUM_LOOP(0xbffffffffffffffdull, 1, 0xc000000000000000ull) };
    expect("high", high, SUM_LEN, (6ull << 16) | 0xc000000000000000ull, 1);
    /* a constant bound: r3 from 0 below 7, r0 += 3 */
    const struct bpf_insn imm[] = { MOV64_IMM(0, 0), MOV64_IMM(3, 0), ADD64_IMM(0, 3), ADD64_IMM(3, 1),
                                    JMP_IMM(BPF_JLT, 3, 7, -3), ALU64_IMM(BPF_LSH, 0, 8), ALU64_REG(BPF_OR, 0, 3),
                                    EXIT() };
    expect("constant bound", imm, 8, 21 << 8 | 7, 1);
    /* the addition not just before the test: 2 passes, r0 = 2 * 5 */
    const struct bpf_insn apart[] = { MOV64_IMM(0, 0), MOV64_IMM(3, 0), ADD64_IMM(3, 1), ADD64_IMM(0, 5),
                                      JMP_IMM(BPF_JLT, 3, 2, -3), EXIT() };
    expect("addition apart", apart, 6, 10, 1);
}

static void test_not_qualifying(void)
{
    /* the body reads the counter: r0 += r3 (0 + 1 + ... + 9) */
    const struct bpf_insn reads[] = { MOV64_IMM(0, 0), MOV64_IMM(3, 0), ALU64_REG(BPF_ADD, 0, 3), ADD64_IMM(3, 1),
                                      JMP_IMM(BPF_JLT, 3, 10, -3), EXIT() };
    expect("reads the counter", reads, 6, 45, 0);
    /* the body writes the bound: r2 -= 1 from 10 meets r3 += 1 at 5 */
    const struct bpf_insn bound[] = { MOV64_IMM(0, 0), MOV64_IMM(3, 0), MOV64_IMM(2, 10), ADD64_IMM(0, 1),
                                      ADD64_IMM(2, -1), ADD64_IMM(3, 1), JMP_REG(BPF_JLT, 3, 2, -4), EXIT() };
    expect("writes the bound", bound, 8, 5, 0);
    /* two additions to the counter: 2 passes of += 2 and += 3 below 10 */
    const struct bpf_insn twice[] = { MOV64_IMM(0, 0), MOV64_IMM(3, 0), ADD64_IMM(3, 2), ADD64_IMM(0, 1),
                                      ADD64_IMM(3, 3), JMP_IMM(BPF_JLT, 3, 10, -4), EXIT() };
    expect("two additions", twice, 7, 2, 0);
    /* a jump to the head past r0 = 100 (r4 != 0), four passes of r0 += 1 */
    struct bpf_insn entered[] = { MOV64_IMM(0, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0), JMP_IMM(BPF_JNE, 4, 0, 1),
                                  MOV64_IMM(0, 100), ADD64_IMM(0, 1), ADD64_IMM(3, 1), JMP_IMM(BPF_JLT, 3, 4, -3),
                                  EXIT() };
    expect("entered by a jump", entered, 9, 104, 0);
    entered[2].imm = 1;
    expect("entered by a jump, taken", entered, 9, 4, 0);
    /* a 32-bit counter (w3 += 1) */
    const struct bpf_insn w32[] = { MOV64_IMM(0, 0), MOV64_IMM(3, 0), ADD64_IMM(0, 2),
                                    INSN(BPF_ALU | BPF_ADD | BPF_K, 3, 0, 0, 1), JMP_IMM(BPF_JLT, 3, 3, -3), EXIT() };
    expect("32-bit counter", w32, 6, 6, 0);
    /* the loop's head is the program's first instruction */
    const struct bpf_insn first[] = { ADD64_IMM(0, 1), ADD64_IMM(3, 1), JMP_IMM(BPF_JLT, 3, 5, -3), EXIT() };
    expect("head at the entry", first, 4, 5, 0);
}

/* Verified mode: a bounded loop the verifier walks. */
static void test_verified(void)
{
    test_current = "verified";
    const struct bpf_insn insns[] = { MOV64_IMM(0, 0), MOV64_IMM(3, 0), ADD64_IMM(0, 3), ADD64_IMM(3, 1),
                                      JMP_IMM(BPF_JLT, 3, 10, -3), EXIT() };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = 6;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.license = (uint64_t)(uintptr_t)"GPL";
    a.prog_flags = BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT);
    long h = bpfrt_bpf(vt_rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(h >= 0);
    struct bpfrt_prog *p = h >= 0 ? bpfrt_prog_from_handle(vt_rt, (int)h) : NULL;
    struct bpfrt_jit_stats st;
    if (p) {
        CHECK(bpfrt_jit_get_stats(p, &st) && strcmp(st.mode, "verified") == 0 && st.facts);
        CHECK_EQ(counted_loops(p), 1);
        CHECK_EQ(run(p), 30);
    }
    if (h >= 0)
        bpfrt_close(vt_rt, (int)h);
}

/* Counter values where wrapping and the limit's choice turn. */
static const uint64_t edges[] = { 0, 1, 2, 0x7fffffff, 0xffffffff, 0x100000000ull, 0x3fffffffffffffffull,
                                  0x4000000000000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                  0xbfffffffffffffffull, 0xfffffffffffffff0ull, 0xfffffffffffffffeull,
                                  0xffffffffffffffffull };

static uint64_t rng = 0x94d049bb133111ebull;

/* The interpreter's pass count, computed here, or 0 past `cap`. */
static uint64_t passes(uint64_t rc, uint64_t rb, uint64_t s, uint64_t cap)
{
    for (uint64_t n = 1; n <= cap; n++) {
        rc += s;
        if (!(rc < rb))
            return n;
    }
    return 0;
}

static void test_random(void)
{
    test_current = "random counted loops";
    long iters = test_fuzz_iters() / 2; /* (about half run: the others loop too long) */
    long ran = 0;
    for (long i = 0; i < iters; i++) {
        uint64_t x = test_xorshift64(&rng);
        uint64_t rc0 = x & 1 ? edges[x % 14] + (x >> 8) % 5 - 2 : x;
        uint64_t s = 1 + (x >> 20) % 8, delta = (x >> 24) % 200;
        uint64_t rb = (x >> 32) & 1 ? rc0 + delta - 20 : (x >> 33) & 1 ? edges[(x >> 34) % 14] : rc0 + delta;
        if (!passes(rc0, rb, s, 500))
            continue; /* (the trusted JIT has no budget to stop a long one) */
        bool k = (x >> 40) & 1 && (int64_t)rb == (int32_t)rb;
        /* r0 mixes the passes (r0 = r0 * 3 + r5, r5 += 7) with the final counter */
        const struct bpf_insn insns[] = {
            LD_IMM64(3, rc0), LD_IMM64(2, rb), MOV64_IMM(0, 1), MOV64_IMM(5, (int32_t)(x >> 44) & 0xff),
            /* (6) */ ALU64_IMM(BPF_MUL, 0, 3), ALU64_REG(BPF_ADD, 0, 5), ADD64_IMM(5, 7), ADD64_IMM(3, (int32_t)s),
            k ? JMP_IMM(BPF_JLT, 3, (int32_t)rb, -5) : JMP_REG(BPF_JLT, 3, 2, -5),
            ALU64_REG(BPF_XOR, 0, 3), EXIT(),
        };
        struct bpfrt_prog *interp = load(insns, 13, JT_INTERP);
        struct bpfrt_prog *jit = load(insns, 13, JT_JIT_TRUSTED);
        if (interp && jit) {
            CHECK_EQ(counted_loops(jit), 1);
            uint64_t a = run(interp), b = run(jit);
            if (a != b)
                fprintf(stderr, "rc0 %#llx rb %#llx step %llu (%s): interpreter %#llx, JIT %#llx\n",
                        (unsigned long long)rc0, (unsigned long long)rb, (unsigned long long)s, k ? "imm" : "reg",
                        (unsigned long long)a, (unsigned long long)b);
            CHECK_EQ(a, b);
            ran++;
        }
        bpfrt_prog_put(interp);
        bpfrt_prog_put(jit);
    }
    printf("random counted loops: %ld run\n", ran);
    CHECK(ran > iters / 10);
}

static void runaway(int sig)
{
    (void)sig;
    static const char m[] = "FAIL: a counted loop ran away (no result within 30 s)\n";
    ssize_t w = write(2, m, sizeof(m) - 1);
    (void)w;
    _exit(1);
}

/* A random body instruction on r0 and r2-r7 (r1 walks nothing here: the
 * words' base), the counter r3 and the bound r2 named now and then: ALU
 * of every operation, sign-extending moves, byte swaps, stack stores and
 * loads, loads from the words. */
static struct bpf_insn body_insn(uint64_t x)
{
    static const uint8_t regs[] = { 0, 4, 5, 6, 7, 0, 4, 5, 6, 7, 0, 4, 5, 6, 3, 2 };
    static const uint8_t alu[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
                                   BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH };
    uint8_t d = regs[x % 16], sr = regs[(x >> 4) % 16];
    int32_t imm = (int32_t)(x >> 32) % 1000, slot = -8 * (int32_t)(1 + (x >> 12) % 8);
    switch ((x >> 8) % 8) {
    case 0:
        return STX(BPF_DW, 10, sr, (int16_t)slot);
    case 1:
        return ST(BPF_DW, 10, (int16_t)slot, imm);
    case 2:
        return LDX(BPF_DW, d, 10, (int16_t)slot);
    case 3:
        return LDX(BPF_W, d, 1, (int16_t)(4 * ((x >> 16) % 64)));
    case 4:
        return (x >> 20) & 1 ? MOVSX64(d, sr, 8 << (x >> 21) % 3) : END_BE(d, 16 << (x >> 21) % 3);
    default: {
        uint8_t op = alu[(x >> 24) % 13];
        bool k = (x >> 28) & 1 || op == BPF_NEG, w64 = (x >> 29) & 1;
        return INSN((w64 ? BPF_ALU64 : BPF_ALU) | op | (k ? BPF_K : BPF_X), d, k ? 0 : sr, 0,
                    k && op != BPF_NEG ? imm : 0);
    }
    }
}

/* Whether the counted rewrite may apply: nothing but the addition names
 * the counter r3, nothing writes the bound r2 (named as a destination). */
static bool body_qualifies(const struct bpf_insn *body, uint32_t n, uint32_t add_at)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t cls = BPF_CLASS(body[i].code);
        bool x_src = (cls == BPF_ALU || cls == BPF_ALU64) ? BPF_SRC(body[i].code) == BPF_X : cls == BPF_STX;
        bool writes = cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX;
        if (i != add_at && ((body[i].dst_reg == 3 && cls != BPF_ST && cls != BPF_STX) ||
                            (x_src && body[i].src_reg == 3) || (cls == BPF_LDX && body[i].src_reg == 3)))
            return false;
        if (writes && body[i].dst_reg == 2)
            return false;
    }
    return true;
}

/* Random bodies around the counter's addition: where the body names the
 * counter or writes the bound the loop must stay as it is; either way the
 * JIT's result is the interpreter's (a run the interpreter's budget stops
 * is left out: trusted code has none). */
static void test_random_bodies(void)
{
    test_current = "random loop bodies";
    long iters = test_fuzz_iters() / 2, ran = 0, rewritten = 0;
    for (long i = 0; i < iters; i++) {
        uint64_t x = test_xorshift64(&rng);
        uint32_t n = 1 + (uint32_t)(x % 10), add_at = (uint32_t)((x >> 8) % (n + 1));
        struct bpf_insn insns[40];
        uint32_t len = 0;
        insns[len++] = MOV64_IMM(0, 0);
        insns[len++] = MOV64_IMM(3, (int32_t)((x >> 16) % 6));
        insns[len++] = MOV64_IMM(2, (int32_t)((x >> 16) % 6 + 1 + (x >> 24) % 40));
        for (int r = 4; r <= 7; r++)
            insns[len++] = MOV64_IMM(r, (int32_t)(x >> (8 * r)) & 0xffff);
        uint32_t head = len;
        struct bpf_insn body[12];
        for (uint32_t b = 0, j = 0; b <= n; b++)
            body[b] = b == add_at ? ADD64_IMM(3, 1 + (int32_t)((x >> 32) % 3)) : body_insn(test_xorshift64(&rng) + j++);
        for (uint32_t b = 0; b <= n; b++)
            insns[len++] = body[b];
        insns[len] = JMP_REG(BPF_JLT, 3, 2, (int16_t)(head - len - 1));
        len++;
        insns[len++] = ALU64_REG(BPF_XOR, 0, 3);
        insns[len++] = LDX(BPF_DW, 4, 10, -8);
        insns[len++] = ALU64_REG(BPF_ADD, 0, 4);
        insns[len++] = EXIT();
        struct bpfrt_prog *interp = load(insns, len, JT_INTERP);
        vt_budget = 20000; /* (a body that resets its counter or its bound may loop on) */
        struct vt_result a = interp ? jt_run_prog(interp, words, sizeof(words)) : (struct vt_result){ .rc = -1 };
        vt_budget = 0;
        bpfrt_prog_put(interp);
        if (a.rc)
            continue;
        struct bpfrt_prog *jit = load(insns, len, JT_JIT_TRUSTED);
        if (jit) {
            bool q = body_qualifies(body, n + 1, add_at);
            CHECK_EQ(counted_loops(jit), q);
            uint64_t b = run(jit);
            if (a.r0 != b)
                fprintf(stderr, "random body %ld (%s): interpreter %#llx, JIT %#llx\n", i,
                        q ? "counted" : "as it is", (unsigned long long)a.r0, (unsigned long long)b);
            CHECK_EQ(a.r0, b);
            ran++;
            rewritten += q;
        }
        bpfrt_prog_put(jit);
    }
    printf("random loop bodies: %ld run, %ld of them counted\n", ran, rewritten);
    CHECK(ran > iters / 4 && rewritten > ran / 10 && rewritten < ran);
}

int main(void)
{
    test_seed_from_env(&rng);
    signal(SIGALRM, runaway);
    vt_setup();
    const struct bpf_insn probe[] = { MOV64_IMM(0, 0), EXIT() };
    struct bpfrt_prog *p = NULL;
    char msg[128];
    if (jt_create(probe, 2, JT_JIT_TRUSTED, &p, msg, sizeof(msg))) {
        vt_teardown();
        TEST_SKIP("*** no JIT on this host (%s): counted loops not tested ***", msg);
    }
    bpfrt_prog_put(p);
    RUN(test_qualifying);
    RUN(test_not_qualifying);
    RUN(test_verified);
    RUN(test_random);
    RUN(test_random_bodies);
    vt_teardown();
    return test_summary();
}
