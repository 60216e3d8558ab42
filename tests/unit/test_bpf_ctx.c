/* Context descriptions: the access rules per program type. Hand-derived
 * cases from Linux's *_is_valid_access; a sweep of every offset (aligned or
 * not) and size, read and write, run in checked mode: the interpreter's
 * verdict must equal bpfrt_ctx_access_ok's, the one rule; and - where
 * bpf(2) works - the same sweep loaded into the kernel: its verdict must
 * equal the rule's too. */
#include "test.h"
#include "bpf_test_util.h"

#include "core/prog/prog_types.h"

#define SKB(f) offsetof(struct __sk_buff, f)

static bool ok(uint32_t type, uint32_t off, uint32_t size, bool write)
{
    return bpfrt_ctx_access_ok(bpfrt_ctx_desc_for(type, 0), off, size, write) != NULL;
}

static void test_rules(void)
{
    const struct bpfrt_ctx_desc *x = bpfrt_ctx_desc_for(BPF_PROG_TYPE_XDP, 0);
    CHECK(x != NULL);
    CHECK_STR(x->ctx_name, "struct xdp_md");
    CHECK_EQ(x->ctx_size, sizeof(struct xdp_md));
    CHECK_EQ(x->kern_size, sizeof(struct bpfrt_xdp_ctx));
    const struct bpfrt_ctx_field *f = bpfrt_ctx_field_find(x, 0, 4);
    CHECK(f && f->kind == BPFRT_CTX_PTR_TO_PACKET && f->kern_off == offsetof(struct bpfrt_xdp_ctx, data));
    f = bpfrt_ctx_field_find(x, 4, 4);
    CHECK(f && f->kind == BPFRT_CTX_PTR_TO_PACKET_END);
    f = bpfrt_ctx_field_find(x, 8, 4);
    CHECK(f && f->kind == BPFRT_CTX_PTR_TO_PACKET_META);
    CHECK(!ok(BPF_PROG_TYPE_XDP, 0, 2, false));            /* pointers only whole */
    CHECK(!ok(BPF_PROG_TYPE_XDP, 12, 2, false));           /* xdp: no narrow reads */
    CHECK(ok(BPF_PROG_TYPE_XDP, 12, 4, false));            /* ingress_ifindex */
    CHECK(!ok(BPF_PROG_TYPE_XDP, 12, 4, true));            /* no writes */
    CHECK(!ok(BPF_PROG_TYPE_XDP, 20, 4, false));           /* egress_ifindex: devmap only */
    CHECK(bpfrt_ctx_access_ok(bpfrt_ctx_desc_for(BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP), 20, 4, false));
    CHECK(!ok(BPF_PROG_TYPE_XDP, 24, 4, false));           /* past the end */
    CHECK(!ok(BPF_PROG_TYPE_XDP, 2, 4, false));            /* misaligned */

    /* __sk_buff: socket filters cannot see packet pointers, tc can */
    CHECK(!ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(data), 4, false));
    CHECK(!ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(data_end), 4, false));
    CHECK(!ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(tc_classid), 4, false));
    CHECK(ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(len), 4, false));
    CHECK(ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(len) + 2, 2, false)); /* narrow read */
    CHECK(ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(len) + 3, 1, false));
    CHECK(!ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(mark), 4, true));
    CHECK(ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(cb[1]), 4, true));
    CHECK(ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(cb[0]), 8, true));     /* cb[]: any aligned size */
    CHECK(!ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(cb[1]), 8, true));    /* ... aligned */
    CHECK(ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(cb[1]) + 1, 1, true));
    CHECK(!ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(cb[4]), 8, false));   /* crosses the end of cb */
    CHECK(ok(BPF_PROG_TYPE_SCHED_CLS, SKB(data), 4, false));
    CHECK(bpfrt_ctx_field_find(bpfrt_ctx_desc_for(BPF_PROG_TYPE_SCHED_CLS, 0), SKB(data), 4)->kern_off ==
          offsetof(struct bpfrt_skb_ctx, data));
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(data), 2, false));
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(data), 4, true));
    static const uint16_t tc_writable[] = { SKB(mark), SKB(tc_index), SKB(priority), SKB(tc_classid),
                                            SKB(queue_mapping), SKB(cb[0]) };
    for (size_t i = 0; i < NR(tc_writable); i++) {
        CHECK(ok(BPF_PROG_TYPE_SCHED_CLS, tc_writable[i], 4, true));
        CHECK(ok(BPF_PROG_TYPE_SCHED_ACT, tc_writable[i], 4, true));
    }
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(mark), 2, true));        /* writes are whole */
    CHECK(ok(BPF_PROG_TYPE_SCHED_CLS, SKB(tstamp), 8, true));
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(tstamp), 4, false));
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(len), 4, true));
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(family), 4, false));
    CHECK(ok(BPF_PROG_TYPE_SCHED_CLS, SKB(tstamp_type), 1, false));
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(tstamp_type) + 1, 1, false)); /* padding */
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(flow_keys), 8, false));
    CHECK(ok(BPF_PROG_TYPE_SCHED_CLS, SKB(sk), 8, false));
    CHECK(ok(BPF_PROG_TYPE_CGROUP_SKB, SKB(family), 4, false));
    CHECK(ok(BPF_PROG_TYPE_CGROUP_SKB, SKB(remote_ip6[2]), 4, false));
    CHECK(!ok(BPF_PROG_TYPE_CGROUP_SKB, SKB(data_meta), 4, false));
    CHECK(!ok(BPF_PROG_TYPE_CGROUP_SKB, SKB(tc_index), 4, true));

    /* tracing */
    CHECK(ok(BPF_PROG_TYPE_KPROBE, 0, 8, false));
    CHECK(ok(BPF_PROG_TYPE_KPROBE, 160, 8, false));
    CHECK(ok(BPF_PROG_TYPE_KPROBE, 164, 4, false));
    CHECK(!ok(BPF_PROG_TYPE_KPROBE, 168, 1, false));
    CHECK(!ok(BPF_PROG_TYPE_KPROBE, 0, 8, true));
    CHECK(!ok(BPF_PROG_TYPE_TRACEPOINT, 0, 8, false));              /* the common header */
    CHECK(ok(BPF_PROG_TYPE_TRACEPOINT, 8, 8, false));
    CHECK(ok(BPF_PROG_TYPE_RAW_TRACEPOINT, 88, 8, false));
    CHECK(!ok(BPF_PROG_TYPE_RAW_TRACEPOINT, 96, 8, false));
    CHECK(!ok(BPF_PROG_TYPE_PERF_EVENT, 0, 4, false));              /* regs: whole words */
    CHECK(ok(BPF_PROG_TYPE_PERF_EVENT, 168, 4, false));             /* sample_period narrow */
    CHECK(ok(BPF_PROG_TYPE_SYSCALL, 100, 4, true));
    CHECK(bpfrt_ctx_desc_for(BPF_PROG_TYPE_LSM, 0) == NULL);
    CHECK(bpfrt_ctx_field_find(NULL, 0, 4) == NULL);
    CHECK(bpfrt_ctx_field_find(x, 0, 3) == NULL);
    CHECK(bpfrt_ctx_field_find(x, 0xfffffff0u, 8) == NULL);
    CHECK_STR(bpfrt_prog_type_str(BPF_PROG_TYPE_SCHED_CLS), "sched_cls");

    /* every table is sorted by offset and inside its context */
    static const uint32_t types[] = { BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_SCHED_CLS,
                                      BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_XDP,
                                      BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_CGROUP_SKB,
                                      BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_LWT_IN,
                                      BPF_PROG_TYPE_LWT_OUT, BPF_PROG_TYPE_LWT_XMIT };
    for (size_t i = 0; i < NR(types); i++) {
        const struct bpfrt_ctx_desc *d = bpfrt_ctx_desc_for(types[i], 0);
        CHECK(d && d->prog_type == types[i]);
        for (uint32_t j = 0; d && j < d->nr_fields; j++) {
            CHECK(d->fields[j].off + d->fields[j].size <= d->ctx_size);
            if (j)
                CHECK(d->fields[j].off >= d->fields[j - 1].off + d->fields[j - 1].size);
            if (d->fields[j].kind != BPFRT_CTX_SCALAR)
                CHECK(d->fields[j].kern_off + 8u <= d->kern_size);
        }
    }
}

/* One context access as a program: a store of 0 or a load. */
static uint32_t access_prog(struct bpf_insn *p, uint32_t off, uint32_t size, bool write)
{
    static const uint8_t sz[9] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };
    uint32_t n = 0;
    if (write) {
        p[n++] = MOV64_IMM(2, 0);
        p[n++] = STX(sz[size], 1, 2, (int16_t)off);
    } else {
        p[n++] = LDX(sz[size], 2, 1, (int16_t)off);
    }
    p[n++] = MOV64_IMM(0, 0);
    p[n++] = EXIT();
    return n;
}

/* Checked mode's verdict on one access, on a zeroed kernel-side context:
 * 1 ran, 0 stopped with a bad access, -1 anything else. */
static int checked_verdict(struct bpfrt_runtime *rt, uint32_t type, uint32_t off, uint32_t size, bool write)
{
    static uint8_t ctx[BPFRT_SYSCALL_CTX_MAX + 8] __attribute__((aligned(16)));
    struct bpf_insn p[4];
    uint32_t n = access_prog(p, off, size, write);
    char msg[128];
    struct bpfrt_prog *prog = NULL;
    if (bpfrt_prog_create(rt, p, n, type, msg, sizeof(msg), &prog) != 0)
        return -1;
    memset(ctx, 0, 512);
    struct bpfrt_run run;
    memset(&run, 0, sizeof(run));
    bpfrt_run_begin(&run, prog);
    run.ctx = ctx;
    run.ctx_desc = bpfrt_ctx_desc_for(type, 0);
    uint64_t r0 = 0;
    int rc = bpfrt_prog_run(prog, &run, ptr(ctx), 0, &r0);
    enum bpfrt_run_error e = run.error;
    bpfrt_run_end(&run);
    bpfrt_prog_put(prog);
    return rc == 0 ? 1 : e == BPFRT_RUN_BAD_ACCESS ? 0 : -1;
}

/* The two accesses the review found checked mode allowing and Linux not:
 * a 2-byte write to __sk_buff.mark, a misaligned 2-byte read of len + 1. */
static void test_checked_mode_follows_rule(void)
{
    struct bpfrt_runtime *rt = new_rt();
    CHECK(!ok(BPF_PROG_TYPE_SCHED_CLS, SKB(mark), 2, true));
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_SCHED_CLS, SKB(mark), 2, true), 0);
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_SCHED_CLS, SKB(mark), 4, true), 1);
    CHECK(!ok(BPF_PROG_TYPE_SOCKET_FILTER, SKB(len) + 1, 2, false));
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_SOCKET_FILTER, SKB(len) + 1, 2, false), 0);
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_SOCKET_FILTER, SKB(len) + 2, 2, false), 1);
    /* the tracepoint's common header, misaligned tracing reads */
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_TRACEPOINT, 0, 8, false), 0);
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_KPROBE, 4, 8, false), 0);
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_KPROBE, 8, 8, false), 1);
    /* pointer fields: whole reads only */
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_XDP, 0, 4, false), 1);
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_XDP, 0, 4, true), 0);
    CHECK_EQ(checked_verdict(rt, BPF_PROG_TYPE_XDP, 2, 2, false), 0);

    /* the sweep: every offset and size, aligned or not, both directions */
    static const struct { uint32_t type; uint32_t end; } sweeps[] = {
        { BPF_PROG_TYPE_XDP, 28 },          { BPF_PROG_TYPE_SOCKET_FILTER, 196 },
        { BPF_PROG_TYPE_SCHED_CLS, 196 },   { BPF_PROG_TYPE_SCHED_ACT, 196 },
        { BPF_PROG_TYPE_CGROUP_SKB, 196 },  { BPF_PROG_TYPE_LWT_IN, 196 },
        { BPF_PROG_TYPE_LWT_OUT, 196 },     { BPF_PROG_TYPE_LWT_XMIT, 196 },
        { BPF_PROG_TYPE_KPROBE, 176 },      { BPF_PROG_TYPE_RAW_TRACEPOINT, 104 },
        { BPF_PROG_TYPE_TRACEPOINT, 40 },   { BPF_PROG_TYPE_PERF_EVENT, 192 },
        { BPF_PROG_TYPE_SYSCALL, 48 },
    };
    static const uint32_t sizes[] = { 1, 2, 4, 8 };
    for (size_t s = 0; s < NR(sweeps); s++) {
        int mismatches = 0, n = 0;
        for (uint32_t off = 0; off < sweeps[s].end; off++)
            for (size_t z = 0; z < NR(sizes); z++)
                for (int w = 0; w < 2; w++) {
                    int c = checked_verdict(rt, sweeps[s].type, off, sizes[z], w);
                    bool b = ok(sweeps[s].type, off, sizes[z], w);
                    n++;
                    if (c != (int)b && mismatches++ < 5)
                        fprintf(stderr, "type %u off %u size %u %s: checked mode %d, rule %d\n",
                                sweeps[s].type, off, sizes[z], w ? "write" : "read", c, b);
                }
        CHECK_EQ(mismatches, 0);
        CHECK(n > 0);
    }
    bpfrt_runtime_destroy(rt);
}

/* The kernel's verdict on one access. */
static bool kernel_accepts(uint32_t type, uint32_t off, uint32_t size, bool write)
{
    struct bpf_insn p[4];
    uint32_t n = access_prog(p, off, size, write);
    long fd = load_prog_ex(NULL, true, type, p, n, "GPL", 0, NULL, 0, NULL);
    if (fd >= 0)
        close((int)fd);
    return fd >= 0;
}

static void test_kernel_sweep(void)
{
    if (!kbpf_available()) {
        printf("note: bpf(2) unavailable, kernel sweep skipped\n");
        return;
    }
    static const struct { uint32_t type; uint32_t end; } sweeps[] = {
        { BPF_PROG_TYPE_XDP, 28 },
        { BPF_PROG_TYPE_SOCKET_FILTER, 196 },
        { BPF_PROG_TYPE_SCHED_CLS, 196 },
        { BPF_PROG_TYPE_CGROUP_SKB, 196 },
        { BPF_PROG_TYPE_LWT_IN, 196 },
        { BPF_PROG_TYPE_LWT_OUT, 196 },
        { BPF_PROG_TYPE_LWT_XMIT, 196 },
        { BPF_PROG_TYPE_KPROBE, 176 },
        { BPF_PROG_TYPE_RAW_TRACEPOINT, 104 },
        { BPF_PROG_TYPE_TRACEPOINT, 40 },
        { BPF_PROG_TYPE_PERF_EVENT, 192 },
    };
    static const uint32_t sizes[] = { 1, 2, 4, 8 };
    for (size_t s = 0; s < NR(sweeps); s++) {
        int mismatches = 0;
        for (uint32_t off = 0; off < sweeps[s].end; off++) {
            for (size_t z = 0; z < NR(sizes); z++) {
                for (int w = 0; w < 2; w++) {
                    bool k = kernel_accepts(sweeps[s].type, off, sizes[z], w);
                    bool b = ok(sweeps[s].type, off, sizes[z], w);
                    if (k != b && mismatches++ < (getenv("ALL") ? 1000 : 5))
                        fprintf(stderr, "type %u off %u size %u %s: kernel %d bpfrt %d\n", sweeps[s].type, off,
                                sizes[z], w ? "write" : "read", k, b);
                }
            }
        }
        CHECK_EQ(mismatches, 0);
    }
}

int main(void)
{
    RUN(test_rules);
    RUN(test_checked_mode_follows_rule);
    RUN(test_kernel_sweep);
    return test_summary();
}
