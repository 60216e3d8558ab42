/* The program-type rows (src/core/prog/prog_type_rows.c): one named row per
 * Linux program type; the facts in them by hand against Linux 6.18
 * (libbpf's prog_type_name[] and section_defs[], check_return_code and
 * may_access_direct_pkt_data in kernel/bpf/verifier.c,
 * bpf_prog_load_check_attach in kernel/bpf/syscall.c, can_be_sleepable);
 * and their consistency with each other (every loadable type has a context
 * and a test run, packet access where the context has packet pointers, no
 * section prefix that another shadows). test_prog_types_kernel.c asks the kernel. */
#include "test.h"

#include "bpfrt/prog_type.h"
#include "bpfrt/uapi.h"
#include "core/prog/prog_types.h"

#define P(t) BPF_PROG_TYPE_##t
#define NR(a) (sizeof(a) / sizeof((a)[0]))

/* libbpf's prog_type_name[], which bpftool prints. */
static const char *const bpftool_names[] = {
    "unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
    "perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
    "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
    "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable",
    "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm", "sk_lookup", "syscall", "netfilter",
};

static void test_names(void)
{
    CHECK_EQ(NR(bpftool_names), __MAX_BPF_PROG_TYPE);
    for (uint32_t t = 0; t < __MAX_BPF_PROG_TYPE; t++) {
        CHECK(bpfrt_prog_type_row(t) != NULL);
        CHECK_STR(bpfrt_prog_type_str(t), bpftool_names[t]);
        CHECK_EQ(bpfrt_prog_type_parse(bpftool_names[t]), t);
    }
    CHECK(bpfrt_prog_type_row(__MAX_BPF_PROG_TYPE) == NULL);
    CHECK(bpfrt_prog_type_str(__MAX_BPF_PROG_TYPE) == NULL);
    CHECK(bpfrt_prog_type_str(UINT32_MAX) == NULL);
    /* what people type */
    CHECK_EQ(bpfrt_prog_type_parse("tc"), P(SCHED_CLS));
    CHECK_EQ(bpfrt_prog_type_parse("classifier"), P(SCHED_CLS));
    CHECK_EQ(bpfrt_prog_type_parse("action"), P(SCHED_ACT));
    CHECK_EQ(bpfrt_prog_type_parse("socket"), P(SOCKET_FILTER));
    CHECK_EQ(bpfrt_prog_type_parse("raw_tp"), P(RAW_TRACEPOINT));
    CHECK_EQ(bpfrt_prog_type_parse("tp"), P(TRACEPOINT));
    CHECK_EQ(bpfrt_prog_type_parse("nope"), -1);
    CHECK_EQ(bpfrt_prog_type_parse(""), -1);
}

static void test_loadable(void)
{
    static const uint32_t loadable[] = {
        P(SOCKET_FILTER), P(KPROBE), P(SCHED_CLS), P(SCHED_ACT), P(TRACEPOINT), P(XDP), P(PERF_EVENT),
        P(CGROUP_SKB), P(LWT_IN), P(LWT_OUT), P(LWT_XMIT), P(RAW_TRACEPOINT), P(SYSCALL),
        P(SOCK_OPS), P(CGROUP_SOCK), P(CGROUP_SOCK_ADDR), P(SK_MSG), P(SK_SKB), P(FLOW_DISSECTOR),
        P(SK_LOOKUP), P(SK_REUSEPORT), P(NETFILTER), P(TRACING), P(LSM),
    };
    uint64_t want = 0;
    for (size_t i = 0; i < NR(loadable); i++)
        want |= 1ull << loadable[i];
    for (uint32_t t = 0; t < __MAX_BPF_PROG_TYPE; t++) {
        const struct bpfrt_prog_type_row *r = bpfrt_prog_type_row(t);
        test_current = r->name;
        CHECK_EQ(bpfrt_prog_type_known(t), (want >> t) & 1);
        /* a type loads exactly when PROG_TEST_RUN can run it */
        CHECK_EQ(r->ctx != NULL, r->test_run != BPFRT_TEST_RUN_NONE);
        if (r->ctx)
            CHECK_EQ(r->ctx->prog_type, t);
        for (const struct bpfrt_ctx_attach *a = r->ctx_attach; a && a->attach_type != BPFRT_ATTACH_END; a++) {
            CHECK_EQ(a->desc->prog_type, t);
            CHECK(bpfrt_ctx_desc_for(t, a->attach_type) == a->desc);
            CHECK(bpfrt_prog_type_attach_ok(t, a->attach_type));
        }
        CHECK(bpfrt_ctx_desc_for(t, 0) == r->ctx);
    }
    test_current = "test_loadable";
    CHECK(!bpfrt_prog_type_known(__MAX_BPF_PROG_TYPE));
    CHECK(bpfrt_ctx_desc_for(P(XDP), BPF_XDP_DEVMAP) != bpfrt_ctx_desc_for(P(XDP), 0));
    CHECK_EQ(bpfrt_prog_type_row(P(SCHED_CLS))->test_run, BPFRT_TEST_RUN_SKB_L2);
    CHECK_EQ(bpfrt_prog_type_row(P(SCHED_ACT))->test_run, BPFRT_TEST_RUN_SKB_L2);
    CHECK_EQ(bpfrt_prog_type_row(P(CGROUP_SKB))->test_run, BPFRT_TEST_RUN_SKB_L3);
    CHECK_EQ(bpfrt_prog_type_row(P(KPROBE))->test_run, BPFRT_TEST_RUN_CTX);
    CHECK_EQ(bpfrt_prog_type_row(P(FLOW_DISSECTOR))->test_run, BPFRT_TEST_RUN_FLOW_DISSECTOR);
    CHECK_EQ(bpfrt_prog_type_row(P(SK_LOOKUP))->test_run, BPFRT_TEST_RUN_SK_LOOKUP);
    CHECK_EQ(bpfrt_prog_type_row(P(NETFILTER))->test_run, BPFRT_TEST_RUN_NETFILTER);
    /* cgroup_sock: 0 is create; the post-bind hooks see their family's source */
    CHECK(bpfrt_ctx_desc_for(P(CGROUP_SOCK), 0) == bpfrt_ctx_desc_for(P(CGROUP_SOCK), BPF_CGROUP_INET_SOCK_CREATE));
    CHECK(bpfrt_ctx_desc_for(P(CGROUP_SOCK), BPF_CGROUP_INET4_POST_BIND) != bpfrt_ctx_desc_for(P(CGROUP_SOCK), 0));
    CHECK(bpfrt_ctx_desc_for(P(CGROUP_SOCK_ADDR), BPF_CGROUP_UDP6_SENDMSG) !=
          bpfrt_ctx_desc_for(P(CGROUP_SOCK_ADDR), BPF_CGROUP_INET6_CONNECT));
}

static bool has_packet(const struct bpfrt_ctx_desc *d)
{
    for (uint32_t i = 0; i < d->nr_fields; i++)
        if (d->fields[i].kind == BPFRT_CTX_PTR_TO_PACKET)
            return true;
    return false;
}

/* may_access_direct_pkt_data (writes), and reads for every type whose
 * context hands out a packet pointer: sock_ops reads through skb_data */
static void test_pkt_access(void)
{
    static const uint32_t ro[] = { P(LWT_IN), P(LWT_OUT), P(LWT_SEG6LOCAL), P(SK_REUSEPORT), P(FLOW_DISSECTOR),
                                   P(CGROUP_SKB), P(SOCK_OPS) };
    static const uint32_t rw[] = { P(SCHED_CLS), P(SCHED_ACT), P(XDP), P(LWT_XMIT), P(SK_SKB), P(SK_MSG),
                                   P(CGROUP_SOCKOPT) };
    uint8_t want[__MAX_BPF_PROG_TYPE] = { 0 };
    for (size_t i = 0; i < NR(ro); i++)
        want[ro[i]] = BPFRT_PKT_READ;
    for (size_t i = 0; i < NR(rw); i++)
        want[rw[i]] = BPFRT_PKT_READ_WRITE;
    for (uint32_t t = 0; t < __MAX_BPF_PROG_TYPE; t++) {
        const struct bpfrt_prog_type_row *r = bpfrt_prog_type_row(t);
        test_current = r->name;
        CHECK_EQ(r->pkt, want[t]);
        /* the context offers packet pointers exactly to the types that may use them */
        if (r->ctx)
            CHECK_EQ(has_packet(r->ctx), r->pkt != BPFRT_PKT_NONE);
    }
    test_current = "test_pkt_access";
}

static void check_ret(uint32_t type, uint32_t attach, uint8_t kind, int32_t lo, int32_t hi)
{
    struct bpfrt_retval r = bpfrt_prog_type_retval(type, attach);
    CHECK_EQ(r.kind, kind);
    if (kind == BPFRT_RETVAL_RANGE) {
        CHECK_EQ(r.min, lo);
        CHECK_EQ(r.max, hi);
    }
}
#define ANY(type, attach) check_ret(P(type), BPF_##attach, BPFRT_RETVAL_ANY, 0, 0)
#define RANGE(type, attach, lo, hi) check_ret(P(type), BPF_##attach, BPFRT_RETVAL_RANGE, lo, hi)
#define BTF(type, attach) check_ret(P(type), BPF_##attach, BPFRT_RETVAL_BTF, 0, 0)

/* check_return_code, type by type */
static void test_retval(void)
{
    ANY(SOCKET_FILTER, CGROUP_INET_INGRESS);
    ANY(XDP, XDP);
    ANY(SCHED_CLS, TCX_INGRESS);
    ANY(KPROBE, CGROUP_INET_INGRESS);
    RANGE(KPROBE, TRACE_KPROBE_SESSION, 0, 1);
    RANGE(KPROBE, TRACE_UPROBE_SESSION, 0, 1);
    ANY(KPROBE, TRACE_KPROBE_MULTI);
    RANGE(CGROUP_SKB, CGROUP_INET_INGRESS, 0, 1);
    RANGE(CGROUP_SKB, CGROUP_INET_EGRESS, 0, 3);
    RANGE(CGROUP_SOCK, CGROUP_INET_SOCK_CREATE, 0, 1);
    RANGE(SOCK_OPS, CGROUP_SOCK_OPS, 0, 1);
    RANGE(CGROUP_DEVICE, CGROUP_DEVICE, 0, 1);
    RANGE(CGROUP_SYSCTL, CGROUP_SYSCTL, 0, 1);
    RANGE(CGROUP_SOCKOPT, CGROUP_GETSOCKOPT, 0, 1);
    RANGE(CGROUP_SOCK_ADDR, CGROUP_INET4_CONNECT, 0, 1);
    RANGE(CGROUP_SOCK_ADDR, CGROUP_UDP6_SENDMSG, 0, 1);
    RANGE(CGROUP_SOCK_ADDR, CGROUP_UDP4_RECVMSG, 1, 1);
    RANGE(CGROUP_SOCK_ADDR, CGROUP_UNIX_GETSOCKNAME, 1, 1);
    RANGE(CGROUP_SOCK_ADDR, CGROUP_INET6_GETPEERNAME, 1, 1);
    RANGE(CGROUP_SOCK_ADDR, CGROUP_INET4_BIND, 0, 3);
    RANGE(CGROUP_SOCK_ADDR, CGROUP_INET6_BIND, 0, 3);
    ANY(RAW_TRACEPOINT, CGROUP_INET_INGRESS);
    RANGE(TRACING, TRACE_FENTRY, 0, 0);
    RANGE(TRACING, TRACE_FEXIT, 0, 0);
    RANGE(TRACING, TRACE_ITER, 0, 1);
    ANY(TRACING, MODIFY_RETURN);
    ANY(TRACING, TRACE_RAW_TP);
    RANGE(SK_LOOKUP, SK_LOOKUP, 0, 1);
    RANGE(NETFILTER, NETFILTER, 0, 1);
    BTF(LSM, LSM_MAC);
    BTF(STRUCT_OPS, CGROUP_INET_INGRESS);
    ANY(EXT, CGROUP_INET_INGRESS);
    ANY(SYSCALL, CGROUP_INET_INGRESS);
    check_ret(__MAX_BPF_PROG_TYPE, 0, BPFRT_RETVAL_ANY, 0, 0);
}

/* bpf_prog_load_check_attach */
static void test_load_attach(void)
{
    CHECK(bpfrt_prog_type_attach_ok(P(CGROUP_SKB), BPF_CGROUP_INET_INGRESS));
    CHECK(bpfrt_prog_type_attach_ok(P(CGROUP_SKB), BPF_CGROUP_INET_EGRESS));
    CHECK(!bpfrt_prog_type_attach_ok(P(CGROUP_SKB), BPF_CGROUP_INET_SOCK_CREATE));
    CHECK(bpfrt_prog_type_attach_ok(P(CGROUP_SOCK), BPF_CGROUP_INET6_POST_BIND));
    CHECK(!bpfrt_prog_type_attach_ok(P(CGROUP_SOCK), BPF_CGROUP_INET_EGRESS));
    /* 0 means sock_create / select there (bpf_prog_load_fixup_attach_type) */
    CHECK(bpfrt_prog_type_attach_ok(P(CGROUP_SOCK), 0));
    CHECK(bpfrt_prog_type_attach_ok(P(SK_REUSEPORT), 0));
    CHECK(!bpfrt_prog_type_attach_ok(P(SK_LOOKUP), 0));
    CHECK(bpfrt_prog_type_attach_ok(P(CGROUP_SOCK_ADDR), BPF_CGROUP_UNIX_RECVMSG));
    CHECK(!bpfrt_prog_type_attach_ok(P(CGROUP_SOCK_ADDR), BPF_CGROUP_INET_INGRESS));
    CHECK(bpfrt_prog_type_attach_ok(P(SK_REUSEPORT), BPF_SK_REUSEPORT_SELECT_OR_MIGRATE));
    CHECK(!bpfrt_prog_type_attach_ok(P(SK_LOOKUP), BPF_CGROUP_INET_INGRESS));
    CHECK(bpfrt_prog_type_attach_ok(P(NETFILTER), BPF_NETFILTER));
    CHECK(bpfrt_prog_type_attach_ok(P(SYSCALL), 0));
    CHECK(!bpfrt_prog_type_attach_ok(P(SYSCALL), BPF_CGROUP_INET_EGRESS));
    CHECK(!bpfrt_prog_type_attach_ok(P(EXT), BPF_CGROUP_INET_EGRESS));
    /* not checked at load for the rest */
    CHECK(bpfrt_prog_type_attach_ok(P(XDP), BPF_PERF_EVENT));
    CHECK(bpfrt_prog_type_attach_ok(P(SOCKET_FILTER), BPF_CGROUP_DEVICE));
    CHECK(!bpfrt_prog_type_attach_ok(__MAX_BPF_PROG_TYPE, 0));
}

/* can_be_sleepable (verifier.c) and "Syscall programs can only be sleepable" */
static void test_sleepable(void)
{
    for (uint32_t t = 0; t < __MAX_BPF_PROG_TYPE; t++) {
        uint8_t want = BPFRT_SLEEPABLE_NO;
        if (t == P(KPROBE) || t == P(TRACING) || t == P(LSM) || t == P(STRUCT_OPS))
            want = BPFRT_SLEEPABLE_MAY;
        if (t == P(SYSCALL))
            want = BPFRT_SLEEPABLE_MUST;
        test_current = bpfrt_prog_type_str(t);
        CHECK_EQ(bpfrt_prog_type_row(t)->sleepable, want);
    }
    test_current = "test_sleepable";
}

static void check_sec(const char *name, uint32_t type, const char *prefix, uint32_t attach, uint32_t flags)
{
    uint32_t t = UINT32_MAX;
    const struct bpfrt_prog_sec *s = bpfrt_prog_sec_find(name, &t);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  section \"%s\" not found\n", name);
        return;
    }
    CHECK_EQ(t, type);
    CHECK_STR(s->prefix, prefix);
    CHECK_EQ(s->attach_type, attach);
    CHECK_EQ(s->flags & ~BPFRT_SEC_LEGACY, flags);
}

/* libbpf's section_defs[] and its old prefix matching */
static void test_sections(void)
{
    check_sec("xdp", P(XDP), "xdp", BPF_XDP, BPFRT_SEC_ATTACH);
    check_sec("xdp.frags", P(XDP), "xdp.frags", BPF_XDP, BPFRT_SEC_ATTACH | BPFRT_SEC_XDP_FRAGS);
    check_sec("xdp.frags/devmap", P(XDP), "xdp.frags/devmap", BPF_XDP_DEVMAP,
              BPFRT_SEC_ATTACH | BPFRT_SEC_XDP_FRAGS);
    check_sec("xdp/cpumap", P(XDP), "xdp/cpumap", BPF_XDP_CPUMAP, BPFRT_SEC_ATTACH);
    check_sec("kprobe/do_unlinkat", P(KPROBE), "kprobe", 0, 0);
    check_sec("kretprobe.multi/x*", P(KPROBE), "kretprobe.multi", BPF_TRACE_KPROBE_MULTI, BPFRT_SEC_ATTACH);
    check_sec("uprobe.s/bin:fn", P(KPROBE), "uprobe.s", 0, BPFRT_SEC_SLEEPABLE);
    check_sec("tc", P(SCHED_CLS), "tc", 0, 0);
    check_sec("tc/ingress", P(SCHED_CLS), "tc/ingress", BPF_TCX_INGRESS, BPFRT_SEC_ATTACH);
    check_sec("action", P(SCHED_ACT), "action", 0, 0);
    check_sec("tp/syscalls/sys_enter_write", P(TRACEPOINT), "tp", 0, 0);
    check_sec("raw_tp/sched_switch", P(RAW_TRACEPOINT), "raw_tp", 0, 0);
    check_sec("raw_tp.w/foo", P(RAW_TRACEPOINT_WRITABLE), "raw_tp.w", 0, 0);
    check_sec("tp_btf/sched_switch", P(TRACING), "tp_btf", BPF_TRACE_RAW_TP, BPFRT_SEC_ATTACH);
    check_sec("fentry.s/do_sys_open", P(TRACING), "fentry.s", BPF_TRACE_FENTRY,
              BPFRT_SEC_ATTACH | BPFRT_SEC_SLEEPABLE);
    check_sec("cgroup/sock", P(CGROUP_SOCK), "cgroup/sock", BPF_CGROUP_INET_SOCK_CREATE, BPFRT_SEC_ATTACH);
    check_sec("cgroup/sock_release", P(CGROUP_SOCK), "cgroup/sock_release", BPF_CGROUP_INET_SOCK_RELEASE,
              BPFRT_SEC_ATTACH);
    check_sec("cgroup_skb/egress", P(CGROUP_SKB), "cgroup_skb/egress", BPF_CGROUP_INET_EGRESS, BPFRT_SEC_ATTACH);
    check_sec("cgroup/skb", P(CGROUP_SKB), "cgroup/skb", 0, 0);
    check_sec("sk_skb/stream_parser", P(SK_SKB), "sk_skb/stream_parser", BPF_SK_SKB_STREAM_PARSER,
              BPFRT_SEC_ATTACH);
    check_sec("sk_skb/other", P(SK_SKB), "sk_skb", 0, 0);
    check_sec("sk_reuseport/migrate", P(SK_REUSEPORT), "sk_reuseport/migrate",
              BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, BPFRT_SEC_ATTACH);
    check_sec("syscall", P(SYSCALL), "syscall", 0, BPFRT_SEC_SLEEPABLE);
    check_sec("lsm_cgroup/socket_bind", P(LSM), "lsm_cgroup", BPF_LSM_CGROUP, BPFRT_SEC_ATTACH);
    check_sec("freplace/fn", P(EXT), "freplace", 0, 0);
    check_sec("netfilter", P(NETFILTER), "netfilter", BPF_NETFILTER, BPFRT_SEC_ATTACH);
    /* names from before libbpf 1.0, matched by prefix */
    check_sec("xdp1", P(XDP), "xdp", BPF_XDP, BPFRT_SEC_ATTACH);
    check_sec("socket0", P(SOCKET_FILTER), "socket", 0, 0);
    check_sec("kprobe_sys_open", P(KPROBE), "kprobe", 0, 0);
    check_sec("kretprobe__x", P(KPROBE), "kretprobe", 0, 0);
    check_sec("classifier_main", P(SCHED_CLS), "classifier", 0, 0);
    check_sec("raw_tracepoint_x", P(RAW_TRACEPOINT), "raw_tracepoint", 0, 0);
    check_sec("sk_msg1", P(SK_MSG), "sk_msg", BPF_SK_MSG_VERDICT, BPFRT_SEC_ATTACH);
    uint32_t t = 12345;
    CHECK(bpfrt_prog_sec_find("nope", &t) == NULL);
    CHECK(bpfrt_prog_sec_find("", &t) == NULL);
    CHECK(bpfrt_prog_sec_find("cgroup_skb1", &t) == NULL); /* no legacy cgroup_skb prefix */
    CHECK(bpfrt_prog_sec_find("tcx", &t) == NULL);
    CHECK(bpfrt_prog_sec_find("2/1", &t) == NULL);
    CHECK_EQ(t, 12345);
}

/* Every prefix finds its own entry: none is listed twice or shadowed. */
static void test_sections_consistent(void)
{
    int n = 0;
    for (uint32_t type = 0; type < __MAX_BPF_PROG_TYPE; type++) {
        const struct bpfrt_prog_type_row *r = bpfrt_prog_type_row(type);
        for (const struct bpfrt_prog_sec *s = r->secs; s && s->prefix; s++, n++) {
            uint32_t t;
            test_current = s->prefix;
            CHECK(bpfrt_prog_sec_find(s->prefix, &t) == s);
            CHECK_EQ(t, type);
            if (s->flags & BPFRT_SEC_XDP_FRAGS)
                CHECK_EQ(type, P(XDP));
        }
        /* every type but unspec has a section name */
        test_current = r->name;
        CHECK_EQ(type == P(UNSPEC), r->secs == NULL);
    }
    test_current = "test_sections_consistent";
    CHECK(n > 100);
}

int main(void)
{
    RUN(test_names);
    RUN(test_loadable);
    RUN(test_pkt_access);
    RUN(test_retval);
    RUN(test_load_attach);
    RUN(test_sleepable);
    RUN(test_sections);
    RUN(test_sections_consistent);
    return test_summary();
}
