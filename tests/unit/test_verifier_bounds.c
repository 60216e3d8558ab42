/* Scalar bounds (src/core/verifier/bounds*.c) against brute force and hand-
 * derived values:
 *  - soundness: for sets of concrete values (every tnum of 4 bits placed
 *    low, high and across the sign bits, exhaustively in pairs; then
 *    BPFRT_FUZZ_ITERS random sets: tnum-shaped, intervals, mixes) and
 *    states describing them (the tightest, and loosened ones), every ALU op
 *    64/32-bit, K and X, every byte swap and sign extension gives a state
 *    holding every concrete result; every conditional jump, both sides,
 *    keeps every pair of values for which its condition holds (resp. does
 *    not); a predicted branch is right for every pair; every synced state
 *    passes Linux's sanity check;
 *  - hand-derived cases, most read from Linux 6.18's verifier log (the
 *    state it prints after the instruction), printed as the log prints
 *    them. test_verifier_bounds_kernel.c compares with the kernel at run
 *    time. */
#include "test.h"
#include "test_rng.h"
#include "verifier_bounds_util.h"

typedef struct bpfrt_bounds bounds;

static uint64_t rng;
static char tbuf[4][256];
static int tslot;

/* The log text of b (a rotating buffer, so two can be compared in one call). */
static const char *txt(const bounds *b)
{
    char *buf = tbuf[tslot++ & 3];
    return scalar_text(b, buf, sizeof(tbuf[0]));
}

/* ---- concrete sets and the states describing them ---- */

#define SET_MAX 64
struct set {
    int n;
    uint64_t v[SET_MAX];
};

/* The tightest state for a non-empty set. */
static bounds tightest(const struct set *s)
{
    bounds b;
    uint64_t all = s->v[0], any = s->v[0];
    b.smin_value = b.smax_value = (int64_t)s->v[0];
    b.umin_value = b.umax_value = s->v[0];
    b.s32_min_value = b.s32_max_value = (int32_t)s->v[0];
    b.u32_min_value = b.u32_max_value = (uint32_t)s->v[0];
    for (int i = 1; i < s->n; i++) {
        uint64_t v = s->v[i];
        all &= v;
        any |= v;
#define WIDEN(lo, hi, x) do { if ((x) < lo) lo = (x); if ((x) > hi) hi = (x); } while (0)
        WIDEN(b.smin_value, b.smax_value, (int64_t)v);
        WIDEN(b.umin_value, b.umax_value, v);
        WIDEN(b.s32_min_value, b.s32_max_value, (int32_t)v);
        WIDEN(b.u32_min_value, b.u32_max_value, (uint32_t)v);
#undef WIDEN
    }
    b.var_off = BPFRT_TNUM(all, all ^ any);
    return b;
}

/* A state for s that Linux could also have reached: the tightest one with
 * some facts forgotten, then synced (as every state the verifier keeps). */
static bounds loosened(const struct set *s)
{
    bounds b = tightest(s);
    uint64_t r = test_xorshift64star(&rng);
    if (r & 1)
        b.var_off = bpfrt_tnum_union(b.var_off, BPFRT_TNUM(0, test_xorshift64star(&rng) & test_xorshift64star(&rng)));
    if (r & 2)
        bpfrt_bounds_mark_unbounded32(&b);
    if (r & 4) {
        b.smin_value = INT64_MIN;
        b.smax_value = INT64_MAX;
    }
    if (r & 8) {
        b.umin_value = 0;
        b.umax_value = UINT64_MAX;
    }
    if (r & 16)
        b.var_off = BPFRT_TNUM_UNKNOWN;
    bpfrt_bounds_sync(&b);
    return b;
}

static bool holds_all(const bounds *b, const struct set *s)
{
    for (int i = 0; i < s->n; i++)
        if (!bounds_has(b, s->v[i]))
            return false;
    return true;
}

/* The members of a tnum (at most SET_MAX), as a set. */
static void set_of_tnum(struct set *s, struct bpfrt_tnum t)
{
    s->n = 0;
    uint64_t sub = 0;
    do {
        if (s->n < SET_MAX)
            s->v[s->n++] = t.value | sub;
        sub = (sub - t.mask) & t.mask;
    } while (sub);
}

/* Interesting places for a set: around 0, the 32-bit and 64-bit sign and
 * wrap points, or anywhere. */
static uint64_t random_base(void)
{
    static const uint64_t bases[] = { 0, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
                                      0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0xfffffffe00000000ull };
    uint64_t r = test_xorshift64star(&rng);
    uint64_t base = (r % 4) ? bases[(r >> 8) % (sizeof(bases) / sizeof(bases[0]))] : test_xorshift64star(&rng);
    return base + (uint64_t)((int64_t)(test_xorshift64star(&rng) % 41) - 20);
}

static void random_set(struct set *s)
{
    uint64_t kind = test_xorshift64star(&rng) % 5;
    if (kind == 0) { /* a constant */
        s->n = 1;
        s->v[0] = random_base();
    } else if (kind == 1) { /* an interval */
        uint64_t lo = random_base(), len = 1 + test_xorshift64star(&rng) % SET_MAX;
        s->n = 0;
        for (uint64_t i = 0; i < len; i++)
            s->v[s->n++] = lo + i;
    } else { /* a tnum of up to 5 unknown bits, maybe trimmed to an interval */
        uint64_t mask = 0;
        int bits = 1 + (int)(test_xorshift64star(&rng) % 5);
        for (int i = 0; i < bits; i++) {
            int where = (int)(test_xorshift64star(&rng) % 4);
            int bit = where == 0 ? (int)(test_xorshift64star(&rng) % 8)
                    : where == 1 ? 28 + (int)(test_xorshift64star(&rng) % 8)
                    : where == 2 ? 58 + (int)(test_xorshift64star(&rng) % 6)
                                 : (int)(test_xorshift64star(&rng) % 64);
            mask |= 1ull << bit;
        }
        set_of_tnum(s, BPFRT_TNUM(random_base() & ~mask, mask));
        if (kind == 4 && s->n > 2) { /* keep a contiguous run of members */
            int a = (int)(test_xorshift64star(&rng) % (uint64_t)s->n);
            int b = a + (int)(test_xorshift64star(&rng) % (uint64_t)(s->n - a));
            for (int i = a; i <= b; i++)
                s->v[i - a] = s->v[i];
            s->n = b - a + 1;
        }
    }
}

/* ---- the ops ---- */

static const uint16_t alu_ops[] = {
    BPFRT_OP_ADD64_X, BPFRT_OP_SUB64_X, BPFRT_OP_MUL64_X, BPFRT_OP_DIV64_X, BPFRT_OP_SDIV64_X,
    BPFRT_OP_MOD64_X, BPFRT_OP_SMOD64_X, BPFRT_OP_OR64_X, BPFRT_OP_AND64_X, BPFRT_OP_XOR64_X,
    BPFRT_OP_LSH64_X, BPFRT_OP_RSH64_X, BPFRT_OP_ARSH64_X, BPFRT_OP_MOV64_X,
    BPFRT_OP_ADD32_X, BPFRT_OP_SUB32_X, BPFRT_OP_MUL32_X, BPFRT_OP_DIV32_X, BPFRT_OP_SDIV32_X,
    BPFRT_OP_MOD32_X, BPFRT_OP_SMOD32_X, BPFRT_OP_OR32_X, BPFRT_OP_AND32_X, BPFRT_OP_XOR32_X,
    BPFRT_OP_LSH32_X, BPFRT_OP_RSH32_X, BPFRT_OP_ARSH32_X, BPFRT_OP_MOV32_X,
};
static const uint16_t unary_ops[] = {
    BPFRT_OP_NEG64, BPFRT_OP_NEG32, BPFRT_OP_LE16, BPFRT_OP_LE32, BPFRT_OP_LE64, BPFRT_OP_BE16,
    BPFRT_OP_BE32, BPFRT_OP_BE64, BPFRT_OP_BSWAP16, BPFRT_OP_BSWAP32, BPFRT_OP_BSWAP64,
    BPFRT_OP_MOVSX8_64, BPFRT_OP_MOVSX16_64, BPFRT_OP_MOVSX32_64, BPFRT_OP_MOVSX8_32, BPFRT_OP_MOVSX16_32,
};
static const uint8_t conds[] = { BPFRT_JEQ, BPFRT_JNE, BPFRT_JGT, BPFRT_JGE, BPFRT_JLT, BPFRT_JLE,
                                 BPFRT_JSET, BPFRT_JSGT, BPFRT_JSGE, BPFRT_JSLT, BPFRT_JSLE };

struct tally {
    long cases, unsound, insane;
    char first[512];
};

static struct tally t_alu, t_cond, t_pred;

static void fail(struct tally *t, const char *what, uint16_t op, const bounds *a, const bounds *b, const bounds *r,
                 uint64_t x, uint64_t y)
{
    if (t->first[0])
        return;
    snprintf(t->first, sizeof(t->first), "%s %s: a=%s b=%s -> %s (x=%#llx y=%#llx)", what,
             op < BPFRT_OP_COUNT ? bpfrt_op_info[op].name : "?", txt(a), txt(b), txt(r), (unsigned long long)x,
             (unsigned long long)y);
}

/* One ALU op: dst states a over set A, operand b over B (b == a, B == A
 * when the register is the same). */
static void check_alu(uint16_t op, const bounds *a, const struct set *A, const bounds *b, const struct set *B,
                      bool same_reg)
{
    bounds r = *a, fork;
    int forked = bpfrt_bounds_alu(&r, same_reg ? &r : b, op, &fork);
    bounds rf = fork;
    if (forked)
        bpfrt_bounds_alu(&rf, b, op, NULL); /* the pushed branch re-runs the insn */
    t_alu.cases++;
    const char *why;
    if (!bpfrt_bounds_sane(&r, &why) || (forked && !bpfrt_bounds_sane(&rf, &why))) {
        t_alu.insane++;
        fail(&t_alu, why, op, a, b, &r, 0, 0);
    }
    for (int i = 0; i < A->n; i++) {
        for (int j = 0; j < (same_reg ? 1 : B->n); j++) {
            uint64_t x = A->v[i], y = same_reg ? x : B->v[j];
            uint64_t v = conc_alu(op, x, y);
            if (!bounds_has(&r, v) && !(forked && bounds_has(&rf, v))) {
                t_alu.unsound++;
                fail(&t_alu, "unsound", op, a, b, &r, x, y);
            }
        }
    }
}

static void check_unary(uint16_t op, const bounds *a, const struct set *A)
{
    bounds r = *a;
    bpfrt_bounds_alu(&r, a, op, NULL);
    t_alu.cases++;
    const char *why;
    if (!bpfrt_bounds_sane(&r, &why)) {
        t_alu.insane++;
        fail(&t_alu, why, op, a, a, &r, 0, 0);
    }
    for (int i = 0; i < A->n; i++) {
        uint64_t v = conc_alu(op, A->v[i], A->v[i]);
        if (!bounds_has(&r, v)) {
            t_alu.unsound++;
            fail(&t_alu, "unsound", op, a, a, &r, A->v[i], 0);
        }
    }
}

/* One jump: prediction and both sides' refinement. */
static void check_cond(uint8_t cond, bool w32, const bounds *a, const struct set *A, const bounds *b,
                       const struct set *B, bool same_reg)
{
    uint16_t fake_op = (uint16_t)(BPFRT_OP_COUNT + cond); /* for the report only */
    for (int side = 0; side < 2; side++) {
        uint8_t c = side ? bpfrt_cond_reverse(cond) : cond;
        bounds ra = *a, rb = *b;
        bpfrt_bounds_refine_cond(&ra, same_reg ? &ra : &rb, c, w32);
        bool feasible = false;
        t_cond.cases++;
        for (int i = 0; i < A->n; i++) {
            for (int j = 0; j < (same_reg ? 1 : B->n); j++) {
                uint64_t x = A->v[i], y = same_reg ? x : B->v[j];
                if (!conc_cond(c, x, y, w32))
                    continue;
                feasible = true;
                if (!bounds_has(&ra, x) || (!same_reg && !bounds_has(&rb, y))) {
                    t_cond.unsound++;
                    fail(&t_cond, side ? "unsound false side" : "unsound true side", fake_op, a, b, &ra, x, y);
                }
            }
        }
        const char *why;
        if (feasible && (!bpfrt_bounds_sane(&ra, &why) || !bpfrt_bounds_sane(&rb, &why))) {
            t_cond.insane++;
            fail(&t_cond, why, fake_op, a, b, &ra, 0, 0);
        }
    }
    int pred = bpfrt_bounds_branch_taken(a, same_reg ? a : b, cond, w32);
    t_pred.cases++;
    if (pred < 0)
        return;
    for (int i = 0; i < A->n; i++) {
        for (int j = 0; j < (same_reg ? 1 : B->n); j++) {
            uint64_t x = A->v[i], y = same_reg ? x : B->v[j];
            if (conc_cond(cond, x, y, w32) != (bool)pred) {
                t_pred.unsound++;
                fail(&t_pred, pred ? "predicted taken, is not" : "predicted not taken, is", fake_op, a, b, a, x, y);
            }
        }
    }
}

/* Every check on one pair of states (and each state with itself). */
static void check_pair(const bounds *a, const struct set *A, const bounds *b, const struct set *B)
{
    for (size_t k = 0; k < sizeof(alu_ops) / sizeof(alu_ops[0]); k++) {
        check_alu(alu_ops[k], a, A, b, B, false);
        if (B->n == 1) { /* a K form: the operand is the sign-extended imm */
            int32_t imm = (int32_t)B->v[0];
            struct set K = { 1, { (uint64_t)(int64_t)imm } };
            bounds kb = bpfrt_bounds_known(K.v[0]);
            check_alu((uint16_t)(alu_ops[k] - 1), a, A, &kb, &K, false);
        }
    }
    for (size_t k = 0; k < sizeof(conds) / sizeof(conds[0]); k++) {
        check_cond(conds[k], false, a, A, b, B, false);
        check_cond(conds[k], true, a, A, b, B, false);
    }
}

static void check_self(const bounds *a, const struct set *A)
{
    for (size_t k = 0; k < sizeof(unary_ops) / sizeof(unary_ops[0]); k++)
        check_unary(unary_ops[k], a, A);
    for (size_t k = 0; k < sizeof(alu_ops) / sizeof(alu_ops[0]); k++)
        check_alu(alu_ops[k], a, A, a, A, true);
    for (size_t k = 0; k < sizeof(conds) / sizeof(conds[0]); k++) {
        check_cond(conds[k], false, a, A, a, A, true);
        check_cond(conds[k], true, a, A, a, A, true);
    }
    /* width changes and sync keep every member */
    for (int size = 1; size <= 4; size *= 2) {
        bounds z = *a, sx = *a, sx32 = *a;
        bpfrt_bounds_coerce_to_size(&z, size);
        bpfrt_bounds_coerce_to_size_sx(&sx, size);
        if (size < 4) {
            bpfrt_bounds_coerce_subreg_to_size_sx(&sx32, size);
            bpfrt_bounds_zext_32_to_64(&sx32);
            bpfrt_bounds_sync(&sx32);
        }
        for (int i = 0; i < A->n; i++) {
            uint64_t x = A->v[i];
            bool ok = bounds_has(&z, x & ((1ull << (size * 8)) - 1)) && bounds_has(&sx, sext_bytes(x, size)) &&
                      (size == 4 || bounds_has(&sx32, (uint32_t)sext_bytes(x, size)));
            t_alu.cases++;
            if (!ok) {
                t_alu.unsound++;
                fail(&t_alu, "unsound coerce", BPFRT_OP_BAD, a, a, &z, x, (uint64_t)size);
            }
        }
    }
    bounds s = *a;
    bpfrt_bounds_sync(&s);
    t_alu.cases++;
    if (!holds_all(&s, A)) {
        t_alu.unsound++;
        fail(&t_alu, "unsound sync", BPFRT_OP_BAD, a, a, &s, 0, 0);
    }
}

static void report(const char *name, const struct tally *t)
{
    printf("%s: %ld cases\n", name, t->cases);
    if (t->unsound || t->insane)
        fprintf(stderr, "%s: %ld unsound, %ld insane; first: %s\n", name, t->unsound, t->insane, t->first);
    CHECK_EQ(t->unsound, 0);
    CHECK_EQ(t->insane, 0);
}

/* Every pair of tnum-shaped sets of 4 bits at a few placements. */
static void test_soundness_exhaustive(void)
{
    static const int places[][4] = { { 0, 1, 2, 3 }, { 0, 1, 31, 63 }, { 0, 30, 31, 32 } };
    static const uint64_t backgrounds[] = { 0, ~0ull };
    for (size_t p = 0; p < 3; p++) {
        for (size_t g = 0; g < 2; g++) {
            struct set sets[81];
            bounds st[81];
            for (int i = 0; i < 81; i++) {
                uint64_t keep = 0, value = 0, mask = 0;
                for (int k = 0, c = i; k < 4; k++, c /= 3) {
                    uint64_t bit = 1ull << places[p][k];
                    keep |= bit;
                    value |= c % 3 == 1 ? bit : 0;
                    mask |= c % 3 == 2 ? bit : 0;
                }
                set_of_tnum(&sets[i], BPFRT_TNUM(value | (backgrounds[g] & ~keep), mask));
                st[i] = tightest(&sets[i]);
                bpfrt_bounds_sync(&st[i]);
            }
            for (int i = 0; i < 81; i++) {
                check_self(&st[i], &sets[i]);
                for (int j = 0; j < 81; j += (p == 0 ? 1 : 3))
                    check_pair(&st[i], &sets[i], &st[j], &sets[j]);
            }
        }
    }
}

static void test_soundness_random(void)
{
    long iters = test_fuzz_iters();
    for (long it = 0; it < iters; it++) {
        struct set A, B;
        random_set(&A);
        random_set(&B);
        bounds a = (it & 1) ? loosened(&A) : tightest(&A), b = (it & 2) ? loosened(&B) : tightest(&B);
        if (!(it & 1))
            bpfrt_bounds_sync(&a);
        if (!(it & 2))
            bpfrt_bounds_sync(&b);
        CHECK(holds_all(&a, &A) && holds_all(&b, &B));
        check_self(&a, &A);
        check_pair(&a, &A, &b, &B);
    }
    report("ALU, widths and sync", &t_alu);
    report("branch refinement", &t_cond);
    report("branch prediction", &t_pred);
}

/* ---- hand-derived cases: each expected text is what Linux 6.18 printed
 * for the register after the same instruction on this machine ---- */

static bounds K(int64_t v)
{
    return bpfrt_bounds_known((uint64_t)v);
}

/* dst op= imm (K form) */
static bounds opk(bounds d, uint16_t op, int32_t imm)
{
    bounds s = K(imm), fork;
    bpfrt_bounds_alu(&d, &s, op, &fork);
    return d;
}

/* dst op= src (X form) */
static bounds opx(bounds d, uint16_t op, bounds s)
{
    bounds fork;
    bpfrt_bounds_alu(&d, &s, op, &fork);
    return d;
}

/* The side of "if d <cond> s" where cond holds; *s_out gets s's refinement. */
static bounds when(bounds d, uint8_t cond, bounds s, bool jmp32, bounds *s_out)
{
    bpfrt_bounds_refine_cond(&d, &s, cond, jmp32);
    if (s_out)
        *s_out = s;
    return d;
}

static void test_hand_cases(void)
{
    bounds u = bpfrt_bounds_unknown();
    CHECK_STR(txt(&u), "scalar()");
    bounds lo8 = opk(u, BPFRT_OP_AND64_K, 0xff);
    CHECK_STR(txt(&lo8), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    bounds hi = opk(u, BPFRT_OP_RSH64_K, 8);
    CHECK_STR(txt(&hi), "scalar(smin=0,smax=umax=0xffffffffffffff,var_off=(0x0; 0xffffffffffffff))");
    bounds nib = opk(hi, BPFRT_OP_AND64_K, 0xf);
    CHECK_STR(txt(&nib), "scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))");
    bounds r = opx(lo8, BPFRT_OP_MUL64_X, nib);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=3825,var_off=(0x0; 0xfff))");
    r = opx(lo8, BPFRT_OP_ADD64_X, nib);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=270,var_off=(0x0; 0x1ff))");
    r = opx(lo8, BPFRT_OP_SUB64_X, nib);
    CHECK_STR(txt(&r), "scalar(smin=smin32=-15,smax=smax32=255)");
    /* 6.18 does not track division or modulo */
    r = opk(lo8, BPFRT_OP_DIV64_K, 3);
    CHECK_STR(txt(&r), "scalar()");
    r = opk(lo8, BPFRT_OP_MOD64_K, 7);
    CHECK_STR(txt(&r), "scalar()");
    r = opk(lo8, BPFRT_OP_NEG64, 0);
    CHECK_STR(txt(&r), "scalar(smin=smin32=-255,smax=smax32=0)");
    r = opk(K(3), BPFRT_OP_NEG64, 0);
    CHECK_STR(txt(&r), "-3");
    /* byte swaps */
    r = opk(u, BPFRT_OP_AND64_K, 0xff00);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff00,var_off=(0x0; 0xff00))");
    r = opk(r, BPFRT_OP_BE16, 0);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    r = opk(lo8, BPFRT_OP_BSWAP64, 0);
    CHECK_STR(txt(&r), "scalar(smax=0x7f00000000000000,umax=0xff00000000000000,smin32=0,smax32=umax32=0,"
                       "var_off=(0x0; 0xff00000000000000))");
    /* 32-bit ops */
    bounds w = opx(u, BPFRT_OP_MOV32_X, u);
    CHECK_STR(txt(&w), "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))");
    w = opk(w, BPFRT_OP_AND32_K, 0xff);
    CHECK_STR(txt(&w), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    w = opk(w, BPFRT_OP_NEG32, 0);
    CHECK_STR(txt(&w), "scalar(smin=0,smax=umax=0xffffffff,smin32=-255,smax32=0,var_off=(0x0; 0xffffffff))");
    r = opk(u, BPFRT_OP_LSH64_K, 32);
    CHECK_STR(txt(&r), "scalar(smax=0x7fffffff00000000,umax=0xffffffff00000000,smin32=0,smax32=umax32=0,"
                       "var_off=(0x0; 0xffffffff00000000))");
    /* "if r1 < 0xfffffffe goto": the fall-through knows r1 >= -2 (unsigned) */
    bounds m2 = when(u, BPFRT_JGE, K(-2), false, NULL);
    CHECK_STR(txt(&m2), "scalar(smin=smin32=-2,smax=smax32=-1,umin=0xfffffffffffffffe,umin32=0xfffffffe,"
                        "var_off=(0xfffffffffffffffe; 0x1))");
    bounds two3 = opk(opk(u, BPFRT_OP_AND64_K, 1), BPFRT_OP_ADD64_K, 2);
    CHECK_STR(txt(&two3), "scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=3,var_off=(0x2; 0x1))");
    /* both ends wrap: the range shifts intact */
    r = opx(m2, BPFRT_OP_ADD64_X, two3);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=2,var_off=(0x0; 0x3))");
    r = opk(m2, BPFRT_OP_MUL64_K, -3);
    CHECK_STR(txt(&r), "scalar(smin=umin=smin32=umin32=3,smax=umax=smax32=umax32=6,var_off=(0x2; 0x5))");
    r = opk(m2, BPFRT_OP_AND64_K, 7);
    CHECK_STR(txt(&r), "scalar(smin=umin=smin32=umin32=6,smax=umax=smax32=umax32=7,var_off=(0x6; 0x1))");
    r = opk(r, BPFRT_OP_SUB64_K, 9);
    CHECK_STR(txt(&r), "scalar(smin=smin32=-3,smax=smax32=-2,umin=0xfffffffffffffffd,umax=0xfffffffffffffffe,"
                       "umin32=0xfffffffd,umax32=0xfffffffe,var_off=(0xfffffffffffffffc; 0x3))");
    r = opx(r, BPFRT_OP_MUL64_X, r);
    CHECK_STR(txt(&r), "scalar(smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=9,var_off=(0x0; 0xf))");
    /* Linux 6.18's multiplication of partly known values */
    bounds a = opk(opx(u, BPFRT_OP_AND64_X, K(0x4000000000000002ll)), BPFRT_OP_OR64_K, 1);
    CHECK_STR(txt(&a), "scalar(smin=umin=smin32=umin32=1,smax=umax=0x4000000000000003,smax32=umax32=3,"
                       "var_off=(0x1; 0x4000000000000002))");
    bounds b = opk(opk(u, BPFRT_OP_AND64_K, 5), BPFRT_OP_OR64_K, 2);
    CHECK_STR(txt(&b), "scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=7,var_off=(0x2; 0x5))");
    r = opx(a, BPFRT_OP_MUL64_X, b);
    CHECK_STR(txt(&r), "scalar(smin=0x8000000000000002,smax=0x4000000000000015,umin=smin32=umin32=2,"
                       "umax=0xc000000000000015,smax32=umax32=21,var_off=(0x0; 0xc00000000000001f))");
    /* a chain of branches, each fall-through and the taken side */
    bounds s = when(u, BPFRT_JSLE, K(100), false, NULL); /* if r s> 100 goto */
    CHECK_STR(txt(&s), "scalar(smax=100)");
    r = when(u, BPFRT_JSGT, K(100), false, NULL);
    CHECK_STR(txt(&r), "scalar(smin=umin=101,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff))");
    r = when(s, BPFRT_JSLT, K(-100), false, NULL);
    CHECK_STR(txt(&r), "scalar(smax=-101,umin=0x8000000000000000,umax=0xffffffffffffff9b,"
                       "var_off=(0x8000000000000000; 0x7fffffffffffffff))");
    s = when(s, BPFRT_JSGE, K(-100), false, NULL);
    CHECK_STR(txt(&s), "scalar(smin=smin32=-100,smax=smax32=100)");
    r = when(s, BPFRT_JLT, K(16), false, NULL);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))");
    s = when(s, BPFRT_JGE, K(16), false, NULL);
    CHECK_STR(txt(&s), "scalar(smin=smin32=-100,smax=smax32=100,umin=16)");
    bounds big = K(0x8000000000000010ll), big_after;
    r = when(s, BPFRT_JGT, big, false, &big_after);
    CHECK_STR(txt(&r), "scalar(smin=smin32=-100,smax=smax32=-1,umin=0xffffffffffffff9c,umin32=0xffffff9c,"
                       "var_off=(0xffffffffffffff80; 0x7f))");
    CHECK_STR(txt(&big_after), "0x8000000000000010");
    /* the u64 range below the s64 range's wrap point meets only its
     * non-negative part */
    s = when(s, BPFRT_JLE, big, false, NULL);
    CHECK_STR(txt(&s), "scalar(smin=umin=smin32=umin32=16,smax=umax=smax32=umax32=100,var_off=(0x0; 0x7f))");
    /* "if r3 > r3": one register on both sides, refined as Linux does */
    r = s;
    bpfrt_bounds_refine_cond(&r, &r, BPFRT_JGT, false);
    CHECK_STR(txt(&r), "scalar(smin=umin=smin32=umin32=17,smax=umax=smax32=umax32=99,var_off=(0x0; 0x7f))");
    CHECK_EQ(bpfrt_bounds_branch_taken(&s, &s, BPFRT_JEQ, false), -1); /* 6.18 does not special-case it */
    /* JEQ of two partly known values: both sides get the intersection */
    bounds x = opk(u, BPFRT_OP_AND64_K, 0xf1), y = opk(opk(u, BPFRT_OP_AND64_K, 0xf0), BPFRT_OP_OR64_K, 1);
    x = when(x, BPFRT_JEQ, y, false, &y);
    CHECK_STR(txt(&x), "scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=241,var_off=(0x1; 0xf0))");
    CHECK_STR(txt(&y), txt(&x));
    /* tnum-based prediction: (0x0; 0xf0) is never 5, (0x0; 0xf) may be */
    bounds f0 = opk(u, BPFRT_OP_AND64_K, 0xf0), f = opk(u, BPFRT_OP_AND64_K, 0xf);
    bounds five = K(5);
    CHECK_EQ(bpfrt_bounds_branch_taken(&f0, &five, BPFRT_JEQ, false), 0);
    CHECK_EQ(bpfrt_bounds_branch_taken(&f0, &five, BPFRT_JNE, false), 1);
    CHECK_EQ(bpfrt_bounds_branch_taken(&f, &five, BPFRT_JEQ, false), -1);
    CHECK_EQ(bpfrt_bounds_branch_taken(&f, &five, BPFRT_JSET, false), -1);
    bounds sixteen = K(16);
    CHECK_EQ(bpfrt_bounds_branch_taken(&f, &sixteen, BPFRT_JSET, false), 0);
    CHECK_EQ(bpfrt_bounds_branch_taken(&f, &sixteen, BPFRT_JLT, false), 1);
    CHECK_EQ(bpfrt_bounds_branch_taken(&f, &sixteen, BPFRT_JGE, true), 0);
    /* maybe_fork_scalars: a value known to be -1 or 0, masked by a constant */
    bounds m = when(when(u, BPFRT_JSGE, K(-1), false, NULL), BPFRT_JSLE, K(0), false, NULL);
    CHECK_STR(txt(&m), "scalar(smin=smin32=-1,smax=smax32=0)");
    bounds fork, twelve = K(12);
    r = m;
    CHECK_EQ(bpfrt_bounds_alu(&r, &twelve, BPFRT_OP_OR64_K, &fork), 1);
    CHECK_STR(txt(&r), "-1");
    bpfrt_bounds_alu(&fork, &twelve, BPFRT_OP_OR64_K, NULL);
    CHECK_STR(txt(&fork), "12");
    r = opx(m, BPFRT_OP_MOV32_X, m);
    CHECK_STR(txt(&r), "scalar(smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff))");
    CHECK_EQ(bpfrt_bounds_alu(&r, &twelve, BPFRT_OP_AND32_K, &fork), 1);
    CHECK_STR(txt(&r), "12");
    bpfrt_bounds_alu(&fork, &twelve, BPFRT_OP_AND32_K, NULL);
    CHECK_STR(txt(&fork), "0");
    r = m;
    CHECK_EQ(bpfrt_bounds_alu(&r, &twelve, BPFRT_OP_XOR64_K, &fork), 0);
    CHECK_STR(txt(&r), "scalar()");
    /* sign extensions */
    r = opx(u, BPFRT_OP_MOVSX8_32, u);
    CHECK_STR(txt(&r), "scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff))");
    r = opx(lo8, BPFRT_OP_MOVSX16_64, lo8);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    r = opx(lo8, BPFRT_OP_MOVSX8_64, lo8);
    CHECK_STR(txt(&r), "scalar(smin=smin32=-128,smax=smax32=127)");
    r = opx(K(0x80), BPFRT_OP_MOVSX8_64, K(0x80));
    CHECK_STR(txt(&r), "-128");
    bounds hi3 = opk(opk(u, BPFRT_OP_AND64_K, 0x7f), BPFRT_OP_OR64_K, 0x100);
    r = opx(hi3, BPFRT_OP_MOVSX8_64, hi3);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))");
    bounds neg = opk(opk(u, BPFRT_OP_AND64_K, 0x30), BPFRT_OP_OR64_K, 0x80);
    r = opx(neg, BPFRT_OP_MOVSX8_64, neg);
    CHECK_STR(txt(&r), "scalar(smin=smin32=-128,smax=smax32=-80,umin=0xffffffffffffff80,umax=0xffffffffffffffb0,"
                       "umin32=0xffffff80,umax32=0xffffffb0,var_off=(0xffffffffffffff80; 0x3f))");
    /* width changes */
    r = u;
    bpfrt_bounds_coerce_to_size(&r, 1);
    CHECK_STR(txt(&r), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    r = m2;
    bpfrt_bounds_coerce_to_size(&r, 4);
    /* (hand-derived: fields with equal values join, unsigned with unsigned) */
    CHECK_STR(txt(&r), "scalar(smin=umin=umin32=0xfffffffe,smax=umax=0xffffffff,smin32=-2,smax32=-1,"
                       "var_off=(0xfffffffe; 0x1))");
    CHECK_EQ(bpfrt_bounds_width(&lo8), 8);
    CHECK_EQ(bpfrt_bounds_width(&u), 64);
    bounds zero = K(0);
    CHECK_EQ(bpfrt_bounds_width(&zero), 0);
    /* constants */
    CHECK(bpfrt_bounds_is_const(&w, true) == false && bpfrt_bounds_is_const(&five, false));
    CHECK_EQ(bpfrt_bounds_const_value(&big, true), 0x10);
    /* the sanity check's three reasons */
    const char *why = "x";
    CHECK(bpfrt_bounds_sane(&lo8, &why) && why == NULL);
    bounds bad = lo8;
    bad.umin_value = 300;
    CHECK(!bpfrt_bounds_sane(&bad, &why));
    CHECK_STR(why, "range bounds violation");
    bad = K(5);
    bad.umax_value = 6;
    CHECK(!bpfrt_bounds_sane(&bad, &why));
    CHECK_STR(why, "const tnum out of sync with range bounds");
    bad = lo8;
    bad.var_off = BPFRT_TNUM(0x100000005ull, 0xff00000000ull); /* low half 5, u32 range [0, 255] */
    CHECK(!bpfrt_bounds_sane(&bad, &why));
    CHECK_STR(why, "const subreg tnum out of sync with range bounds");
    /* condition tables */
    CHECK_EQ(bpfrt_cond_reverse(BPFRT_JGT), BPFRT_JLE);
    CHECK_EQ(bpfrt_cond_reverse(BPFRT_JSET), BPFRT_JSET_FALSE);
    CHECK_EQ(bpfrt_cond_reverse(BPFRT_JSET_FALSE), BPFRT_JSET);
    CHECK_EQ(bpfrt_cond_flip(BPFRT_JSGE), BPFRT_JSLE);
    CHECK_EQ(bpfrt_cond_flip(BPFRT_JNE), BPFRT_JNE);
    for (size_t k = 0; k < sizeof(conds) / sizeof(conds[0]); k++)
        CHECK_EQ(bpfrt_cond_reverse(bpfrt_cond_reverse(conds[k])), conds[k]);
    /* numbers as the log prints them */
    char nb[32];
    bpfrt_bounds_snum(nb, sizeof(nb), -32768);
    CHECK_STR(nb, "-32768");
    bpfrt_bounds_snum(nb, sizeof(nb), -32769);
    CHECK_STR(nb, "0xffffffffffff7fff");
    bpfrt_bounds_snum(nb, sizeof(nb), 32768);
    CHECK_STR(nb, "0x8000");
    bpfrt_bounds_unum(nb, sizeof(nb), 65535);
    CHECK_STR(nb, "65535");
    bpfrt_bounds_unum(nb, sizeof(nb), 65536);
    CHECK_STR(nb, "0x10000");
}

int main(void)
{
    rng = 0x2545f4914f6cdd1dull;
    test_seed_from_env(&rng);
    RUN(test_hand_cases);
    RUN(test_soundness_exhaustive);
    RUN(test_soundness_random);
    return test_summary();
}
