/* Socket options and flags programs set on the socket they run for
 * (net/core/filter.c: bpf_setsockopt, bpf_getsockopt,
 * bpf_sock_ops_cb_flags_set, bpf_get_netns_cookie). sock_ops and sock_addr
 * programs act on run->sk (the socket the hook runs them for); cgroup
 * sockopt, tracing and LSM programs pass a socket pointer.
 *
 * The options are Linux's list for BPF (sol_socket_sockopt,
 * sol_tcp_sockopt, sol_ip_sockopt, sol_ipv6_sockopt): anything else is
 * -EINVAL, as are integer options whose length is not 4, TCP options on a
 * non-TCP socket and IP/IPv6 options on the other family. Values are kept
 * per socket and read back by bpf_getsockopt (Linux's defaults for options
 * never set: 0, and "cubic" for TCP_CONGESTION); SO_SNDBUF and SO_RCVBUF
 * are doubled and bounded as Linux stores them (with its default
 * wmem_max/rmem_max of 212992). */
#include "core/helpers/helpers_internal.h"
#include "core/maps/host_objs.h"

#define SOL_SOCKET 1
#define SOL_IP 0
#define SOL_IPV6 41
#define SOL_TCP 6
#define TCP_CONGESTION 13
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_BINDTODEVICE 25
#define CORE_MAX 212992     /* net.core.wmem_max / rmem_max defaults */
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304
#define PROTO_TCP 6
#define BPF_SOCK_OPS_ALL_CB_FLAGS 0x7fu

enum opt_kind { OPT_INT = 1, OPT_INT_SET_ONLY, OPT_NAME_SET_ONLY };

struct opt_row {
    int32_t level, name;
    uint8_t kind;
};

/* Linux 6.18's lists: SOL_SOCKET, SOL_TCP (and the TCP_BPF_* set-only
 * ones), SOL_IP, SOL_IPV6. */
static const struct opt_row opts[] = {
    { SOL_SOCKET, 2, OPT_INT },    /* SO_REUSEADDR */
    { SOL_SOCKET, 7, OPT_INT },    /* SO_SNDBUF */
    { SOL_SOCKET, 8, OPT_INT },    /* SO_RCVBUF */
    { SOL_SOCKET, 9, OPT_INT },    /* SO_KEEPALIVE */
    { SOL_SOCKET, 12, OPT_INT },   /* SO_PRIORITY */
    { SOL_SOCKET, 15, OPT_INT },   /* SO_REUSEPORT */
    { SOL_SOCKET, 18, OPT_INT },   /* SO_RCVLOWAT */
    { SOL_SOCKET, 36, OPT_INT },   /* SO_MARK */
    { SOL_SOCKET, 47, OPT_INT },   /* SO_MAX_PACING_RATE */
    { SOL_SOCKET, 62, OPT_INT },   /* SO_BINDTOIFINDEX */
    { SOL_SOCKET, 74, OPT_INT },   /* SO_TXREHASH */
    { SOL_SOCKET, SO_BINDTODEVICE, OPT_NAME_SET_ONLY },
    { SOL_TCP, 1, OPT_INT },       /* TCP_NODELAY */
    { SOL_TCP, 2, OPT_INT },       /* TCP_MAXSEG */
    { SOL_TCP, 4, OPT_INT },       /* TCP_KEEPIDLE */
    { SOL_TCP, 5, OPT_INT },       /* TCP_KEEPINTVL */
    { SOL_TCP, 6, OPT_INT },       /* TCP_KEEPCNT */
    { SOL_TCP, 7, OPT_INT },       /* TCP_SYNCNT */
    { SOL_TCP, 10, OPT_INT },      /* TCP_WINDOW_CLAMP */
    { SOL_TCP, 16, OPT_INT },      /* TCP_THIN_LINEAR_TIMEOUTS */
    { SOL_TCP, 18, OPT_INT },      /* TCP_USER_TIMEOUT */
    { SOL_TCP, 25, OPT_INT },      /* TCP_NOTSENT_LOWAT */
    { SOL_TCP, 27, OPT_INT },      /* TCP_SAVE_SYN */
    { SOL_TCP, 44, OPT_INT },      /* TCP_RTO_MAX_MS */
    { SOL_TCP, 1001, OPT_INT_SET_ONLY }, /* TCP_BPF_IW */
    { SOL_TCP, 1002, OPT_INT_SET_ONLY }, /* TCP_BPF_SNDCWND_CLAMP */
    { SOL_TCP, 1003, OPT_INT_SET_ONLY }, /* TCP_BPF_DELACK_MAX */
    { SOL_TCP, 1004, OPT_INT_SET_ONLY }, /* TCP_BPF_RTO_MIN */
    { SOL_TCP, 1005, OPT_INT_SET_ONLY }, /* TCP_BPF_SYN */
    { SOL_TCP, 1006, OPT_INT_SET_ONLY }, /* TCP_BPF_SYN_IP */
    { SOL_TCP, 1007, OPT_INT_SET_ONLY }, /* TCP_BPF_SYN_MAC */
    { SOL_TCP, 1008, OPT_INT_SET_ONLY }, /* TCP_BPF_SOCK_OPS_CB_FLAGS */
    { SOL_IP, 1, OPT_INT },        /* IP_TOS */
    { SOL_IPV6, 67, OPT_INT },     /* IPV6_TCLASS */
    { SOL_IPV6, 70, OPT_INT },     /* IPV6_AUTOFLOWLABEL */
};
#define NR_OPTS (sizeof(opts) / sizeof(opts[0]))
_Static_assert(NR_OPTS <= BPFRT_SOCK_NR_OPTS, "struct bpfrt_sock keeps one value per option");

/* The option's row index, or -EINVAL when Linux's BPF lists lack it or it
 * does not apply to this socket. */
static int opt_index(const struct bpfrt_sock *sk, int32_t level, int32_t name)
{
    if (level == SOL_TCP && sk->desc.protocol != PROTO_TCP)
        return -BPFRT_EINVAL;
    if (level == SOL_IP && sk->desc.family != BPFRT_AF_INET)
        return -BPFRT_EINVAL;
    if (level == SOL_IPV6 && sk->desc.family != BPFRT_AF_INET6)
        return -BPFRT_EINVAL;
    for (uint32_t i = 0; i < NR_OPTS; i++)
        if (opts[i].level == level && opts[i].name == name)
            return (int)i;
    return -BPFRT_EINVAL;
}

static bool is_congestion(int32_t level, int32_t name) { return level == SOL_TCP && name == TCP_CONGESTION; }

/* The socket a call acts on: the argument for the types that pass one,
 * else the run's; NULL when there is none the run may use. */
static struct bpfrt_sock *target(struct bpfrt_run *run, uint64_t arg)
{
    uint32_t t = bpfrt_helper_prog_type(run);
    const void *sk = (t == BPF_PROG_TYPE_CGROUP_SOCKOPT || t == BPF_PROG_TYPE_TRACING || t == BPF_PROG_TYPE_LSM ||
                      t == BPF_PROG_TYPE_STRUCT_OPS)
                         ? bpfrt_u2p(arg)
                         : run->sk;
    return bpfrt_helper_sock(run, (uint64_t)(uintptr_t)sk);
}

static bool known_congestion(const char *name, uint32_t len)
{
    static const char *const algs[] = { "cubic", "reno" };
    for (uint32_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        if (bpfrt_strnlen(name, len) == bpfrt_strlen(algs[i]) && bpfrt_memcmp(name, algs[i], bpfrt_strlen(algs[i])) == 0)
            return true;
    return false;
}

/* bpf_setsockopt(ctx or sk, level, optname, optval, optlen) */
BPFRT_HELPER_DEF(setsockopt)
{
    struct bpfrt_sock *sk = target(run, r1);
    int32_t level = (int32_t)r2, name = (int32_t)r3, len = (int32_t)r5;
    const uint8_t *val = bpfrt_u2p(r4);
    if (!sk)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (is_congestion(level, name)) {
        if (sk->desc.protocol != PROTO_TCP || len <= 0)
            return bpfrt_helper_err(-BPFRT_EINVAL);
        uint32_t n = (uint32_t)len < sizeof(sk->congestion) ? (uint32_t)len : sizeof(sk->congestion) - 1;
        if (!known_congestion((const char *)val, n))
            return bpfrt_helper_err(-BPFRT_ENOENT);
        bpfrt_memset(sk->congestion, 0, sizeof(sk->congestion));
        bpfrt_memcpy(sk->congestion, val, bpfrt_strnlen((const char *)val, n));
        return 0;
    }
    int i = opt_index(sk, level, name);
    if (i < 0)
        return bpfrt_helper_err(i);
    if (opts[i].kind == OPT_NAME_SET_ONLY)
        return 0; /* SO_BINDTODEVICE: there are no devices to bind to */
    if (len != 4)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    int32_t v;
    bpfrt_memcpy(&v, val, 4);
    if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF)) {
        uint32_t u = (uint32_t)v < CORE_MAX ? (uint32_t)v : CORE_MAX;
        int32_t min = name == SO_SNDBUF ? SOCK_MIN_SNDBUF : SOCK_MIN_RCVBUF;
        v = (int32_t)(u * 2) > min ? (int32_t)(u * 2) : min;
    }
    if (level == SOL_TCP && name == 1008) /* TCP_BPF_SOCK_OPS_CB_FLAGS */
        sk->cb_flags = (uint32_t)v & BPF_SOCK_OPS_ALL_CB_FLAGS;
    sk->opt_values[i] = v;
    sk->opt_set |= 1ull << i;
    return 0;
}

/* bpf_getsockopt(ctx or sk, level, optname, optval, optlen): optval is
 * zeroed on error. */
BPFRT_HELPER_DEF(getsockopt)
{
    struct bpfrt_sock *sk = target(run, r1);
    int32_t level = (int32_t)r2, name = (int32_t)r3, len = (int32_t)r5;
    uint8_t *val = bpfrt_u2p(r4);
    int err = -BPFRT_EINVAL;
    if (!sk)
        goto clear;
    if (is_congestion(level, name)) {
        if (sk->desc.protocol != PROTO_TCP || len <= 0)
            goto clear;
        const char *cc = sk->congestion[0] ? sk->congestion : "cubic";
        bpfrt_memset(val, 0, (uint32_t)len);
        size_t n = bpfrt_strlen(cc);
        bpfrt_memcpy(val, cc, n < (size_t)len ? n : (size_t)len);
        return 0;
    }
    int i = opt_index(sk, level, name);
    if (i < 0 || opts[i].kind != OPT_INT || len != 4)
        goto clear;
    int32_t v = (sk->opt_set >> i) & 1 ? sk->opt_values[i] : 0;
    bpfrt_memcpy(val, &v, 4);
    return 0;
clear:
    if (len > 0)
        bpfrt_memset(val, 0, (uint32_t)len);
    return bpfrt_helper_err(err);
}

/* bpf_sock_ops_cb_flags_set(sock_ops, flags): which BPF_SOCK_OPS_*_CB
 * callbacks the socket asks for; returns the bits Linux does not know
 * (they are not set), -EINVAL for a socket that is not TCP. */
BPFRT_HELPER_DEF(sock_ops_cb_flags_set)
{
    struct bpfrt_sock *sk = target(run, r1);
    uint32_t flags = (uint32_t)r2;
    if (!sk || sk->desc.protocol != PROTO_TCP)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    sk->cb_flags = flags & BPF_SOCK_OPS_ALL_CB_FLAGS;
    return flags & ~BPF_SOCK_OPS_ALL_CB_FLAGS;
}

/* bpf_get_netns_cookie(ctx): bpfrt knows one network namespace, whose
 * cookie is 1 (the first Linux hands out, init_net's). */
BPFRT_HELPER_DEF(get_netns_cookie)
{
    return 1;
}
