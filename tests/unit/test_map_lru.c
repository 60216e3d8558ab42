/* LRU_HASH / LRU_PERCPU_HASH with BPF_F_NO_COMMON_LRU: per-CPU LRU lists as
 * in Linux 6.18 (kernel/bpf/bpf_lru_list.c percpu mode). Each CPU owns
 * max_entries / ncpus slots; an insert on CPU c with no free slot of its own
 * evicts up to 4 unreferenced elements (PERCPU_FREE_TARGET) from the tail of
 * CPU c's inactive list, even when the map as a whole has room, and it does
 * so before looking at the update flags.
 *
 * The expected key sets below were worked out by hand from Linux's rules
 * (rotation of the active/inactive lists, then the shrink); every step also
 * runs on the kernel when bpf(2) is allowed: user-space commands with this
 * process pinned to CPU 0 (bpfrt's user-space updates use CPU 0's list), and
 * program-side updates/lookups through a raw_tracepoint program test-run
 * with BPF_F_TEST_RUN_ON_CPU. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "test.h"
#include "test_map_util.h"

static const struct bpfrt_platform *plat(void) { return bpfrt_runtime_platform(rt); }
static void rlock(void) { plat()->read_lock(plat()->ctx); }
static void runlock(void) { plat()->read_unlock(plat()->ctx); }

enum { SHARE = 8, PROG_CPU = 1, KEY_SPAN = 200 };

/* The kernel's number of possible CPUs (its per-CPU share divides by it). */
static unsigned kernel_possible_cpus(void)
{
    FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
    unsigned lo = 0, hi = 0;
    int n = f ? fscanf(f, "%u-%u", &lo, &hi) : 0;
    if (f)
        fclose(f);
    return n == 2 ? hi + 1 : n == 1 ? lo + 1 : 0;
}

/* ---- a map on bpfrt and (when possible) the same map on the kernel ---- */
struct pair {
    struct bpfrt_map *m;
    int kfd;   /* -1: bpfrt only */
    int kprog; /* raw_tp program touching kfd from a chosen CPU, or -1 */
};

static bool kernel_ok; /* bpf(2) allowed, same CPU count, pinned to CPU 0 */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* ctx = u64 { op, key, flags }: op 0 returns bpf_map_update_elem(map, &key,
 * &(u64)0, flags), op 1 returns whether bpf_map_lookup_elem found key (a
 * program-side lookup, which sets the element's referenced bit). */
static int load_kernel_prog(int map_fd)
{
    const struct bpf_insn insns[] = {
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),   /* r6 = ctx */
        INSN(BPF_LDX | BPF_MEM | BPF_DW, 7, 6, 8, 0),    /* r7 = ctx[1] key */
        INSN(BPF_STX | BPF_MEM | BPF_W, 10, 7, -4, 0),   /* *(u32 *)(fp - 4) = key */
        INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0),
        INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -16, 0), /* *(u64 *)(fp - 16) = 0 */
        INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd),
        INSN(0, 0, 0, 0, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),  /* r2 = &key */
        INSN(BPF_LDX | BPF_MEM | BPF_DW, 8, 6, 0, 0),    /* r8 = ctx[0] op */
        INSN(BPF_JMP | BPF_JNE | BPF_K, 8, 0, 5, 0),     /* op != 0: lookup */
        INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0),
        INSN(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -16), /* r3 = &value */
        INSN(BPF_LDX | BPF_MEM | BPF_DW, 4, 6, 16, 0),   /* r4 = ctx[2] flags */
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 2),            /* bpf_map_update_elem */
        INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
        INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 1),            /* bpf_map_lookup_elem */
        INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0),
        INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
        INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
    };
    long fd = kbpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, sizeof(insns) / sizeof(insns[0]), 0, NULL, 0);
    if (fd < 0)
        fprintf(stderr, "%s: kernel raw_tp load failed %ld (program-side steps run on bpfrt only)\n",
                test_current, fd);
    return fd < 0 ? -1 : (int)fd;
}

/* Runs the kernel program on cpu: its return value, or -9999 when the run
 * itself failed. */
static long kernel_prog_run(int prog, unsigned cpu, uint64_t op, uint32_t key, uint64_t flags)
{
    uint64_t ctx[3] = { op, key, flags };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)prog;
    a.test.ctx_in = kbpf_ptr(ctx);
    a.test.ctx_size_in = sizeof(ctx);
    a.test.flags = BPF_F_TEST_RUN_ON_CPU;
    a.test.cpu = cpu;
    long r = kbpf(BPF_PROG_TEST_RUN, &a);
    if (r < 0) {
        fprintf(stderr, "%s: kernel test run on cpu %u failed %ld\n", test_current, cpu, r);
        return -9999;
    }
    return (int32_t)a.test.retval;
}

static struct pair pair_new(uint32_t type, uint32_t max, uint32_t flags, bool with_prog)
{
    struct pair p = { mk(type, 4, 8, max, flags), -1, -1 };
    if (kernel_ok) {
        long fd = kbpf_map_create(type, 4, 8, max, flags);
        if (fd < 0)
            fprintf(stderr, "%s: kernel map create failed %ld\n", test_current, fd);
        p.kfd = fd < 0 ? -1 : (int)fd;
        if (p.kfd >= 0 && with_prog)
            p.kprog = load_kernel_prog(p.kfd);
    }
    return p;
}

static void pair_free(struct pair *p)
{
    if (p->m)
        bpfrt_map_put(p->m);
    if (p->kprog >= 0)
        close(p->kprog);
    if (p->kfd >= 0)
        close(p->kfd);
}

static void check_result(int line, const char *what, uint32_t key, long got, long want, const char *who)
{
    if (got == want) {
        test_passed++;
        return;
    }
    test_failed++;
    fprintf(stderr, "%s:%d: %s: %s key %u: %s %ld, want %ld\n", __FILE__, line, test_current, what, key, who, got,
            want);
}

/* A user-space update (all CPUs' values for a per-CPU map). */
static void user_update_at(int line, struct pair *p, uint32_t key, uint64_t flags, int want)
{
    uint64_t v[256] = { key };
    if (!p->m)
        return;
    check_result(line, "user update", key, bpfrt_map_update(p->m, &key, v, flags), want, "bpfrt");
    if (p->kfd >= 0)
        check_result(line, "user update", key, kbpf_map_elem(BPF_MAP_UPDATE_ELEM, p->kfd, &key, v, flags), want,
                     "kernel");
}
#define user_update(...) user_update_at(__LINE__, __VA_ARGS__)

static void user_delete_at(int line, struct pair *p, uint32_t key, int want)
{
    if (!p->m)
        return;
    check_result(line, "user delete", key, bpfrt_map_delete(p->m, &key), want, "bpfrt");
    if (p->kfd >= 0)
        check_result(line, "user delete", key, kbpf_map_elem(BPF_MAP_DELETE_ELEM, p->kfd, &key, NULL, 0), want,
                     "kernel");
}
#define user_delete(...) user_delete_at(__LINE__, __VA_ARGS__)

/* A program-side update on cpu. */
static void prog_update_at(int line, struct pair *p, unsigned cpu, uint32_t key, uint64_t flags, int want)
{
    uint64_t v = key;
    if (!p->m)
        return;
    rlock();
    long r = bpfrt_map_update_elem(p->m, &key, &v, flags, cpu);
    runlock();
    check_result(line, "prog update", key, r, want, "bpfrt");
    if (p->kprog >= 0)
        check_result(line, "prog update", key, kernel_prog_run(p->kprog, cpu, 0, key, flags), want, "kernel");
}
#define prog_update(...) prog_update_at(__LINE__, __VA_ARGS__)

/* A program-side lookup on cpu (marks the element referenced). */
static void prog_lookup_at(int line, struct pair *p, unsigned cpu, uint32_t key, int want_found)
{
    if (!p->m)
        return;
    rlock();
    long found = bpfrt_map_lookup_elem(p->m, &key, cpu) != NULL;
    runlock();
    check_result(line, "prog lookup", key, found, want_found, "bpfrt");
    if (p->kprog >= 0)
        check_result(line, "prog lookup", key, kernel_prog_run(p->kprog, cpu, 1, key, 0), want_found, "kernel");
}
#define prog_lookup(...) prog_lookup_at(__LINE__, __VA_ARGS__)

/* Exactly the keys in want[] (keys below KEY_SPAN) are in the map, checked
 * with user-space lookups (which leave the referenced bits alone). */
static void expect_keys_at(int line, struct pair *p, const uint32_t *want, size_t nwant)
{
    uint64_t v[256];
    if (!p->m)
        return;
    int bad_b = 0, bad_k = 0;
    for (uint32_t k = 0; k < KEY_SPAN; k++) {
        bool expected = false;
        for (size_t i = 0; i < nwant; i++)
            expected |= want[i] == k;
        bool in_b = bpfrt_map_lookup(p->m, &k, v, 0) == 0;
        if (in_b != expected && bad_b++ < 4)
            fprintf(stderr, "%s:%d: %s: key %u: bpfrt %s\n", __FILE__, line, test_current, k,
                    in_b ? "present, want absent" : "absent, want present");
        if (p->kfd >= 0) {
            bool in_k = kbpf_map_elem(BPF_MAP_LOOKUP_ELEM, p->kfd, &k, v, 0) == 0;
            if (in_k != expected && bad_k++ < 4)
                fprintf(stderr, "%s:%d: %s: key %u: kernel %s\n", __FILE__, line, test_current, k,
                        in_k ? "present, want absent" : "absent, want present");
        }
    }
    if (bad_b)
        test_failed++;
    else
        test_passed++;
    if (p->kfd >= 0) {
        if (bad_k)
            test_failed++;
        else
            test_passed++;
    }
}
#define expect_keys(p, ...)                                                            \
    do {                                                                               \
        const uint32_t want_[] = { __VA_ARGS__ };                                      \
        expect_keys_at(__LINE__, p, want_, sizeof(want_) / sizeof(want_[0]));          \
    } while (0)

/* User-space inserts all land on CPU 0's share of 8. The 9th evicts the 4
 * oldest (one shrink frees PERCPU_FREE_TARGET) although the map (8 * ncpus)
 * is far from full; then a BPF_NOEXIST insert of the oldest existing key
 * succeeds, because taking the slot evicted that key first. A common-LRU
 * map given the same commands keeps everything. */
static void test_user_side_share(void)
{
    unsigned n = rt_ncpus();
    struct pair p = pair_new(BPF_MAP_TYPE_LRU_HASH, SHARE * n, BPF_F_NO_COMMON_LRU, false);
    struct pair c = pair_new(BPF_MAP_TYPE_LRU_HASH, SHARE * n, 0, false);
    for (uint32_t k = 1; k <= 8; k++) {
        user_update(&p, k, BPF_ANY, 0);
        user_update(&c, k, BPF_ANY, 0);
    }
    expect_keys(&p, 1, 2, 3, 4, 5, 6, 7, 8);
    user_update(&p, 9, BPF_NOEXIST, 0);
    user_update(&c, 9, BPF_NOEXIST, 0);
    if (n >= 2) {
        expect_keys(&p, 5, 6, 7, 8, 9); /* 1..4 evicted from CPU 0's inactive tail */
        expect_keys(&c, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        for (uint32_t k = 10; k <= 12; k++)
            user_update(&p, k, BPF_NOEXIST, 0); /* the 3 slots left free */
        expect_keys(&p, 5, 6, 7, 8, 9, 10, 11, 12);
        /* NOEXIST on key 5: the slot is taken first, evicting 5..8. */
        user_update(&p, 5, BPF_NOEXIST, 0);
        user_update(&c, 5, BPF_NOEXIST, -BPFRT_EEXIST);
        expect_keys(&p, 5, 9, 10, 11, 12);
        /* NOEXIST on 12: a free slot is there, nothing is evicted, -EEXIST. */
        user_update(&p, 12, BPF_NOEXIST, -BPFRT_EEXIST);
        user_update(&p, 9, BPF_EXIST, 0); /* replaced: new element, old slot back */
        user_delete(&p, 10, 0);
        user_delete(&p, 10, -BPFRT_ENOENT);
        expect_keys(&p, 5, 9, 11, 12);
        /* 4 in use, 4 free: four more inserts evict nothing. */
        for (uint32_t k = 20; k < 24; k++)
            user_update(&p, k, BPF_ANY, 0);
        expect_keys(&p, 5, 9, 11, 12, 20, 21, 22, 23);
    }
    pair_free(&p);
    pair_free(&c);
}

/* LRU_PERCPU_HASH: an update of an existing key with BPF_EXIST changes the
 * values in place, takes no slot and marks the element referenced; with
 * BPF_ANY Linux takes a slot first (evicting when the CPU has none free) and
 * then gives it back. Here the rotation before that eviction moves the
 * marked 8 and 1 to the active list, and the shrink takes 2..5. */
static void test_percpu_values_share(void)
{
    unsigned n = rt_ncpus();
    if (n < 2)
        return;
    struct pair p = pair_new(BPF_MAP_TYPE_LRU_PERCPU_HASH, SHARE * n, BPF_F_NO_COMMON_LRU, false);
    for (uint32_t k = 1; k <= 8; k++)
        user_update(&p, k, BPF_NOEXIST, 0);
    user_update(&p, 1, BPF_EXIST, 0);
    user_update(&p, 8, BPF_EXIST, 0);
    expect_keys(&p, 1, 2, 3, 4, 5, 6, 7, 8);
    user_update(&p, 8, BPF_ANY, 0);
    expect_keys(&p, 1, 6, 7, 8);
    /* The values survived in place: key 8's CPU-1 copy is what we wrote. */
    uint64_t out[256] = { 0 };
    uint32_t k8 = 8;
    if (p.m) {
        CHECK_EQ(bpfrt_map_lookup(p.m, &k8, out, 0), 0);
        CHECK_EQ(out[1], 0); /* user_update writes key only into CPU 0's copy */
        CHECK_EQ(out[0], 8);
    }
    pair_free(&p);
}

/* CPU 0 (user space) fills its share with 1..8, a program on CPU 1 fills
 * CPU 1's with 100..107: the map (16 on two CPUs) is full. Lookups on CPU 1
 * mark 100, 101, 106. Inserting 108 on CPU 1 rotates CPU 1's inactive list
 * (the rotation cursor, left at 106 by the previous inserts, covers 106, 107,
 * 100, 101: the marked three move to the active list), then shrinks its tail:
 * 102..105 go. 109..111 use the three free slots; the first of them finds
 * the inactive list shorter than the active one and demotes 101, 100, 106
 * (bits cleared). After a lookup of 108, inserting 112 evicts 107, 106, 100,
 * 101 (108 was moved to the active list by the rotation), and 113 takes a
 * free slot. CPU 0's keys are never touched. */
static void test_program_side_cpu(void)
{
    unsigned n = rt_ncpus();
    if (n < 2) {
        fprintf(stderr, "%s: needs two CPUs\n", test_current);
        return;
    }
    struct pair p = pair_new(BPF_MAP_TYPE_LRU_HASH, SHARE * n, BPF_F_NO_COMMON_LRU, true);
    for (uint32_t k = 1; k <= 8; k++)
        user_update(&p, k, BPF_ANY, 0);
    for (uint32_t k = 100; k <= 107; k++)
        prog_update(&p, PROG_CPU, k, BPF_ANY, 0);
    expect_keys(&p, 1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 102, 103, 104, 105, 106, 107);
    prog_lookup(&p, PROG_CPU, 100, 1);
    prog_lookup(&p, PROG_CPU, 101, 1);
    prog_lookup(&p, PROG_CPU, 106, 1);
    prog_lookup(&p, PROG_CPU, 150, 0);
    prog_update(&p, PROG_CPU, 108, BPF_ANY, 0);
    expect_keys(&p, 1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 106, 107, 108);
    for (uint32_t k = 109; k <= 111; k++)
        prog_update(&p, PROG_CPU, k, BPF_NOEXIST, 0);
    expect_keys(&p, 1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 106, 107, 108, 109, 110, 111);
    prog_lookup(&p, PROG_CPU, 108, 1);
    prog_update(&p, PROG_CPU, 112, BPF_ANY, 0);
    expect_keys(&p, 1, 2, 3, 4, 5, 6, 7, 8, 108, 109, 110, 111, 112);
    prog_update(&p, PROG_CPU, 113, BPF_NOEXIST, 0);
    expect_keys(&p, 1, 2, 3, 4, 5, 6, 7, 8, 108, 109, 110, 111, 112, 113);
    /* The same program-side insert on CPU 0 evicts CPU 0's oldest four. */
    prog_update(&p, 0, 114, BPF_ANY, 0);
    expect_keys(&p, 5, 6, 7, 8, 108, 109, 110, 111, 112, 113, 114);
    /* Out-of-range CPU slots are refused by bpfrt (no kernel analogue). */
    uint32_t k = 115;
    uint64_t v = 0;
    if (p.m) {
        rlock();
        CHECK_EQ(bpfrt_map_update_elem(p.m, &k, &v, BPF_ANY, n), -BPFRT_EINVAL);
        runlock();
    }
    pair_free(&p);
}

/* max_entries rounds up to a multiple of the CPU count, so every CPU's
 * share is equal: 3 on two CPUs is 4, 2 per CPU. */
static void test_rounded_share(void)
{
    unsigned n = rt_ncpus();
    if (n != 2)
        return;
    struct pair p = pair_new(BPF_MAP_TYPE_LRU_HASH, 3, BPF_F_NO_COMMON_LRU, false);
    user_update(&p, 1, BPF_ANY, 0);
    user_update(&p, 2, BPF_ANY, 0);
    user_update(&p, 3, BPF_ANY, 0); /* CPU 0's share is 2: evicts 1 and 2 */
    expect_keys(&p, 3);
    user_update(&p, 3, BPF_ANY, 0); /* a free slot: 3 replaced (and marked), its old slot back */
    user_update(&p, 4, BPF_ANY, 0); /* the freed slot: nothing evicted */
    expect_keys(&p, 3, 4);
    user_update(&p, 5, BPF_ANY, 0); /* none free: the marked 3 survives, 4 goes */
    expect_keys(&p, 3, 5);
    pair_free(&p);
}

/* ---- threads: one per CPU slot ----
 * Own keys: every update must succeed (each CPU has one element in flight at
 * most, and 7 others to evict), and a CPU's keys never exceed its share.
 * Shared keys: elements move between CPUs (a replacement belongs to the
 * replacing CPU, deletes free other CPUs' slots); -ENOMEM is allowed only
 * when more than 7 other threads could hold a CPU's elements in flight. */
struct worker {
    struct bpfrt_map *m;
    unsigned cpu, nthreads;
    bool shared;
    long iters;
    long bad;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    unsigned seed = 7 + w->cpu;
    for (long i = 0; i < w->iters; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t key = (w->shared ? 0 : w->cpu * 1000) + (seed >> 16) % 40;
        uint64_t v = i;
        rlock();
        switch ((seed >> 8) % 4) {
        case 0:
            if (bpfrt_map_delete_elem(w->m, &key) < -BPFRT_ENOENT)
                w->bad++;
            break;
        case 1: {
            uint64_t *p = bpfrt_map_lookup_elem(w->m, &key, w->cpu);
            if (p && *p > (uint64_t)w->iters)
                w->bad++;
            break;
        }
        default: {
            long r = bpfrt_map_update_elem(w->m, &key, &v, BPF_ANY, w->cpu);
            if (r != 0 && !(r == -BPFRT_ENOMEM && w->shared && w->nthreads > SHARE))
                w->bad++;
        }
        }
        runlock();
    }
    return NULL;
}

static void run_threads(uint32_t type, bool shared)
{
    unsigned n = rt_ncpus();
    if (n > 16)
        n = 16;
    struct bpfrt_map *m = mk(type, 4, 8, SHARE * rt_ncpus(), BPF_F_NO_COMMON_LRU);
    if (!m)
        return;
    struct worker w[16];
    pthread_t th[16];
    for (unsigned c = 0; c < n; c++) {
        w[c] = (struct worker){ m, c, n, shared, map_thread_iters() * 5, 0 };
        CHECK_EQ(pthread_create(&th[c], NULL, worker_main, &w[c]), 0);
    }
    for (unsigned c = 0; c < n; c++) {
        pthread_join(th[c], NULL);
        CHECK_EQ(w[c].bad, 0);
    }
    uint64_t v[256];
    int total = 0;
    for (unsigned c = 0; c < (shared ? 1u : n); c++) {
        int present = 0;
        for (uint32_t k = c * 1000; k < c * 1000 + 40; k++)
            present += bpfrt_map_lookup(m, &k, v, 0) == 0;
        if (!shared)
            CHECK(present <= SHARE);
        CHECK(present > 0);
        total += present;
    }
    CHECK(total <= (int)(SHARE * rt_ncpus()));
    bpfrt_map_put(m);
}

static void test_threads(void)
{
    run_threads(BPF_MAP_TYPE_LRU_HASH, false);
    run_threads(BPF_MAP_TYPE_LRU_HASH, true);
    run_threads(BPF_MAP_TYPE_LRU_PERCPU_HASH, true);
}

int main(void)
{
    rt_setup();
    cpu_set_t saved;
    bool pinned = false;
    if (kbpf_available() && kernel_possible_cpus() == rt_ncpus() &&
        sched_getaffinity(0, sizeof(saved), &saved) == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
    }
    kernel_ok = pinned;
    if (!kernel_ok)
        fprintf(stderr, "kernel comparison off (no bpf(2), other CPU count, or cannot pin to CPU 0)\n");
    RUN(test_user_side_share);
    RUN(test_percpu_values_share);
    RUN(test_program_side_cpu);
    RUN(test_rounded_share);
    if (pinned)
        sched_setaffinity(0, sizeof(saved), &saved);
    RUN(test_threads);
    rt_teardown();
    return test_summary();
}
