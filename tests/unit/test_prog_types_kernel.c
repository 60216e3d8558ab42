/* The program-type rows against the kernel of this machine (Linux 6.18):
 *  - exit ranges: "r0 = v; exit" loads exactly when the row's range
 *    (check_return_code) admits v, for every type that loads without BTF
 *    and every attach type the row names;
 *  - direct packet access: a bounds-checked one-byte read / write through
 *    the context's data pointer loads exactly as the row's packet access
 *    (may_access_direct_pkt_data) says;
 *  - load-time attach types (bpf_prog_load_check_attach) and
 *    BPF_F_SLEEPABLE (can_be_sleepable): the kernel loads a type with each
 *    attach type its row lists and refuses others, with or without the
 *    flag as the row says; bpfrt's PROG_LOAD answers as the kernel does for
 *    the types it loads.
 * Types this kernel does not load at all (not configured) are skipped with
 * a note; without bpf(2) the whole test skips. */
#include "test.h"

#include "bpf_test_util.h"
#include "core/prog/prog_types.h"

#define P(t) BPF_PROG_TYPE_##t

static struct bpfrt_runtime *rt;
static char klog[16384];

/* Types that load without BTF, with an attach type they accept. */
static const struct {
    uint32_t type, attach;
} ktypes[] = {
    { P(SOCKET_FILTER), 0 },       { P(KPROBE), 0 },         { P(SCHED_CLS), 0 },
    { P(SCHED_ACT), 0 },           { P(TRACEPOINT), 0 },     { P(XDP), 0 },
    { P(PERF_EVENT), 0 },          { P(CGROUP_SKB), BPF_CGROUP_INET_INGRESS },
    { P(CGROUP_SOCK), BPF_CGROUP_INET_SOCK_CREATE },         { P(LWT_IN), 0 },
    { P(LWT_OUT), 0 },             { P(LWT_XMIT), 0 },       { P(SOCK_OPS), 0 },
    { P(SK_SKB), 0 },              { P(CGROUP_DEVICE), 0 },  { P(SK_MSG), 0 },
    { P(RAW_TRACEPOINT), 0 },      { P(CGROUP_SOCK_ADDR), BPF_CGROUP_INET4_CONNECT },
    { P(LWT_SEG6LOCAL), 0 },       { P(LIRC_MODE2), 0 },     { P(SK_REUSEPORT), BPF_SK_REUSEPORT_SELECT },
    { P(FLOW_DISSECTOR), 0 },      { P(CGROUP_SYSCTL), 0 },  { P(RAW_TRACEPOINT_WRITABLE), 0 },
    { P(CGROUP_SOCKOPT), BPF_CGROUP_GETSOCKOPT },            { P(SK_LOOKUP), BPF_SK_LOOKUP },
    { P(SYSCALL), 0 },             { P(NETFILTER), BPF_NETFILTER },
};

/* PROG_LOAD on the kernel (or bpfrt) with prog_flags: true when it loads. */
static bool loads_flags(bool kernel, uint32_t type, uint32_t attach, uint32_t flags, const struct bpf_insn *insns,
                        uint32_t cnt, long *err)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.expected_attach_type = attach;
    a.insns = ptr(insns);
    a.insn_cnt = cnt;
    a.license = ptr("GPL");
    a.prog_flags = flags;
    if (kernel) {
        a.log_buf = ptr(klog);
        a.log_size = sizeof(klog);
        a.log_level = 1;
        klog[0] = 0;
    }
    long fd = do_bpf(rt, kernel, BPF_PROG_LOAD, &a);
    do_close(rt, kernel, fd);
    if (err)
        *err = fd < 0 ? fd : 0;
    return fd >= 0;
}

/* ... with BPF_F_SLEEPABLE where the type needs it (syscall). */
static bool loads(bool kernel, uint32_t type, uint32_t attach, const struct bpf_insn *insns, uint32_t cnt,
                  long *err)
{
    uint32_t flags = bpfrt_prog_type_row(type)->sleepable == BPFRT_SLEEPABLE_MUST ? BPF_F_SLEEPABLE : 0;
    return loads_flags(kernel, type, attach, flags, insns, cnt, err);
}

static bool kernel_returns(uint32_t type, uint32_t attach, int32_t v)
{
    const struct bpf_insn p[] = { MOV64_IMM(0, v), EXIT() };
    return loads(true, type, attach, p, 2, NULL);
}

/* A value the row admits at exit, so that only the tested fact decides. */
static int32_t good_ret(uint32_t type, uint32_t attach)
{
    struct bpfrt_retval r = bpfrt_prog_type_retval(type, attach);
    return r.kind == BPFRT_RETVAL_RANGE ? r.max : 0;
}

static bool kernel_has(uint32_t type, uint32_t attach)
{
    static uint64_t noted;
    if (kernel_returns(type, attach, good_ret(type, attach)))
        return true;
    if (!(noted >> type & 1))
        printf("note: this kernel does not load %s programs (attach type %u), not compared: %.120s\n",
               bpfrt_prog_type_str(type), attach, klog);
    noted |= 1ull << type;
    return false;
}

static void check_range(uint32_t type, uint32_t attach)
{
    if (!kernel_has(type, attach))
        return;
    struct bpfrt_retval r = bpfrt_prog_type_retval(type, attach);
    if (r.kind == BPFRT_RETVAL_RANGE) {
        const int32_t v[4] = { r.min - 1, r.min, r.max, r.max + 1 };
        for (int i = 0; i < 4; i++) {
            bool want = v[i] >= r.min && v[i] <= r.max, got = kernel_returns(type, attach, v[i]);
            if (want != got)
                fprintf(stderr, "%s attach %u: r0 = %d: kernel %s, row [%d, %d]\n", bpfrt_prog_type_str(type),
                        attach, v[i], got ? "loads" : "refuses", r.min, r.max);
            CHECK_EQ(got, want);
            if (!got)
                CHECK_CONTAINS(klog, "should have been in");
        }
    } else {
        CHECK_EQ(r.kind, BPFRT_RETVAL_ANY); /* BTF ranges need BTF to load */
        const int32_t v[4] = { -1, 2, 255, INT32_MAX };
        for (int i = 0; i < 4; i++) {
            bool got = kernel_returns(type, attach, v[i]);
            if (!got)
                fprintf(stderr, "%s attach %u: r0 = %d refused, row says any\n%s\n", bpfrt_prog_type_str(type),
                        attach, v[i], klog);
            CHECK(got);
        }
    }
}

static void test_retval_vs_kernel(void)
{
    int types = 0;
    for (size_t i = 0; i < NR(ktypes); i++) {
        uint32_t type = ktypes[i].type;
        const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(type);
        test_current = row->name;
        check_range(type, ktypes[i].attach);
        for (const struct bpfrt_retval_attach *ra = row->ret_attach; ra && ra->attach_type != BPFRT_ATTACH_END;
             ra++)
            check_range(type, ra->attach_type);
        types++;
    }
    test_current = "test_retval_vs_kernel";
    CHECK_EQ(types, (int)NR(ktypes));
}

/* Where the context keeps data / data_end (Linux's uapi layouts). */
static bool pkt_fields(uint32_t type, int16_t *data, int16_t *end, uint8_t *size)
{
    switch (bpfrt_prog_type_row(type)->pkt != BPFRT_PKT_NONE || type == P(SOCKET_FILTER) ? type : 0) {
    case P(XDP): /* struct xdp_md: u32 data, data_end */
        *data = 0, *end = 4, *size = BPF_W;
        return true;
    case P(SK_MSG):       /* struct sk_msg_md: __bpf_md_ptr data, data_end */
    case P(SK_REUSEPORT): /* struct sk_reuseport_md: likewise */
        *data = 0, *end = 8, *size = BPF_DW;
        return true;
    case P(SOCK_OPS): /* struct bpf_sock_ops: skb_data, skb_data_end */
        *data = offsetof(struct bpf_sock_ops, skb_data), *end = offsetof(struct bpf_sock_ops, skb_data_end);
        *size = BPF_DW;
        return true;
    case P(CGROUP_SOCKOPT): /* struct bpf_sockopt: sk, optval, optval_end */
        *data = 8, *end = 16, *size = BPF_DW;
        return true;
    case 0:
        return false;
    default: /* struct __sk_buff */
        *data = offsetof(struct __sk_buff, data), *end = offsetof(struct __sk_buff, data_end), *size = BPF_W;
        return true;
    }
}

static bool kernel_pkt(uint32_t type, uint32_t attach, bool write)
{
    int16_t data, end;
    uint8_t sz;
    if (!pkt_fields(type, &data, &end, &sz))
        return false;
    const struct bpf_insn p[] = {
        LDX(sz, 2, 1, data),
        LDX(sz, 3, 1, end),
        MOV64_REG(4, 2),
        ALU64_IMM(BPF_ADD, 4, 1),
        JMP_REG(BPF_JGT, 4, 3, 1),
        write ? ST(BPF_B, 2, 0, 7) : LDX(BPF_B, 5, 2, 0),
        MOV64_IMM(0, good_ret(type, attach)),
        EXIT(),
    };
    return loads(true, type, attach, p, NR(p), NULL);
}

static void test_pkt_access_vs_kernel(void)
{
    int compared = 0;
    for (size_t i = 0; i < NR(ktypes); i++) {
        uint32_t type = ktypes[i].type, attach = ktypes[i].attach;
        const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(type);
        int16_t d, e;
        uint8_t sz;
        if (!pkt_fields(type, &d, &e, &sz) || !kernel_has(type, attach))
            continue;
        test_current = row->name;
        bool rd = kernel_pkt(type, attach, false);
        if (rd != (row->pkt != BPFRT_PKT_NONE))
            fprintf(stderr, "%s: packet read: kernel %s\n%s\n", row->name, rd ? "loads" : "refuses", klog);
        CHECK_EQ(rd, row->pkt != BPFRT_PKT_NONE);
        bool wr = kernel_pkt(type, attach, true);
        if (wr != (row->pkt == BPFRT_PKT_READ_WRITE))
            fprintf(stderr, "%s: packet write: kernel %s\n%s\n", row->name, wr ? "loads" : "refuses", klog);
        CHECK_EQ(wr, row->pkt == BPFRT_PKT_READ_WRITE);
        compared++;
    }
    test_current = "test_pkt_access_vs_kernel";
    CHECK(compared >= 10);
}

/* An attach type no program type's load-time list contains. */
#define FOREIGN_ATTACH BPF_PERF_EVENT

static void check_attach(uint32_t type, uint32_t attach)
{
    const struct bpf_insn p[] = { MOV64_IMM(0, good_ret(type, attach)), EXIT() };
    long kerr, berr;
    bool want = bpfrt_prog_type_attach_ok(type, attach);
    bool k = loads(true, type, attach, p, 2, &kerr);
    if (k != want)
        fprintf(stderr, "%s attach %u: kernel %s (%ld), row %s\n%s\n", bpfrt_prog_type_str(type), attach,
                k ? "loads" : "refuses", kerr, want ? "accepts" : "refuses", klog);
    CHECK_EQ(k, want);
    if (!k)
        CHECK_EQ(kerr, -EINVAL);
    if (bpfrt_prog_type_known(type)) {
        bool b = loads(false, type, attach, p, 2, &berr);
        CHECK_EQ(b, k);
        CHECK_EQ(berr, kerr);
    }
}

static void test_load_attach_vs_kernel(void)
{
    for (size_t i = 0; i < NR(ktypes); i++) {
        uint32_t type = ktypes[i].type;
        const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(type);
        if (!kernel_has(type, ktypes[i].attach))
            continue;
        test_current = row->name;
        for (const uint32_t *a = row->load_attach; a && *a != BPFRT_ATTACH_END; a++)
            check_attach(type, *a);
        check_attach(type, FOREIGN_ATTACH);
        if (row->load_attach && row->load_attach[0] != 0)
            check_attach(type, 0);
    }
}

/* can_be_sleepable, and syscall programs that must be */
static void test_sleepable_vs_kernel(void)
{
    for (size_t i = 0; i < NR(ktypes); i++) {
        uint32_t type = ktypes[i].type, attach = ktypes[i].attach;
        const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(type);
        if (!kernel_has(type, attach))
            continue;
        test_current = row->name;
        const struct bpf_insn p[] = { MOV64_IMM(0, good_ret(type, attach)), EXIT() };
        for (int sleep = 0; sleep < 2; sleep++) {
            uint32_t flags = sleep ? BPF_F_SLEEPABLE : 0;
            long kerr, berr;
            bool want = sleep ? row->sleepable != BPFRT_SLEEPABLE_NO : row->sleepable != BPFRT_SLEEPABLE_MUST;
            bool k = loads_flags(true, type, attach, flags, p, 2, &kerr);
            if (k != want)
                fprintf(stderr, "%s sleepable=%d: kernel %s\n%s\n", row->name, sleep, k ? "loads" : "refuses", klog);
            CHECK_EQ(k, want);
            if (bpfrt_prog_type_known(type)) {
                bool b = loads_flags(false, type, attach, flags, p, 2, &berr);
                CHECK_EQ(b, k);
                CHECK_EQ(berr, kerr);
            }
        }
    }
}

int main(void)
{
    if (!kbpf_available())
        TEST_SKIP("kernel cannot load BPF programs here");
    rt = new_rt();
    RUN(test_retval_vs_kernel);
    RUN(test_pkt_access_vs_kernel);
    RUN(test_load_attach_vs_kernel);
    RUN(test_sleepable_vs_kernel);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
