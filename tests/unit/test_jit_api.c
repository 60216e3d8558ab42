/* The JIT as an engine: chosen per load (bpfrt_prog_create_opts, PROG_LOAD's
 * BPFRT_PROG_F_ENGINE bits) and runtime-wide, trusted never as a default;
 * the image in OBJ_GET_INFO_BY_FD and sealed read+execute; trusted mode
 * without checks and checked mode with them; trusted refused (checked
 * instead) for contexts that need conversion; the interpreter, with a note,
 * on a platform without executable memory; constant blinding leaving no
 * program immediate in the code; the statistics and instruction offsets;
 * compiles from two threads sharing the runtime's compile memory. */
#include "test.h"
#include "bpf_test_util.h"
#include "bpfrt/jit.h"
#include "bpfrt/platform.h"

#include <pthread.h>

static const struct bpf_insn ret7[] = { MOV64_IMM(0, 7), EXIT() };

static uint64_t run(struct bpfrt_prog *prog, void *mem, uint32_t len, int *rc, char *msg)
{
    struct bpfrt_run r;
    memset(&r, 0, sizeof(r));
    r.ctx = mem;
    r.ctx_size = len;
    uint64_t r0 = 0;
    bpfrt_run_begin(&r, prog);
    *rc = bpfrt_prog_run(prog, &r, ptr(mem), len, &r0);
    if (msg)
        snprintf(msg, 160, "%s", r.error_msg);
    bpfrt_run_end(&r);
    return r0;
}

static struct bpfrt_prog *create(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t n,
                                 enum bpfrt_engine_kind kind, uint32_t type, char *msg)
{
    struct bpfrt_prog *prog = NULL;
    struct bpfrt_prog_create_opts o = { .prog_type = type, .engine = kind };
    int rc = bpfrt_prog_create_opts(rt, insns, n, &o, msg, 256, &prog);
    CHECK_EQ(rc, 0);
    return prog;
}

static void test_choice(void)
{
    struct bpfrt_runtime *rt = new_rt();
    char msg[256];
    CHECK(bpfrt_engine_find(rt, BPFRT_ENGINE_JIT) == &bpfrt_jit_ops);
    CHECK(bpfrt_engine_find(rt, BPFRT_ENGINE_JIT_TRUSTED) == &bpfrt_jit_trusted_ops);
    struct bpfrt_prog *p = create(rt, ret7, NR(ret7), BPFRT_ENGINE_JIT, BPF_PROG_TYPE_UNSPEC, msg);
    CHECK(p && p->engine == BPFRT_ENGINE_JIT);
    CHECK_STR(msg, "");
    int rc;
    CHECK_EQ(run(p, NULL, 0, &rc, NULL), 7);
    CHECK_EQ(rc, 0);
    struct bpfrt_jit_stats st;
    CHECK(bpfrt_jit_get_stats(p, &st));
    CHECK_STR(st.mode, "checked");
    bpfrt_prog_put(p);
    p = create(rt, ret7, NR(ret7), BPFRT_ENGINE_JIT_TRUSTED, BPF_PROG_TYPE_UNSPEC, msg);
    CHECK(p && bpfrt_jit_get_stats(p, &st));
    CHECK_STR(st.mode, "trusted");
    bpfrt_prog_put(p);
    /* a verified program gets verified mode from either row */
    p = create(rt, ret7, NR(ret7), BPFRT_ENGINE_INTERP, BPF_PROG_TYPE_UNSPEC, msg);
    p->verified = true;
    CHECK_EQ(bpfrt_prog_use_jit(p, BPFRT_ENGINE_JIT_TRUSTED, NULL, msg, sizeof(msg)), 0);
    CHECK(bpfrt_jit_get_stats(p, &st));
    CHECK_STR(st.mode, "verified");
    CHECK_EQ(bpfrt_prog_use_jit(p, BPFRT_ENGINE_INTERP, NULL, msg, sizeof(msg)), -BPFRT_EINVAL);
    bpfrt_prog_put(p);
    /* runtime-wide: the JIT may be the default, trusted may not */
    CHECK_EQ(bpfrt_runtime_set_default_engine(rt, BPFRT_ENGINE_JIT_TRUSTED), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_runtime_set_default_engine(rt, BPFRT_ENGINE_JIT), 0);
    CHECK_EQ(bpfrt_prog_create(rt, ret7, NR(ret7), BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &p), 0);
    CHECK(p && p->engine == BPFRT_ENGINE_JIT);
    bpfrt_prog_put(p);
    bpfrt_runtime_destroy(rt);
}

/* PROG_LOAD with the engine bits, then the image through OBJ_GET_INFO_BY_FD. */
static void test_prog_load_info(void)
{
    struct bpfrt_runtime *rt = new_rt();
    for (int k = 0; k < 2; k++) {
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        a.insn_cnt = NR(ret7);
        a.insns = ptr(ret7);
        a.license = ptr("GPL");
        a.prog_flags = BPFRT_PROG_F_ENGINE(k ? BPFRT_ENGINE_JIT : BPFRT_ENGINE_INTERP);
        long h = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
        CHECK(h >= 0);
        struct bpfrt_prog *p = bpfrt_prog_from_handle(rt, (int)h);
        CHECK(p && p->engine == (k ? BPFRT_ENGINE_JIT : BPFRT_ENGINE_INTERP));
        uint8_t code[4096];
        struct bpf_prog_info info;
        memset(&info, 0, sizeof(info));
        info.jited_prog_insns = ptr(code);
        info.jited_prog_len = sizeof(code);
        union bpf_attr q;
        memset(&q, 0, sizeof(q));
        q.info.bpf_fd = (uint32_t)h;
        q.info.info_len = sizeof(info);
        q.info.info = ptr(&info);
        CHECK_EQ(bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &q, sizeof(q)), 0);
        const void *img;
        uint32_t len;
        if (k) {
            CHECK(bpfrt_jit_image(p, &img, &len));
            CHECK_EQ(info.jited_prog_len, len);
            CHECK(len > 0 && len <= sizeof(code) && memcmp(code, img, len) == 0);
        } else {
            CHECK(!bpfrt_jit_image(p, &img, &len));
            CHECK_EQ(info.jited_prog_len, 0); /* interpreted, as Linux reports it */
        }
        bpfrt_close(rt, (int)h);
    }
    bpfrt_runtime_destroy(rt);
}

/* The image is read+execute, never writable, once sealed (hosted platform). */
static void test_sealed(void)
{
    struct bpfrt_runtime *rt = new_rt();
    char msg[256];
    struct bpfrt_prog *p = create(rt, ret7, NR(ret7), BPFRT_ENGINE_JIT, BPF_PROG_TYPE_UNSPEC, msg);
    const void *img;
    uint32_t len;
    CHECK(p && bpfrt_jit_image(p, &img, &len));
    FILE *f = fopen("/proc/self/maps", "r");
    bool found = false;
    if (f) {
        char line[512];
        while (fgets(line, sizeof(line), f)) {
            unsigned long lo, hi;
            char perms[8];
            if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && (uintptr_t)img >= lo && (uintptr_t)img < hi) {
                found = true;
                CHECK_STR(perms, "r-xp");
            }
        }
        fclose(f);
        CHECK(found);
    }
    bpfrt_prog_put(p);
    bpfrt_runtime_destroy(rt);
}

static uint8_t outside[16] = { 0x11, 0x22, 0x33, 0x44 };

/* Checked mode stops an access outside every region, with the
 * interpreter's message; trusted mode does not look. */
static void test_trusted_vs_checked(void)
{
    struct bpfrt_runtime *rt = new_rt();
    char msg[256], err[160];
    uint64_t a = ptr(outside);
    const struct bpf_insn p[] = { LD_IMM64_SRC(1, 0, (int32_t)(uint32_t)a, (int32_t)(uint32_t)(a >> 32)),
                                  LDX(BPF_W, 0, 1, 0), EXIT() };
    struct bpfrt_prog *c = create(rt, p, NR(p), BPFRT_ENGINE_JIT, BPF_PROG_TYPE_UNSPEC, msg);
    struct bpfrt_prog *t = create(rt, p, NR(p), BPFRT_ENGINE_JIT_TRUSTED, BPF_PROG_TYPE_UNSPEC, msg);
    struct bpfrt_prog *i = create(rt, p, NR(p), BPFRT_ENGINE_INTERP, BPF_PROG_TYPE_UNSPEC, msg);
    int rc;
    CHECK_EQ(run(c, NULL, 0, &rc, err), 0);
    CHECK_EQ(rc, -BPFRT_EFAULT);
    char want[160];
    snprintf(want, sizeof(want), "invalid memory access at insn 2: read of 4 bytes at 0x%llx", (unsigned long long)a);
    CHECK_STR(err, want);
    CHECK_EQ(run(i, NULL, 0, &rc, err), 0);
    CHECK_STR(err, want);
    CHECK_EQ(run(t, NULL, 0, &rc, err), 0x44332211);
    CHECK_EQ(rc, 0);
    bpfrt_prog_put(c);
    bpfrt_prog_put(t);
    bpfrt_prog_put(i);
    /* an XDP program needs context conversion: checked, with a note */
    struct bpfrt_prog *x = create(rt, ret7, NR(ret7), BPFRT_ENGINE_JIT_TRUSTED, BPF_PROG_TYPE_XDP, msg);
    struct bpfrt_jit_stats st;
    CHECK(x && bpfrt_jit_get_stats(x, &st));
    CHECK_STR(st.mode, "checked");
    CHECK_CONTAINS(msg, "runs in checked mode");
    CHECK_EQ(x->engine, BPFRT_ENGINE_JIT);
    bpfrt_prog_put(x);
    bpfrt_runtime_destroy(rt);
}

/* Checked mode's slow path produces a load's value itself where the
 * context rule converts the field (__sk_buff's data and data_end become
 * pointers): it writes the destination's saved register, r6-r9 included,
 * and returns past the load. Every pair of registers, JIT against the
 * interpreter and against the packet's length. */
static void test_context_loads_every_register(void)
{
    struct bpfrt_runtime *rt = new_rt();
    static uint8_t pkt[60];
    unsigned pairs = 0;
    for (int e = 0; e < 2; e++) {
        for (uint8_t d = 0; d < 10; d++)
            for (uint8_t x = 0; x < 10; x++) {
                if (d == 6 || x == 6 || d == x)
                    continue;
                const struct bpf_insn p[] = { MOV64_REG(6, 1), LDX(BPF_W, d, 6, 76), LDX(BPF_W, x, 6, 80),
                                              ALU64_REG(BPF_SUB, x, d), MOV64_REG(0, x), EXIT() };
                long h = load_prog_flags(rt, BPF_PROG_TYPE_SCHED_CLS, p, NR(p),
                                         BPFRT_PROG_F_NO_VERIFY |
                                             BPFRT_PROG_F_ENGINE(e ? BPFRT_ENGINE_JIT : BPFRT_ENGINE_INTERP));
                CHECK(h >= 0);
                union bpf_attr a;
                memset(&a, 0, sizeof(a));
                a.test.prog_fd = (uint32_t)h;
                a.test.data_in = ptr(pkt);
                a.test.data_size_in = sizeof(pkt);
                CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
                CHECK_EQ(a.test.retval, sizeof(pkt));
                bpfrt_close(rt, (int)h);
                pairs++;
            }
    }
    CHECK_EQ(pairs, 2 * 72);
    bpfrt_runtime_destroy(rt);
}

/* No executable memory: the interpreter runs the program, with a note. */
static void test_no_exec_memory(void)
{
    struct bpfrt_platform plat = *bpfrt_platform_hosted();
    plat.exec_alloc = NULL;
    plat.exec_seal = NULL;
    plat.exec_free = NULL;
    struct bpfrt_runtime *rt = NULL;
    CHECK_EQ(bpfrt_runtime_create(&plat, &rt), 0);
    char msg[256];
    struct bpfrt_prog *p = create(rt, ret7, NR(ret7), BPFRT_ENGINE_JIT, BPF_PROG_TYPE_UNSPEC, msg);
    CHECK(p && p->engine == BPFRT_ENGINE_INTERP && p->engine_ops == &bpfrt_interp_ops);
    CHECK_CONTAINS(msg, "(the platform has no executable memory); the interpreter runs it");
    int rc;
    CHECK_EQ(run(p, NULL, 0, &rc, NULL), 7);
    CHECK_EQ(rc, 0);
    bool jitted = true;
    CHECK_EQ(bpfrt_prog_use_jit(p, BPFRT_ENGINE_JIT, &jitted, msg, sizeof(msg)), 0);
    CHECK(!jitted);
    bpfrt_prog_put(p);
    bpfrt_runtime_destroy(rt);
}

static bool contains(const uint8_t *hay, uint32_t n, const void *needle, uint32_t m)
{
    for (uint32_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

/* Blinding: no immediate of the program appears in the code; same result. */
static void test_blinding(void)
{
    static const uint32_t imms[] = { 0x5a5a1234, 0x13572468, 0x0badcafe, 0x7eadbeef, 0x1ee7c0de };
    const struct bpf_insn p[] = {
        MOV64_IMM(0, (int32_t)imms[0]),
        ALU64_IMM(BPF_ADD, 0, (int32_t)imms[1]),
        ST(BPF_DW, 10, -8, (int32_t)imms[2]),
        LDX(BPF_DW, 1, 10, -8),
        ALU64_REG(BPF_XOR, 0, 1),
        JMP_IMM(BPF_JEQ, 0, (int32_t)imms[3], 1),
        ALU64_IMM(BPF_MOD, 0, (int32_t)imms[4]),
        LD_IMM64_SRC(2, 0, 0x76543210, 0x0fedcba9),
        ALU64_REG(BPF_ADD, 0, 2),
        EXIT(),
    };
    uint64_t results[2];
    for (int blind = 0; blind < 2; blind++) {
        struct bpfrt_runtime *rt = new_rt();
        bpfrt_runtime_set_jit_blinding(rt, blind);
        char msg[256];
        struct bpfrt_prog *prog = create(rt, p, NR(p), BPFRT_ENGINE_JIT, BPF_PROG_TYPE_UNSPEC, msg);
        const void *img;
        uint32_t len;
        CHECK(prog && bpfrt_jit_image(prog, &img, &len));
        struct bpfrt_jit_stats st;
        CHECK(bpfrt_jit_get_stats(prog, &st) && st.blinded == blind);
        int found = 0;
        for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++)
            found += contains(img, len, &imms[i], 4);
        static const uint32_t lddw_halves[] = { 0x76543210, 0x0fedcba9 };
        for (size_t i = 0; i < 2; i++)
            found += contains(img, len, &lddw_halves[i], 4);
        if (blind)
            CHECK_EQ(found, 0);
        else
            CHECK_EQ(found, 7);
        int rc;
        results[blind] = run(prog, NULL, 0, &rc, NULL);
        CHECK_EQ(rc, 0);
        bpfrt_prog_put(prog);
        bpfrt_runtime_destroy(rt);
    }
    uint64_t want = (uint64_t)imms[0] + imms[1];
    want ^= imms[2];
    if (want != imms[3])
        want %= imms[4];
    want += 0x0fedcba976543210ull;
    CHECK_EQ(results[0], want);
    CHECK_EQ(results[1], want);
}

static void test_stats_offsets(void)
{
    struct bpfrt_runtime *rt = new_rt();
    char msg[256];
    const struct bpf_insn p[] = { MOV64_IMM(0, 0), MOV64_IMM(1, 10), ALU64_REG(BPF_ADD, 0, 1),
                                  ALU64_IMM(BPF_SUB, 1, 1), JMP_IMM(BPF_JNE, 1, 0, -3), EXIT() };
    struct bpfrt_prog *prog = create(rt, p, NR(p), BPFRT_ENGINE_JIT_TRUSTED, BPF_PROG_TYPE_UNSPEC, msg);
    struct bpfrt_jit_stats st;
    CHECK(prog && bpfrt_jit_get_stats(prog, &st));
    CHECK_EQ(st.insns, NR(p));
    CHECK(st.passes >= 1);
    CHECK(st.compile_ns > 0);
    uint32_t prev = 0;
    for (uint32_t pc = 0; pc <= NR(p); pc++) {
        uint32_t off = bpfrt_jit_insn_offset(prog, pc);
        CHECK(off >= prev && off <= st.image_len);
        prev = off;
    }
    CHECK_EQ(bpfrt_jit_insn_offset(prog, NR(p) + 1), UINT32_MAX);
    /* the backward jump is short: jne rel8 (0x75) ends instruction 4 */
    const void *img;
    uint32_t len;
    CHECK(bpfrt_jit_image(prog, &img, &len));
    const uint8_t *code = img;
    CHECK_EQ(code[bpfrt_jit_insn_offset(prog, 5) - 2], 0x75);
    int rc;
    CHECK_EQ(run(prog, NULL, 0, &rc, NULL), 55);
    bpfrt_prog_put(prog);
    struct bpfrt_prog *i = create(rt, p, NR(p), BPFRT_ENGINE_INTERP, BPF_PROG_TYPE_UNSPEC, msg);
    CHECK(!bpfrt_jit_get_stats(i, &st));
    CHECK_EQ(bpfrt_jit_insn_offset(i, 0), UINT32_MAX);
    bpfrt_prog_put(i);
    bpfrt_runtime_destroy(rt);
}

/* Compiles from two threads into one runtime share its cached compile
 * memory (jit_scratch.c): programs of changing sizes, so the block is
 * taken, outgrown and replaced while the other thread compiles; each
 * result must run right. */
#define CONC_ROUNDS 60
struct conc_arg {
    struct bpfrt_runtime *rt;
    unsigned seed;
    int bad;
};

static void *conc_compiles(void *p)
{
    struct conc_arg *a = p;
    static const uint32_t sizes[] = { 4, 300, 40, 2000, 9, 700 };
    struct bpf_insn *insns = malloc(2002 * sizeof(*insns));
    for (unsigned i = 0; insns && i < CONC_ROUNDS; i++) {
        uint32_t n = sizes[(i + a->seed) % 6];
        uint64_t want = 0;
        insns[0] = MOV64_IMM(0, 0);
        for (uint32_t k = 1; k <= n; k++) {
            insns[k] = ALU64_IMM(BPF_ADD, 0, (int32_t)(k * 7 + a->seed));
            want += k * 7 + a->seed;
        }
        insns[n + 1] = EXIT();
        char msg[256];
        struct bpfrt_prog *prog = NULL;
        struct bpfrt_prog_create_opts o = { .engine = i & 1 ? BPFRT_ENGINE_JIT : BPFRT_ENGINE_JIT_TRUSTED };
        int rc = bpfrt_prog_create_opts(a->rt, insns, n + 2, &o, msg, sizeof(msg), &prog);
        struct bpfrt_jit_stats st;
        if (rc || !bpfrt_jit_get_stats(prog, &st) || run(prog, NULL, 0, &rc, NULL) != want || rc)
            a->bad++;
        bpfrt_prog_put(prog);
    }
    free(insns);
    return NULL;
}

static void test_concurrent_compiles(void)
{
    struct bpfrt_runtime *rt = new_rt();
    struct conc_arg args[2] = { { rt, 1, 0 }, { rt, 4, 0 } };
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, conc_compiles, &args[0]), 0);
    conc_compiles(&args[1]);
    pthread_join(t, NULL);
    CHECK_EQ(args[0].bad, 0);
    CHECK_EQ(args[1].bad, 0);
    bpfrt_runtime_destroy(rt);
}

int main(void)
{
    RUN(test_choice);
    RUN(test_prog_load_info);
    RUN(test_sealed);
    RUN(test_trusted_vs_checked);
    RUN(test_context_loads_every_register);
    RUN(test_no_exec_memory);
    RUN(test_blinding);
    RUN(test_stats_offsets);
    RUN(test_concurrent_compiles);
    return test_summary();
}
