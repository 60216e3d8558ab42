/* The sockmap helpers (net/core/sock_map.c, net/core/filter.c):
 * bpf_sock_map_update / bpf_sock_hash_update store the socket a sock_ops
 * program runs for (run->sk) when its operation is one Linux allows
 * (established, passive established, listen: else -EOPNOTSUPP);
 * bpf_sk_redirect_map/hash (sk_skb) and bpf_msg_redirect_map/hash (sk_msg)
 * pick the socket at a key and report it in run->pkt->redirect_sk for the
 * hook to deliver to: SK_PASS, or SK_DROP for flags other than
 * BPF_F_INGRESS, an empty key or a socket that cannot take redirected data
 * (a TCP listener, anything else not established). */
#include "core/helpers/helpers_internal.h"
#include "core/maps/map_family.h"

#define SK_DROP 0
#define SK_PASS 1
#define TCP_ESTABLISHED 1
#define TCP_LISTEN 10
#define PROTO_TCP 6
/* struct bpf_sock_ops.op values sock_map_op_okay accepts */
#define BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB 4
#define BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB 5
#define BPF_SOCK_OPS_TCP_LISTEN_CB 11

static uint64_t sock_update(struct bpfrt_run *run, struct bpfrt_map *map, const void *key, uint64_t flags,
                            uint32_t type)
{
    struct bpfrt_sock *sk = (struct bpfrt_sock *)run->sk;
    uint32_t op = 0;
    if (run->ctx)
        bpfrt_memcpy(&op, run->ctx, 4); /* struct bpf_sock_ops starts with op */
    if (!map || map->map_type != type || !sk)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB && op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB &&
        op != BPF_SOCK_OPS_TCP_LISTEN_CB)
        return bpfrt_helper_err(-BPFRT_EOPNOTSUPP);
    return bpfrt_helper_err((int)bpfrt_sockmap_update_sock(map, key, sk, flags));
}

BPFRT_HELPER_DEF(sock_map_update)
{
    return sock_update(run, bpfrt_u2p(r2), bpfrt_u2p(r3), r4, BPF_MAP_TYPE_SOCKMAP);
}

BPFRT_HELPER_DEF(sock_hash_update)
{
    return sock_update(run, bpfrt_u2p(r2), bpfrt_u2p(r3), r4, BPF_MAP_TYPE_SOCKHASH);
}

/* sock_map_redirect_allowed */
static bool redirect_allowed(const struct bpfrt_sock *sk)
{
    if (sk->desc.protocol == PROTO_TCP)
        return sk->desc.state != TCP_LISTEN;
    return sk->desc.state == TCP_ESTABLISHED;
}

static uint64_t sock_redirect(struct bpfrt_run *run, struct bpfrt_map *map, const void *key, uint64_t flags,
                              uint32_t type)
{
    if ((flags & ~BPF_F_INGRESS) || !map || map->map_type != type)
        return SK_DROP;
    struct bpfrt_sock *sk = bpfrt_sockmap_lookup(map, key);
    if (!sk || !redirect_allowed(sk))
        return SK_DROP;
    if (run->pkt) {
        run->pkt->redirect_sk = sk;
        run->pkt->redirect_flags = flags & BPF_F_INGRESS;
        run->pkt->redirect_map = map;
        run->pkt->redirect_ifindex = 0;
    }
    return SK_PASS;
}

BPFRT_HELPER_DEF(sk_redirect_map)
{
    uint32_t key = (uint32_t)r3;
    return sock_redirect(run, bpfrt_u2p(r2), &key, r4, BPF_MAP_TYPE_SOCKMAP);
}

BPFRT_HELPER_DEF(msg_redirect_map)
{
    uint32_t key = (uint32_t)r3;
    return sock_redirect(run, bpfrt_u2p(r2), &key, r4, BPF_MAP_TYPE_SOCKMAP);
}

BPFRT_HELPER_DEF(sk_redirect_hash)
{
    return sock_redirect(run, bpfrt_u2p(r2), bpfrt_u2p(r3), r4, BPF_MAP_TYPE_SOCKHASH);
}

BPFRT_HELPER_DEF(msg_redirect_hash)
{
    return sock_redirect(run, bpfrt_u2p(r2), bpfrt_u2p(r3), r4, BPF_MAP_TYPE_SOCKHASH);
}

/* bpf_sk_select_reuseport(ctx, map, key, flags) (net/core/filter.c
 * sk_select_reuseport), from a REUSEPORT_SOCKARRAY, SOCKMAP or SOCKHASH:
 * the socket at key answers the connection for the reuseport group of the
 * socket the program runs for (run->sk), reported in run->pkt->assigned_sk.
 * -ENOENT for an empty key; -EINVAL for a socket in no reuseport group (one
 * registered without reuseport, as Linux for a sockmap socket without
 * SO_REUSEPORT; a reuseport array holds none such); a socket of another
 * group -EPROTOTYPE (another protocol), -EAFNOSUPPORT (family) or -EBADFD
 * (another address or port). Linux ignores flags. */
static bool same_group(const struct bpfrt_sock *a, const struct bpfrt_sock *b)
{
    return a->desc.reuseport && a->desc.local_port == b->desc.local_port &&
           bpfrt_memcmp(a->desc.local_ip, b->desc.local_ip, sizeof(a->desc.local_ip)) == 0;
}

BPFRT_HELPER_DEF(sk_select_reuseport)
{
    struct bpfrt_map *map = bpfrt_u2p(r2);
    const struct bpfrt_sock *sel = map ? bpfrt_sockmap_lookup(map, bpfrt_u2p(r3)) : NULL;
    const struct bpfrt_sock *sk = run->sk;
    if (!sel)
        return bpfrt_helper_err(-BPFRT_ENOENT);
    if (!sel->desc.reuseport)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (sk && sk->desc.protocol != sel->desc.protocol)
        return bpfrt_helper_err(-BPFRT_EPROTOTYPE);
    if (sk && sk->desc.family != sel->desc.family)
        return bpfrt_helper_err(-BPFRT_EAFNOSUPPORT);
    if (!sk || !same_group(sk, sel))
        return bpfrt_helper_err(-BPFRT_EBADFD);
    if (run->pkt)
        run->pkt->assigned_sk = sel;
    return 0;
}
