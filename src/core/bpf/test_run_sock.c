/* PROG_TEST_RUN for the socket program types.
 *
 *  - flow_dissector, sk_lookup, netfilter: Linux 6.18's own test runs
 *    (bpf_prog_test_run_flow_dissector, _sk_lookup, _nf in
 *    net/bpf/test_run.c): the same input checks, errnos and outputs,
 *    compared with the kernel by tests/unit/test_bpf_testrun_sock.c.
 *  - sock_ops, sk_skb, sk_msg, sk_reuseport: Linux has no test run
 *    (-ENOTSUPP); bpfrt runs them with ctx_in as the raw context (its
 *    pointers NULL) and data_in as the packet its data pointers delimit;
 *    data_out is the packet after the run. */
#include "bpfrt/prog.h"
#include "core/bpf/test_run.h"

#define SK_PASS 1
#define NF_INET_LOCAL_OUT 3
#define NFPROTO_IPV4 2
#define NFPROTO_IPV6 10
#define IPHDR_LEN 20u
#define IPV6HDR_LEN 40u
#define NET_IP_ALIGN 0u   /* x86-64 */

/* ---- bpfrt's own: a caller-given context and packet ---- */

/* The field that holds the packet's length, for the types whose context
 * has one: kept equal to data_in's size as the hook would. */
static const struct {
    uint32_t prog_type;
    uint32_t off;
} len_fields[] = {
    { BPF_PROG_TYPE_SK_SKB, offsetof(struct __sk_buff, len) },
    { BPF_PROG_TYPE_SK_MSG, offsetof(struct sk_msg_md, size) },
    { BPF_PROG_TYPE_SK_REUSEPORT, offsetof(struct sk_reuseport_md, len) },
    { BPF_PROG_TYPE_SOCK_OPS, offsetof(struct bpf_sock_ops, skb_len) },
};

int bpfrt_tr_ctx_pkt(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (o->flags || o->cpu || o->batch_size)
        return -BPFRT_EINVAL;
    const struct bpfrt_ctx_desc *desc = bpfrt_prog_ctx_desc(t->prog);
    if (o->ctx_size_in > desc->ctx_size)
        return -BPFRT_EINVAL;
    uint32_t size = o->data_size_in, buf_size = size ? size : 1;
    if (size > PAGE - NET_SKB_PAD - SKB_SHINFO_SIZE)
        return -BPFRT_EINVAL;
    if (size && !o->data_in)
        return -BPFRT_EFAULT;
    uint8_t *ctx = bpfrt_zalloc(t->rt, desc->kern_size);
    uint8_t *buf = bpfrt_zalloc(t->rt, buf_size);
    if (!ctx || !buf) {
        bpfrt_free(t->rt, ctx, desc->kern_size);
        bpfrt_free(t->rt, buf, buf_size);
        return -BPFRT_ENOMEM;
    }
    if (o->ctx_size_in)
        bpfrt_memcpy(ctx, o->ctx_in, o->ctx_size_in);
    bpfrt_tr_clear_ptrs(desc, ctx);
    struct bpfrt_pkt pkt;
    bpfrt_memset(&pkt, 0, sizeof(pkt));
    if (size) {
        bpfrt_memcpy(buf, o->data_in, size);
        pkt.buf = buf;
        pkt.buf_size = size;
        pkt.data = buf;
        pkt.data_end = buf + size;
        pkt.skb_ctx = ctx;
        for (uint32_t i = 0; i < desc->nr_fields; i++) {
            const struct bpfrt_ctx_field *f = &desc->fields[i];
            uint64_t v = f->kind == BPFRT_CTX_PTR_TO_PACKET || f->kind == BPFRT_CTX_PTR_TO_PACKET_META
                             ? (uint64_t)(uintptr_t)pkt.data
                         : f->kind == BPFRT_CTX_PTR_TO_PACKET_END ? (uint64_t)(uintptr_t)pkt.data_end
                                                                  : 0;
            if (v)
                bpfrt_memcpy(ctx + f->kern_off, &v, sizeof(v));
        }
        for (size_t i = 0; i < sizeof(len_fields) / sizeof(len_fields[0]); i++)
            if (len_fields[i].prog_type == t->prog->type)
                bpfrt_memcpy(ctx + len_fields[i].off, &size, sizeof(size));
    }
    struct run_setup s = { .ctx = ctx, .desc = desc, .pkt = size ? &pkt : NULL };
    int err = bpfrt_tr_run(t, &s, o->repeat, true);
    if (!err && size)
        err = bpfrt_tr_packet_intact(t, &pkt);
    if (!err) {
        t->res->finished = true;
        if (size)
            err = bpfrt_tr_finish_data(t, pkt.data, (uint32_t)(pkt.data_end - pkt.data), NULL, 0);
        if (!err) {
            bpfrt_tr_clear_ptrs(desc, ctx); /* no host addresses in ctx_out */
            err = bpfrt_tr_ctx_finish(t, ctx, o->ctx_size_in ? o->ctx_size_in : desc->ctx_size);
        }
    }
    bpfrt_free(t->rt, ctx, desc->kern_size);
    bpfrt_free(t->rt, buf, buf_size);
    return err;
}

/* ---- FLOW_DISSECTOR ---- */

struct flow_run {
    struct bpf_flow_keys *keys;
    uint16_t n_proto, nhoff;
    uint32_t flags;
};

/* bpf_flow_dissect: the keys start over for every run, the program may
 * write them. */
static void flow_prepare(struct bpfrt_run *run, void *arg)
{
    struct flow_run *fr = arg;
    bpfrt_memset(fr->keys, 0, sizeof(*fr->keys));
    fr->keys->n_proto = fr->n_proto;
    fr->keys->nhoff = fr->nhoff;
    fr->keys->thoff = fr->nhoff;
    fr->keys->flags = fr->flags;
    bpfrt_run_add_fixed_region(run, fr->keys, sizeof(*fr->keys), true);
}

static uint16_t clamp16(uint16_t v, uint16_t lo, uint16_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int bpfrt_tr_flow_dissector(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (o->flags || o->cpu || o->batch_size)
        return -BPFRT_EINVAL;
    uint32_t size = o->data_size_in;
    if (size < ETH_HLEN || size > PAGE)
        return -BPFRT_EINVAL;
    if (!o->data_in)
        return -BPFRT_EFAULT;
    struct bpf_flow_keys in;
    bool has_ctx;
    int err = bpfrt_tr_ctx_init(t, &in, sizeof(in), &has_ctx);
    if (err)
        return err;
    /* only flags may come in */
    if (has_ctx && (!bpfrt_tr_range_zero(&in, 0, offsetof(struct bpf_flow_keys, flags)) ||
                    !bpfrt_tr_range_zero(&in, offsetofend(struct bpf_flow_keys, flags), sizeof(in))))
        return -BPFRT_EINVAL;

    uint8_t *buf = bpfrt_zalloc(t->rt, size);
    struct bpfrt_skb_ctx *k = bpfrt_zalloc(t->rt, sizeof(*k));
    struct bpf_flow_keys *keys = bpfrt_zalloc(t->rt, sizeof(*keys));
    if (!buf || !k || !keys) {
        bpfrt_free(t->rt, buf, size);
        bpfrt_free(t->rt, k, sizeof(*k));
        bpfrt_free(t->rt, keys, sizeof(*keys));
        return -BPFRT_ENOMEM;
    }
    bpfrt_memcpy(buf, o->data_in, size);
    struct bpfrt_pkt pkt;
    bpfrt_memset(&pkt, 0, sizeof(pkt));
    pkt.buf = buf;
    pkt.buf_size = size;
    pkt.data = buf; /* the test run's dissector sees the frame from the MAC header */
    pkt.data_end = buf + size;
    pkt.skb_ctx = k;
    k->skb.len = size;
    k->data = (uint64_t)(uintptr_t)pkt.data;
    k->data_end = (uint64_t)(uintptr_t)pkt.data_end;
    k->data_meta = k->data;
    k->skb.flow_keys = (uint64_t)(uintptr_t)keys;

    struct flow_run fr = { keys, 0, ETH_HLEN, has_ctx ? in.flags : 0 };
    bpfrt_memcpy(&fr.n_proto, buf + 12, sizeof(fr.n_proto)); /* h_proto as it stands (big-endian) */
    struct run_setup s = { .ctx = k, .desc = bpfrt_prog_ctx_desc(t->prog),
                           .pkt = &pkt, .prepare = flow_prepare, .arg = &fr };
    err = bpfrt_tr_run(t, &s, o->repeat, true);
    if (!err)
        err = bpfrt_tr_packet_intact(t, &pkt);
    if (!err) {
        keys->nhoff = clamp16(keys->nhoff, ETH_HLEN, (uint16_t)size);
        keys->thoff = clamp16(keys->thoff, keys->nhoff, (uint16_t)size);
        err = bpfrt_tr_finish_data(t, keys, sizeof(*keys), NULL, 0);
        if (!err && has_ctx)
            err = bpfrt_tr_ctx_finish(t, &in, sizeof(in));
    }
    bpfrt_free(t->rt, buf, size);
    bpfrt_free(t->rt, k, sizeof(*k));
    bpfrt_free(t->rt, keys, sizeof(*keys));
    return err;
}

/* ---- SK_LOOKUP ---- */

int bpfrt_tr_sk_lookup(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (t->prog->expected_attach_type != BPF_SK_LOOKUP)
        return -BPFRT_EINVAL;
    if (o->flags || o->cpu || o->batch_size)
        return -BPFRT_EINVAL;
    if (o->data_in || o->data_size_in || o->data_out || o->data_size_out)
        return -BPFRT_EINVAL;
    struct bpf_sk_lookup in;
    bool has_ctx;
    int err = bpfrt_tr_ctx_init(t, &in, sizeof(in), &has_ctx);
    if (err)
        return err;
    if (!has_ctx || in.sk)
        return -BPFRT_EINVAL;
    if (!bpfrt_tr_range_zero(&in, offsetofend(struct bpf_sk_lookup, local_port), sizeof(in)))
        return -BPFRT_EINVAL;
    if (in.local_port > 0xffff)
        return -BPFRT_ERANGE;
    /* What the program sees: Linux keeps family, protocol and the local
     * port as u16, and only the addresses of the family. */
    struct bpf_sk_lookup view;
    bpfrt_memset(&view, 0, sizeof(view));
    view.family = (uint16_t)in.family;
    view.protocol = (uint16_t)in.protocol;
    view.remote_port = in.remote_port;
    view.local_port = in.local_port;
    if (view.family == AF_INET) {
        view.remote_ip4 = in.remote_ip4;
        view.local_ip4 = in.local_ip4;
    } else if (view.family == AF_INET6) {
        bpfrt_memcpy(view.remote_ip6, in.remote_ip6, sizeof(view.remote_ip6));
        bpfrt_memcpy(view.local_ip6, in.local_ip6, sizeof(view.local_ip6));
    } else {
        return -BPFRT_EAFNOSUPPORT;
    }
    struct run_setup s = { .ctx = &view, .desc = bpfrt_prog_ctx_desc(t->prog) };
    err = bpfrt_tr_run(t, &s, o->repeat, true);
    if (err)
        return err;
    /* BPF_PROG_SK_LOOKUP_RUN_ARRAY: anything but SK_DROP passes. No
     * socket can be selected here (bpfrt has no sockets), so the cookie
     * reported back is 0. */
    t->res->retval = t->res->retval == 0 ? 0 : SK_PASS;
    t->res->finished = true;
    in.cookie = 0;
    return bpfrt_tr_ctx_finish(t, &in, sizeof(in));
}

/* ---- NETFILTER ---- */

/* Linux's struct nf_hook_state (x86-64): what ctx_in may hold. */
struct nf_hook_state_user {
    uint8_t hook;
    uint8_t pf;
    uint64_t in, out, sk, net, okfn;
};

int bpfrt_tr_netfilter(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (o->flags || o->cpu || o->batch_size)
        return -BPFRT_EINVAL;
    uint32_t size = o->data_size_in;
    if (size < IPHDR_LEN || size > PAGE - NET_SKB_PAD - NET_IP_ALIGN - SKB_SHINFO_SIZE)
        return -BPFRT_EINVAL;
    if (!o->data_in)
        return -BPFRT_EFAULT;
    struct nf_hook_state_user user;
    bool has_ctx;
    int err = bpfrt_tr_ctx_init(t, &user, sizeof(user), &has_ctx);
    if (err)
        return err;
    /* verify_and_copy_hook_state: no pointers, an IP family */
    struct nf_hook_state_user state = { .hook = NF_INET_LOCAL_OUT, .pf = NFPROTO_IPV4 };
    if (has_ctx) {
        if (user.in || user.out || user.net || user.sk || user.okfn)
            return -BPFRT_EINVAL;
        if (user.pf != NFPROTO_IPV4 && user.pf != NFPROTO_IPV6)
            return -BPFRT_EINVAL;
        state.pf = user.pf;
        state.hook = user.hook;
    }
    const uint8_t *frame = o->data_in;
    if (state.hook != NF_INET_LOCAL_OUT) {
        /* the frame comes in through loopback: an Ethernet header first */
        if (size < ETH_HLEN + IPHDR_LEN)
            return -BPFRT_EINVAL;
        uint16_t proto = (uint16_t)(frame[12] << 8 | frame[13]);
        if (proto == ETH_P_IP) {
            if (state.pf != NFPROTO_IPV4)
                return -BPFRT_EINVAL;
        } else if (proto == ETH_P_IPV6) {
            if (size < ETH_HLEN + IPV6HDR_LEN || state.pf != NFPROTO_IPV6)
                return -BPFRT_EINVAL;
        } else {
            return -BPFRT_EPROTO;
        }
    }
    /* The program reaches the hook state and the packet only through typed
     * pointers (bpf_nf_ctx): state is Linux's layout; skb is bpfrt's
     * __sk_buff-based state (typed sk_buff loads are not laid out yet). */
    struct bpfrt_skb_ctx *k = bpfrt_zalloc(t->rt, sizeof(*k));
    uint8_t *buf = bpfrt_zalloc(t->rt, size);
    if (!k || !buf) {
        bpfrt_free(t->rt, k, sizeof(*k));
        bpfrt_free(t->rt, buf, size);
        return -BPFRT_ENOMEM;
    }
    bpfrt_memcpy(buf, frame, size);
    k->skb.len = size;
    k->data = (uint64_t)(uintptr_t)buf;
    k->data_end = (uint64_t)(uintptr_t)(buf + size);
    struct bpfrt_nf_ctx ctx = { (uint64_t)(uintptr_t)&state, (uint64_t)(uintptr_t)k };
    struct run_setup s = { .ctx = &ctx, .desc = bpfrt_prog_ctx_desc(t->prog) };
    err = bpfrt_tr_run(t, &s, o->repeat, true);
    if (!err)
        err = bpfrt_tr_finish_data(t, NULL, 0, NULL, 0);
    bpfrt_free(t->rt, k, sizeof(*k));
    bpfrt_free(t->rt, buf, size);
    return err;
}
