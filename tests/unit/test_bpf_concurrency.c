/* The object table under concurrent use: threads create, pin, look up by
 * id, test-run and close objects at the same time. Checks the final state
 * (no handle, pin or object left) and, under TSan (ctest -L tsan), races. */
#include <pthread.h>

#include "test.h"
#include "bpf_test_util.h"

#define THREADS 4

static struct bpfrt_runtime *rt;
static int iters = 300;
static int failures;

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    char path[64];
    uint8_t frame[60] = { 0 };
    for (int i = 0; i < iters; i++) {
        long m = create_map(rt, BPF_MAP_TYPE_HASH, 4, 8, 8);
        uint32_t k = (uint32_t)i;
        uint64_t v = (uint64_t)id << 32 | (uint32_t)i, out = 0;
        if (m < 0 || map_update(rt, m, &k, &v, BPF_ANY) != 0 || map_lookup(rt, m, &k, &out) != 0 || out != v)
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        snprintf(path, sizeof(path), "/sys/fs/bpf/t%d/%d", id, i);
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.pathname = ptr(path);
        a.bpf_fd = (uint32_t)m;
        if (bpfrt_bpf(rt, BPF_OBJ_PIN, &a, sizeof(a)) != 0)
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);

        /* walk every map id and open some of them (they may vanish meanwhile) */
        uint32_t start = 0;
        for (int n = 0; n < 64; n++) {
            memset(&a, 0, sizeof(a));
            a.start_id = start;
            if (bpfrt_bpf(rt, BPF_MAP_GET_NEXT_ID, &a, sizeof(a)) != 0)
                break;
            start = a.next_id;
            if (n % 4 == 0) {
                union bpf_attr g;
                memset(&g, 0, sizeof(g));
                g.map_id = start;
                long h = bpfrt_bpf(rt, BPF_MAP_GET_FD_BY_ID, &g, sizeof(g));
                if (h >= 0)
                    bpfrt_close(rt, (int)h);
                else if (h != -BPFRT_ENOENT)
                    __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
            }
        }

        /* a program using the map, run once */
        struct bpf_insn p[] = { LD_MAP_FD(1, (int32_t)m), MOV64_IMM(0, XDP_PASS), EXIT() };
        long prog = load_prog(rt, BPF_PROG_TYPE_XDP, p, NR(p));
        memset(&a, 0, sizeof(a));
        a.test.prog_fd = (uint32_t)prog;
        a.test.data_in = ptr(frame);
        a.test.data_size_in = sizeof(frame);
        if (prog < 0 || bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)) != 0 || a.test.retval != XDP_PASS)
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        bpfrt_close(rt, (int)prog);
        bpfrt_close(rt, (int)m);
        if (i % 2 && bpfrt_obj_unpin(rt, path) != 0)
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_concurrent_objects(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(failures, 0);
    CHECK_EQ(bpfrt_handle_count(rt), 0);
    /* the pins left (even iterations) keep their maps visible */
    union bpf_attr a;
    uint32_t start = 0, seen = 0;
    for (;;) {
        memset(&a, 0, sizeof(a));
        a.start_id = start;
        if (bpfrt_bpf(rt, BPF_MAP_GET_NEXT_ID, &a, sizeof(a)) != 0)
            break;
        start = a.next_id;
        seen++;
    }
    CHECK_EQ(seen, THREADS * (uint32_t)((iters + 1) / 2));
    memset(&a, 0, sizeof(a));
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_GET_NEXT_ID, &a, sizeof(a)), -BPFRT_ENOENT);
}

int main(void)
{
    const char *env = getenv("BPFRT_FUZZ_ITERS");
    if (env && atoi(env) > 0 && atoi(env) < 300)
        iters = atoi(env);
    rt = new_rt();
    RUN(test_concurrent_objects);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
