/* Socket lookups (net/core/filter.c: bpf_sk_lookup_tcp, bpf_sk_lookup_udp,
 * bpf_skc_lookup_tcp, bpf_sk_release, bpf_sk_fullsock, bpf_get_listener_sock,
 * bpf_tcp_sock)
 * over the sockets the embedder registered (bpfrt_sock_add). The tuple's saddr/sport are the remote end,
 * daddr/dport the local socket's, as a packet arriving at it carries them.
 * TCP: an exact established match first, then a listener on the local
 * port (its address or the wildcard); bpf_sk_lookup_tcp gives only full
 * sockets, bpf_skc_lookup_tcp also time-wait and request sockets. UDP: the
 * best-scoring socket bound to the port (exact local address, then a
 * connected socket's remote end, score higher), as __udp4_lib_lookup.
 * A tuple of another size, flags, or a netns id other than the current one
 * give NULL, as in Linux (bpfrt knows one network namespace).
 *
 * A found socket is a reference: a checked run tracks it until
 * bpf_sk_release (and releases it, failing the run, if the program exits
 * holding it), and the struct bpf_sock is readable memory meanwhile.
 *
 * A program sees a socket at two addresses: its struct bpf_sock view and,
 * from bpf_tcp_sock, its struct bpf_tcp_sock view (Linux hands out the one
 * struct sock and rewrites field reads). Every helper taking a socket
 * takes either (bpfrt_helper_sock). */
#include "core/helpers/helpers_internal.h"
#include "core/maps/host_objs.h"

#define TCP_TIME_WAIT    6
#define TCP_LISTEN       10
#define TCP_NEW_SYN_RECV 12
#define PROTO_TCP 6
#define PROTO_UDP 17
#define TUPLE_V4 12u
#define TUPLE_V6 36u

struct lookup_key {
    uint16_t family, protocol;
    const uint8_t *laddr, *raddr;   /* network order */
    uint16_t lport, rport;          /* host order */
    bool full_only;
};

static bool addr_any(const uint8_t *a, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (a[i])
            return false;
    return true;
}

/* Score of a socket for the key: 0 no match, higher better. */
static int score(const struct bpfrt_sock *s, const void *arg)
{
    const struct lookup_key *k = arg;
    const struct bpfrt_sock_desc *d = &s->desc;
    uint32_t alen = k->family == BPFRT_AF_INET ? 4 : 16;
    if (d->family != k->family || d->protocol != k->protocol || d->local_port != k->lport ||
        __atomic_load_n(&s->closed, __ATOMIC_ACQUIRE))
        return 0;
    bool local_exact = bpfrt_memcmp(d->local_ip, k->laddr, alen) == 0;
    if (!local_exact && !addr_any(d->local_ip, alen))
        return 0;
    bool remote_exact = d->remote_port == k->rport && bpfrt_memcmp(d->remote_ip, k->raddr, alen) == 0;
    if (k->protocol == PROTO_TCP) {
        if (d->state == TCP_LISTEN)
            return 1 + local_exact;
        if (!remote_exact || !local_exact)
            return 0;
        if (k->full_only && (d->state == TCP_TIME_WAIT || d->state == TCP_NEW_SYN_RECV))
            return 0;
        return 8; /* established (and friends) before any listener */
    }
    /* UDP: a connected socket must match its peer */
    if (d->remote_port && !remote_exact)
        return 0;
    return 1 + 2 * local_exact + 4 * (d->remote_port != 0);
}

static void sock_release_ref(void *p) { bpfrt_sock_put(p); }

static uint64_t sk_lookup(struct bpfrt_run *run, const void *tuple_p, uint32_t len, uint64_t netns,
                          uint64_t flags, uint16_t protocol, bool full_only)
{
    const struct bpf_sock_tuple *t = tuple_p;
    struct lookup_key k = { .protocol = protocol, .full_only = full_only };
    if (len == TUPLE_V4) {
        k.family = BPFRT_AF_INET;
        k.raddr = (const uint8_t *)&t->ipv4.saddr;
        k.laddr = (const uint8_t *)&t->ipv4.daddr;
        k.rport = (uint16_t)(t->ipv4.sport >> 8 | t->ipv4.sport << 8);
        k.lport = (uint16_t)(t->ipv4.dport >> 8 | t->ipv4.dport << 8);
    } else if (len == TUPLE_V6) {
        k.family = BPFRT_AF_INET6;
        k.raddr = (const uint8_t *)t->ipv6.saddr;
        k.laddr = (const uint8_t *)t->ipv6.daddr;
        k.rport = (uint16_t)(t->ipv6.sport >> 8 | t->ipv6.sport << 8);
        k.lport = (uint16_t)(t->ipv6.dport >> 8 | t->ipv6.dport << 8);
    } else {
        return 0;
    }
    /* only the caller's own namespace: BPF_F_CURRENT_NETNS or any negative s32 */
    if (flags || (int32_t)netns >= 0)
        return 0;
    struct bpfrt_sock *s = bpfrt_sock_best(run->rt, score, &k);
    if (!s)
        return 0;
    if (bpfrt_run_ref_acquire(run, s, sock_release_ref, "socket") != 0) {
        bpfrt_sock_put(s); /* the run holds all it may: as if nothing matched */
        return 0;
    }
    bpfrt_run_add_region(run, &s->view, sizeof(s->view), false);
    return (uint64_t)(uintptr_t)s;
}

BPFRT_HELPER_DEF(sk_lookup_tcp)
{
    return sk_lookup(run, bpfrt_u2p(r2), (uint32_t)r3, r4, r5, PROTO_TCP, true);
}

BPFRT_HELPER_DEF(sk_lookup_udp)
{
    return sk_lookup(run, bpfrt_u2p(r2), (uint32_t)r3, r4, r5, PROTO_UDP, true);
}

BPFRT_HELPER_DEF(skc_lookup_tcp)
{
    return sk_lookup(run, bpfrt_u2p(r2), (uint32_t)r3, r4, r5, PROTO_TCP, false);
}

/* bpf_sk_release(sk): drops the reference a lookup gave. A checked run
 * refuses a socket it does not hold (the verifier's "release of an
 * unacquired reference"). */
BPFRT_HELPER_DEF(sk_release)
{
    struct bpfrt_sock *s = bpfrt_helper_sock(run, r1);
    if (!s || !bpfrt_run_ref_held(run, s)) {
        bpfrt_run_fail(run, BPFRT_RUN_BAD_HELPER_ARG, r1,
                       "bpf_sk_release: 0x%llx is not a socket reference this program holds",
                       (unsigned long long)r1);
        return 0;
    }
    bpfrt_run_ref_drop(run, s);
    bpfrt_run_remove_region(run, &s->view);
    bpfrt_run_remove_region(run, &s->tcp_view);
    bpfrt_sock_put(s);
    return 0;
}

/* bpf_sk_fullsock(sk): sk when it is a full socket (not time-wait, not a
 * request), else NULL. */
BPFRT_HELPER_DEF(sk_fullsock)
{
    const struct bpfrt_sock *s = bpfrt_helper_sock(run, r1);
    if (!s)
        return 0;
    return s->desc.state == TCP_TIME_WAIT || s->desc.state == TCP_NEW_SYN_RECV ? 0 : (uint64_t)(uintptr_t)s;
}

/* bpf_tcp_sock(sk): the socket's struct bpf_tcp_sock view when it is a
 * full TCP socket, else NULL. It shares sk's reference (a cast): it is
 * readable while sk is. */
BPFRT_HELPER_DEF(tcp_sock)
{
    struct bpfrt_sock *s = bpfrt_helper_sock(run, r1);
    if (!s || s->desc.protocol != PROTO_TCP || s->desc.state == TCP_TIME_WAIT || s->desc.state == TCP_NEW_SYN_RECV)
        return 0;
    if (bpfrt_run_add_region(run, &s->tcp_view, sizeof(s->tcp_view), false) != 0)
        return 0;
    return (uint64_t)(uintptr_t)&s->tcp_view;
}

/* bpf_get_listener_sock(sk): sk when it is a TCP listener, else NULL
 * (bpfrt's request sockets name no listener). */
BPFRT_HELPER_DEF(get_listener_sock)
{
    const struct bpfrt_sock *s = bpfrt_helper_sock(run, r1);
    if (!s)
        return 0;
    return s->desc.protocol == PROTO_TCP && s->desc.state == TCP_LISTEN ? (uint64_t)(uintptr_t)s : 0;
}

static bool sock_usable(struct bpfrt_run *run, const void *sk)
{
    /* a checked run may use what it holds (even a socket closed since);
     * any run what the embedder registered - a helper taking a socket as a
     * plain argument (ARG_ANYTHING) never trusts it unseen */
    return sk && ((run->checked && bpfrt_run_ref_held(run, sk)) || bpfrt_sock_known(run->rt, sk));
}

struct bpfrt_sock *bpfrt_helper_sock(struct bpfrt_run *run, uint64_t p)
{
    const uint64_t tcp_off = __builtin_offsetof(struct bpfrt_sock, tcp_view);
    if (sock_usable(run, bpfrt_u2p(p)))
        return bpfrt_u2p(p);
    /* a tcp_sock view's socket: arithmetic only, nothing read before it is found */
    if (p <= tcp_off || !sock_usable(run, bpfrt_u2p(p - tcp_off)))
        return NULL;
    return bpfrt_u2p(p - tcp_off);
}

bool bpfrt_helper_sock_ok(struct bpfrt_run *run, const void *sk)
{
    return bpfrt_helper_sock(run, (uint64_t)(uintptr_t)sk) != NULL;
}

/* bpf_sk_assign(skb, sk, flags) at tc ingress: steers the packet to sk
 * (reported in run->pkt->assigned_sk); -EINVAL without a socket or with
 * flags, -EOPNOTSUPP anywhere but ingress (a packet whose __sk_buff names
 * no ingress interface). In sk_lookup programs (Linux's
 * bpf_sk_lookup_assign) sk may be NULL and flags
 * BPF_SK_LOOKUP_F_REPLACE / NO_REUSEPORT; the selected socket is reported
 * the same way. */
#define BPF_SK_LOOKUP_F_REPLACE (1ULL << 0)
#define BPF_SK_LOOKUP_F_NO_REUSEPORT (1ULL << 1)

BPFRT_HELPER_DEF(sk_assign)
{
    const void *sk = bpfrt_u2p(r2);
    uint64_t flags = r3;
    struct bpfrt_pkt *pkt = run->pkt;
    if (bpfrt_helper_prog_type(run) == BPF_PROG_TYPE_SK_LOOKUP) {
        if (flags & ~(BPF_SK_LOOKUP_F_REPLACE | BPF_SK_LOOKUP_F_NO_REUSEPORT))
            return bpfrt_helper_err(-BPFRT_EINVAL);
        if (sk && !bpfrt_helper_sock_ok(run, sk))
            return bpfrt_helper_err(-BPFRT_EINVAL);
        if (pkt && pkt->assigned_sk && !(flags & BPF_SK_LOOKUP_F_REPLACE))
            return bpfrt_helper_err(-BPFRT_EEXIST);
        if (pkt)
            pkt->assigned_sk = sk;
        return 0;
    }
    if (!sk || flags || !bpfrt_helper_sock_ok(run, sk))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    const struct __sk_buff *skb = bpfrt_skb_view(run);
    if (!skb || !skb->ingress_ifindex || !pkt)
        return bpfrt_helper_err(-BPFRT_EOPNOTSUPP);
    pkt->assigned_sk = sk;
    return 0;
}

/* bpf_get_socket_cookie: the socket's cookie (bpfrt numbers registered
 * sockets 1, 2, ...: unique, never 0). Packet programs ask about the
 * skb's socket, sock_ops / sock_addr / cgroup_sock programs about the
 * socket they run for (run->sk); tracing and syscall programs pass a
 * socket pointer.
 * No socket: 0, as Linux for an skb without one. */
BPFRT_HELPER_DEF(get_socket_cookie)
{
    uint32_t type = bpfrt_helper_prog_type(run);
    const struct bpfrt_sock *sk = run->sk;
    if (type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_LSM || type == BPF_PROG_TYPE_SYSCALL)
        sk = bpfrt_u2p(r1);
    if (!sk || !bpfrt_helper_sock_ok(run, sk))
        return 0;
    return sk->cookie;
}
