/* BPF_ENABLE_STATS and the run statistics in bpf_prog_info, asserted against
 * Linux's documented behaviour (kernel/bpf/syscall.c: bpf_enable_stats,
 * include/linux/filter.h: __bpf_prog_run) on bpfrt and, where bpf(2) works,
 * on the kernel itself with the same programs: run_cnt and run_time_ns stay
 * 0 while no stats handle is open, count every run (PROG_TEST_RUN's repeat
 * included) while one is, and stop when the last one closes; a tail call
 * counts for the program the run entered; an unknown stats type, a non-zero
 * byte past enable_stats.type, and a stats handle where a program is
 * expected or to pin, are -EINVAL. Every kernel fd is closed; nothing is
 * left pinned. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bpf_test_util.h"
#include "test.h"

static struct bpfrt_runtime *rt;
static bool kern;
/* Someone else has the kernel's statistics on (kernel.bpf_stats_enabled):
 * the kernel's "off" counts cannot be asserted. */
static bool kern_stats_on_elsewhere;

static const char *side(bool kernel)
{
    return kernel ? "kernel" : "bpfrt";
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long enable_stats(bool kernel, uint32_t type)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.enable_stats.type = type;
    return do_bpf(rt, kernel, BPF_ENABLE_STATS, &a);
}

static long load_filter(bool kernel, const struct bpf_insn *insns, uint32_t cnt)
{
    return load_prog_ex(rt, kernel, BPF_PROG_TYPE_SOCKET_FILTER, insns, cnt, "GPL", 0, NULL, 0, NULL);
}

/* A socket filter that counts to 1000 (a run takes well over a clock
 * tick's nanosecond), returning 0. */
static long load_loop(bool kernel)
{
    const struct bpf_insn p[] = {
        MOV64_IMM(1, 0),
        ALU64_IMM(BPF_ADD, 1, 1),
        JMP_IMM(BPF_JLT, 1, 1000, -2),
        MOV64_IMM(0, 0),
        EXIT(),
    };
    return load_filter(kernel, p, NR(p));
}

/* PROG_TEST_RUN with `repeat` on a 64-byte packet: its result; the
 * program's return value in *retval. */
static long test_run_ret(bool kernel, long fd, uint32_t repeat, uint32_t *retval)
{
    static uint8_t pkt[64];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = ptr(pkt);
    a.test.data_size_in = sizeof(pkt);
    a.test.repeat = repeat;
    long r = do_bpf(rt, kernel, BPF_PROG_TEST_RUN, &a);
    *retval = a.test.retval;
    return r;
}

static long test_run(bool kernel, long fd, uint32_t repeat)
{
    uint32_t retval;
    return test_run_ret(kernel, fd, repeat, &retval);
}

/* run_cnt and run_time_ns of program fd, from OBJ_GET_INFO_BY_FD. */
static long prog_stats(bool kernel, long fd, uint64_t *cnt, uint64_t *ns)
{
    struct bpf_prog_info info;
    long r = prog_info_ex(rt, kernel, fd, &info);
    *cnt = info.run_cnt;
    *ns = info.run_time_ns;
    return r;
}

/* Off, on (two handles), on with one closed, off again. */
static void check_counting(bool kernel)
{
    printf("counting: %s\n", side(kernel));
    bool check_off = !(kernel && kern_stats_on_elsewhere);
    long fd = load_loop(kernel);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    uint64_t cnt = 1, ns = 1;
    CHECK_EQ(test_run(kernel, fd, 10), 0);
    CHECK_EQ(prog_stats(kernel, fd, &cnt, &ns), 0);
    if (check_off) {
        CHECK_EQ(cnt, 0);
        CHECK_EQ(ns, 0);
    }
    uint64_t off_cnt = cnt, off_ns = ns;

    long s1 = enable_stats(kernel, BPF_STATS_RUN_TIME);
    long s2 = enable_stats(kernel, BPF_STATS_RUN_TIME);
    CHECK(s1 >= 0);
    CHECK(s2 >= 0 && s2 != s1);
    uint64_t t0 = now_ns();
    CHECK_EQ(test_run(kernel, fd, 10), 0);
    uint64_t elapsed = now_ns() - t0;
    CHECK_EQ(prog_stats(kernel, fd, &cnt, &ns), 0);
    CHECK_EQ(cnt - off_cnt, 10);
    /* the runs' own time: some, and no more than the command took (plus a
     * millisecond: the kernel's sched_clock is not CLOCK_MONOTONIC) */
    CHECK(ns > off_ns);
    CHECK(ns - off_ns <= elapsed + 1000000);
    uint64_t on_ns = ns;

    do_close(rt, kernel, s1); /* s2 keeps them on */
    CHECK_EQ(test_run(kernel, fd, 0), 0); /* repeat 0 runs once */
    CHECK_EQ(prog_stats(kernel, fd, &cnt, &ns), 0);
    CHECK_EQ(cnt - off_cnt, 11);
    CHECK(ns > on_ns);

    do_close(rt, kernel, s2); /* the last one: off */
    uint64_t on_cnt = cnt;
    on_ns = ns;
    CHECK_EQ(test_run(kernel, fd, 5), 0);
    CHECK_EQ(prog_stats(kernel, fd, &cnt, &ns), 0);
    if (check_off) {
        CHECK_EQ(cnt, on_cnt);
        CHECK_EQ(ns, on_ns);
    }
    do_close(rt, kernel, fd);
}

/* A tail call: the run counts for the program it entered, the target's
 * own statistics stay 0 (Linux counts in __bpf_prog_run, which a tail call
 * does not pass through). */
static void check_tail_call(bool kernel)
{
    printf("tail call: %s\n", side(kernel));
    const struct bpf_insn target[] = { MOV64_IMM(0, 7), EXIT() };
    long tfd = load_filter(kernel, target, NR(target));
    CHECK(tfd >= 0);
    long map = prog_array_of_ex(rt, kernel, tfd);
    CHECK(map >= 0);
    const struct bpf_insn entry[] = {
        LD_MAP_FD(2, (int32_t)map), MOV64_IMM(3, 0), CALL(HELPER_tail_call), MOV64_IMM(0, 1), EXIT(),
    };
    long efd = load_filter(kernel, entry, NR(entry));
    CHECK(efd >= 0);
    long s = enable_stats(kernel, BPF_STATS_RUN_TIME);
    CHECK(s >= 0);
    uint64_t ecnt = 0, tcnt = 0, ns = 0;
    uint64_t ecnt0 = 0, tcnt0 = 0;
    CHECK_EQ(prog_stats(kernel, efd, &ecnt0, &ns), 0);
    CHECK_EQ(prog_stats(kernel, tfd, &tcnt0, &ns), 0);
    uint32_t retval = 0;
    CHECK_EQ(test_run_ret(kernel, efd, 3, &retval), 0);
    CHECK_EQ(retval, 7); /* the target ran */
    CHECK_EQ(prog_stats(kernel, efd, &ecnt, &ns), 0);
    CHECK_EQ(ecnt - ecnt0, 3);
    CHECK(ns > 0);
    CHECK_EQ(prog_stats(kernel, tfd, &tcnt, &ns), 0);
    CHECK_EQ(tcnt - tcnt0, 0);
    do_close(rt, kernel, s);
    do_close(rt, kernel, efd);
    do_close(rt, kernel, map);
    do_close(rt, kernel, tfd);
}

/* Linux's answers around the command and its handle. */
static void check_errors(bool kernel)
{
    printf("errors: %s\n", side(kernel));
    CHECK_EQ(enable_stats(kernel, 1), -EINVAL);          /* unknown type */
    CHECK_EQ(enable_stats(kernel, 0xffffffffu), -EINVAL);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    ((uint8_t *)&a)[4] = 1;                                /* past enable_stats.type: CHECK_ATTR */
    CHECK_EQ(do_bpf(rt, kernel, BPF_ENABLE_STATS, &a), -EINVAL);

    long s = enable_stats(kernel, BPF_STATS_RUN_TIME);
    CHECK(s >= 0);
    /* not a program, not a BPF object with info, not pinnable */
    CHECK_EQ(test_run(kernel, s, 1), -EINVAL);
    uint64_t cnt, ns;
    CHECK_EQ(prog_stats(kernel, s, &cnt, &ns), -EINVAL);
    const char *path = "/sys/fs/bpf/bpfrt_test_bpf_stats_pin";
    memset(&a, 0, sizeof(a));
    a.bpf_fd = (uint32_t)s;
    a.pathname = ptr(path);
    long pin = do_bpf(rt, kernel, BPF_OBJ_PIN, &a);
    CHECK_EQ(pin, -EINVAL);
    if (pin == 0) {
        if (kernel)
            unlink(path);
        else
            bpfrt_obj_unpin(rt, path);
    }
    do_close(rt, kernel, s);
}

/* bpfrt only: the handle is an ordinary one (closes once, counted among
 * the open handles), and a runtime destroyed with one open frees it. */
static void test_handle(void)
{
    unsigned before = bpfrt_handle_count(rt);
    long s = enable_stats(false, BPF_STATS_RUN_TIME);
    CHECK(s >= 3);
    CHECK_EQ(bpfrt_handle_count(rt), before + 1);
    CHECK_EQ(bpfrt_close(rt, (int)s), 0);
    CHECK_EQ(bpfrt_close(rt, (int)s), -BPFRT_EBADF);
    CHECK_EQ(bpfrt_handle_count(rt), before);

    struct bpfrt_runtime *other = new_rt();
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    CHECK(bpfrt_bpf(other, BPF_ENABLE_STATS, &a, sizeof(a)) >= 3);
    bpfrt_runtime_destroy(other); /* closes it (ASan: nothing leaks) */

    /* a runtime's statistics are its own: another's handle leaves them off */
    other = new_rt();
    CHECK(bpfrt_bpf(other, BPF_ENABLE_STATS, &a, sizeof(a)) >= 3);
    long fd = load_loop(false);
    CHECK_EQ(test_run(false, fd, 2), 0);
    uint64_t cnt = 1, ns = 1;
    CHECK_EQ(prog_stats(false, fd, &cnt, &ns), 0);
    CHECK_EQ(cnt, 0);
    bpfrt_close(rt, (int)fd);
    bpfrt_runtime_destroy(other);
}

static void test_counting(void)
{
    for (int k = 0; k < (kern ? 2 : 1); k++)
        check_counting(k);
}

static void test_tail_call(void)
{
    for (int k = 0; k < (kern ? 2 : 1); k++)
        check_tail_call(k);
}

static void test_errors(void)
{
    for (int k = 0; k < (kern ? 2 : 1); k++)
        check_errors(k);
}

int main(void)
{
    rt = new_rt();
    kern = kbpf_available();
    if (!kern)
        printf("note: bpf(2) unavailable, kernel comparisons skipped\n");
    FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
    if (f) {
        int on = 0;
        if (fscanf(f, "%d", &on) == 1 && on) {
            kern_stats_on_elsewhere = true;
            printf("note: kernel.bpf_stats_enabled is 1: "
                   "the kernel's counts with stats off are not asserted\n");
        }
        fclose(f);
    }
    RUN(test_counting);
    RUN(test_tail_call);
    RUN(test_errors);
    RUN(test_handle);
    CHECK_EQ(bpfrt_handle_count(rt), 0);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
