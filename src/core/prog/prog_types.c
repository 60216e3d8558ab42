/* Context descriptions per program type: what a program may read or write
 * in its context (r1), following Linux 6.18's *_is_valid_access rules
 * (net/core/filter.c, kernel/trace/bpf_trace.c). One table per context
 * layout; the program-type rows (prog_type_rows.c) name them. */
#include <stddef.h>

#include "core/prog/prog_types.h"
#include "core/core.h"

#define R  BPFRT_CTX_READ
#define RW (BPFRT_CTX_READ | BPFRT_CTX_WRITE)
#define RWN (BPFRT_CTX_READ | BPFRT_CTX_WRITE | BPFRT_CTX_NARROW_WRITE)

/* ---- XDP (xdp_is_valid_access): 4-byte reads only, no writes ---- */
#define XDP_F(field, kind, kern) \
    { offsetof(struct xdp_md, field), 4, kind, R, false, kern }
#define XDP_PTR(field, kind) XDP_F(field, kind, offsetof(struct bpfrt_xdp_ctx, field))

static const struct bpfrt_ctx_field xdp_fields[] = {
    XDP_PTR(data, BPFRT_CTX_PTR_TO_PACKET),
    XDP_PTR(data_end, BPFRT_CTX_PTR_TO_PACKET_END),
    XDP_PTR(data_meta, BPFRT_CTX_PTR_TO_PACKET_META),
    XDP_F(ingress_ifindex, BPFRT_CTX_SCALAR, 0),
    XDP_F(rx_queue_index, BPFRT_CTX_SCALAR, 0),
};
/* egress_ifindex is readable only for programs attached to a DEVMAP. */
static const struct bpfrt_ctx_field xdp_devmap_fields[] = {
    XDP_PTR(data, BPFRT_CTX_PTR_TO_PACKET),
    XDP_PTR(data_end, BPFRT_CTX_PTR_TO_PACKET_END),
    XDP_PTR(data_meta, BPFRT_CTX_PTR_TO_PACKET_META),
    XDP_F(ingress_ifindex, BPFRT_CTX_SCALAR, 0),
    XDP_F(rx_queue_index, BPFRT_CTX_SCALAR, 0),
    XDP_F(egress_ifindex, BPFRT_CTX_SCALAR, 0),
};

/* ---- __sk_buff (bpf_skb_is_valid_access plus the per-type filters) ----
 * Plain u32 fields: reads of 1, 2 or 4 bytes (narrow), writes of exactly 4.
 * cb[]: any aligned size inside cb, both directions. */
#define SKB_U32(field, acc) { offsetof(struct __sk_buff, field), 4, BPFRT_CTX_SCALAR, acc, true, 0 }
#define SKB_W32(field) { offsetof(struct __sk_buff, field), 4, BPFRT_CTX_SCALAR, R, false, 0 }
#define SKB_U64(field, acc) { offsetof(struct __sk_buff, field), 8, BPFRT_CTX_SCALAR, acc, false, 0 }
#define SKB_PTR(field, kind) \
    { offsetof(struct __sk_buff, field), 4, kind, R, false, offsetof(struct bpfrt_skb_ctx, field) }
#define SKB_SK { offsetof(struct __sk_buff, sk), 8, BPFRT_CTX_PTR_OTHER, R, false, offsetof(struct __sk_buff, sk) }
#define SKB_CB(acc) { offsetof(struct __sk_buff, cb), 20, BPFRT_CTX_SCALAR, acc, true, 0 }

/* Fields every skb type reads the same way, before cb[]. */
#define SKB_HEAD(mark_acc, qm_acc, prio_acc, tci_acc)                              \
    SKB_U32(len, R), SKB_U32(pkt_type, R), SKB_U32(mark, mark_acc),                \
    SKB_U32(queue_mapping, qm_acc), SKB_U32(protocol, R), SKB_U32(vlan_present, R), \
    SKB_U32(vlan_tci, R), SKB_U32(vlan_proto, R), SKB_U32(priority, prio_acc),      \
    SKB_U32(ingress_ifindex, R), SKB_U32(ifindex, R), SKB_U32(tc_index, tci_acc)

/* SOCKET_FILTER (sk_filter_is_valid_access): no packet pointers, no
 * tc_classid, no socket addresses, no tstamp/wire_len/hwtstamp; only cb[]
 * is writable. Socket filters read the packet with LD_ABS/skb_load_bytes. */
static const struct bpfrt_ctx_field socket_filter_fields[] = {
    SKB_HEAD(R, R, R, R),
    SKB_CB(RWN),
    SKB_U32(hash, R),
    SKB_U32(napi_id, R),
    SKB_U32(gso_segs, R),
    SKB_SK,
    SKB_U32(gso_size, R),
};

/* SCHED_CLS / SCHED_ACT (tc_cls_act_is_valid_access): packet pointers;
 * mark, queue_mapping, priority, tc_index, cb[], tc_classid, tstamp
 * writable; tstamp_type a 1-byte read. */
static const struct bpfrt_ctx_field tc_fields[] = {
    SKB_HEAD(RW, RW, RW, RW),
    SKB_CB(RWN),
    SKB_U32(hash, R),
    SKB_U32(tc_classid, RW),
    SKB_PTR(data, BPFRT_CTX_PTR_TO_PACKET),
    SKB_PTR(data_end, BPFRT_CTX_PTR_TO_PACKET_END),
    SKB_U32(napi_id, R),
    SKB_PTR(data_meta, BPFRT_CTX_PTR_TO_PACKET_META),
    SKB_U64(tstamp, RW),
    SKB_U32(wire_len, R),
    SKB_U32(gso_segs, R),
    SKB_SK,
    SKB_U32(gso_size, R),
    { offsetof(struct __sk_buff, tstamp_type), 1, BPFRT_CTX_SCALAR, R, false, 0 },
    SKB_U64(hwtstamp, R),
};

/* CGROUP_SKB (cg_skb_is_valid_access, privileged): data/data_end, the
 * socket's family/addresses/ports readable; mark, priority, cb[], tstamp
 * writable; no tc_classid, data_meta, wire_len. */
static const struct bpfrt_ctx_field cgroup_skb_fields[] = {
    SKB_HEAD(RW, R, RW, R),
    SKB_CB(RWN),
    SKB_U32(hash, R),
    SKB_PTR(data, BPFRT_CTX_PTR_TO_PACKET),
    SKB_PTR(data_end, BPFRT_CTX_PTR_TO_PACKET_END),
    SKB_U32(napi_id, R),
    SKB_U32(family, R),
    /* the addresses: whole 4-byte words only (the kernel reads them from
     * the socket with fixed-size loads) */
    SKB_W32(remote_ip4), SKB_W32(local_ip4),
    SKB_W32(remote_ip6[0]), SKB_W32(remote_ip6[1]), SKB_W32(remote_ip6[2]), SKB_W32(remote_ip6[3]),
    SKB_W32(local_ip6[0]), SKB_W32(local_ip6[1]), SKB_W32(local_ip6[2]), SKB_W32(local_ip6[3]),
    SKB_U32(remote_port, R),
    SKB_U32(local_port, R),
    SKB_U64(tstamp, RW),
    SKB_U32(gso_segs, R),
    SKB_SK,
    SKB_U32(gso_size, R),
    SKB_U64(hwtstamp, R),
};

/* LWT_IN / LWT_OUT / LWT_XMIT (lwt_is_valid_access): route hooks see the
 * packet from the network header (data/data_end); mark, priority and cb[]
 * are writable; no tc_classid, data_meta, socket addresses, tstamp,
 * wire_len or hwtstamp. Only LWT_XMIT may write the packet directly (a
 * verifier rule). */
static const struct bpfrt_ctx_field lwt_fields[] = {
    SKB_HEAD(RW, R, RW, R),
    SKB_CB(RWN),
    SKB_U32(hash, R),
    SKB_PTR(data, BPFRT_CTX_PTR_TO_PACKET),
    SKB_PTR(data_end, BPFRT_CTX_PTR_TO_PACKET_END),
    SKB_U32(napi_id, R),
    SKB_U32(gso_segs, R),
    SKB_SK,
    SKB_U32(gso_size, R),
};

/* ---- tracing ---- */
/* KPROBE: the whole pt_regs, any aligned read. */
static const struct bpfrt_ctx_field kprobe_fields[] = {
    { 0, sizeof(struct bpfrt_pt_regs), BPFRT_CTX_SCALAR, R, true, 0 },
};
/* TRACEPOINT: the raw record from byte 8 on (the common header is hidden). */
static const struct bpfrt_ctx_field tracepoint_fields[] = {
    { 8, BPFRT_PERF_MAX_TRACE_SIZE - 8, BPFRT_CTX_SCALAR, R, true, 0 },
};
/* RAW_TRACEPOINT: u64 args[12], any aligned read. */
static const struct bpfrt_ctx_field raw_tp_fields[] = {
    { 0, 8 * BPFRT_MAX_BPF_FUNC_ARGS, BPFRT_CTX_SCALAR, R, true, 0 },
};
/* PERF_EVENT: regs in whole 8-byte words, sample_period/addr narrow reads. */
#define REG(i) { (i) * 8, 8, BPFRT_CTX_SCALAR, R, false, 0 }
static const struct bpfrt_ctx_field perf_event_fields[] = {
    REG(0), REG(1), REG(2), REG(3), REG(4), REG(5), REG(6), REG(7), REG(8), REG(9), REG(10),
    REG(11), REG(12), REG(13), REG(14), REG(15), REG(16), REG(17), REG(18), REG(19), REG(20),
    { offsetof(struct bpfrt_perf_event_data, sample_period), 8, BPFRT_CTX_SCALAR, R, true, 0 },
    { offsetof(struct bpfrt_perf_event_data, addr), 8, BPFRT_CTX_SCALAR, R, true, 0 },
};
/* SYSCALL: plain memory the caller passes, read and write. */
static const struct bpfrt_ctx_field syscall_fields[] = {
    { 0, BPFRT_SYSCALL_CTX_MAX, BPFRT_CTX_SCALAR, RWN, true, 0 },
};

#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))
#define DESC(type, name, user, kern, fields, whole) \
    { type, name, sizeof(user), sizeof(kern), fields, N(fields), whole }

const struct bpfrt_ctx_desc bpfrt_ctx_xdp =
    DESC(BPF_PROG_TYPE_XDP, "struct xdp_md", struct xdp_md, struct bpfrt_xdp_ctx, xdp_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_xdp_devmap =
    DESC(BPF_PROG_TYPE_XDP, "struct xdp_md", struct xdp_md, struct bpfrt_xdp_ctx, xdp_devmap_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_socket_filter =
    DESC(BPF_PROG_TYPE_SOCKET_FILTER, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx,
         socket_filter_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_sched_cls =
    DESC(BPF_PROG_TYPE_SCHED_CLS, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx, tc_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_sched_act =
    DESC(BPF_PROG_TYPE_SCHED_ACT, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx, tc_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_cgroup_skb =
    DESC(BPF_PROG_TYPE_CGROUP_SKB, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx,
         cgroup_skb_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_lwt_in =
    DESC(BPF_PROG_TYPE_LWT_IN, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx, lwt_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_lwt_out =
    DESC(BPF_PROG_TYPE_LWT_OUT, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx, lwt_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_lwt_xmit =
    DESC(BPF_PROG_TYPE_LWT_XMIT, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx, lwt_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_kprobe =
    DESC(BPF_PROG_TYPE_KPROBE, "struct pt_regs", struct bpfrt_pt_regs, struct bpfrt_pt_regs, kprobe_fields, true);
const struct bpfrt_ctx_desc bpfrt_ctx_tracepoint = {
    BPF_PROG_TYPE_TRACEPOINT, "tracepoint record", BPFRT_PERF_MAX_TRACE_SIZE, BPFRT_PERF_MAX_TRACE_SIZE,
    tracepoint_fields, N(tracepoint_fields), true,
};
const struct bpfrt_ctx_desc bpfrt_ctx_raw_tp = {
    BPF_PROG_TYPE_RAW_TRACEPOINT, "struct bpf_raw_tracepoint_args", 8 * BPFRT_MAX_BPF_FUNC_ARGS,
    8 * BPFRT_MAX_BPF_FUNC_ARGS, raw_tp_fields, N(raw_tp_fields), true,
};
const struct bpfrt_ctx_desc bpfrt_ctx_perf_event =
    DESC(BPF_PROG_TYPE_PERF_EVENT, "struct bpf_perf_event_data", struct bpfrt_perf_event_data,
         struct bpfrt_perf_event_data, perf_event_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_syscall = {
    BPF_PROG_TYPE_SYSCALL, "syscall ctx", BPFRT_SYSCALL_CTX_MAX, BPFRT_SYSCALL_CTX_MAX,
    syscall_fields, N(syscall_fields), true,
};

const struct bpfrt_ctx_field *bpfrt_ctx_field_find(const struct bpfrt_ctx_desc *desc,
                                                   uint32_t off, uint32_t size)
{
    if (!desc || (size != 1 && size != 2 && size != 4 && size != 8))
        return NULL;
    if (off % size != 0 || (uint64_t)off + size > desc->ctx_size)
        return NULL;
    for (uint32_t i = 0; i < desc->nr_fields; i++) {
        const struct bpfrt_ctx_field *f = &desc->fields[i];
        if (off < f->off)
            break; /* sorted by offset: no later field starts at or before off */
        if ((uint64_t)off + size > (uint64_t)f->off + f->size)
            continue;
        if (size == f->size || (f->narrow_ok && size < f->size))
            return f;
        return NULL;
    }
    return NULL;
}

const struct bpfrt_ctx_field *bpfrt_ctx_access_ok(const struct bpfrt_ctx_desc *desc, uint32_t off,
                                                  uint32_t size, bool write)
{
    const struct bpfrt_ctx_field *f = bpfrt_ctx_field_find(desc, off, size);
    if (!f || !(f->access & (write ? BPFRT_CTX_WRITE : BPFRT_CTX_READ)))
        return NULL;
    /* A pointer in disguise is read whole, never written (Linux rewrites
     * the load into one of the real pointer; a store has nothing to become). */
    if (f->kind != BPFRT_CTX_SCALAR)
        return !write && off == f->off && size == f->size ? f : NULL;
    if (write && size != f->size && !(f->access & BPFRT_CTX_NARROW_WRITE))
        return NULL;
    return f;
}
