/* The program corpus, end to end: each tests/progs/NAME.bpf.c object (built by
 * clang for -mcpu=v1, v2, v3, by clang-19 for v4 when present, and without
 * -g for those that need no BTF) is loaded through the object API, run with
 * BPF_PROG_TEST_RUN on crafted inputs, and its return values, output packets
 * and map contents are checked against values derived by hand (or by a C
 * model of the computation written in this file). */
#include <sys/utsname.h>
#include <unistd.h>

#include "test_corpus_util.h"

static const char *variant_now = "";

/* ---- XDP firewall (examples/xdp_firewall.bpf.c) ---- */

struct lpm_v4_key { uint32_t prefixlen; uint8_t addr[4]; };
struct port_rule_key { uint8_t protocol, pad; uint16_t dport; };

static void fw_rules(struct bpfrt_object *obj)
{
    struct lpm_v4_key k = {8, {10, 0, 0, 0}};
    uint32_t one = 1, tx = 3, drop = 1;
    CHECK_EQ(map_update(obj, "blocked_nets", &k, &one, 0), 0);
    struct port_rule_key ssh = {6, 0, 22}, dns = {17, 0, 53};
    CHECK_EQ(map_update(obj, "port_rules", &ssh, &drop, 0), 0);
    CHECK_EQ(map_update(obj, "port_rules", &dns, &tx, 0), 0);
}

static void t_xdp_firewall(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "xdp_firewall");
    CHECK(obj != NULL);
    if (!obj)
        return;
    fw_rules(obj);
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 6, ip4(192, 168, 1, 1), ip4(192, 168, 1, 2), 4000, 22, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_firewall", pkt, n).retval, 1); /* ssh: rule DROP */
    n = build_ipv4(pkt, 17, ip4(192, 168, 1, 1), ip4(192, 168, 1, 2), 4000, 53, 10, 0);
    CHECK_EQ(run_prog(obj, "xdp_firewall", pkt, n).retval, 3); /* dns: rule TX */
    n = build_ipv4(pkt, 17, ip4(10, 1, 2, 3), ip4(192, 168, 1, 2), 4000, 53, 10, 0);
    CHECK_EQ(run_prog(obj, "xdp_firewall", pkt, n).retval, 1); /* blocked 10/8 */
    n = build_ipv4(pkt, 6, ip4(192, 168, 1, 1), ip4(192, 168, 1, 2), 4000, 80, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_firewall", pkt, n).retval, 2); /* default PASS */
    pkt[14 + 6] = 0x20; /* MF: a fragment, dropped by the drop_fragments knob */
    CHECK_EQ(run_prog(obj, "xdp_firewall", pkt, n).retval, 1);
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "xdp_firewall", pkt, n).retval, 2);
    uint32_t drop_key = 1, pass_key = 2, tx_key = 3;
    /* counters: value {packets, bytes} per CPU */
    CHECK_EQ(percpu_sum_u64(obj, "stats", &drop_key, 16, 0), 3);
    CHECK_EQ(percpu_sum_u64(obj, "stats", &pass_key, 16, 0), 2);
    CHECK_EQ(percpu_sum_u64(obj, "stats", &tx_key, 16, 0), 1);
    CHECK_EQ(percpu_sum_u64(obj, "stats", &tx_key, 16, 8), 14 + 20 + 8 + 10);
    CHECK_EQ(percpu_sum_u64(obj, "stats", &pass_key, 16, 8), (14 + 20 + 20) + 42);
    bpfrt_object_close(obj);

    /* The same object with its knobs changed before load. */
    obj = open_obj_opts(v, "xdp_firewall", NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint32_t drop = 1;
    uint8_t no = 0;
    CHECK_EQ(bpfrt_object_set_global(obj, "default_action", &drop, 4), 0);
    CHECK_EQ(bpfrt_object_set_global(obj, "drop_fragments", &no, 1), 0);
    CHECK_EQ(bpfrt_object_set_global(obj, "default_action", &no, 1), -22); /* wrong size */
    CHECK_EQ(bpfrt_object_set_global(obj, "nonexistent", &drop, 4), -2);
    char err[256];
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    CHECK_EQ(bpfrt_object_set_global(obj, "default_action", &drop, 4), -16); /* after load */
    n = build_ipv4(pkt, 6, ip4(192, 168, 1, 1), ip4(192, 168, 1, 2), 4000, 80, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_firewall", pkt, n).retval, 1);
    pkt[14 + 6] = 0x20;
    CHECK_EQ(run_prog(obj, "xdp_firewall", pkt, n).retval, 1); /* default now */
    /* .rodata is frozen: user space cannot write it after load */
    uint32_t zero = 0;
    uint8_t ro[8] = {0};
    CHECK(map_update(obj, ".rodata", &zero, ro, 0) < 0);
    bpfrt_object_close(obj);
}

/* ---- 5-tuple rules ---- */

struct flow_key { uint8_t saddr[4], daddr[4]; uint16_t sport, dport; uint8_t proto, pad[3]; };
struct rule { uint32_t action, hits; };

static void t_xdp_rules_hash(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "xdp_rules_hash");
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct flow_key exact = {{1, 2, 3, 4}, {5, 6, 7, 8}, 1000, 53, 17, {0}};
    struct flow_key any_tcp = {{0}, {0}, 0, 0, 6, {0}};
    struct rule drop = {1, 0}, tx = {3, 0}, got;
    CHECK_EQ(map_update(obj, "rules", &exact, &drop, 0), 0);
    CHECK_EQ(map_update(obj, "rules", &any_tcp, &tx, 0), 0);
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 4, 0);
    CHECK_EQ(run_prog(obj, "xdp_rules", pkt, n).retval, 1);
    CHECK_EQ(run_prog(obj, "xdp_rules", pkt, n).retval, 1);
    CHECK_EQ(map_lookup(obj, "rules", &exact, &got), 0);
    CHECK_EQ(got.hits, 2);
    n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1001, 53, 4, 0);
    CHECK_EQ(run_prog(obj, "xdp_rules", pkt, n).retval, 2); /* no rule */
    n = build_ipv4(pkt, 6, ip4(9, 9, 9, 9), ip4(5, 6, 7, 8), 1, 2, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_rules", pkt, n).retval, 3);
    CHECK_EQ(map_lookup(obj, "rules", &any_tcp, &got), 0);
    CHECK_EQ(got.hits, 1);
    n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 4, 0);
    CHECK_EQ(run_prog(obj, "xdp_rules", pkt, 14 + 20 + 4).retval, 1); /* UDP header cut: DROP */
    pkt[14] = 0x44; /* ihl 4 < 5: parse error -> ABORTED */
    CHECK_EQ(run_prog(obj, "xdp_rules", pkt, n).retval, 0);
    bpfrt_object_close(obj);
}

static void t_xdp_percpu_count(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "xdp_percpu_count");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 18, 0); /* 60 */
    CHECK_EQ(n, 60);
    CHECK_EQ(run_prog(obj, "xdp_count", pkt, n).retval, 2);
    CHECK_EQ(run_prog(obj, "xdp_count", pkt, n).retval, 2);
    n = build_ipv4(pkt, 6, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 20, 0); /* 74 */
    CHECK_EQ(run_prog(obj, "xdp_count", pkt, n).retval, 2);
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "xdp_count", pkt, n).retval, 2);
    uint32_t udp = 17, tcp = 6, other = 0, icmp = 1;
    CHECK_EQ(percpu_sum_u64(obj, "proto_stats", &udp, 16, 0), 2);
    CHECK_EQ(percpu_sum_u64(obj, "proto_stats", &udp, 16, 8), 120);
    CHECK_EQ(percpu_sum_u64(obj, "proto_stats", &tcp, 16, 0), 1);
    CHECK_EQ(percpu_sum_u64(obj, "proto_stats", &tcp, 16, 8), 74);
    CHECK_EQ(percpu_sum_u64(obj, "proto_stats", &other, 16, 8), 42);
    CHECK_EQ(percpu_sum_u64(obj, "proto_stats", &icmp, 16, 0), 0);
    bpfrt_object_close(obj);
}

static void t_xdp_lpm_blocklist(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "xdp_lpm_blocklist");
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct lpm_v4_key k24 = {24, {192, 168, 1, 0}}, k16 = {16, {10, 1, 0, 0}};
    uint64_t zero = 0, got = 0;
    CHECK_EQ(map_update(obj, "blocklist", &k24, &zero, 0), 0);
    CHECK_EQ(map_update(obj, "blocklist", &k16, &zero, 0), 0);
    uint8_t pkt[128];
    uint32_t n = build_ipv4(pkt, 17, ip4(192, 168, 1, 77), ip4(1, 1, 1, 1), 1, 2, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_blocklist", pkt, n).retval, 1);
    n = build_ipv4(pkt, 17, ip4(192, 168, 2, 1), ip4(1, 1, 1, 1), 1, 2, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_blocklist", pkt, n).retval, 2);
    n = build_ipv4(pkt, 6, ip4(10, 1, 255, 3), ip4(1, 1, 1, 1), 1, 2, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_blocklist", pkt, n).retval, 1);
    n = build_ipv4(pkt, 6, ip4(10, 2, 0, 1), ip4(1, 1, 1, 1), 1, 2, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_blocklist", pkt, n).retval, 2);
    CHECK_EQ(map_lookup(obj, "blocklist", &k24, &got), 0);
    CHECK_EQ(got, 1);
    CHECK_EQ(map_lookup(obj, "blocklist", &k16, &got), 0);
    CHECK_EQ(got, 1);
    bpfrt_object_close(obj);
}

static void t_socket_dns_filter(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "socket_dns_filter");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 3333, 53, 30, 0);
    /* a socket filter sees the packet from the network header: len = frame - 14 */
    CHECK_EQ(run_prog(obj, "dns_only", pkt, n).retval, n - 14);
    n = build_ipv4(pkt, 17, ip4(8, 8, 8, 8), ip4(1, 1, 1, 1), 53, 3333, 30, 0);
    CHECK_EQ(run_prog(obj, "dns_only", pkt, n).retval, n - 14);
    n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 3333, 80, 30, 0);
    CHECK_EQ(run_prog(obj, "dns_only", pkt, n).retval, 0);
    n = build_ipv4(pkt, 6, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 3333, 53, 0, 0);
    CHECK_EQ(run_prog(obj, "dns_only", pkt, n).retval, 0);
    bpfrt_object_close(obj);
}

static void t_tc_dscp_classifier(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tc_dscp_classifier");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint32_t ef = 46, cs1 = 8, be = 0, p5 = 5, p0 = 0, p1 = 1;
    CHECK_EQ(map_update(obj, "dscp_prio", &ef, &p5, 0), 0);
    CHECK_EQ(map_update(obj, "dscp_prio", &cs1, &p0, 0), 0);
    CHECK_EQ(map_update(obj, "dscp_prio", &be, &p1, 0), 0);
    uint8_t pkt[128];
    struct __sk_buff skb;
    memset(&skb, 0, sizeof(skb));
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 8, 46 << 2);
    struct run_result r = run_prog_ctx(obj, "classify", pkt, n, &skb, sizeof(skb), sizeof(skb));
    CHECK_EQ(r.retval, 0);
    struct __sk_buff out;
    memcpy(&out, r.ctx_out, sizeof(out));
    CHECK_EQ(r.ctx_out_len, sizeof(out));
    CHECK_EQ(out.priority, 5);
    CHECK_EQ(out.mark, 0x100 | 46);
    n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 8, 8 << 2);
    CHECK_EQ(run_prog(obj, "classify", pkt, n).retval, 2); /* CS1: SHOT */
    n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 8, 0);
    r = run_prog_ctx(obj, "classify", pkt, n, &skb, sizeof(skb), sizeof(skb));
    CHECK_EQ(r.retval, 0);
    memcpy(&out, r.ctx_out, sizeof(out));
    CHECK_EQ(out.priority, 1);
    CHECK_EQ(out.mark, 0x100);
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "classify", pkt, n).retval, 0);
    bpfrt_object_close(obj);
}

static void t_global_knobs(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "global_knobs");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[128];
    uint32_t n = build_arp(pkt); /* 42 < min_len 60 */
    CHECK_EQ(run_prog(obj, "xdp_knobs", pkt, n).retval, 1);
    n = build_ipv4(pkt, 17, 1, 2, 3, 4, 58, 0); /* 100 */
    CHECK_EQ(run_prog(obj, "xdp_knobs", pkt, n).retval, 2);
    CHECK_EQ(global_u64(obj, "seen_long"), 1);
    CHECK_EQ(global_u64(obj, "bytes_total"), 142);
    CHECK_EQ(global_u64(obj, "generation") & 0xffffffff, 9);
    CHECK_EQ(run_prog(obj, "xdp_calls", pkt, n).retval, 2); /* static counter shared */
    CHECK_EQ(global_u64(obj, "min_len") & 0xffffffff, 60);
    bpfrt_object_close(obj);

    obj = open_obj_opts(v, "global_knobs", NULL);
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint32_t min = 20, vs = 3;
    char tag[8] = "other";
    CHECK_EQ(bpfrt_object_set_global(obj, "min_len", &min, 4), 0);
    CHECK_EQ(bpfrt_object_set_global(obj, "verdict_short", &vs, 4), 0);
    char err[256];
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "xdp_knobs", pkt, n).retval, 2); /* 42 >= 20 */
    bpfrt_object_close(obj);
    obj = open_obj_opts(v, "global_knobs", NULL);
    if (!obj)
        return;
    CHECK_EQ(bpfrt_object_set_global(obj, "verdict_short", &vs, 4), 0);
    CHECK_EQ(bpfrt_object_set_global(obj, "tag", tag, 8), 0);
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    CHECK_EQ(run_prog(obj, "xdp_knobs", pkt, 42).retval, 3);
    n = build_ipv4(pkt, 17, 1, 2, 3, 4, 58, 0);
    CHECK_EQ(run_prog(obj, "xdp_knobs", pkt, n).retval, 0); /* tag[0] != 'k' */
    bpfrt_object_close(obj);
}

/* A C model of subprog_calls.bpf.c */
static uint64_t m_mix(uint64_t a, uint64_t b) { return (a * 31) ^ (b + 7); }
static uint64_t m_level2(uint64_t x) { return m_mix(x, x >> 3) + 1; }
static uint64_t m_level1(uint64_t x) { return m_level2(x) + m_level2(x + 1); }

static void t_subprog_calls(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "subprog_calls");
    CHECK(obj != NULL);
    if (!obj)
        return;
    CHECK_EQ(m_level1(60), 3769); /* worked by hand: 1867 + 1902 */
    uint8_t pkt[128] = {0};
    CHECK_EQ(run_prog(obj, "xdp_calls_a", pkt, 60).retval, 3769 & 3);
    uint32_t k0 = 0, k1 = 1;
    uint64_t got = 0;
    CHECK_EQ(map_lookup(obj, "results", &k0, &got), 0);
    CHECK_EQ(got, 3769);
    CHECK_EQ(run_prog(obj, "xdp_calls_a", pkt, 99).retval, m_level1(99) & 3);
    CHECK_EQ(map_lookup(obj, "results", &k0, &got), 0);
    CHECK_EQ(got, m_level1(99));
    CHECK_EQ(run_prog(obj, "tc_calls_b", pkt, 77).retval, 0);
    CHECK_EQ(map_lookup(obj, "results", &k1, &got), 0);
    CHECK_EQ(got, m_level2(77));
    /* both programs carry their own copies of the .text subprograms */
    uint32_t cnt_a = 0, cnt_b = 0;
    bpfrt_object_prog_insns(bpfrt_object_find_prog(obj, "xdp_calls_a"), &cnt_a);
    bpfrt_object_prog_insns(bpfrt_object_find_prog(obj, "tc_calls_b"), &cnt_b);
    CHECK(cnt_a > 20 && cnt_b > 10);
    bpfrt_object_close(obj);
}

static void t_bounded_loop(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "bounded_loop");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[128];
    uint32_t n = build_ipv4(pkt, 17, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 2, 50, 0);
    /* model: ones'-complement sum of the first 64 bytes (big-endian words) */
    uint32_t sum = 0;
    for (int i = 0; i < 64; i++)
        sum += (i & 1) ? pkt[i] : (uint32_t)pkt[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    CHECK_EQ(run_prog(obj, "xdp_sum", pkt, n).retval, sum == 0xffff ? 1 : 2);
    CHECK_EQ(global_u64(obj, "last_sum") & 0xffffffff, sum);
    /* a valid IPv4 header alone sums to 0xffff: dropped */
    CHECK_EQ(run_prog(obj, "xdp_sum", pkt + 14, 20).retval, 1);
    CHECK_EQ(global_u64(obj, "last_sum") & 0xffffffff, 0xffff);
    bpfrt_object_close(obj);
}

static void t_loop_callbacks(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "loop_callbacks");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "xdp_loop", pkt, 60).retval, 2);
    CHECK_EQ(global_u64(obj, "loop_result"), 285);
    for (uint32_t k = 1; k <= 3; k++) {
        uint64_t w = 10 * k;
        CHECK_EQ(map_update(obj, "weights", &k, &w, 0), 0);
    }
    CHECK_EQ(run_prog(obj, "xdp_each", pkt, 60).retval, 3);
    CHECK_EQ(global_u64(obj, "each_result"), 1 * 10 + 2 * 20 + 3 * 30);
    CHECK_EQ(global_u64(obj, "each_count") & 0xffffffff, 3);
    bpfrt_object_close(obj);
}

static void t_tail_calls(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tail_calls");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[128];
    uint32_t n = build_ipv4(pkt, 17, 1, 2, 3, 4, 0, 0);
    CHECK_EQ(run_prog(obj, "dispatch", pkt, n).retval, 3);
    CHECK_EQ(global_u64(obj, "handled_by") & 0xff, 17);
    n = build_ipv4(pkt, 6, 1, 2, 3, 4, 0, 0);
    CHECK_EQ(run_prog(obj, "dispatch", pkt, n).retval, 1);
    CHECK_EQ(global_u64(obj, "handled_by") & 0xff, 6);
    n = build_ipv4(pkt, 1, 1, 2, 3, 4, 0, 0);
    CHECK_EQ(run_prog(obj, "dispatch", pkt, n).retval, 2);
    CHECK_EQ(global_u64(obj, "handled_by") & 0xff, 255);
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "dispatch", pkt, n).retval, 2);
    CHECK_EQ(global_u64(obj, "handled_by") & 0xff, 0);
    bpfrt_object_close(obj);
}

struct rec_list { int n; uint8_t data[8][64]; uint32_t len[8]; };
static int collect(void *arg, const void *data, size_t size)
{
    struct rec_list *l = arg;
    if (l->n < 8 && size <= 64) {
        memcpy(l->data[l->n], data, size);
        l->len[l->n] = (uint32_t)size;
    }
    l->n++;
    return 0;
}

static void t_ringbuf_events(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "ringbuf_events");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, 1, 2, 3, 4, 18, 0); /* 60 */
    CHECK_EQ(run_prog(obj, "xdp_events", pkt, n).retval, 2);
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "xdp_events", pkt, n).retval, 1); /* discarded */
    n = build_ipv4(pkt, 17, 1, 2, 3, 4, 100, 0); /* 142 */
    CHECK_EQ(run_prog(obj, "xdp_events", pkt, n).retval, 2);
    struct bpfrt_map *rb = bpfrt_map_from_handle(crt, map_handle(obj, "events"));
    CHECK(rb != NULL);
    struct rec_list l = {0};
    CHECK_EQ(bpfrt_ringbuf_consume(rb, collect, &l), 3);
    CHECK_EQ(l.n, 3);
    struct { uint32_t len; uint16_t proto; uint8_t b[6]; } e;
    memcpy(&e, l.data[0], sizeof(e));
    CHECK_EQ(l.len[0], 12);
    CHECK_EQ(e.len, 60);
    CHECK_EQ(e.proto, 0x0800);
    CHECK_EQ(e.b[0], 0x02);
    CHECK_EQ(e.b[5], 0x01);
    memcpy(&e, l.data[1], sizeof(e));
    CHECK_EQ(e.len, 142);
    memcpy(&e, l.data[2], sizeof(e));
    CHECK_EQ(e.len, 0xffff);
    CHECK_EQ(e.proto, 1);
    bpfrt_object_close(obj);
}

static void t_perf_output(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "perf_output");
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct bpfrt_object_map *pm = bpfrt_object_find_map(obj, "samples");
    CHECK(pm != NULL);
    uint8_t pkt[128] = {0};
    struct bpfrt_map *m = bpfrt_map_from_handle(crt, map_handle(obj, "samples"));
    CHECK(m != NULL);
    if (!m) {
        bpfrt_object_close(obj);
        return;
    }
    CHECK_EQ(m->max_entries, ncpus()); /* max_entries 0 -> one slot per CPU */
    /* no buffer open yet: bpf_perf_event_output fails (-ENOENT) */
    CHECK_EQ(run_prog(obj, "xdp_perf", pkt, 60).retval, 0);
    for (unsigned c = 0; c < ncpus(); c++)
        CHECK_EQ(bpfrt_perf_event_open_buffer(m, c, 4096), 0);
    CHECK_EQ(run_prog(obj, "xdp_perf", pkt, 60).retval, 2);
    CHECK_EQ(run_prog(obj, "xdp_perf", pkt, 70).retval, 2);
    struct rec_list l = {0};
    CHECK_EQ(bpfrt_perf_event_consume(m, collect, NULL, &l), 2);
    CHECK_EQ(l.n, 2);
    struct sample { uint64_t seq; uint32_t len, magic; } s0, s1;
    memcpy(&s0, l.data[0], sizeof(s0));
    memcpy(&s1, l.data[1], sizeof(s1));
    if (s0.seq > s1.seq) { /* runs may land on different CPU buffers */
        struct sample t = s0;
        s0 = s1;
        s1 = t;
    }
    CHECK_EQ(s0.seq, 2); /* the failed first run still counted */
    CHECK_EQ(s0.len, 60);
    CHECK_EQ(s0.magic, 0xfeedf00d);
    CHECK_EQ(s1.seq, 3);
    CHECK_EQ(s1.len, 70);
    bpfrt_object_close(obj);
}

static void t_lru_conntrack(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "lru_conntrack");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[128];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 2000, 18, 0);
    CHECK_EQ(run_prog(obj, "xdp_ct", pkt, n).retval, 3);
    CHECK_EQ(run_prog(obj, "xdp_ct", pkt, n).retval, 2);
    CHECK_EQ(run_prog(obj, "xdp_ct", pkt, n).retval, 2);
    struct { uint8_t s[4], d[4]; uint16_t sp, dp; } k = {{1, 2, 3, 4}, {5, 6, 7, 8}, htons_(1000), htons_(2000)};
    struct { uint64_t packets, bytes; uint32_t first_len, pad; } val;
    CHECK_EQ(map_lookup(obj, "conntrack", &k, &val), 0);
    CHECK_EQ(val.packets, 3);
    CHECK_EQ(val.bytes, 3 * 60);
    CHECK_EQ(val.first_len, 60);
    bpfrt_object_close(obj);
}

static void t_queue_stack(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "queue_stack");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint32_t a = 111, b = 222;
    CHECK_EQ(map_update(obj, "fifo", NULL, &a, 0), 0);
    CHECK_EQ(map_update(obj, "lifo", NULL, &b, 0), 0);
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "xdp_qs", pkt, 60).retval, 2);
    CHECK_EQ(global_u64(obj, "pop_rc") & 0xffffffff, 0);
    CHECK_EQ(global_u64(obj, "popped") & 0xffffffff, 111);
    CHECK_EQ(global_u64(obj, "peeked") & 0xffffffff, 60);
    CHECK_EQ(run_prog(obj, "xdp_qs", pkt, 50).retval, 2);
    CHECK_EQ(global_u64(obj, "popped") & 0xffffffff, 60);
    CHECK_EQ(global_u64(obj, "peeked") & 0xffffffff, 50);
    bpfrt_object_close(obj);
}

static void t_atomics(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "atomics");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "xdp_atomics", pkt, 60).retval, 2);
    CHECK_EQ(run_prog(obj, "xdp_atomics", pkt, 60).retval, 2);
    uint32_t zero = 0;
    struct { uint64_t add, fetched, or_bits, and_bits, xor_bits, xchg_old, cas_old; uint32_t add32, pad; } c;
    CHECK_EQ(map_lookup(obj, "ctrs", &zero, &c), 0);
    CHECK_EQ(c.add, 10);
    CHECK_EQ(c.add32, 6);
    bool v3 = strcmp(v, "v1") != 0 && strcmp(v, "v2") != 0;
    if (v3) {
        /* run 2: glob 42 -> 43, fetch_add 10 (old 43) -> 53, xchg 7 (old 53), cas 7 -> 42 */
        CHECK_EQ(c.fetched, 43);
        CHECK_EQ(c.xchg_old, 53);
        CHECK_EQ(c.cas_old, 7);
        CHECK_EQ(c.or_bits, 0x10);
        CHECK_EQ(c.and_bits, 0);
        CHECK_EQ(c.xor_bits, 0); /* 0xff twice */
        CHECK_EQ(global_u64(obj, "glob"), 42);
    } else {
        CHECK_EQ(global_u64(obj, "glob"), 102);
    }
    bpfrt_object_close(obj);
}

/* x86-64 struct pt_regs, 21 unsigned longs */
enum { R_AX = 10, R_DX = 12, R_SI = 13, R_DI = 14, PT_REGS_WORDS = 21 };

static void t_kprobe_args(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "kprobe_args");
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct bpfrt_object_prog *p = bpfrt_object_find_prog(obj, "trace_entry");
    CHECK_EQ(bpfrt_object_prog_type(p), BPF_PROG_TYPE_KPROBE);
    CHECK_STR(bpfrt_object_prog_attach_target(p), "do_sys_openat2");
    uint64_t regs[PT_REGS_WORDS] = {0};
    regs[R_DI] = 7;
    regs[R_SI] = 8;
    regs[R_DX] = 9;
    CHECK_EQ(run_prog_ctx(obj, "trace_entry", NULL, 0, regs, sizeof(regs), 0).retval, 0);
    regs[R_AX] = (uint64_t)-2;
    CHECK_EQ(run_prog_ctx(obj, "trace_exit", NULL, 0, regs, sizeof(regs), 0).retval, 0);
    uint64_t key = 7, got[4];
    CHECK_EQ(map_lookup(obj, "calls", &key, got), 0);
    CHECK_EQ(got[0], 7);
    CHECK_EQ(got[1], 8);
    CHECK_EQ(got[2], 9);
    CHECK_EQ(got[3], (uint64_t)-2);
    CHECK_EQ(global_u64(obj, "last_ret"), (uint64_t)-2);
    bpfrt_object_close(obj);
}

static void t_tracepoint_syscalls(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tracepoint_syscalls");
    CHECK(obj != NULL);
    if (!obj)
        return;
    /* struct trace_event_raw_sys_enter: 8-byte trace_entry, id, args[6] */
    uint64_t rec[8] = {0};
    rec[1] = 257;
    rec[2] = 5;
    CHECK_EQ(run_prog_ctx(obj, "count_syscalls", NULL, 0, rec, sizeof(rec), 0).retval, 0);
    rec[2] = 3;
    CHECK_EQ(run_prog_ctx(obj, "count_syscalls", NULL, 0, rec, sizeof(rec), 0).retval, 0);
    rec[1] = 0;
    rec[2] = 99;
    CHECK_EQ(run_prog_ctx(obj, "count_syscalls", NULL, 0, rec, sizeof(rec), 0).retval, 0);
    uint32_t id = 257;
    uint64_t c = 0;
    CHECK_EQ(map_lookup(obj, "syscall_counts", &id, &c), 0);
    CHECK_EQ(c, 2);
    id = 0;
    CHECK_EQ(map_lookup(obj, "syscall_counts", &id, &c), 0);
    CHECK_EQ(c, 1);
    CHECK_EQ(global_u64(obj, "max_openat_arg0"), 5);
    bpfrt_object_close(obj);
}

static void t_raw_tp_args(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "raw_tp_args");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint64_t args[4] = {0x101, 2, 3, 4};
    CHECK_EQ(run_prog_ctx(obj, "raw_sum", NULL, 0, args, sizeof(args), 0).retval, 1);
    CHECK_EQ(global_u64(obj, "arg_sum"), 0x101 + 2 + 3 + 4);
    CHECK_EQ(global_u64(obj, "raw_calls") & 0xffffffff, 1);
    bpfrt_object_close(obj);
}

static void t_legacy_maps(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "legacy_maps");
    CHECK(obj != NULL);
    if (!obj)
        return;
    CHECK_EQ(bpfrt_object_kversion(obj), 0x060000);
    CHECK(bpfrt_object_gpl_compatible(obj));
    struct bpfrt_object_map *m = bpfrt_object_find_map(obj, "len_hist");
    CHECK(m && bpfrt_object_map_kind(m) == BPFRT_OBJ_MAP_LEGACY);
    CHECK(m && bpfrt_object_map_type(m) == BPF_MAP_TYPE_HASH && bpfrt_object_map_max_entries(m) == 64);
    uint8_t pkt[256] = {0};
    CHECK_EQ(run_prog(obj, "xdp_legacy", pkt, 60).retval, 2);
    CHECK_EQ(run_prog(obj, "xdp_legacy", pkt, 200).retval, 2);
    CHECK_EQ(run_prog(obj, "xdp_legacy", pkt, 200).retval, 2);
    uint32_t n = build_ipv4(pkt, 17, 1, 2, 3, 4, 108, 0); /* 150: the socket sees 136 */
    CHECK_EQ(run_prog(obj, "sock_len", pkt, n).retval, 100);
    uint32_t k;
    uint64_t c = 0;
    k = 0;
    CHECK_EQ(map_lookup(obj, "pkt_count", &k, &c), 0);
    CHECK_EQ(c, 1);
    k = 2;
    CHECK_EQ(map_lookup(obj, "pkt_count", &k, &c), 0);
    CHECK_EQ(c, 2);
    k = 3;
    CHECK_EQ(map_lookup(obj, "pkt_count", &k, &c), 0);
    CHECK_EQ(c, 1);
    k = 60 / 16;
    CHECK_EQ(map_lookup(obj, "len_hist", &k, &c), 0);
    CHECK_EQ(c, 1);
    k = 200 / 16;
    CHECK_EQ(map_lookup(obj, "len_hist", &k, &c), 0);
    CHECK_EQ(c, 2);
    bpfrt_object_close(obj);
}

static void t_iproute2_tail(const char *v)
{
    /* sections "1/0" and "1/1" name no type: without one the load fails */
    struct bpfrt_object *obj = open_obj_opts(v, "iproute2_tail", NULL);
    CHECK(obj != NULL);
    if (obj) {
        char err[256] = "";
        CHECK(bpfrt_object_load(obj, err, sizeof(err)) < 0);
        CHECK_CONTAINS(err, "does not name a program type");
        uint32_t id = 0, key = 0;
        CHECK(bpfrt_object_prog_tail_slot(bpfrt_object_find_prog(obj, "stage1"), &id, &key));
        CHECK_EQ(id, 1);
        CHECK_EQ(key, 1);
        bpfrt_object_close(obj);
    }
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SCHED_CLS};
    obj = load_obj_opts(v, "iproute2_tail", &o);
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct bpfrt_object_map *jm = bpfrt_object_find_map(obj, "jmp_map");
    CHECK(jm && bpfrt_object_map_legacy_id(jm) == 1 && bpfrt_object_map_pinning(jm) == 2);
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, 1, 2, 3, 4, 58, 0); /* 100 */
    CHECK_EQ(run_prog(obj, "entry", pkt, n).retval, 7);
    n = build_ipv4(pkt, 17, 1, 2, 3, 4, 10, 0); /* 52 */
    CHECK_EQ(run_prog(obj, "entry", pkt, n).retval, 0);
    for (uint32_t k = 0; k < 3; k++) {
        uint32_t c = 0;
        CHECK_EQ(map_lookup(obj, "stage_hits", &k, &c), 0);
        CHECK_EQ(c, 2);
    }
    bpfrt_object_close(obj);
}

static void t_map_in_map(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "map_in_map");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[128] = {0};
    CHECK_EQ(run_prog(obj, "xdp_mim", pkt, 60).retval, 2);
    CHECK_EQ(run_prog(obj, "xdp_mim", pkt, 64).retval, 2);
    CHECK_EQ(run_prog(obj, "xdp_mim", pkt, 61).retval, 2);
    uint32_t k0 = 0, k1 = 1;
    uint64_t c = 0;
    CHECK_EQ(map_lookup(obj, "even_lens", &k0, &c), 0);
    CHECK_EQ(c, 2);
    CHECK_EQ(map_lookup(obj, "even_lens", &k1, &c), 0);
    CHECK_EQ(c, 124);
    CHECK_EQ(map_lookup(obj, "odd_lens", &k0, &c), 0);
    CHECK_EQ(c, 1);
    CHECK_EQ(map_lookup(obj, "odd_lens", &k1, &c), 0);
    CHECK_EQ(c, 61);
    bpfrt_object_close(obj);
}

static void t_xdp_icmp_echo(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "xdp_icmp_echo");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256], vlan[256];
    uint32_t n = build_ipv4(pkt, 1, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 0x1234, 7, 16, 0);
    struct run_result r = run_prog(obj, "xdp_echo", pkt, n);
    CHECK_EQ(r.retval, 3);
    CHECK_EQ(r.out_len, n);
    uint8_t want[256];
    memcpy(want, pkt, n);
    memcpy(want, pkt + 6, 6);       /* MACs swapped */
    memcpy(want + 6, pkt, 6);
    memcpy(want + 26, pkt + 30, 4); /* IPs swapped */
    memcpy(want + 30, pkt + 26, 4);
    want[34] = 0;                   /* echo reply */
    want[36] = want[37] = 0;
    uint16_t c = csum16(want + 34, n - 34);
    want[36] = (uint8_t)(c >> 8);
    want[37] = (uint8_t)c;
    CHECK(memcmp(r.out, want, n) == 0);
    CHECK_EQ(csum16(r.out + 34, n - 34), 0); /* the reply's checksum verifies */
    /* with an 802.1Q tag: popped with bpf_xdp_adjust_head */
    memcpy(vlan, pkt, 12);
    vlan[12] = 0x81;
    vlan[13] = 0x00;
    vlan[14] = 0x00;
    vlan[15] = 0x05;
    memcpy(vlan + 16, pkt + 12, n - 12);
    r = run_prog(obj, "xdp_echo", vlan, n + 4);
    CHECK_EQ(r.retval, 3);
    CHECK_EQ(r.out_len, n);
    CHECK(memcmp(r.out, want, n) == 0);
    n = build_ipv4(pkt, 17, 1, 2, 3, 4, 0, 0);
    CHECK_EQ(run_prog(obj, "xdp_echo", pkt, n).retval, 2);
    bpfrt_object_close(obj);
}

static void t_spin_lock(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "spin_lock");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[128] = {0};
    CHECK_EQ(run_prog(obj, "tc_account", pkt, 60).retval, 0);
    CHECK_EQ(run_prog(obj, "tc_account", pkt, 68).retval, 0);
    CHECK_EQ(run_prog(obj, "tc_account", pkt, 61).retval, 0);
    uint32_t id = 4;
    struct { uint32_t lock, pad; uint64_t balance, ops; } a;
    CHECK_EQ(map_lookup(obj, "accounts", &id, &a), 0);
    CHECK_EQ(a.balance, 128);
    CHECK_EQ(a.ops, 2);
    id = 5;
    CHECK_EQ(map_lookup(obj, "accounts", &id, &a), 0);
    CHECK_EQ(a.balance, 61);
    bpfrt_object_close(obj);
}

/* LINUX_VERSION_CODE of the running kernel (sublevel capped at 255), the
 * loader's LINUX_KERNEL_VERSION when none is given. */
static uint32_t running_kernel_version(void)
{
    struct utsname u;
    unsigned a = 0, b = 0, c = 0;
    if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
        return (6u << 16) | (18u << 8);
    return a << 16 | b << 8 | (c > 255 ? 255 : c);
}

static void t_kconfig_externs(const char *v)
{
    struct bpfrt_object_opts o = {.kconfig = "CONFIG_HZ=250\n"};
    struct bpfrt_object *obj = load_obj_opts(v, "kconfig_externs", &o);
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "xdp_kconfig", pkt, 60).retval, 2);
    CHECK_EQ(global_u64(obj, "seen_version") & 0xffffffff, running_kernel_version());
    CHECK_EQ(global_u64(obj, "seen_hz") & 0xffffffff, 250);
    bpfrt_object_close(obj);
    struct bpfrt_object_opts old = {.kernel_version = 6u << 16, .kconfig = "CONFIG_BPF_JIT_ALWAYS_ON=n"};
    obj = load_obj_opts(v, "kconfig_externs", &old);
    CHECK(obj != NULL);
    if (!obj)
        return;
    CHECK_EQ(run_prog(obj, "xdp_kconfig", pkt, 60).retval, 0);
    CHECK_EQ(global_u64(obj, "seen_hz") & 0xffffffff, 0); /* weak, unset */
    bpfrt_object_close(obj);
    struct bpfrt_object_opts jit = {.kconfig = "CONFIG_BPF_JIT_ALWAYS_ON=y"};
    obj = load_obj_opts(v, "kconfig_externs", &jit);
    if (!obj)
        return;
    CHECK_EQ(run_prog(obj, "xdp_kconfig", pkt, 60).retval, 1);
    bpfrt_object_close(obj);
}

static void t_multi_prog(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "multi_prog");
    CHECK(obj != NULL);
    if (!obj)
        return;
    CHECK_EQ(bpfrt_object_prog_count(obj), 3);
    CHECK_STR(bpfrt_object_prog_section(bpfrt_object_find_prog(obj, "prog_second")), "xdp");
    CHECK_STR(bpfrt_object_prog_name(bpfrt_object_find_prog_by_section(obj, "xdp.frags")), "prog_frags");
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "prog_first", pkt, 60).retval, 2);
    CHECK_EQ(run_prog(obj, "prog_second", pkt, 60).retval, 1);
    CHECK_EQ(run_prog(obj, "prog_second", pkt, 60).retval, 1);
    CHECK_EQ(run_prog(obj, "prog_frags", pkt, 60).retval, 3);
    uint32_t k, c;
    k = 0;
    CHECK_EQ(map_lookup(obj, "which", &k, &c), 0);
    CHECK_EQ(c, 1);
    k = 1;
    CHECK_EQ(map_lookup(obj, "which", &k, &c), 0);
    CHECK_EQ(c, 2);
    k = 2;
    CHECK_EQ(map_lookup(obj, "which", &k, &c), 0);
    CHECK_EQ(c, 1);
    bpfrt_object_close(obj);
}

static void t_cgroup_skb_policy(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "cgroup_skb_policy");
    CHECK(obj != NULL);
    if (!obj)
        return;
    CHECK_EQ(bpfrt_object_prog_type(bpfrt_object_find_prog(obj, "egress_policy")), BPF_PROG_TYPE_CGROUP_SKB);
    CHECK_EQ(bpfrt_object_prog_attach_type(bpfrt_object_find_prog(obj, "egress_policy")), BPF_CGROUP_INET_EGRESS);
    uint16_t port = 22;
    uint64_t zero = 0, c = 0;
    CHECK_EQ(map_update(obj, "denied_ports", &port, &zero, 0), 0);
    uint8_t pkt[128];
    uint32_t n = build_ipv4(pkt, 6, 1, 2, 5555, 22, 0, 0);
    CHECK_EQ(run_prog(obj, "egress_policy", pkt, n).retval, 0);
    n = build_ipv4(pkt, 6, 1, 2, 5555, 80, 0, 0);
    CHECK_EQ(run_prog(obj, "egress_policy", pkt, n).retval, 1);
    n = build_ipv4(pkt, 17, 1, 2, 5555, 22, 0, 0);
    CHECK_EQ(run_prog(obj, "egress_policy", pkt, n).retval, 1);
    CHECK_EQ(map_lookup(obj, "denied_ports", &port, &c), 0);
    CHECK_EQ(c, 1);
    bpfrt_object_close(obj);
}

static void t_xdp_ipv6(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "xdp_ipv6");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[14 + 40 + 8] = {PKT_MAC_DST, PKT_MAC_SRC, 0x86, 0xdd, 0x60};
    pkt[14 + 5] = 8;   /* payload length */
    pkt[14 + 6] = 17;  /* next header UDP */
    pkt[14 + 7] = 64;  /* hop limit */
    for (int i = 0; i < 16; i++) {
        pkt[14 + 8 + i] = (uint8_t)(0x20 + i);
        pkt[14 + 24 + i] = (uint8_t)(0x40 + i);
    }
    CHECK_EQ(run_prog(obj, "xdp_v6", pkt, sizeof(pkt)).retval, 2);
    pkt[14 + 7] = 1;
    CHECK_EQ(run_prog(obj, "xdp_v6", pkt, sizeof(pkt)).retval, 1);
    uint32_t nh = 17;
    uint64_t c = 0;
    CHECK_EQ(map_lookup(obj, "nexthdr_count", &nh, &c), 0);
    CHECK_EQ(c, 2);
    CHECK_EQ(global_u64(obj, "last_saddr") & 0xff, 0x20);
    CHECK_EQ(run_prog(obj, "xdp_v6", pkt, 30).retval, 1); /* truncated header */
    bpfrt_object_close(obj);
}

struct trace_lines {
    int n;
    char line[4][128];
};

static void trace_sink(void *arg, const char *line, size_t len)
{
    struct trace_lines *t = arg;
    if (t->n < 4)
        snprintf(t->line[t->n], sizeof(t->line[0]), "%.*s", (int)len, line);
    t->n++;
}

static void t_trace_strings(const char *v)
{
    struct trace_lines t;
    memset(&t, 0, sizeof(t));
    bpfrt_runtime_set_trace_sink(crt, trace_sink, &t);
    struct bpfrt_object *obj = load_obj(v, "trace_strings");
    CHECK(obj != NULL);
    if (obj) {
        CHECK(bpfrt_object_find_map(obj, ".rodata.str1.1") != NULL);
        uint8_t pkt[128];
        uint32_t n = build_ipv4(pkt, 17, 1, 2, 3, 4, 18, 0); /* 60 */
        CHECK_EQ(run_prog(obj, "xdp_log", pkt, n).retval, 2);
        CHECK_EQ(t.n, 2);
        CHECK_CONTAINS(t.line[0], "pkt len 60 proto 800");
        CHECK_CONTAINS(t.line[1], "literal 120");
        CHECK_EQ(global_u64(obj, "snprintf_ret"), 11); /* "len=60 x=7" + NUL */
        struct bpfrt_object_map *m;
        uint32_t off, size;
        if (bpfrt_object_find_global(obj, "out_buf", &m, &off, &size) == 0) {
            uint8_t val[64] = {0};
            uint32_t zero = 0;
            CHECK_EQ(map_lookup(obj, bpfrt_object_map_name(m), &zero, val), 0);
            CHECK_STR((const char *)val + off, "len=60 x=7");
        }
        bpfrt_object_close(obj);
    }
    bpfrt_runtime_set_trace_sink(crt, NULL, NULL);
}

/* UDP checksum over the IPv4 pseudo-header (frame with a 20-byte IP header) */
static uint16_t udp_csum(const uint8_t *f, uint32_t n)
{
    uint8_t buf[512];
    uint32_t ulen = n - 34;
    memcpy(buf, f + 26, 8); /* saddr, daddr */
    buf[8] = 0;
    buf[9] = 17;
    buf[10] = (uint8_t)(ulen >> 8);
    buf[11] = (uint8_t)ulen;
    memcpy(buf + 12, f + 34, ulen);
    return csum16(buf, 12 + ulen);
}

static void t_tc_nat(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tc_nat");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t vip[4] = {10, 0, 0, 1}, be[4] = {10, 0, 0, 9};
    CHECK_EQ(map_update(obj, "vip_backends", vip, be, 0), 0);
    uint8_t pkt[128];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(10, 0, 0, 1), 1000, 53, 10, 0);
    uint16_t c = udp_csum(pkt, n);
    pkt[40] = (uint8_t)(c >> 8);
    pkt[41] = (uint8_t)c;
    CHECK_EQ(udp_csum(pkt, n), 0);
    struct run_result r = run_prog(obj, "tc_dnat", pkt, n);
    CHECK_EQ(r.retval, 0);
    CHECK_EQ(r.out_len, n);
    CHECK(memcmp(r.out + 30, be, 4) == 0);       /* destination rewritten */
    CHECK_EQ(csum16(r.out + 14, 20), 0);          /* IP checksum still valid */
    CHECK_EQ(udp_csum(r.out, n), 0);              /* UDP checksum follows the address */
    CHECK(memcmp(r.out + 42, pkt + 42, 10) == 0); /* payload untouched */
    CHECK_EQ(global_u64(obj, "rewritten") & 0xffffffff, 1);
    n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(10, 0, 0, 2), 1000, 53, 10, 0);
    r = run_prog(obj, "tc_dnat", pkt, n);
    CHECK_EQ(r.retval, 0);
    CHECK(memcmp(r.out, pkt, n) == 0); /* not a VIP: unchanged */
    bpfrt_object_close(obj);
}

static void t_xdp_trim(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "xdp_trim");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, 1, 2, 3, 4, 58, 0); /* 100 */
    struct run_result r = run_prog(obj, "xdp_trim", pkt, n);
    CHECK_EQ(r.retval, 3);
    CHECK_EQ(r.out_len, 64);
    CHECK(memcmp(r.out, pkt, 64) == 0);
    r = run_prog(obj, "xdp_trim", pkt, 50);
    CHECK_EQ(r.retval, 2);
    CHECK_EQ(r.out_len, 50);
    CHECK_EQ(global_u64(obj, "trimmed_bytes"), 36);
    bpfrt_object_close(obj);
    obj = open_obj_opts(v, "xdp_trim", NULL);
    if (!obj)
        return;
    uint32_t snap = 80;
    CHECK_EQ(bpfrt_object_set_global(obj, "snaplen", &snap, 4), 0);
    char err[256];
    CHECK_EQ(bpfrt_object_load(obj, err, sizeof(err)), 0);
    r = run_prog(obj, "xdp_trim", pkt, n);
    CHECK_EQ(r.retval, 3);
    CHECK_EQ(r.out_len, 80);
    bpfrt_object_close(obj);
}

static void t_weak_ksyms(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "weak_ksyms");
    CHECK(obj != NULL);
    if (!obj)
        return;
    if (strcmp(v, "nog") != 0) {
        CHECK(bpfrt_object_btf_handle(obj) >= 0); /* BTF still loadable */
        CHECK(strstr(bpfrt_object_notes(obj), "refused") == NULL);
    }
    uint8_t pkt[64] = {0};
    CHECK_EQ(run_prog(obj, "xdp_ksyms", pkt, 60).retval, 2);
    CHECK_EQ(global_u64(obj, "have_var") & 0xffffffff, 0);
    CHECK_EQ(global_u64(obj, "have_kfunc") & 0xffffffff, 0);
    uint32_t k = 0;
    uint64_t c = 0;
    CHECK_EQ(map_lookup(obj, "seen", &k, &c), 0);
    CHECK_EQ(c, 1);
    bpfrt_object_close(obj);
}

/* ==== programs in the styles added later (see each .bpf.c) ==== */

/* ---- XDP L4 load balancer: a C model of its flow hash and checksums ---- */

static uint32_t lb_rol32(uint32_t w, unsigned s)
{
    return (w << s) | (w >> (32 - s));
}

static uint32_t lb_flow_hash(uint32_t a, uint32_t b, uint32_t c)
{
    a += 0x9e3779b9;
    c ^= b; c -= lb_rol32(b, 14);
    a ^= c; a -= lb_rol32(c, 11);
    b ^= a; b -= lb_rol32(a, 25);
    c ^= b; c -= lb_rol32(b, 16);
    a ^= c; a -= lb_rol32(c, 4);
    b ^= a; b -= lb_rol32(a, 14);
    c ^= b; c -= lb_rol32(b, 24);
    return c;
}

struct lb_vip_key { uint8_t addr[4]; uint16_t port_be; uint8_t proto, pad; };
struct lb_vip_meta { uint32_t vip_num, n_backends; };
struct lb_backend { uint8_t addr[4]; uint8_t mac[6]; uint16_t weight; };
struct lb_stats { uint64_t packets, bytes; uint32_t last_backend, csum_fixups; };

static void t_xdp_l4_lb(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "xdp_l4_lb");
    CHECK(obj != NULL);
    if (!obj)
        return;
    struct lb_vip_key udp_vip = {{5, 6, 7, 8}, htons_(53), 17, 0}, tcp_vip = {{8, 8, 8, 8}, htons_(80), 6, 0};
    struct lb_vip_meta m1 = {1, 3}, m2 = {2, 2};
    CHECK_EQ(map_update(obj, "vips", &udp_vip, &m1, 0), 0);
    CHECK_EQ(map_update(obj, "vips", &tcp_vip, &m2, 0), 0);
    for (uint32_t s = 8; s < 11; s++) {
        struct lb_backend b = {{10, 0, 1, (uint8_t)(s - 7)}, {0x02, 0xbe, 0, 0, 0, (uint8_t)(s - 7)}, 1};
        CHECK_EQ(map_update(obj, "backends", &s, &b, 0), 0);
    }
    for (uint32_t s = 16; s < 18; s++) {
        struct lb_backend b = {{172, 16, 0, (uint8_t)(s - 15)}, {0x02, 0xbe, 0, 0, 1, (uint8_t)(s - 15)}, 1};
        CHECK_EQ(map_update(obj, "backends", &s, &b, 0), 0);
    }
    uint8_t pkt[256];
    /* UDP to the VIP: to backend 8 + hash % 3, MACs moved, IP checksum
     * valid again, the UDP checksum (0: none) left alone */
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 18, 0);
    uint32_t slot = 8 + lb_flow_hash(ip4(1, 2, 3, 4), 1000u << 16 | 53, 17) % 3;
    struct run_result r = run_prog(obj, "xdp_lb", pkt, n);
    CHECK_EQ(r.retval, 3); /* XDP_TX */
    CHECK_EQ(r.out_len, n);
    uint8_t want_daddr[4] = {10, 0, 1, (uint8_t)(slot - 7)}, want_mac[6] = {0x02, 0xbe, 0, 0, 0, (uint8_t)(slot - 7)};
    uint8_t old_dst_mac[6] = {PKT_MAC_DST};
    CHECK(memcmp(r.out + 14 + 16, want_daddr, 4) == 0);
    CHECK(memcmp(r.out, want_mac, 6) == 0);
    CHECK(memcmp(r.out + 6, old_dst_mac, 6) == 0);
    CHECK_EQ(csum16(r.out + 14, 20), 0);
    CHECK_EQ(r.out[14 + 20 + 6] | r.out[14 + 20 + 7], 0);
    /* TCP to the other VIP: the TCP checksum follows the address change
     * (RFC 1624); build_ipv4 leaves it 0, so the new one is ~(~0 + ~old + new) */
    n = build_ipv4(pkt, 6, ip4(9, 9, 9, 9), ip4(8, 8, 8, 8), 7, 80, 0, 0x20);
    slot = 16 + lb_flow_hash(ip4(9, 9, 9, 9), 7u << 16 | 80, 6) % 2;
    r = run_prog(obj, "xdp_lb", pkt, n);
    CHECK_EQ(r.retval, 3);
    CHECK_EQ(r.out[14 + 19], (uint8_t)(slot - 15));
    CHECK_EQ(csum16(r.out + 14, 20), 0);
    uint32_t s = 0xffff; /* ~0 */
    s += 0xffff - 0x0808;  /* ~old high word */
    s += 0xffff - 0x0808;  /* ~old low word */
    s += 172 << 8 | 16;
    s += (uint32_t)(slot - 15);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    CHECK_EQ(r.out[14 + 20 + 16] << 8 | r.out[14 + 20 + 17], (uint16_t)~s);
    /* not a VIP, not IP, IP options */
    n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 9), 1000, 53, 18, 0);
    CHECK_EQ(run_prog(obj, "xdp_lb", pkt, n).retval, 2);
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "xdp_lb", pkt, n).retval, 2);
    n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 18, 0);
    pkt[14] = 0x46;
    CHECK_EQ(run_prog(obj, "xdp_lb", pkt, n).retval, 2);
    CHECK_EQ(global_u64(obj, "not_vip"), 1);
    struct bpfrt_object_map *m;
    uint32_t off, size;
    CHECK_EQ(bpfrt_object_find_global(obj, "stats", &m, &off, &size), 0);
    CHECK_EQ(size, 8 * sizeof(struct lb_stats));
    struct lb_stats st[8];
    uint8_t bss[1024];
    uint32_t zero = 0;
    if (size == sizeof(st) && map_lookup(obj, ".bss", &zero, bss) == 0) {
        memcpy(st, bss + off, sizeof(st));
        CHECK_EQ(st[1].packets, 1);
        CHECK_EQ(st[1].bytes, 60);
        CHECK_EQ(st[1].csum_fixups, 0);
        CHECK_EQ(st[2].packets, 1);
        CHECK_EQ(st[2].csum_fixups, 1);
        CHECK_EQ(st[2].last_backend, slot);
    }
    bpfrt_object_close(obj);
}

/* ---- LD_ABS/LD_IND socket filters and their skb_load_bytes twin ---- */

static void t_socket_ldabs(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "socket_ldabs");
    CHECK(obj != NULL);
    if (!obj)
        return;
    static const char *const progs[] = {"sock_ldabs", "sock_load_bytes"};
    uint8_t pkt[256];
    for (int p = 0; p < 2; p++) {
        uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 3333, 53, 30, 0);
        CHECK_EQ(run_prog(obj, progs[p], pkt, n).retval, 64); /* privileged port: snap length */
        n = build_ipv4(pkt, 6, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 3333, 8080, 30, 0);
        CHECK_EQ(run_prog(obj, progs[p], pkt, n).retval, n - 14); /* whole packet from the IP header */
        n = build_ipv4(pkt, 1, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 1, 1, 8, 0);
        CHECK_EQ(run_prog(obj, progs[p], pkt, n).retval, 0xffffffff);
        n = build_ipv4(pkt, 17, ip4(127, 0, 0, 1), ip4(8, 8, 8, 8), 3333, 53, 30, 0);
        CHECK_EQ(run_prog(obj, progs[p], pkt, n).retval, 0);
        n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 3333, 53, 30, 0);
        pkt[14 + 7] = 0x10; /* a later fragment */
        CHECK_EQ(run_prog(obj, progs[p], pkt, n).retval, 0);
        n = build_arp(pkt);
        CHECK_EQ(run_prog(obj, progs[p], pkt, n).retval, 0);
        n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 3333, 53, 30, 0);
        pkt[14] = 0x46; /* options: the ports move 4 bytes (LD_IND) */
        pkt[14 + 24 + 2] = 0, pkt[14 + 24 + 3] = 25;
        CHECK_EQ(run_prog(obj, progs[p], pkt, n).retval, 64);
    }
    /* negative offsets: from the network header, from the MAC header; an
     * ancillary-data offset or one past the end ends the program with 0 */
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 3333, 53, 30, 0);
    CHECK_EQ(run_prog(obj, "sock_negative_offsets", pkt, n).retval, 17u << 24 | 0x01u << 16 | (n - 14));
    n = build_ipv4(pkt, 1, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 1, 1, 8, 0);
    CHECK_EQ(run_prog(obj, "sock_negative_offsets", pkt, n).retval, 0);
    n = build_ipv4(pkt, 6, ip4(1, 1, 1, 1), ip4(8, 8, 8, 8), 1, 1, 8, 0);
    CHECK_EQ(run_prog(obj, "sock_negative_offsets", pkt, n).retval, 0);
    /* counters: 0 non-IP, 1 fragments, 2 other protocols, 3 TCP, 4 UDP (LD_ABS program) */
    uint64_t want[5] = {1, 1, 1, 1, 3}, got;
    for (uint32_t k = 0; k < 5; k++) {
        CHECK_EQ(map_lookup(obj, "counters", &k, &got), 0);
        CHECK_EQ(got, want[k]);
    }
    bpfrt_object_close(obj);
}

/* ---- tc: VLAN stacks and IPv6 extension headers via skb_load_bytes ---- */

struct cls_result { uint32_t mark, priority, classid; uint16_t l4_off; uint8_t l4_proto, n_ext; };

static void t_tc_vlan_ipv6_ext(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tc_vlan_ipv6_ext");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    struct __sk_buff skb, out;
    memset(&skb, 0, sizeof(skb));
    /* IPv6, traffic class 0xb8 (EF), hop-by-hop + fragment headers, TCP to 443 */
    static const uint8_t v6[] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x86, 0xdd, 0x6b, 0x80, 0, 1, 0, 36, 0, 63};
    memset(pkt, 0, sizeof(pkt));
    memcpy(pkt, v6, sizeof(v6));
    static const uint8_t ext[] = {44, 0, 5, 2, 0, 0, 1, 0, 6, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
                                  0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0};
    memcpy(pkt + 54, ext, sizeof(ext));
    struct run_result r = run_prog_ctx(obj, "tc_classify_l2l3", pkt, 90, &skb, sizeof(skb), sizeof(skb));
    CHECK_EQ(r.retval, 1); /* TC_ACT_UNSPEC + 2 extension headers */
    memcpy(&out, r.ctx_out, sizeof(out));
    CHECK_EQ(out.mark, 443);
    CHECK_EQ(out.priority, 46);
    uint32_t key = 6 << 8 | 2;
    struct cls_result c;
    CHECK_EQ(map_lookup(obj, "seen", &key, &c), 0);
    CHECK_EQ(c.classid, 0x10003);
    CHECK_EQ(c.l4_off, 14 + 40 + 8 + 8);
    /* QinQ (tags 100 and 7), routing + destination options, UDP to 53 */
    static const uint8_t qinq[] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xa8, 0, 100, 0x81, 0, 0x20, 7,
                                   0x86, 0xdd, 0x60, 0, 0, 0, 0, 48, 43, 1};
    memset(pkt, 0, sizeof(pkt));
    memcpy(pkt, qinq, sizeof(qinq));
    pkt[62] = 60, pkt[63] = 2;          /* routing: next dest-opts, 24 bytes */
    pkt[86] = 17, pkt[87] = 0;          /* dest-opts: next UDP, 8 bytes */
    pkt[94 + 2] = 0, pkt[94 + 3] = 53;  /* UDP dport */
    r = run_prog_ctx(obj, "tc_classify_l2l3", pkt, 110, &skb, sizeof(skb), sizeof(skb));
    CHECK_EQ(r.retval, 1);
    memcpy(&out, r.ctx_out, sizeof(out));
    CHECK_EQ(out.mark, 7u << 16 | 53);
    CHECK_EQ(out.priority, 0);
    key = 7u << 16 | 17 << 8 | 2;
    CHECK_EQ(map_lookup(obj, "seen", &key, &c), 0);
    CHECK_EQ(c.classid, 0x10000 | (2 * 16 + 2 + 2));
    CHECK_EQ(c.l4_off, 94);
    /* IPv4: DSCP from the TOS byte; ARP: marked with its ethertype */
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 5353, 8, 34 << 2);
    r = run_prog_ctx(obj, "tc_classify_l2l3", pkt, n, &skb, sizeof(skb), sizeof(skb));
    CHECK_EQ(r.retval, 0xffffffff);
    memcpy(&out, r.ctx_out, sizeof(out));
    CHECK_EQ(out.mark, 5353);
    CHECK_EQ(out.priority, 34);
    n = build_arp(pkt);
    r = run_prog_ctx(obj, "tc_classify_l2l3", pkt, n, &skb, sizeof(skb), sizeof(skb));
    CHECK_EQ(r.retval, 0xffffffff);
    memcpy(&out, r.ctx_out, sizeof(out));
    CHECK_EQ(out.mark, 0xdead0806);
    bpfrt_object_close(obj);
}

/* ---- printk: .rodata formats, vprintk with > 3 args, bpf_snprintf ---- */

struct printk_capture {
    char lines[4][128];
    int n;
};

static void capture_line(void *arg, const char *line, size_t len)
{
    struct printk_capture *c = arg;
    if (c->n < 4)
        snprintf(c->lines[c->n], sizeof(c->lines[0]), "%.*s", (int)len, line);
    c->n++;
}

static void t_printk_formats(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "printk_formats");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 18, 0x05);
    struct printk_capture cap;
    memset(&cap, 0, sizeof(cap));
    bpfrt_runtime_set_trace_sink(crt, capture_line, &cap);
    /* %s of the program's own strings: a verified run registers no regions,
     * so its own memory reaches %s only through the host-read policy (see
     * docs/verifier.md, "Differences") */
    bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_ALL);
    CHECK_EQ(run_prog(obj, "xdp_printk", pkt, n).retval, 2);
    bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_NONE);
    bpfrt_runtime_set_trace_sink(crt, NULL, NULL);
    CHECK_EQ(cap.n, 4);
    CHECK_STR(cap.lines[0], "short frame? 60 bytes");
    CHECK_STR(cap.lines[1], "ip 1.2.3.4 -> 5.6.7.8 proto 17");
    CHECK_STR(cap.lines[2], "ttl=64 tos=5 id=0 frag=4000 len=46 end");
    char want[128];
    int wl = snprintf(want, sizeof(want), "pkt proto=%u len=%d src=%s ttl=%03u tag=%-6s|%5x|%c%%", 17, 60,
                      "1.2.3.4", 64, "-", 0, 'A' + 5);
    struct bpfrt_object_map *m;
    uint32_t off, size, zero = 0;
    uint8_t bss[512];
    CHECK_EQ(bpfrt_object_find_global(obj, "line", &m, &off, &size), 0);
    if (size == 128 && map_lookup(obj, ".bss", &zero, bss) == 0)
        CHECK_STR((const char *)bss + off, want);
    CHECK_EQ(global_u64(obj, "line_len"), (uint64_t)wl + 1); /* with the NUL */
    CHECK_EQ(global_u64(obj, "printed_lines"), 3);
    /* the lines' lengths: "short frame? 60 bytes", "ip 1.2.3.4 -> 5.6.7.8 proto 17",
     * "ttl=64 tos=5 id=0 frag=4000 len=46 end", and the last one */
    char last[128];
    int ll = snprintf(last, sizeof(last), "%s %s %lld %llu %5d|%-5d|", "tag", "udp", -64LL * 1000000007LL,
                      (unsigned long long)0x04030201 << 20, -42, 42);
    CHECK_EQ(global_u64(obj, "last_rc"), (uint64_t)ll);
    CHECK_EQ(global_u64(obj, "printed_total"),
             (uint64_t)(strlen("short frame? 60 bytes") + strlen("ip 1.2.3.4 -> 5.6.7.8 proto 17") +
                        strlen("ttl=64 tos=5 id=0 frag=4000 len=46 end") + (size_t)ll));
    bpfrt_object_close(obj);
}

/* ---- alu32/sdiv corner cases: a C model of the whole computation ---- */

typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef int8_t __s8;
typedef int16_t __s16;
typedef int32_t __s32;
#include "../progs/alu32_classify.h" /* the very switch the program runs */

static uint32_t model_alu32(const uint8_t *p, int32_t *sdiv)
{
    uint32_t acc = 0x12345678;
    for (int i = 0; i < 24; i++)
        acc = alu32_classify(p[i + 10], acc);
    uint32_t sh = p[23] & 31;
    uint32_t w = (acc << sh) + (acc >> (31 - sh)) + 0xffffffffu;
    uint64_t w64 = ((uint64_t)acc << 32 | w) >> (p[22] & 63);
    int8_t sb = (int8_t)p[15];
    int16_t shw = (int16_t)(p[16] << 8 | p[17]);
    int64_t sx = (int64_t)sb * 1000 + shw;
    int32_t num = (int32_t)(acc ^ 0x80000000);
    int32_t den = (int32_t)(int8_t)(p[18] | 1);
    /* C's truncating division is BPF's sdiv (no INT_MIN / -1 here: den is odd... and -1 only
     * when num != INT_MIN, checked below) */
    sdiv[0] = (num == INT32_MIN && den == -1) ? INT32_MIN : num / den;
    sdiv[1] = -1000000 / den;
    sdiv[2] = num / -3;
    int64_t m = (sx * -77777) % (int64_t)den;
    uint64_t z = p[19] & 3;
    uint64_t qz = z ? (uint64_t)acc / z : 0, rz = (uint64_t)acc - qz * z;
    uint32_t digest = acc ^ w ^ (uint32_t)w64 ^ (uint32_t)(w64 >> 32) ^ (uint32_t)sx ^ (uint32_t)m ^ (uint32_t)qz ^
                      (uint32_t)rz;
    return digest ^ (uint32_t)sdiv[0] ^ (uint32_t)sdiv[1] ^ (uint32_t)sdiv[2];
}

static void t_alu32_mix(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "alu32_mix");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint64_t seed = 0x243f6a8885a308d3ull;
    for (int k = 0; k < 64; k++) {
        uint32_t n = build_ipv4(pkt, k % 2 ? 6 : 17, ip4(10, 0, k, 1), ip4(10, 1, 0, k), (uint16_t)k, 80, 20, 0);
        if (k >= 4) /* then random bytes everywhere the program reads */
            for (int i = 0; i < 34; i++) {
                seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                pkt[i] = (uint8_t)seed;
            }
        int32_t sd[3];
        uint32_t want = model_alu32(pkt, sd);
        CHECK_EQ(run_prog(obj, "tc_alu32", pkt, n).retval, want);
    }
    uint8_t tiny[20] = {0};
    CHECK_EQ(run_prog(obj, "tc_alu32", tiny, 20).retval, 0xffffffff); /* shorter than 34 */
    bpfrt_object_close(obj);
}

/* ---- tc stages chained by tail calls; cb[] carries the state ---- */

static void t_tc_tail_chain(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tc_tail_chain");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    /* last byte 5: five retries, then the accounting stage */
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 18, 0);
    pkt[n - 1] = 5;
    CHECK_EQ(run_prog(obj, "tc_entry", pkt, n).retval, (n & 0xff) + 1 * 10 + 5 * 100);
    CHECK_EQ(global_u64(obj, "retry_depth_max") & 0xffffffff, 5);
    /* last byte 0x5a = 90 -> 42 retries wanted: the 34th tail call of the
     * chain fails (entry->parse->policy->retry and 30 more retries), and so
     * does the jump to accounting */
    pkt[n - 1] = 0x5a;
    CHECK_EQ(run_prog(obj, "tc_entry", pkt, n).retval, 1000 + 31);
    CHECK_EQ(global_u64(obj, "retry_depth_max") & 0xffffffff, 31);
    CHECK_EQ(global_u64(obj, "fallthrough") & 0xffffffff, 2); /* the empty slot, twice */
    /* ARP (42 bytes, last byte 0): not IP, no retries */
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "tc_entry", pkt, n).retval, 42 + 2 * 10);
    /* a runt (< 40): the parse stage's jump to slot 7 (empty) falls through */
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "tc_entry", pkt, 38).retval, 2);
    bpfrt_object_close(obj);
}

/* ---- bpf_loop with a context struct, for_each over a hash ---- */

static void t_loop_ctx_hash(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "loop_ctx_hash");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 18, 0); /* 60 bytes */
    uint32_t sum = 0, words = 0;
    for (uint32_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)pkt[i] << 8 | pkt[i + 1], words++;
    struct bpfrt_object_map *m;
    uint32_t off, size, zero = 0;
    uint64_t res[8];
    uint8_t bss[256];
    CHECK_EQ(run_prog(obj, "xdp_loops", pkt, n).retval, 1 + ((words & 0x3f) << 1));
    CHECK_EQ(bpfrt_object_find_global(obj, "results", &m, &off, &size), 0);
    if (size == sizeof(res) && map_lookup(obj, ".bss", &zero, bss) == 0) {
        memcpy(res, bss + off, sizeof(res));
        CHECK_EQ(res[0], words + 1); /* iterations including the stopping one */
        CHECK_EQ(res[1], sum);
        CHECK_EQ(res[2], words);
        CHECK_EQ(res[3], 0xffffffff);
        CHECK_EQ(res[4], (uint64_t)-7);  /* -E2BIG */
        CHECK_EQ(res[5], (uint64_t)-22); /* -EINVAL */
        CHECK_EQ(res[6], 1ull << 32);    /* one entry visited, none expired */
    }
    /* a broadcast frame starts with 0xffff: the scan stops at once */
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "xdp_loops", pkt, n).retval, 1);
    /* five more runs: entries older than 4 generations are deleted while
     * iterating; every run adds/refreshes one bucket */
    for (int k = 0; k < 5; k++) {
        n = build_ipv4(pkt, 6, ip4(1, 2, 3, (uint8_t)k), ip4(5, 6, 7, 8), 1000, 53, 0, 0);
        run_prog(obj, "xdp_loops", pkt, n);
    }
    uint64_t count = 0;
    union bpf_attr a;
    uint32_t key, next;
    for (int first = 1;; first = 0) {
        memset(&a, 0, sizeof(a));
        a.map_fd = (uint32_t)map_handle(obj, "ages");
        a.key = first ? 0 : (uint64_t)(uintptr_t)&key;
        a.next_key = (uint64_t)(uintptr_t)&next;
        if (bpfrt_bpf(crt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)))
            break;
        key = next;
        count++;
    }
    CHECK(count >= 1 && count <= 4);
    CHECK_EQ(global_u64(obj, "generation"), 7);
    bpfrt_object_close(obj);
}

/* ---- CO-RE style reads through raw_tp arguments ---- */

struct model_inode { uint64_t i_ino; uint32_t i_mode, i_nlink; };
struct model_file { uint32_t f_flags, f_mode; struct model_inode *f_inode; uint64_t f_pos; };

static void t_raw_tp_core_read(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "raw_tp_core_read");
    CHECK(obj != NULL);
    if (!obj)
        return;
    /* pointers into this process: bpfrt's "kernel" memory */
    static struct model_inode ino = {123456789, 0644, 1};
    static struct model_file f = {0x8002, 3, &ino, 77};
    static const char name[] = "comm-name";
    uint64_t args[4] = {(uint64_t)(uintptr_t)&f, (uint64_t)(uintptr_t)&ino, (uint64_t)(uintptr_t)name, 0};
    /* the probe reads may reach exactly these (the host-read policy) */
    bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_RANGES);
    bpfrt_runtime_allow_host_read(crt, &ino, sizeof(ino));
    bpfrt_runtime_allow_host_read(crt, &f, sizeof(f));
    bpfrt_runtime_allow_host_read(crt, name, sizeof(name));
    struct run_result r = run_prog_ctx(obj, "trace_file_op", NULL, 0, args, sizeof(args), 0);
    CHECK_EQ(r.retval, 0);
    CHECK_EQ(global_u64(obj, "got_flags"), 0x8002);
    CHECK_EQ(global_u64(obj, "got_ino"), 123456789);
    CHECK_EQ(global_u64(obj, "inode_ptr"), (uint64_t)(uintptr_t)&ino);
    CHECK_EQ(global_u64(obj, "rc_str"), sizeof(name));
    CHECK_EQ(global_u64(obj, "has_pos"), 1);
    CHECK_EQ(global_u64(obj, "old_has_pos"), 1);
    CHECK_EQ(global_u64(obj, "pos_off"), 16);
    CHECK_EQ(global_u64(obj, "pos_size"), 8);
    CHECK_EQ(global_u64(obj, "time_ok"), 7);
    /* NULL-based reads: Linux (x86-64) refuses kernel reads of user
     * addresses with -ERANGE; a user read of NULL faults (-EFAULT) */
    uint64_t nulls[4] = {0, 0x10, 0x20, 0};
    r = run_prog_ctx(obj, "trace_file_op", NULL, 0, nulls, sizeof(nulls), 0);
    CHECK_EQ(r.retval, (uint32_t)(-34 - 34 * 3 - 34 * 5 - 14 * 7 + 100 + 1000 + 10000));
    CHECK_EQ(global_u64(obj, "rc_flags"), (uint64_t)-34);
    CHECK_EQ(global_u64(obj, "got_flags"), 0);
    CHECK_EQ(global_u64(obj, "rc_user"), (uint64_t)-14);
    CHECK_EQ(global_u64(obj, "rc_str"), (uint64_t)-34);
    CHECK_EQ(global_u64(obj, "samples_taken"), 2);
    bpfrt_runtime_disallow_host_read(crt, &ino, sizeof(ino));
    bpfrt_runtime_disallow_host_read(crt, &f, sizeof(f));
    bpfrt_runtime_disallow_host_read(crt, name, sizeof(name));
    bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_NONE);
    bpfrt_object_close(obj);
}

/* ---- hash recalculation and checksum levels ---- */

static uint64_t last_flow_hash(struct bpfrt_object *obj)
{
    uint32_t zero = 0;
    uint64_t zeros[256] = {0};
    uint64_t h = percpu_sum_u64(obj, "last_hash", &zero, 8, 0);
    CHECK_EQ(map_update(obj, "last_hash", &zero, zeros, 0), 0);
    return h;
}

static void t_tc_encap_csum(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tc_encap_csum");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 6, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 40000, 443, 0, 0);
    CHECK_EQ(run_prog(obj, "tc_steer", pkt, n).retval, 0x7f);
    uint64_t fwd = last_flow_hash(obj);
    n = build_ipv4(pkt, 6, ip4(10, 0, 0, 2), ip4(10, 0, 0, 1), 443, 40000, 0, 0);
    CHECK_EQ(run_prog(obj, "tc_steer", pkt, n).retval, 0x7f);
    uint64_t rev = last_flow_hash(obj);
    CHECK(fwd != 0);
    CHECK_EQ(fwd, rev); /* both directions of a flow hash alike */
    n = build_ipv4(pkt, 6, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 40001, 443, 0, 0);
    run_prog(obj, "tc_steer", pkt, n);
    CHECK(last_flow_hash(obj) != fwd); /* another flow (with near certainty) */
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "tc_steer", pkt, n).retval, 0x7f);

    /* levels: -EACCES while CHECKSUM_NONE, then 0, capped at 3, 2 after a
     * decrement, kept over adjust_room with NO_CSUM_RESET, reset without */
    n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 8, 0);
    CHECK_EQ(run_prog(obj, "tc_encap_levels", pkt, n).retval, (uint32_t)(-13 + 0 + 300 + 2000));
    struct bpfrt_object_map *m;
    uint32_t off, size, zero = 0;
    int64_t lv[8];
    uint8_t bss[256];
    CHECK_EQ(bpfrt_object_find_global(obj, "levels", &m, &off, &size), 0);
    if (size == sizeof(lv) && map_lookup(obj, ".bss", &zero, bss) == 0) {
        memcpy(lv, bss + off, sizeof(lv));
        CHECK_EQ(lv[0], -13);
        CHECK_EQ(lv[1], 0);
        CHECK_EQ(lv[2], 0);
        CHECK_EQ(lv[3], 3);
        CHECK_EQ(lv[4], 2);
        CHECK_EQ(lv[5], -22);
        CHECK_EQ(lv[6], 2);
        CHECK_EQ(lv[7], -13 * 1000 - 524); /* reset; csum_update: -ENOTSUPP */
    }
    bpfrt_object_close(obj);
}


/* ---- TCP options walked with can_loop (may_goto) ---- */

struct tcp_opts_val { uint16_t mss; uint8_t wscale, sack_ok; uint32_t tsval, tsecr, n_opts; };

static void t_tcp_opts_can_loop(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tcp_opts_can_loop");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 6, ip4(172, 16, 5, 5), ip4(10, 0, 0, 80), 51000, 443, 20, 0);
    static const uint8_t opts[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7};
    pkt[14 + 20 + 12] = 0xa0;
    memcpy(pkt + 14 + 40, opts, sizeof(opts));
    CHECK_EQ(run_prog(obj, "tc_tcp_opts", pkt, n).retval, 4u << 16 | 1460);
    uint16_t sport = 51000;
    struct tcp_opts_val o;
    CHECK_EQ(map_lookup(obj, "syn_opts", &sport, &o), 0);
    CHECK_EQ(o.mss, 1460);
    CHECK_EQ(o.wscale, 7);
    CHECK_EQ(o.sack_ok, 1);
    CHECK_EQ(o.tsval, 0x1234);
    CHECK_EQ(o.n_opts, 4);
    /* an option claiming length 1 stops the walk as malformed */
    pkt[14 + 40 + 5] = 1;
    CHECK_EQ(run_prog(obj, "tc_tcp_opts", pkt, n).retval, 1u << 16 | 1460);
    CHECK_EQ(global_u64(obj, "malformed"), 1);
    /* no options */
    n = build_ipv4(pkt, 6, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 0, 0);
    CHECK_EQ(run_prog(obj, "tc_tcp_opts", pkt, n).retval, 0);
    CHECK_EQ(global_u64(obj, "walks"), 3);
    bpfrt_object_close(obj);
}

/* ---- a tail call inside a subprogram returns to that subprogram's caller ---- */

static void t_tail_from_subprog(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "tail_from_subprog");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 19, 0); /* 61 bytes */
    CHECK_EQ(run_prog(obj, "tc_subprog_tail", pkt, n).retval, 1000 + 40 + (61 & 7));
    n = build_arp(pkt);
    CHECK_EQ(run_prog(obj, "tc_subprog_tail", pkt, n).retval, 1000 + 50);
    /* IPv6: slot 3 is empty, the subprogram carries on (guard 9, + 1) */
    memset(pkt, 0, 70);
    pkt[12] = 0x86, pkt[13] = 0xdd, pkt[14] = 0x60;
    CHECK_EQ(run_prog(obj, "tc_subprog_tail", pkt, 70).retval, 1000 + 10);
    CHECK_EQ(global_u64(obj, "seen_len") , 61);
    struct bpfrt_object_map *m;
    uint32_t off, size, zero = 0, visits[4];
    uint8_t bss[64];
    CHECK_EQ(bpfrt_object_find_global(obj, "visits", &m, &off, &size), 0);
    if (size == sizeof(visits) && map_lookup(obj, ".bss", &zero, bss) == 0) {
        memcpy(visits, bss + off, sizeof(visits));
        CHECK_EQ(visits[0], 1);
        CHECK_EQ(visits[1], 1);
        CHECK_EQ(visits[2], 1);
        CHECK_EQ(visits[3], 3); /* the caller went on every time */
    }
    bpfrt_object_close(obj);
}


/* ---- lightweight-tunnel route hooks (LWT_IN/OUT/XMIT) ---- */

static void t_lwt_route_hooks(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "lwt_route_hooks");
    CHECK(obj != NULL);
    if (!obj)
        return;
    uint8_t pkt[256];
    uint32_t n = build_ipv4(pkt, 17, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 10, 8 << 2); /* CS1 */
    CHECK_EQ(run_prog(obj, "lwt_in_prog", pkt, n).retval, 2);   /* BPF_DROP */
    CHECK_EQ(run_prog(obj, "lwt_out_prog", pkt, n).retval, 2);
    n = build_ipv4(pkt, 6, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), 1, 2, 0, 0);
    CHECK_EQ(run_prog(obj, "lwt_in_prog", pkt, n).retval, 0);   /* BPF_OK */
    /* xmit pushes a 4-byte shim in front of the IP header; the output has
     * Linux's zeroed MAC header in front of it */
    struct run_result r = run_prog(obj, "lwt_xmit_prog", pkt, n);
    CHECK_EQ(r.retval, 0);
    CHECK_EQ(r.out_len, n + 4);
    uint8_t zero_mac[14] = {0};
    CHECK(memcmp(r.out, zero_mac, 14) == 0);
    CHECK_EQ(r.out[14], 0xc0);
    CHECK_EQ(r.out[16], 0xee);
    CHECK_EQ(r.out[17], (uint8_t)(n - 14 + 4));
    CHECK(memcmp(r.out + 18, pkt + 14, n - 14) == 0);
    struct bpfrt_object_map *m;
    uint32_t off, size, zero = 0;
    uint8_t bss[4096];
    int64_t rc[3];
    uint64_t hooks[3];
    CHECK_EQ(bpfrt_object_find_global(obj, "xmit_rc", &m, &off, &size), 0);
    if (size == sizeof(rc) && map_lookup(obj, ".bss", &zero, bss) == 0) {
        memcpy(rc, bss + off, sizeof(rc));
        CHECK_EQ(rc[0], n - 14); /* len from the network header */
        CHECK_EQ(rc[1], 1);      /* a flow hash */
        CHECK_EQ(rc[2], 0);
    }
    CHECK_EQ(bpfrt_object_find_global(obj, "hook_hits", &m, &off, &size), 0);
    if (size == sizeof(hooks) && map_lookup(obj, ".bss", &zero, bss) == 0) {
        memcpy(hooks, bss + off, sizeof(hooks));
        CHECK_EQ(hooks[0], 2);
        CHECK_EQ(hooks[1], 1);
        CHECK_EQ(hooks[2], 1);
    }
    bpfrt_object_close(obj);
}


/* ---- kprobe/kretprobe connection tracer with CO-RE reads of a struct sock ---- */

struct model_sock {
    uint32_t daddr, rcv_saddr; /* __sk_common */
    uint16_t dport, num;
    uint16_t family;
    uint16_t pad;
    uint32_t sk_mark;
    uint64_t cookie;
};

struct conn_event_model { uint32_t pid, saddr, daddr; uint16_t sport, dport; uint32_t mark; int32_t ret, read_rc; };

static void t_kprobe_core_sock(const char *v)
{
    struct bpfrt_object *obj = load_obj(v, "kprobe_core_sock");
    CHECK(obj != NULL);
    if (!obj)
        return;
    static struct model_sock sk = {0x0a000002, 0x0a000001, 0x5000 /* 80, big-endian */, 40000, 2, 0, 0x77, 0};
    uint64_t regs[PT_REGS_WORDS] = {0};
    regs[R_DI] = (uint64_t)(uintptr_t)&sk;
    bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_ALL); /* a tracing use: it opts in */
    CHECK_EQ(run_prog_ctx(obj, "trace_connect", NULL, 0, regs, sizeof(regs), 0).retval, 0);
    memset(regs, 0, sizeof(regs));
    regs[R_AX] = (uint64_t)-115; /* -EINPROGRESS */
    CHECK_EQ(run_prog_ctx(obj, "trace_connect_ret", NULL, 0, regs, sizeof(regs), 0).retval, 0);
    bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_NONE);
    struct bpfrt_object_map *m;
    uint32_t off, size, zero = 0;
    uint8_t bss[256];
    struct conn_event_model e;
    CHECK_EQ(bpfrt_object_find_global(obj, "last_event", &m, &off, &size), 0);
    if (size == sizeof(e) && map_lookup(obj, ".bss", &zero, bss) == 0) {
        memcpy(&e, bss + off, sizeof(e));
        CHECK_EQ(e.saddr, 0x0a000001);
        CHECK_EQ(e.daddr, 0x0a000002);
        CHECK_EQ(e.sport, 40000);
        CHECK_EQ(e.dport, 80);
        CHECK_EQ(e.mark, 0x77);
        CHECK_EQ(e.ret, -115);
        CHECK_EQ(e.read_rc, 0);
        CHECK_EQ(e.pid, (uint32_t)getpid());
    }
    CHECK_EQ(global_u64(obj, "has_cookie_field"), 1); /* no target BTF: the object's own */
    /* a return without an entry (the map entry was consumed) */
    CHECK_EQ(run_prog_ctx(obj, "trace_connect_ret", NULL, 0, regs, sizeof(regs), 0).retval, 0);
    CHECK_EQ(global_u64(obj, "orphans"), 1);
    CHECK_EQ(global_u64(obj, "entries"), 1);
    CHECK_EQ(global_u64(obj, "returns"), 2);
    bpfrt_object_close(obj);
}


struct corpus_case {
    const char *name;
    void (*fn)(const char *variant);
    bool without_btf; /* also in the no -g build */
};

static const struct corpus_case cases[] = {
    {"xdp_rules_hash", t_xdp_rules_hash, false},
    {"xdp_percpu_count", t_xdp_percpu_count, false},
    {"xdp_lpm_blocklist", t_xdp_lpm_blocklist, false},
    {"socket_dns_filter", t_socket_dns_filter, true},
    {"tc_dscp_classifier", t_tc_dscp_classifier, false},
    {"global_knobs", t_global_knobs, true},
    {"subprog_calls", t_subprog_calls, false},
    {"bounded_loop", t_bounded_loop, true},
    {"loop_callbacks", t_loop_callbacks, false},
    {"tail_calls", t_tail_calls, false},
    {"ringbuf_events", t_ringbuf_events, false},
    {"perf_output", t_perf_output, false},
    {"lru_conntrack", t_lru_conntrack, false},
    {"queue_stack", t_queue_stack, false},
    {"atomics", t_atomics, false},
    {"kprobe_args", t_kprobe_args, false},
    {"tracepoint_syscalls", t_tracepoint_syscalls, false},
    {"raw_tp_args", t_raw_tp_args, true},
    {"legacy_maps", t_legacy_maps, true},
    {"iproute2_tail", t_iproute2_tail, true},
    {"map_in_map", t_map_in_map, false},
    {"xdp_icmp_echo", t_xdp_icmp_echo, true},
    {"spin_lock", t_spin_lock, false},
    {"kconfig_externs", t_kconfig_externs, true},
    {"multi_prog", t_multi_prog, false},
    {"cgroup_skb_policy", t_cgroup_skb_policy, false},
    {"xdp_ipv6", t_xdp_ipv6, false},
    {"trace_strings", t_trace_strings, true},
    {"tc_nat", t_tc_nat, false},
    {"xdp_trim", t_xdp_trim, true},
    {"weak_ksyms", t_weak_ksyms, false},
    {"xdp_l4_lb", t_xdp_l4_lb, false},
    {"socket_ldabs", t_socket_ldabs, false},
    {"tc_vlan_ipv6_ext", t_tc_vlan_ipv6_ext, false},
    {"printk_formats", t_printk_formats, true},
    {"alu32_mix", t_alu32_mix, true},
    {"tc_tail_chain", t_tc_tail_chain, false},
    {"loop_ctx_hash", t_loop_ctx_hash, false},
    {"raw_tp_core_read", t_raw_tp_core_read, false},
    {"tc_encap_csum", t_tc_encap_csum, false},
    {"tcp_opts_can_loop", t_tcp_opts_can_loop, false},
    {"tail_from_subprog", t_tail_from_subprog, false},
    {"lwt_route_hooks", t_lwt_route_hooks, true},
    {"kprobe_core_sock", t_kprobe_core_sock, false},
};

int main(int argc, char **argv)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/progs/v1", build_dir());
    if (!dir_exists(path))
        TEST_SKIP("corpus not built (%s missing: clang without the BPF target?)", path);
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    const char *only = argc > 1 ? argv[1] : NULL;
    static const char *const variants[] = {"v1", "v2", "v3", "v4", "nog"};
    for (size_t vi = 0; vi < sizeof(variants) / sizeof(variants[0]); vi++) {
        const char *v = variants[vi];
        snprintf(path, sizeof(path), "%s/progs/%s", build_dir(), v);
        if (!dir_exists(path)) {
            printf("variant %s not built (no clang-19 for -mcpu=v4?): skipped\n", v);
            continue;
        }
        variant_now = v;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            if (only && strcmp(only, cases[i].name) != 0)
                continue;
            if (strcmp(v, "nog") == 0 && !cases[i].without_btf)
                continue;
            char label[128];
            snprintf(label, sizeof(label), "%s[%s]", cases[i].name, v);
            test_current = label;
            cases[i].fn(v);
        }
        if (!only && strcmp(v, "nog") != 0) {
            test_current = "xdp_firewall";
            snprintf(path, sizeof(path), "%s/examples/xdp_firewall.o", build_dir());
            struct stat st;
            if (vi == 2 && stat(path, &st) == 0)
                t_xdp_firewall("examples");
        }
    }
    (void)variant_now;
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
