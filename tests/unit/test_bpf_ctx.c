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

static bool ok_at(uint32_t type, uint32_t attach, uint32_t off, uint32_t size, bool write)
{
    return bpfrt_ctx_access_ok(bpfrt_ctx_desc_for(type, attach), off, size, write) != NULL;
}

static bool ok(uint32_t type, uint32_t off, uint32_t size, bool write)
{
    return ok_at(type, 0, off, size, write);
}

/* Every context description, with the attach type that selects it, and how
 * far the sweeps go (a little past its end). kernel: swept against bpf(2). */
static const struct sweep {
    uint32_t type, attach, end;
    bool kernel;
} sweeps[] = {
    { BPF_PROG_TYPE_XDP, 0, 28, true },
    { BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 28, true },
    { BPF_PROG_TYPE_SOCKET_FILTER, 0, 196, true },
    { BPF_PROG_TYPE_SCHED_CLS, 0, 196, true },
    { BPF_PROG_TYPE_SCHED_ACT, 0, 196, false },
    { BPF_PROG_TYPE_CGROUP_SKB, 0, 196, true },
    { BPF_PROG_TYPE_LWT_IN, 0, 196, true },
    { BPF_PROG_TYPE_LWT_OUT, 0, 196, true },
    { BPF_PROG_TYPE_LWT_XMIT, 0, 196, true },
    { BPF_PROG_TYPE_KPROBE, 0, 176, true },
    { BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 104, true },
    { BPF_PROG_TYPE_TRACEPOINT, 0, 40, true },
    { BPF_PROG_TYPE_PERF_EVENT, 0, 192, true },
    { BPF_PROG_TYPE_SYSCALL, 0, 48, false },
    { BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 228, true },
    { BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 84, true },
    { BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, 84, true },
    { BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, 84, true },
    { BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, 84, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_CONNECT, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_SENDMSG, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_RECVMSG, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_GETPEERNAME, 76, true },
    { BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UNIX_GETSOCKNAME, 76, true },
    { BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, 84, true },
    { BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER, 196, true },
    { BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, 196, true },
    { BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_VERDICT, 196, true },
    { BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, 196, true },
    { BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 76, true },
    { BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, 60, true },
    { BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, 60, true },
    { BPF_PROG_TYPE_NETFILTER, BPF_NETFILTER, 20, true },
};
static const uint32_t sizes[] = { 1, 2, 4, 8 };

/* The exit value a probe program returns: one every hook of the type
 * accepts (recvmsg, getpeername and getsockname hooks must return 1). */
static int32_t probe_ret(uint32_t type, uint32_t attach)
{
    struct bpfrt_retval r = bpfrt_prog_type_retval(type, attach);
    return r.kind == BPFRT_RETVAL_RANGE ? r.min : 0;
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
    CHECK(bpfrt_ctx_desc_for(BPF_PROG_TYPE_STRUCT_OPS, 0) == NULL);

    /* socket types (sock_ops_is_valid_access, sock_addr_is_valid_access, ...) */
#define SO(f) offsetof(struct bpf_sock_ops, f)
    CHECK(ok(BPF_PROG_TYPE_SOCK_OPS, SO(reply), 4, true));
    CHECK(!ok(BPF_PROG_TYPE_SOCK_OPS, SO(replylong[1]), 4, true));   /* only reply itself */
    CHECK(!ok(BPF_PROG_TYPE_SOCK_OPS, SO(family), 2, false));        /* whole u32 reads */
    CHECK(ok(BPF_PROG_TYPE_SOCK_OPS, SO(skb_tcp_flags), 1, false));  /* narrow at its start ... */
    CHECK(!ok(BPF_PROG_TYPE_SOCK_OPS, SO(skb_tcp_flags) + 1, 1, false)); /* ... only */
    CHECK(bpfrt_ctx_field_find(bpfrt_ctx_desc_for(BPF_PROG_TYPE_SOCK_OPS, 0), SO(skb_data), 8)->kind ==
          BPFRT_CTX_PTR_TO_PACKET);
#define SA(f) offsetof(struct bpf_sock_addr, f)
    uint32_t sa = BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
    CHECK(ok_at(sa, BPF_CGROUP_INET4_CONNECT, SA(user_ip4), 4, true));
    CHECK(!ok_at(sa, BPF_CGROUP_INET6_CONNECT, SA(user_ip4), 4, false));  /* the other family's address */
    CHECK(ok_at(sa, BPF_CGROUP_INET6_CONNECT, SA(user_ip6[2]), 8, true));  /* a u64 pair */
    CHECK(!ok_at(sa, BPF_CGROUP_INET6_CONNECT, SA(user_ip6[1]), 8, false)); /* pairs are 8-aligned */
    CHECK(!ok_at(sa, BPF_CGROUP_INET6_CONNECT, SA(user_ip6[1]), 2, true)); /* writes whole */
    CHECK(ok_at(sa, BPF_CGROUP_UDP4_SENDMSG, SA(msg_src_ip4), 4, true));
    CHECK(!ok_at(sa, BPF_CGROUP_INET4_CONNECT, SA(msg_src_ip4), 4, false)); /* sendmsg only */
    CHECK(ok_at(sa, BPF_CGROUP_UDP6_SENDMSG, SA(msg_src_ip6[1]), 8, false));
    CHECK(!ok_at(sa, BPF_CGROUP_UNIX_CONNECT, SA(user_ip4), 4, false));
    CHECK(ok_at(sa, BPF_CGROUP_UNIX_CONNECT, SA(sk), 8, false));
#define SK(f) offsetof(struct bpf_sock, f)
    CHECK(ok(BPF_PROG_TYPE_CGROUP_SOCK, SK(mark), 4, true));                       /* create */
    CHECK(!ok_at(BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, SK(mark), 4, false));
    CHECK(ok_at(BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, SK(src_ip4), 4, false));
    CHECK(!ok_at(BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, SK(src_ip4), 4, false));
    CHECK(ok(BPF_PROG_TYPE_CGROUP_SOCK, SK(dst_port) + 1, 1, false));               /* the be16 ... */
    CHECK(!ok(BPF_PROG_TYPE_CGROUP_SOCK, SK(dst_port) + 2, 2, false));              /* ... not its padding */
    CHECK(!ok(BPF_PROG_TYPE_SK_SKB, SKB(mark), 4, false));
    CHECK(!ok(BPF_PROG_TYPE_SK_SKB, SKB(cb[0]), 4, true));                         /* cb read-only */
    CHECK(ok(BPF_PROG_TYPE_SK_SKB, SKB(tc_index), 4, true));
    CHECK(ok(BPF_PROG_TYPE_FLOW_DISSECTOR, SKB(flow_keys), 8, false));
    CHECK(!ok(BPF_PROG_TYPE_FLOW_DISSECTOR, SKB(len), 4, false));
    CHECK(ok(BPF_PROG_TYPE_SK_LOOKUP, offsetof(struct bpf_sk_lookup, remote_port) + 2, 2, false));
    CHECK(!ok(BPF_PROG_TYPE_SK_LOOKUP, offsetof(struct bpf_sk_lookup, family), 4, true));
    CHECK(!ok(BPF_PROG_TYPE_SK_REUSEPORT, offsetof(struct sk_reuseport_md, eth_protocol), 1, false));
    CHECK(ok(BPF_PROG_TYPE_SK_REUSEPORT, offsetof(struct sk_reuseport_md, eth_protocol) + 2, 2, false));
    CHECK(ok(BPF_PROG_TYPE_NETFILTER, 8, 8, false));
    CHECK(!ok(BPF_PROG_TYPE_NETFILTER, 8, 4, false));
    CHECK(bpfrt_ctx_field_find(NULL, 0, 4) == NULL);
    CHECK(bpfrt_ctx_field_find(x, 0, 3) == NULL);
    CHECK(bpfrt_ctx_field_find(x, 0xfffffff0u, 8) == NULL);
    CHECK_STR(bpfrt_prog_type_str(BPF_PROG_TYPE_SCHED_CLS), "sched_cls");

    /* every table is sorted by offset and inside its context */
    for (size_t i = 0; i < NR(sweeps); i++) {
        uint32_t type = sweeps[i].type;
        const struct bpfrt_ctx_desc *d = bpfrt_ctx_desc_for(type, sweeps[i].attach);
        CHECK(d && d->prog_type == type);
        for (uint32_t j = 0; d && j < d->nr_fields; j++) {
            CHECK(d->fields[j].off + d->fields[j].size <= d->ctx_size);
            if (j) /* sorted; entries may overlap (the first that admits an access decides) */
                CHECK(d->fields[j].off >= d->fields[j - 1].off);
            if (d->fields[j].kind != BPFRT_CTX_SCALAR)
                CHECK(d->fields[j].kern_off + 8u <= d->kern_size);
        }
    }
}

/* One context access as a program: a store of 0 or a load. */
static uint32_t access_prog(struct bpf_insn *p, uint32_t off, uint32_t size, bool write, int32_t ret)
{
    static const uint8_t sz[9] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };
    uint32_t n = 0;
    if (write) {
        p[n++] = MOV64_IMM(2, 0);
        p[n++] = STX(sz[size], 1, 2, (int16_t)off);
    } else {
        p[n++] = LDX(sz[size], 2, 1, (int16_t)off);
    }
    p[n++] = MOV64_IMM(0, ret);
    p[n++] = EXIT();
    return n;
}

/* Checked mode's verdict on one access, on a zeroed kernel-side context:
 * 1 ran, 0 stopped with a bad access, -1 anything else. */
static int checked_verdict_at(struct bpfrt_runtime *rt, uint32_t type, uint32_t attach, uint32_t off,
                              uint32_t size, bool write)
{
    static uint8_t ctx[BPFRT_SYSCALL_CTX_MAX + 8] __attribute__((aligned(16)));
    struct bpf_insn p[4];
    uint32_t n = access_prog(p, off, size, write, 0);
    char msg[128];
    struct bpfrt_prog *prog = NULL;
    if (bpfrt_prog_create(rt, p, n, type, msg, sizeof(msg), &prog) != 0)
        return -1;
    memset(ctx, 0, 512);
    struct bpfrt_run run;
    memset(&run, 0, sizeof(run));
    bpfrt_run_begin(&run, prog);
    run.ctx = ctx;
    run.ctx_desc = bpfrt_ctx_desc_for(type, attach);
    uint64_t r0 = 0;
    int rc = bpfrt_prog_run(prog, &run, ptr(ctx), 0, &r0);
    enum bpfrt_run_error e = run.error;
    bpfrt_run_end(&run);
    bpfrt_prog_put(prog);
    return rc == 0 ? 1 : e == BPFRT_RUN_BAD_ACCESS ? 0 : -1;
}

static int checked_verdict(struct bpfrt_runtime *rt, uint32_t type, uint32_t off, uint32_t size, bool write)
{
    return checked_verdict_at(rt, type, 0, off, size, write);
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
    int total = 0;
    for (size_t s = 0; s < NR(sweeps); s++) {
        int mismatches = 0, n = 0;
        for (uint32_t off = 0; off < sweeps[s].end; off++)
            for (size_t z = 0; z < NR(sizes); z++)
                for (int w = 0; w < 2; w++) {
                    int c = checked_verdict_at(rt, sweeps[s].type, sweeps[s].attach, off, sizes[z], w);
                    bool b = ok_at(sweeps[s].type, sweeps[s].attach, off, sizes[z], w);
                    n++;
                    if (c != (int)b && mismatches++ < 5)
                        fprintf(stderr, "type %u attach %u off %u size %u %s: checked mode %d, rule %d\n",
                                sweeps[s].type, sweeps[s].attach, off, sizes[z], w ? "write" : "read", c, b);
                }
        CHECK_EQ(mismatches, 0);
        CHECK(n > 0);
        total += n;
    }
    printf("checked-mode sweep: %d accesses in %u contexts\n", total, (unsigned)NR(sweeps));
    bpfrt_runtime_destroy(rt);
}

/* The kernel's verdict on one access. */
static bool kernel_accepts(uint32_t type, uint32_t attach, uint32_t off, uint32_t size, bool write)
{
    struct bpf_insn p[4];
    uint32_t n = access_prog(p, off, size, write, probe_ret(type, attach));
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = type;
    a.expected_attach_type = attach;
    a.insn_cnt = n;
    a.insns = ptr(p);
    a.license = ptr("GPL");
    long fd = kbpf(BPF_PROG_LOAD, &a);
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
    int total = 0, allowed = 0, contexts = 0;
    for (size_t s = 0; s < NR(sweeps); s++) {
        if (!sweeps[s].kernel)
            continue;
        const struct sweep *w0 = &sweeps[s];
        /* a type this kernel cannot load at all (not built in) is skipped */
        struct bpf_insn p[2] = { MOV64_IMM(0, probe_ret(w0->type, w0->attach)), EXIT() };
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.prog_type = w0->type;
        a.expected_attach_type = w0->attach;
        a.insn_cnt = 2;
        a.insns = ptr(p);
        a.license = ptr("GPL");
        long fd = kbpf(BPF_PROG_LOAD, &a);
        if (fd < 0) {
            printf("note: kernel does not load type %u attach %u, skipped\n", w0->type, w0->attach);
            continue;
        }
        close((int)fd);
        contexts++;
        int mismatches = 0;
        for (uint32_t off = 0; off < w0->end; off++) {
            for (size_t z = 0; z < NR(sizes); z++) {
                for (int w = 0; w < 2; w++) {
                    bool k = kernel_accepts(w0->type, w0->attach, off, sizes[z], w);
                    bool b = ok_at(w0->type, w0->attach, off, sizes[z], w);
                    total++;
                    allowed += k;
                    if (k != b && mismatches++ < (getenv("ALL") ? 1000 : 5))
                        fprintf(stderr, "type %u attach %u off %u size %u %s: kernel %d bpfrt %d\n", w0->type,
                                w0->attach, off, sizes[z], w ? "write" : "read", k, b);
                }
            }
        }
        CHECK_EQ(mismatches, 0);
    }
    printf("kernel sweep: %d accesses in %d contexts, %d allowed, all as bpfrt rules\n", total, contexts, allowed);
}

int main(void)
{
    RUN(test_rules);
    RUN(test_checked_mode_follows_rule);
    RUN(test_kernel_sweep);
    return test_summary();
}
