/* bpf_fib_lookup against the routing table the embedder installs
 * (bpfrt_fib_add_netdev/route/neigh), following Linux 6.18's
 * bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup and the xdp/skb wrappers in
 * net/core/filter.c: the ingress device must exist (-ENODEV) and forward;
 * DIRECT looks in one table (main, or params->tbid with TBID), otherwise
 * the default rules' order local, main, default; the longest prefix wins,
 * then the lowest metric; non-unicast routes map to the BLACKHOLE /
 * UNREACHABLE / PROHIBIT / NOT_FWDED answers; the MTU check; the gateway
 * replaces the destination; the neighbour gives dmac. With nothing
 * installed every lookup is NOT_FWDED, Linux's answer for no route.
 *
 * The table is small and scanned linearly under a spin lock. */
#include "core/helpers/kstate.h"

#define AF_INET4 2
#define AF_INET6 10
#define DEFAULT_MTU 1500u
#define VLAN_HLEN 4u

struct bpfrt_fib {
    uint32_t lock;
    struct bpfrt_netdev *devs;
    struct bpfrt_route *routes;
    struct bpfrt_neigh *neighs;
    uint32_t ndevs, nroutes, nneighs;
    uint32_t cap_devs, cap_routes, cap_neighs;
};

static struct bpfrt_fib *fib_get(struct bpfrt_runtime *rt, bool create)
{
    struct bpfrt_kstate *k = bpfrt_kstate(rt);
    if (!k)
        return NULL;
    struct bpfrt_fib *f = __atomic_load_n(&k->fib, __ATOMIC_ACQUIRE);
    if (f || !create)
        return f;
    f = bpfrt_zalloc(rt, sizeof(*f));
    if (!f)
        return NULL;
    struct bpfrt_fib *expected = NULL;
    if (!__atomic_compare_exchange_n(&k->fib, &expected, f, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        bpfrt_free(rt, f, sizeof(*f));
        return expected;
    }
    return f;
}

#define FIB_ARRAYS(X) X(devs, ndevs, cap_devs) X(routes, nroutes, cap_routes) X(neighs, nneighs, cap_neighs)

void bpfrt_fib_free(struct bpfrt_runtime *rt, struct bpfrt_fib *f)
{
#define FREE_ARRAY(arr, n, cap) bpfrt_free(rt, f->arr, (size_t)f->cap * sizeof(*f->arr));
    FIB_ARRAYS(FREE_ARRAY)
#undef FREE_ARRAY
    bpfrt_free(rt, f, sizeof(*f));
}

/* Makes room for one more element of an array (lock held). */
static bool grow(struct bpfrt_runtime *rt, void **arr, uint32_t n, uint32_t *cap, size_t elem)
{
    if (n < *cap)
        return true;
    uint32_t ncap = *cap ? *cap * 2 : 8;
    void *na = bpfrt_zalloc(rt, (size_t)ncap * elem);
    if (!na)
        return false;
    if (n)
        bpfrt_memcpy(na, *arr, (size_t)n * elem);
    bpfrt_free(rt, *arr, (size_t)*cap * elem);
    *arr = na;
    *cap = ncap;
    return true;
}

static uint32_t addr_len(uint8_t family) { return family == AF_INET4 ? 4 : 16; }
static bool family_ok(uint8_t family) { return family == AF_INET4 || family == AF_INET6; }

static const struct bpfrt_netdev *dev_find(const struct bpfrt_fib *f, uint32_t ifindex)
{
    for (uint32_t i = 0; i < f->ndevs; i++)
        if (f->devs[i].ifindex == ifindex)
            return &f->devs[i];
    return NULL;
}

int bpfrt_fib_add_netdev(struct bpfrt_runtime *rt, const struct bpfrt_netdev *dev)
{
    if (!rt || !dev || !dev->ifindex)
        return -BPFRT_EINVAL;
    struct bpfrt_fib *f = fib_get(rt, true);
    if (!f)
        return -BPFRT_ENOMEM;
    int err = 0;
    bpfrt_raw_spin_lock(&f->lock);
    struct bpfrt_netdev *old = (struct bpfrt_netdev *)dev_find(f, dev->ifindex);
    if (old)
        *old = *dev;
    else if (grow(rt, (void **)&f->devs, f->ndevs, &f->cap_devs, sizeof(*f->devs)))
        f->devs[f->ndevs++] = *dev;
    else
        err = -BPFRT_ENOMEM;
    bpfrt_raw_spin_unlock(&f->lock);
    return err;
}

int bpfrt_fib_add_route(struct bpfrt_runtime *rt, const struct bpfrt_route *route)
{
    if (!rt || !route || !family_ok(route->family) || route->prefix_len > addr_len(route->family) * 8 ||
        (route->gw_family && !family_ok(route->gw_family)))
        return -BPFRT_EINVAL;
    uint8_t type = route->type ? route->type : BPFRT_ROUTE_UNICAST;
    bool needs_dev = type == BPFRT_ROUTE_UNICAST || type == BPFRT_ROUTE_LOCAL;
    struct bpfrt_fib *f = fib_get(rt, true);
    if (!f)
        return -BPFRT_ENOMEM;
    int err = 0;
    bpfrt_raw_spin_lock(&f->lock);
    if (needs_dev && !dev_find(f, route->ifindex)) {
        err = -BPFRT_ENODEV;
    } else if (grow(rt, (void **)&f->routes, f->nroutes, &f->cap_routes, sizeof(*f->routes))) {
        struct bpfrt_route *r = &f->routes[f->nroutes++];
        *r = *route;
        r->type = type;
        r->table = route->table ? route->table : BPFRT_RT_TABLE_MAIN;
    } else {
        err = -BPFRT_ENOMEM;
    }
    bpfrt_raw_spin_unlock(&f->lock);
    return err;
}

int bpfrt_fib_add_neigh(struct bpfrt_runtime *rt, const struct bpfrt_neigh *neigh)
{
    if (!rt || !neigh || !family_ok(neigh->family))
        return -BPFRT_EINVAL;
    struct bpfrt_fib *f = fib_get(rt, true);
    if (!f)
        return -BPFRT_ENOMEM;
    int err = 0;
    bpfrt_raw_spin_lock(&f->lock);
    if (!dev_find(f, neigh->ifindex))
        err = -BPFRT_ENODEV;
    else if (grow(rt, (void **)&f->neighs, f->nneighs, &f->cap_neighs, sizeof(*f->neighs)))
        f->neighs[f->nneighs++] = *neigh;
    else
        err = -BPFRT_ENOMEM;
    bpfrt_raw_spin_unlock(&f->lock);
    return err;
}

void bpfrt_fib_clear(struct bpfrt_runtime *rt)
{
    struct bpfrt_fib *f = rt ? fib_get(rt, false) : NULL;
    if (!f)
        return;
    bpfrt_raw_spin_lock(&f->lock);
    f->ndevs = f->nroutes = f->nneighs = 0;
    bpfrt_raw_spin_unlock(&f->lock);
}

/* ---- the lookup ---- */

static bool prefix_match(const uint8_t *net, const uint8_t *addr, uint32_t bits)
{
    uint32_t bytes = bits / 8, rest = bits % 8;
    if (bpfrt_memcmp(net, addr, bytes) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (net[bytes] & mask) == (addr[bytes] & mask);
}

static bool table_has_routes(const struct bpfrt_fib *f, uint8_t family, uint32_t table)
{
    for (uint32_t i = 0; i < f->nroutes; i++)
        if (f->routes[i].family == family && f->routes[i].table == table)
            return true;
    return false;
}

/* Longest prefix, then lowest metric, in one table; with an output device
 * (BPF_FIB_LOOKUP_OUTPUT) only routes through it match, as Linux matches
 * next hops to flowi_oif. */
static const struct bpfrt_route *route_in(const struct bpfrt_fib *f, uint8_t family, uint32_t table,
                                          const uint8_t *dst, uint32_t oif)
{
    const struct bpfrt_route *best = NULL;
    for (uint32_t i = 0; i < f->nroutes; i++) {
        const struct bpfrt_route *r = &f->routes[i];
        if (r->family != family || r->table != table || !prefix_match(r->dst, dst, r->prefix_len))
            continue;
        if (oif && r->type == BPFRT_ROUTE_UNICAST && r->ifindex != oif)
            continue;
        if (!best || r->prefix_len > best->prefix_len ||
            (r->prefix_len == best->prefix_len && r->metric < best->metric))
            best = r;
    }
    return best;
}

static const struct bpfrt_neigh *neigh_find(const struct bpfrt_fib *f, uint32_t ifindex, uint8_t family,
                                            const uint8_t *addr)
{
    for (uint32_t i = 0; i < f->nneighs; i++) {
        const struct bpfrt_neigh *n = &f->neighs[i];
        if (n->ifindex == ifindex && n->family == family && bpfrt_memcmp(n->addr, addr, addr_len(family)) == 0)
            return n;
    }
    return NULL;
}

/* IPv6 addresses Linux never forwards (rt6_need_strict): multicast,
 * link-local, loopback. */
static bool ipv6_strict(const uint8_t *a)
{
    static const uint8_t loopback[16] = { [15] = 1 };
    return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || bpfrt_memcmp(a, loopback, 16) == 0;
}

static bool all_zero(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* The common body of both families (lock held). Returns a
 * BPF_FIB_LKUP_RET_* or a negative errno; *dev_mtu gets the egress
 * device's MTU on success. */
static long lookup(const struct bpfrt_fib *f, struct bpf_fib_lookup *params, uint32_t flags, bool check_mtu,
                   uint32_t *dev_mtu)
{
    uint8_t family = params->family;
    uint32_t alen = addr_len(family);
    uint8_t *src = (uint8_t *)(family == AF_INET4 ? (void *)&params->ipv4_src : (void *)params->ipv6_src);
    uint8_t *dst = (uint8_t *)(family == AF_INET4 ? (void *)&params->ipv4_dst : (void *)params->ipv6_dst);
    if (family == AF_INET6 && (ipv6_strict(dst) || ipv6_strict(src)))
        return BPF_FIB_LKUP_RET_NOT_FWDED;
    const struct bpfrt_netdev *in = dev_find(f, params->ifindex);
    if (!in)
        return -BPFRT_ENODEV;
    if (in->no_forwarding)
        return BPF_FIB_LKUP_RET_FWD_DISABLED;
    uint32_t oif = (flags & BPF_FIB_LOOKUP_OUTPUT) ? params->ifindex : 0;

    const struct bpfrt_route *r = NULL;
    if (flags & BPF_FIB_LOOKUP_DIRECT) {
        uint32_t table = BPFRT_RT_TABLE_MAIN;
        if (flags & BPF_FIB_LOOKUP_TBID) {
            table = params->tbid;
            params->tbid = 0; /* zeroed for the vlan output, as Linux */
        }
        if (!table_has_routes(f, family, table))
            return BPF_FIB_LKUP_RET_NOT_FWDED;
        r = route_in(f, family, table, dst, oif);
    } else {
        static const uint32_t rules[] = { BPFRT_RT_TABLE_LOCAL, BPFRT_RT_TABLE_MAIN, BPFRT_RT_TABLE_DEFAULT };
        for (uint32_t i = 0; i < 3 && !r; i++)
            r = route_in(f, family, rules[i], dst, oif);
    }
    if (!r)
        return BPF_FIB_LKUP_RET_NOT_FWDED;
    switch (r->type) {
    case BPFRT_ROUTE_UNICAST:
        break;
    case BPFRT_ROUTE_BLACKHOLE:
        return BPF_FIB_LKUP_RET_BLACKHOLE;
    case BPFRT_ROUTE_UNREACHABLE:
        return BPF_FIB_LKUP_RET_UNREACHABLE;
    case BPFRT_ROUTE_PROHIBIT:
        return BPF_FIB_LKUP_RET_PROHIBIT;
    default:
        return BPF_FIB_LKUP_RET_NOT_FWDED;
    }
    const struct bpfrt_netdev *out = dev_find(f, r->ifindex);
    if (!out) /* its device was replaced by nothing: no route */
        return BPF_FIB_LKUP_RET_NOT_FWDED;
    uint32_t out_mtu = out->mtu ? out->mtu : DEFAULT_MTU;
    uint32_t mtu = 0;
    if (check_mtu) {
        mtu = r->mtu ? r->mtu : out_mtu;
        if (params->tot_len > mtu) {
            params->mtu_result = (uint16_t)mtu;
            return BPF_FIB_LKUP_RET_FRAG_NEEDED;
        }
    }
    params->rt_metric = r->metric;
    params->ifindex = out->ifindex;
    if (flags & BPF_FIB_LOOKUP_SRC) {
        const uint8_t *s = !all_zero(r->prefsrc, alen) ? r->prefsrc : family == AF_INET4 ? out->ipv4 : out->ipv6;
        if (family == AF_INET6 && all_zero(s, 16))
            return BPF_FIB_LKUP_RET_NO_SRC_ADDR;
        bpfrt_memcpy(src, s, alen);
    }
    uint8_t nh_family = family;
    if (r->gw_family) {
        nh_family = r->gw_family;
        if (family == AF_INET4 && r->gw_family == AF_INET6) {
            params->family = AF_INET6; /* an IPv4 route via an IPv6 gateway (RFC 5549) */
            dst = (uint8_t *)params->ipv6_dst;
        }
        bpfrt_memcpy(dst, r->gw, addr_len(r->gw_family));
    }
    if (!(flags & BPF_FIB_LOOKUP_SKIP_NEIGH)) {
        const struct bpfrt_neigh *n = neigh_find(f, out->ifindex, nh_family, dst);
        if (!n)
            return BPF_FIB_LKUP_RET_NO_NEIGH;
        bpfrt_memcpy(params->dmac, n->mac, 6);
        bpfrt_memcpy(params->smac, out->mac, 6);
    }
    params->h_vlan_proto = 0;
    params->h_vlan_TCI = 0;
    if (mtu)
        params->mtu_result = (uint16_t)mtu;
    *dev_mtu = out_mtu;
    return BPF_FIB_LKUP_RET_SUCCESS;
}

#define FIB_FLAGS_ALL (BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SKIP_NEIGH | \
                       BPF_FIB_LOOKUP_TBID | BPF_FIB_LOOKUP_SRC | BPF_FIB_LOOKUP_MARK)

/* bpf_fib_lookup(ctx, params, plen, flags). XDP programs always check the
 * MTU against tot_len; skb programs only when tot_len is set, else the
 * packet itself must fit the egress device (is_skb_forwardable) and
 * mtu_result gets its MTU. */
BPFRT_HELPER_DEF(fib_lookup)
{
    struct bpf_fib_lookup *params = bpfrt_u2p(r2);
    uint32_t plen = (uint32_t)r3, flags = (uint32_t)r4;
    if (plen < sizeof(*params) || (flags & ~(uint32_t)FIB_FLAGS_ALL))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if (!family_ok(params->family))
        return bpfrt_helper_err(-BPFRT_EAFNOSUPPORT);
    struct bpfrt_fib *f = fib_get(run->rt, false);
    if (!f)
        return BPF_FIB_LKUP_RET_NOT_FWDED;
    bool xdp = bpfrt_helper_prog_type(run) == BPF_PROG_TYPE_XDP;
    bool check_mtu = xdp || params->tot_len;
    uint32_t dev_mtu = 0;
    bpfrt_raw_spin_lock(&f->lock);
    bool empty = f->ndevs == 0 && f->nroutes == 0;
    long rc = empty ? BPF_FIB_LKUP_RET_NOT_FWDED : lookup(f, params, flags, check_mtu, &dev_mtu);
    bpfrt_raw_spin_unlock(&f->lock);
    if (rc == BPF_FIB_LKUP_RET_SUCCESS && !check_mtu) {
        const struct bpfrt_pkt *pkt = run->pkt;
        uint64_t len = pkt ? (uint64_t)(pkt->data_end - pkt->data) : 0;
        if (len > (uint64_t)dev_mtu + BPFRT_ETH_HLEN + VLAN_HLEN)
            rc = BPF_FIB_LKUP_RET_FRAG_NEEDED;
        params->mtu_result = (uint16_t)dev_mtu;
    }
    return (uint64_t)rc;
}

/* bpf_check_mtu(ctx, ifindex, &mtu_len, len_diff, flags) (Linux 6.18's
 * bpf_skb_check_mtu / bpf_xdp_check_mtu): does a packet of the context's
 * length (or *mtu_len, an L3 length, when non-zero) plus len_diff fit the
 * device's MTU plus its Ethernet header? ifindex 0 is the packet's own
 * device (__sk_buff.ifindex, xdp_md.ingress_ifindex); another must be a
 * device the embedder installed (else -ENODEV, as Linux for an unknown
 * index). Loopback (ifindex 1, where test runs say packets arrive) need
 * not be installed: it is Linux's, MTU 65536. Nor need the packet's own
 * device: bpfrt then uses an Ethernet device of the default MTU (1500).
 * The header length is Ethernet's for every device. *mtu_len gets the MTU; the
 * result is BPF_MTU_CHK_RET_SUCCESS or _FRAG_NEEDED. bpfrt's packets are
 * never GSO, so BPF_MTU_CHK_SEGS (skb only, with len_diff and *mtu_len 0)
 * checks the length as it is; xdp takes no flags (-EINVAL). */
#define BPF_MTU_CHK_SEGS 1u
#define BPF_MTU_CHK_RET_SUCCESS 0
#define BPF_MTU_CHK_RET_FRAG_NEEDED 1
#define LOOPBACK_IFINDEX 1u
#define LOOPBACK_MTU 65536u

BPFRT_HELPER_DEF(check_mtu)
{
    uint32_t ifindex = (uint32_t)r2, *mtu_len = bpfrt_u2p(r3);
    int32_t len_diff = (int32_t)r4;
    bool xdp = bpfrt_helper_prog_type(run) == BPF_PROG_TYPE_XDP;
    if (xdp ? r5 != 0 : (r5 & ~(uint64_t)BPF_MTU_CHK_SEGS) != 0)
        return bpfrt_helper_err(-BPFRT_EINVAL);
    if ((r5 & BPF_MTU_CHK_SEGS) && (len_diff || *mtu_len))
        return bpfrt_helper_err(-BPFRT_EINVAL);
    const struct bpfrt_pkt *pkt = run->pkt;
    int64_t len = pkt ? (int64_t)(pkt->data_end - pkt->data) : 0;
    uint32_t own = 0;
    if (xdp) {
        const struct xdp_md *md = run->ctx;
        own = md ? md->ingress_ifindex : 0;
    } else {
        const struct __sk_buff *skb = bpfrt_skb_view(run);
        own = skb ? skb->ifindex : 0;
        len = skb ? skb->len : len;
    }
    uint32_t mtu = DEFAULT_MTU;
    struct bpfrt_fib *f = fib_get(run->rt, false);
    if (f)
        bpfrt_raw_spin_lock(&f->lock);
    uint32_t want = ifindex ? ifindex : own;
    const struct bpfrt_netdev *dev = f ? dev_find(f, want) : NULL;
    if (dev && dev->mtu)
        mtu = dev->mtu;
    if (f)
        bpfrt_raw_spin_unlock(&f->lock);
    if (!dev && want == LOOPBACK_IFINDEX)
        mtu = LOOPBACK_MTU;
    else if (!dev && ifindex)
        return bpfrt_helper_err(-BPFRT_ENODEV);
    if (*mtu_len)
        len = (int64_t)*mtu_len + BPFRT_ETH_HLEN;
    len += len_diff;
    *mtu_len = mtu;
    return len <= (int64_t)mtu + BPFRT_ETH_HLEN ? BPF_MTU_CHK_RET_SUCCESS : BPF_MTU_CHK_RET_FRAG_NEEDED;
}
