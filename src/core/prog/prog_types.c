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
#define SKB_SK \
    { offsetof(struct __sk_buff, sk), 8, BPFRT_CTX_PTR_SOCK_COMMON, R, false, offsetof(struct __sk_buff, sk) }
#define SKB_CB(acc) { offsetof(struct __sk_buff, cb), 20, BPFRT_CTX_SCALAR, acc, true, 0 }
/* the socket's family, addresses and ports (read-only): the addresses in
 * whole 4-byte words only (the kernel reads them from the socket with
 * fixed-size loads) */
#define SKB_SOCK_ADDRS \
    SKB_U32(family, R), SKB_W32(remote_ip4), SKB_W32(local_ip4), \
    SKB_W32(remote_ip6[0]), SKB_W32(remote_ip6[1]), SKB_W32(remote_ip6[2]), SKB_W32(remote_ip6[3]), \
    SKB_W32(local_ip6[0]), SKB_W32(local_ip6[1]), SKB_W32(local_ip6[2]), SKB_W32(local_ip6[3]), \
    SKB_U32(remote_port, R), SKB_U32(local_port, R)

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
    SKB_SOCK_ADDRS,
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
/* BTF-typed tracing and LSM before the target is known: 12 u64 slots
 * (each program gets its own description from the target's BTF). */
static const struct bpfrt_ctx_field btf_args_fields[] = {
    { 0, 8 * BPFRT_MAX_BPF_FUNC_ARGS, BPFRT_CTX_SCALAR, R, false, 0 },
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

/* ---- socket program types ----
 * Entries may overlap: the first entry that admits an access decides. That
 * states Linux's exceptions without new flags: a field readable narrowly
 * only at its start (an exact entry per size), a u32 pair readable and
 * writable as one u64 (bpf_ctx_wide_access_ok: an 8-byte entry beside the
 * words). A __bpf_md_ptr holds its pointer in place (kern_off == off). */
#define S BPFRT_CTX_SCALAR
#define WORD(o, acc) { (o), 4, S, acc, false, 0 }            /* whole u32 */
#define NWORD(o, acc) { (o), 4, S, acc, true, 0 }            /* u32, narrow reads */
#define DWORD(o, acc) { (o), 8, S, acc, false, 0 }           /* whole u64 */
#define START(o) { (o), 4, S, R, false, 0 }, { (o), 2, S, R, false, 0 }, { (o), 1, S, R, false, 0 }
#define MD_PTR(o, kind) { (o), 8, kind, R, false, (o) }
#define WORDS4(o, acc) WORD(o, acc), WORD((o) + 4, acc), WORD((o) + 8, acc), WORD((o) + 12, acc)
#define NWORDS4(o, acc) NWORD(o, acc), NWORD((o) + 4, acc), NWORD((o) + 8, acc), NWORD((o) + 12, acc)
/* a u32[4] address: narrow words, and 8-byte accesses at 8-aligned offsets */
#define WIDE_IP6(o, acc) NWORD(o, acc), DWORD(o, acc), NWORD((o) + 4, acc), NWORD((o) + 8, acc), \
    DWORD((o) + 8, acc), NWORD((o) + 12, acc)
#define OFF(t, f) offsetof(struct t, f)

/* SOCK_OPS (sock_ops_is_valid_access): u32 fields whole reads only; reply
 * and sk_txhash writable; skb_tcp_flags narrow at its start; sk, skb_data,
 * skb_data_end pointers. */
#define SO(f) OFF(bpf_sock_ops, f)
static const struct bpfrt_ctx_field sock_ops_fields[] = {
    WORD(SO(op), R), WORD(SO(reply), RW), WORD(SO(replylong[1]), R), WORD(SO(replylong[2]), R),
    WORD(SO(replylong[3]), R),
    /* family .. sacked_out: 36 read-only words */
    WORDS4(SO(family), R), WORDS4(SO(family) + 16, R), WORDS4(SO(family) + 32, R), WORDS4(SO(family) + 48, R),
    WORDS4(SO(family) + 64, R), WORDS4(SO(family) + 80, R), WORDS4(SO(family) + 96, R),
    WORDS4(SO(family) + 112, R), WORDS4(SO(family) + 128, R),
    WORD(SO(sk_txhash), RW),
    DWORD(SO(bytes_received), R), DWORD(SO(bytes_acked), R),
    MD_PTR(SO(sk), BPFRT_CTX_PTR_SOCKET),
    MD_PTR(SO(skb_data), BPFRT_CTX_PTR_TO_PACKET),
    MD_PTR(SO(skb_data_end), BPFRT_CTX_PTR_TO_PACKET_END),
    WORD(SO(skb_len), R), START(SO(skb_tcp_flags)), DWORD(SO(skb_hwtstamp), R),
};

/* CGROUP_SOCK (cg_sock_is_valid_access): bound_dev_if, mark, priority for
 * create/release (read and write whole); the source address and port only
 * after bind of their family; the destination always. */
#define SK(f) OFF(bpf_sock, f)
#define SOCK_TAIL                                                                          \
    WORD(SK(dst_port), R), { SK(dst_port), 2, S, R, true, 0 },                             \
    NWORD(SK(dst_ip4), R), NWORDS4(SK(dst_ip6), R), START(SK(state)), START(SK(rx_queue_mapping))
static const struct bpfrt_ctx_field sock_create_fields[] = {
    WORD(SK(bound_dev_if), RW), START(SK(family)), START(SK(type)), START(SK(protocol)),
    WORD(SK(mark), RW), WORD(SK(priority), RW), SOCK_TAIL,
};
static const struct bpfrt_ctx_field sock_post_bind4_fields[] = {
    START(SK(family)), START(SK(type)), START(SK(protocol)), NWORD(SK(src_ip4), R), START(SK(src_port)),
    SOCK_TAIL,
};
static const struct bpfrt_ctx_field sock_post_bind6_fields[] = {
    START(SK(family)), START(SK(type)), START(SK(protocol)), NWORDS4(SK(src_ip6), R), START(SK(src_port)),
    SOCK_TAIL,
};

/* CGROUP_SOCK_ADDR (sock_addr_is_valid_access): user_ip4/user_ip6 only for
 * the hooks of their family, msg_src_ip4/6 only for sendmsg; those and
 * user_port narrow reads, whole writes (u64 pairs of the IPv6 words). */
#define SA(f) OFF(bpf_sock_addr, f)
#define SA_MID WORD(SA(family), R), WORD(SA(type), R), WORD(SA(protocol), R)
#define SA_SK MD_PTR(SA(sk), BPFRT_CTX_PTR_SOCKET)
static const struct bpfrt_ctx_field sock_addr_unix_fields[] = {
    WORD(SA(user_family), R), NWORD(SA(user_port), RW), SA_MID, SA_SK,
};
static const struct bpfrt_ctx_field sock_addr4_fields[] = {
    WORD(SA(user_family), R), NWORD(SA(user_ip4), RW), NWORD(SA(user_port), RW), SA_MID, SA_SK,
};
static const struct bpfrt_ctx_field sock_addr4_sendmsg_fields[] = {
    WORD(SA(user_family), R), NWORD(SA(user_ip4), RW), NWORD(SA(user_port), RW), SA_MID,
    NWORD(SA(msg_src_ip4), RW), SA_SK,
};
static const struct bpfrt_ctx_field sock_addr6_fields[] = {
    WORD(SA(user_family), R), WIDE_IP6(SA(user_ip6), RW), NWORD(SA(user_port), RW), SA_MID, SA_SK,
};
static const struct bpfrt_ctx_field sock_addr6_sendmsg_fields[] = {
    WORD(SA(user_family), R), WIDE_IP6(SA(user_ip6), RW), NWORD(SA(user_port), RW), SA_MID,
    /* msg_src_ip6 starts at 44: its only 8-aligned pair is [48, 56) */
    NWORD(SA(msg_src_ip6[0]), RW), NWORD(SA(msg_src_ip6[1]), RW), DWORD(SA(msg_src_ip6[1]), RW),
    NWORD(SA(msg_src_ip6[2]), RW), NWORD(SA(msg_src_ip6[3]), RW), SA_SK,
};

/* SK_MSG (sk_msg_is_valid_access): data/data_end, the socket's addresses
 * and ports and the message size, whole reads only. */
#define SM(f) OFF(sk_msg_md, f)
static const struct bpfrt_ctx_field sk_msg_fields[] = {
    MD_PTR(SM(data), BPFRT_CTX_PTR_TO_PACKET), MD_PTR(SM(data_end), BPFRT_CTX_PTR_TO_PACKET_END),
    WORD(SM(family), R), WORD(SM(remote_ip4), R), WORD(SM(local_ip4), R), WORDS4(SM(remote_ip6), R),
    WORDS4(SM(local_ip6), R), WORD(SM(remote_port), R), WORD(SM(local_port), R), WORD(SM(size), R),
    MD_PTR(SM(sk), BPFRT_CTX_PTR_SOCKET),
};

/* SK_SKB (sk_skb_is_valid_access): __sk_buff without mark, tc_classid,
 * data_meta, tstamp, wire_len, hwtstamp; cb[] read-only; priority and
 * tc_index writable. */
static const struct bpfrt_ctx_field sk_skb_fields[] = {
    SKB_U32(len, R), SKB_U32(pkt_type, R), SKB_U32(queue_mapping, R), SKB_U32(protocol, R),
    SKB_U32(vlan_present, R), SKB_U32(vlan_tci, R), SKB_U32(vlan_proto, R), SKB_U32(priority, RW),
    SKB_U32(ingress_ifindex, R), SKB_U32(ifindex, R), SKB_U32(tc_index, RW),
    SKB_CB(R),
    SKB_U32(hash, R),
    SKB_PTR(data, BPFRT_CTX_PTR_TO_PACKET),
    SKB_PTR(data_end, BPFRT_CTX_PTR_TO_PACKET_END),
    SKB_U32(napi_id, R),
    SKB_SOCK_ADDRS,
    SKB_U32(gso_segs, R),
    SKB_SK,
    SKB_U32(gso_size, R),
};

/* FLOW_DISSECTOR (flow_dissector_is_valid_access): data, data_end and the
 * flow_keys pointer (memory the program fills), reads only. */
static const struct bpfrt_ctx_field flow_dissector_fields[] = {
    SKB_PTR(data, BPFRT_CTX_PTR_TO_PACKET),
    SKB_PTR(data_end, BPFRT_CTX_PTR_TO_PACKET_END),
    MD_PTR(offsetof(struct __sk_buff, flow_keys), BPFRT_CTX_PTR_FLOW_KEYS),
};

/* SK_LOOKUP (sk_lookup_is_valid_access): the selected socket, then
 * narrow-readable words; nothing writable (bpf_sk_assign selects). */
#define SL(f) OFF(bpf_sk_lookup, f)
static const struct bpfrt_ctx_field sk_lookup_fields[] = {
    MD_PTR(SL(sk), BPFRT_CTX_PTR_SOCKET),
    NWORD(SL(family), R), NWORD(SL(protocol), R), NWORD(SL(remote_ip4), R), NWORDS4(SL(remote_ip6), R),
    NWORD(SL(remote_port), R), /* with its padding */
    NWORD(SL(local_ip4), R), NWORDS4(SL(local_ip6), R), NWORD(SL(local_port), R), NWORD(SL(ingress_ifindex), R),
};

/* SK_REUSEPORT (sk_reuseport_is_valid_access): eth_protocol is read as at
 * least 2 bytes, hash whole. */
#define SR(f) OFF(sk_reuseport_md, f)
static const struct bpfrt_ctx_field sk_reuseport_fields[] = {
    MD_PTR(SR(data), BPFRT_CTX_PTR_TO_PACKET), MD_PTR(SR(data_end), BPFRT_CTX_PTR_TO_PACKET_END),
    NWORD(SR(len), R),
    WORD(SR(eth_protocol), R), { SR(eth_protocol), 2, S, R, false, 0 }, { SR(eth_protocol) + 2, 2, S, R, false, 0 },
    NWORD(SR(ip_protocol), R), NWORD(SR(bind_inany), R), WORD(SR(hash), R),
    MD_PTR(SR(sk), BPFRT_CTX_PTR_SOCKET), MD_PTR(SR(migrating_sk), BPFRT_CTX_PTR_SOCK_COMMON),
};

/* NETFILTER (nf_is_valid_access): struct bpf_nf_ctx, two typed pointers. */
static const struct bpfrt_ctx_field netfilter_fields[] = {
    MD_PTR(offsetof(struct bpfrt_nf_ctx, state), BPFRT_CTX_PTR_OTHER),
    MD_PTR(offsetof(struct bpfrt_nf_ctx, skb), BPFRT_CTX_PTR_OTHER),
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
const struct bpfrt_ctx_desc bpfrt_ctx_btf_args = {
    BPF_PROG_TYPE_TRACING, "u64 args[] (BTF-typed)", 8 * BPFRT_MAX_BPF_FUNC_ARGS, 8 * (BPFRT_MAX_BPF_FUNC_ARGS + 1),
    btf_args_fields, N(btf_args_fields), false,
};
const struct bpfrt_ctx_desc bpfrt_ctx_lsm_args = {
    BPF_PROG_TYPE_LSM, "u64 args[] (BTF-typed)", 8 * BPFRT_MAX_BPF_FUNC_ARGS, 8 * (BPFRT_MAX_BPF_FUNC_ARGS + 1),
    btf_args_fields, N(btf_args_fields), false,
};
const struct bpfrt_ctx_desc bpfrt_ctx_perf_event =
    DESC(BPF_PROG_TYPE_PERF_EVENT, "struct bpf_perf_event_data", struct bpfrt_perf_event_data,
         struct bpfrt_perf_event_data, perf_event_fields, false);
#define SOCK_DESC(type, user, fields) DESC(type, "struct " #user, struct user, struct user, fields, false)
const struct bpfrt_ctx_desc bpfrt_ctx_sock_ops = SOCK_DESC(BPF_PROG_TYPE_SOCK_OPS, bpf_sock_ops, sock_ops_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sock_create =
    SOCK_DESC(BPF_PROG_TYPE_CGROUP_SOCK, bpf_sock, sock_create_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sock_post_bind4 =
    SOCK_DESC(BPF_PROG_TYPE_CGROUP_SOCK, bpf_sock, sock_post_bind4_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sock_post_bind6 =
    SOCK_DESC(BPF_PROG_TYPE_CGROUP_SOCK, bpf_sock, sock_post_bind6_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sock_addr_unix =
    SOCK_DESC(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, bpf_sock_addr, sock_addr_unix_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sock_addr4 =
    SOCK_DESC(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, bpf_sock_addr, sock_addr4_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sock_addr4_sendmsg =
    SOCK_DESC(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, bpf_sock_addr, sock_addr4_sendmsg_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sock_addr6 =
    SOCK_DESC(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, bpf_sock_addr, sock_addr6_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sock_addr6_sendmsg =
    SOCK_DESC(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, bpf_sock_addr, sock_addr6_sendmsg_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sk_msg = SOCK_DESC(BPF_PROG_TYPE_SK_MSG, sk_msg_md, sk_msg_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sk_skb =
    DESC(BPF_PROG_TYPE_SK_SKB, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx, sk_skb_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_flow_dissector =
    DESC(BPF_PROG_TYPE_FLOW_DISSECTOR, "struct __sk_buff", struct __sk_buff, struct bpfrt_skb_ctx,
         flow_dissector_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_sk_lookup =
    SOCK_DESC(BPF_PROG_TYPE_SK_LOOKUP, bpf_sk_lookup, sk_lookup_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_sk_reuseport =
    SOCK_DESC(BPF_PROG_TYPE_SK_REUSEPORT, sk_reuseport_md, sk_reuseport_fields);
const struct bpfrt_ctx_desc bpfrt_ctx_netfilter =
    DESC(BPF_PROG_TYPE_NETFILTER, "struct bpf_nf_ctx", struct bpfrt_nf_ctx, struct bpfrt_nf_ctx,
         netfilter_fields, false);
const struct bpfrt_ctx_desc bpfrt_ctx_syscall = {
    BPF_PROG_TYPE_SYSCALL, "syscall ctx", BPFRT_SYSCALL_CTX_MAX, BPFRT_SYSCALL_CTX_MAX,
    syscall_fields, N(syscall_fields), true,
};

/* Does field f admit [off, off+size) by its extent and sizes? */
static bool fits(const struct bpfrt_ctx_field *f, uint32_t off, uint32_t size)
{
    if ((uint64_t)off + size > (uint64_t)f->off + f->size)
        return false;
    return size == f->size || (f->narrow_ok && size < f->size);
}

/* ... and in this direction? */
static bool direction_ok(const struct bpfrt_ctx_field *f, uint32_t off, uint32_t size, bool write)
{
    if (!(f->access & (write ? BPFRT_CTX_WRITE : BPFRT_CTX_READ)))
        return false;
    /* A pointer in disguise is read whole, never written (Linux rewrites
     * the load into one of the real pointer; a store has nothing to become). */
    if (f->kind != BPFRT_CTX_SCALAR)
        return !write && off == f->off && size == f->size;
    return !write || size == f->size || (f->access & BPFRT_CTX_NARROW_WRITE);
}

/* The first field admitting the access (write < 0: any direction). */
static const struct bpfrt_ctx_field *field_scan(const struct bpfrt_ctx_desc *desc, uint32_t off, uint32_t size,
                                                int write)
{
    if (!desc || (size != 1 && size != 2 && size != 4 && size != 8))
        return NULL;
    if (off % size != 0 || (uint64_t)off + size > desc->ctx_size)
        return NULL;
    for (uint32_t i = 0; i < desc->nr_fields; i++) {
        const struct bpfrt_ctx_field *f = &desc->fields[i];
        if (off < f->off)
            break; /* sorted by offset: no later field starts at or before off */
        if (fits(f, off, size) && (write < 0 || direction_ok(f, off, size, write)))
            return f;
    }
    return NULL;
}

const struct bpfrt_ctx_field *bpfrt_ctx_field_find(const struct bpfrt_ctx_desc *desc,
                                                   uint32_t off, uint32_t size)
{
    return field_scan(desc, off, size, -1);
}

const struct bpfrt_ctx_field *bpfrt_ctx_access_ok(const struct bpfrt_ctx_desc *desc, uint32_t off,
                                                  uint32_t size, bool write)
{
    return field_scan(desc, off, size, write);
}
