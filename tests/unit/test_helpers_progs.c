/* Helpers end to end: small programs built from instructions, created with
 * bpfrt_prog_create and run by the interpreter (checked, as unverified
 * programs run, and unchecked, as verified ones do) calling helpers: map
 * update/lookup, ring buffer reserve/submit, bpf_loop and
 * bpf_for_each_map_elem callbacks, trace_printk, and a tail-call chain that
 * hits the limit of 34 executions. */
#include "test.h"

#include "bpfrt/errno.h"
#include "bpfrt/helpers.h"
#include "bpfrt/insn.h"
#include "bpfrt/map.h"
#include "kernel_bpf.h"
#include "bpfrt/prog.h"
#include "bpfrt/runtime.h"

static struct bpfrt_runtime *rt;

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOVI(d, i)      I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOVR(d, s)      I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADDI(d, i)      I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ADDR(d, s)      I(BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define MULI(d, i)      I(BPF_ALU64 | BPF_MUL | BPF_K, d, 0, 0, i)
#define LDX64(d, s, o)  I(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define LDX32(d, s, o)  I(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define STX64(d, s, o)  I(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define ST64(d, o, i)   I(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define ST32(d, o, i)   I(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define JEQI(d, i, o)   I(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNEI(d, i, o)   I(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define CALL(id)        I(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT()          I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD64(d, src, v) \
    I(BPF_LD | BPF_DW | BPF_IMM, d, src, 0, (int32_t)(uint32_t)(uint64_t)(v)), \
    I(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define LDMAP(d, m)     LD64(d, BPF_PSEUDO_MAP_FD, (uintptr_t)(m))
/* ld_imm64 of a subprogram: imm = target - (this insn + 1) */
#define LDFUNC(d, rel)  I(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_FUNC, 0, rel), I(0, 0, 0, 0, 0)

struct result {
    int rc;
    uint64_t r0;
    enum bpfrt_run_error error;
    char msg[160];
};

static struct bpfrt_prog *mkprog(const struct bpf_insn *insns, uint32_t n)
{
    char msg[256];
    struct bpfrt_prog *p = NULL;
    int err = bpfrt_prog_create(rt, insns, n, BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &p);
    if (err) {
        fprintf(stderr, "prog_create: %d %s\n", err, msg);
        test_failed++;
    }
    return p;
}

static bool expect_failure;

static struct result run_prog(struct bpfrt_prog *p, bool verified, void *ctx, uint32_t ctx_size)
{
    struct result res;
    memset(&res, 0, sizeof(res));
    p->verified = verified;
    struct bpfrt_run *run = calloc(1, sizeof(*run));
    run->ctx = ctx;
    run->ctx_size = ctx_size;
    bpfrt_run_begin(run, p);
    res.rc = bpfrt_prog_run(p, run, (uint64_t)(uintptr_t)ctx, ctx_size, &res.r0);
    res.error = run->error;
    snprintf(res.msg, sizeof(res.msg), "%s", run->error_msg);
    bpfrt_run_end(run);
    free(run);
    if (res.rc && !expect_failure)
        fprintf(stderr, "run failed (%s): %d %s\n", verified ? "unchecked" : "checked", res.rc, res.msg);
    return res;
}

static struct bpfrt_map *mkmap(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
    union bpf_attr attr = kbpf_map_attr(type, ks, vs, max, 0);
    struct bpfrt_map *m = NULL;
    if (bpfrt_map_create(rt, &attr, NULL, NULL, &m)) {
        fprintf(stderr, "map create type %u failed\n", type);
        test_failed++;
    }
    return m;
}

static void test_map_update_lookup(void)
{
    struct bpfrt_map *m = mkmap(BPF_MAP_TYPE_HASH, 4, 8, 8);
    if (!m)
        return;
    const struct bpf_insn prog[] = {
        ST32(10, -4, 1),             /* key = 1 */
        ST64(10, -16, 77),           /* value = 77 */
        LDMAP(1, m),
        MOVR(2, 10), ADDI(2, -4),
        MOVR(3, 10), ADDI(3, -16),
        MOVI(4, BPF_ANY),
        CALL(BPF_FUNC_map_update_elem),
        JNEI(0, 0, 8),               /* update failed -> return -1 */
        LDMAP(1, m),
        MOVR(2, 10), ADDI(2, -4),
        CALL(BPF_FUNC_map_lookup_elem),
        JEQI(0, 0, 2),
        LDX64(0, 0, 0),              /* r0 = *value */
        EXIT(),
        MOVI(0, -1),
        EXIT(),
    };
    struct bpfrt_prog *p = mkprog(prog, sizeof(prog) / sizeof(prog[0]));
    if (p) {
        for (int v = 0; v < 2; v++) {
            struct result r = run_prog(p, v, NULL, 0);
            CHECK_EQ(r.rc, 0);
            CHECK_EQ(r.r0, 77);
        }
        bpfrt_prog_put(p);
    }
    uint32_t k = 1;
    uint64_t out = 0;
    CHECK_EQ(bpfrt_map_lookup(m, &k, &out, 0), 0);
    CHECK_EQ(out, 77);
    bpfrt_map_put(m);
}

struct rec_log {
    int n;
    size_t size;
    uint64_t first;
};

static int collect(void *arg, const void *data, size_t size)
{
    struct rec_log *lg = arg;
    if (lg->n++ == 0) {
        lg->size = size;
        memcpy(&lg->first, data, size < 8 ? size : 8);
    }
    return 0;
}

static void test_ringbuf_prog(void)
{
    struct bpfrt_map *rb = mkmap(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
    if (!rb)
        return;
    const struct bpf_insn prog[] = {
        LDMAP(1, rb),
        MOVI(2, 8),
        MOVI(3, 0),
        CALL(BPF_FUNC_ringbuf_reserve),
        JEQI(0, 0, 6),
        ST64(0, 0, 0x1234),
        MOVR(1, 0),
        MOVI(2, 0),
        CALL(BPF_FUNC_ringbuf_submit),
        MOVI(0, 1),
        EXIT(),
        MOVI(0, 0),
        EXIT(),
    };
    struct bpfrt_prog *p = mkprog(prog, sizeof(prog) / sizeof(prog[0]));
    if (p) {
        for (int v = 0; v < 2; v++) {
            struct result r = run_prog(p, v, NULL, 0);
            CHECK_EQ(r.rc, 0);
            CHECK_EQ(r.r0, 1);
            struct rec_log lg = { 0 };
            CHECK_EQ(bpfrt_ringbuf_consume(rb, collect, &lg), 1);
            CHECK_EQ(lg.size, 8);
            CHECK_EQ(lg.first, 0x1234);
        }
        bpfrt_prog_put(p);
    }
    /* checked: writing past the reserved 8 bytes stops the run */
    const struct bpf_insn bad[] = {
        LDMAP(1, rb),
        MOVI(2, 8),
        MOVI(3, 0),
        CALL(BPF_FUNC_ringbuf_reserve),
        JEQI(0, 0, 5),
        ST64(0, 8, 1),               /* out of the record */
        MOVR(1, 0),
        MOVI(2, 0),
        CALL(BPF_FUNC_ringbuf_discard),
        MOVI(0, 0),
        EXIT(),
    };
    p = mkprog(bad, sizeof(bad) / sizeof(bad[0]));
    if (p) {
        expect_failure = true;
        struct result r = run_prog(p, false, NULL, 0);
        expect_failure = false;
        CHECK(r.rc != 0);
        CHECK_EQ(r.error, BPFRT_RUN_BAD_ACCESS);
        bpfrt_prog_put(p);
    }
    bpfrt_map_put(rb);
}

static void test_bpf_loop(void)
{
    /* main: ctx (u64 on the stack) = 0; n = bpf_loop(10, cb, &ctx, 0);
     *       return ctx * 1000 + n
     * cb(i, ctx): *ctx += i; return i == 6  (stop after index 6) */
    const struct bpf_insn prog[] = {
        ST64(10, -8, 0),
        MOVI(1, 10),
        LDFUNC(2, 10),               /* insn 2 -> 2 + 1 + 10 = 13 */
        MOVR(3, 10), ADDI(3, -8),
        MOVI(4, 0),
        CALL(BPF_FUNC_loop),
        MOVR(6, 0),
        LDX64(0, 10, -8),
        MULI(0, 1000),
        ADDR(0, 6),
        EXIT(),
        /* 13: callback */
        LDX64(3, 2, 0),
        ADDR(3, 1),
        STX64(2, 3, 0),
        MOVI(0, 0),
        JNEI(1, 6, 1),
        MOVI(0, 1),
        EXIT(),
    };
    struct bpfrt_prog *p = mkprog(prog, sizeof(prog) / sizeof(prog[0]));
    if (!p)
        return;
    for (int v = 0; v < 2; v++) {
        struct result r = run_prog(p, v, NULL, 0);
        CHECK_EQ(r.rc, 0);
        CHECK_EQ(r.r0, 21 * 1000 + 7); /* 0+1+...+6, 7 iterations */
    }
    bpfrt_prog_put(p);
}

static void test_for_each_map_elem(void)
{
    struct bpfrt_map *m = mkmap(BPF_MAP_TYPE_ARRAY, 4, 8, 4);
    if (!m)
        return;
    for (uint32_t k = 0; k < 4; k++) {
        uint64_t v = k + 1;
        bpfrt_map_update(m, &k, &v, BPF_ANY);
    }
    /* main: ctx = 0; n = for_each(m, cb, &ctx, 0); return ctx * 100 + n
     * cb(map, key, value, ctx): *ctx += *value; return *key == stop_key */
    for (int stop = 0; stop < 2; stop++) {
        const struct bpf_insn prog[] = {
            ST64(10, -8, 0),
            LDMAP(1, m),
            LDFUNC(2, 10),           /* insn 3 -> 3 + 1 + 10 = 14 */
            MOVR(3, 10), ADDI(3, -8),
            MOVI(4, 0),
            CALL(BPF_FUNC_for_each_map_elem),
            MOVR(6, 0),
            LDX64(0, 10, -8),
            MULI(0, 100),
            ADDR(0, 6),
            EXIT(),
            /* 14: callback */
            LDX64(5, 3, 0),
            LDX64(6, 4, 0),
            ADDR(6, 5),
            STX64(4, 6, 0),
            MOVI(0, 0),
            LDX32(5, 2, 0),
            JNEI(5, stop ? 1 : 99, 1),
            MOVI(0, 1),
            EXIT(),
        };
        struct bpfrt_prog *p = mkprog(prog, sizeof(prog) / sizeof(prog[0]));
        if (!p)
            continue;
        for (int v = 0; v < 2; v++) {
            struct result r = run_prog(p, v, NULL, 0);
            CHECK_EQ(r.rc, 0);
            /* all: 1+2+3+4 over 4 elements; stop at key 1: 1+2 over 2 */
            CHECK_EQ(r.r0, stop ? 3 * 100 + 2 : 10 * 100 + 4);
        }
        bpfrt_prog_put(p);
    }
    bpfrt_map_put(m);
}

static char printed[256];
static void sink(void *arg, const char *line, size_t len)
{
    snprintf(printed, sizeof(printed), "%.*s", (int)len, line);
}

static void test_trace_printk_prog(void)
{
    /* "n=%d\n\0" built on the stack, then bpf_trace_printk(fmt, 6, 5) */
    uint64_t fmt = 0;
    memcpy(&fmt, "n=%d\n", 6);
    const struct bpf_insn prog[] = {
        LD64(1, 0, fmt),
        STX64(10, 1, -8),
        MOVR(1, 10), ADDI(1, -8),
        MOVI(2, 6),
        MOVI(3, 5),
        CALL(BPF_FUNC_trace_printk),
        EXIT(),
    };
    struct bpfrt_prog *p = mkprog(prog, sizeof(prog) / sizeof(prog[0]));
    if (!p)
        return;
    bpfrt_runtime_set_trace_sink(rt, sink, NULL);
    for (int v = 0; v < 2; v++) {
        printed[0] = 0;
        struct result r = run_prog(p, v, NULL, 0);
        CHECK_EQ(r.rc, 0);
        CHECK_EQ(r.r0, 4); /* "n=5\n" */
        CHECK_STR(printed, "n=5");
    }
    bpfrt_runtime_set_trace_sink(rt, NULL, NULL);
    bpfrt_prog_put(p);
}

static void test_tail_call_limit(void)
{
    struct bpfrt_map *pa = mkmap(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1);
    struct bpfrt_map *cnt = mkmap(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    if (!pa || !cnt) {
        if (pa)
            bpfrt_map_put(pa);
        if (cnt)
            bpfrt_map_put(cnt);
        return;
    }
    /* count[0]++; bpf_tail_call(ctx, pa, 0) (itself); return 42 */
    const struct bpf_insn prog[] = {
        MOVR(6, 1),
        ST32(10, -4, 0),
        LDMAP(1, cnt),
        MOVR(2, 10), ADDI(2, -4),
        CALL(BPF_FUNC_map_lookup_elem),
        JEQI(0, 0, 3),
        LDX64(1, 0, 0),
        ADDI(1, 1),
        STX64(0, 1, 0),
        MOVR(1, 6),
        LDMAP(2, pa),
        MOVI(3, 0),
        CALL(BPF_FUNC_tail_call),
        MOVI(0, 42),
        EXIT(),
    };
    struct bpfrt_prog *p = mkprog(prog, sizeof(prog) / sizeof(prog[0]));
    if (!p) {
        bpfrt_map_put(pa);
        bpfrt_map_put(cnt);
        return;
    }
    uint32_t k = 0;
    CHECK_EQ(bpfrt_map_update_prog(pa, &k, p, BPF_ANY), 0);
    uint8_t ctx[16] = { 0 };
    for (int v = 0; v < 2; v++) {
        uint64_t zero = 0, count = 0;
        bpfrt_map_update(cnt, &k, &zero, BPF_ANY);
        struct result r = run_prog(p, v, ctx, sizeof(ctx));
        CHECK_EQ(r.rc, 0);
        CHECK_EQ(r.r0, 42);
        bpfrt_map_lookup(cnt, &k, &count, 0);
        CHECK_EQ(count, 1 + BPFRT_MAX_TAIL_CALLS); /* 34 executions */
    }
    bpfrt_map_delete(pa, &k); /* drops the array's reference on p */
    bpfrt_prog_put(p);
    bpfrt_map_put(pa);
    bpfrt_map_put(cnt);
}

static uint64_t app_mul(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                        struct bpfrt_run *run)
{
    return a * b + (run != NULL); /* run is passed to application helpers too */
}

static uint64_t fake_clock(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                           struct bpfrt_run *run)
{
    return 424242;
}

/* Application helpers: a new id, and a replaced built-in, called by
 * programs prepared after the registration. */
static void test_application_helpers(void)
{
    struct bpfrt_helper_proto mul = {
        .id = 0x10001, .name = "app_mul", .fn = app_mul, .ret_type = RET_INTEGER,
        .arg_type = { ARG_ANYTHING, ARG_ANYTHING }, .prog_types = BPFRT_ALL_PROG_TYPES,
    };
    CHECK_EQ(bpfrt_helper_register(rt, &mul), 0);
    const struct bpf_insn prog[] = {
        MOVI(1, 6),
        MOVI(2, 7),
        CALL(0x10001),
        EXIT(),
    };
    struct bpfrt_prog *p = mkprog(prog, 4);
    if (p) {
        for (int v = 0; v < 2; v++) {
            struct result r = run_prog(p, v, NULL, 0);
            CHECK_EQ(r.rc, 0);
            CHECK_EQ(r.r0, 43);
        }
        bpfrt_prog_put(p);
    }
    struct bpfrt_helper_proto clk = {
        .id = BPF_FUNC_ktime_get_ns, .name = "bpf_ktime_get_ns", .fn = fake_clock,
        .ret_type = RET_INTEGER, .prog_types = BPFRT_ALL_PROG_TYPES,
    };
    CHECK_EQ(bpfrt_helper_register(rt, &clk), 0);
    const struct bpf_insn prog2[] = { CALL(BPF_FUNC_ktime_get_ns), EXIT() };
    p = mkprog(prog2, 2);
    if (p) {
        struct result r = run_prog(p, false, NULL, 0);
        CHECK_EQ(r.rc, 0);
        CHECK_EQ(r.r0, 424242);
        bpfrt_prog_put(p);
    }
    /* an id nobody registered stops an unverified program */
    const struct bpf_insn prog3[] = { CALL(0x10002), EXIT() };
    char msg[256];
    struct bpfrt_prog *q = NULL;
    int err = bpfrt_prog_create(rt, prog3, 2, BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &q);
    if (err == 0) {
        expect_failure = true;
        struct result r = run_prog(q, false, NULL, 0);
        expect_failure = false;
        CHECK(r.rc != 0);
        CHECK_EQ(r.error, BPFRT_RUN_UNKNOWN_HELPER);
        bpfrt_prog_put(q);
    } else {
        CHECK(err < 0); /* or refused when the program is prepared */
    }
}

int main(void)
{
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &rt) != 0) {
        fprintf(stderr, "runtime_create failed\n");
        return 1;
    }
    RUN(test_map_update_lookup);
    RUN(test_ringbuf_prog);
    RUN(test_bpf_loop);
    RUN(test_for_each_map_elem);
    RUN(test_trace_printk_prog);
    RUN(test_tail_call_limit);
    RUN(test_application_helpers);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
