/* bpf_fib_lookup over the routing table an embedder installs
 * (bpfrt_fib_add_netdev/route/neigh), hand-derived from Linux 6.18's
 * bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup: longest prefix then metric,
 * gateways, neighbours and MACs, route types, the MTU check (XDP always,
 * tc only with tot_len, else the packet against the device), DIRECT/TBID,
 * OUTPUT, SRC, SKIP_NEIGH, forwarding disabled, unknown devices; the table
 * API's own errors; and - against the kernel's test run of the same
 * program - the answers that do not depend on the host's routes
 * (argument errors, an unknown device, forwarding off on lo, link-local
 * IPv6), with bpfrt given the same loopback device. bpf_check_mtu too:
 * hand-derived from bpf_skb_check_mtu / bpf_xdp_check_mtu (the packet or
 * the given L3 length plus len_diff against MTU + Ethernet header; unknown
 * devices, bad flags), and against the kernel's test run on loopback. */
#include "test_helpers_util.h"

#include <arpa/inet.h>
#include <unistd.h>

#include "kernel_bpf.h"

static const struct bpfrt_ctx_desc xdp_desc = { .prog_type = BPF_PROG_TYPE_XDP };
static const struct bpfrt_ctx_desc tc_desc = { .prog_type = BPF_PROG_TYPE_SCHED_CLS };

static void as_xdp(void) { run.ctx_desc = &xdp_desc; }
static void as_tc(void) { run.ctx_desc = &tc_desc; }

static uint32_t v4(const char *s)
{
    struct in_addr a;
    inet_pton(AF_INET, s, &a);
    return a.s_addr;
}

static void v6(const char *s, void *out)
{
    inet_pton(AF_INET6, s, out);
}

static struct bpf_fib_lookup q4(uint32_t ifindex, const char *dst)
{
    struct bpf_fib_lookup p;
    memset(&p, 0, sizeof(p));
    p.family = 2;
    p.ifindex = ifindex;
    p.ipv4_dst = v4(dst);
    return p;
}

static int64_t fib(struct bpf_fib_lookup *p, uint32_t flags)
{
    return (int64_t)call(BPF_FUNC_fib_lookup, 0, P(p), sizeof(*p), flags, 0);
}

static const uint8_t mac2[6] = { 2, 0, 0, 0, 0, 2 }, mac3[6] = { 2, 0, 0, 0, 0, 3 };
static const uint8_t gw_mac[6] = { 0xaa, 0, 0, 0, 0, 1 }, host_mac[6] = { 0xbb, 0, 0, 0, 0, 3 };
static const uint8_t gw6_mac[6] = { 0xcc, 0, 0, 0, 0, 1 };

static void add_route4(const char *dst, uint8_t plen, const char *gw, uint32_t dev, uint32_t metric,
                       uint8_t type, uint32_t table)
{
    struct bpfrt_route r;
    memset(&r, 0, sizeof(r));
    r.family = 2;
    r.prefix_len = plen;
    r.type = type;
    r.table = table;
    r.ifindex = dev;
    r.metric = metric;
    uint32_t d = v4(dst);
    memcpy(r.dst, &d, 4);
    if (gw) {
        r.gw_family = 2;
        uint32_t g = v4(gw);
        memcpy(r.gw, &g, 4);
    }
    CHECK_EQ(bpfrt_fib_add_route(rt, &r), 0);
}

static void add_neigh4(const char *ip, uint32_t dev, const uint8_t mac[6])
{
    struct bpfrt_neigh n = { .ifindex = dev, .family = 2 };
    uint32_t a = v4(ip);
    memcpy(n.addr, &a, 4);
    memcpy(n.mac, mac, 6);
    CHECK_EQ(bpfrt_fib_add_neigh(rt, &n), 0);
}

static void install_table(void)
{
    struct bpfrt_netdev d2 = { .ifindex = 2, .mtu = 1500 }, d3 = { .ifindex = 3, .mtu = 1400 };
    struct bpfrt_netdev d5 = { .ifindex = 5, .no_forwarding = true };
    memcpy(d2.mac, mac2, 6);
    memcpy(d3.mac, mac3, 6);
    uint32_t a2 = v4("192.0.2.2");
    memcpy(d2.ipv4, &a2, 4);
    v6("fd00::2", d2.ipv6);
    CHECK_EQ(bpfrt_fib_add_netdev(rt, &d2), 0);
    CHECK_EQ(bpfrt_fib_add_netdev(rt, &d3), 0);
    CHECK_EQ(bpfrt_fib_add_netdev(rt, &d5), 0);
    add_route4("10.0.0.0", 8, "192.0.2.1", 2, 10, 0, 0);
    add_route4("10.1.0.0", 16, NULL, 3, 5, 0, 0);
    add_route4("10.1.0.0", 16, "192.0.2.1", 2, 50, 0, 0); /* same prefix, worse metric */
    add_route4("0.0.0.0", 0, "192.0.2.254", 2, 100, 0, 0);
    add_route4("10.9.9.9", 32, NULL, 0, 0, BPFRT_ROUTE_BLACKHOLE, 0);
    add_route4("10.8.0.0", 16, NULL, 0, 0, BPFRT_ROUTE_UNREACHABLE, 0);
    add_route4("10.7.0.0", 16, NULL, 0, 0, BPFRT_ROUTE_PROHIBIT, 0);
    add_route4("10.6.0.0", 16, NULL, 2, 0, BPFRT_ROUTE_LOCAL, BPFRT_RT_TABLE_LOCAL);
    add_route4("0.0.0.0", 0, "192.0.2.99", 2, 0, 0, 100);
    add_neigh4("192.0.2.1", 2, gw_mac);
    add_neigh4("10.1.2.3", 3, host_mac);
    struct bpfrt_route r6;
    memset(&r6, 0, sizeof(r6));
    r6.family = 10;
    r6.prefix_len = 64;
    v6("fd01::", r6.dst);
    r6.gw_family = 10;
    v6("fd00::1", r6.gw);
    r6.ifindex = 2;
    r6.metric = 1024;
    r6.mtu = 1280;
    CHECK_EQ(bpfrt_fib_add_route(rt, &r6), 0);
    struct bpfrt_neigh n6 = { .ifindex = 2, .family = 10 };
    v6("fd00::1", n6.addr);
    memcpy(n6.mac, gw6_mac, 6);
    CHECK_EQ(bpfrt_fib_add_neigh(rt, &n6), 0);
}

static void test_no_table(void)
{
    as_xdp();
    struct bpf_fib_lookup p = q4(2, "10.2.3.4");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_NOT_FWDED);
    CHECK_EQ(p.ifindex, 2); /* untouched */
}

static void test_forwarding(void)
{
    as_xdp();
    /* via a gateway: next hop, its MAC, ours, the metric, the MTU */
    struct bpf_fib_lookup p = q4(2, "10.2.3.4");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.ifindex, 2);
    CHECK_EQ(p.ipv4_dst, v4("192.0.2.1"));
    CHECK(memcmp(p.dmac, gw_mac, 6) == 0 && memcmp(p.smac, mac2, 6) == 0);
    CHECK_EQ(p.rt_metric, 10);
    CHECK_EQ(p.mtu_result, 1500);
    CHECK_EQ(p.h_vlan_proto, 0);
    /* the longer prefix wins; among equal prefixes the lower metric */
    p = q4(2, "10.1.2.3");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.ifindex, 3);
    CHECK_EQ(p.ipv4_dst, v4("10.1.2.3")); /* directly connected: the destination itself */
    CHECK(memcmp(p.dmac, host_mac, 6) == 0 && memcmp(p.smac, mac3, 6) == 0);
    CHECK_EQ(p.rt_metric, 5);
    CHECK_EQ(p.mtu_result, 1400);
    /* no neighbour: NO_NEIGH; SKIP_NEIGH forwards without MACs */
    p = q4(2, "10.1.9.9");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_NO_NEIGH);
    p = q4(2, "10.1.9.9");
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_SKIP_NEIGH), BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.ifindex, 3);
    CHECK(p.dmac[0] == 0 && p.smac[0] == 0);
    p = q4(2, "8.8.8.8");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_NO_NEIGH); /* the default gateway has no neighbour */
    CHECK_EQ(p.ipv4_dst, v4("192.0.2.254"));
}

static void test_route_types_and_errors(void)
{
    as_xdp();
    static const struct {
        const char *dst;
        int64_t want;
    } cases[] = {
        { "10.9.9.9", BPF_FIB_LKUP_RET_BLACKHOLE }, { "10.8.1.1", BPF_FIB_LKUP_RET_UNREACHABLE },
        { "10.7.1.1", BPF_FIB_LKUP_RET_PROHIBIT },  { "10.6.1.1", BPF_FIB_LKUP_RET_NOT_FWDED },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bpf_fib_lookup p = q4(2, cases[i].dst);
        CHECK_EQ(fib(&p, 0), cases[i].want);
    }
    struct bpf_fib_lookup p = q4(4, "10.2.3.4");
    CHECK_EQ(fib(&p, 0), -BPFRT_ENODEV);
    p = q4(5, "10.2.3.4");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_FWD_DISABLED);
    p = q4(2, "10.2.3.4");
    CHECK_EQ((int64_t)call(BPF_FUNC_fib_lookup, 0, P(&p), sizeof(p) - 1, 0, 0), -BPFRT_EINVAL);
    CHECK_EQ(fib(&p, 1u << 6), -BPFRT_EINVAL);
    p.family = 3;
    CHECK_EQ(fib(&p, 0), -BPFRT_EAFNOSUPPORT);
}

static void test_mtu(void)
{
    /* XDP always checks tot_len: too big is FRAG_NEEDED with the MTU */
    as_xdp();
    struct bpf_fib_lookup p = q4(2, "10.1.2.3");
    p.tot_len = 1450;
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_FRAG_NEEDED);
    CHECK_EQ(p.mtu_result, 1400);
    /* tc without tot_len: the packet itself must fit the egress device */
    as_tc();
    uint8_t frame[1600] = { 0 };
    struct bpfrt_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.buf = pkt.data = frame;
    pkt.data_end = frame + 1000;
    run.pkt = &pkt;
    p = q4(2, "10.1.2.3");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.mtu_result, 1400);
    pkt.data_end = frame + 1400 + 14 + 4 + 1;
    p = q4(2, "10.1.2.3");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_FRAG_NEEDED);
    CHECK_EQ(p.mtu_result, 1400);
    run.pkt = NULL;
    as_xdp();
}

static void test_flags(void)
{
    as_xdp();
    /* DIRECT + TBID: only that table; tbid is zeroed */
    struct bpf_fib_lookup p = q4(2, "8.8.8.8");
    p.tbid = 100;
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID | BPF_FIB_LOOKUP_SKIP_NEIGH),
             BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.ipv4_dst, v4("192.0.2.99"));
    CHECK_EQ(p.tbid, 0);
    p = q4(2, "8.8.8.8");
    p.tbid = 101;
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID), BPF_FIB_LKUP_RET_NOT_FWDED);
    /* DIRECT alone: the main table only, so the local 10.6/16 route is not
     * seen and 10/8 via 192.0.2.1 forwards */
    p = q4(2, "10.6.1.1");
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_DIRECT), BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.ipv4_dst, v4("192.0.2.1"));
    /* OUTPUT: only routes through the given device */
    p = q4(3, "10.2.3.4");
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_OUTPUT), BPF_FIB_LKUP_RET_NOT_FWDED);
    p = q4(3, "10.1.2.3");
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_OUTPUT), BPF_FIB_LKUP_RET_SUCCESS);
    /* SRC: the route's device address */
    p = q4(2, "10.2.3.4");
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_SRC), BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.ipv4_src, v4("192.0.2.2"));
}

static void test_ipv6(void)
{
    as_xdp();
    struct bpf_fib_lookup p;
    memset(&p, 0, sizeof(p));
    p.family = 10;
    p.ifindex = 2;
    v6("fd01::5", p.ipv6_dst);
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_SUCCESS);
    uint8_t gw[16];
    v6("fd00::1", gw);
    CHECK(memcmp(p.ipv6_dst, gw, 16) == 0);
    CHECK(memcmp(p.dmac, gw6_mac, 6) == 0);
    CHECK_EQ(p.mtu_result, 1280); /* the route's MTU */
    CHECK_EQ(p.rt_metric, 1024);
    memset(&p, 0, sizeof(p));
    p.family = 10;
    p.ifindex = 2;
    v6("fd01::5", p.ipv6_dst);
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_SRC | BPF_FIB_LOOKUP_SKIP_NEIGH), BPF_FIB_LKUP_RET_SUCCESS);
    uint8_t src[16];
    v6("fd00::2", src);
    CHECK(memcmp(p.ipv6_src, src, 16) == 0);
    /* link-local is never forwarded, checked before the device */
    memset(&p, 0, sizeof(p));
    p.family = 10;
    p.ifindex = 99;
    v6("fe80::1", p.ipv6_dst);
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_NOT_FWDED);
    v6("fd02::1", p.ipv6_dst);
    p.ifindex = 2;
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_NOT_FWDED); /* no IPv6 route */
    memset(&p, 0, sizeof(p));
    p.family = 10;
    p.ifindex = 3; /* dev 3 has no IPv6 address: SRC fails */
    v6("fd01::5", p.ipv6_dst);
    struct bpfrt_route r;
    memset(&r, 0, sizeof(r));
    r.family = 10;
    r.prefix_len = 16;
    v6("fd01::", r.dst);
    r.ifindex = 3;
    CHECK_EQ(bpfrt_fib_add_route(rt, &r), 0);
    p.ifindex = 3;
    CHECK_EQ(fib(&p, BPF_FIB_LOOKUP_SRC | BPF_FIB_LOOKUP_OUTPUT), BPF_FIB_LKUP_RET_NO_SRC_ADDR);
}

static void test_table_api(void)
{
    struct bpfrt_route r;
    memset(&r, 0, sizeof(r));
    r.family = 2;
    r.prefix_len = 33;
    CHECK_EQ(bpfrt_fib_add_route(rt, &r), -BPFRT_EINVAL);
    r.prefix_len = 8;
    r.ifindex = 42;
    CHECK_EQ(bpfrt_fib_add_route(rt, &r), -BPFRT_ENODEV);
    r.family = 7;
    CHECK_EQ(bpfrt_fib_add_route(rt, &r), -BPFRT_EINVAL);
    struct bpfrt_netdev d = { 0 };
    CHECK_EQ(bpfrt_fib_add_netdev(rt, &d), -BPFRT_EINVAL);
    struct bpfrt_neigh n = { .ifindex = 42, .family = 2 };
    CHECK_EQ(bpfrt_fib_add_neigh(rt, &n), -BPFRT_ENODEV);
    bpfrt_fib_clear(rt);
    as_xdp();
    struct bpf_fib_lookup p = q4(2, "10.2.3.4");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_NOT_FWDED);
}

/* The text form (the CLI's --fib FILE). */
static void test_text(void)
{
    static const char table[] =
        "# a router with two ports\n"
        "dev 2 mac 02:00:00:00:00:02 mtu 1500 addr 192.0.2.2 addr6 fd00::2\n"
        "dev 3 mac 02:00:00:00:00:03 mtu 1400 noforward\n"
        "route 10.0.0.0/8 via 192.0.2.1 dev 2 metric 10   # via the gateway\n"
        "route default via 192.0.2.254 dev 2\n"
        "route blackhole 10.9.9.9\n"
        "route -6 fd01::/64 via fd00::1 dev 2 mtu 1280\n"
        "neigh 192.0.2.1 dev 2 lladdr aa:00:00:00:00:01\n"
        "neigh fd00::1 dev 2 lladdr cc:00:00:00:00:01\n";
    char err[128];
    bpfrt_fib_clear(rt);
    CHECK_EQ(bpfrt_fib_load_text(rt, table, sizeof(table) - 1, err, sizeof(err)), 0);
    as_xdp();
    struct bpf_fib_lookup p = q4(2, "10.2.3.4");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.ipv4_dst, v4("192.0.2.1"));
    CHECK(memcmp(p.dmac, gw_mac, 6) == 0 && memcmp(p.smac, mac2, 6) == 0);
    CHECK_EQ(p.rt_metric, 10);
    p = q4(2, "10.9.9.9");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_BLACKHOLE);
    p = q4(3, "10.2.3.4");
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_FWD_DISABLED);
    memset(&p, 0, sizeof(p));
    p.family = 10;
    p.ifindex = 2;
    v6("fd01::7", p.ipv6_dst);
    CHECK_EQ(fib(&p, 0), BPF_FIB_LKUP_RET_SUCCESS);
    CHECK_EQ(p.mtu_result, 1280);
    CHECK(memcmp(p.dmac, gw6_mac, 6) == 0);
    /* errors name their line */
    static const char bad1[] = "dev 2\nroute 10.0.0.0/40 dev 2\n";
    CHECK_EQ(bpfrt_fib_load_text(rt, bad1, sizeof(bad1) - 1, err, sizeof(err)), -BPFRT_EINVAL);
    CHECK(strncmp(err, "line 2:", 7) == 0);
    static const char bad2[] = "neigh 10.0.0.1 dev 77 lladdr aa:00:00:00:00:01\n";
    CHECK_EQ(bpfrt_fib_load_text(rt, bad2, sizeof(bad2) - 1, err, sizeof(err)), -BPFRT_ENODEV);
    CHECK(strncmp(err, "line 1:", 7) == 0);
    static const char bad3[] = "dev 2 mac 02:00:00:00:00\n";
    CHECK_EQ(bpfrt_fib_load_text(rt, bad3, sizeof(bad3) - 1, err, sizeof(err)), -BPFRT_EINVAL);
    static const char bad4[] = "bridge 1\n";
    CHECK_EQ(bpfrt_fib_load_text(rt, bad4, sizeof(bad4) - 1, err, sizeof(err)), -BPFRT_EINVAL);
    static const char bad5[] = "route fd00:::1/64 dev 2\n";
    CHECK_EQ(bpfrt_fib_load_text(rt, bad5, sizeof(bad5) - 1, err, sizeof(err)), -BPFRT_EINVAL);
    bpfrt_fib_clear(rt);
}

static int64_t check_mtu(uint32_t ifindex, uint32_t *mtu, int32_t len_diff, uint64_t flags)
{
    return (int64_t)call(BPF_FUNC_check_mtu, 0, ifindex, P(mtu), (uint64_t)(int64_t)len_diff, flags);
}

static void test_check_mtu(void)
{
    as_tc();
    uint8_t frame[1600] = { 0 };
    struct bpfrt_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.buf = pkt.data = frame;
    pkt.data_end = frame + 1414; /* device 3: MTU 1400, fits with its 14-byte header */
    run.pkt = &pkt;
    uint32_t mtu = 0;
    CHECK_EQ(check_mtu(3, &mtu, 0, 0), 0);
    CHECK_EQ(mtu, 1400);
    mtu = 0;
    CHECK_EQ(check_mtu(3, &mtu, 1, 0), 1);   /* one byte more: FRAG_NEEDED, still the MTU */
    CHECK_EQ(mtu, 1400);
    mtu = 0;
    CHECK_EQ(check_mtu(3, &mtu, -1000, 0), 0);
    mtu = 1400;                              /* an L3 length in: 1400 + 14 fits */
    CHECK_EQ(check_mtu(3, &mtu, 0, 0), 0);
    mtu = 1401;
    CHECK_EQ(check_mtu(3, &mtu, 0, 0), 1);
    mtu = 0;
    CHECK_EQ(check_mtu(2, &mtu, 0, 0), 0);   /* device 2: MTU 1500 */
    CHECK_EQ(mtu, 1500);
    mtu = 0;                                 /* the packet's own device, not installed: 1500 */
    CHECK_EQ(check_mtu(0, &mtu, 0, 0), 0);
    CHECK_EQ(mtu, 1500);
    mtu = 0;                                 /* loopback needs no installing: 65536 */
    CHECK_EQ(check_mtu(1, &mtu, 0, 0), 0);
    CHECK_EQ(mtu, 65536);
    mtu = 7;
    CHECK_EQ(check_mtu(77, &mtu, 0, 0), -BPFRT_ENODEV);
    CHECK_EQ(mtu, 7);                        /* untouched on error */
    mtu = 0;
    CHECK_EQ(check_mtu(3, &mtu, 0, 1), 0);   /* BPF_MTU_CHK_SEGS, not GSO: the length as it is */
    CHECK_EQ(check_mtu(3, &mtu, 1, 1), -BPFRT_EINVAL);  /* SEGS with len_diff */
    mtu = 5;
    CHECK_EQ(check_mtu(3, &mtu, 0, 1), -BPFRT_EINVAL);  /* SEGS with *mtu_len */
    CHECK_EQ(check_mtu(3, &mtu, 0, 2), -BPFRT_EINVAL);  /* unknown flag */
    as_xdp();                                /* XDP takes no flags at all */
    mtu = 0;
    CHECK_EQ(check_mtu(3, &mtu, 0, 1), -BPFRT_EINVAL);
    CHECK_EQ(check_mtu(3, &mtu, 1, 0), 1);
    run.pkt = NULL;
}

/* ---- against the kernel: answers that do not depend on the host's routes ----
 * An XDP program fills params on its stack and calls bpf_fib_lookup; bpfrt
 * gets the loopback device (ifindex 1) with forwarding as this host has it. */

/* Loads an XDP program into the kernel and test-runs it once on a zeroed
 * 64-byte frame (loopback): its r0, or INT32_MIN when the load fails. */
static int32_t kernel_xdp_result(const struct bpf_insn *prog, uint32_t n)
{
    long fd = kbpf_prog_load(BPF_PROG_TYPE_XDP, prog, n, 0, NULL, 0);
    if (fd < 0)
        return INT32_MIN;
    uint8_t pkt[64] = { 0 };
    uint32_t ret = 0;
    kbpf_test_run(fd, pkt, sizeof(pkt), NULL, NULL, &ret);
    close((int)fd);
    return (int32_t)ret;
}

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static int32_t kernel_fib(const struct bpf_fib_lookup *p, int32_t plen, int32_t flags)
{
    struct bpf_insn prog[40];
    uint32_t n = 0;
    const uint32_t *w = (const uint32_t *)(const void *)p;
    for (int i = 0; i < 16; i++)
        prog[n++] = I(BPF_ST | BPF_MEM | BPF_W, 10, 0, (int16_t)(-64 + 4 * i), (int32_t)w[i]);
    prog[n++] = I(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
    prog[n++] = I(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -64);
    prog[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, plen);
    prog[n++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, flags);
    prog[n++] = I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_fib_lookup);
    prog[n++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    return kernel_xdp_result(prog, n);
}

static int read_int(const char *path)
{
    FILE *f = fopen(path, "r");
    int v = -1;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

/* An XDP program calls bpf_check_mtu(ctx, ifindex, &mtu_len, len_diff,
 * flags) and returns its result, or mtu_len when it is 0; the kernel's test
 * run gets a 64-byte frame on loopback. */
static int32_t kernel_check_mtu(uint32_t ifindex, uint32_t mtu_in, int32_t len_diff, int32_t flags)
{
    struct bpf_insn prog[] = {
        I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, (int32_t)mtu_in),
        I(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)ifindex),
        I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0),
        I(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -4),
        I(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, len_diff),
        I(BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, flags),
        I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_check_mtu),
        I(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 1, 0),
        I(BPF_LDX | BPF_MEM | BPF_W, 0, 10, -4, 0),
        I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
    };
    return kernel_xdp_result(prog, sizeof(prog) / sizeof(prog[0]));
}

static void test_check_mtu_vs_kernel(void)
{
    if (!kbpf_available()) {
        printf("note: kernel comparison skipped (bpf(2) not permitted)\n");
        return;
    }
    static const struct { uint32_t ifindex, mtu_in; int32_t len_diff, flags; } cases[] = {
        { 1, 0, 0, 0 },          /* lo's MTU */
        { 1, 0, 65486, 0 },      /* 64 + 65486 = 65536 + 14: fits */
        { 1, 0, 65487, 0 },      /* one more: FRAG_NEEDED */
        { 1, 65536, 0, 0 },      /* an L3 length in */
        { 1, 65537, 0, 0 },
        { 1, 0, -100, 0 },
        { 9999, 0, 0, 0 },       /* no such device */
        { 1, 0, 0, 1 },          /* XDP takes no flags */
    };
    uint8_t frame[64] = { 0 };
    struct bpfrt_pkt pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.buf = pkt.data = frame;
    pkt.data_end = frame + sizeof(frame);
    run.pkt = &pkt;
    as_xdp();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t mtu = cases[i].mtu_in;
        int32_t mine = (int32_t)check_mtu(cases[i].ifindex, &mtu, cases[i].len_diff, (uint64_t)cases[i].flags);
        if (mine == 0)
            mine = (int32_t)mtu;
        int32_t theirs = kernel_check_mtu(cases[i].ifindex, cases[i].mtu_in, cases[i].len_diff, cases[i].flags);
        if (mine != theirs)
            fprintf(stderr, "check_mtu case %zu: bpfrt %d, kernel %d\n", i, mine, theirs);
        CHECK_EQ(mine, theirs);
    }
    run.pkt = NULL;
}

static void test_vs_kernel(void)
{
    if (!kbpf_available()) {
        printf("note: kernel comparison skipped (bpf(2) not permitted)\n");
        return;
    }
    int fwd4 = read_int("/proc/sys/net/ipv4/conf/lo/forwarding");
    int fwd6 = read_int("/proc/sys/net/ipv6/conf/lo/forwarding");
    if (fwd4 != 0 || fwd6 != 0) {
        printf("SKIP: lo forwards here: the kernel's answers depend on this host's routes\n");
        return;
    }
    bpfrt_fib_clear(rt);
    struct bpfrt_netdev lo = { .ifindex = 1, .mtu = 65536, .no_forwarding = true };
    CHECK_EQ(bpfrt_fib_add_netdev(rt, &lo), 0);
    as_xdp();
    struct bpf_fib_lookup cases[6];
    int32_t plen[6], flags[6];
    for (int i = 0; i < 6; i++) {
        memset(&cases[i], 0, sizeof(cases[i]));
        plen[i] = (int32_t)sizeof(cases[i]);
        flags[i] = 0;
    }
    cases[0] = q4(1, "8.8.8.8");                 /* lo does not forward */
    cases[1] = q4(9999, "8.8.8.8");              /* no such device */
    cases[2] = q4(1, "8.8.8.8");
    plen[2] = 63;                                 /* params too short */
    cases[3] = q4(1, "8.8.8.8");
    flags[3] = 1 << 6;                            /* unknown flag */
    cases[4].family = 3;                          /* not IP */
    cases[5].family = 10;                         /* link-local: never forwarded */
    cases[5].ifindex = 9999;
    v6("fe80::1", cases[5].ipv6_dst);
    for (int i = 0; i < 6; i++) {
        struct bpf_fib_lookup b = cases[i];
        int32_t mine = (int32_t)call(BPF_FUNC_fib_lookup, 0, P(&b), (uint64_t)plen[i], (uint64_t)flags[i], 0);
        int32_t theirs = kernel_fib(&cases[i], plen[i], flags[i]);
        if (mine != theirs)
            fprintf(stderr, "fib case %d: bpfrt %d, kernel %d\n", i, mine, theirs);
        CHECK_EQ(mine, theirs);
    }
    bpfrt_fib_clear(rt);
}

int main(void)
{
    helpers_setup();
    RUN(test_no_table);
    install_table();
    RUN(test_forwarding);
    RUN(test_route_types_and_errors);
    RUN(test_mtu);
    RUN(test_check_mtu);
    RUN(test_flags);
    RUN(test_ipv6);
    RUN(test_table_api);
    RUN(test_text);
    RUN(test_vs_kernel);
    RUN(test_check_mtu_vs_kernel);
    bpfrt_runtime_destroy(rt);
    return test_summary();
}
