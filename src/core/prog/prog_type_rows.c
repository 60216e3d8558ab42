/* One row per Linux program type (Linux 6.18): everything bpfrt knows of a
 * type, read by PROG_LOAD, PROG_TEST_RUN, the loader and the CLI, and next
 * by the verifier. The facts come from
 *  - the name: libbpf's prog_type_name[] (what bpftool prints);
 *  - the context: prog_types.c (Linux's *_is_valid_access);
 *  - the test run: net/bpf/test_run.c (bpfrt runs the tracing types too);
 *  - direct packet access: may_access_direct_pkt_data (kernel/bpf/verifier.c;
 *    reads: any context handing out a packet pointer);
 *  - the exit range: check_return_code (verifier.c; no range means any r0);
 *  - load-time attach types: bpf_prog_load_check_attach (kernel/bpf/syscall.c);
 *  - sleepable: can_be_sleepable (verifier.c; syscall programs must be);
 *  - section prefixes: libbpf's section_defs[] (tools/lib/bpf/libbpf.c).
 * A type without a context is named and described but not loaded: adding
 * it is giving its row a context (and a test-run kind). */
#include "core/core.h"
#include "core/prog/prog_types.h"

#define P(t) BPF_PROG_TYPE_##t
#define AT(t) BPF_##t
#define ATT BPFRT_SEC_ATTACH
#define SLP BPFRT_SEC_SLEEPABLE
#define LEG BPFRT_SEC_LEGACY
#define FRAGS BPFRT_SEC_XDP_FRAGS

/* Lists inside a row (compound literals: static storage at file scope). */
#define SECS(...) ((const struct bpfrt_prog_sec[]){ __VA_ARGS__, { 0 } })
#define ATTACH(...) ((const uint32_t[]){ __VA_ARGS__, BPFRT_ATTACH_END })
#define RET_ATTACH(...) ((const struct bpfrt_retval_attach[]){ __VA_ARGS__, { .attach_type = BPFRT_ATTACH_END } })
#define CTX_ATTACH(...) ((const struct bpfrt_ctx_attach[]){ __VA_ARGS__, { .attach_type = BPFRT_ATTACH_END } })
#define RANGE(lo, hi) { BPFRT_RETVAL_RANGE, lo, hi }
#define BTF_RANGE { BPFRT_RETVAL_BTF, 0, 0 }
#define ON(attach, ret) { AT(attach), ret }

#define TR(x) .test_run = BPFRT_TEST_RUN_##x
#define PKT_R .pkt = BPFRT_PKT_READ
#define PKT_RW .pkt = BPFRT_PKT_READ_WRITE
#define MAY_SLEEP .sleepable = BPFRT_SLEEPABLE_MAY

/* check_return_code's default range for the types it checks */
#define RET_0_1 .ret = RANGE(0, 1)

static const struct bpfrt_prog_type_row rows[__MAX_BPF_PROG_TYPE] = {
    [P(UNSPEC)] = { .name = "unspec" },
    [P(SOCKET_FILTER)] = {
        .name = "socket_filter", .aliases = { "socket" },
        .ctx = &bpfrt_ctx_socket_filter, TR(SKB_L3),
        .secs = SECS({ "socket", 0, LEG }),
    },
    [P(KPROBE)] = {
        /* sleepable only on uprobes, which the attach decides */
        .name = "kprobe", .ctx = &bpfrt_ctx_kprobe, TR(CTX), MAY_SLEEP,
        .ret_attach = RET_ATTACH(ON(TRACE_KPROBE_SESSION, RANGE(0, 1)), ON(TRACE_UPROBE_SESSION, RANGE(0, 1))),
        .secs = SECS({ "kprobe.multi", AT(TRACE_KPROBE_MULTI), ATT },
                     { "kretprobe.multi", AT(TRACE_KPROBE_MULTI), ATT },
                     { "kprobe.session", AT(TRACE_KPROBE_SESSION), ATT },
                     { "uprobe.multi.s", AT(TRACE_UPROBE_MULTI), ATT | SLP },
                     { "uretprobe.multi.s", AT(TRACE_UPROBE_MULTI), ATT | SLP },
                     { "uprobe.multi", AT(TRACE_UPROBE_MULTI), ATT },
                     { "uretprobe.multi", AT(TRACE_UPROBE_MULTI), ATT },
                     { "uprobe.session", AT(TRACE_UPROBE_SESSION), ATT },
                     { "kprobe", 0, LEG }, { "kretprobe", 0, LEG }, { "uprobe.s", 0, SLP },
                     { "uretprobe.s", 0, SLP }, { "uprobe", 0, 0 }, { "uretprobe", 0, 0 },
                     { "ksyscall", 0, 0 }, { "kretsyscall", 0, 0 }, { "usdt.s", 0, SLP }, { "usdt", 0, 0 }),
    },
    [P(SCHED_CLS)] = {
        .name = "sched_cls", .aliases = { "tc", "classifier" },
        .ctx = &bpfrt_ctx_sched_cls, TR(SKB_L2), PKT_RW,
        .secs = SECS({ "tc/ingress", AT(TCX_INGRESS), ATT }, { "tc/egress", AT(TCX_EGRESS), ATT },
                     { "tcx/ingress", AT(TCX_INGRESS), ATT }, { "tcx/egress", AT(TCX_EGRESS), ATT },
                     { "netkit/primary", AT(NETKIT_PRIMARY), ATT }, { "netkit/peer", AT(NETKIT_PEER), ATT },
                     { "tc", 0, 0 }, { "classifier", 0, LEG }),
    },
    [P(SCHED_ACT)] = {
        .name = "sched_act", .aliases = { "action" },
        .ctx = &bpfrt_ctx_sched_act, TR(SKB_L2), PKT_RW,
        .secs = SECS({ "action", 0, 0 }),
    },
    [P(TRACEPOINT)] = {
        .name = "tracepoint", .aliases = { "tp" },
        .ctx = &bpfrt_ctx_tracepoint, TR(CTX),
        .secs = SECS({ "tracepoint", 0, LEG }, { "tp", 0, 0 }),
    },
    [P(XDP)] = {
        .name = "xdp", .ctx = &bpfrt_ctx_xdp, TR(XDP), PKT_RW,
        .ctx_attach = CTX_ATTACH(ON(XDP_DEVMAP, &bpfrt_ctx_xdp_devmap)),
        .secs = SECS({ "xdp.frags/devmap", AT(XDP_DEVMAP), ATT | FRAGS }, { "xdp/devmap", AT(XDP_DEVMAP), ATT },
                     { "xdp.frags/cpumap", AT(XDP_CPUMAP), ATT | FRAGS }, { "xdp/cpumap", AT(XDP_CPUMAP), ATT },
                     { "xdp.frags", AT(XDP), ATT | FRAGS }, { "xdp", AT(XDP), ATT | LEG }),
    },
    [P(PERF_EVENT)] = {
        .name = "perf_event", .ctx = &bpfrt_ctx_perf_event, TR(CTX),
        .secs = SECS({ "perf_event", 0, LEG }),
    },
    [P(CGROUP_SKB)] = {
        .name = "cgroup_skb", .ctx = &bpfrt_ctx_cgroup_skb, TR(SKB_L3), PKT_R,
        RET_0_1, .ret_attach = RET_ATTACH(ON(CGROUP_INET_EGRESS, RANGE(0, 3))),
        .load_attach = ATTACH(AT(CGROUP_INET_INGRESS), AT(CGROUP_INET_EGRESS)),
        .secs = SECS({ "cgroup_skb/ingress", AT(CGROUP_INET_INGRESS), ATT },
                     { "cgroup_skb/egress", AT(CGROUP_INET_EGRESS), ATT }, { "cgroup/skb", 0, 0 }),
    },
    [P(CGROUP_SOCK)] = {
        .name = "cgroup_sock", .ctx = &bpfrt_ctx_sock_create, TR(CTX), RET_0_1,
        .ctx_attach = CTX_ATTACH(ON(CGROUP_INET4_POST_BIND, &bpfrt_ctx_sock_post_bind4),
                                 ON(CGROUP_INET6_POST_BIND, &bpfrt_ctx_sock_post_bind6)),
        .load_attach = ATTACH(AT(CGROUP_INET_SOCK_CREATE), AT(CGROUP_INET_SOCK_RELEASE),
                              AT(CGROUP_INET4_POST_BIND), AT(CGROUP_INET6_POST_BIND)),
        .attach_default = AT(CGROUP_INET_SOCK_CREATE),
        .secs = SECS({ "cgroup/sock_create", AT(CGROUP_INET_SOCK_CREATE), ATT },
                     { "cgroup/sock_release", AT(CGROUP_INET_SOCK_RELEASE), ATT },
                     { "cgroup/sock", AT(CGROUP_INET_SOCK_CREATE), ATT },
                     { "cgroup/post_bind4", AT(CGROUP_INET4_POST_BIND), ATT },
                     { "cgroup/post_bind6", AT(CGROUP_INET6_POST_BIND), ATT }),
    },
    [P(LWT_IN)] = {
        .name = "lwt_in", .ctx = &bpfrt_ctx_lwt_in, TR(SKB_L3), PKT_R,
        .secs = SECS({ "lwt_in", 0, 0 }),
    },
    [P(LWT_OUT)] = {
        .name = "lwt_out", .ctx = &bpfrt_ctx_lwt_out, TR(SKB_L3), PKT_R,
        .secs = SECS({ "lwt_out", 0, 0 }),
    },
    [P(LWT_XMIT)] = {
        .name = "lwt_xmit", .ctx = &bpfrt_ctx_lwt_xmit, TR(SKB_L3), PKT_RW,
        .secs = SECS({ "lwt_xmit", 0, 0 }),
    },
    [P(SOCK_OPS)] = {
        /* reads the packet through skb_data; writes it never */
        .name = "sock_ops", .ctx = &bpfrt_ctx_sock_ops, TR(CTX_PKT), PKT_R, RET_0_1,
        .secs = SECS({ "sockops", AT(CGROUP_SOCK_OPS), ATT }),
    },
    [P(SK_SKB)] = {
        .name = "sk_skb", .ctx = &bpfrt_ctx_sk_skb, TR(CTX_PKT), PKT_RW,
        .secs = SECS({ "sk_skb/stream_parser", AT(SK_SKB_STREAM_PARSER), ATT },
                     { "sk_skb/stream_verdict", AT(SK_SKB_STREAM_VERDICT), ATT },
                     { "sk_skb/verdict", AT(SK_SKB_VERDICT), ATT }, { "sk_skb", 0, LEG }),
    },
    [P(CGROUP_DEVICE)] = {
        .name = "cgroup_device", RET_0_1,
        .secs = SECS({ "cgroup/dev", AT(CGROUP_DEVICE), ATT }),
    },
    [P(SK_MSG)] = {
        .name = "sk_msg", .ctx = &bpfrt_ctx_sk_msg, TR(CTX_PKT), PKT_RW,
        .secs = SECS({ "sk_msg", AT(SK_MSG_VERDICT), ATT | LEG }),
    },
    [P(RAW_TRACEPOINT)] = {
        .name = "raw_tracepoint", .aliases = { "raw_tp" },
        .ctx = &bpfrt_ctx_raw_tp, TR(RAW_TP),
        .secs = SECS({ "raw_tracepoint", 0, LEG }, { "raw_tp", 0, 0 }),
    },
    [P(CGROUP_SOCK_ADDR)] = {
        .name = "cgroup_sock_addr", .ctx = &bpfrt_ctx_sock_addr_unix, TR(CTX), RET_0_1,
        .ctx_attach = CTX_ATTACH(ON(CGROUP_INET4_BIND, &bpfrt_ctx_sock_addr4),
                                 ON(CGROUP_INET4_CONNECT, &bpfrt_ctx_sock_addr4),
                                 ON(CGROUP_INET4_GETPEERNAME, &bpfrt_ctx_sock_addr4),
                                 ON(CGROUP_INET4_GETSOCKNAME, &bpfrt_ctx_sock_addr4),
                                 ON(CGROUP_UDP4_RECVMSG, &bpfrt_ctx_sock_addr4),
                                 ON(CGROUP_UDP4_SENDMSG, &bpfrt_ctx_sock_addr4_sendmsg),
                                 ON(CGROUP_INET6_BIND, &bpfrt_ctx_sock_addr6),
                                 ON(CGROUP_INET6_CONNECT, &bpfrt_ctx_sock_addr6),
                                 ON(CGROUP_INET6_GETPEERNAME, &bpfrt_ctx_sock_addr6),
                                 ON(CGROUP_INET6_GETSOCKNAME, &bpfrt_ctx_sock_addr6),
                                 ON(CGROUP_UDP6_RECVMSG, &bpfrt_ctx_sock_addr6),
                                 ON(CGROUP_UDP6_SENDMSG, &bpfrt_ctx_sock_addr6_sendmsg)),
        /* the hooks that rewrite an address the kernel already chose must
         * return 1; bind may also ask to skip the port check (2, 3) */
        .ret_attach = RET_ATTACH(ON(CGROUP_UDP4_RECVMSG, RANGE(1, 1)), ON(CGROUP_UDP6_RECVMSG, RANGE(1, 1)),
                                 ON(CGROUP_UNIX_RECVMSG, RANGE(1, 1)), ON(CGROUP_INET4_GETPEERNAME, RANGE(1, 1)),
                                 ON(CGROUP_INET6_GETPEERNAME, RANGE(1, 1)),
                                 ON(CGROUP_UNIX_GETPEERNAME, RANGE(1, 1)),
                                 ON(CGROUP_INET4_GETSOCKNAME, RANGE(1, 1)),
                                 ON(CGROUP_INET6_GETSOCKNAME, RANGE(1, 1)),
                                 ON(CGROUP_UNIX_GETSOCKNAME, RANGE(1, 1)), ON(CGROUP_INET4_BIND, RANGE(0, 3)),
                                 ON(CGROUP_INET6_BIND, RANGE(0, 3))),
        .load_attach = ATTACH(AT(CGROUP_INET4_BIND), AT(CGROUP_INET6_BIND), AT(CGROUP_INET4_CONNECT),
                              AT(CGROUP_INET6_CONNECT), AT(CGROUP_UNIX_CONNECT), AT(CGROUP_INET4_GETPEERNAME),
                              AT(CGROUP_INET6_GETPEERNAME), AT(CGROUP_UNIX_GETPEERNAME),
                              AT(CGROUP_INET4_GETSOCKNAME), AT(CGROUP_INET6_GETSOCKNAME),
                              AT(CGROUP_UNIX_GETSOCKNAME), AT(CGROUP_UDP4_SENDMSG), AT(CGROUP_UDP6_SENDMSG),
                              AT(CGROUP_UNIX_SENDMSG), AT(CGROUP_UDP4_RECVMSG), AT(CGROUP_UDP6_RECVMSG),
                              AT(CGROUP_UNIX_RECVMSG)),
        .secs = SECS({ "cgroup/bind4", AT(CGROUP_INET4_BIND), ATT }, { "cgroup/bind6", AT(CGROUP_INET6_BIND), ATT },
                     { "cgroup/connect4", AT(CGROUP_INET4_CONNECT), ATT },
                     { "cgroup/connect6", AT(CGROUP_INET6_CONNECT), ATT },
                     { "cgroup/connect_unix", AT(CGROUP_UNIX_CONNECT), ATT },
                     { "cgroup/sendmsg4", AT(CGROUP_UDP4_SENDMSG), ATT },
                     { "cgroup/sendmsg6", AT(CGROUP_UDP6_SENDMSG), ATT },
                     { "cgroup/sendmsg_unix", AT(CGROUP_UNIX_SENDMSG), ATT },
                     { "cgroup/recvmsg4", AT(CGROUP_UDP4_RECVMSG), ATT },
                     { "cgroup/recvmsg6", AT(CGROUP_UDP6_RECVMSG), ATT },
                     { "cgroup/recvmsg_unix", AT(CGROUP_UNIX_RECVMSG), ATT },
                     { "cgroup/getpeername4", AT(CGROUP_INET4_GETPEERNAME), ATT },
                     { "cgroup/getpeername6", AT(CGROUP_INET6_GETPEERNAME), ATT },
                     { "cgroup/getpeername_unix", AT(CGROUP_UNIX_GETPEERNAME), ATT },
                     { "cgroup/getsockname4", AT(CGROUP_INET4_GETSOCKNAME), ATT },
                     { "cgroup/getsockname6", AT(CGROUP_INET6_GETSOCKNAME), ATT },
                     { "cgroup/getsockname_unix", AT(CGROUP_UNIX_GETSOCKNAME), ATT }),
    },
    [P(LWT_SEG6LOCAL)] = {
        .name = "lwt_seg6local", PKT_R,
        .secs = SECS({ "lwt_seg6local", 0, 0 }),
    },
    [P(LIRC_MODE2)] = {
        .name = "lirc_mode2",
        .secs = SECS({ "lirc_mode2", AT(LIRC_MODE2), ATT }),
    },
    [P(SK_REUSEPORT)] = {
        .name = "sk_reuseport", .ctx = &bpfrt_ctx_sk_reuseport, TR(CTX_PKT), PKT_R,
        .load_attach = ATTACH(AT(SK_REUSEPORT_SELECT), AT(SK_REUSEPORT_SELECT_OR_MIGRATE)),
        .attach_default = AT(SK_REUSEPORT_SELECT),
        .secs = SECS({ "sk_reuseport/migrate", AT(SK_REUSEPORT_SELECT_OR_MIGRATE), ATT },
                     { "sk_reuseport", AT(SK_REUSEPORT_SELECT), ATT }),
    },
    [P(FLOW_DISSECTOR)] = {
        .name = "flow_dissector", .ctx = &bpfrt_ctx_flow_dissector, TR(FLOW_DISSECTOR), PKT_R,
        .secs = SECS({ "flow_dissector", AT(FLOW_DISSECTOR), ATT }),
    },
    [P(CGROUP_SYSCTL)] = {
        .name = "cgroup_sysctl", RET_0_1,
        .secs = SECS({ "cgroup/sysctl", AT(CGROUP_SYSCTL), ATT }),
    },
    [P(RAW_TRACEPOINT_WRITABLE)] = {
        .name = "raw_tracepoint_writable",
        .secs = SECS({ "raw_tracepoint.w", 0, 0 }, { "raw_tp.w", 0, 0 }),
    },
    [P(CGROUP_SOCKOPT)] = {
        /* its "packet" is the option buffer (optval..optval_end) */
        .name = "cgroup_sockopt", PKT_RW, RET_0_1,
        .load_attach = ATTACH(AT(CGROUP_SETSOCKOPT), AT(CGROUP_GETSOCKOPT)),
        .secs = SECS({ "cgroup/getsockopt", AT(CGROUP_GETSOCKOPT), ATT },
                     { "cgroup/setsockopt", AT(CGROUP_SETSOCKOPT), ATT }),
    },
    [P(TRACING)] = {
        /* raw_tp and fmod_ret return anything; attach types other than
         * these five Linux refuses (-ENOTSUPP) */
        .name = "tracing", MAY_SLEEP, /* fentry, fexit, fmod_ret, iter */
        .ctx = &bpfrt_ctx_btf_args, .btf_ctx = true, TR(CTX),
        .ret_attach = RET_ATTACH(ON(TRACE_FENTRY, RANGE(0, 0)), ON(TRACE_FEXIT, RANGE(0, 0)),
                                 ON(TRACE_ITER, RANGE(0, 1))),
        .secs = SECS({ "tp_btf", AT(TRACE_RAW_TP), ATT }, { "fentry.s", AT(TRACE_FENTRY), ATT | SLP },
                     { "fmod_ret.s", AT(MODIFY_RETURN), ATT | SLP }, { "fexit.s", AT(TRACE_FEXIT), ATT | SLP },
                     { "fentry", AT(TRACE_FENTRY), ATT }, { "fmod_ret", AT(MODIFY_RETURN), ATT },
                     { "fexit", AT(TRACE_FEXIT), ATT }, { "iter.s", AT(TRACE_ITER), ATT | SLP },
                     { "iter", AT(TRACE_ITER), ATT }),
    },
    [P(STRUCT_OPS)] = {
        .name = "struct_ops", .ret = BTF_RANGE, MAY_SLEEP,
        .secs = SECS({ "struct_ops.s", 0, SLP }, { "struct_ops", 0, 0 }),
    },
    [P(EXT)] = {
        /* the replaced function decides what it may return */
        .name = "ext", .load_attach = ATTACH(0),
        .secs = SECS({ "freplace", 0, 0 }),
    },
    [P(LSM)] = {
        .name = "lsm", .ret = BTF_RANGE, MAY_SLEEP, .ctx = &bpfrt_ctx_lsm_args, .btf_ctx = true, TR(CTX),
        .secs = SECS({ "lsm.s", AT(LSM_MAC), ATT | SLP }, { "lsm_cgroup", AT(LSM_CGROUP), ATT },
                     { "lsm", AT(LSM_MAC), ATT }),
    },
    [P(SK_LOOKUP)] = {
        .name = "sk_lookup", .ctx = &bpfrt_ctx_sk_lookup, TR(SK_LOOKUP), .ret = RANGE(0, 1), /* SK_DROP, SK_PASS */
        .load_attach = ATTACH(AT(SK_LOOKUP)),
        .secs = SECS({ "sk_lookup", AT(SK_LOOKUP), ATT }),
    },
    [P(SYSCALL)] = {
        .name = "syscall", .ctx = &bpfrt_ctx_syscall, TR(SYSCALL), .load_attach = ATTACH(0),
        .sleepable = BPFRT_SLEEPABLE_MUST,
        .secs = SECS({ "syscall", 0, SLP }),
    },
    [P(NETFILTER)] = {
        .name = "netfilter", .ctx = &bpfrt_ctx_netfilter, TR(NETFILTER), .ret = RANGE(0, 1), /* NF_DROP, NF_ACCEPT */
        .load_attach = ATTACH(AT(NETFILTER)),
        .secs = SECS({ "netfilter", AT(NETFILTER), ATT }),
    },
};

#define NR_ROWS (uint32_t)(sizeof(rows) / sizeof(rows[0]))

const struct bpfrt_prog_type_row *bpfrt_prog_type_row(uint32_t prog_type)
{
    return prog_type < NR_ROWS && rows[prog_type].name ? &rows[prog_type] : NULL;
}

const struct bpfrt_ctx_desc *bpfrt_ctx_desc_for(uint32_t prog_type, uint32_t expected_attach_type)
{
    const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(prog_type);
    if (!row)
        return NULL;
    if (expected_attach_type == 0 && row->attach_default)
        expected_attach_type = row->attach_default;
    for (const struct bpfrt_ctx_attach *a = row->ctx_attach; a && a->attach_type != BPFRT_ATTACH_END; a++)
        if (a->attach_type == expected_attach_type)
            return a->desc;
    return row->ctx;
}

const struct bpfrt_ctx_desc *bpfrt_prog_ctx_desc(const struct bpfrt_prog *prog)
{
    return prog->ctx_desc ? prog->ctx_desc : bpfrt_ctx_desc_for(prog->type, prog->expected_attach_type);
}

bool bpfrt_prog_type_known(uint32_t prog_type)
{
    const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(prog_type);
    return row && row->ctx;
}

bool bpfrt_prog_type_attach_ok(uint32_t prog_type, uint32_t expected_attach_type)
{
    const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(prog_type);
    if (!row || !row->load_attach)
        return row != NULL;
    if (expected_attach_type == 0 && row->attach_default)
        expected_attach_type = row->attach_default;
    for (const uint32_t *a = row->load_attach; *a != BPFRT_ATTACH_END; a++)
        if (*a == expected_attach_type)
            return true;
    return false;
}

struct bpfrt_retval bpfrt_prog_type_retval(uint32_t prog_type, uint32_t expected_attach_type)
{
    const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(prog_type);
    struct bpfrt_retval any = { BPFRT_RETVAL_ANY, 0, 0 };
    if (!row)
        return any;
    for (const struct bpfrt_retval_attach *r = row->ret_attach; r && r->attach_type != BPFRT_ATTACH_END; r++)
        if (r->attach_type == expected_attach_type)
            return r->ret;
    return row->ret;
}

const char *bpfrt_prog_type_str(uint32_t prog_type)
{
    const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(prog_type);
    return row ? row->name : NULL;
}

int bpfrt_prog_type_parse(const char *name)
{
    for (uint32_t t = 0; t < NR_ROWS; t++) {
        if (rows[t].name && bpfrt_strcmp(rows[t].name, name) == 0)
            return (int)t;
        for (uint32_t i = 0; i < sizeof(rows[t].aliases) / sizeof(rows[t].aliases[0]); i++)
            if (rows[t].aliases[i] && bpfrt_strcmp(rows[t].aliases[i], name) == 0)
                return (int)t;
    }
    return -1;
}

/* How many bytes of prefix `name` continues exactly (name == prefix or
 * prefix + "/..."); 0 when it does not. `legacy`: any continuation. */
static size_t sec_match(const char *name, const char *prefix, bool legacy)
{
    size_t n = bpfrt_strlen(prefix);
    if (bpfrt_strncmp(name, prefix, n) != 0)
        return 0;
    return legacy || name[n] == '\0' || name[n] == '/' ? n : 0;
}

static const struct bpfrt_prog_sec *sec_find(const char *name, bool legacy, uint32_t *prog_type)
{
    const struct bpfrt_prog_sec *best = NULL;
    size_t best_len = 0;
    for (uint32_t t = 0; t < NR_ROWS; t++)
        for (const struct bpfrt_prog_sec *s = rows[t].secs; s && s->prefix; s++) {
            if (legacy && !(s->flags & BPFRT_SEC_LEGACY))
                continue;
            size_t n = sec_match(name, s->prefix, legacy);
            if (n > best_len) {
                best = s;
                best_len = n;
                *prog_type = t;
            }
        }
    return best;
}

const struct bpfrt_prog_sec *bpfrt_prog_sec_find(const char *sec_name, uint32_t *prog_type)
{
    const struct bpfrt_prog_sec *s = sec_find(sec_name, false, prog_type);
    return s ? s : sec_find(sec_name, true, prog_type);
}
