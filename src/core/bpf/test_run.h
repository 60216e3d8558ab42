/* Shared pieces of PROG_TEST_RUN (Linux's net/bpf/test_run.c helpers):
 * test_run.c holds the generic machinery and the packet/tracing handlers,
 * test_run_sock.c the socket program types. */
#ifndef BPFRT_CORE_BPF_TEST_RUN_H
#define BPFRT_CORE_BPF_TEST_RUN_H

#include "bpfrt/hooks.h"
#include "bpfrt/prog.h"
#include "core/bpf/cmd.h"
#include "core/core.h"
#include "core/prog/prog_types.h"

/* Linux's constants the handlers share (x86-64). */
#define PAGE 4096u
#define SKB_SHINFO_SIZE 320u   /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 */
#define XDP_PACKET_HEADROOM 256u
#define NET_SKB_PAD 64u
#define ETH_HLEN 14u
#define XDP_META_MAX 32u
#define MAX_SKB_FRAGS 17u
#define LOOPBACK_IFINDEX 1u
#define GSO_MAX_SEGS 65535u
#define GSO_LEGACY_MAX_SIZE 65536u
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_802_3_MIN 0x0600
#define ETH_P_802_3 0x0001
#define ETH_P_802_2 0x0004
#define AF_INET 2
#define AF_INET6 10
#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3

struct tr {
    struct bpfrt_runtime *rt;
    struct bpfrt_prog *prog;
    const struct bpfrt_test_run_opts *o;
    struct bpfrt_test_run_result *res;
    enum bpfrt_test_run_kind kind;   /* from the program type's row */
};

/* What one execution needs besides the program. */
struct run_setup {
    void *ctx;
    const struct bpfrt_ctx_desc *desc;
    uint32_t ctx_size;          /* plain-memory ctx (desc == NULL) */
    struct bpfrt_pkt *pkt;      /* NULL for non-packet types */
    /* Called before each repetition, after the run is set up: resets what
     * the hook resets per run and lends extra memory (flow keys). */
    void (*prepare)(struct bpfrt_run *run, void *arg);
    void *arg;
};

/* Runs the program `repeat` times on the same context (bpf_test_run);
 * sets retval (and duration when timed). */
int bpfrt_tr_run(struct tr *t, const struct run_setup *s, uint32_t repeat, bool timed);

/* bpf_test_finish: data_out from two pieces; -ENOSPC when cut. */
int bpfrt_tr_finish_data(struct tr *t, const void *a, uint32_t alen, const void *b, uint32_t blen);

/* After a run on a packet: it must still lie in its buffer (-EFAULT). */
int bpfrt_tr_packet_intact(struct tr *t, const struct bpfrt_pkt *pkt);

/* bpf_ctx_init: buf zeroed to max_size with ctx_in copied in (-E2BIG for
 * non-zero bytes past max_size); *present: ctx_in or ctx_out was given. */
int bpfrt_tr_ctx_init(struct tr *t, void *buf, uint32_t max_size, bool *present);

/* bpf_ctx_finish: ctx_out from ctx; -ENOSPC when cut. */
int bpfrt_tr_ctx_finish(struct tr *t, const void *ctx, uint32_t size);

/* True when bytes [from, to) of p are all zero. */
bool bpfrt_tr_range_zero(const void *p, size_t from, size_t to);

/* eth_type_trans on loopback: __sk_buff.protocol's value, *pkt_type. */
uint32_t bpfrt_tr_eth_type_trans(const uint8_t *frame, uint32_t len, uint32_t *pkt_type);

/* NULLs every pointer a context's fields name: pointers are the hook's,
 * never the caller's bytes. */
void bpfrt_tr_clear_ptrs(const struct bpfrt_ctx_desc *desc, void *kern_ctx);

/* Handlers of test_run_sock.c. */
int bpfrt_tr_ctx_pkt(struct tr *t);
int bpfrt_tr_flow_dissector(struct tr *t);
int bpfrt_tr_sk_lookup(struct tr *t);
int bpfrt_tr_netfilter(struct tr *t);

#endif
