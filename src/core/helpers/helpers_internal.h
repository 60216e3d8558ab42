/* Internal to src/core/helpers: declarations of every built-in helper
 * function (from the rows in table.def), the program-type groups the rows
 * use, and the small utilities several helper families share (packet
 * access, the printf-like engine, run-region spans). */
#ifndef BPFRT_HELPERS_INTERNAL_H
#define BPFRT_HELPERS_INTERNAL_H

#include "bpfrt/helpers.h"
#include "bpfrt/map.h"
#include "bpfrt/prog.h"
#include "core/prog/prog_types.h"
#include "core/core.h"

/* Defines/declares a helper with the engine's calling convention. */
#define BPFRT_HELPER_DECL(name) \
    uint64_t bpfrt_helper_##name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, \
                                 uint64_t r5, struct bpfrt_run *run)
#define BPFRT_HELPER_DEF(name) BPFRT_HELPER_DECL(name)

/* A negative error as a helper's u64 return value (sign-extended, as Linux). */
static inline uint64_t bpfrt_helper_err(int neg_errno)
{
    return (uint64_t)(int64_t)neg_errno;
}

static inline void *bpfrt_u2p(uint64_t v)
{
    return (void *)(uintptr_t)v;
}

/* ---- program-type groups (Linux's per-type func_proto lists) ---- */
#define PT(t) BPFRT_PROG_TYPE_BIT(BPF_PROG_TYPE_##t)
/* kprobe/tracepoint/perf_event/raw_tp/tracing/lsm: bpf_tracing_func_proto */
#define BPFRT_PT_TRACING (PT(KPROBE) | PT(TRACEPOINT) | PT(PERF_EVENT) | PT(RAW_TRACEPOINT) | \
                          PT(RAW_TRACEPOINT_WRITABLE) | PT(TRACING) | PT(LSM))
#define BPFRT_PT_TC  (PT(SCHED_CLS) | PT(SCHED_ACT))
#define BPFRT_PT_LWT (PT(LWT_IN) | PT(LWT_OUT) | PT(LWT_XMIT) | PT(LWT_SEG6LOCAL))
/* Everything whose context is an sk_buff. */
#define BPFRT_PT_SKB (PT(SOCKET_FILTER) | BPFRT_PT_TC | PT(CGROUP_SKB) | BPFRT_PT_LWT | \
                      PT(SK_SKB) | PT(FLOW_DISSECTOR) | PT(SK_REUSEPORT))
/* Users of bpf_sk_base_func_proto: the networking types. */
#define BPFRT_PT_NET (BPFRT_PT_SKB | PT(XDP) | PT(CGROUP_SOCK) | PT(SOCK_OPS) | PT(SK_MSG) | \
                      PT(CGROUP_SOCK_ADDR) | PT(SK_LOOKUP) | PT(CGROUP_SOCKOPT) | PT(NETFILTER))

/* ---- built-in helpers: bpfrt_helper_<name> for each row of table.def ---- */
#define HELPER(name, ...) BPFRT_HELPER_DECL(name);
#include "core/helpers/table.def"
#undef HELPER

/* ---- shared utilities ---- */

/* The runtime's host-read policy (host_read.c), kept with the helper table. */
struct bpfrt_host_ranges;
struct bpfrt_host_reads {
    uint32_t policy;                 /* enum bpfrt_host_read_policy (atomic) */
    uint32_t writer;                 /* serialises range updates */
    struct bpfrt_host_ranges *ranges;/* current list (atomic; copy-on-write) */
};
struct bpfrt_host_reads *bpfrt_helper_host_reads(const struct bpfrt_runtime *rt); /* registry.c */
void bpfrt_host_reads_fini(struct bpfrt_runtime *rt, struct bpfrt_host_reads *st);

/* Fault-safe reads of an address a program named, if the policy lets the
 * run read it (else -EFAULT with dst zeroed, as a fault): the platform's
 * probe_read / probe_read_str semantics otherwise. Every helper that reads
 * arbitrary memory goes through these. */
int bpfrt_host_read(struct bpfrt_run *run, void *dst, const void *src, size_t size, bool user);
long bpfrt_host_read_str(struct bpfrt_run *run, void *dst, const void *src, size_t size, bool user);

/* The program type of the running program (from the program, else the
 * context description), or BPF_PROG_TYPE_UNSPEC. */
uint32_t bpfrt_helper_prog_type(const struct bpfrt_run *run);

/* Bytes readable from p up to the end of its region in a checked run;
 * SIZE_MAX when the run is not checked (the verifier vouched for p). 0 when
 * p lies in no region. */
size_t bpfrt_helper_span(const struct bpfrt_run *run, const void *p);

/* Whether sk is a socket a helper may use: one the embedder registered,
 * or, in a checked run, one the program holds. */
bool bpfrt_helper_sock_ok(struct bpfrt_run *run, const void *sk);
/* The socket p shows a program (its struct bpf_sock or, from bpf_tcp_sock,
 * its struct bpf_tcp_sock view) when a helper may use it, else NULL. */
struct bpfrt_sock *bpfrt_helper_sock(struct bpfrt_run *run, uint64_t p);

/* Linux's one's-complement checksum arithmetic (include/net/checksum.h
 * semantics), on values exactly as they sit in packet memory. */
uint32_t bpfrt_csum_add(uint32_t a, uint32_t b);
uint16_t bpfrt_csum_fold(uint32_t csum);          /* folded and complemented */
uint32_t bpfrt_csum_partial(const void *buf, size_t len, uint32_t seed); /* x86-64 csum_partial */

/* ---- printf-like engine (bprintf.c): bpf_bprintf_prepare + bstr_printf ---- */
enum bpfrt_bprintf_kind {
    BPFRT_BPA_INT32, BPFRT_BPA_INT64, BPFRT_BPA_CHAR, BPFRT_BPA_STR, BPFRT_BPA_PTR,
};
struct bpfrt_bprintf_arg {
    uint8_t kind;                /* enum bpfrt_bprintf_kind */
    uint64_t val;                /* integers, chars and pointers */
    const char *str;             /* strings and pre-formatted IP addresses (in tmp) */
};
struct bpfrt_bprintf_data {
    char tmp[BPFRT_BPRINTF_BIN_ARGS];  /* copied strings, like Linux's bin_args buffer */
    size_t used;
    struct bpfrt_bprintf_arg args[BPFRT_MAX_BPRINTF_VARARGS];
    uint32_t nargs;
    uint64_t work;                     /* characters formatting produces, at most */
};

/* Checks fmt (NUL-terminated within fmt_size) with Linux's rules and
 * captures the arguments it uses from raw_args[0..num_args): strings and
 * IP addresses are copied through bpfrt_host_read*. Returns 0, -EINVAL (bad
 * format, too many specifiers) or -ENOSPC (argument copies exceed 512
 * bytes). data->work is what formatting will cost (characters, widths
 * included), for the caller to charge before it formats. */
int bpfrt_bprintf_prepare(struct bpfrt_run *run, const char *fmt, size_t fmt_size,
                          const uint64_t *raw_args, uint32_t num_args,
                          struct bpfrt_bprintf_data *data);

/* bpf_snprintf's and bpf_seq_printf's form: the arguments as an array of
 * data_len bytes of u64s (-EINVAL unless a whole number of at most 12),
 * prepared as above and the formatting work charged to the run (-ELOOP
 * when the budget runs out). */
int bpfrt_bprintf_prepare_array(struct bpfrt_run *run, const char *fmt, size_t fmt_size,
                                const uint64_t *data, uint32_t data_len, struct bpfrt_bprintf_data *bd);

/* Formats a prepared fmt into buf (snprintf truncation, NUL-terminated when
 * size > 0). Returns the length the whole output needs, without the NUL. */
int bpfrt_bprintf_format(char *buf, size_t size, const char *fmt,
                         const struct bpfrt_bprintf_data *data);

/* ---- packets (pkt.c) ---- */

/* Where run->pkt's pointers were before a helper moved them. */
struct bpfrt_pkt_snap {
    uintptr_t data, data_end, data_meta;
};

/* Publishes run->pkt's data pointers into the context's pointer shadows
 * (and, in a checked run, moves the packet region that matched the old
 * pointers) after a helper changed them. */
void bpfrt_pkt_resync(struct bpfrt_run *run, const struct bpfrt_pkt_snap *old);

struct bpfrt_pkt_snap bpfrt_pkt_snapshot(const struct bpfrt_pkt *pkt);

/* The only ways skb helpers move packet bytes (pkt_move.c); each keeps the
 * invariants of bpfrt_pkt_valid, charges the run and publishes the new
 * layout. Insert `len` zeroed bytes at data + off, the first off bytes
 * moving to the new front (-EFAULT: off past the end; -ENOMEM: headroom);
 * remove `len` bytes at data + off (-EFAULT: not all in the packet); set
 * the length, grown bytes zeroed (-EINVAL: shorter than net_off; -ENOMEM:
 * past the buffer). */
int bpfrt_pkt_push(struct bpfrt_run *run, uint32_t off, uint32_t len);
int bpfrt_pkt_pop(struct bpfrt_run *run, uint32_t off, uint32_t len);
int bpfrt_pkt_set_len(struct bpfrt_run *run, uint32_t len);

/* The user-visible __sk_buff at the start of an skb program's context
 * (where the program reads len, pkt_type, hash, protocol...), or NULL when
 * the run has none. */
struct __sk_buff *bpfrt_skb_view(struct bpfrt_run *run);

/* After an skb helper resized the packet: __sk_buff.len (the program reads
 * it from the context) and the pointer shadows/regions follow. */
void bpfrt_skb_publish(struct bpfrt_run *run, const struct bpfrt_pkt_snap *old);

/* The whole kernel-side skb context (checksum and hash state beyond
 * __sk_buff), or NULL when the run has none. */
struct bpfrt_skb_ctx *bpfrt_skb_state(struct bpfrt_run *run);

/* Linux's sk_buff ip_summed values and __skb_reset_checksum_unnecessary
 * (what bpf_skb_adjust_room does unless BPF_F_ADJ_ROOM_NO_CSUM_RESET). */
#define BPFRT_CHECKSUM_NONE 0
#define BPFRT_CHECKSUM_UNNECESSARY 1
#define BPFRT_CHECKSUM_COMPLETE 2
void bpfrt_skb_reset_csum_unnecessary(struct bpfrt_run *run);

/* skb->protocol as __sk_buff shows it (__be16 in the low bits), and its
 * update when a helper changes the outer L3 protocol. */
uint16_t bpfrt_skb_protocol(struct bpfrt_run *run);
void bpfrt_skb_set_protocol(struct bpfrt_run *run, uint16_t proto);

#endif
