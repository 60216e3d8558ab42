/* Kernel-side context structs for the program types bpfrt describes, the
 * access check built on the context descriptions (prog_types.c), and the
 * one row per program type that holds every per-type fact
 * (prog_type_rows.c).
 *
 * A hook (test-run, pcap, an embedding kernel) allocates the kernel-side
 * struct (desc->kern_size bytes), fills the user-visible part (its first
 * desc->ctx_size bytes, e.g. struct xdp_md) and the 64-bit pointer shadows,
 * and passes its address as r1. A load of a pointer field (xdp_md.data)
 * reads the u64 at the field's kern_off instead of the u32 in the user view;
 * helpers find the shadows generically through the desc (kern_off), so they
 * need not know these structs. */
#ifndef BPFRT_CORE_BPF_PROG_TYPES_H
#define BPFRT_CORE_BPF_PROG_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/prog.h"
#include "bpfrt/prog_type.h"
#include "bpfrt/uapi.h"

/* Extra bit in bpfrt_ctx_field.access: writes narrower than the field are
 * allowed too (Linux allows them only for plain storage such as cb[]). */
#define BPFRT_CTX_NARROW_WRITE 4u

/* XDP: struct xdp_md, then the real pointers. */
struct bpfrt_xdp_ctx {
    struct xdp_md md;
    uint32_t pad;
    uint64_t data, data_end, data_meta;
};

/* Socket filter, tc, cgroup_skb: struct __sk_buff, then the real pointers.
 * __sk_buff.sk and .flow_keys are 64-bit already and hold their value in
 * place (0: NULL). */
struct bpfrt_skb_ctx {
    struct __sk_buff skb;
    uint64_t data, data_end, data_meta;
    /* sk_buff state __sk_buff does not show, read by skb helpers:
     * ip_summed (Linux's CHECKSUM_NONE 0, _UNNECESSARY 1, _COMPLETE 2,
     * _PARTIAL 3; zero-filled contexts start with NONE, as a test run),
     * csum_level (0..3, for CHECKSUM_UNNECESSARY), csum (for _COMPLETE) and
     * hash_valid (Linux's l4_hash/sw_hash: skb->hash need not be computed) */
    uint8_t ip_summed, csum_level, hash_valid;
    uint32_t csum;
};

/* x86-64 struct pt_regs (the kprobe context), Linux's field order. */
struct bpfrt_pt_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi,
        orig_rax, rip, cs, eflags, rsp, ss;
};

/* PERF_EVENT: struct bpf_perf_event_data (Linux's layout). */
struct bpfrt_perf_event_data {
    struct bpfrt_pt_regs regs;
    uint64_t sample_period;
    uint64_t addr;
};

/* NETFILTER: struct bpf_nf_ctx (Linux's layout: two kernel pointers). */
struct bpfrt_nf_ctx {
    uint64_t state; /* struct nf_hook_state * */
    uint64_t skb;   /* struct sk_buff * */
};

#define BPFRT_MAX_BPF_FUNC_ARGS 12     /* raw tracepoint args[] (Linux's MAX_BPF_FUNC_ARGS) */
#define BPFRT_PERF_MAX_TRACE_SIZE 8192 /* tracepoint record bytes a program may read */
#define BPFRT_SYSCALL_CTX_MAX 65535    /* BPF_PROG_TYPE_SYSCALL ctx (U16_MAX) */

/* The one context-access rule (Linux 6.18's is_valid_access per type):
 * may a program whose context `desc` describes access [off, off+size) for
 * a read or a write? Yes when it lies inside one field, off is aligned to
 * size (1, 2, 4 or 8), the field allows the direction, and size is the
 * field's or a narrow access the field permits (reads: narrow_ok, writes:
 * BPFRT_CTX_NARROW_WRITE); pointer fields only as a whole read. Returns the
 * field - what the access touches: its kind, and for pointers the kern_off
 * of the real value - or NULL. Checked runs, the verifier and the tests
 * (swept against the kernel in test_bpf_ctx) all ask this function. A
 * caller with a signed offset passes it as is: negative ones wrap past
 * ctx_size and are refused. */
const struct bpfrt_ctx_field *bpfrt_ctx_access_ok(const struct bpfrt_ctx_desc *desc, uint32_t off,
                                                  uint32_t size, bool write);

/* The context descriptions (prog_types.c) the program-type rows name. */
extern const struct bpfrt_ctx_desc bpfrt_ctx_btf_args, bpfrt_ctx_lsm_args, bpfrt_ctx_socket_filter, bpfrt_ctx_kprobe, bpfrt_ctx_sched_cls,
    bpfrt_ctx_sched_act, bpfrt_ctx_tracepoint, bpfrt_ctx_xdp, bpfrt_ctx_xdp_devmap, bpfrt_ctx_perf_event,
    bpfrt_ctx_cgroup_skb, bpfrt_ctx_lwt_in, bpfrt_ctx_lwt_out, bpfrt_ctx_lwt_xmit, bpfrt_ctx_raw_tp,
    bpfrt_ctx_syscall, bpfrt_ctx_sock_ops, bpfrt_ctx_sock_create, bpfrt_ctx_sock_post_bind4,
    bpfrt_ctx_sock_post_bind6, bpfrt_ctx_sock_addr_unix, bpfrt_ctx_sock_addr4, bpfrt_ctx_sock_addr4_sendmsg,
    bpfrt_ctx_sock_addr6, bpfrt_ctx_sock_addr6_sendmsg, bpfrt_ctx_sk_msg, bpfrt_ctx_sk_skb,
    bpfrt_ctx_flow_dissector, bpfrt_ctx_sk_lookup, bpfrt_ctx_sk_reuseport, bpfrt_ctx_netfilter;

/* ---- BTF-typed contexts (prog_btf_ctx.c) ---- */

struct bpfrt_btf;
/* The context of a BTF-typed tracing or LSM program attached to btf_id of
 * btf: the target's arguments as u64 slots (fexit, fmod_ret, LSM: then the
 * return value). Allocated; *out freed by bpfrt_ctx_desc_btf_free. Errors
 * (-EINVAL, -E2BIG) say why in msg. */
int bpfrt_ctx_desc_btf(struct bpfrt_runtime *rt, const struct bpfrt_btf *btf, uint32_t prog_type,
                       uint32_t attach_type, uint32_t btf_id, char *msg, size_t msg_size,
                       struct bpfrt_ctx_desc **out);
void bpfrt_ctx_desc_btf_free(struct bpfrt_runtime *rt, const struct bpfrt_ctx_desc *desc);

/* The context a program sees: its own (BTF-typed) or its type's. */
const struct bpfrt_ctx_desc *bpfrt_prog_ctx_desc(const struct bpfrt_prog *prog);

/* ---- one row per program type (prog_type_rows.c) ---- */

/* How PROG_TEST_RUN runs a type (src/core/bpf/test_run.c has one handler
 * per kind). */
enum bpfrt_test_run_kind {
    BPFRT_TEST_RUN_NONE = 0,     /* -ENOTSUPP */
    BPFRT_TEST_RUN_XDP,          /* the frame in an XDP buffer, xdp_md in ctx_in */
    BPFRT_TEST_RUN_SKB_L2,       /* an __sk_buff seeing the frame from the MAC header (tc) */
    BPFRT_TEST_RUN_SKB_L3,       /* an __sk_buff seeing it from the network header */
    BPFRT_TEST_RUN_RAW_TP,       /* ctx_in is args[] */
    BPFRT_TEST_RUN_CTX,          /* ctx_in is the raw context (bpfrt's own: Linux has none) */
    BPFRT_TEST_RUN_SYSCALL,      /* ctx_in is plain memory, copied back */
    BPFRT_TEST_RUN_CTX_PKT,      /* ctx_in the raw context, data_in its packet (bpfrt's own) */
    BPFRT_TEST_RUN_FLOW_DISSECTOR, /* the frame in data_in, flow keys out (Linux's) */
    BPFRT_TEST_RUN_SK_LOOKUP,    /* struct bpf_sk_lookup in ctx_in (Linux's) */
    BPFRT_TEST_RUN_NETFILTER,    /* the packet in data_in, nf_hook_state in ctx_in (Linux's) */
};

/* Direct packet access through the context's data pointers (Linux's
 * may_access_direct_pkt_data). */
enum bpfrt_pkt_access {
    BPFRT_PKT_NONE = 0,
    BPFRT_PKT_READ,
    BPFRT_PKT_READ_WRITE,
};

/* BPF_F_SLEEPABLE at load (Linux's can_be_sleepable; syscall programs
 * must be). */
enum bpfrt_sleepable {
    BPFRT_SLEEPABLE_NO = 0,
    BPFRT_SLEEPABLE_MAY,
    BPFRT_SLEEPABLE_MUST,
};

/* What r0 may hold when the program exits (Linux's check_return_code). */
enum bpfrt_retval_kind {
    BPFRT_RETVAL_ANY = 0,        /* not checked */
    BPFRT_RETVAL_RANGE,          /* [min, max] */
    BPFRT_RETVAL_BTF,            /* set by the attach target's BTF (LSM hook, struct_ops member) */
};
struct bpfrt_retval {
    uint8_t kind;                /* enum bpfrt_retval_kind */
    int32_t min, max;
};
/* An expected_attach_type whose exit range differs from its type's. */
struct bpfrt_retval_attach {
    uint32_t attach_type;
    struct bpfrt_retval ret;
};

/* The context an expected_attach_type sees when it differs from its type's. */
struct bpfrt_ctx_attach {
    uint32_t attach_type;
    const struct bpfrt_ctx_desc *desc;
};

/* Ends the attach-type lists of a row (0 is an attach type). */
#define BPFRT_ATTACH_END UINT32_MAX

struct bpfrt_prog_type_row {
    const char *name;                      /* bpftool's spelling: "sched_cls" */
    const char *aliases[3];                /* other --type names ("tc", "classifier") */
    /* The context; NULL: bpfrt does not load the type. ctx_attach
     * replaces it for the expected_attach_types it names (XDP on a DEVMAP
     * sees egress_ifindex, cgroup_sock_addr hooks see their family's
     * address). */
    const struct bpfrt_ctx_desc *ctx;
    const struct bpfrt_ctx_attach *ctx_attach; /* ended by BPFRT_ATTACH_END, or NULL */
    uint8_t test_run;                      /* enum bpfrt_test_run_kind */
    uint8_t pkt;                           /* enum bpfrt_pkt_access */
    uint8_t sleepable;                     /* enum bpfrt_sleepable */
    struct bpfrt_retval ret;               /* r0 at exit, unless ret_attach names the attach type */
    const struct bpfrt_retval_attach *ret_attach; /* ended by BPFRT_ATTACH_END, or NULL */
    /* expected_attach_type values PROG_LOAD accepts (Linux's
     * bpf_prog_load_check_attach), ended by BPFRT_ATTACH_END; NULL: any.
     * attach_default, when not 0, is what an expected_attach_type of 0
     * means (bpf_prog_load_fixup_attach_type: older loaders passed none). */
    const uint32_t *load_attach;
    uint32_t attach_default;
    const struct bpfrt_prog_sec *secs;     /* libbpf's section prefixes, ended by a NULL prefix */
    /* The context is typed by the attach target's BTF (attach_btf_id):
     * ctx is only the widest shape, each program gets its own. */
    bool btf_ctx;
};

/* The row of a program type, or NULL past the last Linux type. */
const struct bpfrt_prog_type_row *bpfrt_prog_type_row(uint32_t prog_type);

/* True when PROG_LOAD accepts this program type (its row has a context). */
bool bpfrt_prog_type_known(uint32_t prog_type);

/* True when PROG_LOAD accepts expected_attach_type for the type (after
 * attach_default stood in for 0). */
bool bpfrt_prog_type_attach_ok(uint32_t prog_type, uint32_t expected_attach_type);

/* What r0 may hold at exit for the type and expected attach type. */
struct bpfrt_retval bpfrt_prog_type_retval(uint32_t prog_type, uint32_t expected_attach_type);

#endif
