/* Real programs on several threads at once: each thread runs, through the
 * interpreter (checked mode) and the built-in helpers, a program that looks
 * up its counter and increments it - with an atomic add in shared ARRAY and
 * HASH values, with a plain load/add/store in its own PERCPU_ARRAY copy -
 * while another program deletes and re-creates HASH keys. Every increment
 * must be counted. Labelled tsan. */
#include <pthread.h>

#include "test.h"
#include "test_map_util.h"

#include "bpfrt/insn.h"
#include "bpfrt/prog.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LD_MAP(d, map) \
    INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, (int32_t)(uint32_t)(uintptr_t)(map)), \
    INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(uintptr_t)(map) >> 32))
#define ST_W(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define ST_DW(d, o, i) INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define CALL(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define LDX_DW(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define STX_DW(d, s, o) INSN(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define XADD_DW(d, s, o) INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

enum { THREADS = 4 };
static long iters;

static struct bpfrt_prog *load(const struct bpf_insn *insns, uint32_t n, struct bpfrt_map *map)
{
    char msg[256];
    struct bpfrt_prog *p = NULL;
    int err = bpfrt_prog_create(rt, insns, n, BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &p);
    if (err) {
        fprintf(stderr, "prog create failed: %d %s\n", err, msg);
        test_failed++;
        return NULL;
    }
    const struct bpfrt_platform *plat = bpfrt_runtime_platform(rt);
    p->maps = plat->alloc(plat->ctx, sizeof(*p->maps), 16);
    bpfrt_map_get(map);
    p->maps[0] = map;
    p->nr_maps = 1;
    return p;
}

/* key = k; v = lookup(map, &k); if (v) atomic v[0] += 1 (or plain, per-CPU) */
static struct bpfrt_prog *counter_prog(struct bpfrt_map *map, uint32_t key, int atomic)
{
    struct bpf_insn insns[] = {
        ST_W(10, -4, (int32_t)key),
        LD_MAP(1, map),
        MOV_REG(2, 10),
        ADD_IMM(2, -4),
        CALL(1),                 /* bpf_map_lookup_elem */
        JEQ_IMM(0, 0, 4),
        MOV_IMM(1, 1),
        atomic ? XADD_DW(0, 1, 0) : LDX_DW(1, 0, 0),
        atomic ? MOV_IMM(1, 0) : ADD_IMM(1, 1),
        atomic ? MOV_IMM(1, 0) : STX_DW(0, 1, 0),
        MOV_IMM(0, 0),
        EXIT(),
    };
    return load(insns, sizeof(insns) / sizeof(insns[0]), map);
}

/* delete(map, &k); value = 0; update(map, &k, &value, BPF_ANY) */
static struct bpfrt_prog *churn_prog(struct bpfrt_map *map, uint32_t key)
{
    struct bpf_insn insns[] = {
        ST_W(10, -4, (int32_t)key),
        LD_MAP(1, map),
        MOV_REG(2, 10),
        ADD_IMM(2, -4),
        CALL(3),                 /* bpf_map_delete_elem */
        ST_DW(10, -16, 0),
        LD_MAP(1, map),
        MOV_REG(2, 10),
        ADD_IMM(2, -4),
        MOV_REG(3, 10),
        ADD_IMM(3, -16),
        MOV_IMM(4, BPF_ANY),
        CALL(2),                 /* bpf_map_update_elem */
        EXIT(),
    };
    return load(insns, sizeof(insns) / sizeof(insns[0]), map);
}

struct runner {
    struct bpfrt_prog *prog;
    long runs, failures;
};

static void *run_many(void *p)
{
    struct runner *r = p;
    for (long i = 0; i < r->runs; i++) {
        struct bpfrt_run *run = calloc(1, sizeof(*run));
        uint64_t ret = 1;
        bpfrt_run_begin(run, r->prog);
        int rc = bpfrt_prog_run(r->prog, run, 0, 0, &ret);
        bpfrt_run_end(run);
        if (rc != 0) {
            if (r->failures == 0)
                fprintf(stderr, "run failed: %d %s\n", rc, run->error_msg);
            r->failures++;
        }
        free(run);
    }
    return NULL;
}

static long run_threads(struct runner *r, int n)
{
    pthread_t t[THREADS + 1];
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, run_many, &r[i]);
    long failures = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        failures += r[i].failures;
    }
    return failures;
}

static void test_shared_counter(uint32_t type)
{
    struct bpfrt_map *m = mk(type, 4, 8, 4, 0);
    if (!m)
        return;
    uint32_t k = 3;
    uint64_t zero = 0;
    CHECK_EQ(bpfrt_map_update(m, &k, &zero, BPF_ANY), 0);
    struct bpfrt_prog *p = counter_prog(m, k, 1);
    if (!p)
        return;
    struct runner r[THREADS];
    for (int i = 0; i < THREADS; i++)
        r[i] = (struct runner){ p, iters, 0 };
    CHECK_EQ(run_threads(r, THREADS), 0);
    uint64_t out = 0;
    CHECK_EQ(bpfrt_map_lookup(m, &k, &out, 0), 0);
    CHECK_EQ(out, THREADS * iters);
    bpfrt_prog_put(p);
    bpfrt_map_put(m);
}

static void test_array_counter(void) { test_shared_counter(BPF_MAP_TYPE_ARRAY); }
static void test_hash_counter(void) { test_shared_counter(BPF_MAP_TYPE_HASH); }

static void test_percpu_counter(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
    if (!m)
        return;
    struct bpfrt_prog *p = counter_prog(m, 0, 0);
    if (!p)
        return;
    struct runner r[THREADS];
    for (int i = 0; i < THREADS; i++)
        r[i] = (struct runner){ p, iters, 0 };
    CHECK_EQ(run_threads(r, THREADS), 0);
    unsigned n = rt_ncpus();
    uint64_t *vals = calloc(n, 8), sum = 0;
    uint32_t k = 0;
    CHECK_EQ(bpfrt_map_lookup(m, &k, vals, 0), 0);
    for (unsigned c = 0; c < n; c++)
        sum += vals[c];
    CHECK_EQ(sum, THREADS * iters); /* plain adds on exclusive CPU slots lose nothing */
    free(vals);
    bpfrt_prog_put(p);
    bpfrt_map_put(m);
}

/* Counters on a key other programs keep deleting and re-creating: runs never
 * fault (the value pointer stays valid for the whole run), and increments
 * on the stable key all land. */
static void test_churn(void)
{
    struct bpfrt_map *m = mk(BPF_MAP_TYPE_HASH, 4, 8, 8, 0);
    if (!m)
        return;
    uint32_t stable = 1, churned = 2;
    uint64_t zero = 0;
    CHECK_EQ(bpfrt_map_update(m, &stable, &zero, BPF_ANY), 0);
    CHECK_EQ(bpfrt_map_update(m, &churned, &zero, BPF_ANY), 0);
    struct bpfrt_prog *inc_stable = counter_prog(m, stable, 1);
    struct bpfrt_prog *inc_churned = counter_prog(m, churned, 1);
    struct bpfrt_prog *churn = churn_prog(m, churned);
    if (!inc_stable || !inc_churned || !churn)
        return;
    struct runner r[THREADS] = {
        { inc_stable, iters, 0 },
        { inc_churned, iters, 0 },
        { churn, iters, 0 },
        { inc_stable, iters, 0 },
    };
    CHECK_EQ(run_threads(r, THREADS), 0);
    uint64_t out = 0;
    CHECK_EQ(bpfrt_map_lookup(m, &stable, &out, 0), 0);
    CHECK_EQ(out, 2 * iters);
    CHECK_EQ(bpfrt_map_lookup(m, &churned, &out, 0), 0);
    CHECK(out <= (uint64_t)iters);
    bpfrt_prog_put(inc_stable);
    bpfrt_prog_put(inc_churned);
    bpfrt_prog_put(churn);
    bpfrt_map_put(m);
}

int main(void)
{
    iters = map_thread_iters();
    rt_setup();
    if (!bpfrt_helper_find(rt, 1) || !bpfrt_helper_find(rt, 2) || !bpfrt_helper_find(rt, 3))
        TEST_SKIP("map helpers not registered");
    RUN(test_array_counter);
    RUN(test_hash_counter);
    RUN(test_percpu_counter);
    RUN(test_churn);
    rt_teardown();
    return test_summary();
}
