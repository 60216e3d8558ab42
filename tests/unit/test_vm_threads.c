/* Concurrency: one program object run by several threads at once (checked
 * and unchecked), each run with its own struct bpfrt_run. The program looks
 * up a shared array value and adds to it atomically, runs bpf_loop
 * callbacks and a local call: the decoded program is shared read-only, all
 * run state is per run, so the sum is exact - and so is run_cnt, counted
 * (atomically) only once statistics are enabled (BPF_ENABLE_STATS), as in
 * Linux. Runs under ThreadSanitizer (label tsan). */
#include <pthread.h>

#include "bpfrt/bpf.h"
#include "kernel_bpf.h"
#include "test_vm_util.h"

#define THREADS 4
#define ITERS 2000

static struct bpfrt_prog *prog;
static int failures;

static void *worker(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    struct bpfrt_run *run = calloc(1, sizeof(*run));
    for (int i = 0; i < ITERS; i++) {
        memset(run, 0, sizeof(*run));
        bpfrt_run_begin(run, prog);
        uint64_t r0 = 0;
        int rc = bpfrt_prog_run(prog, run, id, 0, &r0);
        bpfrt_run_end(run);
        /* r0 = 7 * 3 from the local call, plus the 5 loop iterations */
        if (rc != 0 || r0 != 26) {
            fprintf(stderr, "thread %lu run %d: rc %d r0 %llu %s\n", (unsigned long)id, i, rc,
                    (unsigned long long)r0, run->error_msg);
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    free(run);
    return NULL;
}

static void run_threads(void)
{
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
}

static void test_shared_program(void)
{
    if (!bpfrt_helper_find(vt_rt, 1) || !bpfrt_helper_find(vt_rt, 181)) {
        printf("SKIP: no bpf_map_lookup_elem / bpf_loop\n");
        return;
    }
    union bpf_attr a = kbpf_map_attr(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0);
    struct bpfrt_map *map = NULL;
    CHECK_EQ(bpfrt_map_create(vt_rt, &a, NULL, NULL, &map), 0);
    if (!map)
        return;
    const struct bpf_insn p[] = {
        /* 0 */ ST(BPF_W, 10, -4, 0),
        /* 1 */ LD_IMM64_RAW(1, BPF_PSEUDO_MAP_FD, (uint64_t)(uintptr_t)map),
        /* 3 */ MOV64_REG(2, 10),
        /* 4 */ ALU64_IMM(BPF_ADD, 2, -4),
        /* 5 */ CALL_HELPER(1),
        /* 6 */ JMP_IMM(BPF_JEQ, 0, 0, 12),
        /* 7 */ MOV64_IMM(1, 1),
        /* 8 */ ATOMIC(BPF_DW, BPF_ADD, 0, 1, 0),
        /* 9 */ MOV64_IMM(1, 7),
        /* 10 */ CALL_LOCAL(9),
        /* 11 */ MOV64_REG(6, 0),
        /* 12 */ MOV64_IMM(1, 5),
        /* 13 */ LD_IMM64_RAW(2, BPF_PSEUDO_FUNC, 10),
        /* 15 */ MOV64_IMM(3, 0),
        /* 16 */ MOV64_IMM(4, 0),
        /* 17 */ CALL_HELPER(181),
        /* 18 */ ALU64_REG(BPF_ADD, 0, 6),
        /* 19 */ EXIT(),
        /* 20: f(x) = 3x, through its stack */ STX(BPF_DW, 10, 1, -8),
        /* 21 */ LDX(BPF_DW, 0, 10, -8),
        /* 22 */ ALU64_IMM(BPF_MUL, 0, 3),
        /* 23 */ EXIT(),
        /* 24: callback: continue */ MOV64_IMM(0, 0),
        /* 25 */ EXIT(),
    };
    char msg[256];
    CHECK_EQ(bpfrt_prog_create(vt_rt, p, sizeof(p) / sizeof(p[0]), BPF_PROG_TYPE_UNSPEC, msg, sizeof(msg), &prog), 0);
    if (!prog) {
        fprintf(stderr, "%s\n", msg);
        bpfrt_map_put(map);
        return;
    }
    const struct bpfrt_platform *plat = bpfrt_runtime_platform(vt_rt);
    prog->maps = plat->alloc(plat->ctx, sizeof(*prog->maps), 16);
    bpfrt_map_get(map);
    prog->maps[0] = map;
    prog->nr_maps = 1;

    run_threads(); /* checked, statistics off: nothing counted */
    CHECK_EQ(prog->run_cnt, 0);
    CHECK_EQ(prog->run_time_ns, 0);
    union bpf_attr st;
    memset(&st, 0, sizeof(st));
    st.enable_stats.type = BPF_STATS_RUN_TIME;
    long stats = bpfrt_bpf(vt_rt, BPF_ENABLE_STATS, &st, sizeof(st));
    CHECK(stats >= 0);
    run_threads(); /* checked, counted */
    prog->verified = true;
    run_threads(); /* unchecked, counted */
    bpfrt_close(vt_rt, (int)stats);
    CHECK_EQ(failures, 0);
    uint32_t key = 0;
    uint64_t total = 0;
    CHECK_EQ(bpfrt_map_lookup(map, &key, &total, 0), 0);
    CHECK_EQ(total, 3ull * THREADS * ITERS);
    CHECK_EQ(prog->run_cnt, 2ull * THREADS * ITERS);
    CHECK(prog->run_time_ns > 0);
    bpfrt_prog_put(prog);
    bpfrt_map_put(map);
}

int main(void)
{
    vt_setup();
    RUN(test_shared_program);
    vt_teardown();
    return test_summary();
}
