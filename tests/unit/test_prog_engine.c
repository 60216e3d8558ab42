/* Engine choice (src/core/prog/engine.c): the runtime's default, the
 * per-load choice through bpfrt_prog_create_opts and PROG_LOAD's
 * BPFRT_PROG_F_ENGINE bits, and the single fallback to the interpreter when
 * an engine is not in the build. Written so it stays true once the JIT
 * registers itself: expectations follow bpfrt_engine_find. */
#include "test.h"
#include "bpf_test_util.h"

static const struct bpf_insn ret7[] = { MOV64_IMM(0, 7), EXIT() };

static uint64_t run_prog(struct bpfrt_prog *prog)
{
    struct bpfrt_run run;
    memset(&run, 0, sizeof(run));
    uint64_t r0 = 0;
    bpfrt_run_begin(&run, prog);
    int rc = bpfrt_prog_run(prog, &run, 0, 0, &r0);
    bpfrt_run_end(&run);
    CHECK_EQ(rc, 0);
    return r0;
}

static void test_find(void)
{
    struct bpfrt_runtime *rt = new_rt();
    CHECK(bpfrt_engine_find(rt, BPFRT_ENGINE_INTERP) == &bpfrt_interp_ops);
    CHECK(bpfrt_engine_find(rt, BPFRT_ENGINE_DEFAULT) == &bpfrt_interp_ops);
    CHECK_EQ(bpfrt_runtime_default_engine(rt), BPFRT_ENGINE_INTERP);
    CHECK(bpfrt_engine_find(rt, BPFRT_ENGINE_COUNT) == NULL);
    CHECK(bpfrt_engine_find(rt, (enum bpfrt_engine_kind)99) == NULL);
    const struct bpfrt_engine_ops *jit = bpfrt_engine_find(rt, BPFRT_ENGINE_JIT);
    CHECK(jit != &bpfrt_interp_ops);
    bpfrt_runtime_destroy(rt);
}

/* Creating with `want` gives the engine find() promises, or the
 * interpreter with a note. */
static void check_create(struct bpfrt_runtime *rt, const struct bpfrt_prog_create_opts *opts,
                         enum bpfrt_engine_kind effective)
{
    char msg[256];
    struct bpfrt_prog *prog = NULL;
    int rc = bpfrt_prog_create_opts(rt, ret7, NR(ret7), opts, msg, sizeof(msg), &prog);
    CHECK_EQ(rc, 0);
    if (rc)
        return;
    const struct bpfrt_engine_ops *ops = bpfrt_engine_find(rt, effective);
    if (ops) {
        CHECK_EQ(prog->engine, effective);
        CHECK(prog->engine_ops == ops);
        CHECK_STR(msg, "");
    } else {
        CHECK_EQ(prog->engine, BPFRT_ENGINE_INTERP);
        CHECK(prog->engine_ops == &bpfrt_interp_ops);
        CHECK_CONTAINS(msg, "engine is not in this build; the interpreter runs the program");
    }
    CHECK_EQ(run_prog(prog), 7);
    bpfrt_prog_put(prog);
}

static void test_create_opts(void)
{
    struct bpfrt_runtime *rt = new_rt();
    struct bpfrt_prog_create_opts opts = { 0 };
    check_create(rt, NULL, BPFRT_ENGINE_INTERP);
    check_create(rt, &opts, BPFRT_ENGINE_INTERP);
    opts.engine = BPFRT_ENGINE_INTERP;
    check_create(rt, &opts, BPFRT_ENGINE_INTERP);
    opts.engine = BPFRT_ENGINE_JIT;
    check_create(rt, &opts, BPFRT_ENGINE_JIT);

    /* An unknown kind is an error, not a fallback. */
    char msg[256];
    struct bpfrt_prog *prog = (struct bpfrt_prog *)1;
    opts.engine = (enum bpfrt_engine_kind)9;
    CHECK_EQ(bpfrt_prog_create_opts(rt, ret7, NR(ret7), &opts, msg, sizeof(msg), &prog), -BPFRT_EINVAL);
    CHECK(prog == NULL);
    CHECK_CONTAINS(msg, "unknown engine 9");
    bpfrt_runtime_destroy(rt);
}

static void test_runtime_default(void)
{
    struct bpfrt_runtime *rt = new_rt();
    CHECK_EQ(bpfrt_runtime_set_default_engine(rt, (enum bpfrt_engine_kind)BPFRT_ENGINE_COUNT), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_runtime_default_engine(rt), BPFRT_ENGINE_INTERP);
    CHECK_EQ(bpfrt_runtime_set_default_engine(rt, BPFRT_ENGINE_JIT), 0);
    CHECK_EQ(bpfrt_runtime_default_engine(rt), BPFRT_ENGINE_JIT);
    CHECK(bpfrt_engine_find(rt, BPFRT_ENGINE_DEFAULT) == bpfrt_engine_find(rt, BPFRT_ENGINE_JIT));
    /* bpfrt_prog_create takes the runtime's default; a load naming the
     * interpreter still gets it. */
    char msg[256];
    struct bpfrt_prog *prog = NULL;
    CHECK_EQ(bpfrt_prog_create(rt, ret7, NR(ret7), BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &prog), 0);
    if (prog) {
        CHECK_EQ(prog->engine, bpfrt_engine_find(rt, BPFRT_ENGINE_JIT) ? BPFRT_ENGINE_JIT : BPFRT_ENGINE_INTERP);
        bpfrt_prog_put(prog);
    }
    struct bpfrt_prog_create_opts opts = { .engine = BPFRT_ENGINE_INTERP };
    check_create(rt, &opts, BPFRT_ENGINE_INTERP);
    /* DEFAULT as the default means the interpreter again. */
    CHECK_EQ(bpfrt_runtime_set_default_engine(rt, BPFRT_ENGINE_DEFAULT), 0);
    CHECK_EQ(bpfrt_runtime_default_engine(rt), BPFRT_ENGINE_INTERP);
    bpfrt_runtime_destroy(rt);
}

static long load_with_flags(struct bpfrt_runtime *rt, uint32_t flags, char *log, uint32_t log_size)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = NR(ret7);
    a.insns = ptr(ret7);
    a.license = ptr("GPL");
    a.prog_flags = flags;
    a.log_level = log ? 1 : 0;
    a.log_buf = ptr(log);
    a.log_size = log_size;
    return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static void test_prog_load_flags(void)
{
    struct bpfrt_runtime *rt = new_rt();
    char log[4096];
    long h = load_with_flags(rt, BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_INTERP), log, sizeof(log));
    CHECK(h >= 0);
    struct bpfrt_prog *p = bpfrt_prog_from_handle(rt, (int)h);
    CHECK(p && p->engine == BPFRT_ENGINE_INTERP);
    /* The engine bits are bpfrt's: the program keeps Linux's flags only. */
    CHECK(p && p->prog_flags == 0);
    CHECK(strstr(log, "not in this build") == NULL);
    bpfrt_close(rt, (int)h);

    log[0] = '\0';
    h = load_with_flags(rt, BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT), log, sizeof(log));
    CHECK(h >= 0);
    p = bpfrt_prog_from_handle(rt, (int)h);
    if (bpfrt_engine_find(rt, BPFRT_ENGINE_JIT)) {
        CHECK(p && p->engine == BPFRT_ENGINE_JIT);
    } else {
        CHECK(p && p->engine == BPFRT_ENGINE_INTERP);
        CHECK_CONTAINS(log, "note: the jit engine is not in this build; the interpreter runs the program");
    }
    bpfrt_close(rt, (int)h);

    /* No bits: the runtime's default. */
    h = load_with_flags(rt, 0, NULL, 0);
    p = bpfrt_prog_from_handle(rt, (int)h);
    CHECK(p && p->engine == BPFRT_ENGINE_INTERP);
    bpfrt_close(rt, (int)h);

    /* An unknown kind in the bits. */
    CHECK_EQ(load_with_flags(rt, BPFRT_PROG_F_ENGINE(7), log, sizeof(log)), -BPFRT_EINVAL);
    CHECK_EQ(bpfrt_handle_count(rt), 0);
    bpfrt_runtime_destroy(rt);
}

int main(void)
{
    RUN(test_find);
    RUN(test_create_opts);
    RUN(test_runtime_default);
    RUN(test_prog_load_flags);
    return test_summary();
}
