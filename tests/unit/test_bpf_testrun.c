/* PROG_TEST_RUN per program type. Every case runs through bpfrt_bpf and,
 * where bpf(2) works, through the kernel with the same program and input:
 * errors, retval, data_out, data_size_out and ctx_out must agree. Values
 * that do not depend on the kernel are also asserted directly. */
#include "test.h"
#include "bpf_test_util.h"

#include "bpfrt/hooks.h"
#include "core/prog/prog_types.h"

static struct bpfrt_runtime *rt;
static bool kern;

struct run_out {
    long err;
    uint32_t retval, size_out, ctx_size_out;
    uint8_t data[4096];
    uint8_t ctx[256];
};

struct run_in {
    const void *data;
    uint32_t size;
    uint32_t size_out; /* data_size_out; 0: unlimited */
    const void *ctx;
    uint32_t ctx_size;
    uint32_t ctx_out_size;
    uint32_t repeat;
};

static long one_run(bool kernel, uint32_t type, const struct bpf_insn *p, uint32_t n, const struct run_in *in,
                    struct run_out *out)
{
    memset(out, 0, sizeof(*out));
    long fd = load_prog_ex(rt, kernel, type, p, n, "GPL", 0, NULL, 0, NULL);
    if (fd < 0)
        return fd;
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = ptr(in->data);
    a.test.data_size_in = in->size;
    a.test.data_out = in->data ? ptr(out->data) : 0;
    a.test.data_size_out = in->size_out;
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

/* Runs on bpfrt (result in *out) and compares with the kernel. */
static void run_both(uint32_t type, const struct bpf_insn *p, uint32_t n, const struct run_in *in, struct run_out *out)
{
    CHECK_EQ(one_run(false, type, p, n, in, out), 0);
    if (!kern)
        return;
    static struct run_out k;
    if (one_run(true, type, p, n, in, &k) != 0) {
        CHECK(!"kernel refused the program");
        return;
    }
    CHECK_EQ(out->err, k.err);
    if (out->err != 0 && out->err != -BPFRT_ENOSPC)
        return;
    CHECK_EQ(out->retval, k.retval);
    if (in->data) {
        CHECK_EQ(out->size_out, k.size_out);
        uint32_t cmp = out->size_out;
        if (in->size_out && cmp > in->size_out)
            cmp = in->size_out;
        CHECK(memcmp(out->data, k.data, cmp) == 0);
    }
    if (in->ctx_out_size) {
        CHECK_EQ(out->ctx_size_out, k.ctx_size_out);
        CHECK(memcmp(out->ctx, k.ctx, in->ctx_out_size < 256 ? in->ctx_out_size : 256) == 0);
    }
}

/* A 60-byte frame with the given destination and ethertype. */
static void make_frame(uint8_t *f, uint32_t len, const uint8_t dst[6], uint16_t proto)
{
    for (uint32_t i = 0; i < len; i++)
        f[i] = (uint8_t)(i * 7 + 3);
    memcpy(f, dst, 6);
    f[12] = (uint8_t)(proto >> 8);
    f[13] = (uint8_t)proto;
    if (proto == 0x0800 && len >= 34)
        f[14] = 0x45;
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t ucast[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t zero_mac[6] = { 0 };

/* ---- XDP ---- */

static void test_xdp(void)
{
    uint8_t f[60];
    make_frame(f, sizeof(f), ucast, 0x0800);
    struct run_out out;
    struct run_in in = { f, sizeof(f), 0, NULL, 0, 0, 0 };

    struct bpf_insn pass[] = { MOV64_IMM(0, XDP_PASS), EXIT() };
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &in, &out);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, XDP_PASS);
    CHECK_EQ(out.size_out, 60);
    CHECK(memcmp(out.data, f, 60) == 0);

    struct bpf_insn drop[] = { MOV64_IMM(0, XDP_DROP), EXIT() };
    run_both(BPF_PROG_TYPE_XDP, drop, NR(drop), &in, &out);
    CHECK_EQ(out.retval, XDP_DROP);

    /* r0 = data_end - data; then ingress_ifindex; rx_queue_index */
    struct bpf_insn len[] = { LDX(BPF_W, 2, 1, 0), LDX(BPF_W, 0, 1, 4), ALU64_REG(BPF_SUB, 0, 2), EXIT() };
    run_both(BPF_PROG_TYPE_XDP, len, NR(len), &in, &out);
    CHECK_EQ(out.retval, 60);
    struct bpf_insn ifx[] = { LDX(BPF_W, 0, 1, offsetof(struct xdp_md, ingress_ifindex)), EXIT() };
    run_both(BPF_PROG_TYPE_XDP, ifx, NR(ifx), &in, &out);
    CHECK_EQ(out.retval, 1);
    struct bpf_insn rxq[] = { LDX(BPF_W, 0, 1, offsetof(struct xdp_md, rx_queue_index)), EXIT() };
    run_both(BPF_PROG_TYPE_XDP, rxq, NR(rxq), &in, &out);
    CHECK_EQ(out.retval, 0);

    /* bpf_xdp_adjust_head: pop the Ethernet header, push 4 bytes */
    struct bpf_insn pop[] = { MOV64_IMM(2, 14), CALL(HELPER_xdp_adjust_head), JMP_IMM(BPF_JNE, 0, 0, 2),
                              MOV64_IMM(0, XDP_PASS), EXIT(), MOV64_IMM(0, XDP_ABORTED), EXIT() };
    run_both(BPF_PROG_TYPE_XDP, pop, NR(pop), &in, &out);
    CHECK_EQ(out.retval, XDP_PASS);
    CHECK_EQ(out.size_out, 46);
    CHECK(memcmp(out.data, f + 14, 46) == 0);
    pop[0].imm = -4;
    run_both(BPF_PROG_TYPE_XDP, pop, NR(pop), &in, &out);
    CHECK_EQ(out.size_out, 64);
    CHECK(memcmp(out.data + 4, f, 60) == 0);
    pop[0].imm = 50; /* would leave less than ETH_HLEN */
    run_both(BPF_PROG_TYPE_XDP, pop, NR(pop), &in, &out);
    CHECK_EQ(out.retval, XDP_ABORTED);
    CHECK_EQ(out.size_out, 60);
    pop[0].imm = -300; /* more than the headroom */
    run_both(BPF_PROG_TYPE_XDP, pop, NR(pop), &in, &out);
    CHECK_EQ(out.retval, XDP_ABORTED);

    /* ctx_in: 8 bytes of metadata in front of the frame */
    struct xdp_md md;
    memset(&md, 0, sizeof(md));
    md.data = 8;
    md.data_end = 60;
    struct bpf_insn meta[] = { LDX(BPF_W, 2, 1, offsetof(struct xdp_md, data_meta)), LDX(BPF_W, 0, 1, 0),
                               ALU64_REG(BPF_SUB, 0, 2), EXIT() };
    struct run_in cin = { f, sizeof(f), 0, &md, sizeof(md), sizeof(md), 0 };
    run_both(BPF_PROG_TYPE_XDP, meta, NR(meta), &cin, &out);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 8);
    CHECK_EQ(out.size_out, 60);
    CHECK_EQ(out.ctx_size_out, sizeof(md));
    struct xdp_md mo;
    memcpy(&mo, out.ctx, sizeof(mo));
    CHECK_EQ(mo.data, 8);
    CHECK_EQ(mo.data_end, 60);
    /* the linear part stops at ctx data_end, the rest is carried along */
    md.data = 0;
    md.data_end = 50;
    run_both(BPF_PROG_TYPE_XDP, len, NR(len), &cin, &out);
    CHECK_EQ(out.retval, 50);
    CHECK_EQ(out.size_out, 60);
    /* ctx_in rules */
    md.data_end = 60;
    md.data = 6; /* metadata not a multiple of 4 */
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &cin, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    md.data = 0;
    md.data_meta = 4;
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &cin, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    md.data_meta = 0;
    md.egress_ifindex = 1;
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &cin, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    md.egress_ifindex = 0;
    md.rx_queue_index = 1;
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &cin, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    md.ingress_ifindex = 1;
    md.rx_queue_index = 0;
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &cin, &out);
    CHECK_EQ(out.err, 0);
    md.ingress_ifindex = 999;
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &cin, &out);
    CHECK_EQ(out.err, -BPFRT_ENODEV);
    md.ingress_ifindex = 0;
    cin.ctx_out_size = 4; /* ctx_out too small */
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &cin, &out);
    CHECK_EQ(out.err, -BPFRT_ENOSPC);
    CHECK_EQ(out.ctx_size_out, sizeof(md));

    /* sizes: < ETH_HLEN, output too small, a frame larger than a page's linear part */
    in.size = 13;
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &in, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    in.size = 14;
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &in, &out);
    CHECK_EQ(out.err, 0);
    in.size = 60;
    in.size_out = 10;
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &in, &out);
    CHECK_EQ(out.err, -BPFRT_ENOSPC);
    CHECK_EQ(out.size_out, 60);
    CHECK_EQ(out.retval, XDP_PASS);
    CHECK(memcmp(out.data, f, 10) == 0);
    static uint8_t jumbo[4000];
    for (uint32_t i = 0; i < sizeof(jumbo); i++)
        jumbo[i] = (uint8_t)(i * 13);
    struct run_in jin = { jumbo, sizeof(jumbo), 0, NULL, 0, 0, 0 };
    run_both(BPF_PROG_TYPE_XDP, len, NR(len), &jin, &out);
    CHECK_EQ(out.retval, 3520);
    CHECK_EQ(out.size_out, 4000);
    CHECK(memcmp(out.data, jumbo, 4000) == 0);
    /* 17 fragment pages at most */
    static uint8_t huge[3520 + 17 * 4096 + 1];
    struct run_in hin = { huge, sizeof(huge) - 1, sizeof(out.data), NULL, 0, 0, 0 };
    CHECK_EQ(one_run(false, BPF_PROG_TYPE_XDP, pass, NR(pass), &hin, &out), 0);
    CHECK_EQ(out.err, -BPFRT_ENOSPC); /* it ran; the output is larger than our buffer */
    CHECK_EQ(out.size_out, sizeof(huge) - 1);
    hin.size = sizeof(huge);
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &hin, &out);
    CHECK_EQ(out.err, -BPFRT_ENOMEM);
    /* a ctx_in longer than a page: -E2BIG even when zero */
    static uint8_t zctx[5000];
    struct run_in zin = { f, sizeof(f), 0, zctx, sizeof(zctx), 0, 0 };
    run_both(BPF_PROG_TYPE_XDP, pass, NR(pass), &zin, &out);
    CHECK_EQ(out.err, -BPFRT_E2BIG);
    zin.ctx_size = 4096;
    run_both(BPF_PROG_TYPE_XDP, len, NR(len), &zin, &out);
    CHECK_EQ(out.err, 0); /* a zero xdp_md: an empty linear part, the frame in fragments */
    CHECK_EQ(out.retval, 0);
    CHECK_EQ(out.size_out, 60);
}

/* bpf_redirect: the retval and, through the typed API, the target */
static void test_redirect(void)
{
    uint8_t f[60];
    make_frame(f, sizeof(f), ucast, 0x0800);
    struct bpf_insn p[] = { MOV64_IMM(1, 5), MOV64_IMM(2, 0), CALL(HELPER_redirect), EXIT() };
    struct run_out out;
    struct run_in in = { f, sizeof(f), 0, NULL, 0, 0, 0 };
    run_both(BPF_PROG_TYPE_XDP, p, NR(p), &in, &out);
    CHECK_EQ(out.retval, XDP_REDIRECT);
    long fd = load_prog(rt, BPF_PROG_TYPE_XDP, p, NR(p));
    struct bpfrt_test_run_opts o;
    memset(&o, 0, sizeof(o));
    o.data_in = f;
    o.data_size_in = sizeof(f);
    struct bpfrt_test_run_result res;
    CHECK_EQ(bpfrt_prog_test_run(rt, bpfrt_prog_from_handle(rt, (int)fd), &o, &res), 0);
    CHECK(res.redirected);
    CHECK_EQ(res.redirect_ifindex, 5);
    CHECK_EQ(res.retval, XDP_REDIRECT);
    bpfrt_close(rt, (int)fd);
    run_both(BPF_PROG_TYPE_SCHED_CLS, p, NR(p), &in, &out);
    CHECK_EQ(out.retval, TC_ACT_REDIRECT);

    /* bpf_redirect_map through a DEVMAP: the map and key are reported */
    long dev = create_map(rt, BPF_MAP_TYPE_DEVMAP, 4, 4, 4);
    CHECK(dev >= 0);
    uint32_t k = 2, ifindex = 1;
    CHECK_EQ(map_update(rt, dev, &k, &ifindex, BPF_ANY), 0);
    struct bpf_insn rm[] = { LD_MAP_FD(1, (int32_t)dev), MOV64_IMM(2, 2), MOV64_IMM(3, XDP_DROP), CALL(51), EXIT() };
    fd = load_prog(rt, BPF_PROG_TYPE_XDP, rm, NR(rm));
    CHECK_EQ(bpfrt_prog_test_run(rt, bpfrt_prog_from_handle(rt, (int)fd), &o, &res), 0);
    CHECK_EQ(res.retval, XDP_REDIRECT);
    CHECK(res.redirected);
    CHECK_EQ(res.redirect_map_id, bpfrt_map_from_handle(rt, (int)dev)->id);
    CHECK_EQ(res.redirect_key, 2);
    bpfrt_close(rt, (int)fd);
    rm[2] = MOV64_IMM(2, 3); /* an empty slot: the flags' low bits are the fallback action */
    fd = load_prog(rt, BPF_PROG_TYPE_XDP, rm, NR(rm));
    CHECK_EQ(bpfrt_prog_test_run(rt, bpfrt_prog_from_handle(rt, (int)fd), &o, &res), 0);
    CHECK_EQ(res.retval, XDP_DROP);
    CHECK(!res.redirected);
    bpfrt_close(rt, (int)fd);
    bpfrt_close(rt, (int)dev);
}

/* ---- tc, socket filter: __sk_buff as Linux builds it ---- */

static void test_skb_fields(void)
{
    static const struct { const char *name; uint16_t off; } fields[] = {
        { "len", offsetof(struct __sk_buff, len) },
        { "pkt_type", offsetof(struct __sk_buff, pkt_type) },
        { "protocol", offsetof(struct __sk_buff, protocol) },
        { "ifindex", offsetof(struct __sk_buff, ifindex) },
        { "ingress_ifindex", offsetof(struct __sk_buff, ingress_ifindex) },
        { "mark", offsetof(struct __sk_buff, mark) },
        { "priority", offsetof(struct __sk_buff, priority) },
        { "queue_mapping", offsetof(struct __sk_buff, queue_mapping) },
        { "vlan_present", offsetof(struct __sk_buff, vlan_present) },
        { "cb[2]", offsetof(struct __sk_buff, cb[2]) },
        { "hash", offsetof(struct __sk_buff, hash) },
        { "napi_id", offsetof(struct __sk_buff, napi_id) },
        { "gso_segs", offsetof(struct __sk_buff, gso_segs) },
    };
    static const struct { const uint8_t *mac; uint16_t proto; } frames[] = {
        { bcast, 0x0800 }, { mcast, 0x0800 }, { ucast, 0x86dd }, { zero_mac, 0x0806 }, { ucast, 0x0042 },
    };
    uint8_t f[80];
    struct run_out out;
    for (uint32_t t = 0; t < 2; t++) {
        uint32_t type = t ? BPF_PROG_TYPE_SOCKET_FILTER : BPF_PROG_TYPE_SCHED_CLS;
        for (size_t i = 0; i < NR(fields); i++) {
            struct bpf_insn p[] = { LDX(BPF_W, 0, 1, (int16_t)fields[i].off), EXIT() };
            for (size_t j = 0; j < NR(frames); j++) {
                test_current = fields[i].name;
                make_frame(f, sizeof(f), frames[j].mac, frames[j].proto);
                struct run_in in = { f, sizeof(f), 0, NULL, 0, 0, 0 };
                run_both(type, p, NR(p), &in, &out);
                CHECK_EQ(out.err, 0);
            }
        }
    }
    test_current = "test_skb_fields";
    /* independent expectations for the values (loopback: broadcast reads as multicast) */
    struct bpf_insn pt[] = { LDX(BPF_W, 0, 1, offsetof(struct __sk_buff, pkt_type)), EXIT() };
    struct bpf_insn pr[] = { LDX(BPF_W, 0, 1, offsetof(struct __sk_buff, protocol)), EXIT() };
    struct bpf_insn ln[] = { LDX(BPF_W, 0, 1, offsetof(struct __sk_buff, len)), EXIT() };
    make_frame(f, 60, bcast, 0x0800);
    struct run_in in = { f, 60, 0, NULL, 0, 0, 0 };
    run_both(BPF_PROG_TYPE_SCHED_CLS, pt, 2, &in, &out);
    CHECK_EQ(out.retval, 2);
    run_both(BPF_PROG_TYPE_SCHED_CLS, pr, 2, &in, &out);
    CHECK_EQ(out.retval, 0x0008); /* htons(ETH_P_IP) read as a host u32 */
    run_both(BPF_PROG_TYPE_SCHED_CLS, ln, 2, &in, &out);
    CHECK_EQ(out.retval, 60);
    run_both(BPF_PROG_TYPE_SOCKET_FILTER, ln, 2, &in, &out);
    CHECK_EQ(out.retval, 46); /* socket filters start at the network header */
    make_frame(f, 60, zero_mac, 0x0800);
    run_both(BPF_PROG_TYPE_SCHED_CLS, pt, 2, &in, &out);
    CHECK_EQ(out.retval, 0); /* PACKET_HOST: loopback's own address */
    make_frame(f, 60, ucast, 0x0800);
    run_both(BPF_PROG_TYPE_SCHED_CLS, pt, 2, &in, &out);
    CHECK_EQ(out.retval, 3); /* PACKET_OTHERHOST */
    CHECK_EQ(out.size_out, 60);
    CHECK(memcmp(out.data, f, 60) == 0);

    /* tc: data_end - data is the whole frame */
    struct bpf_insn dl[] = { LDX(BPF_W, 2, 1, offsetof(struct __sk_buff, data)),
                             LDX(BPF_W, 0, 1, offsetof(struct __sk_buff, data_end)), ALU64_REG(BPF_SUB, 0, 2), EXIT() };
    run_both(BPF_PROG_TYPE_SCHED_CLS, dl, NR(dl), &in, &out);
    CHECK_EQ(out.retval, 60);
    /* tc: a direct packet write shows in data_out */
    struct bpf_insn wr[] = { LDX(BPF_W, 2, 1, offsetof(struct __sk_buff, data)),
                             LDX(BPF_W, 3, 1, offsetof(struct __sk_buff, data_end)), MOV64_REG(4, 2),
                             ALU64_IMM(BPF_ADD, 4, 1), JMP_REG(BPF_JGT, 4, 3, 1), ST(BPF_B, 2, 0, 0xaa),
                             MOV64_IMM(0, 0), EXIT() };
    run_both(BPF_PROG_TYPE_SCHED_CLS, wr, NR(wr), &in, &out);
    CHECK_EQ(out.data[0], 0xaa);
    CHECK(memcmp(out.data + 1, f + 1, 59) == 0);
}

/* LD_ABS / LD_IND read from skb->data: the network header for socket
 * filters, the MAC header for tc; bpf_skb_load_bytes likewise */
static void test_skb_ld_abs(void)
{
    uint8_t f[60];
    make_frame(f, sizeof(f), ucast, 0x0800);
    struct run_out out;
    struct run_in in = { f, sizeof(f), 0, NULL, 0, 0, 0 };
    struct bpf_insn abs[] = { MOV64_REG(6, 1), INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 9), EXIT() };
    struct bpf_insn absh[] = { MOV64_REG(6, 1), INSN(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 12), EXIT() };
    struct bpf_insn ind[] = { MOV64_REG(6, 1), MOV64_IMM(7, 4), INSN(BPF_LD | BPF_IND | BPF_W, 0, 7, 0, 2), EXIT() };
    /* out of the packet: the program ends, returning 0 */
    struct bpf_insn past[] = { MOV64_REG(6, 1), MOV64_IMM(0, 5), INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 100),
                               MOV64_IMM(0, 9), EXIT() };
    /* bpf_skb_load_bytes(skb, 2, fp-8, 4) then the loaded word */
    struct bpf_insn lb[] = { MOV64_IMM(2, 2), MOV64_REG(3, 10), ALU64_IMM(BPF_ADD, 3, -8), MOV64_IMM(4, 4),
                             CALL(26), JMP_IMM(BPF_JNE, 0, 0, 2), LDX(BPF_W, 0, 10, -8), EXIT(), MOV64_IMM(0, 1),
                             EXIT() };
    static const uint32_t types[] = { BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS };
    for (size_t t = 0; t < NR(types); t++) {
        bool net = types[t] == BPF_PROG_TYPE_SOCKET_FILTER;
        const uint8_t *base = net ? f + 14 : f;
        run_both(types[t], abs, NR(abs), &in, &out);
        CHECK_EQ(out.retval, base[9]);
        run_both(types[t], absh, NR(absh), &in, &out);
        CHECK_EQ(out.retval, (uint32_t)(base[12] << 8 | base[13]));
        run_both(types[t], ind, NR(ind), &in, &out);
        CHECK_EQ(out.retval, (uint32_t)base[6] << 24 | (uint32_t)base[7] << 16 | base[8] << 8 | base[9]);
        run_both(types[t], past, NR(past), &in, &out);
        CHECK_EQ(out.retval, 0);
        run_both(types[t], lb, NR(lb), &in, &out);
        uint32_t w;
        memcpy(&w, base + 2, 4);
        CHECK_EQ(out.retval, w);
    }
}

static void test_skb_ctx(void)
{
    uint8_t f[60];
    make_frame(f, sizeof(f), ucast, 0x0800);
    struct __sk_buff skb;
    memset(&skb, 0, sizeof(skb));
    skb.mark = 7;
    skb.priority = 9;
    skb.cb[0] = 0x11;
    skb.cb[4] = 0x55;
    skb.tstamp = 123;
    skb.gso_segs = 3;
    skb.gso_size = 100;
    skb.hwtstamp = 77;
    skb.ingress_ifindex = 5;
    struct run_out out;
    /* the program adds 1 to mark and writes cb[1] */
    struct bpf_insn p[] = { LDX(BPF_W, 2, 1, offsetof(struct __sk_buff, mark)), ALU64_IMM(BPF_ADD, 2, 1),
                            STX(BPF_W, 1, 2, offsetof(struct __sk_buff, mark)),
                            ST(BPF_W, 1, offsetof(struct __sk_buff, cb[1]), 0x22),
                            LDX(BPF_W, 0, 1, offsetof(struct __sk_buff, priority)), EXIT() };
    struct run_in in = { f, sizeof(f), 0, &skb, sizeof(skb), sizeof(skb), 0 };
    run_both(BPF_PROG_TYPE_SCHED_CLS, p, NR(p), &in, &out);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 9);
    CHECK_EQ(out.ctx_size_out, sizeof(struct __sk_buff));
    struct __sk_buff so;
    memcpy(&so, out.ctx, sizeof(so));
    CHECK_EQ(so.mark, 8);
    CHECK_EQ(so.cb[0], 0x11);
    CHECK_EQ(so.cb[1], 0x22);
    CHECK_EQ(so.ifindex, 1);
    CHECK_EQ(so.wire_len, 60);
    CHECK_EQ(so.ingress_ifindex, 5);
    CHECK_EQ(so.hwtstamp, 77);

    /* wire_len (the qdisc cb's pkt_len) is set only from a ctx: without
     * one a tc program reads 0; with one it is skb->len at the time, the
     * frame for tc and the frame minus the MAC header for the others, and
     * that is also the smallest wire_len accepted */
    struct bpf_insn rd_wire[] = { LDX(BPF_W, 0, 1, offsetof(struct __sk_buff, wire_len)), EXIT() };
    struct run_in noctx = { f, sizeof(f), 0, NULL, 0, 0, 0 };
    run_both(BPF_PROG_TYPE_SCHED_CLS, rd_wire, NR(rd_wire), &noctx, &out);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 0);
    struct bpf_insn ret0[] = { MOV64_IMM(0, 0), EXIT() };
    struct __sk_buff wz;
    memset(&wz, 0, sizeof(wz));
    struct run_in wzin = { f, sizeof(f), 0, &wz, sizeof(wz), sizeof(wz), 0 };
    run_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, &wzin, &out);
    CHECK_EQ(out.err, 0);
    memcpy(&so, out.ctx, sizeof(so));
    CHECK_EQ(so.wire_len, 60 - 14);
    wz.wire_len = 50; /* between the two lengths */
    run_both(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, &wzin, &out);
    CHECK_EQ(out.err, 0);
    memcpy(&so, out.ctx, sizeof(so));
    CHECK_EQ(so.wire_len, 50);
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret0, 2, &wzin, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);

    /* fields Linux does not accept from user space */
    struct __sk_buff bad;
    memset(&bad, 0, sizeof(bad));
    bad.len = 5;
    in.ctx = &bad;
    in.ctx_out_size = 0;
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret0, 2, &in, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    memset(&bad, 0, sizeof(bad));
    bad.tc_index = 1;
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret0, 2, &in, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    memset(&bad, 0, sizeof(bad));
    bad.wire_len = 10; /* shorter than the packet */
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret0, 2, &in, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    memset(&bad, 0, sizeof(bad));
    bad.ifindex = 999;
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret0, 2, &in, &out);
    CHECK_EQ(out.err, -BPFRT_ENODEV);
    memset(&bad, 0, sizeof(bad));
    bad.ifindex = 1;
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret0, 2, &in, &out);
    CHECK_EQ(out.err, 0);
    /* a shorter ctx is zero-extended; a longer one must have a zero tail */
    memset(&bad, 0, sizeof(bad));
    in.ctx_size = sizeof(bad) - 8;
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret0, 2, &in, &out);
    CHECK_EQ(out.err, 0);
    uint8_t longer[sizeof(struct __sk_buff) + 8];
    memset(longer, 0, sizeof(longer));
    longer[sizeof(struct __sk_buff) + 1] = 1;
    in.ctx = longer;
    in.ctx_size = sizeof(longer);
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret0, 2, &in, &out);
    CHECK_EQ(out.err, -BPFRT_E2BIG);
}

static void test_skb_sizes(void)
{
    struct bpf_insn ret2[] = { MOV64_IMM(0, 2), EXIT() };
    uint8_t f[100];
    struct run_out out;
    struct run_in in = { f, 0, 0, NULL, 0, 0, 0 };
    /* below ETH_HLEN, and IPv4/IPv6 frames without a whole IP header */
    static const struct { uint16_t proto; uint32_t size; long err; } cases[] = {
        { 0x0806, 13, -BPFRT_EINVAL }, { 0x0806, 14, 0 }, { 0x0800, 14, -BPFRT_EINVAL },
        { 0x0800, 33, -BPFRT_EINVAL }, { 0x0800, 34, 0 }, { 0x86dd, 53, -BPFRT_EINVAL }, { 0x86dd, 54, 0 },
    };
    for (uint32_t t = 0; t < 2; t++) {
        uint32_t type = t ? BPF_PROG_TYPE_SOCKET_FILTER : BPF_PROG_TYPE_SCHED_CLS;
        for (size_t i = 0; i < NR(cases); i++) {
            make_frame(f, sizeof(f), ucast, cases[i].proto);
            in.size = cases[i].size;
            run_both(type, ret2, 2, &in, &out);
            CHECK_EQ(out.err, cases[i].err);
        }
    }
    /* data_size_out smaller than the frame: -ENOSPC, size reported */
    make_frame(f, sizeof(f), ucast, 0x0800);
    in.size = 60;
    in.size_out = 10;
    run_both(BPF_PROG_TYPE_SCHED_CLS, ret2, 2, &in, &out);
    CHECK_EQ(out.err, -BPFRT_ENOSPC);
    CHECK_EQ(out.size_out, 60);
    CHECK_EQ(out.retval, 2);
    /* flags and cpu are not for skb programs */
    long fd = load_prog(rt, BPF_PROG_TYPE_SCHED_CLS, ret2, 2);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = ptr(f);
    a.test.data_size_in = 60;
    a.test.flags = BPF_F_TEST_RUN_ON_CPU;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), -BPFRT_EINVAL);
    a.test.flags = 0;
    a.test.ctx_size_in = 8; /* size without pointer */
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), -BPFRT_EINVAL);
    a.test.ctx_size_in = 0;
    a.test.data_in = 0;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), -BPFRT_EFAULT);
    bpfrt_close(rt, (int)fd);
}

/* cgroup_skb: the network header on, the test socket's family and
 * addresses from the IP header (compared with the kernel: the program
 * returns 1 when the value matches, 0 otherwise) */
static void test_cgroup_skb(void)
{
    uint8_t f[60];
    make_frame(f, sizeof(f), ucast, 0x0800);
    memcpy(f + 26, "\x0a\x00\x00\x01", 4); /* saddr 10.0.0.1 */
    memcpy(f + 30, "\x0a\x00\x00\x02", 4); /* daddr 10.0.0.2 */
    uint32_t saddr, daddr;
    memcpy(&saddr, f + 26, 4);
    memcpy(&daddr, f + 30, 4);
    static const struct { uint16_t off; uint32_t want; } cases[] = {
        { offsetof(struct __sk_buff, len), 46 },
        { offsetof(struct __sk_buff, family), 2 },
        { offsetof(struct __sk_buff, local_ip4), 0 },
        { offsetof(struct __sk_buff, remote_ip4), 0 },
        { offsetof(struct __sk_buff, protocol), 0x0008 },
    };
    struct run_out out;
    struct run_in in = { f, sizeof(f), 0, NULL, 0, 0, 0 };
    for (size_t i = 0; i < NR(cases); i++) {
        uint32_t want = cases[i].off == offsetof(struct __sk_buff, local_ip4)    ? saddr
                        : cases[i].off == offsetof(struct __sk_buff, remote_ip4) ? daddr
                                                                                 : cases[i].want;
        struct bpf_insn p[] = { LDX(BPF_W, 2, 1, (int16_t)cases[i].off), MOV64_IMM(0, 0),
                                LD_IMM64_SRC(3, 0, (int32_t)want, 0), JMP_REG(BPF_JNE, 2, 3, 1), MOV64_IMM(0, 1),
                                EXIT() };
        run_both(BPF_PROG_TYPE_CGROUP_SKB, p, NR(p), &in, &out);
        CHECK_EQ(out.err, 0);
        CHECK_EQ(out.retval, 1);
    }
}

/* repeat runs the program that many times on the same packet */
static void test_repeat(void)
{
    long counter = create_map(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    struct bpf_insn p[] = {
        ST(BPF_W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(BPF_ADD, 2, -4), LD_MAP_FD(1, (int32_t)counter),
        CALL(HELPER_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 2), MOV64_IMM(1, 1), ATOMIC_ADD(BPF_DW, 0, 1, 0),
        MOV64_IMM(0, XDP_PASS), EXIT(),
    };
    long fd = load_prog(rt, BPF_PROG_TYPE_XDP, p, NR(p));
    uint8_t f[60];
    make_frame(f, sizeof(f), ucast, 0x0800);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.data_in = ptr(f);
    a.test.data_size_in = sizeof(f);
    a.test.repeat = 5;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, XDP_PASS);
    /* run_cnt counts only while statistics are enabled (as Linux's) */
    CHECK_EQ(bpfrt_prog_from_handle(rt, (int)fd)->run_cnt, 0);
    union bpf_attr st;
    memset(&st, 0, sizeof(st));
    st.enable_stats.type = BPF_STATS_RUN_TIME;
    long stats = bpfrt_bpf(rt, BPF_ENABLE_STATS, &st, sizeof(st));
    CHECK(stats >= 0);
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    a.test.repeat = 0; /* counts as 1 */
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    uint32_t k = 0;
    uint64_t v = 0;
    CHECK_EQ(map_lookup(rt, counter, &k, &v), 0);
    CHECK_EQ(v, 11);
    CHECK_EQ(bpfrt_prog_from_handle(rt, (int)fd)->run_cnt, 6);
    bpfrt_close(rt, (int)stats);
    bpfrt_close(rt, (int)fd);
    bpfrt_close(rt, (int)counter);
}

/* a map value ld_imm64 with an offset reads the value at that offset */
static void test_map_value_load(void)
{
    uint8_t f[60];
    make_frame(f, sizeof(f), ucast, 0x0800);
    uint32_t k = 0, v[2] = { 0x11, 0x77 };
    long results[2] = { 0, 0 };
    for (int kernel = 0; kernel < (kern ? 2 : 1); kernel++) {
        long m = create_map_ex(rt, kernel, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.map_fd = (uint32_t)m;
        a.key = ptr(&k);
        a.value = ptr(v);
        CHECK_EQ(do_bpf(rt, kernel, BPF_MAP_UPDATE_ELEM, &a), 0);
        struct bpf_insn p[] = { LD_IMM64_SRC(1, BPF_PSEUDO_MAP_VALUE, (int32_t)m, 4), LDX(BPF_W, 0, 1, 0), EXIT() };
        long fd = load_prog_ex(rt, kernel, BPF_PROG_TYPE_XDP, p, NR(p), "GPL", 0, NULL, 0, NULL);
        CHECK(fd >= 0);
        memset(&a, 0, sizeof(a));
        a.test.prog_fd = (uint32_t)fd;
        a.test.data_in = ptr(f);
        a.test.data_size_in = sizeof(f);
        CHECK_EQ(do_bpf(rt, kernel, BPF_PROG_TEST_RUN, &a), 0);
        results[kernel] = a.test.retval;
        do_close(rt, kernel, fd);
        do_close(rt, kernel, m);
    }
    CHECK_EQ(results[0], 0x77);
    if (kern)
        CHECK_EQ(results[1], 0x77);
}

/* ---- tracing, syscall ---- */

static void test_raw_tp(void)
{
    struct bpf_insn p[] = { LDX(BPF_DW, 0, 1, 8), EXIT() };
    uint64_t args[3] = { 1, 0x1234, 3 };
    struct run_out out;
    struct run_in in = { NULL, 0, 0, args, sizeof(args), 0, 0 };
    run_both(BPF_PROG_TYPE_RAW_TRACEPOINT, p, NR(p), &in, &out);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 0x1234);
    in.repeat = 2;
    run_both(BPF_PROG_TYPE_RAW_TRACEPOINT, p, NR(p), &in, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    in.repeat = 0;
    uint64_t many[13] = { 0 };
    in.ctx = many;
    in.ctx_size = sizeof(many);
    run_both(BPF_PROG_TYPE_RAW_TRACEPOINT, p, NR(p), &in, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
    uint8_t f[20] = { 0 };
    in.ctx = args;
    in.ctx_size = sizeof(args);
    in.data = f;
    in.size = sizeof(f);
    run_both(BPF_PROG_TYPE_RAW_TRACEPOINT, p, NR(p), &in, &out);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
}

static void test_tracing_ext(void)
{
    /* kprobe: Linux refuses a test run, bpfrt runs it on the given pt_regs */
    struct bpf_insn p[] = { LDX(BPF_DW, 0, 1, offsetof(struct bpfrt_pt_regs, rdi)), EXIT() };
    struct bpfrt_pt_regs regs;
    memset(&regs, 0, sizeof(regs));
    regs.rdi = 42;
    struct run_out out;
    struct run_in in = { NULL, 0, 0, &regs, sizeof(regs), 0, 0 };
    CHECK_EQ(one_run(false, BPF_PROG_TYPE_KPROBE, p, NR(p), &in, &out), 0);
    CHECK_EQ(out.err, 0);
    CHECK_EQ(out.retval, 42);
    if (kern) {
        struct run_out k;
        CHECK_EQ(one_run(true, BPF_PROG_TYPE_KPROBE, p, NR(p), &in, &k), 0);
        CHECK_EQ(k.err, -BPFRT_ENOTSUPP);
    }
    /* tracepoint: a raw record; perf_event: sample_period */
    uint64_t rec[4] = { 0, 0x77, 0, 0 };
    struct bpf_insn tp[] = { LDX(BPF_DW, 0, 1, 8), EXIT() };
    struct run_in tin = { NULL, 0, 0, rec, sizeof(rec), 0, 0 };
    CHECK_EQ(one_run(false, BPF_PROG_TYPE_TRACEPOINT, tp, NR(tp), &tin, &out), 0);
    CHECK_EQ(out.retval, 0x77);
    struct bpfrt_perf_event_data pe;
    memset(&pe, 0, sizeof(pe));
    pe.sample_period = 1000;
    struct bpf_insn pp[] = { LDX(BPF_DW, 0, 1, offsetof(struct bpfrt_perf_event_data, sample_period)), EXIT() };
    struct run_in pin = { NULL, 0, 0, &pe, sizeof(pe), 0, 0 };
    CHECK_EQ(one_run(false, BPF_PROG_TYPE_PERF_EVENT, pp, NR(pp), &pin, &out), 0);
    CHECK_EQ(out.retval, 1000);
    uint8_t toobig[200] = { 0 };
    in.ctx = toobig;
    in.ctx_size = sizeof(toobig);
    CHECK_EQ(one_run(false, BPF_PROG_TYPE_KPROBE, p, NR(p), &in, &out), 0);
    CHECK_EQ(out.err, -BPFRT_EINVAL);
}

static void test_syscall(void)
{
    /* *(u32 *)(ctx + 4) = *(u32 *)ctx * 2; return 3 */
    struct bpf_insn p[] = { LDX(BPF_W, 2, 1, 0), ALU64_IMM(BPF_MUL, 2, 2), STX(BPF_W, 1, 2, 4), MOV64_IMM(0, 3),
                            EXIT() };
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SYSCALL;
    a.insn_cnt = NR(p);
    a.insns = ptr(p);
    a.license = ptr("GPL");
    a.prog_flags = BPF_F_SLEEPABLE;
    long fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
    CHECK(fd >= 0);
    uint32_t ctx[2] = { 21, 0 };
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)fd;
    a.test.ctx_in = ptr(ctx);
    a.test.ctx_size_in = sizeof(ctx);
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), 0);
    CHECK_EQ(a.test.retval, 3);
    CHECK_EQ(ctx[1], 42); /* written back into ctx_in, as Linux */
    a.test.repeat = 2;
    CHECK_EQ(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)), -BPFRT_EINVAL);
    /* a context shorter than what the verified program reads is refused */
    a.test.repeat = 0;
    a.test.ctx_size_in = 4;
    long err = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
    CHECK(err < 0);
    bpfrt_close(rt, (int)fd);
}

/* An unverified program touching what its type may not: the checked run
 * stops with an error instead of reading it. */
static void test_checked_ctx(void)
{
    uint8_t f[60];
    make_frame(f, sizeof(f), ucast, 0x0800);
    /* socket filters may not read data (Linux rejects this at load) */
    struct bpf_insn p[] = { LDX(BPF_W, 0, 1, offsetof(struct __sk_buff, data)), EXIT() };
    long fd = load_prog_unverified(rt, BPF_PROG_TYPE_SOCKET_FILTER, p, NR(p));
    CHECK(fd >= 0);
    struct bpfrt_test_run_opts o;
    memset(&o, 0, sizeof(o));
    o.data_in = f;
    o.data_size_in = sizeof(f);
    struct bpfrt_test_run_result res;
    int err = bpfrt_prog_test_run(rt, bpfrt_prog_from_handle(rt, (int)fd), &o, &res);
    CHECK(err < 0);
    CHECK(res.run_error != 0);
    bpfrt_close(rt, (int)fd);
    /* xdp: writing to the context is not allowed */
    struct bpf_insn w[] = { ST(BPF_W, 1, offsetof(struct xdp_md, ingress_ifindex), 3), MOV64_IMM(0, 2), EXIT() };
    fd = load_prog_unverified(rt, BPF_PROG_TYPE_XDP, w, NR(w));
    err = bpfrt_prog_test_run(rt, bpfrt_prog_from_handle(rt, (int)fd), &o, &res);
    CHECK(err < 0);
    bpfrt_close(rt, (int)fd);
    /* a type without a test run */
    struct bpf_insn r[] = { MOV64_IMM(0, 0), EXIT() };
    (void)r;
}

int main(void)
{
    rt = new_rt();
    kern = kbpf_available();
    if (!kern)
        printf("note: bpf(2) unavailable, kernel comparisons skipped\n");
    RUN(test_xdp);
    RUN(test_redirect);
    RUN(test_skb_fields);
    RUN(test_skb_ld_abs);
    RUN(test_skb_ctx);
    RUN(test_skb_sizes);
    RUN(test_cgroup_skb);
    RUN(test_repeat);
    RUN(test_map_value_load);
    RUN(test_raw_tp);
    RUN(test_tracing_ext);
    RUN(test_syscall);
    RUN(test_checked_ctx);
    CHECK_EQ(bpfrt_handle_count(rt), 0);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
