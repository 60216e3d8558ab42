/* Programs, helpers and engines: the contract between the command layer
 * (PROG_LOAD, TEST_RUN), the engines (interpreter, later the x86-64 JIT), the
 * helpers and, later, the verifier.
 *
 *  - struct bpfrt_prog        a loaded program (instructions after map fds are
 *                             resolved, its type, the maps it holds)
 *  - struct bpfrt_helper_proto one row of the helper table: Linux id, name,
 *                             function and prototype in the kernel's terms;
 *                             the verifier consumes exactly this
 *  - struct bpfrt_run         one execution: CPU slot, context, memory regions a
 *                             checked run may touch, tail-call count, error
 *  - struct bpfrt_engine_ops  prepare / run / release for one engine
 */
#ifndef BPFRT_PROG_H
#define BPFRT_PROG_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/insn.h"
#include "bpfrt/uapi.h"

struct bpfrt_runtime;
struct bpfrt_map;
struct bpfrt_run;
struct bpfrt_prog;
struct bpfrt_diag;

/* ---- helper prototypes (kernel's names for argument/return kinds) ---- */

enum bpfrt_arg_type {
    ARG_DONTCARE = 0,           /* unused argument */
    ARG_ANYTHING,               /* any scalar or pointer, not checked */
    ARG_CONST_MAP_PTR,          /* a map (ld_imm64 map fd) */
    ARG_PTR_TO_MAP_KEY,         /* readable map->key_size bytes (map: the preceding arg) */
    ARG_PTR_TO_MAP_VALUE,       /* readable map->value_size bytes */
    ARG_PTR_TO_UNINIT_MAP_VALUE,/* writable map->value_size bytes (pop/peek) */
    ARG_PTR_TO_MEM,             /* size in the next ARG_CONST_SIZE* arg; the helper may write
                                   it unless its arg_rdonly bit says it only reads */
    ARG_PTR_TO_MEM_OR_NULL,     /* as ARG_PTR_TO_MEM, or NULL (size must then be 0) */
    ARG_PTR_TO_UNINIT_MEM,      /* writable, size in the next ARG_CONST_SIZE* arg */
    ARG_CONST_SIZE,             /* size > 0 of the preceding memory argument */
    ARG_CONST_SIZE_OR_ZERO,     /* size >= 0 of the preceding memory argument */
    ARG_PTR_TO_CTX,             /* the program's context */
    ARG_PTR_TO_CONST_STR,       /* NUL-terminated string in a frozen read-only map value */
    ARG_PTR_TO_SPIN_LOCK,       /* struct bpf_spin_lock inside a map value */
    ARG_PTR_TO_RINGBUF_MEM,     /* memory from bpf_ringbuf_reserve (released by the call) */
    ARG_CONST_ALLOC_SIZE_OR_ZERO, /* size of memory the helper returns */
    ARG_PTR_TO_FUNC,            /* a subprogram (ld_imm64 BPF_PSEUDO_FUNC) */
    ARG_PTR_TO_STACK_OR_NULL,   /* callback context: stack pointer or NULL */
    ARG_PTR_TO_LONG,            /* writable 8 bytes */
    ARG_PTR_TO_INT,             /* writable 4 bytes */
    ARG_CONST_STR_SIZE_UNUSED,
    ARG_PTR_TO_MAP_VALUE_OR_NULL,/* as ARG_PTR_TO_MAP_VALUE, or NULL (local storage's initial value) */
    ARG_PTR_TO_BTF_ID,          /* a kernel object of a BTF type (task_struct, cgroup, inode) */
    ARG_PTR_TO_BTF_ID_OR_NULL,
    ARG_PTR_TO_BTF_ID_SOCK_COMMON, /* any socket pointer (struct sock_common and up) */
    ARG_PTR_TO_SOCKET,          /* a full socket (struct bpf_sock from a lookup) */
    ARG_PTR_TO_SOCK_COMMON,     /* a socket that may be a request or time-wait one */
    ARG_PTR_TO_DYNPTR,          /* an initialised struct bpf_dynptr (16 bytes) */
    ARG_PTR_TO_UNINIT_DYNPTR,   /* 16 writable bytes the helper makes a dynptr (MEM_UNINIT) */
    __ARG_TYPE_MAX
};

enum bpfrt_ret_type {
    RET_INTEGER = 0,
    RET_VOID,
    RET_PTR_TO_MAP_VALUE_OR_NULL,  /* value of the map in arg 1 */
    RET_PTR_TO_MEM_OR_NULL,        /* ARG_CONST_ALLOC_SIZE_OR_ZERO bytes (ringbuf reserve) */
    RET_PTR_TO_MAP_VALUE,          /* never NULL */
    RET_PTR_TO_SOCKET_OR_NULL,     /* a socket reference (struct bpf_sock) */
    RET_PTR_TO_SOCK_COMMON_OR_NULL,
    RET_PTR_TO_TCP_SOCK_OR_NULL,
    RET_PTR_TO_BTF_ID,             /* a kernel object of a BTF type, never NULL (trusted) */
    RET_PTR_TO_BTF_ID_OR_NULL,
    RET_PTR_TO_DYNPTR_MEM_OR_NULL, /* memory inside a dynptr */
    __RET_TYPE_MAX
};

/* Helper function: five u64 arguments as Linux passes them, plus the run so
 * built-in helpers reach the runtime, CPU and context. Application helpers
 * may ignore `run`. (A JIT passes `run` as the sixth native argument.) */
typedef uint64_t (*bpfrt_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                                    uint64_t r5, struct bpfrt_run *run);

/* Bit for prog_types: 1ull << BPF_PROG_TYPE_*. */
#define BPFRT_PROG_TYPE_BIT(t) (1ull << (t))
#define BPFRT_ALL_PROG_TYPES   (~0ull)

/* Helper traits (bpfrt_helper_proto.flags): what a verifier must know about
 * a call beyond its argument kinds. Linux keeps some as bpf_func_proto
 * fields and states the rest as func_id tests spread over verifier.c. */
#define BPFRT_HELPER_PKT_ACCESS  (1u << 0) /* memory arguments may point into the packet
                                              (bpf_func_proto.pkt_access) */
#define BPFRT_HELPER_CHANGES_PKT (1u << 1) /* may move or resize the packet: every packet
                                              pointer is invalid after the call
                                              (bpf_helper_changes_pkt_data) */
#define BPFRT_HELPER_ACQUIRE     (1u << 2) /* returns a reference the program must release
                                              before it exits (is_acquire_function) */
#define BPFRT_HELPER_SLEEPABLE   (1u << 3) /* may sleep: sleepable programs only
                                              (bpf_func_proto.might_sleep) */
#define BPFRT_HELPER_NORETURN    (1u << 4) /* does not return when it succeeds (bpf_tail_call) */
#define BPFRT_HELPER_FLAGS_ALL   0x1fu

/* Per-argument traits (bpfrt_helper_proto.arg_flags[i]), Linux's arg type flags. */
#define BPFRT_ARG_RELEASE 1u  /* the call releases the reference this argument holds (OBJ_RELEASE) */
#define BPFRT_ARG_ALIGNED 2u  /* must be aligned to arg_size[i] (MEM_ALIGNED) */
#define BPFRT_ARG_FLAGS_ALL 3u

/* What a callback finds in r1..r5 (Linux's set_*_callback_state). */
enum bpfrt_cb_arg {
    BPFRT_CB_NOT_INIT = 0,       /* nothing: the callback must not read it */
    BPFRT_CB_SCALAR,             /* an integer (bpf_loop's index) */
    BPFRT_CB_MAP,                /* the helper's map (CONST_PTR_TO_MAP) */
    BPFRT_CB_MAP_KEY,            /* a key of that map (PTR_TO_MAP_KEY) */
    BPFRT_CB_MAP_VALUE,          /* the key's value (PTR_TO_MAP_VALUE) */
    BPFRT_CB_CTX,                /* the helper's ARG_PTR_TO_STACK_OR_NULL argument, as passed */
    BPFRT_CB_TASK,               /* the helper's task argument (PTR_TO_BTF_ID task_struct) */
    BPFRT_CB_VMA,                /* a struct vm_area_struct (PTR_TO_BTF_ID) */
    BPFRT_CB_DYNPTR,             /* a local dynptr over one record */
    __BPFRT_CB_ARG_MAX
};

/* The callback an ARG_PTR_TO_FUNC argument names: its arguments, the range
 * its r0 must lie in (callback_ret_range) and whether it runs after the
 * helper returned (timers) instead of during the call. */
struct bpfrt_helper_cb {
    uint8_t args[5];                 /* enum bpfrt_cb_arg for r1..r5; NOT_INIT from nargs on */
    int32_t ret_min, ret_max;
    bool async;
};

struct bpfrt_helper_proto {
    uint32_t id;                     /* Linux helper id (enum bpf_func_id) */
    const char *name;                /* "bpf_map_lookup_elem" */
    bpfrt_helper_fn fn;
    uint8_t ret_type;                /* enum bpfrt_ret_type */
    uint8_t arg_type[5];             /* enum bpfrt_arg_type */
    uint16_t arg_rdonly;             /* bit i: the helper only reads arg i's memory (MEM_RDONLY);
                                        without it ARG_PTR_TO_MEM* memory must be writable */
    bool gpl_only;
    uint64_t prog_types;             /* BPFRT_PROG_TYPE_BIT mask of types allowed to call it */
    uint32_t flags;                  /* BPFRT_HELPER_* traits */
    uint8_t arg_flags[5];            /* BPFRT_ARG_* traits of arg i */
    uint8_t arg_size[5];             /* arg i points to exactly this many bytes (MEM_FIXED_SIZE;
                                        ARG_PTR_TO_LONG/INT: 8/4), 0: sized otherwise */
    const struct bpfrt_helper_cb *cb;/* the callback of the ARG_PTR_TO_FUNC argument, or NULL */
    const char *arg_btf_struct;      /* the kernel struct an ARG_PTR_TO_BTF_ID(_OR_NULL) argument
                                        points to ("task_struct"; Linux's arg_btf_id), or NULL */
};

/* Registers an application helper (or replaces one with the same id). The
 * proto is copied; name and cb must stay valid. Returns 0 or -EINVAL/-ENOMEM. */
int bpfrt_helper_register(struct bpfrt_runtime *rt, const struct bpfrt_helper_proto *proto);

/* Finds the helper with `id`, or NULL. */
const struct bpfrt_helper_proto *bpfrt_helper_find(const struct bpfrt_runtime *rt, uint32_t id);

/* The helper policy, one function for load time and run time: may a
 * program of prog_type (gpl: its licence is GPL-compatible) call helper
 * `id`? 0 with the helper in *out; or -EINVAL with *out NULL and Linux's
 * verifier message in why (unknown helper, not for this program type,
 * GPL-only). PROG_LOAD checks every call with it, the engines every helper
 * they resolve at run time (callx). */
int bpfrt_helper_allowed(const struct bpfrt_runtime *rt, uint32_t id, uint32_t prog_type, bool gpl,
                         const struct bpfrt_helper_proto **out, char *why, size_t why_size);

/* ---- the loaded program ---- */

/* Which engine runs a program. DEFAULT (0, what zeroed options hold) means
 * the runtime's default, itself the interpreter unless the embedder set one
 * (bpfrt_runtime_set_default_engine). */
enum bpfrt_engine_kind {
    BPFRT_ENGINE_DEFAULT = 0,
    BPFRT_ENGINE_INTERP = 1,
    BPFRT_ENGINE_JIT = 2,         /* x86-64 JIT: verified mode, else checked (bpfrt/jit.h) */
    BPFRT_ENGINE_JIT_TRUSTED = 3, /* x86-64 JIT without run-time checks: per load only, never a default */
    BPFRT_ENGINE_COUNT
};

/* bpfrt's own bits of PROG_LOAD's prog_flags (Linux uses the low bits): the
 * engine for this load, e.g. prog_flags |= BPFRT_PROG_F_ENGINE(BPFRT_ENGINE_JIT).
 * 0 takes the runtime's default; an unknown kind is -EINVAL. An engine this
 * build lacks falls back to the interpreter with a note in the load log. */
#define BPFRT_PROG_F_ENGINE_SHIFT 28
#define BPFRT_PROG_F_ENGINE_MASK  (0xfU << BPFRT_PROG_F_ENGINE_SHIFT)
#define BPFRT_PROG_F_ENGINE(kind) ((uint32_t)(kind) << BPFRT_PROG_F_ENGINE_SHIFT)

struct bpfrt_prog {
    struct bpfrt_runtime *rt;
    uint32_t id;                 /* runtime-wide id (PROG_GET_NEXT_ID) */
    uint32_t refcnt;             /* atomic */
    uint32_t type;               /* enum bpf_prog_type */
    uint32_t expected_attach_type;
    uint32_t attach_btf_id;      /* BTF-typed tracing / LSM: the target in the kernel BTF */
    /* The program's own context description (BTF-typed tracing: built from
     * the target's arguments, freed with the program), or NULL: its type's. */
    const struct bpfrt_ctx_desc *ctx_desc;
    uint32_t prog_flags;
    char name[BPF_OBJ_NAME_LEN];
    uint8_t tag[BPF_TAG_SIZE];
    bool gpl_compatible;
    bool verified;               /* true: the verifier accepted it; engines may skip run-time checks */
    bool probe_mem;              /* it loads through BTF-typed kernel pointers: those loads are
                                    probes (Linux's BPF_PROBE_MEM), 0 where the run may not read */

    /* Instructions as the engines see them: ld_imm64 map references are
     * rewritten to hold the map pointer (BPF_PSEUDO_MAP_FD/IDX: imm/next imm =
     * low/high 32 bits of the struct bpfrt_map *) or the value address
     * (BPF_PSEUDO_MAP_VALUE/IDX_VALUE), src_reg kept so the disassembler and
     * the checked interpreter still know what they are. */
    struct bpf_insn *insns;
    uint32_t len;                /* instruction count */
    struct bpf_insn *orig_insns; /* as loaded (xlated dump shows the rewritten ones) */

    struct bpfrt_map **maps;     /* maps the program references (one reference each) */
    uint32_t nr_maps;

    uint32_t stack_depth;        /* from the verifier, 0 if unknown */
    uint32_t verified_insns;     /* instructions the verifier processed (bpf_prog_info) */
    uint32_t max_ctx_offset;     /* verified: end of the furthest context byte accessed */
    struct bpfrt_prog_facts *facts; /* verified: what the verifier proved, for engines (core/prog/facts.h), or NULL */

    /* Engine (never BPFRT_ENGINE_DEFAULT: the one that prepared it). */
    enum bpfrt_engine_kind engine;
    const struct bpfrt_engine_ops *engine_ops;
    void *engine_state;          /* pre-decoded program or JIT image */

    /* Debug info from PROG_LOAD (copies), for the log and disassembler. */
    struct bpf_func_info *func_info;
    uint32_t nr_func_info;
    struct bpf_line_info *line_info;
    uint32_t nr_line_info;
    struct bpfrt_btf *btf;       /* prog_btf_fd's BTF (a reference), or NULL */

    /* Statistics. run_cnt and run_time_ns (ns, the platform's ktime_ns)
     * count only runs made while statistics are enabled (a BPF_ENABLE_STATS
     * handle open), as Linux's; updated atomically. */
    uint64_t load_time_ns;
    uint64_t run_cnt, run_time_ns;
};

/* ---- per-program-type context descriptions ----
 * What a program of a given type may do with its context (r1). The context a
 * hook passes is a "kernel-side" struct whose first ctx_size bytes are the
 * user-visible layout (struct xdp_md, struct __sk_buff, pt_regs, ...); fields
 * that are pointers in disguise (xdp_md.data is a u32 the program uses as a
 * pointer) read the 64-bit value stored at kern_off in the same struct. The
 * checked interpreter applies this at run time; the verifier will rewrite the
 * loads (Linux's convert_ctx_access) and consume the same table; one
 * function, bpfrt_ctx_access_ok (src/core/prog/prog_types.h), states the
 * rule for both. */
enum bpfrt_ctx_field_kind {
    BPFRT_CTX_SCALAR = 0,
    BPFRT_CTX_PTR_TO_PACKET,       /* data */
    BPFRT_CTX_PTR_TO_PACKET_END,   /* data_end */
    BPFRT_CTX_PTR_TO_PACKET_META,  /* data_meta */
    BPFRT_CTX_PTR_OTHER,           /* a pointer the program may only test for NULL (netfilter's) */
    BPFRT_CTX_PTR_SOCKET,          /* a socket or NULL: struct bpf_sock, read-only (sock_or_null) */
    BPFRT_CTX_PTR_SOCK_COMMON,     /* a socket of any state or NULL (sock_common_or_null) */
    BPFRT_CTX_PTR_FLOW_KEYS,       /* struct bpf_flow_keys the program fills (never NULL) */
};
#define BPFRT_CTX_READ  1u
#define BPFRT_CTX_WRITE 2u

struct bpfrt_ctx_field {
    uint16_t off, size;            /* in the user-visible struct */
    uint8_t kind;                  /* enum bpfrt_ctx_field_kind */
    uint8_t access;                /* BPFRT_CTX_READ | BPFRT_CTX_WRITE */
    bool narrow_ok;                /* loads narrower than size allowed (e.g. 1/2 byte reads of len) */
    uint16_t kern_off;             /* pointer kinds: offset of the u64 in the kernel-side struct */
};

struct bpfrt_ctx_desc {
    uint32_t prog_type;            /* enum bpf_prog_type */
    const char *ctx_name;          /* "struct xdp_md" */
    uint32_t ctx_size;             /* user-visible size; accesses beyond are invalid */
    uint32_t kern_size;            /* size of the kernel-side struct hooks allocate */
    const struct bpfrt_ctx_field *fields;  /* sorted by off; bytes not covered are not accessible */
    uint32_t nr_fields;
    bool whole_ctx_readable;       /* tracing types: one field covers what is readable (not
                                    * consulted: the fields are the rule, bpfrt_ctx_access_ok) */
};

/* Context description for a program type (and expected attach type), or
 * NULL when the type has none known to bpfrt. */
const struct bpfrt_ctx_desc *bpfrt_ctx_desc_for(uint32_t prog_type, uint32_t expected_attach_type);

/* Finds the field covering [off, off+size) of the user-visible context, or NULL. */
const struct bpfrt_ctx_field *bpfrt_ctx_field_find(const struct bpfrt_ctx_desc *desc,
                                                   uint32_t off, uint32_t size);

/* ---- one execution ---- */

/* A memory range a checked run may access. */
struct bpfrt_region {
    uintptr_t start, end;        /* [start, end) */
    bool writable;
};

#define BPFRT_RUN_MAX_REGIONS 64 /* fixed and run-lifetime regions */
#define BPFRT_RUN_MAX_SCOPED 16  /* regions of helper calls in progress */
#define BPFRT_RUN_MAX_REFS 16    /* references a checked run may hold at once */

/* The bookkeeping of a run's regions (src/core/prog/regions.c). Three
 * lifetimes:
 *  - fixed, regions[0, nr_fixed): what the hook and the engine give the
 *    program (context, packet, stack, global data); never recycled;
 *  - run lifetime, regions[nr_fixed, nr): memory helpers returned (map
 *    values, ring buffer records); when the table is full the oldest is
 *    recycled (the memory stays valid for the run, so forgetting it only
 *    refuses a later access);
 *  - scoped, scoped[0, nr_scoped): memory a helper lends for the duration of
 *    one call (for_each_map_elem's key on its native stack); a stack that
 *    the helper pops on return, never recycled, and overflowing it fails the
 *    run - so a removal can never be lost.
 * Engines may test an access inline against the cached ranges (rd/wr: the
 * last region a load/store hit, at least 8 bytes) before calling
 * bpfrt_run_region_lookup; every change that removes or shrinks memory resets
 * them to `home`, a range the engine guarantees for the whole engine run. */
struct bpfrt_run_regions {
    uint32_t nr, nr_fixed;
    uint32_t recycle;            /* next run-lifetime slot reused when full */
    uint32_t hint;               /* last match: a regions[] index, or MAX_REGIONS + scoped index */
    uint32_t nr_scoped;
    uint32_t packet;             /* regions[] index of the packet, or UINT32_MAX */
    uint32_t nocache;            /* a region an engine moves (its stack): never cached */
    uintptr_t home_lo, rd_lo, wr_lo;
    uint64_t home_span, rd_span, wr_span;
};

/* A reference a checked run holds (Linux's acquired references: a ring
 * buffer record between reserve and submit/discard). */
struct bpfrt_run_ref {
    const void *ptr;
    void (*release)(void *ptr);  /* what the run does if the program does not */
    const char *what;            /* "ring buffer record" */
};

/* Why a run stopped early. */
enum bpfrt_run_error {
    BPFRT_RUN_OK = 0,
    BPFRT_RUN_BAD_ACCESS,        /* load/store outside every region */
    BPFRT_RUN_BAD_HELPER_ARG,    /* a helper argument failed its prototype check */
    BPFRT_RUN_UNKNOWN_HELPER,
    BPFRT_RUN_BUDGET,            /* instruction budget exhausted */
    BPFRT_RUN_CALL_DEPTH,        /* more than BPFRT_MAX_CALL_FRAMES frames */
    BPFRT_RUN_BAD_INSN,          /* e.g. division table corrupted, unknown opcode at run time */
    BPFRT_RUN_ABORTED,           /* a helper asked to stop the program */
    BPFRT_RUN_UNRELEASED_REF,    /* exited holding a reference (a ring buffer record) */
};

/* Tunnel metadata of a packet (Linux's ip_tunnel_info on the skb's
 * metadata dst): what bpf_skb_get_tunnel_key/opt read and
 * bpf_skb_set_tunnel_key/opt write. A hook sets `present` and the fields
 * for a packet that arrived through a collect-metadata tunnel device (RX:
 * src is the outer source, the remote end); after the run it finds what
 * the program set for transmission (mode has BPFRT_TUNNEL_TX; dst is the
 * remote end). */
#define BPFRT_TUNNEL_TX   1u   /* IP_TUNNEL_INFO_TX */
#define BPFRT_TUNNEL_IPV6 2u   /* IP_TUNNEL_INFO_IPV6 */
#define BPFRT_TUNNEL_OPTS_MAX 255
struct bpfrt_tunnel_info {
    bool present;
    bool from_helper;            /* set by bpf_skb_set_tunnel_key in this packet's runs
                                  * (Linux's per-CPU metadata dst): set_tunnel_opt needs it */
    uint8_t mode;                /* BPFRT_TUNNEL_* */
    uint8_t tos, ttl;
    uint8_t opts_len;
    uint64_t tun_id;             /* host byte order */
    uint8_t src[16], dst[16];    /* outer addresses, network byte order; IPv4 in the first 4 */
    uint32_t label;              /* IPv6 flow label, host byte order (20 bits) */
    uint32_t flags;              /* Linux's TUNNEL_* bits: CSUM 0x1, KEY 0x4, SEQ 0x8,
                                  * DONT_FRAGMENT 0x100, NOCACHE 0x2000, option kinds 0x800... */
    uint8_t opts[BPFRT_TUNNEL_OPTS_MAX];
};

/* Packet under test for skb/xdp helpers, set by the hook that runs the
 * program (test-run, pcap). Its invariants, which every helper that moves
 * data or headroom keeps (and refuses a request that would break):
 *     buf <= data_meta <= data <= data_end <= buf + buf_size
 *     net_off <= data_end - data
 * (data_meta NULL: no metadata). A hook still checks them (bpfrt_pkt_valid)
 * before it copies the packet out, and writes nothing outside [buf, buf +
 * buf_size) itself: headers it adds (test-run's MAC header in front of a
 * network-layer packet) go out separately. */
struct bpfrt_pkt {
    uint8_t *buf;                /* whole buffer including headroom */
    uint32_t buf_size;
    uint8_t *data, *data_end, *data_meta;
    uint32_t net_off;            /* network header offset from data (skb: 14, sockets see data from it) */
    uint32_t redirect_ifindex;   /* bpf_redirect target, reported by test-run */
    uint64_t redirect_flags;
    struct bpfrt_map *redirect_map; /* bpf_redirect_map target map, or NULL */
    uint32_t redirect_key;
    const void *redirect_sk;     /* bpf_sk/msg_redirect_map/hash: the socket (struct bpf_sock *) */
    const void *assigned_sk;     /* bpf_sk_assign: the socket the packet is steered to */
    void *skb_ctx;               /* the __sk_buff / xdp_md the program sees, to resync data pointers */
    /* bpf_clone_redirect sends a copy of the packet: the hook sees each
     * one here (NULL: clones are only counted). */
    void (*clone_out)(void *arg, const uint8_t *data, uint32_t len, uint32_t ifindex, uint64_t flags);
    void *clone_arg;
    uint32_t clones;             /* clones sent */
    struct bpfrt_tunnel_info tunnel;
};

/* True when pkt holds the invariants above. */
bool bpfrt_pkt_valid(const struct bpfrt_pkt *pkt);

struct bpfrt_run {
    struct bpfrt_runtime *rt;
    struct bpfrt_prog *prog;     /* current program (changes on tail calls) */
    unsigned cpu;                /* claimed CPU slot */
    void *ctx;                   /* r1 at entry */
    const struct bpfrt_ctx_desc *ctx_desc; /* NULL: ctx is plain memory (conformance model) */
    uint32_t ctx_size;           /* checked runs: bytes of plain-memory ctx accessible */
    struct bpfrt_pkt *pkt;       /* NULL unless a packet hook set one */
    /* The socket the hook runs the program for (sock_ops, sk_skb, sk_msg:
     * one the embedder registered, bpfrt_sock_add), or NULL. */
    const void *sk;

    /* Checked mode (unverified programs): every access must fall in a
     * region (see struct bpfrt_run_regions), and references the program
     * acquires are tracked until it releases them. Use the functions below,
     * not the fields. */
    bool checked;
    struct bpfrt_region regions[BPFRT_RUN_MAX_REGIONS];
    struct bpfrt_region scoped[BPFRT_RUN_MAX_SCOPED];
    struct bpfrt_run_regions rgn;
    uint32_t nr_refs;
    struct bpfrt_run_ref refs[BPFRT_RUN_MAX_REFS];

    /* The call chains bpf_get_stackid / bpf_get_stack report, innermost
     * first, as the hook that runs the program knows them (the probed
     * code's kernel and user stacks). kernel_stack NULL: the platform's
     * stack_trace (the host's own chain); user_stack NULL: there is none. */
    const uint64_t *kernel_stack, *user_stack;
    uint32_t kernel_stack_len, user_stack_len;

    /* The run's one budget, in units of about one instruction's time:
     * instructions (charged at backward jumps, calls, callbacks) and helper
     * work (bpfrt_run_charge) both draw from it. Units left; 0 = unlimited. */
    uint64_t insn_budget;
    /* While an engine runs: its live counter of that same budget (units
     * left, INT64_MAX: unlimited; the engine stops the run below 0), which
     * bpfrt_run_charge draws from; NULL otherwise (bpfrt_run_charge then
     * draws from insn_budget). Set by bpfrt_run_budget_open. */
    int64_t *budget_left;
    uint32_t tail_call_cnt;
    struct bpfrt_prog *tail_call_target; /* set by bpf_tail_call, consumed by the engine */

    /* Error report when the run stops early. */
    enum bpfrt_run_error error;
    uint32_t error_insn;         /* instruction index */
    uint64_t error_addr;         /* faulting address, if any */
    char error_msg[160];

    /* Optional per-instruction trace hook (interpreter only). */
    void (*trace)(void *arg, const struct bpfrt_run *run, uint32_t pc,
                  const uint64_t regs[11], const uint64_t before[11]);
    void *trace_arg;

    /* Engine-private state of the execution in progress (the interpreter's
     * frame stack, for its callback op); NULL outside an engine run. */
    void *engine_priv;
    /* The engine's stack for this run, all frames: the program's own
     * memory, which helpers that read host addresses (%s, probe_read) may
     * read whatever the host-read policy, verified runs included (a
     * checked run also has it as a region). Set by the engine. */
    uintptr_t stack_lo, stack_hi;
    uint32_t exit_insn;          /* where the program exited, if the engine knows (else UINT32_MAX) */
};

/* ---- regions (no-ops when the run is not checked) ---- */

/* Adds run-lifetime memory a helper returns (a map value). An identical
 * region is not added twice (and never upgraded to writable). A full table
 * recycles the oldest run-lifetime region. Returns 0, or -BPFRT_E2BIG when
 * every slot is fixed. */
int bpfrt_run_add_region(struct bpfrt_run *run, const void *start, uint64_t size, bool writable);

/* Adds memory the hook or the engine gives the program for the whole run;
 * never recycled. Returns the region's index, or -BPFRT_ENOENT when nothing
 * was added (unchecked run, size 0), -BPFRT_EINVAL (the range wraps),
 * -BPFRT_E2BIG (every slot is fixed). The run adds its context and packet
 * itself (bpfrt_prog_run): hooks need this only for other memory. */
int bpfrt_run_add_fixed_region(struct bpfrt_run *run, const void *start, uint64_t size, bool writable);

/* Forgets the run-lifetime region starting at `start`, memory the program
 * no longer owns (a submitted ring buffer record). */
void bpfrt_run_remove_region(struct bpfrt_run *run, const void *start);

/* Scoped regions, for memory a helper lends a callback for one call:
 *   uint32_t mark = bpfrt_run_scope_begin(run);
 *   bpfrt_run_scope_add(run, key, key_size, false);  ... call back ...
 *   bpfrt_run_scope_end(run, mark);
 * scope_add returns 0, or -BPFRT_E2BIG after failing the run when
 * BPFRT_RUN_MAX_SCOPED regions are already lent; scope_end removes every
 * region added since `mark`, always. */
uint32_t bpfrt_run_scope_begin(const struct bpfrt_run *run);
int bpfrt_run_scope_add(struct bpfrt_run *run, const void *start, uint64_t size, bool writable);
void bpfrt_run_scope_end(struct bpfrt_run *run, uint32_t mark);

/* The packet region follows run->pkt: [data_meta (or data), data_end). Call
 * after a helper moved the packet's pointers. */
void bpfrt_run_packet_moved(struct bpfrt_run *run);

/* The parts of a map value that are the program's memory: all of it
 * (read-only for a BPF_F_RDONLY_PROG map) except its struct bpf_spin_lock,
 * which only the lock helpers touch (Linux's verifier refuses any access to
 * it; a program that could store to it could forge "held"). Fills out[0..1]
 * and returns how many parts there are. Whoever gives a checked program a
 * map value - the run (global data), the engine (lookups), a helper (a
 * for_each callback's value) - registers exactly these. */
int bpfrt_map_value_regions(const struct bpfrt_map *map, const void *value, struct bpfrt_region out[2]);

/* True when [addr, addr+size) lies inside one region (writable if `write`);
 * always true for an unchecked run and for size 0. */
bool bpfrt_run_check_access(const struct bpfrt_run *run, uint64_t addr, uint64_t size, bool write);

/* Bytes from p to the end of the longest region holding it (0: none);
 * SIZE_MAX when the run is not checked. */
size_t bpfrt_run_region_span(const struct bpfrt_run *run, const void *p);

/* ---- references a checked run tracks ---- */

/* Records that the program now holds `ptr`. At the end of the program every
 * reference still held is released with `release` and the run fails with
 * BPFRT_RUN_UNRELEASED_REF. Returns 0, or -BPFRT_E2BIG when
 * BPFRT_RUN_MAX_REFS are held (the caller then releases ptr itself and
 * fails the acquisition). Unchecked runs track nothing: the verifier proved
 * every reference released. */
int bpfrt_run_ref_acquire(struct bpfrt_run *run, const void *ptr, void (*release)(void *ptr),
                          const char *what);
/* True when the run holds ptr (always true when the run is not checked). */
bool bpfrt_run_ref_held(const struct bpfrt_run *run, const void *ptr);
/* Forgets ptr (the program released it). */
void bpfrt_run_ref_drop(struct bpfrt_run *run, const void *ptr);

/* Records why the run stops and makes the engine stop it. */
void bpfrt_run_fail(struct bpfrt_run *run, enum bpfrt_run_error err, uint64_t addr,
                    const char *fmt, ...);

/* Charges `units` of helper work to the run's budget, the one its
 * instructions draw from (a unit is about one instruction's time: a
 * formatted character, 16 bytes moved, one spin of a lock). Returns true
 * while budget remains (or the run has none: verified programs); false after
 * failing the run with BPFRT_RUN_BUDGET - the helper then returns at once.
 * Helpers whose work grows with an argument charge it before doing it. */
bool bpfrt_run_charge(struct bpfrt_run *run, uint64_t units);

/* ---- engines ---- */

struct bpfrt_engine_ops {
    const char *name;            /* "interpreter", "jit" */
    /* Builds engine_state for prog (pre-decode or compile). Returns 0 or
     * -errno with the reason (and the instruction) in diag. */
    int (*prepare)(struct bpfrt_prog *prog, struct bpfrt_diag *diag);
    /* Runs prog with r1 = ctx (and r2 = ctx_len, which the conformance model
     * uses; Linux programs ignore it). Fills *ret with r0. Returns 0, or a
     * negative errno when the run stopped early (run->error says why). */
    int (*run)(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1, uint64_t r2,
               uint64_t *ret);
    void (*release)(struct bpfrt_prog *prog);
    /* Runs a subprogram of the run's current program for a helper that
     * calls back (bpf_loop, for_each_map_elem): `func` is the handle this
     * engine gave the program for a BPF_PSEUDO_FUNC ld_imm64. A new frame
     * with r1..r5 = args; *ret = its r0. Returns 0 or -errno (bad handle,
     * call depth, budget, or the callback failed: run->error says why).
     * Called through bpfrt_run_callback, only while this engine runs `run`. */
    int (*callback)(struct bpfrt_run *run, uint64_t func, const uint64_t args[5], uint64_t *ret);
};

extern const struct bpfrt_engine_ops bpfrt_interp_ops;

/* The engine of `kind` this build has (BPFRT_ENGINE_DEFAULT: the runtime's
 * default), or NULL when it has none (the JIT before src/core/jit/ exists,
 * or on a host it does not support). */
const struct bpfrt_engine_ops *bpfrt_engine_find(const struct bpfrt_runtime *rt,
                                                 enum bpfrt_engine_kind kind);

/* Sets the engine loads use when they name none (initially the
 * interpreter). Returns 0, or -EINVAL for an unknown kind and for
 * BPFRT_ENGINE_JIT_TRUSTED (trusted is asked for per load). A kind this
 * build lacks is accepted: such loads fall back to the interpreter. */
int bpfrt_runtime_set_default_engine(struct bpfrt_runtime *rt, enum bpfrt_engine_kind kind);
enum bpfrt_engine_kind bpfrt_runtime_default_engine(const struct bpfrt_runtime *rt);

/* Starts a run: claims a CPU, enters the read-side section, sets defaults
 * (checked = !prog->verified, budget). Pair with bpfrt_run_end. */
void bpfrt_run_begin(struct bpfrt_run *run, struct bpfrt_prog *prog);
void bpfrt_run_end(struct bpfrt_run *run);

/* Runs prog on (r1, r2) through its engine, following tail calls. The run
 * must have been begun. Returns 0 or -errno (run->error says why). */
int bpfrt_prog_run(struct bpfrt_prog *prog, struct bpfrt_run *run, uint64_t r1, uint64_t r2,
                   uint64_t *ret);

/* What bpfrt_prog_create_opts needs besides the instructions. Zeroed
 * means: BPF_PROG_TYPE_UNSPEC (plain-memory context), the default engine. */
struct bpfrt_prog_create_opts {
    uint32_t prog_type;            /* enum bpf_prog_type */
    enum bpfrt_engine_kind engine; /* BPFRT_ENGINE_DEFAULT: the runtime's default */
};

/* Creates a program from instructions (copied) without the object table:
 * structural validation (bpfrt_insns_validate), then the chosen engine's
 * prepare. Map references must already be rewritten as described at
 * struct bpfrt_prog (PROG_LOAD does that, then sets prog->maps). Returns 0
 * with one reference in *out, or -errno with a message in msg. On success
 * msg is empty, or holds a note when the engine asked for is not in this
 * build and the interpreter runs the program instead (prog->engine says
 * which one did). opts may be NULL. */
int bpfrt_prog_create_opts(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                           const struct bpfrt_prog_create_opts *opts, char *msg, size_t msg_size,
                           struct bpfrt_prog **out);

/* bpfrt_prog_create_opts with { prog_type, the default engine }. */
int bpfrt_prog_create(struct bpfrt_runtime *rt, const struct bpf_insn *insns, uint32_t cnt,
                      uint32_t prog_type, char *msg, size_t msg_size, struct bpfrt_prog **out);

/* Calls a BPF callback from inside a helper (bpf_loop, for_each_map_elem):
 * `func` is the value a BPF_PSEUDO_FUNC ld_imm64 produced in this run (an
 * engine-defined handle for a subprogram of the current program). The
 * current program's engine (its callback op) runs it with r1..r5 in a new
 * frame and returns its r0 in *ret. Returns 0 or -errno (-EINVAL outside a
 * run or for an engine without callbacks; bad handle, call depth, or the
 * callback failed: then the run stops). */
int bpfrt_run_callback(struct bpfrt_run *run, uint64_t func, uint64_t r1, uint64_t r2,
                       uint64_t r3, uint64_t r4, uint64_t r5, uint64_t *ret);

void bpfrt_prog_get(struct bpfrt_prog *prog);
void bpfrt_prog_put(struct bpfrt_prog *prog);

#pragma GCC visibility pop

#endif
