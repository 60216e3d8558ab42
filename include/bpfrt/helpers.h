/* Helpers: Linux's helper ids (enum bpf_func_id, Linux 6.18 spelling and
 * values, built from the list in bpfrt/helper_ids.h) and the API to inspect the
 * helper table a runtime holds. The prototypes themselves (struct
 * bpfrt_helper_proto) and bpfrt_helper_register/find live in prog.h.
 *
 * Do not include together with <linux/bpf.h>: the names are the same. */
#ifndef BPFRT_HELPERS_H
#define BPFRT_HELPERS_H

/* Public API: visible from the shared library although the library is
 * built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/helper_ids.h"
#include "bpfrt/prog.h"

struct bpfrt_runtime;

#define BPFRT_HELPER_ENUM_ENTRY(name, id) BPF_FUNC_##name = id,
enum bpf_func_id {
    BPFRT_HELPER_IDS(BPFRT_HELPER_ENUM_ENTRY)
    __BPF_FUNC_MAX_ID,
};
#undef BPFRT_HELPER_ENUM_ENTRY

/* Linux's name of helper `id` without the "bpf_" prefix ("map_lookup_elem"),
 * for any id Linux defines (implemented here or not), or NULL. */
const char *bpfrt_helper_id_name(uint32_t id);

/* The built-in helper table (rows sorted by id), independent of any runtime:
 * what bpfrt_helpers_init registers. *count gets the number of rows. */
const struct bpfrt_helper_proto *bpfrt_helper_builtin_table(size_t *count);

/* Number of helpers registered in rt (built-in and application ones). */
size_t bpfrt_helper_count(const struct bpfrt_runtime *rt);

/* The i-th registered helper in id order (0 <= i < count), or NULL. */
const struct bpfrt_helper_proto *bpfrt_helper_at(const struct bpfrt_runtime *rt, size_t i);

/* Callback shapes of Linux's callback-taking helpers (set_*_callback_state
 * in kernel/bpf/verifier.c), for the rows of the helpers that take one:
 * bpf_loop (index, ctx), bpf_for_each_map_elem (map, key, value, ctx),
 * bpf_find_vma (task, vma, ctx), bpf_user_ringbuf_drain (dynptr, ctx) -
 * each returning 0 or 1 - and bpf_timer_set_callback (map, key, value;
 * runs later, returns 0). */
extern const struct bpfrt_helper_cb bpfrt_helper_cb_loop;
extern const struct bpfrt_helper_cb bpfrt_helper_cb_for_each_map_elem;
extern const struct bpfrt_helper_cb bpfrt_helper_cb_find_vma;
extern const struct bpfrt_helper_cb bpfrt_helper_cb_user_ringbuf_drain;
extern const struct bpfrt_helper_cb bpfrt_helper_cb_timer;

/* Renders an argument / return kind with Linux's name ("ARG_PTR_TO_MAP_KEY",
 * "RET_PTR_TO_MAP_VALUE_OR_NULL"); "?" for unknown values. */
const char *bpfrt_helper_arg_type_name(uint8_t arg_type);
const char *bpfrt_helper_ret_type_name(uint8_t ret_type);

/* Limits Linux applies to helpers, used by the implementations. */
#define BPFRT_MAX_LOOPS          (1u << 23)  /* bpf_loop nr_loops bound */
#define BPFRT_MAX_BPRINTF_VARARGS 12         /* trace_vprintk / snprintf */
#define BPFRT_MAX_TRACE_PRINTK_ARGS 3
#define BPFRT_BPRINTF_BUF        1024        /* trace_printk output line */
#define BPFRT_BPRINTF_BIN_ARGS   512         /* string/ip bytes a printf-like call may copy */
#define BPFRT_XDP_FRAME_RESERVE  40          /* head of an XDP buffer Linux keeps for struct xdp_frame */
#define BPFRT_XDP_META_MAX       255         /* largest XDP metadata (skb_shared_info.meta_len is u8) */
#define BPFRT_ETH_HLEN           14

/* Extra flags of the packet helpers (Linux's values). */
#define BPF_F_INGRESS          (1ULL << 0)   /* bpf_redirect */
#define BPF_F_BROADCAST        (1ULL << 3)   /* bpf_redirect_map */
#define BPF_F_EXCLUDE_INGRESS  (1ULL << 4)
#define BPF_F_IPV6             (1ULL << 7)   /* bpf_l4_csum_replace (6.16+) */

/* What bpfrt_pkt.redirect_flags holds after bpf_redirect_neigh /
 * bpf_redirect_peer (Linux's internal bpf_redirect_info flags). */
#define BPFRT_REDIRECT_NEIGH   (1ULL << 1)
#define BPFRT_REDIRECT_PEER    (1ULL << 2)
#define BPFRT_REDIRECT_NEXTHOP (1ULL << 3)

/* ---- structures helpers exchange with programs (Linux's UAPI layouts) ---- */

/* bpf_fib_lookup's params (64 bytes). */
struct bpf_fib_lookup {
    uint8_t family;              /* AF_INET 2, AF_INET6 10 */
    uint8_t l4_protocol;
    uint16_t sport, dport;       /* network byte order */
    union {
        uint16_t tot_len;        /* input: packet length to check against the MTU */
        uint16_t mtu_result;     /* output */
    };
    uint32_t ifindex;            /* input: ingress (or egress with OUTPUT); output: egress */
    union {
        uint8_t tos;
        uint32_t flowinfo;
        uint32_t rt_metric;      /* output */
    };
    union {
        uint32_t ipv4_src;
        uint32_t ipv6_src[4];
    };
    union {
        uint32_t ipv4_dst;       /* output: the next hop */
        uint32_t ipv6_dst[4];
    };
    union {
        struct {
            uint16_t h_vlan_proto;
            uint16_t h_vlan_TCI;
        };
        uint32_t tbid;           /* input with BPF_FIB_LOOKUP_TBID */
    };
    union {
        struct {
            uint32_t mark;       /* input with BPF_FIB_LOOKUP_MARK */
        };
        struct {
            uint8_t smac[6];     /* output */
            uint8_t dmac[6];
        };
    };
};
#define BPF_FIB_LOOKUP_DIRECT     (1U << 0)
#define BPF_FIB_LOOKUP_OUTPUT     (1U << 1)
#define BPF_FIB_LOOKUP_SKIP_NEIGH (1U << 2)
#define BPF_FIB_LOOKUP_TBID       (1U << 3)
#define BPF_FIB_LOOKUP_SRC        (1U << 4)
#define BPF_FIB_LOOKUP_MARK       (1U << 5)
enum {
    BPF_FIB_LKUP_RET_SUCCESS, BPF_FIB_LKUP_RET_BLACKHOLE, BPF_FIB_LKUP_RET_UNREACHABLE,
    BPF_FIB_LKUP_RET_PROHIBIT, BPF_FIB_LKUP_RET_NOT_FWDED, BPF_FIB_LKUP_RET_FWD_DISABLED,
    BPF_FIB_LKUP_RET_UNSUPP_LWT, BPF_FIB_LKUP_RET_NO_NEIGH, BPF_FIB_LKUP_RET_FRAG_NEEDED,
    BPF_FIB_LKUP_RET_NO_SRC_ADDR,
};

/* bpf_skb_get/set_tunnel_key's key (44 bytes; older programs pass a prefix). */
struct bpf_tunnel_key {
    uint32_t tunnel_id;
    union {
        uint32_t remote_ipv4;    /* host byte order */
        uint32_t remote_ipv6[4];
    };
    uint8_t tunnel_tos;
    uint8_t tunnel_ttl;
    union {
        uint16_t tunnel_ext;
        uint16_t tunnel_flags;   /* with BPF_F_TUNINFO_FLAGS: TUNNEL_* bits, big-endian */
    };
    uint32_t tunnel_label;
    union {
        uint32_t local_ipv4;
        uint32_t local_ipv6[4];
    };
};
#define BPF_F_ZERO_CSUM_TX    (1ULL << 1)
#define BPF_F_DONT_FRAGMENT   (1ULL << 2)
#define BPF_F_SEQ_NUMBER      (1ULL << 3)
#define BPF_F_NO_TUNNEL_KEY   (1ULL << 4)
#define BPF_F_TUNINFO_IPV6    (1ULL << 0)
#define BPF_F_TUNINFO_FLAGS   (1ULL << 4)

/* struct bpf_sock (what a socket pointer shows a program) is in bpfrt/uapi.h. */

/* bpf_sk_lookup_*'s tuple: saddr/sport the remote end, daddr/dport the
 * local socket's (network byte order); 12 bytes for IPv4, 36 for IPv6. */
struct bpf_sock_tuple {
    union {
        struct {
            uint32_t saddr, daddr;
            uint16_t sport, dport;
        } ipv4;
        struct {
            uint32_t saddr[4], daddr[4];
            uint16_t sport, dport;
        } ipv6;
    };
};
#define BPF_F_CURRENT_NETNS (-1L)

/* bpf_perf_event_read_value's output. */
struct bpf_perf_event_value {
    uint64_t counter, enabled, running;
};

/* bpf_get_stackid / bpf_get_stack flags. */
#define BPF_F_SKIP_FIELD_MASK  0xffULL
#define BPF_F_USER_STACK       (1ULL << 8)
#define BPF_F_FAST_STACK_CMP   (1ULL << 9)
#define BPF_F_REUSE_STACKID    (1ULL << 10)
#define BPF_F_USER_BUILD_ID    (1ULL << 11)
/* Linux's default kernel.perf_event_max_stack: the deepest stack reported. */
#define BPFRT_PERF_MAX_STACK   127

/* bpf_*_storage_get flag. */
#define BPF_LOCAL_STORAGE_GET_F_CREATE (1ULL << 0)

/* ---- the routing table bpf_fib_lookup consults ----
 * bpfrt has no network stack: the embedder (or the CLI) describes the
 * devices, routes and neighbours programs may look up, as `ip link`,
 * `ip route` and `ip neigh` would. With nothing installed every lookup
 * answers BPF_FIB_LKUP_RET_NOT_FWDED, Linux's answer when no route
 * matches. Installing is not synchronised with running programs beyond a
 * lock: set the table up before programs run. */
struct bpfrt_netdev {
    uint32_t ifindex;            /* > 0 */
    uint8_t mac[6];
    uint32_t mtu;                /* 0: 1500 */
    bool no_forwarding;          /* forwarding disabled on it (BPF_FIB_LKUP_RET_FWD_DISABLED) */
    uint8_t ipv4[4];             /* its first IPv4 address (BPF_FIB_LOOKUP_SRC); zeros: none */
    uint8_t ipv6[16];            /* its first global IPv6 address; zeros: none */
};
/* Linux's route types (RTN_*). */
enum bpfrt_route_type {
    BPFRT_ROUTE_UNICAST = 1, BPFRT_ROUTE_LOCAL = 2, BPFRT_ROUTE_BLACKHOLE = 6,
    BPFRT_ROUTE_UNREACHABLE = 7, BPFRT_ROUTE_PROHIBIT = 8,
};
#define BPFRT_RT_TABLE_DEFAULT 253
#define BPFRT_RT_TABLE_MAIN    254
#define BPFRT_RT_TABLE_LOCAL   255
struct bpfrt_route {
    uint8_t family;              /* 2 (IPv4) or 10 (IPv6) */
    uint8_t prefix_len;
    uint8_t type;                /* enum bpfrt_route_type; 0 means unicast */
    uint8_t gw_family;           /* 0: directly connected; 2 or 10: via gw */
    uint8_t dst[16];             /* network byte order; IPv4 in the first 4 */
    uint8_t gw[16];
    uint8_t prefsrc[16];         /* preferred source (BPF_FIB_LOOKUP_SRC); zeros: none */
    uint32_t ifindex;            /* output device (unicast routes: a registered netdev) */
    uint32_t table;              /* 0: main (254) */
    uint32_t metric;             /* lower wins among equal prefixes; reported as rt_metric */
    uint32_t mtu;                /* 0: the device's */
};
struct bpfrt_neigh {
    uint32_t ifindex;
    uint8_t family;
    uint8_t addr[16];            /* network byte order; IPv4 in the first 4 */
    uint8_t mac[6];
};
/* Each returns 0, -EINVAL (bad family, prefix length, ifindex 0), -ENODEV
 * (a route or neighbour on a device not registered) or -ENOMEM. Adding a
 * netdev with a registered ifindex replaces it. */
int bpfrt_fib_add_netdev(struct bpfrt_runtime *rt, const struct bpfrt_netdev *dev);
int bpfrt_fib_add_route(struct bpfrt_runtime *rt, const struct bpfrt_route *route);
int bpfrt_fib_add_neigh(struct bpfrt_runtime *rt, const struct bpfrt_neigh *neigh);
/* Empties the table (every lookup answers NOT_FWDED again). */
void bpfrt_fib_clear(struct bpfrt_runtime *rt);
/* Adds the entries of a text table (the CLI's --fib FILE), one per line:
 *   dev IFINDEX [mac XX:XX:XX:XX:XX:XX] [mtu N] [addr IPV4] [addr6 IPV6] [noforward]
 *   route [-6] [blackhole|unreachable|prohibit|local] PREFIX[/LEN]|default [via GW] [dev N]
 *         [metric N] [table N] [mtu N] [src IP]
 *   neigh IP dev IFINDEX lladdr XX:XX:XX:XX:XX:XX
 * ('#' starts a comment). Returns 0, or the first error with its line in
 * err: -EINVAL (a line it cannot read) or what the add_* call returned. */
int bpfrt_fib_load_text(struct bpfrt_runtime *rt, const char *text, size_t len, char *err, size_t err_size);

/* ---- iterator output: bpf_seq_write, bpf_seq_printf ----
 * An iterator program (SEC("iter/...")) writes its output into the seq_file
 * of its context's struct bpf_iter_meta (meta->seq, the context's first
 * argument). bpfrt's seq_file is this buffer, which the hook that runs the
 * iterator owns and puts at meta->seq (the helpers accept only that one).
 * As Linux's fs/seq_file.c: output is appended at count while it fits with
 * room to spare (count + len < size); otherwise the file overflows (count =
 * size) and the helper returns -EOVERFLOW, Linux's sign for its reader to
 * retry with a larger buffer. */
struct bpfrt_seq_file {
    char *buf;
    uint32_t size;
    uint32_t count;              /* bytes written; == size after an overflow */
};

/* ---- the kernel objects helpers hand out ----
 * bpf_get_current_task(_btf) give programs a task_struct laid out by a
 * target BTF (the one CO-RE relocations were made against) and filled with
 * what the platform knows of the current task: pid, tgid, comm, parent,
 * credentials, cgroup, namespaces. The target is the runtime's kernel BTF
 * (bpfrt_runtime_set_kernel_btf in bpfrt/btf.h), else the platform's
 * kernel_btf (on a Linux host, the running kernel's). */

/* Whether p lies in an object the runtime fabricated for programs (a
 * task_struct, its cred, cgroup, ...): the ranges a host-read policy lets
 * tracing reads reach. *len gets the bytes from p to the object's end. */
bool bpfrt_kernel_object_range(struct bpfrt_runtime *rt, const void *p, size_t *len);

#pragma GCC visibility pop

#endif
