/* PROG_TEST_RUN for the socket program types (src/core/bpf/test_run_sock.c).
 * flow_dissector, sk_lookup and netfilter have Linux test runs: every case
 * runs through bpfrt_bpf and, where bpf(2) works, the kernel - errors,
 * retval, data_out and ctx_out must agree. sock_ops, sk_skb, sk_msg,
 * sk_reuseport, cgroup_sock and cgroup_sock_addr have none in Linux (the
 * kernel's -ENOTSUPP is asserted); bpfrt runs them on the caller's context,
 * checked against hand-derived values. */
#include "test.h"
#include "bpf_test_util.h"

#include <arpa/inet.h>

#include "bpfrt/hooks.h"
#include "core/prog/prog_types.h"

static struct bpfrt_runtime *rt;
static bool kern;

struct run_out {
    long err;
    uint32_t retval, size_out, ctx_size_out;
    uint8_t data[512] __attribute__((aligned(8)));
    uint8_t ctx[256] __attribute__((aligned(8)));
};

struct run_in {
    uint32_t type, attach;
    const void *data;
    uint32_t size;
    const void *ctx;
    uint32_t ctx_size;
    uint32_t ctx_out_size;
    uint32_t repeat;
};

/* The next bpfrt load goes without the verifier (BPFRT_PROG_F_NO_VERIFY:
 * checked mode), for programs the verifier refuses. */
static bool next_unverified;

static long one_run(bool kernel, const struct run_in *in, const struct bpf_insn *p, uint32_t n, struct run_out *out)
{
    memset(out, 0, sizeof(*out));
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = in->type;
    a.expected_attach_type = in->attach;
    a.insn_cnt = n;
    a.insns = ptr(p);
    a.license = ptr("GPL");
    if (!kernel && next_unverified)
        a.prog_flags = BPFRT_PROG_F_NO_VERIFY;
    next_unverified = false;
    long fd = do_bpf(rt, kernel, BPF_PROG_LOAD, &a);
    if (fd < 0)
        return fd;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = ptr(in->data);
    a.test.data_size_in = in->size;
    a.test.data_out = in->data ? ptr(out->data) : 0;
    a.test.data_size_out = in->data ? sizeof(out->data) : 0;
    a.test.ctx_in = ptr(in->ctx);
    a.test.ctx_size_in = in->ctx_size;
    a.test.ctx_out = in->ctx_out_size ? ptr(out->ctx) : 0;
    a.test.ctx_size_out = in->ctx_out_size;
    a.test.repeat = in->repeat;
    out->err = do_bpf(rt, kernel, BPF_PROG_TEST_RUN, &a);
    out->retval = a.test.retval;
    out->size_out = a.test.data_size_out;
    out->ctx_size_out = a.test.ctx_size_out;
    do_close(rt, kernel, fd);
    return 0;
}

static int compared;

/* Runs on bpfrt (result in *out) and compares with the kernel. */
static void run_both(const struct run_in *in, const struct bpf_insn *p, uint32_t n, struct run_out *out)
{
    CHECK_EQ(one_run(false, in, p, n, out), 0);
    if (!kern)
        return;
    static struct run_out k;
    if (one_run(true, in, p, n, &k) != 0) {
        CHECK(!"kernel refused the program");
        return;
    }
    compared++;
    if (out->err != k.err)
        fprintf(stderr, "type %u: bpfrt %ld, kernel %ld\n", in->type, out->err, k.err);
    CHECK_EQ(out->err, k.err);
    if (out->err != 0)
        return;
    CHECK_EQ(out->retval, k.retval);
    if (in->data) {
        CHECK_EQ(out->size_out, k.size_out);
        CHECK(memcmp(out->data, k.data, out->size_out < sizeof(out->data) ? out->size_out : sizeof(out->data)) == 0);
    }
    if (in->ctx_out_size) {
        CHECK_EQ(out->ctx_size_out, k.ctx_size_out);
        CHECK(memcmp(out->ctx, k.ctx, in->ctx_out_size) == 0);
    }
}

/* An Ethernet + IPv4 frame (protocol 17, 10.0.0.1 -> 10.0.0.2) padded to len. */
static void make_ip_frame(uint8_t *f, uint32_t len, uint16_t ethertype)
{
    memset(f, 0, len);
    for (uint32_t i = 0; i < len; i++)
        f[i] = (uint8_t)(i * 5 + 1);
    f[12] = (uint8_t)(ethertype >> 8);
    f[13] = (uint8_t)ethertype;
    f[14] = 0x45;
    f[14 + 9] = 17;
    const uint8_t src[4] = { 10, 0, 0, 1 }, dst[4] = { 10, 0, 0, 2 };
    memcpy(f + 26, src, 4);
    memcpy(f + 30, dst, 4);
}

/* ---- FLOW_DISSECTOR ---- */

#define FK(f) (int16_t)offsetof(struct bpf_flow_keys, f)
#define SKB(f) (int16_t)offsetof(struct __sk_buff, f)

static void test_flow_dissector(void)
{
    /* ip_proto and the source address from the IPv4 header, thoff past it */
    const struct bpf_insn dissect[] = {
        LDX(BPF_DW, 6, 1, SKB(flow_keys)),
        LDX(BPF_W, 2, 1, SKB(data)),
        LDX(BPF_W, 3, 1, SKB(data_end)),
        MOV64_REG(4, 2),
        ALU64_IMM(BPF_ADD, 4, 34),
        JMP_REG(BPF_JGT, 4, 3, 9),
        LDX(BPF_B, 5, 2, 23),
        STX(BPF_B, 6, 5, FK(ip_proto)),
        LDX(BPF_H, 5, 6, FK(nhoff)),
        ALU64_IMM(BPF_ADD, 5, 20),
        STX(BPF_H, 6, 5, FK(thoff)),
        LDX(BPF_W, 5, 2, 26),
        STX(BPF_W, 6, 5, FK(ipv4_src)),
        MOV64_IMM(0, 0), /* BPF_OK */
        EXIT(),
        MOV64_IMM(0, 2), /* BPF_DROP */
        EXIT(),
    };
    uint8_t f[60];
    make_ip_frame(f, sizeof(f), 0x0800);
    struct run_out out;
    struct run_in in = { BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, f, sizeof(f), NULL, 0, 0, 0 };
    run_both(&in, dissect, NR(dissect), &out);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 0);
    CHECK_EQ(out.size_out, sizeof(struct bpf_flow_keys));
    struct bpf_flow_keys keys;
    memcpy(&keys, out.data, sizeof(keys));
    CHECK_EQ(keys.nhoff, 14);
    CHECK_EQ(keys.thoff, 34);
    CHECK_EQ(keys.ip_proto, 17);
    CHECK_EQ(keys.n_proto, htons(0x0800));
    CHECK(memcmp(&keys.ipv4_src, f + 26, 4) == 0);

    in.repeat = 3; /* the keys start over each time */
    run_both(&in, dissect, NR(dissect), &out);
    CHECK_EQ(((struct bpf_flow_keys *)(void *)out.data)->thoff, 34);
    in.repeat = 0;

    in.size = 30; /* too short for the program: it drops */
    run_both(&in, dissect, NR(dissect), &out);
    CHECK_EQ(out.retval, 2);

    /* offsets the program leaves out of range are clamped to the frame */
    const struct bpf_insn wild[] = {
        LDX(BPF_DW, 6, 1, SKB(flow_keys)),
        ST(BPF_H, 6, FK(nhoff), 2),
        ST(BPF_H, 6, FK(thoff), 9999),
        MOV64_IMM(0, 0),
        EXIT(),
    };
    in.size = sizeof(f);
    run_both(&in, wild, NR(wild), &out);
    memcpy(&keys, out.data, sizeof(keys));
    CHECK_EQ(keys.nhoff, 14);
    CHECK_EQ(keys.thoff, 60);

    /* ctx_in: only flags may be set; they reach the program's keys */
    struct bpf_flow_keys cin;
    memset(&cin, 0, sizeof(cin));
    cin.flags = 1;
    in.ctx = &cin;
    in.ctx_size = sizeof(cin);
    in.ctx_out_size = sizeof(cin);
    run_both(&in, dissect, NR(dissect), &out);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(((struct bpf_flow_keys *)(void *)out.data)->flags, 1);
    CHECK_EQ(out.ctx_size_out, sizeof(cin));
    cin.nhoff = 3;
    run_both(&in, dissect, NR(dissect), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    in.ctx = NULL;
    in.ctx_size = in.ctx_out_size = 0;

    in.size = 13; /* shorter than an Ethernet header */
    run_both(&in, dissect, NR(dissect), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
}

/* ---- SK_LOOKUP ---- */

#define SL(f) (int16_t)offsetof(struct bpf_sk_lookup, f)

/* r0 = (u32 at off == want) */
static uint32_t field_is(struct bpf_insn *p, int16_t off, int32_t want)
{
    uint32_t n = 0;
    p[n++] = LDX(BPF_W, 2, 1, off);
    p[n++] = MOV64_IMM(0, 1);
    p[n++] = JMP_IMM(BPF_JEQ, 2, want, 1);
    p[n++] = MOV64_IMM(0, 0);
    p[n++] = EXIT();
    return n;
}

static void test_sk_lookup(void)
{
    struct bpf_sk_lookup c;
    memset(&c, 0, sizeof(c));
    c.family = 2;
    c.protocol = 6;
    c.remote_ip4 = htonl(0x0a000001);
    c.local_ip4 = htonl(0x0a000002);
    c.remote_port = htons(4321);
    c.local_port = 8080;
    memset(c.remote_ip6, 0x11, sizeof(c.remote_ip6)); /* not AF_INET6: the program sees zeros */
    struct run_in in = { BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, NULL, 0, &c, sizeof(c), sizeof(c), 0 };
    struct run_out out;
    struct bpf_insn p[5];
    const struct {
        int16_t off;
        int32_t want;
    } fields[] = {
        { SL(family), 2 }, { SL(protocol), 6 }, { SL(remote_ip4), (int32_t)htonl(0x0a000001) },
        { SL(local_ip4), (int32_t)htonl(0x0a000002) }, { SL(remote_port), htons(4321) },
        { SL(local_port), 8080 }, { SL(ingress_ifindex), 0 }, { SL(remote_ip6), 0 },
    };
    for (size_t i = 0; i < NR(fields); i++) {
        run_both(&in, p, field_is(p, fields[i].off, fields[i].want), &out);
        CHECK_EQ(out.err, 0);
        CHECK_EQ(out.retval, 1);
        CHECK_EQ(out.ctx_size_out, sizeof(c));
    }
    run_both(&in, p, field_is(p, SL(local_port), 80), &out);
    CHECK_EQ(out.retval, 0); /* SK_DROP */
    /* any other r0 passes (BPF_PROG_SK_LOOKUP_RUN_ARRAY) - checked runs
     * only: Linux's verifier would refuse r0 = 7 */

    /* family and ports are u16 to the hook */
    c.family = 0x10002;
    run_both(&in, p, field_is(p, SL(family), 2), &out);
    CHECK_EQ(out.retval, 1);
    c.family = 10;
    memset(c.local_ip6, 0, sizeof(c.local_ip6));
    c.local_ip6[3] = htonl(1);
    run_both(&in, p, field_is(p, SL(local_ip6[3]), (int32_t)htonl(1)), &out);
    CHECK_EQ(out.retval, 1);
    run_both(&in, p, field_is(p, SL(remote_ip4), 0), &out);
    CHECK_EQ(out.retval, 1);

    /* what Linux refuses */
    struct bpf_insn pass[] = { MOV64_IMM(0, 1), EXIT() };
    c.family = 99;
    run_both(&in, pass, NR(pass), &out);
    CHECK_EQ(out.err, -BPFRT_EAFNOSUPPORT);
    c.family = 2;
    c.local_port = 70000;
    run_both(&in, pass, NR(pass), &out);
    CHECK_EQ(out.err, -BPFRT_ERANGE);
    c.local_port = 80;
    c.ingress_ifindex = 1;
    run_both(&in, pass, NR(pass), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    c.ingress_ifindex = 0;
    c.cookie = 5;
    run_both(&in, pass, NR(pass), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    c.cookie = 0;
    uint8_t frame[64] = { 0 };
    in.data = frame;
    in.size = sizeof(frame);
    run_both(&in, pass, NR(pass), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    in.data = NULL;
    in.size = 0;
    in.ctx = NULL;
    in.ctx_size = in.ctx_out_size = 0;
    run_both(&in, pass, NR(pass), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
}

/* ---- NETFILTER ---- */

struct nf_state {
    uint8_t hook, pf;
    uint64_t in, out, sk, net, okfn;
};

static void test_netfilter(void)
{
    struct bpf_insn accept[] = { MOV64_IMM(0, 1), EXIT() };
    /* the context's two pointers are there (not NULL) */
    struct bpf_insn ptrs[] = {
        LDX(BPF_DW, 2, 1, 0), LDX(BPF_DW, 3, 1, 8), MOV64_IMM(0, 0), JMP_IMM(BPF_JEQ, 2, 0, 2),
        JMP_IMM(BPF_JEQ, 3, 0, 1), MOV64_IMM(0, 1), EXIT(),
    };
    uint8_t ip[40];
    make_ip_frame(ip, sizeof(ip), 0x0800);
    struct run_in in = { BPF_PROG_TYPE_NETFILTER, BPF_NETFILTER, ip + 14, 20, NULL, 0, 0, 0 };
    struct run_out out;
    run_both(&in, accept, NR(accept), &out); /* LOCAL_OUT: a bare IP packet */
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 1);
    CHECK_EQ(out.size_out, 0);
    run_both(&in, ptrs, NR(ptrs), &out);
    CHECK_EQ(out.retval, 1);
    in.size = 19;
    run_both(&in, accept, NR(accept), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);

    /* other hooks: an Ethernet frame of the hook's family */
    uint8_t f[60];
    make_ip_frame(f, sizeof(f), 0x0800);
    struct nf_state st;
    memset(&st, 0, sizeof(st));
    st.hook = 0; /* NF_INET_PRE_ROUTING */
    st.pf = 2;
    in.data = f;
    in.size = sizeof(f);
    in.ctx = &st;
    in.ctx_size = sizeof(st);
    run_both(&in, accept, NR(accept), &out);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 1);
    st.pf = 10; /* IPv6 hook, IPv4 frame */
    run_both(&in, accept, NR(accept), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    st.pf = 7;
    run_both(&in, accept, NR(accept), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    st.pf = 2;
    make_ip_frame(f, sizeof(f), 0x1234);
    run_both(&in, accept, NR(accept), &out);
    CHECK_EQ(out.err, -BPFRT_EPROTO);
    make_ip_frame(f, sizeof(f), 0x0800);
    st.in = 1;
    run_both(&in, accept, NR(accept), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    st.in = 0;
    st.okfn = 1;
    run_both(&in, accept, NR(accept), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    st.okfn = 0;
    in.size = 33; /* Ethernet + less than an IP header */
    run_both(&in, accept, NR(accept), &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
}

/* ---- types Linux cannot test-run: bpfrt runs the caller's context ---- */

static void test_caller_context(void)
{
    struct run_out out;
    /* sock_ops: reads op, writes reply; sk is the hook's (NULL here) even
     * when ctx_in claims one */
    struct bpf_sock_ops so;
    memset(&so, 0, sizeof(so));
    so.op = 4; /* BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB */
    so.sk = 0xdeadbeef;
    const struct bpf_insn so_prog[] = {
        LDX(BPF_W, 2, 1, (int16_t)offsetof(struct bpf_sock_ops, op)),
        ALU64_IMM(BPF_ADD, 2, 100),
        STX(BPF_W, 1, 2, (int16_t)offsetof(struct bpf_sock_ops, reply)),
        LDX(BPF_DW, 3, 1, (int16_t)offsetof(struct bpf_sock_ops, sk)),
        MOV64_IMM(0, 1),
        JMP_IMM(BPF_JEQ, 3, 0, 1),
        MOV64_IMM(0, 0),
        EXIT(),
    };
    struct run_in in = { BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, NULL, 0, &so, sizeof(so), sizeof(so), 0 };
    CHECK_EQ(one_run(false, &in, so_prog, NR(so_prog), &out), 0);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 1);
    struct bpf_sock_ops so_out;
    memcpy(&so_out, out.ctx, sizeof(so_out));
    CHECK_EQ(so_out.reply, 104);
    CHECK_EQ(so_out.sk, 0);
    if (kern) { /* Linux has no test run for it */
        CHECK_EQ(one_run(true, &in, so_prog, NR(so_prog), &out), 0);
        CHECK_EQ(out.err, -BPFRT_ENOTSUPP);
    }

    /* cgroup_sock_addr connect4: rewrite the destination */
    struct bpf_sock_addr sa;
    memset(&sa, 0, sizeof(sa));
    sa.user_family = 2;
    sa.user_ip4 = htonl(0x7f000001);
    sa.user_port = htons(80);
    const struct bpf_insn sa_prog[] = {
        ST(BPF_W, 1, (int16_t)offsetof(struct bpf_sock_addr, user_ip4), (int32_t)htonl(0x0a000002)),
        LDX(BPF_W, 2, 1, (int16_t)offsetof(struct bpf_sock_addr, user_port)),
        ALU64_IMM(BPF_ADD, 2, 1),
        STX(BPF_W, 1, 2, (int16_t)offsetof(struct bpf_sock_addr, user_port)),
        MOV64_IMM(0, 1),
        EXIT(),
    };
    in = (struct run_in){ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, NULL, 0, &sa, sizeof(sa),
                          sizeof(sa), 0 };
    CHECK_EQ(one_run(false, &in, sa_prog, NR(sa_prog), &out), 0);
    CHECK_EQ(out.err, 0);
    struct bpf_sock_addr sa_out;
    memcpy(&sa_out, out.ctx, sizeof(sa_out));
    CHECK_EQ(sa_out.user_ip4, htonl(0x0a000002));
    CHECK_EQ(sa_out.user_port, htons(80) + 1u);
    /* an IPv6 hook may not touch user_ip4: the verifier refuses it, a
     * checked run stops */
    in.attach = BPF_CGROUP_INET6_CONNECT;
    CHECK_EQ(one_run(false, &in, sa_prog, NR(sa_prog), &out), -BPFRT_EACCES);
    next_unverified = true;
    CHECK_EQ(one_run(false, &in, sa_prog, NR(sa_prog), &out), 0);
    CHECK(out.err != 0);

    /* sk_skb: the packet is data_in, len follows it, priority writable */
    uint8_t pkt[40];
    for (uint32_t i = 0; i < sizeof(pkt); i++)
        pkt[i] = (uint8_t)(i + 1);
    const struct bpf_insn skb_prog[] = {
        LDX(BPF_W, 2, 1, SKB(data)),
        LDX(BPF_W, 3, 1, SKB(data_end)),
        MOV64_REG(4, 2),
        ALU64_IMM(BPF_ADD, 4, 4),
        JMP_REG(BPF_JGT, 4, 3, 5),
        LDX(BPF_B, 5, 2, 3),           /* pkt[3] = 4 */
        LDX(BPF_W, 0, 1, SKB(len)),    /* 40 */
        ALU64_IMM(BPF_ADD, 0, 0),
        STX(BPF_W, 1, 5, SKB(priority)),
        EXIT(),
        MOV64_IMM(0, 0),
        EXIT(),
    };
    struct __sk_buff skb;
    memset(&skb, 0, sizeof(skb));
    in = (struct run_in){ BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT, pkt, sizeof(pkt), &skb, sizeof(skb),
                          sizeof(skb), 0 };
    CHECK_EQ(one_run(false, &in, skb_prog, NR(skb_prog), &out), 0);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 40);
    CHECK_EQ(out.size_out, sizeof(pkt));
    CHECK(memcmp(out.data, pkt, sizeof(pkt)) == 0);
    CHECK_EQ(((struct __sk_buff *)(void *)out.ctx)->priority, 4);
    CHECK_EQ(((struct __sk_buff *)(void *)out.ctx)->data, 0); /* no host addresses out */

    /* sk_msg: size follows data_in; data_end - data is what it holds */
    const struct bpf_insn msg_prog[] = {
        LDX(BPF_DW, 2, 1, 0), LDX(BPF_DW, 3, 1, 8), MOV64_REG(0, 3), ALU64_REG(BPF_SUB, 0, 2),
        LDX(BPF_W, 4, 1, (int16_t)offsetof(struct sk_msg_md, size)), ALU64_REG(BPF_ADD, 0, 4), EXIT(),
    };
    in = (struct run_in){ BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, pkt, 25, NULL, 0, 0, 0 };
    CHECK_EQ(one_run(false, &in, msg_prog, NR(msg_prog), &out), 0);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 50);

    /* sk_reuseport: without a packet, data and data_end are NULL (the
     * verifier refuses OR on pointers: a checked run shows them) */
    const struct bpf_insn ru_prog[] = { LDX(BPF_DW, 2, 1, 0), LDX(BPF_DW, 3, 1, 8), MOV64_REG(0, 3),
                                        ALU64_REG(BPF_OR, 0, 2), EXIT() };
    in = (struct run_in){ BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT, NULL, 0, NULL, 0, 0, 0 };
    next_unverified = true;
    CHECK_EQ(one_run(false, &in, ru_prog, NR(ru_prog), &out), 0);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 0);

    /* cgroup_sock create: mark is writable, ctx_in too long is refused */
    struct bpf_sock sk;
    memset(&sk, 0, sizeof(sk));
    const struct bpf_insn sk_prog[] = { ST(BPF_W, 1, (int16_t)offsetof(struct bpf_sock, mark), 7), MOV64_IMM(0, 1),
                                        EXIT() };
    in = (struct run_in){ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, NULL, 0, &sk, sizeof(sk),
                          sizeof(sk), 0 };
    CHECK_EQ(one_run(false, &in, sk_prog, NR(sk_prog), &out), 0);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(((struct bpf_sock *)(void *)out.ctx)->mark, 7);
    uint8_t big[sizeof(sk) + 4] = { 0 };
    in.ctx = big;
    in.ctx_size = sizeof(big);
    CHECK_EQ(one_run(false, &in, sk_prog, NR(sk_prog), &out), 0);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
}

int main(void)
{
    rt = new_rt();
    kern = kbpf_available();
    if (!kern)
        printf("note: bpf(2) unavailable, kernel comparisons skipped\n");
    RUN(test_flow_dissector);
    RUN(test_sk_lookup);
    RUN(test_netfilter);
    RUN(test_caller_context);
    printf("test runs compared with the kernel: %d\n", compared);
    if (kern)
        CHECK(compared >= 30);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
