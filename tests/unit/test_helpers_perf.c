/* Counters and probe addresses: bpf_perf_event_read(_value) over counters
 * an embedder opens in a PERF_EVENT_ARRAY (bpfrt_perf_event_open_counter),
 * next to the slots that hold record buffers or nothing; their errors for
 * empty and out-of-range slots and bad flags against the kernel's (a
 * raw_tp program on a perf event array with no events); and
 * bpf_perf_prog_read_value, bpf_get_func_ip. */
#include "test_helpers_util.h"

#include <unistd.h>

#include "bpfrt/bpf.h"
#include "bpfrt/map.h"
#include "kernel_bpf.h"

static int counter_fn(void *arg, struct bpfrt_perf_counter_value *out)
{
    const uint64_t *v = arg;
    out->counter = v[0];
    out->enabled = v[1];
    out->running = v[2];
    return 0;
}

static void test_counters(void)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = BPF_MAP_TYPE_PERF_EVENT_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 4;
    struct bpfrt_map *m = NULL;
    CHECK_EQ(bpfrt_map_create(rt, &a, NULL, NULL, &m), 0);
    if (!m)
        return;
    static const uint64_t vals[3] = { 123, 10, 5 };
    CHECK_EQ(bpfrt_perf_event_open_counter(m, 0, counter_fn, (void *)vals), 0);
    CHECK_EQ(bpfrt_perf_event_open_counter(m, 0, counter_fn, (void *)vals), -BPFRT_EEXIST);
    CHECK_EQ(bpfrt_perf_event_open_counter(m, 4, counter_fn, (void *)vals), -BPFRT_E2BIG);
    CHECK_EQ(bpfrt_perf_event_open_buffer(m, 1, 4096), 0);
    run.cpu = 0;
    CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 0, 0, 0, 0), 123);
    CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), BPF_F_CURRENT_CPU, 0, 0, 0), 123);
    CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 1, 0, 0, 0), ERR(-BPFRT_EINVAL)); /* a record buffer */
    CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 2, 0, 0, 0), ERR(-BPFRT_ENOENT));
    CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 9, 0, 0, 0), ERR(-BPFRT_E2BIG));
    CHECK_EQ(call(BPF_FUNC_perf_event_read, P(m), 1ull << 40, 0, 0, 0), ERR(-BPFRT_EINVAL));
    struct bpf_perf_event_value v;
    memset(&v, 0xff, sizeof(v));
    CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 0, P(&v), sizeof(v), 0), 0);
    CHECK(v.counter == 123 && v.enabled == 10 && v.running == 5);
    memset(&v, 0xff, sizeof(v));
    CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 0, P(&v), 16, 0), ERR(-BPFRT_EINVAL));
    CHECK_EQ(v.counter, 0); /* zeroed on error */
    memset(&v, 0xff, sizeof(v));
    CHECK_EQ(call(BPF_FUNC_perf_event_read_value, P(m), 2, P(&v), sizeof(v), 0), ERR(-BPFRT_ENOENT));
    CHECK_EQ(v.running, 0);
    /* a counter is no place for records */
    uint64_t rec = 1;
    CHECK_EQ(bpfrt_perf_event_output(m, 0, &rec, 8, 0), -BPFRT_EINVAL);
    bpfrt_map_put(m);
}

/* bpf_perf_prog_read_value: no perf event stands behind a bpfrt run. */
static void test_prog_read_value(void)
{
    struct bpf_perf_event_value v;
    memset(&v, 0xff, sizeof(v));
    CHECK_EQ(call(BPF_FUNC_perf_prog_read_value, 0, P(&v), sizeof(v), 0, 0), ERR(-BPFRT_EINVAL));
    CHECK(v.counter == 0 && v.enabled == 0 && v.running == 0);
}

static void test_func_ip(void)
{
    static const struct bpfrt_ctx_desc kprobe = { .prog_type = BPF_PROG_TYPE_KPROBE };
    static const struct bpfrt_ctx_desc tp = { .prog_type = BPF_PROG_TYPE_TRACEPOINT };
    uint64_t regs[21] = { 0 };
    regs[16] = 0xffffffff81234560ull; /* rip */
    run.ctx = regs;
    run.ctx_desc = &kprobe;
    CHECK_EQ(call(BPF_FUNC_get_func_ip, P(regs), 0, 0, 0, 0), 0xffffffff81234560ull);
    run.ctx_desc = &tp;
    CHECK_EQ(call(BPF_FUNC_get_func_ip, P(regs), 0, 0, 0, 0), 0);
    run.ctx = NULL;
    run.ctx_desc = NULL;
}

/* ---- the errors against the kernel: a raw_tp program reads slot `idx`
 * of a perf event array (4 slots, no events) with flags ---- */
#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static uint32_t read_prog(struct bpf_insn *p, int map_fd, uint64_t flags, bool value)
{
    uint32_t n = 0;
    p[n++] = I(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd);
    p[n++] = I(0, 0, 0, 0, 0);
    p[n++] = I(BPF_LD | BPF_DW | BPF_IMM, 2, 0, 0, (int32_t)(uint32_t)flags);
    p[n++] = I(0, 0, 0, 0, (int32_t)(uint32_t)(flags >> 32));
    if (value) {
        p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
        p[n++] = I(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -24);
        p[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 24);
    }
    p[n++] = I(BPF_JMP | BPF_CALL, 0, 0, 0, value ? BPF_FUNC_perf_event_read_value : BPF_FUNC_perf_event_read);
    p[n++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    return n;
}

static int64_t run_raw_tp(long fd, bool kernel)
{
    uint64_t args[1] = { 0 };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.ctx_in = kbpf_ptr(args);
    a.test.ctx_size_in = sizeof(args);
    long rc = kernel ? kbpf(BPF_PROG_TEST_RUN, &a) : bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    return rc ? rc - 1000 : (int32_t)a.test.retval;
}

static long load(bool kernel, const struct bpf_insn *p, uint32_t n)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
    a.insns = kbpf_ptr(p);
    a.insn_cnt = n;
    a.license = kbpf_ptr("GPL");
    return kernel ? kbpf(BPF_PROG_LOAD, &a) : bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static void test_read_errors_vs_kernel(void)
{
    if (!kbpf_available())
        return;
    union bpf_attr ma;
    memset(&ma, 0, sizeof(ma));
    ma.map_type = BPF_MAP_TYPE_PERF_EVENT_ARRAY;
    ma.key_size = 4;
    ma.value_size = 4;
    ma.max_entries = 4;
    long kmap = kbpf(BPF_MAP_CREATE, &ma);
    long bmap = bpfrt_bpf(rt, BPF_MAP_CREATE, &ma, sizeof(ma));
    CHECK(kmap >= 0 && bmap >= 0);
    static const uint64_t flags[] = { 0, 3, 4, 100, 1ull << 33 };
    for (int value = 0; value < 2; value++)
        for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
            struct bpf_insn kp[16], bp[16];
            uint32_t n = read_prog(kp, (int)kmap, flags[i], value);
            read_prog(bp, (int)bmap, flags[i], value);
            long kfd = load(true, kp, n), bfd = load(false, bp, n);
            CHECK(kfd >= 0 && bfd >= 0);
            int64_t k = run_raw_tp(kfd, true), b = run_raw_tp(bfd, false);
            if (k != b)
                fprintf(stderr, "perf read%s flags 0x%llx: bpfrt %lld, kernel %lld\n", value ? "_value" : "",
                        (unsigned long long)flags[i], (long long)b, (long long)k);
            CHECK_EQ(b, k);
            close((int)kfd);
            bpfrt_close(rt, (int)bfd);
        }
    close((int)kmap);
    bpfrt_close(rt, (int)bmap);
}

int main(void)
{
    helpers_setup();
    RUN(test_counters);
    RUN(test_prog_read_value);
    RUN(test_func_ip);
    RUN(test_read_errors_vs_kernel);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
