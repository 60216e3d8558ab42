/* PROG_TEST_RUN with Linux 6.18's per-type semantics (net/bpf/test_run.c),
 * checked against the kernel on this machine by tests/unit/test_bpf_testrun.c.
 *
 *  - XDP: the frame sits in a 4096-byte "page" behind XDP_PACKET_HEADROOM
 *    (minus the metadata the xdp_md in ctx_in asks for); the tail keeps
 *    room for skb_shared_info; the first 3520 bytes are linear, the rest is
 *    carried as fragments and appended to data_out; data_out is
 *    [data_meta, data_end) after the program.
 *  - tc, socket filter, cgroup_skb: an __sk_buff as Linux builds it on the
 *    loopback device (eth_type_trans: protocol from the frame, pkt_type
 *    against loopback's all-zero address), ctx_in fields limited to the ones
 *    Linux accepts; tc sees the frame from the MAC header, the others from
 *    the network header; data_out is the whole frame.
 *  - raw tracepoint: ctx_in is args[]; syscall: ctx_in is plain memory,
 *    copied back to ctx_in.
 *  - kprobe, tracepoint, perf_event, cgroup_sock, cgroup_sock_addr: Linux
 *    refuses them (-ENOTSUPP); bpfrt runs them with ctx_in as the raw
 *    context (pointer fields NULL).
 *  - flow_dissector, sk_lookup, netfilter (Linux's) and sock_ops, sk_skb,
 *    sk_msg, sk_reuseport (bpfrt's own): test_run_sock.c.
 * Which of these a program type gets is its row's test_run kind
 * (src/core/prog/prog_type_rows.c). */
#include "bpfrt/hooks.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"
#include "core/bpf/cmd.h"
#include "core/bpf/test_run.h"
#include "core/prog/prog_types.h"


static uint64_t now_ns(struct bpfrt_runtime *rt)
{
    return rt->plat->ktime_ns ? rt->plat->ktime_ns(rt->plat->ctx) : 0;
}

/* Runs the program `repeat` times on the same context, as bpf_test_run. */
int bpfrt_tr_run(struct tr *t, const struct run_setup *s, uint32_t repeat, bool timed)
{
    if (repeat == 0)
        repeat = 1;
    struct bpfrt_run *run = bpfrt_zalloc(t->rt, sizeof(*run));
    if (!run)
        return -BPFRT_ENOMEM;
    uint64_t r0 = 0, t0 = now_ns(t->rt);
    int err = 0;
    for (uint32_t i = 0; i < repeat && !err; i++) {
        bpfrt_memset(run, 0, sizeof(*run));
        bpfrt_run_begin(run, t->prog);
        if (t->o->insn_budget) /* bpfrt: the caller's budget (UINT64_MAX: none) */
            run->insn_budget = t->o->insn_budget == UINT64_MAX ? 0 : t->o->insn_budget;
        if (i == 0) { /* bpfrt: trace the first run only */
            run->trace = t->o->trace;
            run->trace_arg = t->o->trace_arg;
        }
        run->ctx = s->ctx;
        run->ctx_desc = s->desc;
        run->ctx_size = s->ctx_size;
        run->pkt = s->pkt; /* the run makes [data_meta, data_end) its packet region */
        if (s->prepare)
            s->prepare(run, s->arg);
        err = bpfrt_prog_run(t->prog, run, (uint64_t)(uintptr_t)s->ctx, 0, &r0);
        if (err) {
            t->res->run_error = run->error;
            t->res->error_insn = run->error_insn;
            bpfrt_strlcpy(t->res->error_msg, run->error_msg, sizeof(t->res->error_msg));
        }
        bpfrt_run_end(run);
    }
    uint64_t total = now_ns(t->rt) - t0;
    bpfrt_free(t->rt, run, sizeof(*run));
    if (err)
        return err;
    t->res->retval = (uint32_t)r0;
    if (timed) {
        uint64_t avg = total / repeat;
        t->res->duration = avg > 0xffffffffu ? 0xffffffffu : (uint32_t)avg;
        t->res->has_duration = true;
    }
    if (s->pkt) {
        struct bpfrt_pkt *p = s->pkt;
        t->res->redirected = p->redirect_ifindex || p->redirect_map;
        t->res->redirect_ifindex = p->redirect_ifindex;
        t->res->redirect_flags = p->redirect_flags;
        t->res->redirect_map_id = p->redirect_map ? p->redirect_map->id : 0;
        t->res->redirect_key = p->redirect_key;
    }
    return 0;
}

/* bpf_test_finish: copy out up to data_size_out (0: no limit), report the
 * full size; -ENOSPC when cut. Two pieces (linear part and fragments). */
int bpfrt_tr_finish_data(struct tr *t, const void *a, uint32_t alen, const void *b, uint32_t blen)
{
    const struct bpfrt_test_run_opts *o = t->o;
    uint32_t size = alen + blen, copy = size;
    int err = 0;
    if (o->data_size_out && copy > o->data_size_out) {
        copy = o->data_size_out;
        err = -BPFRT_ENOSPC;
    }
    if (o->data_out) {
        uint32_t n1 = copy < alen ? copy : alen;
        if (n1)
            bpfrt_memcpy(o->data_out, a, n1);
        if (copy > n1 && b) /* b is NULL when blen is 0: gcc -O3 cannot see it */
            bpfrt_memcpy((uint8_t *)o->data_out + n1, b, copy - n1);
    }
    t->res->data_size_out = size;
    t->res->finished = true;
    return err;
}

/* After the run, before anything is copied out: the packet the helpers
 * left must still lie in its buffer (the invariants at struct bpfrt_pkt). */
int bpfrt_tr_packet_intact(struct tr *t, const struct bpfrt_pkt *pkt)
{
    if (bpfrt_pkt_valid(pkt))
        return 0;
    t->res->run_error = BPFRT_RUN_BAD_INSN;
    bpfrt_strlcpy(t->res->error_msg, "the packet left its buffer", sizeof(t->res->error_msg));
    return -BPFRT_EFAULT;
}

/* bpf_ctx_init: a zeroed ctx of max_size with ctx_in copied in (bytes past
 * max_size must be zero: -E2BIG). *out stays NULL when neither ctx_in nor
 * ctx_out was given. */
int bpfrt_tr_ctx_init(struct tr *t, void *buf, uint32_t max_size, bool *present)
{
    const struct bpfrt_test_run_opts *o = t->o;
    *present = o->ctx_in || o->ctx_out;
    bpfrt_memset(buf, 0, max_size);
    if (!o->ctx_in)
        return 0;
    const uint8_t *in = o->ctx_in;
    if (o->ctx_size_in > PAGE && o->ctx_size_in > max_size)
        return -BPFRT_E2BIG; /* Linux's bpf_check_uarg_tail_zero: at most a page */
    for (uint32_t i = max_size; i < o->ctx_size_in; i++)
        if (in[i])
            return -BPFRT_E2BIG;
    bpfrt_memcpy(buf, in, o->ctx_size_in < max_size ? o->ctx_size_in : max_size);
    return 0;
}

/* bpf_ctx_finish. */
int bpfrt_tr_ctx_finish(struct tr *t, const void *ctx, uint32_t size)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (!o->ctx_out)
        return 0;
    uint32_t copy = size < o->ctx_size_out ? size : o->ctx_size_out;
    bpfrt_memcpy(o->ctx_out, ctx, copy);
    t->res->ctx_size_out = size;
    t->res->ctx_written = true;
    return copy < size ? -BPFRT_ENOSPC : 0;
}

void bpfrt_tr_clear_ptrs(const struct bpfrt_ctx_desc *desc, void *kern_ctx)
{
    for (uint32_t i = 0; i < desc->nr_fields; i++)
        if (desc->fields[i].kind != BPFRT_CTX_SCALAR)
            bpfrt_memset((uint8_t *)kern_ctx + desc->fields[i].kern_off, 0, sizeof(uint64_t));
}

/* ---- XDP ---- */

static int test_run_xdp(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (t->prog->expected_attach_type == BPF_XDP_DEVMAP || t->prog->expected_attach_type == BPF_XDP_CPUMAP)
        return -BPFRT_EINVAL;
    if (o->flags & ~(uint32_t)BPF_F_TEST_XDP_LIVE_FRAMES)
        return -BPFRT_EINVAL;
    if (o->flags & BPF_F_TEST_XDP_LIVE_FRAMES)
        return -BPFRT_ENOTSUPP; /* no devices to transmit on */
    if (o->batch_size)
        return -BPFRT_EINVAL;
    struct xdp_md md;
    bool has_ctx;
    int err = bpfrt_tr_ctx_init(t, &md, sizeof(md), &has_ctx);
    if (err)
        return err;
    uint32_t size = o->data_size_in, linear = size, headroom = XDP_PACKET_HEADROOM;
    if (has_ctx) {
        /* There can't be user data before the metadata; data is the
         * metadata length (4-byte steps, at most 32); data_end the linear
         * length, the rest going to fragments. */
        if (md.data_meta || md.data_end > size || md.data > md.data_end || (md.data & 3) ||
            md.data > XDP_META_MAX)
            return -BPFRT_EINVAL;
        headroom -= md.data;
        linear = md.data_end;
    }
    uint32_t max_data = PAGE - headroom - SKB_SHINFO_SIZE;
    if (linear > max_data)
        linear = max_data;
    if (size - linear > MAX_SKB_FRAGS * PAGE)
        return -BPFRT_ENOMEM; /* more fragments than an xdp_buff holds */
    /* Linux checks the frame size; the linear part a ctx_in asks for may
     * be shorter (even empty) */
    if (size < ETH_HLEN)
        return -BPFRT_EINVAL;
    if (!o->data_in)
        return -BPFRT_EFAULT;
    if (has_ctx) {
        if (md.egress_ifindex)
            return -BPFRT_EINVAL;
        if (!md.ingress_ifindex && md.rx_queue_index)
            return -BPFRT_EINVAL;
        if (md.ingress_ifindex && md.ingress_ifindex != LOOPBACK_IFINDEX)
            return -BPFRT_ENODEV; /* the only device bpfrt knows is loopback */
        if (md.ingress_ifindex && md.rx_queue_index >= 1)
            return -BPFRT_EINVAL; /* loopback has one rx queue */
    }

    uint32_t buf_size = PAGE - SKB_SHINFO_SIZE;
    uint8_t *buf = bpfrt_zalloc(t->rt, buf_size);
    struct bpfrt_xdp_ctx *k = bpfrt_zalloc(t->rt, sizeof(*k));
    if (!buf || !k) {
        bpfrt_free(t->rt, buf, buf_size);
        bpfrt_free(t->rt, k, sizeof(*k));
        return -BPFRT_ENOMEM;
    }
    uint8_t *meta = buf + headroom;
    bpfrt_memcpy(meta, o->data_in, linear);
    struct bpfrt_pkt pkt;
    bpfrt_memset(&pkt, 0, sizeof(pkt));
    pkt.buf = buf;
    pkt.buf_size = buf_size;
    pkt.data_meta = meta;
    pkt.data = meta + (has_ctx ? md.data : 0);
    pkt.data_end = meta + linear;
    pkt.skb_ctx = k;
    k->md.ingress_ifindex = LOOPBACK_IFINDEX; /* the rx queue is loopback's queue 0 */
    k->md.rx_queue_index = 0;
    k->data = (uint64_t)(uintptr_t)pkt.data;
    k->data_end = (uint64_t)(uintptr_t)pkt.data_end;
    k->data_meta = (uint64_t)(uintptr_t)pkt.data_meta;

    struct run_setup s = { .ctx = k, .pkt = &pkt, .desc = bpfrt_prog_ctx_desc(t->prog) };
    err = bpfrt_tr_run(t, &s, o->repeat, true);
    if (!err)
        err = bpfrt_tr_packet_intact(t, &pkt);
    if (!err) {
        /* The helpers keep pkt and the shadows in step; pkt is the truth. */
        const uint8_t *frags = (const uint8_t *)o->data_in + linear;
        err = bpfrt_tr_finish_data(t, pkt.data_meta, (uint32_t)(pkt.data_end - pkt.data_meta), frags, size - linear);
        if (!err && has_ctx) {
            md.data = (uint32_t)(pkt.data - pkt.data_meta);
            md.data_end = (uint32_t)(pkt.data_end - pkt.data_meta);
            err = bpfrt_tr_ctx_finish(t, &md, sizeof(md));
        }
    }
    bpfrt_free(t->rt, buf, buf_size);
    bpfrt_free(t->rt, k, sizeof(*k));
    return err;
}

/* ---- sk_buff types ---- */

bool bpfrt_tr_range_zero(const void *p, size_t from, size_t to)
{
    const uint8_t *b = p;
    for (size_t i = from; i < to; i++)
        if (b[i])
            return false;
    return true;
}

#define SKB_OFF(f) offsetof(struct __sk_buff, f)
#define SKB_END(f) offsetofend(struct __sk_buff, f)

/* Linux's convert___skb_to_skb: only mark, priority, ingress_ifindex,
 * ifindex, cb[], tstamp, wire_len, gso_segs, gso_size, hwtstamp may be set. */
static int check_skb_ctx_in(const struct __sk_buff *s, uint32_t len)
{
    if (!bpfrt_tr_range_zero(s, 0, SKB_OFF(mark)) || !bpfrt_tr_range_zero(s, SKB_END(mark), SKB_OFF(priority)) ||
        !bpfrt_tr_range_zero(s, SKB_END(ifindex), SKB_OFF(cb)) || !bpfrt_tr_range_zero(s, SKB_END(cb), SKB_OFF(tstamp)) ||
        !bpfrt_tr_range_zero(s, SKB_END(gso_segs), SKB_OFF(gso_size)) ||
        !bpfrt_tr_range_zero(s, SKB_END(gso_size), SKB_OFF(hwtstamp)) ||
        !bpfrt_tr_range_zero(s, SKB_END(hwtstamp), sizeof(*s)))
        return -BPFRT_EINVAL;
    if (s->wire_len && (s->wire_len < len || s->wire_len > GSO_LEGACY_MAX_SIZE))
        return -BPFRT_EINVAL;
    if (s->gso_segs > GSO_MAX_SEGS)
        return -BPFRT_EINVAL;
    return 0;
}

static uint16_t load_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* eth_type_trans on loopback (device address and "broadcast" address are
 * all zeros, so ff:ff:ff:ff:ff:ff is just multicast). Returns the protocol
 * as __sk_buff.protocol holds it (network byte order in a u32). */
uint32_t bpfrt_tr_eth_type_trans(const uint8_t *frame, uint32_t len, uint32_t *pkt_type)
{
    static const uint8_t zero[6] = { 0 };
    if (frame[0] & 1)
        *pkt_type = bpfrt_memcmp(frame, zero, 6) == 0 ? PACKET_BROADCAST : PACKET_MULTICAST;
    else
        *pkt_type = bpfrt_memcmp(frame, zero, 6) == 0 ? PACKET_HOST : PACKET_OTHERHOST;
    uint16_t proto = load_be16(frame + 12);
    if (proto < ETH_P_802_3_MIN)
        proto = (len >= ETH_HLEN + 2 && frame[14] == 0xff && frame[15] == 0xff) ? ETH_P_802_3 : ETH_P_802_2;
    /* store big-endian bytes into the u32, as the kernel's __be16 */
    return (uint32_t)((proto >> 8) | ((proto & 0xff) << 8));
}

static int test_run_skb(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    bool is_l2 = t->kind == BPFRT_TEST_RUN_SKB_L2;
    if (o->flags || o->cpu || o->batch_size)
        return -BPFRT_EINVAL;
    uint32_t size = o->data_size_in;
    uint32_t buf_size = PAGE - SKB_SHINFO_SIZE;
    if (size < ETH_HLEN || size > buf_size - NET_SKB_PAD)
        return -BPFRT_EINVAL;
    if (!o->data_in)
        return -BPFRT_EFAULT;
    struct __sk_buff in;
    bool has_ctx;
    int err = bpfrt_tr_ctx_init(t, &in, sizeof(in), &has_ctx);
    if (err)
        return err;
    /* Linux checks the ctx against skb->len once eth_type_trans pulled
     * the MAC header and tc pushed it back: the frame for tc, the rest */
    if (has_ctx && (err = check_skb_ctx_in(&in, is_l2 ? size : size - ETH_HLEN)) != 0)
        return err;
    if (has_ctx && in.ifindex > LOOPBACK_IFINDEX)
        return -BPFRT_ENODEV;

    const uint8_t *frame = o->data_in;
    uint32_t pkt_type;
    uint32_t protocol = bpfrt_tr_eth_type_trans(frame, size, &pkt_type);
    uint16_t proto = load_be16(frame + 12);
    /* Linux needs the whole IP header in the linear data. */
    if ((proto == ETH_P_IP && size < ETH_HLEN + 20) || (proto == ETH_P_IPV6 && size < ETH_HLEN + 40))
        return -BPFRT_EINVAL;

    uint8_t *buf = bpfrt_zalloc(t->rt, buf_size);
    struct bpfrt_skb_ctx *k = bpfrt_zalloc(t->rt, sizeof(*k));
    if (!buf || !k) {
        bpfrt_free(t->rt, buf, buf_size);
        bpfrt_free(t->rt, k, sizeof(*k));
        return -BPFRT_ENOMEM;
    }
    uint8_t *mac = buf + NET_SKB_PAD;
    bpfrt_memcpy(mac, frame, size);
    struct bpfrt_pkt pkt;
    bpfrt_memset(&pkt, 0, sizeof(pkt));
    pkt.buf = buf;
    pkt.buf_size = buf_size;
    pkt.data = is_l2 ? mac : mac + ETH_HLEN;
    pkt.data_end = mac + size;
    pkt.data_meta = NULL;
    pkt.net_off = is_l2 ? ETH_HLEN : 0;
    pkt.skb_ctx = k;

    struct __sk_buff *skb = &k->skb;
    skb->len = (uint32_t)(pkt.data_end - pkt.data);
    skb->pkt_type = pkt_type;
    skb->protocol = protocol;
    skb->ifindex = LOOPBACK_IFINDEX;
    if (has_ctx) {
        skb->mark = in.mark;
        skb->priority = in.priority;
        skb->ingress_ifindex = in.ingress_ifindex;
        bpfrt_memcpy(skb->cb, in.cb, sizeof(skb->cb));
        skb->tstamp = in.tstamp;
        skb->gso_segs = in.gso_segs;
        skb->gso_size = in.gso_size;
        skb->hwtstamp = in.hwtstamp;
    }
    /* wire_len is the qdisc cb's pkt_len, which Linux sets only when a ctx
     * comes in (convert___skb_to_skb): the ctx's value, else skb->len at
     * that point; without a ctx it stays 0. */
    skb->wire_len = !has_ctx ? 0 : in.wire_len ? in.wire_len : skb->len;
    /* The test socket: its family and addresses come from the IP header. */
    if (proto == ETH_P_IP) {
        skb->family = AF_INET;
        bpfrt_memcpy(&skb->local_ip4, frame + ETH_HLEN + 12, 4);
        bpfrt_memcpy(&skb->remote_ip4, frame + ETH_HLEN + 16, 4);
    } else if (proto == ETH_P_IPV6) {
        skb->family = AF_INET6;
        bpfrt_memcpy(skb->local_ip6, frame + ETH_HLEN + 8, 16);
        bpfrt_memcpy(skb->remote_ip6, frame + ETH_HLEN + 24, 16);
    }
    k->data = (uint64_t)(uintptr_t)pkt.data;
    k->data_end = (uint64_t)(uintptr_t)pkt.data_end;
    k->data_meta = k->data; /* no metadata on skbs here: data_meta == data */

    struct run_setup s = { .ctx = k, .desc = bpfrt_prog_ctx_desc(t->prog), .pkt = &pkt };
    err = bpfrt_tr_run(t, &s, o->repeat, true);
    if (!err)
        err = bpfrt_tr_packet_intact(t, &pkt);
    if (!err) {
        /* The whole frame goes out: non-L2 programs saw it from the
         * network header, Linux pushes the MAC header back - zeroed. It
         * goes out in front of the packet, not into the buffer: a helper
         * may have used all the headroom. */
        static const uint8_t zero_mac[ETH_HLEN];
        uint32_t len = (uint32_t)(pkt.data_end - pkt.data);
        if (is_l2)
            err = bpfrt_tr_finish_data(t, pkt.data, len, NULL, 0);
        else
            err = bpfrt_tr_finish_data(t, zero_mac, ETH_HLEN, pkt.data, len);
        if (!err && has_ctx) {
            /* convert_skb_to___skb */
            struct __sk_buff out;
            bpfrt_memset(&out, 0, sizeof(out));
            out.mark = skb->mark;
            out.priority = skb->priority;
            out.ingress_ifindex = skb->ingress_ifindex;
            out.ifindex = skb->ifindex;
            bpfrt_memcpy(out.cb, skb->cb, sizeof(out.cb));
            out.tstamp = skb->tstamp;
            out.wire_len = skb->wire_len;
            out.gso_segs = skb->gso_segs;
            out.gso_size = skb->gso_size;
            out.hwtstamp = skb->hwtstamp;
            err = bpfrt_tr_ctx_finish(t, &out, sizeof(out));
        }
    }
    bpfrt_free(t->rt, buf, buf_size);
    bpfrt_free(t->rt, k, sizeof(*k));
    return err;
}

/* ---- tracing and syscall ---- */

static int test_run_raw_tp(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (o->data_in || o->data_out || o->ctx_out || o->repeat || o->batch_size ||
        (o->flags & ~(uint32_t)BPF_F_TEST_RUN_ON_CPU))
        return -BPFRT_EINVAL;
    if (!(o->flags & BPF_F_TEST_RUN_ON_CPU) && o->cpu)
        return -BPFRT_EINVAL;
    if ((o->flags & BPF_F_TEST_RUN_ON_CPU) && o->cpu >= t->rt->ncpus)
        return -BPFRT_ENXIO;
    const struct bpfrt_ctx_desc *desc = bpfrt_ctx_desc_for(t->prog->type, 0);
    if (o->ctx_size_in > desc->ctx_size)
        return -BPFRT_EINVAL;
    uint64_t args[BPFRT_MAX_BPF_FUNC_ARGS] = { 0 };
    if (o->ctx_size_in)
        bpfrt_memcpy(args, o->ctx_in, o->ctx_size_in);
    struct run_setup s = { .ctx = args, .desc = desc };
    int err = bpfrt_tr_run(t, &s, 1, false);
    if (!err)
        t->res->finished = true;
    return err;
}

/* bpfrt extension: kprobe / tracepoint / perf_event with ctx_in as the raw
 * context (zero-filled up to the context size). */
static int test_run_tracing(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (o->data_in || o->data_out || o->flags || o->cpu || o->batch_size)
        return -BPFRT_EINVAL;
    const struct bpfrt_ctx_desc *desc = bpfrt_prog_ctx_desc(t->prog);
    if (o->ctx_size_in > desc->ctx_size)
        return -BPFRT_EINVAL;
    uint8_t *ctx = bpfrt_zalloc(t->rt, desc->kern_size);
    if (!ctx)
        return -BPFRT_ENOMEM;
    if (o->ctx_size_in)
        bpfrt_memcpy(ctx, o->ctx_in, o->ctx_size_in);
    bpfrt_tr_clear_ptrs(desc, ctx);
    struct run_setup s = { .ctx = ctx, .desc = desc };
    int err = bpfrt_tr_run(t, &s, o->repeat, true);
    if (!err) {
        t->res->finished = true;
        err = bpfrt_tr_ctx_finish(t, ctx, o->ctx_size_in ? o->ctx_size_in : desc->ctx_size);
    }
    bpfrt_free(t->rt, ctx, desc->kern_size);
    return err;
}

/* SYSCALL: ctx_in is plain memory the program may read and write; it is
 * copied back into ctx_in (Linux's bpf_prog_test_run_syscall). */
static int test_run_syscall(struct tr *t)
{
    const struct bpfrt_test_run_opts *o = t->o;
    if (o->data_in || o->data_out || o->ctx_out || o->repeat || o->flags || o->cpu || o->batch_size)
        return -BPFRT_EINVAL;
    if (o->ctx_size_in > BPFRT_SYSCALL_CTX_MAX)
        return -BPFRT_EINVAL;
    /* a verified program runs unchecked: its context must hold every
     * byte the verifier saw it touch (Linux's max_ctx_offset) */
    if (t->prog->verified && o->ctx_size_in < t->prog->max_ctx_offset)
        return -BPFRT_EINVAL;
    void *ctx = NULL;
    if (o->ctx_size_in) {
        ctx = bpfrt_zalloc(t->rt, o->ctx_size_in);
        if (!ctx)
            return -BPFRT_ENOMEM;
        bpfrt_memcpy(ctx, o->ctx_in, o->ctx_size_in);
    }
    struct run_setup s = { .ctx = ctx, .ctx_size = o->ctx_size_in };
    int err = bpfrt_tr_run(t, &s, 1, false);
    if (!err) {
        t->res->finished = true;
        if (ctx)
            bpfrt_memcpy((void *)o->ctx_in, ctx, o->ctx_size_in);
    }
    bpfrt_free(t->rt, ctx, o->ctx_size_in);
    return err;
}

typedef int (*test_run_fn)(struct tr *t);

/* One handler per test-run kind; the program type's row names the kind. */
static const test_run_fn test_run_handlers[] = {
    [BPFRT_TEST_RUN_XDP] = test_run_xdp,
    [BPFRT_TEST_RUN_SKB_L2] = test_run_skb,
    [BPFRT_TEST_RUN_SKB_L3] = test_run_skb,
    [BPFRT_TEST_RUN_RAW_TP] = test_run_raw_tp,
    [BPFRT_TEST_RUN_CTX] = test_run_tracing,
    [BPFRT_TEST_RUN_SYSCALL] = test_run_syscall,
    [BPFRT_TEST_RUN_CTX_PKT] = bpfrt_tr_ctx_pkt,
    [BPFRT_TEST_RUN_FLOW_DISSECTOR] = bpfrt_tr_flow_dissector,
    [BPFRT_TEST_RUN_SK_LOOKUP] = bpfrt_tr_sk_lookup,
    [BPFRT_TEST_RUN_NETFILTER] = bpfrt_tr_netfilter,
};

int bpfrt_prog_test_run(struct bpfrt_runtime *rt, struct bpfrt_prog *prog,
                        const struct bpfrt_test_run_opts *opts, struct bpfrt_test_run_result *res)
{
    if (!rt || !prog || !opts || !res)
        return -BPFRT_EINVAL;
    bpfrt_memset(res, 0, sizeof(*res));
    if ((opts->ctx_size_in && !opts->ctx_in) || (!opts->ctx_size_in && opts->ctx_in))
        return -BPFRT_EINVAL;
    if ((opts->ctx_size_out && !opts->ctx_out) || (!opts->ctx_size_out && opts->ctx_out))
        return -BPFRT_EINVAL;
    const struct bpfrt_prog_type_row *row = bpfrt_prog_type_row(prog->type);
    uint8_t kind = row ? row->test_run : BPFRT_TEST_RUN_NONE;
    if (kind >= sizeof(test_run_handlers) / sizeof(test_run_handlers[0]) || !test_run_handlers[kind])
        return -BPFRT_ENOTSUPP;
    struct tr t = { rt, prog, opts, res, (enum bpfrt_test_run_kind)kind };
    return test_run_handlers[kind](&t);
}

long bpfrt_cmd_prog_test_run(struct bpfrt_cmd *c)
{
    const union bpf_attr *a = c->attr;
    struct bpfrt_prog *prog;
    int err = bpfrt_objtab_get(c->rt, (int)a->test.prog_fd, BPFRT_OBJ_PROG, (void **)&prog);
    if (err)
        return err;
    struct bpfrt_test_run_opts o = {
        .data_in = u64_to_ptr(a->test.data_in),
        .data_size_in = a->test.data_size_in,
        .data_out = u64_to_ptr(a->test.data_out),
        .data_size_out = a->test.data_size_out,
        .ctx_in = u64_to_ptr(a->test.ctx_in),
        .ctx_size_in = a->test.ctx_size_in,
        .ctx_out = u64_to_ptr(a->test.ctx_out),
        .ctx_size_out = a->test.ctx_size_out,
        .repeat = a->test.repeat,
        .flags = a->test.flags,
        .cpu = a->test.cpu,
        .batch_size = a->test.batch_size,
    };
    struct bpfrt_test_run_result res;
    err = bpfrt_prog_test_run(c->rt, prog, &o, &res);
    bpfrt_prog_put(prog);
    if (res.finished) {
        BPFRT_CMD_PUT_U32(c, test.retval, res.retval);
        if (res.has_duration)
            BPFRT_CMD_PUT_U32(c, test.duration, res.duration);
        if (o.data_in)
            BPFRT_CMD_PUT_U32(c, test.data_size_out, res.data_size_out);
    }
    if (res.ctx_written)
        BPFRT_CMD_PUT_U32(c, test.ctx_size_out, res.ctx_size_out);
    return err;
}
