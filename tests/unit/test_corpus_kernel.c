/* The corpus against the Linux kernel: the loader loads each object twice,
 * once into bpfrt and once - through the real bpf(2), with the very same
 * attrs - into the kernel of this machine; both copies get the same map
 * entries and the same packets (BPF_PROG_TEST_RUN), and their return
 * values, output packets and map contents must agree. Also checks that the
 * kernel accepts the BTF the loader fixed up and that its verifier accepts
 * every corpus program. Skips cleanly when bpf(2) is not available (not
 * root, no kernel BPF, seccomp); a program that calls a helper this kernel
 * build withholds (kbpf_helper_withheld) is skipped with a SKIP: line, the
 * rest of its object still compared. */
#include <errno.h>
#include <unistd.h>

#include "kernel_bpf.h"
#include "test_corpus_util.h"
#include "test_rng.h"

/* The loader's bpf() hook for the kernel copy. */
static long kbpf_fn(void *arg, int cmd, union bpf_attr *attr, unsigned int size)
{
    (void)arg;
    return kbpf_sized(cmd, attr, size);
}

static int kclose(void *arg, int fd)
{
    (void)arg;
    return close(fd);
}

typedef long (*bpf_fn_t)(void *, int, union bpf_attr *, unsigned int);

static long call(bpf_fn_t fn, int cmd, union bpf_attr *a)
{
    return fn ? fn(NULL, cmd, a, sizeof(*a)) : bpfrt_bpf(crt, cmd, a, sizeof(*a));
}

static void quiet_trace(void *arg, const char *line, size_t len)
{
    (void)arg, (void)line, (void)len;
}

static uint64_t rng_state = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
    return test_xorshift64(&rng_state);
}

/* Random corrupted packets per program (after the standard ones): a tenth
 * of BPFRT_FUZZ_ITERS, between 20 and 2000. */
static int random_packets(void)
{
    const char *s = getenv("BPFRT_FUZZ_ITERS");
    int n = s ? atoi(s) / 10 : 200;
    return n < 20 ? 20 : n > 2000 ? 2000 : n;
}

/* The inputs every packet program sees, in this order. */
struct pkt {
    uint8_t b[256];
    uint32_t n;
};

static int standard_packets(struct pkt *p)
{
    int n = 0;
    p[n].n = build_ipv4(p[n].b, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 18, 0), n++;
    p[n].n = build_ipv4(p[n].b, 6, ip4(192, 168, 1, 77), ip4(10, 0, 0, 2), 4000, 22, 0, 0), n++;
    p[n].n = build_ipv4(p[n].b, 1, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 0x1234, 1, 16, 0), n++;
    p[n].n = build_arp(p[n].b), n++;
    /* IPv6 UDP */
    memset(p[n].b, 0, sizeof(p[n].b));
    uint8_t v6[] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 17, 64};
    memcpy(p[n].b, v6, sizeof(v6));
    for (int i = 0; i < 32; i++)
        p[n].b[22 + i] = (uint8_t)(0x20 + i);
    p[n].n = 14 + 40 + 8, n++;
    /* VLAN-tagged ICMP echo */
    struct pkt icmp;
    icmp.n = build_ipv4(icmp.b, 1, ip4(10, 0, 0, 3), ip4(10, 0, 0, 4), 7, 9, 8, 0);
    memcpy(p[n].b, icmp.b, 12);
    p[n].b[12] = 0x81, p[n].b[13] = 0, p[n].b[14] = 0, p[n].b[15] = 5;
    memcpy(p[n].b + 16, icmp.b + 12, icmp.n - 12);
    p[n].n = icmp.n + 4, n++;
    p[n].n = build_ipv4(p[n].b, 17, ip4(10, 1, 2, 3), ip4(1, 1, 1, 1), 5, 6, 58, 0xb8), n++;
    p[n].n = build_ipv4(p[n].b, 6, ip4(9, 9, 9, 9), ip4(8, 8, 8, 8), 7, 80, 0, 0x20), n++;
    p[n].n = build_ipv4(p[n].b, 17, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), 1000, 53, 18, 0), n++; /* again */
    memset(p[n].b, 0xab, 20);
    p[n].n = 20, n++; /* too short for IPv4 */
    /* IPv6: hop-by-hop options (8 bytes), fragment header, TCP */
    uint8_t v6ext[] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x86, 0xdd, 0x6b, 0x80, 0, 1, 0, 36, 0, 63};
    memset(p[n].b, 0, sizeof(p[n].b));
    memcpy(p[n].b, v6ext, sizeof(v6ext));
    for (int i = 0; i < 32; i++)
        p[n].b[22 + i] = (uint8_t)(0xfe - i);
    uint8_t hbh_frag_tcp[] = {44, 0, 5, 2, 0, 0, 1, 0, 6, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
                              0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0};
    memcpy(p[n].b + 54, hbh_frag_tcp, sizeof(hbh_frag_tcp));
    p[n].n = 54 + 36, n++;
    /* QinQ (802.1ad outer, 802.1Q inner) IPv6: routing header (24 bytes),
     * destination options, UDP */
    uint8_t qinq[] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xa8, 0, 100, 0x81, 0, 0x20, 7,
                      0x86, 0xdd, 0x60, 0, 0, 0, 0, 48, 43, 1};
    memset(p[n].b, 0, sizeof(p[n].b));
    memcpy(p[n].b, qinq, sizeof(qinq));
    for (int i = 0; i < 32; i++)
        p[n].b[30 + i] = (uint8_t)(0x10 + i);
    uint8_t rt_dst_udp[] = {60, 2, 0, 1};
    memcpy(p[n].b + 62, rt_dst_udp, sizeof(rt_dst_udp));
    p[n].b[62 + 24] = 17, p[n].b[62 + 25] = 0; /* dest options, 8 bytes */
    uint8_t udp6[] = {0x30, 0x39, 0x00, 0x35, 0, 16, 0, 0};
    memcpy(p[n].b + 62 + 32, udp6, sizeof(udp6));
    p[n].n = 62 + 48, n++;
    /* TCP SYN with options: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 */
    p[n].n = build_ipv4(p[n].b, 6, ip4(172, 16, 5, 5), ip4(10, 0, 0, 80), 51000, 443, 20, 0);
    uint8_t syn_opts[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7};
    p[n].b[14 + 20 + 12] = 0xa0; /* doff 10 */
    memcpy(p[n].b + 14 + 40, syn_opts, sizeof(syn_opts));
    n++;
    return n;
}

/* Entries both copies get before the runs: "object", "map", key, value. */
struct seed {
    const char *obj, *map;
    uint8_t key[16], val[16];
};

static const struct seed seeds[] = {
    {"xdp_rules_hash", "rules", {1, 2, 3, 4, 5, 6, 7, 8, 0xe8, 3, 53, 0, 17}, {1}},
    {"xdp_rules_hash", "rules", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6}, {3}},
    {"xdp_lpm_blocklist", "blocklist", {24, 0, 0, 0, 192, 168, 1, 0}, {0}},
    {"xdp_lpm_blocklist", "blocklist", {8, 0, 0, 0, 10, 0, 0, 0}, {0}},
    {"tc_dscp_classifier", "dscp_prio", {46}, {5}},
    {"tc_dscp_classifier", "dscp_prio", {8}, {0}},
    {"loop_callbacks", "weights", {1}, {10}},
    {"loop_callbacks", "weights", {2}, {20}},
    {"cgroup_skb_policy", "denied_ports", {22}, {0}},
    {"xdp_firewall", "port_rules", {6, 0, 22, 0}, {1}},
    {"xdp_firewall", "blocked_nets", {8, 0, 0, 0, 10, 0, 0, 0}, {1}},
    {"tc_nat", "vip_backends", {5, 6, 7, 8}, {10, 0, 0, 9}},
    /* VIP 5.6.7.8:53/udp -> stats slot 1, 3 backends; 8.8.8.8:80/tcp -> slot 2, 2 backends */
    {"xdp_l4_lb", "vips", {5, 6, 7, 8, 0, 53, 17}, {1, 0, 0, 0, 3}},
    {"xdp_l4_lb", "vips", {8, 8, 8, 8, 0, 80, 6}, {2, 0, 0, 0, 2}},
    {"xdp_l4_lb", "backends", {8}, {10, 0, 1, 1, 0x02, 0xbe, 0, 0, 0, 1, 1}},
    {"xdp_l4_lb", "backends", {9}, {10, 0, 1, 2, 0x02, 0xbe, 0, 0, 0, 2, 1}},
    {"xdp_l4_lb", "backends", {10}, {10, 0, 1, 3, 0x02, 0xbe, 0, 0, 0, 3, 1}},
    {"xdp_l4_lb", "backends", {16}, {172, 16, 0, 1, 0x02, 0xbe, 0, 0, 1, 1, 1}},
    {"xdp_l4_lb", "backends", {17}, {172, 16, 0, 2, 0x02, 0xbe, 0, 0, 1, 2, 1}},
};

static const char *const objects[] = {
    "xdp_rules_hash", "xdp_percpu_count", "xdp_lpm_blocklist", "socket_dns_filter", "tc_dscp_classifier",
    "global_knobs", "subprog_calls", "bounded_loop", "loop_callbacks", "tail_calls", "ringbuf_events",
    "lru_conntrack", "queue_stack", "atomics", "raw_tp_args", "legacy_maps", "iproute2_tail",
    "map_in_map", "xdp_icmp_echo", "spin_lock", "kconfig_externs", "multi_prog", "cgroup_skb_policy",
    "xdp_ipv6", "perf_output", "trace_strings", "core_reloc", "tc_nat", "xdp_trim", "weak_ksyms",
    /* programs written in styles the ones above lack */
    "xdp_l4_lb", "tc_vlan_ipv6_ext", "socket_ldabs", "printk_formats", "alu32_mix",
    "tc_tail_chain", "xdp_maps_mix", "loop_ctx_hash", "subprog_stack", "tc_events_out", "raw_tp_core_read",
    "ctx_fields", "tc_mangle", "sections_consts", "tc_encap_csum", "xdp_meta_redirect",
    "tail_from_subprog", "map_errno_corners", "tcp_opts_can_loop",
    "btf_exotic_types", "btf_tags_floats", "lwt_route_hooks", "kprobe_core_sock",
};

static bool packet_type(uint32_t t)
{
    return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SOCKET_FILTER ||
           t == BPF_PROG_TYPE_CGROUP_SKB || t == BPF_PROG_TYPE_SCHED_ACT || t == BPF_PROG_TYPE_LWT_IN ||
           t == BPF_PROG_TYPE_LWT_OUT || t == BPF_PROG_TYPE_LWT_XMIT;
}

struct outcome {
    long rc;
    uint32_t retval, out_len;
    uint8_t out[512];
    struct __sk_buff ctx_out; /* when a __sk_buff went in */
};

static struct outcome test_run(bpf_fn_t fn, int prog, const void *data, uint32_t len, const void *ctx,
                               uint32_t ctx_len)
{
    struct outcome o;
    memset(&o, 0, sizeof(o));
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)prog;
    a.test.data_in = (uint64_t)(uintptr_t)data;
    a.test.data_size_in = data ? len : 0;
    a.test.data_out = data ? (uint64_t)(uintptr_t)o.out : 0;
    a.test.data_size_out = data ? sizeof(o.out) : 0;
    a.test.ctx_in = (uint64_t)(uintptr_t)ctx;
    a.test.ctx_size_in = ctx ? ctx_len : 0;
    if (data && ctx) {
        a.test.ctx_out = (uint64_t)(uintptr_t)&o.ctx_out;
        a.test.ctx_size_out = sizeof(o.ctx_out);
    }
    o.rc = call(fn, BPF_PROG_TEST_RUN, &a);
    o.retval = a.test.retval;
    o.out_len = a.test.data_size_out;
    return o;
}

static bool comparable_map(uint32_t type)
{
    return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_LRU_HASH ||
           type == BPF_MAP_TYPE_LPM_TRIE;
}

/* Every key bpfrt has must be in the kernel with the same value, and both
 * must hold the same number of keys. */
static void compare_map(const char *oname, struct bpfrt_object_map *bm, struct bpfrt_object_map *km)
{
    uint32_t ks = bpfrt_object_map_key_size(bm), vs = bpfrt_object_map_value_size(bm);
    uint8_t key[64], next[64], bv[4096], kv[4096];
    if (ks > sizeof(key) || vs > sizeof(bv))
        return;
    int counts[2] = {0, 0};
    for (int side = 0; side < 2; side++) {
        bpf_fn_t fn = side ? kbpf_fn : NULL;
        int h = bpfrt_object_map_handle(side ? km : bm);
        bool first = true;
        for (int guard = 0; guard < 10000; guard++) {
            union bpf_attr a;
            memset(&a, 0, sizeof(a));
            a.map_fd = (uint32_t)h;
            a.key = first ? 0 : (uint64_t)(uintptr_t)key;
            a.next_key = (uint64_t)(uintptr_t)next;
            if (call(fn, BPF_MAP_GET_NEXT_KEY, &a) != 0)
                break;
            first = false;
            memcpy(key, next, ks);
            counts[side]++;
            if (side)
                continue;
            memset(&a, 0, sizeof(a));
            a.map_fd = (uint32_t)h;
            a.key = (uint64_t)(uintptr_t)key;
            a.value = (uint64_t)(uintptr_t)bv;
            if (call(NULL, BPF_MAP_LOOKUP_ELEM, &a) != 0)
                continue;
            memset(&a, 0, sizeof(a));
            a.map_fd = (uint32_t)bpfrt_object_map_handle(km);
            a.key = (uint64_t)(uintptr_t)key;
            a.value = (uint64_t)(uintptr_t)kv;
            long rc = call(kbpf_fn, BPF_MAP_LOOKUP_ELEM, &a);
            CHECK_EQ(rc, 0);
            if (rc == 0 && memcmp(bv, kv, vs) != 0) {
                CHECK(memcmp(bv, kv, vs) == 0);
                fprintf(stderr, "%s: map %s differs at key ", oname, bpfrt_object_map_name(bm));
                for (uint32_t i = 0; i < ks; i++)
                    fprintf(stderr, "%02x", key[i]);
                uint32_t from = 0; /* 64 bytes from the first difference */
                while (from < vs && bv[from] == kv[from])
                    from++;
                from &= ~15u;
                fprintf(stderr, " from value offset %u", from);
                fprintf(stderr, "\n  bpfrt: ");
                for (uint32_t i = from; i < vs && i < from + 64; i++)
                    fprintf(stderr, "%02x", bv[i]);
                fprintf(stderr, "\n  linux: ");
                for (uint32_t i = from; i < vs && i < from + 64; i++)
                    fprintf(stderr, "%02x", kv[i]);
                fprintf(stderr, "\n");
            }
        }
    }
    CHECK_EQ(counts[0], counts[1]);
}

static void seed_maps(const char *name, struct bpfrt_object *obj, bpf_fn_t fn)
{
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        if (strcmp(seeds[i].obj, name) != 0)
            continue;
        struct bpfrt_object_map *m = bpfrt_object_find_map(obj, seeds[i].map);
        if (!m)
            continue;
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.map_fd = (uint32_t)bpfrt_object_map_handle(m);
        a.key = (uint64_t)(uintptr_t)seeds[i].key;
        a.value = (uint64_t)(uintptr_t)seeds[i].val;
        CHECK_EQ(call(fn, BPF_MAP_UPDATE_ELEM, &a), 0);
    }
}

/* The programs of bo that call a helper this kernel withholds, as a mask
 * of their indices: each gets a SKIP: line, is left out of kobj's load
 * (autoload off) and, by the caller, out of the runs (so neither copy's
 * globals see it). */
static uint64_t skip_withheld(const char *variant, const char *name, struct bpfrt_object *bo,
                              struct bpfrt_object *kobj)
{
    uint64_t skip = 0;
    uint32_t n = bpfrt_object_prog_count(bo);
    CHECK(n <= 64);
    for (uint32_t i = 0; i < n && i < 64; i++) {
        struct bpfrt_object_prog *bp = bpfrt_object_prog_at(bo, i);
        uint32_t cnt = 0;
        const struct bpf_insn *insns = bpfrt_object_prog_insns(bp, &cnt);
        const char *why = kbpf_prog_withheld(bpfrt_object_prog_type(bp), insns, cnt);
        if (!why)
            continue;
        char what[160];
        snprintf(what, sizeof(what), "%s/%s:%s", variant, name, bpfrt_object_prog_name(bp));
        TEST_SKIP_CASE(what, why);
        bpfrt_object_prog_set_autoload(bpfrt_object_prog_at(kobj, i), false);
        skip |= 1ull << i;
    }
    return skip;
}

static void compare_object(const char *variant, const char *name)
{
    static char label[160]; /* test_current points here until the next object */
    snprintf(label, sizeof(label), "%s/%s", variant, name);
    test_current = label;
    struct bpfrt_object_opts o = {.default_prog_type = BPF_PROG_TYPE_SCHED_CLS, .kconfig = "CONFIG_HZ=250"};
    struct bpfrt_object_opts ko = o;
    ko.bpf_fn = kbpf_fn;
    ko.close_fn = kclose;
    if (strcmp(variant, "nog") == 0) { /* without BTF only objects without .maps load */
        struct bpfrt_object *probe = NULL;
        char e[256];
        if (bpfrt_object_open_file(crt, prog_path(variant, name), &o, &probe, e, sizeof(e)))
            return;
        bpfrt_object_close(probe);
    }
    struct bpfrt_object *bo = load_obj_opts(variant, name, &o);
    struct bpfrt_object *kobj = open_obj_opts(variant, name, &ko);
    CHECK(bo != NULL);
    CHECK(kobj != NULL);
    if (!bo || !kobj)
        goto out;
    uint64_t skip = skip_withheld(variant, name, bo, kobj);
    char err[512] = "";
    int rc = bpfrt_object_load(kobj, err, sizeof(err));
    CHECK_EQ(rc, 0);
    if (rc) {
        fprintf(stderr, "%s/%s: the kernel refused it: %s\n", variant, name, err);
        for (uint32_t i = 0; i < bpfrt_object_prog_count(kobj); i++) {
            const char *log = bpfrt_object_prog_log(bpfrt_object_prog_at(kobj, i));
            size_t ll = strlen(log); /* the verifier's reason is at the end */
            if (ll)
                fprintf(stderr, "%s\n", log + (ll > 2000 ? ll - 2000 : 0));
        }
        goto out;
    }
    if (bpfrt_object_btf(kobj)) {
        CHECK(bpfrt_object_btf_handle(kobj) >= 0); /* Linux took the fixed-up BTF */
        if (bpfrt_object_btf_handle(kobj) < 0)
            fprintf(stderr, "%s/%s: %s", variant, name, bpfrt_object_notes(kobj));
    }
    seed_maps(name, bo, NULL);
    seed_maps(name, kobj, kbpf_fn);
    struct pkt pk[16];
    int np = standard_packets(pk);
    /* LRU eviction order is not specified (Linux's is approximate and
     * per-CPU): only the standard packets for the LRU tracker, whose flows
     * fit in its 64 entries */
    int random_runs = strcmp(name, "lru_conntrack") == 0 ? 0 : random_packets();
    for (uint32_t i = 0; i < bpfrt_object_prog_count(bo); i++) {
        if (i < 64 && (skip >> i & 1))
            continue;
        struct bpfrt_object_prog *bp = bpfrt_object_prog_at(bo, i);
        struct bpfrt_object_prog *kp = bpfrt_object_prog_at(kobj, i);
        uint32_t type = bpfrt_object_prog_type(bp);
        snprintf(label, sizeof(label), "%s/%s:%s", variant, name, bpfrt_object_prog_name(bp));
        test_current = label;
        if (packet_type(type)) {
            /* the standard packets, then random corruptions of them */
            for (int k = 0; k < np + random_runs; k++) {
                if (k >= np) {
                    struct pkt *src = &pk[k % np];
                    struct pkt *dst = &pk[np];
                    *dst = *src;
                    int flips = 1 + (int)(rnd() % 4);
                    for (int f = 0; f < flips; f++)
                        dst->b[rnd() % dst->n] ^= (uint8_t)(1u << (rnd() % 8));
                    if (rnd() % 4 == 0 && dst->n > 15)
                        dst->n = 14 + (uint32_t)(rnd() % (dst->n - 14));
                }
                int k0 = k;
                if (k >= np)
                    k = np;
                struct outcome x = test_run(NULL, bpfrt_object_prog_handle(bp), pk[k].b, pk[k].n, NULL, 0);
                struct outcome y = test_run(kbpf_fn, bpfrt_object_prog_handle(kp), pk[k].b, pk[k].n, NULL, 0);
                CHECK_EQ(x.rc, y.rc);
                CHECK_EQ(x.retval, y.retval);
                CHECK_EQ(x.out_len, y.out_len);
                if (x.rc == 0 && x.out_len == y.out_len && x.out_len <= sizeof(x.out))
                    CHECK(memcmp(x.out, y.out, x.out_len) == 0);
                if (x.retval != y.retval || x.rc != y.rc)
                    fprintf(stderr, "%s: packet %d: bpfrt %u (%ld), linux %u (%ld)\n", label, k0, x.retval,
                            x.rc, y.retval, y.rc);
                k = k0;
            }
            /* the standard packets once more with a __sk_buff coming in
             * (an XDP program gets none): the fields user space may set,
             * and what comes back out */
            struct __sk_buff sin;
            memset(&sin, 0, sizeof(sin));
            sin.mark = 0x42;
            sin.priority = 3;
            for (int c = 0; c < 5; c++)
                sin.cb[c] = 0x1000u * (uint32_t)(c + 1);
            sin.tstamp = 1000;
            for (int k = 0; k < np && type != BPF_PROG_TYPE_XDP; k++) {
                struct outcome x = test_run(NULL, bpfrt_object_prog_handle(bp), pk[k].b, pk[k].n, &sin, sizeof(sin));
                struct outcome y = test_run(kbpf_fn, bpfrt_object_prog_handle(kp), pk[k].b, pk[k].n, &sin, sizeof(sin));
                CHECK_EQ(x.rc, y.rc);
                CHECK_EQ(x.retval, y.retval);
                CHECK(memcmp(&x.ctx_out, &y.ctx_out, sizeof(x.ctx_out)) == 0);
                if (x.retval != y.retval || x.rc != y.rc || memcmp(&x.ctx_out, &y.ctx_out, sizeof(x.ctx_out)))
                    fprintf(stderr, "%s: packet %d with a ctx: bpfrt %u (%ld), linux %u (%ld)\n", label, k, x.retval,
                            x.rc, y.retval, y.rc);
            }
        } else if (type == BPF_PROG_TYPE_RAW_TRACEPOINT) {
            uint64_t args[4] = {0x1234, 2, 3, 4};
            struct outcome x = test_run(NULL, bpfrt_object_prog_handle(bp), NULL, 0, args, sizeof(args));
            struct outcome y = test_run(kbpf_fn, bpfrt_object_prog_handle(kp), NULL, 0, args, sizeof(args));
            CHECK_EQ(x.rc, y.rc);
            CHECK_EQ(x.retval, y.retval);
        }
    }
    for (uint32_t i = 0; i < bpfrt_object_map_count(bo); i++) {
        struct bpfrt_object_map *bm = bpfrt_object_map_at(bo, i), *km = bpfrt_object_map_at(kobj, i);
        if (!comparable_map(bpfrt_object_map_type(bm)) || strcmp(name, "spin_lock") == 0)
            continue;
        snprintf(label, sizeof(label), "%s/%s:map %s", variant, name, bpfrt_object_map_name(bm));
        test_current = label;
        compare_map(label, bm, km);
    }
out:
    bpfrt_object_close(bo);
    bpfrt_object_close(kobj);
}

int main(int argc, char **argv)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/progs/v3", build_dir());
    if (!dir_exists(path))
        TEST_SKIP("corpus not built");
    if (!kbpf_available())
        TEST_SKIP("bpf(2) not available here (needs root and a kernel with BPF)");
    if (bpfrt_runtime_create(bpfrt_platform_hosted(), &crt))
        return 1;
    bpfrt_runtime_set_trace_sink(crt, quiet_trace, NULL);
    /* verified runs register no regions: %s of a program's own strings
     * (printk_formats) reaches them through the host-read policy, as
     * Linux's privileged tracing reads any address */
    bpfrt_runtime_set_host_reads(crt, BPFRT_HOST_READS_ALL);
    static const char *const variants[] = {"v1", "v2", "v3", "v4", "nog"};
    for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
        snprintf(path, sizeof(path), "%s/progs/%s", build_dir(), variants[v]);
        if (!dir_exists(path))
            continue;
        for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
            if (argc < 2 || strcmp(argv[1], objects[i]) == 0)
                compare_object(variants[v], objects[i]);
    }
    snprintf(path, sizeof(path), "%s/examples/xdp_firewall.o", build_dir());
    FILE *f = fopen(path, "rb");
    if (f) {
        fclose(f);
        compare_object("examples", "xdp_firewall");
    }
    bpfrt_runtime_destroy(crt);
    return test_summary();
}
