/* Linux's BPF user ABI as bpfrt speaks it: command numbers, map and program
 * types, flags, `union bpf_attr` and the context structs, with Linux's names
 * and binary layout (Linux 6.18), declared here with fixed-width C types so
 * the freestanding core needs no kernel headers. Because the layout is
 * Linux's, an attr filled for bpfrt_bpf() can be handed to the real bpf(2)
 * unchanged (tests use that to compare with the kernel).
 *
 * It stands in for <linux/bpf.h>: included first, it defines that header's
 * guard, so a later #include <linux/bpf.h> adds nothing; included after
 * <linux/bpf.h>, it leaves Linux's declarations (of that header's version)
 * in place and adds only what is bpfrt's own. */
#ifndef BPFRT_UAPI_H
#define BPFRT_UAPI_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdint.h>

#define BPFRT_ALIGNED_U64 uint64_t __attribute__((aligned(8)))

#if !defined(__LINUX_BPF_H__) && !defined(_UAPI__LINUX_BPF_H__)
#define __LINUX_BPF_H__
#define BPFRT_STANDS_FOR_LINUX_BPF_H 1 /* else <linux/bpf.h> came first */

#define BPF_OBJ_NAME_LEN 16U
#define BPF_TAG_SIZE 8

enum bpf_cmd {
    BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
    BPF_MAP_GET_NEXT_KEY, BPF_PROG_LOAD, BPF_OBJ_PIN, BPF_OBJ_GET, BPF_PROG_ATTACH,
    BPF_PROG_DETACH, BPF_PROG_TEST_RUN, BPF_PROG_RUN = BPF_PROG_TEST_RUN,
    BPF_PROG_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID,
    BPF_OBJ_GET_INFO_BY_FD, BPF_PROG_QUERY, BPF_RAW_TRACEPOINT_OPEN, BPF_BTF_LOAD,
    BPF_BTF_GET_FD_BY_ID, BPF_TASK_FD_QUERY, BPF_MAP_LOOKUP_AND_DELETE_ELEM, BPF_MAP_FREEZE,
    BPF_BTF_GET_NEXT_ID, BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
    BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH, BPF_LINK_CREATE, BPF_LINK_UPDATE,
    BPF_LINK_GET_FD_BY_ID, BPF_LINK_GET_NEXT_ID, BPF_ENABLE_STATS, BPF_ITER_CREATE,
    BPF_LINK_DETACH, BPF_PROG_BIND_MAP, BPF_TOKEN_CREATE, BPF_PROG_STREAM_READ_BY_FD,
    __MAX_BPF_CMD,
};

enum bpf_map_type {
    BPF_MAP_TYPE_UNSPEC, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY,
    BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
    BPF_MAP_TYPE_STACK_TRACE, BPF_MAP_TYPE_CGROUP_ARRAY, BPF_MAP_TYPE_LRU_HASH,
    BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_ARRAY_OF_MAPS,
    BPF_MAP_TYPE_HASH_OF_MAPS, BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_CPUMAP,
    BPF_MAP_TYPE_XSKMAP, BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_CGROUP_STORAGE,
    BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, BPF_MAP_TYPE_QUEUE,
    BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_SK_STORAGE, BPF_MAP_TYPE_DEVMAP_HASH,
    BPF_MAP_TYPE_STRUCT_OPS, BPF_MAP_TYPE_RINGBUF, BPF_MAP_TYPE_INODE_STORAGE,
    BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_BLOOM_FILTER, BPF_MAP_TYPE_USER_RINGBUF,
    BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_INSN_ARRAY,
    __MAX_BPF_MAP_TYPE
};

enum bpf_prog_type {
    BPF_PROG_TYPE_UNSPEC, BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_KPROBE,
    BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SCHED_ACT, BPF_PROG_TYPE_TRACEPOINT,
    BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_CGROUP_SKB,
    BPF_PROG_TYPE_CGROUP_SOCK, BPF_PROG_TYPE_LWT_IN, BPF_PROG_TYPE_LWT_OUT,
    BPF_PROG_TYPE_LWT_XMIT, BPF_PROG_TYPE_SOCK_OPS, BPF_PROG_TYPE_SK_SKB,
    BPF_PROG_TYPE_CGROUP_DEVICE, BPF_PROG_TYPE_SK_MSG, BPF_PROG_TYPE_RAW_TRACEPOINT,
    BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_PROG_TYPE_LWT_SEG6LOCAL, BPF_PROG_TYPE_LIRC_MODE2,
    BPF_PROG_TYPE_SK_REUSEPORT, BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_PROG_TYPE_CGROUP_SYSCTL,
    BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, BPF_PROG_TYPE_CGROUP_SOCKOPT,
    BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_STRUCT_OPS, BPF_PROG_TYPE_EXT, BPF_PROG_TYPE_LSM,
    BPF_PROG_TYPE_SK_LOOKUP, BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_NETFILTER,
    __MAX_BPF_PROG_TYPE
};

enum bpf_attach_type {
    BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS, BPF_CGROUP_INET_SOCK_CREATE,
    BPF_CGROUP_SOCK_OPS, BPF_SK_SKB_STREAM_PARSER, BPF_SK_SKB_STREAM_VERDICT,
    BPF_CGROUP_DEVICE, BPF_SK_MSG_VERDICT, BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND,
    BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT, BPF_CGROUP_INET4_POST_BIND,
    BPF_CGROUP_INET6_POST_BIND, BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP6_SENDMSG,
    BPF_LIRC_MODE2, BPF_FLOW_DISSECTOR, BPF_CGROUP_SYSCTL, BPF_CGROUP_UDP4_RECVMSG,
    BPF_CGROUP_UDP6_RECVMSG, BPF_CGROUP_GETSOCKOPT, BPF_CGROUP_SETSOCKOPT,
    BPF_TRACE_RAW_TP, BPF_TRACE_FENTRY, BPF_TRACE_FEXIT, BPF_MODIFY_RETURN, BPF_LSM_MAC,
    BPF_TRACE_ITER, BPF_CGROUP_INET4_GETPEERNAME, BPF_CGROUP_INET6_GETPEERNAME,
    BPF_CGROUP_INET4_GETSOCKNAME, BPF_CGROUP_INET6_GETSOCKNAME, BPF_XDP_DEVMAP,
    BPF_CGROUP_INET_SOCK_RELEASE, BPF_XDP_CPUMAP, BPF_SK_LOOKUP, BPF_XDP,
    BPF_SK_SKB_VERDICT, BPF_SK_REUSEPORT_SELECT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE,
    BPF_PERF_EVENT, BPF_TRACE_KPROBE_MULTI, BPF_LSM_CGROUP, BPF_STRUCT_OPS, BPF_NETFILTER,
    BPF_TCX_INGRESS, BPF_TCX_EGRESS, BPF_TRACE_UPROBE_MULTI, BPF_CGROUP_UNIX_CONNECT,
    BPF_CGROUP_UNIX_SENDMSG, BPF_CGROUP_UNIX_RECVMSG, BPF_CGROUP_UNIX_GETPEERNAME,
    BPF_CGROUP_UNIX_GETSOCKNAME, BPF_NETKIT_PRIMARY, BPF_NETKIT_PEER,
    BPF_TRACE_KPROBE_SESSION, BPF_TRACE_UPROBE_SESSION,
    __MAX_BPF_ATTACH_TYPE
};

/* BPF_MAP_UPDATE_ELEM / lookup flags */
#define BPF_ANY     0
#define BPF_NOEXIST 1
#define BPF_EXIST   2
#define BPF_F_LOCK  4

/* BPF_MAP_CREATE map_flags */
#define BPF_F_NO_PREALLOC     (1U << 0)
#define BPF_F_NO_COMMON_LRU   (1U << 1)
#define BPF_F_NUMA_NODE       (1U << 2)
#define BPF_F_RDONLY          (1U << 3)
#define BPF_F_WRONLY          (1U << 4)
#define BPF_F_STACK_BUILD_ID  (1U << 5)
#define BPF_F_ZERO_SEED       (1U << 6)
#define BPF_F_RDONLY_PROG     (1U << 7)
#define BPF_F_WRONLY_PROG     (1U << 8)
#define BPF_F_CLONE           (1U << 9)
#define BPF_F_MMAPABLE        (1U << 10)
#define BPF_F_PRESERVE_ELEMS  (1U << 11)
#define BPF_F_INNER_MAP       (1U << 12)
#define BPF_F_LINK            (1U << 13)
#define BPF_F_PATH_FD         (1U << 14)
#define BPF_F_VTYPE_BTF_OBJ_FD (1U << 15)
#define BPF_F_TOKEN_FD        (1U << 16)
#define BPF_F_SEGV_ON_FAULT   (1U << 17)
#define BPF_F_NO_USER_CONV    (1U << 18)

/* BPF_PROG_LOAD prog_flags */
#define BPF_F_STRICT_ALIGNMENT   (1U << 0)
#define BPF_F_ANY_ALIGNMENT      (1U << 1)
#define BPF_F_TEST_RND_HI32      (1U << 2)
#define BPF_F_TEST_STATE_FREQ    (1U << 3)
#define BPF_F_SLEEPABLE          (1U << 4)
#define BPF_F_XDP_HAS_FRAGS      (1U << 5)
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#define BPF_F_TEST_REG_INVARIANTS (1U << 7)

/* BPF_PROG_TEST_RUN flags */
#define BPF_F_TEST_RUN_ON_CPU       (1U << 0)
#define BPF_F_TEST_XDP_LIVE_FRAMES  (1U << 1)
#define BPF_F_TEST_SKB_CHECKSUM_COMPLETE (1U << 2)

/* Verifier log levels (log_level bits) */
#define BPF_LOG_LEVEL1 1
#define BPF_LOG_LEVEL2 2
#define BPF_LOG_STATS  4
#define BPF_LOG_FIXED  8
#define BPF_LOG_LEVEL (BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2)
#define BPF_LOG_MASK  (BPF_LOG_LEVEL | BPF_LOG_STATS | BPF_LOG_FIXED)

/* ld_imm64 src_reg values (pseudo loads) */
#define BPF_PSEUDO_MAP_FD        1
#define BPF_PSEUDO_MAP_VALUE     2
#define BPF_PSEUDO_BTF_ID        3
#define BPF_PSEUDO_FUNC          4
#define BPF_PSEUDO_MAP_IDX       5
#define BPF_PSEUDO_MAP_IDX_VALUE 6
/* call src_reg values */
#define BPF_PSEUDO_CALL          1
#define BPF_PSEUDO_KFUNC_CALL    2

/* Return codes */
enum xdp_action { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };

/* bpf_skb_load_bytes_relative start_header */
enum { BPF_HDR_START_MAC = 0, BPF_HDR_START_NET };
/* bpf_ringbuf_* flags and query */
#define BPF_RB_NO_WAKEUP    (1ULL << 0)
#define BPF_RB_FORCE_WAKEUP (1ULL << 1)
enum { BPF_RB_AVAIL_DATA = 0, BPF_RB_RING_SIZE = 1, BPF_RB_CONS_POS = 2, BPF_RB_PROD_POS = 3 };
#define BPF_RINGBUF_BUSY_BIT    (1U << 31)
#define BPF_RINGBUF_DISCARD_BIT (1U << 30)
#define BPF_RINGBUF_HDR_SZ      8
/* bpf_perf_event_output flags */
#define BPF_F_INDEX_MASK   0xffffffffULL
#define BPF_F_CURRENT_CPU  BPF_F_INDEX_MASK
#define BPF_F_CTXLEN_MASK  (0xfffffULL << 32)
/* csum helpers flags */
#define BPF_F_RECOMPUTE_CSUM (1ULL << 0)
#define BPF_F_INVALIDATE_HASH (1ULL << 1)
#define BPF_F_HDR_FIELD_MASK 0xfULL
#define BPF_F_PSEUDO_HDR     (1ULL << 4)
#define BPF_F_MARK_MANGLED_0 (1ULL << 5)
#define BPF_F_MARK_ENFORCE   (1ULL << 6)

/* One eBPF instruction, Linux's layout (little-endian host). */
struct bpf_insn {
    uint8_t code;
    uint8_t dst_reg : 4;
    uint8_t src_reg : 4;
    int16_t off;
    int32_t imm;
};

union bpf_attr {
    struct { /* BPF_MAP_CREATE */
        uint32_t map_type;
        uint32_t key_size;
        uint32_t value_size;
        uint32_t max_entries;
        uint32_t map_flags;
        uint32_t inner_map_fd;
        uint32_t numa_node;
        char map_name[BPF_OBJ_NAME_LEN];
        uint32_t map_ifindex;
        uint32_t btf_fd;
        uint32_t btf_key_type_id;
        uint32_t btf_value_type_id;
        uint32_t btf_vmlinux_value_type_id;
        uint64_t map_extra;
        int32_t map_token_fd;
        BPFRT_ALIGNED_U64 excl_prog_hash;
        uint32_t excl_prog_hash_size;
    };
    struct { /* BPF_MAP_*_ELEM */
        uint32_t map_fd;
        BPFRT_ALIGNED_U64 key;
        union {
            BPFRT_ALIGNED_U64 value;
            BPFRT_ALIGNED_U64 next_key;
        };
        uint64_t flags;
    };
    struct { /* BPF_MAP_*_BATCH */
        BPFRT_ALIGNED_U64 in_batch;
        BPFRT_ALIGNED_U64 out_batch;
        BPFRT_ALIGNED_U64 keys;
        BPFRT_ALIGNED_U64 values;
        uint32_t count;
        uint32_t map_fd;
        uint64_t elem_flags;
        uint64_t flags;
    } batch;
    struct { /* BPF_PROG_LOAD */
        uint32_t prog_type;
        uint32_t insn_cnt;
        BPFRT_ALIGNED_U64 insns;
        BPFRT_ALIGNED_U64 license;
        uint32_t log_level;
        uint32_t log_size;
        BPFRT_ALIGNED_U64 log_buf;
        uint32_t kern_version;
        uint32_t prog_flags;
        char prog_name[BPF_OBJ_NAME_LEN];
        uint32_t prog_ifindex;
        uint32_t expected_attach_type;
        uint32_t prog_btf_fd;
        uint32_t func_info_rec_size;
        BPFRT_ALIGNED_U64 func_info;
        uint32_t func_info_cnt;
        uint32_t line_info_rec_size;
        BPFRT_ALIGNED_U64 line_info;
        uint32_t line_info_cnt;
        uint32_t attach_btf_id;
        union {
            uint32_t attach_prog_fd;
            uint32_t attach_btf_obj_fd;
        };
        uint32_t core_relo_cnt;
        BPFRT_ALIGNED_U64 fd_array;
        BPFRT_ALIGNED_U64 core_relos;
        uint32_t core_relo_rec_size;
        uint32_t log_true_size;
        int32_t prog_token_fd;
        uint32_t fd_array_cnt;
        BPFRT_ALIGNED_U64 signature;
        uint32_t signature_size;
        int32_t keyring_id;
    };
    struct { /* BPF_OBJ_PIN / BPF_OBJ_GET */
        BPFRT_ALIGNED_U64 pathname;
        uint32_t bpf_fd;
        uint32_t file_flags;
        int32_t path_fd;
    };
    struct { /* BPF_PROG_TEST_RUN */
        uint32_t prog_fd;
        uint32_t retval;
        uint32_t data_size_in;
        uint32_t data_size_out;
        BPFRT_ALIGNED_U64 data_in;
        BPFRT_ALIGNED_U64 data_out;
        uint32_t repeat;
        uint32_t duration;
        uint32_t ctx_size_in;
        uint32_t ctx_size_out;
        BPFRT_ALIGNED_U64 ctx_in;
        BPFRT_ALIGNED_U64 ctx_out;
        uint32_t flags;
        uint32_t cpu;
        uint32_t batch_size;
    } test;
    struct { /* BPF_*_GET_*_ID */
        union {
            uint32_t start_id;
            uint32_t prog_id;
            uint32_t map_id;
            uint32_t btf_id;
            uint32_t link_id;
        };
        uint32_t next_id;
        uint32_t open_flags;
    };
    struct { /* BPF_OBJ_GET_INFO_BY_FD */
        uint32_t bpf_fd;
        uint32_t info_len;
        BPFRT_ALIGNED_U64 info;
    } info;
    struct { /* BPF_BTF_LOAD */
        BPFRT_ALIGNED_U64 btf;
        BPFRT_ALIGNED_U64 btf_log_buf;
        uint32_t btf_size;
        uint32_t btf_log_size;
        uint32_t btf_log_level;
        uint32_t btf_log_true_size;
        uint32_t btf_flags;
        int32_t btf_token_fd;
    };
    struct { /* BPF_ENABLE_STATS */
        uint32_t type; /* enum bpf_stats_type */
    } enable_stats;
    struct { /* BPF_PROG_BIND_MAP */
        uint32_t prog_fd;
        uint32_t map_fd;
        uint32_t flags;
    } prog_bind_map;
} __attribute__((aligned(8)));

/* BPF_ENABLE_STATS: what to count while the returned handle is open. */
enum bpf_stats_type {
    BPF_STATS_RUN_TIME = 0, /* run_cnt and run_time_ns of every program (bpf_prog_info) */
};

/* Context of XDP programs. */
struct xdp_md {
    uint32_t data;
    uint32_t data_end;
    uint32_t data_meta;
    uint32_t ingress_ifindex;
    uint32_t rx_queue_index;
    uint32_t egress_ifindex;
};

/* Context of socket filter, tc and cgroup_skb programs (user-visible view). */
struct __sk_buff {
    uint32_t len;
    uint32_t pkt_type;
    uint32_t mark;
    uint32_t queue_mapping;
    uint32_t protocol;
    uint32_t vlan_present;
    uint32_t vlan_tci;
    uint32_t vlan_proto;
    uint32_t priority;
    uint32_t ingress_ifindex;
    uint32_t ifindex;
    uint32_t tc_index;
    uint32_t cb[5];
    uint32_t hash;
    uint32_t tc_classid;
    uint32_t data;
    uint32_t data_end;
    uint32_t napi_id;
    uint32_t family;
    uint32_t remote_ip4;
    uint32_t local_ip4;
    uint32_t remote_ip6[4];
    uint32_t local_ip6[4];
    uint32_t remote_port;
    uint32_t local_port;
    uint32_t data_meta;
    BPFRT_ALIGNED_U64 flow_keys;
    uint64_t tstamp;
    uint32_t wire_len;
    uint32_t gso_segs;
    BPFRT_ALIGNED_U64 sk;
    uint32_t gso_size;
    uint8_t tstamp_type;
    uint32_t : 24;
    uint64_t hwtstamp;
};

/* Contexts of the socket program types (Linux 6.18's uapi layouts). A
 * __bpf_md_ptr is a 64-bit slot holding a pointer. */
#define BPFRT_MD_PTR(name) BPFRT_ALIGNED_U64 name

/* SOCK_OPS */
struct bpf_sock_ops {
    uint32_t op;
    union {
        uint32_t args[4];
        uint32_t reply;
        uint32_t replylong[4];
    };
    uint32_t family;
    uint32_t remote_ip4;
    uint32_t local_ip4;
    uint32_t remote_ip6[4];
    uint32_t local_ip6[4];
    uint32_t remote_port;
    uint32_t local_port;
    uint32_t is_fullsock;
    uint32_t snd_cwnd;
    uint32_t srtt_us;
    uint32_t bpf_sock_ops_cb_flags;
    uint32_t state;
    uint32_t rtt_min;
    uint32_t snd_ssthresh;
    uint32_t rcv_nxt;
    uint32_t snd_nxt;
    uint32_t snd_una;
    uint32_t mss_cache;
    uint32_t ecn_flags;
    uint32_t rate_delivered;
    uint32_t rate_interval_us;
    uint32_t packets_out;
    uint32_t retrans_out;
    uint32_t total_retrans;
    uint32_t segs_in;
    uint32_t data_segs_in;
    uint32_t segs_out;
    uint32_t data_segs_out;
    uint32_t lost_out;
    uint32_t sacked_out;
    uint32_t sk_txhash;
    uint64_t bytes_received;
    uint64_t bytes_acked;
    BPFRT_MD_PTR(sk);
    BPFRT_MD_PTR(skb_data);
    BPFRT_MD_PTR(skb_data_end);
    uint32_t skb_len;
    uint32_t skb_tcp_flags;
    uint64_t skb_hwtstamp;
};

/* CGROUP_SOCK (and what a struct bpf_sock pointer shows) */
struct bpf_sock {
    uint32_t bound_dev_if;
    uint32_t family;
    uint32_t type;
    uint32_t protocol;
    uint32_t mark;
    uint32_t priority;
    uint32_t src_ip4;
    uint32_t src_ip6[4];
    uint32_t src_port;
    uint16_t dst_port;     /* network byte order */
    uint16_t : 16;
    uint32_t dst_ip4;
    uint32_t dst_ip6[4];
    uint32_t state;
    int32_t rx_queue_mapping;
};

/* What a struct bpf_tcp_sock pointer shows (bpf_tcp_sock) */
struct bpf_tcp_sock {
    uint32_t snd_cwnd, srtt_us, rtt_min, snd_ssthresh, rcv_nxt, snd_nxt, snd_una, mss_cache, ecn_flags;
    uint32_t rate_delivered, rate_interval_us, packets_out, retrans_out, total_retrans, segs_in, data_segs_in;
    uint32_t segs_out, data_segs_out, lost_out, sacked_out;
    uint64_t bytes_received, bytes_acked;
    uint32_t dsack_dups, delivered, delivered_ce, icsk_retransmits;
};

/* CGROUP_SOCK_ADDR */
struct bpf_sock_addr {
    uint32_t user_family;
    uint32_t user_ip4;
    uint32_t user_ip6[4];
    uint32_t user_port;
    uint32_t family;
    uint32_t type;
    uint32_t protocol;
    uint32_t msg_src_ip4;
    uint32_t msg_src_ip6[4];
    BPFRT_MD_PTR(sk);
};

/* SK_MSG */
struct sk_msg_md {
    BPFRT_MD_PTR(data);
    BPFRT_MD_PTR(data_end);
    uint32_t family;
    uint32_t remote_ip4;
    uint32_t local_ip4;
    uint32_t remote_ip6[4];
    uint32_t local_ip6[4];
    uint32_t remote_port;
    uint32_t local_port;
    uint32_t size;
    BPFRT_MD_PTR(sk);
};

/* SK_REUSEPORT */
struct sk_reuseport_md {
    BPFRT_MD_PTR(data);
    BPFRT_MD_PTR(data_end);
    uint32_t len;
    uint32_t eth_protocol;
    uint32_t ip_protocol;
    uint32_t bind_inany;
    uint32_t hash;
    BPFRT_MD_PTR(sk);
    BPFRT_MD_PTR(migrating_sk);
};

/* SK_LOOKUP */
struct bpf_sk_lookup {
    union {
        BPFRT_MD_PTR(sk);
        uint64_t cookie;
    };
    uint32_t family;
    uint32_t protocol;
    uint32_t remote_ip4;
    uint32_t remote_ip6[4];
    uint16_t remote_port;  /* network byte order */
    uint16_t : 16;
    uint32_t local_ip4;
    uint32_t local_ip6[4];
    uint32_t local_port;
    uint32_t ingress_ifindex;
};

/* FLOW_DISSECTOR: what __sk_buff.flow_keys points to */
struct bpf_flow_keys {
    uint16_t nhoff;
    uint16_t thoff;
    uint16_t addr_proto;
    uint8_t is_frag;
    uint8_t is_first_frag;
    uint8_t is_encap;
    uint8_t ip_proto;
    uint16_t n_proto;
    uint16_t sport;
    uint16_t dport;
    union {
        struct {
            uint32_t ipv4_src;
            uint32_t ipv4_dst;
        };
        struct {
            uint32_t ipv6_src[4];
            uint32_t ipv6_dst[4];
        };
    };
    uint32_t flags;
    uint32_t flow_label;
};

struct bpf_spin_lock { uint32_t val; };

/* BTF.ext records passed with PROG_LOAD. */
struct bpf_func_info { uint32_t insn_off; uint32_t type_id; };
struct bpf_line_info {
    uint32_t insn_off;
    uint32_t file_name_off;
    uint32_t line_off;
    uint32_t line_col; /* line << 10 | column */
};
#define BPF_LINE_INFO_LINE_NUM(line_col) ((line_col) >> 10)
#define BPF_LINE_INFO_LINE_COL(line_col) ((line_col) & 0x3ff)

/* OBJ_GET_INFO_BY_FD results (leading fields of Linux's structs, same
 * layout; bpfrt fills what has a meaning here and zeroes the rest). */
struct bpf_prog_info {
    uint32_t type;
    uint32_t id;
    uint8_t tag[BPF_TAG_SIZE];
    uint32_t jited_prog_len;
    uint32_t xlated_prog_len;
    BPFRT_ALIGNED_U64 jited_prog_insns;
    BPFRT_ALIGNED_U64 xlated_prog_insns;
    uint64_t load_time;
    uint32_t created_by_uid;
    uint32_t nr_map_ids;
    BPFRT_ALIGNED_U64 map_ids;
    char name[BPF_OBJ_NAME_LEN];
    uint32_t ifindex;
    uint32_t gpl_compatible : 1;
    uint32_t : 31;
    uint64_t netns_dev;
    uint64_t netns_ino;
    uint32_t nr_jited_ksyms;
    uint32_t nr_jited_func_lens;
    BPFRT_ALIGNED_U64 jited_ksyms;
    BPFRT_ALIGNED_U64 jited_func_lens;
    uint32_t btf_id;
    uint32_t func_info_rec_size;
    BPFRT_ALIGNED_U64 func_info;
    uint32_t nr_func_info;
    uint32_t nr_line_info;
    BPFRT_ALIGNED_U64 line_info;
    BPFRT_ALIGNED_U64 jited_line_info;
    uint32_t nr_jited_line_info;
    uint32_t line_info_rec_size;
    uint32_t jited_line_info_rec_size;
    uint32_t nr_prog_tags;
    BPFRT_ALIGNED_U64 prog_tags;
    uint64_t run_time_ns;
    uint64_t run_cnt;
    uint64_t recursion_misses;
    uint32_t verified_insns;
    uint32_t attach_btf_obj_id;
    uint32_t attach_btf_id;
} __attribute__((aligned(8)));

struct bpf_map_info {
    uint32_t type;
    uint32_t id;
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    uint32_t map_flags;
    char name[BPF_OBJ_NAME_LEN];
    uint32_t ifindex;
    uint32_t btf_vmlinux_value_type_id;
    uint64_t netns_dev;
    uint64_t netns_ino;
    uint32_t btf_id;
    uint32_t btf_key_type_id;
    uint32_t btf_value_type_id;
    uint32_t btf_vmlinux_id;
    uint64_t map_extra;
} __attribute__((aligned(8)));

struct bpf_btf_info {
    BPFRT_ALIGNED_U64 btf;
    uint32_t btf_size;
    uint32_t id;
    BPFRT_ALIGNED_U64 name;
    uint32_t name_len;
    uint32_t kernel_btf;
} __attribute__((aligned(8)));

#endif /* <linux/bpf.h> */

/* tc verdicts (<linux/pkt_cls.h> spells them the same way) */
#define TC_ACT_UNSPEC     (-1)
#define TC_ACT_OK         0
#define TC_ACT_RECLASSIFY 1
#define TC_ACT_SHOT       2
#define TC_ACT_PIPE       3
#define TC_ACT_STOLEN     4
#define TC_ACT_QUEUED     5
#define TC_ACT_REPEAT     6
#define TC_ACT_REDIRECT   7

#pragma GCC visibility pop

#endif
